"""XSPF 1 export (``http://xspf.org/ns/0/``). Pure (text out)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ostkit.formats.fields import titled
from ostkit.formats.registry import ExportDoc, Exported
from ostkit.models import Track

XSPF_NS = "http://xspf.org/ns/0/"


def export(doc: ExportDoc) -> Exported:
    return Exported(to_xspf(doc.tracks, title=doc.title))


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
        out.append(f"      <title>{escape(titled(t))}</title>")
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


def _annotation(t: Track) -> str:
    return f"{t.drama} OST Part {t.part}" if t.part else f"{t.drama} OST"
