"""`match_tracks` end to end: real store, real SpotifyClient, the sandbox over HTTP; plus the
pure search loop with a small fake client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from conftest import MakeSandbox
from ostkit.errors import InputError, UsageError
from ostkit.matching.bands import DEFAULT_BANDS
from ostkit.matching.scoring import Aliases, Context
from ostkit.models import Candidate, Credit, Drama, SpotifyAlbum, SpotifyArtist, Status, Track
from ostkit.sandbox import Fault, Sandbox, make_id
from ostkit.services.deciding import decide
from ostkit.services.match_plan import (
    MatchOptions,
    MatchPlan,
    needs_search,
    plan_match,
    up_front_parts,
)
from ostkit.services.matching import match_tracks, search, write_decisions
from ostkit.services.review import Answer, answer_review, choose, pin, review_queue, unpin
from ostkit.services.search import Searches, search_track
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.store.catalog import CatalogStore
from ostkit.text.keys import key

BORAM = {"id": make_id("artist", "boram"), "name": "Park Boram", "names": {"ko": "박보람"}}
LEEHI = {"id": make_id("artist", "leehi"), "name": "이하이"}


def _album(name: str, kind: str = "single") -> dict[str, Any]:
    return {"id": make_id("album", name), "name": name, "album_type": kind, "release_date": "2022"}


def load_corpus(sb: Sandbox) -> dict[str, str]:
    """A small corpus with the decoys the matcher must see through; returns name -> URI."""
    own = _album("Soundtrack #1 (Original Soundtrack), Pt. 3")
    qot = _album("눈물의 여왕 OST Part 2")
    uris: dict[str, str] = {}

    def add(label: str, name: str, artists: list[Any], album: Any, **kw: Any) -> None:
        uris[label] = "spotify:track:" + sb.add_track(name, artists, album, **kw)

    add("vocal", "Want To Be Happy", [BORAM], own, duration_ms=215_000, isrc="KRA302200003")
    add("inst", "Want To Be Happy (Inst.)", [BORAM], own, duration_ms=215_000, track_number=2)
    add("sped", "Want To Be Happy (Sped Up)", [BORAM], _album("Sped Up Hits"), duration_ms=170_000)
    add(
        "karaoke",
        "Want To Be Happy (Originally Performed by Park Boram) [Karaoke Version]",
        ["Karaoke Kings"],
        _album("K-Drama Karaoke Hits", "compilation"),
    )
    add("famous", "Love Me", ["TAEYEON"], _album("My Voice", "album"), duration_ms=201_000)
    add(
        "comp",
        "Want To Be Happy",
        [BORAM],
        _album("Best of K-Drama OST 2022", "compilation"),
        duration_ms=215_000,
        isrc="KRA302200003",
    )
    add("sweet", "달콤한 밤", [LEEHI], qot, duration_ms=200_000, isrc="KRA302400001")
    add("tears", "눈물", [LEEHI], qot, duration_ms=190_000, track_number=2)
    return uris


@dataclass
class World:
    sb: Sandbox
    store: CatalogStore
    client: SpotifyClient
    uris: dict[str, str]
    ids: dict[str, int]


def _catalog(store: CatalogStore) -> dict[str, int]:
    ids: dict[str, int] = {}
    with store.transaction():
        store.save_drama(Drama(title="Soundtrack #1"))
        store.save_drama(Drama(title="Queen of Tears", native_title="눈물의 여왕"))
        rows = {
            "vocal": Track(
                drama="Soundtrack #1",
                title="Want To Be Happy",
                credits=(Credit("Park Bo-ram"),),
                part=3,
                duration_ms=219_000,  # 4 s off: a very good, not perfect, score
            ),
            "inst": Track(
                drama="Soundtrack #1",
                title="Want To Be Happy",
                version="Inst.",
                credits=(Credit("Park Bo-ram"),),
                part=3,
            ),
            "famous": Track(
                drama="Soundtrack #1", title="Love Me", credits=(Credit("Kim Na-young"),), part=1
            ),
            "absent": Track(
                drama="Soundtrack #1", title="Not On Spotify", credits=(Credit("Nobody"),), part=2
            ),
            "sweet": Track(
                drama="Queen of Tears",
                title="Sweet Night",
                native_title="달콤한 밤",
                credits=(Credit("Lee Hi"),),
                isrc="KRA302400001",
                part=2,
            ),
            "tears": Track(
                drama="Queen of Tears",
                title="Tears",
                native_title="눈물",
                credits=(Credit("Lee Hi"),),
                part=2,
            ),
        }
        for label, t in rows.items():
            ids[label] = store.save_track(t)[0]
    return ids


@pytest.fixture
def world(make_sandbox: MakeSandbox) -> Iterator[World]:
    with make_sandbox(load_default_corpus=False) as sb:
        uris = load_corpus(sb)
        store = CatalogStore.open(":memory:")
        ids = _catalog(store)
        client = SpotifyClient(
            api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
        )
        yield World(sb, store, client, uris, ids)
        store.close()


def _state(store: CatalogStore) -> dict[int, tuple[str, str | None]]:
    return {t.id or 0: (t.status.value, t.spotify_uri) for t in store.tracks()}


def test_match_end_to_end(world: World) -> None:
    report = match_tracks(world.store, world.client, MatchOptions(jobs=1))
    got = {label: world.store.get_track(i) for label, i in world.ids.items()}
    assert got["vocal"].status is Status.MATCHED
    assert got["vocal"].spotify_uri == world.uris["vocal"]  # not the Inst./sped-up/compilation
    assert got["inst"].spotify_uri == world.uris["inst"]
    assert got["famous"].status is not Status.MATCHED  # TAEYEON's "Love Me" is another song
    assert got["absent"].status is Status.NOT_FOUND
    assert got["sweet"].spotify_uri == world.uris["sweet"]  # by ISRC, title only in Hangul
    # "Tears" is only on Spotify as 눈물 by 이하이: the artist is learned from the ISRC match of
    # "Sweet Night" (same catalog artist) and the entry is accepted in the second phase.
    assert got["tears"].status is Status.MATCHED
    assert got["tears"].spotify_uri == world.uris["tears"]
    counts = report.counts()
    assert counts == {"matched": 4, "review": 0, "not_found": 2, "pinned": 0, "unmatched": 0}
    assert report.requests == world.sb.count("GET") > 0
    assert report.requests / report.searched <= 3
    leehi = world.store.find_artist("Lee Hi")
    assert leehi is not None and leehi.spotify_id == LEEHI["id"]
    assert "이하이" in leehi.aliases
    assert world.store.find_artist("이하이") == leehi
    # Second run: nothing to search, no request.
    again = match_tracks(world.store, world.client, MatchOptions())
    assert again.requests == 0 and again.searched == 0


def test_review_entries_keep_candidates_and_rerun_costs_nothing(world: World) -> None:
    strict = match_tracks(world.store, world.client, MatchOptions(jobs=1, min_score=0.9999))
    assert strict.counts()["review"] >= 1
    items = list(review_queue(world.store))
    assert len(items) == strict.counts()["review"]
    assert all(item.candidates for item in items)
    top, value, reasons = items[0].candidates[0]
    assert value is not None and reasons and top.uri.startswith("spotify:track:")
    before = world.sb.count("GET")
    # Review entries are re-decided from their stored candidates: no request, and with the
    # default threshold they are accepted now.
    report = match_tracks(world.store, world.client, MatchOptions())
    assert world.sb.count("GET") == before and report.requests == 0
    assert report.counts()["review"] < strict.counts()["review"]
    assert world.store.get_track(world.ids["vocal"]).spotify_uri == world.uris["vocal"]


def test_parallel_run_gives_the_sequential_result(world: World) -> None:
    seq = match_tracks(world.store, world.client, MatchOptions(jobs=1, dry_run=True))
    par = match_tracks(world.store, world.client, MatchOptions(jobs=4, dry_run=True))
    assert [(o.track.id, o.status, o.uri) for o in seq.outcomes] == [
        (o.track.id, o.status, o.uri) for o in par.outcomes
    ]
    assert seq.requests == par.requests


def test_dry_run_writes_nothing(world: World) -> None:
    before = _state(world.store)
    report = match_tracks(world.store, world.client, MatchOptions(dry_run=True))
    assert report.counts()["matched"] >= 3
    assert _state(world.store) == before
    assert world.store.counts()["candidates"] == 0


def test_pinned_is_never_touched_and_rematch_searches_again(world: World) -> None:
    pinned = pin(world.store, world.ids["vocal"], world.uris["comp"])
    assert pinned.status is Status.PINNED
    match_tracks(world.store, world.client, MatchOptions(jobs=2))
    assert world.store.get_track(world.ids["vocal"]).spotify_uri == world.uris["comp"]
    before = world.sb.count("GET")
    report = match_tracks(world.store, world.client, MatchOptions(rematch=True))
    assert world.sb.count("GET") > before
    assert report.searched == len(world.ids) - 1
    assert world.store.get_track(world.ids["vocal"]).status is Status.PINNED
    unpinned = unpin(world.store, world.ids["vocal"])
    assert unpinned.status is Status.UNMATCHED and unpinned.spotify_uri is None
    with pytest.raises(InputError, match="not pinned"):
        unpin(world.store, world.ids["vocal"])


def test_min_score_raises_the_bar(world: World) -> None:
    report = match_tracks(world.store, world.client, MatchOptions(min_score=1.0, dry_run=True))
    assert report.counts()["matched"] < 4
    with pytest.raises(UsageError):
        MatchOptions(min_score=0).effective_bands()


def test_pin_validates_uri_and_url(world: World) -> None:
    tid = world.ids["absent"]
    url = "https://open.spotify.com/track/" + world.uris["famous"].split(":")[-1] + "?si=x"
    assert pin(world.store, tid, url).spotify_uri == world.uris["famous"]
    with pytest.raises(InputError, match="album"):
        pin(world.store, tid, "https://open.spotify.com/album/4aawyAB9vmqN3uQ7FjRGTy")
    with pytest.raises(InputError):
        pin(world.store, tid, "https://example.com/nothing")
    before = world.store.get_track(tid)
    for short in ("spotify:track:bad", "https://open.spotify.com/track/4uLU6hMC", "4uLU6hMC"):
        with pytest.raises(InputError, match="22"):
            pin(world.store, tid, short)
    assert world.store.get_track(tid) == before


def test_choose_in_review_pins_and_learns_the_artist(world: World) -> None:
    tid = world.ids["famous"]
    cand = Candidate(
        id="x" * 22,
        uri="spotify:track:" + "x" * 22,
        name="Love Me",
        artists=(SpotifyArtist("kimnayoungid", "김나영"),),
    )
    track = choose(world.store, tid, cand)
    assert track.status is Status.PINNED and track.spotify_uri == cand.uri
    artist = world.store.find_artist("김나영")
    assert artist is not None and artist.name == "Kim Na-young"
    assert artist.spotify_id == "kimnayoungid"


# --- the search loop with a fake client (pure) ----------------------------------------------


class FakeClient:
    def __init__(self, answers: dict[str, list[Candidate]]) -> None:
        self.answers = answers
        self.queries: list[str] = []

    @property
    def request_count(self) -> int:
        return len(self.queries)

    def search_tracks(self, query: str, limit: int = 10, offset: int = 0) -> list[Candidate]:
        assert limit <= 10
        self.queries.append(query)
        return self.answers.get(query, [])

    def search_albums(self, query: str, limit: int = 10, offset: int = 0) -> list[SpotifyAlbum]:
        self.queries.append("albums " + query)
        return []

    def album_tracks(self, album_id: str) -> list[Candidate]:
        self.queries.append("album " + album_id)
        return []


def _cand(name: str, artist: str) -> Candidate:
    return Candidate(
        id=name,
        uri=f"spotify:track:{abs(hash((name, artist)))}",
        name=name,
        artists=(SpotifyArtist(None, artist),),
        album=SpotifyAlbum(None, "Drama OST Part.1"),
    )


def test_search_stops_at_the_first_confident_query() -> None:
    t = Track(drama="Drama", title="Hello", credits=(Credit("Singer"),), isrc=None)
    client = FakeClient({'track:"Hello" artist:"Singer"': [_cand("Hello", "Singer")]})
    found = search_track(
        t, client, aliases=Aliases(), context=Context(), bands=MatchOptions().effective_bands()
    )
    assert found.result.status is Status.MATCHED
    assert client.queries == ['track:"Hello" artist:"Singer"']


def test_search_runs_the_whole_plan_when_nothing_is_confident() -> None:
    t = Track(drama="Drama", title="Hello", credits=(Credit("Singer"),))
    client = FakeClient({'track:"Hello"': [_cand("Hello", "Adele")]})
    found = search_track(
        t, client, aliases=Aliases(), context=Context(), bands=MatchOptions().effective_bands()
    )
    assert found.result.status is not Status.MATCHED
    assert client.queries == [
        'track:"Hello" artist:"Singer"',
        'track:"Hello"',
        'albums album:"Drama"',
        'artist:"Singer"',
    ]


def _on(name: str, artist: str, album: str) -> Candidate:
    return replace(_cand(name, artist), album=SpotifyAlbum(None, album))


def test_the_title_alone_is_not_searched_when_the_artists_song_of_that_title_is_found() -> None:
    # Found by the artist, not confident (another drama's OST): searching the title alone
    # looks for the artist spelled otherwise, which is no longer the question.
    t = Track(drama="Drama", title="Hello", credits=(Credit("Singer"),))
    client = FakeClient({'track:"Hello" artist:"Singer"': [_on("Hello", "Singer", "Other OST")]})
    found = search_track(
        t, client, aliases=Aliases(), context=Context(), bands=MatchOptions().effective_bands()
    )
    assert found.result.status is not Status.MATCHED
    assert 'track:"Hello"' not in client.queries
    assert client.queries[0] == 'track:"Hello" artist:"Singer"'


def test_the_artists_songs_are_not_searched_when_the_dramas_ost_has_one_of_them() -> None:
    # The drama's release is reached and carries another song by the artist: the artist's
    # songs (the last query, a way to releases no search reached) add nothing.
    t = Track(drama="Drama", title="Hello", credits=(Credit("Singer"),))
    client = FakeClient({'track:"Hello"': [_on("Goodbye", "Singer", "Drama OST Part.2")]})
    found = search_track(
        t, client, aliases=Aliases(), context=Context(), bands=MatchOptions().effective_bands()
    )
    assert found.result.status is not Status.MATCHED
    assert 'artist:"Singer"' not in client.queries
    assert 'albums album:"Drama"' in client.queries


def test_quota_stop_saves_what_was_decided_and_the_next_run_continues(world: World) -> None:
    world.sb.inject(Fault("quota", path=r"^/v1/search", after=3, count=None))
    report = match_tracks(world.store, world.client, MatchOptions(jobs=1))
    assert report.error is not None and "stopped after searching" in report.error
    assert "run `ostkit match` again" in report.error
    statuses = [t.status for t in world.store.tracks()]
    assert Status.UNMATCHED in statuses  # not reached
    assert any(s is not Status.UNMATCHED for s in statuses)  # decided before the quota hit
    world.sb.clear_faults()
    again = match_tracks(world.store, world.client, MatchOptions(jobs=4))
    assert again.error is None
    assert again.searched == statuses.count(Status.UNMATCHED)
    assert Status.UNMATCHED not in [t.status for t in world.store.tracks()]
    assert world.store.get_track(world.ids["vocal"]).spotify_uri == world.uris["vocal"]


# --- the steps of match_tracks, one at a time ---------------------------------------------------


def _track(status: Status, **kw: Any) -> Track:
    return Track(drama="Drama", title="Hello", credits=(Credit("Singer"),), status=status, **kw)


@pytest.mark.parametrize(
    ("status", "stored", "rematch", "searched"),
    [
        pytest.param(Status.UNMATCHED, False, False, True, id="unmatched"),
        pytest.param(Status.MATCHED, False, False, False, id="matched"),
        pytest.param(Status.MATCHED, False, True, True, id="matched-rematch"),
        pytest.param(Status.NOT_FOUND, False, False, False, id="not_found"),
        pytest.param(Status.REVIEW, True, False, False, id="review-with-candidates"),
        pytest.param(Status.REVIEW, False, False, True, id="review-without-candidates"),
        pytest.param(Status.PINNED, False, True, False, id="pinned-rematch"),
    ],
)
def test_needs_search(status: Status, stored: bool, rematch: bool, searched: bool) -> None:
    candidates = [_cand("Hello", "Singer")] if stored else []
    assert needs_search(_track(status), candidates, rematch) is searched


def test_up_front_parts_only_for_dramas_with_enough_entries() -> None:
    few = [Track(drama="Few", title=f"T{i}", credits=(Credit("A"),), part=1) for i in range(2)]
    many = [Track(drama="Many", title=f"T{i}", credits=(Credit("A"),), part=i) for i in (1, 2, 2)]
    assert up_front_parts([*few, *many]) == {key("Many"): frozenset({1, 2})}
    no_part = Track(drama="Many", title="T9", credits=(Credit("A"),))
    assert up_front_parts([*many, no_part]) == {key("Many"): None}  # one without a part: all


def test_plan_match_reads_the_store_only(world: World) -> None:
    requests = world.client.request_count
    plan = plan_match(world.store, MatchOptions())
    assert world.client.request_count == requests
    assert sorted(t.id or 0 for t in plan.to_search) == sorted(world.ids.values())
    assert plan.up_front == {key("Soundtrack #1"): frozenset({1, 2, 3})}
    assert plan.drama_names[key("Queen of Tears")] == ("눈물의 여왕",)
    pin(world.store, world.ids["absent"], "spotify:track:" + "a" * 22)
    assert world.ids["absent"] not in [
        t.id for t in plan_match(world.store, MatchOptions()).to_search
    ]


def test_search_step_writes_nothing_and_jobs_do_not_change_it(world: World) -> None:
    plan = plan_match(world.store, MatchOptions())
    before = _state(world.store)
    one = search(plan, world.client, DEFAULT_BANDS, jobs=1)
    four = search(plan, world.client, DEFAULT_BANDS, jobs=4)
    assert _state(world.store) == before
    assert one.failure is None and set(one.found) == set(world.ids.values())
    for tid, found in one.found.items():
        assert [c.uri for c in found.candidates] == [c.uri for c in four.found[tid].candidates]
        assert found.result == four.found[tid].result


def test_decide_is_pure_and_write_decisions_saves_it(world: World) -> None:
    plan = plan_match(world.store, MatchOptions())
    searches = search(plan, world.client, DEFAULT_BANDS)
    requests, before = world.client.request_count, _state(world.store)
    decisions = decide(plan, searches, DEFAULT_BANDS)
    assert world.client.request_count == requests and _state(world.store) == before
    status = {o.track.id: o.status for o in decisions.outcomes}
    assert status[world.ids["vocal"]] is Status.MATCHED
    assert status[world.ids["absent"]] is not Status.MATCHED
    write_decisions(world.store, decisions)
    assert {t.id: t.status for t in world.store.tracks()} == status


def test_decide_redecides_review_entries_from_stored_candidates() -> None:
    t = Track(drama="Drama", title="Hello", credits=(Credit("Singer"),), status=Status.REVIEW, id=7)
    plan = MatchPlan(
        tracks=[t], to_search=[], artists=[], drama_names={}, stored={7: [_cand("Hello", "Singer")]}
    )
    decisions = decide(plan, Searches(), DEFAULT_BANDS)
    (outcome,) = decisions.outcomes
    assert outcome.status is Status.MATCHED and not outcome.searched


def test_answer_review_applies_each_kind_of_answer(world: World) -> None:
    # An impossible threshold sends every plausible entry to review with its candidates.
    match_tracks(world.store, world.client, MatchOptions(jobs=1, min_score=1.0))
    item = next(i for i in review_queue(world.store) if i.candidates)
    tid = item.track.id or 0
    assert answer_review(world.store, item, " Q ") == Answer("quit")
    assert answer_review(world.store, item, "s") == Answer("skip")
    with pytest.raises(InputError, match=f"no candidate {len(item.candidates) + 1}"):
        answer_review(world.store, item, str(len(item.candidates) + 1))
    with pytest.raises(InputError, match="not a Spotify track URI"):
        answer_review(world.store, item, "maybe")
    assert world.store.get_track(tid).status is Status.REVIEW  # nothing written so far
    chosen = item.candidates[0][0]
    assert answer_review(world.store, item, "1") == Answer("pinned", chosen.uri)
    assert world.store.get_track(tid).status is Status.PINNED
    assert answer_review(world.store, item, "n") == Answer("not_found")
    assert world.store.get_track(tid).status is Status.NOT_FOUND
    assert answer_review(world.store, item, "a" * 22) == Answer(
        "pinned", "spotify:track:" + "a" * 22
    )
