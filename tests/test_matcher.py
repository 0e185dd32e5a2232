"""The pure matcher: normalisation, named score components, bands and the final choice."""

from __future__ import annotations

import itertools

import pytest

from ostkit.matching.bands import Bands
from ostkit.matching.decide import best_match, merge_candidates
from ostkit.matching.scoring import (
    Aliases,
    Context,
    name_forms,
    same_drama,
    score,
    text_similarity,
)
from ostkit.models import Candidate, Credit, SpotifyAlbum, SpotifyArtist, Status, Track
from ostkit.text.keys import fuzzy_key
from ostkit.text.romanise import romanise

_ids = itertools.count(1)


def cand(
    name: str,
    *artists: str,
    album: str = "Some Album",
    album_type: str = "single",
    duration_ms: int | None = 215_000,
    isrc: str | None = None,
    artist_ids: tuple[str, ...] = (),
) -> Candidate:
    n = next(_ids)
    ids = artist_ids or tuple(f"art{fuzzy_key(a)}" for a in artists)
    return Candidate(
        id=f"t{n}",
        uri=f"spotify:track:t{n}",
        name=name,
        artists=tuple(SpotifyArtist(i, a) for i, a in zip(ids, artists, strict=True)),
        album=SpotifyAlbum(f"al{n}", album, album_type=album_type),
        duration_ms=duration_ms,
        isrc=isrc,
    )


def track(
    title: str = "Want To Be Happy",
    artist: str = "Park Bo-ram",
    *,
    drama: str = "Soundtrack #1",
    native_title: str | None = None,
    native_artist: str | None = None,
    part: int | None = 3,
    duration_ms: int | None = 215_000,
    isrc: str | None = None,
    version: str | None = None,
    featured: tuple[str, ...] = (),
) -> Track:
    credits = (
        Credit(artist, "main", native_name=native_artist),
        *(Credit(f, "featured") for f in featured),
    )
    return Track(
        drama=drama,
        title=title,
        credits=credits,
        native_title=native_title,
        part=part,
        duration_ms=duration_ms,
        isrc=isrc,
        version=version,
    )


OWN = "Soundtrack #1 (Original Soundtrack), Pt. 3"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Park Bo-ram", "Park Boram"),
        ("Park Bo-ram", "park bo ram"),
        ("Yoon Mirae", "Yoon Mi-rae"),
        ("Don’t Forget", "Don't Forget"),
        ("ＳＴＡＹ", "stay"),
        ("Love, Maybe", "Love Maybe"),
    ],
    ids=["hyphen", "spaces", "yoon-mirae", "curly-quote", "fullwidth", "comma"],
)
def test_name_keys_are_punctuation_and_space_insensitive(a: str, b: str) -> None:
    assert fuzzy_key(a) == fuzzy_key(b)
    assert text_similarity(a, b) == 1.0


def test_kana_is_romanised_not_dropped() -> None:
    assert romanise("アイ") == "ai"
    assert text_similarity("アイ", "Ai") > 0.7


GOOD = cand("Want To Be Happy", "Park Boram", album=OWN)
DECOYS = {
    "inst-twin": cand("Want To Be Happy (Inst.)", "Park Boram", album=OWN),
    "sped-up": cand("Want To Be Happy (Sped Up)", "Park Boram", duration_ms=180_000),
    "karaoke": cand(
        "Want To Be Happy (Originally Performed by Park Bo-ram) [Karaoke Version]",
        "Karaoke Kings",
        album="K-Drama Karaoke Hits",
    ),
    "piano-cover": cand("Want To Be Happy (Piano Ver.)", "Piano Dreamers"),
    "famous-same-title": cand("Want To Be Happy", "TAEYEON", album="My Voice"),
    "other-drama": cand("Want To Be Happy", "Jeong Eun Ji", album="Hospital Playlist OST Part.2"),
    "slowed": cand("Want To Be Happy - Slowed + Reverb", "Park Boram", duration_ms=260_000),
}


