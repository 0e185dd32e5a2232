"""Bands, named caps and the decision step (``ostkit.matching.bands`` and ``.decide``)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from ostkit.matching.bands import (
    DURATION_DIFFERS,
    TITLE_OR_ARTIST_MISMATCH,
    TITLE_OR_ARTIST_PARTIAL,
    Band,
    Bands,
)
from ostkit.matching.decide import best_match, rank, same_recording
from ostkit.matching.scoring import same_isrc, score
from ostkit.models import Candidate, Credit, SpotifyAlbum, SpotifyArtist, Status, Track


def cand(
    uri: str,
    name: str = "Want To Be Happy",
    artist: str = "Park Boram",
    *,
    isrc: str | None = None,
    duration_ms: int | None = 215_000,
) -> Candidate:
    return Candidate(
        id=uri,
        uri=f"spotify:track:{uri}",
        name=name,
        artists=(SpotifyArtist(f"a-{artist}", artist),),
        album=SpotifyAlbum("al1", "Soundtrack #1 (Original Soundtrack), Pt. 3"),
        duration_ms=duration_ms,
        isrc=isrc,
    )


def track(title: str = "Want To Be Happy", artist: str = "Park Bo-ram") -> Track:
    return Track(drama="Soundtrack #1", title=title, credits=(Credit(artist),), part=3)


def test_band_is_a_plain_string_in_json_and_text() -> None:
    s = score(track(), cand("x1"))
    assert s.band is Band.STRONG
    assert json.dumps({"band": s.band}) == '{"band": "strong"}'
    assert f"{s.band:<6}|" == "strong|"
    assert s.explain().split()[1] == "strong:"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0.85, Band.STRONG),
        (0.84, Band.MEDIUM),
        (0.65, Band.MEDIUM),
        (0.45, Band.WEAK),
        (0.1, Band.NONE),
    ],
)
def test_bands_thresholds(total: float, band: Band) -> None:
    assert Bands().band(total) is band


def test_bands_are_arguments() -> None:
    assert Bands(strong=0.95).band(0.9) is Band.MEDIUM


def test_caps_name_their_reason_and_move_with_the_bands() -> None:
    strict = Bands(strong=0.95, medium=0.7, weak=0.5)
    assert TITLE_OR_ARTIST_PARTIAL.apply(0.99, strict) == pytest.approx(0.94)
    assert DURATION_DIFFERS.apply(0.5, strict) == 0.5  # a ceiling never lifts a score
    assert TITLE_OR_ARTIST_MISMATCH.apply(0.9, Bands()) == pytest.approx(0.55)
    other = score(track(), cand("x2", "Another Song", "Someone Else"))
    assert TITLE_OR_ARTIST_MISMATCH.reason in other.reasons


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param("KRA302200001", "KRA302200001", True, id="equal"),
        pytest.param("kra302200001", "KRA302200001", True, id="case"),
        pytest.param(" KRA302200001 ", "KRA302200001", True, id="padded"),
        pytest.param("KRA302200001", "KRA302200002", False, id="different"),
        pytest.param(None, "KRA302200001", None, id="unknown"),
        pytest.param("", "KRA302200001", None, id="empty"),
    ],
)
def test_same_isrc(a: str | None, b: str | None, same: bool | None) -> None:
    assert same_isrc(a, b) is same


def test_same_recording_reads_isrcs_as_the_scorer_does() -> None:
    # Scoring took " KRA302200001 " and "KRA302200001" for one recording, the rival check for two
    # (no strip): one rule now, so a padded ISRC is no rival of its own recording.
    a = cand("x1", isrc=" KRA302200001 ")
    b = cand("x2", name="Another Title", isrc="KRA302200001")
    assert same_recording(a, b)
    t = replace(track(), isrc="KRA302200001")
    assert score(t, a).components["isrc"] == 1.0 and score(t, b).components["isrc"] == 1.0
    assert best_match(t, [a, b]).status is Status.MATCHED


def test_rank_best_first_and_decide() -> None:
    good, bad = cand("x1"), cand("x2", "Another Song", "Someone Else")
    ranked = rank(track(), [bad, good])
    assert [r.candidate.uri for r in ranked] == [good.uri, bad.uri]
    assert best_match(track(), [bad, good]).chosen == ranked[0]
    assert best_match(track(), []).status is Status.NOT_FOUND
