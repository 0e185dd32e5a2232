"""`ostkit` commands: catalog (import, add, rm, dramas, tracks, artists, export)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ostkit.cli.output import (
    Progress,
    artist_group_lines,
    compact,
    echo_json_lines,
    format_option,
    output_stream,
    plural,
    render_json,
    render_table,
    table,
    terminal_text,
    write_json_lines,
    write_table,
)
from ostkit.cli.prompts import answer
from ostkit.formats.fields import format_aliases
from ostkit.formats.registry import EXPORT_FORMATS, IMPORT_FORMATS

if TYPE_CHECKING:
    from ostkit.cli.context import AppContext
    from ostkit.store.catalog import CatalogStore

STATUSES = ("matched", "pinned", "review", "not_found", "unmatched")


def _open_store(app: AppContext) -> CatalogStore:
    from ostkit.store.catalog import CatalogStore

    return CatalogStore.open(app.settings.db_path)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option(
    "--drama",
    default=None,
    help="Drama for rows that name none (Exportify files); fills empty drama cells in CSV.",
)
@click.option(
    "--encoding",
    default=None,
    help="Text encoding of the files (e.g. cp949, shift_jis, latin-1); default: detected.",
)
@click.option("--strict", is_flag=True, help="Refuse CSV columns ostkit does not know.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(tuple(IMPORT_FORMATS)),
    default=None,
    help="Read the files as this format whatever their names; default: the extension (stdin: "
    "the content).",
)
@click.pass_obj
def import_cmd(
    app: AppContext,
    files: tuple[str, ...],
    drama: str | None,
    encoding: str | None,
    strict: bool,
    fmt: str | None,
) -> None:
    """Import catalog files (CSV, Exportify CSV, TOML, ostkit JSON), all or nothing.

    A Spotify playlist or album link (open.spotify.com URL or spotify: URI) with --drama D
    imports its tracks as pinned entries of D instead. The file - is standard input.

    Example: ostkit import playlists/soundtrack-1.toml my-osts.csv
    """
    from ostkit.formats.registry import ReadOptions
    from ostkit.services import catalog
    from ostkit.text.spotify_ids import is_link

    # A Spotify link is not a file: its tracks come from Spotify, not from a reader.
    if any(is_link(f) for f in files):
        _import_link(app, files, drama)
        return
    if files.count("-") > 1:
        raise click.UsageError("standard input (-) can be read only once")
    stdin = sys.stdin.buffer.read() if "-" in files else None
    options = ReadOptions(encoding=encoding, strict=strict, fmt=fmt, stdin=stdin)
    counter = Progress("writing") if sys.stderr.isatty() else None
    if counter:
        click.echo(f"reading {len(files)} file(s)...", err=True)
    db = app.settings.db_path
    new_catalog = not db.exists()
    try:
        summary = catalog.import_files(
            files,
            lambda: _open_store(app),
            drama=drama,
            progress=counter.step if counter else None,
            options=options,
        )
    except BaseException:
        # Rows are written as they are read, in one transaction that a bad row rolls back; a
        # catalog this import created is then empty: leave none behind, as before the import.
        if new_catalog:
            for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
                leftover.unlink(missing_ok=True)
        raise
    if counter:
        counter.done()
    for f in summary.files:
        for note in f.notes:
            click.echo(terminal_text(f"Warning: {note}"), err=True)
        click.echo(terminal_text(f.describe()), err=True)
    if len(summary.files) > 1:
        click.echo(
            f"total: {summary.added} added, {summary.updated} updated, "
            f"{summary.unchanged} unchanged",
            err=True,
        )


def _import_link(app: AppContext, args: tuple[str, ...], drama: str | None) -> None:
    if len(args) != 1 or not drama:
        raise click.UsageError("import a Spotify link on its own, with --drama D")
    from ostkit.services.link_import import import_spotify_link
    from ostkit.spotify.client import SpotifyClient

    settings = app.spotify_settings
    store = _open_store(app)
    try:
        result = import_spotify_link(store, SpotifyClient.from_settings(settings), args[0], drama)
    finally:
        store.close()
    click.echo(result.summary(), err=True)


@click.command("add")
@click.option("--drama", required=True, help="Drama title (created if new).")
@click.option("--title", required=True, help="Track title.")
@click.option("--artist", required=True, help="Credits as fans write them: 'A & B feat. C'.")
@click.option("--part", default=None, help="OST part number.")
@click.option("--title-ko", default=None, help="Native (e.g. Korean) title.")
@click.option("--artist-ko", default=None, help="Native artist name(s), same order as --artist.")
@click.option("--album", default=None, help="Album / single name.")
@click.option("--release-date", default=None, help="YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--duration", default=None, help="m:ss, h:mm:ss or seconds.")
@click.option("--isrc", default=None, help="ISRC code.")
@click.option("--uri", "spotify_uri", default=None, help="Spotify track URI or URL (pins it).")
@click.option("--version", "version", default=None, help="Version tag such as 'Inst.'.")
@format_option()
@click.pass_obj
def add_cmd(app: AppContext, /, fmt: str, **fields: str | None) -> None:
    """Add one track from options (updates it if the same track exists).

    Example: ostkit add --drama "Soundtrack #1" --title "My Love" --artist "Kim Jong-kook" --part 4
    """
    from ostkit.formats.trackjson import track_json
    from ostkit.services import catalog

    track = catalog.track_from_options(fields)
    store = _open_store(app)
    try:
        stored, outcome = catalog.add_track(store, track)
    finally:
        store.close()
    click.echo(f"track {stored.id} {outcome}", err=True)
    _echo_tracks([track_json(stored)], fmt)


@click.command("rm")
@click.argument("ids", nargs=-1, type=int)
@click.option("--drama", default=None, help="Remove a whole drama with its tracks.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def rm_cmd(app: AppContext, ids: tuple[int, ...], drama: str | None, yes: bool) -> None:
    """Remove tracks by id, or a whole drama; asks first unless --yes.

    Example: ostkit rm 3 4 --yes     (ids from `ostkit tracks`)
    """
    from ostkit.services import catalog

    if ids and drama:
        raise click.UsageError("give track ids or --drama, not both")
    store = _open_store(app)
    try:
        drama_model, tracks = catalog.removal_plan(store, ids, drama)
        what = f"drama {drama_model.title!r} and its" if drama_model else "these"
        click.echo(f"Removing {what} {plural(len(tracks), 'track')}:", err=True)
        for t in tracks[:20]:
            click.echo(f"  {t.id}  {t.title} — {t.artist_display}", err=True)
        if len(tracks) > 20:
            click.echo(f"  ... and {len(tracks) - 20} more", err=True)
        if not yes:
            agreed = answer(
                lambda: click.confirm("Remove?", err=True),
                "nothing removed: the input ended before an answer to 'Remove?' "
                "(pass --yes to remove without asking)",
            )
            if not agreed:
                click.echo("Nothing removed.", err=True)
                return
        removed = catalog.remove(store, ids, drama)
    finally:
        store.close()
    click.echo(
        f"removed drama {drama_model.title!r} and its {plural(removed, 'track')}"
        if drama_model
        else f"removed {plural(removed, 'track')}",
        err=True,
    )


@click.command("dramas")
@format_option()
@click.pass_obj
def dramas_cmd(app: AppContext, fmt: str) -> None:
    """List the dramas in the catalog.

    Example: ostkit dramas --format json
    """
    from ostkit.services import catalog

    store = _open_store(app)
    try:
        rows = catalog.drama_rows(store)
    finally:
        store.close()
    if fmt == "json":
        echo_json_lines([compact(r) for r in rows])
        return
    headers = ("title", "native_title", "aliases", "year", "network", "tracks", "with_uri")
    rows = [{**r, "aliases": format_aliases(r["aliases"])} for r in rows]
    click.echo(render_table(rows, headers, fmt))


TRACK_HEADERS = ("id", "drama", "part", "title", "artist", "version", "status", "score")


def _echo_tracks(rows: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        echo_json_lines([compact(r) for r in rows])
        return
    click.echo(table(rows, TRACK_HEADERS, fmt))


def output_options(f: Any) -> Any:
    """``-o FILE`` and ``--excel``, the same on listings and ``export``."""
    f = click.option(
        "--excel", is_flag=True, help="Start CSV with a UTF-8 BOM so Excel shows Hangul right."
    )(f)
    return click.option(
        "-o",
        "--output",
        default=None,
        type=click.Path(dir_okay=False),
        help="Write to FILE (atomically) instead of stdout.",
    )(f)


def _check_excel(excel: bool, fmt: str, formats: tuple[str, ...] = ("csv",)) -> None:
    if excel and fmt not in formats:
        raise click.UsageError(f"--excel only applies to --format {' or '.join(formats)}")


@click.command("tracks")
@click.option("--drama", "dramas", multiple=True, help="Only this drama (repeatable).")
@click.option("--artist", default=None, help="Only tracks credited to this artist (any alias).")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@format_option()
@output_options
@click.pass_obj
def tracks_cmd(
    app: AppContext,
    dramas: tuple[str, ...],
    artist: str | None,
    status: str | None,
    fmt: str,
    output: str | None,
    excel: bool,
) -> None:
    """List catalog tracks (drama, OST part, then catalog order) with their ids.

    Example: ostkit tracks --drama "Soundtrack #1" --status unmatched
    """
    from ostkit.services import catalog

    _check_excel(excel, fmt)
    drama = dramas or None
    store = _open_store(app)
    try:
        if fmt == "json":
            texts = catalog.track_rows_json(store, drama=drama, artist=artist, status=status)
            with output_stream(output, excel=excel) as out:
                write_json_lines(out, texts)
            return

        def rows() -> Any:
            return catalog.track_table_rows(
                store, TRACK_HEADERS, drama=drama, artist=artist, status=status
            )

        rows()  # names are checked before anything is written
        with output_stream(output, excel=excel) as out:
            write_table(out, rows, TRACK_HEADERS, fmt)
    finally:
        store.close()


@click.command("artists")
@click.argument("drama", required=False)
@click.option("--drama", "dramas", multiple=True, help="Only this drama (repeatable).")
@format_option()
@output_options
@click.pass_obj
def artists_cmd(
    app: AppContext,
    drama: str | None,
    dramas: tuple[str, ...],
    fmt: str,
    output: str | None,
    excel: bool,
) -> None:
    """List who sang for a drama (each artist with their tracks), for several, or for all.

    Example: ostkit artists "Soundtrack #1"
    """
    from ostkit.services import catalog

    _check_excel(excel, fmt)
    names = (*((drama,) if drama else ()), *dramas)
    store = _open_store(app)
    try:
        if fmt == "json":
            groups = catalog.artist_groups(store, names, as_json=True)
            with output_stream(output, excel=excel) as out:
                write_json_lines(out, artist_group_lines(groups))
            return
        with_drama = len(set(names)) != 1
        headers: tuple[str, ...] = ("artist", "native_name", "tracks")
        if with_drama:
            headers = ("drama", *headers)
        for name in names:  # checked before anything is written
            store.find_drama(name)
        with output_stream(output, excel=excel) as out:
            write_table(
                out, lambda: catalog.artist_rows(store, names, with_drama=with_drama), headers, fmt
            )
    finally:
        store.close()


@click.command("export")
@click.option(
    "--drama", "dramas", multiple=True, help="Export this drama (repeatable); default all."
)
@click.option("--artist", default=None, help="Only tracks credited to this artist (any alias).")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="csv",
    show_default=True,
    help="ostkit CSV, Exportify CSV, ostkit JSON, M3U8 or XSPF.",
)
@output_options
@click.option(
    "--playlist",
    "playlist_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Export the tracklist of this playlist file instead of dramas.",
)
@click.pass_obj
def export_cmd(
    app: AppContext,
    dramas: tuple[str, ...],
    artist: str | None,
    status: str | None,
    fmt: str,
    output: str | None,
    excel: bool,
    playlist_file: str | None,
) -> None:
    """Export tracks as CSV (default), Exportify CSV, JSON, M3U8 or XSPF.

    Example: ostkit export --drama "Soundtrack #1" --format xspf -o soundtrack-1.xspf
    """
    from ostkit.services import catalog

    _check_excel(excel, fmt, ("csv", "exportify"))
    if playlist_file and (dramas or artist or status):
        raise click.UsageError("give --playlist or --drama/--artist/--status, not both")
    store = _open_store(app)
    try:
        if playlist_file:
            from ostkit.playlists.definition import load_playlist_file
            from ostkit.services.playlists import export_playlist

            plan = export_playlist(store, load_playlist_file(playlist_file), fmt)
        else:
            plan = catalog.plan_export(store, dramas, fmt, artist=artist, status=status)
        with output_stream(output, excel=excel) as out:
            result = catalog.write_export(store, plan, out)
    finally:
        store.close()
    if output:
        click.echo(terminal_text(f"wrote {result.tracks} track(s) to {output}"), err=True)
    if result.skipped:
        click.echo(f"skipped {result.skipped} track(s) without a Spotify URI", err=True)


@click.command("stats")
@click.option("--drama", "dramas", multiple=True, help="Only this drama (repeatable); default all.")
@format_option()
@click.pass_obj
def stats_cmd(app: AppContext, dramas: tuple[str, ...], fmt: str) -> None:
    """Count, per drama, the tracks by match status, the OST parts and the artists, and in total.

    The last row, "(total)", counts an artist who sang for several dramas once.

    Example: ostkit stats --drama "Soundtrack #1" --format json
    """
    from ostkit.services import catalog

    store = _open_store(app)
    try:
        counts = catalog.stats(store, dramas)
    finally:
        store.close()
    if fmt == "json":
        click.echo(render_json(counts))
        return
    rows = [*counts["dramas"], {**counts["total"], "drama": "(total)"}]
    click.echo(render_table(rows, catalog.STATS_FIELDS, fmt))


COMMANDS: list[click.Command] = [
    import_cmd,
    add_cmd,
    rm_cmd,
    dramas_cmd,
    tracks_cmd,
    artists_cmd,
    export_cmd,
    stats_cmd,
]
