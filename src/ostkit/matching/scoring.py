"""Scoring Spotify candidates against a catalog track. Pure: no I/O, no settings.

``score(track, candidate)`` returns a ``Score`` made of named components in [0, 1]:

* ``title``    — best similarity of any catalog title form (title, native title, alternative
                 titles; with and without bracketed text) against the candidate's, after version
                 tags and credits are taken out (``ostkit.text.titles``).
* ``artist``   — catalog main artists against the candidate's artists: same Spotify artist id
                 (learned), same name key (hyphen/space/case-insensitive), a learned alias, a
                 fuzzy match, or a romanisation match across scripts (weaker).
* ``album``    — the drama's own OST release scores 1, an OST of another drama or a compilation
                 scores low, an ordinary artist album is neutral.
* ``duration`` — only when both sides know it.
* ``version``  — a factor: 1 when the version tags agree, far lower when one side is an Inst.,
                 karaoke, sped-up, live ... version and the other is not.
* ``isrc``     — equal ISRCs mean the same recording and lift the score to the strong band.

The weighted title/artist/album/duration mean is capped by the named ``Cap``s that apply (a famous
same-title song by another artist can never be strong; ``ostkit.matching.bands``), then multiplied
by ``version`` (``ostkit.matching.versions``). The total falls in a ``Band`` — strong / medium /
weak / none — with thresholds passed in (``Bands``). ``ostkit.matching.decide`` ranks candidates
and decides matched / review / not_found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz

from ostkit.matching.bands import (
    ANOTHER_DRAMAS_OST,
    DEFAULT_BANDS,
    DURATION_DIFFERS,
    OST_TITLE_UNKNOWN_ARTIST,
    TITLE_IN_OTHER_SCRIPT,
    TITLE_OR_ARTIST_MISMATCH,
    TITLE_OR_ARTIST_PARTIAL,
    Bands,
    Cap,
    Score,
)
from ostkit.matching.versions import parsed_album, parsed_title, version_factor
from ostkit.models import Candidate, Track
from ostkit.text.keys import clean_text, fuzzy_key, norm
from ostkit.text.romanise import other_person, phonetic, romanise, same_person_name
from ostkit.text.scripts import script_of, script_runs
from ostkit.text.titles import RECORDING_TAGS, ParsedTitle

# --- aliases ------------------------------------------------------------------------------------


class Aliases:
    """Known names of the same artist, and their Spotify artist ids (catalog + learned).

    Groups are merged when they share a name key or an id, so "Park Bo-ram", "박보람" and the
    Spotify id learned from a match all end up in one identity.
    """

    def __init__(self) -> None:
        self._group_of: dict[str, int] = {}
        self._names: dict[int, set[str]] = {}
        self._ids: dict[int, set[str]] = {}

    def add(self, names: Iterable[str], spotify_ids: Iterable[str] = ()) -> None:
        keys = {fuzzy_key(n) for n in names if fuzzy_key(n)}
        ids = {f"id:{i}" for i in spotify_ids if i}
        members = keys | ids
        if not members:
            return
        groups = sorted({self._group_of[m] for m in members if m in self._group_of})
        gid = groups[0] if groups else len(self._names)
        self._names.setdefault(gid, set())
        self._ids.setdefault(gid, set())
        for other in groups[1:]:
            self._names[gid] |= self._names.pop(other)
            self._ids[gid] |= self._ids.pop(other)
        self._names[gid] |= keys
        self._ids[gid] |= {i[3:] for i in ids}
        for m in self._names[gid] | {f"id:{i}" for i in self._ids[gid]}:
            self._group_of[m] = gid

    def names(self, name: str) -> frozenset[str]:
        """Name keys known for ``name`` (including its own key)."""
        gid = self._group_of.get(fuzzy_key(name))
        own = {fuzzy_key(name)} if fuzzy_key(name) else set()
        return frozenset(own | (self._names[gid] if gid is not None else set()))

    def ids(self, name: str) -> frozenset[str]:
        gid = self._group_of.get(fuzzy_key(name))
        return frozenset(self._ids[gid]) if gid is not None else frozenset()

    def __len__(self) -> int:
        return len(self._names)


NO_ALIASES = Aliases()


# --- scores -------------------------------------------------------------------------------------


ANOTHER_WORK = 0.2  # album component of another drama's (or film's) OST
ANOTHER_PERSON = 0.6  # artist component ceiling for the same family name, another given name
NEUTRAL = 0.5  # album component when the album says nothing either way (an artist's release)
WEIGHTS: Mapping[str, float] = {"title": 0.45, "artist": 0.35, "album": 0.10, "duration": 0.10}


@dataclass(frozen=True)
class Context:
    """What the scorer knows beyond the track itself (all optional)."""

    aliases: Aliases = field(default_factory=Aliases)
    drama_names: tuple[str, ...] = ()  # other names of the drama (native title, English title)
    # The drama's catalog entries (for the uniqueness rule of ``ostkit.matching.decide``).
    drama_entries: tuple[Track, ...] = ()
    # Entries (ids) already matched, and the Spotify URIs they are matched to: no rivals for the
    # uniqueness rule, their songs no longer the artist's free songs on the OST.
    settled: frozenset[int] = frozenset()
    taken: frozenset[str] = frozenset()
    # Candidates (URIs) a search filtered by the entry's artist returned, shown by Spotify with
    # one artist in another script: Spotify knows that artist by the fan's name (거미 / Gummy).
    found_by_artist: frozenset[str] = frozenset()


# The artist component of a candidate a search filtered by the fan's artist name returned,
# shown with one artist in another script: as sure as a name read the same across scripts.
FOUND_BY_ARTIST = 0.9
# Said in the artist reason of such a candidate; a stored candidate's reasons keep it, so the
# next run decides a review track from its stored candidates as this one did.
FOUND_BY_ARTIST_NOTE = "returned by a search for this artist"


def found_by_artist(stored: Iterable[tuple[Candidate, Sequence[str]]]) -> frozenset[str]:
    """The stored candidates (URIs) whose reasons say a search for the artist returned them."""
    return frozenset(
        c.uri for c, reasons in stored if any(FOUND_BY_ARTIST_NOTE in r for r in reasons)
    )


# A short name spelled the same across scripts (Sojin / 소진) scores this: as good as a known
# name on the release of the OST part the catalog names, not elsewhere.
SAME_READING = 0.85


@lru_cache(maxsize=131072)
def text_similarity(a: str, b: str) -> float:
    """Similarity of two titles/names in [0, 1]; across scripts via romanisation (capped)."""
    ka, kb = fuzzy_key(a), fuzzy_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    sa, sb = script_of(a), script_of(b)
    if sa == sb or "none" in (sa, sb):
        na, nb = norm(a), norm(b)
        return max(fuzz.ratio(na, nb), fuzz.token_sort_ratio(na, nb), fuzz.ratio(ka, kb)) / 100
    # Different scripts: romanise both and compare; a weak signal on its own, except a long
    # exact spelling ("Hyehwadong" = 혜화동, "Hanamizuki" = ハナミズキ).
    ra, rb = romanise(a), romanise(b)
    if not ra or not rb:
        return 0.0
    if ra == rb:
        return 0.92 if len(ra) >= 6 else 0.85
    pa, pb = phonetic(ra), phonetic(rb)
    if pa == pb:
        return 0.8
    return 0.8 * fuzz.ratio(pa, pb) / 100


def _title_forms(parsed: ParsedTitle) -> list[str]:
    forms = [parsed.base, parsed.core, *parsed.alt_titles, *script_runs(parsed.core)]
    return [f for f in dict.fromkeys(forms) if f.strip()]


def _title_in_other_script(track: Track, candidate: Candidate) -> bool:
    ours = {script_of(f) for f in (track.title, track.native_title) if f}
    return script_of(parsed_title(candidate.name).base) not in ours | {"none"}


def title_score(track: Track, candidate: Candidate) -> tuple[float, str]:
    cand = parsed_title(candidate.name)
    ours: list[str] = _title_forms(parsed_title(track.title))
    if track.native_title:
        ours += _title_forms(parsed_title(track.native_title))
    best, pair = 0.0, ("", "")
    for a in ours:
        for b in _title_forms(cand):
            s = text_similarity(a, b)
            if s > best:
                best, pair = s, (a, b)
    return best, f"title {pair[0]!r}~{pair[1]!r} {best:.2f}"


_OF_GROUP_RE = re.compile(r"^(?P<name>.+?)\s+(?:of|from)\s+(?P<group>[^()]+)$", re.IGNORECASE)
_BRACKET_RE = re.compile(r"^(?P<name>[^()\[\]]+?)\s*[(\[](?P<inner>[^()\[\]]+)[)\]]$")


def name_forms(name: str) -> list[str]:
    """A credit as fans write it and the bare name in it: "DOYOUNG of NCT", "Taeil (NCT)" ->
    also "DOYOUNG", "Taeil"; "Taeyeon (태연)" -> also "Taeyeon" and "태연"."""
    forms = [clean_text(name)]
    of = _OF_GROUP_RE.match(forms[0])
    if of:
        forms.append(of.group("name"))
    bracket = _BRACKET_RE.match(forms[0])
    if bracket:
        forms.append(bracket.group("name"))
        if script_of(bracket.group("inner")) != script_of(bracket.group("name")):
            forms.append(bracket.group("inner"))  # the same name in another script
    return [f.strip() for f in dict.fromkeys(forms) if f.strip()]


def _member_of(name: str) -> str | None:
    """The group in a member's credit ("Kim Jong Wan of NELL", "Taeil (NCT)"), or None."""
    text = clean_text(name)
    of = _OF_GROUP_RE.match(text)
    if of:
        return of.group("group").strip()
    bracket = _BRACKET_RE.match(text)
    if bracket and script_of(bracket.group("inner")) == script_of(bracket.group("name")):
        return bracket.group("inner").strip()
    return None


