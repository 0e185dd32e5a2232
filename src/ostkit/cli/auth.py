"""`ostkit auth login|status|logout`: log in to Spotify with PKCE, show or forget the login."""

from __future__ import annotations

from typing import Any

import click

from ostkit.cli.context import AppContext
from ostkit.cli.output import format_option, render_json, render_table

STATUS_FIELDS = (
    "user_id",
    "display_name",
    "scopes",
    "expires_at",
    "logged_in_at",
    "source",
    "client_id",
    "token_file",
    "api_url",
)


@click.group("auth")
def auth_group() -> None:
    """Log in to Spotify, show the current login, or forget it.

    Example: ostkit auth login --no-browser
    """


@auth_group.command("login")
@click.option(
    "--no-browser",
    is_flag=True,
    help="Print the authorize URL on stdout instead of opening a browser.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=300,
    show_default=True,
    help="Seconds to wait for the browser to come back.",
)
@click.pass_obj
def login_command(app: AppContext, no_browser: bool, timeout: float) -> None:
    """Log in to Spotify (Authorization Code with PKCE) and save the token in $OSTKIT_HOME.

    Example: ostkit auth login --no-browser --timeout 120
    """
    from ostkit.services.auth import login

    settings = app.spotify_settings
    if settings.refresh_token:
        click.echo(
            "Note: OSTKIT_SPOTIFY_REFRESH_TOKEN is set and is used instead of this login; "
            "unset it to use the login you make now.",
            err=True,
        )

    def show_url(url: str) -> None:
        click.echo(url)  # data: the URL, on stdout (flushed by click.echo)

    def say(message: str) -> None:
        click.echo(message, err=True)

    info = login(
        settings,
        open_browser=not no_browser,
        timeout=timeout,
        show_url=show_url,
        say=say,
    )
    name = f" ({info['display_name']})" if info.get("display_name") else ""
    click.echo(f"Logged in as {info['user_id']}{name}; saved to {info['token_file']}", err=True)


@auth_group.command("status")
@click.option(
    "--offline",
    is_flag=True,
    help="Only read the saved login; do not ask Spotify (no refresh, no GET /me).",
)
@format_option(default="plain")
@click.pass_obj
def status_command(app: AppContext, offline: bool, fmt: str) -> None:
    """Show who is logged in, the granted scopes and the token expiry (never a token).

    The login itself (its refresh token) ends six months after logged_in_at.

    Exits with status 1 when not logged in. Example: ostkit auth status --format json
    """
    from ostkit.services.auth import status

    info: dict[str, Any] = status(app.spotify_settings, check=not offline)
    if fmt == "json":
        click.echo(render_json({"logged_in": True, **info}))
        return
    rows = [
        {"field": key, "value": " ".join(info[key]) if key == "scopes" else info.get(key)}
        for key in STATUS_FIELDS
    ]
    click.echo(render_table(rows, ("field", "value"), fmt))


@auth_group.command("logout")
@click.pass_obj
def logout_command(app: AppContext) -> None:
    """Forget the saved Spotify login (delete $OSTKIT_HOME/token.json).

    Example: ostkit auth logout
    """
    from ostkit.services.auth import logout

    settings = app.settings
    if logout(settings):
        click.echo(f"Logged out: removed {settings.token_path}", err=True)
    else:
        click.echo(f"Not logged in (no {settings.token_path}).", err=True)
    if settings.refresh_token:
        click.echo(
            "Note: OSTKIT_SPOTIFY_REFRESH_TOKEN is still set and will log you in again.",
            err=True,
        )
    click.echo(
        "To revoke ostkit's access on Spotify's side too: https://www.spotify.com/account/apps/",
        err=True,
    )


COMMANDS: list[click.Command] = [auth_group]
