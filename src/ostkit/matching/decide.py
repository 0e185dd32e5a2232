"""Ranking scored candidates and deciding: matched, review or not_found. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ostkit.matching.bands import (
    DEFAULT_BANDS,
    OST_TITLE_UNKNOWN_ARTIST,
    TITLE_IN_OTHER_SCRIPT,
    Band,
    Bands,
    Score,
)
from ostkit.matching.scoring import (
    NO_ALIASES,
    SAME_READING,
    Aliases,
    Context,
    artist_score,
    same_isrc,
    score,
)
from ostkit.matching.versions import parsed_album, parsed_title
from ostkit.models import Candidate, Status, Track
from ostkit.text.credits import is_placeholder_name
from ostkit.text.keys import fuzzy_key
from ostkit.text.romanise import other_person, same_person_name
from ostkit.text.scripts import script_of
from ostkit.text.titles import BENIGN_TAGS, RECORDING_TAGS, is_instrumental


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
    # Whether the accepted candidate vouches for the catalog artist's Spotify identity: not when
    # the title and the drama's release decided and the fan's artist was typed wrong or left out.
    vouches_artist: bool = True

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
    remastered = "remaster" in parsed_title(a.name).tags | parsed_title(b.name).tags
    if same is not None and (same or not remastered):
        return same
    if fuzzy_key(parsed_title(a.name).base) != fuzzy_key(parsed_title(b.name).base):
        return False
    # A remaster or radio edit is the same recording; an Inst. or a live take is not.
    if parsed_title(a.name).tags - BENIGN_TAGS != parsed_title(b.name).tags - BENIGN_TAGS:
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
    ranked.sort(key=_rank_key)
    return ranked


def _rank_key(r: Ranked) -> tuple[float, float, str, str]:
    # Equal scores: the drama's own release, then the earliest release, then the URI.
    album = r.candidate.album
    released = (album.release_date if album else None) or "9999"
    return (-r.score.total, -r.score.components.get("album", 0), released, r.candidate.uri)


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
        doubt = _off_release_doubt(track, ranked, context or Context(aliases=aliases or NO_ALIASES))
        if doubt is not None:
            return MatchResult(Status.REVIEW, None, ranked, doubt)
        if not rivals:
            return MatchResult(Status.MATCHED, best, ranked, "strong")
        return MatchResult(
            Status.REVIEW, None, ranked, f"ambiguous: {rivals[0].candidate.name!r} scores close"
        )
    if best.score.band is Band.MEDIUM:
        ctx = context or Context(aliases=aliases or NO_ALIASES)
        decided = (
            _title_decides(track, ranked, ctx)
            or _title_read_the_same(ranked, ctx)
            or _only_song_by_artist(track, ranked, ctx)
        )
        if decided is not None:
            return decided
        return MatchResult(Status.REVIEW, None, ranked, "best candidate is not confident")
    if best.score.band is Band.WEAK:
        # A title shown only in another script scores low on its own whatever else agrees (no
        # duration typed, a short name read across scripts): uniqueness may still decide.
        decided = _only_song_by_artist(
            track, ranked, context or Context(aliases=aliases or NO_ALIASES)
        )
        if decided is not None:
            return decided
    return MatchResult(Status.NOT_FOUND, None, ranked, "nothing plausible")


# --- decisive evidence below the strong band ---------------------------------------------------
# Two situations where a careful person accepts a candidate whose score alone is not strong.
# Both need the drama's own OST release (and part, when the catalog knows it), the same version,
# no duration against it, and uniqueness; anything less stays in review.

ON_DRAMAS_OST = 0.99  # album component of the drama's own OST release (the right part or none)
ANY_PART = 0.85  # ... of any part of the drama's OST


def _off_release_doubt(track: Track, ranked: Sequence[Ranked], ctx: Context) -> str | None:
    """Why the best candidate, though strong, is no proof for a drama's entry, or None.

    An OST entry rests on the drama's own release. A compilation or best-of carrying the song
    is not the drama's release; when the drama's own release is among the candidates, a song
    elsewhere is not one of its songs. The artist's own album or single is accepted only when
    nothing of the drama's is found, and it is the song's own single or the fan's own data
    (duration or ISRC) agrees with it.
    """
    best = ranked[0]
    c = best.score.components
    if not track.drama or c.get("album", 0) >= ON_DRAMAS_OST or c.get("isrc") == 1.0:
        return None
    album = best.candidate.album
    info = parsed_album(album.name) if album and album.name else None
    if album is not None and (album.album_type == "compilation" or (info and info.compilation)):
        return f"on a compilation ({album.name!r}), not the drama's own release"
    if any(r.score.components.get("album", 0) >= ANY_PART for r in ranked[1:]):
        return "the drama's own release is found and does not carry this song"
    if info is not None and info.is_ost:
        return None  # an OST release named in another script: the album component says so
    if c.get("duration", 0) >= 0.9:
        return None
    # The song's own single (a theme song released under the artist's name) is no proof on
    # its own: the artist's theme song for another drama is released the same way.
    where = f"on {album.name!r}" if album and album.name else "on another release"
    return f"{where}, not the drama's own release; no duration agrees"


def _first_artist_is_ours(
    track: Track, cand: Candidate, ctx: Context, *, least: float = 0.9
) -> bool:
    """The fan's artist is the release's first artist, not a second or featured one."""
    first = replace(cand, artists=cand.artists[:1])
    return artist_score(track, first, ctx)[0] >= least


def _clean_evidence(r: Ranked) -> bool:
    c = r.score.components
    return (
        c.get("album", 0) >= ON_DRAMAS_OST
        and c.get("version", 0) >= 1.0
        and c.get("duration", 1.0) >= 0.9
    )


def _vocal_key(cand: Candidate) -> str | None:
    parsed = parsed_title(cand.name)
    return None if parsed.tags & RECORDING_TAGS else fuzzy_key(parsed.base)


def _fan_names(track: Track, best: Ranked) -> tuple[list[str], bool]:
    """The artist names the fan gave (placeholders such as ``?`` left out), and whether Spotify
    shows the candidate's artists in none of their scripts."""
    names = [
        n
        for c in track.credits
        for n in (c.name, c.native_name)
        if n and not is_placeholder_name(n)
    ]
    theirs = {script_of(a.name) for a in best.candidate.artists}
    return names, bool(names) and not theirs & {script_of(n) for n in names}


