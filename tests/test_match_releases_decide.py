"""An OST entry is accepted on the drama's own release; another release (a best-of, a
compilation of many dramas, the artist's own album or single, a sequel's OST) carrying a song of
that title and artist is no proof the drama used it. End to end over the sandbox, data of its own.
"""

from __future__ import annotations

import pytest

from conftest import MakeSandbox
from ostkit.matching.scoring import same_drama
from ostkit.models import Status
from ostkit.sandbox import Fault
from ostkit.services.match_plan import MatchOptions
from ostkit.services.matching import match_tracks
from test_match_classes import Case, Outcome, R, T, run, run_case

D = "Silver Lanterns"
OWN = f"{D} OST Part.3"

OTHER_RELEASES = {
    "a best-of of the artist": Case(
        [R("b", "Paper Moon", ["Haneul"], "Haneul Best", album_type="compilation")],
        {"e": T(D, "Paper Moon", "Haneul")},
        {"e": "absent"},
    ),
    "a compilation of many dramas": Case(
        [R("c", "Paper Moon", ["Haneul"], "K-Drama OST Hits 2019", album_type="compilation")],
        {"e": T(D, "Paper Moon", "Haneul", duration_ms=201000)},
        {"e": "absent"},
    ),
    "the artist's own album, nothing more known": Case(
        [R("a", "Paper Moon", ["Haneul"], "NIGHT CITY", album_type="album")],
        {"e": T(D, "Paper Moon", "Haneul")},
        {"e": "absent"},
    ),
    "the artist's single of that name, the drama's release has another": Case(
        [
            R("s", "Paper Moon", ["Haneul", "Jiho"], "Paper Moon"),
            R("o", "Paper Moon", ["Seoyun"], OWN),
        ],
        {"e": T(D, "Paper Moon", "Jiho")},
        {"e": "absent"},
    ),
    "the first season's OST for the sequel": Case(
        [R("p", "Paper Moon", ["Haneul"], "River Town OST Part.1")],
        {"e": T("River Town 2", "Paper Moon", "Haneul")},
        {"e": "absent"},
    ),
    "the drama's own release beside a compilation": Case(
        [
            R(
                "c",
                "Paper Moon",
                ["Haneul"],
                "Drama Love Songs",
                album_type="compilation",
                isrc="KRA990000001",
                duration_ms=201000,
            ),
            R("o", "Paper Moon", ["Haneul"], OWN, isrc="KRA990000001", duration_ms=201000),
        ],
        {"e": T(D, "Paper Moon", "Haneul", part=3)},
        {"e": "ok:o"},
    ),
    # The artist's theme song for another drama is released the same way: the fan's duration
    # has to agree, or a person decides.
    "the song's own single, no release of the drama": Case(
        [R("s", "Paper Moon", ["Haneul"], "Paper Moon")],
        {"e": T(D, "Paper Moon", "Haneul")},
        {"e": "review"},
    ),
    "the song's own single, duration typed and equal": Case(
        [R("s", "Paper Moon", ["Haneul"], "Paper Moon", duration_ms=201000)],
        {"e": T(D, "Paper Moon", "Haneul", duration_ms=201000)},
        {"e": "ok:s"},
    ),
    "the artist's album, duration typed and equal, no release of the drama": Case(
        [R("a", "Paper Moon", ["Haneul"], "NIGHT CITY", album_type="album", duration_ms=201000)],
        {"e": T(D, "Paper Moon", "Haneul", duration_ms=201000)},
        {"e": "ok:a"},
    ),
}


@pytest.mark.parametrize("name", list(OTHER_RELEASES))
def test_accepts_rest_on_the_dramas_own_release(make_sandbox: MakeSandbox, name: str) -> None:
    run(make_sandbox, OTHER_RELEASES[name])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("River Town", "River Town 2"),
        ("River Town 3", "River Town 2"),
        ("Stars Season 3", "Stars 2"),
    ],
)
def test_a_sequel_is_another_drama(a: str, b: str) -> None:
    assert not same_drama(a, b)


# --- a drama known on Spotify by another name ---------------------------------------------------

TYPED = "Northern Lights"
OTHER = "Aurora Nights (Original Television Soundtrack)"

