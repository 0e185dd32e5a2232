"""A strict in-memory Spotify Web API + accounts service on 127.0.0.1 (2026 Dev-Mode rules).

One HTTP server (``httpd``) serves both the accounts endpoints (``/authorize``, ``/api/token``) and
the Web API (``/v1/...``), routed by ``routing``. All state lives in this process and is guarded by
one lock; answers follow Spotify's status codes and body shapes, including the endpoints removed
for Dev-Mode apps (403). See docs/sandbox.md for what is and is not emulated.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ostkit.clock import iso_utc
from ostkit.sandbox import corpus as corpus_mod
from ostkit.sandbox import routing
from ostkit.sandbox.corpus import Corpus
from ostkit.sandbox.faults import (
    REQUEST_LOG_SIZE,
    Fault,
    Limits,
    RecordedRequest,
    fault_reply,
    recorded,
)
from ostkit.sandbox.httpd import MAX_BODY, REQUEST_TIMEOUT, HttpServer, listen
from ostkit.sandbox.model import (
    ACCESS_TOKEN_LIFETIME,
    DEFAULT_REDIRECT_URIS,
    DEFAULT_SCOPES,
    DEFAULT_USER_ID,
    DEFAULT_USER_NAME,
    LOOPBACK_HOSTS,
    MAX_PLAYLIST_ITEMS,
    Client,
    Entry,
    Records,
    Reply,
    Request,
    SandboxError,
    State,
    User,
)

REFRESH_ROTATIONS = ("rotate", "reuse", "none")


class Sandbox(State):
    """A Spotify look-alike on 127.0.0.1. Use as a context manager or call ``start``/``stop``.

    ``corpus``: a corpus JSON file (default: the shipped OST corpus unless
    ``load_default_corpus=False``); ``port`` 0 picks a free port; ``latency`` seconds are added to
    every answer; ``refresh_rotation`` is ``rotate``, ``reuse`` or ``none``;
    ``legacy_track_field`` adds the deprecated ``track``/``tracks`` keys; ``max_playlist_items``
    is the playlist size limit; ``rate_limit=(N, S)`` allows N Web API requests per rolling
    S seconds; ``quota=N`` answers QUOTA_EXCEEDED after N Web API requests.
    ``request_log_size`` is how many of the latest requests ``requests`` keeps (older ones are
    forgotten, so a long-running sandbox does not grow); ``max_body`` and ``request_timeout``
    bound what one request may send and how long it may take to arrive (see ``httpd``).
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
        request_log_size: int = REQUEST_LOG_SIZE,
        max_body: int = MAX_BODY,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        if refresh_rotation not in REFRESH_ROTATIONS:
            raise SandboxError("refresh_rotation must be 'rotate', 'reuse' or 'none'")
        if request_log_size < 1 or max_body < 0 or request_timeout <= 0:
            raise SandboxError(
                "request_log_size must be at least 1, max_body at least 0 and "
                "request_timeout above 0"
            )
        self.request_log_size = request_log_size
        self.max_body = max_body
        self.request_timeout = request_timeout
        self.host = host
        self.port = port
        self.latency = latency
        # rotate: each refresh returns a new refresh token and invalidates the old one;
        # reuse: returns the same one; none: omits it (the post-2026-07 behaviour some report).
        self.refresh_rotation = refresh_rotation
        # Whether playlist entries also carry the deprecated `track` key (and playlists `tracks`).
        self.legacy_track_field = legacy_track_field
        self.max_playlist_items = max_playlist_items
        self._limits = Limits(rate_limit, quota)
        # /authorize answers `error=access_denied` instead of a code while this is True.
        self.deny_authorization = False
        # Called with each request and the reply about to be sent (faults included), outside the
        # lock; an exception is kept in internal_errors. The test suite checks every Web API
        # answer against Spotify's OpenAPI definition this way.
        self.answer_observers: list[Callable[[Request, Reply], None]] = []
        self._start_empty()
        if corpus is None and load_default_corpus:
            corpus = corpus_mod.DEFAULT_CORPUS
        self._add_defaults(corpus)
        if corpus == corpus_mod.DEFAULT_CORPUS:
            self.load_corpus(corpus_mod.SERIES_CORPUS)

    def _start_empty(self) -> None:
        """No records, faults, requests or server yet."""
        self._lock = threading.RLock()
        self.corpus = Corpus()
        self.records = Records()
        self._faults: list[Fault] = []
        self._requests: deque[RecordedRequest] = deque(maxlen=self.request_log_size)
        # Unexpected exceptions while answering (sandbox bugs); the fixtures assert it stays empty.
        self.internal_errors: list[str] = []
        self._server: HttpServer | None = None
        self._thread: threading.Thread | None = None

    def _add_defaults(self, corpus: str | Path | None) -> None:
        """The default user (who also approves /authorize), one registered app, the corpus."""
        self.user_id = self.add_user(DEFAULT_USER_ID, DEFAULT_USER_NAME)
        self.authorizing_user = self.user_id
        self.client_id = self.register_client()
        if corpus is not None:
            self.load_corpus(corpus)

    @property
    def rate_limit(self) -> tuple[int, float] | None:
        return self._limits.rate_limit

    @property
    def quota(self) -> int | None:
        return self._limits.quota

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        try:
            server = listen(
                self.host,
                self.port,
                self,
                max_body=self.max_body,
                request_timeout=self.request_timeout,
            )
        except OSError as exc:
            raise SandboxError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror}"
            ) from None
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
        server.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serving_threads(self) -> list[threading.Thread]:
        """The threads answering open client connections (none once stopped)."""
        return self._server.serving_threads() if self._server is not None else []

    @property
    def client_secret(self) -> str:
        return self.records.clients[self.client_id].secret

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward (expires tokens and codes without sleeping)."""
        with self._lock:
            self.records.clock_offset += seconds

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
                parts.scheme != "https" and parts.hostname not in LOOPBACK_HOSTS
            ):
                raise SandboxError(
                    f"redirect URI {uri} is refused: use https or a loopback IP literal "
                    "(http://127.0.0.1:PORT/... or http://[::1]:PORT/...), never localhost"
                )
        with self._lock:
            self.records.clients[client_id] = Client(
                client_id,
                secrets.token_hex(16),
                uris,
                set(allowed_users) if allowed_users is not None else None,
            )
        return client_id

    def add_user(self, user_id: str, display_name: str | None = None) -> str:
        with self._lock:
            self.records.users[user_id] = User(user_id, display_name)
        return user_id

    def issue_refresh_token(
        self,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        user_id: str | None = None,
        client_id: str | None = None,
    ) -> str:
        """A refresh token as if ``user_id`` had just authorized ``client_id`` with PKCE."""
        with self._lock:
            return self.records.issue_refresh(
                client_id or self.client_id,
                self.records.known_user(user_id or self.user_id),
                frozenset(scopes),
                self.now(),
            )

    def issue_access_token(
        self,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        user_id: str | None = None,
        client_id: str | None = None,
        expires_in: float = ACCESS_TOKEN_LIFETIME,
    ) -> str:
        with self._lock:
            return self.records.issue_access(
                client_id or self.client_id,
                self.records.known_user(user_id or self.user_id),
                frozenset(scopes),
                self.now() + expires_in,
            )

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now."""
        with self._lock:
            for record in self.records.access.values():
                record.expires_at = min(record.expires_at, self.now() - 1)

    def revoke_refresh_tokens(self, user_id: str | None = None) -> None:
        """Revoke refresh tokens (all, or ``user_id``'s) as when a user removes the app."""
        with self._lock:
            for record in self.records.refresh.values():
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
            owner = self.records.known_user(owner or self.user_id)
            playlist = self.records.new_playlist(owner, name, description, public, collaborative)
            stamp = iso_utc(self.now())
            playlist.entries = [Entry(uri, stamp, owner) for uri in uris]
            playlist.collaborators.update(collaborators)
            return playlist.id

    def playlist_items(self, playlist_id: str) -> list[str]:
        with self._lock:
            return [e.uri for e in self.records.playlists[playlist_id].entries]

    def playlist_snapshot(self, playlist_id: str) -> str:
        with self._lock:
            return self.records.playlists[playlist_id].snapshot_id

    def playlist_ids(self, owner: str | None = None) -> list[str]:
        with self._lock:
            return [p.id for p in self.records.playlists.values() if owner in (None, p.owner_id)]

    def follow_playlist(self, playlist_id: str, user_id: str | None = None) -> None:
        """``user_id`` (default: the sandbox user) follows it, so it shows in /me/playlists."""
        with self._lock:
            playlist = self.records.playlists[playlist_id]
            self.records.follow(playlist, self.records.known_user(user_id or self.user_id))

    def delete_playlist(self, playlist_id: str) -> None:
        """The playlist disappears (as if deleted in the Spotify app): its id answers 404."""
        with self._lock:
            del self.records.playlists[playlist_id]

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

    @property
    def open_connections(self) -> int:
        """Client connections the server holds open now (each has a thread serving it)."""
        server = self._server
        return len(server.serving_threads()) if server is not None else 0

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

    def handle(self, request: Request, started: float) -> Reply:
        """Answer one request (``started``: ``time.perf_counter()`` when it arrived) and log it."""
        with self._lock:
            delay, reply, fault_name = self._respond(request)
        for observe in list(self.answer_observers):
            try:
                observe(request, reply)
            except Exception as exc:
                self.internal_errors.append(f"answer observer on {request.path}: {exc!r}")
        if delay > 0:
            time.sleep(delay)
        self._log(request, reply, started, fault_name)
        return reply

    def record(self, request: Request, reply: Reply, started: float) -> None:
        """Log a request the HTTP server answered itself (refused before its body was read)."""
        self._log(request, reply, started, None)

    def _log(self, request: Request, reply: Reply, started: float, fault: str | None) -> None:
        entry = recorded(request, reply, time.perf_counter() - started, fault)
        with self._lock:
            self._requests.append(entry)

    def _respond(self, request: Request) -> tuple[float, Reply, str | None]:
        """``(delay, reply, names of the faults that fired)``, under the lock."""
        delay, chosen, fired = self._fire_faults(request)
        fault_name = ",".join(fired) or None
        if chosen is None and request.path.startswith("/v1/"):
            limited = self._limits.check(self.now())
            if limited is not None:
                return delay, fault_reply(limited), limited.kind
        if chosen is not None and chosen.kind in ("rate_limit", "quota", "server_error"):
            return delay, fault_reply(chosen), fault_name
        if chosen is not None and chosen.kind == "drop_connection" and not chosen.apply:
            return delay, Reply(0, drop=True), fault_name
        reply = routing.answer(self, request)
        if chosen is not None and chosen.kind == "drop_connection":
            return delay, Reply(0, drop=True), fault_name
        if chosen is not None and chosen.kind == "applied_then_error" and reply.status < 300:
            reply = fault_reply(chosen)
        return delay, reply, fault_name

    def _fire_faults(self, request: Request) -> tuple[float, Fault | None, list[str]]:
        """Apply the side-effect faults matching ``request`` (latency, expired or revoked
        tokens); ``(delay, the first answer-replacing fault that fired, kinds fired)``."""
        delay = self.latency
        chosen: Fault | None = None
        fired: list[str] = []
        for fault in self._faults:
            if fault.exhausted or not fault.matches(request.method, request.path):
                continue
            if fault.kind == "expire_token":
                token = request.bearer
                if token is None or token not in self.records.access:
                    continue
                if fault.take():
                    self.records.access[token].expires_at = self.now() - 1
                    fired.append(fault.kind)
            elif fault.kind == "revoke":
                form = request.form()
                if request.path != "/api/token" or form.get("grant_type") != "refresh_token":
                    continue
                if fault.take():
                    record = self.records.refresh.get(form.get("refresh_token", ""))
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
        return delay, chosen, fired

    def reset_quota(self) -> None:
        """Give the quota budget back (as when the quota period ends)."""
        with self._lock:
            self._limits.quota_used = 0
