"""The one table of file formats: which module reads a file, which writes an export.

Format modules load on first use: together they take ~50 ms to import, and ``ostkit --help`` and
the listings must start fast (see benchmarks/). Each export module has
``export(doc: ExportDoc, out: Writable) -> Exported``, which writes each track as it comes from
``doc.tracks`` (an iterator over the catalog: constant memory); each reader module has
``read(text, label, *, drama) -> ImportBatch``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, cast

from ostkit.errors import InputError

# Types only: the CLI imports this table for ``--format`` choices, and ``ostkit --help`` must not
# pay for loading the models.
if TYPE_CHECKING:
    from ostkit.formats.batch import ImportBatch
    from ostkit.models import Drama, OstPart, Track


@dataclass(frozen=True)
class ExportDoc:
    """What an export holds: tracks in order (read once, as they are written), their dramas, the
    dramas' OST parts (only read by formats with ``needs_parts``) and a title for playlist
    formats. Formats with ``nested`` need the tracks grouped by drama in ``dramas`` order."""

    tracks: Iterable[Track]
    dramas: Sequence[Drama]
    parts: Sequence[OstPart] = ()
    title: str | None = None


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


class Exported(NamedTuple):
    tracks: int  # tracks written
    skipped: int = 0  # tracks the format cannot hold (M3U: no URI)


@dataclass(frozen=True)
class ExportFormat:
    module: str
    needs_parts: bool = False
    nested: bool = False  # tracks are written under their drama: they must come grouped


EXPORTS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csvfile"),
    "exportify": ExportFormat("exportify"),
    "json": ExportFormat("jsonfile", needs_parts=True, nested=True),
    "m3u": ExportFormat("m3u"),
    "xspf": ExportFormat("xspf"),
}
EXPORT_FORMATS: tuple[str, ...] = tuple(EXPORTS)

# Readers by file extension; anything else is CSV (and an Exportify header is read as Exportify).
READERS: dict[str, str] = {".toml": "tomlfile", ".json": "jsonfile"}
DEFAULT_READER = "csvfile"
# ``ostkit import --format``: the reader for a file whatever its name (stdin has none).
IMPORT_FORMATS: dict[str, str] = {"csv": "csvfile", "toml": "tomlfile", "json": "jsonfile"}


@dataclass(frozen=True)
class ReadOptions:
    """How ``ostkit import`` reads its files: ``encoding`` overrides the detection, ``strict``
    refuses unknown CSV columns, ``fmt`` (a key of ``IMPORT_FORMATS``) overrides the extension,
    ``stdin`` holds the bytes of the file named ``-``."""

    encoding: str | None = None
    strict: bool = False
    fmt: str | None = None
    stdin: bytes | None = None


def export_format(name: str) -> ExportFormat:
    """The format called ``name``; an unknown name is an ``InputError`` listing the known ones."""
    try:
        return EXPORTS[name]
    except KeyError:
        raise InputError(
            f"unknown export format {name!r} (one of {', '.join(EXPORT_FORMATS)})"
        ) from None


def write(name: str, doc: ExportDoc, out: Writable) -> Exported:
    """``doc`` written to ``out`` in the format called ``name``, track by track."""
    module = importlib.import_module(f"ostkit.formats.{export_format(name).module}")
    return cast(Callable[[ExportDoc, Writable], Exported], module.export)(doc, out)


def export_text(name: str, doc: ExportDoc) -> str:
    """``doc`` in the format called ``name``, as one text (small exports and tests)."""
    import io

    buf = io.StringIO()
    write(name, doc, buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Source:
    """A catalog file ready for its reader (a module of ``formats``): its text held (stdin,
    TOML, JSON), or, for a CSV file, its path and encoding, read line by line as the reader asks
    (a big spreadsheet is never held whole)."""

    label: str  # the path as given, or ``<stdin>``
    encoding: str
    reader: str
    text: str = ""
    path: Path | None = None

    def content(self) -> str | Iterator[str]:
        """What the reader parses: the text, or the file's lines (ends kept, BOM left out)."""
        if self.path is None:
            return self.text
        return _lines(self.path, self.encoding)


def _lines(path: Path, encoding: str) -> Iterator[str]:
    from ostkit.formats.source import codec

    with open(path, "rb") as raw:
        head = raw.read(4)
    with open(path, encoding=codec(head, encoding), newline="") as fh:
        yield from fh


def read_source(path: str | Path, options: ReadOptions | None = None) -> Source:
    """Check and decode one catalog file (``-``: ``options.stdin``) and choose its reader: the
    extension, or ``options.fmt``; for stdin without ``fmt``, the text. CSV files may be in a
    legacy encoding; TOML and JSON are UTF-8."""
    from ostkit.formats.source import decode, detect, file_chunks, read_bytes, sniff_format

    options = options or ReadOptions()
    if str(path) == "-":
        label = "<stdin>"
        data = read_bytes(path, label, options.stdin)
        if options.fmt is not None:
            name = IMPORT_FORMATS[options.fmt]
            decoded = decode(data, label, encoding=options.encoding, guess=name == DEFAULT_READER)
        else:
            # Without a name, the format is read from the text.
            decoded = decode(data, label, encoding=options.encoding, guess=True)
            name = IMPORT_FORMATS[sniff_format(decoded.text)]
        return Source(label, decoded.encoding, name, text=decoded.text)
    label = str(path)
    if options.fmt is not None:
        name = IMPORT_FORMATS[options.fmt]
    else:
        name = READERS.get(Path(path).suffix.lower(), DEFAULT_READER)
    if name == DEFAULT_READER:
        encoding = detect(file_chunks(path, label), label, encoding=options.encoding, guess=True)
        return Source(label, encoding, name, path=Path(path))
    decoded = decode(read_bytes(path, label), label, encoding=options.encoding)
    return Source(label, decoded.encoding, name, text=decoded.text)


def parse_source(source: Source, *, drama: str | None = None, strict: bool = False) -> ImportBatch:
    """Parse a file with its reader. ``drama`` names the drama for files that carry none
    (Exportify); ``strict`` refuses unknown CSV columns. Run inside ``batch.streaming_to``, the
    tracks go to the sink instead of the batch."""
    from dataclasses import replace

    module = importlib.import_module(f"ostkit.formats.{source.reader}")
    batch = cast("Callable[..., ImportBatch]", module.read)(
        source.content(), source.label, drama=drama, strict=strict
    )
    return replace(batch, encoding=source.encoding)


def read_file(
    path: str | Path, *, drama: str | None = None, options: ReadOptions | None = None
) -> ImportBatch:
    """Read one catalog file into a batch (all its rows held: for small files and tests)."""
    strict = options.strict if options else False
    return parse_source(read_source(path, options), drama=drama, strict=strict)
