"""The ``ostkit match`` use case, in steps that each run (and are tested) alone:

1. ``plan_match`` (store reads only): the tracks to search and the dramas whose OST albums are
   read up front.
2. ``search`` (``ostkit.services.search``; in a thread pool, no store writes): for every track,
   run its query plan through the shared client, stopping as soon as the candidates gathered so
   far give a confident match. Scoring in this step uses only what was known *before* the run
   (catalog names, aliases and Spotify artist ids already learned), never what another worker
   just learned, so completion order cannot change a decision and ``--jobs N`` gives exactly
   the sequential result.
3. ``decide`` (pure, catalog order): learn artist identities from the confident matches of step 2
   (Spotify artist id + the names Spotify shows), re-rank every other track's candidates with
   them (no requests).
3b. ``read_learned_names`` (requests): a drama name step 3 learned (an OST named only in
   Hangul, or under another English title) opens releases no search of step 2 reached: one
   album search per name and its releases' tracks join the candidates of the drama's undecided
   entries, and step 3 runs once more. Dramas with every entry matched send nothing.
4. ``write_decisions``: statuses, candidates, the data a match fills in (album, release date,
   duration, ISRC) and learned aliases in one transaction (not with ``dry_run``).

A run never loses work: while step 2 runs, every ``SAVE_EVERY`` searched tracks (or
``SAVE_SECONDS``) their first decisions are written in a transaction of their own, and an
interruption (``KeyboardInterrupt``: Ctrl-C, or SIGTERM as the command line maps it) stops the
searches, then steps 3 and 4 run on what was found. Tracks decided are not searched again by
the next run, which continues with the rest.

Review, pin and unpin are in ``ostkit.services.review``.

Statuses: ``pinned`` is never touched; ``matched`` / ``pinned`` / ``not_found`` tracks are not
searched again without ``rematch``; ``review`` tracks are re-decided from their stored candidates
(no requests) so a re-run costs nothing; ``unmatched`` tracks are searched.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import Protocol

from ostkit.errors import InputError, SpotifyError, UsageError
from ostkit.matching.bands import DEFAULT_BANDS, Bands
from ostkit.matching.decide import (
    ANY_PART,
    ON_DRAMAS_OST,
    MatchResult,
    Ranked,
    best_match,
    inst_twin,
    merge_candidates,
)
from ostkit.matching.identities import (
    aliases_from_artists,
    learn_drama_names,
    learn_identities,
    learn_names_from_cluster,
    learn_names_from_search,
)
from ostkit.matching.scoring import Aliases, Context, found_by_artist
from ostkit.models import Artist, Candidate, Drama, Status, Track
from ostkit.services.review import ReviewItem, ReviewStore
from ostkit.services.search import (
    DramaCache,
    Progress,
    RunCache,
    SearchClient,
    Searcher,
    Searches,
    TrackSearch,
)
from ostkit.text.keys import fuzzy_key, key
from ostkit.text.titles import is_instrumental, parse_title

KEEP_CANDIDATES = 5  # candidates stored per track for `ostkit review`
# A drama with at least this many entries to search gets its OST albums read up front (one album
# search + one request per OST album), which then match most of its entries with no track search.
DRAMA_FIRST_MIN = 3
# Decisions are saved as a run goes, in batches of this many searched tracks or after this many
# seconds, whichever comes first: an interrupted or killed run keeps them.
SAVE_EVERY = 25
SAVE_SECONDS = 2.0


class MatchStore(ReviewStore, Protocol):
    """What ``match_tracks`` needs from ``ostkit.store.CatalogStore``: the review use cases'
    reads and writes, plus the dramas and artists."""

    def artists(self) -> list[Artist]: ...


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
            raise UsageError(f"--min-score must be in (0, 1], got {self.min_score}")
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
    # Set when Ctrl-C or SIGTERM stopped the searches; what was decided before it is saved.
    interrupted: bool = False
    album_reads: int = 0  # of ``requests``: album reads (GET /albums/{id}, one album each)
    # Set when a Spotify error (quota, login, ...) stopped the searches: what was decided before
    # it is saved, the remaining tracks keep their status for the next run.
    error: str | None = None
    # Of ``requests``: those sent after every track's own searches, reading the releases of
    # drama names learned in the run (step 3b).
    learned_name_requests: int = 0

    def decided(self) -> list[TrackOutcome]:
        """The outcomes this run decided (pinned and unsearched tracks left out)."""
        return [o for o in self.outcomes if o.result is not None]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in (Status.MATCHED, Status.REVIEW, Status.NOT_FOUND, Status.PINNED)}
        out[Status.UNMATCHED.value] = 0  # left by a run that Spotify stopped
        for o in self.outcomes:
            out[o.status.value] = out.get(o.status.value, 0) + 1
        return out


# --- step 1: select the tracks to match ---------------------------------------------------------


@dataclass(frozen=True)
class MatchPlan:
    """What a run will do, read from the store before any request: which tracks to search, which
    dramas' OST albums to read up front, and what is already known about names."""

    tracks: list[Track]  # every track in scope, catalog order
    to_search: list[Track]
    artists: list[Artist]  # the catalog's artists as the run starts (names, aliases, ids)
    drama_names: dict[str, tuple[str, ...]]  # drama key -> its other names
    stored: dict[int, list[Candidate]]  # review tracks' stored candidates
    # Drama key -> the parts to read up front (None: all), for dramas with many entries to search.
    up_front: dict[str, frozenset[int] | None] = field(default_factory=dict)

    # Drama key -> the drama's catalog entries in scope (for the uniqueness rule).
    drama_entries: dict[str, tuple[Track, ...]] = field(default_factory=dict)

    # Review tracks' stored candidates a search for the artist returned (``Context``).
    stored_found_by_artist: dict[int, frozenset[str]] = field(default_factory=dict)

    def context(self, track: Track, aliases: Aliases, found: TrackSearch | None = None) -> Context:
        """What scoring ``track`` compares with (``found``: its search in this run, if any)."""
        k = key(track.drama)
        return Context(
            aliases,
            self.drama_names.get(k, ()),
            self.drama_entries.get(k, ()),
            found_by_artist=found.found_by_artist
            if found
            else self.stored_found_by_artist.get(track.id or 0, frozenset()),
        )


