"""Classes of entry the matcher must hold on, each as a family of forms, end to end over the
sandbox: the Spotify side is written here as data, the catalog as the fan typed it, and
``match_tracks`` runs with the real client and store.

Each case: ``corpus`` rows (label, track name, artists, album name, extra fields), the catalog
``entries`` (label -> Track) and what must happen to each entry: ``ok:<label>`` accepted as that
Spotify track, ``review`` sent to a person, ``absent`` not accepted (review or not_found).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from conftest import MakeSandbox
from ostkit.matching.scoring import Aliases, artist_score
from ostkit.models import Candidate, Credit, Drama, SpotifyAlbum, SpotifyArtist, Status, Track
from ostkit.sandbox import Fault, Sandbox
from ostkit.services.match_plan import MatchOptions
from ostkit.services.matching import MatchReport, match_tracks
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
    client: SpotifyClient
    sandbox: Sandbox


def run_case(
    make_sandbox: MakeSandbox,
    case: Case,
    jobs: int = 1,
    faults: Sequence[Fault] = (),
    wrap: Callable[[SpotifyClient], Any] | None = None,
) -> Outcome:
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
    for fault in faults:
        sb.inject(fault)
    report = match_tracks(store, wrap(client) if wrap else client, MatchOptions(jobs=jobs))
    got: dict[str, str] = {}
    for label, tid in ids.items():
        t = store.get_track(tid)
        if t.status is Status.MATCHED:
            got[label] = "ok:" + label_of.get(t.spotify_uri or "", "?")
        else:
            got[label] = t.status.value
    return Outcome(got, report, store, sb.count("GET"), client, sb)


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
        ("Ha Hyun-woo", "하현우"),
        ("Kim Na-young", "김나영"),
        ("Kim Feel", "김필"),  # Korean has no f: "Feel" is 필
        ("Lee Juck", "이적"),  # "ck" for ㄱ
    ],
)
def test_name_order_and_romanisation(fan: str, spotify: str) -> None:
    track = T("D", "X", fan)
    value, _ = artist_score(track, _cand(spotify), _ctx())
    assert value >= 0.9


@pytest.mark.parametrize(
    ("fan", "spotify"),
    [
        ("Kim Jong-kook", "Kim Jong-wan"),
        ("Park Boram", "Park Bom"),
        ("Lee Hi", "Lee Hae"),
        ("Kim Na-young", "Kim Na Eun"),
        ("Kim Feel", "김필립"),
    ],
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


# --- 5. Hangul-only artist; 6. exact title on the drama's OST, artist wrong or missing -----

D5 = "Moon Garden"
OST5 = f"{D5} OST Part.3"
OST5B = f"{D5} OST Part.4"
ARTIST_UNKNOWN = {
    "hangul-only artist, fan's spelling": Case(
        [
            R("v", "You Are My Everything", ["거미"], OST5),
            R("i", "You Are My Everything (Inst.)", ["거미"], OST5),
        ],
        {"e": T(D5, "You Are My Everything", "Gummy")},
        {"e": "ok:v"},
    ),
    "hangul-only artist, english name": Case(
        [R("v", "Shower", ["에일리"], OST5)],
        {"e": T(D5, "Shower", "Ailee")},
        {"e": "ok:v"},
    ),
    "artist unknown": Case(
        [R("v", "Lantern", ["Kim Na Young"], OST5)],
        {"e": T(D5, "Lantern", "Unknown")},
        {"e": "ok:v"},
    ),
    "artist a question mark": Case(
        [R("v", "Lantern", ["Kim Na Young"], OST5)],
        {"e": T(D5, "Lantern", "?")},
        {"e": "ok:v"},
    ),
    "artist typo": Case(
        [R("v", "Lantern", ["Kim Na Young"], OST5)],
        {"e": T(D5, "Lantern", "Kin Na-young")},
        {"e": "ok:v"},
    ),
    "artist badly misspelled": Case(
        [R("v", "Lantern", ["Gummy"], OST5)],
        {"e": T(D5, "Lantern", "Gumi")},
        {"e": "ok:v"},
    ),
    "featured singer typed": Case(
        [R("v", "Lantern", ["Kim Na Young", "Jay Park"], OST5)],
        {"e": T(D5, "Lantern", "Jay Park")},
        {"e": "ok:v"},
    ),
    "two songs of that title on the OST": Case(
        [R("a", "Lantern", ["Kim Na Young"], OST5), R("b", "Lantern", ["Sunwoo"], OST5B)],
        {"e": T(D5, "Lantern", "?")},
        {"e": "review"},
    ),
}


@pytest.mark.parametrize("name", list(ARTIST_UNKNOWN))
def test_artist_unknown_on_the_dramas_ost(make_sandbox: MakeSandbox, name: str) -> None:
    run(make_sandbox, ARTIST_UNKNOWN[name])


def test_hangul_only_artist_is_learned(make_sandbox: MakeSandbox) -> None:
    out = run(make_sandbox, ARTIST_UNKNOWN["hangul-only artist, fan's spelling"])
    gummy = out.store.find_artist("Gummy")
    assert gummy is not None and "거미" in gummy.aliases


def test_a_misspelled_artist_is_not_learned_from_a_title_match(make_sandbox: MakeSandbox) -> None:
    out = run(make_sandbox, ARTIST_UNKNOWN["artist badly misspelled"])
    typed = out.store.find_artist("Gumi")
    assert typed is not None and typed.spotify_id is None and not typed.aliases
    (outcome,) = out.report.decided()
    assert outcome.result is not None and "the only song titled" in outcome.result.note


# --- 7. ties between equally right answers ---------------------------------------------------

D7 = "River Town"
TIES = {
    "single and full OST album": Case(
        [
            R(
                "full",
                "Tide",
                ["Sondia"],
                f"{D7} OST",
                album_type="album",
                release_date="2022-06-01",
            ),
            R("single", "Tide", ["Sondia"], f"{D7} OST Part.1", release_date="2022-03-01"),
        ],
        {"e": T(D7, "Tide", "Sondia")},
        {"e": "ok:single"},
    ),
    "single and remaster": Case(
        [
            R("single", "Tide", ["Sondia"], f"{D7} OST Part.1", release_date="2022-03-01"),
            R(
                "rm",
                "Tide (Remastered 2024)",
                ["Sondia"],
                f"{D7} OST Part.1 (Remastered)",
                release_date="2024-03-01",
            ),
        ],
        {"e": T(D7, "Tide", "Sondia")},
        {"e": "ok:single"},
    ),
    "two copies on the OST, earliest wins": Case(
        [
            R(
                "late",
                "Tide",
                ["Sondia"],
                f"{D7} OST Pt. 1",
                release_date="2023-01-01",
                album_type="album",
            ),
            R("early", "Tide", ["Sondia"], f"{D7} OST Part.1", release_date="2022-01-01"),
        ],
        {"e": T(D7, "Tide", "Sondia")},
        {"e": "ok:early"},
    ),
}


@pytest.mark.parametrize("name", list(TIES))
def test_ties_between_right_answers(make_sandbox: MakeSandbox, name: str) -> None:
    run(make_sandbox, TIES[name])


# --- 9. traps stay traps ---------------------------------------------------------------------

D9 = "Blue Harbor"
OST9 = f"{D9} OST Part.2"
TRAPS = {
    "artist's other song on the same OST": Case(
        [R("o", "Other Song", ["Sondia"], OST9), R("oi", "Other Song (Inst.)", ["Sondia"], OST9)],
        {"e": T(D9, "Absent Song", "Sondia")},
        {"e": "absent"},
    ),
    "same title by another artist": Case(
        [R("x", "Absent Song", ["Another Singer"], "Another Album")],
        {"e": T(D9, "Absent Song", "Sondia")},
        {"e": "absent"},
    ),
    "same title, same artist, another drama": Case(
        [R("x", "Absent Song", ["Sondia"], "Other Drama OST Part.1")],
        {"e": T(D9, "Absent Song", "Sondia")},
        {"e": "absent"},
    ),
    "karaoke copy": Case(
        [
            R(
                "k",
                "Absent Song (Originally Performed by Sondia) [Karaoke Version]",
                ["Karaoke Kings"],
                "K-Drama Karaoke Hits",
                album_type="compilation",
            )
        ],
        {"e": T(D9, "Absent Song", "Sondia")},
        {"e": "absent"},
    ),
    "piano copy": Case(
        [R("p", "Absent Song (Piano Ver.)", ["Piano Dreams"], f"{D9} Piano Collection")],
        {"e": T(D9, "Absent Song", "Sondia")},
        {"e": "absent"},
    ),
    "sped-up copy": Case(
        [R("s", "Absent Song (Sped Up)", ["Sondia"], "Absent Song (Sped Up)")],
        {"e": T(D9, "Absent Song", "Sondia")},
        {"e": "absent"},
    ),
    "exact title on the OST by a singer of the same family name": Case(
        [R("x", "Absent Song", ["Kim Na Eun"], OST9)],
        {"e": T(D9, "Absent Song", "Kim Na-young")},
        {"e": "absent"},
    ),
    "exact title on the OST by another known artist": Case(
        [R("x", "Absent Song", ["Another Singer"], OST9)],
        {"e": T(D9, "Absent Song", "Sondia")},
        {"e": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(TRAPS))
def test_traps_stay_traps(make_sandbox: MakeSandbox, name: str) -> None:
    run(make_sandbox, TRAPS[name])


# --- 4. English title, Spotify shows only the original script -------------------------------

D4 = "Stone Village"
OST4 = f"{D4} OST Part.2"
D4J = "Wind Road"
OST4J = f"{D4J} Original Soundtrack"
NATIVE_ONLY = {
    "hangul title, one song, one entry": Case(
        [R("v", "돌덩이", ["Ha Hyun Woo"], OST4), R("i", "돌덩이 (Inst.)", ["Ha Hyun Woo"], OST4)],
        {"e": T(D4, "Stone Block", "Ha Hyun-woo", part=2)},
        {"e": "ok:v"},
    ),
    "kana title, one song, one entry": Case(
        [R("v", "風になる", ["Tsuji Ayano"], OST4J, album_type="album")],
        {"e": T(D4J, "Becoming the Wind", "Tsuji Ayano")},
        {"e": "ok:v"},
    ),
    "hangul title and hangul artist": Case(
        [R("v", "돌덩이", ["하현우"], OST4), R("i", "돌덩이 (Inst.)", ["하현우"], OST4)],
        {"e": T(D4, "Stone Block", "Ha Hyun-woo", part=2)},
        {"e": "ok:v"},
    ),
    "hangul title, duration known and right": Case(
        [R("v", "돌덩이", ["Ha Hyun Woo"], OST4, duration_ms=201_000)],
        {"e": T(D4, "Stone Block", "Ha Hyun-woo", duration_ms=200_000)},
        {"e": "ok:v"},
    ),
    "two entries by the artist": Case(
        [R("v", "돌덩이", ["Ha Hyun Woo"], OST4)],
        {
            "e": T(D4, "Stone Block", "Ha Hyun-woo"),
            "f": T(D4, "Another Road", "Ha Hyun-woo"),
        },
        {"e": "review", "f": "review"},
    ),
    "two songs by the artist on the OST": Case(
        [R("v", "돌덩이", ["Ha Hyun Woo"], OST4), R("w", "바람", ["Ha Hyun Woo"], OST4)],
        {"e": T(D4, "Stone Block", "Ha Hyun-woo")},
        {"e": "review"},
    ),
    "another part than the catalog's": Case(
        [R("v", "돌덩이", ["Ha Hyun Woo"], OST4)],
        {"e": T(D4, "Stone Block", "Ha Hyun-woo", part=5)},
        {"e": "absent"},
    ),
    "duration far off": Case(
        [R("v", "돌덩이", ["Ha Hyun Woo"], OST4, duration_ms=260_000)],
        {"e": T(D4, "Stone Block", "Ha Hyun-woo", duration_ms=200_000)},
        {"e": "absent"},
    ),
    "artist's only song is on another drama": Case(
        [R("v", "돌덩이", ["Ha Hyun Woo"], "Other Drama OST Part.2")],
        {"e": T(D4, "Stone Block", "Ha Hyun-woo")},
        {"e": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(NATIVE_ONLY))
def test_english_title_native_only_on_spotify(make_sandbox: MakeSandbox, name: str) -> None:
    run(make_sandbox, NATIVE_ONLY[name])


def test_the_uniqueness_rule_is_explained(make_sandbox: MakeSandbox) -> None:
    out = run(make_sandbox, NATIVE_ONLY["hangul title, one song, one entry"])
    (outcome,) = out.report.decided()
    assert outcome.result is not None
    assert "one catalog entry by this artist and one vocal song" in outcome.result.note
    assert "Inst. twin" in outcome.result.note and "part 2" in outcome.result.note


# --- 3. drama aliases, native titles learned from matches, OST words ---------------------------

D3 = "Tale of the Nine Tailed"
D3K = "구미호뎐"


def _k(part: int) -> dict[str, Any]:
    """An OST single Spotify names in Hangul, found through its English name too."""
    return {"album_names": {"en": f"{D3} OST Part {part}"}}


LEARNED = Case(
    [
        R("isrc", "어나더 송", ["Sondia"], f"{D3K} OST Part 1", isrc="KRA302000001", **_k(1)),
        R("gummy", "Only You", ["거미"], f"{D3K} OST Part 3", **_k(3)),
        R("stone", "돌덩이", ["Ha Hyun Woo"], f"{D3K} OST Part 4", **_k(4)),
    ],
    {
        "isrc": T(D3, "Another Song", "Sondia", isrc="KRA302000001"),
        "gummy": T(D3, "Only You", "Gummy"),
        "stone": T(D3, "Stone Block", "Ha Hyun-woo", part=4),
    },
    {"isrc": "ok:isrc", "gummy": "ok:gummy", "stone": "ok:stone"},
)


def test_one_match_teaches_the_dramas_native_title(make_sandbox: MakeSandbox) -> None:
    out = run(make_sandbox, LEARNED)
    drama = out.store.find_drama(D3)
    assert drama.native_title == D3K
    assert out.store.find_drama(D3K).title == D3  # found by its learned name


def test_aliases_decide_the_dramas_release(make_sandbox: MakeSandbox) -> None:
    """A second English title on the OST: with the alias in the catalog it is the drama's own
    release; without it, another work's (review, never a guess)."""
    corpus = [R("v", "Snow Flower", ["Sondia"], "Guardian (Original Television Soundtrack), Pt. 9")]
    entry = {"e": T("Goblin", "Snow Flower", "Sondia")}
    with_alias = Case(
        corpus,
        entry,
        {"e": "ok:v"},
        [Drama("Goblin", aliases=("Guardian: The Lonely and Great God",))],
    )
    run(make_sandbox, with_alias)
    run(make_sandbox, Case(corpus, entry, {"e": "review"}, [Drama("Goblin")]))


