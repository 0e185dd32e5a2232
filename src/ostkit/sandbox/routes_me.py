"""The current user: ``/me`` and ``/me/library`` (the 2026 replacement of the per-type
save/follow endpoints)."""

from __future__ import annotations

import re

from ostkit.sandbox import corpus as corpus_mod
from ostkit.sandbox import render
from ostkit.sandbox.access import need_scope, user_of
from ostkit.sandbox.model import AccessToken, ApiError, Reply, Request, State, split_uri

LIBRARY_URI_RE = re.compile(r"^spotify:([a-z]+):([^:,]+)$")
# Scope to (modify, read) an item kind in /me/library (the spec's security lists).
LIBRARY_SCOPES = {
    **dict.fromkeys(
        ("track", "album", "episode", "show", "audiobook"),
        ("user-library-modify", "user-library-read"),
    ),
    "artist": ("user-follow-modify", "user-follow-read"),
    "user": ("user-follow-modify", "user-follow-read"),
    "playlist": ("playlist-modify-public", "playlist-read-private"),
}
MAX_LIBRARY_URIS = 40


def me(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    return Reply.json(200, render.current_user(sb, sb.records.users[user_of(token)]))


def _library_uris(request: Request, token: AccessToken, read: bool) -> list[str]:
    raw = request.param("uris")
    if not raw:
        raise ApiError(400, "Missing required parameter: uris")
    uris = raw.split(",")
    if len(uris) > MAX_LIBRARY_URIS:
        raise ApiError(400, "Too many ids requested")
    kinds = set()
    for uri in uris:
        match = LIBRARY_URI_RE.match(uri)
        kind = match.group(1) if match else ""
        valid = kind in LIBRARY_SCOPES and (read or kind != "artist")
        if (
            match is None
            or not valid
            or not (kind == "user" or corpus_mod.ID_RE.match(match.group(2)))
        ):
            raise ApiError(400, f"Invalid uri: {uri}")
        kinds.add(kind)
    for kind in kinds:
        need_scope(token, LIBRARY_SCOPES[kind][1 if read else 0])
    return uris


def _exists(sb: State, uri: str) -> bool:
    kind, item_id = split_uri(uri)
    return {
        "track": item_id in sb.corpus.tracks,
        "album": item_id in sb.corpus.albums,
        "artist": item_id in sb.corpus.artists,
        "playlist": item_id in sb.records.playlists,
        "user": True,
    }.get(kind, False)


def library_save(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    user_id = user_of(token)
    uris = _library_uris(request, token, read=False)
    for uri in uris:
        if not _exists(sb, uri):
            raise ApiError(400, "Payload contains a non-existing ID")
    saved = sb.records.library.setdefault(user_id, {})
    for uri in uris:
        kind, item_id = split_uri(uri)
        if kind == "playlist":
            sb.records.follow(sb.records.playlists[item_id], user_id)
        else:
            saved[uri] = None
    return Reply(200)


def library_remove(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    user_id = user_of(token)
    uris = _library_uris(request, token, read=False)
    saved = sb.records.library.setdefault(user_id, {})
    for uri in uris:
        kind, item_id = split_uri(uri)
        if kind == "playlist" and item_id in sb.records.playlists:
            # Unfollowing your own playlist is how Spotify "deletes" it.
            sb.records.playlists[item_id].followers.discard(user_id)
        saved.pop(uri, None)
    return Reply(200)


def library_contains(
    sb: State, request: Request, token: AccessToken, args: dict[str, str]
) -> Reply:
    user_id = user_of(token)
    uris = _library_uris(request, token, read=True)
    saved = sb.records.library.get(user_id, {})
    answer = []
    for uri in uris:
        kind, item_id = split_uri(uri)
        if kind == "playlist":
            playlist = sb.records.playlists.get(item_id)
            answer.append(playlist is not None and user_id in playlist.followers)
        else:
            answer.append(uri in saved)
    return Reply.json(200, answer)
