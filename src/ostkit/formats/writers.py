"""Writers for tracklists: ostkit CSV, Exportify CSV, ostkit JSON, M3U8, XSPF. Pure (text out).

Every writer takes models in the order to write and returns ``str``; the CLI decides where it
goes (stdout, or ``-o FILE`` written atomically).

Spreadsheet safety (CSV formats only): a cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or
CR would be run as a formula by Excel/LibreOffice/Sheets, so it is written with a leading
apostrophe (``'=HYPERLINK(...)``), which spreadsheets show as text. To keep the round trip exact,
a cell that already starts with apostrophes followed by one of those characters gets one more
apostrophe, and ``ostkit import`` removes exactly one apostrophe from such cells
(``importers.unneutralise``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ostkit.formats.readers import CSV_COLUMNS, JSON_FORMAT, JSON_VERSION, neutralise
from ostkit.models import Drama, OstPart, Track
from ostkit.text.credits import format_credits, format_native

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

XSPF_NS = "http://xspf.org/ns/0/"


def format_duration(ms: int | None) -> str:
    """``m:ss`` (``m:ss.mmm`` when not whole seconds); hours fold into minutes."""
    if ms is None:
        return ""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    text = f"{minutes}:{seconds:02d}"
    return f"{text}.{millis:03d}" if millis else text


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise("" if v is None else str(v)) for v in row])
    return buf.getvalue()


def to_csv(tracks: Sequence[Track], dramas: Mapping[str, Drama]) -> str:
    """ostkit CSV (columns: ``importers.CSV_COLUMNS``); reads back with ``ostkit import``."""

    def row(t: Track) -> list[Any]:
        d = dramas.get(t.drama)
        values = {
            "drama": t.drama,
            "drama_ko": d.native_title if d else None,
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

    return _csv_text(CSV_COLUMNS, (row(t) for t in tracks))


def to_exportify(tracks: Sequence[Track]) -> str:
    """Exportify's CSV layout; columns ostkit does not know are left empty."""

    def row(t: Track) -> list[Any]:
        # Exportify joins artist names with ", " and escapes commas inside a name as "\,".
        artists = ", ".join(c.name.replace(",", "\\,") for c in t.credits)
        values: dict[str, Any] = {
            "Track URI": t.spotify_uri,
            "Track Name": t.title if not t.version else f"{t.title} - {t.version}",
            "Artist Name(s)": artists,
            "Album Name": t.album,
            "Album Release Date": t.release_date,
            "Track Duration (ms)": t.duration_ms,
            "ISRC": t.isrc,
        }
        return [values.get(c) for c in EXPORTIFY_COLUMNS]

    return _csv_text(EXPORTIFY_COLUMNS, (row(t) for t in tracks))


def track_json(t: Track) -> dict[str, Any]:
    """One track as JSON (the ``tracks`` listing and the export share this shape)."""
    return {
        "id": t.id,
        "drama": t.drama,
        "part": t.part,
        "title": t.title,
        "native_title": t.native_title,
        "artist": t.artist_display,
        "credits": [
            {"name": c.name, "native_name": c.native_name, "role": c.role} for c in t.credits
        ],
        "version": t.version,
        "album": t.album,
        "release_date": t.release_date,
        "duration_ms": t.duration_ms,
        "isrc": t.isrc,
        "spotify_uri": t.spotify_uri,
        "status": str(t.status),
        "score": t.score,
        "matched_at": t.matched_at,
    }


def drama_json(d: Drama) -> dict[str, Any]:
    return {
        "title": d.title,
        "native_title": d.native_title,
        "year": d.year,
        "network": d.network,
        "director": d.director,
        "writer": d.writer,
        "release_date": d.release_date,
        "cast": [{"actor": c.actor, "role": c.role} for c in d.cast],
    }


def to_json(dramas: Sequence[Drama], parts: Sequence[OstPart], tracks: Sequence[Track]) -> str:
    """ostkit JSON: ``{"format": "ostkit", "version": 1, "dramas": [{..., "parts", "tracks"}]}``."""
    by_drama: dict[str, dict[str, Any]] = {}
    for d in dramas:
        by_drama[d.title] = {**drama_json(d), "parts": [], "tracks": []}
    for p in parts:
        if p.drama in by_drama:
            by_drama[p.drama]["parts"].append(
                {"number": p.number, "title": p.title, "release_date": p.release_date}
            )
    for t in tracks:
        by_drama[t.drama]["tracks"].append(track_json(t))
    doc = {"format": JSON_FORMAT, "version": JSON_VERSION, "dramas": list(by_drama.values())}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def to_m3u(tracks: Sequence[Track], title: str | None = None) -> tuple[str, int]:
    """Extended M3U (UTF-8, ``.m3u8``): ``#EXTINF:<seconds>,<artist> - <title>`` then the URI.

    Only tracks with a Spotify URI have a location to write; returns (text, tracks skipped).
    """
    lines = ["#EXTM3U"]
    if title:
        lines.append(f"#PLAYLIST:{_one_line(title)}")
    skipped = 0
    for t in tracks:
        if not t.spotify_uri:
            skipped += 1
            continue
        seconds = round(t.duration_ms / 1000) if t.duration_ms is not None else -1
        name = _one_line(f"{t.artist_display} - {_titled(t)}")
        lines.append(f"#EXTINF:{seconds},{name}")
        lines.append(t.spotify_uri)
    return "\n".join(lines) + "\n", skipped


def to_xspf(tracks: Sequence[Track], title: str | None = None) -> str:
    """XSPF 1 (``http://xspf.org/ns/0/``). Tracks without a URI are listed without location."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<playlist version="1" xmlns="{XSPF_NS}">',
    ]
    if title:
        out.append(f"  <title>{escape(title)}</title>")
    out.append("  <trackList>")
    for t in tracks:
        out.append("    <track>")
        if t.spotify_uri:
            out.append(f"      <location>{escape(t.spotify_uri)}</location>")
        if t.isrc:
            out.append(f"      <identifier>urn:isrc:{escape(t.isrc)}</identifier>")
        out.append(f"      <title>{escape(_titled(t))}</title>")
        out.append(f"      <creator>{escape(t.artist_display)}</creator>")
        if t.drama:
            out.append(f"      <annotation>{escape(_annotation(t))}</annotation>")
        if t.album:
            out.append(f"      <album>{escape(t.album)}</album>")
        if t.duration_ms is not None:
            out.append(f"      <duration>{t.duration_ms}</duration>")
        out.append("    </track>")
    out.append("  </trackList>")
    out.append("</playlist>")
    return "\n".join(out) + "\n"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    """XML character data: ``&``, ``<``, ``>`` escaped, and characters XML 1.0 cannot hold
    (control characters a catalog from an older ostkit may still have) left out."""
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _titled(t: Track) -> str:
    return f"{t.title} ({t.version})" if t.version else t.title


def _annotation(t: Track) -> str:
    return f"{t.drama} OST Part {t.part}" if t.part else f"{t.drama} OST"


def _one_line(text: str) -> str:
    return " ".join(text.split())
