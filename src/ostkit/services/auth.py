"""Login, status and logout: the use cases around the saved Spotify login."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ostkit.clock import iso_utc
from ostkit.errors import AuthError
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.oauth import (
    authorize_url,
    check_redirect_uri,
    listen,
    pkce_pair,
    wait_for_callback,
)
from ostkit.spotify.token_cache import TokenCache
from ostkit.spotify.tokens import TokenManager

if TYPE_CHECKING:
    from ostkit.config import Settings
    from ostkit.spotify.policy import NetPolicy


def login(
    settings: Settings,
    *,
    open_browser: bool = True,
    timeout: float = 300.0,
    show_url: Callable[[str], None],
    say: Callable[[str], None] = lambda message: None,
    browser: Callable[[str], bool] | None = None,
    policy: NetPolicy | None = None,
) -> dict[str, Any]:
    """Log in with Authorization Code + PKCE through a one-shot loopback listener.

    ``show_url`` receives the authorize URL when it must be opened by hand (``--no-browser``, or
    no browser could be started). Returns the saved login without secrets (see ``status``).
    """
    redirect = check_redirect_uri(settings.redirect_uri)
    manager = TokenManager.from_settings(settings, policy)
    client_id = manager.require_client_id()
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    server = listen(redirect)
    try:
        server.expected_state = state
        redirect_uri = redirect.uri(server.server_address[1])
        url = authorize_url(
            settings.accounts_url,
            client_id=client_id,
            redirect_uri=redirect_uri,
            challenge=challenge,
            state=state,
        )
        opened = False
        if open_browser:
            import webbrowser

            opener = browser or webbrowser.open
            try:
                opened = bool(opener(url))
            except webbrowser.Error:
                opened = False
        if opened:
            say("Opened the Spotify login page in your browser.")
        else:
            say("Open this URL in a browser and approve ostkit:")
            show_url(url)
        say(f"Waiting up to {timeout:g} s for Spotify to redirect to {redirect_uri} ...")
        result = wait_for_callback(server, timeout, redirect_uri)
    finally:
        server.server_close()
    if result.error or not result.code:
        raise AuthError(result.error or "login failed")
    manager.exchange_code(result.code, verifier, redirect_uri)
    return _identify(settings, manager)


def _identify(settings: Settings, manager: TokenManager) -> dict[str, Any]:
    client = SpotifyClient(api_url=settings.api_url, auth=manager, policy=manager.policy)
    manager.remember_user(client.current_user())
    return _describe(settings, manager)


def _describe(settings: Settings, manager: TokenManager) -> dict[str, Any]:
    info = manager.saved()
    for key in ("expires_at", "logged_in_at"):
        stamp = info.pop(key)
        info[key] = iso_utc(float(stamp)) if stamp else None
    info["token_file"] = str(settings.token_path)
    info["api_url"] = settings.api_url
    return info


def status(
    settings: Settings, *, check: bool = True, policy: NetPolicy | None = None
) -> dict[str, Any]:
    """The current login, without secrets. ``check`` asks Spotify (GET /me, refreshing the
    token if needed) so a revoked login shows up; raises AuthError when not logged in."""
    manager = TokenManager.from_settings(settings, policy)
    if check:
        return _identify(settings, manager)
    return _describe(settings, manager)


def logout(settings: Settings) -> bool:
    """Forget the saved login (token.json). True if there was one."""
    return TokenCache(settings.token_path).clear()
