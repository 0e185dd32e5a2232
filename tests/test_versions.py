"""Version tags, credits and OST album patterns (shapes taken from real Spotify names)."""

from __future__ import annotations

import pytest

from ostkit.text.keys import clean_text
from ostkit.text.titles import (
    RECORDING_TAGS,
    is_instrumental,
    parse_album,
    parse_title,
    parse_version,
)

TITLES = [
    # (title, base, tags)
    ("Want To Be Happy (Inst.)", "Want To Be Happy", {"inst"}),
    ("Want To Be Happy (Inst)", "Want To Be Happy", {"inst"}),
    ("Want To Be Happy [Inst.]", "Want To Be Happy", {"inst"}),
    ("Want To Be Happy - Instrumental", "Want To Be Happy", {"inst"}),
    ("Want To Be Happy (Instrumental Version)", "Want To Be Happy", {"inst"}),
    ("Want To Be Happy - MR", "Want To Be Happy", {"inst"}),
    ("Mr. Chu", "Mr. Chu", set()),
    ("Stay With Me (Sped Up)", "Stay With Me", {"sped_up"}),
    ("Stay With Me (Sped Up Version)", "Stay With Me", {"sped_up"}),
    ("Stay With Me (Nightcore)", "Stay With Me", {"sped_up"}),
    ("Stay With Me - Slowed + Reverb", "Stay With Me", {"slowed"}),
    ("Stay With Me (Slowed & Reverb)", "Stay With Me", {"slowed"}),
    ("Butterfly (Club Mix)", "Butterfly", {"remix"}),
    ("Butterfly (Original Mix)", "Butterfly", {"original"}),
    ("Save Your Tears (with Ariana Grande) (Remix)", "Save Your Tears", {"remix"}),
    ("Stay With Me - Live", "Stay With Me", {"live"}),
    ("Stay With Me (Live at Seoul)", "Stay With Me", {"live"}),
    ("Live Forever", "Live Forever", set()),
    ("Beautiful (Acoustic Ver.)", "Beautiful", {"acoustic"}),
    ("Stay With Me (Piano Ver.)", "Stay With Me", {"piano"}),
    ("Beautiful (Piano Cover)", "Beautiful", {"piano", "cover"}),
    ("Run away - KR Ver.", "Run away", {"lang:ko"}),
    ("Side By Side - Korean Version", "Side By Side", {"lang:ko"}),
    ("All of my life (English ver.)", "All of my life", {"lang:en"}),
    ("Stay (Japanese Ver.)", "Stay", {"lang:ja"}),
    ("Stay (Chinese Ver.)", "Stay", {"lang:zh"}),
    ("Title (Korean Ver.) (Inst.)", "Title", {"lang:ko", "inst"}),
    (
        "Stay With Me (Originally Performed by Chanyeol & Punch) [Karaoke Version]",
        "Stay With Me",
        {"karaoke"},
    ),
    ("Stay With Me (In the Style of Chanyeol)", "Stay With Me", {"karaoke"}),
    ("Yesterday - Remastered 2009", "Yesterday", {"remaster"}),
    ("Yesterday - 2009 Remaster", "Yesterday", {"remaster"}),
    ("Yesterday (Remastered 2012)", "Yesterday", {"remaster"}),
    ("Beautiful - Radio Edit", "Beautiful", {"radio_edit"}),
    ("Beautiful (Demo)", "Beautiful", {"demo"}),
    ("夜に駆ける (TV Size)", "夜に駆ける", {"tv_size"}),
    ("Beautiful (Drama Ver.)", "Beautiful", {"drama_ver"}),
    ("Beautiful (Duet Ver.)", "Beautiful", {"ver:duet"}),
    ("행복하고 싶어 (Inst.)", "행복하고 싶어", {"inst"}),
    ("无羁 (伴奏)", "无羁", {"inst"}),
    ("无羁 (纯音乐)", "无羁", {"inst"}),
    ("光年之外 (钢琴版)", "光年之外", {"piano"}),
    ("Love Me (Like You Do)", "Love Me (Like You Do)", set()),
    ("D-D-DANCE", "D-D-DANCE", set()),
    ("Dingo X BIBI - she got it", "Dingo X BIBI - she got it", set()),
    ("Remix", "Remix", set()),
]


@pytest.mark.parametrize(("title", "base", "tags"), TITLES, ids=[t[0] for t in TITLES])
def test_parse_title_base_and_tags(title: str, base: str, tags: set[str]) -> None:
    parsed = parse_title(title)
    assert parsed.base == base
    assert parsed.tags == frozenset(tags)


