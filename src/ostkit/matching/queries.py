"""Search plans: which Spotify queries to send for a catalog track, cheapest and surest first.

Pure: builds strings, sends nothing. The matching service runs a plan step by step and stops as
soon as the candidates gathered so far give a confident match, so most entries cost one search:

1. ``isrc:KRA382200101`` — when the catalog knows the ISRC: the recording itself.
2. ``track:"Want To Be Happy" artist:"Park Bo-ram"`` — field-filtered, title without version tags
   or credits (the Inst. twin comes back too and the scorer tells them apart).
3. ``track:"행복하고 싶어" artist:"박보람"`` — the native title (and native name when known).
4. ``track:"Want To Be Happy"`` — the title alone (the artist's name is spelled another way or
   shown in another script).
5. the drama's OST albums (``album:"Soundtrack #1"``, then the native drama title), whose tracks
   are then read with ``album_tracks``: this reaches titles that exist only in Hangul. When a
   drama has several entries to match, the service fetches these once up front and scores them
   before any track search (``drama_first``), which is both cheaper and surer.
6. ``artist:"Park Bo-ram"`` — the artist's songs (last resort): a title Spotify shows only in
   another script, on a release no search of the drama's name reaches (the fan typed the drama
   under another English title than Spotify's). One search per artist per run, whatever the
   number of the artist's entries (``RunCache``).

Every query asks for at most ``SEARCH_LIMIT`` (10) results, Spotify's Development-Mode cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ostkit.matching.scoring import is_drama_head, name_forms, same_drama
from ostkit.models import SpotifyAlbum, Track
from ostkit.text.keys import clean_text, fuzzy_key
from ostkit.text.scripts import script_of
from ostkit.text.titles import parse_album, parse_title

SEARCH_LIMIT = 10

Kind = Literal["track", "album"]


@dataclass(frozen=True)
class Query:
    kind: Kind  # "track": search_tracks; "album": search_albums then album_tracks
    q: str
    step: str  # isrc | field | native | title | drama | artist
    limit: int = SEARCH_LIMIT

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= SEARCH_LIMIT:
            raise ValueError(f"query limit must be 1..{SEARCH_LIMIT}, got {self.limit}")


def quote(value: str) -> str:
    """A value for a field filter: double quotes inside would end the filter, so drop them."""
    return '"' + " ".join(clean_text(value).replace('"', " ").split()) + '"'


def _base(title: str) -> str:
    parsed = parse_title(title)
    return parsed.core or parsed.base or clean_text(title)


def plan(
    track: Track,
    *,
    drama_names: Sequence[str] = (),
    artist_names: Sequence[str] = (),
    limit: int = SEARCH_LIMIT,
    with_drama: bool = True,
) -> list[Query]:
    """The ordered queries for ``track`` (duplicates removed).

    ``drama_names``: other names of the drama (native title); ``artist_names``: other known names
    of the primary artist (native name, learned aliases), tried with the native title.
    ``with_drama=False`` leaves out the drama-album steps (the service fetched them up front).
    """
    steps: list[Query] = []
    title = _base(track.title)
    # "DOYOUNG of NCT", "Taeil (NCT)": Spotify knows the bare name.
    forms = name_forms(track.artist) if track.artist.strip() else [""]
    artist = forms[1] if len(forms) > 1 else forms[0]
    primary = next((c for c in track.credits if c.role == "main"), None)
    native_artist = (primary.native_name if primary else None) or next(
        (n for n in artist_names if script_of(n) not in ("latin", "none")), None
    )
    if track.isrc and track.isrc.strip():
        steps.append(Query("track", f"isrc:{track.isrc.strip().upper()}", "isrc", limit))
    if title and artist:
        steps.append(Query("track", f"track:{quote(title)} artist:{quote(artist)}", "field", limit))
    if track.native_title:
        native = _base(track.native_title)
        if native and fuzzy_key(native) != fuzzy_key(title):
            # Without the artist's native name, the native title alone: the artist may be shown
            # in Hangul only, and native titles are distinctive enough.
            q = f"track:{quote(native)}"
            if native_artist:
                q += f" artist:{quote(native_artist)}"
            steps.append(Query("track", q, "native", limit))
    if title:
        steps.append(Query("track", f"track:{quote(title)}", "title", limit))
    if with_drama:
        steps.extend(drama_queries(track.drama, drama_names, limit=limit))
    if title and artist:
        steps.append(Query("track", f"artist:{quote(artist)}", "artist", limit))
    seen: set[tuple[str, str]] = set()
    unique: list[Query] = []
    for step in steps:
        if (step.kind, step.q) not in seen:
            seen.add((step.kind, step.q))
            unique.append(step)
    return unique


def drama_queries(
    drama: str, drama_names: Sequence[str] = (), *, limit: int = SEARCH_LIMIT
) -> list[Query]:
    """Album searches for a drama's OST releases: its title, then its other (native) names."""
    names = dict.fromkeys(clean_text(d) for d in (drama, *drama_names) if d and d.strip())
    return [Query("album", f"album:{quote(d)}", "drama", limit) for d in names]


def ost_drama_names(albums: Sequence[SpotifyAlbum]) -> set[str]:
    """The drama names of the OST releases among ``albums`` (compilations left out)."""
    names = set()
    for album in albums:
        if album.album_type == "compilation":
            continue
        info = parse_album(album.name)
        if info.is_ost and info.drama:
            names.add(info.drama)
    return names


def title_heads(names: Sequence[str]) -> list[str]:
    """The titles before a subtitle ("Misaeng" of "Misaeng: Incomplete Life"), long enough to
    name one drama (``same_drama`` reads them as the same drama); searched for the drama's
    releases when its full names found none (Spotify may name them by the title alone)."""
    heads = []
    for name in names:
        head = clean_text(name).split(":", 1)[0].strip()
        if head != clean_text(name) and is_drama_head(head):
            heads.append(head)
    return list(dict.fromkeys(heads))


def drama_albums(
    albums: Sequence[SpotifyAlbum],
    drama_names: Sequence[str],
    *,
    max_albums: int = 6,
) -> list[SpotifyAlbum]:
    """The albums of an album search that are this drama's own OST releases, to open with
    ``album_tracks`` (compilations and other dramas' OSTs are left out). An OST named in a
    script none of the drama's names is in (``구미호뎐 OST Part 1`` found by searching "Tale of
    the Nine Tailed") may be the drama's too: it is opened, and its name is learned once a track
    on it is accepted."""
    wanted = [d for d in drama_names if d and d.strip()]
    scripts = {script_of(d) for d in wanted}
    named: list[SpotifyAlbum] = []
    other_script: list[SpotifyAlbum] = []
    for album in albums:
        if not album.id or album.album_type == "compilation":
            continue
        info = parse_album(album.name)
        # A compilation's name is no drama's ("Best of K-Drama OST"); a drama's name may hold a
        # compilation word ("Hospital Playlist"), so the name decides.
        if not info.is_ost or not info.drama:
            continue
        if any(same_drama(info.drama, d) for d in wanted):
            named.append(album)
        elif script_of(info.drama) not in scripts:
            other_script.append(album)
    # The releases named for the drama first; those named in another script after them.
    chosen = list({a.id: a for a in (*named, *other_script)}.values())
    return chosen[:max_albums]
