"""An import file's bytes as text: its encoding, its format when it has no file name, and the
delimiter of a CSV.

Encodings are tried in the order that cannot go wrong first: a byte-order mark (UTF-8, UTF-16,
UTF-32), then strict UTF-8 (which random legacy bytes almost never pass), then, for spreadsheet
files only, the legacy encodings fans' spreadsheets are saved in (Korean and Japanese Windows,
Chinese, Western Europe), chosen by charset-normalizer from the bytes. TOML and JSON are UTF-8 by
their specifications, so they get no guessing.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ostkit.errors import InputError, UsageError

UTF8 = "utf-8"

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# The legacy encodings a spreadsheet is likely saved in, as the supersets Windows really writes
# (CP949 holds EUC-KR, CP932 holds Shift-JIS, CP1252 holds the printable Latin-1).
LEGACY_ENCODINGS = ("cp949", "cp932", "euc_jp", "gb18030", "big5", "cp1252")

# A file this size decides the guess; more bytes only make it slower.
_GUESS_SAMPLE = 256 * 1024


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec name as users write it for --encoding ("utf-8", "cp949", ...)


# Bytes read at a time when a file is checked or read as lines.
_CHUNK = 1 << 20

# What gives a file's bytes, afresh on each call: each pass (BOM, UTF-8, the guess) reads it again
# in chunks rather than holding it.
Chunks = Callable[[], Iterator[bytes]]


def read_bytes(path: str | Path, label: str, stdin: bytes | None = None) -> bytes:
    """The bytes of ``path`` (``-``: the ``stdin`` bytes); errors name the file."""
    if str(path) == "-" and stdin is not None:
        return stdin
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _read_error(exc, label) from None


def file_chunks(path: str | Path, label: str) -> Chunks:
    """``Chunks`` of a file; a missing or unreadable file is an ``InputError`` at once."""
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise _read_error(exc, label) from None

    def chunks() -> Iterator[bytes]:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk

    return chunks


def _read_error(exc: OSError, label: str) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError("no such file", path=label)
    if isinstance(exc, IsADirectoryError):
        return InputError("is a directory, not a file", path=label)
    return InputError(f"cannot read: {exc.strerror}", path=label)


def decode(data: bytes, label: str, *, encoding: str | None = None, guess: bool = False) -> Decoded:
    """``data`` as text: in ``encoding`` when given, else by BOM, UTF-8, and (``guess``) the
    likely legacy encoding (see ``detect``)."""
    name = detect(lambda: iter((data,)), label, encoding=encoding, guess=guess)
    # A BOM is no text even when the encoding is named (``--encoding utf-8`` on Excel's
    # "CSV UTF-8").
    return Decoded(data.decode(codec(data[:4], name)).removeprefix("\ufeff"), name)


def codec(head: bytes, name: str) -> str:
    """The codec that reads a file starting with ``head`` in encoding ``name`` (its BOM left
    out for UTF-8)."""
    return "utf-8-sig" if name == UTF8 and head.startswith(codecs.BOM_UTF8) else name


def detect(chunks: Chunks, label: str, *, encoding: str | None = None, guess: bool = False) -> str:
    """The encoding of the bytes ``chunks`` gives: ``encoding`` when given (checked), else by
    BOM, strict UTF-8, and (``guess``) the likely legacy encoding. A file that does not decode,
    or an undecidable one, is one ``InputError`` (the line of the first bad byte, or a hint to
    use --encoding). The bytes are read in chunks, never held whole."""
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise UsageError(
                f"unknown encoding {encoding!r} (e.g. utf-8, cp949, shift_jis)"
            ) from None
        _check(chunks, label, name, f"not valid {encoding} text")
        return name
    head = next(chunks(), b"")[:4]
    for bom, name in _BOMS:
        if head.startswith(bom):
            _check(chunks, label, name, f"not valid {name} text")
            return UTF8 if name == "utf-8-sig" else name
    bad = _first_bad_byte(chunks, UTF8)
    if bad is None:
        return UTF8
    if not guess:
        byte, line = bad
        raise InputError(
            f"not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8", path=label, line=line
        )
    guessed = _guess(chunks)
    if guessed is None:
        raise InputError(
            "cannot tell the text encoding (not UTF-8, nor a likely spreadsheet encoding); "
            "name it with --encoding, e.g. --encoding cp949",
            path=label,
        )
    return guessed


def _check(chunks: Chunks, label: str, name: str, what: str) -> None:
    bad = _first_bad_byte(chunks, name)
    if bad is not None:
        byte, line = bad
        raise InputError(f"{what} (byte 0x{byte:02x})", path=label, line=line)


def _first_bad_byte(chunks: Chunks, name: str) -> tuple[int, int] | None:
    """(byte, line) of the first byte that does not decode as ``name``; None: all decode."""
    decoder = codecs.getincrementaldecoder(name)()
    lines = 0
    for chunk in chunks():
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return exc.object[exc.start], lines + exc.object.count(b"\n", 0, exc.start) + 1
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return exc.object[exc.start], lines + 1
    return None


def _guess(chunks: Chunks) -> str | None:
    # charset-normalizer is imported here: it takes ~40 ms to load and most files are UTF-8.
    from charset_normalizer import from_bytes

    sample = b""
    for chunk in chunks():
        sample += chunk
        if len(sample) >= _GUESS_SAMPLE:
            break
    best = from_bytes(sample[:_GUESS_SAMPLE], cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    # the sample decoded; the whole file must too
    return name if _first_bad_byte(chunks, name) is None else None


# --- what a file without a name holds ---------------------------------------------------------

_TOML_START = re.compile(r"^\s*(\[\[?\s*[\w.\"' -]+\s*\]\]?\s*(#.*)?|[\w\"'.-]+\s*=.*)$")


def sniff_format(text: str) -> str:
    """``json``, ``toml`` or ``csv`` for a file read from stdin without ``--format``."""
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("{"):
        return "json"
    for raw in _lines(body):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        return "toml" if _TOML_START.match(line) else "csv"
    return "csv"


DELIMITERS = (",", ";", "\t")


def _lines(text: str) -> Iterator[str]:
    """Lines of ``text`` one by one: sniffing reads the first few of a file of any size."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end]
        start = end + 1


def sniff_delimiter(text: str) -> str:
    """The CSV delimiter, from the header line: the most frequent of comma, semicolon and tab
    outside quotes (comma on a tie). European Excel saves with semicolons; a copy-paste from a
    sheet has tabs."""
    header = next((line for line in _lines(text) if line.strip()), "")
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


# --- what a parser refuses ---------------------------------------------------------------------

# How deep a JSON or TOML file may nest before an error names the line: ostkit's own files nest
# five levels at most, and Python's parsers recurse (a 100,000-deep file exhausts the stack).
MAX_NESTING = 64
_LONG_NUMBER = re.compile(r"[-+]?\d[\d_]{99,}")


def long_number(text: str, error: ValueError) -> tuple[str, int | None]:
    """Reason and line for a parser's refusal of an integer of more than 4,300 digits (Python's
    limit on turning text into int): the message's first sentence and the number's line."""
    found = _LONG_NUMBER.search(text)
    line = text.count("\n", 0, found.start()) + 1 if found else None
    return str(error).split(";")[0], line
