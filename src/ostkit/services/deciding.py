"""Steps 3 and 3b of ``ostkit match`` (see ``ostkit.services.matching``): decide each
searched track's outcome, learning artist identities and drama names from the run's first
decisions (``decide``: no requests, catalog order), and read the releases of a drama name
learned in the run that no search reached (``read_learned_names``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ostkit.errors import SpotifyError
from ostkit.matching.bands import Bands
from ostkit.matching.decide import (
    ON_DRAMAS_OST,
    MatchResult,
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
from ostkit.matching.scoring import Aliases
from ostkit.models import Candidate, Status, Track
from ostkit.services.match_plan import MatchPlan
from ostkit.services.search import DramaCache, RunCache, SearchClient, Searches
from ostkit.text.keys import fuzzy_key, key
from ostkit.text.titles import is_instrumental, parse_title


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


def _earlier_matches(plan: MatchPlan, decided: Iterable[int]) -> dict[int, str]:
    """Track id -> Spotify URI of the tracks matched or pinned before this run (not decided in
    it)."""
    skip = set(decided)
    return {
        t.id: t.spotify_uri
        for t in plan.tracks
        if t.id is not None
        and t.id not in skip
        and t.status in (Status.MATCHED, Status.PINNED)
        and t.spotify_uri
    }


class _Deciding:
    """The tracks of one ``decide``: their candidates and their results, decided again as the
    run learns."""

    def __init__(self, plan: MatchPlan, searches: Searches, bands: Bands) -> None:
        self.plan, self.searches, self.bands = plan, searches, bands
        self.pool: dict[int, list[Candidate]] = {}
        self.results: dict[int, MatchResult] = {}

    def score(self, t: Track, aliases: Aliases, **more: Any) -> MatchResult:
        """``t`` decided from its candidates with ``aliases`` (``more``: ``Context`` fields)."""
        tid = t.id or 0
        ctx = self.plan.context(t, aliases, self.searches.found.get(tid))
        if more:
            ctx = replace(ctx, **more)
        return best_match(t, self.pool[tid], aliases, context=ctx, bands=self.bands)

    def again(
        self, aliases: Aliases, which: Callable[[Track, MatchResult], bool], **more: Any
    ) -> None:
        """Decide again, in catalog order, the tracks ``which`` picks."""
        for t in self.plan.tracks:
            r = self.results.get(t.id or 0)
            if r is not None and which(t, r):
                self.results[t.id or 0] = self.score(t, aliases, **more)

    def chosen(self) -> Iterator[tuple[Track, MatchResult, Candidate]]:
        """The tracks with a chosen candidate, catalog order."""
        for t in self.plan.tracks:
            r = self.results.get(t.id or 0)
            if r is not None and r.chosen is not None:
                yield t, r, r.chosen.candidate


def _learn_names(run: _Deciding) -> dict[str, list[str]]:
    """Drama key -> the names the first decisions teach: from matches, from a cluster of
    entries, from the releases the drama's own search returned (``ostkit.matching.identities``)."""
    plan, searches = run.plan, run.searches
    new_names = learn_drama_names(
        ((t, c) for t, _, c in run.chosen()), plan.drama_names, searches.release_names
    )
    cluster = learn_names_from_cluster(
        (
            (t, [(r.candidate, r.score) for r in run.results[t.id or 0].ranked])
            for t in plan.tracks
            if (t.id or 0) in run.results
        ),
        plan.drama_names,
    )
    titles = {key(t.drama): t.drama for t in plan.tracks}
    found = learn_names_from_search(searches.release_names, titles, plan.drama_names)
    for more_names in (cluster, found):
        for k, names in more_names.items():
            have = new_names.setdefault(k, [])
            have.extend(n for n in names if all(key(n) != key(h) for h in have))
    return new_names


