"""Classes of entry the matcher must hold on, each as a family of forms, end to end over the
sandbox: the Spotify side is written here as data, the catalog as the fan typed it, and
``match_tracks`` runs with the real client and store.

Each case: ``corpus`` rows (label, track name, artists, album name, extra fields), the catalog
``entries`` (label -> Track) and what must happen to each entry: ``ok:<label>`` accepted as that
Spotify track, ``review`` sent to a person, ``absent`` not accepted (review or not_found).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from conftest import MakeSandbox
from ostkit.matching.scoring import Aliases, artist_score
from ostkit.models import Candidate, Credit, Drama, SpotifyAlbum, SpotifyArtist, Status, Track
from ostkit.services.matching import MatchOptions, MatchReport, match_tracks
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.store.catalog import CatalogStore
from ostkit.text.titles import parse_title

Row = tuple[str, str, Sequence[str], str, dict[str, Any]]


@dataclass
class Case:
    corpus: list[Row]
    entries: dict[str, Track]
    expect: dict[str, str]
    dramas: list[Drama] = field(default_factory=list)


def T(drama: str, title: str, artist: str | None, **kw: Any) -> Track:
    credits = (Credit(artist),) if artist else ()
    return Track(drama=drama, title=title, credits=credits, **kw)


def R(label: str, name: str, artists: Sequence[str], album: str, **kw: Any) -> Row:
    return (label, name, artists, album, kw)


@dataclass
class Outcome:
    got: dict[str, str]  # entry label -> "ok:<label>" / "review" / "not_found"
    report: MatchReport
    store: CatalogStore
    requests: int


def run_case(make_sandbox: MakeSandbox, case: Case, jobs: int = 1) -> Outcome:
    sb = make_sandbox(load_default_corpus=False)
    label_of: dict[str, str] = {}
    for label, name, artists, album, kw in case.corpus:
        album_data: dict[str, Any] = {"name": album, "album_type": kw.pop("album_type", "single")}
        album_data["release_date"] = kw.pop("release_date", "2022-01-01")
        if "album_names" in kw:
            album_data["names"] = kw.pop("album_names")
        tid = sb.add_track(name, list(artists), album_data, **kw)
        label_of["spotify:track:" + tid] = label
    store = CatalogStore.open(":memory:")
    ids: dict[str, int] = {}
    with store.transaction():
        for drama in case.dramas:
            store.save_drama(drama)
        for label, track in case.entries.items():
            ids[label] = store.save_track(track)[0]
    client = SpotifyClient(
        api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
    )
    report = match_tracks(store, client, MatchOptions(jobs=jobs))
    got: dict[str, str] = {}
    for label, tid in ids.items():
        t = store.get_track(tid)
        if t.status is Status.MATCHED:
            got[label] = "ok:" + label_of.get(t.spotify_uri or "", "?")
        else:
            got[label] = t.status.value
    return Outcome(got, report, store, sb.count("GET"))


def check(outcome: Outcome, expect: dict[str, str]) -> None:
    want = {}
    for label, e in expect.items():
        g = outcome.got[label]
        want[label] = g if e == "absent" and not g.startswith("ok:") else e
    assert outcome.got == want


def run(make_sandbox: MakeSandbox, case: Case) -> Outcome:
    out = run_case(make_sandbox, case)
    check(out, case.expect)
    return out


# --- 1. version tags are whole words or known phrases ---------------------------------------

D1 = "Hidden Days"
OST1 = f"{D1} OST Part.1"
VERSION_WORDS = {
    "english title in brackets": Case(
        [
            R("v", "끝 (Game Over)", ["LUCY"], OST1),
            R("i", "끝 (Game Over) (Inst.)", ["LUCY"], OST1),
        ],
        {"e": T(D1, "끝 (Game Over)", "LUCY")},
        {"e": "ok:v"},
    ),
    "fan typed the english part only": Case(
        [
            R("v", "끝 (Game Over)", ["LUCY"], OST1),
            R("i", "끝 (Game Over) - Inst.", ["LUCY"], OST1),
        ],
        {"e": T(D1, "Game Over", "LUCY")},
        {"e": "ok:v"},
    ),
    "lover in brackets": Case(
        [
            R("v", "My Dear (Lover)", ["Sondia"], OST1),
            R("i", "My Dear (Lover) (Inst.)", ["Sondia"], OST1),
        ],
        {"e": T(D1, "My Dear (Lover)", "Sondia")},
        {"e": "ok:v"},
    ),
    "over and over": Case(
        [R("v", "Again (Over and Over)", ["Sondia"], OST1)],
        {"e": T(D1, "Again (Over and Over)", "Sondia")},
        {"e": "ok:v"},
    ),
    "forever after a dash": Case(
        [R("v", "Promise - Forever", ["Sondia"], OST1)],
        {"e": T(D1, "Promise - Forever", "Sondia")},
        {"e": "ok:v"},
    ),
}


@pytest.mark.parametrize("title", ["끝 (Game Over)", "Love (Forever)", "Me (Lover)", "A - Clover"])
def test_words_ending_in_ver_are_no_version_tag(title: str) -> None:
    assert parse_title(title).tags == frozenset()


@pytest.mark.parametrize(
    ("title", "tag"),
    [
        ("Run (KR Ver.)", "lang:ko"),
        ("Run (Inst.Ver)", "inst"),
        ("Run (Piano-Version)", "piano"),
        ("Run (피아노 버전)", "piano"),
        ("Run - Duet Ver.", "ver:duet"),
        ("Run (Live)", "live"),
        ("Run - Live at Seoul", "live"),
        ("Run (Cover)", "cover"),
    ],
)
def test_version_phrases_still_read(title: str, tag: str) -> None:
    assert tag in parse_title(title).tags


@pytest.mark.parametrize("title", ["Hero (Live Your Life)", "Run (Cover Me)"])
def test_title_words_in_brackets_are_title(title: str) -> None:
    assert parse_title(title).tags == frozenset() and parse_title(title).base == title


@pytest.mark.parametrize("name", list(VERSION_WORDS))
def test_version_words(make_sandbox: MakeSandbox, name: str) -> None:
    run(make_sandbox, VERSION_WORDS[name])


# --- 2. name word order and romanisation variants -------------------------------------------


def _cand(artist: str) -> Candidate:
    a = SpotifyArtist("a1", artist)
    return Candidate("t1", "spotify:track:t1", "X", (a,), SpotifyAlbum("b1", "X"))


@pytest.mark.parametrize(
    ("fan", "spotify"),
    [
        ("Boram Park", "Park Bo-ram"),
        ("Suhyun Lee", "Lee Su-hyun"),
        ("Seunghwan Jung", "Jung Seung-hwan"),
        ("Hyunwoo Ha", "Ha Hyun-woo"),
        ("Jeong Seung-hwan", "Jung Seunghwan"),
        ("Yi Su-hyeon", "Lee Suhyun"),
        ("PARK BO RAM", "Boram Park"),
        ("Choe Yu-ri", "Yuri Choi"),
    ],
)
def test_name_order_and_romanisation(fan: str, spotify: str) -> None:
    track = T("D", "X", fan)
    value, _ = artist_score(track, _cand(spotify), _ctx())
    assert value >= 0.9


@pytest.mark.parametrize(
    ("fan", "spotify"),
    [("Kim Jong-kook", "Kim Jong-wan"), ("Park Boram", "Park Bom"), ("Lee Hi", "Lee Hae")],
)
def test_other_people_stay_other(fan: str, spotify: str) -> None:
    value, _ = artist_score(T("D", "X", fan), _cand(spotify), _ctx())
    assert value < 0.9


def _ctx() -> Any:
    from ostkit.matching.scoring import Context

    return Context(aliases=Aliases())


D2 = "Spring Letters"
OST2 = f"{D2} (Original Television Soundtrack), Pt. 2"
NAMES = {
    "family name last": Case(
        [R("v", "Letter", ["Park Boram"], OST2), R("i", "Letter (Inst.)", ["Park Boram"], OST2)],
        {"e": T(D2, "Letter", "Boram Park")},
        {"e": "ok:v"},
    ),
    "family name last, spotify hyphenated": Case(
        [R("v", "Dawn", ["Lee Su Hyun"], OST2)],
        {"e": T(D2, "Dawn", "Suhyun Lee")},
        {"e": "ok:v"},
    ),
    "variant romanisation": Case(
        [R("v", "Snow", ["Jung Seung Hwan"], OST2)],
        {"e": T(D2, "Snow", "Seunghwan Jeong")},
        {"e": "ok:v"},
    ),
    "another person, same title": Case(
        [R("x", "Snow", ["Jung Seung Hwan"], "Winter Songs")],
        {"e": T(D2, "Snow", "Seunghwan Jeon")},
        {"e": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(NAMES))
def test_names(make_sandbox: MakeSandbox, name: str) -> None:
    run(make_sandbox, NAMES[name])