def _title_read_the_same(ranked: Sequence[Ranked], ctx: Context) -> MatchResult | None:
    """A title the fan typed in Latin letters that reads exactly as the one Spotify shows in
    another script ("Gil" / 길, "Hamangyeon" / 하망연), by the fan's artist, on the drama's own
    OST: the title is evidence, not an English name to guess from. Short readings score under
    the strong band (a short reading may be another word); here the artist, the release and no
    other song on it read alike decide."""
    best = ranked[0]
    c = best.score.components
    if TITLE_IN_OTHER_SCRIPT.reason not in best.score.reasons or not _clean_evidence(best):
        return None
    if c.get("title", 0) < SAME_READING or c.get("artist", 0) < 0.9:
        return None
    if best.candidate.uri in ctx.taken:
        return None
    song = _base_key(best.candidate)
    for r in ranked[1:]:
        if r.score.components.get("album", 0) < ANY_PART or _base_key(r.candidate) == song:
            continue  # not on the drama's OST, or a version of this song (its Inst.)
        if r.score.components.get("title", 0) >= SAME_READING:
            return None  # another song on the drama's OST reads alike: a person decides
    return MatchResult(
        Status.MATCHED,
        best,
        tuple(ranked),
        f"the title reads as {best.candidate.name!r}, by this artist, on the drama's OST",
    )


def _artist_sings_another_song(best: Ranked, ranked: Sequence[Ranked]) -> bool:
    """The fan's artist is recognised on the drama's OST as another Spotify artist than the
    best candidate's: the fan names that singer, so this song (by someone else) is not theirs
    ("Love Story" by 린 for an entry by Sung Si-kyung, whose 성시경 sings another song there)."""
    mine = {a.id or fuzzy_key(a.name) for a in best.candidate.artists}
    return any(
        r.score.components.get("album", 0) >= ANY_PART
        and r.score.components.get("artist", 0) >= 0.9
        and not mine & {a.id or fuzzy_key(a.name) for a in r.candidate.artists}
        for r in ranked
    )


def _title_decides(track: Track, ranked: Sequence[Ranked], ctx: Context) -> MatchResult | None:
    """The exact title on the drama's own OST, the fan's artist missing, ``?``, misspelled or
    shown by Spotify only in another script, and no other song on the drama's OST with that
    title: the title and the release decide. A clearly different artist (same script, no
    likeness) stays in review, and so does a song another entry of the drama is matched to."""
    best = ranked[0]
    if OST_TITLE_UNKNOWN_ARTIST.reason not in best.score.reasons or not _clean_evidence(best):
        return None
    if best.candidate.uri in ctx.taken:
        return None  # another entry's song (the fan's own entry by its singer, say)
    names, other_script = _fan_names(track, best)
    if names and not other_script and best.score.components.get("artist", 0) < 0.5:
        return None
    if any(
        other_person(n, a.name)
        for n in names
        for a in best.candidate.artists
        if script_of(n) == script_of(a.name) == "latin"
    ):
        return None
    if _artist_sings_another_song(best, ranked):
        return None  # the fan's singer is on the drama's OST, with another song
    title = _vocal_key(best.candidate)
    for r in ranked[1:]:
        if r.score.components.get("album", 0) < ANY_PART or same_recording(
            r.candidate, best.candidate
        ):
            continue
        if _vocal_key(r.candidate) == title:
            return None  # another song of that title on the drama's OST: a person decides
    why = (
        "no artist given"
        if not names
        else "artist shown in another script"
        if other_script
        else "artist spelled otherwise"
    )
    return MatchResult(
        Status.MATCHED,
        best,
        tuple(ranked),
        f"the only song titled {best.candidate.name!r} on the drama's OST; {why}",
        vouches_artist=other_script,
    )


