"""Extended M3U (UTF-8, ``.m3u8``) export. Pure (text out)."""

from __future__ import annotations

from collections.abc import Sequence

from ostkit.formats.fields import titled
from ostkit.formats.registry import ExportDoc, Exported
from ostkit.models import Track


def export(doc: ExportDoc) -> Exported:
    text, skipped = to_m3u(doc.tracks, title=doc.title)
    return Exported(text, skipped)


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
        name = _one_line(f"{t.artist_display} - {titled(t)}")
        lines.append(f"#EXTINF:{seconds},{name}")
        lines.append(t.spotify_uri)
    return "\n".join(lines) + "\n", skipped


def _one_line(text: str) -> str:
    return " ".join(text.split())
