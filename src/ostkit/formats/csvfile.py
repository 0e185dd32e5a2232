"""ostkit CSV: reader and writer. Pure.

Columns (header required, any order, case-insensitive): required ``drama, title, artist``;
optional ``part, title_ko, artist_ko, album, release_date, duration, isrc, spotify_uri, year,
network, version, drama_ko``. Unknown columns are an error (a typo must not silently drop data).
See docs/catalog.md. A CSV with Exportify's header is handed to ``formats.exportify``.

Spreadsheet safety: see ``fields.neutralise``; the writer neutralises, the reader undoes it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import chain
from typing import Any

from ostkit.errors import InputError
from ostkit.formats import exportify
from ostkit.formats.batch import BatchBuilder, ImportBatch
from ostkit.formats.fields import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    FieldError,
    csv_records,
    format_duration,
    parse_fields,
    track_from_parsed,
    write_csv,
)
from ostkit.formats.registry import ExportDoc, Exported, Writable
from ostkit.models import Credit, Drama, Track
from ostkit.text.credits import format_credits, format_native

# The column order ostkit writes and documents.
CSV_COLUMNS = (
    "drama",
    "drama_ko",
    "year",
    "network",
    "part",
    "title",
    "title_ko",
    "artist",
    "artist_ko",
    "version",
    "album",
    "release_date",
    "duration",
    "isrc",
    "spotify_uri",
)


def read(text: str, label: str, *, drama: str | None = None) -> ImportBatch:
    """An ostkit CSV (or Exportify CSV) file as a batch; ``drama`` fills rows that name none."""
    rows = _records(text, label)  # read as they are used: a big file is not held as cells
    first = next(rows, None)
    if first is None:
        raise InputError("empty file (expected a header: drama,title,artist,...)", path=label)
    header_line, header = first
    names = [h.strip().lower() for h in header]
    if exportify.is_exportify_header(names):
        return exportify.read_rows(chain([first], rows), label, drama)
    _check_header(names, label, header_line)
    builder = BatchBuilder(label, "csv")
    for line, cells in rows:
        if len(cells) > len(names):
            raise InputError(
                f"{len(cells)} cells but the header has {len(names)} columns", path=label, line=line
            )
        try:
            fields = parse_fields(dict(zip(names, cells, strict=False)))
            track = track_from_parsed(fields, drama)
        except FieldError as exc:
            raise InputError(f"{exc.field}: {exc}", path=label, line=line) from None
        facts = {
            "native_title": fields.get("drama_ko"),
            "year": fields.get("year"),
            "network": fields.get("network"),
        }
        builder.add_drama_facts(track.drama, facts, line)
        builder.add_track(track, line)
    return builder.build()


def _records(text: str, label: str) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from csv_records(text)
    except ValueError as exc:
        raise InputError(f"malformed CSV ({exc})", path=label) from None


def _check_header(names: Sequence[str], label: str, line: int) -> None:
    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    for n in names:
        if n not in known:
            raise InputError(
                f"unknown column {n!r} (known: {', '.join(known)})", path=label, line=line
            )
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise InputError(f"column {n!r} appears twice", path=label, line=line)
        seen.add(n)
    for required in REQUIRED_COLUMNS:
        if required not in names:
            raise InputError(
                f"missing required column {required!r} (header has: {', '.join(names)})",
                path=label,
                line=line,
            )


def export(doc: ExportDoc, out: Writable) -> Exported:
    return Exported(write_csv(out, CSV_COLUMNS, csv_rows(doc.tracks, doc.dramas)))


def to_csv(tracks: Iterable[Track], dramas: Mapping[str, Drama]) -> str:
    """ostkit CSV (columns: ``CSV_COLUMNS``) as one text; reads back with ``ostkit import``."""
    buf = io.StringIO()
    write_csv(buf, CSV_COLUMNS, csv_rows(tracks, dramas.values()))
    return buf.getvalue()


# Bounded (tens of MiB at most); a big catalog has tens of thousands of distinct credit lists.
@lru_cache(maxsize=32768)
def credit_cells(credits: tuple[Credit, ...]) -> tuple[str, str]:
    """The ``artist`` and ``artist_ko`` cells of a track's credits. ``format_credits`` checks
    that its text reads back; a catalog repeats the same credits on many tracks, so each distinct
    credit list is decided once."""
    return format_credits(credits), format_native([c.native_name for c in credits])


def csv_rows(tracks: Iterable[Track], dramas: Iterable[Drama]) -> Iterator[list[Any]]:
    """One ``CSV_COLUMNS`` row per track, made as the tracks come."""
    by_title = {d.title: d for d in dramas}
    for t in tracks:
        d = by_title.get(t.drama)
        artist, artist_ko = credit_cells(t.credits)
        yield [
            t.drama,
            d.native_title if d else None,
            d.year if d else None,
            d.network if d else None,
            t.part,
            t.title,
            t.native_title,
            artist,
            artist_ko,
            t.version,
            t.album,
            t.release_date,
            format_duration(t.duration_ms),
            t.isrc,
            t.spotify_uri,
        ]
