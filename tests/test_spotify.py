"""SpotifyClient against the sandbox over real HTTP: JSON -> models, paging, limits, every fault
mode of the network policy, request counts, and that removed endpoints are never requested."""

from __future__ import annotations

import itertools
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
import requests

from conftest import MakeSandbox
from ostkit.config import Settings
from ostkit.errors import (
    AmbiguousWriteError,
    AuthError,
    BadRequestError,
    ForbiddenError,
    InputError,
    LimitError,
    NotFoundError,
    OstkitError,
    RateLimitError,
    ServerError,
    SpotifyError,
    SpotifyNotFoundError,
)
from ostkit.models import Candidate
from ostkit.sandbox import Fault, Sandbox, make_id
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.parse import entry_item
from ostkit.spotify.policy import NetPolicy, RateLimiter, human_duration, parse_retry_after
from ostkit.spotify.token_cache import TokenCache
from ostkit.spotify.tokens import TokenManager
from ostkit.spotify.transport import check_answer, follow_url
from scripted_http import CUT, HTML_502, RESET, Answer, Scripted, empty, js, text
from spotify_requests import check_api_request, check_token_request, check_wire, tap

# Endpoints removed for Development-Mode apps: no test here may cause a request to them.
REMOVED = [
    re.compile(r"/v1/(tracks|albums|artists|episodes|shows|audiobooks|chapters)"),  # batch GETs
    re.compile(r"/v1/playlists/[^/]+/tracks"),
    re.compile(r"/v1/playlists/[^/]+/followers.*"),
    re.compile(r"/v1/users/.*"),
    re.compile(r"/v1/artists/[^/]+/(albums|top-tracks|related-artists)"),
]

OST = {
    "id": make_id("test-ost"),
    "name": "Soundtrack #1 OST",
    "album_type": "album",
    "release_date": "2022-03-11",
    "artists": [{"id": make_id("various"), "name": "Various Artists"}],
}


