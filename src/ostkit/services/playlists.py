"""Playlist use cases: show (resolve a playlist file against the catalog), list, export.
Push, which also talks to Spotify, is ``services.push``.

The store comes in as an argument (a Protocol below), so the logic runs the same on any store.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from ostkit.errors import NotFoundError
from ostkit.models import ManagedPlaylist, Track
from ostkit.playlists.definition import PlaylistDefinition
from ostkit.playlists.plan import WantedList, resolve, wanted_uris


class PlaylistStore(Protocol):
    """What the playlist services need from ``ostkit.store.CatalogStore``."""

    def transaction(self) -> AbstractContextManager[Any]: ...

    def tracks(
        self, drama: str | None = None, artist: str | None = None, status: Any = None
    ) -> list[Track]: ...

    def tracks_union(
        self, dramas: Sequence[str] = (), artists: Sequence[str] = (), ids: Sequence[int] = ()
    ) -> list[Track]: ...

    def managed_playlists(self) -> list[ManagedPlaylist]: ...

    def find_managed_playlist(
        self, *, source_file: str | None = None, name: str | None = None
    ) -> ManagedPlaylist | None: ...

    def save_managed_playlist(self, playlist: ManagedPlaylist) -> ManagedPlaylist: ...


# --- show -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """A playlist definition resolved against the catalog."""

    definition: PlaylistDefinition
    tracks: tuple[Track, ...]  # every resolved track, in playlist order
    wanted: WantedList  # the URIs to push and what is left out

    def rows(self) -> list[dict[str, Any]]:
        """One row per resolved track (for `playlist show`)."""
        unmatched = {id(t) for t in self.wanted.unmatched}
        duplicates = {id(t) for t in self.wanted.duplicates}
        rows: list[dict[str, Any]] = []
        position = 0
        for track in self.tracks:
            if id(track) in unmatched:
                note, pos = "skipped: no Spotify match", None
            elif id(track) in duplicates:
                note, pos = "skipped: same recording as an earlier track", None
            else:
                position += 1
                note, pos = "", position
            rows.append(
                {
                    "position": pos,
                    "id": track.id,
                    "drama": track.drama,
                    "part": track.part,
                    "title": track.title,
                    "artist": track.artist_display,
                    "status": str(track.status),
                    "uri": track.spotify_uri,
                    "note": note,
                }
            )
        return rows


def candidate_tracks(store: PlaylistStore, definition: PlaylistDefinition) -> list[Track]:
    """The catalog tracks ``definition`` can resolve to, in canonical order: those of the dramas
    and artists it names and of its track references, read alone from the catalog. The whole
    catalog when a reference names neither a drama nor an id, or a name is unknown (the
    resolver then says what is missing, with suggestions from the whole catalog)."""
    refs = (*definition.tracks, *definition.exclude)
    if any(r.id is None and r.drama is None for r in refs):
        return store.tracks()
    dramas = [*definition.dramas, *(r.drama for r in refs if r.drama is not None)]
    ids = [r.id for r in refs if r.id is not None]
    try:
        return store.tracks_union(dramas, definition.artists, ids)
    except NotFoundError:
        return store.tracks()


def resolve_playlist(store: PlaylistStore, definition: PlaylistDefinition) -> Resolved:
    tracks = resolve(definition, candidate_tracks(store, definition))
    return Resolved(
        definition,
        tuple(tracks),
        wanted_uris(tracks, allow_duplicates=definition.allow_duplicates),
    )


def unmatched_warning(resolved: Resolved, *, limit: int = 5) -> str | None:
    """One line about tracks left out for lack of a match (None when all are matched)."""
    missing = resolved.wanted.unmatched
    if not missing:
        return None
    shown = ", ".join(f"#{t.id} {t.title!r} ({t.status})" for t in missing[:limit])
    more = f" and {len(missing) - limit} more" if len(missing) > limit else ""
    return (
        f"{len(missing)} track{'s' * (len(missing) != 1)} without a Spotify match will be "
        f"skipped: {shown}{more} (run `ostkit match`, or pin them)"
    )


def list_playlists(store: PlaylistStore) -> list[dict[str, Any]]:
    """Rows for `ostkit playlist list`."""
    return [
        {
            "name": p.name,
            "tracks": len(p.uris),
            "url": p.url,
            "last_push": p.last_pushed_at,
            "file": p.source_file,
            "spotify_id": p.spotify_id,
        }
        for p in store.managed_playlists()
    ]


# --- export ------------------------------------------------------------------------------------


def export_playlist(store: Any, definition: PlaylistDefinition, fmt: str = "csv") -> Any:
    """The plan of the playlist's tracklist in any export format
    (``services.catalog.ExportPlan``, written by ``services.catalog.write_export``).

    Same tracks and order as ``playlist show`` (unmatched ones included, so a CSV is a complete
    tracklist; M3U leaves out what has no URI); repeated recordings appear once unless the file
    allows duplicates.
    """
    from ostkit.formats.registry import export_format
    from ostkit.services.catalog import ExportPlan

    export_format(fmt)  # an unknown format fails before resolving
    resolved = resolve_playlist(store, definition)
    duplicates = {id(t) for t in resolved.wanted.duplicates}
    tracks = [t for t in resolved.tracks if id(t) not in duplicates]
    all_dramas = {d.title: d for d in store.dramas()}
    used = [all_dramas[name] for name in dict.fromkeys(t.drama for t in tracks)]
    return ExportPlan(tracks, used, fmt, title=definition.name)
