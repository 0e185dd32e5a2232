"""Tracks and their credits: listings, lookups, save, delete.

Identity rule (the one place it lives): a track is its drama + title key (title and version tag,
names.track_key) + primary artist (through aliases, see ``Artists``). ``TrackWriter.save`` adds or
updates by it, never duplicates; ``Tracks.find_same`` looks by it without writing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from operator import attrgetter
from typing import Any

from ostkit.clock import now_iso
from ostkit.errors import CatalogError, NotFoundError
from ostkit.models import Credit, Status, Track
from ostkit.store.artists import Artists
from ostkit.store.columns import DATA_FIELDS, MATCH_FIELDS
from ostkit.store.db import Db, Outcome
from ostkit.store.dramas import Dramas
from ostkit.text.keys import clean, key, track_key

# One credit as stored: (position, artist id, role, credited_as).
CreditRow = tuple[int, int, str, str]

_TRACK_COLUMNS = (
    "t.id, d.title, t.part, t.title, t.native_title, t.album, t.release_date, t.duration_ms, "
    "t.isrc, t.version, t.spotify_uri, t.status, t.score, t.matched_at"
)
# Canonical order: drama (by title), OST part (tracks without a part last), insertion order.
_TRACK_ORDER = "ORDER BY d.title_key, d.id, t.part IS NULL, t.part, t.position, t.id"
# The identity rule in SQL: drama id, title key, primary artist id.
_SAME_TRACK = "t.drama_id = ? AND t.title_key = ? AND t.primary_artist_id = ?"
# The columns save compares and updates.
_STORED = ("part", "title", *DATA_FIELDS, *MATCH_FIELDS)
# attrgetter: one C call per row on the import path (100,000 rows).
_data_values = attrgetter(*DATA_FIELDS)
_FILLED = ("part", *DATA_FIELDS)
_filled_values = attrgetter(*_FILLED)
_STORED_SQL = f"SELECT {', '.join(_STORED)} FROM tracks WHERE id = ?"
_NEW_TRACK_COLUMNS = (
    "drama_id",
    "part",
    "position",
    "title",
    "title_key",
    "primary_artist_id",
    *DATA_FIELDS,
    *MATCH_FIELDS,
    "created_at",
    "updated_at",
)


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


INSERT_TRACK = _insert_sql("tracks", _NEW_TRACK_COLUMNS)
# The bulk writer assigns ids itself (it holds the write lock).
INSERT_TRACK_WITH_ID = _insert_sql("tracks", ("id", *_NEW_TRACK_COLUMNS))
INSERT_CREDIT = _insert_sql("credits", ("track_id", "position", "artist_id", "role", "credited_as"))


def title_key(track: Track) -> str:
    """The title part of the identity: title and version tag."""
    return track_key(track.title, track.version)


def primary_index(track: Track) -> int:
    """Position of the credit that is the track's primary artist (``Track.artist``)."""
    return [c.name for c in track.credits].index(track.artist)


def _per_track(columns: str, where: str) -> str:
    """One row per track (its credits grouped) in listing order, with ``columns`` computed over
    the track, its drama and its credits: one walk (dramas by title, tracks through the listing
    index, credits by primary key), so each track's credit rows are adjacent and need no sort."""
    return (
        f"SELECT {columns} FROM dramas d CROSS JOIN tracks t ON t.drama_id = d.id "
        "CROSS JOIN credits c ON c.track_id = t.id JOIN artists a ON a.id = c.artist_id "
        f"{where} {_TRACK_ORDER.replace('ORDER BY', 'GROUP BY')} {_TRACK_ORDER}"
    )


