"""The search step of ``ostkit match``: run each track's query plan through the shared client
(in a thread pool), stopping as soon as the candidates gathered give a confident match.

No store access at all: the caller passes what was known before the run and gets back, per
track, the candidates and the first decision.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from ostkit.errors import SpotifyError
from ostkit.matching.bands import Bands
from ostkit.matching.decide import ANY_PART, MatchResult, best_match, merge_candidates
from ostkit.matching.queries import (
    drama_albums,
    drama_queries,
    ost_drama_names,
    plan,
    title_heads,
)
from ostkit.matching.scoring import Aliases, Context
from ostkit.models import Candidate, SpotifyAlbum, Status, Track
from ostkit.text.keys import key
from ostkit.text.scripts import script_of
from ostkit.text.titles import parse_album


class SearchClient(Protocol):
    @property
    def request_count(self) -> int: ...
    def search_tracks(self, query: str, limit: int = 10, offset: int = 0) -> list[Candidate]: ...
    def search_albums(self, query: str, limit: int = 10, offset: int = 0) -> list[SpotifyAlbum]: ...
    def album_tracks(self, album_id: str) -> list[Candidate]: ...


# How far album search results are paged for a wanted OST part (4 pages of 10).
MAX_ALBUM_OFFSET = 30


class Once:
    """Work done once per key however many threads ask at the same time: the first caller
    does it, the others wait for its result (or its exception)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[Hashable, Future[Any]] = {}

    def get(self, memo: Hashable, work: Callable[[], Any]) -> Any:
        with self._lock:
            fut = self._futures.get(memo)
            owner = fut is None
            if fut is None:
                fut = self._futures[memo] = Future()
        if owner:
            try:
                fut.set_result(work())
            except BaseException as exc:
                fut.set_exception(exc)
                raise
        return fut.result()