CREDITS = [
    ("Apollo 11 (feat. Jay Park)", "Apollo 11", ("Jay Park",), ()),
    ("DAWNDIDIDAWN (Feat. Jessi)", "DAWNDIDIDAWN", ("Jessi",), ()),
    ("Rosario (Feat. CL, ZICO)", "Rosario", ("CL", "ZICO"), ()),
    ("Waves (feat. Simon Dominic & Jamie)", "Waves", ("Simon Dominic", "Jamie"), ()),
    ("Ice Cream (with Selena Gomez)", "Ice Cream", ("Selena Gomez",), ()),
    ("Switch to me (duet with JYP)", "Switch to me", ("JYP",), ()),
    ("No More (Prod. Zion.T)", "No More", (), ("Zion.T",)),
    ("eight(Prod.&Feat. SUGA of BTS)", "eight", ("SUGA",), ("SUGA",)),
    ("The Moon (Feat. TAEIL of NCT)", "The Moon", ("TAEIL",), ()),
    ("Love Story feat. Someone", "Love Story", ("Someone",), ()),
    ("사랑해 (Feat. 윤미래)", "사랑해", ("윤미래",), ()),
]


@pytest.mark.parametrize(
    ("title", "base", "featured", "producers"), CREDITS, ids=[c[0] for c in CREDITS]
)
def test_parse_title_credits(
    title: str, base: str, featured: tuple[str, ...], producers: tuple[str, ...]
) -> None:
    parsed = parse_title(title)
    assert parsed.base == base
    assert parsed.featured == featured
    assert parsed.producers == producers
    assert parsed.tags == frozenset()


def test_alternative_title_in_another_script() -> None:
    assert parse_title("Forever (약속)").alt_titles == ("약속",)
    assert parse_title("Forever (약속)").base == "Forever"
    assert parse_title("IDEA (理想)").alt_titles == ("理想",)
    # Same script: part of the title, kept in base but not in core.
    parsed = parse_title("One (Monster & Infinity)")
    assert parsed.base == "One (Monster & Infinity)"
    assert parsed.core == "One"


@pytest.mark.parametrize(
    ("title", "work", "part"),
    [
        (
            'Meet Me When The Sun Goes Down (From "Midnight Sun" Original Musical '
            "Soundtrack, Pt. 1)",
            "Midnight Sun",
            1,
        ),
        ('Title (From "Goblin" OST)', "Goblin", None),
        ('Title - From "Twinkling Watermelon"', "Twinkling Watermelon", None),
    ],
    ids=["from-musical-pt1", "from-drama-ost", "dash-from"],
)
def test_from_work_hint(title: str, work: str, part: int | None) -> None:
    parsed = parse_title(title)
    assert parsed.base == "Title" or parsed.base.startswith("Meet Me")
    assert parsed.from_work == work
    assert parsed.part == part


ALBUMS = [
    # (album, drama, part, is_ost, special, compilation)
    ("My Last Love OST Part.4", "My Last Love", 4, True, False, False),
    ("Goblin OST Pt. 3", "Goblin", 3, True, False, False),
    ("Hotel Del Luna OST Part.10", "Hotel Del Luna", 10, True, False, False),
    ("Start-Up OST Part.6", "Start-Up", 6, True, False, False),
    (
        "Hometown Cha-Cha-Cha (Original Television Soundtrack), Pt. 3",
        "Hometown Cha-Cha-Cha",
        3,
        True,
        False,
        False,
    ),
    (
        "Itaewon Class, Pt. 2 (Original Television Soundtrack)",
        "Itaewon Class",
        2,
        True,
        False,
        False,
    ),
    ("Goblin (Original Soundtrack)", "Goblin", None, True, False, False),
    ("Soundtrack #1 (Original Soundtrack)", "Soundtrack #1", None, True, False, False),
    (
        "Midnight (Do You Like Brahms? OST Special Track)",
        "Do You Like Brahms?",
        None,
        True,
        True,
        False,
    ),
    ("Descendants of the Sun OST Special Track", "Descendants of the Sun", None, True, True, False),
    ("Mr. Sunshine Original Drama Soundtrack", "Mr. Sunshine", None, True, False, False),
    ("사랑의 불시착 OST Part 3", "사랑의 불시착", 3, True, False, False),
    ("드라마 도깨비 OST", "도깨비", None, True, False, False),
    ("tvN 드라마 '도깨비' OST Part 2", "도깨비", 2, True, False, False),
    ("Drama A OST Part.1", "Drama A", 1, True, False, False),
    ("도깨비 (Original Television Soundtrack) Pt. 3", "도깨비", 3, True, False, False),
    (
        "The Glory (Original Soundtrack from the Netflix Series)",
        "The Glory",
        None,
        True,
        False,
        False,
    ),
    ("Best of Korean Drama OST", "Best of Korean Drama", None, True, False, True),
    ("Goblin (Korean Drama OST) Part 2", "Goblin", 2, True, False, False),
    ("K-Drama Hits OST Collection", "K-Drama Hits", None, True, False, True),
    ("K-Drama Hits Collection", None, None, False, False, True),
    ("IN LIFE", None, None, False, False, False),
    ("Atlantis - The 7th Album Repackage", None, None, False, False, False),
]


