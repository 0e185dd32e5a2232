"""Spotify links accepted by `ostkit import URL`."""

from __future__ import annotations

import pytest

from ostkit.errors import InputError
from ostkit.playlists.plan import parse_spotify_link

PID = "37i9dQZF1DXcBWIGoYBM5M"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"https://open.spotify.com/playlist/{PID}", ("playlist", PID)),
        (f"https://open.spotify.com/playlist/{PID}?si=abc123&pt=x", ("playlist", PID)),
        (f"https://open.spotify.com/intl-ko/album/{PID}", ("album", PID)),
        (f"https://open.spotify.com/intl-pt-BR/album/{PID}/", ("album", PID)),
        (f"open.spotify.com/album/{PID}#x", ("album", PID)),
        (f"https://open.spotify.com/embed/playlist/{PID}", ("playlist", PID)),
        (f"https://open.spotify.com/user/someone/playlist/{PID}", ("playlist", PID)),
        (f"spotify:playlist:{PID}", ("playlist", PID)),
        (f"spotify:album:{PID}", ("album", PID)),
        (f"spotify:user:someone:playlist:{PID}", ("playlist", PID)),
        (f"  spotify:album:{PID}\n", ("album", PID)),
    ],
)
def test_accepted(text: str, expected: tuple[str, str]) -> None:
    assert parse_spotify_link(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com/playlist/" + PID,
        "https://open.spotify.com/artist/" + PID,
        "https://open.spotify.com/playlist/short",
        "spotify:playlist:",
        "not a url",
    ],
)
def test_rejected_with_one_line(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_spotify_link(text)
    assert "\n" not in str(info.value) and "not a Spotify playlist or album link" in str(info.value)
