"""CatalogStore: the SQLite catalog, one facade over focused parts.

* ``db`` (store.db): open, pragmas, ``transaction()``, error mapping, schema version.
* ``dramas`` (dramas, cast, OST parts), ``artists`` (aliases, merges, learned identities),
  ``tracks`` (listings, identity lookup, delete) with its ``TrackWriter`` (save), ``matches``
  (match decisions, review candidates), ``playlists`` (pushed playlists).
* ``bulk()``: the ``BulkWriter`` import writes through (store.bulk).

Callers use the methods below; the parts hold no state of their own beyond the connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from ostkit.errors import CatalogError
from ostkit.models import Artist, Candidate, Drama, ManagedPlaylist, OstPart, Status, Track
from ostkit.store.artists import Artists
from ostkit.store.bulk import BulkWriter, bulk_writer
from ostkit.store.db import Db, Outcome
from ostkit.store.dramas import Dramas
from ostkit.store.matches import Matches
from ostkit.store.playlists import Playlists
from ostkit.store.stats import DramaCounts, drama_counts
from ostkit.store.tracks import Tracks, TrackWriter


class CatalogStore:
    """The catalog database. Build it with ``CatalogStore.open(path)``."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self._dramas = Dramas(db)
        self._artists = Artists(db)
        self._tracks = Tracks(db, self._dramas, self._artists)
        self._writer = TrackWriter(db, self._dramas, self._artists)
        self._matches = Matches(db)
        self._playlists = Playlists(db)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    @property
    def path(self) -> str:
        return self.db.path

    # --- lifecycle -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, timeout: float = 30.0) -> CatalogStore:
        """Open (creating and migrating if needed) the catalog at ``path`` or ``":memory:"``."""
        return cls(Db.open(path, timeout=timeout))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CatalogStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.schema_version

    def applied_migrations(self) -> list[tuple[int, str, str]]:
        return self.db.applied_migrations()

    @contextmanager
    def transaction(self) -> Iterator[CatalogStore]:
        """All writes inside run in one transaction; nested calls join the outer one."""
        with self.db.transaction():
            yield self

    def bulk(self) -> AbstractContextManager[BulkWriter]:
        """Inside a transaction, the writer for a big import (see store.bulk). While it is open,
        write dramas, parts and tracks through it, not through the store."""
        return bulk_writer(self.db, self._dramas)

    def _outside_bulk(self) -> None:
        # The bulk writer's caches and track ids would go stale under a write it did not make.
        if self.db.bulk_open:
            raise CatalogError("internal: while store.bulk() is open, write through its writer")

    # --- dramas --------------------------------------------------------------------------------

    def dramas(self) -> list[Drama]:
        return self._dramas.all()

    def get_drama(self, name: str) -> Drama | None:
        return self._dramas.get(name)

    def find_drama(self, name: str) -> Drama:
        return self._dramas.find(name)

    def save_drama(self, drama: Drama) -> Outcome:
        self._outside_bulk()
        return self._dramas.save(drama)

    def learn_drama_names(self, title: str, names: Sequence[str]) -> int:
        """Names a drama's matched OST releases carry: the first in a non-Latin script becomes
        its native title when it has none, the rest aliases (marked learned). How many new."""
        return self._dramas.learn_names(title, names)

    def delete_drama(self, name: str) -> int:
        """Delete a drama with its tracks and parts; returns the number of tracks removed."""
        count = self._dramas.delete(name)
        self._artists.drop_orphans()
        return count

    def drama_titles(self) -> dict[int, str]:
        return self._dramas.titles()

    def parts(self, drama: str | None = None) -> list[OstPart]:
        return self._dramas.parts(drama)

    def save_part(self, part: OstPart) -> Outcome:
        self.db.require_tx()
        self._outside_bulk()
        return self._dramas.save_part(self._dramas.id_for(part.drama), part)

    # --- artists -------------------------------------------------------------------------------

    def find_artist(self, name: str) -> Artist | None:
        return self._artists.find(name)

    def artists(self) -> list[Artist]:
        return self._artists.all()

    def artist_names(self) -> dict[int, tuple[str, str | None]]:
        return self._artists.names()

    def learn_artist(self, artist_id: int, spotify_id: str | None, names: Iterable[str]) -> bool:
        return self._artists.learn(artist_id, spotify_id, names)

    # --- tracks --------------------------------------------------------------------------------

    def tracks(
        self,
        drama: str | Sequence[str] | None = None,
        artist: str | None = None,
        status: Status | str | None = None,
    ) -> list[Track]:
        return self._tracks.listing(drama, artist, status)

    def tracks_union(
        self, dramas: Sequence[str] = (), artists: Sequence[str] = (), ids: Sequence[int] = ()
    ) -> list[Track]:
        return self._tracks.union(dramas, artists, ids)

    def iter_tracks(
        self,
        drama: str | Sequence[str] | None = None,
        artist: str | None = None,
        status: Status | str | None = None,
    ) -> Iterator[Track]:
        """``tracks(...)`` read as they are used (names are checked at once)."""
        return self._tracks.stream(drama, artist, status)

    def tracks_json(
        self,
        drama: str | Sequence[str] | None = None,
        artist: str | None = None,
        status: Status | str | None = None,
    ) -> Iterator[bytes]:
        return self._tracks.tracks_json(drama, artist, status)

    def track_table_rows(
        self,
        fields: Sequence[str],
        drama: str | Sequence[str] | None = None,
        artist: str | None = None,
        status: Status | str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        return self._tracks.table_rows(fields, drama, artist, status)

    def artist_credits(
        self, drama: str | Sequence[str] | None = None, *, as_json: bool = False
    ) -> Iterator[tuple[int, int, str]]:
        return self._tracks.artist_credits(drama, as_json=as_json)

    def get_track(self, track_id: int) -> Track:
        return self._tracks.get(track_id)

    def find_same_track(self, track: Track) -> Track | None:
        return self._tracks.find_same(track)

    def find_by_native_title(self, track: Track) -> Track | None:
        return self._tracks.find_by_native_title(track)

    def save_track(self, track: Track) -> tuple[int, Outcome]:
        self._outside_bulk()
        return self._writer.save(track)

    def delete_tracks(self, track_ids: Sequence[int]) -> int:
        return self._tracks.delete(track_ids)

    def track_counts(self) -> dict[str, dict[str, int]]:
        return self._tracks.counts_by_status()

    def drama_counts(self, drama_ids: Sequence[int] | None = None) -> list[DramaCounts]:
        """``ostkit stats``: counts per drama (all, or ``drama_ids``), the total last."""
        return drama_counts(self.db, drama_ids)

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables (for summaries and tests)."""
        self.db.flush_pending()
        return {
            table: int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("dramas", "tracks", "artists", "ost_parts", "candidates", "playlists")
        }

    # --- matching ------------------------------------------------------------------------------

    def set_match(
        self,
        track_id: int,
        *,
        status: Status,
        uri: str | None = None,
        score: float | None = None,
    ) -> None:
        self._matches.set_match(track_id, status=status, uri=uri, score=score)

    def fill_from_spotify(self, track_id: int, candidate: Candidate) -> list[str]:
        return self._matches.fill_from_spotify(track_id, candidate)

    def save_candidates(
        self, track_id: int, scored: Sequence[tuple[Candidate, float, Sequence[str]]]
    ) -> None:
        self._matches.save_candidates(track_id, scored)

    def candidates(self, track_id: int) -> list[tuple[Candidate, float | None, tuple[str, ...]]]:
        return self._matches.candidates(track_id)

    def clear_candidates(self, track_id: int) -> None:
        self._matches.clear_candidates(track_id)

    # --- playlists -----------------------------------------------------------------------------

    def managed_playlists(self) -> list[ManagedPlaylist]:
        return self._playlists.all()

    def find_managed_playlist(
        self, *, source_file: str | None = None, name: str | None = None
    ) -> ManagedPlaylist | None:
        return self._playlists.find(source_file=source_file, name=name)

    def save_managed_playlist(self, playlist: ManagedPlaylist) -> ManagedPlaylist:
        return self._playlists.save(playlist)