@pytest.mark.parametrize(
    ("album", "drama", "part", "is_ost", "special", "compilation"),
    ALBUMS,
    ids=[a[0] for a in ALBUMS],
)
def test_parse_album(
    album: str,
    drama: str | None,
    part: int | None,
    is_ost: bool,
    special: bool,
    compilation: bool,
) -> None:
    info = parse_album(album)
    assert (info.drama, info.part, info.is_ost, info.special, info.compilation) == (
        drama,
        part,
        is_ost,
        special,
        compilation,
    )


@pytest.mark.parametrize(
    ("album", "tags"),
    [
        ("Up (Instrumental)", {"inst"}),
        ("Karaoke Hits of 2020", {"karaoke"}),
        ("K-Drama Piano Covers", {"cover", "piano"}),
        ("Mr. Sunshine Original Drama Soundtrack", set()),
        ("Live On", set()),
        ("Spring Day (Piano Version)", {"piano"}),
    ],
    ids=[
        "instrumental-album",
        "karaoke-album",
        "piano-covers",
        "mr-is-not-mr",
        "live-word",
        "piano",
    ],
)
def test_album_tags(album: str, tags: set[str]) -> None:
    assert parse_album(album).tags == frozenset(tags)


@pytest.mark.parametrize(
    ("version", "tags"),
    [
        ("Inst.", {"inst"}),
        ("MR", {"inst"}),
        ("Acoustic Ver.", {"acoustic"}),
        ("Piano ver", {"piano"}),
        ("Korean ver.", {"lang:ko"}),
        ("Drama Ver.", {"drama_ver"}),
        ("", set()),
        (None, set()),
        ("Duet", {"ver:duet"}),
    ],
    ids=str,
)
def test_parse_version_field(version: str | None, tags: set[str]) -> None:
    assert parse_version(version) == frozenset(tags)


def test_clean_text_normalises_quotes_dashes_and_width() -> None:
    assert clean_text("Don\u2019t  \u2014 Ｓｔｏｐ") == "Don't - Stop"


def test_recording_tags_cover_the_decoy_kinds() -> None:
    assert {"inst", "karaoke", "sped_up", "slowed", "remix", "live", "piano"} <= RECORDING_TAGS
    assert "remaster" not in RECORDING_TAGS


@pytest.mark.parametrize(
    ("title", "base", "version"),
    [
        ("Love Beyond Words (Inst.)", "Love Beyond Words", "Inst."),
        ("Run away - KR Ver.", "Run away", "KR Ver."),
        ("Song - Piano Ver. - Inst.", "Song", "Piano Ver., Inst."),
        ('Stay (From "Drama X" Original Soundtrack)', "Stay", None),
        ("Night Walk (feat. Guest)", "Night Walk", None),
    ],
)
def test_parse_title_keeps_the_version_as_written(
    title: str, base: str, version: str | None
) -> None:
    parsed = parse_title(title)
    assert (parsed.base, parsed.version) == (base, version)


@pytest.mark.parametrize(
    ("title", "version", "expected"),
    [
        pytest.param("Love Is", "Inst.", True, id="version Inst."),
        pytest.param("Love Is (Inst.)", None, True, id="(Inst.)"),
        pytest.param("Love Is - Instrumental", None, True, id="- Instrumental"),
        pytest.param("Love Is (MR)", None, True, id="(MR)"),
        pytest.param("Love Is", "MR", True, id="version MR"),
        pytest.param("Love Is (반주)", None, True, id="(반주)"),
        pytest.param("Love Is (インスト)", None, True, id="(インスト)"),
        pytest.param("Love Is", "연주곡", True, id="version 연주곡"),
        # The playlist rules' own copy said no to these two; the matcher's tags say yes.
        pytest.param("Love Is (Piano Inst.)", None, True, id="(Piano Inst.)"),
        pytest.param("Love Is (伴奏)", None, True, id="(伴奏)"),
        pytest.param("Love Is", "Piano Inst.", True, id="version Piano Inst."),
        # Words that only contain those letters.
        pytest.param("Instant Love", None, False, id="Instant"),
        pytest.param("Mr. Sunshine", None, False, id="Mr."),
        pytest.param("Love Is (Instinct)", None, False, id="(Instinct)"),
        pytest.param("Love Is - Mrs. Brown", None, False, id="- Mrs."),
        pytest.param("Instrumentalist", None, False, id="Instrumentalist"),
        pytest.param("Love Is", "Acoustic Ver.", False, id="version Acoustic Ver."),
        pytest.param("Love Is", "Instinct Ver.", False, id="version Instinct Ver."),
        pytest.param("Love Is", None, False, id="plain"),
    ],
)
def test_is_instrumental(title: str, version: str | None, expected: bool) -> None:
    assert is_instrumental(title, version) is expected
