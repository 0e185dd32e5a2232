"""Normalisation and keys: the one place that says when two texts are "the same". Pure.

Two keys, for two jobs:

``key(text)`` is the identity key of a drama title, track title or artist name: Unicode NFKC,
casefolded, with every character that is not a letter or digit removed (spaces, hyphens, quotes
of any kind, dots, ``&``, brackets ...). So "DAVICHI" = "Davichi", "Park Bo-ram" = "Park Boram"
= "park boram", "Love Beyond Words" = "love beyond words!". Scripts are kept as written:
"박보람" never equals "Park Boram" by spelling; they become one artist only when a row links them
(``artist=Park Bo-ram, artist_ko=박보람``). A text made only of punctuation keys to itself,
casefolded, so "?" stays distinct from "!". The catalog stores these keys: changing this rule
needs a migration that re-keys the stored rows.

``fuzzy_key(text)`` is the matcher's looser key: ``norm`` without spaces, where "&" reads as
"and" ("Love & War" = "Love and War", which Spotify and fans spell both ways) and a text of
punctuation only keys to "". It is never stored.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_PUNCT_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u300c": '"',
    "\u300d": '"',
    "\u300e": '"',
    "\u300f": '"',
    "\u3008": '"',
    "\u3009": '"',
    "\u300a": '"',
    "\u300b": '"',
}


def clean(text: str) -> str:
    """NFKC, control characters dropped, whitespace collapsed; the form we store for display.

    Control characters (U+0000-U+001F, U+007F-U+009F) are never part of a name, and most of
    them cannot be written in XML (XSPF export) at all.
    """
    if text.isascii():
        # Fast path (bulk imports): printable ASCII without stray spaces is already clean.
        if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
            return text
    else:
        text = unicodedata.normalize("NFKC", text)
    text = " ".join(text.split())
    if not text.isprintable():
        text = balance_bidi("".join(ch for ch in text if unicodedata.category(ch) != "Cc"))
    return text


_EMBEDDINGS = "\u202a\u202b\u202d\u202e"  # LRE, RLE, LRO, RLO; closed by PDF
_ISOLATES = "\u2066\u2067\u2068"  # LRI, RLI, FSI; closed by PDI
_PDF, _PDI = "\u202c", "\u2069"
_BIDI_CONTROLS = frozenset(_EMBEDDINGS + _ISOLATES + _PDF + _PDI)


def balance_bidi(text: str) -> str:
    """``text`` without its unbalanced bidi embedding, override and isolate controls.

    An override left open (a lone RLO) reverses whatever a terminal or table prints after the
    name; a matched pair stays inside the name, as Unicode's bidi algorithm scopes it. A PDI
    closes its isolate and any embedding left open inside it.
    """
    if _BIDI_CONTROLS.isdisjoint(text):
        return text
    keep = [True] * len(text)
    open_: list[tuple[int, bool]] = []  # (index, is isolate)
    for i, ch in enumerate(text):
        if ch in _EMBEDDINGS or ch in _ISOLATES:
            open_.append((i, ch in _ISOLATES))
        elif ch == _PDF:
            if open_ and not open_[-1][1]:
                open_.pop()
            else:
                keep[i] = False
        elif ch == _PDI:
            if any(isolate for _, isolate in open_):
                while not open_[-1][1]:
                    keep[open_.pop()[0]] = False
                open_.pop()
            else:
                keep[i] = False
    for i, _ in open_:
        keep[i] = False
    return "".join(ch for ch, k in zip(text, keep, strict=True) if k)


def clean_text(text: str) -> str:
    """NFKC, unify quotes and dashes, collapse whitespace. Keeps case and script."""
    text = unicodedata.normalize("NFKC", text)
    for src, dst in _QUOTES.items():
        text = text.replace(src, dst)
    for dash in _DASHES:
        text = text.replace(dash, "-")
    return " ".join(text.split())


# Bulk imports see the same drama and artist names over and over, and every title twice (the
# file's duplicate check, then the catalog's identity): room for a 100,000-row file.
@lru_cache(maxsize=1 << 18)
def key(text: str) -> str:
    """Identity key: NFKC, casefold, letters and digits only (see module docstring)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    stripped = _NON_WORD.sub("", folded)
    if stripped:
        return stripped
    return " ".join(folded.split())


def track_key(title: str, version: str | None = None) -> str:
    """Identity key of a title plus its version tag: "My Love" and "My Love (Inst.)" differ."""
    base = key(title)
    return f"{base}|{key(version)}" if version and key(version) else base


@lru_cache(maxsize=131072)
def norm(text: str) -> str:
    """NFKC, casefold, quotes/punctuation dropped, "&" read as "and", whitespace collapsed."""
    text = clean_text(text).casefold().replace("&", " and ")
    text = _PUNCT_RE.sub(" ", text.replace("'", ""))
    return " ".join(text.split())


@lru_cache(maxsize=131072)
def fuzzy_key(text: str) -> str:
    """The matcher's name key: ``norm`` without spaces ("Love & War" = "love and war")."""
    return norm(text).replace(" ", "")