OTHER_NAME = {
    "two entries, both on one other-named OST": Case(
        [
            R("a", "Glass Heart", ["Minseo"], f"{OTHER}, Pt. 1", duration_ms=200000),
            R(
                "c",
                "Glass Heart",
                ["Minseo"],
                "K-Drama Ballads",
                album_type="compilation",
                duration_ms=200000,
            ),
            R("b", "Old Letters", ["Taeyang Kim"], f"{OTHER}, Pt. 2"),
            R("bi", "Old Letters (Inst.)", ["Taeyang Kim"], f"{OTHER}, Pt. 2"),
        ],
        {
            "a": T(TYPED, "Glass Heart", "Minseo", part=1, duration_ms=200000),
            "b": T(TYPED, "Old Letters", "Taeyang Kim", part=2),
            "bi": T(TYPED, "Old Letters", "Taeyang Kim", part=2, version="Inst."),
        },
        {"a": "ok:a", "b": "ok:b", "bi": "ok:bi"},
    ),
    "one entry alone": Case(
        [R("a", "Glass Heart", ["Minseo"], f"{OTHER}, Pt. 1")],
        {"a": T(TYPED, "Glass Heart", "Minseo", part=1)},
        {"a": "absent"},
    ),
    "two entries on two other OSTs": Case(
        [
            R("a", "Glass Heart", ["Minseo"], f"{OTHER}, Pt. 1"),
            R("b", "Old Letters", ["Taeyang Kim"], "Winter Harbor OST Part.2"),
        ],
        {
            "a": T(TYPED, "Glass Heart", "Minseo", part=1),
            "b": T(TYPED, "Old Letters", "Taeyang Kim", part=2),
        },
        {"a": "absent", "b": "absent"},
    ),
    "two entries on one other-named OST, a third on another drama's": Case(
        [
            R("a", "Glass Heart", ["Minseo"], f"{OTHER}, Pt. 1"),
            R("b", "Old Letters", ["Taeyang Kim"], f"{OTHER}, Pt. 2"),
            R("x", "Like a Dream", ["Roy Kim"], "Winter Harbor OST Part.2"),
        ],
        {
            "a": T(TYPED, "Glass Heart", "Minseo", part=1),
            "b": T(TYPED, "Old Letters", "Taeyang Kim", part=2),
            "x": T(TYPED, "Like a Dream", "Roy Kim"),
        },
        {"a": "ok:a", "b": "ok:b", "x": "absent"},
    ),
    "one entry on each of two other OSTs, the same count": Case(
        [
            R("a", "Glass Heart", ["Minseo"], f"{OTHER}, Pt. 1"),
            R("b", "Old Letters", ["Taeyang Kim"], f"{OTHER}, Pt. 2"),
            R("x", "Like a Dream", ["Roy Kim"], "Winter Harbor OST Part.2"),
            R("y", "Snow Road", ["Lucy"], "Winter Harbor OST Part.3"),
        ],
        {
            "a": T(TYPED, "Glass Heart", "Minseo", part=1),
            "b": T(TYPED, "Old Letters", "Taeyang Kim", part=2),
            "x": T(TYPED, "Like a Dream", "Roy Kim"),
            "y": T(TYPED, "Snow Road", "Lucy"),
        },
        {"a": "absent", "b": "absent", "x": "absent", "y": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(OTHER_NAME))
def test_a_cluster_of_entries_teaches_the_dramas_other_name(
    make_sandbox: MakeSandbox, name: str
) -> None:
    out = run(make_sandbox, OTHER_NAME[name])
    drama = out.store.get_drama(TYPED)
    learned = drama is not None and "Aurora Nights" in drama.aliases
    assert learned is (name.startswith(("two entries, both", "two entries on one")))


# --- a drama whose releases Spotify names only in the native script ------------------------------

HARBOR = "Harbor Lights"
NATIVE = "항구의 불빛 OST"


def _native(part: int) -> dict[str, object]:
    return {"album_names": {"en": f"{HARBOR} OST Part.{part}"}}


NATIVE_ONLY = {
    "two entries by two artists on one native-named OST": Case(
        [
            R("a", "바다", ["민서"], f"{NATIVE} Part.1", **_native(1)),
            R("ai", "바다 (Inst.)", ["민서"], f"{NATIVE} Part.1", **_native(1)),
            R("b", "편지", ["Taeyang Kim"], f"{NATIVE} Part.2", **_native(2)),
        ],
        {
            "a": T(HARBOR, "The Sea", "Minseo", part=1),
            "b": T(HARBOR, "Letters", "Taeyang Kim", part=2),
        },
        {"a": "ok:a", "b": "ok:b"},
    ),
    # Spotify's search for the drama's title returned the release (by its English name): the
    # release is the drama's, and its one song by the entry's artist, of the entry's part, is
    # the entry's.
    "one entry alone, its release returned by the drama's search": Case(
        [R("a", "바다", ["민서"], f"{NATIVE} Part.1", **_native(1))],
        {"a": T(HARBOR, "The Sea", "Minseo", part=1)},
        {"a": "ok:a"},
    ),
    "one entry alone, a release no search of the drama returns": Case(
        [R("a", "바다", ["민서"], f"{NATIVE} Part.1")],
        {"a": T(HARBOR, "The Sea", "Minseo", part=1)},
        {"a": "absent"},
    ),
    "the drama's search returns two dramas' releases named in Hangul: neither is learned": Case(
        [
            R("a", "바다", ["민서"], f"{NATIVE} Part.1", **_native(1)),
            R("x", "파도", ["민서"], "등대 OST Part.1", album_names={"en": f"{HARBOR} Tales OST"}),
        ],
        {"a": T(HARBOR, "The Sea", "Minseo", part=1)},
        {"a": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(NATIVE_ONLY))
def test_entries_on_one_native_named_ost_teach_its_name(
    make_sandbox: MakeSandbox, name: str
) -> None:
    run(make_sandbox, NATIVE_ONLY[name])


@pytest.mark.parametrize(
    ("found", "drama"),
    [
        ("River Town 2", "River Town Season 2"),
        ("River Town S2", "River Town 2"),
        ("River Town Season 2", "River Town"),
        ("Station 00", "Station 00"),
    ],
)
def test_the_same_season_is_the_same_drama(found: str, drama: str) -> None:
    assert same_drama(found, drama)


# --- what a match made with a learned drama name teaches, used in the same run ------------------

GARDEN = "Moon Garden"  # Spotify names its releases only in Hangul, with no English name
GARDEN_OST = "달빛 정원 OST"
HOUR = "Blue Hour"
TAUGHT = {
    # a: exact title and artist teach the drama its Hangul name; b: then decided by its exact
    # title on the drama's release, its artist shown only in Hangul (which teaches the artist);
    # c: an English title on another drama's OST by that artist, shown only in Hangul.
    "the artist taught by a match the learned drama name made": Case(
        [
            R("a", "Silver Rain", ["Haneul"], f"{GARDEN_OST} Part 1"),
            R("b", "Night Walk", ["나이트버드"], f"{GARDEN_OST} Part 2"),
            R("c", "아침 편지", ["나이트버드"], f"{HOUR} OST Part 1"),
        ],
        {
            "a": T(GARDEN, "Silver Rain", "Haneul", part=1),
            "b": T(GARDEN, "Night Walk", "Nightbird", part=2),
            "c": T(HOUR, "Morning Letter", "Nightbird", part=1),
        },
        {"a": "ok:a", "b": "ok:b", "c": "ok:c"},
    ),
    "nothing teaches the artist": Case(
        [
            R("a", "Silver Rain", ["Haneul"], f"{GARDEN_OST} Part 1"),
            R("c", "아침 편지", ["나이트버드"], f"{HOUR} OST Part 1"),
        ],
        {
            "a": T(GARDEN, "Silver Rain", "Haneul", part=1),
            "c": T(HOUR, "Morning Letter", "Nightbird", part=1),
        },
        {"a": "ok:a", "c": "absent"},
    ),
    "the taught artist has two songs on the other OST": Case(
        [
            R("a", "Silver Rain", ["Haneul"], f"{GARDEN_OST} Part 1"),
            R("b", "Night Walk", ["나이트버드"], f"{GARDEN_OST} Part 2"),
            R("c", "아침 편지", ["나이트버드"], f"{HOUR} OST Part 1"),
            R("d", "저녁 노래", ["나이트버드"], f"{HOUR} OST Part 1"),
        ],
        {
            "a": T(GARDEN, "Silver Rain", "Haneul", part=1),
            "b": T(GARDEN, "Night Walk", "Nightbird", part=2),
            "c": T(HOUR, "Morning Letter", "Nightbird", part=1),
        },
        {"a": "ok:a", "b": "ok:b", "c": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(TAUGHT))
def test_an_artist_taught_after_a_drama_name_is_learned_decides_in_the_same_run(
    make_sandbox: MakeSandbox, name: str
) -> None:
    run(make_sandbox, TAUGHT[name])


# --- the artist's other entries already matched to another song are no rivals -------------------

ROAD = "Lantern Road"
SETTLED = {
    "the other entry matched to its own song; a version entry of the same song": Case(
        [
            R("a", "Paper Boat", ["Haneul"], f"{ROAD} OST Part 2"),
            R("b", "첫눈", ["Haneul"], f"{ROAD} OST Part 1"),
            R("bi", "첫눈 (Inst.)", ["Haneul"], f"{ROAD} OST Part 1"),
        ],
        {
            "a": T(ROAD, "Paper Boat", "Haneul", part=2),
            "b": T(ROAD, "First Snow", "Haneul", part=1),
            "bi": T(ROAD, "First Snow", "Haneul", part=1, version="Inst."),
            "c": T(ROAD, "First Snow", "Haneul", version="Acoustic Ver."),
        },
        {"a": "ok:a", "b": "ok:b", "bi": "ok:bi", "c": "absent"},
    ),
    "the other entry is not found: it may be this song": Case(
        [
            R("b", "첫눈", ["Haneul"], f"{ROAD} OST Part 1"),
        ],
        {
            "a": T(ROAD, "Paper Boat", "Haneul"),
            "b": T(ROAD, "First Snow", "Haneul", part=1),
        },
        {"a": "absent", "b": "absent"},
    ),
    "two songs by the artist left on the OST": Case(
        [
            R("a", "Paper Boat", ["Haneul"], f"{ROAD} OST Part 2"),
            R("b", "첫눈", ["Haneul"], f"{ROAD} OST Part 1"),
            R("d", "겨울밤", ["Haneul"], f"{ROAD} OST Part 1"),
        ],
        {
            "a": T(ROAD, "Paper Boat", "Haneul", part=2),
            "b": T(ROAD, "First Snow", "Haneul", part=1),
        },
        {"a": "ok:a", "b": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(SETTLED))
def test_entries_matched_to_other_songs_leave_the_artists_one_song(
    make_sandbox: MakeSandbox, name: str
) -> None:
    run(make_sandbox, SETTLED[name])


# --- releases reached only through a drama name learned in the run -------------------------------

# The fan types the drama under one English title; Spotify names its releases only in Hangul
# (their English name is another title), so neither the drama's name nor the entries' English
# titles reach them. One entry found by its exact title teaches the Hangul name; one album search
# of that name then reads the drama's other releases.
BLUE = "Night of Blue"
BLUE_OST = "푸른 밤 OST"


def _blue(part: int) -> dict[str, object]:
    return {"album_names": {"en": f"Blue Night OST Part {part}"}}


LEARNED_NAME = {
    "the learned name reaches a song shown only in Hangul, by a name read the same": Case(
        [
            R("a", "Silver Rain", ["Haneul"], f"{BLUE_OST} Part 1", **_blue(1)),
            R("b", "편지", ["소진"], f"{BLUE_OST} Part 2", **_blue(2)),
        ],
        {
            "a": T(BLUE, "Silver Rain", "Haneul", part=1),
            "b": T(BLUE, "The Letter", "Sojin", part=2),
        },
        {"a": "ok:a", "b": "ok:b"},
    ),
    "nothing teaches the name: the release stays unreached": Case(
        [
            R("b", "편지", ["소진"], f"{BLUE_OST} Part 2", **_blue(2)),
        ],
        {"b": T(BLUE, "The Letter", "Sojin", part=2)},
        {"b": "not_found"},
    ),
    "a read the same name, but no part to go by": Case(
        [
            R("a", "Silver Rain", ["Haneul"], f"{BLUE_OST} Part 1", **_blue(1)),
            R("b", "편지", ["소진"], f"{BLUE_OST} Part 2", **_blue(2)),
        ],
        {
            "a": T(BLUE, "Silver Rain", "Haneul", part=1),
            "b": T(BLUE, "The Letter", "Sojin"),
        },
        {"a": "ok:a", "b": "absent"},
    ),
    "the fan's singer is the song's second artist: no title, no match": Case(
        [
            R("a", "Silver Rain", ["Haneul"], f"{BLUE_OST} Part 1", **_blue(1)),
            R("y", "청춘", ["김필", "김창완"], f"{BLUE_OST} Part 3", **_blue(3)),
        ],
        {
            "a": T(BLUE, "Silver Rain", "Haneul", part=1),
            "d": T(BLUE, "Dreaming", "Kim Chang-wan"),
        },
        {"a": "ok:a", "d": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(LEARNED_NAME))
def test_a_learned_drama_name_opens_the_releases_no_search_reached(
    make_sandbox: MakeSandbox, name: str
) -> None:
    out = run(make_sandbox, LEARNED_NAME[name])
    searches = [q for q in out.report.outcomes for q in q.queries]
    learned = [q for q in searches if q == f"(drama albums of {BLUE_OST[:-4]!r})"]
    if name.startswith("nothing"):
        assert learned == [] and out.report.learned_name_requests == 0
    else:
        # One album search of the learned name, then its releases (the first one is read
        # again: a run reads an album once per step, not once per run).
        assert learned and out.report.learned_name_requests >= 2


def test_a_drama_whose_entries_all_matched_sends_nothing_for_a_learned_name(
    make_sandbox: MakeSandbox,
) -> None:
    case = Case(
        [R("a", "Silver Rain", ["Haneul"], f"{BLUE_OST} Part 1", **_blue(1))],
        {"a": T(BLUE, "Silver Rain", "Haneul", part=1)},
        {"a": "ok:a"},
    )
    out = run(make_sandbox, case)
    assert out.report.learned_name_requests == 0
    assert out.store.dramas()[0].other_names() == ("푸른 밤",)


def test_a_refused_read_of_a_learned_name_keeps_the_decisions_and_says_how_to_retry(
    make_sandbox: MakeSandbox,
) -> None:
    case = LEARNED_NAME[
        "the learned name reaches a song shown only in Hangul, by a name read the same"
    ]
    # The run reads no album before the learned name's (two entries: no up-front read).
    quota = Fault("quota", path=r"^/v1/albums/", count=None)
    out = run_case(make_sandbox, case, faults=[quota])
    assert out.got == {"a": "ok:a", "b": "not_found"}
    assert out.report.error is not None
    assert f'ostkit match --drama "{BLUE}" --rematch' in out.report.error
    assert out.store.dramas()[0].other_names() == ("푸른 밤",)  # what was learned is kept
    assert [t.status for t in out.store.tracks()] == [Status.MATCHED, Status.NOT_FOUND]


# --- what the drama's learned name overturns, and what a re-run must find the same -------------

WINTER = "The Wind Blows in Winter"
WINTER_OST = "그 겨울, 바람이 분다 OST"


def _winter(part: int) -> dict[str, object]:
    return {"album_names": {"en": f"{WINTER} OST Part {part}"}}


def _rerun_changes(out: Outcome) -> dict[str, tuple[str, str | None]]:
    """Entries whose status or track a second run changes (it must change none)."""
    before = {t.id: (t.status.value, t.spotify_uri) for t in out.store.tracks()}
    match_tracks(out.store, out.client, MatchOptions(jobs=1))
    after = {t.id: (t.status.value, t.spotify_uri) for t in out.store.tracks()}
    return {str(k): v for k, v in after.items() if before[k] != v}


def test_a_match_on_another_dramas_hangul_ost_is_overturned_once_the_drama_is_named(
    make_sandbox: MakeSandbox,
) -> None:
    # The drama's search returns its own releases (named in Hangul); "If" was found by its
    # English title on 홍길동 OST, another drama's OST in the same script: not this drama's.
    case = Case(
        [
            R("a", "그리고 하나 (And One)", ["TAEYEON"], f"{WINTER_OST} Part 1", **_winter(1)),
            R(
                "ai",
                "그리고 하나 (And One) (Inst.)",
                ["TAEYEON"],
                f"{WINTER_OST} Part 1",
                **_winter(1),
            ),
            R("if", "만약에 (If)", ["TAEYEON"], "홍길동 OST", duration_ms=236_000),
        ],
        {
            "a": T(WINTER, "And One", "Taeyeon", part=1),
            "ai": T(WINTER, "And One", "Taeyeon", part=1, version="Inst."),
            "if": T(WINTER, "If", "Taeyeon"),
        },
        {"a": "ok:a", "ai": "ok:ai", "if": "review"},
    )
    out = run(make_sandbox, case)
    # The learned name's search returns the releases read up front: they are not read again.
    reads = [r.path for r in out.sandbox.requests if r.path.startswith("/v1/albums/")]
    assert out.report.learned_name_requests > 0 and len(reads) == len(set(reads))
    entry = next(t for t in out.store.tracks() if t.title == "If")
    # The first decision (a match) was saved as the run went; the data it would fill was not.
    assert (entry.album, entry.duration_ms, entry.isrc) == (None, None, None)
    assert out.store.dramas()[0].other_names() == ("그 겨울, 바람이 분다",)
    assert _rerun_changes(out) == {}


def test_an_undecided_entry_keeps_the_evidence_that_left_it_undecided(
    make_sandbox: MakeSandbox,
) -> None:
    # "Healer" by its singer on a release named in Hangul, while the drama's own release
    # (found by its English name) does not carry it: review. Five same-title songs by others
    # rank between them; the next run decides from the stored candidates and must see the
    # drama's own release among them, or it would accept what this run doubted.
    decoys = [R(f"d{i}", "Healer", [f"Singer {i}"], f"Album {i}") for i in range(5)]
    case = Case(
        [
            R("e", "Eternal Love", ["Michael Learns to Rock"], "Healer OST Part.1"),
            R("ei", "Eternal Love (Inst.)", ["Michael Learns to Rock"], "Healer OST Part.1"),
            R("h", "Healer", ["Kim Jun Seok"], "힐러 OST"),
            *decoys,
        ],
        {
            "e": T("Healer", "Eternal Love", "Michael Learns to Rock", part=1),
            "ei": T("Healer", "Eternal Love", "Michael Learns to Rock", part=1, version="Inst."),
            "h": T("Healer", "Healer", "Kim Jun-seok"),
        },
        {"e": "ok:e", "ei": "ok:ei", "h": "review"},
    )
    out = run(make_sandbox, case)
    assert _rerun_changes(out) == {}


SINGS_ANOTHER = {
    "the fan's singer sings another song on the OST": Case(
        [
            R("ls", "Love Story", ["린"], "Blue Sea OST Part.1"),
            R("w", "바람이 불어오면 (When the Wind Blows)", ["성시경"], "Blue Sea OST Part.2"),
        ],
        {
            "w": T("Blue Sea", "When the Wind Blows", "Sung Si-kyung", part=2),
            "l": T("Blue Sea", "Love Story", "Lyn", part=1),
            "x": T("Blue Sea", "Love Story", "Sung Si-kyung"),
        },
        {"w": "ok:w", "l": "ok:ls", "x": "absent"},
    ),
    "the singer's name in another script, singing nothing else there": Case(
        [
            R("ls", "Love Story", ["린"], "Blue Sea OST Part.1"),
            R("w", "바람이 불어오면 (When the Wind Blows)", ["성시경"], "Blue Sea OST Part.2"),
        ],
        {
            "w": T("Blue Sea", "When the Wind Blows", "Sung Si-kyung", part=2),
            "v": T("Blue Sea", "When the Wind Blows", "Sung Si-kyung", version="Acoustic Ver."),
            "y": T("Blue Sea", "Love Story", "Lyn"),
        },
        {"w": "ok:w", "v": "absent", "y": "ok:ls"},
    ),
    "the group typed for its member's credit": Case(
        [R("g", "Gravity", ["Kim Jong Wan of NELL"], "The Crown OST Pt. 3")],
        {"g": T("The Crown", "Gravity", "Nell", part=3)},
        {"g": "ok:g"},
    ),
    "another group typed": Case(
        [R("g", "Gravity", ["Kim Jong Wan of NELL"], "The Crown OST Pt. 3")],
        {"g": T("The Crown", "Gravity", "Epik High", part=3)},
        {"g": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(SINGS_ANOTHER))
def test_who_the_fan_names_on_the_dramas_ost(make_sandbox: MakeSandbox, name: str) -> None:
    run(make_sandbox, SINGS_ANOTHER[name])


# A loanword title in Hangul reads close to the fan's English title, not the same (피노키오,
# "pinokio", for "Pinocchio"): as any title in another script, uniqueness decides.
LOANWORD = {
    "the artist's one entry and one song": Case(
        [R("p", "피노키오", ["Roy Kim"], "Puppet Heart OST Part.1")],
        {"p": T("Puppet Heart", "Pinocchio", "Roy Kim", part=1)},
        {"p": "ok:p"},
    ),
    "the artist has another entry: a person decides": Case(
        [R("p", "피노키오", ["Roy Kim"], "Puppet Heart OST Part.1")],
        {
            "p": T("Puppet Heart", "Pinocchio", "Roy Kim", part=1),
            "o": T("Puppet Heart", "Only You", "Roy Kim"),
        },
        {"p": "review", "o": "absent"},
    ),
}


LOANWORD["the artist's other entry spells the name another way: a person decides"] = Case(
    [R("p", "사랑", ["Lim Jae Bum"], "Puppet Heart OST Part.1")],
    {
        "p": T("Puppet Heart", "For You", "Lim Jae-bum"),
        "o": T("Puppet Heart", "Love", "Yim Jae-beom", part=2),
    },
    {"p": "review", "o": "absent"},
)


@pytest.mark.parametrize("name", list(LOANWORD))
def test_a_loanword_title_in_hangul_is_decided_by_uniqueness(
    make_sandbox: MakeSandbox, name: str
) -> None:
    run(make_sandbox, LOANWORD[name])


# --- an artist Spotify shows only in Hangul, found by a search for the fan's name --------------

CLOUDS = "Moon Under Clouds"
CLOUDS_OST = "구름 속 달 OST"
GUMMY = {"name": "거미", "names": {"en": "Gummy"}}  # Spotify knows her as Gummy too
_clouds: dict[str, object] = {
    "names": {"en": CLOUDS},
    "album_names": {"en": f"{CLOUDS} OST Part.2"},
}

FOUND_BY_ARTIST = {
    "the search for the fan's name returns the song: one entry, one song": Case(
        [R("g", "구름 속 달", [GUMMY], f"{CLOUDS_OST} Part.2", **_clouds)],
        {"g": T(CLOUDS, CLOUDS, "Gummy", part=2)},
        {"g": "ok:g"},
    ),
    "the same, with a second entry by the artist: a person decides": Case(
        [R("g", "구름 속 달", [GUMMY], f"{CLOUDS_OST} Part.2", **_clouds)],
        {
            "g": T(CLOUDS, CLOUDS, "Gummy", part=2),
            "h": T(CLOUDS, "Moonrise", "Gummy"),
        },
        {"g": "review", "h": "absent"},
    ),
    "no search for the fan's name returns it (Spotify has no such name for her)": Case(
        [R("g", "구름 속 달", ["거미"], f"{CLOUDS_OST} Part.2", **_clouds)],
        {"g": T(CLOUDS, CLOUDS, "Gummy", part=2)},
        {"g": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(FOUND_BY_ARTIST))
def test_an_artist_shown_in_hangul_is_known_by_the_search_for_the_fans_name(
    make_sandbox: MakeSandbox, name: str
) -> None:
    out = run(make_sandbox, FOUND_BY_ARTIST[name])
    assert _rerun_changes(out) == {}  # a review keeps what the search said


# --- two names carried by the drama's matches: the one most of them carry ------------------------

SUN = "Sun in the Moon"
SUN_OST = "달을 품은 해 OST"
SEA_OST = "푸른 바다 OST"  # another drama's, carrying a same-titled song by the same singer


def test_the_name_most_matches_carry_is_the_dramas_and_the_other_a_trap(
    make_sandbox: MakeSandbox,
) -> None:
    case = Case(
        [
            R("b", "시간을 거슬러 (Back in Time)", ["LYn"], f"{SUN_OST} Part 1"),
            R("o", "그대 한 사람 (Only You)", ["Kim Soo Hyun"], f"{SUN_OST} Part 2"),
            R("l", "Love Story", ["LYn"], f"{SEA_OST} Part.1"),
        ],
        {
            "b": T(SUN, "Back in Time", "Lyn", part=1),
            "o": T(SUN, "Only You", "Kim Soo-hyun", part=2),
            "l": T(SUN, "Love Story", "Lyn"),
        },
        {"b": "ok:b", "o": "ok:o", "l": "review"},
    )
    out = run(make_sandbox, case)
    assert out.store.dramas()[0].other_names() == ("달을 품은 해",)


# --- the Inst. entry follows its vocal entry to the same release ---------------------------------

HWA = "Flower Knights"
TWIN = {
    "the Inst.'s singer not known": Case(
        [
            R("v", "죽어도 너야 (It's Definitely You)", ["V", "Jin"], f"{HWA} OST Part 2"),
            R("i", "죽어도 너야 (It's Definitely You) (Inst.)", ["V", "Jin"], f"{HWA} OST Part 2"),
            R("o", "죽어도 너야 (It's Definitely You) (Inst.)", ["V", "Jin"], "K-Drama Inst. Best"),
        ],
        {
            "v": T(HWA, "It's Definitely You", "V & Jin", part=2),
            "i": T(HWA, "It's Definitely You", "?", version="Inst."),
        },
        {"v": "ok:v", "i": "ok:i"},
    ),
    "the Inst.'s singer shown in Hangul": Case(
        [
            R("v", "홈 (Home)", ["윤하"], f"{HWA} OST Part 3"),
            R("i", "홈 (Home) (Inst.)", ["윤하"], f"{HWA} OST Part 3"),
        ],
        {
            "v": T(HWA, "Home", "Younha", part=3),
            "i": T(HWA, "Home", "Yoon Ha", version="Inst."),
        },
        {"v": "ok:v", "i": "ok:i"},
    ),
    "another singer's song of that title: not this one's Inst.": Case(
        [
            R("v", "Home", ["YOUNHA"], f"{HWA} OST Part 3"),
            R("i", "Home (Inst.)", ["YOUNHA"], f"{HWA} OST Part 3"),
        ],
        {
            "v": T(HWA, "Home", "Younha", part=3),
            "i": T(HWA, "Home", "Standing Egg", version="Inst."),
        },
        {"v": "ok:v", "i": "absent"},
    ),
    "no vocal entry to follow": Case(
        [
            R("v", "죽어도 너야 (It's Definitely You)", ["V", "Jin"], f"{HWA} OST Part 2"),
            R("i", "죽어도 너야 (It's Definitely You) (Inst.)", ["V", "Jin"], f"{HWA} OST Part 2"),
        ],
        {"i": T(HWA, "It's Definitely You", "BTS", version="Inst.")},
        {"i": "absent"},
    ),
    "the vocal's release has no Inst.": Case(
        [
            R("v", "죽어도 너야 (It's Definitely You)", ["V", "Jin"], f"{HWA} OST Part 2"),
            R("o", "죽어도 너야 (It's Definitely You) (Inst.)", ["V", "Jin"], "K-Drama Inst. Best"),
        ],
        {
            "v": T(HWA, "It's Definitely You", "V & Jin", part=2),
            "i": T(HWA, "It's Definitely You", "BTS", version="Inst."),
        },
        {"v": "ok:v", "i": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(TWIN))
def test_an_inst_entry_takes_the_inst_on_its_vocals_release(
    make_sandbox: MakeSandbox, name: str
) -> None:
    run(make_sandbox, TWIN[name])


# --- a drama typed with its subtitle, its releases named by the title alone ---------------------

LIFE = "Misaeng Days: Incomplete Life"
HEAD_CASES = {
    "the title before the subtitle finds the releases": Case(
        [
            R(
                "f",
                "날아",
                ["이승열"],
                "미생 OST Part 1",
                album_names={"en": "Misaeng Days OST Part 1"},
            ),
        ],
        {"f": T(LIFE, "Fly", "Lee Seung-yeol", part=1)},
        {"f": "ok:f"},
    ),
    "found by the full name: the title alone is not searched": Case(
        [
            R("f", "날아", ["이승열"], "미생 OST Part 1", album_names={"en": f"{LIFE} OST Part 1"}),
        ],
        {"f": T(LIFE, "Fly", "Lee Seung-yeol")},
        {"f": "ok:f"},
    ),
}


@pytest.mark.parametrize("name", list(HEAD_CASES))
def test_a_subtitled_dramas_releases_named_by_its_title_alone(
    make_sandbox: MakeSandbox, name: str
) -> None:
    out = run(make_sandbox, HEAD_CASES[name])
    albums = [r.query["q"][0] for r in out.sandbox.requests if r.query.get("type") == ["album"]]
    assert ('album:"Misaeng Days"' in albums) is name.startswith("the title before")


def test_a_song_matched_for_the_fans_own_entry_is_no_other_singers_by_its_title(
    make_sandbox: MakeSandbox,
) -> None:
    # "Sunny Day" by its singer (shown in Hangul) is matched; a second entry names another
    # singer for a song of that title. The title alone would decide (the singer shown in
    # another script), but the song is the first entry's: a person decides, and the second
    # singer's name is not learned as the first's.
    case = Case(
        [
            R("s", "화창한 날 (Sunny Day)", ["김나영"], "Romance Class OST Part.1"),
            R("l", "Stay", ["LYn"], "Romance Class OST Part.2"),
        ],
        {
            "s": T("Romance Class", "Sunny Day", "Kim Na-young", part=1),
            "l": T("Romance Class", "Stay", "LYn", part=2),
            "h": T("Romance Class", "Sunny Day", "Sunny Hill"),
        },
        {"s": "ok:s", "l": "ok:l", "h": "review"},
    )
    out = run(make_sandbox, case)
    assert _rerun_changes(out) == {}
    hill = next(a for a in out.store.artists() if a.name == "Sunny Hill")
    assert not hill.spotify_id


class _StopAtLearnedName:
    """The client, with Ctrl-C pressed when the run searches the drama's learned name."""

    def __init__(self, client: object) -> None:
        self.client = client

    def __getattr__(self, name: str) -> object:
        return getattr(self.client, name)

    def search_albums(self, query: str, limit: int = 10, offset: int = 0) -> object:
        if "푸른 밤" in query:
            raise KeyboardInterrupt
        return self.client.search_albums(query, limit, offset)  # type: ignore[attr-defined]


def test_ctrl_c_while_reading_a_learned_names_releases_keeps_the_decisions(
    make_sandbox: MakeSandbox,
) -> None:
    case = next(iter(LEARNED_NAME.values()))  # the learned name decides its second entry
    out = run_case(make_sandbox, Case(case.corpus, case.entries, {}), wrap=_StopAtLearnedName)
    assert out.report.interrupted
    # The first decisions stand and are saved, and so is the name learned.
    assert out.got == {"a": "ok:a", "b": "not_found"}
    assert out.store.dramas()[0].other_names() == ("푸른 밤",)


# --- another English name, read from what the drama's own search returned -------------------

FIGHT = "Fight My Way"  # Spotify: "Fight For My Way"
SEARCH_NAMES = {
    # One entry: no cluster of entries teaches the name, the search does.
    "the search returns one other name: it is the drama's": Case(
        [R("g", "Go Back", ["10cm"], "Fight For My Way OST Part.1")],
        {"g": T(FIGHT, "Go Back", "10cm", part=1)},
        {"g": "ok:g"},
    ),
    "the search returns two other names: neither is learned": Case(
        [
            R("g", "Go Back", ["10cm"], "Fight For My Way OST Part.1"),
            R("s", "Star", ["Kim Se-jeong"], "Fight My Way Home OST Part.4"),
        ],
        {
            "g": T(FIGHT, "Go Back", "10cm", part=1),
            "s": T(FIGHT, "Star", "Kim Se-jeong", part=4),
        },
        {"g": "review", "s": "review"},
    ),
    "the search returns the drama's own releases too: another name is another drama": Case(
        [
            R("g", "Go Back", ["10cm"], f"{FIGHT} OST Part.1"),
            R("s", "Star", ["Kim Se-jeong"], "Fight For My Way OST Part.4"),
        ],
        {
            "g": T(FIGHT, "Go Back", "10cm", part=1),
            "s": T(FIGHT, "Star", "Kim Se-jeong", part=4),
        },
        {"g": "ok:g", "s": "review"},
    ),
}


@pytest.mark.parametrize("name", list(SEARCH_NAMES))
def test_the_dramas_search_names_its_releases(make_sandbox: MakeSandbox, name: str) -> None:
    run(make_sandbox, SEARCH_NAMES[name])


# --- a title typed as it reads ("Gil" for 길) -----------------------------------------------

SIG = "Signal Fire"
READING = {
    "the reading, the artist and the drama's release decide": Case(
        [R("g", "길", ["김윤아"], f"{SIG} OST Part.1")],
        {
            "g": T(SIG, "Gil", "Kim Yoon-ah", part=1),
            "h": T(SIG, "Going Home", "Kim Yoon-ah"),  # no uniqueness to go by
        },
        {"g": "ok:g", "h": "absent"},
    ),
    "another song on the OST reads alike: a person decides": Case(
        [
            R("g", "길", ["김윤아"], f"{SIG} OST Part.1"),
            R("o", "Gil", ["Lucy"], f"{SIG} OST Part.3"),
        ],
        {
            "g": T(SIG, "Gil", "Kim Yoon-ah"),
            "h": T(SIG, "Going Home", "Kim Yoon-ah"),
        },
        {"g": "review", "h": "absent"},
    ),
    "read the same, by another singer": Case(
        [R("g", "길", ["장범준"], f"{SIG} OST Part.1")],
        {"g": T(SIG, "Gil", "Kim Yoon-ah", part=1)},
        {"g": "absent"},
    ),
}


@pytest.mark.parametrize("name", list(READING))
def test_a_title_typed_as_it_reads(make_sandbox: MakeSandbox, name: str) -> None:
    run(make_sandbox, READING[name])


def test_a_native_name_and_an_english_one_are_learned_in_one_run(make_sandbox: MakeSandbox) -> None:
    # An entry matched on the drama's Hangul-named release teaches the native name; two entries
    # found on releases under another English title (a cluster) teach the English alias. Both
    # are learned in the first run, which decides as a re-run would.
    odd = "Odd Lawyer"
    case = Case(
        [
            R(
                "w",
                "우투더영",
                ["박은빈"],
                "이상한 변호사 OST Part.3",
                album_names={"en": f"{odd} OST"},
            ),
            R("d", "Dear", ["HYNN"], "Remarkable Counsel OST Part.1"),
            R("h", "고래 (Whale)", ["Ha Hyun Sang"], "Remarkable Counsel OST Part.2"),
        ],
        {
            "w": T(odd, "Woo to the Young", "Park Eun-bin", part=3),
            "d": T(odd, "Dear", "HYNN", part=1),
            "h": T(odd, "Whale", "Ha Hyun-sang", part=2),
        },
        {"w": "ok:w", "d": "ok:d", "h": "ok:h"},
    )
    out = run(make_sandbox, case)
    drama = out.store.get_drama(odd)
    assert drama is not None and drama.native_title == "이상한 변호사"
    assert "Remarkable Counsel" in drama.aliases
    assert _rerun_changes(out) == {}
