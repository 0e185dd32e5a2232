"""Every answer ostkit's own Spotify client reads, checked against Spotify's OpenAPI definition.

The other sandbox tests check the shapes they request by hand; this one drives ``SpotifyClient``
(spotipy underneath) through each method it has, with paging, against a sandbox that validates
each answer as it sends it, so no shape the client depends on escapes the spec check.
"""

from __future__ import annotations

import pytest

import openapi
from conftest import MakeSandbox, SpecCheckedSandbox
from ostkit.sandbox import Fault, make_id
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy, RateLimiter

ALBUM = {
    "id": make_id("client-shapes-album"),
    "name": "Big OST",
    "album_type": "compilation",
    "release_date": "2024-05",
    "artists": [{"name": "Various Artists"}],
}


@pytest.fixture
def sb(make_sandbox: MakeSandbox) -> SpecCheckedSandbox:
    return make_sandbox(load_default_corpus=False)


def test_every_client_call_gets_spec_valid_answers(sb: SpecCheckedSandbox) -> None:
    # 60 tracks on one album: album and item pages run past their first page of 50.
    ids = [
        sb.add_track(f"Song {n}", ["Colde"], album=ALBUM, isrc=f"KRA38240{n:04d}", track_number=n)
        for n in range(1, 61)
    ]
    uris = [f"spotify:track:{i}" for i in ids]
    for n in range(55):  # /me/playlists runs past its first page of 50
        sb.create_playlist(f"old {n}")
    client = _client(sb)

    assert client.current_user().id == sb.user_id
    assert len(client.search_tracks("song", limit=10)) == 10
    assert len(client.search_tracks("track:song artist:colde", limit=3, market="KR")) == 3
    assert client.search_albums("big ost", limit=10)[0].name == "Big OST"
    assert client.get_track(ids[0]).isrc == "KRA382400001"
    assert client.get_album(ALBUM["id"]).name == "Big OST"
    assert len(client.album_tracks(ALBUM["id"])) == 60
    created = client.create_playlist("Shapes", public=False, description="checked")
    client.replace_items(created.id, uris[:50])
    client.add_items(created.id, uris + uris[:41], expected_total=50)  # two batches: 100 + 1
    client.add_items(created.id, uris[:3], position=0, expected_total=151)
    client.remove_items(created.id, uris[:2])  # 4 occurrences each
    client.change_details(created.id, name="Shapes 2", description="still checked", public=False)
    assert client.get_playlist(created.id).name == "Shapes 2"
    assert len(client.playlist_item_uris(created.id)) == 146
    assert len(client.playlist_tracks(created.id)) == 146
    assert sum(1 for _ in client.my_playlists()) == 56
    # Refusals and faults the client meets are checked too.
    sb.inject(Fault("rate_limit", path=r"/me$", retry_after=1))
    sb.inject(Fault("server_error", path=r"/me$", status=503))
    assert client.current_user().id == sb.user_id

    assert sb.spec_errors == []
    templates = {(r.method, openapi.template_for(r.path)) for r in sb.requests}
    assert templates >= {
        ("GET", "/me"),
        ("GET", "/search"),
        ("GET", "/tracks/{id}"),
        ("GET", "/albums/{id}"),
        ("GET", "/albums/{id}/tracks"),
        ("POST", "/me/playlists"),
        ("GET", "/me/playlists"),
        ("GET", "/playlists/{playlist_id}"),
        ("PUT", "/playlists/{playlist_id}"),
        ("GET", "/playlists/{playlist_id}/items"),
        ("POST", "/playlists/{playlist_id}/items"),
        ("PUT", "/playlists/{playlist_id}/items"),
        ("DELETE", "/playlists/{playlist_id}/items"),
    }
    assert {r.status for r in sb.requests} >= {200, 201, 429, 503}
    assert any(r.query.get("offset") == ["50"] for r in sb.requests)


def test_the_checking_sandbox_catches_a_removed_field(make_sandbox: MakeSandbox) -> None:
    # legacy_track_field adds the deprecated `track` key (removed for Development-Mode apps) to
    # playlist entries; checked without allowing deprecated fields, that answer is caught.
    sb = make_sandbox(load_default_corpus=False, legacy_track_field=True, allow_deprecated=False)
    track_id = sb.add_track("Only", ["Solo"])
    pid = sb.create_playlist("Mix", uris=[f"spotify:track:{track_id}"])
    assert _client(sb).playlist_item_uris(pid) == [f"spotify:track:{track_id}"]
    assert len(sb.spec_errors) == 1
    assert sb.spec_errors[0].startswith(f"GET /v1/playlists/{pid}/items 200: False schema")
    sb.spec_errors.clear()  # expected here; the fixture asserts none are left


def _client(sb: SpecCheckedSandbox) -> SpotifyClient:
    # Retry-After and backoff waits are not slept.
    limiter = RateLimiter(None, sleep=_no_sleep)
    return SpotifyClient(
        api_url=sb.api_url,
        auth=sb.issue_access_token(),
        policy=NetPolicy.for_tests(),
        limiter=limiter,
        sleep=_no_sleep,
    )


def _no_sleep(seconds: float) -> None:
    return None