@pytest.mark.parametrize("decoy", sorted(DECOYS), ids=str)
def test_real_track_beats_every_decoy(decoy: str) -> None:
    t = track()
    good = score(t, GOOD)
    bad = score(t, DECOYS[decoy])
    assert good.band == "strong"
    assert bad.total < good.total
    assert bad.band != "strong"


@pytest.mark.parametrize("decoy", sorted(DECOYS), ids=str)
def test_scores_stay_in_unit_interval(decoy: str) -> None:
    s = score(track(), DECOYS[decoy])
    assert 0.0 <= s.total <= 1.0
    assert all(0.0 <= v <= 1.0 for v in s.components.values())
    assert s.reasons


def test_identical_track_scores_best() -> None:
    t = track()
    same = cand("Want To Be Happy", "Park Bo-ram", album=OWN, duration_ms=t.duration_ms)
    others = [GOOD, *DECOYS.values()]
    assert score(t, same).total >= max(score(t, c).total for c in others)
    assert score(t, same).total == pytest.approx(1.0)


def test_inst_entry_prefers_inst_twin() -> None:
    t = track(version="Inst.")
    assert score(t, DECOYS["inst-twin"]).total > score(t, GOOD).total
    t2 = track(title="Want To Be Happy (Inst.)")
    assert best_match(t2, [GOOD, DECOYS["inst-twin"]]).chosen.candidate == DECOYS["inst-twin"]  # type: ignore[union-attr]


def test_famous_same_title_by_another_artist_is_never_accepted() -> None:
    result = best_match(track(), [DECOYS["famous-same-title"], DECOYS["other-drama"]])
    assert result.status is not Status.MATCHED
    assert result.chosen is None


def test_absent_song_with_only_decoys_is_not_matched() -> None:
    result = best_match(track(), list(DECOYS.values()))
    assert result.status is not Status.MATCHED


def test_best_match_picks_vocal_over_all_decoys() -> None:
    result = best_match(track(), [*DECOYS.values(), GOOD])
    assert result.status is Status.MATCHED
    assert result.chosen is not None and result.chosen.candidate == GOOD
    assert result.ranked[0].candidate == GOOD


def test_drama_release_preferred_over_compilation_with_same_isrc() -> None:
    t = track(isrc="KRA302200001")
    own = cand("Want To Be Happy", "Park Boram", album=OWN, isrc="KRA302200001")
    comp = cand(
        "Want To Be Happy",
        "Park Boram",
        album="Best of K-Drama OST 2022",
        album_type="compilation",
        isrc="KRA302200001",
    )
    result = best_match(t, [comp, own])
    assert result.status is Status.MATCHED
    assert result.chosen is not None and result.chosen.candidate == own
    assert score(t, comp).components["isrc"] == 1.0


def test_same_isrc_is_same_recording_even_with_another_title() -> None:
    t = track(isrc="KRA302200001")
    c = cand("행복하고 싶어", "박보람", album=OWN, isrc="kra302200001")
    s = score(t, c)
    assert s.band == "strong"
    assert "same ISRC" in " ".join(s.reasons)


def test_native_title_and_name_compare_directly() -> None:
    t = track(native_title="행복하고 싶어", native_artist="박보람")
    c = cand("행복하고 싶어", "박보람", album=OWN)
    assert score(t, c).band == "strong"


def test_hangul_artist_without_catalog_native_name_uses_romanisation() -> None:
    t = track(native_title="행복하고 싶어")
    c = cand("행복하고 싶어", "박보람", album=OWN)
    s = score(t, c)
    assert s.components["artist"] >= 0.8
    assert s.band == "strong"


def test_learned_alias_and_artist_id() -> None:
    t = track(title="Sweet Night", artist="Lee Hi", native_title="달콤한 밤")
    c = cand("달콤한 밤", "이하이", album=OWN, artist_ids=("spotifyLeeHi",))
    assert score(t, c).band != "strong"
    by_name = Aliases()
    by_name.add(["Lee Hi", "이하이"])
    assert score(t, c, by_name).components["artist"] == 1.0
    by_id = Aliases()
    by_id.add(["Lee Hi"], ["spotifyLeeHi"])
    assert score(t, c, by_id).components["artist"] == 1.0
    assert score(t, c, by_id).band == "strong"