def _group_prefixed(a: str, b: str) -> bool:
    """ "NCT DOYOUNG" vs "DOYOUNG": one name is the other plus a group tag written in capitals
    (2 to 5 letters/digits) in front or behind; the shared name has at least 4 letters."""
    ta, tb = clean_text(a).split(), clean_text(b).split()
    if len(ta) == len(tb):
        return False
    long, short = (ta, tb) if len(ta) > len(tb) else (tb, ta)
    n = len(short)
    for extra, rest in ((long[: len(long) - n], long[len(long) - n :]), (long[n:], long[:n])):
        same = [fuzzy_key(t) for t in rest] == [fuzzy_key(t) for t in short]
        if not same or len(fuzzy_key(" ".join(short))) < 4:
            continue
        if all(re.fullmatch(r"[A-Z0-9]{2,5}", t) for t in extra):
            return True
    return False


def _artist_name_similarity(name: str, native: str | None, cand_name: str, ctx: Context) -> float:
    forms = name_forms(name)
    known = ctx.aliases.names(name) | (ctx.aliases.names(native) if native else frozenset())
    for form in forms[1:]:
        known |= ctx.aliases.names(form)
    ckey = fuzzy_key(cand_name)
    if ckey and ckey in known:
        return 1.0
    if any(_group_prefixed(f, cand_name) for f in forms):
        return 0.9
    # "Kim Jong Wan of NELL", "Taeil (NCT)" on Spotify, the group typed by the fan.
    group = _member_of(cand_name)
    if group and fuzzy_key(group) in {fuzzy_key(f) for f in forms} | known:
        return 0.9
    # "DAWN 던", "TAEYEON (태연)": a Spotify name can carry both scripts.
    cparts = [p for p in re.split(r"[()\[\]]|\s(?=[\uac00-\ud7a3])", cand_name) if p.strip()]
    if len(cparts) > 1 and any(fuzzy_key(p) in known for p in cparts):
        return 1.0
    best = 0.0
    same_person = other = False
    for ours in [*forms, *([native] if native else [])]:
        best = max(best, text_similarity(ours, cand_name))
        if same_person_name(ours, cand_name):
            # Word order and romanisation variants of one name ("Boram Park" = "Park Bo-ram",
            # "Yi Su-hyeon" = "Lee Su-hyun"); across scripts (박보람) a little less sure.
            best = max(best, 0.95 if script_of(ours) == script_of(cand_name) else 0.9)
            same_person = True
        elif script_of(ours) == script_of(cand_name) == "latin" and other_person(ours, cand_name):
            other = True
    if other and not same_person:
        # "Kim Na-young" is not "Kim Na-eun": alike letters, another singer.
        best = min(best, ANOTHER_PERSON)
        if script_of(ours) != script_of(cand_name) and script_of(cand_name) == "hangul":
            # People's names: family name first, spelled as people spell it.
            ra, rb = romanise(ours), romanise(cand_name, surname=True)
            if ra and rb and (ra == rb or phonetic(ra) == phonetic(rb)):
                best = max(best, 0.85)
        elif script_of(ours) == "hangul" and script_of(cand_name) == "latin":
            ra, rb = romanise(ours, surname=True), romanise(cand_name)
            if ra and rb and (ra == rb or phonetic(ra) == phonetic(rb)):
                best = max(best, 0.85)
    return best


