"""ostkit CSV: reader and writer. Pure.

Columns (header required, any order, case-insensitive): required ``drama, title, artist``;
optional ``part, title_ko, artist_ko, album, release_date, duration, isrc, spotify_uri, year,
network, version, drama_ko, drama_aliases`` (the drama's other names, separated by ``;``).
Unknown columns are an error (a typo must not silently drop data).
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


def read(text: str, label: str, *, drama: str | None = None) -> ImportBatch:
    """An ostkit CSV (or Exportify CSV) file as a batch; ``drama`` fills rows that name none."""
    try:
        rows = list(csv_records(text))
    except ValueError as exc:
        raise InputError(f"malformed CSV ({exc})", path=label) from None
    if not rows:
        raise InputError("empty file (expected a header: drama,title,artist,...)", path=label)
    header_line, header = rows[0]
    names = [h.strip().lower() for h in header]
    if exportify.is_exportify_header(names):
        return exportify.read_rows(rows, label, drama)
    _check_header(names, label, header_line)
    builder = BatchBuilder(label, "csv")
    for line, cells in rows[1:]:
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
            "aliases": fields.get("drama_aliases"),
        }
        builder.add_drama_facts(track.drama, facts, line)
        builder.add_track(track, line)
    return builder.build()


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