class FakeTime:
    """A clock that only moves when something sleeps: waits are recorded, never slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def sb(make_sandbox: MakeSandbox) -> Iterator[Sandbox]:
    with make_sandbox(load_default_corpus=False) as sandbox:
        sandbox.add_track(
            "Love Beyond Words",
            [{"name": "KYUHYUN", "names": {"ko": "규현"}}],
            album=OST,
            names={"ko": "사랑은 말로 표현하는게 아니래요"},
            duration_ms=215000,
            isrc="KRA382200101",
        )
        sandbox.add_track("Mirage", ["Colde"], album=OST, duration_ms=201000)
        sandbox.add_track("Star", ["Colde"], album=OST, duration_ms=190000)
        yield sandbox
        called = [r.path for r in sandbox.requests if any(p.fullmatch(r.path) for p in REMOVED)]
        assert called == [], f"removed endpoints were requested: {called}"


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def make_client(sb: Sandbox, fake: FakeTime | None = None, **kwargs: object) -> SpotifyClient:
    policy = kwargs.pop("policy", None) or NetPolicy.for_tests()
    auth = kwargs.pop("auth", None) or sb.issue_access_token()
    if fake is not None:
        kwargs.setdefault("limiter", RateLimiter(None, clock=fake.clock, sleep=fake.sleep))
        kwargs.setdefault("sleep", fake.sleep)
    return SpotifyClient(api_url=sb.api_url, auth=auth, policy=policy, **kwargs)  # type: ignore[arg-type]


_serial = itertools.count()


def settled(count: Callable[[], int], expected: int, seconds: float = 2.0) -> int:
    """The sandbox logs a slow request when it answers: wait (briefly) for ``expected``."""
    deadline = time.monotonic() + seconds
    while count() < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)  # and nothing more arrives
    return count()


def uris(sb: Sandbox, n: int) -> list[str]:
    """``n`` new tracks in the sandbox, as URIs."""
    return [
        f"spotify:track:{sb.add_track(f'Song {next(_serial)}', ['Filler'], album=OST)}"
        for _ in range(n)
    ]


# --- reads -> models ------------------------------------------------------------------------------


def test_search_tracks_returns_candidates_with_album_and_isrc(sb: Sandbox) -> None:
    client = make_client(sb)
    found = client.search_tracks('track:"Love Beyond Words"', limit=5)
    assert len(found) == 1
    track = found[0]
    assert isinstance(track, Candidate)
    assert track.name == "Love Beyond Words"
    assert [a.name for a in track.artists] == ["KYUHYUN"]
    assert track.album is not None and track.album.name == "Soundtrack #1 OST"
    assert track.album.release_date == "2022-03-11"
    assert track.isrc == "KRA382200101"
    assert track.duration_ms == 215000
    (request,) = sb.requests
    assert request.path == "/v1/search"
    assert request.query["type"] == ["track"]
    assert request.query["limit"] == ["5"]
    assert client.request_count == 1


def test_fixed_accept_language_gives_stable_names(sb: Sandbox) -> None:
    english = make_client(sb).search_tracks("Love Beyond Words")[0]
    assert english.name == "Love Beyond Words" and english.artists[0].name == "KYUHYUN"
    korean = make_client(sb, language="ko").search_tracks("Love Beyond Words")[0]
    assert korean.name == "사랑은 말로 표현하는게 아니래요"
    assert korean.artists[0].name == "규현"


@pytest.mark.parametrize("limit", [0, 11, 50])
def test_search_limit_over_10_is_refused_before_any_request(sb: Sandbox, limit: int) -> None:
    client = make_client(sb)
    with pytest.raises(LimitError, match=r"search limit must be 1\.\.10") as info:
        client.search_tracks("Mirage", limit=limit)
    assert isinstance(info.value, OstkitError) and isinstance(info.value, ValueError)
    with pytest.raises(LimitError):
        client.search_albums("Soundtrack", limit=limit)
    assert sb.requests == [] and client.request_count == 0


def test_search_albums(sb: Sandbox) -> None:
    albums = make_client(sb).search_albums('album:"Soundtrack #1 OST"', limit=10)
    assert [a.name for a in albums] == ["Soundtrack #1 OST"]
    assert albums[0].total_tracks == 3 and albums[0].album_type == "album"


@pytest.mark.parametrize("form", ["id", "uri", "url"])
def test_get_track_accepts_id_uri_url(sb: Sandbox, form: str) -> None:
    client = make_client(sb)
    track = client.search_tracks("Mirage")[0]
    value = {
        "id": track.id,
        "uri": track.uri,
        "url": f"https://open.spotify.com/track/{track.id}?si=abc",
    }[form]
    assert client.get_track(value) == track
    assert sb.requests[-1].path == f"/v1/tracks/{track.id}"


def test_unknown_track_is_not_found(sb: Sandbox) -> None:
    with pytest.raises(SpotifyNotFoundError, match="not found on Spotify") as info:
        make_client(sb).get_track("0" * 22)
    assert isinstance(info.value, NotFoundError) and info.value.status == 404


def test_album_tracks_pages_and_fills_in_the_album(sb: Sandbox) -> None:
    big = {
        "id": make_id("big-ost"),
        "name": "Big OST",
        "album_type": "compilation",
        "release_date": "2021",
        "artists": [{"id": make_id("composer"), "name": "Composer"}],
    }
    ids = [sb.add_track(f"Cue {i}", ["Composer"], album=big) for i in range(73)]
    client = make_client(sb)
    album_id = client.search_albums('album:"Big OST"')[0].id
    assert album_id is not None
    sb.clear_requests()
    tracks = client.album_tracks(f"spotify:album:{album_id}")
    assert [t.id for t in tracks] == ids
    assert all(t.album is not None and t.album.name == "Big OST" for t in tracks)
    assert tracks[0].album is not None and tracks[0].album.album_type == "compilation"
    # GET /albums/{id} (first 50 tracks) + one next page
    assert [r.path for r in sb.requests] == [
        f"/v1/albums/{album_id}",
        f"/v1/albums/{album_id}/tracks",
    ]


def test_current_user(sb: Sandbox) -> None:
    user = make_client(sb).current_user()
    assert (user.id, user.display_name) == ("sandbox-user", "Sandbox User")


def test_my_playlists_pages_lazily(sb: Sandbox) -> None:
    for i in range(57):
        sb.create_playlist(f"List {i}")
    client = make_client(sb)
    pages = client.my_playlists()
    first = next(pages)
    assert client.request_count == 1
    rest = list(pages)
    assert len(rest) + 1 == 57 and client.request_count == 2
    assert {p.owner_id for p in rest} == {"sandbox-user"} and first.name.startswith("List")


def test_playlist_items_pages_in_order(sb: Sandbox) -> None:
    wanted = uris(sb, 120)
    pid = sb.create_playlist("Big", uris=wanted)
    client = make_client(sb)
    assert client.playlist_item_uris(f"https://open.spotify.com/playlist/{pid}") == wanted
    assert sb.count("GET", rf"/v1/playlists/{pid}/items") == 3  # 50 + 50 + 20
    tracks = client.playlist_tracks(pid)
    assert [t.uri for t in tracks if t is not None] == wanted
    playlist = client.get_playlist(pid)
    assert (playlist.total, playlist.name, playlist.owner_id) == (120, "Big", "sandbox-user")


def test_legacy_track_field_is_read_too(make_sandbox: MakeSandbox) -> None:
    with make_sandbox(load_default_corpus=False, legacy_track_field=True) as sandbox:
        wanted = uris(sandbox, 3)
        pid = sandbox.create_playlist("Legacy", uris=wanted)
        assert make_client(sandbox).playlist_item_uris(pid) == wanted


def test_entry_item_prefers_item_then_track_and_skips_null() -> None:
    track = {"type": "track", "uri": "spotify:track:1"}
    old = {"type": "track", "uri": "spotify:track:2"}
    assert entry_item({"item": track, "track": old}) == track
    assert entry_item({"track": old}) == old
    assert entry_item({"item": None, "track": None}) is None
    assert entry_item(None) is None


# --- writes -----------------------------------------------------------------------------------


def test_create_add_replace_remove_change_details(sb: Sandbox) -> None:
    client = make_client(sb)
    playlist = client.create_playlist("My OSTs", public=False, description="from ostkit")
    assert (playlist.name, playlist.public, playlist.total) == ("My OSTs", False, 0)
    assert sb.requests[-1].method == "POST" and sb.requests[-1].path == "/v1/me/playlists"
    some = [t.uri for t in client.search_tracks("Colde")]
    snap = client.add_items(playlist.id, some, expected_total=0)
    assert snap and sb.playlist_items(playlist.id) == some
    post = sb.requests[-1]
    assert post.body == {"uris": some}  # the documented body shape, not a bare array
    snap2 = client.replace_items(playlist.id, list(reversed(some)))
    assert snap2 != snap and sb.playlist_items(playlist.id) == list(reversed(some))
    client.remove_items(playlist.id, some[:1])
    assert sb.playlist_items(playlist.id) == some[1:]
    client.change_details(playlist.id, name="Renamed", description="new", public=False)
    again = client.get_playlist(playlist.id)
    assert (again.name, again.description) == ("Renamed", "new")


def test_add_items_batches_of_100_and_position(sb: Sandbox) -> None:
    wanted = uris(sb, 250)
    pid = sb.create_playlist("Batches")
    client = make_client(sb)
    client.add_items(pid, wanted, expected_total=0)
    assert sb.playlist_items(pid) == wanted
    posts = [r for r in sb.requests if r.method == "POST"]
    assert [len(r.body["uris"]) for r in posts] == [100, 100, 50]
    assert sb.count("GET") == 0  # expected_total given: nothing read
    first = uris(sb, 2)
    client.add_items(pid, first, position=0)  # no expected_total: one GET to learn it
    assert sb.playlist_items(pid)[:3] == [*first, wanted[0]]
    assert sb.count("GET", rf"/v1/playlists/{pid}$") == 1


def test_replace_more_than_100_is_refused(sb: Sandbox) -> None:
    with pytest.raises(LimitError, match="at most 100"):
        make_client(sb).replace_items(sb.create_playlist("x"), uris(sb, 101))
    assert sb.count("PUT") == 0


def test_remove_items_batches(sb: Sandbox) -> None:
    wanted = uris(sb, 150)
    pid = sb.create_playlist("Remove", uris=wanted)
    make_client(sb).remove_items(pid, wanted[:120])
    assert sb.playlist_items(pid) == wanted[120:]
    assert sb.count("DELETE") == 2


def test_description_rules(sb: Sandbox) -> None:
    client = make_client(sb)
    with pytest.raises(InputError, match="line breaks"):
        client.create_playlist("x", description="a\nb")
    with pytest.raises(LimitError, match="at most 300"):
        client.create_playlist("x", description="a" * 301)
    assert sb.requests == []


# --- network policy: 429 ------------------------------------------------------------------------


def test_short_429_waits_retry_after_and_succeeds(sb: Sandbox, fake: FakeTime) -> None:
    sb.inject(Fault("rate_limit", path="/v1/search", retry_after=3))
    client = make_client(sb, fake, policy=NetPolicy.for_tests())
    assert client.search_tracks("Mirage")
    assert fake.sleeps == [3.0]
    assert sb.count("GET", "/v1/search") == 2 and client.request_count == 2


def test_429_pauses_every_thread_sharing_the_limiter(sb: Sandbox) -> None:
    limiter = RateLimiter(None)
    a = make_client(sb, limiter=limiter)
    b = make_client(sb, limiter=limiter)
    sb.inject(Fault("rate_limit", path="/v1/search", retry_after=1))
    worker = threading.Thread(target=a.search_tracks, args=("Mirage",))
    worker.start()
    settled(lambda: sb.count("GET", "/v1/search"), 1)  # thread a got its 429
    started = time.monotonic()
    b.current_user()  # another thread, another client, same limiter: held until Retry-After
    assert time.monotonic() - started >= 0.7
    worker.join()
    assert sb.count("GET", "/v1/search") == 2


def test_long_retry_after_stops_with_a_retry_time(sb: Sandbox, fake: FakeTime) -> None:
    sb.inject(Fault("rate_limit", path="/v1/search", retry_after=7200))
    client = make_client(sb, fake, policy=NetPolicy.for_tests())
    with pytest.raises(RateLimitError) as info:
        client.search_tracks("Mirage")
    message = str(info.value)
    assert "wait 2 h" in message and "retry in 2 h" in message and "UTC" in message
    assert info.value.retry_after == 7200 and info.value.status == 429
    assert fake.sleeps == [] and sb.count("GET", "/v1/search") == 1


def test_quota_exceeded_stops_at_once(sb: Sandbox, fake: FakeTime) -> None:
    sb.inject(Fault("quota", path="/v1/search", retry_after=5))  # even a short Retry-After
    client = make_client(sb, fake)
    with pytest.raises(RateLimitError, match=r"quota exceeded .*retry in 5 s") as info:
        client.search_tracks("Mirage")
    assert info.value.reason == "QUOTA_EXCEEDED"
    assert fake.sleeps == [] and sb.count("GET", "/v1/search") == 1


def test_quota_default_retry_after_is_told_in_hours(sb: Sandbox, fake: FakeTime) -> None:
    sb.inject(Fault("quota", path="/v1/me"))
    with pytest.raises(RateLimitError, match=r"retry in 17 h 3 min \(after \d{4}-\d\d-\d\d "):
        make_client(sb, fake).current_user()


def test_endless_429_gives_up_after_the_wait_budget(sb: Sandbox, fake: FakeTime) -> None:
    sb.inject(Fault("rate_limit", path="/v1/me", retry_after=1, count=None))
    policy = NetPolicy(max_rate_limit_waits=3, rate_per_second=None)
    with pytest.raises(RateLimitError, match="still answering 429 after 3 waits"):
        make_client(sb, fake, policy=policy).current_user()
    assert fake.sleeps == [1.0, 1.0, 1.0] and sb.count("GET", "/v1/me") == 4


# --- network policy: 5xx, timeouts, dropped connections ---------------------------------------


def test_5xx_on_a_read_is_retried_with_backoff(sb: Sandbox, fake: FakeTime) -> None:
    sb.inject(Fault("server_error", path="/v1/search", status=503, count=2))
    policy = NetPolicy(backoff_base=0.5, backoff_max=8, jitter=0.5, rate_per_second=None)
    client = make_client(sb, fake, policy=policy)
    assert client.search_tracks("Mirage")
    assert sb.count("GET", "/v1/search") == 3
    assert len(fake.sleeps) == 2
    assert 0.25 <= fake.sleeps[0] <= 0.5 and 0.5 <= fake.sleeps[1] <= 1.0  # exp. + jitter


def test_5xx_retries_are_bounded(sb: Sandbox, fake: FakeTime) -> None:
    sb.inject(Fault("server_error", path="/v1/me", status=500, count=None, empty_body=True))
    with pytest.raises(SpotifyError, match=r"failed after 4 attempts \(Spotify answered 500\)"):
        make_client(sb, fake).current_user()
    assert sb.count("GET", "/v1/me") == 4 and len(fake.sleeps) == 3


def test_5xx_on_idempotent_replace_is_retried(sb: Sandbox, fake: FakeTime) -> None:
    wanted = uris(sb, 3)
    pid = sb.create_playlist("Replace", uris=wanted[:1])
    sb.inject(Fault("applied_then_error", method="PUT", path="/items"))
    make_client(sb, fake).replace_items(pid, wanted)
    assert sb.playlist_items(pid) == wanted and sb.count("PUT") == 2


def test_add_applied_then_502_is_not_duplicated(sb: Sandbox, fake: FakeTime) -> None:
    base = uris(sb, 2)
    pid = sb.create_playlist("Add", uris=base)
    new = uris(sb, 3)
    sb.inject(Fault("applied_then_error", method="POST", path="/items"))
    client = make_client(sb, fake)
    snapshot = client.add_items(pid, new, expected_total=2)
    assert sb.playlist_items(pid) == [*base, *new]  # once, not twice
    assert snapshot == sb.playlist_snapshot(pid)
    assert sb.count("POST") == 1
    # read back: GET playlist (total) + GET items at the insert position
    assert [(r.method, r.path) for r in sb.requests[1:]] == [
        ("GET", f"/v1/playlists/{pid}"),
        ("GET", f"/v1/playlists/{pid}/items"),
    ]
    assert sb.requests[2].query["offset"] == ["2"]


def test_add_not_applied_502_is_retried_once(sb: Sandbox, fake: FakeTime) -> None:
    pid = sb.create_playlist("Add")
    new = uris(sb, 2)
    sb.inject(Fault("server_error", method="POST", path="/items", status=502))
    make_client(sb, fake).add_items(pid, new, expected_total=0)
    assert sb.playlist_items(pid) == new
    assert sb.count("POST") == 2 and sb.count("GET", rf"/v1/playlists/{pid}$") == 1


def test_add_dropped_connection_after_write_is_not_duplicated(sb: Sandbox, fake: FakeTime) -> None:
    pid = sb.create_playlist("Drop")
    new = uris(sb, 2)
    sb.inject(Fault("drop_connection", method="POST", path="/items", apply=True))
    make_client(sb, fake).add_items(pid, new, expected_total=0)
    assert sb.playlist_items(pid) == new and sb.count("POST") == 1


def test_add_read_timeout_after_write_is_not_duplicated(sb: Sandbox) -> None:
    pid = sb.create_playlist("Slow")
    new = uris(sb, 2)
    # The sandbox applies the write, then answers after 0.6 s: past the 0.2 s read timeout.
    sb.inject(Fault("latency", method="POST", path="/items", seconds=0.6))
    policy = NetPolicy(read_timeout=0.2, backoff_base=0.001, rate_per_second=None)
    make_client(sb, policy=policy).add_items(pid, new, expected_total=0)
    assert sb.playlist_items(pid) == new
    assert settled(lambda: sb.count("POST"), 1) == 1  # the slow answer is logged when sent


def test_add_unclear_read_back_raises_without_retrying(sb: Sandbox, fake: FakeTime) -> None:
    pid = sb.create_playlist("Unclear", uris=uris(sb, 1))
    new = uris(sb, 2)
    sb.inject(Fault("applied_then_error", method="POST", path="/items"))
    with pytest.raises(AmbiguousWriteError, match="run the push again") as info:
        # the caller's expected_total is wrong (5, the playlist had 1): cannot tell
        make_client(sb, fake).add_items(pid, new, expected_total=5)
    assert "expected 5 or 7 items, found 3" in str(info.value)
    assert sb.count("POST") == 1 and len(sb.playlist_items(pid)) == 3


def test_add_failed_read_back_raises_without_retrying(sb: Sandbox, fake: FakeTime) -> None:
    pid = sb.create_playlist("Down")
    sb.inject(Fault("applied_then_error", method="POST", path="/items"))
    sb.inject(Fault("server_error", method="GET", path=pid, count=None))
    with pytest.raises(AmbiguousWriteError, match="reading the playlist back failed too"):
        make_client(sb, fake).add_items(pid, uris(sb, 2), expected_total=0)
    assert sb.count("POST") == 1 and len(sb.playlist_items(pid)) == 2


def test_create_playlist_is_never_repeated(sb: Sandbox, fake: FakeTime) -> None:
    sb.inject(Fault("applied_then_error", method="POST", path="/me/playlists"))
    with pytest.raises(AmbiguousWriteError, match="check on Spotify"):
        make_client(sb, fake).create_playlist("Once")
    assert sb.count("POST") == 1 and len(sb.playlist_ids()) == 1


def test_read_timeout_on_a_read_is_retried(sb: Sandbox) -> None:
    sb.inject(Fault("latency", path="/v1/me", seconds=0.5))
    policy = NetPolicy(read_timeout=0.15, backoff_base=0.001, rate_per_second=None)
    client = make_client(sb, policy=policy)
    assert client.api.spotipy.requests_timeout == (policy.connect_timeout, 0.15)
    assert client.current_user().id == "sandbox-user"
    # The first answer is 0.5 s late: read_timeout (0.15 s) gave up on it and the read was sent
    # again; without the timeout the first answer would have been taken.
    assert settled(lambda: sb.count("GET", "/v1/me"), 2) == 2


def test_connection_refused_names_the_problem(fake: FakeTime) -> None:
    client = SpotifyClient(
        api_url="http://127.0.0.1:9/v1/",
        auth="token",
        policy=NetPolicy.for_tests(),
        sleep=fake.sleep,
    )
    with pytest.raises(SpotifyError, match="connection refused or unreachable"):
        client.current_user()
    assert client.request_count == 4


# --- network policy: 401, 403 -------------------------------------------------------------------


def manager(sb: Sandbox, tmp_path: Path, **kwargs: object) -> TokenManager:
    return TokenManager(
        client_id=sb.client_id,
        accounts_url=sb.accounts_url,
        cache=TokenCache(tmp_path / "token.json"),
        refresh_token=sb.issue_refresh_token(**kwargs),  # type: ignore[arg-type]
        policy=NetPolicy.for_tests(),
    )


def test_expired_token_refreshes_once_and_retries(sb: Sandbox, tmp_path: Path) -> None:
    client = make_client(sb, auth=manager(sb, tmp_path))
    client.current_user()
    assert sb.count("POST", "/api/token") == 1
    sb.inject(Fault("expire_token", path="/v1/search"))
    assert client.search_tracks("Mirage")
    assert sb.count("POST", "/api/token") == 2
    assert [r.status for r in sb.requests if r.path == "/v1/search"] == [401, 200]


def test_401_after_a_refresh_says_spotify_refuses_the_new_token(
    sb: Sandbox, tmp_path: Path
) -> None:
    """The refresh worked, so the login is valid: the message does not send the user to log in."""
    auth = manager(sb, tmp_path)
    client = make_client(sb, auth=auth)
    sb.inject(Fault("expire_token", path="/v1/me", count=None))
    with pytest.raises(AuthError) as info:
        client.current_user()
    message = str(info.value)
    assert message.startswith("Spotify is refusing the new access token for your Spotify profile")
    assert "the login itself is still valid" in message
    assert "log in again" not in message and "\n" not in message
    assert sb.count("GET", "/v1/me") == 2  # one refresh, one retry, then stop
    assert (tmp_path / "token.json").exists()  # the login is kept


def test_bare_token_401_is_an_auth_error(sb: Sandbox) -> None:
    client = make_client(sb, auth=sb.issue_access_token(expires_in=-10))
    with pytest.raises(AuthError, match=r"refused the access token .*401"):
        client.current_user()


def test_403_not_owner_names_the_causes(sb: Sandbox) -> None:
    pid = sb.create_playlist("Theirs", owner="someone-else", uris=uris(sb, 1))
    with pytest.raises(ForbiddenError) as info:
        make_client(sb).add_items(pid, uris(sb, 1), expected_total=1)
    message = str(info.value)
    assert "403" in message and "neither own nor collaborate" in message
    assert "allow-list" in message and "Premium" in message and "Development-Mode" in message
    assert sb.count("POST") == 1  # never retried


def test_403_missing_scope_is_named(sb: Sandbox, tmp_path: Path) -> None:
    read_only = manager(sb, tmp_path, scopes=["playlist-read-private"])
    with pytest.raises(ForbiddenError, match="lacks scope playlist-modify-private"):
        make_client(sb, auth=read_only).create_playlist("Nope")


def test_403_user_not_on_allow_list(sb: Sandbox) -> None:
    app = sb.register_client(allowed_users=["the-owner"])
    token = sb.issue_access_token(client_id=app)
    with pytest.raises(ForbiddenError, match="allow-list") as info:
        make_client(sb, auth=token).current_user()
    assert "developer.spotify.com/dashboard" in str(info.value)
    assert sb.count("GET", "/v1/me") == 1


# --- rate limiter ---------------------------------------------------------------------------------


def test_token_bucket_spaces_requests() -> None:
    fake = FakeTime()
    limiter = RateLimiter(10.0, burst=2, clock=fake.clock, sleep=fake.sleep)
    for _ in range(4):
        limiter.acquire()
    assert fake.sleeps == pytest.approx([0.1, 0.1])
    limiter.pause(5)
    limiter.acquire()
    assert fake.sleeps[-1] == pytest.approx(5.0)


def test_limiter_is_shared_by_threads() -> None:
    limiter = RateLimiter(200.0, burst=1)
    started = time.monotonic()
    threads = [
        threading.Thread(target=lambda: [limiter.acquire() for _ in range(10)]) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - started >= 39 / 200 * 0.95  # 40 tokens at 200/s, burst 1


def test_from_settings_clients_share_one_limiter(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, db_path=tmp_path / "c.db", client_id="x")
    a = SpotifyClient.from_settings(settings)
    b = SpotifyClient.from_settings(settings)
    assert a.limiter is b.limiter and a.limiter.rate == NetPolicy().rate_per_second
    assert a.api_url == "https://api.spotify.com/v1/"  # the default, not called here


# --- policy helpers -------------------------------------------------------------------------------


def test_retry_after_forms() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Mon, 23 Nov 2026 12:02:00 GMT", now=now) == 120.0
    assert parse_retry_after("garbage") is None and parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45 s"), (200, "3 min 20 s"), (120, "2 min"), (61389, "17 h 3 min"), (7200, "2 h")],
)
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_backoff_is_exponential_capped_and_jittered() -> None:
    policy = NetPolicy(backoff_base=0.5, backoff_max=4.0, jitter=0.5)
    rng = random.Random(1)
    for retry, full in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (6, 4.0)]:
        delays = {policy.backoff(retry, rng) for _ in range(20)}
        assert all(full * 0.5 <= d <= full for d in delays) and len(delays) > 1


# --- every request ostkit sends follows the published API -----------------------------------------


def test_every_request_of_a_run_follows_the_openapi_spec(
    sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A representative run; each request the sandbox received (and each one on the wire, with
    its headers) is checked against the OpenAPI definition and the token rules, so an
    independent emulator of the published API accepts them too."""
    wire = tap(monkeypatch)
    big = {**OST, "id": make_id("paged-ost"), "name": "Paged OST"}
    for i in range(60):
        sb.add_track(f"Paged {i}", ["Composer"], album=big)
    for i in range(55):
        sb.create_playlist(f"Old {i}")
    auth = manager(sb, tmp_path)
    client = make_client(sb, auth=auth)

    found = client.search_tracks('track:"Mirage" artist:"Colde"', limit=10, market="KR")
    client.search_albums('album:"Paged OST"', limit=1, offset=0)
    client.get_track(found[0].uri)
    assert len(client.album_tracks(make_id("paged-ost"))) == 60
    client.current_user()
    playlist = client.create_playlist("Run", public=False, description="every request checked")
    wanted = uris(sb, 130)
    client.add_items(playlist.id, wanted[:120])
    client.add_items(playlist.id, wanted[120:], position=0, expected_total=120)
    assert len(list(client.my_playlists())) == 56
    assert client.get_playlist(playlist.id).total == 130
    assert len(client.playlist_item_uris(playlist.id)) == 130
    client.replace_items(playlist.id, wanted[:100])
    client.replace_items(playlist.id, [])
    client.add_items(playlist.id, wanted[:3], expected_total=0)
    client.remove_items(playlist.id, wanted[:2])
    client.change_details(playlist.id, name="Run 2", description="new", public=False)
    sb.inject(Fault("expire_token", path="/v1/me"))
    client.current_user()  # 401: refresh, retry

    checked: set[str] = set()
    for request in sb.requests:
        if request.path == "/api/token":
            checked.add("POST /api/token " + check_token_request(request.body))
        else:
            checked.add(
                check_api_request(request.method, request.path, request.query, request.body)
            )
    sent = wire.to(sb.accounts_url)
    assert [(s.method, s.path.rstrip("/")) for s in sent] == [
        (r.method, r.path) for r in sb.requests
    ]
    assert {check_wire(s) for s in sent} == checked
    assert checked == {
        "GET /search",
        "GET /tracks/{id}",
        "GET /albums/{id}",
        "GET /albums/{id}/tracks",
        "GET /me",
        "POST /me/playlists",
        "GET /me/playlists",
        "GET /playlists/{playlist_id}",
        "GET /playlists/{playlist_id}/items",
        "POST /playlists/{playlist_id}/items",
        "PUT /playlists/{playlist_id}/items",
        "DELETE /playlists/{playlist_id}/items",
        "PUT /playlists/{playlist_id}",
        "POST /api/token refresh_token",
    }


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "problem"),
    [
        ("GET", "/v1/search", {"q": ["x"], "type": ["track"], "limit": ["11"]}, None, "maximum"),
        ("GET", "/v1/search", {"q": ["x"], "type": ["song"]}, None, "not in"),
        ("GET", "/v1/me/playlists", {"offset": ["100001"]}, None, "maximum 100000"),
        ("GET", "/v1/me", {"fields": ["id"]}, None, "unknown query parameter"),
        ("GET", "/v1/playlists/abc/tracks", {}, None, "deprecated"),
        ("POST", "/v1/users/me/playlists", {}, {"name": "x"}, "deprecated"),
        ("POST", "/v1/playlists/abc/items", {}, {"uris": ["spotify:track:a"] * 101}, "too long"),
        ("POST", "/v1/playlists/abc/items", {}, {"tracks": ["spotify:track:a"]}, "Additional"),
        ("DELETE", "/v1/playlists/abc/items", {}, {"tracks": [{"uri": "x"}]}, "'items' is a"),
        ("PUT", "/v1/playlists/abc/items", {}, {"uris": [], "range_start": 0}, "combined"),
        ("GET", "/v1/tracks/a:b", {}, None, "not a Spotify id"),
    ],
)
def test_the_request_checker_catches_breaches(
    method: str, path: str, query: dict[str, list[str]], body: object, problem: str
) -> None:
    with pytest.raises((AssertionError, jsonschema.ValidationError), match=problem):
        check_api_request(method, path, query, body)