def entries_by_drama(tracks: Iterable[Track]) -> dict[str, tuple[Track, ...]]:
    """Drama key -> the drama's entries, catalog order."""
    by_drama: dict[str, list[Track]] = {}
    for t in tracks:
        by_drama.setdefault(key(t.drama), []).append(t)
    return {k: tuple(v) for k, v in by_drama.items()}


def needs_search(track: Track, stored: Sequence[Candidate], rematch: bool) -> bool:
    """Whether a run searches ``track``: pinned never; unmatched always; matched / not_found
    only with ``rematch``; review when rematching or it has no stored candidates to re-decide
    (e.g. set by hand)."""
    if track.status is Status.PINNED:
        return False
    if rematch or track.status is Status.UNMATCHED:
        return True
    return track.status is Status.REVIEW and not stored


def up_front_parts(to_search: Iterable[Track]) -> dict[str, frozenset[int] | None]:
    """Dramas with at least ``DRAMA_FIRST_MIN`` entries to search, and the parts of those entries
    (None: every part, as one entry has no part number)."""
    per_drama: dict[str, int] = {}
    for t in to_search:
        per_drama[key(t.drama)] = per_drama.get(key(t.drama), 0) + 1
    wanted: dict[str, frozenset[int] | None] = {}
    for t in to_search:
        k = key(t.drama)
        if per_drama[k] >= DRAMA_FIRST_MIN:
            have = wanted.get(k, frozenset())
            wanted[k] = None if t.part is None or have is None else have | {t.part}
    return wanted


def drama_names(dramas: Iterable[Drama]) -> dict[str, tuple[str, ...]]:
    """Drama key -> the drama's other names (native title, aliases), as scoring compares them."""
    return {key(d.title): d.other_names() for d in dramas}


