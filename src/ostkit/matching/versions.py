"""The version component of a score: do the catalog entry and the candidate name the same version
(original, Inst., live, sped-up ...)? Pure: no I/O.

Also the matcher's caches of the title and album parsers (``ostkit.text.titles``): the same
Spotify names are parsed again for every track they are scored against.
"""

from __future__ import annotations

from functools import lru_cache

from ostkit.models import Candidate, Track
from ostkit.text.titles import (
    BENIGN_TAGS,
    AlbumInfo,
    ParsedTitle,
    parse_album,
    parse_title,
    parse_version,
)


@lru_cache(maxsize=65536)
def parsed_title(title: str) -> ParsedTitle:
    """``parse_title``, cached."""
    return parse_title(title)


@lru_cache(maxsize=16384)
def parsed_album(name: str) -> AlbumInfo:
    """``parse_album``, cached."""
    return parse_album(name)


# How much one disagreeing tag costs (a factor on the total).
TAG_COST = {
    "inst": 0.3,
    "karaoke": 0.25,
    "cover": 0.35,
    "sped_up": 0.3,
    "slowed": 0.3,
    "remix": 0.4,
    "live": 0.45,
    "acoustic": 0.5,
    "piano": 0.4,
    "orchestra": 0.45,
    "demo": 0.5,
    "tv_size": 0.5,
    "drama_ver": 0.7,
}
LANGUAGE_COST = 0.6  # "lang:ja" against the Korean original: another recording
OTHER_VERSION_COST = 0.8  # "ver:duet", "ver:taylor's" ...: often the same song, re-sung

# An album of karaoke / instrumentals / sped-up edits tags its tracks too.
ALBUM_WIDE_TAGS = frozenset({"inst", "karaoke", "cover", "sped_up", "slowed"})
# "Flower (Remix)" as a single: its tracks are that version too.
SINGLE_WIDE_TAGS = frozenset({"remix", "live", "acoustic", "piano", "orchestra"})


def track_tags(track: Track) -> frozenset[str]:
    return parsed_title(track.title).tags | parse_version(track.version)


def candidate_tags(candidate: Candidate) -> frozenset[str]:
    tags = set(parsed_title(candidate.name).tags)
    if candidate.album is not None and candidate.album.name:
        album_tags = parsed_album(candidate.album.name).tags
        tags |= album_tags & ALBUM_WIDE_TAGS
        if candidate.album.album_type == "single":
            tags |= album_tags & SINGLE_WIDE_TAGS
    return frozenset(tags)


def version_factor(track: Track, candidate: Candidate) -> tuple[float, str]:
    ours, theirs = track_tags(track), candidate_tags(candidate)
    diff = (ours ^ theirs) - BENIGN_TAGS
    if not diff:
        return 1.0, ("version " + "+".join(sorted(ours)) if ours else "")
    factor = 1.0
    for tag in sorted(diff):
        if tag in TAG_COST:
            factor *= TAG_COST[tag]
        elif tag.startswith("lang:"):
            factor *= LANGUAGE_COST
        else:
            factor *= OTHER_VERSION_COST
    side = []
    if theirs - ours - BENIGN_TAGS:
        side.append("candidate is " + "+".join(sorted(theirs - ours - BENIGN_TAGS)))
    if ours - theirs - BENIGN_TAGS:
        side.append("catalog wants " + "+".join(sorted(ours - theirs - BENIGN_TAGS)))
    return factor, "version mismatch: " + ", ".join(side)