# --- legitimate variations of the real service (scripted answers, real HTTP) ------------------

PID = "37i9dQZF1DXcBWIGoYBM5M"
SONG = {"id": "1" * 22, "uri": "spotify:track:" + "1" * 22, "name": "A", "type": "track"}
SONG2 = {"id": "2" * 22, "uri": "spotify:track:" + "2" * 22, "name": "B", "type": "track"}


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    with Scripted() as server:
        yield server


def scripted_client(server: Scripted, fake: FakeTime, **kwargs: object) -> SpotifyClient:
    return SpotifyClient(
        api_url=server.api_url,
        auth="a-bare-token",
        policy=kwargs.pop("policy", None) or NetPolicy.for_tests(),  # type: ignore[arg-type]
        limiter=RateLimiter(None, clock=fake.clock, sleep=fake.sleep),
        sleep=fake.sleep,
        **kwargs,  # type: ignore[arg-type]
    )


def page(items: list[object], nxt: str | None, total: int | None = None) -> dict[str, object]:
    return {
        "href": "x",
        "items": items,
        "limit": 50,
        "next": nxt,
        "offset": 0,
        "previous": None,
        "total": len(items) if total is None else total,
    }


@pytest.mark.parametrize(
    "answer",
    [
        js(200, {"snapshot_id": "snap"}),
        js(201, {"snapshot_id": "snap"}),
        empty(200),
        empty(201),
        empty(204),
        text(200, "", content_type="application/json"),
    ],
    ids=["200", "201", "200-empty", "201-empty", "204", "200-json-type-empty"],
)
def test_writes_accept_200_201_204_and_empty_bodies(
    scripted: Scripted, fake: FakeTime, answer: Answer
) -> None:
    for method in ("POST", "PUT", "DELETE"):
        scripted.on(method, f"/v1/playlists/{PID}/items", answer)
    scripted.on("PUT", f"/v1/playlists/{PID}", answer)
    client = scripted_client(scripted, fake)
    expected = "snap" if answer.body else ""
    assert client.replace_items(PID, [SONG["uri"]]) == expected
    assert client.add_items(PID, [SONG2["uri"]], expected_total=1) == expected
    assert client.remove_items(PID, [SONG["uri"]]) == expected
    client.change_details(PID, name="New")
    assert len(scripted.seen) == 4 and fake.sleeps == []  # nothing retried


