"""Scripts: which writing system a text is in, and a two-script title split in two. Pure."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=131072)
def script_of(text: str) -> str:
    """'latin', 'hangul', 'kana', 'han', 'other' or 'none' (dominant script of the letters)."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("HANGUL"):
            kind = "hangul"
        elif name.startswith(("HIRAGANA", "KATAKANA")):
            kind = "kana"
        elif name.startswith("CJK"):
            kind = "han"
        elif "LATIN" in name:
            kind = "latin"
        else:
            kind = "other"
        counts[kind] = counts.get(kind, 0) + 1
    if not counts:
        return "none"
    return max(sorted(counts), key=lambda k: counts[k])


_CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7a3"  # Hangul, kana, han
_CJK_RE = re.compile(f"[{_CJK}]")
_LATIN_RUN_RE = re.compile(f"[A-Za-z\u00c0-\u024f][^{_CJK}]*")


def script_runs(text: str) -> list[str]:
    """A title written in two scripts, split: "어른 Grown Ups" -> ["어른", "Grown Ups"].

    Spotify often shows a Korean OST title followed by its English one (and the reverse). A
    text in one script gives ``[]``.
    """
    if not _CJK_RE.search(text) or not re.search(r"[A-Za-z]", text):
        return []
    latin = [m.group(0).strip(" -/|,") for m in _LATIN_RUN_RE.finditer(text)]
    other = _LATIN_RUN_RE.sub(" / ", text)
    cjk = [p.strip(" -/|,") for p in other.split(" / ")]
    return [r for r in (*cjk, *latin) if r and re.search(r"\w", r)]
