"""Real-world OST entries as fans write them against the shapes Spotify returns for them.

A held-out style check of the matcher's generality (not tuned to the benchmark corpus): English
titles with bilingual Spotify titles ("어른 Grown Ups"), Hangul-only titles and artists,
romanisation variants ("Baek Ye-rin" / "Yerin Baek"), group decorations ("DOYOUNG of NCT",
"NCT DOYOUNG", "Taeil (NCT)"), the drama's OST under another English name ("Guardian"), Inst.
twins ("- Inst.", "(Instrumental)", "(伴奏)"), sped-up / karaoke / piano decoys, remasters and
deluxe duplicates, Japanese and Chinese titles; and absent songs that must never be accepted.
Each case: the right candidate (tag ``ok``/``ok2``) is auto-accepted, or for ``absent`` nothing
is; ``review`` cases must go to a person (the matcher cannot be sure, and must not drop them).

The cases are data: ``tests/fixtures/realworld_cases.toml`` (its header explains the fields).
"""

from __future__ import annotations

import itertools
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ostkit.matching.decide import best_match
from ostkit.matching.scoring import Aliases, Context
from ostkit.models import Candidate, Credit, SpotifyAlbum, SpotifyArtist, Status, Track
from ostkit.text.credits import parse_credits

CASES_FILE = Path(__file__).parent / "fixtures" / "realworld_cases.toml"
EXPECTS = ("ok", "review", "absent")
ENTRY_KEYS = {
    "drama",
    "drama_native",
    "drama_aliases",
    "title",
    "native_title",
    "artist",
    "native_artist",
}
ENTRY_KEYS |= {"part", "version", "duration_ms", "isrc", "expect", "spotify"}
RESULT_KEYS = {"name", "artists", "album", "album_type", "duration_ms", "isrc", "tag"}
ACCEPTED_TAGS = ("ok", "ok2")


@dataclass(frozen=True)
class Case:
    track: Track
    candidates: tuple[Candidate, ...]
    expect: str
    drama_native: str | None
    drama_aliases: tuple[str, ...] = ()


def artist(name: str) -> SpotifyArtist:
    return SpotifyArtist("art_" + name.replace(" ", "_"), name)


def candidate(result: dict[str, Any], number: int) -> Candidate:
    """A search result as ``SpotifyClient`` returns it; ``number`` makes its ids unique."""
    artists = tuple(artist(a) for a in result["artists"])
    album = SpotifyAlbum(
        f"alb{number}", result["album"], result.get("album_type", "single"), artists=artists
    )
    return Candidate(
        id=f"t{number}",
        uri=f"spotify:track:{result.get('tag') or f'x{number}'}",
        name=result["name"],
        artists=artists,
        album=album,
        duration_ms=result.get("duration_ms"),
        isrc=result.get("isrc"),
    )


def entry(raw: dict[str, Any]) -> Track:
    """The catalog entry: the artist string is split into credits as an import does."""
    credits = parse_credits(raw["artist"])
    if raw.get("native_artist"):
        first = credits[0]
        credits = (Credit(first.name, first.role, raw["native_artist"]), *credits[1:])
    return Track(
        drama=raw["drama"],
        title=raw["title"],
        credits=credits,
        native_title=raw.get("native_title"),
        part=raw.get("part"),
        version=raw.get("version"),
        duration_ms=raw.get("duration_ms"),
        isrc=raw.get("isrc"),
    )


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    """Every case of the file, checked for unknown keys and a consistent expectation."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"case"}, f"{path.name}: only [[case]] tables, found {sorted(data)}"
    numbers = itertools.count()  # result ids stay unique across the whole file
    cases = []
    for n, raw in enumerate(data["case"], 1):
        where = f"{path.name} case {n} ({raw.get('drama')!r}, {raw.get('title')!r})"
        assert set(raw) <= ENTRY_KEYS, f"{where}: unknown keys {sorted(set(raw) - ENTRY_KEYS)}"
        assert raw.get("expect") in EXPECTS, f"{where}: expect must be one of {EXPECTS}"
        results = raw.get("spotify", [])
        assert results, f"{where}: no [[case.spotify]] results"
        for result in results:
            unknown = set(result) - RESULT_KEYS
            assert not unknown, f"{where}: unknown result keys {sorted(unknown)}"
        tags = [r["tag"] for r in results if "tag" in r]
        assert len(tags) == len(set(tags)), f"{where}: a tag is repeated"
        if raw["expect"] != "absent":
            assert "ok" in tags, f"{where}: expect = {raw['expect']!r} needs a result tagged ok"
        cases.append(
            Case(
                entry(raw),
                tuple(candidate(r, next(numbers)) for r in results),
                raw["expect"],
                raw.get("drama_native"),
                tuple(raw.get("drama_aliases", ())),
            )
        )
    return cases


def case_ids(cases: list[Case]) -> list[str]:
    """``ok: Goblin - Stay With Me - Chanyeol & Punch``, numbered when the same entry recurs."""
    names = [
        f"{c.expect}: {c.track.drama} - {c.track.title} - "
        + " & ".join(credit.name for credit in c.track.credits)
        for c in cases
    ]
    total = Counter(names)
    seen: Counter[str] = Counter()
    ids = []
    for name in names:
        seen[name] += 1
        ids.append(f"{name} ({seen[name]})" if total[name] > 1 else name)
    return ids


CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_real_world_entry(case: Case) -> None:
    t = case.track
    book = Aliases()
    for c in t.credits:
        book.add([c.name, *([c.native_name] if c.native_name else [])])
    names = (*([case.drama_native] if case.drama_native else []), *case.drama_aliases)
    ctx = Context(aliases=book, drama_names=names)
    r = best_match(t, list(case.candidates), book, context=ctx)
    why = "\n".join(
        f"{x.candidate.name} [{x.candidate.album.name if x.candidate.album else '-'}]"
        f" {x.score.explain()}"
        for x in r.ranked[:3]
    )
    if case.expect == "absent":
        assert r.status is not Status.MATCHED, why
    elif case.expect == "review":
        assert r.status is Status.REVIEW, why
        assert r.best is not None and r.best.candidate.uri.endswith(":ok"), why
    else:
        assert r.status is Status.MATCHED, why
        assert r.chosen is not None
        assert r.chosen.candidate.uri.rsplit(":", 1)[-1] in ACCEPTED_TAGS, why


def test_corpus_is_big_and_varied() -> None:
    assert len(CASES) >= 92
    assert sum(1 for c in CASES if c.expect == "absent") >= 10
    assert sum(1 for c in CASES if c.expect == "review") >= 3
    assert len({c.track.drama for c in CASES}) >= 30


def test_the_case_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "cases.toml"
    path.write_text(
        '[[case]]\ndrama = "D"\ntitle = "T"\nartist = "A"\nexpect = "ok"\nalbum = "x"\n'
        '[[case.spotify]]\nname = "T"\nartists = ["A"]\nalbum = "D OST"\ntag = "ok"\n',
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match=r"case 1 \('D', 'T'\): unknown keys \['album'\]"):
        load_cases(path)
    path.write_text(
        '[[case]]\ndrama = "D"\ntitle = "T"\nartist = "A"\nexpect = "ok"\n'
        '[[case.spotify]]\nname = "T"\nartists = ["A"]\nalbum = "D OST"\n',
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match="needs a result tagged ok"):
        load_cases(path)
