"""Exportify CSV (watsonbox/exportify): reader and writer. Pure.

A CSV whose header has a track URI column and ``Track Name`` is Exportify's; its rows carry no
drama, so the drama comes from ``--drama`` or a playlist-name column.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ostkit.errors import InputError
from ostkit.formats.batch import BatchBuilder, ImportBatch, identity
from ostkit.formats.fields import (
    FieldError,
    optional_field,
    parse_date,
    parse_duration_ms,
    parse_isrc,
    write_csv,
)
from ostkit.formats.registry import ExportDoc, Exported, Writable
from ostkit.models import Credit, Drama, Status, Track
from ostkit.text.keys import clean
from ostkit.text.spotify_ids import track_uri
from ostkit.text.titles import ost_part

EXPORTIFY_URI = ("track uri", "spotify uri", "spotify id")
EXPORTIFY_ARTISTS = ("artist name(s)", "artist name")

# Exportify's columns (watsonbox/exportify, the tool's current CSV layout), in its order.
EXPORTIFY_COLUMNS = (
    "Track URI",
    "Track Name",
    "Artist URI(s)",
    "Artist Name(s)",
    "Album URI",
    "Album Name",
    "Album Artist URI(s)",
    "Album Artist Name(s)",
    "Album Release Date",
    "Album Image URL",
    "Disc Number",
    "Track Number",
    "Track Duration (ms)",
    "Track Preview URL",
    "Explicit",
    "Popularity",
    "ISRC",
    "Added By",
    "Added At",
)


def is_exportify_header(names: Sequence[str]) -> bool:
    """Whether lower-cased header names are Exportify's."""
    return any(n in EXPORTIFY_URI for n in names) and "track name" in names


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """Index of each column ostkit reads (None: absent); older Exportify versions differ."""

    uri: int | None
    title: int | None
    artists: int
    album: int | None
    date: int | None
    duration: int | None
    isrc: int | None
    playlist: int | None

    @classmethod
    def from_header(cls, header: Sequence[str], label: str) -> _Columns:
        col = {h.strip().lower(): i for i, h in enumerate(header)}

        def pick(*names: str) -> int | None:
            return next((col[n] for n in names if n in col), None)

        artists = pick(*EXPORTIFY_ARTISTS)
        if artists is None:
            raise InputError(
                "Exportify file without an 'Artist Name(s)' column", path=label, line=1
            )
        return cls(
            uri=pick(*EXPORTIFY_URI),
            title=pick("track name"),
            artists=artists,
            album=pick("album name"),
            date=pick("album release date", "release date"),
            duration=pick("track duration (ms)", "duration (ms)"),
            isrc=pick("isrc"),
            playlist=pick("playlist name", "name"),
        )


def _cell(cells: list[str], i: int | None) -> str:
    return cells[i].strip() if i is not None and i < len(cells) else ""


def read_rows(rows: Iterable[tuple[int, list[str]]], label: str, drama: str | None) -> ImportBatch:
    """An Exportify file's records (header first, read as they are used) as a batch.

    A song added twice to a Spotify playlist (normal there) is one catalog track: the file's
    later rows for it are skipped and named in a note."""
    records = iter(rows)
    columns = _Columns.from_header(next(records)[1], label)
    builder = BatchBuilder(label, "exportify")
    first_row: dict[tuple[str, str, str], int] = {}
    repeats: list[tuple[int, int]] = []  # (line, line of the first row of that song)
    for line, cells in records:
        drama_name = drama or _cell(cells, columns.playlist)
        if not drama_name:
            raise InputError(
                "Exportify rows carry no drama; name it: ostkit import --drama NAME FILE",
                path=label,
                line=line,
            )
        try:
            track = _track(cells, columns, clean(drama_name))
        except FieldError as exc:
            raise InputError(f"{exc.field}: {exc}", path=label, line=line) from None
        ident = identity(track)
        if ident in first_row:
            repeats.append((line, first_row[ident]))
            continue
        first_row[ident] = line
        builder.add_drama(Drama(title=track.drama), line)
        builder.add_track(track, line)
    if repeats:
        shown = ", ".join(f"line {a} repeats line {b}" for a, b in repeats[:5])
        more = f" and {len(repeats) - 5} more" if len(repeats) > 5 else ""
        builder.note(
            f"{label}: the playlist has {len(repeats)} song(s) more than once ({shown}{more}); "
            "each is imported once"
        )
    return builder.build()


