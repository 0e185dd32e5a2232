"""The Web API (``/v1/...``) under the 2026 Development-Mode rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from ostkit.clock import iso_utc
from ostkit.sandbox import corpus as corpus_mod
from ostkit.sandbox.corpus import Album, Artist, Track
from ostkit.sandbox.fields import FieldsError, Selection, apply_fields, parse_fields
from ostkit.sandbox.model import (
    MARKET_RE,
    SEARCH_TYPES,
    TRACK_URI_RE,
    AccessToken,
    ApiError,
    Entry,
    Playlist,
    Reply,
    Request,
    State,
)

Handler = Callable[[Request, AccessToken, dict[str, str]], Reply]
ALBUM_GROUPS = ("album", "single", "appears_on", "compilation")
# 404 for a well-formed track/album/artist id that does not exist (playlists: "Resource not found").
NO_SUCH_ID = "non existing id"
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


class WebApi(State):
    """``api.spotify.com/v1``: routing, the token check and every endpoint."""

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
            # Spotify answers this one in plain text, not in its JSON error envelope.
            raise ApiError(
                403,
                "Check settings on developer.spotify.com/dashboard, "
                "the user may not be registered.",
                plain=True,
            )
        return record

    def _user_of(self, token: AccessToken) -> str:
        if token.user_id is None:
            raise ApiError(401, "Valid user authentication required")
        return token.user_id

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
        max_offset: int | None = None,
    ) -> dict[str, Any]:
        def link(off: int) -> str:
            params = [("offset", str(off)), ("limit", str(limit)), *extra]
            return f"{self.api_url}{path}?{urlencode(params, quote_via=quote)}"

        return {
            "href": link(offset),
            "items": items,
            "limit": limit,
            # Never a `next` the API would refuse (search offsets stop at 1000).
            "next": (
                link(offset + limit)
                if offset + limit < total and (max_offset is None or offset + limit <= max_offset)
                else None
            ),
            "offset": offset,
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "total": total,
        }

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
                "search", items, total, offset, limit, [*extra, ("type", t)], max_offset=1000
            )
        return Reply.json(200, result)

    def track(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        track = self.corpus.tracks.get(_valid_id(args["id"], "invalid id"))
        market = _market(request)
        if track is None:
            raise ApiError(404, NO_SUCH_ID)
        return Reply.json(200, self._track_full(track, request.language, market))

    def album(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        album = self.corpus.albums.get(_valid_id(args["id"]))
        market = _market(request)
        if album is None:
            raise ApiError(404, NO_SUCH_ID)
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
            raise ApiError(404, NO_SUCH_ID)
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
            raise ApiError(404, NO_SUCH_ID)
        return Reply.json(200, self._artist_full(artist, request.language))

    def artist_albums(self, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
        artist = self.corpus.artists.get(_valid_id(args["id"]))
        groups_param = request.param("include_groups")
        groups = groups_param.split(",") if groups_param else list(ALBUM_GROUPS)
        if any(g not in ALBUM_GROUPS for g in groups):
            raise ApiError(400, "Invalid include_groups")
        # Capped at 10 (default 5) since 2026, like search.
        limit = _int_param(request, "limit", 5, 1, 10, "Invalid limit")
        offset = _int_param(request, "offset", 0, 0, 10_000, "Invalid offset")
        market = _market(request)
        if artist is None:
            raise ApiError(404, NO_SUCH_ID)
        albums = []
        for album in self.corpus.albums.values():
            own = artist.id in album.artist_ids
            appears = not own and any(
                artist.id in t.artist_ids for t in self.corpus.album_tracks(album.id)
            )
            group = album.album_type if own else "appears_on" if appears else None
            if group is not None and group in groups:
                albums.append(album)
        items = [self._album_simple(a, request.language) for a in albums[offset : offset + limit]]
        extra = [("include_groups", ",".join(groups))] + ([("market", market)] if market else [])
        return Reply.json(
            200,
            self._paging(f"artists/{artist.id}/albums", items, len(albums), offset, limit, extra),
        )

    # /me/library: the 2026 replacement of the per-type save/follow endpoints -----------------
    def _library_uris(self, request: Request, token: AccessToken, read: bool) -> list[str]:
        raw = request.param("uris")
        if not raw:
            raise ApiError(400, "Missing required parameter: uris")
        uris = raw.split(",")
        if len(uris) > 40:
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
            scope = LIBRARY_SCOPES[kind][1 if read else 0]
            self._need_scope(token, scope)
        return uris

    def _library_item_exists(self, uri: str) -> bool:
        kind, item_id = uri.split(":")[1:3]
        return {
            "track": item_id in self.corpus.tracks,
            "album": item_id in self.corpus.albums,
            "artist": item_id in self.corpus.artists,
            "playlist": item_id in self._playlists,
            "user": True,
        }.get(kind, False)

    def library_save(self, request: Request, token: AccessToken, _: dict[str, str]) -> Reply:
        user_id = self._user_of(token)
        uris = self._library_uris(request, token, read=False)
        for uri in uris:
            if not self._library_item_exists(uri):
                raise ApiError(400, "Payload contains a non-existing ID")
        saved = self._library.setdefault(user_id, {})
        for uri in uris:
            kind, item_id = uri.split(":")[1:3]
            if kind == "playlist":
                self._follow(self._playlists[item_id], user_id)
            else:
                saved[uri] = None
        return Reply(200)

    def library_remove(self, request: Request, token: AccessToken, _: dict[str, str]) -> Reply:
        user_id = self._user_of(token)
        uris = self._library_uris(request, token, read=False)
        saved = self._library.setdefault(user_id, {})
        for uri in uris:
            kind, item_id = uri.split(":")[1:3]
            if kind == "playlist" and item_id in self._playlists:
                # Unfollowing your own playlist is how Spotify "deletes" it.
                self._playlists[item_id].followers.discard(user_id)
            saved.pop(uri, None)
        return Reply(200)

    def library_contains(self, request: Request, token: AccessToken, _: dict[str, str]) -> Reply:
        user_id = self._user_of(token)
        uris = self._library_uris(request, token, read=True)
        saved = self._library.get(user_id, {})
        answer = []
        for uri in uris:
            kind, item_id = uri.split(":")[1:3]
            if kind == "playlist":
                playlist = self._playlists.get(item_id)
                answer.append(playlist is not None and user_id in playlist.followers)
            else:
                answer.append(uri in saved)
        return Reply.json(200, answer)

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
            for p in self._playlists.values()
            if user_id in p.followers
            or (
                p.collaborative
                and user_id in p.collaborators
                and "playlist-read-collaborative" in token.scopes
            )
        ]
        # Newest first: most recently created or followed.
        mine.sort(key=lambda p: self._followed.get((user_id, p.id), 0), reverse=True)
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

    def _check_uris(self, uris: list[str], verb: str) -> None:
        if len(uris) > 100:
            raise ApiError(400, f"You can {verb} a maximum of 100 tracks per request.")
        for uri in uris:
            match = TRACK_URI_RE.match(uri)
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
        if not uris:  # nothing to add (an empty list only makes sense for replace)
            raise ApiError(400, "No uris provided")
        self._check_uris(uris, "add")
        position: Any = request.param("position")
        if position is not None:
            try:
                position = int(position)
            except ValueError:
                raise ApiError(400, "Invalid position") from None
        elif isinstance(body, dict) and body.get("position") is not None:
            position = body["position"]
            if not isinstance(position, int) or isinstance(position, bool):
                raise ApiError(400, "Invalid position")
        if position is not None and not 0 <= position <= len(playlist.entries):
            raise ApiError(400, "Index out of bounds")
        self._check_size(len(playlist.entries) + len(uris))
        stamp = iso_utc(self.now())
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
            stamp = iso_utc(self.now())
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
        # Every occurrence of each URI goes: per-position removal (`positions`) is no longer
        # documented, so it is ignored rather than honoured (a client must not come to rely on it).
        drop: set[str] = set()
        for item in items:
            uri = item.get("uri") if isinstance(item, dict) else None
            if not isinstance(uri, str) or TRACK_URI_RE.match(uri) is None:
                raise ApiError(400, f"Invalid track uri: {uri}")
            drop.add(uri)
        playlist.entries = [e for e in playlist.entries if e.uri not in drop]
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
    ("GET", rf"/v1/artists/{_ID}/albums", "artist_albums"),
    ("GET", r"/v1/me/playlists", "my_playlists"),
    ("POST", r"/v1/me/playlists", "create_playlist_api"),
    ("GET", rf"/v1/playlists/{_ID}", "get_playlist"),
    ("PUT", rf"/v1/playlists/{_ID}", "change_details"),
    ("GET", rf"/v1/playlists/{_ID}/items", "get_items"),
    ("POST", rf"/v1/playlists/{_ID}/items", "add_items"),
    ("PUT", rf"/v1/playlists/{_ID}/items", "put_items"),
    ("DELETE", rf"/v1/playlists/{_ID}/items", "remove_items"),
    ("PUT", r"/v1/me/library", "library_save"),
    ("DELETE", r"/v1/me/library", "library_remove"),
    ("GET", r"/v1/me/library/contains", "library_contains"),
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


def _valid_id(value: str, message: str = "Invalid base62 id") -> str:
    """A 22-character base62 id, else 400. The wording differs by endpoint at Spotify: "invalid
    id" for /tracks/{id}, "Invalid base62 id" for albums, artists and playlists."""
    if not corpus_mod.ID_RE.match(value):
        raise ApiError(400, message)
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
    if not MARKET_RE.match(market):
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
