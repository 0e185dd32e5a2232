"""Step 1 of ``ostkit match``: what a run is asked (``MatchOptions``) and what it will do, read
from the store before any request (``plan_match``): the tracks to search, the dramas whose OST
albums are read up front, and what is already known about names. See
``ostkit.services.matching``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from ostkit.errors import UsageError
from ostkit.matching.bands import DEFAULT_BANDS, Bands
from ostkit.matching.scoring import Aliases, Context, found_by_artist
from ostkit.models import Artist, Candidate, Drama, Status, Track
from ostkit.services.review import ReviewStore
from ostkit.services.search import TrackSearch
from ostkit.text.keys import key

# A drama with at least this many entries to search gets its OST albums read up front (one album
# search + one request per OST album), which then match most of its entries with no track search.
DRAMA_FIRST_MIN = 3


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

    def with_names(self, more: Mapping[str, Sequence[str]]) -> MatchPlan:
        """The plan with more names for some dramas (drama key -> names learned in the run)."""
        names = dict(self.drama_names)
        for k, extra in more.items():
            names[k] = (*names.get(k, ()), *extra)
        return replace(self, drama_names=names)

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
