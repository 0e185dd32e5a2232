"""BulkWriter: the catalog writes of one import, with the caches that make 100,000 rows fast.

Import opens it for its duration (``with store.transaction(), store.bulk() as writer:``) and
writes through it. It keeps in memory what ``TrackWriter`` would otherwise ask SQLite for each
row (drama ids, aliases, track identities, next positions, parts seen) and batches the inserts of
new tracks and credits (``executemany``). Track ids are assigned here: we hold the write lock, so
nobody else can take them. While it is open, every read of the store flushes it first, so reads
give the same results as without it. The caches die with the writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ostkit.models import Drama, OstPart, Track
from ostkit.store.artists import Artists
from ostkit.store.db import BULK_CACHE_KIB, READ_CACHE_KIB, Db, Outcome
from ostkit.store.dramas import Dramas
from ostkit.store.tracks import INSERT_CREDIT, INSERT_TRACK_WITH_ID, CreditRow, TrackWriter
from ostkit.text.keys import key

# New tracks wait in memory up to this many rows: one executemany per batch, bounded memory.
_BATCH = 2000
# Track identities are cached for this many dramas at a time (files come drama by drama); the
# others are read again from SQLite when needed, so memory does not grow with the file.
_IDENTITY_DRAMAS = 64
# Parts (with the album and date a row gave them) already ensured, kept up to this many.
_PARTS_KEPT = 16384


class CachedArtists(Artists):
    """``Artists`` with every alias in memory; writes here keep the copy up to date."""

    def __init__(self, db: Db, on_merge: Callable[[], None]) -> None:
        super().__init__(db)
        self._aliases: dict[str, int] = dict(
            db.conn.execute("SELECT alias_key, artist_id FROM artist_aliases").fetchall()
        )
        # (name, native name) -> artist id, for credits already resolved in this import: each
        # artist is written (aliases, native name) once per import, not once per row.
        self._resolved: dict[tuple[str, str | None], int] = {}
        self._on_merge = on_merge

    def resolve(self, name: str, native_name: str | None = None) -> int:
        found = self._resolved.get((name, native_name))
        if found is None:
            found = self._resolved[(name, native_name)] = super().resolve(name, native_name)
        return found

    def alias_id(self, alias_key: str) -> int | None:
        return self._aliases.get(alias_key)

    def add_alias(self, artist_id: int, alias: str) -> None:
        super().add_alias(artist_id, alias)
        self._aliases.setdefault(key(alias), artist_id)

    def merge(self, keep: int, drop: int) -> None:
        super().merge(keep, drop)
        for k, v in self._aliases.items():
            if v == drop:
                self._aliases[k] = keep
        self._resolved.clear()
        self._on_merge()


class BulkWriter(TrackWriter):
    """Saves dramas, parts and tracks like the store does, caching and batching for speed."""

    def __init__(self, db: Db, dramas: Dramas) -> None:
        # drama id -> {(title key, primary artist id): track id}, loaded on first use.
        self._identities: dict[int, dict[tuple[str, int], int]] = {}
        super().__init__(db, dramas, CachedArtists(db, on_merge=self._identities.clear))
        self._drama_ids: dict[str, int] = {}
        self._positions: dict[int, int] = {}
        self._parts_seen: set[tuple[int, int, str | None, str | None]] = set()
        self._stamp: str | None = None
        # Past every id ever given (sqlite_sequence remembers removed ones), as AUTOINCREMENT does.
        self._next_track_id = int(
            db.conn.execute(
                "SELECT max(coalesce(max(id), 0), coalesce((SELECT seq FROM sqlite_sequence "
                "WHERE name = 'tracks'), 0)) + 1 FROM tracks"
            ).fetchone()[0]
        )
        self._pending_tracks: list[tuple[Any, ...]] = []
        self._pending_credits: list[tuple[Any, ...]] = []
        self.dramas_created = 0  # dramas added because a track named them

    def save_drama(self, drama: Drama) -> Outcome:
        return self.dramas.save(drama)

    def save_part(self, part: OstPart) -> Outcome:
        return self.dramas.save_part(self.drama_id(part.drama), part)

    def save_track(self, track: Track) -> tuple[int, Outcome]:
        return self.save(track)

    def seen_rows(self) -> SeenRows:
        """A fresh record of one file's row identities (``SeenRows``)."""
        return SeenRows(self.db)

    def flush(self) -> None:
        """Insert the tracks and credits waiting in memory."""
        if self._pending_tracks:
            self.db.conn.executemany(INSERT_TRACK_WITH_ID, self._pending_tracks)
            self._pending_tracks.clear()
        if self._pending_credits:
            self.db.conn.executemany(INSERT_CREDIT, self._pending_credits)
            self._pending_credits.clear()

    # --- TrackWriter's lookups, from memory ------------------------------------------------------

    def drama_id(self, title: str) -> int:
        k = key(title)
        drama_id = self._drama_ids.get(k)
        if drama_id is None:
            drama = self.dramas.get(title)
            if drama is None:
                drama_id = self.dramas.insert(Drama(title=title))
                self.dramas_created += 1
            else:
                assert drama.id is not None
                drama_id = drama.id
            self._drama_ids[k] = drama_id
        return drama_id

    def ensure_part(self, drama_id: int, number: int, album: str | None, date: str | None) -> None:
        seen = (drama_id, number, album, date)
        if seen not in self._parts_seen:
            self.dramas.ensure_part(*seen)
            if len(self._parts_seen) >= _PARTS_KEPT:
                self._parts_seen.clear()  # forgetting only repeats an idempotent upsert
            self._parts_seen.add(seen)

    def existing_id(self, drama_id: int, tkey: str, primary: int) -> int | None:
        return self._identities_of(drama_id).get((tkey, primary))

    def remember(self, drama_id: int, tkey: str, primary: int, track_id: int) -> None:
        self._identities_of(drama_id)[(tkey, primary)] = track_id

    def _identities_of(self, drama_id: int) -> dict[tuple[str, int], int]:
        identities = self._identities.get(drama_id)
        if identities is None:
            self.flush()
            if len(self._identities) >= _IDENTITY_DRAMAS:
                self._identities.clear()
            identities = self._identities[drama_id] = {
                (k, a): i
                for i, k, a in self.db.conn.execute(
                    "SELECT id, title_key, primary_artist_id FROM tracks WHERE drama_id = ?",
                    (drama_id,),
                )
            }
        return identities

    def next_position(self, drama_id: int) -> int:
        position = self._positions.get(drama_id)
        if position is None:
            position = super().next_position(drama_id)
        self._positions[drama_id] = position + 1
        return position

    def stamp(self) -> str:
        if self._stamp is None:
            self._stamp = super().stamp()
        return self._stamp

    def insert(self, row: tuple[Any, ...], credits: Sequence[CreditRow]) -> int:
        track_id = self._next_track_id
        self._next_track_id += 1
        self._pending_tracks.append((track_id, *row))
        self._pending_credits.extend((track_id, *c) for c in credits)
        if len(self._pending_tracks) >= _BATCH:
            self.flush()
        return track_id


