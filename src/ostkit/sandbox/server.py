"""A strict in-memory Spotify Web API + accounts service on 127.0.0.1 (2026 Dev-Mode rules).

One ``ThreadingHTTPServer`` serves both the accounts endpoints (``/authorize``, ``/api/token``) and
the Web API (``/v1/...``). All state lives in this process and is guarded by one lock; answers
follow Spotify's status codes and body shapes, including the endpoints removed for Dev-Mode apps
(403). See the README's sandbox section for what is and is not emulated.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import re
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ostkit.sandbox import corpus as corpus_mod
from ostkit.sandbox.accounts import Accounts
from ostkit.sandbox.corpus import Corpus
from ostkit.sandbox.faults import Fault, RecordedRequest
from ostkit.sandbox.model import (
    ACCESS_TOKEN_LIFETIME,
    DEFAULT_REDIRECT_URIS,
    DEFAULT_SCOPES,
    DEFAULT_USER_ID,
    DEFAULT_USER_NAME,
    MAX_PLAYLIST_ITEMS,
    SECRET_FIELDS,
    AccessToken,
    ApiError,
    AuthCode,
    Client,
    Entry,
    OAuthError,
    Playlist,
    RefreshToken,
    Reply,
    Request,
    SandboxError,
    User,
    now_iso,
    random_token,
)
from ostkit.sandbox.webapi import WebApi


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: Sandbox

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer is normal (timeouts, Ctrl-C, dropped faults): stay
        quiet. Anything else is a sandbox bug: kept in ``internal_errors``, one line on stderr."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError) or self.sandbox._server is not self:
            return
        self.sandbox.internal_errors.append(f"connection from {client_address[0]}: {exc!r}")
        print(f"ostkit sandbox: internal error: {exc!r}", file=sys.stderr)


class _Server6(_Server):
    address_family = socket.AF_INET6  # host="::1"


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
        except (ConnectionError, TimeoutError):
            pass  # the client went away before the last bytes were flushed
        finally:
            self.server.sandbox._track_connection(self.connection, add=False)

    def _serve(self) -> None:
        self.server.sandbox._serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        # The request line can carry an authorization code: never log it.
        return


class Sandbox(Accounts, WebApi):
    """A Spotify look-alike on 127.0.0.1. Use as a context manager or call ``start``/``stop``.

    ``corpus``: a corpus JSON file (default: the shipped OST corpus unless
    ``load_default_corpus=False``); ``port`` 0 picks a free port; ``latency`` seconds are added to
    every answer; ``refresh_rotation`` is ``rotate``, ``reuse`` or ``none``;
    ``legacy_track_field`` adds the deprecated ``track``/``tracks`` keys; ``max_playlist_items``
    is the playlist size limit; ``rate_limit=(N, S)`` allows N Web API requests per rolling
    S seconds; ``quota=N`` answers QUOTA_EXCEEDED after N Web API requests.
    """

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
        # Per user: saved/followed URIs (tracks, albums, artists, users), in saving order.
        self._library: dict[str, dict[str, None]] = {}
        self._followed: dict[tuple[str, str], int] = {}
        self._sequence = itertools.count(1)
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        # Open client connections and the threads serving them (closed and joined by stop()).
        self._connections: dict[socket.socket, threading.Thread] = {}
        # Unexpected exceptions while answering (sandbox bugs); the fixtures assert it stays empty.
        self.internal_errors: list[str] = []
        # Called with each request and the reply about to be sent (faults included), outside the
        # lock; an exception is kept in internal_errors. The test suite checks every Web API
        # answer against Spotify's OpenAPI definition this way.
        self.answer_observers: list[Callable[[Request, Reply], None]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.user_id = self.add_user(DEFAULT_USER_ID, DEFAULT_USER_NAME)
        self.authorizing_user = self.user_id
        self.client_id = self.register_client()
        if corpus is not None:
            self.load_corpus(corpus)
        elif load_default_corpus:
            self.load_corpus(corpus_mod.DEFAULT_CORPUS)

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        try:
            server_class = _Server6 if ":" in self.host else _Server
            server = server_class((self.host, self.port), _Handler)
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
            conns = list(self._connections.items())
        # Wake the threads waiting for a next request on kept-alive connections, then wait for
        # them (bounded: one may still be sleeping an injected latency), so nothing keeps
        # answering, or printing, after stop() returns.
        for conn, _ in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 5
        for _, thread in conns:
            if thread is not threading.current_thread():
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _track_connection(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections[conn] = threading.current_thread()
            else:
                self._connections.pop(conn, None)

    @property
    def client_secret(self) -> str:
        return self._clients[self.client_id].secret

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward (expires tokens and codes without sleeping)."""
        with self._lock:
            self._time_offset += seconds

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
            token = random_token("AQ")
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
            token = random_token("BQ")
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
            stamp = now_iso(self.now())
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

    def follow_playlist(self, playlist_id: str, user_id: str | None = None) -> None:
        """``user_id`` (default: the sandbox user) follows it, so it shows in /me/playlists."""
        with self._lock:
            self._follow(self._playlists[playlist_id], self._known_user(user_id))

    def delete_playlist(self, playlist_id: str) -> None:
        """The playlist disappears (as if deleted in the Spotify app): its id answers 404."""
        with self._lock:
            del self._playlists[playlist_id]

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
        for observe in list(self.answer_observers):
            try:
                observe(request, reply)
            except Exception as exc:
                self.internal_errors.append(f"answer observer on {request.path}: {exc!r}")
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
            if exc.plain:
                headers = {"Content-Type": "text/plain; charset=utf-8", **exc.headers}
                return Reply(exc.status, exc.message.encode(), headers)
            return Reply.error(exc.status, exc.message, exc.reason, **exc.headers)
        except OAuthError as exc:
            return Reply.json(
                exc.status, {"error": exc.error, "error_description": exc.description}
            )
        except Exception as exc:  # a sandbox bug: answer like Spotify's 500, keep it for tests
            self.internal_errors.append(f"{request.method} {request.path}: {exc!r}")
            return Reply.error(500, "Server error.")


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
