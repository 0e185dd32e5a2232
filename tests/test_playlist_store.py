"""The `# --- playlists ---` block of CatalogStore: records of pushed playlists."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ostkit.models import ManagedPlaylist
from ostkit.store import CatalogStore


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
