"""Readers for catalog files: ostkit CSV, Exportify CSV, TOML playlist files, ostkit JSON. Pure.

Each reader turns one file into an ``ImportBatch`` of models (dramas, OST parts, tracks) or raises
``InputError`` naming ``file:line`` and the reason. Nothing is written here; the service writes a
batch inside one transaction, so a file is imported all-or-nothing.

Files are UTF-8, with or without a BOM. The kind is chosen by extension (``.toml``, ``.json``);
anything else is CSV, and a CSV whose header is Exportify's is read as Exportify.

ostkit CSV columns (header required, any order, case-insensitive):
  required ``drama, title, artist``;
  optional ``part, title_ko, artist_ko, album, release_date, duration, isrc, spotify_uri, year,
  network, version, drama_ko``.
Unknown columns are an error (a typo must not silently drop data). See README "Catalog".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ostkit.errors import InputError
from ostkit.models import CastMember, Credit, Drama, OstPart, Status, Track
from ostkit.text.credits import parse_credits, split_native
from ostkit.text.keys import clean, key, track_key
from ostkit.text.spotify_ids import track_uri

REQUIRED_COLUMNS = ("drama", "title", "artist")
OPTIONAL_COLUMNS = (
    "part",
    "title_ko",
    "artist_ko",
    "album",
    "release_date",
    "duration",
    "isrc",
    "spotify_uri",
    "year",
    "network",
    "version",
    "drama_ko",
)
# The column order ostkit writes (export.py) and documents.
CSV_COLUMNS = (
    "drama",
    "drama_ko",
    "year",
    "network",
    "part",
    "title",
    "title_ko",
    "artist",
    "artist_ko",
    "version",
    "album",
    "release_date",
    "duration",
    "isrc",
    "spotify_uri",
)
DRAMA_KEYS = (
    "title",
    "native_title",
    "year",
    "network",
    "director",
    "writer",
    "release_date",
    "cast",
)
PART_KEYS = ("number", "title", "release_date")
TRACK_KEYS = tuple(c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c not in ("drama_ko",))

JSON_FORMAT = "ostkit"
JSON_VERSION = 1

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{2}\d{5}$")
_DURATION_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{2})(?:\.(\d{1,3}))?$")
_DURATION_SECONDS = re.compile(r"^(\d+)(?:\.(\d{1,3}))?$")
_PART = re.compile(r"^(?:(?:ost\s*)?part\.?\s*)?(\d+)$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


@dataclass(frozen=True)
class ImportBatch:
    """Everything one file says, as models, in file order."""

    path: str
    kind: str  # csv | exportify | toml | json
    dramas: tuple[Drama, ...] = ()
    parts: tuple[OstPart, ...] = ()
    tracks: tuple[Track, ...] = ()


class FieldError(ValueError):
    """A bad value in one field; the reader adds the file and line."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        super().__init__(reason)


# Cells a spreadsheet would run as a formula; export.py documents the neutralisation.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Make a CSV cell safe to open in a spreadsheet: prefix an apostrophe (see export.py)."""
    if cell and cell.lstrip("'").startswith(FORMULA_START):
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """Inverse of ``neutralise``: drop the one apostrophe it added."""
    if cell[:1] == "'" and cell.lstrip("'").startswith(FORMULA_START):
        return cell[1:]
    return cell


# --- field parsers (shared by all readers) ----------------------------------------------------


def parse_isrc(value: str) -> str:
    """ISRC like ``KRA402100123`` (hyphens and case tolerated) -> compact upper case."""
    text = value.strip().replace("-", "").replace(" ", "").upper()
    if not _ISRC.match(text):
        raise ValueError(f"malformed ISRC {value!r} (expected CC-XXX-YY-NNNNN, e.g. KRA402100123)")
    return text


@lru_cache(maxsize=4096)  # big files repeat the same few values
def parse_duration(value: str) -> int:
    """``m:ss``, ``h:mm:ss`` (optionally ``.mmm``) or seconds (``215``, ``215.4``) -> ms."""
    text = value.strip()
    m = _DURATION_CLOCK.match(text)
    if m:
        hours, minutes, seconds, frac = m.groups()
        if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
            raise ValueError(f"bad duration {value!r}: seconds and minutes must be under 60")
        total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
        return total * 1000 + int((frac or "0").ljust(3, "0"))
    m = _DURATION_SECONDS.match(text)
    if m:
        return int(m.group(1)) * 1000 + int((m.group(2) or "0").ljust(3, "0"))
    raise ValueError(f"bad duration {value!r} (use m:ss like 3:45, or seconds like 225)")