def test_aliases_merge_groups_sharing_a_name_or_id() -> None:
    a = Aliases()
    a.add(["Park Bo-ram"], ["id1"])
    a.add(["박보람"], ["id1"])
    a.add(["Park Boram", "PARK BORAM"])
    assert fuzzy_key("박보람") in a.names("Park Bo Ram")
    assert a.ids("박보람") == frozenset({"id1"})
    assert len(a) == 1


def test_featured_artist_in_title_still_matches() -> None:
    t = track(title="Stay With Me", artist="Chanyeol", featured=("Punch",), drama="Goblin")
    c = cand("Stay With Me (feat. Punch)", "CHANYEOL", "Punch", album="Goblin OST Part.1")
    assert score(t, c).band == "strong"


def test_group_credit_written_as_one_spotify_artist() -> None:
    t = Track(
        drama="X",
        title="Bad Idea",
        credits=(Credit("Moonbin"), Credit("Sanha")),
        duration_ms=198_000,
    )
    c = cand("Bad Idea", "MOONBIN&SANHA", duration_ms=198_000)
    assert score(t, c).components["artist"] >= 0.75


def test_other_dramas_ost_scores_lower_on_album() -> None:
    t = track()
    s_own = score(t, GOOD)
    s_other = score(t, cand("Want To Be Happy", "Park Boram", album="Goblin OST Part.3"))
    assert s_other.components["album"] < s_own.components["album"]


def test_drama_aliases_in_context() -> None:
    t = track(drama="Goblin")
    c = cand("Want To Be Happy", "Park Boram", album="도깨비 OST Part 3")
    plain = score(t, c)
    with_native = score(t, c, context=Context(drama_names=("도깨비",)))
    assert with_native.components["album"] == 1.0
    assert with_native.total > plain.total


def test_duration_is_used_only_when_known() -> None:
    t = track(duration_ms=None)
    s = score(t, GOOD)
    assert "duration" not in s.components
    far = score(track(), cand("Want To Be Happy", "Park Boram", album=OWN, duration_ms=400_000))
    assert far.components["duration"] == 0.0


def test_bands_are_arguments() -> None:
    strict = Bands(strong=0.999, medium=0.9, weak=0.5)
    s = score(track(), cand("Want To Be Happy", "Park Boram", album="Whatever"), bands=strict)
    assert s.band != "strong"
    assert Bands().band(0.9) == "strong"
    assert Bands().band(0.1) == "none"


def test_two_different_strong_recordings_need_review() -> None:
    t = track(duration_ms=None)
    a = cand("Want To Be Happy", "Park Boram", album=OWN, duration_ms=200_000, isrc="A1")
    b = cand("Want To Be Happy", "Park Boram", album=OWN, duration_ms=240_000, isrc="B2")
    result = best_match(t, [a, b])
    assert result.status is Status.REVIEW


def test_same_recording_on_two_albums_is_not_ambiguous() -> None:
    t = track(duration_ms=None, part=None)
    a = cand("Want To Be Happy", "Park Boram", album=OWN)
    b = cand("Want To Be Happy", "Park Boram", album="Park Boram Best")
    result = best_match(t, [b, a])
    assert result.status is Status.MATCHED
    assert result.chosen is not None and result.chosen.candidate == a


def test_no_candidates_is_not_found() -> None:
    result = best_match(track(), [])
    assert result.status is Status.NOT_FOUND
    assert result.ranked == ()


def test_explain_names_every_component() -> None:
    text = score(track(), DECOYS["inst-twin"]).explain()
    for name in ("title=", "artist=", "album=", "duration=", "version="):
        assert name in text
    assert "candidate is inst" in text


