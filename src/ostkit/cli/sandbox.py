"""`ostkit sandbox serve`: run the local Spotify look-alike to try ostkit without an account."""

from __future__ import annotations

import click

from ostkit.cli.output import plural


@click.group("sandbox")
def sandbox_group() -> None:
    """Run a local, in-memory Spotify (Web API + accounts) for trying ostkit offline.

    Example: ostkit sandbox serve --port 8700
    """


@sandbox_group.command("serve")
@click.option(
    "--corpus",
    "corpus",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Corpus JSON file to serve instead of the shipped OST corpus.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds added to every answer.",
)
def serve_command(corpus: str | None, port: int, latency: float) -> None:
    """Serve a sandbox Spotify on 127.0.0.1 until Ctrl-C; prints the environment lines to use it.

    Example: ostkit sandbox serve --port 8700   (then paste the printed export lines in a shell)
    """
    import time

    from ostkit.cli.context import stop_on_signals
    from ostkit.sandbox import Sandbox

    sandbox = Sandbox(corpus=corpus, port=port, latency=latency)
    sandbox.start()
    try:
        with stop_on_signals():
            refresh = sandbox.issue_refresh_token()
            # The refresh token is a secret of this throw-away sandbox only, so printing it is fine.
            lines = [
                f"export SPOTIPY_CLIENT_ID={sandbox.client_id}",
                "export SPOTIPY_REDIRECT_URI=http://127.0.0.1:8888/callback",
                f"export OSTKIT_SPOTIFY_API_URL={sandbox.api_url}",
                f"export OSTKIT_SPOTIFY_ACCOUNTS_URL={sandbox.accounts_url}",
                f"export OSTKIT_SPOTIFY_REFRESH_TOKEN={refresh}",
            ]
            click.echo("\n".join(lines))
            click.echo(
                f"Sandbox Spotify on {sandbox.base_url} "
                f"({plural(len(sandbox.corpus.tracks), 'track')}, "
                f"user {sandbox.user_id}); Ctrl-C stops it and forgets everything.",
                err=True,
            )
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("Sandbox stopped.", err=True)
    finally:
        sandbox.stop()


COMMANDS: list[click.Command] = [sandbox_group]