@pytest.mark.parametrize("status", [200, 201])
def test_create_playlist_answered_200_or_201(
    scripted: Scripted, fake: FakeTime, status: int
) -> None:
    scripted.on("POST", "/v1/me/playlists", js(status, {"id": PID, "name": "N", "public": False}))
    created = scripted_client(scripted, fake).create_playlist("N")
    assert (created.id, created.total, created.snapshot_id) == (PID, 0, "")


def test_create_playlist_answered_without_a_body(scripted: Scripted, fake: FakeTime) -> None:
    scripted.on("POST", "/v1/me/playlists", empty(201))
    with pytest.raises(SpotifyError, match="without its id; look for it") as info:
        scripted_client(scripted, fake).create_playlist("N")
    assert "\n" not in str(info.value) and scripted.count("POST", "/v1/me/playlists") == 1


def test_next_urls_on_any_host_are_followed_on_the_configured_server(
    scripted: Scripted, fake: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire = tap(monkeypatch)
    pl = {"id": PID, "name": "P", "owner": {"id": "me"}, "items": {"href": "h", "total": 0}}
    # A next link naming Spotify's default host: followed on the scripted server, never sent
    # there (asserted at the end).
    real_next = "https://api.spotify.com/v1/me/playlists?offset=1&limit=1"  # default host
    scripted.on(
        "GET",
        "/v1/me/playlists",
        js(200, page([pl], real_next, 4)),
        js(200, page([pl], "/v1/me/playlists?offset=2&limit=1", 4)),
        js(200, page([pl], "http://emulator.invalid:8080/v1/me/playlists?offset=3&limit=1", 4)),
        js(200, page([pl], None, 4)),
    )
    assert len(list(scripted_client(scripted, fake).my_playlists())) == 4
    offsets = [s.query.get("offset") for s in scripted.seen]
    assert offsets == [["0"], ["1"], ["2"], ["3"]]
    assert {s.url.split("/v1/")[0] for s in wire.sent} == {scripted.url}  # token stays here


def test_follow_url_keeps_path_and_query() -> None:
    api = "http://127.0.0.1:5/v1/"
    assert follow_url(api, api + "me?offset=5") == api + "me?offset=5"
    assert follow_url(api, "https://api.spotify.com/v1/me?offset=5") == api + "me?offset=5"
    assert follow_url(api, "/v1/albums/x/tracks") == api + "albums/x/tracks"
    emulator = "http://127.0.0.1:5/spotify/v1/"
    assert follow_url(emulator, "http://h/spotify/v1/me/playlists") == emulator + "me/playlists"


def test_playlist_entries_item_track_null_episode_local(scripted: Scripted, fake: FakeTime) -> None:
    episode = {"id": "3" * 22, "uri": "spotify:episode:" + "3" * 22, "type": "episode"}
    local = {"id": None, "uri": "spotify:local:Artist:Album:Title:215", "type": "track"}
    entries = [
        {"item": SONG},  # 2026 shape
        {"track": SONG2},  # older client ids: `track` only
        {"item": None, "track": None, "is_local": False},  # unavailable
        {"item": episode, "track": episode},
        {"item": local, "is_local": True},
        {"item": None, "track": SONG},  # null `item`, `track` still set
        {"added_at": None},  # neither key
    ]
    scripted.on("GET", f"/v1/playlists/{PID}/items", js(200, page(entries, None)))
    client = scripted_client(scripted, fake)
    assert client.playlist_item_uris(PID) == [
        SONG["uri"],
        SONG2["uri"],
        episode["uri"],
        local["uri"],
        SONG["uri"],
    ]
    tracks = client.playlist_tracks(PID)
    assert [t.id if t else None for t in tracks] == [
        SONG["id"],
        SONG2["id"],
        None,
        None,
        None,
        SONG["id"],
        None,
    ]


def test_total_changing_while_paging(scripted: Scripted, fake: FakeTime) -> None:
    scripted.on(
        "GET",
        f"/v1/playlists/{PID}/items",
        js(200, page([{"item": SONG}], f"{scripted.api_url}playlists/{PID}/items?offset=1", 2)),
        js(200, page([{"item": SONG2}, {"item": SONG}], None, 3)),  # one was added meanwhile
    )
    assert scripted_client(scripted, fake).playlist_item_uris(PID) == [
        SONG["uri"],
        SONG2["uri"],
        SONG["uri"],
    ]


@pytest.mark.parametrize("second", ["empty", "same-next"])
def test_paging_cannot_loop_forever(scripted: Scripted, fake: FakeTime, second: str) -> None:
    again = f"{scripted.api_url}playlists/{PID}/items?offset=1"
    scripted.on(
        "GET",
        f"/v1/playlists/{PID}/items",
        js(200, page([{"item": SONG}], again, 1000)),
        js(200, page([] if second == "empty" else [{"item": SONG2}], again, 1000)),
    )
    found = scripted_client(scripted, fake).playlist_item_uris(PID)
    assert found == ([SONG["uri"]] if second == "empty" else [SONG["uri"], SONG2["uri"]])
    assert scripted.count("GET", f"/v1/playlists/{PID}/items") == 2


ME = js(200, {"id": "me", "display_name": "Me", "uri": "spotify:user:me", "type": "user"})
TOO_MANY = {"error": {"status": 429, "message": "API rate limit exceeded"}}


@pytest.mark.parametrize(
    ("first", "waited"),
    [
        (js(429, TOO_MANY), 0.01),  # no Retry-After: the policy's default wait
        (empty(429), 0.01),  # no body either
        (js(429, {"error": {**TOO_MANY["error"], "reason": "RATE_LIMITED"}}, Retry_After="2"), 2),
        (text(429, "Too Many Requests", "text/plain", Retry_After="1.5"), 1.5),
        (js(429, TOO_MANY, Retry_After="soon"), 0.01),  # garbled: the default wait
        (js(429, TOO_MANY, Retry_After="inf"), 0.01),
    ],
    ids=["no-retry-after", "no-body", "other-reason", "text-body", "garbled", "inf"],
)
def test_429_variants_wait_and_retry(
    scripted: Scripted, fake: FakeTime, first: Answer, waited: float
) -> None:
    scripted.on("GET", "/v1/me", first, ME)
    assert scripted_client(scripted, fake).current_user().id == "me"
    assert fake.sleeps == [pytest.approx(waited)] and scripted.count("GET", "/v1/me") == 2


@pytest.mark.parametrize(
    ("retry_after", "shown"),
    [
        ("86400", "24 h"),
        ("999999999999999999999", "8784 h"),
        ("Fri, 31 Dec 9999 23:59:59 GMT", "8784 h"),
    ],
)
def test_huge_retry_after_stops_with_one_line(
    scripted: Scripted, fake: FakeTime, retry_after: str, shown: str
) -> None:
    scripted.on("GET", "/v1/me", js(429, TOO_MANY, Retry_After=retry_after))
    with pytest.raises(RateLimitError, match=f"wait {shown}") as info:
        scripted_client(scripted, fake).current_user()
    assert "\n" not in str(info.value) and fake.sleeps == []


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (HTML_502, r"failed after 4 attempts \(Spotify answered 502\)"),
        (text(503, "upstream connect error", "text/plain"), r"answered 503\)"),
        (js(500, ["not", "an", "object"]), r"answered 500\)"),
        (text(400, HTML_502.body.decode().replace("502", "400")), r"\(400: 400 Bad Gateway\)$"),
        (js(400, {"error": "invalid_request", "error_description": "Bad\nid"}), r"\(400: Bad id\)"),
        (text(404, "<html><body><p>Not found</p></body></html>"), "not found on Spotify"),
        (js(401, {"error": "invalid_token"}), r"refused the access token .*401: invalid_token"),
        (js(401, None), r"refused the access token .*\(401"),
        (text(200, "<html><title>Sign in to Wi-Fi</title></html>"), "answer that is not JSON"),
        (empty(200), "answer that is not JSON"),
        (CUT, r"failed after 4 attempts \(connection failed"),
        (RESET, r"failed after 4 attempts \(connection failed"),
    ],
    ids=[
        "html-502",
        "text-503",
        "json-list-500",
        "html-400",
        "oauth-style-400",
        "html-404",
        "oauth-style-401",
        "null-401",
        "captive-portal-200",
        "empty-200",
        "cut-short",
        "reset",
    ],
)
def test_odd_answers_give_one_line_errors(
    scripted: Scripted, fake: FakeTime, answer: Answer, message: str
) -> None:
    scripted.on("GET", "/v1/me", answer)
    with pytest.raises(SpotifyError, match=message) as info:
        scripted_client(scripted, fake).current_user()
    text_ = str(info.value)
    assert "\n" not in text_ and "<" not in text_ and len(text_) < 300


