"""Ordered, named schema steps for the catalog database.

Rules (see STYLE.md): append a step, never edit one that has shipped. Each step runs inside the
migration transaction and is recorded in ``schema_migrations`` (version, name, applied_at);
``PRAGMA user_version`` mirrors the latest version so a glance with the sqlite3 shell tells it.

A step is a tuple of SQL statements or a callable taking the connection. Statements are run one by
one with ``execute`` (never ``executescript``, which would commit the open transaction).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ostkit.clock import now_iso
from ostkit.errors import CatalogError

StepBody = Sequence[str] | Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    body: StepBody


STATUS_VALUES = "'matched','pinned','review','not_found','unmatched'"

_CATALOG = (
    # Dramas are identified by a normalised title key (see names.key); the title keeps its spelling.
    """CREATE TABLE dramas (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        title_key TEXT NOT NULL UNIQUE,
        native_title TEXT,
        year INTEGER,
        network TEXT,
        director TEXT,
        writer TEXT,
        release_date TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE cast_members (
        drama_id INTEGER NOT NULL REFERENCES dramas(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        actor TEXT NOT NULL,
        role TEXT,
        PRIMARY KEY (drama_id, position)
    )""",
    """CREATE TABLE ost_parts (
        drama_id INTEGER NOT NULL REFERENCES dramas(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        title TEXT,
        release_date TEXT,
        PRIMARY KEY (drama_id, number)
    )""",
    """CREATE TABLE artists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        native_name TEXT,
        spotify_id TEXT,
        created_at TEXT NOT NULL
    )""",
    # Every spelling we have seen for an artist (display name and native name included), keyed by
    # names.key so "DAVICHI", "Davichi" and "Park Bo-ram"/"Park Boram" land on one row.
    """CREATE TABLE artist_aliases (
        alias_key TEXT PRIMARY KEY,
        artist_id INTEGER NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
        alias TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX artist_aliases_artist ON artist_aliases(artist_id)",
    # Track identity: drama + title key (title and version tag) + primary artist.
    f"""CREATE TABLE tracks (
        id INTEGER PRIMARY KEY,
        drama_id INTEGER NOT NULL REFERENCES dramas(id) ON DELETE CASCADE,
        part INTEGER,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        title_key TEXT NOT NULL,
        native_title TEXT,
        primary_artist_id INTEGER NOT NULL REFERENCES artists(id),
        album TEXT,
        release_date TEXT,
        duration_ms INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
        isrc TEXT,
        version TEXT,
        spotify_uri TEXT,
        status TEXT NOT NULL DEFAULT 'unmatched' CHECK (status IN ({STATUS_VALUES})),
        score REAL,
        matched_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (drama_id, title_key, primary_artist_id),
        FOREIGN KEY (drama_id, part) REFERENCES ost_parts(drama_id, number)
    )""",
    """CREATE TABLE credits (
        track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        artist_id INTEGER NOT NULL REFERENCES artists(id),
        role TEXT NOT NULL CHECK (role IN ('main', 'featured')),
        credited_as TEXT NOT NULL,
        PRIMARY KEY (track_id, position)
    ) WITHOUT ROWID""",
)

_MATCHING_AND_PLAYLISTS = (
    # Spotify candidates the matcher kept for a track (payload: the Candidate as JSON).
    """CREATE TABLE candidates (
        id INTEGER PRIMARY KEY,
        track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        uri TEXT NOT NULL,
        score REAL,
        payload TEXT NOT NULL DEFAULT '{}',
        reasons TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        UNIQUE (track_id, uri)
    )""",
    # Playlists ostkit has pushed to Spotify.
    """CREATE TABLE playlists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        source_file TEXT,
        spotify_id TEXT UNIQUE,
        snapshot_id TEXT,
        uris TEXT NOT NULL DEFAULT '[]',
        uris_hash TEXT,
        last_pushed_at TEXT
    )""",
)

_INDEXES = (
    "CREATE INDEX tracks_order ON tracks(drama_id, part, position)",
    "CREATE INDEX tracks_status ON tracks(status)",
    "CREATE INDEX tracks_uri ON tracks(spotify_uri)",
    "CREATE INDEX credits_artist ON credits(artist_id)",
)


def _tracks_autoincrement(conn: sqlite3.Connection) -> None:
    """Rebuild ``tracks`` with ``AUTOINCREMENT`` so a removed track's id is never handed out again.

    The table is rebuilt from its own stored definition (whatever columns earlier steps added),
    keeping every row, id, index and trigger. With foreign keys on (they cannot be switched off
    inside the migration transaction), dropping the old table would cascade into the tables that
    reference it; their rows are kept aside first and put back once the new table has the name.
    Ids removed before this step and above the highest id left were never recorded, so each of
    them can be handed out once more.
    """
    (create,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tracks'"
    ).fetchone()
    if re.search(r"\bAUTOINCREMENT\b", create, flags=re.IGNORECASE):
        return
    rebuilt, found = re.subn(
        r'^(CREATE TABLE\s+)"?tracks"?(\s*\()', r"\1tracks_rebuilt\2", create, count=1
    )
    rebuilt, autoinc = re.subn(
        r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b",
        "id INTEGER PRIMARY KEY AUTOINCREMENT",
        rebuilt,
        count=1,
        flags=re.IGNORECASE,
    )
    if not (found and autoinc):
        raise CatalogError("cannot rebuild the tracks table: unexpected definition")
    extras = [
        sql
        for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND tbl_name = 'tracks' AND sql IS NOT NULL"
        )
    ]
    dependents = _referencing(conn, "tracks")
    for table in dependents:
        conn.execute(f'CREATE TEMP TABLE "kept_{table}" AS SELECT * FROM "{table}"')
    for table in reversed(dependents):
        conn.execute(f'DELETE FROM "{table}"')
    conn.execute(rebuilt)
    conn.execute("INSERT INTO tracks_rebuilt SELECT * FROM tracks")
    conn.execute("DROP TABLE tracks")
    conn.execute("ALTER TABLE tracks_rebuilt RENAME TO tracks")
    for sql in extras:
        conn.execute(sql)
    for table in dependents:
        conn.execute(f'INSERT INTO "{table}" SELECT * FROM temp."kept_{table}"')
        conn.execute(f'DROP TABLE temp."kept_{table}"')


def _referencing(conn: sqlite3.Connection, parent: str) -> list[str]:
    """Tables whose rows a delete in ``parent`` reaches through foreign keys, nearest first."""
    edges = conn.execute(
        'SELECT DISTINCT m.name, f."table" FROM sqlite_master AS m, '
        "pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table'"
    ).fetchall()
    found: list[str] = []
    frontier = {parent}
    while frontier:
        step = [str(n) for n, target in edges if target in frontier and n not in (*found, parent)]
        found.extend(dict.fromkeys(step))
        frontier = set(step)
    return found


MIGRATIONS: list[Migration] = [
    Migration(1, "catalog", _CATALOG),
    Migration(2, "matching_and_playlists", _MATCHING_AND_PLAYLISTS),
    Migration(3, "indexes", _INDEXES),
    # The `public` flag a push last sent (NULL: never sent): Spotify's reported flag is not
    # reliable (a playlist created with public=false may read back public=true), so push
    # compares the file with what it sent, not with what Spotify reports.
    Migration(4, "playlist_public_sent", ("ALTER TABLE playlists ADD COLUMN public INTEGER",)),
    # The listing order itself (store._TRACK_ORDER within a drama: parts, tracks without a part
    # last, then position and id), so listings of 100,000 tracks walk an index instead of sorting.
    Migration(
        5,
        "tracks_listing_order",
        (
            "DROP INDEX tracks_order",
            "CREATE INDEX tracks_listing ON tracks(drama_id, part IS NULL, part, position)",
        ),
    ),
    # Review candidates are kept in Spotify's TrackObject shape (spotify.parse reads both the
    # client's answers and the store's rows): the ISRC moves under external_ids.
    Migration(
        6,
        "candidates_trackobject",
        (
            "UPDATE candidates SET payload = json_set(json_remove(payload, '$.isrc'), "
            "'$.external_ids', CASE WHEN json_type(payload, '$.isrc') = 'text' "
            "THEN json_object('isrc', json_extract(payload, '$.isrc')) ELSE json_object() END) "
            "WHERE json_type(payload, '$.external_ids') IS NULL",
        ),
    ),
    # Other names of a drama (typed in a catalog file, or learned from the album names of
    # accepted matches: `learned` = 1), one row per distinct name key.
    Migration(
        7,
        "drama_aliases",
        (
            """CREATE TABLE IF NOT EXISTS drama_aliases (
                drama_id INTEGER NOT NULL REFERENCES dramas(id) ON DELETE CASCADE,
                alias TEXT NOT NULL,
                alias_key TEXT NOT NULL,
                learned INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (drama_id, alias_key)
            )""",
            "CREATE INDEX IF NOT EXISTS drama_aliases_key ON drama_aliases(alias_key)",
        ),
    ),
    # Track ids are never reused: after `rm 7` a new track gets a new id, so a playlist file or a
    # script that names track 7 cannot silently point at another song.
    Migration(8, "tracks_autoincrement", _tracks_autoincrement),
]


def current_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def applied(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(version, name, applied_at) of every recorded step, oldest first."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
    ).fetchone()
    if not exists:
        return []
    rows = conn.execute(
        "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"
    ).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def migrate(
    conn: sqlite3.Connection,
    steps: Sequence[Migration] | None = None,
    *,
    upto: int | None = None,
) -> list[str]:
    """Apply the pending steps in one ``BEGIN IMMEDIATE`` transaction; return their names.

    The connection must be in autocommit mode (``isolation_level=None``). Taking the write lock
    first and re-reading the version inside it means two processes opening a fresh catalog at the
    same time migrate it once.
    """
    steps = MIGRATIONS if steps is None else steps
    versions = [s.version for s in steps]
    if versions != list(range(1, len(steps) + 1)):
        raise CatalogError(f"migration steps must be numbered 1..n in order, got {versions}")
    target = len(steps) if upto is None else upto
    if current_version(conn) == target:
        return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = current_version(conn)
        if version > len(steps):
            raise CatalogError(
                f"the catalog is at schema version {version}, newer than this ostkit knows "
                f"({len(steps)}); upgrade ostkit"
            )
        conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )"""
        )
        done: list[str] = []
        for step in steps[version:target]:
            if callable(step.body):
                step.body(conn)
            else:
                for statement in step.body:
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (step.version, step.name, now_iso()),
            )
            done.append(step.name)
        # PRAGMA does not take parameters; the value is an int we computed.
        conn.execute(f"PRAGMA user_version = {max(version, target)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return done
