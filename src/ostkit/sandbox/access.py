"""Who may do what: the user behind a token, scopes, and playlist ownership."""

from __future__ import annotations

from ostkit.sandbox.model import AccessToken, ApiError, Playlist, State
from ostkit.sandbox.params import valid_id


def user_of(token: AccessToken) -> str:
    """The token's user; app tokens (client credentials) cannot act as one."""
    if token.user_id is None:
        raise ApiError(401, "Valid user authentication required")
    return token.user_id


def need_scope(token: AccessToken, *scopes: str) -> None:
    if not set(scopes) <= token.scopes:
        raise ApiError(403, "Insufficient client scope")


def write_scopes(public: bool, collaborative: bool) -> tuple[str, ...]:
    """The scopes that changing such a playlist takes: collaborative ones need both modify
    scopes (Spotify's scope documentation), the others the one matching their visibility."""
    if collaborative:
        return ("playlist-modify-private", "playlist-modify-public")
    return ("playlist-modify-public",) if public else ("playlist-modify-private",)


def find_playlist(sb: State, playlist_id: str) -> Playlist:
    playlist = sb.records.playlists.get(valid_id(playlist_id))
    if playlist is None:
        raise ApiError(404, "Resource not found")
    return playlist


def need_write(token: AccessToken, playlist: Playlist) -> str:
    """The user changing ``playlist``'s items: with the scopes for it, and owner or collaborator."""
    user_id = user_of(token)
    need_scope(token, *write_scopes(playlist.public, playlist.collaborative))
    if not playlist.has_member(user_id):
        raise ApiError(403, "Forbidden")
    return user_id