class RunCache:
    """The client as one run sees it: an identical request (the same search, the same album)
    is sent once however many entries or workers ask for it: an Inst. entry asks what its vocal
    entry asked, entries of one drama share its album searches, and a search that found
    nothing for one entry is not sent again for another. Album reads are counted apart."""

    def __init__(self, client: SearchClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._once = Once()
        self.album_reads = 0

    @classmethod
    def of(cls, client: SearchClient) -> RunCache:
        """``client`` itself when it is a run's cache already (steps of one run share it), else
        a new one around it."""
        return client if isinstance(client, RunCache) else cls(client)

    @property
    def request_count(self) -> int:
        return self.client.request_count

    def search_tracks(self, query: str, limit: int = 10, offset: int = 0) -> list[Candidate]:
        found: list[Candidate] = self._once.get(
            ("track", query, limit, offset),
            lambda: self.client.search_tracks(query, limit, offset),
        )
        return found

    def search_albums(self, query: str, limit: int = 10, offset: int = 0) -> list[SpotifyAlbum]:
        found: list[SpotifyAlbum] = self._once.get(
            ("album", query, limit, offset),
            lambda: self.client.search_albums(query, limit, offset),
        )
        return found

    def album_tracks(self, album_id: str) -> list[Candidate]:
        def read() -> list[Candidate]:
            with self._lock:
                self.album_reads += 1
            return self.client.album_tracks(album_id)

        found: list[Candidate] = self._once.get(("tracks", album_id), read)
        return found


class DramaCache:
    """Per-run cache of a drama's OST album tracks, fetched once however many workers ask."""

    def __init__(self, client: SearchClient) -> None:
        self.client = client
        self._once = Once()
        self._lock = threading.Lock()
        # Drama key -> the drama names of the OST releases its album searches returned.
        self.release_names: dict[str, set[str]] = {}

    def get(
        self,
        drama: str,
        other_names: Sequence[str],
        parts: frozenset[int] | None = None,
        *,
        label: str | None = None,
    ) -> list[Candidate]:
        """Tracks of the drama's OST albums: those of ``parts`` (all when None). Calls with the
        same ``label`` (default: the parts) share one fetch."""
        cache_key = f"{key(drama)}|{label if label is not None else sorted(parts or [])}"
        found: list[Candidate] = self._once.get(
            cache_key, lambda: self._fetch(drama, other_names, parts)
        )
        return found

    def _fetch(
        self, drama: str, other_names: Sequence[str], parts: frozenset[int] | None
    ) -> list[Candidate]:
        names = [drama, *other_names]
        opened: set[str] = set()
        covered: set[int] = set()
        found: list[Candidate] = []
        heads = [q for head in title_heads(names) for q in drama_queries(head)]
        for query in [*drama_queries(drama, other_names), *heads]:
            if query in heads and found:
                break  # the full names found the releases: the title alone is not needed
            page = self.client.search_albums(query.q, limit=query.limit)
            returned = list(page)
            albums = drama_albums(page, names, max_albums=10)
            offset = 0
            # A long OST (Part.10 and beyond) fills more than one page of results: turn pages
            # while a wanted part is missing and the page was full.
            while (
                parts is not None
                and len(page) == query.limit
                and offset < MAX_ALBUM_OFFSET
                and not parts <= {parse_album(a.name).part for a in albums}
            ):
                offset += query.limit
                page = self.client.search_albums(query.q, limit=query.limit, offset=offset)
                returned += page
                albums += drama_albums(page, names, max_albums=10)
            if parts is not None:
                # Only the parts still to match (or, with no part numbers, the first two).
                wanted = [a for a in albums if parse_album(a.name).part in parts]
                albums = wanted or [a for a in albums if parse_album(a.name).part is None][:2]
            else:
                albums = albums[:6]
            with self._lock:
                names_found = self.release_names.setdefault(key(drama), set())
                names_found.update(ost_drama_names(returned))
            for album in albums:
                if album.id and album.id not in opened:
                    opened.add(album.id)
                    found.extend(self.client.album_tracks(album.id))
                    part = parse_album(album.name).part
                    if part is not None:
                        covered.add(part)
            if parts is not None and parts <= covered:
                break  # every part found: no need for the drama's other names
        return found


@dataclass
class TrackSearch:
    candidates: list[Candidate]
    result: MatchResult
    queries: list[str]
    requests: int = 0  # exact only sequentially; the run's total is always exact
    # Candidates a search filtered by the entry's artist returned, their one artist shown in
    # another script (``Context.found_by_artist``).
    found_by_artist: frozenset[str] = frozenset()


def shown_in_other_script(track: Track, found: Sequence[Candidate]) -> set[str]:
    """The candidates of a search filtered by ``track``'s artist whose one artist Spotify shows
    in another script than the fan's name: the search matched a name Spotify keeps for them."""
    ours = script_of(track.artist)
    return {
        c.uri
        for c in found
        if len(c.artists) == 1 and script_of(c.artists[0].name) not in (ours, "none")
    }


def search_track(
    track: Track,
    client: SearchClient,
    *,
    aliases: Aliases,
    context: Context,
    bands: Bands,
    dramas: DramaCache | None = None,
    drama_first: bool = False,
) -> TrackSearch:
    """Run ``track``'s query plan until the gathered candidates give a confident match.

    ``drama_first``: the drama's OST album tracks were fetched up front; score them before
    sending any track search (they cost nothing more).
    """
    dramas = dramas or DramaCache(client)
    gathered: list[Candidate] = []
    used: list[str] = []
    primary = next((c for c in track.credits if c.role == "main"), None)
    artist_names = [n for n in (primary.native_name,) if n] if primary else []
    result = best_match(track, [], aliases, context=context, bands=bands)
    if drama_first:
        gathered.extend(dramas.get(track.drama, context.drama_names, label="up front"))
        used.append(f"(drama albums of {track.drama!r})")
        result = best_match(track, gathered, aliases, context=context, bands=bands)
        if result.status is Status.MATCHED:
            return TrackSearch(gathered, result, used)
    steps = plan(
        track,
        drama_names=context.drama_names,
        artist_names=artist_names,
        with_drama=not drama_first,
    )
    by_artist: set[str] = set()
    drama_done = False
    for query in steps:
        if query.step == "artist" and _artist_on_dramas_ost(result):
            continue  # the drama's releases are reached: the artist's other songs add nothing
        if query.step == "title" and _found_by_artist(result):
            continue  # the title by this artist is found: other spellings of them add nothing
        if query.kind == "album":
            if drama_done:
                continue
            drama_done = True
            parts = None if track.part is None else frozenset({track.part})
            found = dramas.get(track.drama, context.drama_names, parts)
            used.append(f"(drama albums of {track.drama!r}, part {track.part})")
        else:
            found = client.search_tracks(query.q, limit=query.limit)
            used.append(query.q)
            if query.step in ("field", "artist") and track.artist.strip():
                by_artist |= shown_in_other_script(track, found)
                context = replace(context, found_by_artist=frozenset(by_artist))
        # The same track again may know more (a search hit has the ISRC an album listing lacks).
        gathered = merge_candidates([*gathered, *found])
        if not found:
            continue
        result = best_match(track, gathered, aliases, context=context, bands=bands)
        if result.status is Status.MATCHED:
            break
    return TrackSearch(gathered, result, used, found_by_artist=frozenset(by_artist))


def _artist_on_dramas_ost(result: MatchResult) -> bool:
    """Whether a song by the entry's artist on the drama's own OST is among the candidates: the
    artist's songs (the last query) are then no way to a release the searches missed."""
    return any(
        r.score.components.get("album", 0) >= ANY_PART
        and r.score.components.get("artist", 0) >= 0.9
        for r in result.ranked
    )


def _found_by_artist(result: MatchResult) -> bool:
    """Whether the entry's title by the entry's artist is among the candidates."""
    return any(
        r.score.components.get("title", 0) >= 0.95 and r.score.components.get("artist", 0) >= 0.9
        for r in result.ranked
    )


Progress = Callable[[int, int], None]


@dataclass
class Searches:
    """What the search step found, by track id, and the Spotify error that stopped it (if any)."""

    found: dict[int, TrackSearch] = field(default_factory=dict)
    failure: SpotifyError | None = None
    album_reads: int = 0  # GET /albums/{id} reads among the requests (one album each)
    # Drama key -> the drama names of the OST releases the drama's album searches returned.
    release_names: dict[str, frozenset[str]] = field(default_factory=dict)


class Searcher:
    """The searches of a match, one drama or track at a time, safe to call from several worker
    threads (the run loop, with its pool, saving and interruption, is
    ``ostkit.services.matching.search``). Scoring here uses only what was known before the run
    (``known``), never what another worker just learned, so completion order cannot change a
    decision. The first ``SpotifyError`` stops the remaining work; what was found is kept."""

    def __init__(
        self,
        client: SearchClient,
        bands: Bands,
        *,
        known: Aliases,
        drama_names: Mapping[str, tuple[str, ...]],
        up_front: Mapping[str, frozenset[int] | None],
        drama_entries: Mapping[str, tuple[Track, ...]] | None = None,
    ) -> None:
        self.run_cache = RunCache.of(client)
        self.client: SearchClient = self.run_cache
        self.bands = bands
        self.known = known
        self.drama_names = drama_names  # drama key -> its other names
        self.drama_entries = drama_entries or {}  # drama key -> its catalog entries
        self.up_front = up_front  # drama key -> OST parts to read up front (None: all)
        self.cache = DramaCache(self.run_cache)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._failures: list[SpotifyError] = []

    def fetch_drama(self, track: Track) -> None:
        """Read the OST albums of ``track``'s drama up front (shared by its entries)."""
        if self._stop.is_set():
            return
        parts = self.up_front.get(key(track.drama))
        other_names = self.drama_names.get(key(track.drama), ())
        try:
            self.cache.get(track.drama, other_names, parts, label="up front")
        except SpotifyError as exc:
            self._fail(exc)

    def search(self, track: Track) -> TrackSearch | None:
        """One track's search, or None once the run has stopped."""
        if self._stop.is_set():
            return None
        before = self.client.request_count
        k = key(track.drama)
        context = Context(self.known, self.drama_names.get(k, ()), self.drama_entries.get(k, ()))
        try:
            found = search_track(
                track,
                self.client,
                aliases=self.known,
                context=context,
                bands=self.bands,
                dramas=self.cache,
                drama_first=key(track.drama) in self.up_front,
            )
        except SpotifyError as exc:
            self._fail(exc)
            return None
        found.requests = self.client.request_count - before
        return found

    def prefetch(self, to_search: Sequence[Track]) -> list[Track]:
        """The tracks to pass to ``fetch_drama`` before any ``search`` (all of them first, so
        every track sees the same candidates whatever the timing): one per drama read up
        front, the last of its entries."""
        return list({key(t.drama): t for t in to_search if key(t.drama) in self.up_front}.values())

    @property
    def failure(self) -> SpotifyError | None:
        """The first Spotify error, which stopped the remaining work (None: none so far)."""
        return self._failures[0] if self._failures else None

    def _fail(self, exc: SpotifyError) -> None:
        with self._lock:
            self._failures.append(exc)
        self._stop.set()
