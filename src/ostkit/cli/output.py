"""Rendering listings: tabulate's table formats plus json and csv, to stdout."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

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