class Tracks:
    """Reading and deleting tracks."""

    def __init__(self, db: Db, dramas: Dramas, artists: Artists) -> None:
        self.db = db
        self.dramas = dramas
        self.artists = artists

    def listing(
        self,
        drama: str | Sequence[str] | None = None,
        artist: str | None = None,
        status: Status | str | None = None,
    ) -> list[Track]:
        """Tracks in canonical order (drama, part, insertion order), optionally filtered.

        ``drama`` is one name or several; ``artist`` matches any credit (main or featured) of the
        same artist, through aliases. Unknown drama or artist names raise ``NotFoundError`` with
        suggestions.
        """
        return list(self.stream(drama, artist, status))

    def stream(
        self,
        drama: str | Sequence[str] | None = None,
        artist: str | None = None,
        status: Status | str | None = None,
    ) -> Iterator[Track]:
        """``listing`` one track at a time, read as it is used (constant memory). Names are
        checked before the first track is read."""
        clause, args = self._track_filter(drama, artist, status)
        return self.iter_select(clause, args)

    def union(
        self, dramas: Sequence[str] = (), artists: Sequence[str] = (), ids: Sequence[int] = ()
    ) -> list[Track]:
        """Tracks of any named drama, credited to any named artist (any alias), or with one of
        ``ids``, in canonical order: a union, read in one query with only their credits.
        Unknown drama or artist names raise ``NotFoundError``."""
        where: list[str] = []
        args: list[Any] = []
        if dramas:
            drama_ids = list(dict.fromkeys(self.dramas.find(d).id for d in dramas))
            where.append(f"t.drama_id IN ({', '.join('?' * len(drama_ids))})")
            args.extend(drama_ids)
        if artists:
            artist_ids = list(dict.fromkeys(self.artists.find_id(a) for a in artists))
            where.append(
                "t.id IN (SELECT track_id FROM credits WHERE artist_id IN "
                f"({', '.join('?' * len(artist_ids))}))"
            )
            args.extend(artist_ids)
        if ids:
            where.append(f"t.id IN ({', '.join('?' * len(ids))})")
            args.extend(ids)
        if not where:
            return []
        return self.select(f"WHERE {' OR '.join(where)}", args)

    def _track_filter(
        self, drama: str | Sequence[str] | None, artist: str | None, status: Status | str | None
    ) -> tuple[str, list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        if drama is not None:
            names = [drama] if isinstance(drama, str) else list(drama)
            ids = list(dict.fromkeys(self.dramas.find(d).id for d in names))
            where.append(f"t.drama_id IN ({', '.join('?' * len(ids))})")
            args.extend(ids)
        if artist is not None:
            where.append("t.id IN (SELECT track_id FROM credits WHERE artist_id = ?)")
            args.append(self.artists.find_id(artist))
        if status is not None:
            where.append("t.status = ?")
            args.append(str(Status(status)))
        return (f"WHERE {' AND '.join(where)}" if where else ""), args

    def tracks_json(
        self,
        drama: str | Sequence[str] | None = None,
        artist: str | None = None,
        status: Status | str | None = None,
    ) -> Iterator[bytes]:
        """``tracks(...)`` as compact UTF-8 JSON objects (shape: ``trackjson.TRACK_FIELDS``), read
        from the cursor as they are used.

        Built by SQLite's JSON functions and handed over as bytes, ready to write: building
        100,000 Track models (or even str objects) in Python takes longer than the one second a
        listing may take. ``tests/test_store.py`` checks both give the same values.
        """
        where, args = self._track_filter(drama, artist, status)
        self.db.flush_pending()
        # Every track has at least one credit (save_track), so the inner join keeps each one.
        from ostkit.formats.trackjson import TRACK_JSON_SQL  # the shape is defined once, there

        rows = self.db.conn.execute(_per_track(f"CAST({TRACK_JSON_SQL} AS BLOB)", where), args)
        return (r[0] for r in rows)

    def table_rows(
        self,
        fields: Sequence[str],
        drama: str | Sequence[str] | None = None,
        artist: str | None = None,
        status: Status | str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """``tracks(...)`` as tuples of the named track-JSON fields (``trackjson.FIELD_SQL``),
        built by SQLite and read from the cursor as they are used: a table needs no model."""
        from ostkit.formats.trackjson import FIELD_SQL

        where, args = self._track_filter(drama, artist, status)
        self.db.flush_pending()
        columns = ", ".join(FIELD_SQL[f] for f in fields)
        return self.db.conn.execute(_per_track(columns, where), args)

    def artist_credits(
        self, drama: str | Sequence[str] | None = None, *, as_json: bool = False
    ) -> Iterator[tuple[int, int, str]]:
        """Every credit as (drama id, artist id, track) in canonical track order, for listings,
        read from the cursor as it is used.

        The track is its table label, ``Title (Version)`` plus `` [feat.]`` for a featured
        credit, or with ``as_json`` a JSON object ``{"id", "title", "version", "part", "role"}``.
        Both are built by SQLite: ``ostkit artists`` on 100,000 tracks must stay under a second.
        Names come from ``drama_titles()`` and ``artist_names()``. ``drama``: one name or several.
        """
        clause, args = self._track_filter(drama, None, None)
        self.db.flush_pending()
        item = (
            "json_object('id', t.id, 'title', t.title, 'version', t.version, 'part', t.part, "
            "'role', c.role)"
            if as_json
            else "t.title || coalesce(' (' || t.version || ')', '') "
            "|| CASE WHEN c.role = 'featured' THEN ' [feat.]' ELSE '' END"
        )
        return self.db.conn.execute(
            # CROSS JOIN fixes the join order: dramas by title, their tracks through the
            # tracks_listing index, credits by primary key: rows come out sorted, no sort step.
            f"SELECT t.drama_id, c.artist_id, {item} FROM dramas d "
            "CROSS JOIN tracks t ON t.drama_id = d.id CROSS JOIN credits c ON c.track_id = t.id "
            f"{clause} {_TRACK_ORDER}, c.position",
            args,
        )

    def find_same(self, track: Track) -> Track | None:
        """The catalog track ``TrackWriter.save`` would update for ``track``, or None. Looks
        only; creates nothing. When the primary credit's name and native name are two artists
        (which save would merge), the track of the artist the merge keeps wins."""
        drama = self.dramas.get(track.drama)
        if drama is None or not track.credits:
            return None
        primary = track.credits[primary_index(track)]
        for artist_id in self.artists.known_ids(primary.name, primary.native_name):
            found = self.select(f"WHERE {_SAME_TRACK}", [drama.id, title_key(track), artist_id])
            if found:
                return found[0]
        return None

    def find_by_native_title(self, track: Track) -> Track | None:
        """The catalog track of the same drama and primary artist whose native title is
        ``track``'s title (a Hangul row for a track stored as "All About You" / 그대라는 시)."""
        drama = self.dramas.get(track.drama)
        if drama is None or not track.credits:
            return None
        primary = track.credits[primary_index(track)]
        wanted = key(track.title)
        for artist_id in self.artists.known_ids(primary.name, primary.native_name):
            rows = self.select(
                "WHERE t.drama_id = ? AND t.primary_artist_id = ? AND t.native_title IS NOT NULL",
                [drama.id, artist_id],
            )
            found = [t for t in rows if t.native_title and key(t.native_title) == wanted]
            if len(found) == 1:  # two (a song and its Inst.): the row cannot say which
                return found[0]
        return None

    def get(self, track_id: int) -> Track:
        found = self.select("WHERE t.id = ?", [track_id])
        if not found:
            raise NotFoundError(f"no track with id {track_id}; `ostkit tracks` lists the ids")
        return found[0]

    def select(self, clause: str, args: Sequence[Any]) -> list[Track]:
        """Tracks (with credits) for a ``WHERE`` clause over ``tracks t`` / ``dramas d``: a few
        tracks (by id, by identity); SQLite picks the join order."""
        return list(self.iter_select(clause, args, walk=False))

    def iter_select(
        self, clause: str, args: Sequence[Any], *, walk: bool = True
    ) -> Iterator[Track]:
        """Tracks one at a time, joined with their credits (and only theirs), in canonical
        order, each track's credit rows adjacent.

        ``walk``: for listings (the catalog, or whole dramas), CROSS JOIN fixes the join order
        (dramas by title, their tracks through the tracks_listing index, credits by primary
        key): rows come out sorted, no sort step. Without it SQLite picks the order, which
        finds a track by id or identity at once.
        """
        self.db.flush_pending()
        join = "dramas d CROSS JOIN tracks t ON" if walk else "tracks t JOIN dramas d ON"
        rows = self.db.conn.execute(
            # a.name: the artist's display name (see formats.trackjson.CREDIT_FIELDS)
            f"SELECT {_TRACK_COLUMNS}, a.name, c.role, a.native_name, a.id "
            f"FROM {join} t.drama_id = d.id "
            "LEFT JOIN credits c ON c.track_id = t.id LEFT JOIN artists a ON a.id = c.artist_id "
            f"{clause} {_TRACK_ORDER}, c.position",
            args,
        )
        # A catalog repeats the same credits on many tracks: each distinct credit is built once
        # per walk (bounded, so memory stays flat), and equal credit lists share one tuple.
        made: dict[tuple[Any, ...], Credit] = {}
        current: Sequence[Any] | None = None
        credits: list[Credit] = []
        for r in rows:
            if current is None or r[0] != current[0]:
                if current is not None:
                    yield _track(current, tuple(credits))
                current, credits = r, []
            raw = r[_CREDIT_AT:]
            if raw[0] is not None:
                credit = made.get(raw)
                if credit is None:
                    if len(made) >= _CREDITS_KEPT:
                        made.clear()
                    credit = made[raw] = Credit(*raw)
                credits.append(credit)
        if current is not None:
            yield _track(current, tuple(credits))

    def delete(self, track_ids: Sequence[int]) -> int:
        """Delete tracks by id (unknown ids raise ``NotFoundError``); returns how many."""
        self.db.require_tx()
        for track_id in track_ids:
            self.get(track_id)
        self.db.conn.executemany("DELETE FROM tracks WHERE id = ?", [(i,) for i in track_ids])
        self.artists.drop_orphans()
        return len(track_ids)

    def counts_by_status(self) -> dict[str, dict[str, int]]:
        """Per drama title: number of tracks by status (every status present, zeros included)."""
        self.db.flush_pending()
        out: dict[str, dict[str, int]] = {}
        for (title,) in self.db.conn.execute("SELECT title FROM dramas"):
            out[title] = {s.value: 0 for s in Status}
        for title, status, n in self.db.conn.execute(
            "SELECT d.title, t.status, count(*) FROM tracks t JOIN dramas d ON d.id = t.drama_id "
            "GROUP BY d.id, t.status"
        ):
            out[title][status] = int(n)
        return out


_STATUSES = {s.value: s for s in Status}
# Distinct credits ``iter_select`` keeps built at once.
_CREDITS_KEPT = 65536
# Where the credit columns (name, role, native name, artist id) start in ``iter_select`` rows.
_CREDIT_AT = _TRACK_COLUMNS.count(",") + 1


def _track(r: Sequence[Any], credits: tuple[Credit, ...]) -> Track:
    return Track(
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
        status=_STATUSES[r[11]],
        score=r[12],
        matched_at=r[13],
        credits=credits,
    )


def changed_fields(stored: Sequence[Any], track: Track) -> dict[str, Any]:
    """What saving ``track`` over the stored row (``_STORED`` columns) changes.

    Fields ``track`` carries overwrite, empty (None) fields keep what is stored, so a re-import
    never erases. Match fields (URI, status, score, matched_at) are replaced together, and only
    when ``track`` has a URI or a status other than ``unmatched``.
    """
    current = dict(zip(_STORED, stored, strict=True))
    # Title and credit spellings are kept as first stored: another spelling with the same
    # key ("MY LOVE!", "Park Boram") is the same track, and files must not flip-flop it.
    incoming = dict(zip(_FILLED, _filled_values(track), strict=True))
    changes = {k: v for k, v in incoming.items() if v is not None and v != current[k]}
    if track.spotify_uri is not None or track.status != Status.UNMATCHED:
        match = dict(zip(MATCH_FIELDS, _match_values(track), strict=True))
        changes.update({k: v for k, v in match.items() if v != current[k]})
    return changes


def _match_values(track: Track) -> tuple[Any, ...]:
    """``MATCH_FIELDS`` of ``track``, as stored."""
    return (track.spotify_uri, str(track.status), track.score, track.matched_at)


class TrackWriter:
    """``save``: add a track or update the one with its identity, in named steps.

    Each lookup step asks SQLite; ``BulkWriter`` (store.bulk) overrides them with caches that
    live for one import.
    """

    def __init__(self, db: Db, dramas: Dramas, artists: Artists) -> None:
        self.db = db
        self.dramas = dramas
        self.artists = artists

    def save(self, track: Track) -> tuple[int, Outcome]:
        """Add ``track`` or update the catalog track with the same identity (see
        ``changed_fields`` for the update rule). Returns (track id, outcome)."""
        self.db.require_tx()
        if not track.credits:
            raise CatalogError(f"track {track.title!r} has no artist")
        drama_id = self.drama_id(track.drama)
        # Resolving artists may merge two of them (and their tracks): before the identity lookup.
        credits = [
            (i, self.artists.resolve(c.name, c.native_name), c.role, clean(c.name))
            for i, c in enumerate(track.credits)
        ]
        primary = credits[primary_index(track)][1]
        tkey = title_key(track)
        if track.part is not None:
            self.ensure_part(drama_id, track.part, track.album, track.release_date)
        track_id = self.existing_id(drama_id, tkey, primary)
        if track_id is None:
            track_id = self.insert(self._new_row(drama_id, tkey, primary, track), credits)
            self.remember(drama_id, tkey, primary, track_id)
            return track_id, "added"
        return track_id, self.update(track_id, track, credits)

    def _new_row(self, drama_id: int, tkey: str, primary: int, track: Track) -> tuple[Any, ...]:
        stamp = self.stamp()
        return (
            drama_id,
            track.part,
            self.next_position(drama_id),
            clean(track.title),
            tkey,
            primary,
            *_data_values(track),
            *_match_values(track),
            stamp,
            stamp,
        )

    def update(self, track_id: int, track: Track, credits: Sequence[CreditRow]) -> Outcome:
        """Write what ``track`` changes on the stored track ``track_id``, credits included."""
        self.db.flush_pending()
        conn = self.db.conn
        changes = changed_fields(conn.execute(_STORED_SQL, (track_id,)).fetchone(), track)
        old_credits = conn.execute(
            "SELECT artist_id, role FROM credits WHERE track_id = ? ORDER BY position",
            (track_id,),
        ).fetchall()
        credits_changed = old_credits != [(c[1], c[2]) for c in credits]
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            conn.execute(
                f"UPDATE tracks SET {sets}, updated_at = ? WHERE id = ?",
                (*changes.values(), self.stamp(), track_id),
            )
        if credits_changed:
            conn.execute("DELETE FROM credits WHERE track_id = ?", (track_id,))
            conn.executemany(INSERT_CREDIT, [(track_id, *c) for c in credits])
        return "updated" if changes or credits_changed else "unchanged"

    # --- lookups and inserts (BulkWriter caches or batches these) ------------------------------

    def drama_id(self, title: str) -> int:
        return self.dramas.id_for(title)

    def ensure_part(self, drama_id: int, number: int, album: str | None, date: str | None) -> None:
        self.dramas.ensure_part(drama_id, number, album, date)

    def existing_id(self, drama_id: int, tkey: str, primary: int) -> int | None:
        row = self.db.conn.execute(
            f"SELECT id FROM tracks t WHERE {_SAME_TRACK}", (drama_id, tkey, primary)
        ).fetchone()
        return None if row is None else int(row[0])

    def remember(self, drama_id: int, tkey: str, primary: int, track_id: int) -> None:
        """Note a new track's identity (nothing to do: SQLite has it)."""

    def next_position(self, drama_id: int) -> int:
        return int(
            self.db.conn.execute(
                "SELECT coalesce(max(position), 0) + 1 FROM tracks WHERE drama_id = ?",
                (drama_id,),
            ).fetchone()[0]
        )

    def stamp(self) -> str:
        return now_iso()

    def insert(self, row: tuple[Any, ...], credits: Sequence[CreditRow]) -> int:
        """Insert a new track (``_NEW_TRACK_COLUMNS`` values) with its credits; returns its id."""
        cur = self.db.conn.execute(INSERT_TRACK, row)
        track_id = int(cur.lastrowid or 0)
        self.db.conn.executemany(INSERT_CREDIT, [(track_id, *c) for c in credits])
        return track_id
