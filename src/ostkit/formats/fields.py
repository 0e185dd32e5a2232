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
    "drama_aliases",
)

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{2}\d{5}$")
_DURATION_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{2})(?:\.(\d{1,3}))?$")
_DURATION_SECONDS = re.compile(r"^(\d+)(?:\.(\d{1,3}))?$")
_PART = re.compile(r"^(?:(?:ost\s*)?part\.?\s*)?(\d{1,9})$", re.IGNORECASE)
# Fans and spreadsheets write dates with "-", "." (Korean style, often with a final dot) or "/".
_DATE = re.compile(r"^(\d{4})(?:([-./])(\d{1,2})(?:\2(\d{1,2}))?)?\.?$")

# No OST song is an hour long: a longer "duration" is a spreadsheet's or a typist's slip.
MAX_SONG_MS = 3600 * 1000
# Spotify's durations (Exportify, ostkit JSON) are trusted further: a long track exists, a day
# does not, and this keeps every value far inside SQLite's 64-bit integers.
MAX_TRACK_MS = 24 * 3600 * 1000
# OST parts are numbered from 1; the bound keeps a hostile number out of SQLite's integers.
MAX_PART = 9999


def shown(value: str) -> str:
    """``repr(value)`` for an error message, shortened: a cell may hold thousands of characters."""
    return repr(value) if len(value) <= 40 else f"{value[:20]!r}... ({len(value)} characters)"


def real_text(value: str) -> str:
    """``value``, if it is text: a lone surrogate (a JSON ``"\\ud800"`` escape, or an argument
    whose bytes were not in the terminal's encoding) is half a character and cannot be stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"holds a lone surrogate (U+{ord(value[exc.start]):04X}), which is not text"
        ) from None
    return value


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


def csv_records(text: str | Iterable[str], delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(first physical line, unneutralised cells) of each non-blank CSV record.

    Lines are cut from ``text`` as the reader asks for them (``io.StringIO`` would copy the
    whole text again, at four bytes a character once it holds Hangul)."""
    lines = (m.group() for m in _LINE.finditer(text)) if isinstance(text, str) else text
    reader = csv.reader(lines, strict=True, delimiter=delimiter)
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
        raise ValueError(
            f"malformed ISRC {shown(value)} (expected CC-XXX-YY-NNNNN, e.g. KRA402100123)"
        )
    return text


@lru_cache(maxsize=4096)  # big files repeat the same few values
def parse_duration(value: str) -> int:
    """``m:ss``, ``h:mm:ss`` (optionally ``.mmm``) or seconds (``215``, ``215.4``) -> ms.

    Excel turns a typed ``3:53`` into the time ``3:53:00`` and writes it back that way; a
    ``h:mm:00`` that would be a song of an hour or more is read as that ``m:ss``. Any other
    duration of an hour or more, or of zero, is refused: no song has it.
    """
    text = value.strip()
    m = _DURATION_CLOCK.match(text)
    if m:
        hours, minutes, seconds, frac = m.groups()
        if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
            raise ValueError(f"bad duration {shown(value)}: seconds and minutes must be under 60")
        if hours is not None and int(hours) >= 1 and seconds == "00" and frac is None:
            hours, minutes, seconds = None, hours, minutes
        total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
        return _song_length(total * 1000 + int((frac or "0").ljust(3, "0")), value)
    m = _DURATION_SECONDS.match(text)
    if m and len(m.group(1)) <= 9:
        return _song_length(int(m.group(1)) * 1000 + int((m.group(2) or "0").ljust(3, "0")), value)
    raise ValueError(f"bad duration {shown(value)} (use m:ss like 3:45, or seconds like 225)")


def _song_length(ms: int, value: str) -> int:
    if ms <= 0:
        raise ValueError(f"bad duration {shown(value)}: a song lasts longer than that (use m:ss)")
    if ms >= MAX_SONG_MS:
        raise ValueError(
            f"bad duration {shown(value)}: no song lasts an hour or more; write minutes and "
            "seconds as m:ss, e.g. 3:53 (in a spreadsheet, format the column as text)"
        )
    return ms


def parse_duration_ms(value: int | str) -> int:
    """A Spotify duration in milliseconds (Exportify, ostkit JSON): 1 ms to a day."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9 or not 0 < int(text) <= MAX_TRACK_MS:
        raise ValueError(f"bad duration {shown(text)} (milliseconds, from 1 to {MAX_TRACK_MS})")
    return int(text)


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
    """``3``, ``Part 3``, ``OST Part.3`` -> 3 (from 1 to ``MAX_PART``)."""
    m = _PART.match(value.strip())
    if not m or not 1 <= int(m.group(1)) <= MAX_PART:
        raise ValueError(f"bad part {shown(value)} (use a number from 1 to {MAX_PART}, e.g. 3)")
    return int(m.group(1))


@lru_cache(maxsize=4096)  # big files repeat the same few values
def parse_year(value: str) -> int:
    """Four digits from 1900 to 2100."""
    text = value.strip()
    if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2100:
        raise ValueError(f"bad year {shown(value)} (use four digits, e.g. 2022)")
    return int(text)


@lru_cache(maxsize=4096)  # big files repeat the same few values
def parse_date(value: str) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real date; ``.`` or ``/`` for ``-`` too, as
    in ``2016.12.03`` or ``2016/12/03``) -> ``YYYY[-MM[-DD]]``."""
    m = _DATE.match(value.strip())
    if m:
        year, _, month, day = m.groups()
        try:
            dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            pass
        else:
            parts = [year] + [f"{int(p):02d}" for p in (month, day) if p]
            return "-".join(parts)
    raise ValueError(f"bad date {shown(value)} (use YYYY-MM-DD, YYYY-MM or YYYY)")


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


def clean_aliases(names: Iterable[str]) -> tuple[str, ...]:
    """A drama's other names as stored: cleaned, empty ones dropped, each once, in order."""
    return tuple(dict.fromkeys(a for a in (clean(n) for n in names) if a))


def parse_aliases(cell: str) -> tuple[str, ...]:
    """A drama's other names in one cell, separated by ``;`` (a title may hold commas)."""
    return clean_aliases(cell.split(";"))


def format_aliases(aliases: Sequence[str]) -> str:
    """Inverse of ``parse_aliases``."""
    return "; ".join(aliases)


_PARSERS: dict[str, Callable[[str], Any]] = {
    "drama_aliases": parse_aliases,
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
    """UTF-8 text (a BOM, UTF-16 with a BOM too); clear errors for missing, unreadable or
    non-UTF-8 files. Playlist files and TOML/JSON imports are read this way."""
    from ostkit.formats.source import decode, read_bytes

    label = str(path) if label is None else label
    return decode(read_bytes(path, label), label).text
