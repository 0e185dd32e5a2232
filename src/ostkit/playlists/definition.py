"""The ``[playlist]`` table of ``playlists/*.toml``: schema, parsing and ``file:line`` validation.

A playlist file says what goes into one Spotify playlist. The same file may also carry catalog
data (``[drama]``, ``[[tracks]]`` ... read by ``ostkit.formats.tomlfile``); this module reads only
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

TOML is parsed and lines are located by ``ostkit.formats.tomlfile`` (the same parser and locator
as the catalog importer), so errors point at ``file:line``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from ostkit.errors import InputError
from ostkit.formats.fields import read_text
from ostkit.formats.tomlfile import TomlLocator, parse_toml

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
TABLE = "playlist"


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
    return parse_playlist_text(read_text(path), path=str(path))


def has_playlist_table(path: str | Path) -> bool:
    """Whether a TOML file has a ``[playlist]`` table (syntax errors raise ``InputError``)."""
    data = parse_toml(read_text(path), str(path))
    return "playlist" in data


def parse_playlist_text(text: str, *, path: str = "<text>") -> PlaylistDefinition:
    data = parse_toml(text, path)
    locator = TomlLocator(text)
    if "playlist" not in data:
        raise InputError(
            "no [playlist] table: add one with at least name and dramas or tracks "
            "(see docs/playlists.md)",
            path=path,
            line=None,
        )
    table = data["playlist"]
    if not isinstance(table, dict):
        raise InputError(
            "playlist must be a table ([playlist])", path=path, line=locator.table_line(TABLE)
        )
    return parse_playlist_table(table, path=path, locator=locator)


def parse_playlist_table(
    table: Mapping[str, Any], *, path: str | None, locator: TomlLocator | None = None
) -> PlaylistDefinition:
    """Validate a ``[playlist]`` table already read from TOML (or built in code)."""
    r = _TableReader(table, path, locator or TomlLocator(""))
    r.check_keys()
    name = r.name()
    description = r.description()
    public = r.flag("public")
    allow_duplicates = r.flag("allow_duplicates")
    dramas = r.strings("dramas", "drama names")
    artists = r.strings("artists", "artist names")
    parts = r.parts()
    tracks = r.refs("tracks")
    exclude = r.refs("exclude")
    instrumentals = r.choice("instrumentals", INSTRUMENTALS, "include")
    order = r.choice("order", ORDERS, "as_listed")
    if not dramas and not artists and not tracks:
        raise r.fail("the playlist selects nothing: give dramas, artists or tracks")
    if parts and not dramas and not artists:
        raise r.fail("parts only filters dramas or artists: add dramas = [...]", "parts")
    return PlaylistDefinition(
        name=name,
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
        lines=r.lines,
    )


class _TableReader:
    """Checks one ``[playlist]`` table key by key; records the line of each key and element."""

    def __init__(self, table: Mapping[str, Any], path: str | None, loc: TomlLocator) -> None:
        self.table = table
        self.path = path
        self.loc = loc
        self.lines: dict[str, int] = {}
        self.header = loc.table_line(TABLE)
        if self.header is not None:
            self.lines[""] = self.header

    def line(self, key: str, index: int | None = None) -> int | None:
        found = (
            self.loc.element_line(TABLE, key, index)
            if index is not None
            else self.loc.key_line(TABLE, key)
        )
        return (
            found or (self.loc.key_line(TABLE, key) if index is not None else None) or self.header
        )

    def fail(self, reason: str, key: str = "", index: int | None = None) -> InputError:
        if self.path is None:
            return InputError(f"playlist: {reason}")
        return InputError(
            reason, path=self.path, line=self.line(key, index) if key else self.header
        )

    def check_keys(self) -> None:
        for key in self.table:
            if key not in KEYS:
                close = difflib.get_close_matches(key, KEYS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(KEYS)})"
                raise self.fail(f"unknown key {key!r} in [playlist]{hint}", key)
            found = self.loc.key_line(TABLE, key)
            if found is not None:
                self.lines[key] = found

    def name(self) -> str:
        name = self.table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.fail('name is required: a non-empty string, e.g. name = "My OST"', "name")
        if "\n" in name or "\r" in name or len(name) > NAME_MAX:
            raise self.fail(f"name must be one line of at most {NAME_MAX} characters", "name")
        return name.strip()

    def description(self) -> str:
        description = self.table.get("description", "")
        if not isinstance(description, str):
            raise self.fail("description must be a string", "description")
        if "\n" in description or "\r" in description:
            raise self.fail(
                "description must be one line (Spotify rejects newlines)", "description"
            )
        if len(description) > DESCRIPTION_MAX:
            raise self.fail(
                f"description is {len(description)} characters; Spotify allows at most "
                f"{DESCRIPTION_MAX}",
                "description",
            )
        return description

    def flag(self, key: str) -> bool:
        value = self.table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{key} must be true or false", key)
        return value

    def strings(self, key: str, what: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f'{key} must be a list of {what}, e.g. {key} = ["..."]', key)
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{key}[{i}] must be a non-empty string ({what})", key, i)
            element = self.loc.element_line(TABLE, key, i)
            if element is not None:
                self.lines[f"{key}[{i}]"] = element
        return tuple(item.strip() for item in value)

    def parts(self) -> tuple[int, ...]:
        value = self.table.get("parts", [])
        if not isinstance(value, list):
            raise self.fail(
                "parts must be a list of OST part numbers, e.g. parts = [1, 2]", "parts"
            )
        for i, part in enumerate(value):
            if isinstance(part, bool) or not isinstance(part, int) or part < 0:
                raise self.fail(f"parts[{i}] must be an OST part number (0 or more)", "parts", i)
        return tuple(cast(list[int], value))

    def refs(self, key: str) -> tuple[TrackRef, ...]:
        value = self.table.get(key, [])
        if not isinstance(value, list):
            raise self.fail(
                f'{key} must be a list of track ids or tables like {{ title = "...", '
                f'drama = "..." }}',
                key,
            )
        out: list[TrackRef] = []
        for i, item in enumerate(value):
            where = self.line(key, i)
            if where is not None:
                self.lines[f"{key}[{i}]"] = where
            out.append(_ref(item, key, i, self.fail, where))
        return tuple(out)

    def choice(self, key: str, allowed: Sequence[str], default: str) -> str:
        value = self.table.get(key, default)
        if value not in allowed:
            raise self.fail(f"{key} must be one of {', '.join(allowed)}, not {value!r}", key)
        return cast(str, value)


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
