"""Query plans: cheapest and surest first, field filters quoted, limits never above 10."""

from __future__ import annotations

import pytest

from ostkit.matching.queries import (
    SEARCH_LIMIT,
    Query,
    drama_albums,
    drama_queries,
    plan,
    quote,
    title_heads,
)
from ostkit.models import Credit, SpotifyAlbum, Track


def _track(**kw: object) -> Track:
    base: dict[str, object] = {
        "drama": "Soundtrack #1",
        "title": "Want To Be Happy (Inst.)",
        "credits": (Credit("Park Bo-ram", native_name="박보람"), Credit("Punch", "featured")),
    }
    base.update(kw)
    return Track(**base)  # type: ignore[arg-type]


def test_isrc_first_then_field_filtered_then_looser() -> None:
    steps = plan(_track(isrc="kra302200001", native_title="행복하고 싶어"))
    assert [s.step for s in steps] == ["isrc", "field", "native", "title", "drama", "artist"]
    assert steps[0].q == "isrc:KRA302200001"
    # Version tags are not searched for: the Inst. twin comes back with the vocal anyway.
    assert steps[1].q == 'track:"Want To Be Happy" artist:"Park Bo-ram"'
    assert steps[2].q == 'track:"행복하고 싶어" artist:"박보람"'
    assert steps[3].q == 'track:"Want To Be Happy"'
    assert steps[4] == Query("album", 'album:"Soundtrack #1"', "drama")
    # Last, the artist's songs: a title Spotify shows only in another script, on a release no
    # search of the drama's name reaches (the drama typed under another English title).
    assert steps[5].q == 'artist:"Park Bo-ram"'


def test_native_title_without_native_artist_searches_the_title_alone() -> None:
    t = _track(credits=(Credit("Lee Hi"),), native_title="달콤한 밤", title="Sweet Night")
    native = [s for s in plan(t) if s.step == "native"]
    assert native == [Query("track", 'track:"달콤한 밤"', "native")]


def test_no_isrc_no_native_title() -> None:
    steps = plan(_track(), with_drama=False)
    assert [s.step for s in steps] == ["field", "title", "artist"]


def test_every_limit_is_at_most_ten() -> None:
    for step in plan(_track(isrc="KRA302200001", native_title="x"), drama_names=("드라마",)):
        assert 1 <= step.limit <= SEARCH_LIMIT
    with pytest.raises(ValueError, match=r"1\.\.10"):
        Query("track", "x", "field", limit=11)


def test_quotes_inside_values_cannot_break_the_filter() -> None:
    assert quote('Say "Hi"  now') == '"Say Hi now"'


def test_drama_queries_use_every_name_once() -> None:
    qs = drama_queries("Goblin", ("도깨비", "Goblin"))
    assert [q.q for q in qs] == ['album:"Goblin"', 'album:"도깨비"']


def test_drama_albums_keep_only_the_dramas_own_ost_releases() -> None:
    albums = [
        SpotifyAlbum("a1", "Goblin OST Part.1", "single"),
        SpotifyAlbum("a2", "Best of Korean Drama OST", "compilation"),
        SpotifyAlbum("a3", "Hotel Del Luna OST Part.1", "single"),
        SpotifyAlbum("a4", "도깨비 OST Part 3", "single"),
        SpotifyAlbum("a5", "Goblin", "album"),
        SpotifyAlbum("a1", "Goblin OST Part.1", "single"),
    ]
    chosen = drama_albums(albums, ["Goblin", "도깨비"])
    assert [a.id for a in chosen] == ["a1", "a4"]


def test_group_decoration_is_not_searched_for() -> None:
    t = _track(credits=(Credit("DOYOUNG of NCT"),), title="Beautiful Moment")
    assert plan(t)[0].q == 'track:"Beautiful Moment" artist:"DOYOUNG"'
    t = _track(credits=(Credit("Taeyeon (태연)"),), title="All About You")
    assert plan(t)[0].q == 'track:"All About You" artist:"Taeyeon"'


def test_drama_albums_of_another_season_name_count() -> None:
    albums = [
        SpotifyAlbum("a1", "Hospital Playlist Season 2 (Original Television Soundtrack), Pt. 5"),
        SpotifyAlbum("a2", "Hospital Doctors OST Part.1"),
    ]
    assert [a.id for a in drama_albums(albums, ["Hospital Playlist"])] == ["a1"]


def test_title_heads_are_the_titles_before_a_subtitle_long_enough_to_name_a_drama() -> None:
    assert title_heads(["Misaeng: Incomplete Life", "미생"]) == ["Misaeng"]
    assert title_heads(["Moon Lovers: Scarlet Heart Ryeo"]) == ["Moon Lovers"]
    assert title_heads(["W: Two Worlds"]) == []  # "W" names many things
    assert title_heads(["Reply 1988"]) == []  # no subtitle