_DURATION = "Track Duration (ms)"
_DATE = "Album Release Date"


def _track(cells: list[str], columns: _Columns, drama: str) -> Track:
    title = _cell(cells, columns.title)
    if not title:
        raise FieldError("Track Name", "empty title")
    artists = _split_artists(_cell(cells, columns.artists))
    if not artists:
        raise FieldError("Artist Name(s)", "empty artist")
    uri = _uri(_cell(cells, columns.uri))
    duration = _cell(cells, columns.duration)
    date = _cell(cells, columns.date)
    isrc = _cell(cells, columns.isrc)
    album = clean(_cell(cells, columns.album)) or None
    return Track(
        drama=drama,
        title=clean(title),
        credits=tuple(Credit(a) for a in artists),
        part=ost_part(title, album),
        album=album,
        release_date=optional_field({"Album Release Date": date}, "Album Release Date", parse_date)
        if date
        else None,
        duration_ms=(
            optional_field({_DURATION: duration}, _DURATION, parse_duration_ms)
            if duration
            else None
        ),
        isrc=optional_field({"isrc": isrc}, "isrc", parse_isrc) if isrc else None,
        spotify_uri=uri,
        status=Status.PINNED if uri else Status.UNMATCHED,
    )


def _uri(raw: str) -> str | None:
    """A bare id, URI or URL -> the URI; local files (``spotify:local:``) have none."""
    if not raw or raw.startswith("spotify:local:"):
        return None
    try:
        return track_uri(raw)
    except ValueError as exc:
        raise FieldError("Track URI", str(exc)) from None


def _split_artists(text: str) -> list[str]:
    # Exportify joins artists with "," (", " in some versions) and escapes commas inside a name
    # as "\,".
    pieces = re.split(r"(?<!\\),", text)
    return [clean(p.replace("\\,", ",")) for p in pieces if clean(p)]


# --- writing ----------------------------------------------------------------------------------


def export(doc: ExportDoc, out: Writable) -> Exported:
    return Exported(write_csv(out, EXPORTIFY_COLUMNS, exportify_rows(doc.tracks)))


def to_exportify(tracks: Iterable[Track]) -> str:
    """Exportify's CSV layout as one text; columns ostkit does not know are left empty."""
    buf = io.StringIO()
    write_csv(buf, EXPORTIFY_COLUMNS, exportify_rows(tracks))
    return buf.getvalue()


def _artist_cell(credits: tuple[Credit, ...]) -> str:
    # Exportify joins artist names with ", " and escapes commas inside a name as "\\,".
    return ", ".join(c.name.replace(",", "\\,") for c in credits)


_COLUMN_AT = {c: i for i, c in enumerate(EXPORTIFY_COLUMNS)}


def exportify_rows(tracks: Iterable[Track]) -> Iterator[list[Any]]:
    """One ``EXPORTIFY_COLUMNS`` row per track, made as the tracks come."""
    at = _COLUMN_AT
    for t in tracks:
        row: list[Any] = [None] * len(EXPORTIFY_COLUMNS)
        row[at["Track URI"]] = t.spotify_uri
        row[at["Track Name"]] = t.title if not t.version else f"{t.title} - {t.version}"
        row[at["Artist Name(s)"]] = _artist_cell(t.credits)
        row[at["Album Name"]] = t.album
        row[at["Album Release Date"]] = t.release_date
        row[at["Track Duration (ms)"]] = t.duration_ms
        row[at["ISRC"]] = t.isrc
        yield row
