"""A strict in-memory Spotify Web API + accounts service on 127.0.0.1 (2026 Dev-Mode rules).

One ``ThreadingHTTPServer`` serves both the accounts endpoints (``/authorize``, ``/api/token``) and
the Web API (``/v1/...``). All state lives in this process and is guarded by one lock; answers
follow Spotify's status codes and body shapes, including the endpoints removed for Dev-Mode apps
(403). See the README's sandbox section for what is and is not emulated.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from ostkit.errors import OstkitError
from ostkit.sandbox import corpus as corpus_mod
from ostkit.sandbox.corpus import Album, Artist, Corpus, Track
from ostkit.sandbox.faults import Fault, RecordedRequest
from ostkit.sandbox.fields import FieldsError, Selection, apply_fields, parse_fields

DEFAULT_SCOPES: tuple[str, ...] = (
    "playlist-read-private",
    "playlist-read-collaborative",
    "playlist-modify-private",
    "playlist-modify-public",
)
# Every scope Spotify documents; anything else makes /authorize refuse with INVALID_SCOPE.
KNOWN_SCOPES = frozenset(
    {
        "ugc-image-upload",
        "user-read-playback-state",
        "user-modify-playback-state",
        "user-read-currently-playing",
        "app-remote-control",
        "streaming",
        "playlist-read-private",
        "playlist-read-collaborative",
        "playlist-modify-private",
        "playlist-modify-public",
        "user-follow-modify",
        "user-follow-read",
        "user-read-playback-position",
        "user-top-read",
        "user-read-recently-played",
        "user-library-modify",
        "user-library-read",
        "user-read-email",
        "user-read-private",
        "user-personalized",
        "user-soa-link",
        "user-soa-unlink",
        "soa-manage-entitlements",
        "soa-manage-partner",
        "soa-create-partner",
    }
)
DEFAULT_REDIRECT_URIS: tuple[str, ...] = (
    "http://127.0.0.1:8888/callback",
    # Registered without a port: Spotify then accepts any port on the loopback address.
    "http://127.0.0.1/callback",
    "http://[::1]/callback",
)
DEFAULT_USER_ID = "sandbox-user"
DEFAULT_USER_NAME = "Sandbox User"
ACCESS_TOKEN_LIFETIME = 3600
CODE_LIFETIME = 600
# Refresh tokens expire six months after the user's original authorization (June 2026 rule).
REFRESH_TOKEN_LIFETIME = 183 * 24 * 3600
MAX_PLAYLIST_ITEMS = 10_000
SECRET_FIELDS = frozenset(
    {"code", "code_verifier", "refresh_token", "client_secret", "access_token", "password"}
)
SEARCH_TYPES = ("album", "artist", "playlist", "track", "show", "episode", "audiobook")
_TRACK_URI = re.compile(r"^spotify:(track|episode):([0-9A-Za-z]{22})$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")
_MARKET = re.compile(r"^[A-Z]{2}$")


class SandboxError(OstkitError):
    """The sandbox could not start or was used wrongly."""


class ApiError(Exception):
    """Answer a Web API request with ``{"error": {"status", "message"[, "reason"]}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.headers = headers or {}


class OAuthError(Exception):
    """Answer a token request with ``{"error", "error_description"}`` (status 400)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps(data, ensure_ascii=False).encode()
        return cls(
            status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        )

    @classmethod
    def error(cls, status: int, message: str, reason: str | None = None, **headers: str) -> Reply:
        err: dict[str, Any] = {"status": status, "message": message}
        if reason is not None:
            err["reason"] = reason
        return cls.json(status, {"error": err}, headers)

    @classmethod
    def html(cls, status: int, text: str, headers: dict[str, str] | None = None) -> Reply:
        page = (
            "<!DOCTYPE html><html><head><title>Error</title></head>"
            f"<body><p>{text}</p></body></html>"
        )
        return cls(
            status, page.encode(), {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        )


@dataclass
class Client:
    id: str
    secret: str
    redirect_uris: list[str]
    # Development Mode allow-list (None: every user may use the app).
    allowed_users: set[str] | None = None

    def allows_redirect(self, uri: str) -> bool:
        return any(_redirect_matches(registered, uri) for registered in self.redirect_uris)


@dataclass
class User:
    id: str
    display_name: str | None


@dataclass
class AuthCode:
    client_id: str
    user_id: str
    redirect_uri: str
    challenge: str | None
    scopes: frozenset[str]
    expires_at: float
    used: bool = False
    issued: list[str] = field(default_factory=list)


@dataclass
class AccessToken:
    client_id: str
    user_id: str | None
    scopes: frozenset[str]
    expires_at: float
    revoked: bool = False


@dataclass
class RefreshToken:
    client_id: str
    user_id: str
    scopes: frozenset[str]
    authorized_at: float
    public_client: bool = True
    state: str = "active"  # active | used (rotated away) | revoked


@dataclass
class Entry:
    uri: str
    added_at: str
    added_by: str


@dataclass
class Playlist:
    id: str
    owner_id: str
    name: str
    description: str
    public: bool
    collaborative: bool
    entries: list[Entry] = field(default_factory=list)
    snapshots: list[str] = field(default_factory=list)
    collaborators: set[str] = field(default_factory=set)
    followers: set[str] = field(default_factory=set)

    @property
    def snapshot_id(self) -> str:
        return self.snapshots[-1]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        return None

    def form(self) -> dict[str, str]:
        ctype = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return {}
        parsed = parse_qs(self.raw.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def json_body(self) -> Any:
        """The parsed JSON body, or ``None`` for an empty one; 400 when it does not parse."""
        if not self.raw.strip():
            return None
        try:
            return json.loads(self.raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(400, "Error parsing JSON.") from None

    @property
    def language(self) -> str:
        header = self.headers.get("accept-language", "")
        first = header.split(",")[0].split(";")[0].strip().lower()
        return first.split("-")[0] if first else "en"


def _redirect_matches(registered: str, candidate: str) -> bool:
    reg, cand = urlsplit(registered), urlsplit(candidate)
    if cand.hostname in (None, "localhost"):
        return False  # Spotify refuses `localhost`: only loopback IP literals are allowed
    if registered == candidate:
        return True
    loopback = reg.hostname in ("127.0.0.1", "::1") and reg.scheme == "http"
    try:
        cand_port = cand.port
    except ValueError:
        return False
    return (
        loopback
        and reg.port is None
        and cand_port is not None
        and cand.scheme == reg.scheme
        and cand.hostname == reg.hostname
        and cand.path == reg.path
        and cand.query == reg.query
    )


def _random_token(prefix: str, nbytes: int = 48) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def _now_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: Sandbox


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "ostkit-sandbox"
    sys_version = ""
    timeout = 30
    # Buffer the answer so headers and body leave in one segment (flushed after each request);
    # separate small writes meet Nagle + delayed ACK and cost ~10 ms per request.
    wbufsize = 1 << 16

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.sandbox._track_connection(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.sandbox._track_connection(self.connection, add=False)

    def _serve(self) -> None:
        self.server.sandbox._serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        # The request line can carry an authorization code: never log it.
        return


Handler = Callable[[Request, AccessToken, dict[str, str]], Reply]


class Sandbox:
    """A Spotify look-alike on 127.0.0.1. Use as a context manager or call ``start``/``stop``."""

    def __init__(
        self,
        corpus: str | Path | None = None,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        latency: float = 0.0,
        load_default_corpus: bool = True,
        refresh_rotation: str = "rotate",
        legacy_track_field: bool = False,
        max_playlist_items: int = MAX_PLAYLIST_ITEMS,
        rate_limit: tuple[int, float] | None = None,
        quota: int | None = None,
    ) -> None:
        if refresh_rotation not in ("rotate", "reuse", "none"):
            raise SandboxError("refresh_rotation must be 'rotate', 'reuse' or 'none'")
        self.host = host
        self.port = port
        self.latency = latency
        # rotate: each refresh returns a new refresh token and invalidates the old one;
        # reuse: returns the same one; none: omits it (the post-2026-07 behaviour some report).
        self.refresh_rotation = refresh_rotation
        # Whether playlist entries also carry the deprecated `track` key (and playlists `tracks`).
        self.legacy_track_field = legacy_track_field
        self.max_playlist_items = max_playlist_items
        # Spotify's app-wide limit: at most N Web API requests in a rolling window of S seconds
        # (sandbox clock), else 429 with Retry-After until the oldest one leaves the window.
        self.rate_limit = rate_limit
        # A budget of Web API requests; once spent every call answers the QUOTA_EXCEEDED 429.
        self.quota = quota
        self._window: list[float] = []
        self._quota_used = 0
        # /authorize answers `error=access_denied` instead of a code while this is True.
        self.deny_authorization = False
        self._lock = threading.RLock()
        self._time_offset = 0.0
        self.corpus = Corpus()
        self._clients: dict[str, Client] = {}
        self._users: dict[str, User] = {}
        self._codes: dict[str, AuthCode] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, RefreshToken] = {}
        self._playlists: dict[str, Playlist] = {}
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        self._connections: set[socket.socket] = set()
        # Unexpected exceptions while answering (sandbox bugs); the fixtures assert it stays empty.
        self.internal_errors: list[str] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.user_id = self.add_user(DEFAULT_USER_ID, DEFAULT_USER_NAME)
        self.authorizing_user = self.user_id
        self.client_id = self.register_client()
        if corpus is not None:
            self.load_corpus(corpus)
        elif load_default_corpus:
            self.load_corpus(corpus_mod.DEFAULT_CORPUS)

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        try:
            server = _Server((self.host, self.port), _Handler)
        except OSError as exc:
            raise SandboxError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror}"
            ) from None
        server.sandbox = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _track_connection(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v1/"

    @property
    def accounts_url(self) -> str:
        return self.base_url

    @property
    def client_secret(self) -> str:
        return self._clients[self.client_id].secret

    # -- time -----------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self._time_offset

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward (expires tokens and codes without sleeping)."""
        with self._lock:
            self._time_offset += seconds

    # -- apps, users, tokens --------------------------------------------------------------
    def register_client(
        self,
        client_id: str | None = None,
        redirect_uris: Iterable[str] = DEFAULT_REDIRECT_URIS,
        allowed_users: Iterable[str] | None = None,
    ) -> str:
        """Register an app (like creating one in the dashboard); returns its client id."""
        client_id = client_id or secrets.token_hex(16)
        uris = list(redirect_uris)
        for uri in uris:
            parts = urlsplit(uri)
            if parts.hostname == "localhost" or (
                parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "::1")
            ):
                raise SandboxError(
                    f"redirect URI {uri} is refused: use https or a loopback IP literal "
                    "(http://127.0.0.1:PORT/... or http://[::1]:PORT/...), never localhost"
                )
        with self._lock:
            self._clients[client_id] = Client(
                client_id,
                secrets.token_hex(16),
                uris,
                set(allowed_users) if allowed_users is not None else None,
            )
        return client_id

    def add_user(self, user_id: str, display_name: str | None = None) -> str:
        with self._lock:
            self._users[user_id] = User(user_id, display_name)
        return user_id

    def issue_refresh_token(
        self,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        user_id: str | None = None,
        client_id: str | None = None,
    ) -> str:
        """A refresh token as if ``user_id`` had just authorized ``client_id`` with PKCE."""
        with self._lock:
            token = _random_token("AQ")
            self._refresh[token] = RefreshToken(
                client_id or self.client_id,
                self._known_user(user_id),
                frozenset(scopes),
                self.now(),
            )
            return token

    def issue_access_token(
        self,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        user_id: str | None = None,
        client_id: str | None = None,
        expires_in: float = ACCESS_TOKEN_LIFETIME,
    ) -> str:
        with self._lock:
            token = _random_token("BQ")
            self._access[token] = AccessToken(
                client_id or self.client_id,
                self._known_user(user_id),
                frozenset(scopes),
                self.now() + expires_in,
            )
            return token

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now."""
        with self._lock:
            for record in self._access.values():
                record.expires_at = min(record.expires_at, self.now() - 1)

    def revoke_refresh_tokens(self, user_id: str | None = None) -> None:
        """Revoke refresh tokens (all, or ``user_id``'s) as when a user removes the app."""
        with self._lock:
            for record in self._refresh.values():
                if user_id is None or record.user_id == user_id:
                    record.state = "revoked"

    def _known_user(self, user_id: str | None) -> str:
        user_id = user_id or self.user_id
        if user_id not in self._users:
            self._users[user_id] = User(user_id, None)
        return user_id

    # -- corpus ---------------------------------------------------------------------------
    def load_corpus(self, path: str | Path) -> int:
        """Add the tracks of a corpus JSON file (format in ``ostkit.sandbox.corpus``)."""
        data = corpus_mod.load_corpus_file(path)
        with self._lock:
            return self.corpus.load(data, str(path))

    def add_track(
        self,
        name: str,
        artists: Sequence[str | dict[str, Any]] = ("Sandbox Artist",),
        album: str | dict[str, Any] | None = None,
        **fields: Any,
    ) -> str:
        """Add one track (artists and album by name or as corpus dicts); returns its id."""
        data: dict[str, Any] = {"name": name, "artists": list(artists), **fields}
        if album is not None:
            data["album"] = album
        with self._lock:
            return self.corpus.add_track(data, where=f"add_track({name!r})").id

    # -- playlists (test helpers) ---------------------------------------------------------
    def create_playlist(
        self,
        name: str,
        owner: str | None = None,
        *,
        public: bool = False,
        collaborative: bool = False,
        description: str = "",
        uris: Iterable[str] = (),
        collaborators: Iterable[str] = (),
    ) -> str:
        with self._lock:
            owner = self._known_user(owner)
            playlist = self._new_playlist(owner, name, description, public, collaborative)
            stamp = _now_iso(self.now())
            playlist.entries = [Entry(uri, stamp, owner) for uri in uris]
            playlist.collaborators.update(collaborators)
            return playlist.id

    def playlist_items(self, playlist_id: str) -> list[str]:
        with self._lock:
            return [e.uri for e in self._playlists[playlist_id].entries]

    def playlist_snapshot(self, playlist_id: str) -> str:
        with self._lock:
            return self._playlists[playlist_id].snapshot_id

    def playlist_ids(self, owner: str | None = None) -> list[str]:
        with self._lock:
            return [p.id for p in self._playlists.values() if owner in (None, p.owner_id)]

    def _new_playlist(
        self, owner: str, name: str, description: str, public: bool, collaborative: bool
    ) -> Playlist:
        playlist_id = corpus_mod.make_id("playlist", secrets.token_hex(8))
        playlist = Playlist(playlist_id, owner, name, description, public, collaborative)
        playlist.followers.add(owner)
        self._bump(playlist)
        self._playlists[playlist_id] = playlist
        return playlist

    def _bump(self, playlist: Playlist) -> None:
        version = len(playlist.snapshots) + 1
        raw = version.to_bytes(4, "big") + secrets.token_bytes(20)
        playlist.snapshots.append(base64.b64encode(raw).decode())

    # -- faults and the request log -------------------------------------------------------
    def inject(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many recorded requests match ``method`` and ``path`` (a regex searched in it)."""
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path is None or re.search(path, r.path))
        )

    # -- HTTP -----------------------------------------------------------------------------
    def _serve(self, handler: _Handler) -> None:
        started = time.perf_counter()
        url = urlsplit(handler.path)
        path = url.path
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        query = parse_qs(url.query, keep_blank_values=True)
        try:
            length = int(handler.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        raw = handler.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        request = Request(handler.command, path, query, headers, raw)
        with self._lock:
            delay, reply, fault_name = self._respond(request)
        if delay > 0:
            time.sleep(delay)
        elapsed = time.perf_counter() - started
        self._record(request, reply, elapsed, fault_name)
        if reply.drop:
            handler.close_connection = True
            return
        handler.send_response(reply.status)
        for key, value in reply.headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(reply.body)

    def _record(
        self, request: Request, reply: Reply, elapsed: float, fault_name: str | None
    ) -> None:
        body: Any = None
        ctype = request.headers.get("content-type", "")
        if request.raw:
            if "x-www-form-urlencoded" in ctype:
                body = {
                    k: ("<redacted>" if k in SECRET_FIELDS else v)
                    for k, v in request.form().items()
                }
            else:
                try:
                    body = json.loads(request.raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    body = request.raw.decode("utf-8", "replace")
        query = {
            k: (["<redacted>"] * len(v) if k in SECRET_FIELDS else list(v))
            for k, v in request.query.items()
        }
        status = 0 if reply.drop else reply.status
        record = RecordedRequest(
            request.method, request.path, query, body, status, elapsed, fault_name
        )
        with self._lock:
            self._requests.append(record)

    def _respond(self, request: Request) -> tuple[float, Reply, str | None]:
        delay = self.latency
        chosen: Fault | None = None
        fired: list[str] = []
        for fault in self._faults:
            if fault.exhausted or not fault.matches(request.method, request.path):
                continue
            if fault.kind == "expire_token":
                token = request.bearer
                if token is None or token not in self._access:
                    continue
                if fault.take():
                    self._access[token].expires_at = self.now() - 1
                    fired.append(fault.kind)
            elif fault.kind == "revoke":
                form = request.form()
                if request.path != "/api/token" or form.get("grant_type") != "refresh_token":
                    continue
                if fault.take():
                    record = self._refresh.get(form.get("refresh_token", ""))
                    if record is not None:
                        record.state = "revoked"
                    fired.append(fault.kind)
            elif fault.kind == "latency":
                if fault.take():
                    delay += fault.seconds
                    fired.append(fault.kind)
            elif chosen is None and fault.take():
                chosen = fault
                fired.append(fault.kind)
        fault_name = ",".join(fired) or None
        if chosen is None and request.path.startswith("/v1/"):
            limited = self._limits()
            if limited is not None:
                return delay, _fault_reply(limited), limited.kind
        if chosen is not None and chosen.kind in ("rate_limit", "quota", "server_error"):
            return delay, _fault_reply(chosen), fault_name
        if chosen is not None and chosen.kind == "drop_connection" and not chosen.apply:
            return delay, Reply(0, drop=True), fault_name
        reply = self._route(request)
        if chosen is not None and chosen.kind == "drop_connection":
            return delay, Reply(0, drop=True), fault_name
        if chosen is not None and chosen.kind == "applied_then_error" and reply.status < 300:
            reply = _fault_reply(chosen)
        return delay, reply, fault_name

    def _limits(self) -> Fault | None:
        """The configured quota and rolling-window rate limit (None: the request may go on)."""
        if self.quota is not None:
            if self._quota_used >= self.quota:
                return Fault("quota")
            self._quota_used += 1
        if self.rate_limit is not None:
            count, window = self.rate_limit
            now = self.now()
            self._window = [t for t in self._window if t > now - window]
            if len(self._window) >= count:
                wait = max(1, math.ceil(self._window[0] + window - now))
                return Fault("rate_limit", retry_after=wait)
            self._window.append(now)
        return None

    def reset_quota(self) -> None:
        """Give the quota budget back (as when the quota period ends)."""
        with self._lock:
            self._quota_used = 0

    def _route(self, request: Request) -> Reply:
        try:
            if request.path == "/authorize":
                if request.method != "GET":
                    return Reply.html(405, "Method not allowed")
                return self._authorize(request)
            if request.path == "/api/token":
                if request.method != "POST":
                    return Reply.json(
                        405, {"error": "invalid_request", "error_description": "Use POST"}
                    )
                return self._token(request)
            if request.path.startswith("/v1/") or request.path == "/v1":
                return self._api(request)
            return Reply.error(404, "Service not found")
        except ApiError as exc:
            return Reply.error(exc.status, exc.message, exc.reason, **exc.headers)
        except OAuthError as exc:
            return Reply.json(
                exc.status, {"error": exc.error, "error_description": exc.description}
            )
        except Exception as exc:  # a sandbox bug: answer like Spotify's 500, keep it for tests
            self.internal_errors.append(f"{request.method} {request.path}: {exc!r}")
            return Reply.error(500, "Server error.")

    # -- accounts -------------------------------------------------------------------------
    def _authorize(self, request: Request) -> Reply:
        client = self._clients.get(request.param("client_id") or "")
        if client is None:
            return Reply.html(400, "INVALID_CLIENT: Invalid client")
        redirect_uri = request.param("redirect_uri") or ""
        if not redirect_uri or not client.allows_redirect(redirect_uri):
            return Reply.html(400, "INVALID_CLIENT: Invalid redirect URI")
        state = request.param("state")

        def back(**params: str) -> Reply:
            pairs = list(params.items())
            if state is not None:
                pairs.append(("state", state))
            sep = "&" if "?" in redirect_uri else "?"
            location = redirect_uri + sep + urlencode(pairs, quote_via=quote)
            return Reply(302, b"", {"Location": location, "Content-Type": "text/html"})

        if request.param("response_type") != "code":
            return back(
                error="unsupported_response_type",
                error_description="response_type must be code",
            )
        scopes = (request.param("scope") or "").replace(",", " ").split()
        unknown = [s for s in scopes if s not in KNOWN_SCOPES]
        if unknown:
            return Reply.html(400, "INVALID_SCOPE: Invalid scope")
        challenge = request.param("code_challenge")
        method = request.param("code_challenge_method")
        if challenge is not None or method is not None:
            if method != "S256":
                return back(
                    error="invalid_request",
                    error_description="code_challenge_method must be S256",
                )
            if challenge is None or not _CHALLENGE.match(challenge):
                return back(error="invalid_request", error_description="Invalid code_challenge")
        if self.deny_authorization:
            return back(error="access_denied")
        code = _random_token("AQ", 96)
        self._codes[code] = AuthCode(
            client.id,
            self._known_user(self.authorizing_user),
            redirect_uri,
            challenge,
            frozenset(scopes),
            self.now() + CODE_LIFETIME,
        )
        return back(code=code)

    def _token(self, request: Request) -> Reply:
        form = request.form()
        grant = form.get("grant_type")
        if not grant:
            raise OAuthError("unsupported_grant_type", "grant_type parameter is missing")
        if grant not in ("authorization_code", "refresh_token", "client_credentials"):
            raise OAuthError(
                "unsupported_grant_type",
                "grant_type must be client_credentials, authorization_code or refresh_token",
            )
        client, authenticated = self._token_client(request, form)
        if grant == "client_credentials":
            if not authenticated:
                raise OAuthError("invalid_client", "Invalid client secret")
            token = _random_token("BQ")
            self._access[token] = AccessToken(
                client.id, None, frozenset(), self.now() + ACCESS_TOKEN_LIFETIME
            )
            return _token_reply({"access_token": token, "token_type": "Bearer", "expires_in": 3600})
        if grant == "authorization_code":
            return self._token_from_code(client, authenticated, form)
        return self._token_from_refresh(client, authenticated, form)

    def _token_client(self, request: Request, form: dict[str, str]) -> tuple[Client, bool]:
        client_id = form.get("client_id")
        secret = form.get("client_secret")
        auth = request.headers.get("authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode()
                client_id, _, secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                raise OAuthError("invalid_client", "Invalid client") from None
        client = self._clients.get(client_id or "")
        if client is None:
            raise OAuthError("invalid_client", "Invalid client")
        if secret is not None and not secrets.compare_digest(secret, client.secret):
            raise OAuthError("invalid_client", "Invalid client secret")
        return client, secret is not None

    def _token_from_code(self, client: Client, authenticated: bool, form: dict[str, str]) -> Reply:
        code = form.get("code")
        if not code:
            raise OAuthError("invalid_request", "code must be supplied")
        redirect_uri = form.get("redirect_uri")
        if not redirect_uri:
            raise OAuthError("invalid_request", "redirect_uri must be supplied")
        record = self._codes.get(code)
        if record is None or record.client_id != client.id:
            raise OAuthError("invalid_grant", "Invalid authorization code")
        if record.used:
            # A replayed code also invalidates what the first exchange issued (RFC 6749 4.1.2).
            for token in record.issued:
                if token in self._access:
                    self._access[token].revoked = True
                elif token in self._refresh:
                    self._refresh[token].state = "revoked"
            raise OAuthError("invalid_grant", "Invalid authorization code")
        if record.expires_at <= self.now():
            raise OAuthError("invalid_grant", "Authorization code expired")
        if redirect_uri != record.redirect_uri:
            raise OAuthError("invalid_grant", "Invalid redirect URI")
        if record.challenge is not None:
            verifier = form.get("code_verifier")
            if not verifier:
                raise OAuthError("invalid_request", "code_verifier required")
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            if not secrets.compare_digest(expected, record.challenge):
                raise OAuthError("invalid_grant", "code_verifier was incorrect")
        elif not authenticated:
            raise OAuthError("invalid_client", "Invalid client secret")
        record.used = True
        access = _random_token("BQ")
        self._access[access] = AccessToken(
            client.id, record.user_id, record.scopes, self.now() + ACCESS_TOKEN_LIFETIME
        )
        refresh = _random_token("AQ")
        self._refresh[refresh] = RefreshToken(
            client.id,
            record.user_id,
            record.scopes,
            self.now(),
            public_client=record.challenge is not None,
        )
        record.issued += [access, refresh]
        return _token_reply(
            {
                "access_token": access,
                "token_type": "Bearer",
                "scope": " ".join(sorted(record.scopes)),
                "expires_in": ACCESS_TOKEN_LIFETIME,
                "refresh_token": refresh,
            }
        )

    def _token_from_refresh(
        self, client: Client, authenticated: bool, form: dict[str, str]
    ) -> Reply:
        token = form.get("refresh_token")
        if not token:
            raise OAuthError("invalid_request", "refresh_token must be supplied")
        record = self._refresh.get(token)
        if record is None or record.client_id != client.id:
            raise OAuthError("invalid_grant", "Invalid refresh token")
        if record.state != "active":
            raise OAuthError("invalid_grant", "Refresh token revoked")
        if self.now() - record.authorized_at > REFRESH_TOKEN_LIFETIME:
            raise OAuthError("invalid_grant", "Refresh token expired")
        if not record.public_client and not authenticated:
            raise OAuthError("invalid_client", "Invalid client secret")
        scopes = record.scopes
        if form.get("scope"):
            wanted = frozenset(form["scope"].split())
            if not wanted <= record.scopes:
                raise OAuthError("invalid_scope", "Invalid scope")
            scopes = wanted
        access = _random_token("BQ")
        self._access[access] = AccessToken(
            client.id, record.user_id, scopes, self.now() + ACCESS_TOKEN_LIFETIME
        )
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "scope": " ".join(sorted(scopes)),
            "expires_in": ACCESS_TOKEN_LIFETIME,
        }
        if self.refresh_rotation == "rotate":
            new = _random_token("AQ")
            self._refresh[new] = RefreshToken(
                client.id, record.user_id, record.scopes, record.authorized_at, record.public_client
            )
            record.state = "used"
            body["refresh_token"] = new
        elif self.refresh_rotation == "reuse":
            body["refresh_token"] = token
        return _token_reply(body)

    # -- Web API --------------------------------------------------------------------------
    def _api(self, request: Request) -> Reply:
        path = request.path
        for methods, pattern in REMOVED:
            if (methods is None or request.method in methods) and re.fullmatch(pattern, path):
                self._authenticate(request)
                raise ApiError(403, "Forbidden")
        allowed = False
        for method, pattern, name in ROUTES:
            match = re.fullmatch(pattern, path)
            if match is None:
                continue
            allowed = True
            if method != request.method:
                continue
            token = self._authenticate(request)
            handler: Handler = getattr(self, name)
            return handler(request, token, match.groupdict())
        if allowed:
            return Reply.error(405, "Method not allowed")
        return Reply.error(404, "Service not found")

    def _authenticate(self, request: Request) -> AccessToken:
        auth = request.headers.get("authorization")
        if not auth:
            raise ApiError(401, "No token provided")
        token = request.bearer
        if token is None:
            raise ApiError(400, "Only valid bearer authentication supported")
        record = self._access.get(token)
        if record is None or record.revoked:
            raise ApiError(
                401,
                "Invalid access token",
                headers={"WWW-Authenticate": 'Bearer realm="spotify", error="invalid_token"'},
            )
        if record.expires_at <= self.now():
            raise ApiError(
                401,
                "The access token expired",
                headers={
                    "WWW-Authenticate": 'Bearer realm="spotify", error="invalid_token", '
                    'error_description="The access token expired"'
                },
            )
        client = self._clients.get(record.client_id)
        if (
            client is not None
            and client.allowed_users is not None
            and record.user_id is not None
            and record.user_id not in client.allowed_users
        ):
            raise ApiError(
                403,
                "Check settings on developer.spotify.com/dashboard, "
                "the user may not be registered.",
            )
        return record

    def _user_of(self, token: AccessToken) -> str:
        if token.user_id is None:
            raise ApiError(401, "Valid user authentication required")
        return token.user_id

    # objects ------------------------------------------------------------------------------
    def _name(self, item: Track | Album | Artist, lang: str) -> str:
        return item.names.get(lang, item.name) if lang != "en" else item.name

    def _artist_simple(self, artist: Artist, lang: str) -> dict[str, Any]:
        return {
            "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist.id}"},
            "href": f"{self.api_url}artists/{artist.id}",
            "id": artist.id,
            "name": self._name(artist, lang),
            "type": "artist",
            "uri": f"spotify:artist:{artist.id}",
        }

    def _artist_full(self, artist: Artist, lang: str) -> dict[str, Any]:
        # followers, genres and popularity are gone for Dev-Mode apps.
        return {**self._artist_simple(artist, lang), "images": []}

    def _album_simple(self, album: Album, lang: str) -> dict[str, Any]:
        # available_markets, album_group, label and popularity are gone for Dev-Mode apps.
        return {
            "album_type": album.album_type,
            "total_tracks": self.corpus.album_total(album),
            "external_urls": {"spotify": f"https://open.spotify.com/album/{album.id}"},
            "href": f"{self.api_url}albums/{album.id}",
            "id": album.id,
            "images": [],
            "name": self._name(album, lang),
            "release_date": album.release_date,
            "release_date_precision": album.release_date_precision,
            "type": "album",
            "uri": f"spotify:album:{album.id}",
            "artists": [
                self._artist_simple(self.corpus.artists[a], lang) for a in album.artist_ids
            ],
        }

    def _track_simple(self, track: Track, lang: str, market: str | None) -> dict[str, Any]:
        # popularity, available_markets, linked_from and preview_url are gone for Dev-Mode apps.
        obj: dict[str, Any] = {
            "artists": [
                self._artist_simple(self.corpus.artists[a], lang) for a in track.artist_ids
            ],
            "disc_number": track.disc_number,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "external_urls": {"spotify": f"https://open.spotify.com/track/{track.id}"},
            "href": f"{self.api_url}tracks/{track.id}",
            "id": track.id,
            "is_local": False,
            "name": self._name(track, lang),
            "track_number": track.track_number,
            "type": "track",
            "uri": f"spotify:track:{track.id}",
        }
        if market is not None:
            obj["is_playable"] = True
        return obj

    def _track_full(self, track: Track, lang: str, market: str | None) -> dict[str, Any]:
        obj = self._track_simple(track, lang, market)
        obj["album"] = self._album_simple(self.corpus.albums[track.album_id], lang)
        # external_ids came back in March 2026.
        obj["external_ids"] = {"isrc": track.isrc} if track.isrc else {}
        return obj

    def _user_public(self, user_id: str) -> dict[str, Any]:
        return {
            "external_urls": {"spotify": f"https://open.spotify.com/user/{user_id}"},
            "href": f"{self.api_url}users/{user_id}",
            "id": user_id,
            "type": "user",
            "uri": f"spotify:user:{user_id}",
        }

    def _owner(self, user_id: str) -> dict[str, Any]:
        user = self._users.get(user_id)
        return {**self._user_public(user_id), "display_name": user.display_name if user else None}

    def _paging(
        self,
        path: str,
        items: list[Any],
        total: int,
        offset: int,
        limit: int,
        extra: Sequence[tuple[str, str]] = (),
    ) -> dict[str, Any]:
        def link(off: int) -> str:
            params = [("offset", str(off)), ("limit", str(limit)), *extra]
            return f"{self.api_url}{path}?{urlencode(params, quote_via=quote)}"

        return {
            "href": link(offset),
            "items": items,
            "limit": limit,
            "next": link(offset + limit) if offset + limit < total else None,
            "offset": offset,
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "total": total,
        }

    # endpoints ----------------------------------------------------------------------------
    def me(self, request: Request, token: AccessToken, _: dict[str, str]) -> Reply:
        user_id = self._user_of(token)
        user = self._users[user_id]
        # country, email, explicit_content, followers and product are gone for Dev-Mode apps.
        return Reply.json(
            200,
            {
                "display_name": user.display_name,
                "external_urls": {"spotify": f"https://open.spotify.com/user/{user_id}"},
                "href": f"{self.api_url}users/{user_id}",
                "id": user_id,
                "images": [],
                "type": "user",
                "uri": f"spotify:user:{user_id}",
                "account_id": corpus_mod.make_id("account", user_id)[:10],
            },
        )

    def search(self, request: Request, token: AccessToken, _: dict[str, str]) -> Reply:
        q = request.param("q")
        if q is None:
            q = request.param("query")
        if not q or not q.strip():
            raise ApiError(400, "No search query")
        type_param = request.param("type")
        if not type_param:
            raise ApiError(400, "Missing parameter type")
        types = [t.strip() for t in type_param.split(",")]
        for t in types:
            if t not in SEARCH_TYPES:
                raise ApiError(400, f"Bad search type field {t}")
        limit = _int_param(request, "limit", 5, 1, 10, "Invalid limit")
        offset = _int_param(request, "offset", 0, 0, 1000, "Invalid offset")
        market = _market(request)
        lang = request.language
        parsed = corpus_mod.parse_query(q)
        extra: list[tuple[str, str]] = [("query", q)]
        if market:
            extra.append(("market", market))
        result: dict[str, Any] = {}
        for t in SEARCH_TYPES:
            if t not in types:
                continue
            items: list[Any]
            if t == "track":
                found_t = corpus_mod.search_tracks(self.corpus, parsed)
                items = [
                    self._track_full(x, lang, market) for x in found_t[offset : offset + limit]
                ]
                total = len(found_t)
            elif t == "album":
                found_a = corpus_mod.search_albums(self.corpus, parsed)
                items = [self._album_simple(x, lang) for x in found_a[offset : offset + limit]]
                total = len(found_a)
            elif t == "artist":
                found_r = corpus_mod.search_artists(self.corpus, parsed)
                items = [self._artist_full(x, lang) for x in found_r[offset : offset + limit]]
                total = len(found_r)
            else:
                items, total = [], 0
            result[t + "s"] = self._paging(
                "search", items, total, offset, limit, [*extra, ("type", t)]
            )
        return Reply.json(200, result)

    def track(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        track = self.corpus.tracks.get(_valid_id(args["id"]))
        market = _market(request)
        if track is None:
            raise ApiError(404, "Resource not found")
        return Reply.json(200, self._track_full(track, request.language, market))

    def album(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        album = self.corpus.albums.get(_valid_id(args["id"]))
        market = _market(request)
        if album is None:
            raise ApiError(404, "Resource not found")
        lang = request.language
        tracks = self.corpus.album_tracks(album.id)
        page = self._paging(
            f"albums/{album.id}/tracks",
            [self._track_simple(t, lang, market) for t in tracks[:50]],
            len(tracks),
            0,
            50,
        )
        obj = self._album_simple(album, lang)
        obj.update(
            {
                "tracks": page,
                "copyrights": [],
                "external_ids": {"upc": album.upc} if album.upc else {},
            }
        )
        return Reply.json(200, obj)

    def album_tracks(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        album = self.corpus.albums.get(_valid_id(args["id"]))
        limit = _int_param(request, "limit", 20, 1, 50, "Invalid limit")
        offset = _int_param(request, "offset", 0, 0, 10_000, "Invalid offset")
        market = _market(request)
        if album is None:
            raise ApiError(404, "Resource not found")
        tracks = self.corpus.album_tracks(album.id)
        items = [self._track_simple(t, request.language, market) for t in tracks[offset:][:limit]]
        extra = [("market", market)] if market else []
        return Reply.json(
            200,
            self._paging(f"albums/{album.id}/tracks", items, len(tracks), offset, limit, extra),
        )

    def artist(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        artist = self.corpus.artists.get(_valid_id(args["id"]))
        if artist is None:
            raise ApiError(404, "Resource not found")
        return Reply.json(200, self._artist_full(artist, request.language))

    # playlists ----------------------------------------------------------------------------
    def _playlist(self, playlist_id: str) -> Playlist:
        playlist = self._playlists.get(_valid_id(playlist_id))
        if playlist is None:
            raise ApiError(404, "Resource not found")
        return playlist

    @staticmethod
    def _is_member(playlist: Playlist, user_id: str) -> bool:
        return user_id == playlist.owner_id or (
            playlist.collaborative and user_id in playlist.collaborators
        )

    @staticmethod
    def _need_scope(token: AccessToken, *scopes: str) -> None:
        if not set(scopes) <= token.scopes:
            raise ApiError(403, "Insufficient client scope")

    def _need_write(self, token: AccessToken, playlist: Playlist) -> str:
        user_id = self._user_of(token)
        if playlist.collaborative:
            self._need_scope(token, "playlist-modify-private", "playlist-modify-public")
        elif playlist.public:
            self._need_scope(token, "playlist-modify-public")
        else:
            self._need_scope(token, "playlist-modify-private")
        if not self._is_member(playlist, user_id):
            raise ApiError(403, "Forbidden")
        return user_id

    def _entry(self, entry: Entry, lang: str, market: str | None) -> dict[str, Any]:
        kind, item_id = entry.uri.split(":")[1:3]
        track = self.corpus.tracks.get(item_id) if kind == "track" else None
        item = self._track_full(track, lang, market) if track is not None else None
        obj: dict[str, Any] = {
            "added_at": entry.added_at,
            "added_by": self._user_public(entry.added_by),
            "is_local": False,
            "item": item,
        }
        if self.legacy_track_field:
            obj["track"] = item
        return obj

    def _items_page(
        self, playlist: Playlist, offset: int, limit: int, lang: str, market: str | None
    ) -> dict[str, Any]:
        entries = playlist.entries[offset : offset + limit]
        extra = [("market", market)] if market else []
        return self._paging(
            f"playlists/{playlist.id}/items",
            [self._entry(e, lang, market) for e in entries],
            len(playlist.entries),
            offset,
            limit,
            extra,
        )

    def _playlist_base(self, playlist: Playlist) -> dict[str, Any]:
        return {
            "collaborative": playlist.collaborative,
            "description": playlist.description,
            "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist.id}"},
            "href": f"{self.api_url}playlists/{playlist.id}",
            "id": playlist.id,
            "images": [],
            "name": playlist.name,
            "owner": self._owner(playlist.owner_id),
            "public": playlist.public,
            "snapshot_id": playlist.snapshot_id,
            "type": "playlist",
            "uri": f"spotify:playlist:{playlist.id}",
        }

    def _playlist_full(
        self, playlist: Playlist, user_id: str, lang: str, market: str | None
    ) -> dict[str, Any]:
        obj = self._playlist_base(playlist)
        obj["followers"] = {"href": None, "total": len(playlist.followers)}
        # Dev Mode: contents only for playlists the user owns or collaborates on.
        if self._is_member(playlist, user_id):
            page = self._items_page(playlist, 0, 100, lang, market)
            obj["items"] = page
            if self.legacy_track_field:
                obj["tracks"] = page
        return obj

    def my_playlists(self, request: Request, token: AccessToken, _: dict[str, str]) -> Reply:
        user_id = self._user_of(token)
        self._need_scope(token, "playlist-read-private")
        limit = _int_param(request, "limit", 20, 1, 50, "Invalid limit")
        offset = _int_param(request, "offset", 0, 0, 100_000, "Invalid offset")
        mine = [
            p
            for p in reversed(self._playlists.values())
            if user_id in p.followers
            or (
                p.collaborative
                and user_id in p.collaborators
                and "playlist-read-collaborative" in token.scopes
            )
        ]
        items = []
        for playlist in mine[offset : offset + limit]:
            obj = self._playlist_base(playlist)
            ref = {
                "href": f"{self.api_url}playlists/{playlist.id}/items",
                "total": len(playlist.entries),
            }
            obj["items"] = ref
            if self.legacy_track_field:
                obj["tracks"] = ref
            items.append(obj)
        return Reply.json(200, self._paging("me/playlists", items, len(mine), offset, limit))

    def create_playlist_api(self, request: Request, token: AccessToken, _: dict[str, str]) -> Reply:
        user_id = self._user_of(token)
        body = request.json_body()
        if not isinstance(body, dict):
            raise ApiError(400, "Missing required field: name")
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "Missing required field: name")
        public = body.get("public", True)
        collaborative = body.get("collaborative", False)
        if not isinstance(public, bool) or not isinstance(collaborative, bool):
            raise ApiError(400, "public and collaborative must be booleans")
        if collaborative and public:
            raise ApiError(400, "Collaborative playlists can only be private.")
        description = _description(body.get("description", ""))
        if collaborative:
            self._need_scope(token, "playlist-modify-private", "playlist-modify-public")
        else:
            self._need_scope(
                token, "playlist-modify-public" if public else "playlist-modify-private"
            )
        playlist = self._new_playlist(user_id, name, description, public, collaborative)
        obj = self._playlist_full(playlist, user_id, request.language, None)
        return Reply.json(201, obj)

    def get_playlist(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        playlist = self._playlist(args["id"])
        market = _market(request)
        selection = _fields(request)
        user_id = token.user_id or ""
        obj = self._playlist_full(playlist, user_id, request.language, market)
        return Reply.json(200, apply_fields(obj, selection))

    def change_details(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        playlist = self._playlist(args["id"])
        user_id = self._user_of(token)
        body = request.json_body()
        if not isinstance(body, dict):
            raise ApiError(400, "Error parsing JSON.")
        public = body.get("public", playlist.public)
        collaborative = body.get("collaborative", playlist.collaborative)
        if not isinstance(public, bool) or not isinstance(collaborative, bool):
            raise ApiError(400, "public and collaborative must be booleans")
        name = body.get("name", playlist.name)
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "Invalid playlist name")
        description = _description(body.get("description", playlist.description))
        if collaborative and public:
            raise ApiError(400, "Collaborative playlists can only be private.")
        for flag in {playlist.public, public}:
            self._need_scope(token, "playlist-modify-public" if flag else "playlist-modify-private")
        if user_id != playlist.owner_id:
            raise ApiError(403, "Forbidden")
        playlist.name, playlist.description = name, description
        playlist.public, playlist.collaborative = public, collaborative
        self._bump(playlist)
        return Reply(200)

    def get_items(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        playlist = self._playlist(args["id"])
        user_id = self._user_of(token)
        self._need_scope(token, "playlist-read-private")
        limit = _int_param(request, "limit", 20, 1, 50, "Invalid limit")
        offset = _int_param(request, "offset", 0, 0, 10**6, "Invalid offset")
        market = _market(request)
        selection = _fields(request)
        if not self._is_member(playlist, user_id):
            raise ApiError(403, "Forbidden")
        page = self._items_page(playlist, offset, limit, request.language, market)
        return Reply.json(200, apply_fields(page, selection))

    def _uris(self, request: Request, body: Any) -> list[str] | None:
        """URIs from the ``uris`` query (wins) or the body (``{"uris": [...]}`` or a bare list)."""
        query = request.param("uris")
        if query is not None:
            return [u for u in query.split(",") if u]
        if isinstance(body, list):
            uris = body
        elif isinstance(body, dict) and "uris" in body:
            uris = body["uris"]
        else:
            return None
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise ApiError(400, "uris must be a list of Spotify URIs")
        return list(uris)

    def _check_uris(self, uris: list[str], verb: str) -> None:
        if len(uris) > 100:
            raise ApiError(400, f"You can {verb} a maximum of 100 tracks per request.")
        for uri in uris:
            match = _TRACK_URI.match(uri)
            if match is None:
                raise ApiError(400, f"Invalid track uri: {uri}")
            if match.group(1) != "track" or match.group(2) not in self.corpus.tracks:
                raise ApiError(400, "Payload contains a non-existing ID")

    def _check_size(self, count: int) -> None:
        # The old reference: more than 10 000 items answers 403 Forbidden.
        if count > self.max_playlist_items:
            raise ApiError(403, f"Playlist size limit reached ({self.max_playlist_items} items)")

    def add_items(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        playlist = self._playlist(args["id"])
        body = request.json_body() if request.param("uris") is None else None
        user_id = self._need_write(token, playlist)
        uris = self._uris(request, body)
        if uris is None:
            raise ApiError(400, "No uris provided")
        self._check_uris(uris, "add")
        position: Any = request.param("position")
        if position is None and isinstance(body, dict):
            position = body.get("position")
        if position is not None:
            try:
                position = int(position)
            except (TypeError, ValueError):
                raise ApiError(400, "Invalid position") from None
            if not 0 <= position <= len(playlist.entries):
                raise ApiError(400, "Index out of bounds")
        self._check_size(len(playlist.entries) + len(uris))
        stamp = _now_iso(self.now())
        new = [Entry(uri, stamp, user_id) for uri in uris]
        at = len(playlist.entries) if position is None else position
        playlist.entries[at:at] = new
        self._bump(playlist)
        return Reply.json(201, {"snapshot_id": playlist.snapshot_id})

    def put_items(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        playlist = self._playlist(args["id"])
        body = request.json_body()
        self._need_write(token, playlist)
        uris = self._uris(request, body if isinstance(body, dict) else None)
        reorder = isinstance(body, dict) and "range_start" in body
        if reorder and uris is not None:
            raise ApiError(400, "Replace and reorder cannot be combined")
        if reorder:
            assert isinstance(body, dict)
            self._reorder(playlist, body)
        else:
            if uris is None:
                raise ApiError(400, "No uris provided")
            self._check_uris(uris, "set")
            stamp = _now_iso(self.now())
            user_id = self._user_of(token)
            playlist.entries = [Entry(uri, stamp, user_id) for uri in uris]
        self._bump(playlist)
        return Reply.json(200, {"snapshot_id": playlist.snapshot_id})

    def _reorder(self, playlist: Playlist, body: dict[str, Any]) -> None:
        start, before = body.get("range_start"), body.get("insert_before")
        length = body.get("range_length", 1)
        for value in (start, before, length):
            if not isinstance(value, int) or isinstance(value, bool):
                raise ApiError(400, "range_start, insert_before and range_length must be integers")
        assert isinstance(start, int) and isinstance(before, int) and isinstance(length, int)
        self._check_snapshot(playlist, body)
        size = len(playlist.entries)
        if length < 1 or start < 0 or start + length > size or not 0 <= before <= size:
            raise ApiError(400, "Index out of bounds")
        moved = playlist.entries[start : start + length]
        rest = playlist.entries[:start] + playlist.entries[start + length :]
        target = before if before <= start else before - length
        playlist.entries = rest[:target] + moved + rest[target:]

    @staticmethod
    def _check_snapshot(playlist: Playlist, body: dict[str, Any]) -> None:
        snapshot = body.get("snapshot_id")
        if snapshot is not None and snapshot not in playlist.snapshots:
            raise ApiError(400, "Invalid snapshot id")

    def remove_items(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        playlist = self._playlist(args["id"])
        body = request.json_body()
        self._need_write(token, playlist)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            # The pre-2026 key was `tracks`; Dev-Mode apps must send `items`.
            raise ApiError(400, "Missing items")
        items = body["items"]
        if len(items) > 100:
            raise ApiError(400, "You can remove a maximum of 100 tracks per request.")
        self._check_snapshot(playlist, body)
        removals: list[tuple[str, list[int] | None]] = []
        for item in items:
            uri = item.get("uri") if isinstance(item, dict) else None
            if not isinstance(uri, str) or _TRACK_URI.match(uri) is None:
                raise ApiError(400, f"Invalid track uri: {uri}")
            positions = item.get("positions")
            if positions is not None and (
                not isinstance(positions, list)
                or not all(isinstance(p, int) and not isinstance(p, bool) for p in positions)
            ):
                raise ApiError(400, "positions must be a list of integers")
            removals.append((uri, positions))
        drop: set[int] = set()
        for uri, positions in removals:
            if positions is None:
                drop.update(i for i, e in enumerate(playlist.entries) if e.uri == uri)
                continue
            for pos in positions:
                if not 0 <= pos < len(playlist.entries) or playlist.entries[pos].uri != uri:
                    raise ApiError(400, f"Could not remove item {uri} at position {pos}")
                drop.add(pos)
        playlist.entries = [e for i, e in enumerate(playlist.entries) if i not in drop]
        self._bump(playlist)
        return Reply.json(200, {"snapshot_id": playlist.snapshot_id})


# Web API routes: (method, path regex, Sandbox method name). Paths are matched without a
# trailing slash (spotipy asks for `me/`).
_ID = r"(?P<id>[^/]+)"
ROUTES: list[tuple[str, str, str]] = [
    ("GET", r"/v1/me", "me"),
    ("GET", r"/v1/search", "search"),
    ("GET", rf"/v1/tracks/{_ID}", "track"),
    ("GET", rf"/v1/albums/{_ID}", "album"),
    ("GET", rf"/v1/albums/{_ID}/tracks", "album_tracks"),
    ("GET", rf"/v1/artists/{_ID}", "artist"),
    ("GET", r"/v1/me/playlists", "my_playlists"),
    ("POST", r"/v1/me/playlists", "create_playlist_api"),
    ("GET", rf"/v1/playlists/{_ID}", "get_playlist"),
    ("PUT", rf"/v1/playlists/{_ID}", "change_details"),
    ("GET", rf"/v1/playlists/{_ID}/items", "get_items"),
    ("POST", rf"/v1/playlists/{_ID}/items", "add_items"),
    ("PUT", rf"/v1/playlists/{_ID}/items", "put_items"),
    ("DELETE", rf"/v1/playlists/{_ID}/items", "remove_items"),
]
# Endpoints removed for Development-Mode apps: they answer 403 {"error": {"status": 403,
# "message": "Forbidden"}} (after the token check), not 404.
_LIB = r"(tracks|albums|episodes|shows|audiobooks|following)"
REMOVED: list[tuple[frozenset[str] | None, str]] = [
    (None, r"/v1/playlists/[^/]+/tracks"),
    (None, r"/v1/playlists/[^/]+/followers(/contains)?"),
    (None, r"/v1/users/[^/]+"),
    (None, r"/v1/users/[^/]+/playlists"),
    (frozenset({"GET"}), r"/v1/(tracks|albums|artists|episodes|shows|audiobooks|chapters)"),
    (None, r"/v1/artists/[^/]+/(top-tracks|related-artists)"),
    (None, r"/v1/recommendations(/.*)?"),
    (None, r"/v1/audio-features(/.*)?"),
    (None, r"/v1/audio-analysis(/.*)?"),
    (None, r"/v1/browse(/.*)?"),
    (None, r"/v1/markets"),
    (frozenset({"PUT", "DELETE"}), rf"/v1/me/{_LIB}"),
    (None, rf"/v1/me/{_LIB}/contains"),
]


def _fault_reply(fault: Fault) -> Reply:
    if fault.kind == "rate_limit":
        retry = fault.retry_after if fault.retry_after is not None else 1
        return Reply.error(429, "API rate limit exceeded", **{"Retry-After": str(retry)})
    if fault.kind == "quota":
        retry = fault.retry_after if fault.retry_after is not None else 61_389
        return Reply.error(
            429, "Too many requests", "QUOTA_EXCEEDED", **{"Retry-After": str(retry)}
        )
    status = fault.status or (502 if fault.kind == "applied_then_error" else 503)
    if fault.empty_body:
        return Reply(status)
    message = {500: "Server error.", 502: "Bad gateway.", 503: "Service unavailable"}.get(
        status, "Server error."
    )
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    return Reply.error(status, message, **headers)


def _token_reply(body: dict[str, Any]) -> Reply:
    return Reply.json(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})


def _valid_id(value: str) -> str:
    if not corpus_mod.ID_RE.match(value):
        raise ApiError(400, "Invalid base62 id")
    return value


def _int_param(request: Request, name: str, default: int, low: int, high: int, msg: str) -> int:
    raw = request.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, msg) from None
    if not low <= value <= high:
        raise ApiError(400, msg)
    return value


def _market(request: Request) -> str | None:
    market = request.param("market")
    if market is None or market == "from_token":
        return None if market is None else "from_token"
    if not _MARKET.match(market):
        raise ApiError(400, "Invalid market code")
    return market


def _fields(request: Request) -> Selection | None:
    text = request.param("fields")
    if text is None or text == "":
        return None
    try:
        return parse_fields(text)
    except FieldsError:
        raise ApiError(400, "Invalid fields") from None


def _description(value: Any) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "description must be a string")
    if len(value) > 300:
        raise ApiError(400, "Invalid description: at most 300 characters")
    if "\n" in value or "\r" in value:
        raise ApiError(400, "Invalid description: line breaks are not allowed")
    return value
