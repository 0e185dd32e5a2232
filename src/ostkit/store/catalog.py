"""CatalogStore: the SQLite catalog. Opens, migrates, runs every SQL statement, returns models.

* ``CatalogStore.open(path)`` creates the file (and parent folder) on first use and migrates it.
  Foreign keys are on, the journal is WAL (readers never block the writer) and ``busy_timeout``
  makes a second writer wait for the first instead of failing at once.
* ``with store.transaction():`` wraps every write of a command. It takes the write lock up front
  (``BEGIN IMMEDIATE``) so two importers queue instead of deadlocking; nested calls join the
  outer transaction; an exception rolls everything back.
* Identity rules (names.key): dramas by title key; artists through ``artist_aliases`` (every
  spelling and native name we have seen); tracks by drama + title key (with version tag) +
  primary artist. ``save_track`` adds or updates, never duplicates.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from ostkit.clock import now_iso
from ostkit.errors import CatalogError, NotFoundError
from ostkit.models import (
    Artist,
    Candidate,
    CastMember,
    Credit,
    Drama,
    ManagedPlaylist,
    OstPart,
    Status,
    Track,
)
from ostkit.spotify.parse import candidate_from_json, candidate_to_json
from ostkit.store import migrations
from ostkit.text.keys import clean, key, track_key

Outcome = Literal["added", "updated", "unchanged"]

_TRACK_COLUMNS = (
    "t.id, d.title, t.part, t.title, t.native_title, t.album, t.release_date, t.duration_ms, "
    "t.isrc, t.version, t.spotify_uri, t.status, t.score, t.matched_at"
)
# Canonical order: drama (by title), OST part (tracks without a part last), insertion order.
_TRACK_ORDER = "ORDER BY d.title_key, d.id, t.part IS NULL, t.part, t.position, t.id"


def suggest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Closest names to ``name`` (case-insensitive), best first."""
    by_fold: dict[str, str] = {}
    for choice in choices:
        by_fold.setdefault(choice.casefold(), choice)
    close = difflib.get_close_matches(name.casefold(), list(by_fold), n=n, cutoff=0.4)
    return [by_fold[c] for c in close]


def not_found(kind: str, name: str, choices: Iterable[str]) -> NotFoundError:
    close = suggest(name, choices)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return NotFoundError(f"no {kind} named {name!r} in the catalog{hint}")


