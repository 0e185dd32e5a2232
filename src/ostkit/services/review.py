"""Use cases of a person's decisions: the review queue, choosing a candidate, pinning a URI by
hand, marking a track not on Spotify, unpinning. The matcher never touches a pinned track."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ostkit.errors import BadRequestError, InputError, SpotifyNotFoundError
from ostkit.matching.identities import learn_drama_names, learn_identities
from ostkit.models import Candidate, Drama, Status, Track
from ostkit.text import spotify_ids
from ostkit.text.keys import key


class ReviewStore(Protocol):
    def tracks(
        self, drama: str | None = None, artist: str | None = None, status: Any = None
    ) -> list[Track]: ...
    def get_track(self, track_id: int) -> Track: ...
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
    def fill_from_spotify(self, track_id: int, candidate: Candidate) -> list[str]: ...
    def dramas(self) -> list[Drama]: ...
    def learn_drama_names(self, title: str, names: Sequence[str]) -> int: ...


@dataclass(frozen=True)
class ReviewItem:
    track: Track
    candidates: list[tuple[Candidate, float | None, tuple[str, ...]]]


def review_queue(store: ReviewStore, drama: str | None = None) -> Iterator[ReviewItem]:
    """Tracks waiting for a person, in catalog order, with their stored candidates."""
    for t in store.tracks(drama=drama, status=Status.REVIEW):
        yield ReviewItem(t, store.candidates(t.id or 0))


def pin(
    store: ReviewStore,
    track_id: int,
    uri_or_url: str,
    lookup: Callable[[str], Candidate] | None = None,
) -> Track:
    """Set a track's Spotify URI by hand (status pinned: the matcher leaves it alone).

    ``lookup`` (the client's ``GET /tracks/{id}``) checks first that Spotify has the track; a
    404 or 400 refuses the pin, any other failure stops it as it is. None: stored unchecked.
    The Spotify track's data fills what the catalog lacks: the looked-up track, else the stored
    review candidate with that URI (none: only the URI is set)."""
    uri = spotify_ids.track_uri(uri_or_url)
    store.get_track(track_id)
    candidate: Candidate | None = None
    if lookup is not None:
        try:
            candidate = lookup(uri)
        except (SpotifyNotFoundError, BadRequestError) as exc:
            raise InputError(
                f"Spotify has no track {uri} ({exc.status or 'refused'}): check the link, or "
                f"store it unchecked with `ostkit pin {track_id} {uri} --offline`"
            ) from None
    if candidate is None or candidate.uri != uri:
        candidate = next((c for c, _, _ in store.candidates(track_id) if c.uri == uri), None)
    if candidate is not None:
        return choose(store, track_id, candidate)
    with store.transaction():
        store.set_match(track_id, status=Status.PINNED, uri=uri, score=None)
        store.save_candidates(track_id, [])
    return store.get_track(track_id)


def choose(store: ReviewStore, track_id: int, candidate: Candidate) -> Track:
    """A person picked ``candidate`` in review: pin it, fill the track's missing data from it,
    and learn the artist's Spotify identity (Spotify's spellings become aliases) and the drama's
    name on the release (a native or second title the catalog lacks)."""
    track = store.get_track(track_id)
    known = {key(d.title): d.other_names() for d in store.dramas()}
    with store.transaction():
        store.set_match(track_id, status=Status.PINNED, uri=candidate.uri, score=None)
        store.save_candidates(track_id, [])
        store.fill_from_spotify(track_id, candidate)
        for artist_id, spotify_id, name in learn_identities([(track, candidate)]):
            store.learn_artist(artist_id, spotify_id, [name])
        for names in learn_drama_names([(track, candidate)], known).values():
            store.learn_drama_names(track.drama, names)
    return store.get_track(track_id)


def mark_not_found(store: ReviewStore, track_id: int) -> Track:
    with store.transaction():
        store.set_match(track_id, status=Status.NOT_FOUND, uri=None, score=None)
        store.save_candidates(track_id, [])
    return store.get_track(track_id)


def unpin(store: ReviewStore, track_id: int) -> Track:
    """Forget a pinned URI: the track becomes unmatched and the next `ostkit match` searches it."""
    track = store.get_track(track_id)
    if track.status is not Status.PINNED:
        raise InputError(
            f"track {track_id} is not pinned (status {track.status.value}); nothing to unpin"
        )
    with store.transaction():
        store.set_match(track_id, status=Status.UNMATCHED, uri=None, score=None)
    return store.get_track(track_id)


def acceptable(item: ReviewItem, min_score: float) -> Candidate | None:
    """The candidate a bulk accept takes for ``item``: its best, when it scores at least
    ``min_score`` and no other candidate does (two of them above the bar need a person)."""
    above = [c for c, value, _ in item.candidates if value is not None and value >= min_score]
    return above[0] if len(above) == 1 else None


def accept_above(
    store: ReviewStore, items: Iterable[ReviewItem], min_score: float
) -> list[tuple[ReviewItem, Candidate]]:
    """Choose, for every item, the candidate ``acceptable`` gives (each its own transaction, so
    an interruption keeps those done); returns what was accepted."""
    if not 0.0 < min_score <= 1.0:
        raise InputError(f"the score to accept above must be in (0, 1], got {min_score}")
    done: list[tuple[ReviewItem, Candidate]] = []
    for item in items:
        candidate = acceptable(item, min_score)
        if candidate is not None:
            choose(store, item.track.id or 0, candidate)
            done.append((item, candidate))
    return done


@dataclass(frozen=True)
class Answer:
    """What one answer at the review prompt did."""

    action: Literal["quit", "skip", "not_found", "pinned", "accept_above"]
    uri: str | None = None  # the pinned URI
    score: float | None = None  # accept_above: the score asked for (nothing applied yet)


def answer_review(store: ReviewStore, item: ReviewItem, answer: str) -> Answer:
    """Apply one answer typed at the review prompt: q(uit), s(kip), n(ot on Spotify), a
    candidate's number, or a Spotify URI/URL/id to pin (``InputError`` when it is none of them).
    ``a SCORE`` applies nothing: it asks the caller to accept every remaining candidate scoring
    at least SCORE (``accept_above``) once the person has confirmed."""
    text = answer.strip()
    track_id = item.track.id or 0
    low = text.casefold()
    if low == "q":
        return Answer("quit")
    if low == "s":
        return Answer("skip")
    if low == "n":
        mark_not_found(store, track_id)
        return Answer("not_found")
    if low.startswith("a "):
        value = text[2:].strip()
        try:
            score = float(value)
        except ValueError:
            score = -1.0
        if not 0.0 < score <= 1.0:
            raise InputError(f"a takes a score in (0, 1], e.g. a 0.9; got {value!r}")
        return Answer("accept_above", score=score)
    if text.isdigit():
        if not 1 <= int(text) <= len(item.candidates):
            raise InputError(f"no candidate {text}")
        chosen = item.candidates[int(text) - 1][0]
        choose(store, track_id, chosen)
        return Answer("pinned", chosen.uri)
    return Answer("pinned", pin(store, track_id, text).spotify_uri)
