"""Spotify ids, URIs and links: every accepted and refused form, for every caller.

Before one parser existed, the import column, `import LINK`, `pin`/`review` and the client each
had their own rule; the rows marked "was refused by ..." / "was accepted by ..." are where those
copies disagreed.
"""

from __future__ import annotations

import pytest

from ostkit.errors import InputError
from ostkit.text.spotify_ids import is_link, parse, parse_link, track_uri, uri

TID = "4uLU6hMCjMI75M1A2tKUQC"
PID = "37i9dQZF1DXcBWIGoYBM5M"


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        pytest.param("track", TID, TID, id="bare id"),
        pytest.param("track", f"  {TID}\n", TID, id="bare id with whitespace"),
        pytest.param("track", f"spotify:track:{TID}", TID, id="uri"),
        pytest.param("track", f"https://open.spotify.com/track/{TID}", TID, id="link"),
        pytest.param("track", f"http://open.spotify.com/track/{TID}", TID, id="http link"),
        pytest.param("track", f"https://open.spotify.com/track/{TID}?si=abc", TID, id="si query"),
        pytest.param("track", f"https://open.spotify.com/track/{TID}/", TID, id="trailing slash"),
        pytest.param("track", f"https://open.spotify.com/track/{TID}#x", TID, id="fragment"),
        pytest.param(
            "track", f"https://open.spotify.com/intl-ko/track/{TID}", TID, id="intl-ko link"
        ),
        pytest.param(
            "album", f"https://open.spotify.com/intl-pt-BR/album/{TID}/", TID, id="intl-pt-BR link"
        ),
        # was refused by the import column and pin/review
        pytest.param("track", f"open.spotify.com/track/{TID}", TID, id="link without scheme"),
        # was refused by the import column, pin/review and the client
        pytest.param("track", f"https://play.spotify.com/track/{TID}", TID, id="play.spotify.com"),
        pytest.param("playlist", f"https://open.spotify.com/embed/playlist/{PID}", PID, id="embed"),
        # was refused by the client
        pytest.param("playlist", f"spotify:user:someone:playlist:{PID}", PID, id="user uri"),
        pytest.param(
            "playlist", f"https://open.spotify.com/user/someone/playlist/{PID}", PID, id="user link"
        ),
        # was refused by the import column (bare ids were refused outside Exportify files)
        pytest.param("track", TID, TID, id="bare id in an import column"),
    ],
)
def test_parse_accepts(kind: str, text: str, expected: str) -> None:
    assert parse(kind, text) == expected


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        # was accepted by the client (any 1-64 letters/digits)
        pytest.param("track", "4uLU6hMCjM", "not a Spotify track", id="10-character id"),
        pytest.param(
            "playlist",
            "https://open.spotify.com/playlist/37i9dQ?si=1",
            "not a Spotify playlist",
            id="short id in a link",
        ),
        pytest.param("track", f"{TID}A", "not a Spotify track", id="23-character id"),
        pytest.param("track", "spotify:track:short", "not a Spotify track", id="short id in a uri"),
        pytest.param("track", "4uLU6hMCjMI75M1A2tKUQ!", "not a Spotify track", id="not base62"),
        pytest.param("track", "x", "not a Spotify track", id="a word"),
        pytest.param("track", "", "not a Spotify track", id="empty"),
        pytest.param(
            "playlist", "https://example.com/x", "not a Spotify playlist", id="other site"
        ),
        pytest.param(
            "track", f"https://example.com/track/{TID}", "not a Spotify track", id="other host"
        ),
        pytest.param(
            "track", f"spotify:album:{TID}", "is a Spotify album, not a track", id="album uri"
        ),
        pytest.param(
            "track",
            f"https://open.spotify.com/album/{TID}",
            "is a Spotify album, not a track",
            id="album link",
        ),
        # only playlists were ever addressed under a user
        pytest.param(
            "track", f"spotify:user:someone:track:{TID}", "not a Spotify track", id="user track uri"
        ),
    ],
)
def test_parse_refuses_with_one_line(kind: str, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        parse(kind, text)
    assert "\n" not in str(info.value) and repr(text) in str(info.value)


def test_refusal_is_a_value_error_so_file_readers_name_the_line() -> None:
    with pytest.raises(ValueError, match="not a Spotify track"):
        parse("track", "spotify:track:short")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"https://open.spotify.com/playlist/{PID}", ("playlist", PID), id="playlist"),
        pytest.param(
            f"https://open.spotify.com/playlist/{PID}?si=abc123&pt=x",
            ("playlist", PID),
            id="query string",
        ),
        pytest.param(f"https://open.spotify.com/intl-ko/album/{PID}", ("album", PID), id="intl"),
        pytest.param(f"open.spotify.com/album/{PID}#x", ("album", PID), id="no scheme"),
        pytest.param(f"spotify:playlist:{PID}", ("playlist", PID), id="playlist uri"),
        pytest.param(f"spotify:album:{PID}", ("album", PID), id="album uri"),
        pytest.param(f"spotify:track:{TID}", ("track", TID), id="track uri"),
        pytest.param(f"  spotify:album:{PID}\n", ("album", PID), id="whitespace"),
    ],
)
def test_parse_link(text: str, expected: tuple[str, str]) -> None:
    assert parse_link(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "https://example.com/playlist/" + PID,
            "not a Spotify playlist or album link",
            id="other site",
        ),
        pytest.param(
            "https://open.spotify.com/artist/" + PID,
            "is a Spotify artist, not a playlist or album",
            id="artist",
        ),
        pytest.param(
            f"spotify:track:{TID}", "is a Spotify track, not a playlist or album", id="track"
        ),
        pytest.param(
            "https://open.spotify.com/playlist/short",
            "not a Spotify playlist or album link",
            id="short id",
        ),
        pytest.param(PID, "not a Spotify playlist or album link", id="bare id has no kind"),
        pytest.param("spotify:playlist:", "not a Spotify playlist or album link", id="no id"),
        pytest.param("not a url", "not a Spotify playlist or album link", id="words"),
    ],
)
def test_parse_link_refuses_with_one_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        parse_link(text, ("playlist", "album"))
    assert "\n" not in str(info.value)


def test_uris() -> None:
    assert uri("album", PID) == f"spotify:album:{PID}"
    assert track_uri(f"https://open.spotify.com/track/{TID}?si=1") == f"spotify:track:{TID}"
    assert track_uri(TID) == f"spotify:track:{TID}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"spotify:album:{PID}", True, id="uri"),
        pytest.param("https://example.com/x", True, id="any url: refused later with a reason"),
        pytest.param(f"open.spotify.com/album/{PID}", True, id="link without scheme"),
        pytest.param(" HTTPS://OPEN.SPOTIFY.COM/x", True, id="upper case"),
        pytest.param("my-osts.csv", False, id="file"),
        pytest.param("playlists/spotify.toml", False, id="file named spotify"),
        pytest.param(PID, False, id="bare id"),
    ],
)
def test_is_link(text: str, expected: bool) -> None:
    assert is_link(text) is expected
