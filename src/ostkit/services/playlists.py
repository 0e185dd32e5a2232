"""Playlist use cases: show, push (create/find + sync), list, import from Spotify links.

The store and the Spotify client come in as arguments (Protocols below), so the logic runs the
same against the sandbox in tests and against Spotify for real.

Push, in requests (N wanted tracks; see README "Playlists" for the budget):

1. known Spotify id: ``GET /playlists/{id}`` (1 read). If its ``snapshot_id`` is the one stored
   at our last complete push, the remote still holds the list we pushed: no item reads at all.
   Otherwise ``GET /playlists/{id}/items`` pages of 50 (ceil(N/50) reads).
2. unknown id (first push, or another machine): pages of ``GET /me/playlists`` for a playlist
   with the same name that the user owns (``GET /me`` once one has that name); else
   ``POST /me/playlists`` (then nothing to read).
3. ``plan_sync`` -> the writes, details first (a rename also changes the snapshot), then items.
4. Only when every write succeeded is the new snapshot and list stored: an interrupted push
   (429, 5xx, killed process) leaves the old record, so the next push reads the remote again and
   plans from what is really there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from ostkit.clock import now_iso
from ostkit.errors import ForbiddenError, InputError, NotFoundError, SpotifyError
from ostkit.models import (
    Candidate,
    Credit,
    ManagedPlaylist,
    RemotePlaylist,
    SpotifyUser,
    Status,
    Track,
)
from ostkit.playlists.definition import PlaylistDefinition
from ostkit.playlists.plan import (
    Details,
    SyncPlan,
    WantedList,
    apply_ops,
    cannot_clear_description,
    plan_sync,
    resolve,
    wanted_uris,
)
from ostkit.text import spotify_ids
from ostkit.text.keys import key, track_key
from ostkit.text.scripts import script_of
from ostkit.text.titles import parse_album, parse_title


class PlaylistClient(Protocol):
    """What the playlist services need from ``ostkit.spotify.SpotifyClient``."""

    @property
    def request_count(self) -> int: ...

    def current_user(self) -> SpotifyUser: ...

    def my_playlists(self) -> Iterator[RemotePlaylist]: ...

    def get_playlist(self, playlist_id: str) -> RemotePlaylist: ...

    def playlist_item_uris(self, playlist_id: str) -> list[str]: ...

    def create_playlist(
        self, name: str, public: bool = False, description: str = ""
    ) -> RemotePlaylist: ...

    def replace_items(self, playlist_id: str, uris: Sequence[str]) -> str: ...

    def add_items(
        self,
        playlist_id: str,
        uris: Sequence[str],
        position: int | None = None,
        expected_total: int | None = None,
    ) -> str: ...

    def remove_items(self, playlist_id: str, uris: Sequence[str]) -> str: ...

    def change_details(
        self,
        playlist_id: str,
        name: str | None = None,
        description: str | None = None,
        public: bool | None = None,
    ) -> Any: ...


class PlaylistStore(Protocol):
    """What the playlist services need from ``ostkit.store.CatalogStore``."""

    def transaction(self) -> AbstractContextManager[Any]: ...

    def tracks(
        self, drama: str | None = None, artist: str | None = None, status: Any = None
    ) -> list[Track]: ...

    def managed_playlists(self) -> list[ManagedPlaylist]: ...

    def find_managed_playlist(
        self, *, source_file: str | None = None, name: str | None = None
    ) -> ManagedPlaylist | None: ...

    def save_managed_playlist(self, playlist: ManagedPlaylist) -> ManagedPlaylist: ...


class PushInterruptedError(SpotifyError):
    """A push stopped part-way; the message says how far it got and to run it again."""


Progress = Callable[[str], None]


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


def resolve_playlist(store: PlaylistStore, definition: PlaylistDefinition) -> Resolved:
    tracks = resolve(definition, store.tracks())
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


# --- push -------------------------------------------------------------------------------------


@dataclass
class PushResult:
    playlist: ManagedPlaylist
    plan: SyncPlan
    resolved: Resolved
    created: bool = False  # a new Spotify playlist was created (or would be, with dry_run)
    found_by_name: bool = False  # an existing playlist of the user was adopted by its name
    dry_run: bool = False
    requests: int = 0  # HTTP requests this push sent
    writes_done: int = 0

    @property
    def url(self) -> str | None:
        return self.playlist.url


def _wanted_details(definition: PlaylistDefinition) -> Details:
    return Details(definition.name, definition.description, definition.public)


def _remote_details(remote: RemotePlaylist) -> Details:
    return Details(remote.name, remote.description or "", remote.public)


def _find_by_name(client: PlaylistClient, name: str) -> RemotePlaylist | None:
    """The user's own playlist called ``name`` (``GET /me`` only once one has that name)."""
    me: str | None = None
    for playlist in client.my_playlists():
        if playlist.name == name:
            me = me if me is not None else client.current_user().id
            if playlist.owner_id == me:
                return playlist
    return None


