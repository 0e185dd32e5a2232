"""Every shipped playlists/*.toml with a [playlist] table validates and resolves."""

from __future__ import annotations

from pathlib import Path

import pytest

from ostkit.formats import registry
from ostkit.playlists.definition import has_playlist_table, load_playlist_file
from ostkit.playlists.plan import resolve
from ostkit.services import catalog
from ostkit.store.catalog import CatalogStore

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "playlists").glob("*.toml"))


@pytest.fixture(scope="module")
def store() -> CatalogStore:
    store = CatalogStore.open(":memory:")
    # Files carrying catalog data ([drama] ...) are imported; playlist-only files are not.
    data = [str(f) for f in FILES if "\n[drama]" in "\n" + f.read_text(encoding="utf-8")]
    assert data
    catalog.import_sources(store, [registry.read_source(p) for p in data])
    return store


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_shipped_playlist_resolves(store: CatalogStore, path: Path) -> None:
    if not has_playlist_table(path):
        pytest.skip("no [playlist] table")
    definition = load_playlist_file(path)
    assert resolve(definition, store.tracks())
