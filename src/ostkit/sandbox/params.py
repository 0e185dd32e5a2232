"""Reading a Web API request: ids, paging, market, fields and body values, each refused with
Spotify's 400 message when it is malformed."""

from __future__ import annotations

from typing import Any

from ostkit.sandbox import corpus as corpus_mod
from ostkit.sandbox.fields import FieldsError, Selection, parse_fields
from ostkit.sandbox.model import MARKET_RE, ApiError, Request

# 404 for a well-formed track/album/artist id that does not exist (playlists: "Resource not found").
NO_SUCH_ID = "non existing id"
# Playlist item changes (add, replace, remove) take at most this many URIs per request.
MAX_URIS_PER_REQUEST = 100


def valid_id(value: str, message: str = "Invalid base62 id") -> str:
    """A 22-character base62 id, else 400. The wording differs by endpoint at Spotify: "invalid
    id" for /tracks/{id}, "Invalid base62 id" for albums, artists and playlists."""
    if not corpus_mod.ID_RE.match(value):
        raise ApiError(400, message)
    return value


def int_param(request: Request, name: str, default: int, low: int, high: int, msg: str) -> int:
    """The integer query parameter ``name`` in ``[low, high]`` (``default`` when absent)."""
    raw = request.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, msg) from None
    if not low <= value <= high:
        raise ApiError(400, msg)
    return value


def page_params(
    request: Request, default_limit: int, max_limit: int, max_offset: int
) -> tuple[int, int]:
    """``(limit, offset)`` of a paged endpoint; the limit is checked first, as Spotify does."""
    limit = int_param(request, "limit", default_limit, 1, max_limit, "Invalid limit")
    offset = int_param(request, "offset", 0, 0, max_offset, "Invalid offset")
    return limit, offset


def market(request: Request) -> str | None:
    """The ``market`` query parameter: an ISO country code or ``from_token``."""
    value = request.param("market")
    if value is None or value == "from_token":
        return value
    if not MARKET_RE.match(value):
        raise ApiError(400, "Invalid market code")
    return value


def market_query(value: str | None) -> list[tuple[str, str]]:
    """The market as paging links repeat it (not at all when none was asked for)."""
    return [("market", value)] if value else []


def fields(request: Request) -> Selection | None:
    """The parsed ``fields`` filter, or None for a whole answer."""
    text = request.param("fields")
    if text is None or text == "":
        return None
    try:
        return parse_fields(text)
    except FieldsError:
        raise ApiError(400, "Invalid fields") from None


def is_int(value: Any) -> bool:
    """A JSON integer (``true`` is not one, though Python's bool is an int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def description(value: Any) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "description must be a string")
    if len(value) > 300:
        raise ApiError(400, "Invalid description: at most 300 characters")
    if "\n" in value or "\r" in value:
        raise ApiError(400, "Invalid description: line breaks are not allowed")
    return value


def playlist_flags(public: Any, collaborative: Any) -> tuple[bool, bool]:
    """``public`` and ``collaborative`` of a playlist body: booleans, and never both true."""
    if not isinstance(public, bool) or not isinstance(collaborative, bool):
        raise ApiError(400, "public and collaborative must be booleans")
    if collaborative and public:
        raise ApiError(400, "Collaborative playlists can only be private.")
    return public, collaborative


def uri_batch(count: int, verb: str) -> None:
    if count > MAX_URIS_PER_REQUEST:
        raise ApiError(
            400, f"You can {verb} a maximum of {MAX_URIS_PER_REQUEST} tracks per request."
        )
