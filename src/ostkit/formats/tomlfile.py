"""TOML files: parsing with ``file:line`` errors, the line locator, and the catalog reader. Pure.

A TOML file may hold catalog data (``[drama]``, ``[[parts]]``, ``[[tracks]]``, read here) and a
``[playlist]`` table (read by ``ostkit.playlists.definition`` with the same ``parse_toml`` and
``TomlLocator``).

tomllib reports line numbers only for syntax errors, so ``TomlLocator`` scans the text for the
line of a table, of a key in it, and of each element of an array value.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any

from ostkit.errors import InputError
from ostkit.formats.batch import BatchBuilder, ImportBatch
from ostkit.formats.fields import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    FieldError,
    clean_aliases,
    optional_field,
    parse_date,
    parse_part,
    parse_year,
    text_field,
    track_from_fields,
)
from ostkit.formats.source import MAX_NESTING, long_number
from ostkit.models import CastMember, Drama, OstPart
from ostkit.text.keys import clean

TOP_LEVEL = ("drama", "parts", "tracks", "playlist")
DRAMA_KEYS = (
    "title",
    "native_title",
    "year",
    "network",
    "director",
    "writer",
    "release_date",
    "cast",
    "aliases",
)
PART_KEYS = ("number", "title", "release_date")
TRACK_KEYS = tuple(
    c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c not in ("drama_ko", "drama_aliases")
)

_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)")


def parse_toml(text: str, label: str) -> dict[str, Any]:
    """``tomllib.loads``; a syntax error is an ``InputError`` at its line (the last line when
    the document ends too early, where tomllib gives none)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _AT_LINE.search(message)
        line = int(match.group(1)) if match else None
        if line is None and "end of document" in message:
            line = max(1, len(text.splitlines()))
        reason = _AT_LINE.sub("", message).strip()
        raise InputError(f"TOML syntax error: {reason}", path=label, line=line) from None
    except RecursionError:
        raise InputError(
            f"arrays or tables nested more than {MAX_NESTING} levels deep",
            path=label,
            line=_deep_line(text),
        ) from None
    except ValueError as exc:  # Python refuses integers of more than 4300 digits
        reason, line = long_number(text, exc)
        raise InputError(f"TOML value error: {reason}", path=label, line=line) from None


