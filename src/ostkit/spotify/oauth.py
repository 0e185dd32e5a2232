"""The login flow's pieces: the loopback redirect rule, PKCE, the authorize URL and the
one-shot callback listener."""

from __future__ import annotations

import base64
import hashlib
import http.server
import ipaddress
import secrets
import socket
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from ostkit.errors import AuthError, CancelledError, ConfigError
from ostkit.spotify.tokens import SCOPE

# --- login (Authorization Code with PKCE, own loopback listener) --------------------------------

LOOPBACK_RULE = (
    "Spotify accepts plain-http redirect URIs only for loopback IP literals, not 'localhost': "
    "use http://127.0.0.1:8888/callback (or http://[::1]:8888/callback) in SPOTIPY_REDIRECT_URI "
    "and register exactly that URI for the app in the Spotify Developer Dashboard"
)


@dataclass(frozen=True)
class Redirect:
    """Where the browser comes back to: a loopback IP literal, a port (0 = any free port)."""

    host: str
    port: int
    path: str
    #: the URI as configured: sent verbatim when it names a port (Spotify compares it exactly
    #: with the registered one, trailing slash and all)
    configured: str = ""

    def uri(self, port: int | None = None) -> str:
        if self.configured and self.port and port in (None, self.port):
            return self.configured
        host = f"[{self.host}]" if ":" in self.host else self.host
        parts = urllib.parse.urlsplit(self.configured or f"http://{host}{self.path}")
        netloc = f"{host}:{self.port if port is None else port}"
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def check_redirect_uri(uri: str) -> Redirect:
    """Validate ``SPOTIPY_REDIRECT_URI`` for a CLI login; raise ConfigError explaining the rule."""
    parts = urllib.parse.urlsplit(uri.strip())
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        raise ConfigError(f"SPOTIPY_REDIRECT_URI {uri} uses 'localhost'. {LOOPBACK_RULE}")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if parts.scheme not in ("http", "https") or address is None or not address.is_loopback:
        raise ConfigError(
            f"SPOTIPY_REDIRECT_URI {uri} is not a loopback address: ostkit receives the login on "
            f"this computer. {LOOPBACK_RULE}"
        )
    if parts.scheme != "http":
        raise ConfigError(
            f"SPOTIPY_REDIRECT_URI {uri}: ostkit's one-shot listener speaks plain http. "
            f"{LOOPBACK_RULE}"
        )
    try:
        port = parts.port or 0
    except ValueError:
        raise ConfigError(f"SPOTIPY_REDIRECT_URI {uri}: bad port") from None
    return Redirect(host=host, port=port, path=parts.path or "/", configured=uri.strip())


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier (86 chars of [A-Za-z0-9-_]) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return verifier, challenge


def authorize_url(
    accounts_url: str, *, client_id: str, redirect_uri: str, challenge: str, state: str
) -> str:
    """The consent page's URL, asking for every scope ostkit uses."""
    query = urllib.parse.urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "code_challenge_method": "S256",
            "code_challenge": challenge,
            "scope": SCOPE,
            "state": state,
        }
    )
    return f"{accounts_url.rstrip('/')}/authorize?{query}"


_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>ostkit</title></head>"
    "<body style='font-family:sans-serif'><h1>ostkit</h1><p>{text}</p></body></html>"
)


@dataclass
class Callback:
    """What the browser brought back: the authorization code, or why there is none."""

    code: str | None = None
    error: str | None = None  # an AuthError message


class CallbackServer(http.server.ThreadingHTTPServer):
    """One thread per connection: a browser's idle pre-connected socket must not hold up the
    real callback (a single-threaded server would wait on it)."""

    allow_reuse_address = True
    daemon_threads = True
    expected_path = "/"
    expected_state = ""
    result: Callback | None = None


class _CallbackHandler(http.server.BaseHTTPRequestHandler):
    server: CallbackServer
    timeout = 30  # an idle connection is dropped after this (its thread ends)

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        if parts.path != self.server.expected_path:
            self._answer(404, "Not the ostkit login callback.")
            return
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        result = Callback()
        state = params.get("state", "")
        if not secrets.compare_digest(state.encode(), self.server.expected_state.encode()):
            result.error = (
                "login failed: the browser came back with a wrong state (a stale or foreign "
                "login page); nothing was saved; run `ostkit auth login` again"
            )
        elif params.get("error") == "access_denied":
            result.error = (
                "login cancelled: access was denied on the Spotify consent page "
                "(error=access_denied); nothing was saved"
            )
        elif params.get("error"):
            result.error = (
                f"Spotify refused the login (error={params['error'][:80]}); check the client id, "
                "that the redirect URI is registered for the app and that your account is on "
                "the app's allow-list (Developer Dashboard > User Management)"
            )
        elif not params.get("code"):
            result.error = "login failed: the callback carried no authorization code"
        else:
            result.code = params["code"]
        if self.server.result is None:  # the first callback decides
            self.server.result = result
        if result.error:
            self._answer(400, "Login failed: " + result.error + ". You can close this tab.")
        else:
            self._answer(200, "Logged in. You can close this tab and return to the terminal.")

    def _answer(self, status: int, text: str) -> None:
        body = _PAGE.format(text=html_escape(text)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request line holds the authorization code."""


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


def listen(redirect: Redirect) -> CallbackServer:
    """The one-shot listener for the login callback, bound before the browser is opened."""
    server_class = CallbackServer
    if ":" in redirect.host:

        class _V6(CallbackServer):
            address_family = socket.AF_INET6

        server_class = _V6
    try:
        server = server_class((redirect.host, redirect.port), _CallbackHandler)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {redirect.uri()} for the login callback ({exc.strerror}): free "
            "that port or pick another in SPOTIPY_REDIRECT_URI (and register it for the app)"
        ) from None
    server.expected_path = redirect.path
    server.timeout = 0.2
    return server


def wait_for_callback(server: CallbackServer, timeout: float, redirect_uri: str) -> Callback:
    """Serve until the first callback arrives; AuthError on timeout, CancelledError on Ctrl-C."""
    deadline = time.monotonic() + timeout
    try:
        while server.result is None:
            if time.monotonic() >= deadline:
                raise AuthError(
                    f"login timed out after {timeout:g} s waiting for the browser to come back to "
                    f"{redirect_uri}; nothing was saved; run `ostkit auth login` again "
                    "(with --no-browser to open the printed URL yourself)"
                )
            server.handle_request()
    except KeyboardInterrupt:
        raise CancelledError("login cancelled (Ctrl-C); nothing was saved") from None
    return server.result
