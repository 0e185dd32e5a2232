"""The `# --- playlists ---` block of CatalogStore: records of pushed playlists."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from ostkit.models import ManagedPlaylist
from ostkit.store.catalog import CatalogStore


@pytest.fixture
def store() -> CatalogStore:
    return CatalogStore.open(":memory:")


def test_save_find_update(store: CatalogStore) -> None:
    with store.transaction():
        saved = store.save_managed_playlist(
            ManagedPlaylist("Mix", spotify_id="abc", source_file="/x/mix.toml", uris=("u1", "u2"))
        )
    assert saved.id is not None
    assert store.find_managed_playlist(source_file="/x/mix.toml") == saved
    assert store.find_managed_playlist(source_file="/elsewhere.toml", name="Mix") == saved
    assert store.find_managed_playlist(name="Other") is None
    with store.transaction():
        store.save_managed_playlist(replace(saved, snapshot_id="s2", uris=()))
    found = store.find_managed_playlist(name="Mix")
    assert found is not None and found.snapshot_id == "s2" and found.uris == ()
    assert found.url == "https://open.spotify.com/playlist/abc"
    assert [p.name for p in store.managed_playlists()] == ["Mix"]


def test_adhoc_lookup_prefers_adhoc_record(store: CatalogStore) -> None:
    with store.transaction():
        store.save_managed_playlist(ManagedPlaylist("Mix", spotify_id="a", source_file="/f.toml"))
        adhoc = store.save_managed_playlist(ManagedPlaylist("Mix", spotify_id="b"))
    assert store.find_managed_playlist(name="Mix") == adhoc


def test_writes_need_a_transaction(store: CatalogStore) -> None:
    from ostkit.errors import CatalogError

    with pytest.raises(CatalogError):
        store.save_managed_playlist(ManagedPlaylist("Mix"))


@pytest.mark.parametrize("public", [None, False, True])
def test_public_sent_round_trips(store: CatalogStore, public: bool | None) -> None:
    with store.transaction():
        saved = store.save_managed_playlist(ManagedPlaylist("Mix", spotify_id="a", public=public))
    found = store.find_managed_playlist(name="Mix")
    assert found == saved and found is not None and found.public is public


def test_record_from_before_the_public_column_reads_as_never_sent(tmp_path: Path) -> None:
    from ostkit.store import migrations

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrations.migrate(conn, upto=3)
    conn.execute("INSERT INTO playlists (name, spotify_id, uris) VALUES ('Mix', 'a', '[]')")
    conn.close()
    with CatalogStore.open(db) as store:
        found = store.find_managed_playlist(name="Mix")
        assert found is not None and found.spotify_id == "a" and found.public is None