def test_title_only_in_another_script_on_the_dramas_own_part_goes_to_review() -> None:
    t = track(title="Want To Be Happy", native_title=None)
    c = cand("행복하고 싶어", "Park Boram", album=OWN)
    s = score(t, c)
    assert s.band == "medium"
    assert best_match(t, [c]).status is Status.REVIEW
    # Same script and a different title: another song, not a lead.
    other = cand("Stay With Me", "Park Boram", album=OWN)
    assert best_match(t, [other]).status is Status.NOT_FOUND
    # Another part's single: not a lead either.
    elsewhere = cand(
        "행복하고 싶어", "Park Boram", album="Soundtrack #1 (Original Soundtrack), Pt. 5"
    )
    assert best_match(t, [elsewhere]).status is Status.NOT_FOUND


REAL_SHAPES = [
    # (catalog entry, Spotify candidate as in the real OST playlists, expected band)
    (
        Track(
            drama="Do You Like Brahms?",
            title="Midnight",
            credits=(Credit("Heize"), Credit("Punch")),
        ),
        cand(
            "Midnight", "HEIZE", "Punch", album="Midnight (Do You Like Brahms? OST Special Track)"
        ),
        "strong",
    ),
    (
        Track(drama="X", title="eight", credits=(Credit("IU"), Credit("SUGA", "featured"))),
        cand("eight(Prod.&Feat. SUGA of BTS)", "IU", "SUGA", album="eight"),
        "strong",
    ),
    (
        Track(drama="X", title="Run away", credits=(Credit("MINO"),), version="Korean Ver."),
        cand("Run away - KR Ver.", "MINO", album="TAKE (KR EDITION)"),
        "strong",
    ),
    (
        Track(drama="X", title="Run away", credits=(Credit("MINO"),), version="Korean Ver."),
        cand("Run away", "MINO", album="TAKE"),
        "weak",
    ),
    (
        Track(drama="X", title="LOVE%", credits=(Credit("DEMIAN"), Credit("DAWN", "featured"))),
        cand("LOVE% (feat. DAWN)", "DEMIAN", "DAWN 던", album="A Blue not Blues"),
        "strong",
    ),
    (
        Track(drama="X", title="Forever", credits=(Credit("Cherry Filter"),)),
        cand("Forever (약속)", "Cherry Filter", album="Forever"),
        "strong",
    ),
    (
        Track(drama="X", title="약속", credits=(Credit("Cherry Filter"),)),
        cand("Forever (약속)", "Cherry Filter", album="Forever"),
        "strong",
    ),
    (
        Track(drama="X", title="Hold my hand", credits=(Credit("IU"),)),
        cand(
            "Hold My Hand", "Lady Gaga", album="Top Gun: Maverick (Music From The Motion Picture)"
        ),
        "weak",
    ),
]


@pytest.mark.parametrize(
    ("entry", "candidate", "band"),
    REAL_SHAPES,
    ids=[
        "ost-special-track",
        "prod-and-feat",
        "kr-ver-wanted",
        "kr-ver-missing",
        "feat-with-hangul-name",
        "alt-title-latin",
        "alt-title-hangul",
        "same-title-other-artist",
    ],
)
def test_real_world_shapes(entry: Track, candidate: Candidate, band: str) -> None:
    s = score(entry, candidate)
    if band == "strong":
        assert s.band == "strong", s.explain()
    else:
        assert s.band in ("weak", "none"), s.explain()


def test_hangul_is_romanised_by_koroman_with_sound_changes() -> None:
    # koroman applies Revised Romanization's sound changes; names go syllable by syllable.
    assert romanise("독립문") == "dongnimmun"
    assert romanise("좋아") == "joa"
    assert romanise("백예린", surname=True) == "baekyerin"
    assert romanise("이석훈", surname=True) == "leeseokhun"
    assert text_similarity("Hyehwadong", "혜화동") >= 0.9  # long exact romanisation
    assert text_similarity("Ai", "아이") < 0.9  # short: only a weak signal


