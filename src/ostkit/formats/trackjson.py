"""The one definition of a track's JSON shape. Pure, and light to import.

Shared by the JSON export, ``ostkit add`` and ``ostkit tracks --format json``, whose big listings
SQLite builds from ``TRACK_JSON_SQL`` (``CatalogStore.tracks_json``); this module imports nothing
heavy because that listing must start fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ostkit.models import Credit, Track

# (JSON name, SQL expression, value from the model), in output order. The SQL expressions read
# the listing query's aliases: t = tracks, d = dramas, c = credits, a = artists (one row per
# credit, grouped by track). A field added here appears in both paths; tests/test_track_json.py
# checks they give identical bytes.
# A credit shows the artist's display name (the first spelling the catalog saw), never the
# spelling of the row that added the credit: "KYUHYUN" from Spotify and "Kyuhyun" from a file
# are one artist and show as one name in every command.
CREDIT_FIELDS: tuple[tuple[str, str, Callable[[Credit], Any]], ...] = (
    ("name", "a.name", attrgetter("name")),
    ("native_name", "a.native_name", attrgetter("native_name")),
    ("role", "c.role", attrgetter("role")),
)

# Track.artist_display in SQL: main credits joined by " & ", then " feat. " and featured ones.
ARTIST_SQL = (
    "coalesce(group_concat(CASE WHEN c.role = 'main' THEN a.name END, ' & '), '')"
    " || coalesce(' feat. ' || "
    "group_concat(CASE WHEN c.role = 'featured' THEN a.name END, ' & '), '')"
)


def _sql_object(fields: Sequence[tuple[str, str, Any]]) -> str:
    return "json_object(" + ", ".join(f"'{name}', {sql}" for name, sql, _ in fields) + ")"


def credit_json(c: Credit) -> dict[str, Any]:
    return {name: get(c) for name, _, get in CREDIT_FIELDS}


TRACK_FIELDS: tuple[tuple[str, str, Callable[[Track], Any]], ...] = (
    ("id", "t.id", attrgetter("id")),
    ("drama", "d.title", attrgetter("drama")),
    ("part", "t.part", attrgetter("part")),
    ("title", "t.title", attrgetter("title")),
    ("native_title", "t.native_title", attrgetter("native_title")),
    ("artist", ARTIST_SQL, attrgetter("artist_display")),
    (
        "credits",
        f"json_group_array({_sql_object(CREDIT_FIELDS)})",
        lambda t: [credit_json(c) for c in t.credits],
    ),
    ("version", "t.version", attrgetter("version")),
    ("album", "t.album", attrgetter("album")),
    ("release_date", "t.release_date", attrgetter("release_date")),
    ("duration_ms", "t.duration_ms", attrgetter("duration_ms")),
    ("isrc", "t.isrc", attrgetter("isrc")),
    ("spotify_uri", "t.spotify_uri", attrgetter("spotify_uri")),
    ("status", "t.status", lambda t: str(t.status)),
    ("score", "t.score", attrgetter("score")),
    ("matched_at", "t.matched_at", attrgetter("matched_at")),
)

# SQLite expression of one track's JSON object (an aggregate: group the credit rows by track).
TRACK_JSON_SQL = _sql_object(TRACK_FIELDS)
# Each field's SQLite expression by JSON name: listings select the columns they show.
FIELD_SQL: dict[str, str] = {name: sql for name, sql, _ in TRACK_FIELDS}


def track_json(t: Track) -> dict[str, Any]:
    """One track as JSON (the ``tracks`` listing and the export share this shape)."""
    return {name: get(t) for name, _, get in TRACK_FIELDS}
