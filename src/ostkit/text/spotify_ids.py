"""Spotify ids, URIs and links: the one parser every command uses. Pure.

A Spotify id is exactly 22 base62 characters; anything shorter or longer is a typo (a truncated
paste), so it is refused here rather than sent to Spotify as a 400. Accepted forms, for a ``kind``
such as ``track``, ``album`` or ``playlist``:

* a bare id: ``4uLU6hMCjMI75M1A2tKUQC`` (only where the kind is known from context);
* a URI: ``spotify:track:ID``; for playlists also the old ``spotify:user:NAME:playlist:ID``;
* a link: ``https://open.spotify.com/track/ID``, with or without the scheme, on ``open.`` or the
  old ``play.spotify.com``, with an ``intl-ko/`` (``intl-pt-BR/``) locale segment, an ``embed/``
  segment, a trailing slash, a ``?si=...`` query or a ``#fragment``; for playlists also the old
  ``/user/NAME/playlist/ID``.

Surrounding whitespace is ignored. Errors are ``SpotifyIdError`` (an ``InputError``) with one
line naming the value and the kind expected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ostkit.errors import SpotifyIdError

_ID = r"[0-9A-Za-z]{22}"
_ID_RE = re.compile(rf"^{_ID}$")
# Only playlists were ever addressed under a user (``spotify:user:NAME:playlist:ID``).
_URI_RE = re.compile(rf"^spotify:(?:user:[^:/\s]+:(?=playlist:))?(?P<kind>[a-z]+):(?P<id>{_ID})$")
_LINK_RE = re.compile(
    r"^(?:https?://)?(?:open|play)\.spotify\.com/(?:intl-[A-Za-z]{2,3}(?:-[A-Za-z]{2,4})?/)?"
    r"(?:embed/)?(?:user/[^/\s]+/(?=playlist/))?(?P<kind>[a-z]+)/"
    rf"(?P<id>{_ID})/?(?:[?#]\S*)?$"
)
_LINK_START = ("spotify:", "http://", "https://")


def _example(kind: str) -> str:
    return f"spotify:{kind}:<id> or https://open.spotify.com/{kind}/<id>"


def _split(value: str) -> tuple[str, str] | None:
    text = value.strip()
    match = _URI_RE.match(text) or _LINK_RE.match(text)
    return (match["kind"], match["id"]) if match else None


def _or(kinds: Sequence[str]) -> str:
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"


def parse_link(
    value: str, kinds: Sequence[str] = ("track", "album", "playlist")
) -> tuple[str, str]:
    """``(kind, id)`` of a ``spotify:`` URI or an open.spotify.com link of one of ``kinds``."""
    found = _split(value)
    if found is None:
        examples = " or ".join(f"https://open.spotify.com/{k}/<id>" for k in kinds)
        raise SpotifyIdError(
            f"not a Spotify {_or(kinds)} link: {value!r} (expected {examples} "
            f"or spotify:{kinds[0]}:<id>)"
        )
    if found[0] not in kinds:
        raise SpotifyIdError(f"{value!r} is a Spotify {found[0]}, not a {_or(kinds)}")
    return found


def parse(kind: str, value: str) -> str:
    """The 22-character id of a ``kind`` from a bare id, a ``spotify:`` URI or a link."""
    text = value.strip()
    if _ID_RE.match(text):
        return text
    if _split(text) is None:
        raise SpotifyIdError(
            f"not a Spotify {kind} URI, URL or 22-character id: {value!r} "
            f"(expected {_example(kind)})"
        )
    return parse_link(text, (kind,))[1]


def uri(kind: str, spotify_id: str) -> str:
    """``spotify:KIND:ID``."""
    return f"spotify:{kind}:{spotify_id}"


def track_uri(value: str) -> str:
    """``spotify:track:ID`` from any accepted form of a track (see ``parse``)."""
    return uri("track", parse("track", value))


def is_link(value: str) -> bool:
    """Whether a command argument is meant as a Spotify URI or link rather than a file path.

    Deliberately loose (any URL, anything mentioning spotify.com/): such an argument then goes
    to ``parse_link``, which says what is wrong with it, instead of "no such file".
    """
    text = value.strip().lower()
    return text.startswith(_LINK_START) or "spotify.com/" in text
