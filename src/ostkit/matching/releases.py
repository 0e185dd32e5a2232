"""Which Spotify releases are a drama's OST, and which part each is. Pure: no I/O.

``ostkit discover`` searches albums by the drama's names and hands every album found to
``classify``. OST releases are named a few ways, all read by the one album parser
(``text.titles.parse_album``): ``Drama OST Part.3``, ``Drama (Original Television Soundtrack),
Pt. 3``, ``드라마 OST Part.3``, ``Drama (Original Soundtrack)``, ``Drama OST Special``,
``Drama OST (Netflix Series)``. What is left out, and why, is said in words (``Release.left_out``):

* another drama whose name holds this one (``Goblin`` vs ``Goblin Slayer``);
* another season (``Drama Season 2`` is another drama unless the drama's own name says so);
* another year (a same-name drama: the release date is more than a year from the drama's year);
* covers and edits of the OST: piano collections, karaoke, lofi, sped-up or slowed releases;
* releases that are no OST at all.

A compilation of many dramas is kept as ``compilation``: only its tracks whose title names this
drama (``Song (From "Drama")``) count, and they are marked as from a compilation.

Releases named only in Hangul (``구미호뎐 OST Part 1``) come back for the English name through
Spotify's own aliases. Their drama name is in a script none of the known names is in; when the
native title is not known yet, the most frequent such name is taken as the native title
(``learn_native_title``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ostkit.matching.scoring import name_forms
from ostkit.models import Candidate, SpotifyAlbum, Track
from ostkit.text.keys import fuzzy_key, key, track_key
from ostkit.text.scripts import script_of
from ostkit.text.titles import parse_album, parse_title

Kind = Literal["part", "special", "album", "compilation"]

# Version tags that make a whole release a cover or an edit of the OST, not the OST.
DECOY_TAGS = frozenset({"karaoke", "cover", "piano", "sped_up", "slowed", "remix", "ver:lofi"})
# Release words the title parser has no version tag for.
_DECOY_WORDS_RE = re.compile(r"\blo-?fi\b|\bmusic box\b|\blullab(?:y|ies)\b|\bsleep\b", re.I)
_SEASON_RE = re.compile(r"\s*(?:\bseason\s*|\bs(?=\d)|시즌\s*)(\d+)\b", re.I)
# How far from the drama's year a release may come out (singles before the first episode,
# the full album after the last).
YEAR_SLACK = 1


@dataclass(frozen=True)
class Release:
    """An album found by search, read as an OST release (or why it is left out)."""

    album: SpotifyAlbum
    kind: Kind
    part: int | None = None
    drama_name: str | None = None  # the drama as the release names it
    left_out: str | None = None  # why this is not the drama's OST (None: it is)
    native: bool = False  # named in a script none of the drama's known names is in

    @property
    def year(self) -> int | None:
        date = self.album.release_date or ""
        return int(date[:4]) if date[:4].isdigit() else None

    @property
    def label(self) -> str:
        """``Part 3``, ``Special``, ``Album``, ``Compilation``."""
        if self.kind == "part":
            return f"Part {self.part}"
        return self.kind.capitalize()


def _season(name: str) -> tuple[str, int | None]:
    """A name without its season number, and the number (``Hospital Playlist Season 2``)."""
    found = _SEASON_RE.search(name)
    if found is None:
        return name, None
    return (name[: found.start()] + name[found.end() :]).strip(), int(found.group(1))


def _same_name(found: str, names: Sequence[str]) -> str | None:
    """None when ``found`` names this drama; else why it is another drama."""
    base, season = _season(found)
    wanted = [_season(n) for n in names if n and n.strip()]
    fk = fuzzy_key(base)
    for name_base, name_season in wanted:
        if fuzzy_key(name_base) != fk:
            continue
        if (season or 1) == (name_season or 1):
            return None
        return f"season {season or 1}: another drama"
    for name_base, _ in wanted:
        nk = fuzzy_key(name_base)
        if nk and nk in fk:
            return f"another drama ({found})"
    return f"another work's OST ({found})"


def classify(album: SpotifyAlbum, names: Sequence[str], year: int | None = None) -> Release:
    """Read one album of an album search for the drama called ``names`` (title first, then
    native title and aliases) of year ``year`` (None: unknown)."""
    info = parse_album(album.name)
    release = Release(album, "album", info.part, info.drama)
    if album.album_type == "compilation" or (info.compilation and not info.drama):
        return replace(release, kind="compilation", part=None)
    decoy = sorted(info.tags & DECOY_TAGS) or _DECOY_WORDS_RE.findall(album.name)
    if decoy:
        what = str(decoy[0]).removeprefix("ver:").replace("_", "-")
        return replace(release, left_out=f"a {what.lower()} release, not the OST")
    if not info.is_ost or not info.drama:
        return replace(release, left_out="not an OST release")
    if info.compilation:
        return replace(release, kind="compilation", part=None)
    kind: Kind = "special" if info.special else "part" if info.part is not None else "album"
    release = replace(release, kind=kind, part=info.part if kind == "part" else None)
    other = _same_name(info.drama, names)
    if other is not None:
        scripts = {script_of(n) for n in names if n and n.strip()}
        if script_of(info.drama) in scripts or other.startswith("season"):
            return replace(release, left_out=other)
        release = replace(release, native=True)
    return by_year([release], year)[0]


def learn_native_title(releases: Iterable[Release]) -> str | None:
    """The drama name most releases in another script carry (``구미호뎐``), or None."""
    counts = Counter(r.drama_name for r in releases if r.native and not r.left_out)
    counts.pop(None, None)
    if not counts:
        return None
    return counts.most_common(1)[0][0]


def settle(releases: Sequence[Release], native_title: str | None) -> list[Release]:
    """Releases in another script: kept when they name ``native_title``, else left out."""
    settled = []
    for r in releases:
        named = native_title is not None and key(r.drama_name or "") == key(native_title)
        if r.native and not r.left_out and not named:
            r = replace(r, left_out=f"another work's OST ({r.drama_name})")
        settled.append(r)
    return settled


def drama_year(releases: Iterable[Release]) -> int | None:
    """The year most of the drama's singles came out in (for a drama whose year is unknown)."""
    years = Counter(
        r.year for r in releases if not r.left_out and r.kind in ("part", "special") and r.year
    )
    return years.most_common(1)[0][0] if years else None


