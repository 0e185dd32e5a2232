"""`ostkit playlist` commands: show, push, list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ostkit.cli.output import (
    compact,
    echo_json_lines,
    format_option,
    plural,
    render_json,
    render_table,
    table,
)

if TYPE_CHECKING:
    from ostkit.cli.context import AppContext
    from ostkit.services.push import PushResult


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.group("playlist")
def playlist() -> None:
    """Show, push and list Spotify playlists defined by playlist files.

    Example: ostkit playlist push playlists/soundtrack-1.toml --dry-run
    """


SHOW_HEADERS = ("position", "id", "drama", "part", "title", "artist", "status", "uri", "note")


@playlist.command("show")
@click.argument("file", type=click.Path(dir_okay=False))
@format_option()
@click.pass_obj
def show(app: AppContext, file: str, fmt: str) -> None:
    """Show the tracklist a playlist file resolves to, with match status.

    Example: ostkit playlist show playlists/soundtrack-1.toml --format json
    """
    from ostkit.playlists.definition import load_playlist_file
    from ostkit.services.playlists import resolve_playlist, unmatched_warning
    from ostkit.store.catalog import CatalogStore

    definition = load_playlist_file(file)
    with CatalogStore.open(app.settings.db_path) as store:
        resolved = resolve_playlist(store, definition)
    rows = resolved.rows()
    if fmt == "json":
        click.echo(
            render_json(
                {
                    "name": definition.name,
                    "description": definition.description,
                    "public": definition.public,
                    "file": file,
                    "uris": len(resolved.wanted.uris),
                    "unmatched": len(resolved.wanted.unmatched),
                    "duplicates": len(resolved.wanted.duplicates),
                    "tracks": rows,
                }
            )
        )
    else:
        click.echo(table(rows, SHOW_HEADERS, fmt))  # tabulate only for other formats
        _say(
            f"{definition.name!r}: {len(resolved.wanted.uris)} of {len(rows)} tracks will be pushed"
        )
    warning = unmatched_warning(resolved)
    if warning:
        _say(f"Warning: {warning}")


def _print_result(result: PushResult) -> None:
    plan = result.plan
    if result.created:
        verb = "would create" if result.dry_run else "created"
        click.echo(f"{verb} playlist {result.playlist.name!r}")
    elif result.found_by_name:
        click.echo(f"found your playlist {result.playlist.name!r} on Spotify")
    if result.dry_run:
        for name, value in sorted(plan.details.items()):
            click.echo(f"  change {name} to {value!r}")
        for op in plan.ops:
            click.echo(f"  {op.describe()}")
    click.echo(plan.summary())
    if result.dry_run:
        click.echo(f"dry run: nothing sent ({plural(result.requests, 'read request')})")
        return
    click.echo(
        f"pushed {result.playlist.name!r}: {plural(len(result.resolved.wanted.uris), 'track')}, "
        f"{plural(result.writes_done, 'write')}, {plural(result.requests, 'request')}"
    )
    if result.url:
        click.echo(result.url)


@playlist.command("push")
@click.argument("file", type=click.Path(dir_okay=False), required=False)
@click.option("--drama", "dramas", multiple=True, help="Ad-hoc playlist: this drama's tracks.")
@click.option("--name", default=None, help="Name of the ad-hoc playlist (with --drama).")
@click.option("--public", is_flag=True, help="Ad-hoc playlist: list it on your profile.")
@click.option("--dry-run", is_flag=True, help="Print the plan; send no write to Spotify.")
@click.option("--strict", is_flag=True, help="Refuse when a track has no Spotify match.")
@click.pass_obj
def push(
    app: AppContext,
    file: str | None,
    dramas: tuple[str, ...],
    name: str | None,
    public: bool,
    dry_run: bool,
    strict: bool,
) -> None:
    """Make a Spotify playlist exactly match a playlist file (or some dramas).

    Creates the playlist on first push, then sends only the changes (none when unchanged).

    Example: ostkit playlist push playlists/soundtrack-1.toml

    Ad hoc: ostkit playlist push --drama "Soundtrack #1" --name "Soundtrack #1 OST"
    """
    if file and (dramas or name or public):
        raise click.UsageError("give either FILE or --drama/--name, not both")
    if not file and not (dramas and name):
        raise click.UsageError("give a playlist FILE, or --drama D (repeatable) and --name NAME")

    from ostkit.playlists.definition import adhoc_definition, load_playlist_file
    from ostkit.services.push import push_playlist
    from ostkit.spotify.client import SpotifyClient
    from ostkit.store.catalog import CatalogStore

    if file:
        definition = load_playlist_file(file)
    else:
        assert name is not None
        definition = adhoc_definition(dramas, name, public=public)
    settings = app.spotify_settings
    with CatalogStore.open(settings.db_path) as store:
        client = SpotifyClient.from_settings(settings)
        result = push_playlist(
            store, client, definition, dry_run=dry_run, strict=strict, progress=_say
        )
    _print_result(result)


LIST_HEADERS = ("name", "tracks", "url", "last_push", "file")


@playlist.command("list")
@format_option()
@click.pass_obj
def list_(app: AppContext, fmt: str) -> None:
    """List the playlists ostkit manages, with their Spotify URLs and last push.

    Example: ostkit playlist list --format json
    """
    from ostkit.services.playlists import list_playlists
    from ostkit.store.catalog import CatalogStore

    with CatalogStore.open(app.settings.db_path) as store:
        rows: list[dict[str, Any]] = list_playlists(store)
    if fmt == "json":
        echo_json_lines([compact(r) for r in rows])
    else:
        click.echo(render_table(rows, LIST_HEADERS, fmt))


COMMANDS: list[click.Command] = [playlist]
