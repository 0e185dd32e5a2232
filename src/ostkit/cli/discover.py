"""`ostkit discover`: a drama's whole OST from Spotify, part by part."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ostkit.cli.output import format_option, render_json, render_table

if TYPE_CHECKING:
    from ostkit.cli.context import AppContext
    from ostkit.services.discover import Discovery, ImportCounts, Row

HEADERS = (
    "part",
    "released",
    "album",
    "no",
    "title",
    "version",
    "artists",
    "duration",
    "catalog",
)


def _catalog_cell(row: Row) -> str:
    if row.repeat_of is not None:
        return f"= {row.repeat_of}"
    if row.entry is not None:
        return f"#{row.entry.id}"
    return "new (compilation)" if row.from_compilation else "new"


def _row(row: Row) -> dict[str, Any]:
    from ostkit.formats.fields import format_duration

    t, c = row.track, row.candidate
    return {
        "part": row.release.label,
        "released": row.release.album.release_date,
        "album": row.release.album.name,
        "no": c.track_number,
        "title": t.title,
        "version": t.version,
        "artists": ", ".join(a.name for a in c.artists),
        "duration": format_duration(c.duration_ms),
        "catalog": _catalog_cell(row),
    }


def _row_json(row: Row) -> dict[str, Any]:
    t, c = row.track, row.candidate
    return {
        "release": row.release.label,
        "part": t.part,
        "release_date": row.release.album.release_date,
        "album": row.release.album.name,
        "album_uri": f"spotify:album:{row.release.album.id}",
        "track_number": c.track_number,
        "title": t.title,
        "version": t.version,
        "native_title": t.native_title,
        "artists": [{"name": a.name, "spotify_id": a.id} for a in c.artists],
        "duration_ms": c.duration_ms,
        "uri": c.uri,
        "from_compilation": row.from_compilation,
        "repeat_of": row.repeat_of,
        "catalog_id": row.entry.id if row.entry is not None else None,
    }


def _missing_lines(found: Discovery) -> list[str]:
    return [
        f"Part {p.number}"
        + (f" ({p.release_date})" if p.release_date else "")
        + ": not found on Spotify"
        for p in found.missing
    ]


def _print(found: Discovery, fmt: str, counts: ImportCounts | None) -> None:
    if fmt == "json":
        data: dict[str, Any] = {
            "drama": {
                "title": found.drama.title,
                "native_title": found.drama.native_title,
                "year": found.drama.year,
                "in_catalog": found.known,
            },
            "tracks": [_row_json(r) for r in found.rows],
            "missing_parts": [
                {"part": p.number, "release_date": p.release_date} for p in found.missing
            ],
            "left_out": [
                {
                    "album": r.album.name,
                    "album_uri": f"spotify:album:{r.album.id}",
                    "reason": r.left_out,
                }
                for r in found.left_out
            ],
            "searched_pages": found.pages,
            "releases_read": found.releases_read,
            "requests": found.requests,
        }
        if counts is not None:
            data["imported"] = {
                "added": counts.added,
                "linked": counts.linked,
                "unchanged": counts.unchanged,
            }
        click.echo(render_json(data))
    elif found.rows:
        click.echo(render_table([_row(r) for r in found.rows], HEADERS, fmt))
    if not found.rows:
        click.echo(f"no OST release of {found.drama.title!r} found on Spotify", err=True)
    for release in found.left_out:
        click.echo(f"left out {release.album.name!r}: {release.left_out}", err=True)
    for line in _missing_lines(found):
        click.echo(line, err=True)
    if found.native_learned and found.drama.native_title:
        click.echo(f"native title: {found.drama.native_title}", err=True)
    click.echo(found.summary(), err=True)


@click.command("discover")
@click.argument("drama")
@click.option("--native-title", default=None, help="The drama's title in its own script.")
@click.option("--year", type=click.IntRange(1900, 2100), default=None, help="The drama's year.")
@click.option(
    "--import",
    "do_import",
    is_flag=True,
    help="Add the drama and every song as pinned entries (one transaction).",
)
@click.option(
    "--dry-run", is_flag=True, help="With --import: show what would change, write nothing."
)
@format_option()
@click.pass_obj
def discover_cmd(
    app: AppContext,
    drama: str,
    native_title: str | None,
    year: int | None,
    do_import: bool,
    dry_run: bool,
    fmt: str,
) -> None:
    """Find every OST release of a drama on Spotify and show it part by part.

    Example: ostkit discover "Soundtrack #1" --import
    """
    from ostkit.services.discover import discover, import_discovery, plan_import
    from ostkit.spotify.client import SpotifyClient
    from ostkit.store.catalog import CatalogStore

    if dry_run and not do_import:
        raise click.UsageError("--dry-run goes with --import (without it, discover writes nothing)")
    tty = sys.stderr.isatty()

    def progress(message: str) -> None:
        if tty:
            click.echo(f"\r\x1b[K{message}", nl=False, err=True)

    settings = app.spotify_settings
    with CatalogStore.open(settings.db_path) as store:
        client = SpotifyClient.from_settings(settings)
        try:
            found = discover(
                store, client, drama, native_title=native_title, year=year, progress=progress
            )
        finally:
            if tty:
                click.echo("\r\x1b[K", nl=False, err=True)
        counts = None
        if do_import:
            counts = plan_import(store, found) if dry_run else import_discovery(store, found)
    _print(found, fmt, counts)
    if counts is not None:
        click.echo(counts.summary(found.drama.title, dry_run=dry_run), err=True)


COMMANDS = [discover_cmd]
