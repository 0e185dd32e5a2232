"""The sandbox Web API: search, tracks, albums, playlists, refusals; shapes checked by the spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import openapi
from conftest import Api, MakeSandbox
from ostkit.sandbox import Sandbox, make_id, render

KYUHYUN_VOCAL = "P9SAbhyPoYET7CsvVseYq4"  # "Love Beyond Words", shipped corpus
UNKNOWN_ID = "0000000000000000000000"


def _uri(track_id: str) -> str:
    return f"spotify:track:{track_id}"


def _track_ids(sandbox: Sandbox, n: int) -> list[str]:
    return list(sandbox.corpus.tracks)[:n]


# -- /me --------------------------------------------------------------------------------------
def test_me_has_2026_fields_only(api: Api) -> None:
    me = api.get("me/").json()
    assert me["id"] == "sandbox-user" and me["display_name"] == "Sandbox User"
    assert me["uri"] == "spotify:user:sandbox-user" and me["type"] == "user"
    assert me["href"] == api.sandbox.api_url + "users/sandbox-user"
    assert me["account_id"]
    for removed in ("country", "email", "product", "followers", "explicit_content"):
        assert removed not in me


# -- search -----------------------------------------------------------------------------------
def _search(api: Api, q: str, **params: Any) -> dict[str, Any]:
    answer = api.get("search", params={"q": q, "type": "track", **params})
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def _names(page: dict[str, Any]) -> list[tuple[str, str]]:
    return [(t["name"], t["artists"][0]["name"]) for t in page["items"]]


def test_search_field_filters_quoted_and_bare(api: Api) -> None:
    page = _search(api, 'track:"Love Beyond Words" artist:KYUHYUN')["tracks"]
    assert page["limit"] == 5 and page["offset"] == 0 and page["previous"] is None
    assert _names(page)[0] == ("Love Beyond Words", "KYUHYUN")
    assert {n for n, _ in _names(page)} == {
        "Love Beyond Words",
        "Love Beyond Words (Inst.)",
        "Love Beyond Words (Sped Up)",
    }
    bare = _search(api, "track:happy artist:boram")["tracks"]
    assert {a for _, a in _names(bare)} == {"Park Boram"}


def test_search_same_title_other_artists(api: Api) -> None:
    page = _search(api, 'track:"My Love"')["tracks"]
    artists = {a for n, a in _names(page) if n == "My Love"}
    assert artists == {"Kim Jong Kook", "Yoon Ha-neul"}
    only = _search(api, 'track:"My Love" artist:"Kim Jong-kook"')["tracks"]
    assert [a for _, a in _names(only)] == ["Kim Jong Kook", "Kim Jong Kook"]


def test_search_isrc_album_year_and_free_text(api: Api) -> None:
    assert _names(_search(api, "isrc:KRA382200201")["tracks"]) == [
        ("Want To Be Happy", "Park Boram")
    ]
    assert _names(_search(api, "isrc:krA382200201")["tracks"]) == [
        ("Want To Be Happy", "Park Boram")
    ]
    album = _search(api, 'album:"Soundtrack #1 (Original Soundtrack) Part.3"')["tracks"]
    assert {n for n, _ in _names(album)} == {
        "Your Tender Heart Hurts Me",
        "Your Tender Heart Hurts Me (Inst.)",
    }
    assert _search(api, "track:Talk year:2021")["tracks"]["total"] == 1
    assert _search(api, "track:Talk year:2020-2022")["tracks"]["total"] == 3
    free = _search(api, "doyoung little more")["tracks"]
    assert _names(free)[0][0] == "A Little More"
    assert _search(api, "nothing-matches-this")["tracks"]["items"] == []


def test_search_hangul_and_accept_language(api: Api) -> None:
    latin = _search(api, "행복해지고 싶어")["tracks"]
    assert ("Want To Be Happy", "Park Boram") in _names(latin)
    api.language = "ko-KR,ko;q=0.9"
    korean = _search(api, 'track:"Want To Be Happy" artist:"Park Boram"')["tracks"]
    assert _names(korean)[0] == ("행복해지고 싶어", "박보람")
    assert korean["items"][0]["album"]["name"] == "사운드트랙 #1 OST Part.2"
    # No Korean title in the corpus: the default name is kept.
    kim = _search(api, 'artist:김종국 track:"My Love"')["tracks"]
    assert _names(kim)[0] == ("My Love", "김종국")


def test_search_track_object_is_dev_mode_shaped(api: Api) -> None:
    track = _search(api, "isrc:KRA382100101", market="KR")["tracks"]["items"][0]
    assert track["id"] == KYUHYUN_VOCAL and track["uri"] == _uri(KYUHYUN_VOCAL)
    assert track["external_ids"] == {"isrc": "KRA382100101"}
    assert track["is_playable"] is True
    assert track["album"]["album_type"] == "single" and track["album"]["total_tracks"] == 2
    for removed in ("popularity", "available_markets", "linked_from", "preview_url"):
        assert removed not in track
    assert "available_markets" not in track["album"]


def test_search_paging_links_point_at_the_sandbox(api: Api) -> None:
    first = _search(api, "사운드트랙", limit=4)["tracks"]
    assert first["total"] == 12 and len(first["items"]) == 4
    assert first["next"].startswith(api.sandbox.api_url + "search?")
    seen = [t["id"] for t in first["items"]]
    page = first
    while page["next"]:
        page = api.get(page["next"]).json()["tracks"]
        seen += [t["id"] for t in page["items"]]
    assert len(seen) == len(set(seen)) == 12
    assert page["previous"] is not None and page["offset"] == 8


def test_search_albums_and_artists(api: Api) -> None:
    data = api.get("search", params={"q": "artist:davichi", "type": "album,artist,playlist"}).json()
    assert [a["name"] for a in data["albums"]["items"]] == [
        "Soundtrack #1 (Original Soundtrack) Part.3"
    ]
    assert [a["name"] for a in data["artists"]["items"]] == ["DAVICHI"]
    assert data["playlists"]["total"] == 0 and "tracks" not in data
    upc = api.get("search", params={"q": "upc:880960145121", "type": "album"}).json()
    assert upc["albums"]["total"] == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "love", "type": "track", "limit": "11"}, "Invalid limit"),
        ({"q": "love", "type": "track", "limit": "50"}, "Invalid limit"),
        ({"q": "love", "type": "track", "limit": "0"}, "Invalid limit"),
        ({"q": "love", "type": "track", "limit": "x"}, "Invalid limit"),
        ({"q": "love", "type": "track", "offset": "1001"}, "Invalid offset"),
        ({"q": "love", "type": "track", "offset": "-1"}, "Invalid offset"),
        ({"q": "love", "type": "track", "market": "kr"}, "Invalid market code"),
        ({"q": "love", "type": "tracks"}, "Bad search type field tracks"),
        ({"q": "love"}, "Missing parameter type"),
        ({"type": "track"}, "No search query"),
    ],
    ids=[
        "limit11",
        "limit50",
        "limit0",
        "limit-x",
        "offset1001",
        "offset-1",
        "market",
        "type",
        "no-type",
        "no-q",
    ],
)
def test_search_refusals(api: Api, params: dict[str, str], message: str) -> None:
    answer = api.get("search", params=params)
    assert answer.status_code == 400
    assert answer.json() == {"error": {"status": 400, "message": message}}


def test_search_offset_1000_and_limit_10_allowed(api: Api) -> None:
    page = _search(api, "love", limit=10, offset=1000)["tracks"]
    assert page["items"] == [] and page["offset"] == 1000 and page["limit"] == 10


# -- tracks, albums, artists ------------------------------------------------------------------
def test_get_track_and_refusals(api: Api) -> None:
    track = api.get(f"tracks/{KYUHYUN_VOCAL}").json()
    assert track["name"] == "Love Beyond Words" and track["track_number"] == 1
    missing = api.get(f"tracks/{UNKNOWN_ID}")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"status": 404, "message": "non existing id"}}
    # Spotify's wording differs by endpoint: "invalid id" for tracks, base62 for the others.
    bad = api.get("tracks/not-an-id")
    assert bad.status_code == 400
    assert bad.json() == {"error": {"status": 400, "message": "invalid id"}}
    for path in ("albums/x", "artists/x", "playlists/x", "playlists/x/items"):
        refused = api.get(path)
        assert refused.json() == {"error": {"status": 400, "message": "Invalid base62 id"}}, path
    too_long = api.get(f"playlists/{KYUHYUN_VOCAL * 2}")
    assert too_long.json()["error"]["message"] == "Invalid base62 id"
    for path in (f"albums/{UNKNOWN_ID}", f"artists/{UNKNOWN_ID}", f"albums/{UNKNOWN_ID}/tracks"):
        assert api.get(path).json() == {"error": {"status": 404, "message": "non existing id"}}
    gone = api.get(f"playlists/{UNKNOWN_ID}")
    assert gone.json() == {"error": {"status": 404, "message": "Resource not found"}}


def test_album_and_album_tracks(api: Api) -> None:
    album_id = api.get(f"tracks/{KYUHYUN_VOCAL}").json()["album"]["id"]
    album = api.get(f"albums/{album_id}").json()
    assert album["name"] == "Soundtrack #1 (Original Soundtrack) Part.1"
    assert [t["name"] for t in album["tracks"]["items"]] == [
        "Love Beyond Words",
        "Love Beyond Words (Inst.)",
    ]
    assert "label" not in album and "popularity" not in album
    page = api.get(f"albums/{album_id}/tracks", params={"limit": 1}).json()
    assert page["total"] == 2 and page["next"] and "album" not in page["items"][0]
    second = api.get(page["next"]).json()
    assert second["items"][0]["name"] == "Love Beyond Words (Inst.)" and second["next"] is None
    too_many = api.get(f"albums/{album_id}/tracks", params={"limit": 51})
    assert too_many.status_code == 400 and too_many.json()["error"]["message"] == "Invalid limit"
    assert api.get(f"albums/{UNKNOWN_ID}").status_code == 404


def test_artist(api: Api) -> None:
    artist_id = api.get(f"tracks/{KYUHYUN_VOCAL}").json()["artists"][0]["id"]
    artist = api.get(f"artists/{artist_id}").json()
    assert artist["name"] == "KYUHYUN" and "followers" not in artist and "popularity" not in artist


# -- removed endpoints ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "playlists/{pid}/tracks"),
        ("POST", "playlists/{pid}/tracks"),
        ("PUT", "playlists/{pid}/tracks"),
        ("DELETE", "playlists/{pid}/tracks"),
        ("POST", "users/sandbox-user/playlists"),
        ("GET", "users/sandbox-user"),
        ("GET", "users/sandbox-user/playlists"),
        ("GET", "tracks?ids={tid}"),
        ("GET", "albums?ids={tid}"),
        ("GET", "artists?ids={tid}"),
        ("GET", "artists/{tid}/top-tracks"),
        ("GET", "artists/{tid}/related-artists"),
        ("GET", "recommendations?seed_tracks={tid}"),
        ("GET", "audio-features/{tid}"),
        ("GET", "audio-features?ids={tid}"),
        ("GET", "browse/new-releases"),
        ("GET", "markets"),
        ("DELETE", "playlists/{pid}/followers"),
        ("PUT", "me/tracks?ids={tid}"),
    ],
    ids=lambda v: str(v),
)
def test_removed_endpoints_answer_403(api: Api, method: str, path: str) -> None:
    pid = api.sandbox.create_playlist("mine")
    url = path.format(pid=pid, tid=KYUHYUN_VOCAL)
    answer = api.call(method, url, json={"uris": [_uri(KYUHYUN_VOCAL)]}, check=False)
    assert answer.status_code == 403
    assert answer.json() == {"error": {"status": 403, "message": "Forbidden"}}
    assert api.sandbox.playlist_items(pid) == []


def test_unknown_endpoint_404_and_wrong_method_405(api: Api) -> None:
    answer = api.get("no/such/thing", check=False)
    assert answer.status_code == 404 and answer.json()["error"]["status"] == 404
    assert api.call("DELETE", "me", check=False).status_code == 405


# -- tokens -----------------------------------------------------------------------------------
def test_token_refusals(sandbox: Sandbox) -> None:
    cases: list[tuple[dict[str, str], int, str]] = [
        ({}, 401, "No token provided"),
        ({"Authorization": "Bearer nope"}, 401, "Invalid access token"),
        ({"Authorization": "Basic abc"}, 400, "Only valid bearer authentication supported"),
    ]
    expired = sandbox.issue_access_token(expires_in=-1)
    cases.append(({"Authorization": f"Bearer {expired}"}, 401, "The access token expired"))
    for headers, status, message in cases:
        answer = Api(sandbox, token="").get("me", headers=headers)
        assert answer.status_code == status
        assert answer.json() == {"error": {"status": status, "message": message}}
    # Removed endpoints check the token first too.
    assert Api(sandbox, token="").get("tracks?ids=x", check=False).status_code == 401


def test_access_token_expires_with_the_clock(sandbox: Sandbox) -> None:
    client = Api(sandbox)
    assert client.get("me").status_code == 200
    sandbox.advance(3601)
    answer = client.get("me")
    assert answer.status_code == 401 and "expired" in answer.json()["error"]["message"]


def test_dev_mode_allow_list(sandbox: Sandbox) -> None:
    client_id = sandbox.register_client(allowed_users=["someone-else"])
    answer = Api(sandbox, sandbox.issue_access_token(client_id=client_id)).get("me")
    # Spotify sends this refusal as plain text, not in its JSON error envelope.
    assert answer.status_code == 403
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.text == (
        "Check settings on developer.spotify.com/dashboard, the user may not be registered."
    )


# -- playlists --------------------------------------------------------------------------------
def _create(api: Api, **body: Any) -> dict[str, Any]:
    answer = api.post("me/playlists", json={"name": "OST", **body})
    assert answer.status_code == 201, answer.text
    data: dict[str, Any] = answer.json()
    return data


def test_create_playlist_and_list_mine(api: Api) -> None:
    created = _create(api, public=False, description="Soundtrack #1")
    assert created["public"] is False and created["collaborative"] is False
    assert created["owner"]["id"] == "sandbox-user" and created["description"] == "Soundtrack #1"
    assert created["items"]["total"] == 0 and "tracks" not in created
    public = _create(api, name="Public one")
    assert public["public"] is True  # Spotify's default
    page = api.get("me/playlists").json()
    assert [p["name"] for p in page["items"]] == ["Public one", "OST"]
    assert page["items"][1]["items"] == {
        "href": f"{api.sandbox.api_url}playlists/{created['id']}/items",
        "total": 0,
    }
    assert "tracks" not in page["items"][0]


def test_my_playlists_paging(api: Api) -> None:
    for i in range(7):
        api.sandbox.create_playlist(f"p{i}")
    api.sandbox.create_playlist("not mine", owner="other-user")
    first = api.get("me/playlists", params={"limit": 5}).json()
    assert first["total"] == 7 and len(first["items"]) == 5 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["items"]) == 2 and second["next"] is None
    assert api.get("me/playlists", params={"limit": 51}).status_code == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Missing required field: name"),
        ({"name": ""}, "Missing required field: name"),
        ({"name": "x", "description": "a" * 301}, "Invalid description: at most 300 characters"),
        (
            {"name": "x", "description": "two\nlines"},
            "Invalid description: line breaks are not allowed",
        ),
        (
            {"name": "x", "public": True, "collaborative": True},
            "Collaborative playlists can only be private.",
        ),
    ],
    ids=["no-name", "empty-name", "long-description", "newline", "public-collaborative"],
)
def test_create_playlist_refusals(api: Api, body: dict[str, Any], message: str) -> None:
    answer = api.post("me/playlists", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["message"] == message
    assert api.sandbox.playlist_ids() == []


def test_scopes(sandbox: Sandbox) -> None:
    read_only = Api(sandbox, sandbox.issue_access_token(["playlist-read-private"]))
    denied = read_only.post("me/playlists", json={"name": "x", "public": False})
    assert denied.status_code == 403
    assert denied.json() == {"error": {"status": 403, "message": "Insufficient client scope"}}
    private_only = Api(sandbox, sandbox.issue_access_token(["playlist-modify-private"]))
    assert private_only.post("me/playlists", json={"name": "x"}).status_code == 403  # public
    assert private_only.post("me/playlists", json={"name": "x", "public": False}).status_code == 201
    assert private_only.get("me/playlists").status_code == 403  # needs playlist-read-private
    pid = sandbox.create_playlist("public", public=True)
    uris = {"uris": [_uri(KYUHYUN_VOCAL)]}
    assert private_only.post(f"playlists/{pid}/items", json=uris).status_code == 403
    assert private_only.get(f"playlists/{pid}/items").status_code == 403
    assert sandbox.playlist_items(pid) == []


def test_get_playlist_contents_only_for_owner_or_collaborator(api: Api) -> None:
    ids = _track_ids(api.sandbox, 3)
    mine = api.sandbox.create_playlist("mine", uris=map(_uri, ids))
    theirs = api.sandbox.create_playlist("theirs", owner="other", public=True, uris=map(_uri, ids))
    shared = api.sandbox.create_playlist(
        "shared",
        owner="other",
        collaborative=True,
        uris=map(_uri, ids),
        collaborators=["sandbox-user"],
    )
    full = api.get(f"playlists/{mine}").json()
    assert [e["item"]["id"] for e in full["items"]["items"]] == ids
    assert "track" not in full["items"]["items"][0]
    other = api.get(f"playlists/{theirs}").json()
    assert other["name"] == "theirs" and "items" not in other
    assert api.get(f"playlists/{shared}").json()["items"]["total"] == 3
    refused = api.get(f"playlists/{theirs}/items")
    assert refused.status_code == 403 and refused.json()["error"]["message"] == "Forbidden"
    assert api.get(f"playlists/{shared}/items").status_code == 200
    assert api.get(f"playlists/{UNKNOWN_ID}").status_code == 404
    assert api.get("playlists/bad id!").status_code == 400


def test_items_paging_limit_50(api: Api) -> None:
    ids = _track_ids(api.sandbox, 17)
    pid = api.sandbox.create_playlist("big", uris=[_uri(i) for i in ids * 4])  # 68 entries
    page = api.get(f"playlists/{pid}/items").json()
    assert page["limit"] == 20 and page["total"] == 68
    page = api.get(f"playlists/{pid}/items", params={"limit": 50}).json()
    rest = api.get(page["next"]).json()
    assert len(page["items"]) == 50 and len(rest["items"]) == 18 and rest["next"] is None
    entry = rest["items"][0]
    assert entry["added_by"]["id"] == "sandbox-user" and entry["is_local"] is False
    assert entry["added_at"].endswith("Z")
    assert api.get(f"playlists/{pid}/items", params={"limit": 51}).status_code == 400


def test_legacy_track_field_when_configured(make_sandbox: MakeSandbox) -> None:
    with make_sandbox(legacy_track_field=True) as sandbox:
        api = Api(sandbox)
        pid = sandbox.create_playlist("mine", uris=[_uri(KYUHYUN_VOCAL)])
        entry = api.get(f"playlists/{pid}/items").json()["items"][0]
        assert entry["track"] == entry["item"] and entry["item"]["id"] == KYUHYUN_VOCAL
        assert api.get(f"playlists/{pid}").json()["tracks"]["total"] == 1


def test_add_items_all_body_shapes(api: Api) -> None:
    a, b, c, d = (_uri(i) for i in _track_ids(api.sandbox, 4))
    pid = _create(api, public=False)["id"]
    snapshots = {api.sandbox.playlist_snapshot(pid)}
    first = api.post(f"playlists/{pid}/items", json={"uris": [a, b]})
    assert first.status_code == 201 and first.json()["snapshot_id"] not in snapshots
    snapshots.add(first.json()["snapshot_id"])
    second = api.post(f"playlists/{pid}/items", params={"uris": c})
    snapshots.add(second.json()["snapshot_id"])
    third = api.post(
        f"playlists/{pid}/items", params={"uris": d, "position": 0}, json={"uris": [a]}
    )
    snapshots.add(third.json()["snapshot_id"])
    positioned = api.post(f"playlists/{pid}/items", json={"uris": [c], "position": 1})
    snapshots.add(positioned.json()["snapshot_id"])
    assert len(snapshots) == 5
    assert api.sandbox.playlist_items(pid) == [d, c, a, b, c]
    # Reads do not change the snapshot.
    before = api.sandbox.playlist_snapshot(pid)
    api.get(f"playlists/{pid}")
    api.get(f"playlists/{pid}/items")
    assert api.sandbox.playlist_snapshot(pid) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"json": {"uris": ["spotify:track:" + KYUHYUN_VOCAL] * 101}},
            "You can add a maximum of 100 tracks per request.",
        ),
        ({"json": {"uris": ["spotify:track:nope"]}}, "Invalid track uri: spotify:track:nope"),
        ({"json": {"uris": [KYUHYUN_VOCAL]}}, f"Invalid track uri: {KYUHYUN_VOCAL}"),
        ({"json": {"uris": ["spotify:local:a:b:c:1"]}}, "Invalid track uri: spotify:local:a:b:c:1"),
        ({"json": {"uris": [_uri(UNKNOWN_ID)]}}, "Payload contains a non-existing ID"),
        ({"json": {}}, "No uris provided"),
        ({"json": {"uris": []}}, "No uris provided"),
        # spotipy's playlist_add_items sends a bare array: not the documented body.
        ({"json": [_uri(KYUHYUN_VOCAL)]}, "No uris provided"),
        ({"json": {"uris": [_uri(KYUHYUN_VOCAL)], "position": 5}}, "Index out of bounds"),
        ({"json": {"uris": [_uri(KYUHYUN_VOCAL)], "position": -1}}, "Index out of bounds"),
        ({"json": {"uris": [_uri(KYUHYUN_VOCAL)], "position": "0"}}, "Invalid position"),
        ({"json": {"uris": [_uri(KYUHYUN_VOCAL)], "position": True}}, "Invalid position"),
        ({"params": {"uris": _uri(KYUHYUN_VOCAL), "position": "x"}}, "Invalid position"),
        (
            {"data": "{not json", "headers": {"Content-Type": "application/json"}},
            "Error parsing JSON.",
        ),
    ],
    ids=[
        "101",
        "bad-id",
        "bare-id",
        "local",
        "unknown",
        "none",
        "empty",
        "bare-array",
        "position",
        "negative",
        "position-str",
        "position-bool",
        "query-position",
        "json",
    ],
)
def test_add_items_refusals(api: Api, kwargs: dict[str, Any], message: str) -> None:
    pid = api.sandbox.create_playlist("mine")
    snapshot = api.sandbox.playlist_snapshot(pid)
    answer = api.post(f"playlists/{pid}/items", **kwargs)
    assert answer.status_code == 400
    assert answer.json() == {"error": {"status": 400, "message": message}}
    assert api.sandbox.playlist_items(pid) == [] and api.sandbox.playlist_snapshot(pid) == snapshot


def test_write_to_someone_elses_playlist_is_403(api: Api) -> None:
    pid = api.sandbox.create_playlist("theirs", owner="other", public=False)
    answer = api.post(f"playlists/{pid}/items", json={"uris": [_uri(KYUHYUN_VOCAL)]})
    assert answer.status_code == 403 and api.sandbox.playlist_items(pid) == []
    assert api.put(f"playlists/{pid}", json={"name": "mine now"}).status_code == 403


def test_playlist_size_limit(make_sandbox: MakeSandbox) -> None:
    with make_sandbox(max_playlist_items=150) as sandbox:
        api = Api(sandbox)
        uris = [_uri(i) for i in _track_ids(sandbox, 10)] * 10
        pid = sandbox.create_playlist("full", uris=uris[:100] + uris[:40])
        refused = api.post(f"playlists/{pid}/items", json={"uris": uris[:11]})
        assert refused.status_code == 403
        assert "limit" in refused.json()["error"]["message"]
        assert api.post(f"playlists/{pid}/items", json={"uris": uris[:10]}).status_code == 201
        assert len(sandbox.playlist_items(pid)) == 150


def test_replace_and_reorder(api: Api) -> None:
    a, b, c, d = (_uri(i) for i in _track_ids(api.sandbox, 4))
    pid = api.sandbox.create_playlist("mine", uris=[a, b])
    replaced = api.put(f"playlists/{pid}/items", json={"uris": [c, d, a]})
    assert replaced.status_code == 200 and api.sandbox.playlist_items(pid) == [c, d, a]
    moved = api.put(
        f"playlists/{pid}/items",
        json={"range_start": 2, "insert_before": 0, "snapshot_id": replaced.json()["snapshot_id"]},
    )
    assert moved.status_code == 200 and api.sandbox.playlist_items(pid) == [a, c, d]
    api.put(
        f"playlists/{pid}/items", json={"range_start": 0, "range_length": 2, "insert_before": 3}
    )
    assert api.sandbox.playlist_items(pid) == [d, a, c]
    assert api.put(f"playlists/{pid}/items", params={"uris": f"{b},{a}"}).status_code == 200
    assert api.sandbox.playlist_items(pid) == [b, a]
    assert api.put(f"playlists/{pid}/items", json={"uris": []}).status_code == 200
    assert api.sandbox.playlist_items(pid) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"uris": [_uri(KYUHYUN_VOCAL)] * 101}, "You can set a maximum of 100 tracks per request."),
        ({"range_start": 5, "insert_before": 0}, "Index out of bounds"),
        ({"range_start": 0, "insert_before": 1, "snapshot_id": "bogus"}, "Invalid snapshot id"),
        (
            {"range_start": 0, "insert_before": 1, "uris": []},
            "Replace and reorder cannot be combined",
        ),
        ({}, "No uris provided"),
    ],
    ids=["101", "range", "snapshot", "both", "empty"],
)
def test_put_items_refusals(api: Api, body: dict[str, Any], message: str) -> None:
    pid = api.sandbox.create_playlist("mine", uris=[_uri(KYUHYUN_VOCAL)])
    answer = api.put(f"playlists/{pid}/items", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["message"] == message
    assert api.sandbox.playlist_items(pid) == [_uri(KYUHYUN_VOCAL)]


def test_remove_items(api: Api) -> None:
    a, b, c = (_uri(i) for i in _track_ids(api.sandbox, 3))
    pid = api.sandbox.create_playlist("mine", uris=[a, b, a, c, a])
    answer = api.delete(f"playlists/{pid}/items", json={"items": [{"uri": a}]})
    assert answer.status_code == 200 and api.sandbox.playlist_items(pid) == [b, c]
    api.post(f"playlists/{pid}/items", json={"uris": [b]})
    # `positions` is no longer documented: ignored, every occurrence goes.
    api.delete(f"playlists/{pid}/items", json={"items": [{"uri": b, "positions": [2]}]})
    assert api.sandbox.playlist_items(pid) == [c]
    api.post(f"playlists/{pid}/items", json={"uris": [b]})
    snapshot = api.sandbox.playlist_snapshot(pid)
    for body in (
        {"tracks": [{"uri": b}]},  # the pre-2026 key
        {"items": [{"uri": b}] * 101},
        {"items": [{"uri": "spotify:track:x"}]},
        {"items": [b]},
        [{"uri": b}],
    ):
        refused = api.delete(f"playlists/{pid}/items", json=body)
        assert refused.status_code == 400, body
    assert (
        api.sandbox.playlist_items(pid) == [c, b] and api.sandbox.playlist_snapshot(pid) == snapshot
    )


def test_change_details(api: Api) -> None:
    pid = _create(api, public=False)["id"]
    snapshot = api.sandbox.playlist_snapshot(pid)
    answer = api.put(f"playlists/{pid}", json={"name": "Renamed", "description": "x" * 300})
    assert answer.status_code == 200 and answer.content == b""
    data = api.get(f"playlists/{pid}").json()
    assert data["name"] == "Renamed" and data["description"] == "x" * 300
    assert data["snapshot_id"] != snapshot
    for body in ({"description": "x" * 301}, {"description": "a\nb"}, {"name": ""}):
        assert api.put(f"playlists/{pid}", json=body).status_code == 400
    assert api.get(f"playlists/{pid}").json()["name"] == "Renamed"


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [
        (["playlist-modify-private"], False),
        (["playlist-modify-private", "playlist-modify-public"], True),
    ],
    ids=["private-scope-only", "both-modify-scopes"],
)
def test_collaborative_playlists_take_both_modify_scopes(
    sandbox: Sandbox, scopes: list[str], allowed: bool
) -> None:
    """Creating, filling and changing a collaborative playlist take the same scopes: changing its
    details used to need only playlist-modify-private."""
    api = Api(sandbox, sandbox.issue_access_token(scopes))
    shared = sandbox.create_playlist("shared", collaborative=True)
    private = sandbox.create_playlist("private")
    answers = {
        "create": api.post(
            "me/playlists", json={"name": "x", "public": False, "collaborative": True}
        ),
        "add": api.post(f"playlists/{shared}/items", json={"uris": [_uri(KYUHYUN_VOCAL)]}),
        "rename": api.put(f"playlists/{shared}", json={"name": "renamed"}),
        "share": api.put(f"playlists/{private}", json={"collaborative": True}),
    }
    for name, answer in answers.items():
        assert answer.ok is allowed, (name, answer.status_code)
        if not allowed:
            assert answer.status_code == 403
            assert answer.json()["error"]["message"] == "Insufficient client scope"


def test_create_and_change_refuse_a_public_collaborative_playlist_first(api: Api) -> None:
    """Both check public/collaborative before the description (the change checked it after)."""
    body = {"description": "a\nb", "public": True, "collaborative": True}
    pid = _create(api, public=False)["id"]
    for answer in (
        api.post("me/playlists", json={"name": "x", **body}),
        api.put(f"playlists/{pid}", json=body),
    ):
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == "Collaborative playlists can only be private."


# -- corpus -----------------------------------------------------------------------------------
def test_load_custom_corpus_and_add_track(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    path = tmp_path / "corpus.json"
    path.write_text(
        '{"tracks": [{"name": "Stay", "names": {"ko": "머물러"}, "artists": [{"name": "Hana"}],'
        ' "album": {"name": "Stay", "release_date": "2024"}, "isrc": "KRA002400001"}]}',
        encoding="utf-8",
    )
    with make_sandbox(corpus=path) as sandbox:
        track_id = sandbox.add_track("Go", ["Hana"], album={"name": "Go", "album_type": "album"})
        assert len(sandbox.corpus.tracks) == 2
        api = Api(sandbox)
        page = api.get("search", params={"q": "머물러", "type": "track"}).json()["tracks"]
        assert [t["name"] for t in page["items"]] == ["Stay"]
        assert page["items"][0]["album"]["release_date_precision"] == "year"
        assert page["items"][0]["artists"][0]["id"] == make_id("artist", "Hana")
        assert api.get(f"tracks/{track_id}").json()["album"]["album_type"] == "album"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[]", "'tracks' list"),
        ('{"tracks": [{"name": "x"}]}', "needs at least one artist"),
        ('{"tracks": [{"name": "x", "artists": ["a"], "id": "short"}]}', "22-character base62"),
        ('{"tracks": [{"name": "x", "artists": ["a"], "isrc": "bad"}]}', "ISRC"),
        ("{not json", "not valid JSON"),
        (
            '{"tracks": [{"name": "x", "artists": [{"id": "AAAAAAAAAAAAAAAAAAAAAA", "name": "a"}]},'
            ' {"name": "y", "artists": [{"id": "AAAAAAAAAAAAAAAAAAAAAA", "name": "b"}]}]}',
            "artist id A{22} is used for both 'a' and 'b'",
        ),
        # Albums used to keep the first name silently where artists were refused.
        (
            '{"tracks": [{"name": "x", "artists": ["a"],'
            ' "album": {"id": "BBBBBBBBBBBBBBBBBBBBBB", "name": "p"}},'
            ' {"name": "y", "artists": ["a"],'
            ' "album": {"id": "BBBBBBBBBBBBBBBBBBBBBB", "name": "q"}}]}',
            "album id B{22} is used for both 'p' and 'q'",
        ),
    ],
    ids=[
        "not-object",
        "no-artist",
        "bad-id",
        "bad-isrc",
        "bad-json",
        "artist-id-two-names",
        "album-id-two-names",
    ],
)
def test_corpus_errors_name_the_file(tmp_path: Path, text: str, fragment: str) -> None:
    from ostkit.errors import InputError

    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment) as info:
        Sandbox(corpus=path)
    assert str(path) in str(info.value)


def test_spec_validation_catches_a_removed_field(api: Api) -> None:
    """The validator itself: a Dev-Mode-removed field (popularity) fails, the real shape passes."""
    import jsonschema

    track = api.get(f"tracks/{KYUHYUN_VOCAL}").json()
    openapi.validate("GET", f"/v1/tracks/{KYUHYUN_VOCAL}", 200, track)
    with pytest.raises(jsonschema.ValidationError):
        openapi.validate("GET", f"/v1/tracks/{KYUHYUN_VOCAL}", 200, {**track, "popularity": 50})
    with pytest.raises(jsonschema.ValidationError):
        openapi.validate("GET", f"/v1/tracks/{KYUHYUN_VOCAL}", 200, {**track, "extrnal_urls": {}})
    nested = {**track, "album": {**track["album"], "label": "x"}}
    with pytest.raises(jsonschema.ValidationError):
        openapi.validate("GET", f"/v1/tracks/{KYUHYUN_VOCAL}", 200, nested)
    with pytest.raises(jsonschema.ValidationError):
        openapi.validate("GET", "/v1/me", 200, {"id": 5})
    quota = {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}
    openapi.validate("GET", "/v1/me", 429, quota)


def test_concurrent_writes_are_serialised(sandbox: Sandbox) -> None:
    from concurrent.futures import ThreadPoolExecutor

    pid = sandbox.create_playlist("busy")
    uris = [_uri(i) for i in _track_ids(sandbox, 5)]
    token = sandbox.issue_access_token()

    def add(_: int) -> str:
        client = Api(sandbox, token)
        snapshots = [
            client.post(f"playlists/{pid}/items", json={"uris": uris}, check=False).json()[
                "snapshot_id"
            ]
            for _ in range(5)
        ]
        client.session.close()
        return ",".join(snapshots)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(add, range(8)))
    snapshots = ",".join(results).split(",")
    assert len(sandbox.playlist_items(pid)) == 8 * 5 * 5
    assert len(set(snapshots)) == 40 and sandbox.count("POST") == 40


def test_fields_filter_on_playlist_and_items(api: Api) -> None:
    ids = _track_ids(api.sandbox, 3)
    pid = api.sandbox.create_playlist("mine", description="d", uris=map(_uri, ids))
    slim = api.get(f"playlists/{pid}", params={"fields": "name,snapshot_id"}, check=False).json()
    assert slim == {"name": "mine", "snapshot_id": api.sandbox.playlist_snapshot(pid)}
    nested = api.get(
        f"playlists/{pid}",
        params={"fields": "items.total,items.items(item(id,album(!images,!artists)))"},
        check=False,
    ).json()
    assert (
        nested["items"]["total"] == 3 and [e["item"]["id"] for e in nested["items"]["items"]] == ids
    )
    album = nested["items"]["items"][0]["item"]["album"]
    assert "images" not in album and "artists" not in album and album["album_type"] == "single"
    page = api.get(
        f"playlists/{pid}/items", params={"fields": "total,items(added_at,item.uri)"}, check=False
    ).json()
    assert set(page) == {"total", "items"}
    assert page["items"][0]["item"] == {"uri": _uri(ids[0])} and "added_by" not in page["items"][0]
    # The pre-2026 `track` key selects nothing for a Dev-Mode app.
    legacy = api.get(f"playlists/{pid}/items", params={"fields": "items.track.id"}, check=False)
    assert legacy.json() == {"items": [{}, {}, {}]}
    bad = api.get(f"playlists/{pid}/items", params={"fields": "items(item"})
    assert bad.status_code == 400 and bad.json()["error"]["message"] == "Invalid fields"


def test_internal_errors_answer_500_and_are_kept(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(render, "current_user", boom)  # what GET /me answers with
    answer = api.get("me")
    assert answer.status_code == 500
    assert answer.json() == {"error": {"status": 500, "message": "Server error."}}
    assert api.sandbox.internal_errors == ["GET /v1/me: RuntimeError('bug')"]
    api.sandbox.internal_errors.clear()


def test_follow_and_delete_playlist_helpers(api: Api) -> None:
    theirs = api.sandbox.create_playlist("theirs", owner="other", public=True)
    assert api.get("me/playlists").json()["total"] == 0
    api.sandbox.follow_playlist(theirs)
    listed = api.get("me/playlists").json()["items"]
    assert [p["owner"]["id"] for p in listed] == ["other"]
    api.sandbox.delete_playlist(theirs)
    assert api.get(f"playlists/{theirs}").status_code == 404
    assert api.get("me/playlists").json()["total"] == 0


def test_search_next_stops_at_offset_1000(make_sandbox: MakeSandbox) -> None:
    with make_sandbox(load_default_corpus=False) as sandbox:
        for i in range(1015):
            sandbox.add_track(f"Echo {i}", ["Echo Band"], album={"name": f"Echo {i // 10}"})
        api = Api(sandbox)
        page = api.get("search", params={"q": "echo", "type": "track", "limit": 10, "offset": 990})
        tracks = page.json()["tracks"]
        assert tracks["total"] == 1015 and "offset=1000" in tracks["next"]
        last = api.get(tracks["next"]).json()["tracks"]
        assert len(last["items"]) == 10 and last["next"] is None


def test_artist_albums_limit_10(api: Api) -> None:
    sandbox = api.sandbox
    sandbox.add_track(
        "Duet",
        ["KYUHYUN", "Guest"],
        album={"name": "Guest Album", "album_type": "album", "artists": ["Guest"]},
    )
    artist_id = api.get(f"tracks/{KYUHYUN_VOCAL}").json()["artists"][0]["id"]
    page = api.get(f"artists/{artist_id}/albums").json()
    names = [a["name"] for a in page["items"]]
    assert page["limit"] == 5 and page["total"] == 3
    assert names == [
        "Soundtrack #1 (Original Soundtrack) Part.1",
        "Love Beyond Words (Sped Up)",
        "Guest Album",
    ]
    singles = api.get(f"artists/{artist_id}/albums", params={"include_groups": "single"}).json()
    assert singles["total"] == 2 and "album_group" not in singles["items"][0]
    too_many = api.get(f"artists/{artist_id}/albums", params={"limit": 20})
    assert too_many.status_code == 400 and too_many.json()["error"]["message"] == "Invalid limit"
    bad = api.get(f"artists/{artist_id}/albums", params={"include_groups": "live"})
    assert bad.status_code == 400


def test_me_library_save_remove_contains(sandbox: Sandbox) -> None:
    scopes = [
        "user-library-modify",
        "user-library-read",
        "playlist-modify-public",
        "playlist-modify-private",
        "playlist-read-private",
        "user-follow-modify",
        "user-follow-read",
    ]
    api = Api(sandbox, sandbox.issue_access_token(scopes))
    track = _uri(KYUHYUN_VOCAL)
    mine = _create(api, public=False)["id"]
    theirs = sandbox.create_playlist("theirs", owner="other", public=True)
    uris = f"{track},spotify:playlist:{theirs},spotify:user:other"
    assert api.put("me/library", params={"uris": uris}).status_code == 200
    contains = api.get(
        "me/library/contains", params={"uris": f"{uris},spotify:playlist:{mine},{_uri(UNKNOWN_ID)}"}
    )
    assert contains.json() == [True, True, True, True, False]
    # Newest first: followed after `mine` was created.
    assert [p["id"] for p in api.get("me/playlists").json()["items"]] == [theirs, mine]
    # Unfollowing your own playlist is Spotify's "delete".
    removed = api.delete("me/library", params={"uris": f"spotify:playlist:{mine},{track}"})
    assert removed.status_code == 200 and removed.content == b""
    assert [p["id"] for p in api.get("me/playlists").json()["items"]] == [theirs]
    assert api.get("me/library/contains", params={"uris": track}).json() == [False]
    refusals = [
        ({"uris": ",".join([track] * 41)}, "Too many ids requested"),
        ({}, "Missing required parameter: uris"),
        ({"uris": "spotify:track:nope"}, "Invalid uri: spotify:track:nope"),
        ({"uris": f"spotify:artist:{'a' * 22}"}, f"Invalid uri: spotify:artist:{'a' * 22}"),
        ({"uris": _uri(UNKNOWN_ID)}, "Payload contains a non-existing ID"),
    ]
    for params, message in refusals:
        answer = api.put("me/library", params=params)
        assert answer.status_code == 400 and answer.json()["error"]["message"] == message
    narrow = Api(sandbox, sandbox.issue_access_token(["playlist-modify-public"]))
    denied = narrow.put("me/library", params={"uris": track})
    assert (
        denied.status_code == 403
        and denied.json()["error"]["message"] == "Insufficient client scope"
    )
