"""SpotifyClient: the Web API endpoints ostkit uses, typed. Raw JSON becomes ``ostkit.models``
here (through ``spotify.parse``); requests go through spotipy in ``spotify.web_api``.

Written for the Web API rules of Development-Mode apps since February 2026 (see
``../shared/spotify-api.md``): search ``limit`` at most 10; playlist contents under ``/items``
(entries carry ``item``, older apps ``track``); ``POST /me/playlists`` to create. Methods that hit
removed endpoints are never called: no batch GETs (``tracks()``, ``albums()``, ...), no
``user_playlist_create``, no ``artist_albums`` (default limit 20 answers 400), no
``current_user_unfollow_playlist``. Adding items sends the documented body ``{"uris": [...]}``
through ``sp._post`` (spotipy's ``playlist_add_items`` sends a bare JSON array, which Spotify once
answered with 400 "No uris provided").

Every call runs under ``ostkit.spotify.policy`` (see ``spotify.executor``).

Usage::

    client = SpotifyClient.from_settings(settings)           # token cache / refresh token
    client = SpotifyClient(api_url=sb.api_url, auth=token)   # tests: a bare access token
    client.search_tracks('track:"Mirage" artist:"Colde"')
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ostkit.config import DEFAULT_API_URL
from ostkit.errors import InputError, LimitError, SpotifyError
from ostkit.models import Candidate, RemotePlaylist, SpotifyAlbum, SpotifyUser
from ostkit.spotify.executor import Outcome, Verdict
from ostkit.spotify.parse import (
    album_from_json,
    candidate_from_json,
    entry_item,
    playlist_from_json,
)
from ostkit.spotify.policy import NetPolicy, RateLimiter, shared_limiter
from ostkit.spotify.tokens import SCOPE, StaticToken, TokenManager, TokenSource
from ostkit.spotify.transport import quiet_http_loggers
from ostkit.spotify.web_api import WebApi
from ostkit.text import spotify_ids

if TYPE_CHECKING:
    import random

    import requests
    import spotipy

    from ostkit.config import Settings

SEARCH_LIMIT_MAX = 10  # Development-Mode maximum since February 2026 (11-50 answer 400)
ITEMS_PER_WRITE = 100  # URIs per POST/PUT/DELETE /playlists/{id}/items
PAGE_SIZE = 50  # /playlists/{id}/items, /me/playlists, album tracks
DESCRIPTION_MAX = 300
DEFAULT_LANGUAGE = "en"

READ_PLAYLIST_SCOPES = ("playlist-read-private",)
MODIFY_PLAYLIST_SCOPES = ("playlist-modify-private", "playlist-modify-public")
NOT_OWNER = "you neither own nor collaborate on this playlist"


def _item_uri(value: str) -> str:
    """A playlist item's URI: a track in any form as ``spotify:track:ID``; episodes and local
    files are items too and are kept as they are."""
    if value.startswith(("spotify:episode:", "spotify:local:")):
        return value
    return spotify_ids.track_uri(value)


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- the client -----------------------------------------------------------------------------------


class SpotifyClient:
    """Typed access to the Spotify Web API endpoints ostkit uses. Thread-safe enough to share
    between worker threads (one rate limiter, one token manager, counted requests)."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        auth: TokenSource | str | None = None,
        *,
        policy: NetPolicy | None = None,
        limiter: RateLimiter | None = None,
        language: str = DEFAULT_LANGUAGE,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if auth is None:
            raise ValueError("SpotifyClient needs auth: a TokenSource or an access token")
        quiet_http_loggers()
        self.auth: TokenSource = StaticToken(auth) if isinstance(auth, str) else auth
        self.policy = policy or NetPolicy()
        self.limiter = limiter or RateLimiter(self.policy.rate_per_second, self.policy.burst)
        self.api = WebApi(
            api_url,
            self.auth,
            policy=self.policy,
            limiter=self.limiter,
            language=language,
            session=session,
            sleep=sleep,
            rng=rng,
        )
        self.api_url = self.api.api_url

    @classmethod
    def from_settings(cls, settings: Settings, *, policy: NetPolicy | None = None) -> SpotifyClient:
        """A client for the user's login (token.json or OSTKIT_SPOTIFY_REFRESH_TOKEN), sharing
        the process-wide rate limiter; its rate is ``settings.rate_limit`` unless ``policy``
        is given."""
        policy = policy or NetPolicy.from_settings(settings)
        return cls(
            api_url=settings.api_url,
            auth=TokenManager.from_settings(settings, policy),
            policy=policy,
            limiter=shared_limiter(policy),
        )

    def ensure_login(self) -> None:
        """Fail at once, with the login hint, when there is no usable login (no request sent
        for a saved login)."""
        self.auth.ensure_login()

    @property
    def request_count(self) -> int:
        """Web API requests this client sent (every attempt; token requests not included)."""
        return self.api.request_count

    # -- search and catalogue reads (no scope needed)

    def search_tracks(
        self, query: str, limit: int = 10, offset: int = 0, *, market: str | None = None
    ) -> list[Candidate]:
        """``GET /search?type=track``: at most 10 results (Spotify's Development-Mode limit)."""
        data = self._search(query, "track", limit, offset, market)
        items = (data.get("tracks") or {}).get("items") or []
        return [c for c in (candidate_from_json(i) for i in items) if c is not None]

    def search_albums(
        self, query: str, limit: int = 10, offset: int = 0, *, market: str | None = None
    ) -> list[SpotifyAlbum]:
        """``GET /search?type=album``: at most 10 results."""
        return self.search_albums_page(query, limit, offset, market=market)[0]

    def search_albums_page(
        self, query: str, limit: int = 10, offset: int = 0, *, market: str | None = None
    ) -> tuple[list[SpotifyAlbum], int]:
        """One page of ``GET /search?type=album`` and the number of results in all (``total``),
        so a caller paging with ``offset`` knows when to stop."""
        data = self._search(query, "album", limit, offset, market)
        page = data.get("albums") or {}
        items = page.get("items") or []
        total = page.get("total")
        found = [album_from_json(i) for i in items if isinstance(i, dict)]
        return found, int(total) if isinstance(total, int) else offset + len(found)

    def _search(
        self, query: str, kind: str, limit: int, offset: int, market: str | None
    ) -> dict[str, Any]:
        if not 1 <= limit <= SEARCH_LIMIT_MAX:
            raise LimitError(
                f"search limit must be 1..{SEARCH_LIMIT_MAX} (Spotify answers 400 above 10 "
                f"for Development-Mode apps), got {limit}"
            )
        if not 0 <= offset <= 1000:
            raise LimitError(f"search offset must be 0..1000, got {offset}")
        if not query.strip():
            raise InputError("empty Spotify search query")
        params: dict[str, Any] = {"q": query, "type": kind, "limit": limit, "offset": offset}
        if market:
            params["market"] = market
        return self.api.get(f"search for {kind}s {query!r}", "search", **params)

    def get_track(self, id_or_uri: str) -> Candidate:
        """``GET /tracks/{id}`` (one request; batch ``/tracks?ids=`` is gone)."""
        track_id = spotify_ids.parse("track", id_or_uri)
        data = self.api.get(f"track {track_id}", f"tracks/{track_id}")
        candidate = candidate_from_json(data)
        if candidate is None:
            raise InputError(f"spotify:track:{track_id} is not a playable Spotify track")
        return candidate

    def get_album(self, id_or_uri: str) -> SpotifyAlbum:
        """``GET /albums/{id}``."""
        album_id = spotify_ids.parse("album", id_or_uri)
        return album_from_json(self.api.get(f"album {album_id}", f"albums/{album_id}"))

    def album_tracks(self, album_id: str) -> list[Candidate]:
        """All tracks of an album: ``GET /albums/{id}`` (its first page of tracks) then the
        ``next`` pages. Album track objects carry no album, so each gets the album filled in."""
        aid = spotify_ids.parse("album", album_id)
        what = f"album {aid}"
        data = self.api.get(what, f"albums/{aid}")
        album = album_from_json(data)
        first = data.get("tracks") if isinstance(data.get("tracks"), dict) else None
        if first is None:
            first = self.api.get(what, f"albums/{aid}/tracks", limit=PAGE_SIZE, offset=0)
        return self._album_track_pages(what, first, album)

    def release_tracks(self, album: SpotifyAlbum) -> list[Candidate]:
        """The tracks of an album found by search: ``GET /albums/{id}/tracks``, 50 a page, so
        one request for any OST release (batch album reads are gone in Development Mode). The
        search result already names the album; its track objects carry none, so each gets
        ``album`` filled in."""
        if not album.id:
            raise InputError(f"album {album.name!r} has no Spotify id")
        aid = spotify_ids.parse("album", album.id)
        what = f"tracks of album {aid}"
        first = self.api.get(what, f"albums/{aid}/tracks", limit=PAGE_SIZE, offset=0)
        return self._album_track_pages(what, first, album)

    def _album_track_pages(
        self, what: str, first: dict[str, Any], album: SpotifyAlbum
    ) -> list[Candidate]:
        """The tracks of ``first`` and its ``next`` pages, each with ``album`` filled in."""
        found: list[Candidate] = []
        for page in self.api.pages(what, first):
            for item in page.get("items") or []:
                candidate = candidate_from_json(item, album=album)
                if candidate is not None:
                    found.append(candidate)
        return found

    # -- the user and playlists

    def current_user(self) -> SpotifyUser:
        """``GET /me``."""
        data = self.api.get("your Spotify profile (GET /me)", "me")
        return SpotifyUser(
            id=str(data.get("id") or ""), display_name=data.get("display_name"), uri=data.get("uri")
        )

    def my_playlists(self) -> Iterator[RemotePlaylist]:
        """``GET /me/playlists``, 50 per page, fetched lazily."""
        what = "your playlists (GET /me/playlists)"

        def first(sp: spotipy.Spotify) -> Any:
            return sp._get("me/playlists", limit=PAGE_SIZE, offset=0)

        data = self.api.call(what, first, needed_scopes=READ_PLAYLIST_SCOPES)
        for page in self.api.pages(what, data if isinstance(data, dict) else {}):
            for item in page.get("items") or []:
                if isinstance(item, dict) and item.get("id"):
                    yield playlist_from_json(item)

    def get_playlist(self, playlist_id: str) -> RemotePlaylist:
        """``GET /playlists/{id}`` (metadata; ``total`` counts its items)."""
        pid = spotify_ids.parse("playlist", playlist_id)
        data = self.api.call(
            f"playlist {pid}",
            lambda sp: sp._get(f"playlists/{pid}", additional_types="track,episode"),
            needed_scopes=READ_PLAYLIST_SCOPES,
        )
        data = data if isinstance(data, dict) else {}
        return playlist_from_json({**data, "id": data.get("id") or pid})

    def playlist_item_uris(self, playlist_id: str) -> list[str]:
        """Every entry's URI in playlist order (``GET /playlists/{id}/items``, 50 per page).

        Reads ``item``, falling back to ``track``; episodes and local files
        (``spotify:local:...``) keep their URIs; entries whose item is null (unavailable) are
        skipped. 403 unless you own or collaborate on the playlist.
        """
        pid = spotify_ids.parse("playlist", playlist_id)
        return list(self._item_uris(pid, offset=0))

    def playlist_tracks(self, playlist_id: str) -> list[Candidate | None]:
        """One entry per playlist item, in order (``GET /playlists/{id}/items``, 50 per page):
        a Candidate for each track, None for local files, episodes and unavailable items."""
        pid = spotify_ids.parse("playlist", playlist_id)
        return [candidate_from_json(item) for item in self._entries(pid, offset=0)]

    def _item_uris(self, pid: str, *, offset: int, stop: int | None = None) -> Iterator[str]:
        for item in self._entries(pid, offset=offset, stop=stop):
            if item is not None and item.get("uri"):
                yield str(item["uri"])

    def _entries(
        self, pid: str, *, offset: int, stop: int | None = None
    ) -> Iterator[dict[str, Any] | None]:
        """Each entry's item (``item``, falling back to ``track``; None when null)."""
        what = f"items of playlist {pid}"
        first = self.api.call(
            what,
            lambda sp: sp._get(
                f"playlists/{pid}/items",
                limit=PAGE_SIZE,
                offset=offset,
                additional_types="track,episode",
            ),
            needed_scopes=READ_PLAYLIST_SCOPES,
            forbidden_causes=(NOT_OWNER,),
        )
        seen = offset
        for page in self.api.pages(what, first if isinstance(first, dict) else {}):
            for entry in page.get("items") or []:
                yield entry_item(entry)
                seen += 1
                if stop is not None and seen >= stop:
                    return

    def create_playlist(
        self, name: str, public: bool = False, description: str = ""
    ) -> RemotePlaylist:
        """``POST /me/playlists``. ``public=False`` only unlists the playlist (Spotify has no
        real private playlists in the Web API). Not retried after an ambiguous failure."""
        if not name.strip():
            raise InputError("a playlist needs a name")
        _check_description(description)
        data = self.api.call(
            f"creating playlist {name!r} (POST /me/playlists)",
            lambda sp: sp.current_user_playlist_create(
                name, public=public, collaborative=False, description=description
            ),
            retry="never",
            needed_scopes=MODIFY_PLAYLIST_SCOPES,
        )
        if not isinstance(data, dict) or not data.get("id"):
            raise SpotifyError(
                f"Spotify answered the creation of playlist {name!r} without its id; look for "
                "it in your Spotify playlists before running the command again"
            )
        return playlist_from_json(data)

    def replace_items(self, playlist_id: str, uris: Sequence[str]) -> str:
        """``PUT /playlists/{id}/items`` with at most 100 URIs (an empty list clears it).
        Idempotent, so retried after transient failures. Returns the new snapshot_id."""
        pid = spotify_ids.parse("playlist", playlist_id)
        wanted = [_item_uri(u) for u in uris]
        if len(wanted) > ITEMS_PER_WRITE:
            raise LimitError(
                f"replace_items takes at most {ITEMS_PER_WRITE} URIs, got {len(wanted)}: "
                "replace the first 100, then add_items the rest"
            )
        data = self.api.call(
            f"replacing the items of playlist {pid}",
            lambda sp: sp._put(f"playlists/{pid}/items", payload={"uris": wanted}),
            needed_scopes=MODIFY_PLAYLIST_SCOPES,
            forbidden_causes=(NOT_OWNER,),
        )
        return _snapshot(data)

    def add_items(
        self,
        playlist_id: str,
        uris: Sequence[str],
        position: int | None = None,
        expected_total: int | None = None,
    ) -> str:
        """``POST /playlists/{id}/items`` in batches of 100; returns the last snapshot_id.

        ``expected_total`` is the number of items the playlist holds BEFORE this call (callers
        that just read or planned the playlist know it; otherwise one ``GET /playlists/{id}`` is
        spent to learn it). Adding is not idempotent: after a 5xx, timeout or dropped
        connection, the playlist is read back (its total, then the items at the insert
        position) and the batch is retried only when it was certainly not applied; when the
        read-back is inconclusive ``AmbiguousWriteError`` is raised and nothing is duplicated.
        """
        pid = spotify_ids.parse("playlist", playlist_id)
        wanted = [_item_uri(u) for u in uris]
        if not wanted:
            raise InputError("add_items needs at least one URI")
        if expected_total is None:
            expected_total = self.get_playlist(pid).total
        snapshot = ""
        before = expected_total
        for number, batch in enumerate(_chunks(wanted, ITEMS_PER_WRITE)):
            at = None if position is None else position + number * ITEMS_PER_WRITE
            snapshot = self._add_batch(pid, batch, at, before)
            before += len(batch)
        return snapshot

    def _add_batch(self, pid: str, batch: list[str], position: int | None, before: int) -> str:
        payload: dict[str, Any] = {"uris": batch}
        if position is not None:
            payload["position"] = position

        def verify() -> Verdict[str]:
            playlist = self.get_playlist(pid)
            if playlist.total == before:
                return Verdict(Outcome.NOT_APPLIED)
            if playlist.total != before + len(batch):
                return Verdict(
                    Outcome.UNCLEAR,
                    detail=f"expected {before} or {before + len(batch)} items, "
                    f"found {playlist.total}",
                )
            start = before if position is None else position
            found = list(self._item_uris(pid, offset=start, stop=start + len(batch)))
            if found[: len(batch)] == batch:
                return Verdict(Outcome.APPLIED, playlist.snapshot_id)
            return Verdict(Outcome.UNCLEAR, detail="the items at the insert position differ")

        data = self.api.call(
            f"adding {len(batch)} items to playlist {pid}",
            lambda sp: sp._post(f"playlists/{pid}/items", payload=payload),
            retry="verify",
            verify=verify,
            needed_scopes=MODIFY_PLAYLIST_SCOPES,
            forbidden_causes=(NOT_OWNER,),
        )
        return data if isinstance(data, str) else _snapshot(data)

    def remove_items(self, playlist_id: str, uris: Sequence[str]) -> str:
        """``DELETE /playlists/{id}/items`` (every occurrence of each URI), batches of 100.
        Idempotent, so retried after transient failures. Returns the last snapshot_id."""
        pid = spotify_ids.parse("playlist", playlist_id)
        wanted = [_item_uri(u) for u in uris]
        snapshot = ""
        for batch in _chunks(wanted, ITEMS_PER_WRITE):
            body = {"items": [{"uri": u} for u in batch]}

            def delete(sp: spotipy.Spotify, body: dict[str, Any] = body) -> Any:
                return sp._delete(f"playlists/{pid}/items", payload=body)

            data = self.api.call(
                f"removing {len(batch)} items from playlist {pid}",
                delete,
                needed_scopes=MODIFY_PLAYLIST_SCOPES,
                forbidden_causes=(NOT_OWNER,),
            )
            snapshot = _snapshot(data)
        return snapshot

    def change_details(
        self,
        playlist_id: str,
        name: str | None = None,
        description: str | None = None,
        public: bool | None = None,
    ) -> None:
        """``PUT /playlists/{id}``: change name, description and/or public flag."""
        pid = spotify_ids.parse("playlist", playlist_id)
        body: dict[str, Any] = {}
        if name is not None:
            if not name.strip():
                raise InputError("a playlist needs a name")
            body["name"] = name
        if description is not None:
            _check_description(description)
            body["description"] = description
        if public is not None:
            body["public"] = public
        if not body:
            return
        self.api.call(
            f"changing the details of playlist {pid}",
            lambda sp: sp._put(f"playlists/{pid}", payload=body),
            needed_scopes=MODIFY_PLAYLIST_SCOPES,
            forbidden_causes=(NOT_OWNER,),
        )


def _check_description(description: str) -> None:
    if "\n" in description or "\r" in description:
        raise InputError("a Spotify playlist description cannot contain line breaks")
    if len(description) > DESCRIPTION_MAX:
        raise LimitError(
            f"a Spotify playlist description has at most {DESCRIPTION_MAX} characters, "
            f"got {len(description)}"
        )


def _snapshot(data: Any) -> str:
    if isinstance(data, dict):
        return str(data.get("snapshot_id") or "")
    return ""


__all__ = [
    "SCOPE",
    "SpotifyClient",
]
