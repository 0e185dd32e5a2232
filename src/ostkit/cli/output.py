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
import re
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


def terminal_text(text: str) -> str:
    """``text`` with every character that is not printable (ESC, BEL, C1 controls, bidi
    overrides, newlines ...) written as Python's ``repr`` writes it (``\\x1b``): the rule of the
    match reasons (which quote names with ``repr``), for any text from Spotify, a file name or a
    playlist file that reaches the terminal, so that none can move the cursor, retitle the window
    or hide what follows."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def render_table(rows: Sequence[dict[str, Any]], headers: Sequence[str], fmt: str) -> str:
    """Render ``rows`` (dicts) with the given column order in a table format, csv or tsv; the
    table formats show text cells through ``terminal_text``. tsv is data like csv (one tab between
    cells, no padding), not tabulate's aligned "tsv" table."""
    if fmt in ("csv", "tsv"):
        # Spreadsheet-safe like `ostkit export`: a text cell that would run as a formula gets
        # a leading apostrophe.
        from ostkit.formats.fields import neutralise

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n", delimiter="," if fmt == "csv" else "\t")
        writer.writerow(headers)
        for row in rows:
            cells = (row.get(h) for h in headers)
            writer.writerow(
                ["" if v is None else neutralise(v) if isinstance(v, str) else v for v in cells]
            )
        return buf.getvalue().rstrip("\n")
    from tabulate import tabulate

    table = [[_cell(row.get(h)) for h in headers] for row in rows]
    return tabulate(table, headers=list(headers), tablefmt=fmt, disable_numparse=True)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return terminal_text(value) if isinstance(value, str) else value


def plural(n: int, word: str) -> str:
    """``1 track``, ``2 tracks``."""
    return f"{n} {word}{'s' * (n != 1)}"


def render_json(data: Any) -> str:
    """A JSON document (not a listing), indented; see ``escape_c1``."""
    return escape_c1(json.dumps(data, ensure_ascii=False, indent=2))


def escape_c1(text: str) -> str:
    """JSON text with DEL and the C1 controls written as ``\\u0080``-style escapes, as
    ``json.dumps`` already writes ESC and the other C0 controls: a terminal may act on them raw,
    and only strings can hold them, so the JSON means the same."""
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_C1 = re.compile("[\x7f-\x9f]")


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


def _plain_cell(value: Any) -> str:
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
        cells = list(map(_plain_cell, row))
        # render_table shows a cell that is not printable through terminal_text
        if not plain_cells(cells) or not all(map(str.isprintable, cells)):
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
        cells = list(map(_plain_cell, row))
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

    return escape_c1(json.dumps(item, ensure_ascii=False, separators=(",", ":"))).encode()


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
    """Progress on stderr, in one of two shapes.

    * Counting (``step``): ``writing: 1200 rows``, redrawn in place (import, on a terminal).
    * Done of a known total (``update``): done/total, rate, elapsed time and ETA; on a terminal
      (``bar=True``) a bar redrawn in place at most ``BAR_REDRAW`` times a second, else one line
      every ``interval`` seconds and one at the end (for logs of piped runs).
    """

    BAR_REDRAW = 0.1  # seconds between two redraws of the bar
    BAR_WIDTH = 24

    def __init__(
        self,
        label: str,
        *,
        bar: bool = True,
        interval: float = 5.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import time

        self.label = label
        self.count = 0
        self.bar = bar
        self.interval = interval
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self._shown_at: float | None = None
        self._open_line = False
        self._drawn = 0

    @classmethod
    def for_stderr(cls, label: str, requested: bool) -> Progress | None:
        """A bar when stderr is a terminal, lines when ``requested`` (``--progress``) on a
        pipe, else None (nothing shown)."""
        if sys.stderr.isatty():
            return cls(label, bar=True)
        return cls(label, bar=False) if requested else None

    def step(self, n: int) -> None:
        self.count += n
        click.echo(f"\r{self.label}: {self.count} rows", err=True, nl=False)
        self._open_line = True

    def update(self, done: int, total: int) -> None:
        """``done`` of ``total`` finished: show it if it is time to."""
        now = self.clock()
        wait = self.BAR_REDRAW if self.bar else self.interval
        last = done >= total
        if not last and self._shown_at is not None and now - self._shown_at < wait:
            return
        if not last and self._shown_at is None and not self.bar and now - self.started < wait:
            return
        self._shown_at = now
        text = progress_text(
            self.label, done, total, now - self.started, self.BAR_WIDTH if self.bar else 0
        )
        if self.bar:
            # Padded to the last line drawn: a shorter line leaves nothing of it behind.
            click.echo(f"\r{text.ljust(self._drawn)}", err=True, nl=False)
            self._drawn = len(text)
            self._open_line = True
        else:
            click.echo(text, err=True)

    def done(self) -> None:
        """End the line drawn in place, if any."""
        if self._open_line:
            click.echo("", err=True)
            self._open_line = False


def progress_text(label: str, done: int, total: int, elapsed: float, bar_width: int = 0) -> str:
    """``searching 125/600 [#####...] 21% 12.5/s elapsed 0:10 ETA 0:38`` (no bar with width 0;
    rate and ETA once something is done)."""
    share = done / total if total else 1.0
    parts = [f"{label} {done}/{total}"]
    if bar_width:
        filled = round(share * bar_width)
        parts.append("[" + "#" * filled + "." * (bar_width - filled) + "]")
    parts.append(f"{share:4.0%}")
    rate = done / elapsed if elapsed > 0 else 0.0
    if rate > 0:
        parts.append(f"{rate:.1f}/s")
    parts.append(f"elapsed {_clock_time(elapsed)}")
    if rate > 0 and done < total:
        parts.append(f"ETA {_clock_time((total - done) / rate)}")
    return " ".join(parts)


def _clock_time(seconds: float) -> str:
    """``0:07``, ``12:30``, ``1:02:03``."""
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
