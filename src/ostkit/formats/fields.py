"""Cell parsers and formatters shared by every format, and the UTF-8 file reader. Pure.

Each parser takes the text of one cell and returns the value or raises ``ValueError`` with a
reason a person can act on; ``parse_fields`` wraps that in ``FieldError`` naming the field, and the
reader adds ``file:line``.

The field vocabulary (``REQUIRED_COLUMNS`` + ``OPTIONAL_COLUMNS``) is the same for ostkit CSV,
TOML ``[[tracks]]`` and ``ostkit add``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ostkit.errors import InputError
from ostkit.models import Status, Track
from ostkit.text.credits import parse_credits, split_native
from ostkit.text.keys import clean
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

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{2}\d{5}$")
_DURATION_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{2})(?:\.(\d{1,3}))?$")
_DURATION_SECONDS = re.compile(r"^(\d+)(?:\.(\d{1,3}))?$")
_PART = re.compile(r"^(?:(?:ost\s*)?part\.?\s*)?(\d+)$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


class FieldError(ValueError):
    """A bad value in one field; the reader adds the file and line."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        super().__init__(reason)


# --- spreadsheet safety (CSV formats) ---------------------------------------------------------

# Cells a spreadsheet would run as a formula. Such a cell is written with a leading apostrophe
# (``'=HYPERLINK(...)``), which spreadsheets show as text; a cell that already starts with
# apostrophes followed by one of these gets one more, so the import can drop exactly one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# The first characters of the cells ``neutralise`` may change: most cells start otherwise and
# are returned after one set lookup.
_RISKY_FIRST = frozenset(("'", *FORMULA_START))


def neutralise(cell: str) -> str:
    """Make a CSV cell safe to open in a spreadsheet: prefix an apostrophe."""
    if cell and cell[0] in _RISKY_FIRST and cell.lstrip("'").startswith(FORMULA_START):
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """Inverse of ``neutralise``: drop the one apostrophe it added."""
    if cell[:1] == "'" and cell.lstrip("'").startswith(FORMULA_START):
        return cell[1:]
    return cell


# One physical line with its end (\r\n, \r or \n), or a last line without one.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, unneutralised cells) of each non-blank CSV record.

    Lines are cut from ``text`` as the reader asks for them (``io.StringIO`` would copy the
    whole text again, at four bytes a character once it holds Hangul)."""
    lines = (m.group() for m in _LINE.finditer(text))
    reader = csv.reader(lines, strict=True)
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


def write_csv(out: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """A CSV document (``\\n`` line ends) with every text cell neutralised, written to ``out`` row
    by row; returns the number of rows. Numbers cannot start a formula and are written as is."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    n = 0
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) if type(v) is str else v for v in row])
        n += 1
    return n


# --- cell parsers -----------------------------------------------------------------------------


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


def format_duration(ms: int | None) -> str:
    """``m:ss`` (``m:ss.mmm`` when not whole seconds); hours fold into minutes."""
    if ms is None:
        return ""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    text = f"{minutes}:{seconds:02d}"
    return f"{text}.{millis:03d}" if millis else text


@lru_cache(maxsize=4096)  # big files repeat the same few values
def parse_part(value: str) -> int:
    """``3``, ``Part 3``, ``OST Part.3`` -> 3 (from 1)."""
    m = _PART.match(value.strip())
    if not m or int(m.group(1)) < 1:
        raise ValueError(f"bad part {value!r} (use a number from 1, e.g. 3)")
    return int(m.group(1))


@lru_cache(maxsize=4096)  # big files repeat the same few values
def parse_year(value: str) -> int:
    """Four digits from 1900 to 2100."""
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


def optional_field(values: Mapping[str, str | None], name: str, parse: Callable[[str], Any]) -> Any:
    """``parse(values[name])``, None for a missing or blank value; errors name the field."""
    raw = values.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        raise FieldError(name, str(exc)) from None


def text_field(values: Mapping[str, str | None], name: str) -> str | None:
    """The cleaned text of ``values[name]``, None when empty."""
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


def titled(track: Track) -> str:
    """``Title (Version)``: how playlist formats (M3U, XSPF) show a title."""
    return f"{track.title} ({track.version})" if track.version else track.title


# --- file text --------------------------------------------------------------------------------


def read_text(path: str | Path, label: str | None = None) -> str:
    """UTF-8 text with any BOM removed; clear errors for missing, unreadable or non-UTF-8 files."""
    label = str(path) if label is None else label
    try:
        data = Path(path).read_bytes()
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
