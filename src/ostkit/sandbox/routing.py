"""The one routing table: which function answers which method and path, the bearer-token check,
and how refusals become answers."""

from __future__ import annotations

import re
from collections.abc import Callable

from ostkit.sandbox import accounts, routes_catalog, routes_me, routes_playlists
from ostkit.sandbox.model import AccessToken, ApiError, OAuthError, Reply, Request, State

Handler = Callable[[State, Request, AccessToken, dict[str, str]], Reply]

# Web API routes: (method, path regex, handler). Paths are matched without a trailing slash
# (spotipy asks for `me/`).
_ID = r"(?P<id>[^/]+)"
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", r"/v1/me", routes_me.me),
    ("GET", r"/v1/search", routes_catalog.search),
    ("GET", rf"/v1/tracks/{_ID}", routes_catalog.track),
    ("GET", rf"/v1/albums/{_ID}", routes_catalog.album),
    ("GET", rf"/v1/albums/{_ID}/tracks", routes_catalog.album_tracks),
    ("GET", rf"/v1/artists/{_ID}", routes_catalog.artist),
    ("GET", rf"/v1/artists/{_ID}/albums", routes_catalog.artist_albums),
    ("GET", r"/v1/me/playlists", routes_playlists.my_playlists),
    ("POST", r"/v1/me/playlists", routes_playlists.create_playlist),
    ("GET", rf"/v1/playlists/{_ID}", routes_playlists.get_playlist),
    ("PUT", rf"/v1/playlists/{_ID}", routes_playlists.change_details),
    ("GET", rf"/v1/playlists/{_ID}/items", routes_playlists.get_items),
    ("POST", rf"/v1/playlists/{_ID}/items", routes_playlists.add_items),
    ("PUT", rf"/v1/playlists/{_ID}/items", routes_playlists.put_items),
    ("DELETE", rf"/v1/playlists/{_ID}/items", routes_playlists.remove_items),
    ("PUT", r"/v1/me/library", routes_me.library_save),
    ("DELETE", r"/v1/me/library", routes_me.library_remove),
    ("GET", r"/v1/me/library/contains", routes_me.library_contains),
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


def answer(sb: State, request: Request) -> Reply:
    """The reply to one request (accounts service or Web API), refusals included."""
    try:
        if request.path == "/authorize":
            if request.method != "GET":
                return Reply.html(405, "Method not allowed")
            return accounts.authorize(sb, request)
        if request.path == "/api/token":
            if request.method != "POST":
                return Reply.json(
                    405, {"error": "invalid_request", "error_description": "Use POST"}
                )
            return accounts.token(sb, request)
        if request.path.startswith("/v1/") or request.path == "/v1":
            return _web_api(sb, request)
        return Reply.error(404, "Service not found")
    except (ApiError, OAuthError) as exc:
        return exc.reply()
    except Exception as exc:  # a sandbox bug: answer like Spotify's 500, keep it for tests
        sb.internal_errors.append(f"{request.method} {request.path}: {exc!r}")
        return Reply.error(500, "Server error.")


def _web_api(sb: State, request: Request) -> Reply:
    path = request.path
    for methods, pattern in REMOVED:
        if (methods is None or request.method in methods) and re.fullmatch(pattern, path):
            authenticate(sb, request)
            raise ApiError(403, "Forbidden")
    allowed = False
    for method, pattern, handler in ROUTES:
        match = re.fullmatch(pattern, path)
        if match is None:
            continue
        allowed = True
        if method != request.method:
            continue
        token = authenticate(sb, request)
        return handler(sb, request, token, match.groupdict())
    if allowed:
        return Reply.error(405, "Method not allowed")
    return Reply.error(404, "Service not found")


def authenticate(sb: State, request: Request) -> AccessToken:
    """The access token of a Web API request, refused as Spotify refuses a missing, malformed,
    revoked or expired one, or one of a user the app's allow-list does not name."""
    auth = request.headers.get("authorization")
    if not auth:
        raise ApiError(401, "No token provided")
    token = request.bearer
    if token is None:
        raise ApiError(400, "Only valid bearer authentication supported")
    record = sb.records.access.get(token)
    if record is None or record.revoked:
        raise ApiError(
            401,
            "Invalid access token",
            headers={"WWW-Authenticate": 'Bearer realm="spotify", error="invalid_token"'},
        )
    if record.expires_at <= sb.now():
        raise ApiError(
            401,
            "The access token expired",
            headers={
                "WWW-Authenticate": 'Bearer realm="spotify", error="invalid_token", '
                'error_description="The access token expired"'
            },
        )
    client = sb.records.clients.get(record.client_id)
    if (
        client is not None
        and client.allowed_users is not None
        and record.user_id is not None
        and record.user_id not in client.allowed_users
    ):
        # Spotify answers this one in plain text, not in its JSON error envelope.
        raise ApiError(
            403,
            "Check settings on developer.spotify.com/dashboard, the user may not be registered.",
            plain=True,
        )
    return record