def artist_score(track: Track, candidate: Candidate, ctx: Context) -> tuple[float, str]:
    credits = [c for c in track.credits if c.role == "main"] or list(track.credits)
    if not credits:
        return 0.5, "no catalog artist"
    if not candidate.artists:
        return 0.0, "candidate has no artists"
    per_credit: list[float] = []
    notes: list[str] = []
    for credit in credits:
        native = getattr(credit, "native_name", None)
        ids = ctx.aliases.ids(credit.name) | (ctx.aliases.ids(native) if native else frozenset())
        best, who = 0.0, ""
        for artist in candidate.artists:
            if artist.id and artist.id in ids:
                s = 1.0
            else:
                s = _artist_name_similarity(credit.name, native, artist.name, ctx)
            if s > best:
                best, who = s, artist.name
        per_credit.append(best)
        notes.append(f"{credit.name!r}~{who!r} {best:.2f}")
    # Group credits written as one Spotify artist ("MOONBIN&SANHA(ASTRO)") or the reverse.
    joined = 0.0
    if len(credits) > 1 or len(candidate.artists) > 1:
        joined = text_similarity(
            " ".join(c.name for c in credits), " ".join(a.name for a in candidate.artists)
        )
    value = max(0.75 * max(per_credit) + 0.25 * (sum(per_credit) / len(per_credit)), joined)
    if value < FOUND_BY_ARTIST and candidate.uri in ctx.found_by_artist:
        notes.append(FOUND_BY_ARTIST_NOTE)
        value = FOUND_BY_ARTIST
    return value, "artist " + ", ".join(notes)