def _deep_line(text: str) -> int | None:
    """Line where inline arrays and tables first nest past ``MAX_NESTING`` (strings skipped)."""
    depth = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        for piece in re.split(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'", raw.split("#")[0]):
            for ch in piece:
                depth += ch in "[{"
                depth -= ch in "]}"
                if depth > MAX_NESTING:
                    return number
    return None


class TomlLocator:
    """Finds the 1-based line of a table, of a key in it, and of an array value's elements.

    Handles what people write: ``key = value`` lines under ``[table]`` or ``[[table]]``,
    ``table.key = value`` dotted keys, arrays spanning lines (one element start recorded per
    element) and ``[[table.key]]`` arrays of tables. Returns None when it cannot tell; callers
    fall back to the table's line.
    """

    _HEADER = re.compile(r"^\s*\[\s*\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        # (line number, table name without quotes or spaces, is array-of-tables) per header.
        self.headers: list[tuple[int, str, bool]] = []
        for number, raw in enumerate(self.lines, start=1):
            match = self._HEADER.match(raw)
            if match:
                name = re.sub(r"[\"' ]", "", match.group(1))
                self.headers.append((number, name, raw.lstrip().startswith("[[")))

    def table_line(self, table: str, index: int | None = None) -> int | None:
        """Line of ``[table]``, or of the ``index``-th ``[[table]]``."""
        if index is not None:
            arrays = [n for n, name, arr in self.headers if arr and name == table]
            return arrays[index] if index < len(arrays) else None
        found = [(n, arr) for n, name, arr in self.headers if name == table]
        plain = [n for n, arr in found if not arr]
        return plain[0] if plain else (found[0][0] if found else None)

    def key_line(self, table: str, key: str, index: int | None = None) -> int | None:
        """Line where ``key`` of ``[table]`` (or of the ``index``-th ``[[table]]``) is set."""
        start = self.table_line(table, index)
        if start is not None:
            end = next((n - 1 for n, _, _ in self.headers if n > start), len(self.lines))
            pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
            for number in range(start + 1, end + 1):
                if pattern.match(self.lines[number - 1]):
                    return number
        if index is None:
            dotted = re.compile(rf"^\s*{re.escape(table)}\s*\.\s*{re.escape(key)}\s*=")
            for number, raw in enumerate(self.lines, start=1):
                if dotted.match(raw):
                    return number
        return self.table_line(f"{table}.{key}", 0)

    def line_of(self, table: str, index: int | None = None, key: str | None = None) -> int | None:
        """Line of ``key`` in the table, else the table's own line."""
        found = self.key_line(table, key, index) if key else None
        return found or self.table_line(table, index)

    def top_level_line(self, name: str) -> int | None:
        """Line of a top-level table or key called ``name``."""
        pattern = re.compile(rf"^\s*(?:\[+\s*)?{re.escape(name)}\b")
        return self.table_line(name) or next(
            (i for i, raw in enumerate(self.lines, start=1) if pattern.match(raw)), None
        )

    def element_line(self, table: str, key: str, index: int) -> int | None:
        """Line where element ``index`` of the array ``key`` of ``[table]`` starts."""
        arrays = [n for n, name, arr in self.headers if arr and name == f"{table}.{key}"]
        if arrays:
            return arrays[index] if index < len(arrays) else None
        start = self.key_line(table, key)
        if start is None:
            return None
        starts = self._element_starts(start)
        return starts[index] if index < len(starts) else None

    def _element_starts(self, key_line: int) -> list[int]:
        """Line of each top-level element of the array value that starts on ``key_line``
        (a small scanner that skips strings and comments and follows nesting)."""
        starts: list[int] = []
        depth = 0
        expecting = False
        in_string: str | None = None
        for number in range(key_line, len(self.lines) + 1):
            text = self.lines[number - 1]
            i = text.index("=") + 1 if number == key_line else 0
            while i < len(text):
                ch = text[i]
                if in_string is not None:
                    if in_string == '"' and ch == "\\":
                        i += 2
                        continue
                    if text.startswith(in_string, i):
                        i += len(in_string)
                        in_string = None
                        continue
                    i += 1
                    continue
                if ch == "#":
                    break
                if ch.isspace():
                    i += 1
                    continue
                if depth == 1 and expecting and ch not in ",]":
                    starts.append(number)
                    expecting = False
                if ch in "\"'":
                    triple = text[i : i + 3]
                    in_string = triple if triple in ('"""', "'''") else ch
                    i += len(in_string)
                    continue
                if ch in "[{":
                    depth += 1
                    if depth == 1:
                        expecting = True
                elif ch in "]}":
                    depth -= 1
                    if depth == 0:
                        return starts
                elif ch == "," and depth == 1:
                    expecting = True
                elif depth == 0:
                    return starts  # not an array
                i += 1
        return starts


# --- the catalog reader -----------------------------------------------------------------------


class _Reader:
    """One file's ``[drama]``, ``[[parts]]`` and ``[[tracks]]`` into a batch, in that order."""

    def __init__(self, text: str, label: str) -> None:
        self.label = label
        self.data = parse_toml(text, label)
        self.where = TomlLocator(text)
        self.builder = BatchBuilder(label, "toml")
        self.drama_title: str | None = None

    def fail(self, table: str, index: int | None, key: str | None, reason: str) -> InputError:
        return InputError(reason, path=self.label, line=self.where.line_of(table, index, key))

    def check_top_level(self) -> None:
        for top in self.data:
            if top not in TOP_LEVEL:
                raise InputError(
                    f"unknown top-level key {top!r} (known: {', '.join(TOP_LEVEL)})",
                    path=self.label,
                    line=self.where.top_level_line(top),
                )

    def check_keys(
        self,
        raw: Mapping[str, Any],
        table: str,
        index: int | None,
        known: tuple[str, ...],
        also: tuple[str, ...] = (),
    ) -> None:
        """Every key is one of ``known`` (listed in the error) or ``also`` (not listed)."""
        where = f"[[{table}]]" if index is not None else f"[{table}]"
        for k in raw:
            if k not in known and k not in also:
                raise self.fail(
                    table, index, k, f"unknown key {k!r} in {where} (known: {', '.join(known)})"
                )

    def entries(self, table: str) -> Iterator[tuple[int, int, Mapping[str, Any]]]:
        """(index, line, table) of each ``[[table]]``."""
        raw_list = self.data.get(table, [])
        if not isinstance(raw_list, list):
            raise self.fail(table, None, None, f"{table} must be an array of tables: [[{table}]]")
        for i, raw in enumerate(raw_list):
            line = self.where.line_of(table, i) or 1
            if not isinstance(raw, dict):
                raise InputError(
                    f"each [[{table}]] entry must be a table", path=self.label, line=line
                )
            yield i, line, raw

    def read_drama(self) -> None:
        raw = self.data.get("drama")
        if raw is None:
            return
        if not isinstance(raw, dict):
            raise self.fail("drama", None, None, "[drama] must be a table")
        self.check_keys(raw, "drama", None, DRAMA_KEYS)
        try:
            drama = _drama(raw)
        except FieldError as exc:
            raise self.fail("drama", None, exc.field, f"[drama] {exc.field}: {exc}") from None
        self.drama_title = drama.title
        self.builder.add_drama(drama, self.where.line_of("drama") or 1)

    def read_parts(self) -> None:
        for i, line, raw in self.entries("parts"):
            self.check_keys(raw, "parts", i, PART_KEYS, also=("drama",))
            try:
                part = _part(raw, self.drama_title)
            except FieldError as exc:
                raise self.fail("parts", i, exc.field, f"{exc.field}: {exc}") from None
            self.builder.add_drama(Drama(title=part.drama), line)
            self.builder.add_part(part, line)

    def read_tracks(self) -> None:
        for i, line, raw in self.entries("tracks"):
            self.check_keys(raw, "tracks", i, TRACK_KEYS)
            try:
                fields = _strings(raw)
                if "title" not in fields:
                    raise FieldError("title", "missing title")
                if "artist" not in fields:
                    raise FieldError("artist", "missing artist")
                track = track_from_fields(fields, default_drama=self.drama_title)
            except FieldError as exc:
                raise self.fail("tracks", i, exc.field, f"{exc.field}: {exc}") from None
            self.builder.add_drama(Drama(title=track.drama), line)
            self.builder.add_track(track, line)


def read(text: str, label: str, *, drama: str | None = None, strict: bool = False) -> ImportBatch:
    """``[drama]``, ``[[parts]]`` and ``[[tracks]]``; the ``[playlist]`` table is ignored here,
    and so is ``drama`` (a TOML file names its drama)."""
    reader = _Reader(text, label)
    reader.check_top_level()
    reader.read_drama()
    reader.read_parts()
    reader.read_tracks()
    # A playlist-only file (just [playlist]) has nothing for the catalog: that is not an error,
    # so `ostkit import playlists/*.toml` works.
    return reader.builder.build()


def _string(value: Any, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError(field, f"{field} must be a string or number, not {type(value).__name__}")
    return str(value)


def _strings(raw: Mapping[str, Any]) -> dict[str, str]:
    return {k: _string(v, k) for k, v in raw.items()}


def _part(raw: Mapping[str, Any], drama_title: str | None) -> OstPart:
    fields = _strings(raw)
    number = optional_field(fields, "number", parse_part)
    if number is None:
        raise FieldError("number", "a part needs a number")
    part_drama = text_field(fields, "drama") or drama_title
    if not part_drama:
        raise FieldError("drama", "no drama: add a [drama] table or a drama key")
    return OstPart(
        drama=part_drama,
        number=number,
        title=text_field(fields, "title"),
        release_date=optional_field(fields, "release_date", parse_date),
    )


def _cast(cast_raw: Any) -> tuple[CastMember, ...]:
    if not isinstance(cast_raw, list):
        raise FieldError("cast", "cast must be an array of { actor = ..., role = ... }")
    cast: list[CastMember] = []
    for member in cast_raw:
        if not isinstance(member, dict) or not isinstance(member.get("actor"), str):
            raise FieldError("cast", 'each cast entry needs actor = "..." (and optional role)')
        if set(member) - {"actor", "role"}:
            raise FieldError(
                "cast", f"unknown key in cast entry: {sorted(set(member) - {'actor', 'role'})}"
            )
        role = member.get("role")
        if role is not None and not isinstance(role, str):
            raise FieldError("cast", "role must be a string")
        cast.append(CastMember(clean(member["actor"]), clean(role) if role else None))
    return tuple(cast)


def _drama(raw: Mapping[str, Any]) -> Drama:
    cast = _cast(raw.get("cast", []))
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise FieldError("aliases", 'aliases must be an array of strings: aliases = ["..."]')
    fields = {k: _string(v, k) for k, v in raw.items() if k not in ("cast", "aliases")}
    title = text_field(fields, "title")
    if not title:
        raise FieldError("title", "missing title")
    return Drama(
        title=title,
        native_title=text_field(fields, "native_title"),
        year=optional_field(fields, "year", parse_year),
        network=text_field(fields, "network"),
        director=text_field(fields, "director"),
        writer=text_field(fields, "writer"),
        release_date=optional_field(fields, "release_date", parse_date),
        cast=cast,
        aliases=clean_aliases(aliases),
    )
