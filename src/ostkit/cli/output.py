"""Rendering listings for every command: tabulate's table formats plus json and csv, to stdout.

Listings of 100,000 rows must print in well under a second, hence the fast paths: ``table`` for
tabulate's simple/plain formats and ``echo_json_lines`` for JSON texts built by SQLite.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from operator import methodcaller
from typing import TYPE_CHECKING, Any, TypeVar

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


# Big listings: tabulate is pure Python and takes seconds for 100,000 rows. _table renders the
# same output quickly (tests compare it with tabulate).


def table(rows: list[dict[str, Any]], headers: tuple[str, ...], fmt: str) -> str:
    """tabulate's "simple"/"plain" output for plain one-line cells, fast; else tabulate."""
    if fmt not in ("simple", "plain"):
        return render_table(rows, headers, fmt)
    columns = []
    for h in headers:
        values = list(map(methodcaller("get", h), rows))
        columns.append([v if type(v) is str else "" if v is None else str(v) for v in values])
    # render_table shows a cell that is not printable through terminal_text
    if not all(map(plain_cells, columns)) or not all(all(map(str.isprintable, c)) for c in columns):
        return render_table(rows, headers, fmt)
    # One str.format call per row: ASCII columns are padded by the format, columns with wide
    # characters are padded first (by display width), the last column is not padded at all.
    specs = []
    widths = []
    last = len(headers) - 1
    for i, (header, cells) in enumerate(zip(headers, columns, strict=True)):
        if all(map(str.isascii, cells)):
            width = max(len(header) + 2, max(map(len, cells), default=0))
            specs.append(f"{{:<{width}}}" if i < last else "{}")
        else:
            # Display width minus len(): 0 for ASCII, > 0 for Hangul and other wide characters.
            extra = [display_extra(c) for c in cells]
            width = max([len(header) + 2, *(len(c) + e for c, e in zip(cells, extra, strict=True))])
            if i < last:
                columns[i] = [c.ljust(width - e) for c, e in zip(cells, extra, strict=True)]
            specs.append("{}")
        widths.append(width)
    line = "  ".join(specs).format
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    if fmt == "simple":
        out.append("  ".join("-" * w for w in widths))
    out.extend(line(*cells).rstrip() for cells in zip(*columns, strict=True))
    return "\n".join(out)


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


def echo_json_lines(items: Sequence[bytes]) -> None:
    """Print a JSON array with one compact item per line: the JSON layout of every listing.

    Items are UTF-8 JSON texts (SQLite builds those of big listings), written straight to
    stdout's bytes in chunks: 100,000 tracks are out in a fraction of a second.
    """
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)  # None: a text-only stream (embedding)
    for chunk in json_array_chunks(items):
        if buffer is None:
            sys.stdout.write(chunk.decode())
        else:
            buffer.write(chunk)
    (buffer or sys.stdout).flush()


def json_array_chunks(items: Sequence[bytes], size: int = 4096) -> Iterator[bytes]:
    """The bytes of ``echo_json_lines``, ``size`` items at a time."""
    if not items:
        yield b"[]\n"
        return
    for start in range(0, len(items), size):
        yield b",\n  " if start else b"[\n  "
        yield b",\n  ".join(items[start : start + size])
    yield b"\n]\n"


def compact(item: Any) -> bytes:
    """One item as compact UTF-8 JSON, the same layout as SQLite's ``json_object``."""
    import json

    return escape_c1(json.dumps(item, ensure_ascii=False, separators=(",", ":"))).encode()


def artist_group_lines(groups: ArtistGroups) -> list[bytes]:
    """``artists --format json``: one drama per line, tracks being JSON texts from SQLite."""
    import json
    from functools import lru_cache

    # The same artist names come back drama after drama: encode each once.
    dumps = lru_cache(maxsize=None)(json.JSONEncoder(ensure_ascii=False).encode)
    return [
        (
            f'{{"drama":{dumps(title)},"artists":['
            + ",".join(
                f'{{"name":{dumps(n)},"native_name":{dumps(k)},"tracks":[{",".join(t)}]}}'
                for n, k, t in artists
            )
            + "]}"
        ).encode()
        for title, artists in groups
    ]


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
