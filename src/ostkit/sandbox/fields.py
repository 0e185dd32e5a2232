"""Spotify's ``fields=`` filter for playlist answers.

Syntax (Get Playlist reference): a comma-separated list of field names; ``a.b`` selects inside a
non-repeating object, ``a(b,c)`` selects inside every element of ``a`` (or inside an object), and
``!name`` excludes a field, e.g. ``items(added_at,item(name,album(!images)))``,
``next,total``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class FieldsError(ValueError):
    """The fields expression does not parse."""


@dataclass
class Selection:
    include: dict[str, Selection | None] = field(default_factory=dict)
    exclude: set[str] = field(default_factory=set)


def parse_fields(text: str) -> Selection:
    selection, pos = _parse_list(text, 0)
    if pos != len(text):
        raise FieldsError(f"unexpected {text[pos]!r} at {pos}")
    return selection


def _parse_list(text: str, pos: int) -> tuple[Selection, int]:
    selection = Selection()
    while True:
        pos = _parse_item(text, pos, selection)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return selection, pos


def _parse_item(text: str, pos: int, selection: Selection) -> int:
    negate = pos < len(text) and text[pos] == "!"
    if negate:
        pos += 1
    names: list[str] = []
    while True:
        start = pos
        while pos < len(text) and (text[pos].isalnum() or text[pos] == "_"):
            pos += 1
        if pos == start:
            raise FieldsError(f"field name expected at {pos}")
        names.append(text[start:pos])
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        break
    sub: Selection | None = None
    if pos < len(text) and text[pos] == "(":
        sub, pos = _parse_list(text, pos + 1)
        if pos >= len(text) or text[pos] != ")":
            raise FieldsError(f"')' expected at {pos}")
        pos += 1
    if negate:
        if len(names) > 1 or sub is not None:
            raise FieldsError("only a plain field name can be excluded")
        selection.exclude.add(names[0])
        return pos
    target = selection
    for name in names[:-1]:
        nested = target.include.get(name)
        if nested is None:
            nested = Selection()
            target.include[name] = nested
        target = nested
    last = names[-1]
    existing = target.include.get(last)
    if existing is not None and sub is not None:
        existing.include.update(sub.include)
        existing.exclude |= sub.exclude
    else:
        target.include[last] = sub
    return pos


def apply_fields(value: Any, selection: Selection | None) -> Any:
    """``value`` reduced to the selected fields (lists are filtered element by element)."""
    if selection is None:
        return value
    if isinstance(value, list):
        return [apply_fields(item, selection) for item in value]
    if not isinstance(value, dict):
        return value
    if selection.include:
        out = {
            key: apply_fields(value[key], sub)
            for key, sub in selection.include.items()
            if key in value
        }
    else:
        out = dict(value)
    for key in selection.exclude:
        out.pop(key, None)
    return out
