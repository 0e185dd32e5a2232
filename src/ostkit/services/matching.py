"""Use cases of matching: ``match_tracks`` (search + score + decide), review, pin and unpin.

``match_tracks`` works in two phases so that ``--jobs N`` gives exactly the sequential result:

1. Search (in a thread pool): for every track that needs it, run its query plan
   (``ostkit.matching.queries``) through the shared client, stopping as soon as the candidates
   gathered so far give a confident match. Scoring in this phase uses only what was known
   *before* the run (catalog names, aliases and Spotify artist ids already learned), never what
   another worker just learned, so completion order cannot change a decision.
2. Decide (sequential, catalog order): learn artist identities from the confident matches of
   phase 1 (Spotify artist id + the names Spotify shows), re-rank every track's candidates with
   them (no requests), and write statuses, candidates and learned aliases in one transaction.

Statuses: ``pinned`` is never touched; ``matched`` / ``pinned`` / ``not_found`` tracks are not
searched again without ``rematch``; ``review`` tracks are re-decided from their stored candidates
(no requests) so a re-run costs nothing; ``unmatched`` tracks are searched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from ostkit.errors import InputError, SpotifyError
from ostkit.matching.queries import drama_albums, drama_queries, plan
from ostkit.matching.scoring import (
    DEFAULT_BANDS,
    Aliases,
    Bands,
    Context,
    MatchResult,
    best_match,
    merge_candidates,
    text_similarity,
)
from ostkit.models import Artist, Candidate, Drama, SpotifyAlbum, Status, Track
from ostkit.text import spotify_ids
from ostkit.text.keys import key
from ostkit.text.titles import parse_album

KEEP_CANDIDATES = 5  # candidates stored per track for `ostkit review`
# A drama with at least this many entries to search gets its OST albums read up front (one album
# search + one request per OST album), which then match most of its entries with no track search.
DRAMA_FIRST_MIN = 3


class MatchStore(Protocol):
    def tracks(
        self, drama: str | None = None, artist: str | None = None, status: Any = None
    ) -> list[Track]: ...
    def get_track(self, track_id: int) -> Track: ...
    def dramas(self) -> list[Drama]: ...
    def find_drama(self, name: str) -> Drama: ...
    def artists(self) -> list[Artist]: ...
    def transaction(self) -> AbstractContextManager[Any]: ...
    def set_match(
        self, track_id: int, *, status: Status, uri: str | None = None, score: float | None = None
    ) -> None: ...
    def save_candidates(
        self, track_id: int, scored: Sequence[tuple[Candidate, float, Sequence[str]]]
    ) -> None: ...
    def candidates(
        self, track_id: int
    ) -> list[tuple[Candidate, float | None, tuple[str, ...]]]: ...
    def learn_artist(
        self, artist_id: int, spotify_id: str | None, names: Iterable[str]
    ) -> bool: ...


class SearchClient(Protocol):
    @property
    def request_count(self) -> int: ...
    def search_tracks(self, query: str, limit: int = 10, offset: int = 0) -> list[Candidate]: ...
    def search_albums(self, query: str, limit: int = 10, offset: int = 0) -> list[SpotifyAlbum]: ...
    def album_tracks(self, album_id: str) -> list[Candidate]: ...


@dataclass(frozen=True)
class MatchOptions:
    drama: str | None = None
    rematch: bool = False
    dry_run: bool = False
    min_score: float | None = None  # overrides the strong-band threshold
    jobs: int = 4
    bands: Bands = DEFAULT_BANDS

    def effective_bands(self) -> Bands:
        if self.min_score is None:
            return self.bands
        if not 0.0 < self.min_score <= 1.0:
            raise InputError(f"--min-score must be in (0, 1], got {self.min_score}")
        medium = min(self.bands.medium, self.min_score)
        return Bands(strong=self.min_score, medium=medium, weak=min(self.bands.weak, medium))


@dataclass
class TrackOutcome:
    track: Track
    previous: Status
    status: Status
    result: MatchResult | None  # None for pinned/skipped tracks
    searched: bool = False
    requests: int = 0
    queries: list[str] = field(default_factory=list)

    @property
    def uri(self) -> str | None:
        if self.status is Status.PINNED:
            return self.track.spotify_uri
        if self.result and self.result.chosen:
            return self.result.chosen.candidate.uri
        return None

    @property
    def changed(self) -> bool:
        return self.status is not self.previous or self.uri != self.track.spotify_uri


@dataclass
class MatchReport:
    outcomes: list[TrackOutcome]
    requests: int
    searched: int
    elapsed: float
    dry_run: bool
    learned: int = 0
    # Set when a Spotify error (quota, login, ...) stopped the searches: what was decided before
    # it is saved, the remaining tracks keep their status for the next run.
    error: str | None = None

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in (Status.MATCHED, Status.REVIEW, Status.NOT_FOUND, Status.PINNED)}
        out[Status.UNMATCHED.value] = 0  # left by a run that Spotify stopped
        for o in self.outcomes:
            out[o.status.value] = out.get(o.status.value, 0) + 1
        return out


# --- aliases and context ------------------------------------------------------------------------


def aliases_from_artists(artists: Iterable[Artist]) -> Aliases:
    book = Aliases()
    for a in artists:
        names = [a.name, *([a.native_name] if a.native_name else []), *a.aliases]
        book.add(names, [a.spotify_id] if a.spotify_id else [])
    return book


def _drama_names(dramas: Iterable[Drama]) -> dict[str, tuple[str, ...]]:
    return {key(d.title): tuple(n for n in (d.native_title,) if n and n.strip()) for d in dramas}


# --- phase 1: searching -------------------------------------------------------------------------


class _DramaCache:
    """Per-run cache of a drama's OST album tracks, fetched once however many workers ask."""

    def __init__(self, client: SearchClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._futures: dict[str, Future[list[Candidate]]] = {}

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
        with self._lock:
            fut = self._futures.get(cache_key)
            owner = fut is None
            if fut is None:
                fut = Future()
                self._futures[cache_key] = fut
        if owner:
            try:
                fut.set_result(self._fetch(drama, other_names, parts))
            except BaseException as exc:
                fut.set_exception(exc)
                raise
        return fut.result()

    def _fetch(
        self, drama: str, other_names: Sequence[str], parts: frozenset[int] | None
    ) -> list[Candidate]:
        names = [drama, *other_names]
        opened: set[str] = set()
        covered: set[int] = set()
        found: list[Candidate] = []
        for query in drama_queries(drama, other_names):
            albums = drama_albums(
                self.client.search_albums(query.q, limit=query.limit), names, max_albums=10
            )
            if parts is not None:
                # Only the parts still to match (or, with no part numbers, the first two).
                wanted = [a for a in albums if parse_album(a.name).part in parts]
                albums = wanted or [a for a in albums if parse_album(a.name).part is None][:2]
            else:
                albums = albums[:6]
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
class _Search:
    candidates: list[Candidate]
    result: MatchResult
    queries: list[str]


def search_track(
    track: Track,
    client: SearchClient,
    *,
    aliases: Aliases,
    context: Context,
    bands: Bands,
    dramas: _DramaCache | None = None,
    drama_first: bool = False,
) -> _Search:
    """Run ``track``'s query plan until the gathered candidates give a confident match.

    ``drama_first``: the drama's OST album tracks were fetched up front; score them before
    sending any track search (they cost nothing more).
    """
    dramas = dramas or _DramaCache(client)
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
            return _Search(gathered, result, used)
    steps = plan(
        track,
        drama_names=context.drama_names,
        artist_names=artist_names,
        with_drama=not drama_first,
    )
    drama_done = False
    for query in steps:
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
        # The same track again may know more (a search hit has the ISRC an album listing lacks).
        gathered = merge_candidates([*gathered, *found])
        if not found:
            continue
        result = best_match(track, gathered, aliases, context=context, bands=bands)
        if result.status is Status.MATCHED:
            break
    return _Search(gathered, result, used)


# --- phase 2: learning --------------------------------------------------------------------------


def learn_identities(chosen: Iterable[tuple[Track, Candidate]]) -> list[tuple[int, str, str]]:
    """(catalog artist id, Spotify artist id, Spotify name) for each main credit of a confident
    match whose Spotify artist is clearly the same person. Most frequent Spotify id wins per
    catalog artist (ties: first seen, i.e. catalog order)."""
    votes: dict[int, dict[str, list[str]]] = {}
    order: dict[int, list[str]] = {}
    for track, cand in chosen:
        mains = [c for c in track.credits if c.role == "main"]
        for credit in mains:
            if credit.artist_id is None:
                continue
            best, who = 0.0, None
            for artist in cand.artists:
                if not artist.id:
                    continue
                s = max(
                    text_similarity(credit.name, artist.name),
                    text_similarity(credit.native_name, artist.name) if credit.native_name else 0,
                )
                if s > best:
                    best, who = s, artist
            # One main credit and one Spotify artist: the accepted match itself vouches for the
            # name (this is how "Lee Hi" learns "이하이").
            if best < 0.8 and len(mains) == 1 and len(cand.artists) == 1 and cand.artists[0].id:
                who, best = cand.artists[0], 0.8
            if who is None or best < 0.8 or who.id is None:
                continue
            votes.setdefault(credit.artist_id, {}).setdefault(who.id, []).append(who.name)
            order.setdefault(credit.artist_id, [])
            if who.id not in order[credit.artist_id]:
                order[credit.artist_id].append(who.id)
    learned: list[tuple[int, str, str]] = []
    for artist_id, by_id in votes.items():
        spotify_id = max(
            order[artist_id], key=lambda i: (len(by_id[i]), -order[artist_id].index(i))
        )
        for name in dict.fromkeys(by_id[spotify_id]):
            learned.append((artist_id, spotify_id, name))
    return learned


# --- the use case -------------------------------------------------------------------------------


Progress = Callable[[int, int], None]


def match_tracks(
    store: MatchStore,
    client: SearchClient,
    options: MatchOptions | None = None,
    *,
    progress: Progress | None = None,
) -> MatchReport:
    """Search, score and decide for every track that needs it; see the module docstring."""
    options = options or MatchOptions()
    bands = options.effective_bands()
    started = time.monotonic()
    requests_before = client.request_count
    tracks = store.tracks(drama=options.drama)
    dramas = _drama_names(store.dramas())
    known = aliases_from_artists(store.artists())

    def context_for(track: Track, aliases: Aliases) -> Context:
        return Context(aliases=aliases, drama_names=dramas.get(key(track.drama), ()))

    to_search: list[Track] = []
    for t in tracks:
        if t.status is Status.PINNED:
            continue
        if options.rematch or t.status is Status.UNMATCHED:
            to_search.append(t)
        elif t.status is Status.REVIEW and not store.candidates(t.id or 0):
            to_search.append(t)  # a review entry without candidates (e.g. set by hand)
    cache = _DramaCache(client)
    per_drama: dict[str, int] = {}
    for t in to_search:
        per_drama[key(t.drama)] = per_drama.get(key(t.drama), 0) + 1
    first = {k for k, n in per_drama.items() if n >= DRAMA_FIRST_MIN}
    prefetch = list({key(t.drama): t for t in to_search if key(t.drama) in first}.values())
    # The parts to read up front: those of the entries to search (all, if one has no part).
    wanted_parts: dict[str, frozenset[int] | None] = {}
    for t in to_search:
        k = key(t.drama)
        if k in first:
            have = wanted_parts.get(k, frozenset())
            wanted_parts[k] = None if t.part is None or have is None else have | {t.part}
    done = 0
    lock = threading.Lock()
    stop = threading.Event()
    failures: list[SpotifyError] = []

    def fail(exc: SpotifyError) -> None:
        with lock:
            failures.append(exc)
        stop.set()

    def fetch_drama(track: Track) -> None:
        if stop.is_set():
            return
        parts = wanted_parts.get(key(track.drama))
        try:
            cache.get(track.drama, dramas.get(key(track.drama), ()), parts, label="up front")
        except SpotifyError as exc:
            fail(exc)

    def work(track: Track) -> tuple[_Search, int] | None:
        nonlocal done
        if stop.is_set():
            return None
        before = client.request_count
        try:
            found = search_track(
                track,
                client,
                aliases=known,
                context=context_for(track, known),
                bands=bands,
                dramas=cache,
                drama_first=key(track.drama) in first,
            )
        except SpotifyError as exc:
            fail(exc)
            return None
        with lock:
            done += 1
            if progress:
                progress(done, len(to_search))
        # Per-track request counts are exact only sequentially; the total is always exact.
        return found, client.request_count - before

    searches: dict[int, tuple[_Search, int]] = {}
    if options.jobs <= 1 or len(to_search) <= 1:
        for t in prefetch:
            fetch_drama(t)
        for t in to_search:
            one = work(t)
            if one is not None:
                searches[t.id or 0] = one
    else:
        with ThreadPoolExecutor(max_workers=options.jobs, thread_name_prefix="ostkit-match") as ex:
            # Drama albums first (all of them, before any track), so every track sees the same
            # candidates whatever the timing.
            list(ex.map(fetch_drama, prefetch))
            for t, res in zip(to_search, ex.map(work, to_search), strict=True):
                if res is not None:
                    searches[t.id or 0] = res

    # Phase 2: candidates per track (searched now, or stored for review entries).
    pool: dict[int, list[Candidate]] = {}
    for t in tracks:
        tid = t.id or 0
        if tid in searches:
            pool[tid] = searches[tid][0].candidates
        elif t.status is Status.REVIEW:
            pool[tid] = [c for c, _, _ in store.candidates(tid)]
    first_pass: dict[int, MatchResult] = {}
    for t in tracks:
        tid = t.id or 0
        if tid in searches:
            first_pass[tid] = searches[tid][0].result
        elif tid in pool:
            first_pass[tid] = best_match(
                t, pool[tid], known, context=context_for(t, known), bands=bands
            )
    confident = [
        (t, r.chosen.candidate)
        for t in tracks
        if (r := first_pass.get(t.id or 0)) is not None and r.chosen is not None
    ]
    learned = learn_identities(confident)
    enriched = aliases_from_artists(store.artists())
    by_artist: dict[int, list[tuple[str, str]]] = {}
    for artist_id, spotify_id, name in learned:
        by_artist.setdefault(artist_id, []).append((spotify_id, name))
    for t in tracks:
        for c in t.credits:
            if c.artist_id in by_artist:
                pairs = by_artist[c.artist_id]
                enriched.add(
                    [c.name, *([c.native_name] if c.native_name else []), *(n for _, n in pairs)],
                    [i for i, _ in pairs],
                )

    outcomes: list[TrackOutcome] = []
    for t in tracks:
        tid = t.id or 0
        if t.status is Status.PINNED or tid not in pool:
            outcomes.append(TrackOutcome(t, t.status, t.status, None))
            continue
        result = first_pass[tid]
        if result.status is not Status.MATCHED and learned:
            result = best_match(
                t, pool[tid], enriched, context=context_for(t, enriched), bands=bands
            )
        search = searches.get(tid)
        outcomes.append(
            TrackOutcome(
                t,
                t.status,
                result.status,
                result,
                searched=search is not None,
                requests=search[1] if search else 0,
                queries=search[0].queries if search else [],
            )
        )

    learned_count = 0
    if not options.dry_run:
        with store.transaction():
            for o in outcomes:
                if o.result is None or o.track.id is None:
                    continue
                r = o.result
                best = r.chosen or r.best
                store.set_match(
                    o.track.id,
                    status=r.status,
                    uri=r.chosen.candidate.uri if r.chosen else None,
                    score=best.score.total if best else None,
                )
                keep = [] if r.status is Status.MATCHED else list(r.ranked[:KEEP_CANDIDATES])
                store.save_candidates(
                    o.track.id,
                    [(x.candidate, x.score.total, x.score.reasons) for x in keep],
                )
            for artist_id, spotify_id, name in learned:
                if store.learn_artist(artist_id, spotify_id, [name]):
                    learned_count += 1
    error = None
    if failures:
        error = (
            f"{failures[0]} — stopped after searching {len(searches)} of {len(to_search)} "
            "tracks; the decisions made so far are saved, run `ostkit match` again to continue"
        )
    return MatchReport(
        error=error,
        outcomes=outcomes,
        requests=client.request_count - requests_before,
        searched=len(searches),
        elapsed=time.monotonic() - started,
        dry_run=options.dry_run,
        learned=learned_count,
    )


# --- review, pin, unpin --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    track: Track
    candidates: list[tuple[Candidate, float | None, tuple[str, ...]]]


def review_queue(store: MatchStore, drama: str | None = None) -> Iterator[ReviewItem]:
    """Tracks waiting for a person, in catalog order, with their stored candidates."""
    for t in store.tracks(drama=drama, status=Status.REVIEW):
        yield ReviewItem(t, store.candidates(t.id or 0))


def pin(store: MatchStore, track_id: int, uri_or_url: str) -> Track:
    """Set a track's Spotify URI by hand (status pinned: the matcher leaves it alone)."""
    uri = spotify_ids.track_uri(uri_or_url)
    store.get_track(track_id)
    with store.transaction():
        store.set_match(track_id, status=Status.PINNED, uri=uri, score=None)
        store.save_candidates(track_id, [])
    return store.get_track(track_id)


def choose(store: MatchStore, track_id: int, candidate: Candidate) -> Track:
    """A person picked ``candidate`` in review: pin it and learn the artist's Spotify identity."""
    track = store.get_track(track_id)
    with store.transaction():
        store.set_match(track_id, status=Status.PINNED, uri=candidate.uri, score=None)
        store.save_candidates(track_id, [])
        for artist_id, spotify_id, name in learn_identities([(track, candidate)]):
            store.learn_artist(artist_id, spotify_id, [name])
    return store.get_track(track_id)


def mark_not_found(store: MatchStore, track_id: int) -> Track:
    with store.transaction():
        store.set_match(track_id, status=Status.NOT_FOUND, uri=None, score=None)
        store.save_candidates(track_id, [])
    return store.get_track(track_id)


def unpin(store: MatchStore, track_id: int) -> Track:
    """Forget a pinned URI: the track becomes unmatched and the next `ostkit match` searches it."""
    track = store.get_track(track_id)
    if track.status is not Status.PINNED:
        raise InputError(
            f"track {track_id} is not pinned (status {track.status.value}); nothing to unpin"
        )
    with store.transaction():
        store.set_match(track_id, status=Status.UNMATCHED, uri=None, score=None)
    return store.get_track(track_id)