@pytest.mark.parametrize(
    "odd", [HTML_502, RESET, CUT, empty(200)], ids=["502", "reset", "cut", "empty"]
)
def test_reads_recover_from_one_odd_answer(scripted: Scripted, fake: FakeTime, odd: Answer) -> None:
    scripted.on("GET", "/v1/me", odd, ME)
    assert scripted_client(scripted, fake).current_user().id == "me"
    assert scripted.count("GET", "/v1/me") == 2 and len(fake.sleeps) == 1


def test_add_reset_mid_request_reads_back_before_retrying(
    scripted: Scripted, fake: FakeTime
) -> None:
    scripted.on("POST", f"/v1/playlists/{PID}/items", RESET, js(201, {"snapshot_id": "s2"}))
    scripted.on(
        "GET",
        f"/v1/playlists/{PID}",
        js(200, {"id": PID, "snapshot_id": "s1", "items": page([], None, 0)}),
    )
    assert scripted_client(scripted, fake).add_items(PID, [SONG["uri"]], expected_total=0) == "s2"
    assert scripted.count("POST", f"/v1/playlists/{PID}/items") == 2  # not applied: retried once


FORBIDDEN_BODIES = {
    "scope": ("Insufficient client scope", "the login lacks scope playlist-modify-private"),
    "allow-list": (
        "Check settings on developer.spotify.com/dashboard, the user may not be registered.",
        "your Spotify account is not on the app's allow-list",
    ),
    "premium": (
        "Active premium subscription required for the owner of the app.",
        "the app owner's Spotify Premium lapsed",
    ),
}