def decide(plan: MatchPlan, searches: Searches, bands: Bands) -> Decisions:
    """Sequential, catalog order, no requests: learn artist identities and drama names from the
    first decisions, decide the rest again with them, settle songs two entries claim and the
    Inst. entries of matched vocals, and say each outcome. Deciding again after a learned
    name's releases were read learns the same names again."""
    known = aliases_from_artists(plan.artists)
    run = _Deciding(plan, searches, bands)
    for t in plan.tracks:
        tid = t.id or 0
        if tid in searches.found:
            run.pool[tid] = searches.found[tid].candidates
            run.results[tid] = searches.found[tid].result
        elif t.status is Status.REVIEW:
            run.pool[tid] = plan.stored.get(tid, [])
            run.results[tid] = run.score(t, known)
    first_pass = dict(run.results)
    earlier = _earlier_matches(plan, first_pass)
    # A song two entries were matched to vouches for no artist but through a strong match (the
    # other entry may be the fan's, by its singer, and this one another singer's song).
    claimed = Counter(c.uri for _, _, c in run.chosen())
    claimed.update(earlier.values())

    def vouches(r: MatchResult) -> bool:
        assert r.chosen is not None
        return r.vouches_artist and (claimed[r.chosen.candidate.uri] < 2 or r.note == "strong")

    learned = learn_identities((t, c) for t, r, c in run.chosen() if vouches(r))
    enriched = enrich_aliases(plan, learned)
    # One accepted match teaches the drama's other name (a native-script or second English
    # title on its OST releases) to the rest of the drama's entries.
    new_names = _learn_names(run)
    if new_names:
        run.plan = plan = plan.with_names(new_names)
    # A match made off the drama's known release is decided again once the drama's name is
    # learned: the release may now read as another drama's OST.
    run.again(
        enriched,
        lambda t, r: (
            (r.status is not Status.MATCHED and bool(learned))
            or (key(t.drama) in new_names and not _on_known_release(r))
        ),
    )
    # A match made only with what was just learned (the drama's other name) vouches for its
    # artists too: learn them and decide the rest once more (still no request).
    vouched = [
        (t, c)
        for t, r, c in run.chosen()
        if first_pass[t.id or 0].status is not Status.MATCHED and vouches(r)
    ]
    more = [x for x in learn_identities(vouched) if x not in learned]
    if more:
        learned = [*learned, *more]
        enriched = enrich_aliases(plan, learned)
        run.again(enriched, lambda t, r: r.status is not Status.MATCHED)
    # Entries matched (now or before) to a song of their own are no rivals for the others. A
    # song two entries were matched to is the song of the one matched on its own strength: the
    # other (matched by its title or by uniqueness alone) is decided again without it.
    settled = {t.id or 0: c.uri for t, r, c in run.chosen() if r.status is Status.MATCHED}
    settled.update(earlier)
    claims = Counter(settled.values())
    if settled:
        run.again(
            enriched,
            lambda t, r: (
                r.status is not Status.MATCHED
                or (
                    r.chosen is not None
                    and claims[r.chosen.candidate.uri] > 1
                    and r.note != "strong"
                )
            ),
            settled=frozenset(settled),
            taken=frozenset(settled.values()),
        )
    _inst_twins(run, enriched)
    outcomes: list[TrackOutcome] = []
    for t in plan.tracks:
        tid = t.id or 0
        if t.status is Status.PINNED or tid not in run.pool:
            outcomes.append(TrackOutcome(t, t.status, t.status, None))
            continue
        result = run.results[tid]
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
    titles = {key(t.drama): t.drama for t in plan.tracks}
    return Decisions(outcomes, learned, {titles[k]: v for k, v in new_names.items()})


def _inst_twins(run: _Deciding, aliases: Aliases) -> None:
    """An Inst. entry whose vocal entry is matched: the instrumental on the vocal's release
    (``ostkit.matching.decide.inst_twin``), scored among both entries' candidates."""
    vocals = {
        title_key(t): (t.id or 0, c)
        for t, r, c in run.chosen()
        if r.status is Status.MATCHED and not is_instrumental(t.title, t.version)
    }
    for t in run.plan.tracks:
        tid = t.id or 0
        r = run.results.get(tid)
        if r is None or r.status is Status.MATCHED or not is_instrumental(t.title, t.version):
            continue
        if title_key(t) not in vocals:
            continue
        vocal_id, vocal = vocals[title_key(t)]
        both = merge_candidates([*run.pool[tid], *run.pool.get(vocal_id, [])])
        ctx = run.plan.context(t, aliases, run.searches.found.get(tid))
        ranked = best_match(t, both, aliases, context=ctx, bands=run.bands).ranked
        run.results[tid] = inst_twin(t, ranked, vocal) or r


# --- step 3b: read the releases of drama names learned in the run -------------------------------


@dataclass
class LearnedNameReads:
    searches: Searches  # the drama's undecided entries with the new releases' tracks added
    requests: int = 0
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
    plan = plan.with_names({key(title): new for title, new in decisions.drama_names.items()})
    cache = RunCache.of(client)  # the run's: releases its searches read are not read again
    before, reads_before = client.request_count, cache.album_reads
    found = dict(searches.found)
    out = LearnedNameReads(
        Searches(found, searches.failure, searches.album_reads, searches.release_names)
    )
    known = aliases_from_artists(plan.artists)
    dramas = DramaCache(cache)
    try:
        for title, new in todo.items():
            tracks: list[Candidate] = []
            for name in new:
                tracks.extend(dramas.get(name, ()))
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
    out.searches.album_reads += cache.album_reads - reads_before
    return out
