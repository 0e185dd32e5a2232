"""Playlists: ``/me/playlists``, ``/playlists/{id}`` and ``/playlists/{id}/items``."""

from __future__ import annotations

from typing import Any

from ostkit.clock import iso_utc
from ostkit.sandbox import params, render
from ostkit.sandbox.access import find_playlist, need_scope, need_write, user_of, write_scopes
from ostkit.sandbox.fields import apply_fields
from ostkit.sandbox.model import (
    TRACK_URI_RE,
    AccessToken,
    ApiError,
    Entry,
    Playlist,
    Reply,
    Request,
    State,
)


def my_playlists(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    user_id = user_of(token)
    need_scope(token, "playlist-read-private")
    limit, offset = params.page_params(request, 20, 50, 100_000)
    mine = [
        p
        for p in sb.records.playlists.values()
        if user_id in p.followers
        or (
            p.collaborative
            and user_id in p.collaborators
            and "playlist-read-collaborative" in token.scopes
        )
    ]
    # Newest first: most recently created or followed.
    mine.sort(key=lambda p: sb.records.followed.get((user_id, p.id), 0), reverse=True)
    items = [render.playlist_summary(sb, p) for p in mine[offset : offset + limit]]
    return Reply.json(200, render.paging(sb, "me/playlists", items, len(mine), offset, limit))


def create_playlist(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    user_id = user_of(token)
    body = request.json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "Missing required field: name")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "Missing required field: name")
    public, collaborative = params.playlist_flags(
        body.get("public", True), body.get("collaborative", False)
    )
    description = params.description(body.get("description", ""))
    need_scope(token, *write_scopes(public, collaborative))
    playlist = sb.records.new_playlist(user_id, name, description, public, collaborative)
    obj = render.playlist_full(sb, playlist, user_id, request.language, None)
    return Reply.json(201, obj)


def get_playlist(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    playlist = find_playlist(sb, args["id"])
    market = params.market(request)
    selection = params.fields(request)
    user_id = token.user_id or ""
    obj = render.playlist_full(sb, playlist, user_id, request.language, market)
    return Reply.json(200, apply_fields(obj, selection))


def change_details(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    playlist = find_playlist(sb, args["id"])
    user_id = user_of(token)
    body = request.json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "Error parsing JSON.")
    public, collaborative = params.playlist_flags(
        body.get("public", playlist.public), body.get("collaborative", playlist.collaborative)
    )
    name = body.get("name", playlist.name)
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "Invalid playlist name")
    description = params.description(body.get("description", playlist.description))
    # The playlist as it is and as it will be: both must be changeable with this token.
    need_scope(
        token,
        *write_scopes(playlist.public, playlist.collaborative),
        *write_scopes(public, collaborative),
    )
    if user_id != playlist.owner_id:
        raise ApiError(403, "Forbidden")
    playlist.name, playlist.description = name, description
    playlist.public, playlist.collaborative = public, collaborative
    sb.records.bump(playlist)
    return Reply(200)