@pytest.mark.parametrize("cause", sorted(FORBIDDEN_BODIES))
def test_403_names_the_cause_spotify_gave(scripted: Scripted, fake: FakeTime, cause: str) -> None:
    message, named = FORBIDDEN_BODIES[cause]
    scripted.on("POST", "/v1/me/playlists", js(403, {"error": {"status": 403, "message": message}}))
    with pytest.raises(ForbiddenError) as info:
        scripted_client(scripted, fake).create_playlist("x")
    text_ = str(info.value)
    assert f"({message})" in text_ and f"Cause: {named}" in text_ and "Likely" not in text_
    assert scripted.count("POST", "/v1/me/playlists") == 1  # never retried


@pytest.mark.parametrize("body", [{"error": {"status": 403, "message": "Forbidden"}}, None])
def test_403_without_a_cause_lists_the_likely_ones(
    scripted: Scripted, fake: FakeTime, body: object
) -> None:
    scripted.on("GET", f"/v1/playlists/{PID}/items", js(403, body) if body else empty(403))
    with pytest.raises(ForbiddenError) as info:
        scripted_client(scripted, fake).playlist_item_uris(PID)
    text_ = str(info.value)
    assert "Likely:" in text_ and "neither own nor collaborate" in text_
    assert all(c in text_ for c in ("allow-list", "Premium", "Development-Mode"))