def plan_match(store: MatchStore, options: MatchOptions) -> MatchPlan:
    """Read what a run needs from the store (no requests, no writes)."""
    tracks = store.tracks(drama=options.drama)
    kept = {t.id or 0: store.candidates(t.id or 0) for t in tracks if t.status is Status.REVIEW}
    stored = {tid: [c for c, _, _ in cands] for tid, cands in kept.items()}
    to_search = [t for t in tracks if needs_search(t, stored.get(t.id or 0, []), options.rematch)]
    dramas = store.dramas()
    return MatchPlan(
        tracks=tracks,
        to_search=to_search,
        artists=store.artists(),
        drama_names=drama_names(dramas),
        stored=stored,
        up_front=up_front_parts(to_search),
        drama_entries=entries_by_drama(tracks),
        stored_found_by_artist={
            tid: found_by_artist((c, reasons) for c, _, reasons in cands)
            for tid, cands in kept.items()
        },
    )


# --- step 2: search (in parallel, no store writes; ostkit.services.search) ----------------------


@dataclass
class RunSearches(Searches):
    """The search step's result, and whether an interruption cut it short."""

    interrupted: bool = False


Save = Callable[[list[tuple[Track, TrackSearch]]], None]


def search(
    match_plan: MatchPlan,
    client: SearchClient,
    bands: Bands,
    jobs: int = 1,
    progress: Progress | None = None,
    save: Save | None = None,
    *,
    save_every: int | None = None,
    save_seconds: float | None = None,
) -> RunSearches:
    """The plan's searches; ``jobs`` workers give exactly the sequential result.

    Results are collected in the calling thread as they complete: ``progress(done, total)`` is
    called for each, and ``save(batch)`` with every ``save_every`` new results (or after
    ``save_seconds``; defaults ``SAVE_EVERY``, ``SAVE_SECONDS``) and with the last ones. On
    ``KeyboardInterrupt`` the searches not started are dropped, those under way are waited for
    (a second interrupt stops the wait) and what was found is returned with ``interrupted``
    set."""
    searcher = Searcher(
        client,
        bands,
        known=aliases_from_artists(match_plan.artists),
        drama_names=match_plan.drama_names,
        drama_entries=match_plan.drama_entries,
        up_front=match_plan.up_front,
    )
    every = SAVE_EVERY if save_every is None else save_every
    seconds = SAVE_SECONDS if save_seconds is None else save_seconds
    to_search = match_plan.to_search
    total = len(to_search)
    out = RunSearches()
    batch: list[tuple[Track, TrackSearch]] = []
    last_save = time.monotonic()

    def collect(track: Track, found: TrackSearch | None) -> None:
        nonlocal last_save
        if found is None:  # the run stopped before this track
            return
        out.found[track.id or 0] = found
        batch.append((track, found))
        if progress:
            progress(len(out.found), total)
        if save and (len(batch) >= every or time.monotonic() - last_save >= seconds):
            save(list(batch))
            batch.clear()
            last_save = time.monotonic()

    futures: dict[Future[TrackSearch | None], Track] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="ostkit-match")
    try:
        # Drama albums first (all of them, before any track), so every track sees the same
        # candidates whatever the timing.
        list(pool.map(searcher.fetch_drama, searcher.prefetch(to_search)))
        futures = {pool.submit(searcher.search, t): t for t in to_search}
        for fut in as_completed(futures):
            collect(futures[fut], fut.result())
    except KeyboardInterrupt:
        out.interrupted = True
        for fut in futures:
            fut.cancel()  # the searches not started yet
        try:
            for fut, track in futures.items():
                if not fut.cancelled() and (track.id or 0) not in out.found:
                    collect(track, fut.result())
        except KeyboardInterrupt:
            pass  # a second interrupt: stop waiting for the searches under way
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if save and batch:
        save(batch)
    out.failure = searcher.failure
    out.album_reads = searcher.run_cache.album_reads
    out.release_names = {k: frozenset(v) for k, v in searcher.cache.release_names.items()}
    return out


# --- step 3: score and decide, learning identities ----------------------------------------------


