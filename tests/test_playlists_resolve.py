"""The steps of ``resolve`` alone: names checked, exclusions, the drama/artist selection,
explicit tracks and the order."""

from __future__ import annotations

import pytest

from ostkit.errors import InputError
from ostkit.models import Credit, Track
from ostkit.playlists.definition import PlaylistDefinition, parse_playlist_text
from ostkit.playlists.plan import (
    check_names,
    excluded_tracks,
    explicit_tracks,
    resolve,
    select_by_drama_and_artist,
    sort_tracks,
)


def _t(
    i: int, drama: str, title: str, artist: str = "Singer", *, part: int, release_date: str = ""
) -> Track:
    return Track(
        drama=drama,
        title=title,
        credits=(Credit(artist),),
        id=i,
        part=part,
        release_date=release_date or None,
    )


CATALOG = [
    _t(1, "Alpha", "Zebra", part=1, release_date="2021"),
    _t(2, "Alpha", "Apple (Inst.)", part=1),
    _t(3, "Alpha", "Mango", "Other", part=2, release_date="2020"),
    _t(4, "Beta", "Berry", part=1),
    _t(5, "Beta", "Zebra", part=2),
]


def _file(body: str) -> PlaylistDefinition:
    return parse_playlist_text('[playlist]\nname = "P"\n' + body)


def test_check_names_points_at_the_line() -> None:
    with pytest.raises(InputError, match=r":3: drama 'Alfa' is not in the catalog; did you mean"):
        check_names(_file('dramas = ["Alfa"]\n'), CATALOG)
    with pytest.raises(InputError, match="no catalog track is credited to 'Nobody'"):
        check_names(_file('artists = ["Nobody"]\n'), CATALOG)


def test_excluded_tracks_must_each_match() -> None:
    d = _file('dramas = ["Alpha"]\nexclude = [{ title = "Mango" }]\n')
    assert excluded_tracks(d, CATALOG) == {id(CATALOG[2])}
    with pytest.raises(InputError, match="exclude: no catalog track matches"):
        excluded_tracks(_file('dramas = ["Alpha"]\nexclude = [{ title = "Kiwi" }]\n'), CATALOG)


def test_selection_by_drama_order_parts_and_instrumentals() -> None:
    d = _file('dramas = ["Beta", "Alpha"]\nparts = [1]\ninstrumentals = "exclude"\n')
    picked = select_by_drama_and_artist(d, CATALOG, set())
    assert [t.id for t in picked] == [4, 1]
    by_artist = _file('artists = ["Other"]\n')
    assert [t.id for t in select_by_drama_and_artist(by_artist, CATALOG, set())] == [3]
    assert select_by_drama_and_artist(_file("tracks = [1]\n"), CATALOG, set()) == []


def test_explicit_tracks_must_name_exactly_one() -> None:
    assert [t.id for t in explicit_tracks(_file("tracks = [3, 1]\n"), CATALOG)] == [3, 1]
    with pytest.raises(InputError, match="matches 2 tracks"):
        explicit_tracks(_file('tracks = [{ title = "Zebra" }]\n'), CATALOG)


def test_a_reference_without_version_means_the_song_not_its_instrumental() -> None:
    song = Track(drama="Alpha", title="Kiwi", credits=(Credit("Singer"),), id=7)
    inst = Track(drama="Alpha", title="Kiwi", credits=(Credit("Singer"),), id=8, version="Inst.")
    cover = Track(drama="Alpha", title="Kiwi", credits=(Credit("Singer"),), id=9, version="MR")
    plain = _file('tracks = [{ title = "Kiwi" }]\n')
    assert [t.id for t in explicit_tracks(plain, [inst, song])] == [7]
    tagged = _file('tracks = [{ title = "Kiwi", version = "Inst." }]\n')
    assert [t.id for t in explicit_tracks(tagged, [inst, song])] == [8]
    # exclude reads a reference the same way
    excluded = excluded_tracks(
        _file('dramas = ["Alpha"]\nexclude = [{ title = "Kiwi" }]\n'), [inst, song]
    )
    assert excluded == {id(song)}
    # Two tagged versions and no plain one: still ambiguous.
    with pytest.raises(InputError, match="matches 2 tracks"):
        explicit_tracks(plain, [inst, cover])


@pytest.mark.parametrize(
    ("order", "ids"),
    [
        ("as_listed", [4, 3, 1]),
        ("drama_part", [1, 3, 4]),
        ("release_date", [3, 1, 4]),
        ("title", [4, 3, 1]),
    ],
)
def test_sort_tracks(order: str, ids: list[int]) -> None:
    selected = [CATALOG[3], CATALOG[2], CATALOG[0]]
    sort_tracks(_file(f'tracks = [4]\norder = "{order}"\n'), selected, CATALOG)
    assert [t.id for t in selected] == ids


def test_resolve_adds_explicit_tracks_once_after_the_selection() -> None:
    d = _file('dramas = ["Beta"]\ntracks = [2, 4]\n')
    assert [t.id for t in resolve(d, CATALOG)] == [4, 5, 2]