@lru_cache(maxsize=4096)  # big files repeat the same few values
def parse_part(value: str) -> int:
    m = _PART.match(value.strip())
    if not m or int(m.group(1)) < 1:
        raise ValueError(f"bad part {value!r} (use a number from 1, e.g. 3)")
    return int(m.group(1))


@lru_cache(maxsize=4096)  # big files repeat the same few values
def parse_year(value: str) -> int:
    text = value.strip()
    if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2100:
        raise ValueError(f"bad year {value!r} (use four digits, e.g. 2022)")
    return int(text)


@lru_cache(maxsize=4096)  # big files repeat the same few values
def parse_date(value: str) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real date) -> the same text."""
    text = value.strip()
    ok = bool(_DATE.match(text))
    if ok:
        pieces = [int(p) for p in text.split("-")]
        try:
            dt.date(
                pieces[0], pieces[1] if len(pieces) > 1 else 1, pieces[2] if len(pieces) > 2 else 1
            )
        except ValueError:
            ok = False
    if not ok:
        raise ValueError(f"bad date {value!r} (use YYYY-MM-DD, YYYY-MM or YYYY)")
    return text


def _opt(values: Mapping[str, str | None], name: str, parse: Callable[[str], Any]) -> Any:
    raw = values.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        raise FieldError(name, str(exc)) from None


def _text(values: Mapping[str, str | None], name: str) -> str | None:
    raw = values.get(name)
    if not raw:
        return None
    return clean(raw) or None


_PARSERS: dict[str, Callable[[str], Any]] = {
    "part": parse_part,
    "release_date": parse_date,
    "duration": parse_duration,
    "isrc": parse_isrc,
    "spotify_uri": track_uri,
    "year": parse_year,
}


def parse_fields(values: Mapping[str, str | None]) -> dict[str, Any]:
    """Clean text fields and parse typed ones, keeping only non-empty values (one pass)."""
    out: dict[str, Any] = {}
    for name, raw in values.items():
        if not raw:
            continue
        parse = _PARSERS.get(name)
        if parse is None:
            text = clean(raw)
            if text:
                out[name] = text
        elif raw.strip():
            try:
                out[name] = parse(raw)
            except ValueError as exc:
                raise FieldError(name, str(exc)) from None
    return out


def track_from_fields(values: Mapping[str, str | None], default_drama: str | None = None) -> Track:
    """Build a Track from CSV-like string fields; raises ``FieldError`` naming the field."""
    return track_from_parsed(parse_fields(values), default_drama)


def track_from_parsed(f: Mapping[str, Any], default_drama: str | None = None) -> Track:
    """Build a Track from ``parse_fields`` output."""
    drama = f.get("drama") or default_drama
    if not drama:
        raise FieldError("drama", "empty drama")
    title = f.get("title")
    if not title:
        raise FieldError("title", "empty title")
    credits = parse_credits(f.get("artist", ""))
    if not credits:
        raise FieldError("artist", "empty artist")
    native_text = f.get("artist_ko")
    if native_text:
        try:
            natives = split_native(native_text, len(credits))
        except ValueError as exc:
            raise FieldError("artist_ko", str(exc)) from None
        credits = tuple(replace(c, native_name=n) for c, n in zip(credits, natives, strict=True))
    uri = f.get("spotify_uri")
    return Track(
        drama=drama,
        title=title,
        credits=credits,
        native_title=f.get("title_ko"),
        part=f.get("part"),
        album=f.get("album"),
        release_date=f.get("release_date"),
        duration_ms=f.get("duration"),
        isrc=f.get("isrc"),
        version=f.get("version"),
        spotify_uri=uri,
        status=Status.PINNED if uri else Status.UNMATCHED,
    )


def identity(track: Track) -> tuple[str, str, str]:
    """Within-file identity (drama, title+version, primary artist), by names.key."""
    return (key(track.drama), track_key(track.title, track.version), key(track.artist))


# --- entry point ------------------------------------------------------------------------------


def read_file(path: str | Path, *, drama: str | None = None) -> ImportBatch:
    """Read one catalog file. ``drama`` names the drama for files that carry none (Exportify)."""
    p = Path(path)
    label = str(path)
    text = read_text(p, label)
    suffix = p.suffix.lower()
    if suffix == ".toml":
        return read_toml(text, label)
    if suffix == ".json":
        return read_json(text, label)
    return read_csv(text, label, drama=drama)


def read_text(path: Path, label: str) -> str:
    """UTF-8 text with any BOM removed; clear errors for missing, unreadable or non-UTF-8 files."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=label) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=label) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=label) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            path=label,
            line=line,
        ) from None