def enrich_aliases(plan: MatchPlan, learned: Sequence[tuple[int, str, str]]) -> Aliases:
    """The plan's aliases plus the learned Spotify ids and names of each credited artist."""
    enriched = aliases_from_artists(plan.artists)
    by_artist: dict[int, list[tuple[str, str]]] = {}
    for artist_id, spotify_id, name in learned:
        by_artist.setdefault(artist_id, []).append((spotify_id, name))
    for t in plan.tracks:
        for c in t.credits:
            if c.artist_id in by_artist:
                pairs = by_artist[c.artist_id]
                enriched.add(
                    [c.name, *([c.native_name] if c.native_name else []), *(n for _, n in pairs)],
                    [i for i, _ in pairs],
                )
    return enriched


@dataclass
class Decisions:
    outcomes: list[TrackOutcome]
    learned: list[tuple[int, str, str]]  # (catalog artist id, Spotify artist id, Spotify name)
    # Drama title -> names its matched OST releases carry that the catalog did not know.
    drama_names: dict[str, list[str]] = field(default_factory=dict)


def _on_known_release(result: MatchResult) -> bool:
    """A match on a release the drama's known names name (its album component says so)."""
    chosen = result.chosen
    return chosen is not None and chosen.score.components.get("album", 0) >= ON_DRAMAS_OST


def title_key(track: Track) -> tuple[str, str]:
    """A drama's song, whatever its version: an Inst. entry and its vocal entry share it."""
    return key(track.drama), fuzzy_key(parse_title(track.title).base) or track.title


