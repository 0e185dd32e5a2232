"""Every response shape the sandbox produces, validated against Spotify's OpenAPI definition.

The other sandbox tests validate as they go; this one walks every endpoint and error shape on
purpose.
"""

from __future__ import annotations

import pytest

import openapi
from conftest import Api, MakeSandbox
from ostkit.sandbox import Fault


def test_every_endpoint_and_error_shape(api: Api) -> None:
    sb = api.sandbox
    track_ids = list(sb.corpus.tracks)[:3]
    uris = [f"spotify:track:{t}" for t in track_ids]
    album_id = api.get(f"tracks/{track_ids[0]}").json()["album"]["id"]
    artist_id = api.get(f"tracks/{track_ids[0]}").json()["artists"][0]["id"]
    other = sb.create_playlist("theirs", owner="other", public=True, uris=uris)
    calls: list[tuple[str, str, dict[str, object], int]] = [
        ("GET", "me", {}, 200),
        ("GET", "search", {"params": {"q": "love", "type": "track,album,artist"}}, 200),
        ("GET", "search", {"params": {"q": "love", "type": "track", "market": "KR"}}, 200),
        ("GET", "search", {"params": {"q": "love", "type": "track", "limit": 11}}, 400),
        ("GET", f"tracks/{track_ids[0]}", {}, 200),
        ("GET", "tracks/0000000000000000000000", {}, 404),
        ("GET", "tracks/bad", {}, 400),
        ("GET", f"albums/{album_id}", {}, 200),
        ("GET", f"albums/{album_id}/tracks", {"params": {"limit": 1}}, 200),
        ("GET", f"artists/{artist_id}", {}, 200),
        ("POST", "me/playlists", {"json": {"name": "n", "public": False}}, 201),
        ("POST", "me/playlists", {"json": {}}, 400),
        ("GET", "me/playlists", {}, 200),
        ("GET", f"playlists/{other}", {}, 200),
        ("GET", f"playlists/{other}/items", {}, 403),
        ("GET", f"tracks?ids={track_ids[0]}", {}, 403),
    ]
    for method, path, kwargs, status in calls:
        answer = api.call(method, path, **kwargs)
        assert answer.status_code == status, (method, path, answer.text)
    pid = api.get("me/playlists").json()["items"][0]["id"]
    writes: list[tuple[str, str, dict[str, object], int]] = [
        ("POST", f"playlists/{pid}/items", {"json": {"uris": uris}}, 201),
        ("PUT", f"playlists/{pid}/items", {"json": {"uris": uris[::-1]}}, 200),
        ("PUT", f"playlists/{pid}/items", {"json": {"range_start": 0, "insert_before": 3}}, 200),
        ("DELETE", f"playlists/{pid}/items", {"json": {"items": [{"uri": uris[0]}]}}, 200),
        ("GET", f"playlists/{pid}/items", {}, 200),
        ("GET", f"playlists/{pid}", {}, 200),
        ("PUT", f"playlists/{pid}", {"json": {"description": "d"}}, 200),
        ("POST", f"playlists/{pid}/items", {"json": {"uris": ["x"]}}, 400),
    ]
    for method, path, kwargs, status in writes:
        answer = api.call(method, path, **kwargs)
        assert answer.status_code == status, (method, path, answer.text)
    for kind in ("rate_limit", "quota", "server_error"):
        sb.inject(Fault(kind))
        answer = api.get("me")
        assert answer.status_code >= 429
    assert Api(sb, token="").get("me").status_code == 401


def test_legacy_shapes_validate_when_deprecated_fields_are_allowed(
    make_sandbox: MakeSandbox,
) -> None:
    with make_sandbox(legacy_track_field=True) as sb:
        api = Api(sb)
        pid = sb.create_playlist("mine", uris=[f"spotify:track:{next(iter(sb.corpus.tracks))}"])
        for path in (f"playlists/{pid}", f"playlists/{pid}/items", "me/playlists"):
            assert api.get(path).status_code == 200
        import jsonschema

        page = api.get(f"playlists/{pid}/items").json()
        with pytest.raises(jsonschema.ValidationError):
            openapi.validate("GET", f"/v1/playlists/{pid}/items", 200, page)
