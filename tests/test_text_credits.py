"""Credits as fans write them (text.credits): parsing, writing back, native names, name lists."""

from __future__ import annotations

import pytest

from ostkit.models import Credit
from ostkit.text.credits import (
    format_credits,
    format_native,
    parse_credits,
    split_names,
    split_native,
)
from ostkit.text.titles import parse_title


def M(name: str) -> Credit:
    return Credit(name, "main")


def F(name: str) -> Credit:
    return Credit(name, "featured")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kyuhyun", [M("Kyuhyun")]),
        ("Chanyeol & Punch", [M("Chanyeol"), M("Punch")]),
        ("Epik High feat. Lee Hi", [M("Epik High"), F("Lee Hi")]),
        ("Epik High ft. Lee Hi", [M("Epik High"), F("Lee Hi")]),
        ("A, B & C", [M("A"), M("B"), M("C")]),
        ("A (Feat. B)", [M("A"), F("B")]),
        ("A & B [feat. C, D]", [M("A"), M("B"), F("C"), F("D")]),
        ("A X B", [M("A"), M("B")]),
        ("A x B", [M("A"), M("B")]),
        ("A with B", [M("A"), F("B")]),
        ("A feat. B & C", [M("A"), F("B"), F("C")]),
        ("Florence and the Machine", [M("Florence and the Machine")]),
        ("Xiumin", [M("Xiumin")]),
        ("A;B", [M("A"), M("B")]),
        ("Chanyeol & Punch;", [M("Chanyeol & Punch")]),
        ("Earth, Wind & Fire; feat. Lee Hi", [M("Earth, Wind & Fire"), F("Lee Hi")]),
        ("feat. B; A", [M("A"), F("B")]),
        ("A;;B;", [M("A"), M("B")]),
        ("  ", []),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_parse_credits(text: str, expected: list[Credit]) -> None:
    assert list(parse_credits(text)) == expected


@pytest.mark.parametrize(
    "credits",
    [
        [M("Kyuhyun")],
        [M("A"), M("B"), F("C")],
        [M("Earth, Wind & Fire")],
        [M("A & B"), F("C")],
        [M("Florence and the Machine"), F("X x Y")],
        [M("Epik High"), F("Lee Hi")],
    ],
)
def test_format_credits_round_trips(credits: list[Credit]) -> None:
    assert list(parse_credits(format_credits(credits))) == credits


def test_format_credits_prefers_fan_form() -> None:
    assert format_credits([M("A"), M("B"), F("C")]) == "A & B feat. C"
    assert format_credits([M("Earth, Wind & Fire")]) == "Earth, Wind & Fire;"


@pytest.mark.parametrize(
    "natives", [["규현"], ["에이", None], [None, "비"], ["에이", "비", "씨"], [None, None]]
)
def test_native_names_round_trip(natives: list[str | None]) -> None:
    assert split_native(format_native(natives), len(natives)) == natives


def test_native_count_mismatch() -> None:
    with pytest.raises(ValueError, match="2 native name"):
        split_native("에이 & 비", 1)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        pytest.param("A, B & C", ["A", "B", "C"], id="comma-and-ampersand"),
        pytest.param("A x B", ["A", "B"], id="x"),
        pytest.param("A × B", ["A", "B"], id="times"),
        # Where the credit parser and the title parser used to disagree:
        pytest.param("Hall and Oates", ["Hall and Oates"], id="and-is-part-of-a-name"),
        pytest.param("A / B", ["A", "B"], id="spaced-slash"),
        pytest.param("AC/DC", ["AC/DC"], id="slash-inside-a-name"),
        pytest.param("Q&A", ["Q&A"], id="ampersand-inside-a-name"),
        pytest.param("민경훈、김태원", ["민경훈", "김태원"], id="cjk-comma"),
        pytest.param("B.I.", ["B.I."], id="dots-kept"),
        pytest.param("A with B", ["A with B"], id="with-is-not-a-list-separator"),
        pytest.param(" , ", [], id="empty"),
    ],
)
def test_split_names(text: str, names: list[str]) -> None:
    assert split_names(text) == names


@pytest.mark.parametrize(
    ("title", "featured"),
    [
        pytest.param("Song (feat. Hall and Oates)", ("Hall and Oates",), id="and"),
        pytest.param("Song (feat. A & B)", ("A", "B"), id="ampersand"),
        pytest.param("Song (feat. AC/DC)", ("AC/DC",), id="slash-in-name"),
        pytest.param("Song (feat. B.I.)", ("B.I.",), id="dots"),
        pytest.param("Song (Prod. & Feat. SUGA of BTS)", ("SUGA",), id="member-of-group"),
    ],
)
def test_title_credits_use_the_same_split(title: str, featured: tuple[str, ...]) -> None:
    assert parse_title(title).featured == featured


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Hall and Oates", [M("Hall and Oates")], id="and"),
        pytest.param("A / B", [M("A"), M("B")], id="spaced-slash"),
        pytest.param("AC/DC", [M("AC/DC")], id="slash-in-name"),
        pytest.param("민경훈、김태원", [M("민경훈"), M("김태원")], id="cjk-comma"),
    ],
)
def test_credit_fields_split_like_titles(text: str, expected: list[Credit]) -> None:
    assert list(parse_credits(text)) == expected
