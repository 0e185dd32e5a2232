"""Score bands, the ``Score`` record and the named caps that keep a doubtful score out of a band.

Pure: no I/O. Thresholds are arguments (``Bands``) with defaults, never globals, so
``ostkit match --min-score`` and ``--explain`` can move and show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Band(StrEnum):
    """Where a total falls. A ``StrEnum`` so JSON and ``--explain`` print the plain word."""

    STRONG = "strong"  # auto-accepted
    MEDIUM = "medium"  # a person decides (review)
    WEAK = "weak"
    NONE = "none"


@dataclass(frozen=True)
class Bands:
    """Score thresholds: at or above ``strong`` is auto-accepted; ``medium`` goes to review."""

    strong: float = 0.85
    medium: float = 0.65
    weak: float = 0.45

    def band(self, total: float) -> Band:
        if total >= self.strong:
            return Band.STRONG
        if total >= self.medium:
            return Band.MEDIUM
        if total >= self.weak:
            return Band.WEAK
        return Band.NONE


DEFAULT_BANDS = Bands()


@dataclass(frozen=True)
class Score:
    total: float
    band: Band
    components: dict[str, float]  # title, artist, album, duration (when known), version, isrc
    reasons: tuple[str, ...]

    def explain(self) -> str:
        parts = " ".join(f"{k}={v:.2f}" for k, v in self.components.items())
        return f"{self.total:.3f} {self.band}: {parts}; " + "; ".join(self.reasons)


# How far under the strong threshold a capped score stays, so it can never be auto-accepted.
BELOW_STRONG = 0.01
# A score whose title or artist does not match may reach at most this far above the weak threshold.
MISMATCH_HEADROOM = 0.1


def _review_ceiling(bands: Bands) -> float:
    return bands.strong - BELOW_STRONG


@dataclass(frozen=True)
class Cap:
    """A ceiling on the weighted mean (before the version factor), with the reason it shows."""

    reason: str
    ceiling: Callable[[Bands], float]
    floor: Callable[[Bands], float] | None = None  # lifts a capped lead into review

    def apply(self, base: float, bands: Bands) -> float:
        capped = min(base, self.ceiling(bands))
        return capped if self.floor is None else max(capped, self.floor(bands))


# Exact title on the drama's own OST, artist not recognised (often a name shown only in another
# script): worth a person's look, never an automatic accept.
OST_TITLE_UNKNOWN_ARTIST = Cap(
    "capped: the drama's OST has this title, artist not recognised",
    _review_ceiling,
    floor=lambda b: b.medium,
)
# The catalog has no title in the candidate's script (an English title, Spotify shows only Hangul
# or kanji): the drama's OST part by this artist, or a release of the artist that is no other
# drama's OST or part, is a lead for a person, never an automatic accept.
TITLE_IN_OTHER_SCRIPT = Cap(
    "capped: title in another script, same artist", _review_ceiling, floor=lambda b: b.medium
)
# A famous same-title song by another artist (or another song by the artist) is never strong.
TITLE_OR_ARTIST_MISMATCH = Cap(
    "capped: title or artist does not match", lambda b: b.weak + MISMATCH_HEADROOM
)
# "Talk to Me Now" is not "Talk To Me": near-identical titles need a person.
TITLE_OR_ARTIST_PARTIAL = Cap("capped: title or artist only partly matches", _review_ceiling)
# More than 5 s apart: another edit or another song; a person should look.
DURATION_DIFFERS = Cap("capped: duration differs", _review_ceiling)
# The same title and artist on another drama's OST: the song the fan means may be absent from
# Spotify (or the drama known by another name): a person decides.
ANOTHER_DRAMAS_OST = Cap("capped: OST of another drama", _review_ceiling)
