"""Catalog reads: ``/search``, ``/tracks/{id}``, ``/albums/{id}[/tracks]`` and
``/artists/{id}[/albums]``."""

from __future__ import annotations

from typing import Any

from ostkit.sandbox import corpus as corpus_mod
from ostkit.sandbox import params, render
from ostkit.sandbox.corpus import Album
from ostkit.sandbox.model import SEARCH_TYPES, AccessToken, ApiError, Reply, Request, State

ALBUM_GROUPS = ("album", "single", "appears_on", "compilation")
# Search offsets stop at 1000 (limit at most 10 since 2026).
SEARCH_MAX_OFFSET = 1000


def search(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    q = request.param("q")
    if q is None:
        q = request.param("query")
    if not q or not q.strip():
        raise ApiError(400, "No search query")
    type_param = request.param("type")
    if not type_param:
        raise ApiError(400, "Missing parameter type")
    types = [t.strip() for t in type_param.split(",")]
    for t in types:
        if t not in SEARCH_TYPES:
            raise ApiError(400, f"Bad search type field {t}")
    limit, offset = params.page_params(request, 5, 10, SEARCH_MAX_OFFSET)
    market = params.market(request)
    extra = [("query", q), *params.market_query(market)]
    parsed = corpus_mod.parse_query(q)
    result: dict[str, Any] = {}
    for t in SEARCH_TYPES:
        if t not in types:
            continue
        items, total = _search_page(sb, t, parsed, offset, limit, request.language, market)
        result[t + "s"] = render.paging(
            sb, "search", items, total, offset, limit, [*extra, ("type", t)], SEARCH_MAX_OFFSET
        )
    return Reply.json(200, result)


def _search_page(
    sb: State,
    kind: str,
    query: corpus_mod.SearchQuery,
    offset: int,
    limit: int,
    lang: str,
    market: str | None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of one result type, and how many there are (none for playlists, shows ...)."""
    if kind == "track":
        tracks = corpus_mod.search_tracks(sb.corpus, query)
        page = tracks[offset : offset + limit]
        return [render.track_full(sb, x, lang, market) for x in page], len(tracks)
    if kind == "album":
        albums = corpus_mod.search_albums(sb.corpus, query)
        page_a = albums[offset : offset + limit]
        return [render.album_simple(sb, x, lang) for x in page_a], len(albums)
    if kind == "artist":
        artists = corpus_mod.search_artists(sb.corpus, query)
        page_r = artists[offset : offset + limit]
        return [render.artist_full(sb, x, lang) for x in page_r], len(artists)
    return [], 0


def track(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    found = sb.corpus.tracks.get(params.valid_id(args["id"], "invalid id"))
    market = params.market(request)
    if found is None:
        raise ApiError(404, params.NO_SUCH_ID)
    return Reply.json(200, render.track_full(sb, found, request.language, market))


def _album(sb: State, album_id: str) -> Album | None:
    return sb.corpus.albums.get(params.valid_id(album_id))


def album(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    found = _album(sb, args["id"])
    market = params.market(request)
    if found is None:
        raise ApiError(404, params.NO_SUCH_ID)
    lang = request.language
    tracks = sb.corpus.album_tracks(found.id)
    page = render.paging(
        sb,
        f"albums/{found.id}/tracks",
        [render.track_simple(sb, t, lang, market) for t in tracks[:50]],
        len(tracks),
        0,
        50,
    )
    obj = render.album_simple(sb, found, lang)
    obj.update(
        {
            "tracks": page,
            "copyrights": [],
            "external_ids": {"upc": found.upc} if found.upc else {},
        }
    )
    return Reply.json(200, obj)


def album_tracks(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    found = _album(sb, args["id"])
    limit, offset = params.page_params(request, 20, 50, 10_000)
    market = params.market(request)
    if found is None:
        raise ApiError(404, params.NO_SUCH_ID)
    tracks = sb.corpus.album_tracks(found.id)
    page = tracks[offset:][:limit]
    items = [render.track_simple(sb, t, request.language, market) for t in page]
    return Reply.json(
        200,
        render.paging(
            sb,
            f"albums/{found.id}/tracks",
            items,
            len(tracks),
            offset,
            limit,
            params.market_query(market),
        ),
    )


def artist(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    found = sb.corpus.artists.get(params.valid_id(args["id"]))
    if found is None:
        raise ApiError(404, params.NO_SUCH_ID)
    return Reply.json(200, render.artist_full(sb, found, request.language))


def artist_albums(sb: State, request: Request, token: AccessToken, args: dict[str, str]) -> Reply:
    found = sb.corpus.artists.get(params.valid_id(args["id"]))
    groups_param = request.param("include_groups")
    groups = groups_param.split(",") if groups_param else list(ALBUM_GROUPS)
    if any(g not in ALBUM_GROUPS for g in groups):
        raise ApiError(400, "Invalid include_groups")
    # Capped at 10 (default 5) since 2026, like search.
    limit, offset = params.page_params(request, 5, 10, 10_000)
    market = params.market(request)
    if found is None:
        raise ApiError(404, params.NO_SUCH_ID)
    albums = [a for a in sb.corpus.albums.values() if _album_group(sb, a, found.id) in groups]
    page = albums[offset : offset + limit]
    items = [render.album_simple(sb, a, request.language) for a in page]
    extra = [("include_groups", ",".join(groups)), *params.market_query(market)]
    return Reply.json(
        200,
        render.paging(sb, f"artists/{found.id}/albums", items, len(albums), offset, limit, extra),
    )


def _album_group(sb: State, album: Album, artist_id: str) -> str | None:
    """The album's type for its own artists, ``appears_on`` for an artist on one of its tracks."""
    if artist_id in album.artist_ids:
        return album.album_type
    if any(artist_id in t.artist_ids for t in sb.corpus.album_tracks(album.id)):
        return "appears_on"
    return None