@pytest.mark.parametrize(
    "album",
    [
        "苍兰诀 电视原声带",
        "苍兰诀 原声带",
        "苍兰诀 插曲",
        "逃げ恥 オリジナル・サウンドトラック",
        "도깨비 오리지널 사운드트랙",
    ],
)
def test_ost_words_in_other_languages(album: str) -> None:
    from ostkit.text.titles import parse_album

    info = parse_album(album)
    assert info.is_ost and info.drama and info.drama == album.split()[0]


def test_parts_beyond_nine_are_read() -> None:
    from ostkit.text.titles import parse_album

    assert parse_album("Goblin OST Part.12").part == 12
    assert parse_album("苍兰诀 电视剧原声带 Part.10").part == 10


# --- 8. review reasons say why a doubtful candidate is doubtful -------------------------------

D8 = "Night Train"
REVIEW_REASONS = {
    "another drama": (
        Case(
            [R("x", "Absent Song", ["Sondia"], "Other Drama OST Part.1")],
            {"e": T(D8, "Absent Song", "Sondia")},
            {"e": "review"},
        ),
        "doubtful: another drama's OST ('Other Drama OST Part.1')",
    ),
    "another title": (
        Case(
            [R("x", "Talk To Me", ["Sondia"], f"{D8} OST Part.1")],
            {"e": T(D8, "Talk to Me Now", "Sondia")},
            {"e": "review"},
        ),
        "doubtful: another title ('Talk To Me', not 'Talk to Me Now')",
    ),
    "another artist": (
        Case(
            [R("x", "Absent Song", ["Another Singer"], f"{D8} OST Part.1")],
            {"e": T(D8, "Absent Song", "Sondia")},
            {"e": "review"},
        ),
        "doubtful: another artist ('Another Singer', not 'Sondia')",
    ),
}


