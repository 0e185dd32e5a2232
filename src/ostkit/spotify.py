"""SpotifyClient: the only module that imports spotipy. Raw JSON becomes ``ostkit.models`` here.

Written for the Web API rules of Development-Mode apps since February 2026 (see
``../shared/spotify-api.md``): search ``limit`` at most 10; playlist contents under ``/items``
(entries carry ``item``, older apps ``track``); ``POST /me/playlists`` to create. Methods that hit
removed endpoints are never called: no batch GETs (``tracks()``, ``albums()``, ...), no
``user_playlist_create``, no ``artist_albums`` (default limit 20 answers 400), no
``current_user_unfollow_playlist``. Adding items sends the documented body ``{"uris": [...]}``
through ``sp._post`` (spotipy's ``playlist_add_items`` sends a bare JSON array, which Spotify once
answered with 400 "No uris provided").

spotipy is built with a plain ``requests.Session`` (no hidden urllib3 retries), a (connect, read)
timeout and a fixed ``Accept-Language``; every call runs under ``ostkit.netpolicy``.

Usage::

    client = SpotifyClient.from_settings(settings)           # token cache / refresh token
    client = SpotifyClient(api_url=sb.api_url, auth=token)   # tests: a bare access token
    client.search_tracks('track:"Mirage" artist:"Colde"')
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import requests
import spotipy
from spotipy.exceptions import SpotifyException

from ostkit.auth import SCOPE, StaticToken, TokenManager, TokenSource, quiet_http_loggers
from ostkit.config import DEFAULT_API_URL
from ostkit.errors import InputError, LimitError, SpotifyError
from ostkit.models import Candidate, RemotePlaylist, SpotifyAlbum, SpotifyArtist, SpotifyUser
from ostkit.netpolicy import (
    Executor,
    HttpStatusError,
    NetPolicy,
    Outcome,
    RateLimiter,
    RetryMode,
    Verdict,
    parse_retry_after,
    shared_limiter,
)

if TYPE_CHECKING:
    import random

    from ostkit.config import Settings

log = logging.getLogger("ostkit.spotify")

T = TypeVar("T")

SEARCH_LIMIT_MAX = 10  # Development-Mode maximum since February 2026 (11-50 answer 400)
ITEMS_PER_WRITE = 100  # URIs per POST/PUT/DELETE /playlists/{id}/items
PAGE_SIZE = 50  # /playlists/{id}/items, /me/playlists, album tracks
DESCRIPTION_MAX = 300
DEFAULT_LANGUAGE = "en"

READ_PLAYLIST_SCOPES = ("playlist-read-private",)
MODIFY_PLAYLIST_SCOPES = ("playlist-modify-private", "playlist-modify-public")
NOT_OWNER = "you neither own nor collaborate on this playlist"

_ID_RE = re.compile(r"^[0-9A-Za-z]{1,64}$")
_URI_RE = re.compile(r"^spotify:(?P<kind>[a-z]+):(?P<id>[0-9A-Za-z]+)$")
_URL_RE = re.compile(
    r"^https?://open\.spotify\.com/(?:intl-[a-z-]+/)?(?P<kind>[a-z]+)/(?P<id>[0-9A-Za-z]+)"
    r"/?(?:[?#].*)?$"
)


def parse_spotify_id(kind: str, value: str) -> str:
    """The bare id from an id, a ``spotify:KIND:ID`` URI or an ``open.spotify.com`` URL.

    Raises ``InputError`` for anything else or for another kind (an album URL given as a track).
    """
    text = value.strip()
    for pattern in (_URI_RE, _URL_RE):
        m = pattern.match(text)
        if m:
            if m["kind"] != kind:
                raise InputError(f"{value!r} is a Spotify {m['kind']}, not a {kind}")
            return m["id"]
    if _ID_RE.match(text):
        return text
    raise InputError(f"{value!r} is not a Spotify {kind} id, URI or open.spotify.com URL")


def track_uri(value: str) -> str:
    """Normalise a track id / URI / URL to ``spotify:track:ID`` (episode and local URIs kept)."""
    if value.startswith(("spotify:episode:", "spotify:local:")):
        return value
    return f"spotify:track:{parse_spotify_id('track', value)}"


# --- JSON -> models -------------------------------------------------------------------------------


def _artist(data: dict[str, Any]) -> SpotifyArtist:
    return SpotifyArtist(id=data.get("id"), name=str(data.get("name") or ""))


def _artists(items: Any) -> tuple[SpotifyArtist, ...]:
    return tuple(_artist(a) for a in items or () if isinstance(a, dict))


def album_from_json(data: dict[str, Any]) -> SpotifyAlbum:
    total = data.get("total_tracks")
    if total is None and isinstance(data.get("tracks"), dict):
        total = data["tracks"].get("total")
    return SpotifyAlbum(
        id=data.get("id"),
        name=str(data.get("name") or ""),
        album_type=data.get("album_type"),
        release_date=data.get("release_date"),
        artists=_artists(data.get("artists")),
        total_tracks=total,
    )


def candidate_from_json(data: Any, album: SpotifyAlbum | None = None) -> Candidate | None:
    """A TrackObject (full or simplified) as a Candidate; None for episodes, local files, nulls."""
    if not isinstance(data, dict):
        return None
    if data.get("type", "track") != "track" or data.get("is_local") or not data.get("id"):
        return None
    if album is None and isinstance(data.get("album"), dict):
        album = album_from_json(data["album"])
    external_ids = data.get("external_ids") or {}  # restored March 2026; may be {}
    return Candidate(
        id=str(data["id"]),
        uri=str(data.get("uri") or f"spotify:track:{data['id']}"),
        name=str(data.get("name") or ""),
        artists=_artists(data.get("artists")),
        album=album,
        duration_ms=data.get("duration_ms"),
        isrc=external_ids.get("isrc") if isinstance(external_ids, dict) else None,
        explicit=bool(data.get("explicit", False)),
        track_number=data.get("track_number"),
        disc_number=data.get("disc_number"),
        is_playable=data.get("is_playable"),
    )


def playlist_from_json(data: dict[str, Any]) -> RemotePlaylist:
    # "items" is the 2026 name (full object: a paging object; simplified: {href, total});
    # "tracks" the deprecated one that older client ids still get.
    page = data.get("items") if isinstance(data.get("items"), dict) else data.get("tracks")
    total = page.get("total", 0) if isinstance(page, dict) else 0
    owner = data.get("owner") or {}
    return RemotePlaylist(
        id=str(data["id"]),
        name=str(data.get("name") or ""),
        description=data.get("description"),
        public=data.get("public"),
        snapshot_id=str(data.get("snapshot_id") or ""),
        owner_id=str(owner.get("id") or ""),
        total=int(total or 0),
        url=(data.get("external_urls") or {}).get("spotify"),
        collaborative=bool(data.get("collaborative", False)),
    )


def entry_item(entry: Any) -> dict[str, Any] | None:
    """A playlist entry's track/episode: ``item`` (2026), falling back to deprecated ``track``."""
    if not isinstance(entry, dict):
        return None
    item = entry.get("item")
    if item is None:
        item = entry.get("track")
    return item if isinstance(item, dict) else None


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
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        session = session or requests.Session()  # plain: no urllib3 retries
        if check_answer not in session.hooks["response"]:
            session.hooks["response"].append(check_answer)
        self._sp = spotipy.Spotify(
            auth_manager=self.auth,
            requests_session=session,
            requests_timeout=self.policy.timeout,
            language=language,
        )
        self._sp.prefix = self.api_url
        refresh = None if isinstance(self.auth, StaticToken) else self.auth.refresh
        self._executor = Executor(
            self.policy,
            self.limiter,
            refresh=refresh,
            granted_scopes=lambda: self.auth.scopes,
            sleep=sleep,
            rng=rng,
        )
        self._count_lock = threading.Lock()
        self._requests = 0

    @classmethod
    def from_settings(cls, settings: Settings, *, policy: NetPolicy | None = None) -> SpotifyClient:
        """A client for the user's login (token.json or OSTKIT_SPOTIFY_REFRESH_TOKEN), sharing
        the process-wide rate limiter; its rate is ``settings.rate_limit`` unless ``policy``
        is given."""
        policy = policy or NetPolicy(rate_per_second=settings.rate_limit)
        return cls(
            api_url=settings.api_url,
            auth=TokenManager.from_settings(settings, policy),
            policy=policy,
            limiter=shared_limiter(policy),
        )

    @property
    def request_count(self) -> int:
        """Web API requests this client sent (every attempt; token requests not included)."""
        with self._count_lock:
            return self._requests

    # -- plumbing

    def _call(
        self,
        what: str,
        fn: Callable[[spotipy.Spotify], T],
        *,
        retry: RetryMode = "safe",
        verify: Callable[[], Verdict[T]] | None = None,
        needed_scopes: Collection[str] = (),
        forbidden_causes: Collection[str] = (),
    ) -> T:
        def op() -> T:
            with self._count_lock:
                self._requests += 1
            try:
                return fn(self._sp)
            except SpotifyException as exc:
                headers = exc.headers or {}
                raise HttpStatusError(
                    exc.http_status,
                    _upstream_message(exc.msg),
                    reason=exc.reason,
                    retry_after=parse_retry_after(headers.get("Retry-After")),
                ) from None

        return self._executor.run(
            op,
            what=what,
            retry=retry,
            verify=verify,
            needed_scopes=needed_scopes,
            forbidden_causes=forbidden_causes,
        )

    def _get(self, what: str, path: str, **params: Any) -> dict[str, Any]:
        result = self._call(what, lambda sp: sp._get(path, **params))
        return result if isinstance(result, dict) else {}

    def _pages(self, what: str, first: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Yield ``first`` and every following page.

        ``next`` is followed on the configured API (see ``follow_url``), whatever host it
        names; paging stops at a null ``next``, an empty page or a ``next`` seen before, so a
        ``total`` that changes meanwhile or a server that repeats itself cannot loop forever.
        """
        page: dict[str, Any] | None = first
        seen: set[str] = set()
        while page:
            yield page
            nxt = page.get("next")
            if not nxt or not page.get("items"):
                return
            url = follow_url(self.api_url, str(nxt))
            if url in seen:
                log.warning("%s: Spotify sent the same next page twice; stopped paging", what)
                return
            seen.add(url)
            page = self._get(what, url)

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
        data = self._search(query, "album", limit, offset, market)
        items = (data.get("albums") or {}).get("items") or []
        return [album_from_json(i) for i in items if isinstance(i, dict)]

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
        return self._get(f"search for {kind}s {query!r}", "search", **params)

    def get_track(self, id_or_uri: str) -> Candidate:
        """``GET /tracks/{id}`` (one request; batch ``/tracks?ids=`` is gone)."""
        track_id = parse_spotify_id("track", id_or_uri)
        data = self._get(f"track {track_id}", f"tracks/{track_id}")
        candidate = candidate_from_json(data)
        if candidate is None:
            raise InputError(f"spotify:track:{track_id} is not a playable Spotify track")
        return candidate

    def get_album(self, id_or_uri: str) -> SpotifyAlbum:
        """``GET /albums/{id}``."""
        album_id = parse_spotify_id("album", id_or_uri)
        return album_from_json(self._get(f"album {album_id}", f"albums/{album_id}"))

    def album_tracks(self, album_id: str) -> list[Candidate]:
        """All tracks of an album: ``GET /albums/{id}`` (its first page of tracks) then the
        ``next`` pages. Album track objects carry no album, so each gets the album filled in."""
        aid = parse_spotify_id("album", album_id)
        what = f"album {aid}"
        data = self._get(what, f"albums/{aid}")
        album = album_from_json(data)
        found: list[Candidate] = []
        first = data.get("tracks") if isinstance(data.get("tracks"), dict) else None
        if first is None:
            first = self._get(what, f"albums/{aid}/tracks", limit=PAGE_SIZE, offset=0)
        for page in self._pages(what, first):
            for item in page.get("items") or []:
                candidate = candidate_from_json(item, album=album)
                if candidate is not None:
                    found.append(candidate)
        return found

    # -- the user and playlists

    def current_user(self) -> SpotifyUser:
        """``GET /me``."""
        data = self._get("your Spotify profile (GET /me)", "me")
        return SpotifyUser(
            id=str(data.get("id") or ""), display_name=data.get("display_name"), uri=data.get("uri")
        )

    def my_playlists(self) -> Iterator[RemotePlaylist]:
        """``GET /me/playlists``, 50 per page, fetched lazily."""
        what = "your playlists (GET /me/playlists)"

        def first(sp: spotipy.Spotify) -> Any:
            return sp._get("me/playlists", limit=PAGE_SIZE, offset=0)

        data = self._call(what, first, needed_scopes=READ_PLAYLIST_SCOPES)
        for page in self._pages(what, data if isinstance(data, dict) else {}):
            for item in page.get("items") or []:
                if isinstance(item, dict) and item.get("id"):
                    yield playlist_from_json(item)

    def get_playlist(self, playlist_id: str) -> RemotePlaylist:
        """``GET /playlists/{id}`` (metadata; ``total`` counts its items)."""
        pid = parse_spotify_id("playlist", playlist_id)
        data = self._call(
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
        pid = parse_spotify_id("playlist", playlist_id)
        return list(self._item_uris(pid, offset=0))

    def playlist_tracks(self, playlist_id: str) -> list[Candidate | None]:
        """One entry per playlist item, in order (``GET /playlists/{id}/items``, 50 per page):
        a Candidate for each track, None for local files, episodes and unavailable items."""
        pid = parse_spotify_id("playlist", playlist_id)
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
        first = self._call(
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
        for page in self._pages(what, first if isinstance(first, dict) else {}):
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
        data = self._call(
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
        pid = parse_spotify_id("playlist", playlist_id)
        wanted = [track_uri(u) for u in uris]
        if len(wanted) > ITEMS_PER_WRITE:
            raise LimitError(
                f"replace_items takes at most {ITEMS_PER_WRITE} URIs, got {len(wanted)}: "
                "replace the first 100, then add_items the rest"
            )
        data = self._call(
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
        pid = parse_spotify_id("playlist", playlist_id)
        wanted = [track_uri(u) for u in uris]
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

        data = self._call(
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
        pid = parse_spotify_id("playlist", playlist_id)
        wanted = [track_uri(u) for u in uris]
        snapshot = ""
        for batch in _chunks(wanted, ITEMS_PER_WRITE):
            body = {"items": [{"uri": u} for u in batch]}

            def delete(sp: spotipy.Spotify, body: dict[str, Any] = body) -> Any:
                return sp._delete(f"playlists/{pid}/items", payload=body)

            data = self._call(
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
        pid = parse_spotify_id("playlist", playlist_id)
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
        self._call(
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


def _upstream_message(msg: Any) -> str | None:
    """spotipy's message is ``"<url>:\\n <error.message>"``; keep the message only, on one
    short line."""
    if not msg:
        return None
    text = str(msg)
    if ":\n" in text:
        text = text.split(":\n", 1)[1]
    text = one_line(text)
    return None if text in ("", "None") else text


MESSAGE_MAX = 160
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def one_line(text: str, limit: int = MESSAGE_MAX) -> str:
    """Text (or an HTML page: its title) as one line of at most ``limit`` characters."""
    if "<" in text and ">" in text:
        title = _TITLE_RE.search(text)
        text = html.unescape(_TAG_RE.sub(" ", title.group(1) if title else text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def follow_url(api_url: str, url: str) -> str:
    """A ``next`` URL on the configured API: Spotify sends absolute URLs on its own host, an
    emulator may send ``https://api.spotify.com/...``, another host, or a relative path. The
    path after the API's base (or after ``/v1/``) and the query are kept; the scheme, host and
    base come from ``api_url``, so the bearer token only ever goes to the configured server."""
    if url.startswith(api_url):
        return url
    base = urllib.parse.urlsplit(api_url)
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if path.startswith(base.path):
        path = path[len(base.path) :]
    elif "/v1/" in path:
        path = path.split("/v1/", 1)[1]
    path = path.lstrip("/")
    return api_url + path + (f"?{parts.query}" if parts.query else "")


def check_answer(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """A ``requests`` response hook, run before spotipy reads the answer.

    - An error whose body is not Spotify's ``{"error": {"status", "message"}}`` (an HTML page
      from a proxy, an OAuth-style ``{"error": "invalid_token"}``, plain text, nothing) gets that
      shape, with the text on one short line: spotipy would otherwise fail on it or carry a whole
      HTML page into the message.
    - A successful GET must carry a JSON object: anything else (a captive portal's page, a cut
      answer) raises ``InvalidJSONError``, which the network policy treats like a dropped
      connection instead of reading it as "no results".
    """
    status = response.status_code
    if status >= 400:
        try:
            data: Any = response.json()
        except ValueError:
            data = None
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message", ""), str | None):
            return response
        if isinstance(data, dict):
            text = str(data.get("error_description") or error or "")
        else:
            text = response.text or ""
        message = one_line(text) or response.reason or ""
        response._content = json.dumps({"error": {"status": status, "message": message}}).encode()
        response.headers["Content-Type"] = "application/json"
        return response
    if 200 <= status < 300 and response.request is not None and response.request.method == "GET":
        try:
            ok = isinstance(response.json(), dict)
        except ValueError:
            ok = False
        if not ok:
            raise requests.exceptions.InvalidJSONError(
                f"HTTP {status} answer is not a JSON object", response=response
            )
    return response


__all__ = [
    "SCOPE",
    "SpotifyClient",
    "album_from_json",
    "candidate_from_json",
    "entry_item",
    "parse_spotify_id",
    "playlist_from_json",
    "track_uri",
]
