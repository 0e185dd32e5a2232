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

from collections.abc import Mapping, Sequence
from typing import Any

from ostkit.errors import InputError
from ostkit.formats import exportify
from ostkit.formats.batch import BatchBuilder, ImportBatch
from ostkit.formats.fields import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    FieldError,
    csv_records,
    csv_text,
    format_aliases,
    format_duration,
    parse_fields,
    track_from_parsed,
)
from ostkit.formats.registry import ExportDoc, Exported
from ostkit.formats.source import sniff_delimiter
from ostkit.models import Drama, Track
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


def read(text: str, label: str, *, drama: str | None = None, strict: bool = False) -> ImportBatch:
    """An ostkit CSV (or Exportify CSV) file as a batch; ``drama`` fills rows that name none.

    The delimiter (comma, semicolon or tab) is read from the header line. Columns ostkit does
    not know are ignored with a note, or refused with ``strict``."""
    try:
        rows = list(csv_records(text, sniff_delimiter(text)))
    except ValueError as exc:
        raise InputError(f"malformed CSV ({exc})", path=label) from None
    if not rows:
        raise InputError("empty file (expected a header: drama,title,artist,...)", path=label)
    header_line, header = rows[0]
    names = [h.strip().lower() for h in header]
    if exportify.is_exportify_header(names):
        return exportify.read_rows(rows, label, drama)
    builder = BatchBuilder(label, "csv")
    unknown = _check_header(names, label, header_line, strict)
    if unknown:
        builder.note(
            f"{label}:{header_line}: ignored {_plural_columns(unknown)} ostkit does not know: "
            f"{', '.join(repr(n) for n in unknown)} (--strict refuses the file instead)"
        )
    # Only known columns reach the parsers; an ignored column's cells are never looked at.
    keep = [(i, n) for i, n in enumerate(names) if n not in unknown]
    for line, cells in rows[1:]:
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


def export(doc: ExportDoc) -> Exported:
    return Exported(to_csv(doc.tracks, {d.title: d for d in doc.dramas}))


def to_csv(tracks: Sequence[Track], dramas: Mapping[str, Drama]) -> str:
    """ostkit CSV (columns: ``CSV_COLUMNS``); reads back with ``ostkit import``."""

    def row(t: Track) -> list[Any]:
        d = dramas.get(t.drama)
        values = {
            "drama": t.drama,
            "drama_ko": d.native_title if d else None,
            "drama_aliases": format_aliases(d.aliases) if d and d.aliases else None,
            "year": d.year if d else None,
            "network": d.network if d else None,
            "part": t.part,
            "title": t.title,
            "title_ko": t.native_title,
            "artist": format_credits(t.credits),
            "artist_ko": format_native([c.native_name for c in t.credits]),
            "version": t.version,
            "album": t.album,
            "release_date": t.release_date,
            "duration": format_duration(t.duration_ms),
            "isrc": t.isrc,
            "spotify_uri": t.spotify_uri,
        }
        return [values[c] for c in CSV_COLUMNS]

    return csv_text(CSV_COLUMNS, (row(t) for t in tracks))
