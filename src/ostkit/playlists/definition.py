"""The ``[playlist]`` table of ``playlists/*.toml``: schema, parsing and ``file:line`` validation.

A playlist file says what goes into one Spotify playlist. The same file may also carry catalog
data (``[drama]``, ``[[tracks]]`` ... read by ``ostkit.formats.readers``); this module reads only
the ``[playlist]`` table and leaves everything else to the importer.

```toml
[playlist]
name = "Soundtrack #1 — every song"     # required; the Spotify playlist name
description = "All OST tracks."         # optional; at most 300 characters, no newlines
public = false                          # optional; default false (unlisted, not private)
dramas = ["Soundtrack #1"]              # tracks of these dramas ...
artists = ["Hanhae"]                    # ... credited to one of these artists (optional filter)
parts = [1, 2]                          # ... in these OST parts (optional filter)
tracks = [12, { drama = "Soundtrack #1", title = "Love You", artist = "Hanhae" }]  # added
exclude = [{ title = "Love You" }]      # taken out of the drama/artist selection
instrumentals = "include"               # include | exclude | only
order = "as_listed"                     # as_listed | drama_part | release_date | title | artist
allow_duplicates = false                # keep the same Spotify recording twice?
```

tomllib reports line numbers only for syntax errors, so a small locator scans the text for the
line of each key (and of each element of an array) to point errors at ``file:line``.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from ostkit.errors import InputError

Instrumentals = Literal["include", "exclude", "only"]
Order = Literal["as_listed", "drama_part", "release_date", "title", "artist"]

INSTRUMENTALS: tuple[Instrumentals, ...] = ("include", "exclude", "only")
ORDERS: tuple[Order, ...] = ("as_listed", "drama_part", "release_date", "title", "artist")
DESCRIPTION_MAX = 300  # Spotify answers 400/500 beyond this (see shared/spotify-api.md §4)
NAME_MAX = 100

KEYS = (
    "name",
    "description",
    "public",
    "dramas",
    "artists",
    "parts",
    "tracks",
    "exclude",
    "instrumentals",
    "order",
    "allow_duplicates",
)
REF_KEYS = ("id", "drama", "title", "artist", "part", "version")


@dataclass(frozen=True)
class TrackRef:
    """A catalog track named in a playlist file: by id, or by drama/title/artist."""

    id: int | None = None
    drama: str | None = None
    title: str | None = None
    artist: str | None = None
    part: int | None = None
    version: str | None = None
    line: int | None = None  # where it is written, for errors found while resolving

    def describe(self) -> str:
        if self.id is not None:
            return f"track {self.id}"
        bits = [repr(self.title)]
        if self.artist:
            bits.append(f"by {self.artist!r}")
        if self.drama:
            bits.append(f"in {self.drama!r}")
        if self.part is not None:
            bits.append(f"part {self.part}")
        if self.version:
            bits.append(f"version {self.version!r}")
        return " ".join(bits)


@dataclass(frozen=True)
class PlaylistDefinition:
    """What goes into one Spotify playlist (the parsed ``[playlist]`` table)."""

    name: str
    description: str = ""
    public: bool = False
    dramas: tuple[str, ...] = ()
    artists: tuple[str, ...] = ()
    parts: tuple[int, ...] = ()
    tracks: tuple[TrackRef, ...] = ()
    exclude: tuple[TrackRef, ...] = ()
    instrumentals: Instrumentals = "include"
    order: Order = "as_listed"
    allow_duplicates: bool = False
    path: str | None = None  # the file it came from (None for ad-hoc playlists)
    # Line of each key and array element ("dramas", "dramas[1]", ...) for resolve-time errors.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key) or self.lines.get(key.split("[", 1)[0]) or self.lines.get("")

    def error(self, reason: str, key: str = "") -> InputError:
        """An ``InputError`` pointing at ``key``'s line in the file (or at the playlist name)."""
        if self.path is None:
            return InputError(f"playlist {self.name!r}: {reason}")
        return InputError(reason, path=self.path, line=self.line_of(key))


def adhoc_definition(
    dramas: Sequence[str], name: str, *, public: bool = False, description: str = ""
) -> PlaylistDefinition:
    """The playlist of ``ostkit playlist push --drama D --name NAME``: the dramas' tracks."""
    data: dict[str, Any] = {
        "name": name,
        "description": description,
        "public": public,
        "dramas": list(dramas),
    }
    return parse_playlist_table(data, path=None)


def load_playlist_file(path: str | Path) -> PlaylistDefinition:
    """Read and validate the ``[playlist]`` table of a TOML file."""
    text = _read_text(path)
    return parse_playlist_text(text, path=str(path))


