"""Rendering listings for every command: tabulate's table formats plus json and csv, to stdout
or to a file (``output_stream``).

Listings of 100,000 rows must print in well under a second and a million in bounded memory,
hence the streaming fast paths: ``write_table`` for tabulate's simple/plain formats and csv, and
``write_json_lines`` for JSON texts built by SQLite.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

if TYPE_CHECKING:
    from ostkit.services.catalog import ArtistGroups

F = TypeVar("F", bound=Callable[..., Any])

TABLE_FORMATS = (
    "simple",
    "plain",
    "github",
    "grid",
    "pipe",
    "orgtbl",
    "rst",
    "psql",
    "rounded_outline",
    "html",
    "tsv",
)


def format_option(default: str = "simple") -> Callable[[F], F]:
    """``--format``: any of tabulate's table formats, or json / csv."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice((*TABLE_FORMATS, "json", "csv")),
        default=default,
        show_default=True,
        help="Table format, or json / csv for scripts.",
    )


def render_table(rows: Sequence[dict[str, Any]], headers: Sequence[str], fmt: str) -> str:
    """Render ``rows`` (dicts) with the given column order in a table format or csv."""
    if fmt == "csv":
        # Spreadsheet-safe like `ostkit export`: a text cell that would run as a formula gets
        # a leading apostrophe.
        from ostkit.formats.fields import neutralise

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(headers)
        for row in rows:
            cells = (row.get(h) for h in headers)
            writer.writerow(
                ["" if v is None else neutralise(v) if isinstance(v, str) else v for v in cells]
            )
        return buf.getvalue().rstrip("\n")
    from tabulate import tabulate

    table = [[("" if row.get(h) is None else row.get(h)) for h in headers] for row in rows]
    return tabulate(table, headers=list(headers), tablefmt=fmt, disable_numparse=True)


def plural(n: int, word: str) -> str:
    """``1 track``, ``2 tracks``."""
    return f"{n} {word}{'s' * (n != 1)}"


def render_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# Big listings: tabulate is pure Python, takes seconds for 100,000 rows and needs them all in
# memory. write_table renders "simple"/"plain" the same (tests compare it with tabulate) in two
# walks over the rows (widths, then lines), holding one row at a time.

TableRows = Callable[[], Iterable[Sequence[Any]]]


def table(rows: list[dict[str, Any]], headers: tuple[str, ...], fmt: str) -> str:
    """tabulate's "simple"/"plain" output for plain one-line cells, fast; else tabulate."""
    buf = io.StringIO()
    cells = [tuple(row.get(h) for h in headers) for row in rows]
    write_table(buf, lambda: cells, headers, fmt)
    return buf.getvalue().removesuffix("\n")


def _cell(value: Any) -> str:
    return value if type(value) is str else "" if value is None else str(value)


def write_table(out: TextIO, rows: TableRows, headers: Sequence[str], fmt: str) -> None:
    """Write a listing as a table (or csv), each line as it is made.

    ``rows()`` gives the rows (sequences in ``headers`` order) afresh on each call: the fast
    formats read them twice (widths first), and never hold more than one row.
    """
    if fmt == "csv":
        write_csv(out, headers, rows())
        return
    if fmt in ("simple", "plain"):
        widths = _plain_widths(rows(), headers)
        if widths is not None:
            _write_plain(out, rows(), headers, widths, fmt)
            return
    dicts = [dict(zip(headers, row, strict=True)) for row in rows()]
    out.write(render_table(dicts, headers, fmt) + "\n")


