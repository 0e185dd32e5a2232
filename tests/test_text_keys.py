"""Identity keys and the matcher's fuzzy key (text.keys), scripts and romanisation."""

from __future__ import annotations

import pytest

from ostkit.text.keys import fuzzy_key, key, norm, track_key
from ostkit.text.romanise import romanise
from ostkit.text.scripts import script_runs


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("DAVICHI", "Davichi"),
        ("Park Bo-ram", "Park Boram"),
        ("park  boram", "PARK BO-RAM"),
        ("Love Beyond Words", "love beyond words!"),
        ("“Talk To Me”", '"Talk to me"'),
        ("Ｔａｌｋ", "talk"),  # NFKC folds full-width letters
    ],
)
def test_keys_unify(a: str, b: str) -> None:
    assert key(a) == key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("박보람", "Park Boram"), ("?", "!"), ("My Love", "My Lover")]
)
def test_keys_keep_apart(a: str, b: str) -> None:
    assert key(a) != key(b)


@pytest.mark.parametrize(
    ("a", "b", "identity", "fuzzy"),
    [
        # The two keys disagreed on "&" when both were called ``key``: the catalog's identity
        # (stored) drops it, the matcher reads it as "and".
        pytest.param("Love & War", "Love and War", False, True, id="ampersand"),
        pytest.param("Love & War", "Love War", True, False, id="ampersand-dropped"),
        pytest.param("?", "!", False, True, id="punctuation-only"),
        pytest.param("Park Bo-ram", "park boram", True, True, id="hyphen-and-case"),
        pytest.param("Don’t Forget", "Dont Forget", True, True, id="curly-apostrophe"),
    ],
)
def test_identity_and_fuzzy_keys(a: str, b: str, identity: bool, fuzzy: bool) -> None:
    assert (key(a) == key(b)) is identity
    assert (fuzzy_key(a) == fuzzy_key(b)) is fuzzy


def test_identity_key_values_are_the_stored_ones() -> None:
    # Stored in the catalog: these outputs may only change together with a re-keying migration.
    assert key("Love & War") == "lovewar"
    assert key("Park Bo-ram") == "parkboram"
    assert key("?") == "?"
    assert fuzzy_key("Love & War") == "loveandwar"
    assert fuzzy_key("?") == ""


def test_track_key_tells_versions_apart() -> None:
    assert track_key("My Love") != track_key("My Love", "Inst.")
    assert track_key("My Love", " ") == track_key("My Love")


def test_norm_keeps_words_and_scripts() -> None:
    assert norm("Love & War!") == "love and war"
    assert norm("행복하고 싶어") == "행복하고 싶어"


@pytest.mark.parametrize(
    ("hangul", "latin"),
    [("박보람", "parkboram"), ("윤미래", "yoonmirae"), ("김범수", "kimbeomsu")],
    ids=["park-bo-ram", "yoon-mi-rae", "kim-beom-su"],
)
def test_romanise_names_family_name_first(hangul: str, latin: str) -> None:
    assert romanise(hangul, surname=True) == latin


@pytest.mark.parametrize(
    ("title", "runs"),
    [
        ("어른 Grown Ups", ["어른", "Grown Ups"]),
        (
            "사랑은 말로 표현하는게 아니래요 Love Beyond Words",
            ["사랑은 말로 표현하는게 아니래요", "Love Beyond Words"],
        ),
        ("恋 Koi", ["恋", "Koi"]),
        ("Love, Maybe", []),
        ("3月9日", []),
    ],
)
def test_script_runs_split_bilingual_titles(title: str, runs: list[str]) -> None:
    assert script_runs(title) == runs