def has_playlist_table(path: str | Path) -> bool:
    """Whether a TOML file has a ``[playlist]`` table (syntax errors raise ``InputError``)."""
    data = _parse_toml(_read_text(path), str(path))
    return "playlist" in data


def parse_playlist_text(text: str, *, path: str = "<text>") -> PlaylistDefinition:
    data = _parse_toml(text, path)
    locator = _Locator(text)
    if "playlist" not in data:
        raise InputError(
            "no [playlist] table: add one with at least name and dramas or tracks "
            "(see README, section Playlists)",
            path=path,
            line=None,
        )
    table = data["playlist"]
    if not isinstance(table, dict):
        raise InputError(
            "playlist must be a table ([playlist])", path=path, line=locator.table_line()
        )
    return parse_playlist_table(table, path=path, locator=locator)


def parse_playlist_table(
    table: Mapping[str, Any], *, path: str | None, locator: _Locator | None = None
) -> PlaylistDefinition:
    """Validate a ``[playlist]`` table already read from TOML (or built in code)."""
    loc = locator or _Locator("")
    lines: dict[str, int] = {}
    header = loc.table_line()
    if header is not None:
        lines[""] = header

    def line(key: str, index: int | None = None) -> int | None:
        found = loc.element_line(key, index) if index is not None else loc.key_line(key)
        return found or (loc.key_line(key) if index is not None else None) or header

    def fail(reason: str, key: str = "", index: int | None = None) -> InputError:
        if path is None:
            return InputError(f"playlist: {reason}")
        return InputError(reason, path=path, line=line(key, index) if key else header)

    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(KEYS)})"
            raise fail(f"unknown key {key!r} in [playlist]{hint}", key)
        found = loc.key_line(key)
        if found is not None:
            lines[key] = found

    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail('name is required: a non-empty string, e.g. name = "My OST"', "name")
    if "\n" in name or "\r" in name or len(name) > NAME_MAX:
        raise fail(f"name must be one line of at most {NAME_MAX} characters", "name")

    description = table.get("description", "")
    if not isinstance(description, str):
        raise fail("description must be a string", "description")
    if "\n" in description or "\r" in description:
        raise fail("description must be one line (Spotify rejects newlines)", "description")
    if len(description) > DESCRIPTION_MAX:
        raise fail(
            f"description is {len(description)} characters; Spotify allows at most "
            f"{DESCRIPTION_MAX}",
            "description",
        )

    public = table.get("public", False)
    if not isinstance(public, bool):
        raise fail("public must be true or false", "public")
    allow_duplicates = table.get("allow_duplicates", False)
    if not isinstance(allow_duplicates, bool):
        raise fail("allow_duplicates must be true or false", "allow_duplicates")

    def strings(key: str, what: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list):
            raise fail(f'{key} must be a list of {what}, e.g. {key} = ["..."]', key)
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise fail(f"{key}[{i}] must be a non-empty string ({what})", key, i)
            element = loc.element_line(key, i)
            if element is not None:
                lines[f"{key}[{i}]"] = element
        return tuple(item.strip() for item in value)

    dramas = strings("dramas", "drama names")
    artists = strings("artists", "artist names")

    parts_value = table.get("parts", [])
    if not isinstance(parts_value, list):
        raise fail("parts must be a list of OST part numbers, e.g. parts = [1, 2]", "parts")
    for i, part in enumerate(parts_value):
        if isinstance(part, bool) or not isinstance(part, int) or part < 0:
            raise fail(f"parts[{i}] must be an OST part number (0 or more)", "parts", i)
    parts = tuple(cast(list[int], parts_value))

    def refs(key: str) -> tuple[TrackRef, ...]:
        value = table.get(key, [])
        if not isinstance(value, list):
            raise fail(
                f'{key} must be a list of track ids or tables like {{ title = "...", '
                f'drama = "..." }}',
                key,
            )
        out: list[TrackRef] = []
        for i, item in enumerate(value):
            where = line(key, i)
            if where is not None:
                lines[f"{key}[{i}]"] = where
            out.append(_ref(item, key, i, fail, where))
        return tuple(out)

    tracks = refs("tracks")
    exclude = refs("exclude")

    instrumentals = table.get("instrumentals", "include")
    if instrumentals not in INSTRUMENTALS:
        raise fail(
            f"instrumentals must be one of {', '.join(INSTRUMENTALS)}, not {instrumentals!r}",
            "instrumentals",
        )
    order = table.get("order", "as_listed")
    if order not in ORDERS:
        raise fail(f"order must be one of {', '.join(ORDERS)}, not {order!r}", "order")

    if not dramas and not artists and not tracks:
        raise fail("the playlist selects nothing: give dramas, artists or tracks")
    if parts and not dramas and not artists:
        raise fail("parts only filters dramas or artists: add dramas = [...]", "parts")

    return PlaylistDefinition(
        name=name.strip(),
        description=description,
        public=public,
        dramas=dramas,
        artists=artists,
        parts=parts,
        tracks=tracks,
        exclude=exclude,
        instrumentals=cast(Instrumentals, instrumentals),
        order=cast(Order, order),
        allow_duplicates=allow_duplicates,
        path=path,
        lines=lines,
    )


