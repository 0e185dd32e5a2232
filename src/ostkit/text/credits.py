"""Credits: artist fields as fans write them, parsed into ordered ``Credit``s and back. Pure.

``parse_credits(text)`` turns an artist field into ordered ``Credit``s:

* With a ``;`` anywhere, the field is split on ``;`` and NOTHING else is guessed: every piece is
  one artist, verbatim (``A;B`` is exactly two main artists; ``Earth, Wind & Fire;`` is one
  artist whose name contains ``,`` and ``&``). A piece starting with ``feat.``/``ft.``/
  ``featuring`` is a featured artist (``Epik High; feat. Lee Hi``). Empty pieces are ignored.
* Otherwise the field is read as fans write it: a featuring marker (``feat.``, ``ft.``,
  ``featuring``, also inside brackets: ``A (Feat. B)``) starts the featured artists; ``with``
  joins a featured artist (``A with B``); main and featured lists are split by ``split_names``.

``split_names`` is the one rule for a list of names, here and in track titles
(``Song (feat. A & B)``): split on ``,`` and ``、`` (the CJK comma), and on `` & ``, `` x `` /
`` X ``, `` × `` and `` / `` with spaces around them ("AC/DC" is one name). The word ``and`` is
NOT a separator ("Florence and the Machine", "Hall and Oates" are one band). So
``Chanyeol & Punch`` is two artists; a name that itself contains ``&``, ``,`` or `` x `` must be
written with ``;`` (``Earth, Wind & Fire;``). ``ostkit export`` does this for you.

``format_credits(credits)`` writes credits back so that ``parse_credits`` returns exactly the same
list: the fan form (``A & B feat. C``) when that round-trips, else the ``;`` form.
``split_native``/``format_native`` do the same for the native-name field (``artist_ko``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ostkit.models import Credit
from ostkit.text.keys import clean

_FEAT_WORD = r"(?:feat\.?|ft\.?|featuring)"
# "(feat. B)" / "[Feat. B]" anywhere, or a bare " feat. B" tail.
_FEAT_BRACKET = re.compile(r"\s*[\(\[]\s*" + _FEAT_WORD + r"\s+([^\)\]]+)[\)\]]", re.IGNORECASE)
_FEAT_TAIL = re.compile(r"\s+" + _FEAT_WORD + r"\s+", re.IGNORECASE)
_WITH_TAIL = re.compile(r"\s+with\s+", re.IGNORECASE)
_FEAT_PREFIX = re.compile(r"^" + _FEAT_WORD + r"\s+", re.IGNORECASE)
# "," and the CJK "、" with or without spaces; "&", "x", "×" and "/" only between spaces, so
# "AC/DC", "Ax" and "Q&A" stay one name. "and" is never a separator: "Hall and Oates".
_SPLIT = re.compile(r"\s*[,、]\s*|\s+(?:&|x|×|/)\s+", re.IGNORECASE)


def split_names(text: str) -> list[str]:
    """Split a list of names as fans and Spotify titles write it (see module docstring)."""
    return [clean(p) for p in _SPLIT.split(text) if clean(p)]


# Anything that could make a field more than one plain name.
_MAYBE_SEVERAL = re.compile(r"[;,、&×(\[]|\s(?:x|/|feat\.?|ft\.?|featuring|with)\s", re.IGNORECASE)


def parse_credits(text: str) -> tuple[Credit, ...]:
    """Parse an artist field into ordered credits (main artists first); see module docstring."""
    text = clean(text)
    if not text:
        return ()
    if not _MAYBE_SEVERAL.search(text):
        return (Credit(text, "main"),)
    if ";" in text:
        credits: list[Credit] = []
        for piece in text.split(";"):
            piece = clean(piece)
            if not piece:
                continue
            m = _FEAT_PREFIX.match(piece)
            if m and piece[m.end() :].strip():
                credits.append(Credit(clean(piece[m.end() :]), "featured"))
            else:
                credits.append(Credit(piece, "main"))
        mains = [c for c in credits if c.role == "main"]
        featured = [c for c in credits if c.role == "featured"]
        return (*mains, *featured)
    featured_parts: list[str] = []

    def _take(match: re.Match[str]) -> str:
        featured_parts.append(match.group(1))
        return ""

    text = _FEAT_BRACKET.sub(_take, text)
    main_text = text
    m = _FEAT_TAIL.search(text) or _WITH_TAIL.search(text)
    if m:
        main_text = text[: m.start()]
        featured_parts.insert(0, text[m.end() :])
    main_names = split_names(main_text)
    feat_names = [name for part in featured_parts for name in split_names(part)]
    if not main_names and feat_names:
        main_names, feat_names = feat_names[:1], feat_names[1:]
    return (
        *(Credit(n, "main") for n in main_names),
        *(Credit(n, "featured") for n in feat_names),
    )


def _same(a: Sequence[Credit], b: Sequence[Credit]) -> bool:
    return [(c.name, c.role) for c in a] == [(c.name, c.role) for c in b]


def format_credits(credits: Sequence[Credit]) -> str:
    """Write credits so that ``parse_credits`` gives them back exactly."""
    if not credits:
        return ""
    ordered = [c for c in credits if c.role == "main"] + [
        c for c in credits if c.role == "featured"
    ]
    mains = [c.name for c in ordered if c.role == "main"]
    feats = [c.name for c in ordered if c.role == "featured"]
    fan = " & ".join(mains)
    if feats:
        fan += " feat. " + " & ".join(feats)
    if mains and _same(parse_credits(fan), ordered):
        return fan
    pieces = [c.name if c.role == "main" else f"feat. {c.name}" for c in ordered]
    text = "; ".join(pieces)
    if len(pieces) == 1:
        text += ";"
    return text


def split_native(text: str, count: int) -> list[str | None]:
    """Split a native-name field (``artist_ko``) to line up with ``count`` credits.

    The same separators as ``parse_credits`` apply; with ``;`` pieces are positional and may be
    empty (``규현;`` = a native name for the first credit only). Raises ``ValueError`` when the
    number of names does not match.
    """
    text = clean(text)
    if not text:
        return [None] * count
    if ";" in text:
        pieces: list[str] = [clean(p) for p in text.split(";")]
        while len(pieces) > count and not pieces[-1]:
            pieces.pop()
    else:
        pieces = [c.name for c in parse_credits(text)]
    if len(pieces) != count:
        raise ValueError(
            f"{len(pieces)} native name(s) for {count} artist(s); separate them with ';' "
            "in the same order as the artists"
        )
    return [p or None for p in pieces]


def format_native(natives: Sequence[str | None]) -> str:
    """Inverse of ``split_native`` for ``len(natives)`` credits."""
    if not any(natives):
        return ""
    values = [n or "" for n in natives]
    plain = " & ".join(values)
    if all(values):
        try:
            if split_native(plain, len(values)) == list(values):
                return plain
        except ValueError:
            pass
    text = ";".join(values)
    if ";" not in text:
        text += ";"
    return text


# What fans write when they do not know the singer: no name at all.
_PLACEHOLDERS = frozenset({"", "unknown", "unknownartist", "na", "tba", "tbd", "none", "various"})


def is_placeholder_name(name: str) -> bool:
    """``?``, ``Unknown``, ``N/A``, ``TBA``, ``-``: a credit that names nobody."""
    return re.sub(r"[\W_]+", "", name.casefold()) in _PLACEHOLDERS
