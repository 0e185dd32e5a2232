"""Shared pieces of the sandbox: constants, error answers, stored records and the state base."""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ostkit.errors import OstkitError
from ostkit.sandbox import corpus as corpus_mod
from ostkit.sandbox.corpus import Corpus

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
# Plain-http redirect URIs must use a loopback IP literal; `localhost` is always refused.
LOOPBACK_HOSTS = ("127.0.0.1", "::1")
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
TRACK_URI_RE = re.compile(rf"^spotify:(track|episode):({corpus_mod.ID_PATTERN})$")
CHALLENGE_RE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")
MARKET_RE = re.compile(r"^[A-Z]{2}$")


class SandboxError(OstkitError):
    """The sandbox could not start or was used wrongly."""


class ApiError(Exception):
    """Answer a Web API request with ``{"error": {"status", "message"[, "reason"]}}`` (or, with
    ``plain``, the message alone as ``text/plain``, as Spotify answers a few refusals)."""

    def __init__(
        self,
        status: int,
        message: str,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
        *,
        plain: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.headers = headers or {}
        self.plain = plain

    def reply(self) -> Reply:
        if self.plain:
            headers = {"Content-Type": "text/plain; charset=utf-8", **self.headers}
            return Reply(self.status, self.message.encode(), headers)
        return Reply.error(self.status, self.message, self.reason, **self.headers)


class OAuthError(Exception):
    """Answer a token request with ``{"error", "error_description"}`` (status 400)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def reply(self) -> Reply:
        return Reply.json(self.status, {"error": self.error, "error_description": self.description})


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
        return any(redirect_matches(registered, uri) for registered in self.redirect_uris)


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

    def has_member(self, user_id: str) -> bool:
        """Owner or collaborator: who may read the contents and change the items (Dev Mode)."""
        return user_id == self.owner_id or (self.collaborative and user_id in self.collaborators)


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
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            # RecursionError: nesting deeper than the parser goes ("[[[[..." within max_body).
            raise ApiError(400, "Error parsing JSON.") from None

    @property
    def language(self) -> str:
        header = self.headers.get("accept-language", "")
        first = header.split(",")[0].split(";")[0].strip().lower()
        return first.split("-")[0] if first else "en"


def redirect_matches(registered: str, candidate: str) -> bool:
    reg, cand = urlsplit(registered), urlsplit(candidate)
    if cand.hostname in (None, "localhost"):
        return False  # Spotify refuses `localhost`: only loopback IP literals are allowed
    if registered == candidate:
        return True
    loopback = reg.hostname in LOOPBACK_HOSTS and reg.scheme == "http"
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


def split_uri(uri: str) -> tuple[str, str]:
    """``(kind, id)`` of a ``spotify:kind:id`` URI whose shape was checked already."""
    kind, item_id = uri.split(":")[1:3]
    return kind, item_id


def random_token(prefix: str, nbytes: int = 48) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


class Records:
    """Everything the sandbox remembers between requests (callers hold the sandbox lock)."""

    def __init__(self) -> None:
        self.clients: dict[str, Client] = {}
        self.users: dict[str, User] = {}
        self.codes: dict[str, AuthCode] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}
        self.playlists: dict[str, Playlist] = {}
        # Per user: saved/followed URIs (tracks, albums, artists, users), in saving order.
        self.library: dict[str, dict[str, None]] = {}
        # (user, playlist id) -> when the user followed it, for /me/playlists' newest-first order.
        self.followed: dict[tuple[str, str], int] = {}
        self.sequence = itertools.count(1)
        # Seconds the sandbox clock runs ahead of the real one (``Sandbox.advance``).
        self.clock_offset = 0.0

    def known_user(self, user_id: str) -> str:
        """``user_id``, recorded as a user (without a display name) if it was not one yet."""
        if user_id not in self.users:
            self.users[user_id] = User(user_id, None)
        return user_id

    def issue_access(
        self, client_id: str, user_id: str | None, scopes: frozenset[str], expires_at: float
    ) -> str:
        token = random_token("BQ")
        self.access[token] = AccessToken(client_id, user_id, scopes, expires_at)
        return token

    def issue_refresh(
        self,
        client_id: str,
        user_id: str,
        scopes: frozenset[str],
        authorized_at: float,
        public_client: bool = True,
    ) -> str:
        token = random_token("AQ")
        self.refresh[token] = RefreshToken(
            client_id, user_id, scopes, authorized_at, public_client=public_client
        )
        return token

    def new_playlist(
        self, owner: str, name: str, description: str, public: bool, collaborative: bool
    ) -> Playlist:
        playlist_id = corpus_mod.make_id("playlist", secrets.token_hex(8))
        playlist = Playlist(playlist_id, owner, name, description, public, collaborative)
        self.follow(playlist, owner)
        self.bump(playlist)
        self.playlists[playlist_id] = playlist
        return playlist

    def follow(self, playlist: Playlist, user_id: str) -> None:
        playlist.followers.add(user_id)
        self.followed[(user_id, playlist.id)] = next(self.sequence)

    @staticmethod
    def bump(playlist: Playlist) -> None:
        """A new snapshot id (after any change); its first 4 bytes count the versions."""
        version = len(playlist.snapshots) + 1
        raw = version.to_bytes(4, "big") + secrets.token_bytes(20)
        playlist.snapshots.append(base64.b64encode(raw).decode())


class State:
    """What the accounts service, the Web API routes and the server share (set by ``Sandbox``)."""

    host: str
    port: int
    corpus: Corpus
    records: Records
    user_id: str
    client_id: str
    authorizing_user: str
    deny_authorization: bool
    refresh_rotation: str
    legacy_track_field: bool
    max_playlist_items: int
    internal_errors: list[str]

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

    def now(self) -> float:
        return time.time() + self.records.clock_offset