def _plain_widths(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> list[int] | None:
    """Column widths for the fast table, or None when a cell is not plain (see ``plain_cells``).

    A column is as wide as its header plus two or its widest cell, by display width (Hangul and
    other wide characters count two).
    """
    widths = [len(h) + 2 for h in headers]
    for row in rows:
        cells = list(map(_cell, row))
        if not plain_cells(cells):
            return None
        for i, c in enumerate(cells):
            width = len(c) if c.isascii() else len(c) + display_extra(c)
            if width > widths[i]:
                widths[i] = width
    return widths


def _write_plain(
    out: TextIO,
    rows: Iterable[Sequence[Any]],
    headers: Sequence[str],
    widths: Sequence[int],
    fmt: str,
) -> None:
    out.write("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip() + "\n")
    if fmt == "simple":
        out.write("  ".join("-" * w for w in widths) + "\n")
    last = len(headers) - 1
    lines: list[str] = []
    for row in rows:
        cells = list(map(_cell, row))
        # The last column is not padded; wide characters are padded by display width.
        for i in range(last):
            c = cells[i]
            cells[i] = c.ljust(widths[i] if c.isascii() else widths[i] - display_extra(c))
        lines.append("  ".join(cells).rstrip())
        if len(lines) == 1000:
            out.write("\n".join(lines) + "\n")
            lines.clear()
    if lines:
        out.write("\n".join(lines) + "\n")


def write_csv(out: TextIO, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A listing as CSV, spreadsheet-safe like ``ostkit export``: a text cell that would run as a
    formula gets a leading apostrophe."""
    from ostkit.formats.fields import neutralise

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            ["" if v is None else neutralise(v) if isinstance(v, str) else v for v in row]
        )


def plain_cells(cells: list[str]) -> bool:
    """No newlines and no surrounding spaces (tabulate would treat those specially)."""
    joined = "\x00".join(cells)
    return not (
        "\n" in joined
        or "\x00 " in joined
        or " \x00" in joined
        or joined[:1] == " "
        or joined[-1:] == " "
    )


def display_extra(text: str) -> int:
    """Display width minus ``len()``: > 0 for Hangul and other wide characters."""
    if text.isascii():
        return 0
    from wcwidth import wcswidth

    width = wcswidth(text)
    return width - len(text) if width >= 0 else 0


def echo_json_lines(items: Iterable[bytes]) -> None:
    """Print a JSON array with one compact item per line to stdout (see ``write_json_lines``)."""
    with output_stream() as out:
        write_json_lines(out, items)


def write_json_lines(out: TextIO, items: Iterable[bytes]) -> None:
    """A JSON array with one compact item per line: the JSON layout of every listing.

    Items are UTF-8 JSON texts (SQLite builds those of big listings), written as they come to
    the stream's bytes in chunks: 100,000 tracks are out in a fraction of a second.
    """
    buffer = getattr(out, "buffer", None)  # None: a text-only stream (embedding, StringIO)
    out.flush()
    for chunk in json_array_chunks(items):
        if buffer is None:
            out.write(chunk.decode())
        else:
            buffer.write(chunk)
    (buffer or out).flush()


def json_array_chunks(
    items: Iterable[bytes], size: int = 4096, max_bytes: int = 1 << 20
) -> Iterator[bytes]:
    """The bytes of ``write_json_lines``: up to ``size`` items (or about ``max_bytes``) at a
    time, read as they are used."""
    first = True
    batch: list[bytes] = []
    held = 0
    for item in items:
        batch.append(item)
        held += len(item)
        if len(batch) >= size or held >= max_bytes:
            yield b"[\n  " if first else b",\n  "
            yield b",\n  ".join(batch)
            first, batch, held = False, [], 0
    if batch:
        yield b"[\n  " if first else b",\n  "
        yield b",\n  ".join(batch)
        first = False
    yield b"[]\n" if first else b"\n]\n"


@contextmanager
def output_stream(path: str | None = None, *, excel: bool = False) -> Iterator[TextIO]:
    """Where a listing or an export goes: stdout, or (``-o FILE``) a file written atomically (a
    reader never sees half of it; on error the old file stays). ``excel`` starts the text with a
    UTF-8 BOM so Excel reads Hangul right. Text is UTF-8 with ``\\n`` line ends."""
    if path:
        from ostkit.services.catalog import atomic_output

        with atomic_output(path) as fh:
            if excel:
                fh.write("\ufeff")
            yield fh
        return
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stdout (embedding)
        if excel:
            sys.stdout.write("\ufeff")
        yield sys.stdout
        return
    out = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    try:
        if excel:
            out.write("\ufeff")
        yield out
    finally:
        try:
            out.flush()
        finally:
            out.detach()


def compact(item: Any) -> bytes:
    """One item as compact UTF-8 JSON, the same layout as SQLite's ``json_object``."""
    import json

    return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()


def artist_group_lines(groups: ArtistGroups) -> Iterator[bytes]:
    """``artists --format json``: one drama per line, tracks being JSON texts from SQLite; made
    as the groups come."""
    import json
    from functools import lru_cache

    # The same artist names come back drama after drama: encode each once.
    dumps = lru_cache(maxsize=65536)(json.JSONEncoder(ensure_ascii=False).encode)
    for title, artists in groups:
        yield (
            f'{{"drama":{dumps(title)},"artists":['
            + ",".join(
                f'{{"name":{dumps(n)},"native_name":{dumps(k)},"tracks":[{",".join(t)}]}}'
                for n, k, t in artists
            )
            + "]}"
        ).encode()


class Progress:
    """A compact counter on stderr (only used when stderr is a terminal)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0

    def step(self, n: int) -> None:
        self.count += n
        click.echo(f"\r{self.label}: {self.count} rows", err=True, nl=False)

    def done(self) -> None:
        if self.count:
            click.echo("", err=True)
