"""The ``ostkit match`` use case, in steps that each run (and are tested) alone:

1. ``plan_match`` (``ostkit.services.match_plan``; store reads only): the tracks to search and
   the dramas whose OST albums are read up front.
2. ``search`` (``ostkit.services.search``; in a thread pool, no store writes): for every track,
   run its query plan through the shared client, stopping as soon as the candidates gathered so
   far give a confident match. Scoring in this step uses only what was known *before* the run
   (catalog names, aliases and Spotify artist ids already learned), never what another worker
   just learned, so completion order cannot change a decision and ``--jobs N`` gives exactly
   the sequential result.
3. ``decide`` (``ostkit.services.deciding``; pure, catalog order): learn artist identities from
   the confident matches of step 2 (Spotify artist id + the names Spotify shows), re-rank every
   other track's candidates with them (no requests).
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
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace

from ostkit.errors import InputError
from ostkit.matching.bands import DEFAULT_BANDS, Bands
from ostkit.matching.decide import (
    ANY_PART,
    Ranked,
    best_match,
)
from ostkit.matching.identities import (
    aliases_from_artists,
)
from ostkit.matching.scoring import Context
from ostkit.models import Status, Track
from ostkit.services.deciding import Decisions, TrackOutcome, decide, read_learned_names
from ostkit.services.match_plan import MatchOptions, MatchPlan, MatchStore, drama_names, plan_match
from ostkit.services.review import ReviewItem
from ostkit.services.search import (
    Progress,
    RunCache,
    SearchClient,
    Searcher,
    Searches,
    TrackSearch,
)
from ostkit.text.keys import key

KEEP_CANDIDATES = 5  # candidates stored per track for `ostkit review`
# Decisions are saved as a run goes, in batches of this many searched tracks or after this many
# seconds, whichever comes first: an interrupted or killed run keeps them.
SAVE_EVERY = 25
SAVE_SECONDS = 2.0


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
    client = RunCache.of(client)  # one cache for the run's steps: a request is sent once

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