# --- CSV --------------------------------------------------------------------------------------

EXPORTIFY_URI = ("track uri", "spotify uri", "spotify id")
EXPORTIFY_ARTISTS = ("artist name(s)", "artist name")


def _csv_rows(text: str) -> Iterable[tuple[int, list[str]]]:
    """(first physical line, cells) of each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(f"line {reader.line_num}: {exc}") from None
        start = line
        line = reader.line_num + 1
        if any(c.strip() for c in cells):
            # Inline unneutralise(): this runs for every cell of big files.
            yield (
                start,
                [
                    c[1:] if c[:1] == "'" and c.lstrip("'").startswith(FORMULA_START) else c
                    for c in cells
                ],
            )


def read_csv(text: str, label: str, *, drama: str | None = None) -> ImportBatch:
    try:
        rows = list(_csv_rows(text))
    except ValueError as exc:
        raise InputError(f"malformed CSV ({exc})", path=label) from None
    if not rows:
        raise InputError("empty file (expected a header: drama,title,artist,...)", path=label)
    header_line, header = rows[0]
    names = [h.strip().lower() for h in header]
    if any(n in EXPORTIFY_URI for n in names) and "track name" in names:
        return _read_exportify(rows, label, drama)
    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    for n in names:
        if n not in known:
            raise InputError(
                f"unknown column {n!r} (known: {', '.join(known)})", path=label, line=header_line
            )
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise InputError(f"column {n!r} appears twice", path=label, line=header_line)
        seen.add(n)
    for required in REQUIRED_COLUMNS:
        if required not in names:
            raise InputError(
                f"missing required column {required!r} (header has: {', '.join(names)})",
                path=label,
                line=header_line,
            )
    builder = _BatchBuilder(label, "csv")
    for line, cells in rows[1:]:
        if len(cells) > len(names):
            raise InputError(
                f"{len(cells)} cells but the header has {len(names)} columns", path=label, line=line
            )
        try:
            fields = parse_fields(dict(zip(names, cells, strict=False)))
            track = track_from_parsed(fields, drama)
        except FieldError as exc:
            raise InputError(f"{exc.field}: {exc}", path=label, line=line) from None
        facts = {
            "native_title": fields.get("drama_ko"),
            "year": fields.get("year"),
            "network": fields.get("network"),
        }
        builder.add_drama_facts(track.drama, facts, line)
        builder.add_track(track, line)
    return builder.build()


def _split_exportify_artists(text: str) -> list[str]:
    # Exportify joins artists with "," (", " in some versions) and escapes commas inside a name
    # as "\,".
    pieces = re.split(r"(?<!\\),", text)
    return [clean(p.replace("\\,", ",")) for p in pieces if clean(p)]


def _read_exportify(
    rows: list[tuple[int, list[str]]], label: str, drama: str | None
) -> ImportBatch:
    header = rows[0][1]
    col = {h.strip().lower(): i for i, h in enumerate(header)}

    def pick(*names: str) -> int | None:
        return next((col[n] for n in names if n in col), None)

    i_uri = pick(*EXPORTIFY_URI)
    i_title = pick("track name")
    i_artists = pick(*EXPORTIFY_ARTISTS)
    i_album = pick("album name")
    i_date = pick("album release date", "release date")
    i_duration = pick("track duration (ms)", "duration (ms)")
    i_isrc = pick("isrc")
    i_playlist = pick("playlist name", "name")
    if i_artists is None:
        raise InputError("Exportify file without an 'Artist Name(s)' column", path=label, line=1)
    builder = _BatchBuilder(label, "exportify")

    def cell(cells: list[str], i: int | None) -> str:
        return cells[i].strip() if i is not None and i < len(cells) else ""

    for line, cells in rows[1:]:
        drama_name = drama or cell(cells, i_playlist)
        if not drama_name:
            raise InputError(
                "Exportify rows carry no drama; name it: ostkit import --drama NAME FILE",
                path=label,
                line=line,
            )
        try:
            title = cell(cells, i_title)
            if not title:
                raise FieldError("Track Name", "empty title")
            artists = _split_exportify_artists(cell(cells, i_artists))
            if not artists:
                raise FieldError("Artist Name(s)", "empty artist")
            raw_uri = cell(cells, i_uri)
            uri = None
            if raw_uri and not raw_uri.startswith("spotify:local:"):
                try:
                    uri = track_uri(raw_uri)
                except ValueError as exc:
                    raise FieldError("Track URI", str(exc)) from None
            duration = cell(cells, i_duration)
            if duration and not duration.isdigit():
                raise FieldError("Track Duration (ms)", f"bad duration {duration!r} (milliseconds)")
            date = cell(cells, i_date)
            isrc = cell(cells, i_isrc)
            track = Track(
                drama=clean(drama_name),
                title=clean(title),
                credits=tuple(Credit(a) for a in artists),
                album=clean(cell(cells, i_album)) or None,
                release_date=_opt({"d": date}, "d", parse_date) if date else None,
                duration_ms=int(duration) if duration else None,
                isrc=_opt({"isrc": isrc}, "isrc", parse_isrc) if isrc else None,
                spotify_uri=uri,
                status=Status.PINNED if uri else Status.UNMATCHED,
            )
        except FieldError as exc:
            raise InputError(f"{exc.field}: {exc}", path=label, line=line) from None
        builder.add_drama(Drama(title=track.drama), line)
        builder.add_track(track, line)
    return builder.build()


DRAMA_FACTS = ("native_title", "year", "network")


class _BatchBuilder:
    """Collects models in file order; catches duplicates and conflicting drama facts."""

    def __init__(self, label: str, kind: str) -> None:
        self.label = label
        self.kind = kind
        self.dramas: dict[str, tuple[Drama, dict[str, int]]] = {}
        self.parts: dict[tuple[str, int], tuple[OstPart, int]] = {}
        self.tracks: list[Track] = []
        self.seen: dict[tuple[str, str, str], int] = {}

    def add_drama(self, drama: Drama, line: int) -> None:
        k = key(drama.title)
        if k not in self.dramas:
            lines = {f: line for f in DRAMA_FACTS if getattr(drama, f)}
            self.dramas[k] = (drama, lines)
            return
        self.add_drama_facts(drama.title, {f: getattr(drama, f) for f in DRAMA_FACTS}, line)

    def add_drama_facts(self, title: str, facts: Mapping[str, Any], line: int) -> None:
        """Record what a row says about its drama (native title, year, network); a row that
        contradicts an earlier one is an error naming both lines."""
        k = key(title)
        entry = self.dramas.get(k)
        if entry is None:
            self.add_drama(Drama(title=title, **{f: v for f, v in facts.items() if v}), line)
            return
        current, lines = entry
        updates: dict[str, Any] = {}
        for field, new in facts.items():
            if new is None:
                continue
            old = getattr(current, field)
            if old is None:
                updates[field] = new
                lines[field] = line
            elif new != old:
                raise InputError(
                    f"{field} of drama {current.title!r} is {new!r} here but {old!r} on line "
                    f"{lines[field]}",
                    path=self.label,
                    line=line,
                )
        if updates:
            self.dramas[k] = (replace(current, **updates), lines)

    def add_part(self, part: OstPart, line: int) -> None:
        k = (key(part.drama), part.number)
        if k in self.parts:
            raise InputError(
                f"duplicate part {part.number} (also on line {self.parts[k][1]})",
                path=self.label,
                line=line,
            )
        self.parts[k] = (part, line)

    def add_track(self, track: Track, line: int) -> None:
        ident = identity(track)
        if ident in self.seen:
            raise InputError(
                f"duplicate row: same drama, title, version and artist as line {self.seen[ident]}",
                path=self.label,
                line=line,
            )
        self.seen[ident] = line
        self.tracks.append(track)

    def build(self) -> ImportBatch:
        return ImportBatch(
            path=self.label,
            kind=self.kind,
            dramas=tuple(d for d, _ in self.dramas.values()),
            parts=tuple(p for p, _ in self.parts.values()),
            tracks=tuple(self.tracks),
        )


# --- TOML -------------------------------------------------------------------------------------


class _TomlLines:
    """Finds the line of a key in a TOML file (tomllib only reports lines for syntax errors)."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        # (line number, table name, is array-of-tables) for every table header.
        self.headers: list[tuple[int, str, bool]] = []
        for i, raw in enumerate(self.lines, start=1):
            m = self._HEADER.match(raw)
            if m:
                self.headers.append((i, m.group(1).strip(), raw.strip().startswith("[[")))

    def block(self, table: str, index: int | None = None) -> tuple[int, int] | None:
        """(first, last) line of ``[table]`` or of the ``index``-th ``[[table]]``."""
        found = [h for h in self.headers if h[1] == table]
        if index is not None:
            found = [h for h in found if h[2]]
            if index >= len(found):
                return None
        pick = found[index or 0] if found else None
        if pick is None:
            return None
        later = [h[0] for h in self.headers if h[0] > pick[0] and not h[1].startswith(f"{table}.")]
        end = (later[0] - 1) if later else len(self.lines)
        return pick[0], end

    def line_of(self, table: str, index: int | None, field: str | None) -> int | None:
        span = self.block(table, index)
        if span is None:
            return None
        if field:
            pattern = re.compile(rf"^\s*[\"']?{re.escape(field)}[\"']?\s*=")
            for n in range(span[0], span[1] + 1):
                if pattern.match(self.lines[n - 1]):
                    return n
        return span[0]


