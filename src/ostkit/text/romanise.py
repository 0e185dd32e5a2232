"""Romanisation: Hangul, kana and han to a Latin key, for matching names across scripts. Pure.

Used only for comparing (the matcher's cross-script similarity); nothing romanised is stored.
"""

from __future__ import annotations

import re
from functools import lru_cache

import koroman
from anyascii import anyascii

from ostkit.text.keys import clean_text, fuzzy_key

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
    return fuzzy_key(anyascii(text))


_PHONETIC = (
    ("eo", "u"),
    ("oo", "u"),
    ("ou", "u"),  # "Young" / 영 "yeong"
    ("wu", "u"),  # "Woo" / 우 "u"
    ("ee", "i"),
    ("ae", "e"),
    ("wo", "o"),
    ("eu", "u"),
    ("sh", "s"),
    ("ch", "j"),
    ("ck", "k"),  # "Juck" / 적 "jeok"
    ("f", "p"),  # "Feel" / 필 "pil": Korean has no f
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


# Family names romanised several ways that ``phonetic`` alone does not fold together
# (이 Lee / Yi / Rhee, 박 Park / Pak, 최 Choi / Choe, 임 Lim / Im, 노 Noh / Roh, 백 Baek / Paik).
_SURNAME_FOLD = {"li": "i", "palk": "pak", "joe": "joi", "lim": "im", "lo": "no", "paik": "pek"}


def _name_words(name: str) -> list[str]:
    text = clean_text(name)
    if any(_is_syllable(c) for c in text):
        text = romanise_hangul(text, surname=True)
    # "Bo-ram" is one given name: syllables joined by a hyphen are one word.
    text = re.sub(r"(?<=\w)-(?=\w)", "", anyascii(text))
    return [fuzzy_key(w) for w in text.split() if fuzzy_key(w)]


@lru_cache(maxsize=65536)
def name_keys(name: str) -> frozenset[tuple[str, str]]:
    """(family name, given name) readings of a person's name, word order and romanisation
    variants folded: "Park Bo-ram", "Boram Park", "PARK BO RAM", "Pak Bo-ram" and 박보람 share
    one. A name of one word has none (it carries no family name to reorder)."""
    words = _name_words(name)
    if len(words) < 2:
        return frozenset()
    readings = set()
    for family, given in ((words[0], words[1:]), (words[-1], words[:-1])):
        folded = phonetic(family)
        readings.add((_SURNAME_FOLD.get(folded, folded), phonetic("".join(given))))
    return frozenset(readings)


def same_person_name(a: str, b: str) -> bool:
    """Whether two spellings of a person's name read the same once word order and
    romanisation variants are set aside ("Suhyun Lee" = "Lee Su-hyun" = "Yi Su-hyeon")."""
    return bool(name_keys(a) & name_keys(b))


def other_person(a: str, b: str) -> bool:
    """Two names with the same family name and another given name: "Kim Na-young" and
    "Kim Na-eun" are two singers, however alike the letters."""
    ka, kb = name_keys(a), name_keys(b)
    if ka & kb:
        return False
    return any(fa == fb and ga != gb for fa, ga in ka for fb, gb in kb)