def by_year(releases: Sequence[Release], year: int | None) -> list[Release]:
    """Releases more than a year from ``year`` left out (same-name dramas of other years)."""
    if year is None:
        return list(releases)
    return [
        replace(r, left_out=f"released {r.album.release_date}: another year")
        # A compilation comes out any time later; its tracks say which drama they are from.
        if not r.left_out
        and r.kind != "compilation"
        and r.year is not None
        and abs(r.year - year) > YEAR_SLACK
        else r
        for r in releases
    ]


def release_order(release: Release) -> tuple[int, str, int]:
    """Singles and specials first (the drama put them out first), by date; then full albums,
    then compilations."""
    rank = {"part": 0, "special": 0, "album": 1, "compilation": 2}[release.kind]
    return rank, release.album.release_date or "9999", release.part or 0


def from_this_drama(candidate: Candidate, names: Sequence[str]) -> bool:
    """A compilation track whose title says it is from this drama (``Song (From "Drama")``)."""
    work = parse_title(candidate.name).from_work
    return bool(work) and _same_name(work or "", names) is None


def missing_parts(found: Iterable[int]) -> list[int]:
    """Part numbers below the highest one found that no release carries."""
    numbers = set(found)
    return [n for n in range(1, max(numbers, default=0)) if n not in numbers]


def song_key(track: Track) -> tuple[str, str]:
    """One song across singles, the full album and compilations: title, version and the
    primary artist."""
    return track_key(track.title, track.version), key(track.artist)


def _artist_keys(track: Track) -> set[str]:
    keys = {key(f) for c in track.credits for f in name_forms(c.name)}
    keys |= {key(c.native_name) for c in track.credits if c.native_name}
    return keys


def _title_keys(track: Track) -> set[str]:
    return {key(t) for t in (track.title, track.native_title) if t}


def same_entry(typed: Track, found: Track) -> bool:
    """Whether a catalog entry the fan typed is the song ``found`` on Spotify: a title (or
    native title) and the version agree, and an artist name does (any form: "DOYOUNG of NCT"
    is DOYOUNG, a native name)."""
    if key(typed.version or "") != key(found.version or ""):
        return False
    if not _title_keys(typed) & _title_keys(found):
        return False
    return bool(_artist_keys(typed) & _artist_keys(found))


def find_entry(found: Track, entries: Sequence[Track]) -> Track | None:
    """The catalog entry of the drama that is ``found``: the one pinned to its URI, else the
    one ``same_entry`` names, else the only entry with its title and version (the artist spelled
    beyond recognition)."""
    for entry in entries:
        if found.spotify_uri and entry.spotify_uri == found.spotify_uri:
            return entry
    for entry in entries:
        if same_entry(entry, found):
            return entry
    titled = [
        e
        for e in entries
        if _title_keys(e) & _title_keys(found) and key(e.version or "") == key(found.version or "")
    ]
    return titled[0] if len(titled) == 1 and titled[0].spotify_uri is None else None
