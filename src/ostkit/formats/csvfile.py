"""ostkit CSV: reader and writer. Pure.

Columns (header required, any order, case-insensitive): required ``drama, title, artist``;
optional ``part, title_ko, artist_ko, album, release_date, duration, isrc, spotify_uri, year,
network, version, drama_ko, drama_aliases`` (the drama's other names, separated by ``;``).
Unknown columns (a fan's ``notes``) are ignored with a warning that names them, so a typo does not
go unseen; ``--strict`` refuses them. Comma, semicolon and tab delimiters are read.
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
    format_aliases,
    format_duration,
    parse_fields,
    track_from_parsed,
    write_csv,
)
from ostkit.formats.registry import ExportDoc, Exported, Writable
from ostkit.formats.source import sniff_delimiter
from ostkit.models import Credit, Drama, Track
from ostkit.text.credits import format_credits, format_native

# The column order ostkit writes and documents.
CSV_COLUMNS = (
    "drama",
    "drama_ko",
    "drama_aliases",
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


def read(
    text: str | Iterable[str],
    label: str,
    *,
    drama: str | None = None,
    strict: bool = False,
) -> ImportBatch:
    """An ostkit CSV (or Exportify CSV) file as a batch; ``drama`` fills rows that name none.
    ``text`` is the file's text, or its lines (ends kept) as they are read.

    The delimiter (comma, semicolon or tab) is read from the header line. Columns ostkit does
    not know are ignored with a note, or refused with ``strict``."""
    rows = _records(text, label)  # read as they are used: a big file is not held as cells
    first = next(rows, None)
    if first is None:
        raise InputError("empty file (expected a header: drama,title,artist,...)", path=label)
    header_line, header = first
    names = [h.strip().lower() for h in header]
    if exportify.is_exportify_header(names):
        return exportify.read_rows(chain([first], rows), label, drama)
    builder = BatchBuilder(label, "csv")
    unknown = _check_header(names, label, header_line, strict)
    if unknown:
        builder.note(
            f"{label}:{header_line}: ignored {_plural_columns(unknown)} ostkit does not know: "
            f"{', '.join(repr(n) for n in unknown)} (--strict refuses the file instead)"
        )
    # Only known columns reach the parsers; an ignored column's cells are never looked at.
    keep = [(i, n) for i, n in enumerate(names) if n not in unknown]
    for line, cells in rows:
        if len(cells) > len(names):
            raise InputError(
                f"{len(cells)} cells but the header has {len(names)} columns", path=label, line=line
            )
        try:
            values = (
                {n: cells[i] for i, n in keep if i < len(cells)}
                if unknown
                else dict(zip(names, cells, strict=False))
            )
            fields = parse_fields(values)
            track = track_from_parsed(fields, drama)
        except FieldError as exc:
            raise InputError(f"{exc.field}: {exc}", path=label, line=line) from None
        facts = {
            "native_title": fields.get("drama_ko"),
            "year": fields.get("year"),
            "network": fields.get("network"),
            "aliases": fields.get("drama_aliases"),
        }
        builder.add_drama_facts(track.drama, facts, line)
        builder.add_track(track, line)
    return builder.build()


def _records(text: str | Iterable[str], label: str) -> Iterator[tuple[int, list[str]]]:
    if isinstance(text, str):
        delimiter = sniff_delimiter(text)
    else:
        # The header decides: read up to the first line with text, then hand them all on.
        lines = iter(text)
        head = []
        for line in lines:
            head.append(line)
            if line.strip():
                break
        delimiter = sniff_delimiter("".join(head))
        text = chain(head, lines)
    try:
        yield from csv_records(text, delimiter)
    except ValueError as exc:
        raise InputError(f"malformed CSV ({exc})", path=label) from None


def _plural_columns(names: Sequence[str]) -> str:
    return "the column" if len(names) == 1 else f"{len(names)} columns"


def _check_header(names: Sequence[str], label: str, line: int, strict: bool) -> list[str]:
    """The header's unknown column names (an error with ``strict``); duplicate or missing
    required columns are errors."""
    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    unknown = [n for n in names if n not in known]
    if unknown and strict:
        raise InputError(
            f"unknown column {unknown[0]!r} (known: {', '.join(known)})", path=label, line=line
        )
    seen: set[str] = set()
    for n in names:
        if n in seen and n in known:
            raise InputError(f"column {n!r} appears twice", path=label, line=line)
        seen.add(n)
    for required in REQUIRED_COLUMNS:
        if required not in names:
            raise InputError(
                f"missing required column {required!r} (header has: {', '.join(names)})",
                path=label,
                line=line,
            )
    return list(dict.fromkeys(unknown))


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
            format_aliases(d.aliases) if d and d.aliases else None,
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