def decide(plan: MatchPlan, searches: Searches, bands: Bands) -> Decisions:
    """Sequential, catalog order, no requests: learn artist identities from the confident first
    decisions, re-rank every undecided track's candidates with them and say each outcome.
    Deciding again after a learned name's releases were read learns the same names again."""
    known = aliases_from_artists(plan.artists)
    pool: dict[int, list[Candidate]] = {}
    first_pass: dict[int, MatchResult] = {}
    for t in plan.tracks:
        tid = t.id or 0
        if tid in searches.found:
            pool[tid] = searches.found[tid].candidates
            first_pass[tid] = searches.found[tid].result
        elif t.status is Status.REVIEW:
            pool[tid] = plan.stored.get(tid, [])
            first_pass[tid] = best_match(
                t, pool[tid], known, context=plan.context(t, known), bands=bands
            )
    # A song two entries were matched to vouches for no artist but through a strong match (the
    # other entry may be the fan's, by its singer, and this one another singer's song).
    claimed = Counter(r.chosen.candidate.uri for r in first_pass.values() if r.chosen)
    claimed.update(
        t.spotify_uri
        for t in plan.tracks
        if (t.id or 0) not in first_pass
        and t.status in (Status.MATCHED, Status.PINNED)
        and t.spotify_uri
    )

    def vouches(r: MatchResult) -> bool:
        return (
            r.chosen is not None
            and r.vouches_artist
            and (claimed[r.chosen.candidate.uri] < 2 or r.note == "strong")
        )

    learned = learn_identities(
        (t, r.chosen.candidate)
        for t in plan.tracks
        if (r := first_pass.get(t.id or 0)) is not None and r.chosen is not None and vouches(r)
    )
    enriched = enrich_aliases(plan, learned)
    # One accepted match teaches the drama's other name (a native-script or second English
    # title on its OST releases) to the rest of the drama's entries.
    new_names = learn_drama_names(
        (
            (t, r.chosen.candidate)
            for t in plan.tracks
            if (r := first_pass.get(t.id or 0)) is not None and r.chosen is not None
        ),
        plan.drama_names,
        searches.release_names,
    )
    cluster = learn_names_from_cluster(
        (
            (t, [(r.candidate, r.score) for r in first_pass[t.id or 0].ranked])
            for t in plan.tracks
            if (t.id or 0) in first_pass
        ),
        plan.drama_names,
    )
    titles = {key(t.drama): t.drama for t in plan.tracks}
    found_names = learn_names_from_search(searches.release_names, titles, plan.drama_names)
    for more_names in (cluster, found_names):
        for k, names in more_names.items():
            have = new_names.setdefault(k, [])
            have.extend(n for n in names if all(key(n) != key(h) for h in have))
    if new_names:
        known_names = dict(plan.drama_names)
        for k, extra in new_names.items():
            known_names[k] = (*known_names.get(k, ()), *extra)
        plan = replace(plan, drama_names=known_names)
    results = dict(first_pass)
    for t in plan.tracks:
        tid = t.id or 0
        # A match made off the drama's known release is decided again once the drama's name
        # is learned: the release may now read as another drama's OST.
        if tid in results and (
            (results[tid].status is not Status.MATCHED and learned)
            or (key(t.drama) in new_names and not _on_known_release(results[tid]))
        ):
            results[tid] = best_match(
                t,
                pool[tid],
                enriched,
                context=plan.context(t, enriched, searches.found.get(tid)),
                bands=bands,
            )
    # A match made only with what was just learned (the drama's other name) vouches for its
    # artists too: learn them and decide the rest once more (still no request).
    vouched = [
        (t, r.chosen.candidate)
        for t in plan.tracks
        if (t.id or 0) in results
        and first_pass[t.id or 0].status is not Status.MATCHED
        and (r := results[t.id or 0]).chosen is not None
        and vouches(r)
    ]
    more = [x for x in learn_identities(vouched) if x not in learned]
    if more:
        learned = [*learned, *more]
        enriched = enrich_aliases(plan, learned)
        for t in plan.tracks:
            tid = t.id or 0
            if tid in results and results[tid].status is not Status.MATCHED:
                results[tid] = best_match(
                    t,
                    pool[tid],
                    enriched,
                    context=plan.context(t, enriched, searches.found.get(tid)),
                    bands=bands,
                )
    # Entries matched (now or before) to a song of their own are no rivals for the others.
    settled = {
        t.id: r.chosen.candidate.uri
        for t in plan.tracks
        if t.id is not None
        and (r := results.get(t.id)) is not None
        and r.status is Status.MATCHED
        and r.chosen is not None
    }
    settled.update(
        (t.id, t.spotify_uri)
        for t in plan.tracks
        if t.id is not None
        and t.id not in results
        and t.status in (Status.MATCHED, Status.PINNED)
        and t.spotify_uri
    )
    # A song two entries were matched to is the song of the one matched on its own strength:
    # the other (matched by its title or by uniqueness alone) is decided again without it.
    claims: dict[str, int] = {}
    for uri in settled.values():
        claims[uri] = claims.get(uri, 0) + 1
    if settled:
        ids, uris = frozenset(settled), frozenset(settled.values())
        for t in plan.tracks:
            tid = t.id or 0
            r = results.get(tid)
            if r is not None and (
                r.status is not Status.MATCHED
                or (
                    r.chosen is not None
                    and claims[r.chosen.candidate.uri] > 1
                    and r.note != "strong"
                )
            ):
                ctx = replace(
                    plan.context(t, enriched, searches.found.get(tid)), settled=ids, taken=uris
                )
                results[tid] = best_match(t, pool[tid], enriched, context=ctx, bands=bands)
    # An Inst. entry whose vocal entry is matched: the instrumental on the vocal's release.
    vocals = {
        title_key(t): (tid, r.chosen.candidate)
        for t in plan.tracks
        if (tid := t.id or 0) in results
        and (r := results[tid]).status is Status.MATCHED
        and r.chosen is not None
        and not is_instrumental(t.title, t.version)
    }
    for t in plan.tracks:
        tid = t.id or 0
        if (
            tid not in results
            or results[tid].status is Status.MATCHED
            or not is_instrumental(t.title, t.version)
            or title_key(t) not in vocals
        ):
            continue
        vocal_id, vocal = vocals[title_key(t)]
        both = merge_candidates([*pool[tid], *pool.get(vocal_id, [])])
        ctx = plan.context(t, enriched, searches.found.get(tid))
        ranked = best_match(t, both, enriched, context=ctx, bands=bands).ranked
        results[tid] = inst_twin(t, ranked, vocal) or results[tid]
    outcomes: list[TrackOutcome] = []
    for t in plan.tracks:
        tid = t.id or 0
        if t.status is Status.PINNED or tid not in pool:
            outcomes.append(TrackOutcome(t, t.status, t.status, None))
            continue
        result = results[tid]
        search = searches.found.get(tid)
        outcomes.append(
            TrackOutcome(
                t,
                t.status,
                result.status,
                result,
                searched=search is not None,
                requests=search.requests if search else 0,
                queries=search.queries if search else [],
            )
        )
    return Decisions(outcomes, learned, {titles[k]: v for k, v in new_names.items()})