# A season or sequel number at the end of a drama's name: "Season 2", "시즌2", "S2", " 2".
_SEASON_RE = re.compile(r"\s*(?:\bseason\s*|시즌\s*|\bs(?=\d)|\s)(\d{1,2})\s*$", re.IGNORECASE)


def _season(name: str) -> tuple[str, int | None]:
    """A drama's name without its season number, and the number (None when it has none)."""
    found = _SEASON_RE.search(name)
    if found is None or not name[: found.start()].strip():
        return name, None
    return name[: found.start()], int(found.group(1))


def same_drama(found: str, drama: str) -> bool:
    """Whether the name ``found`` (on a release) names the drama called ``drama``:
    near-identical with the same season ("Hospital Playlist Season 2" ~ "Hospital Playlist 2").
    A drama named without a season holds all of them ("Hospital Playlist"); a drama named with
    one ("Dream Days 2") is another drama than any other season of it."""
    (sa, na), (sb, nb) = _season(found), _season(drama)
    if nb is not None and (1 if na is None else na) != nb:
        return False
    if text_similarity(sa, sb) >= 0.9:
        return True
    # "Moon Lovers: Scarlet Heart Ryeo" is "Moon Lovers" with its subtitle.
    ha, hb = sa.split(":", 1)[0], sb.split(":", 1)[0]
    return (
        (ha, hb) != (sa, sb)
        and is_drama_head(min(ha, hb, key=len))
        and fuzzy_key(ha) == fuzzy_key(hb)
    )


def is_drama_head(title: str) -> bool:
    """Whether a title before a subtitle is long enough to name one drama by itself ("Moon
    Lovers", "Misaeng"; not "W")."""
    return len(norm(title)) >= 6


def _drama_matches(name: str | None, track: Track, ctx: Context) -> bool:
    if not name:
        return False
    return any(same_drama(name, d) for d in (track.drama, *ctx.drama_names) if d and d.strip())


def album_score(track: Track, candidate: Candidate, ctx: Context) -> tuple[float, str]:
    album = candidate.album
    from_work = parsed_title(candidate.name).from_work
    if from_work and _drama_matches(from_work, track, ctx):
        return 1.0, f"title says from {from_work!r}"
    if album is None or not album.name:
        return NEUTRAL, "no album"
    if track.album and fuzzy_key(track.album) == fuzzy_key(album.name):
        return 1.0, "catalog album name"
    info = parsed_album(album.name)
    if album.album_type == "compilation" or (info.compilation and not info.is_ost):
        return 0.25, f"compilation {album.name!r}"
    if info.is_ost:
        # The drama first: its name may hold a compilation word ("Hospital Playlist").
        if _drama_matches(info.drama, track, ctx):
            if track.part is not None and info.part is not None and info.part != track.part:
                return 0.85, f"drama OST, part {info.part} (catalog part {track.part})"
            return 1.0, f"the drama's OST {album.name!r}"
        if info.compilation:
            return 0.3, f"OST compilation {album.name!r}"
        known = {script_of(d) for d in (track.drama, *ctx.drama_names) if d and d.strip()}
        if info.drama and script_of(info.drama) not in known:
            # Named in a script we have no drama title in (a Hangul-only album name while the
            # catalog knows only the English title): cannot tell, so neutral.
            return NEUTRAL, f"OST of a drama named in another script {album.name!r}"
        return ANOTHER_WORK, f"OST of another work {album.name!r}"
    if info.tags & RECORDING_TAGS:
        return 0.3, f"version album {album.name!r}"
    return NEUTRAL, f"artist release {album.name!r}"


