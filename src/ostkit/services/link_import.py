"""Import from a Spotify link: a playlist's or album's tracks become pinned catalog entries."""

from __future__ import annotations

import shlex
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ostkit.errors import ForbiddenError, SpotifyError
from ostkit.models import Candidate, Credit, RemotePlaylist, SpotifyUser, Status, Track
from ostkit.text import spotify_ids
from ostkit.text.keys import key, track_key
from ostkit.text.scripts import script_of
from ostkit.text.titles import ost_part, parse_title


class ImportClient(Protocol):
    def album_tracks(self, album_id: str) -> list[Candidate]: ...

    def playlist_tracks(self, playlist_id: str) -> list[Candidate | None]: ...

    def get_track(self, id_or_uri: str) -> Candidate: ...

    def get_playlist(self, playlist_id: str) -> RemotePlaylist: ...

    def current_user(self) -> SpotifyUser: ...


class ImportStore(Protocol):
    def transaction(self) -> AbstractContextManager[Any]: ...

    def save_track(self, track: Track) -> tuple[int, str]: ...

    def find_same_track(self, track: Track) -> Track | None: ...


@dataclass
class ImportResult:
    kind: str  # playlist | album
    spotify_id: str
    drama: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # local files, episodes, unavailable items

    def summary(self) -> str:
        return (
            f"{self.kind} {self.spotify_id} -> {self.drama!r}: {self.added} added, "
            f"{self.updated} updated, {self.unchanged} unchanged"
            + (f", {self.skipped} skipped" if self.skipped else "")
        )


def candidate_to_track(candidate: Candidate, drama: str) -> Track:
    """A Spotify track as a pinned catalog entry of ``drama``.

    Spotify writes the version, credits and OST into the name ("Love Beyond Words (Inst.)",
    "Stay (From \"Drama\" Original Soundtrack)"); the catalog keeps them apart, as
    ``versions.parse_title`` splits them: title "Love Beyond Words", version "Inst.". The OST
    part comes from an OST album's name ("... OST Part.1"), else from a "(From ... Pt. 2)".
    """
    parsed = parse_title(candidate.name)
    featured = {key(name) for name in parsed.featured}
    # Spotify lists every performer as an artist; "feat. B" in the name makes B featured.
    credits = tuple(
        Credit(a.name, "featured" if i and key(a.name) in featured else "main")
        for i, a in enumerate(candidate.artists)
    )
    part = ost_part(candidate.name, candidate.album.name if candidate.album else None)
    native = next((t for t in parsed.alt_titles if script_of(t) != "latin"), None)
    return Track(
        drama=drama,
        title=parsed.base,
        credits=credits or (Credit("Unknown artist"),),
        native_title=native,
        part=part,
        album=candidate.album.name if candidate.album else None,
        release_date=candidate.album.release_date if candidate.album else None,
        duration_ms=candidate.duration_ms,
        isrc=candidate.isrc,
        version=parsed.version,
        spotify_uri=candidate.uri,
        status=Status.PINNED,  # imported with its URI: the matcher never touches it
    )


def merge_into(existing: Track, imported: Track) -> Track:
    """What an import writes over a catalog entry that is already there.

    The entry keeps every fact it has (album, release date, duration, ISRC, credits, part):
    a compilation album's release date or name must not replace the OST part's. The import
    pins the Spotify URI and fills in only what is missing.
    """
    same_pin = existing.spotify_uri == imported.spotify_uri and existing.status == Status.PINNED
    return replace(
        existing,
        album=existing.album or imported.album,
        release_date=existing.release_date or imported.release_date,
        duration_ms=existing.duration_ms or imported.duration_ms,
        isrc=existing.isrc or imported.isrc,
        part=existing.part if existing.part is not None else imported.part,
        native_title=existing.native_title or imported.native_title,
        spotify_uri=imported.spotify_uri,
        status=Status.PINNED,
        score=existing.score if same_pin else None,
        matched_at=existing.matched_at if same_pin else None,
    )


def save_pinned(store: ImportStore, track: Track, known: Track | None = None) -> tuple[int, str]:
    """Save an imported, pinned ``track`` over the catalog entry it is (``known``, else the one
    with the catalog's identity), keeping that entry's facts (``merge_into``)."""
    known = known or store.find_same_track(track)
    return store.save_track(merge_into(known, track) if known is not None else track)


def _not_yours(
    client: ImportClient, playlist_id: str, drama: str, exc: ForbiddenError
) -> ForbiddenError:
    """The error for a 403 on a playlist's items. Development-Mode apps read the items only of
    playlists the user owns or collaborates on (official OST playlists included); when that is
    the cause (the playlist's details, which anyone may read, name another owner), say so and
    name the two ways that work."""
    try:
        playlist = client.get_playlist(playlist_id)
        me = client.current_user()
    except SpotifyError:
        playlist = None
    if playlist is None or playlist.owner_id == me.id or playlist.collaborative:
        return ForbiddenError(
            f"{exc}. To import someone else's playlist, copy its songs into a playlist of "
            "yours in the Spotify app and import that one",
            status=exc.status,
            reason=exc.reason,
        )
    return ForbiddenError(
        f"Spotify does not let ostkit read playlist {playlist.name!r} (403): it belongs to "
        f"{playlist.owner_id}, and apps read only playlists you own or collaborate on; run "
        f"`ostkit discover {shlex.quote(drama)}` to find the drama's OST releases, or export the "
        "playlist with Exportify and `ostkit import` its CSV file",
        status=exc.status,
        reason=exc.reason,
    )


def import_spotify_link(
    store: ImportStore, client: ImportClient, link: str, drama: str
) -> ImportResult:
    """Pull a Spotify playlist's or album's tracks into the catalog as pinned entries."""
    kind, spotify_id = spotify_ids.parse_link(link, ("playlist", "album"))
    result = ImportResult(kind, spotify_id, drama)
    if kind == "album":
        # Album track objects are "simplified": no ISRC. One GET /tracks/{id} per track fills
        # it in (OST albums are a handful of tracks; batch GET /tracks is gone in Dev Mode).
        candidates = [
            c if c.isrc else replace(client.get_track(c.uri), album=c.album)
            for c in client.album_tracks(spotify_id)
        ]
    else:
        try:
            entries = client.playlist_tracks(spotify_id)
        except ForbiddenError as exc:
            raise _not_yours(client, spotify_id, drama, exc) from exc
        candidates = [c for c in entries if c is not None]
        result.skipped = len(entries) - len(candidates)  # local files, episodes, unavailable
    seen: set[tuple[str, str]] = set()
    with store.transaction():
        for candidate in candidates:
            if not candidate.uri.startswith("spotify:track:"):
                result.skipped += 1
                continue
            track = candidate_to_track(candidate, drama)
            # "Song" and "Song - From "Drama" OST" in one playlist: one entry, the first URI.
            ident = (track_key(track.title, track.version), key(track.artist))
            if ident in seen:
                result.skipped += 1
                continue
            seen.add(ident)
            _id, outcome = save_pinned(store, track)
            if outcome == "added":
                result.added += 1
            elif outcome == "updated":
                result.updated += 1
            else:
                result.unchanged += 1
    return result