# --- step 3b: read the releases of drama names learned in the run -------------------------------


@dataclass
class LearnedNameReads:
    searches: Searches  # the drama's undecided entries with the new releases' tracks added
    requests: int = 0
    album_reads: int = 0
    failure: SpotifyError | None = None  # stopped the reads: the dramas after it were not read
    failed_drama: str | None = None


def read_learned_names(
    plan: MatchPlan,
    searches: Searches,
    decisions: Decisions,
    client: SearchClient,
    bands: Bands,
) -> LearnedNameReads | None:
    """The releases named by the drama names ``decisions`` learned, read for the dramas that
    still have undecided entries (None: nothing to read). An OST named only in Hangul
    (``응답하라 1988 OST Part 4``) while the fan typed another English title is reached by no
    search of the drama's title or its entries' English titles; once one entry is matched on it
    (or several found, see ``learn_names_from_cluster``), one album search of that name reaches
    the drama's other releases. The tracks read are scored for each undecided entry of the
    drama like any other candidate."""
    undecided = {
        o.track.id
        for o in decisions.outcomes
        if o.track.id in searches.found and o.status is not Status.MATCHED
    }
    todo = {
        title: names
        for title, names in decisions.drama_names.items()
        if any(t.id in undecided for t in plan.drama_entries.get(key(title), ()))
    }
    if not todo:
        return None
    names = dict(plan.drama_names)
    for title, new in decisions.drama_names.items():
        names[key(title)] = (*names.get(key(title), ()), *new)
    plan = replace(plan, drama_names=names)
    cache = RunCache(client)
    before = client.request_count
    found = dict(searches.found)
    out = LearnedNameReads(
        Searches(found, searches.failure, searches.album_reads, searches.release_names)
    )
    known = aliases_from_artists(plan.artists)
    try:
        for title, new in todo.items():
            tracks: list[Candidate] = []
            for name in new:
                tracks.extend(DramaCache(cache).get(name, ()))
            if not tracks:
                continue
            for t in plan.drama_entries.get(key(title), ()):
                if t.id is None or t.id not in undecided:
                    continue
                had = found[t.id]
                pool = merge_candidates([*had.candidates, *tracks])
                ctx = plan.context(t, known, had)
                result = best_match(t, pool, known, context=ctx, bands=bands)
                read = [f"(drama albums of {n!r})" for n in new]
                found[t.id] = replace(
                    had, candidates=pool, result=result, queries=[*had.queries, *read]
                )
    except SpotifyError as exc:
        out.failure, out.failed_drama = exc, title
    out.requests = client.request_count - before
    out.album_reads = cache.album_reads
    out.searches.album_reads += cache.album_reads
    return out


def kept_candidates(ranked: Sequence[Ranked]) -> list[Ranked]:
    """The candidates stored for a track left undecided: the best ``KEEP_CANDIDATES``, and the
    songs on the drama's own releases below them (up to as many again). A later run decides the
    track from these alone, so they must hold the evidence this one had: a strong candidate on
    another release stays doubtful while the drama's own release is among them."""
    top = list(ranked[:KEEP_CANDIDATES])
    own = [r for r in ranked[KEEP_CANDIDATES:] if r.score.components.get("album", 0) >= ANY_PART]
    return top + own[:KEEP_CANDIDATES]


# --- step 4: write decisions --------------------------------------------------------------------


