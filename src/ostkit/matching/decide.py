"""Ranking scored candidates and deciding: matched, review or not_found. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ostkit.matching.bands import DEFAULT_BANDS, Band, Bands, Score
from ostkit.matching.scoring import Aliases, Context, same_isrc, score
from ostkit.matching.versions import parsed_title
from ostkit.models import Candidate, Status, Track
from ostkit.text.keys import fuzzy_key


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: Score


@dataclass(frozen=True)
class MatchResult:
    status: Status  # MATCHED, REVIEW or NOT_FOUND
    chosen: Ranked | None  # the accepted candidate (MATCHED only)
    ranked: tuple[Ranked, ...]  # best first
    note: str = ""

    @property
    def best(self) -> Ranked | None:
        return self.ranked[0] if self.ranked else None


def merge_candidates(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per URI, in first-seen order, with what any copy knows: an album's track
    list carries no ISRC, a search hit for the same track does."""
    merged: dict[str, Candidate] = {}
    for cand in candidates:
        old = merged.get(cand.uri)
        if old is None:
            merged[cand.uri] = cand
            continue
        fill = {
            f: getattr(cand, f)
            for f in ("isrc", "album", "duration_ms")
            if getattr(old, f) is None and getattr(cand, f) is not None
        }
        if fill:
            merged[cand.uri] = replace(old, **fill)
    return list(merged.values())


def same_recording(a: Candidate, b: Candidate) -> bool:
    """Same ISRC, or same title, artists, version and length (a release on another album)."""
    same = same_isrc(a.isrc, b.isrc)
    if same is not None:
        return same
    if fuzzy_key(parsed_title(a.name).base) != fuzzy_key(parsed_title(b.name).base):
        return False
    if parsed_title(a.name).tags != parsed_title(b.name).tags:
        return False
    if {fuzzy_key(x.name) for x in a.artists} != {fuzzy_key(x.name) for x in b.artists}:
        return False
    if a.duration_ms and b.duration_ms:
        return abs(a.duration_ms - b.duration_ms) <= 3000
    return True


def rank(
    track: Track,
    candidates: Iterable[Candidate],
    aliases: Aliases | None = None,
    *,
    context: Context | None = None,
    bands: Bands = DEFAULT_BANDS,
) -> list[Ranked]:
    """Score every distinct candidate; best first (ties: the drama's own release, then URI)."""
    ranked = [
        Ranked(c, score(track, c, aliases, context=context, bands=bands))
        for c in merge_candidates(candidates)
    ]
    ranked.sort(
        key=lambda r: (-r.score.total, -r.score.components.get("album", 0), r.candidate.uri)
    )
    return ranked


def best_match(
    track: Track,
    candidates: Sequence[Candidate],
    aliases: Aliases | None = None,
    *,
    context: Context | None = None,
    bands: Bands = DEFAULT_BANDS,
    margin: float = 0.03,
) -> MatchResult:
    """Pick the candidate to accept, or say review / not_found.

    Matched only when the best is in the strong band and no *different recording* scores
    within ``margin`` of it (two equally good different songs need a person).
    """
    ranked = tuple(rank(track, candidates, aliases, context=context, bands=bands))
    if not ranked:
        return MatchResult(Status.NOT_FOUND, None, (), "no candidates")
    best = ranked[0]
    if best.score.band is Band.STRONG:
        rivals = [
            r
            for r in ranked[1:]
            if r.score.total >= best.score.total - margin
            and not same_recording(r.candidate, best.candidate)
        ]
        if not rivals:
            return MatchResult(Status.MATCHED, best, ranked, "strong")
        return MatchResult(
            Status.REVIEW, None, ranked, f"ambiguous: {rivals[0].candidate.name!r} scores close"
        )
    if best.score.band is Band.MEDIUM:
        return MatchResult(Status.REVIEW, None, ranked, "best candidate is not confident")
    return MatchResult(Status.NOT_FOUND, None, ranked, "nothing plausible")
