"""Version tags, credits and OST album patterns in track and album names. Pure; no I/O.

Spotify and fans decorate titles the same few ways: a version in parentheses or brackets
("Want To Be Happy (Inst.)", "[Sped Up]"), after a dash ("Run away - KR Ver.",
"Yesterday - Remastered 2009"), credits ("(feat. Jay Park)", "(Prod.&Feat. SUGA of BTS)"), an
alternative title in another script ("Forever (약속)") and, on albums, the drama and OST part
("My Last Love OST Part.4", "Hometown Cha-Cha-Cha (Original Television Soundtrack), Pt. 3").

``parse_title`` splits a title into a clean base, a set of canonical tags, credits and hints;
``parse_album`` does the same for an album name.  Tags are short strings:

===============  =====================================================================
tag              written as
===============  =====================================================================
``inst``         Inst., Instrumental, MR, Backing Track, 연주곡, 반주, インスト, 伴奏, 纯音乐
``karaoke``      Karaoke, Originally Performed by X, In the Style of X, Made Famous by X
``cover``        Cover, Piano Cover (also ``piano``)
``sped_up``      Sped Up, Speed Up, Nightcore
``slowed``       Slowed, Slowed + Reverb
``remix``        Remix, ... Mix, Rmx, Bootleg
``live``         Live, Live Ver., Live at ...
``acoustic``     Acoustic, Unplugged
``piano``        Piano Ver., Piano Version
``orchestra``    Orchestra Ver., Orchestral
``lang:ko``      Korean Ver., KR Ver., Kor. Ver. (also ``lang:en``, ``lang:ja``, ``lang:zh``)
``remaster``     Remaster, Remastered 2012, 2012 Remaster
``radio_edit``   Radio Edit, Radio Version
``demo``         Demo
``tv_size``      TV Size, TV Ver.
``drama_ver``    Drama Ver., Drama Version
``ver:<x>``      any other "<x> Ver." / "<x> Version" (e.g. ``ver:duet``, ``ver:male``)
===============  =====================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ostkit.text.credits import split_names
from ostkit.text.keys import clean_text
from ostkit.text.scripts import script_of

# Tags that mean "a different recording than the plain vocal track": a catalog entry without the
# tag should not be matched to a candidate with it, and vice versa.
RECORDING_TAGS = frozenset(
    {
        "inst",
        "karaoke",
        "cover",
        "sped_up",
        "slowed",
        "remix",
        "live",
        "acoustic",
        "piano",
        "orchestra",
        "demo",
        "tv_size",
        "drama_ver",
        "lang:ko",
        "lang:en",
        "lang:ja",
        "lang:zh",
    }
)
# Tags that keep the recording (or differ only in mastering/length): mild or no penalty.
BENIGN_TAGS = frozenset({"remaster", "radio_edit", "original", "explicit", "clean", "mono"})

_LANG = {
    "korean": "lang:ko",
    "kor": "lang:ko",
    "kr": "lang:ko",
    "ko": "lang:ko",
    "한국어": "lang:ko",
    "english": "lang:en",
    "eng": "lang:en",
    "en": "lang:en",
    "영어": "lang:en",
    "japanese": "lang:ja",
    "jpn": "lang:ja",
    "jp": "lang:ja",
    "japan": "lang:ja",
    "일본어": "lang:ja",
    "日本語": "lang:ja",
    "chinese": "lang:zh",
    "chn": "lang:zh",
    "cn": "lang:zh",
    "mandarin": "lang:zh",
    "중국어": "lang:zh",
    "中文": "lang:zh",
}
# "<word> ver." -> tag; anything else becomes "ver:<word>".
_VER_WORDS = {
    "inst": "inst",
    "instrumental": "inst",
    "mr": "inst",
    "karaoke": "karaoke",
    "live": "live",
    "acoustic": "acoustic",
    "unplugged": "acoustic",
    "piano": "piano",
    "orchestra": "orchestra",
    "orchestral": "orchestra",
    "tv": "tv_size",
    "tv size": "tv_size",
    "drama": "drama_ver",
    "demo": "demo",
    "remix": "remix",
    "sped up": "sped_up",
    "speed up": "sped_up",
    "slowed": "slowed",
    "radio": "radio_edit",
    "original": "original",
    "album": "original",
    "single": "original",
    "피아노": "piano",
    "어쿠스틱": "acoustic",
    "라이브": "live",
    "드라마": "drama_ver",
    "연주": "inst",
}

# Keyword patterns looked for inside a bracketed group or a " - " suffix. Order does not matter:
# every pattern that hits adds its tag.
_KEYWORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), tag)
    for pattern, tag in (
        (
            r"\binst\b\.?|\binstrumental\b|^\s*mr\b\.?\s*$|\bbacking track\b|연주곡|반주|インスト|"
            r"伴奏|纯音乐|純音樂",
            "inst",
        ),
        (r"\boff ?vocal\b|オフボーカル", "inst"),
        (r"\bkaraoke\b|カラオケ|노래방", "karaoke"),
        (r"\boriginally performed by\b|\bin the style of\b|\bmade famous by\b", "karaoke"),
        (r"\bas made famous\b|\bbacking version\b|\btribute to\b", "karaoke"),
        # "(Cover)", "Piano Cover", "Covered by X", "(Cover Ver.)"; not "(Cover Me)".
        (r"\bcover(s|ed)?\s*$|\bcover(ed)?\s+(?:by|ver\b|version)|커버", "cover"),
        (r"\bsped[ -]?up\b|\bspeed[ -]?up\b|\bnightcore\b|\bfaster\b", "sped_up"),
        (r"\bslowed\b|\breverb\b|\bslow(ed)? ?\+ ?reverb\b", "slowed"),
        (r"\bre-?mix\b|\brmx\b|\bbootleg\b|\b[\w'&.]+ (mix|edit)\b(?<!radio edit)", "remix"),
        # "(Live)", "Live Ver.", "- Live at Seoul", "(Live 2019)", "(Acoustic Live)"; not a title
        # in brackets that merely holds the word ("(Live Your Life)").
        (
            r"^\s*live\s*$|\blive\b(?=\s*(?:ver\b|version\b|at\b|in\b|from\b|on\b|session|"
            r"concert|tour|performance|clip|\d|$))|\b(?:acoustic|studio|concert|band) live\b|"
            r"라이브|现场|現場",
            "live",
        ),
        (r"\bacoustic\b|\bunplugged\b|어쿠스틱", "acoustic"),
        (r"\bpiano\b|피아노|ピアノ|钢琴|鋼琴", "piano"),
        (r"\borchestra(l)?\b|오케스트라", "orchestra"),
        (r"\bremaster(ed)?\b|\bremastering\b", "remaster"),
        (r"\bradio (edit|version|mix)\b", "radio_edit"),
        (r"\bdemo\b", "demo"),
        (r"\btv[ -]?(size|ver\.?|version|edit)\b|\btv ?サイズ", "tv_size"),
        (r"\bdrama (ver\.?|version)\b|드라마 ?(ver|버전)", "drama_ver"),
        (r"\bexplicit\b", "explicit"),
        (r"\bclean\b", "clean"),
        (r"\bmono\b", "mono"),
    )
)
# "<word> Ver." / "<word> Version" with "Ver" a word of its own ("KR Ver.", "Inst.Ver",
# "Piano-Version", "피아노 버전"), never the end of another word ("Game Over", "Forever", "Lover").
_VER_RE = re.compile(
    r"([^\s()\[\]]+?(?: [^\s()\[\]]+)?)(?:\s+|(?<=[.\-_]))(?:ver(?:sion)?\b\.?)"
    r"|([^\s()\[\]]+(?: [^\s()\[\]]+)?)\s*(?:버전|バージョン)",
    re.I,
)
_VER_ALONE = re.compile(r"^\s*(?:ver(?:sion)?\.?|버전)\s*$", re.I)
_CREDIT_RE = re.compile(
    r"^\s*(?:(?P<prod1>prod(?:uced)?\.?(?:\s*by)?)\s*(?:&|and)\s*(?P<feat1>feat\.?|ft\.?)"
    r"|(?P<feat>feat(?:uring)?\.?|ft\.?|with|duet with|w/)"
    r"|(?P<prod>prod(?:uced)?\.?(?:\s*by)?))\s*(?P<names>.+?)\s*$",
    re.IGNORECASE,
)
_INLINE_FEAT_RE = re.compile(r"\s+(?:feat(?:uring)?\.?|ft\.)\s+(?P<names>.+)$", re.IGNORECASE)
_FROM_RE = re.compile(
    r"^\s*from\s+(?:the\s+)?(?:\"(?P<q>[^\"]+)\"|(?P<plain>.+?))\s*(?P<rest>.*)$", re.IGNORECASE
)
_GROUP_RE = re.compile(r"\s*(\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>)")
_DASH_SPLIT_RE = re.compile(r"\s+-\s+")
_PART_RE = re.compile(
    r"\b(?:part|pt|vol|volume|파트)\s*\.?\s*(?P<n>\d{1,3})\b|(?P<n2>\d{1,3})\s*(?:st|nd|rd|th)?\s*part\b",
    re.IGNORECASE,
)
_OST_RE = re.compile(
    r"\bost\b|\bo\.s\.t\.?|original (?:\w+ )?(?:television |tv |drama |motion picture |series |"
    r"musical |web ?drama )?soundtrack|\bsoundtrack\b|\bmusic from\b|\boriginal score\b|"
    r"오리지널 사운드트랙|사운드트랙|サウンドトラック|サントラ|原声|原聲|插曲",
    re.IGNORECASE,
)
_SPECIAL_RE = re.compile(r"\bspecial\b|\bbonus\b|스페셜", re.IGNORECASE)
_COMPILATION_RE = re.compile(
    r"\bbest of\b|\bthe best\b|\bbest ost\b|\bgreatest\b|\bhits\b|\bcollection\b|\bcompilation\b|"
    r"\bvarious\b|\bnow that'?s\b|\banthology\b|\bplaylist\b|\bmegamix\b|\btop \d+|\bmix ?tape\b|"
    r"\bsongs from\b|\bmusic box\b|\blullaby\b|\bcovers\b|\btribute\b|\bessentials\b|"
    r"\bk-?drama\b|\bkorean drama\b|\bdrama hits\b",
    re.IGNORECASE,
)
_OST_MARK_RE = re.compile(
    r"(?:[,:\-]\s*)?[(\[]?\s*(?:the\s+)?(?:\bost\b|\bo\.s\.t\b\.?|\boriginal\b[^()\[\]]*?soundtrack|"
    r"\bsoundtrack\b|\bmusic from\b|오리지널 사운드트랙|사운드트랙|"
    r"(?:オリジナル・?)?サウンドトラック|サントラ|(?:影视|影視|电视剧?|電視劇?)?(?:原声|原聲)(?:带|帶|大碟|专辑|專輯)?|插曲)",
    re.IGNORECASE,
)
_ALBUM_WORD_RE = re.compile(
    r"\bkaraoke\b|\binstrumentals?\b|\bsped up\b|\bslowed\b|"
    r"\bpiano (?:covers?|collection|ver\w*)\b|"
    r"\bacoustic (?:covers?|ver\w*)\b|\bcovers?\b|\blive\b(?= (?:at|in|from|concert|album|tour))",
    re.IGNORECASE,
)
# "드라마 도깨비 OST", "tvN 드라마 '도깨비' OST": the word for drama (and a channel) first.
# Only the Korean word: an English title may well start with "Drama".
_DRAMA_PREFIX_RE = re.compile(
    r"^\s*(?:(?:tvn|jtbc|kbs2?|mbc|sbs|ocn|ena|mbn)\s+)?드라마\s+", re.IGNORECASE
)
_PAREN_DRAMA_RE = re.compile(
    r"[(\[]\s*(?:from\s+)?(?P<d>.+?)\s+(?:ost|o\.s\.t|original)\b.*?[)\]]", re.I
)


@dataclass(frozen=True)
class ParsedTitle:
    """A title split into its parts."""

    raw: str
    base: str  # without version tags and credits; other bracketed text kept ("Love (Remember)")
    core: str  # base without any bracketed text at all
    tags: frozenset[str]
    featured: tuple[str, ...] = ()
    producers: tuple[str, ...] = ()
    alt_titles: tuple[str, ...] = ()  # "Forever (약속)" -> ("약속",)
    from_work: str | None = None  # "(From "Midnight Sun" ...)" -> "Midnight Sun"
    part: int | None = None  # "... Pt. 1" inside a "From ..." group
    version: str | None = None  # the version decorations as written: "Inst.", "KR Ver."


@dataclass(frozen=True)
class AlbumInfo:
    """What an album name says about OST-ness."""

    raw: str
    drama: str | None  # the drama (or film/musical) name when the album is an OST
    part: int | None
    is_ost: bool
    special: bool
    compilation: bool
    tags: frozenset[str]


def _credited_names(text: str) -> list[str]:
    # "(Prod. & Feat. SUGA of BTS)": a title credit names the member, not the group.
    return split_names(re.sub(r"\s+of\s+[\w .-]+$", "", text.strip()))


def tags_in(text: str) -> frozenset[str]:
    """Canonical version tags mentioned anywhere in ``text`` (a bracketed group, a suffix)."""
    tags: set[str] = set()
    low = text.casefold()
    for pattern, tag in _KEYWORDS:
        if pattern.search(low):
            tags.add(tag)
    for match in _VER_RE.finditer(low):
        words = (match.group(1) or match.group(2)).strip(" .-_'\"").casefold()
        last = words.split()[-1] if words.split() else words
        for candidate in (words, last):
            if candidate in _LANG:
                tags.add(_LANG[candidate])
                break
            if candidate in _VER_WORDS:
                tags.add(_VER_WORDS[candidate])
                break
        else:
            if last and not tags:
                tags.add(f"ver:{last}")
    for word in re.findall(r"[\w\u3040-\u30ff\uac00-\ud7a3]+", low):
        if word in _LANG and re.search(r"\b(ver|version|lyrics)\b|버전", low):
            tags.add(_LANG[word])
    if re.search(r"\boriginal (mix|edit)\b", low):
        tags.discard("remix")
        tags.add("original")
    if "slowed" in tags and "remix" in tags and not re.search(r"re-?mix|rmx", low):
        tags.discard("remix")  # "Slowed + Reverb mix"
    if "sped_up" in tags and "remix" in tags and not re.search(r"re-?mix|rmx", low):
        tags.discard("remix")
    return frozenset(tags)


@dataclass
class _Found:
    """What the steps of ``parse_title`` take out of a title, in reading order."""

    tags: set[str] = field(default_factory=set)
    featured: list[str] = field(default_factory=list)
    producers: list[str] = field(default_factory=list)
    alt_titles: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)  # decorations as written: "Inst."
    from_work: str | None = None
    part: int | None = None


def _take_credit(inner: str, found: _Found) -> bool:
    credit = _CREDIT_RE.match(inner)
    if not credit:
        return False
    names = _credited_names(credit.group("names"))
    if credit.group("prod1"):  # "Prod. & Feat. X": X both produced and features
        found.producers.extend(names)
        found.featured.extend(names)
    elif credit.group("prod"):
        found.producers.extend(names)
    else:
        found.featured.extend(names)
    return True


def _take_from_work(inner: str, found: _Found) -> bool:
    """'From "Midnight Sun" OST, Pt. 1': the work (and part) the song was released for."""
    from_match = _FROM_RE.match(inner)
    if not from_match or not (from_match.group("q") or _OST_RE.search(inner)):
        return False
    work = from_match.group("q") or from_match.group("plain")
    album = parse_album(inner[len("from") :].strip())
    found.from_work = (from_match.group("q") or album.drama or work or "").strip() or None
    part_match = _PART_RE.search(inner)
    found.part = int(part_match.group("n") or part_match.group("n2")) if part_match else None
    rest_tags = tags_in(from_match.group("rest") or "")
    if rest_tags:
        found.tags.update(rest_tags)
        found.versions.append(from_match.group("rest").strip())
    return True


def _take_ost(inner: str, found: _Found) -> bool:
    if not _OST_RE.search(inner) or tags_in(inner):
        return False
    album = parse_album(inner)
    found.from_work, found.part = album.drama, album.part
    return True


def _take_version(inner: str, found: _Found) -> bool:
    tags = tags_in(inner)
    if not tags and not _VER_ALONE.match(inner):
        return False
    found.tags.update(tags)
    if tags:
        found.versions.append(inner)
    return True


def _take_decoration(inner: str, found: _Found) -> bool:
    """Consume a bracketed group or a " - " suffix; True if it carried no title text."""
    inner = inner.strip()
    return not inner or any(
        take(inner, found) for take in (_take_credit, _take_from_work, _take_ost, _take_version)
    )


def _pull_groups(text: str, found: _Found) -> tuple[str, list[str]]:
    """Take bracketed groups out, left to right; title text in brackets is kept as a
    placeholder "\x00<n>\x00" pointing into the returned list."""
    kept: list[str] = []
    rest = text
    while match := _GROUP_RE.search(rest):
        inner = match.group(1)[1:-1]
        before, after = rest[: match.start()], rest[match.end() :]
        if _take_decoration(inner, found):
            rest = (before + " " + after).strip()
        elif before.strip() and script_of(inner) not in ("none", script_of(before)):
            # An alternative title in another script: "Forever (약속)".
            found.alt_titles.append(inner.strip())
            rest = (before + " " + after).strip()
        else:
            kept.append(inner.strip())
            rest = before + " \x00" + str(len(kept) - 1) + "\x00 " + after
    return rest, kept


def _pull_suffixes(rest: str, found: _Found) -> str:
    """Take " - Suffix" parts off the end, but only versions and credits."""
    pieces = _DASH_SPLIT_RE.split(rest)
    in_brackets = len(found.versions)
    while len(pieces) > 1 and _take_decoration(pieces[-1], found):
        pieces.pop()
    # Suffixes were read right to left; keep the versions in reading order.
    found.versions[in_brackets:] = reversed(found.versions[in_brackets:])
    return " - ".join(pieces)


def _pull_inline_feat(rest: str, found: _Found) -> str:
    inline = _INLINE_FEAT_RE.search(rest)
    if not inline:
        return rest
    found.featured.extend(_credited_names(inline.group("names")))
    return rest[: inline.start()]


def parse_title(title: str) -> ParsedTitle:
    """Split a track title into base title, version tags, credits and hints."""
    text = clean_text(title)
    found = _Found()
    rest, kept = _pull_groups(text, found)
    rest = _pull_inline_feat(_pull_suffixes(rest, found), found)
    core = re.sub(r"\x00\d+\x00", " ", rest)
    base = re.sub(r"\x00(\d+)\x00", lambda m: "(" + kept[int(m.group(1))] + ")", rest)
    base = " ".join(base.split()).strip(" -")
    core = " ".join(core.split()).strip(" -")
    if not base:  # a title that is only a bracketed word, e.g. "(Inst.)" — keep something
        base = core = text
    return ParsedTitle(
        raw=title,
        base=base,
        core=core or base,
        tags=frozenset(found.tags),
        featured=tuple(dict.fromkeys(found.featured)),
        producers=tuple(dict.fromkeys(found.producers)),
        alt_titles=tuple(found.alt_titles),
        from_work=found.from_work,
        part=found.part,
        version=", ".join(found.versions) or None,
    )


def parse_version(version: str | None) -> frozenset[str]:
    """Tags of a catalog ``version`` field such as "Inst." or "Acoustic Ver."."""
    if not version or not version.strip():
        return frozenset()
    found = tags_in(version)
    if found:
        return found
    word = clean_text(version).casefold().strip(" .()[]")
    return frozenset({_VER_WORDS.get(word, _LANG.get(word, f"ver:{word}"))})


def is_instrumental(title: str, version: str | None = None) -> bool:
    """Whether a title or its version field says instrumental: "(Inst.)", "- MR", "(伴奏)", ...

    The same ``inst`` tag the matcher uses, so a playlist's ``instrumentals`` setting and the
    matcher never disagree about what an instrumental is.
    """
    return "inst" in parse_version(version) or "inst" in parse_title(title).tags


# Words that describe an OST, not name its drama: "(Original ...)", "(Korean Drama OST)".
_GENERIC_RE = re.compile(
    r"^(the\s+)?(original\b|(korean |k-?)?(tv |web )?(drama|series|television)$)", re.IGNORECASE
)


def parse_album(name: str) -> AlbumInfo:
    """Recognise OST album names and pull out the drama name and part number."""
    text = clean_text(name)
    is_ost = bool(_OST_RE.search(text))
    part_match = _PART_RE.search(text)
    part = int(part_match.group("n") or part_match.group("n2")) if part_match else None
    special = bool(_SPECIAL_RE.search(text)) and is_ost
    drama: str | None = None
    if is_ost:
        # "Midnight (Do You Like Brahms? OST Special Track)" -> the drama is in the brackets.
        inner = _PAREN_DRAMA_RE.search(text)
        head = ""
        for mark in _OST_MARK_RE.finditer(text):
            head = text[: mark.start()].strip(" -,:([")
            if head:
                break
        if inner and head and not _OST_RE.search(head) and inner.start() > 0:
            candidate = inner.group("d").strip(" \"'")
            if not _GENERIC_RE.match(candidate):
                head = candidate
        # "Goblin (Korean Drama OST)": an open bracket of generic words before the OST mark.
        open_group = re.search(r"\s*[(\[]([^()\[\]]*)$", head)
        if open_group and _GENERIC_RE.match(open_group.group(1).strip()):
            head = head[: open_group.start()]
        quoted = re.search(r"\"([^\"]+)\"", text)
        if quoted and re.search(r"from\s+\"", text, re.I):
            head = quoted.group(1)
        head = _DRAMA_PREFIX_RE.sub("", head).strip(" \"'-,:")
        head = re.sub(r"\s*(?:part|pt|vol)\s*\.?\s*\d+\s*$", "", head, flags=re.I).strip(" -,:")
        drama = head or None
    # Tags come from the decorations (brackets, " - " suffixes), not from words of the name
    # ("Mr. Sunshine", "Live On"), plus a few words that only ever describe a version album.
    body_tags = set(parse_title(text).tags) | set(tags_in(" ".join(_ALBUM_WORD_RE.findall(text))))
    # For an OST, only the name in front of "OST" says compilation ("Best of Korean Drama OST");
    # the decoration after it does not ("Goblin (Korean Drama OST)").
    compilation = bool(_COMPILATION_RE.search(drama if is_ost and drama else text))
    if is_ost and compilation and re.search(r"\bspecial\b", text, re.I) and "piano" not in text:
        compilation = False
    return AlbumInfo(
        raw=name,
        drama=drama,
        part=part,
        is_ost=is_ost,
        special=special,
        compilation=compilation,
        tags=frozenset(body_tags - {"remix"} if is_ost else body_tags),
    )


def ost_part(title: str, album: str | None) -> int | None:
    """A track's OST part: an OST album's part ("... OST Part.1"), else a "(From ... Pt. 2)" in
    its title. A compilation's part numbers its volumes, not the drama's parts."""
    if album:
        info = parse_album(album)
        if info.is_ost and not info.compilation and info.part is not None:
            return info.part
    return parse_title(title).part