class CatalogStore:
    """The catalog database. Build it with ``CatalogStore.open(path)``."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0
        # Caches valid inside one outermost transaction (cleared at its end, commit or rollback).
        self._alias_cache: dict[str, int] | None = None
        self._next_position: dict[int, int] = {}
        # drama id -> {(title_key, primary artist id): track id}, loaded on first use.
        self._identities: dict[int, dict[tuple[str, int], int]] = {}
        self._parts_seen: set[tuple[int, int, str | None, str | None]] = set()
        self._stamp: str | None = None
        # Bulk mode (see bulk()): new tracks and credits wait here and go in with executemany.
        self._bulk = False
        self._next_track_id = 0
        self._pending_tracks: list[tuple[Any, ...]] = []
        self._pending_credits: list[tuple[Any, ...]] = []
        self._drama_cache: dict[str, int] = {}

    # --- lifecycle -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, timeout: float = 30.0) -> CatalogStore:
        """Open (creating and migrating if needed) the catalog at ``path`` or ``":memory:"``."""
        target = str(path)
        if target != ":memory:":
            target = str(Path(target).expanduser())
            try:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CatalogError(
                    f"cannot create the folder for catalog {target}: {exc.strerror}"
                ) from None
        try:
            conn = sqlite3.connect(target, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot open catalog {target}: {exc}") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            if target != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # Big imports touch more pages than the 2 MB default cache; spilling them to the WAL
            # mid-transaction costs more than the memory.
            conn.execute("PRAGMA cache_size = -65536")
            migrations.migrate(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _catalog_error(exc, target) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, target)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> CatalogStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return migrations.current_version(self.conn)

    def applied_migrations(self) -> list[tuple[int, str, str]]:
        return migrations.applied(self.conn)

    @contextmanager
    def transaction(self) -> Iterator[CatalogStore]:
        """All writes inside run in one transaction; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _catalog_error(exc, self.path) from None
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            self._reset_caches()
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self._reset_caches()
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self.conn.execute("ROLLBACK")
            raise _catalog_error(exc, self.path) from None

    @contextmanager
    def bulk(self) -> Iterator[CatalogStore]:
        """Inside a transaction, batch the inserts of new tracks (for big imports).

        Track ids are assigned here (we hold the write lock, so nobody else can take them);
        every read of this class flushes first, so results are the same as without bulk.
        """
        self._require_tx()
        if self._bulk:
            yield self
            return
        self._bulk = True
        self._next_track_id = int(
            self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tracks").fetchone()[0]
        )
        try:
            yield self
            self._flush()
        finally:
            self._bulk = False
            self._pending_tracks.clear()
            self._pending_credits.clear()

    def _flush(self) -> None:
        if self._pending_tracks:
            self.conn.executemany(
                "INSERT INTO tracks (id, drama_id, part, position, title, title_key, "
                "native_title, primary_artist_id, album, release_date, duration_ms, isrc, "
                "version, spotify_uri, status, score, matched_at, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._pending_tracks,
            )
            self._pending_tracks.clear()
        if self._pending_credits:
            self.conn.executemany(
                "INSERT INTO credits (track_id, position, artist_id, role, credited_as) "
                "VALUES (?, ?, ?, ?, ?)",
                self._pending_credits,
            )
            self._pending_credits.clear()

    def _reset_caches(self) -> None:
        self._alias_cache = None
        self._next_position.clear()
        self._identities.clear()
        self._parts_seen.clear()
        self._stamp = None
        self._drama_cache.clear()

    def _require_tx(self) -> None:
        if not self._depth:
            raise CatalogError("internal: catalog writes must run inside store.transaction()")

    # --- dramas --------------------------------------------------------------------------------

    def dramas(self) -> list[Drama]:
        rows = self.conn.execute(
            "SELECT id, title, native_title, year, network, director, writer, release_date "
            "FROM dramas ORDER BY title_key, id"
        ).fetchall()
        cast: dict[int, list[CastMember]] = {}
        for drama_id, actor, role in self.conn.execute(
            "SELECT drama_id, actor, role FROM cast_members ORDER BY drama_id, position"
        ):
            cast.setdefault(drama_id, []).append(CastMember(actor, role))
        return [_drama(r, tuple(cast.get(r[0], ()))) for r in rows]

    def get_drama(self, name: str) -> Drama | None:
        """The drama whose title (or native title) has the same key as ``name``."""
        k = key(name)
        row = self.conn.execute(
            "SELECT id, title, native_title, year, network, director, writer, release_date "
            "FROM dramas WHERE title_key = ?",
            (k,),
        ).fetchone()
        if row is None:
            for cand in self.conn.execute(
                "SELECT id, title, native_title, year, network, director, writer, release_date "
                "FROM dramas WHERE native_title IS NOT NULL ORDER BY id"
            ):
                if key(cand[2]) == k:
                    row = cand
                    break
        if row is None:
            return None
        cast = tuple(
            CastMember(a, r)
            for a, r in self.conn.execute(
                "SELECT actor, role FROM cast_members WHERE drama_id = ? ORDER BY position",
                (row[0],),
            )
        )
        return _drama(row, cast)

    def find_drama(self, name: str) -> Drama:
        """Like ``get_drama`` but raises ``NotFoundError`` suggesting the closest titles."""
        drama = self.get_drama(name)
        if drama is None:
            titles = [t for (t,) in self.conn.execute("SELECT title FROM dramas")]
            raise not_found("drama", name, titles)
        return drama

    def save_drama(self, drama: Drama) -> Outcome:
        """Add the drama, or fill in / overwrite the fields ``drama`` carries (None keeps)."""
        self._require_tx()
        title = clean(drama.title)
        existing = self.get_drama(title)
        fields = ("native_title", "year", "network", "director", "writer", "release_date")
        if existing is None:
            cur = self.conn.execute(
                "INSERT INTO dramas (title, title_key, native_title, year, network, director, "
                "writer, release_date, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (title, key(title), *(getattr(drama, f) for f in fields), now_iso()),
            )
            drama_id = int(cur.lastrowid or 0)
            self._drama_cache[key(title)] = drama_id
            self._replace_cast(drama_id, drama.cast)
            return "added"
        assert existing.id is not None
        changes = {
            f: getattr(drama, f)
            for f in fields
            if getattr(drama, f) is not None and getattr(drama, f) != getattr(existing, f)
        }
        cast_changed = bool(drama.cast) and drama.cast != existing.cast
        if changes:
            sets = ", ".join(f"{f} = ?" for f in changes)
            self.conn.execute(
                f"UPDATE dramas SET {sets} WHERE id = ?", (*changes.values(), existing.id)
            )
        if cast_changed:
            self._replace_cast(existing.id, drama.cast)
        return "updated" if changes or cast_changed else "unchanged"

    def _replace_cast(self, drama_id: int, cast: Sequence[CastMember]) -> None:
        self.conn.execute("DELETE FROM cast_members WHERE drama_id = ?", (drama_id,))
        self.conn.executemany(
            "INSERT INTO cast_members (drama_id, position, actor, role) VALUES (?, ?, ?, ?)",
            [(drama_id, i, c.actor, c.role) for i, c in enumerate(cast)],
        )

    def _drama_id(self, title: str) -> int:
        k = key(title)
        cached = self._drama_cache.get(k)
        if cached is not None:
            return cached
        drama = self.get_drama(title)
        if drama is None:
            self.save_drama(Drama(title=title))
            return self._drama_cache[k]
        assert drama.id is not None
        self._drama_cache[k] = drama.id
        return drama.id

    def delete_drama(self, name: str) -> int:
        """Delete a drama with its tracks and parts; returns the number of tracks removed."""
        self._require_tx()
        drama = self.find_drama(name)
        count = self.conn.execute(
            "SELECT count(*) FROM tracks WHERE drama_id = ?", (drama.id,)
        ).fetchone()[0]
        self.conn.execute("DELETE FROM dramas WHERE id = ?", (drama.id,))
        self._drop_orphan_artists()
        self._reset_caches()
        return int(count)

    def parts(self, drama: str | None = None) -> list[OstPart]:
        sql = (
            "SELECT d.title, p.number, p.title, p.release_date FROM ost_parts p "
            "JOIN dramas d ON d.id = p.drama_id"
        )
        args: tuple[Any, ...] = ()
        if drama is not None:
            sql += " WHERE p.drama_id = ?"
            args = (self.find_drama(drama).id,)
        sql += " ORDER BY d.title_key, d.id, p.number"
        return [OstPart(*row) for row in self.conn.execute(sql, args)]

    def save_part(self, part: OstPart) -> Outcome:
        """Add an OST part or fill in / overwrite the fields it carries."""
        self._require_tx()
        drama_id = self._drama_id(part.drama)
        row = self.conn.execute(
            "SELECT title, release_date FROM ost_parts WHERE drama_id = ? AND number = ?",
            (drama_id, part.number),
        ).fetchone()
        if row is None:
            self._ensure_part(drama_id, part.number, part.title, part.release_date)
            return "added"
        title = part.title if part.title is not None else row[0]
        date = part.release_date if part.release_date is not None else row[1]
        if (title, date) == tuple(row):
            return "unchanged"
        self.conn.execute(
            "UPDATE ost_parts SET title = ?, release_date = ? WHERE drama_id = ? AND number = ?",
            (title, date, drama_id, part.number),
        )
        return "updated"

    def _ensure_part(self, drama_id: int, number: int, title: str | None, date: str | None) -> None:
        self.conn.execute(
            "INSERT INTO ost_parts (drama_id, number, title, release_date) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (drama_id, number) DO UPDATE SET "
            "title = coalesce(ost_parts.title, excluded.title), "
            "release_date = coalesce(ost_parts.release_date, excluded.release_date)",
            (drama_id, number, title, date),
        )

    # --- artists -------------------------------------------------------------------------------

    def _aliases(self) -> dict[str, int]:
        if self._alias_cache is None:
            self._alias_cache = dict(
                self.conn.execute("SELECT alias_key, artist_id FROM artist_aliases").fetchall()
            )
        return self._alias_cache

    def _add_alias(self, artist_id: int, alias: str) -> None:
        k = key(alias)
        self.conn.execute(
            "INSERT OR IGNORE INTO artist_aliases (alias_key, artist_id, alias) VALUES (?, ?, ?)",
            (k, artist_id, alias),
        )
        self._aliases().setdefault(k, artist_id)

    def resolve_artist(self, name: str, native_name: str | None = None) -> int:
        """The artist id for ``name`` (creating it), linking ``native_name`` to the same artist.

        If the name and the native name belong to two different artists, they are merged: a
        row has just told us they are one person.
        """
        self._require_tx()
        aliases = self._aliases()
        if not native_name:
            # Fast path for bulk imports: a known spelling without a native name to link.
            known = aliases.get(key(name))
            if known is not None:
                return known
        name = clean(name)
        artist_id = aliases.get(key(name))
        native = clean(native_name) if native_name else None
        native_id = aliases.get(key(native)) if native else None
        if artist_id is None and native_id is not None:
            artist_id = native_id
            self._add_alias(artist_id, name)
        elif artist_id is None:
            cur = self.conn.execute(
                "INSERT INTO artists (name, native_name, created_at) VALUES (?, ?, ?)",
                (name, native, now_iso()),
            )
            artist_id = int(cur.lastrowid or 0)
            self._add_alias(artist_id, name)
        if native_id is not None and native_id != artist_id:
            keep, drop = sorted((artist_id, native_id))
            self._merge_artists(keep, drop)
            artist_id = keep
        if native:
            self._add_alias(artist_id, native)
            self.conn.execute(
                "UPDATE artists SET native_name = ? WHERE id = ? AND native_name IS NULL",
                (native, artist_id),
            )
        return artist_id

    def _merge_artists(self, keep: int, drop: int) -> None:
        """Fold artist ``drop`` into ``keep``; tracks that become identical are merged too."""
        self._flush()
        c = self.conn
        clashes = c.execute(
            "SELECT d.id, k.id FROM tracks d JOIN tracks k ON k.drama_id = d.drama_id "
            "AND k.title_key = d.title_key AND k.primary_artist_id = ? "
            "WHERE d.primary_artist_id = ?",
            (keep, drop),
        ).fetchall()
        for dup_id, kept_id in clashes:
            self._absorb_track(kept_id, dup_id)
        c.execute("UPDATE artist_aliases SET artist_id = ? WHERE artist_id = ?", (keep, drop))
        c.execute("UPDATE credits SET artist_id = ? WHERE artist_id = ?", (keep, drop))
        c.execute(
            "UPDATE tracks SET primary_artist_id = ? WHERE primary_artist_id = ?", (keep, drop)
        )
        c.execute(
            "UPDATE artists SET "
            "native_name = coalesce(native_name, (SELECT native_name FROM artists WHERE id = ?)), "
            "spotify_id = coalesce(spotify_id, (SELECT spotify_id FROM artists WHERE id = ?)) "
            "WHERE id = ?",
            (drop, drop, keep),
        )
        c.execute("DELETE FROM artists WHERE id = ?", (drop,))
        self._identities.clear()
        if self._alias_cache is not None:
            for k, v in list(self._alias_cache.items()):
                if v == drop:
                    self._alias_cache[k] = keep

    def _absorb_track(self, kept_id: int, dup_id: int) -> None:
        cols = [
            "native_title",
            "album",
            "release_date",
            "duration_ms",
            "isrc",
            "version",
            "spotify_uri",
            "score",
            "matched_at",
        ]
        sets = ", ".join(
            f"{col} = coalesce({col}, (SELECT {col} FROM tracks WHERE id = ?))" for col in cols
        )
        self.conn.execute(
            f"UPDATE tracks SET {sets} WHERE id = ?", (*([dup_id] * len(cols)), kept_id)
        )
        self.conn.execute("DELETE FROM tracks WHERE id = ?", (dup_id,))

    def set_artist_spotify_id(self, artist_id: int, spotify_id: str | None) -> None:
        self._require_tx()
        self.conn.execute("UPDATE artists SET spotify_id = ? WHERE id = ?", (spotify_id, artist_id))

    def find_artist(self, name: str) -> Artist | None:
        row = self.conn.execute(
            "SELECT artist_id FROM artist_aliases WHERE alias_key = ?", (key(name),)
        ).fetchone()
        return None if row is None else self._artists_by_id([row[0]])[0]

    def artists(self) -> list[Artist]:
        ids = [r[0] for r in self.conn.execute("SELECT id FROM artists ORDER BY id")]
        return self._artists_by_id(ids)

    def _artists_by_id(self, ids: Sequence[int]) -> list[Artist]:
        if not ids:
            return []
        if len(ids) <= 500:
            marks = ", ".join("?" * len(ids))
            artist_sql = (
                f"SELECT id, name, native_name, spotify_id FROM artists WHERE id IN ({marks})"
            )
            alias_sql = (
                f"SELECT artist_id, alias FROM artist_aliases WHERE artist_id IN ({marks}) "
                "ORDER BY artist_id, alias"
            )
            args: Sequence[int] = ids
        else:
            artist_sql = "SELECT id, name, native_name, spotify_id FROM artists"
            alias_sql = "SELECT artist_id, alias FROM artist_aliases ORDER BY artist_id, alias"
            args = ()
        rows = {r[0]: r for r in self.conn.execute(artist_sql, args)}
        aliases: dict[int, list[str]] = {}
        for artist_id, alias in self.conn.execute(alias_sql, args):
            aliases.setdefault(artist_id, []).append(alias)
        out = []
        for i in ids:
            r = rows[i]
            own = {key(r[1])} | ({key(r[2])} if r[2] else set())
            extra = tuple(a for a in aliases.get(i, []) if key(a) not in own)
            out.append(Artist(name=r[1], native_name=r[2], aliases=extra, spotify_id=r[3], id=i))
        return out

    def _drop_orphan_artists(self) -> None:
        self.conn.execute(
            "DELETE FROM artists WHERE id NOT IN (SELECT artist_id FROM credits) "
            "AND id NOT IN (SELECT primary_artist_id FROM tracks)"
        )
        self._alias_cache = None

    # --- tracks --------------------------------------------------------------------------------

    def tracks(
        self,
        drama: str | None = None,
        artist: str | None = None,
        status: Status | str | None = None,
    ) -> list[Track]:
        """Tracks in canonical order (drama, part, insertion order), optionally filtered.

        ``artist`` matches any credit (main or featured) of the same artist, through aliases.
        Unknown drama or artist names raise ``NotFoundError`` with suggestions.
        """
        clause, args = self._track_filter(drama, artist, status)
        return self._select_tracks(clause, args)

    def _track_filter(
        self, drama: str | None, artist: str | None, status: Status | str | None
    ) -> tuple[str, list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        if drama is not None:
            where.append("t.drama_id = ?")
            args.append(self.find_drama(drama).id)
        if artist is not None:
            found = self.find_artist(artist)
            if found is None:
                names = [n for (n,) in self.conn.execute("SELECT alias FROM artist_aliases")]
                raise not_found("artist", artist, names)
            where.append("t.id IN (SELECT track_id FROM credits WHERE artist_id = ?)")
            args.append(found.id)
        if status is not None:
            where.append("t.status = ?")
            args.append(str(Status(status)))
        return (f"WHERE {' AND '.join(where)}" if where else ""), args

    def tracks_json(
        self,
        drama: str | None = None,
        artist: str | None = None,
        status: Status | str | None = None,
    ) -> list[bytes]:
        """``tracks(...)`` as compact UTF-8 JSON objects in the shape of ``export.track_json``.

        Built by SQLite's JSON functions and handed over as bytes, ready to write: building
        100,000 Track models (or even str objects) in Python takes longer than the one second a
        listing may take. ``tests/test_store.py`` checks both give the same values.
        """
        where, args = self._track_filter(drama, artist, status)
        self._flush()
        # One walk in listing order (dramas by title, tracks through the tracks_listing index,
        # credits by primary key, so in billing order): each track's credit rows are adjacent,
        # so grouping needs no sort. Every track has at least one credit (save_track).
        sql = (
            "SELECT CAST(json_object('id', t.id, 'drama', d.title, 'part', t.part, "
            "'title', t.title, 'native_title', t.native_title, 'artist', "
            "coalesce(group_concat(CASE WHEN c.role = 'main' THEN c.credited_as END, ' & '), '')"
            " || coalesce(' feat. ' || "
            "group_concat(CASE WHEN c.role = 'featured' THEN c.credited_as END, ' & '), ''), "
            "'credits', json_group_array(json_object('name', c.credited_as, "
            "'native_name', a.native_name, 'role', c.role)), "
            "'version', t.version, 'album', t.album, 'release_date', t.release_date, "
            "'duration_ms', t.duration_ms, 'isrc', t.isrc, 'spotify_uri', t.spotify_uri, "
            "'status', t.status, 'score', t.score, 'matched_at', t.matched_at) AS BLOB) "
            "FROM dramas d CROSS JOIN tracks t ON t.drama_id = d.id "
            "CROSS JOIN credits c ON c.track_id = t.id JOIN artists a ON a.id = c.artist_id "
            f"{where} {_TRACK_ORDER.replace('ORDER BY', 'GROUP BY')} {_TRACK_ORDER}"
        )
        return [r[0] for r in self.conn.execute(sql, args)]

    def artist_credits(
        self, drama: str | None = None, *, as_json: bool = False
    ) -> list[tuple[int, int, str]]:
        """Every credit as (drama id, artist id, track) in canonical track order, for listings.

        The track is its table label, ``Title (Version)`` plus `` [feat.]`` for a featured
        credit, or with ``as_json`` a JSON object ``{"id", "title", "version", "part", "role"}``.
        Both are built by SQLite: ``ostkit artists`` on 100,000 tracks must stay under a second.
        Names come from ``drama_titles()`` and ``artist_names()``.
        """
        args: tuple[Any, ...] = ()
        clause = ""
        if drama is not None:
            clause = "WHERE t.drama_id = ?"
            args = (self.find_drama(drama).id,)
        self._flush()
        item = (
            "json_object('id', t.id, 'title', t.title, 'version', t.version, 'part', t.part, "
            "'role', c.role)"
            if as_json
            else "t.title || coalesce(' (' || t.version || ')', '') "
            "|| CASE WHEN c.role = 'featured' THEN ' [feat.]' ELSE '' END"
        )
        return self.conn.execute(
            # CROSS JOIN fixes the join order: dramas by title, their tracks through the
            # tracks_listing index, credits by primary key: rows come out sorted, no sort step.
            f"SELECT t.drama_id, c.artist_id, {item} FROM dramas d "
            "CROSS JOIN tracks t ON t.drama_id = d.id CROSS JOIN credits c ON c.track_id = t.id "
            f"{clause} {_TRACK_ORDER}, c.position",
            args,
        ).fetchall()

    def drama_titles(self) -> dict[int, str]:
        return dict(self.conn.execute("SELECT id, title FROM dramas").fetchall())

    def artist_names(self) -> dict[int, tuple[str, str | None]]:
        """Artist id -> (display name, native name)."""
        return {
            i: (n, k) for i, n, k in self.conn.execute("SELECT id, name, native_name FROM artists")
        }

    def find_same_track(self, track: Track) -> Track | None:
        """The catalog track with ``track``'s identity, as ``save_track`` decides it (drama,
        title + version, primary artist through aliases), or None. Looks only; creates nothing."""
        drama = self.get_drama(track.drama)
        artist = self.find_artist(track.artist)
        if drama is None or artist is None:
            return None
        found = self._select_tracks(
            "WHERE t.drama_id = ? AND t.title_key = ? AND t.primary_artist_id = ?",
            [drama.id, track_key(track.title, track.version), artist.id],
        )
        return found[0] if found else None

    def get_track(self, track_id: int) -> Track:
        found = self._select_tracks("WHERE t.id = ?", [track_id])
        if not found:
            raise NotFoundError(f"no track with id {track_id}; `ostkit tracks` lists the ids")
        return found[0]

    def _select_tracks(self, clause: str, args: Sequence[Any]) -> list[Track]:
        self._flush()
        rows = self.conn.execute(
            f"SELECT {_TRACK_COLUMNS} FROM tracks t JOIN dramas d ON d.id = t.drama_id "
            f"{clause} {_TRACK_ORDER}",
            args,
        ).fetchall()
        if not rows:
            return []
        credits: dict[int, list[Credit]] = {}
        if len(rows) == 1:
            credit_rows = self.conn.execute(
                "SELECT c.track_id, c.credited_as, c.role, a.native_name, a.id FROM credits c "
                "JOIN artists a ON a.id = c.artist_id WHERE c.track_id = ? ORDER BY c.position",
                (rows[0][0],),
            )
        else:
            credit_rows = self.conn.execute(
                "SELECT c.track_id, c.credited_as, c.role, a.native_name, a.id FROM credits c "
                "JOIN artists a ON a.id = c.artist_id ORDER BY c.track_id, c.position"
            )
        for track_id, name, role, native, artist_id in credit_rows:
            credits.setdefault(track_id, []).append(Credit(name, role, native, artist_id))
        statuses = {s.value: s for s in Status}
        return [
            Track(
                id=r[0],
                drama=r[1],
                part=r[2],
                title=r[3],
                native_title=r[4],
                album=r[5],
                release_date=r[6],
                duration_ms=r[7],
                isrc=r[8],
                version=r[9],
                spotify_uri=r[10],
                status=statuses[r[11]],
                score=r[12],
                matched_at=r[13],
                credits=tuple(credits.get(r[0], ())),
            )
            for r in rows
        ]

    def save_track(self, track: Track) -> tuple[int, Outcome]:
        """Add ``track`` or update the catalog track with the same identity.

        Update rule: fields ``track`` carries overwrite, empty (None) fields keep what is stored,
        so a re-import never erases. Match fields (URI, status, score, matched_at) are replaced
        together, and only when ``track`` has a URI or a status other than ``unmatched``.
        Returns (track id, outcome).
        """
        self._require_tx()
        if not track.credits:
            raise CatalogError(f"track {track.title!r} has no artist")
        drama_id = self._drama_id(track.drama)
        credit_ids = [self.resolve_artist(c.name, c.native_name) for c in track.credits]
        primary = credit_ids[[c.name for c in track.credits].index(track.artist)]
        tkey = track_key(track.title, track.version)
        if track.part is not None:
            seen = (drama_id, track.part, track.album, track.release_date)
            if seen not in self._parts_seen:
                self._ensure_part(*seen)
                self._parts_seen.add(seen)
        identities = self._identities.get(drama_id)
        if identities is None:
            identities = self._identities[drama_id] = {
                (k, a): i
                for i, k, a in self.conn.execute(
                    "SELECT id, title_key, primary_artist_id FROM tracks WHERE drama_id = ?",
                    (drama_id,),
                )
            }
        row = None
        if (tkey, primary) in identities:
            self._flush()
            row = self.conn.execute(
                "SELECT id, part, title, native_title, album, release_date, duration_ms, isrc, "
                "version, spotify_uri, status, score, matched_at FROM tracks WHERE id = ?",
                (identities[(tkey, primary)],),
            ).fetchone()
        if self._stamp is None:
            self._stamp = now_iso()
        stamp = self._stamp
        new_credits = [
            (i, artist_id, c.role, clean(c.name))
            for i, (c, artist_id) in enumerate(zip(track.credits, credit_ids, strict=True))
        ]
        if row is None:
            position = self._next_position.get(drama_id)
            if position is None:
                position = self.conn.execute(
                    "SELECT coalesce(max(position), 0) + 1 FROM tracks WHERE drama_id = ?",
                    (drama_id,),
                ).fetchone()[0]
            self._next_position[drama_id] = position + 1
            values = (
                drama_id,
                track.part,
                position,
                clean(track.title),
                tkey,
                track.native_title,
                primary,
                track.album,
                track.release_date,
                track.duration_ms,
                track.isrc,
                track.version,
                track.spotify_uri,
                str(track.status),
                track.score,
                track.matched_at,
                stamp,
                stamp,
            )
            if self._bulk:
                track_id = self._next_track_id
                self._next_track_id += 1
                self._pending_tracks.append((track_id, *values))
                self._pending_credits.extend((track_id, *c) for c in new_credits)
                if len(self._pending_tracks) >= 2000:
                    self._flush()
            else:
                cur = self.conn.execute(
                    "INSERT INTO tracks (drama_id, part, position, title, title_key, "
                    "native_title, primary_artist_id, album, release_date, duration_ms, isrc, "
                    "version, spotify_uri, status, score, matched_at, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
                track_id = int(cur.lastrowid or 0)
                self.conn.executemany(
                    "INSERT INTO credits (track_id, position, artist_id, role, credited_as) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(track_id, *c) for c in new_credits],
                )
            identities[(tkey, primary)] = track_id
            return track_id, "added"
        track_id = int(row[0])
        current = dict(
            zip(
                [
                    "part",
                    "title",
                    "native_title",
                    "album",
                    "release_date",
                    "duration_ms",
                    "isrc",
                    "version",
                    "spotify_uri",
                    "status",
                    "score",
                    "matched_at",
                ],
                row[1:],
                strict=True,
            )
        )
        # Title and credit spellings are kept as first stored: another spelling with the same
        # key ("MY LOVE!", "Park Boram") is the same track, and files must not flip-flop it.
        incoming: dict[str, Any] = {
            "part": track.part,
            "native_title": track.native_title,
            "album": track.album,
            "release_date": track.release_date,
            "duration_ms": track.duration_ms,
            "isrc": track.isrc,
            "version": track.version,
        }
        changes = {k: v for k, v in incoming.items() if v is not None and v != current[k]}
        if track.spotify_uri is not None or track.status != Status.UNMATCHED:
            match = {
                "spotify_uri": track.spotify_uri,
                "status": str(track.status),
                "score": track.score,
                "matched_at": track.matched_at,
            }
            changes.update({k: v for k, v in match.items() if v != current[k]})
        old_credits = self.conn.execute(
            "SELECT position, artist_id, role, credited_as FROM credits WHERE track_id = ? "
            "ORDER BY position",
            (track_id,),
        ).fetchall()
        credits_changed = [(c[1], c[2]) for c in old_credits] != [(c[1], c[2]) for c in new_credits]
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            self.conn.execute(
                f"UPDATE tracks SET {sets}, updated_at = ? WHERE id = ?",
                (*changes.values(), stamp, track_id),
            )
        if credits_changed:
            self.conn.execute("DELETE FROM credits WHERE track_id = ?", (track_id,))
            self.conn.executemany(
                "INSERT INTO credits (track_id, position, artist_id, role, credited_as) "
                "VALUES (?, ?, ?, ?, ?)",
                [(track_id, *c) for c in new_credits],
            )
        return track_id, ("updated" if changes or credits_changed else "unchanged")

    def delete_tracks(self, track_ids: Sequence[int]) -> int:
        """Delete tracks by id (unknown ids raise ``NotFoundError``); returns how many."""
        self._require_tx()
        for track_id in track_ids:
            self.get_track(track_id)
        self.conn.executemany("DELETE FROM tracks WHERE id = ?", [(i,) for i in track_ids])
        self._drop_orphan_artists()
        return len(track_ids)

    def set_match(
        self,
        track_id: int,
        *,
        status: Status,
        uri: str | None = None,
        score: float | None = None,
    ) -> None:
        """Record a match decision for a track (status, URI, score, matched_at = now)."""
        self._require_tx()
        cur = self.conn.execute(
            "UPDATE tracks SET status = ?, spotify_uri = ?, score = ?, matched_at = ?, "
            "updated_at = ? WHERE id = ?",
            (str(status), uri, score, now_iso(), now_iso(), track_id),
        )
        if cur.rowcount == 0:
            raise NotFoundError(f"no track with id {track_id}; `ostkit tracks` lists the ids")

    def track_counts(self) -> dict[str, dict[str, int]]:
        """Per drama title: number of tracks by status (every status present, zeros included)."""
        out: dict[str, dict[str, int]] = {}
        for (title,) in self.conn.execute("SELECT title FROM dramas"):
            out[title] = {s.value: 0 for s in Status}
        for title, status, n in self.conn.execute(
            "SELECT d.title, t.status, count(*) FROM tracks t JOIN dramas d ON d.id = t.drama_id "
            "GROUP BY d.id, t.status"
        ):
            out[title][status] = int(n)
        return out

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables (for summaries and tests)."""
        return {
            table: int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("dramas", "tracks", "artists", "ost_parts", "candidates", "playlists")
        }

    # --- playlists -----------------------------------------------------------------------------
    # Owned by the playlists engineer: the pushed playlists (`playlists` table). The last pushed
    # URI list is kept as JSON so a re-push can skip reading the items when the snapshot matches.

    _PLAYLIST_COLUMNS = (
        "id, name, source_file, spotify_id, snapshot_id, uris, last_pushed_at, public"
    )

    def managed_playlists(self) -> list[ManagedPlaylist]:
        """Every playlist ostkit has pushed (or started to push), by name."""
        rows = self.conn.execute(
            f"SELECT {self._PLAYLIST_COLUMNS} FROM playlists ORDER BY name COLLATE NOCASE, id"
        ).fetchall()
        return [_managed(r) for r in rows]

    def find_managed_playlist(
        self, *, source_file: str | None = None, name: str | None = None
    ) -> ManagedPlaylist | None:
        """The record for a playlist file (by path), else the one with this name."""
        if source_file is not None:
            row = self.conn.execute(
                f"SELECT {self._PLAYLIST_COLUMNS} FROM playlists WHERE source_file = ? "
                "ORDER BY id LIMIT 1",
                (source_file,),
            ).fetchone()
            if row is not None:
                return _managed(row)
        if name is not None:
            row = self.conn.execute(
                f"SELECT {self._PLAYLIST_COLUMNS} FROM playlists WHERE name = ? "
                "ORDER BY source_file IS NULL DESC, id LIMIT 1",
                (name,),
            ).fetchone()
            if row is not None:
                return _managed(row)
        return None

    def save_managed_playlist(self, playlist: ManagedPlaylist) -> ManagedPlaylist:
        """Insert (id None) or update a playlist record; returns it with its id."""
        self._require_tx()
        uris = json.dumps(list(playlist.uris))
        digest = hashlib.sha256(uris.encode()).hexdigest()
        values = (
            playlist.name,
            playlist.source_file,
            playlist.spotify_id,
            playlist.snapshot_id,
            uris,
            digest,
            playlist.last_pushed_at,
            playlist.public,
        )
        if playlist.id is None:
            cur = self.conn.execute(
                "INSERT INTO playlists (name, source_file, spotify_id, snapshot_id, uris, "
                "uris_hash, last_pushed_at, public) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            return replace(playlist, id=int(cur.lastrowid or 0))
        self.conn.execute(
            "UPDATE playlists SET name = ?, source_file = ?, spotify_id = ?, snapshot_id = ?, "
            "uris = ?, uris_hash = ?, last_pushed_at = ?, public = ? WHERE id = ?",
            (*values, playlist.id),
        )
        return playlist

    # --- matching ------------------------------------------------------------------------------
    # Candidates kept for review and learned artist identity. A candidate is stored in Spotify's
    # TrackObject shape (payload, spotify.parse) with its score and reasons.

    def save_candidates(
        self,
        track_id: int,
        scored: Sequence[tuple[Candidate, float, Sequence[str]]],
    ) -> None:
        """Replace the candidates kept for a track (best first)."""
        self._require_tx()
        self.conn.execute("DELETE FROM candidates WHERE track_id = ?", (track_id,))
        stamp = now_iso()
        self.conn.executemany(
            "INSERT OR IGNORE INTO candidates (track_id, uri, score, payload, reasons, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    track_id,
                    cand.uri,
                    value,
                    json.dumps(candidate_to_json(cand), ensure_ascii=False, sort_keys=True),
                    json.dumps(list(reasons), ensure_ascii=False),
                    stamp,
                )
                for cand, value, reasons in scored
            ],
        )

    def candidates(self, track_id: int) -> list[tuple[Candidate, float | None, tuple[str, ...]]]:
        """The candidates kept for a track, best first: (candidate, score, reasons)."""
        rows = self.conn.execute(
            "SELECT payload, score, reasons FROM candidates WHERE track_id = ? "
            "ORDER BY score IS NULL, score DESC, id",
            (track_id,),
        ).fetchall()
        out = []
        for p, s, r in rows:
            cand = candidate_from_json(json.loads(p))
            if cand is not None:
                out.append((cand, s, tuple(json.loads(r))))
        return out

    def clear_candidates(self, track_id: int) -> None:
        self._require_tx()
        self.conn.execute("DELETE FROM candidates WHERE track_id = ?", (track_id,))

    def learn_artist(self, artist_id: int, spotify_id: str | None, names: Iterable[str]) -> bool:
        """Remember a matched artist's Spotify id (if none yet) and the names Spotify shows for it
        as aliases (a name already owned by another artist is left alone). True if anything new."""
        self._require_tx()
        changed = False
        if spotify_id:
            cur = self.conn.execute(
                "UPDATE artists SET spotify_id = ? WHERE id = ? AND spotify_id IS NULL",
                (spotify_id, artist_id),
            )
            changed = cur.rowcount > 0
        for name in names:
            name = clean(name)
            if not name or key(name) in self._aliases():
                continue
            self._add_alias(artist_id, name)
            changed = True
        return changed


def _drama(row: Sequence[Any], cast: tuple[CastMember, ...]) -> Drama:
    return Drama(
        id=row[0],
        title=row[1],
        native_title=row[2],
        year=row[3],
        network=row[4],
        director=row[5],
        writer=row[6],
        release_date=row[7],
        cast=cast,
    )


def _catalog_error(exc: sqlite3.Error, path: str) -> CatalogError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return CatalogError(
            f"the catalog {path} is busy (another ostkit command is writing it); try again"
        )
    if "not a database" in text or "malformed" in text:
        return CatalogError(f"{path} is not an ostkit catalog (SQLite says: {text})")
    return CatalogError(f"catalog {path}: {text}")


def _managed(row: Sequence[Any]) -> ManagedPlaylist:
    return ManagedPlaylist(
        id=int(row[0]),
        name=row[1],
        source_file=row[2],
        spotify_id=row[3],
        snapshot_id=row[4],
        uris=tuple(json.loads(row[5] or "[]")),
        last_pushed_at=row[6],
        public=None if row[7] is None else bool(row[7]),
    )
