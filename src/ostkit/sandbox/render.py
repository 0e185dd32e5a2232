"""The JSON the Web API answers with: artists, albums, tracks, users, playlists and paging
objects, with the keys in Spotify's order (answers are compared byte for byte)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from ostkit.sandbox import corpus as corpus_mod
from ostkit.sandbox.corpus import Album, Artist, Track
from ostkit.sandbox.model import Entry, Playlist, State, User, split_uri
from ostkit.sandbox.params import market_query


def name(item: Track | Album | Artist, lang: str) -> str:
    """The name in the ``Accept-Language`` language when the corpus has one."""
    return item.names.get(lang, item.name) if lang != "en" else item.name


def links(sb: State, kind: str, item_id: str) -> dict[str, Any]:
    """``external_urls``, ``href`` and ``id``: how every object points to itself."""
    return {
        "external_urls": {"spotify": f"https://open.spotify.com/{kind}/{item_id}"},
        "href": f"{sb.api_url}{kind}s/{item_id}",
        "id": item_id,
    }


def kind_and_uri(kind: str, item_id: str) -> dict[str, str]:
    return {"type": kind, "uri": f"spotify:{kind}:{item_id}"}


def artist_simple(sb: State, artist: Artist, lang: str) -> dict[str, Any]:
    return {
        **links(sb, "artist", artist.id),
        "name": name(artist, lang),
        **kind_and_uri("artist", artist.id),
    }


def artist_full(sb: State, artist: Artist, lang: str) -> dict[str, Any]:
    # followers, genres and popularity are gone for Dev-Mode apps.
    return {**artist_simple(sb, artist, lang), "images": []}


def _artists(sb: State, artist_ids: Sequence[str], lang: str) -> list[dict[str, Any]]:
    return [artist_simple(sb, sb.corpus.artists[a], lang) for a in artist_ids]


def album_simple(sb: State, album: Album, lang: str) -> dict[str, Any]:
    # available_markets, album_group, label and popularity are gone for Dev-Mode apps.
    return {
        "album_type": album.album_type,
        "total_tracks": sb.corpus.album_total(album),
        **links(sb, "album", album.id),
        "images": [],
        "name": name(album, lang),
        "release_date": album.release_date,
        "release_date_precision": album.release_date_precision,
        **kind_and_uri("album", album.id),
        "artists": _artists(sb, album.artist_ids, lang),
    }


def track_simple(sb: State, track: Track, lang: str, market: str | None) -> dict[str, Any]:
    # popularity, available_markets, linked_from and preview_url are gone for Dev-Mode apps.
    obj: dict[str, Any] = {
        "artists": _artists(sb, track.artist_ids, lang),
        "disc_number": track.disc_number,
        "duration_ms": track.duration_ms,
        "explicit": track.explicit,
        **links(sb, "track", track.id),
        "is_local": False,
        "name": name(track, lang),
        "track_number": track.track_number,
        **kind_and_uri("track", track.id),
    }
    if market is not None:
        obj["is_playable"] = True
    return obj


def track_full(sb: State, track: Track, lang: str, market: str | None) -> dict[str, Any]:
    obj = track_simple(sb, track, lang, market)
    obj["album"] = album_simple(sb, sb.corpus.albums[track.album_id], lang)
    # external_ids came back in March 2026.
    obj["external_ids"] = {"isrc": track.isrc} if track.isrc else {}
    return obj


def user_public(sb: State, user_id: str) -> dict[str, Any]:
    return {**links(sb, "user", user_id), **kind_and_uri("user", user_id)}


def current_user(sb: State, user: User) -> dict[str, Any]:
    """``GET /me``: country, email, explicit_content, followers and product are gone for
    Dev-Mode apps."""
    return {
        "display_name": user.display_name,
        **links(sb, "user", user.id),
        "images": [],
        **kind_and_uri("user", user.id),
        "account_id": corpus_mod.make_id("account", user.id)[:10],
    }


def paging(
    sb: State,
    path: str,
    items: list[Any],
    total: int,
    offset: int,
    limit: int,
    extra: Sequence[tuple[str, str]] = (),
    max_offset: int | None = None,
) -> dict[str, Any]:
    """A paging object; ``extra`` query parameters are repeated in its links."""

    def link(off: int) -> str:
        params = [("offset", str(off)), ("limit", str(limit)), *extra]
        return f"{sb.api_url}{path}?{urlencode(params, quote_via=quote)}"

    return {
        "href": link(offset),
        "items": items,
        "limit": limit,
        # Never a `next` the API would refuse (search offsets stop at 1000).
        "next": (
            link(offset + limit)
            if offset + limit < total and (max_offset is None or offset + limit <= max_offset)
            else None
        ),
        "offset": offset,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "total": total,
    }


def with_items(sb: State, obj: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """``obj[key] = value``, repeated under the deprecated key (``track`` for ``item``,
    ``tracks`` for ``items``) when the sandbox emulates the pre-2026 answers."""
    obj[key] = value
    if sb.legacy_track_field:
        obj[{"item": "track", "items": "tracks"}[key]] = value
    return obj


def entry(sb: State, item: Entry, lang: str, market: str | None) -> dict[str, Any]:
    """One playlist item; an episode or a track missing from the corpus is ``null``."""
    kind, item_id = split_uri(item.uri)
    track = sb.corpus.tracks.get(item_id) if kind == "track" else None
    obj: dict[str, Any] = {
        "added_at": item.added_at,
        "added_by": user_public(sb, item.added_by),
        "is_local": False,
    }
    return with_items(
        sb, obj, "item", track_full(sb, track, lang, market) if track is not None else None
    )


def items_page(
    sb: State, playlist: Playlist, offset: int, limit: int, lang: str, market: str | None
) -> dict[str, Any]:
    entries = playlist.entries[offset : offset + limit]
    return paging(
        sb,
        f"playlists/{playlist.id}/items",
        [entry(sb, e, lang, market) for e in entries],
        len(playlist.entries),
        offset,
        limit,
        market_query(market),
    )


def playlist_base(sb: State, playlist: Playlist) -> dict[str, Any]:
    owner = sb.records.users.get(playlist.owner_id)
    return {
        "collaborative": playlist.collaborative,
        "description": playlist.description,
        **links(sb, "playlist", playlist.id),
        "images": [],
        "name": playlist.name,
        "owner": {
            **user_public(sb, playlist.owner_id),
            "display_name": owner.display_name if owner else None,
        },
        "public": playlist.public,
        "snapshot_id": playlist.snapshot_id,
        **kind_and_uri("playlist", playlist.id),
    }


def playlist_summary(sb: State, playlist: Playlist) -> dict[str, Any]:
    """A playlist in ``/me/playlists``: its items as a link and a count."""
    ref = {"href": f"{sb.api_url}playlists/{playlist.id}/items", "total": len(playlist.entries)}
    return with_items(sb, playlist_base(sb, playlist), "items", ref)


def playlist_full(
    sb: State, playlist: Playlist, user_id: str, lang: str, market: str | None
) -> dict[str, Any]:
    obj = playlist_base(sb, playlist)
    obj["followers"] = {"href": None, "total": len(playlist.followers)}
    # Dev Mode: contents only for playlists the user owns or collaborates on.
    if playlist.has_member(user_id):
        with_items(sb, obj, "items", items_page(sb, playlist, 0, 100, lang, market))
    return obj