def _ref(item: Any, key: str, index: int, fail: Any, line: int | None) -> TrackRef:
    label = f"{key}[{index}]"
    if isinstance(item, bool):
        raise fail(f"{label} must be a track id or a table", key, index)
    if isinstance(item, int):
        if item <= 0:
            raise fail(f"{label}: track ids are positive integers", key, index)
        return TrackRef(id=item, line=line)
    if not isinstance(item, dict):
        raise fail(
            f"{label} must be a track id (as `ostkit tracks` shows) or a table like "
            f'{{ drama = "...", title = "...", artist = "..." }}',
            key,
            index,
        )
    for k in item:
        if k not in REF_KEYS:
            close = difflib.get_close_matches(k, REF_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(REF_KEYS)})"
            raise fail(f"{label}: unknown key {k!r}{hint}", key, index)
    track_id = item.get("id")
    if track_id is not None and (isinstance(track_id, bool) or not isinstance(track_id, int)):
        raise fail(f"{label}: id must be an integer", key, index)
    texts: dict[str, str | None] = {}
    for k in ("drama", "title", "artist", "version"):
        value = item.get(k)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise fail(f"{label}: {k} must be a non-empty string", key, index)
        texts[k] = value.strip() if isinstance(value, str) else None
    part = item.get("part")
    if part is not None and (isinstance(part, bool) or not isinstance(part, int)):
        raise fail(f"{label}: part must be an integer", key, index)
    if track_id is None and texts["title"] is None:
        raise fail(f'{label}: give id = N or title = "..." (with drama and artist)', key, index)
    return TrackRef(
        id=track_id,
        drama=texts["drama"],
        title=texts["title"],
        artist=texts["artist"],
        part=part,
        version=texts["version"],
        line=line,
    )


def _read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from None


_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def _parse_toml(text: str, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _AT_LINE.search(message)
        line = int(match.group(1)) if match else None
        if line is None and "end of document" in message:
            line = max(1, len(text.splitlines()))
        reason = _AT_LINE.sub("", message).strip()
        raise InputError(f"invalid TOML: {reason}", path=path, line=line) from None


class _Locator:
    """Finds the 1-based line of a key (and of an array's elements) in the ``[playlist]`` table.

    Handles what people write: ``key = value`` lines under ``[playlist]``, arrays spanning lines
    (one element start recorded per element), and ``[[playlist.tracks]]`` array-of-tables. When
    it cannot tell, callers fall back to the table header's line.
    """

    _HEADER = re.compile(r"^\s*\[\s*\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def _headers(self) -> list[tuple[int, str, bool]]:
        found = []
        for number, raw in enumerate(self.lines, start=1):
            match = self._HEADER.match(raw)
            if match:
                name = match.group(1).replace('"', "").replace(" ", "")
                found.append((number, name, raw.lstrip().startswith("[[")))
        return found

    def table_line(self) -> int | None:
        for number, name, is_array in self._headers():
            if name == "playlist" and not is_array:
                return number
        return None

    def _section(self) -> tuple[int, int] | None:
        start = self.table_line()
        if start is None:
            return None
        end = len(self.lines)
        for number, _name, _arr in self._headers():
            if number > start:
                end = number - 1
                break
        return start, end

    def key_line(self, key: str) -> int | None:
        section = self._section()
        pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
        if section is not None:
            start, end = section
            for number in range(start + 1, end + 1):
                if pattern.match(self.lines[number - 1]):
                    return number
        dotted = re.compile(rf"^\s*playlist\s*\.\s*{re.escape(key)}\s*=")
        for number, raw in enumerate(self.lines, start=1):
            if dotted.match(raw):
                return number
        arrays = [n for n, name, arr in self._headers() if arr and name == f"playlist.{key}"]
        return arrays[0] if arrays else None

    def element_line(self, key: str, index: int | None) -> int | None:
        if index is None:
            return self.key_line(key)
        arrays = [n for n, name, arr in self._headers() if arr and name == f"playlist.{key}"]
        if arrays:
            return arrays[index] if index < len(arrays) else None
        start = self.key_line(key)
        if start is None:
            return None
        starts = self._element_starts(start)
        return starts[index] if index < len(starts) else None

    def _element_starts(self, key_line: int) -> list[int]:
        """Line of each top-level element of the array value that starts on ``key_line``."""
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