def test_bilingual_spotify_title_matches_the_english_catalog_title() -> None:
    c = cand("사랑은 말로 표현하는게 아니래요 Love Beyond Words", "Park Boram", album=OWN)
    s = score(track(title="Love Beyond Words"), c)
    assert s.components["title"] == 1.0
    assert s.band == "strong", s.explain()


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("DOYOUNG of NCT", ["DOYOUNG of NCT", "DOYOUNG"]),
        ("Taeil (NCT)", ["Taeil (NCT)", "Taeil"]),
        ("Taeyeon (태연)", ["Taeyeon (태연)", "Taeyeon", "태연"]),
        ("Florence and the Machine", ["Florence and the Machine"]),
    ],
)
def test_name_forms_strip_group_decorations(name: str, forms: list[str]) -> None:
    assert name_forms(name) == forms


@pytest.mark.parametrize(
    ("ours", "theirs", "strong"),
    [
        ("DOYOUNG of NCT", "DOYOUNG", True),
        ("NCT DOYOUNG", "DOYOUNG", True),
        ("DOYOUNG", "NCT DOYOUNG", True),
        ("V of BTS", "V", True),
        ("Wendy", "Wendy Moten", False),  # not a group tag: another person
        ("DOYOUNG of NCT", "NCT DREAM", False),
    ],
)
def test_group_decorated_artist_names(ours: str, theirs: str, strong: bool) -> None:
    s = score(track(artist=ours), cand("Want To Be Happy", theirs, album=OWN))
    assert (s.band == "strong") is strong, s.explain()


def test_a_single_named_as_a_remix_tags_its_track() -> None:
    remix = cand("Want To Be Happy", "Park Boram", album="Want To Be Happy (Remix)")
    assert score(track(), remix).band != "strong"
    # On an ordinary album, a word in the album name says nothing about the track.
    plain = cand("Want To Be Happy", "Park Boram", album="Live On", album_type="album")
    assert score(track(), plain).band == "strong"


def test_a_track_seen_twice_keeps_what_either_copy_knows() -> None:
    # An album's track listing has no ISRC; the `isrc:` search hit for the same track has it.
    # The drama's own release must keep its ISRC, or a compilation with the ISRC would win.
    t = track(title="Close Path", isrc="KRA300000001", native_title=None)
    listed = cand("바람", "Park Boram", album=OWN)
    found = Candidate(**{**listed.__dict__, "isrc": "KRA300000001", "album": None})
    comp = cand(
        "바람",
        "Park Boram",
        album="Best of K-Drama OST",
        album_type="compilation",
        isrc="KRA300000001",
    )
    assert merge_candidates([listed, found]) == [
        Candidate(**{**listed.__dict__, "isrc": "KRA300000001"})
    ]
    result = best_match(t, [listed, comp, found])
    assert result.status is Status.MATCHED
    assert result.chosen is not None and result.chosen.candidate.uri == listed.uri
    assert result.chosen.score.components["isrc"] == 1.0


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Hospital Playlist Season 2", "Hospital Playlist", True),
        ("Hospital Playlist", "Hospital Playlist Season 2", False),
        ("Hospital Playlist Season 2", "Hospital Playlist 2", True),
        ("슬기로운 의사생활 시즌2", "슬기로운 의사생활 2", True),
        ("슬기로운 의사생활", "슬기로운 의사생활 시즌2", False),
        ("Twenty Five Twenty One", "Twenty-Five Twenty-One", True),
        ("Reply 1988", "Reply 1994", False),
        ("Goblin", "Guardian", False),
    ],
)
def test_same_drama_sets_seasons_aside(a: str, b: str, same: bool) -> None:
    assert same_drama(a, b) is same


def test_a_drama_named_with_a_compilation_word_has_its_own_ost() -> None:
    t = track(title="Aloha", artist="Jo Jung-suk", drama="Hospital Playlist", part=3)
    own = cand(
        "Aloha", "Jo Jung Suk", album="Hospital Playlist (Original Television Soundtrack), Pt. 3"
    )
    assert score(t, own).components["album"] == 1.0
    best_of = cand("Aloha", "Jo Jung Suk", album="Best of K-Drama OST Playlist", album_type="album")
    assert score(t, best_of).components["album"] == 0.3