class SeenRows:
    """The row identities of the file being imported, in a temporary table: duplicates within
    a file are found without keeping its rows in memory (``formats.batch.TrackSink``)."""

    def __init__(self, db: Db) -> None:
        self.conn = db.conn
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_rows (drama TEXT, title TEXT, artist TEXT, "
            "line INTEGER, PRIMARY KEY (drama, title, artist)) WITHOUT ROWID"
        )
        self.conn.execute("DELETE FROM temp.import_rows")

    def first_line(self, ident: tuple[str, str, str], line: int) -> int | None:
        cur = self.conn.execute(
            "INSERT INTO temp.import_rows VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (*ident, line),
        )
        if cur.rowcount:
            return None
        row = self.conn.execute(
            "SELECT line FROM temp.import_rows WHERE drama = ? AND title = ? AND artist = ?",
            ident,
        ).fetchone()
        return int(row[0])

    def close(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS temp.import_rows")


@contextmanager
def bulk_writer(db: Db, dramas: Dramas) -> Iterator[BulkWriter]:
    """A ``BulkWriter`` for the body; its rows are inserted at the end (dropped on error)."""
    db.require_tx()
    writer = BulkWriter(db, dramas)
    db.hold_pending(writer.flush)
    # Big imports touch more pages than the read cache holds.
    db.conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield writer
        writer.flush()
    finally:
        db.hold_pending(None)
        db.conn.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
