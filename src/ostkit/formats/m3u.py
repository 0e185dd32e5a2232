"""Extended M3U (UTF-8, ``.m3u8``) export. Pure (text out, line by line)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from ostkit.formats.fields import titled
from ostkit.formats.registry import ExportDoc, Exported, Writable
from ostkit.models import Track


def export(doc: ExportDoc, out: Writable) -> Exported:
    """Extended M3U (UTF-8, ``.m3u8``): ``#EXTINF:<seconds>,<artist> - <title>`` then the URI.

    Only tracks with a Spotify URI have a location to write; the others are counted as skipped.
    """
    out.write("#EXTM3U\n")
    if doc.title:
        out.write(f"#PLAYLIST:{_one_line(doc.title)}\n")
    written = skipped = 0
    for t in doc.tracks:
        if not t.spotify_uri:
            skipped += 1
            continue
        seconds = round(t.duration_ms / 1000) if t.duration_ms is not None else -1
        name = _one_line(f"{t.artist_display} - {titled(t)}")
        out.write(f"#EXTINF:{seconds},{name}\n{t.spotify_uri}\n")
        written += 1
    return Exported(written, skipped)


def to_m3u(tracks: Iterable[Track], title: str | None = None) -> tuple[str, int]:
    """``export`` as one text: (text, tracks skipped)."""
    buf = io.StringIO()
    result = export(ExportDoc(tracks, (), title=title), buf)
    return buf.getvalue(), result.skipped


def _one_line(text: str) -> str:
    return " ".join(text.split())