def duration_score(track: Track, candidate: Candidate) -> tuple[float | None, str]:
    if not track.duration_ms or not candidate.duration_ms:
        return None, ""
    diff = abs(track.duration_ms - candidate.duration_ms) / 1000
    if diff <= 2:
        value = 1.0
    elif diff <= 5:
        value = 0.9
    elif diff <= 10:
        value = 0.6
    elif diff <= 20:
        value = 0.3
    else:
        value = 0.0
    return value, f"duration off by {diff:.0f}s"


def caps(
    track: Track,
    candidate: Candidate,
    title: float,
    artist: float,
    album: float,
    duration: float | None,
) -> list[Cap]:
    """The caps that apply to a candidate's components, in the order they are applied.

    A weak title or artist can never be auto-accepted, however good the rest looks; of the
    title/artist caps only the first that applies counts.
    """
    found: list[Cap] = []
    if title >= 0.95 and album >= 0.99 and artist < 0.75:
        found.append(OST_TITLE_UNKNOWN_ARTIST)
    elif (
        title < 0.9
        and (artist >= 0.9 or (artist >= SAME_READING and album >= 0.99 and track.part))
        and (album >= 0.99 or album == NEUTRAL)
        and _title_in_other_script(track, candidate)
    ):
        found.append(TITLE_IN_OTHER_SCRIPT)
    elif title < 0.6 or artist < 0.5:
        found.append(TITLE_OR_ARTIST_MISMATCH)
    elif title < 0.9 or artist < 0.75:
        found.append(TITLE_OR_ARTIST_PARTIAL)
    if duration is not None and duration < 0.9:
        found.append(DURATION_DIFFERS)
    if album <= ANOTHER_WORK:
        found.append(ANOTHER_DRAMAS_OST)
    return found


def doubts(
    track: Track, candidate: Candidate, title: float, artist: float, album: float
) -> list[str]:
    """Why a candidate may be the wrong song, in words a person reviewing it reads first."""
    found: list[str] = []
    if title < 0.9 and not _title_in_other_script(track, candidate):
        found.append(f"doubtful: another title ({candidate.name!r}, not {track.title!r})")
    elif title < 0.6:
        found.append("doubtful: title in another script, not comparable")
    if album <= ANOTHER_WORK and candidate.album is not None:
        found.append(f"doubtful: another drama's OST ({candidate.album.name!r})")
    if artist < 0.5 and track.credits and candidate.artists:
        names = ", ".join(a.name for a in candidate.artists)
        found.append(f"doubtful: another artist ({names!r}, not {track.artist!r})")
    return found


def same_isrc(a: str | None, b: str | None) -> bool | None:
    """Whether two ISRCs name the same recording (None when either is unknown)."""
    if not a or not b:
        return None
    return a.strip().upper() == b.strip().upper()


def score(
    track: Track,
    candidate: Candidate,
    aliases: Aliases | None = None,
    *,
    context: Context | None = None,
    bands: Bands = DEFAULT_BANDS,
) -> Score:
    """Score one candidate for one catalog track; see the module docstring."""
    ctx = context or Context(aliases=aliases or NO_ALIASES)
    if aliases is not None and context is not None:
        ctx = replace(context, aliases=aliases)
    title, title_why = title_score(track, candidate)
    artist, artist_why = artist_score(track, candidate, ctx)
    album, album_why = album_score(track, candidate, ctx)
    duration, duration_why = duration_score(track, candidate)
    version, version_why = version_factor(track, candidate)
    components: dict[str, float] = {"title": title, "artist": artist, "album": album}
    if duration is not None:
        components["duration"] = duration
    weight = sum(WEIGHTS[k] for k in components)
    base = sum(WEIGHTS[k] * v for k, v in components.items()) / weight
    reasons = [
        *doubts(track, candidate, title, artist, album),
        title_why,
        artist_why,
        album_why,
        duration_why,
        version_why,
    ]
    for cap in caps(track, candidate, title, artist, album, duration):
        base = cap.apply(base, bands)
        reasons.append(cap.reason)
    total = base * version
    components["version"] = version
    same = same_isrc(track.isrc, candidate.isrc)
    if same is not None:
        components["isrc"] = 1.0 if same else 0.0
        if same:
            # Same recording. Still rank the drama's own release above a compilation.
            total = max(total, 0.9 + 0.1 * album)
            reasons.append("same ISRC (same recording)")
    total = min(1.0, max(0.0, total))
    return Score(
        total=round(total, 4),
        band=bands.band(total),
        components={k: round(v, 4) for k, v in components.items()},
        reasons=tuple(r for r in reasons if r),
    )
