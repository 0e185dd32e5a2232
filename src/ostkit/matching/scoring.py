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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import koroman
from anyascii import anyascii
from rapidfuzz import fuzz

from ostkit.matching.bands import (
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
from ostkit.text.titles import RECORDING_TAGS, ParsedTitle, clean_text, script_of

# --- normalisation ------------------------------------------------------------------------------

_PUNCT_RE = re.compile(r"[^\w\s]|_", re.UNICODE)


@lru_cache(maxsize=131072)
def norm(text: str) -> str:
    """NFKC, casefold, quotes/punctuation dropped, "&" read as "and", whitespace collapsed."""
    text = clean_text(text).casefold().replace("&", " and ")
    text = _PUNCT_RE.sub(" ", text.replace("'", ""))
    return " ".join(text.split())


@lru_cache(maxsize=131072)
def key(text: str) -> str:
    """Name key: ``norm`` without spaces, so "Park Bo-ram" == "Park Boram" == "park bo ram"."""
    return norm(text).replace(" ", "")


# Hangul goes through ``koroman`` (Revised Romanization with its sound-change rules: 독립문 ->
# "dongnimmun"); kana and han through ``anyascii``. People's names are romanised syllable by
# syllable (no sound changes across syllables, as names are written: 백예린 "Baek Yerin", not
# "Baengnyerin") with the family name spelled as people and labels spell it.
_SURNAMES = {
    "박": "park",
    "이": "lee",
    "김": "kim",
    "최": "choi",
    "정": "jung",
    "윤": "yoon",
    "강": "kang",
    "조": "cho",
    "장": "jang",
    "임": "lim",
    "한": "han",
    "오": "oh",
    "서": "seo",
    "신": "shin",
    "권": "kwon",
    "황": "hwang",
    "안": "ahn",
    "송": "song",
    "류": "ryu",
    "유": "yoo",
    "전": "jeon",
    "홍": "hong",
    "고": "ko",
    "문": "moon",
    "손": "son",
    "배": "bae",
    "백": "baek",
    "허": "heo",
    "남": "nam",
    "심": "shim",
    "노": "noh",
    "하": "ha",
    "곽": "kwak",
    "성": "sung",
    "차": "cha",
    "주": "joo",
    "우": "woo",
    "구": "koo",
    "민": "min",
    "진": "jin",
    "엄": "uhm",
    "변": "byun",
}
_HANGUL_WORD_RE = re.compile(r"[\uac00-\ud7a3]+")


def _is_syllable(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def romanise_hangul(text: str, *, surname: bool = False) -> str:
    """Hangul to Revised Romanization (``koroman``); other characters pass through.

    ``surname``: ``text`` is a person's name: a leading family name (of a name of two or more
    syllables) is spelled the customary way and each syllable is romanised on its own.
    """
    if not surname:
        return str(koroman.romanize(text))

    def name(match: re.Match[str]) -> str:
        word = match.group(0)
        head = ""
        if len(word) >= 2 and word[0] in _SURNAMES:
            head, word = _SURNAMES[word[0]] + " ", word[1:]
        return head + "".join(
            str(koroman.romanize(ch, use_pronunciation_rules=False)) for ch in word
        )

    return _HANGUL_WORD_RE.sub(name, text)


@lru_cache(maxsize=65536)
def romanise(text: str, *, surname: bool = False) -> str:
    """Any script to a Latin key: ``koroman`` for Hangul, ``anyascii`` for the rest (kana, han)."""
    text = clean_text(text)
    if any(_is_syllable(c) for c in text):
        text = romanise_hangul(text, surname=surname)
    return key(anyascii(text))


_PHONETIC = (
    ("eo", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ae", "e"),
    ("wo", "o"),
    ("eu", "u"),
    ("sh", "s"),
    ("ch", "j"),
    ("r", "l"),
    ("g", "k"),
    ("b", "p"),
    ("d", "t"),
    ("y", ""),
    ("h", ""),
)


def phonetic(latin_key: str) -> str:
    """Fold romanisation variants (Yoon/Yun, Jeong/Jung, r/l, g/k, b/p ...) to one spelling."""
    text = latin_key
    for src, dst in _PHONETIC:
        text = text.replace(src, dst)
    return re.sub(r"(.)\1+", r"\1", text)


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
        keys = {key(n) for n in names if key(n)}
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
        gid = self._group_of.get(key(name))
        own = {key(name)} if key(name) else set()
        return frozenset(own | (self._names[gid] if gid is not None else set()))

    def ids(self, name: str) -> frozenset[str]:
        gid = self._group_of.get(key(name))
        return frozenset(self._ids[gid]) if gid is not None else frozenset()

    def __len__(self) -> int:
        return len(self._names)


NO_ALIASES = Aliases()


# --- scores -------------------------------------------------------------------------------------


NEUTRAL = 0.5  # album component when the album says nothing either way (an artist's release)
WEIGHTS: Mapping[str, float] = {"title": 0.45, "artist": 0.35, "album": 0.10, "duration": 0.10}


@dataclass(frozen=True)
class Context:
    """What the scorer knows beyond the track itself (all optional)."""

    aliases: Aliases = field(default_factory=Aliases)
    drama_names: tuple[str, ...] = ()  # other names of the drama (native title, English title)


@lru_cache(maxsize=131072)
def text_similarity(a: str, b: str) -> float:
    """Similarity of two titles/names in [0, 1]; across scripts via romanisation (capped)."""
    ka, kb = key(a), key(b)
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


_CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7a3"  # Hangul, kana, han
_CJK_RE = re.compile(f"[{_CJK}]")
_LATIN_RUN_RE = re.compile(f"[A-Za-z\u00c0-\u024f][^{_CJK}]*")


def script_runs(text: str) -> list[str]:
    """A title written in two scripts, split: "어른 Grown Ups" -> ["어른", "Grown Ups"].

    Spotify often shows a Korean OST title followed by its English one (and the reverse). A
    text in one script gives ``[]``.
    """
    if not _CJK_RE.search(text) or not re.search(r"[A-Za-z]", text):
        return []
    latin = [m.group(0).strip(" -/|,") for m in _LATIN_RUN_RE.finditer(text)]
    other = _LATIN_RUN_RE.sub(" / ", text)
    cjk = [p.strip(" -/|,") for p in other.split(" / ")]
    return [r for r in (*cjk, *latin) if r and re.search(r"\w", r)]


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


def _group_prefixed(a: str, b: str) -> bool:
    """ "NCT DOYOUNG" vs "DOYOUNG": one name is the other plus a group tag written in capitals
    (2 to 5 letters/digits) in front or behind; the shared name has at least 4 letters."""
    ta, tb = clean_text(a).split(), clean_text(b).split()
    if len(ta) == len(tb):
        return False
    long, short = (ta, tb) if len(ta) > len(tb) else (tb, ta)
    n = len(short)
    for extra, rest in ((long[: len(long) - n], long[len(long) - n :]), (long[n:], long[:n])):
        if [key(t) for t in rest] != [key(t) for t in short] or len(key(" ".join(short))) < 4:
            continue
        if all(re.fullmatch(r"[A-Z0-9]{2,5}", t) for t in extra):
            return True
    return False


def _artist_name_similarity(name: str, native: str | None, cand_name: str, ctx: Context) -> float:
    forms = name_forms(name)
    known = ctx.aliases.names(name) | (ctx.aliases.names(native) if native else frozenset())
    for form in forms[1:]:
        known |= ctx.aliases.names(form)
    ckey = key(cand_name)
    if ckey and ckey in known:
        return 1.0
    if any(_group_prefixed(f, cand_name) for f in forms):
        return 0.9
    # "DAWN 던", "TAEYEON (태연)": a Spotify name can carry both scripts.
    cparts = [p for p in re.split(r"[()\[\]]|\s(?=[\uac00-\ud7a3])", cand_name) if p.strip()]
    if len(cparts) > 1 and any(key(p) in known for p in cparts):
        return 1.0
    best = 0.0
    for ours in [*forms, *([native] if native else [])]:
        best = max(best, text_similarity(ours, cand_name))
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
    joined = text_similarity(
        " ".join(c.name for c in credits), " ".join(a.name for a in candidate.artists)
    )
    value = max(0.75 * max(per_credit) + 0.25 * (sum(per_credit) / len(per_credit)), joined)
    return value, "artist " + ", ".join(notes)


_SEASON_RE = re.compile(r"\s*(?:\bseason\s*\d+|시즌\s*\d+)\s*$", re.IGNORECASE)


def same_drama(a: str, b: str) -> bool:
    """Two names of the same drama: near-identical, also once a "Season 2" / "시즌2" is set
    aside ("Hospital Playlist Season 2" ~ "Hospital Playlist 2" ~ "Hospital Playlist")."""
    if text_similarity(a, b) >= 0.9:
        return True
    sa, sb = _SEASON_RE.sub("", a), _SEASON_RE.sub("", b)
    return (sa, sb) != (a, b) and bool(sa.strip()) and text_similarity(sa, sb) >= 0.9


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
    if track.album and key(track.album) == key(album.name):
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
        return 0.2, f"OST of another work {album.name!r}"
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
        title < 0.6
        and artist >= 0.9
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
        ctx = Context(aliases=aliases, drama_names=context.drama_names)
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
    reasons = [title_why, artist_why, album_why, duration_why, version_why]
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