def get_items(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    playlist = find_playlist(sb, args["id"])
    user_id = user_of(token)
    need_scope(token, "playlist-read-private")
    limit, offset = params.page_params(request, 20, 50, 10**6)
    market = params.market(request)
    selection = params.fields(request)
    if not playlist.has_member(user_id):
        raise ApiError(403, "Forbidden")
    page = render.items_page(sb, playlist, offset, limit, request.language, market)
    return Reply.json(200, apply_fields(page, selection))


def _uris(request: Request, body: Any) -> list[str] | None:
    """URIs from the ``uris`` query (wins) or the body ``{"uris": [...]}``. A bare JSON array
    (what spotipy's ``playlist_add_items`` sends) is not the documented body: Spotify has
    answered it with 400 "No uris provided", so the sandbox always does."""
    query = request.param("uris")
    if query is not None:
        return [u for u in query.split(",") if u]
    if isinstance(body, dict) and "uris" in body:
        uris = body["uris"]
    else:
        return None
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        raise ApiError(400, "uris must be a list of Spotify URIs")
    return list(uris)


def _check_uris(sb: State, uris: list[str], verb: str) -> None:
    params.uri_batch(len(uris), verb)
    for uri in uris:
        match = TRACK_URI_RE.match(uri)
        if match is None:
            raise ApiError(400, f"Invalid track uri: {uri}")
        if match.group(1) != "track" or match.group(2) not in sb.corpus.tracks:
            raise ApiError(400, "Payload contains a non-existing ID")


def _position(request: Request, body: Any, size: int) -> int | None:
    """Where ``add_items`` inserts: the ``position`` query (wins) or body value; None: the end."""
    position: Any = request.param("position")
    if position is not None:
        try:
            position = int(position)
        except ValueError:
            raise ApiError(400, "Invalid position") from None
    elif isinstance(body, dict) and body.get("position") is not None:
        position = body["position"]
        if not params.is_int(position):
            raise ApiError(400, "Invalid position")
    if position is not None and not 0 <= position <= size:
        raise ApiError(400, "Index out of bounds")
    return int(position) if position is not None else None


def add_items(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    playlist = find_playlist(sb, args["id"])
    body = request.json_body() if request.param("uris") is None else None
    user_id = need_write(token, playlist)
    uris = _uris(request, body)
    if not uris:  # nothing to add (an empty list only makes sense for replace)
        raise ApiError(400, "No uris provided")
    _check_uris(sb, uris, "add")
    position = _position(request, body, len(playlist.entries))
    # The old reference: more than 10 000 items answers 403 Forbidden.
    if len(playlist.entries) + len(uris) > sb.max_playlist_items:
        raise ApiError(403, f"Playlist size limit reached ({sb.max_playlist_items} items)")
    stamp = iso_utc(sb.now())
    new = [Entry(uri, stamp, user_id) for uri in uris]
    at = len(playlist.entries) if position is None else position
    playlist.entries[at:at] = new
    sb.records.bump(playlist)
    return Reply.json(201, {"snapshot_id": playlist.snapshot_id})


def put_items(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    playlist = find_playlist(sb, args["id"])
    body = request.json_body()
    need_write(token, playlist)
    uris = _uris(request, body if isinstance(body, dict) else None)
    reorder = isinstance(body, dict) and "range_start" in body
    if reorder and uris is not None:
        raise ApiError(400, "Replace and reorder cannot be combined")
    if reorder:
        assert isinstance(body, dict)
        _reorder(playlist, body)
    else:
        if uris is None:
            raise ApiError(400, "No uris provided")
        _check_uris(sb, uris, "set")
        stamp = iso_utc(sb.now())
        user_id = user_of(token)
        playlist.entries = [Entry(uri, stamp, user_id) for uri in uris]
    sb.records.bump(playlist)
    return Reply.json(200, {"snapshot_id": playlist.snapshot_id})


def _reorder(playlist: Playlist, body: dict[str, Any]) -> None:
    start, before = body.get("range_start"), body.get("insert_before")
    length = body.get("range_length", 1)
    if not (params.is_int(start) and params.is_int(before) and params.is_int(length)):
        raise ApiError(400, "range_start, insert_before and range_length must be integers")
    assert isinstance(start, int) and isinstance(before, int) and isinstance(length, int)
    _check_snapshot(playlist, body)
    size = len(playlist.entries)
    if length < 1 or start < 0 or start + length > size or not 0 <= before <= size:
        raise ApiError(400, "Index out of bounds")
    moved = playlist.entries[start : start + length]
    rest = playlist.entries[:start] + playlist.entries[start + length :]
    target = before if before <= start else before - length
    playlist.entries = rest[:target] + moved + rest[target:]


def _check_snapshot(playlist: Playlist, body: dict[str, Any]) -> None:
    snapshot = body.get("snapshot_id")
    if snapshot is not None and snapshot not in playlist.snapshots:
        raise ApiError(400, "Invalid snapshot id")


def remove_items(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    playlist = find_playlist(sb, args["id"])
    body = request.json_body()
    need_write(token, playlist)
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        # The pre-2026 key was `tracks`; Dev-Mode apps must send `items`.
        raise ApiError(400, "Missing items")
    items = body["items"]
    params.uri_batch(len(items), "remove")
    _check_snapshot(playlist, body)
    # Every occurrence of each URI goes: per-position removal (`positions`) is no longer
    # documented, so it is ignored rather than honoured (a client must not come to rely on it).
    drop: set[str] = set()
    for item in items:
        uri = item.get("uri") if isinstance(item, dict) else None
        if not isinstance(uri, str) or TRACK_URI_RE.match(uri) is None:
            raise ApiError(400, f"Invalid track uri: {uri}")
        drop.add(uri)
    playlist.entries = [e for e in playlist.entries if e.uri not in drop]
    sb.records.bump(playlist)
    return Reply.json(200, {"snapshot_id": playlist.snapshot_id})