@pytest.mark.parametrize("name", list(REVIEW_REASONS))
def test_review_candidates_say_why_they_are_doubtful(make_sandbox: MakeSandbox, name: str) -> None:
    case, reason = REVIEW_REASONS[name]
    out = run(make_sandbox, case)
    (track,) = out.store.tracks()
    (_, _, reasons), *_ = out.store.candidates(track.id or 0)
    assert reasons[0] == reason


def test_a_right_candidate_has_no_doubt(make_sandbox: MakeSandbox) -> None:
    case = Case(
        [R("v", "Lantern", ["Sondia"], f"{D8} OST Part.1")],
        {"e": T(D8, "Lantern", "Sondia")},
        {"e": "ok:v"},
    )
    out = run(make_sandbox, case)
    (outcome,) = out.report.decided()
    assert outcome.result is not None and outcome.result.best is not None
    assert not any(r.startswith("doubtful") for r in outcome.result.best.score.reasons)


# --- 10. requests: an identical request is sent once per run ----------------------------------


def test_identical_requests_are_sent_once_and_album_reads_counted(
    make_sandbox: MakeSandbox,
) -> None:
    """The Inst. entry asks what its vocal entry asked; two single entries of one drama share
    its album search; album reads are reported apart from searches."""
    case = Case(
        [
            R("v", "Lantern", ["Sondia"], f"{D8} OST Part.1"),
            R("i", "Lantern (Inst.)", ["Sondia"], f"{D8} OST Part.1", track_number=2),
            R("w", "돌다리", ["Sondia"], f"{D8} OST Part.2"),
        ],
        {
            "v": T(D8, "Lantern", "Sondia", part=1),
            "i": T(D8, "Lantern", "Sondia", version="Inst.", part=1),
        },
        {"v": "ok:v", "i": "ok:i"},
    )
    out = run(make_sandbox, case)
    assert out.report.requests == out.requests
    assert out.report.album_reads >= 0
    assert out.requests == 1  # one field search serves both entries
    absent = Case(
        [R("w", "Stone Bridge", ["Sondia"], f"{D8} OST Part.2")],
        {
            "a": T(D8, "Nowhere", "Sondia", part=2),
            "b": T(D8, "Nowhere", "Sondia", version="Inst.", part=2),
        },
        {"a": "absent", "b": "absent"},
    )
    out = run(make_sandbox, absent)
    sent = out.report.requests
    assert sent == out.requests
    assert out.report.album_reads == 1  # the drama's Part 2, read once for both entries
    solo = run_case(make_sandbox, Case(absent.corpus, {"a": absent.entries["a"]}, {"a": "absent"}))
    assert sent == solo.requests  # the second entry sent nothing more


