"""Spotify login (Authorization Code with PKCE), the token cache and automatic refresh.

No client secret: ostkit is a public client. The token exchange and refresh are two form POSTs to
the accounts service, done here with ``requests`` (spotipy's ``SpotifyPKCE`` would fall back to an
interactive ``input()`` prompt and to its own blocking listener; spotipy stays the way the Web API
is called, in ``spotify.py``). ``TokenManager`` has spotipy's ``get_access_token(as_dict=False)``
so spotipy uses it as its auth manager.

Secrets (access/refresh tokens, the authorization code, the PKCE verifier) are never logged,
printed or put into an exception message.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import ipaddress
import json
import logging
import os
import re
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ostkit.errors import AuthError, ConfigError, SpotifyError
from ostkit.netpolicy import (
    HttpStatusError,
    NetPolicy,
    describe_network_error,
    never_sent,
    parse_retry_after,
    rate_limit_delay,
)

if TYPE_CHECKING:
    import requests

    from ostkit.config import Settings
    from ostkit.models import SpotifyUser

log = logging.getLogger("ostkit.auth")

SCOPES = (
    "playlist-read-private",
    "playlist-read-collaborative",
    "playlist-modify-private",
    "playlist-modify-public",
)
SCOPE = " ".join(SCOPES)

#: a token closer than this to its expiry is refreshed before use
EXPIRY_MARGIN = 60.0

LOGIN_AGAIN = "log in again: ostkit auth login"


_SECRET_RE = re.compile(
    r"(?P<key>Bearer\s+|['\"]?(?:access_token|refresh_token|code_verifier|code)['\"]?\s*[:=]\s*"
    r"['\"]?)(?P<secret>[A-Za-z0-9._~+/=-]{8,})"
)


def redact(text: str) -> str:
    """``text`` with bearer tokens, tokens, codes and verifiers replaced by ``<hidden>``."""
    return _SECRET_RE.sub(lambda m: m["key"] + "<hidden>", text)


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_REDACT = _Redact()
_NOISY = ("spotipy.client", "spotipy.oauth2", "spotipy.cache_handler", "urllib3.connectionpool")


def quiet_http_loggers() -> None:
    """spotipy logs request headers (the bearer token) at DEBUG and every HTTP error at ERROR;
    urllib3 logs URLs at DEBUG. ostkit reports errors itself, so both are silenced, and should
    someone turn them back on, their records still pass through ``redact``."""
    logging.getLogger("spotipy").setLevel(logging.CRITICAL + 10)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    for name in _NOISY:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)


# --- token cache ----------------------------------------------------------------------------------


class TokenCache:
    """``token.json``: created with mode 0600 (os.open, never wider) and replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, Any] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AuthError(f"{self.path}: cannot read the saved login ({exc.strerror})") from None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise AuthError(f"{self.path}: the saved login is damaged; {LOGIN_AGAIN}")
        for key in ("expires_at", "obtained_at", "logged_in_at"):
            value = data.get(key)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                data[key] = None  # hand-edited: unknown (an unknown expiry refreshes first)
        return data

    def save(self, info: dict[str, Any]) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise AuthError(f"{self.path}: cannot save the login ({exc.strerror})") from None
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(info, fh, indent=2, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise AuthError(f"{self.path}: cannot save the login ({exc.strerror})") from None
            raise

    def clear(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise AuthError(
                f"{self.path}: cannot remove the saved login ({exc.strerror})"
            ) from None
        return True


# --- tokens ---------------------------------------------------------------------------------------


class TokenSource(Protocol):
    """What SpotifyClient needs from a login: a current token, a forced refresh, the scopes."""

    def get_access_token(self, as_dict: bool = False) -> str: ...

    def refresh(self) -> str: ...

    @property
    def scopes(self) -> frozenset[str] | None: ...


class StaticToken:
    """A bare access token (tests, one-off scripts): no refresh, scopes unknown."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "StaticToken(<hidden>)"

    def get_access_token(self, as_dict: bool = False) -> str:
        return self._token

    def refresh(self) -> str:
        raise AuthError(f"the access token was refused and cannot be refreshed; {LOGIN_AGAIN}")

    @property
    def scopes(self) -> frozenset[str] | None:
        return None


def _margin(info: dict[str, Any]) -> float:
    """How long before expiry a token is refreshed: a minute, or a quarter of a short lifetime
    (a server handing out 20-s tokens should not cost a refresh per request)."""
    lifetime = float(info.get("expires_at") or 0) - float(info.get("obtained_at") or 0)
    return min(EXPIRY_MARGIN, max(0.0, lifetime / 4))


def _lifetime(expires_in: Any) -> float:
    """``expires_in`` in seconds: Spotify sends 3600; a missing, empty or garbled value is read
    as 3600, a number in a string as that number."""
    try:
        seconds = float(expires_in)
    except (TypeError, ValueError):
        return 3600.0
    return seconds if 0 <= seconds < 10**9 else 3600.0


def _fingerprint(secret: str) -> str:
    """A short one-way tag for a secret, to notice when OSTKIT_SPOTIFY_REFRESH_TOKEN changed."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _new_session() -> requests.Session:
    import requests

    return requests.Session()  # plain: no urllib3 retry adapter


class TokenManager:
    """The current login: loads ``token.json`` (or starts from a refresh token), refreshes it
    before expiry and after a 401, saves rotated refresh tokens, clears a revoked login.

    Thread-safe: one lock around loading and refreshing.
    """

    def __init__(
        self,
        *,
        client_id: str | None,
        accounts_url: str,
        cache: TokenCache | None,
        refresh_token: str | None = None,
        policy: NetPolicy | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client_id = client_id
        self.accounts_url = accounts_url.rstrip("/")
        self.cache = cache
        self._env_refresh_token = refresh_token
        self.policy = policy or NetPolicy()
        self._session = session
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.RLock()
        self._handed = threading.local()  # the access token each thread last sent
        self._info: dict[str, Any] | None = None
        self.token_requests = 0
        quiet_http_loggers()

    def __repr__(self) -> str:
        return f"TokenManager(client_id={self.client_id!r}, accounts_url={self.accounts_url!r})"

    @classmethod
    def from_settings(cls, settings: Settings, policy: NetPolicy | None = None) -> TokenManager:
        return cls(
            client_id=settings.client_id,
            accounts_url=settings.accounts_url,
            cache=TokenCache(settings.token_path),
            refresh_token=settings.refresh_token,
            policy=policy,
        )

    @property
    def token_url(self) -> str:
        return f"{self.accounts_url}/api/token"

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = _new_session()
        return self._session

    # -- the spotipy auth-manager interface

    def get_access_token(self, as_dict: bool = False) -> str:
        """A valid access token, refreshed first when it expires within a minute."""
        with self._lock:
            info = self._current()
            if float(info.get("expires_at") or 0) - self._clock() < _margin(info):
                info = self._refresh_locked()
            token = str(info["access_token"])
            self._handed.token = token
            return token

    def refresh(self) -> str:
        """Force a refresh (after a 401) and return the new access token. When several threads
        hit a 401 with the same token, only the first refreshes; the others get its result."""
        with self._lock:
            info = self._current()
            used = getattr(self._handed, "token", None)
            if used is not None and used != info.get("access_token"):
                token = str(info["access_token"])  # another thread already refreshed
            else:
                token = str(self._refresh_locked()["access_token"])
            self._handed.token = token
            return token

    @property
    def scopes(self) -> frozenset[str] | None:
        with self._lock:
            info = self._info
        granted = frozenset(str((info or {}).get("scope") or "").split())
        return granted or None  # unknown (no scope in the token answer): do not guess

    def saved(self) -> dict[str, Any]:
        """The current login without any secret: user, scopes, expiry, where it came from."""
        with self._lock:
            info = dict(self._current())
        return {
            "user_id": info.get("user_id"),
            "display_name": info.get("display_name"),
            "scopes": sorted(str(info.get("scope") or "").split()),
            "expires_at": info.get("expires_at"),
            "logged_in_at": info.get("logged_in_at"),
            "source": info.get("source", "login"),
            "client_id": info.get("client_id"),
            "accounts_url": info.get("accounts_url"),
        }

    def remember_user(self, user: SpotifyUser) -> None:
        """Store the user's id and name beside the tokens (for ``ostkit auth status``)."""
        with self._lock:
            info = dict(self._current())
            info["user_id"] = user.id
            info["display_name"] = user.display_name
            self._store(info)

    # -- login entry points

    def exchange_code(self, code: str, verifier: str, redirect_uri: str) -> None:
        """Trade an authorization code (+ PKCE verifier) for tokens and save them."""
        with self._lock:
            info = self._grant(
                {
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "code_verifier": verifier,
                },
                source="login",
            )
            self._store(info)

    # -- internals

    def _require_client_id(self) -> str:
        if not self.client_id:
            raise ConfigError(
                "SPOTIPY_CLIENT_ID is not set: create an app at https://developer.spotify.com/"
                "dashboard and set its client id in the environment or $OSTKIT_HOME/config.toml"
            )
        return self.client_id

    def _matches(self, info: dict[str, Any]) -> bool:
        return (
            info.get("client_id") in (None, self.client_id)
            and str(info.get("accounts_url", self.accounts_url)).rstrip("/") == self.accounts_url
        )

    def _current(self) -> dict[str, Any]:
        if self._info is not None:
            return self._info
        cached = self.cache.load() if self.cache else None
        env = self._env_refresh_token
        env_tag = _fingerprint(env) if env else None
        if (
            cached is not None
            and self._matches(cached)
            and (env is None or cached.get("seed") == env_tag)
        ):
            self._info = cached
        elif env:
            # Start from OSTKIT_SPOTIFY_REFRESH_TOKEN; later runs use the saved (rotated) token
            # for as long as the environment still holds the same refresh token.
            self._require_client_id()
            info = self._grant(
                {"grant_type": "refresh_token", "refresh_token": env},
                source="environment",
                previous={"refresh_token": env, "seed": env_tag},
            )
            self._store(info)
        elif cached is not None:
            where = self.cache.path if self.cache else "the token cache"
            raise AuthError(
                f"{where}: the saved Spotify login is for another app or server "
                f"(client id {cached.get('client_id')}, {cached.get('accounts_url')}); "
                f"{LOGIN_AGAIN}"
            )
        else:
            raise AuthError(
                "not logged in to Spotify: run `ostkit auth login` "
                "(or set OSTKIT_SPOTIFY_REFRESH_TOKEN)"
            )
        assert self._info is not None
        return self._info

    def _store(self, info: dict[str, Any]) -> None:
        self._info = info
        if self.cache is not None:
            self.cache.save(info)

    def _refresh_locked(self) -> dict[str, Any]:
        info = self._current()
        # Another ostkit process may have rotated the refresh token meanwhile: adopt its login.
        if self.cache is not None:
            with contextlib.suppress(AuthError):
                on_disk = self.cache.load()
                if (
                    on_disk is not None
                    and self._matches(on_disk)
                    and on_disk.get("refresh_token") != info.get("refresh_token")
                    and float(on_disk.get("expires_at") or 0) - self._clock() > EXPIRY_MARGIN
                    and on_disk.get("access_token") != info.get("access_token")
                ):
                    self._info = on_disk
                    return on_disk
        refresh_token = info.get("refresh_token")
        if not refresh_token:
            raise AuthError(f"the saved login has no refresh token; {LOGIN_AGAIN}")
        new = self._grant(
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            source=str(info.get("source", "login")),
            previous=info,
        )
        self._store(new)
        return new

    def _grant(
        self,
        form: dict[str, str],
        *,
        source: str,
        previous: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """POST /api/token; returns the new token info (rotated refresh token kept or taken)."""
        import requests

        client_id = self._require_client_id()
        data = {**form, "client_id": client_id}
        attempt = 0
        waits = 0
        while True:
            self.token_requests += 1
            try:
                response = self.session.post(
                    self.token_url,
                    data=data,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    timeout=self.policy.timeout,
                )
            except requests.RequestException as exc:
                # Only repeat a token request that certainly never reached the server: a refresh
                # that went through may have rotated (and so revoked) the old refresh token.
                if attempt < self.policy.max_retries and never_sent(exc):
                    self._sleep(self.policy.backoff(attempt))
                    attempt += 1
                    continue
                raise SpotifyError(
                    f"could not reach the Spotify accounts service at {self.accounts_url} "
                    f"({describe_network_error(exc)}); check the network and try again"
                ) from None
            if response.status_code == 429:
                # Same rule as the Web API: wait a short Retry-After, stop on a long one.
                delay = rate_limit_delay(
                    HttpStatusError(
                        429, retry_after=parse_retry_after(response.headers.get("Retry-After"))
                    ),
                    what="a Spotify token request",
                    policy=self.policy,
                    waits_so_far=waits,
                )
                waits += 1
                self._sleep(delay)
                continue
            if response.status_code >= 500 and attempt < self.policy.max_retries:
                self._sleep(self.policy.backoff(attempt))
                attempt += 1
                continue
            break
        if not 200 <= response.status_code < 300:
            self._token_error(response, form["grant_type"], source, form.get("refresh_token"))
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise AuthError(
                f"the Spotify accounts service at {self.accounts_url} sent an unreadable token "
                f"answer; {LOGIN_AGAIN}"
            )
        kept = ("user_id", "display_name", "logged_in_at")
        keep = {k: v for k, v in (previous or {}).items() if k in kept}
        if previous and previous.get("seed"):
            keep["seed"] = previous["seed"]
        now = self._clock()
        return {
            **keep,
            "access_token": body["access_token"],
            "token_type": body.get("token_type", "Bearer"),
            "scope": body.get("scope") or (previous or {}).get("scope") or "",
            "expires_at": int(now + _lifetime(body.get("expires_in"))),
            # A rotated refresh token replaces the old one; without one, the old one stays valid.
            "refresh_token": body.get("refresh_token") or (previous or {}).get("refresh_token"),
            "client_id": self.client_id,
            "accounts_url": self.accounts_url,
            "source": source,
            "obtained_at": int(now),
            # Refresh tokens expire six months after this, whatever the refreshes in between.
            "logged_in_at": keep.get("logged_in_at")
            or (int(now) if form["grant_type"] == "authorization_code" else None),
        }

    def _token_error(
        self, response: requests.Response, grant: str, source: str, dead: str | None
    ) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        error = str(body.get("error") or f"HTTP {response.status_code}")[:60]
        description = " ".join(str(body.get("error_description") or "").split())[:160]
        detail = f"{error}: {description}" if description else error
        if response.status_code >= 500 or not body:
            # A proxy's HTML page or an outage: not the login's fault, keep it.
            raise SpotifyError(
                f"the Spotify accounts service at {self.accounts_url} answered "
                f"{response.status_code} {response.reason or ''}".rstrip()
                + "; it is having trouble or something is in the way: try again later",
                status=response.status_code,
            )
        if error == "invalid_grant" and grant == "refresh_token":
            self._drop_login(dead)
            what = (
                "OSTKIT_SPOTIFY_REFRESH_TOKEN"
                if source == "environment"
                else "the saved Spotify login"
            )
            why = "when revoked and 6 months after login"
            if source == "environment":
                # Spotify rotates refresh tokens: one copied into the environment dies as soon
                # as another program or ostkit home has used it once.
                why = "when revoked, 6 months after login, and once used elsewhere (rotation)"
            raise AuthError(
                f"Spotify refused {what} ({detail}; refresh tokens stop working {why}); "
                f"{LOGIN_AGAIN}",
                status=response.status_code,
                reason=error,
            )
        if error == "invalid_grant":
            raise AuthError(
                f"Spotify refused the login code ({detail}); {LOGIN_AGAIN}",
                status=response.status_code,
                reason=error,
            )
        if error == "invalid_client":
            raise AuthError(
                f"Spotify does not accept client id {self.client_id} ({detail}): check "
                "SPOTIPY_CLIENT_ID against the app in the Developer Dashboard",
                status=response.status_code,
                reason=error,
            )
        raise AuthError(
            f"the Spotify token request failed ({response.status_code} {detail}); {LOGIN_AGAIN}",
            status=response.status_code,
            reason=error,
        )

    def _drop_login(self, dead: str | None) -> None:
        """A dead refresh token: forget it, and delete token.json if it still holds it."""
        self._info = None
        if self.cache is None:
            return
        try:
            on_disk = self.cache.load()
        except AuthError:  # damaged: nothing worth keeping
            self.cache.clear()
            return
        if on_disk is not None and on_disk.get("refresh_token") == dead:
            self.cache.clear()


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
class _Callback:
    code: str | None = None
    error: str | None = None  # an AuthError message


class _CallbackServer(http.server.ThreadingHTTPServer):
    """One thread per connection: a browser's idle pre-connected socket must not hold up the
    real callback (a single-threaded server would wait on it)."""

    allow_reuse_address = True
    daemon_threads = True
    expected_path = "/"
    expected_state = ""
    result: _Callback | None = None


class _CallbackHandler(http.server.BaseHTTPRequestHandler):
    server: _CallbackServer
    timeout = 30  # an idle connection is dropped after this (its thread ends)

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        if parts.path != self.server.expected_path:
            self._answer(404, "Not the ostkit login callback.")
            return
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        result = _Callback()
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


def _listen(redirect: Redirect) -> _CallbackServer:
    server_class = _CallbackServer
    if ":" in redirect.host:

        class _V6(_CallbackServer):
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


def _wait(server: _CallbackServer, timeout: float, redirect_uri: str) -> _Callback:
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
        raise AuthError("login cancelled (Ctrl-C); nothing was saved") from None
    return server.result


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
    client_id = manager._require_client_id()
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    server = _listen(redirect)
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
        result = _wait(server, timeout, redirect_uri)
    finally:
        server.server_close()
    if result.error or not result.code:
        raise AuthError(result.error or "login failed")
    manager.exchange_code(result.code, verifier, redirect_uri)
    return _identify(settings, manager, policy)


def _identify(
    settings: Settings, manager: TokenManager, policy: NetPolicy | None
) -> dict[str, Any]:
    from ostkit.spotify import SpotifyClient

    client = SpotifyClient(api_url=settings.api_url, auth=manager, policy=policy)
    manager.remember_user(client.current_user())
    return _describe(settings, manager)


def _describe(settings: Settings, manager: TokenManager) -> dict[str, Any]:
    info = manager.saved()
    for key in ("expires_at", "logged_in_at"):
        stamp = info.pop(key)
        info[key] = (
            datetime.fromtimestamp(float(stamp), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if stamp
            else None
        )
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
        return _identify(settings, manager, policy)
    return _describe(settings, manager)


def logout(settings: Settings) -> bool:
    """Forget the saved login (token.json). True if there was one."""
    return TokenCache(settings.token_path).clear()