def push_playlist(
    store: PlaylistStore,
    client: PlaylistClient,
    definition: PlaylistDefinition,
    *,
    dry_run: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
) -> PushResult:
    """Make the Spotify playlist exactly the resolved list (see the module docstring)."""
    say = progress or (lambda _msg: None)
    start = client.request_count
    resolved = resolve_playlist(store, definition)
    if strict and resolved.wanted.unmatched:
        listed = "; ".join(
            f"#{t.id} {t.title!r} ({t.status})" for t in resolved.wanted.unmatched[:20]
        )
        raise InputError(
            f"--strict: {len(resolved.wanted.unmatched)} track(s) have no Spotify match: "
            f"{listed} (run `ostkit match` or pin them)"
        )
    warning = unmatched_warning(resolved)
    if warning:
        say(f"Warning: {warning}")
    wanted = list(resolved.wanted.uris)
    source = str(Path(definition.path).resolve()) if definition.path else None
    record = store.find_managed_playlist(source_file=source, name=definition.name)
    if record is None:
        record = ManagedPlaylist(definition.name, source_file=source)
    record = replace(record, name=definition.name, source_file=source)

    remote: RemotePlaylist | None = None
    if record.spotify_id:
        try:
            remote = client.get_playlist(record.spotify_id)
        except NotFoundError:
            say(f"playlist {record.spotify_id} is gone from Spotify; looking it up by name")
            record = replace(record, spotify_id=None, snapshot_id=None, uris=(), public=None)
    result = PushResult(record, SyncPlan(), resolved, dry_run=dry_run)
    current: list[str]
    if remote is None:
        remote = _find_by_name(client, definition.name)
        if remote is not None:
            result.found_by_name = True
            record = replace(record, spotify_id=remote.id, snapshot_id=None, uris=(), public=None)
        elif dry_run:
            result.created = True
            result.plan = plan_sync(wanted, [])
            result.requests = client.request_count - start
            return result
        else:
            remote = client.create_playlist(
                definition.name, public=definition.public, description=definition.description
            )
            result.created = True
            # Remember the id at once: a re-run after a failure must not create a second one.
            with store.transaction():
                record = store.save_managed_playlist(
                    replace(
                        record,
                        spotify_id=remote.id,
                        snapshot_id=None,
                        uris=(),
                        public=definition.public,
                    )
                )
    hidden = 0
    if result.created:
        current = []
    elif record.snapshot_id and record.snapshot_id == remote.snapshot_id:
        # Unchanged since our last complete push: it holds exactly the list we stored.
        current = list(record.uris)
    else:
        current = client.playlist_item_uris(remote.id)
        # Entries without an item (tracks no longer available) are counted but not listed.
        hidden = max(0, remote.total - len(current))
        if hidden:
            say(f"{hidden} unavailable item(s) in the playlist: rewriting it to remove them")
    details_now = _remote_details(remote) if not result.created else _wanted_details(definition)
    if cannot_clear_description(details_now, _wanted_details(definition)):
        say(
            "Warning: the file has no description but the Spotify playlist has one; Spotify "
            "cannot clear a description through its Web API: clear it in the Spotify app"
        )
    plan = plan_sync(
        wanted,
        current,
        details_now,
        _wanted_details(definition),
        public_sent=record.public,
        hidden=hidden,
    )
    result.plan = plan
    record = replace(record, spotify_id=remote.id)
    result.playlist = record
    if dry_run:
        result.requests = client.request_count - start
        return result

    snapshot: str | None = remote.snapshot_id
    items = list(current)
    total = plan.writes
    try:
        if plan.details:
            name, description, public = (
                plan.details.get(k) for k in ("name", "description", "public")
            )
            client.change_details(
                remote.id,
                name=name if isinstance(name, str) else None,
                description=description if isinstance(description, str) else None,
                public=public if isinstance(public, bool) else None,
            )
            result.writes_done += 1
            snapshot = None  # a details change moves the snapshot too
            say(f"write 1/{total}: change {', '.join(sorted(plan.details))}")
        for op in plan.ops:
            after = apply_ops(items, [op])
            if op.kind == "replace":
                snapshot = client.replace_items(remote.id, op.uris)
            elif op.kind == "remove":
                snapshot = client.remove_items(remote.id, op.uris)
            else:
                # expected_total: the count BEFORE the add, so an ambiguous failure can be
                # settled by reading the playlist back instead of blindly re-adding.
                snapshot = client.add_items(
                    remote.id, op.uris, position=op.position, expected_total=len(items)
                )
            items = after
            result.writes_done += 1
            say(f"write {result.writes_done}/{total}: {op.describe()}")
    except SpotifyError as exc:
        result.requests = client.request_count - start
        again = (
            f"ostkit playlist push {definition.path}"
            if definition.path
            else "the same `ostkit playlist push`"
        )
        raise PushInterruptedError(
            f"push stopped after {result.writes_done} of {total} writes: {exc}; the playlist "
            f"may be partly updated: run {again} again to finish",
            status=exc.status,
            reason=exc.reason,
        ) from exc
    if snapshot is None:
        snapshot = client.get_playlist(remote.id).snapshot_id
    with store.transaction():
        record = store.save_managed_playlist(
            replace(
                record,
                snapshot_id=snapshot,
                uris=tuple(wanted),
                last_pushed_at=now_iso(),
                public=definition.public,
            )
        )
    result.playlist = record
    result.requests = client.request_count - start
    return result


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


