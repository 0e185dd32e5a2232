"""Spotify's JSON answers as ostkit's models, and candidates back to JSON for storage.

Pure: no I/O, no spotipy. The client converts every answer here, and the store keeps review
candidates in the same TrackObject shape, so one converter reads both.
"""

from __future__ import annotations

from typing import Any

from ostkit.models import Candidate, RemotePlaylist, SpotifyAlbum, SpotifyArtist


def _artist(data: dict[str, Any]) -> SpotifyArtist:
    return SpotifyArtist(id=data.get("id"), name=str(data.get("name") or ""))


def _artists(items: Any) -> tuple[SpotifyArtist, ...]:
    return tuple(_artist(a) for a in items or () if isinstance(a, dict))


def album_from_json(data: dict[str, Any]) -> SpotifyAlbum:
    total = data.get("total_tracks")
    if total is None and isinstance(data.get("tracks"), dict):
        total = data["tracks"].get("total")
    return SpotifyAlbum(
        id=data.get("id"),
        name=str(data.get("name") or ""),
        album_type=data.get("album_type"),
        release_date=data.get("release_date"),
        artists=_artists(data.get("artists")),
        total_tracks=total,
    )


def candidate_from_json(data: Any, album: SpotifyAlbum | None = None) -> Candidate | None:
    """A TrackObject (full or simplified) as a Candidate; None for episodes, local files, nulls."""
    if not isinstance(data, dict):
        return None
    if data.get("type", "track") != "track" or data.get("is_local") or not data.get("id"):
        return None
    if album is None and isinstance(data.get("album"), dict):
        album = album_from_json(data["album"])
    external_ids = data.get("external_ids") or {}  # restored March 2026; may be {}
    return Candidate(
        id=str(data["id"]),
        uri=str(data.get("uri") or f"spotify:track:{data['id']}"),
        name=str(data.get("name") or ""),
        artists=_artists(data.get("artists")),
        album=album,
        duration_ms=data.get("duration_ms"),
        isrc=external_ids.get("isrc") if isinstance(external_ids, dict) else None,
        explicit=bool(data.get("explicit", False)),
        track_number=data.get("track_number"),
        disc_number=data.get("disc_number"),
        is_playable=data.get("is_playable"),
    )


def playlist_from_json(data: dict[str, Any]) -> RemotePlaylist:
    # "items" is the 2026 name (full object: a paging object; simplified: {href, total});
    # "tracks" the deprecated one that older client ids still get.
    page = data.get("items") if isinstance(data.get("items"), dict) else data.get("tracks")
    total = page.get("total", 0) if isinstance(page, dict) else 0
    owner = data.get("owner") or {}
    return RemotePlaylist(
        id=str(data["id"]),
        name=str(data.get("name") or ""),
        description=data.get("description"),
        public=data.get("public"),
        snapshot_id=str(data.get("snapshot_id") or ""),
        owner_id=str(owner.get("id") or ""),
        total=int(total or 0),
        url=(data.get("external_urls") or {}).get("spotify"),
        collaborative=bool(data.get("collaborative", False)),
    )


def entry_item(entry: Any) -> dict[str, Any] | None:
    """A playlist entry's track/episode: ``item`` (2026), falling back to deprecated ``track``."""
    if not isinstance(entry, dict):
        return None
    item = entry.get("item")
    if item is None:
        item = entry.get("track")
    return item if isinstance(item, dict) else None


def _artist_json(artist: SpotifyArtist) -> dict[str, Any]:
    return {"id": artist.id, "name": artist.name}


def candidate_to_json(candidate: Candidate) -> dict[str, Any]:
    """A Candidate as a (simplified) TrackObject that ``candidate_from_json`` reads back."""
    album = candidate.album
    return {
        "type": "track",
        "id": candidate.id,
        "uri": candidate.uri,
        "name": candidate.name,
        "artists": [_artist_json(a) for a in candidate.artists],
        "album": None
        if album is None
        else {
            "id": album.id,
            "name": album.name,
            "album_type": album.album_type,
            "release_date": album.release_date,
            "artists": [_artist_json(a) for a in album.artists],
            "total_tracks": album.total_tracks,
        },
        "duration_ms": candidate.duration_ms,
        "external_ids": {"isrc": candidate.isrc} if candidate.isrc else {},
        "explicit": candidate.explicit,
        "track_number": candidate.track_number,
        "disc_number": candidate.disc_number,
        "is_playable": candidate.is_playable,
    }