def write_decisions(store: MatchStore, decisions: Decisions, *, fill: bool = True) -> int:
    """Statuses, kept candidates, the data a match fills in and learned identities in one
    transaction; returns how many artists learned something new. ``fill=False``: not the data
    a match fills in (a first decision, which the run's last step may still overturn: filled
    data cannot be told from typed data afterwards)."""
    learned_count = 0
    with store.transaction():
        for o in decisions.outcomes:
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
            keep = [] if r.status is Status.MATCHED else kept_candidates(r.ranked)
            store.save_candidates(
                o.track.id,
                [(x.candidate, x.score.total, x.score.reasons) for x in keep],
            )
            if fill and r.status is Status.MATCHED and r.chosen:
                store.fill_from_spotify(o.track.id, r.chosen.candidate)
        for artist_id, spotify_id, name in decisions.learned:
            if store.learn_artist(artist_id, spotify_id, [name]):
                learned_count += 1
        for drama, names in decisions.drama_names.items():
            store.learn_drama_names(drama, names)
    return learned_count


# --- search again from review ------------------------------------------------------------------


def search_again(
    store: MatchStore,
    client: SearchClient,
    track_id: int,
    query: str,
    bands: Bands = DEFAULT_BANDS,
) -> ReviewItem:
    """Search Spotify with a query a person typed in review; the results, scored for the track
    like a run's, become its review candidates (the track stays in review)."""
    if not query.strip():
        raise InputError("type what to search for after e, e.g. e Hello Singer")
    track = store.get_track(track_id)
    aliases = aliases_from_artists(store.artists())
    context = Context(aliases, drama_names(store.dramas()).get(key(track.drama), ()))
    found = client.search_tracks(query.strip(), limit=10)
    ranked = best_match(track, found, aliases, context=context, bands=bands).ranked
    keep = [(r.candidate, r.score.total, r.score.reasons) for r in kept_candidates(ranked)]
    with store.transaction():
        store.save_candidates(track_id, keep)
    return ReviewItem(track, store.candidates(track_id))


# --- the use case -------------------------------------------------------------------------------


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
    match_plan = plan_match(store, options)

    def save(batch: list[tuple[Track, TrackSearch]]) -> None:
        """First decisions of searched tracks, saved as the run goes (identities, the
        re-ranking they allow and the data a match fills in come with the final write)."""
        outcomes = [
            TrackOutcome(t, t.status, found.result.status, found.result) for t, found in batch
        ]
        write_decisions(store, Decisions(outcomes, []), fill=False)

    searches = search(
        match_plan,
        client,
        bands,
        options.jobs,
        progress,
        None if options.dry_run else save,
    )
    decisions = decide(match_plan, searches, bands)
    later = None
    if not searches.interrupted and searches.failure is None:
        try:
            later = read_learned_names(match_plan, searches, decisions, client, bands)
        except KeyboardInterrupt:
            searches.interrupted = True  # the first decisions stand
    if later is not None:
        again = decide(match_plan, later.searches, bands)
        decisions, searches = again, replace(searches, album_reads=later.searches.album_reads)
    learned = 0 if options.dry_run else write_decisions(store, decisions)
    error = None
    if later is not None and later.failure is not None:
        error = (
            f"{later.failure} — while reading the releases of {later.failed_drama!r} under a "
            "name learned in this run; the decisions made are saved, "
            f'`ostkit match --drama "{later.failed_drama}" --rematch` reads them again'
        )
    if searches.failure is not None:
        error = (
            f"{searches.failure} — stopped after searching {len(searches.found)} of "
            f"{len(match_plan.to_search)} tracks; the decisions made so far are saved, run "
            "`ostkit match` again to continue"
        )
    return MatchReport(
        error=error,
        interrupted=searches.interrupted,
        outcomes=decisions.outcomes,
        requests=client.request_count - requests_before,
        searched=len(searches.found),
        elapsed=time.monotonic() - started,
        dry_run=options.dry_run,
        learned=learned,
        album_reads=searches.album_reads,
        learned_name_requests=later.requests if later else 0,
    )