def test_a_redirected_read_is_followed(scripted: Scripted, fake: FakeTime) -> None:
    moved = text(302, "<html><body>Moved</body></html>", Location=f"{scripted.api_url}me2")
    scripted.on("GET", "/v1/me", moved)
    scripted.on("GET", "/v1/me2", ME)
    assert scripted_client(scripted, fake).current_user().id == "me"


def test_a_shared_session_gets_the_answer_check_once(sb: Sandbox) -> None:
    import requests

    session = requests.Session()
    for _ in range(3):
        make_client(sb, session=session).current_user()
    assert session.hooks["response"].count(check_answer) == 1


def test_playlist_answer_without_id_or_items(scripted: Scripted, fake: FakeTime) -> None:
    scripted.on("GET", f"/v1/playlists/{PID}", js(200, {"name": "Bare", "snapshot_id": "s"}))
    playlist = scripted_client(scripted, fake).get_playlist(PID)
    assert (playlist.id, playlist.name, playlist.total, playlist.owner_id) == (PID, "Bare", 0, "")


def test_503_retry_after_is_honoured_up_to_the_cap(sb: Sandbox, fake: FakeTime) -> None:
    sb.inject(Fault("server_error", path="/v1/me", status=503, retry_after=4))
    sb.inject(Fault("server_error", path="/v1/me", status=503, retry_after=9999))
    make_client(sb, fake).current_user()
    assert fake.sleeps == [4.0, 30.0] and sb.count("GET", "/v1/me") == 3