# --- import from a Spotify link -----------------------------------------------------------------


class ImportClient(Protocol):
    def album_tracks(self, album_id: str) -> list[Candidate]: ...

    def playlist_tracks(self, playlist_id: str) -> list[Candidate | None]: ...

    def get_track(self, id_or_uri: str) -> Candidate: ...


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
    part = parsed.part
    if candidate.album:
        album = parse_album(candidate.album.name)
        if album.is_ost and not album.compilation and album.part is not None:
            part = album.part
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


def _merge_into(existing: Track, imported: Track) -> Track:
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
            raise ForbiddenError(
                f"{exc}. To import someone else's playlist, copy its songs into a playlist of "
                "yours in the Spotify app and import that one",
                status=exc.status,
                reason=exc.reason,
            ) from exc
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
            known = store.find_same_track(track)
            if known is not None:
                track = _merge_into(known, track)
            _id, outcome = store.save_track(track)
            if outcome == "added":
                result.added += 1
            elif outcome == "updated":
                result.updated += 1
            else:
                result.unchanged += 1
    return result


# --- export ------------------------------------------------------------------------------------


def export_playlist(store: Any, definition: PlaylistDefinition, fmt: str = "csv") -> Any:
    """The playlist's tracklist in any export format (``services.catalog.ExportResult``).

    Same tracks and order as ``playlist show`` (unmatched ones included, so a CSV is a complete
    tracklist; M3U leaves out what has no URI); repeated recordings appear once unless the file
    allows duplicates.
    """
    from ostkit.formats import writers as export
    from ostkit.services.catalog import EXPORT_FORMATS, ExportResult

    resolved = resolve_playlist(store, definition)
    duplicates = {id(t) for t in resolved.wanted.duplicates}
    tracks = [t for t in resolved.tracks if id(t) not in duplicates]
    all_dramas = {d.title: d for d in store.dramas()}
    used = [all_dramas[name] for name in dict.fromkeys(t.drama for t in tracks)]
    if fmt == "csv":
        return ExportResult(export.to_csv(tracks, {d.title: d for d in used}), len(tracks))
    if fmt == "exportify":
        return ExportResult(export.to_exportify(tracks), len(tracks))
    if fmt == "json":
        titles = {d.title for d in used}
        parts = [p for p in store.parts() if p.drama in titles]
        return ExportResult(export.to_json(used, parts, tracks), len(tracks))
    if fmt == "m3u":
        text, skipped = export.to_m3u(tracks, title=definition.name)
        return ExportResult(text, len(tracks) - skipped, skipped)
    if fmt == "xspf":
        return ExportResult(export.to_xspf(tracks, title=definition.name), len(tracks))
    raise InputError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