def _main_keys(track: Track) -> frozenset[str]:
    mains = [c for c in track.credits if c.role == "main"] or list(track.credits)
    return frozenset(fuzzy_key(n) for c in mains for n in (c.name, c.native_name) if n)


def _same_artist(entry: Track, track: Track, ours: frozenset[str]) -> bool:
    """Whether a catalog entry credits the same main artist as ``track``, however spelled
    (``Yim Jae-beom`` and ``Lim Jae-bum`` are one singer)."""
    if _main_keys(entry) & ours:
        return True
    mains = [c.name for c in track.credits if c.role == "main"] or [c.name for c in track.credits]
    theirs = [c.name for c in entry.credits if c.role == "main"] or [c.name for c in entry.credits]
    return any(same_person_name(a, b) for a in mains for b in theirs)


def _only_song_by_artist(
    track: Track, ranked: Sequence[Ranked], ctx: Context
) -> MatchResult | None:
    """An English title while Spotify shows only the original script ("Stone Block" / 돌덩이):
    accepted when this is the drama's only catalog entry by the artist and the artist has exactly
    one vocal song on the drama's OST releases. Two or more on either side: review."""
    best = ranked[0]
    if TITLE_IN_OTHER_SCRIPT.reason not in best.score.reasons or not _clean_evidence(best):
        return None
    least = 0.9 if track.part is None else SAME_READING
    if best.score.components.get("artist", 0) < least or not ctx.drama_entries:
        return None
    if best.candidate.uri in ctx.taken:
        return None  # another entry's song
    if not _first_artist_is_ours(track, best.candidate, ctx, least=least):
        return None  # with no title to go by, a second or featured singer is no evidence
    ours = _main_keys(track)
    # The artist's songs in the catalog (versions of one title are one song), but for the
    # entries already matched to a song of their own.
    mine = {
        fuzzy_key(parsed_title(t.title).base) or t.title
        for t in ctx.drama_entries
        if _same_artist(t, track, ours)
        and not is_instrumental(t.title, t.version)
        and (t.id is None or t.id == track.id or t.id not in ctx.settled)
    }
    if len(mine) != 1:
        return None
    taken = {_vocal_key(r.candidate) for r in ranked if r.candidate.uri in ctx.taken}
    songs = {
        k
        for r in ranked
        if r.score.components.get("album", 0) >= ANY_PART
        and r.score.components.get("artist", 0) >= least
        and (k := _vocal_key(r.candidate))
        and k not in taken
    }
    if len(songs) != 1:
        return None
    evidence = ["the drama's OST release"]
    if track.part is not None:
        evidence.append(f"part {track.part}")
    if "duration" in best.score.components:
        evidence.append("duration")
    twin = any(
        "inst" in parsed_title(r.candidate.name).tags
        and r.candidate.album is not None
        and best.candidate.album is not None
        and r.candidate.album.id == best.candidate.album.id
        for r in ranked
    )
    if twin:
        evidence.append("Inst. twin on the same release")
    return MatchResult(
        Status.MATCHED,
        best,
        tuple(ranked),
        "one catalog entry by this artist and one vocal song by this artist on the drama's "
        "OST (" + ", ".join(evidence) + ")",
    )


def inst_twin(track: Track, ranked: Sequence[Ranked], vocal: Candidate) -> MatchResult | None:
    """An Inst. entry whose vocal entry is matched to ``vocal``: the one instrumental of that
    song on the vocal's release is it, the fan's artist given as ``?``, spelled otherwise or
    shown by Spotify in another script. None when the release has no such instrumental among
    the candidates, or more than one, or the fan named a clearly different singer (whose own
    song of that title it would be)."""
    album = vocal.album
    if album is None or (not album.id and not album.name):
        return None
    song = _base_key(vocal)
    twins = [
        r
        for r in ranked
        if r.candidate.album is not None
        and (r.candidate.album.id or r.candidate.album.name) == (album.id or album.name)
        and "inst" in parsed_title(r.candidate.name).tags
        and _base_key(r.candidate) == song
    ]
    if len({r.candidate.uri for r in twins}) != 1:
        return None
    names, other_script = _fan_names(track, twins[0])
    if names and not other_script and twins[0].score.components.get("artist", 0) < 0.5:
        return None  # another singer typed: their song of that title, not this one's Inst.
    return MatchResult(
        Status.MATCHED,
        twins[0],
        tuple(ranked),
        f"the Inst. of {vocal.name!r}, matched for the vocal entry, on the same release",
    )


def _base_key(cand: Candidate) -> str:
    return fuzzy_key(parsed_title(cand.name).base)