STATUS_CASES = [
    (
        js(400, {"error": {"status": 400, "message": "Invalid limit"}}),
        BadRequestError,
        r"Spotify rejected your Spotify profile \(GET /me\) \(400: Invalid limit\)",
    ),
    (js(401, {"error": "invalid_token"}), AuthError, r"\(401: invalid_token\); log in again"),
    (js(403, {"error": {"status": 403, "message": "Forbidden"}}), ForbiddenError, "403 Forbidden"),
    (empty(404), SpotifyNotFoundError, r"not found on Spotify \(404\)"),
    (js(409, {"error": {"status": 409, "message": "Conflict"}}), SpotifyError, "409: Conflict"),
    (js(429, TOO_MANY, Retry_After="3600"), RateLimitError, "asks to wait 1 h"),
    (HTML_502, ServerError, r"failed after 4 attempts \(Spotify answered 502\)"),
]


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    STATUS_CASES,
    ids=["400", "401", "403", "404", "409", "429", "502"],
)
def test_each_status_becomes_the_error_class_of_the_table(
    scripted: Scripted, fake: FakeTime, answer: Answer, error: type[SpotifyError], message: str
) -> None:
    scripted.on("GET", "/v1/me", answer)
    with pytest.raises(SpotifyError, match=message) as info:
        scripted_client(scripted, fake).current_user()
    assert type(info.value) is error


def test_forbidden_message_scope_named_with_every_needed_scope_granted() -> None:
    from ostkit.spotify.executor import forbidden_message
    from ostkit.spotify.policy import HttpStatusError

    needed = ("playlist-read-private",)
    text_ = forbidden_message(
        "reading playlist x",
        HttpStatusError(403, "Insufficient client scope"),
        needed_scopes=needed,
        granted_scopes=needed,
    )
    assert text_.endswith("Cause: the login lacks a scope: run `ostkit auth login` again")
    unnamed = forbidden_message(
        "reading playlist x", HttpStatusError(403, "Forbidden"), needed_scopes=needed
    )
    assert "Likely: the login lacks scope playlist-read-private; or your Spotify account" in unnamed


def test_the_suite_cannot_reach_spotifys_real_hosts() -> None:
    # conftest refuses every host but this machine, so no test can send a request there.
    for url in ("https://api.spotify.com/v1/me", "https://accounts.spotify.com/api/token"):
        with pytest.raises(requests.ConnectionError, match="tests reach no host"):
            requests.get(url, timeout=1)
