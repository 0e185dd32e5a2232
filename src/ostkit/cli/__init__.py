"""The ``ostkit`` command line: a click group, shared options and one place that maps errors.

Command modules (catalog, auth, sandbox, match, playlist) only import click at the top; the
services they call are imported inside each command so that ``ostkit --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

import click

from ostkit import __version__
from ostkit.cli import auth, catalog, discover, match, playlist, sandbox
from ostkit.cli.context import AppContext
from ostkit.cli.output import terminal_text
from ostkit.errors import CancelledError, OstkitError

#: the exit status after Ctrl-C, as a shell reports a process ended by SIGINT (128 + 2)
INTERRUPTED = CancelledError.exit_code


class OstkitGroup(click.Group):
    """The one place that ends a command on an error: every ``OstkitError`` becomes a one-line
    ``Error: ...`` (control characters shown escaped) with the exit status its class names
    (1; 2 for a bad command-line value; 130 when the user stopped it), and Ctrl-C anywhere
    exits 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OstkitError as exc:
            click.echo(f"Error: {terminal_text(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(INTERRUPTED)


@click.group(cls=OstkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Catalog database file (default: $OSTKIT_HOME/catalog.db).",
)
@click.version_option(__version__, "-V", "--version", prog_name="ostkit")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Catalog TV-drama OSTs, match them to Spotify, keep playlists in sync.

    Example: ostkit import playlists/soundtrack-1.toml && ostkit artists "Soundtrack #1"
    """
    ctx.obj = AppContext(db=db)


for module in (catalog, auth, sandbox, match, playlist, discover):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli(prog_name="ostkit")
