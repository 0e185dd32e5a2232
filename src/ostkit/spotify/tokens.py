"""Spotify login tokens: the code exchange (Authorization Code with PKCE) and automatic refresh.

No client secret: ostkit is a public client. The token exchange and refresh are two form POSTs to
the accounts service, done here with ``requests`` (spotipy's ``SpotifyPKCE`` would fall back to an
interactive ``input()`` prompt and to its own blocking listener; spotipy stays the way the Web API
is called, in ``spotify.client``). ``TokenManager`` has spotipy's
``get_access_token(as_dict=False)`` so spotipy uses it as its auth manager.

Secrets (access/refresh tokens, the authorization code, the PKCE verifier) are never logged,
printed or put into an exception message.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from ostkit.errors import LOGIN_AGAIN, AuthError, ConfigError, SpotifyError, status_error
from ostkit.spotify.executor import Executor
from ostkit.spotify.policy import Failure, HttpStatusError, NetPolicy, parse_retry_after
from ostkit.spotify.token_cache import TokenCache
from ostkit.spotify.transport import one_line, plain_session, quiet_http_loggers

if TYPE_CHECKING:
    import requests

    from ostkit.config import Settings
    from ostkit.models import SpotifyUser

SCOPES = (
    "playlist-read-private",
    "playlist-read-collaborative",
    "playlist-modify-private",
    "playlist-modify-public",
)
SCOPE = " ".join(SCOPES)

#: a token closer than this to its expiry is refreshed before use
EXPIRY_MARGIN = 60.0


class TokenSource(Protocol):
    """What SpotifyClient needs from a login: a current token, a forced refresh, the scopes."""

    def get_access_token(self, as_dict: bool = False) -> str: ...

    def refresh(self) -> str: ...

    def ensure_login(self) -> None: ...

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

    def ensure_login(self) -> None:
        """A bare token is its own login."""

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
            policy=policy or NetPolicy.from_settings(settings),
        )

    @property
    def token_url(self) -> str:
        return f"{self.accounts_url}/api/token"

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = plain_session()
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

    def ensure_login(self) -> None:
        """Raise the login hint now when there is no client id or no login, before any work
        that would only fail at its first request (a login from the environment is traded
        for tokens here)."""
        self.require_client_id()
        with self._lock:
            self._current()

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

    def require_client_id(self) -> str:
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
            self.require_client_id()
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
        response = self._post_token({**form, "client_id": self.require_client_id()})
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

    def _post_token(self, data: dict[str, str]) -> requests.Response:
        """One token request under the network policy, through the same retry loop as the Web
        API. A 429 or 5xx answer is waited out and retried; any other answer is returned for
        ``_grant`` to read. ``retry="answered"``: a connection that dropped after sending is not
        retried, since the refresh may have gone through and rotated (revoked) the old token."""

        def send() -> requests.Response:
            self.token_requests += 1
            response = self.session.post(
                self.token_url,
                data=data,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                timeout=self.policy.timeout,
            )
            if response.status_code == 429 or response.status_code >= 500:
                raise HttpStatusError(
                    response.status_code,
                    response.reason,
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                )
            return response

        # Token requests go to the accounts service, not the Web API: no shared limiter.
        executor = Executor(self.policy, None, sleep=self._sleep)
        return executor.run(
            send, what="a Spotify token request", retry="answered", give_up=self._unavailable
        )

    def _unavailable(self, failure: Failure) -> SpotifyError:
        """The error once a token request stops on a network failure or a 5xx."""
        if failure.status is None:
            return SpotifyError(
                f"could not reach the Spotify accounts service at {self.accounts_url} "
                f"({failure.problem}); check the network and try again"
            )
        return self._in_trouble(failure.status, failure.message)

    def _in_trouble(self, status: int, phrase: str | None) -> SpotifyError:
        # An outage or a proxy's page: not the login's fault, so the login is kept.
        return status_error(
            status,
            f"the Spotify accounts service at {self.accounts_url} answered "
            f"{status} {phrase or ''}".rstrip()
            + "; it is having trouble or something is in the way: try again later",
        )

    def _token_error(
        self, response: requests.Response, grant: str, source: str, dead: str | None
    ) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if not body:
            raise self._in_trouble(response.status_code, response.reason)
        # An OAuth error code in the body says more than the status: each one below means the
        # login itself is at fault, so it is an AuthError whatever the status.
        error = str(body.get("error") or f"HTTP {response.status_code}")[:60]
        description = one_line(str(body.get("error_description") or ""))
        detail = f"{error}: {description}" if description else error
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