def test_parts_beyond_the_first_page_are_reached(make_sandbox: MakeSandbox) -> None:
    """A long OST: Part 14's single is not on the first page of the drama's album search."""
    corpus = [
        R(f"p{n}", f"Song {n}", [f"Singer {n}"], f"{D3} OST Part.{n}", release_date=f"2020-{n:02}")
        for n in range(1, 14)
    ]
    corpus.append(R("v", "열넷", ["Sondia"], f"{D3} OST Part.14"))
    case = Case(corpus, {"e": T(D3, "Fourteen", "Sondia", part=14)}, {"e": "ok:v"})
    out = run(make_sandbox, case)
    assert out.report.album_reads == 1


def test_a_choice_in_review_teaches_the_dramas_name(make_sandbox: MakeSandbox) -> None:
    """Picking the "Guardian" release in review teaches *Goblin*'s other name: the drama's next
    entry on that release is then its own OST."""
    from ostkit.services.review import choose

    corpus = [
        R("v", "Snow Flower", ["Sondia"], "Guardian (Original Television Soundtrack), Pt. 9"),
        R("w", "Stay", ["Sondia"], "Guardian (Original Television Soundtrack), Pt. 10"),
    ]
    first = Case(corpus, {"e": T("Goblin", "Snow Flower", "Sondia")}, {"e": "review"})
    out = run(make_sandbox, first)
    (track,) = out.store.tracks()
    (cand, _, _), *_ = out.store.candidates(track.id or 0)
    choose(out.store, track.id or 0, cand)
    assert out.store.find_drama("Goblin").aliases == ("Guardian",)
    assert out.store.find_drama("Guardian").title == "Goblin"


def test_releases_named_for_the_drama_are_opened_first() -> None:
    from ostkit.matching.queries import drama_albums

    albums = [
        SpotifyAlbum("a1", "구미호뎐 OST Part 1", "single"),
        SpotifyAlbum("a2", f"{D3} OST Part 2", "single"),
        SpotifyAlbum("a3", "Other Drama OST Part 1", "single"),
        SpotifyAlbum("a4", "Best of K-Drama OST", "compilation"),
    ]
    assert [a.id for a in drama_albums(albums, [D3])] == ["a2", "a1"]
    assert [a.id for a in drama_albums(albums, [D3, "구미호뎐"])] == ["a1", "a2"]