def _toml_str(value: Any, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError(field, f"{field} must be a string or number, not {type(value).__name__}")
    return str(value)


def read_toml(text: str, label: str) -> ImportBatch:
    """``[drama]``, ``[[parts]]`` and ``[[tracks]]``; the ``[playlist]`` table is ignored here."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) if m else msg
        raise InputError(f"TOML syntax error: {reason}", path=label, line=line) from None
    where = _TomlLines(text)

    def fail(table: str, index: int | None, field: str | None, reason: str) -> InputError:
        return InputError(reason, path=label, line=where.line_of(table, index, field))

    for top in data:
        if top not in ("drama", "parts", "tracks", "playlist"):
            raise InputError(
                f"unknown top-level key {top!r} (known: drama, parts, tracks, playlist)",
                path=label,
                line=where.line_of(top, None, None) or _find_line(where.lines, top),
            )
    builder = _BatchBuilder(label, "toml")
    drama_title: str | None = None
    raw_drama = data.get("drama")
    if raw_drama is not None:
        if not isinstance(raw_drama, dict):
            raise fail("drama", None, None, "[drama] must be a table")
        for k in raw_drama:
            if k not in DRAMA_KEYS:
                raise fail(
                    "drama",
                    None,
                    k,
                    f"unknown key {k!r} in [drama] (known: {', '.join(DRAMA_KEYS)})",
                )
        try:
            drama = _toml_drama(raw_drama)
        except FieldError as exc:
            raise fail("drama", None, exc.field, f"[drama] {exc.field}: {exc}") from None
        drama_title = drama.title
        builder.add_drama(drama, where.line_of("drama", None, None) or 1)
    raw_parts = data.get("parts", [])
    if not isinstance(raw_parts, list):
        raise fail("parts", None, None, "parts must be an array of tables: [[parts]]")
    for i, raw in enumerate(raw_parts):
        line = where.line_of("parts", i, None) or 1
        if not isinstance(raw, dict):
            raise InputError("each [[parts]] entry must be a table", path=label, line=line)
        for k in raw:
            if k not in (*PART_KEYS, "drama"):
                raise fail(
                    "parts", i, k, f"unknown key {k!r} in [[parts]] (known: {', '.join(PART_KEYS)})"
                )
        try:
            fields = {k: _toml_str(v, k) for k, v in raw.items()}
            number = _opt(fields, "number", parse_part)
            if number is None:
                raise FieldError("number", "a part needs a number")
            part_drama = _text(fields, "drama") or drama_title
            if not part_drama:
                raise FieldError("drama", "no drama: add a [drama] table or a drama key")
            part = OstPart(
                drama=part_drama,
                number=number,
                title=_text(fields, "title"),
                release_date=_opt(fields, "release_date", parse_date),
            )
        except FieldError as exc:
            raise fail("parts", i, exc.field, f"{exc.field}: {exc}") from None
        builder.add_drama(Drama(title=part.drama), line)
        builder.add_part(part, line)
    raw_tracks = data.get("tracks", [])
    if not isinstance(raw_tracks, list):
        raise fail("tracks", None, None, "tracks must be an array of tables: [[tracks]]")
    for i, raw in enumerate(raw_tracks):
        line = where.line_of("tracks", i, None) or 1
        if not isinstance(raw, dict):
            raise InputError("each [[tracks]] entry must be a table", path=label, line=line)
        for k in raw:
            if k not in TRACK_KEYS:
                raise fail(
                    "tracks",
                    i,
                    k,
                    f"unknown key {k!r} in [[tracks]] (known: {', '.join(TRACK_KEYS)})",
                )
        try:
            fields = {k: _toml_str(v, k) for k, v in raw.items()}
            if "title" not in fields:
                raise FieldError("title", "missing title")
            if "artist" not in fields:
                raise FieldError("artist", "missing artist")
            track = track_from_fields(fields, default_drama=drama_title)
        except FieldError as exc:
            raise fail("tracks", i, exc.field, f"{exc.field}: {exc}") from None
        builder.add_drama(Drama(title=track.drama), line)
        builder.add_track(track, line)
    # A playlist-only file (just [playlist]) has nothing for the catalog: that is not an error,
    # so `ostkit import playlists/*.toml` works.
    return builder.build()


def _find_line(lines: Sequence[str], name: str) -> int | None:
    pattern = re.compile(rf"^\s*(?:\[+\s*)?{re.escape(name)}\b")
    return next((i for i, raw in enumerate(lines, start=1) if pattern.match(raw)), None)


def _toml_drama(raw: Mapping[str, Any]) -> Drama:
    cast_raw = raw.get("cast", [])
    cast: list[CastMember] = []
    if not isinstance(cast_raw, list):
        raise FieldError("cast", "cast must be an array of { actor = ..., role = ... }")
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
    fields = {k: _toml_str(v, k) for k, v in raw.items() if k != "cast"}
    title = _text(fields, "title")
    if not title:
        raise FieldError("title", "missing title")
    return Drama(
        title=title,
        native_title=_text(fields, "native_title"),
        year=_opt(fields, "year", parse_year),
        network=_text(fields, "network"),
        director=_text(fields, "director"),
        writer=_text(fields, "writer"),
        release_date=_opt(fields, "release_date", parse_date),
        cast=tuple(cast),
    )


# --- JSON (ostkit's own export) ---------------------------------------------------------------


def read_json(text: str, label: str) -> ImportBatch:
    """Read ostkit's JSON export (``{"format": "ostkit", "version": 1, "dramas": [...]}``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", path=label, line=exc.lineno) from None
    if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
        raise InputError(
            'not an ostkit JSON export (expected {"format": "ostkit", ...}; '
            "write one with `ostkit export --format json`)",
            path=label,
        )
    if data.get("version") != JSON_VERSION:
        raise InputError(f"unsupported ostkit JSON version {data.get('version')!r}", path=label)
    builder = _BatchBuilder(label, "json")
    dramas = data.get("dramas")
    if not isinstance(dramas, list):
        raise InputError('"dramas" must be a list', path=label)
    for di, d in enumerate(dramas):
        at = f"dramas[{di}]"
        try:
            if not isinstance(d, dict):
                raise FieldError(at, "must be an object")
            drama = _json_drama(d)
            builder.add_drama(drama, di + 1)
            for pi, p in enumerate(_json_list(d, "parts")):
                builder.add_part(_json_part(p, drama.title, f"parts[{pi}]"), di + 1)
            for ti, t in enumerate(_json_list(d, "tracks")):
                builder.add_track(_json_track(t, drama.title, f"tracks[{ti}]"), di + 1)
        except FieldError as exc:
            path = exc.field if exc.field.startswith("dramas") else f"{at}.{exc.field}"
            raise InputError(f"{path}: {exc}", path=label) from None
    return builder.build()


def _json_list(obj: Mapping[str, Any], name: str) -> list[Any]:
    value = obj.get(name, [])
    if not isinstance(value, list):
        raise FieldError(name, "must be a list")
    return value


def _json_opt_str(obj: Mapping[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(name, "must be a string or null")
    return clean(value) or None


def _json_opt_int(obj: Mapping[str, Any], name: str) -> int | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FieldError(name, "must be a non-negative integer or null")
    return value


def _json_drama(d: Mapping[str, Any]) -> Drama:
    title = _json_opt_str(d, "title")
    if not title:
        raise FieldError("title", "missing title")
    cast = []
    for ci, c in enumerate(_json_list(d, "cast")):
        if not isinstance(c, dict) or not isinstance(c.get("actor"), str):
            raise FieldError(f"cast[{ci}]", "needs an actor")
        cast.append(CastMember(c["actor"], _json_opt_str(c, "role")))
    year = _json_opt_int(d, "year")
    date = _json_opt_str(d, "release_date")
    try:
        return Drama(
            title=title,
            native_title=_json_opt_str(d, "native_title"),
            year=parse_year(str(year)) if year is not None else None,
            network=_json_opt_str(d, "network"),
            director=_json_opt_str(d, "director"),
            writer=_json_opt_str(d, "writer"),
            release_date=parse_date(date) if date else None,
            cast=tuple(cast),
        )
    except ValueError as exc:
        raise FieldError("year" if "year" in str(exc) else "release_date", str(exc)) from None


def _json_part(p: Any, drama: str, at: str) -> OstPart:
    if not isinstance(p, dict):
        raise FieldError(at, "must be an object")
    number = _json_opt_int(p, "number")
    if not number:
        raise FieldError(f"{at}.number", "must be a number from 1")
    date = _json_opt_str(p, "release_date")
    try:
        return OstPart(drama, number, _json_opt_str(p, "title"), parse_date(date) if date else None)
    except ValueError as exc:
        raise FieldError(f"{at}.release_date", str(exc)) from None


def _json_track(t: Any, drama: str, at: str) -> Track:
    if not isinstance(t, dict):
        raise FieldError(at, "must be an object")
    try:
        title = _json_opt_str(t, "title")
        if not title:
            raise FieldError("title", "empty title")
        credits = []
        for ci, c in enumerate(_json_list(t, "credits")):
            if not isinstance(c, dict) or not _json_opt_str(c, "name"):
                raise FieldError(f"credits[{ci}]", "needs a name")
            role = c.get("role", "main")
            if role not in ("main", "featured"):
                raise FieldError(f"credits[{ci}].role", "must be main or featured")
            credits.append(Credit(clean(c["name"]), role, _json_opt_str(c, "native_name")))
        if not credits:
            raise FieldError("credits", "a track needs at least one credit")
        uri = _json_opt_str(t, "spotify_uri")
        status_raw = t.get("status") or (Status.PINNED if uri else Status.UNMATCHED)
        try:
            status = Status(status_raw)
        except ValueError:
            raise FieldError(
                "status", f"unknown status {status_raw!r} (one of {', '.join(Status)})"
            ) from None
        score = t.get("score")
        if score is not None and (
            isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1
        ):
            raise FieldError("score", "must be a number in [0, 1] or null")
        part = _json_opt_int(t, "part")
        date = _json_opt_str(t, "release_date")
        isrc = _json_opt_str(t, "isrc")
        try:
            return Track(
                drama=drama,
                title=title,
                credits=tuple(credits),
                native_title=_json_opt_str(t, "native_title"),
                part=part or None,
                album=_json_opt_str(t, "album"),
                release_date=parse_date(date) if date else None,
                duration_ms=_json_opt_int(t, "duration_ms"),
                isrc=parse_isrc(isrc) if isrc else None,
                version=_json_opt_str(t, "version"),
                spotify_uri=track_uri(uri) if uri else None,
                status=status,
                score=float(score) if score is not None else None,
                matched_at=_json_opt_str(t, "matched_at"),
            )
        except ValueError as exc:
            raise FieldError("value", str(exc)) from None
    except FieldError as exc:
        raise FieldError(f"{at}.{exc.field}", str(exc)) from None
