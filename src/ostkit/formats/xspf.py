"""XSPF 1 export (``http://xspf.org/ns/0/``). Pure (text out, track by track)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from ostkit.formats.fields import titled
from ostkit.formats.registry import ExportDoc, Exported, Writable
from ostkit.models import Track

XSPF_NS = "http://xspf.org/ns/0/"


def export(doc: ExportDoc, out: Writable) -> Exported:
    """XSPF 1 (``http://xspf.org/ns/0/``), one track element at a time. Tracks without a URI are
    listed without location."""
    out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<playlist version="1" xmlns="{XSPF_NS}">\n')
    if doc.title:
        out.write(f"  <title>{escape(doc.title)}</title>\n")
    out.write("  <trackList>\n")
    written = 0
    for t in doc.tracks:
        lines = ["    <track>"]
        if t.spotify_uri:
            lines.append(f"      <location>{escape(t.spotify_uri)}</location>")
        if t.isrc:
            lines.append(f"      <identifier>urn:isrc:{escape(t.isrc)}</identifier>")
        lines.append(f"      <title>{escape(titled(t))}</title>")
        lines.append(f"      <creator>{escape(t.artist_display)}</creator>")
        if t.drama:
            lines.append(f"      <annotation>{escape(_annotation(t))}</annotation>")
        if t.album:
            lines.append(f"      <album>{escape(t.album)}</album>")
        if t.duration_ms is not None:
            lines.append(f"      <duration>{t.duration_ms}</duration>")
        lines.append("    </track>\n")
        out.write("\n".join(lines))
        written += 1
    out.write("  </trackList>\n</playlist>\n")
    return Exported(written)


def to_xspf(tracks: Iterable[Track], title: str | None = None) -> str:
    """``export`` as one text."""
    buf = io.StringIO()
    export(ExportDoc(tracks, (), title=title), buf)
    return buf.getvalue()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    """XML character data: ``&``, ``<``, ``>`` escaped, and characters XML 1.0 cannot hold
    (control characters a catalog from an older ostkit may still have) left out."""
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _annotation(t: Track) -> str:
    return f"{t.drama} OST Part {t.part}" if t.part else f"{t.drama} OST"
