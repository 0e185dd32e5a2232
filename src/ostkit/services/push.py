"""Playlist push: make the Spotify playlist exactly what a playlist file resolves to.

The store and the Spotify client come in as arguments (Protocols below), so the logic runs the
same against the sandbox in tests and against Spotify for real.

Push is ``resolve_playlist`` -> ``find_or_create`` -> ``read_current`` -> ``plan_push`` ->
``apply_plan`` -> ``record_push``, each usable alone; in requests (N wanted tracks; see
docs/playlists.md for the budget):

1. known Spotify id: ``GET /playlists/{id}`` (1 read). If its ``snapshot_id`` is the one stored
   at our last complete push, the remote still holds the list we pushed: no item reads at all.
   Otherwise ``GET /playlists/{id}/items`` pages of 50 (ceil(N/50) reads).
2. unknown id (first push, or another machine): pages of ``GET /me/playlists`` for a playlist
   with the same name that the user owns (``GET /me`` once one has that name); else
   ``POST /me/playlists`` (then nothing to read).
3. ``plan_sync`` -> the writes, details first (a rename also changes the snapshot), then items,
   in batches of at most 100 URIs. A Spotify or network failure there is a
   ``PushInterruptedError`` (how far it got, run it again); a local bug keeps its traceback.
4. Only when every write succeeded is the new snapshot and list stored: an interrupted push
   (429, 5xx, killed process) leaves the old record, so the next push reads the remote again and
   plans from what is really there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from ostkit.clock import now_iso
from ostkit.errors import (
    BadRequestError,
    InputError,
    NotFoundError,
    SpotifyError,
    SpotifyNotFoundError,
)
from ostkit.models import (
    ManagedPlaylist,
    RemotePlaylist,
    SpotifyUser,
    Track,
)
from ostkit.playlists.definition import PlaylistDefinition
from ostkit.playlists.plan import (
    Details,
    Op,
    SyncPlan,
    apply_ops,
    cannot_clear_description,
    plan_sync,
)
from ostkit.services.playlists import (
    PlaylistStore,
    Resolved,
    resolve_playlist,
    unmatched_warning,
)


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

    def get_track(self, id_or_uri: str) -> Any: ...


class PushInterruptedError(SpotifyError):
    """A push stopped part-way; the message says how far it got and to run it again."""

    #: the URIs of the write that failed (empty: a details change, or not known)
    uris: tuple[str, ...] = ()
    #: the writes that had succeeded before it
    writes_done: int = 0


Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    """The default progress report: none."""


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


def find_by_name(client: PlaylistClient, name: str) -> RemotePlaylist | None:
    """The user's own playlist called ``name`` (``GET /me`` only once one has that name)."""
    me: str | None = None
    for playlist in client.my_playlists():
        if playlist.name == name:
            me = me if me is not None else client.current_user().id
            if playlist.owner_id == me:
                return playlist
    return None


def check_strict(resolved: Resolved) -> None:
    """``--strict``: refuse to push when a track has no Spotify match."""
    missing = resolved.wanted.unmatched
    if missing:
        listed = "; ".join(f"#{t.id} {t.title!r} ({t.status})" for t in missing[:20])
        raise InputError(
            f"--strict: {len(missing)} track(s) have no Spotify match: "
            f"{listed} (run `ostkit match` or pin them)"
        )


def load_record(store: PlaylistStore, definition: PlaylistDefinition) -> ManagedPlaylist:
    """The stored record of the playlist (by source file, else by name), or a new one."""
    source = str(Path(definition.path).resolve()) if definition.path else None
    record = store.find_managed_playlist(source_file=source, name=definition.name)
    if record is None:
        record = ManagedPlaylist(definition.name, source_file=source)
    return replace(record, name=definition.name, source_file=source)


def _forget_remote(record: ManagedPlaylist, spotify_id: str | None = None) -> ManagedPlaylist:
    # Nothing we stored about the remote list holds any more: the next read plans from it.
    return replace(record, spotify_id=spotify_id, snapshot_id=None, uris=(), public=None)


@dataclass
class Target:
    """The Spotify playlist a push writes to (None: it would be created, in a dry run)."""

    record: ManagedPlaylist
    remote: RemotePlaylist | None
    created: bool = False
    found_by_name: bool = False


def find_or_create(
    store: PlaylistStore,
    client: PlaylistClient,
    definition: PlaylistDefinition,
    record: ManagedPlaylist,
    *,
    dry_run: bool = False,
    say: Progress = _quiet,
) -> Target:
    """The remote playlist: by the stored id, else the user's own one of that name, else a new
    one (its id stored at once: a re-run after a failure must not create a second one)."""
    if record.spotify_id:
        try:
            return Target(record, client.get_playlist(record.spotify_id))
        except NotFoundError:
            say(f"playlist {record.spotify_id} is gone from Spotify; looking it up by name")
            record = _forget_remote(record)
    remote = find_by_name(client, definition.name)
    if remote is not None:
        return Target(_forget_remote(record, remote.id), remote, found_by_name=True)
    if dry_run:
        return Target(record, None, created=True)
    remote = client.create_playlist(
        definition.name, public=definition.public, description=definition.description
    )
    with store.transaction():
        record = store.save_managed_playlist(
            replace(_forget_remote(record, remote.id), public=definition.public)
        )
    return Target(record, remote, created=True)


def read_current(
    client: PlaylistClient, target: Target, say: Progress = _quiet
) -> tuple[list[str], int]:
    """The remote's items now, and how many unavailable items it holds beyond them."""
    record, remote = target.record, target.remote
    if target.created or remote is None:
        return [], 0
    if record.snapshot_id and record.snapshot_id == remote.snapshot_id:
        # Unchanged since our last complete push: it holds exactly the list we stored.
        return list(record.uris), 0
    current = client.playlist_item_uris(remote.id)
    # Entries without an item (tracks no longer available) are counted but not listed.
    hidden = max(0, remote.total - len(current))
    if hidden:
        say(f"{hidden} unavailable item(s) in the playlist: rewriting it to remove them")
    return current, hidden


def plan_push(
    definition: PlaylistDefinition,
    target: Target,
    wanted: Sequence[str],
    current: Sequence[str],
    hidden: int = 0,
    say: Progress = _quiet,
) -> SyncPlan:
    """The writes that make the remote playlist the wanted one (details first, then items)."""
    want = _wanted_details(definition)
    now = want if target.created or target.remote is None else _remote_details(target.remote)
    if cannot_clear_description(now, want):
        say(
            "Warning: the file has no description but the Spotify playlist has one; Spotify "
            "cannot clear a description through its Web API: clear it in the Spotify app"
        )
    return plan_sync(
        list(wanted), list(current), now, want, public_sent=target.record.public, hidden=hidden
    )


def send_details(
    client: PlaylistClient, playlist_id: str, details: Mapping[str, str | bool]
) -> None:
    name, description, public = (details.get(k) for k in ("name", "description", "public"))
    client.change_details(
        playlist_id,
        name=name if isinstance(name, str) else None,
        description=description if isinstance(description, str) else None,
        public=public if isinstance(public, bool) else None,
    )


def send_op(client: PlaylistClient, playlist_id: str, op: Op, items: Sequence[str]) -> str:
    """Send one item write (at most ``BATCH`` URIs); returns the new snapshot id."""
    if op.kind == "replace":
        return client.replace_items(playlist_id, op.uris)
    if op.kind == "remove":
        return client.remove_items(playlist_id, op.uris)
    # expected_total: the count BEFORE the add, so an ambiguous failure can be settled by
    # reading the playlist back instead of blindly re-adding.
    return client.add_items(playlist_id, op.uris, position=op.position, expected_total=len(items))


@dataclass
class Applied:
    writes_done: int = 0
    snapshot: str | None = None  # None: unknown (a details change moves it too)


def apply_plan(
    client: PlaylistClient,
    playlist_id: str,
    plan: SyncPlan,
    current: Sequence[str],
    *,
    snapshot: str | None,
    again: str,
    say: Progress = _quiet,
) -> Applied:
    """Send the plan's writes in order, reporting each. A Spotify or network failure (the
    ``SpotifyError`` family) becomes ``PushInterruptedError``, saying how far it got and to run
    ``again``; any other exception is a bug and propagates as it is."""
    done = Applied(snapshot=snapshot)
    items = list(current)
    total = plan.writes
    sending: tuple[str, ...] = ()
    try:
        if plan.details:
            send_details(client, playlist_id, plan.details)
            done.writes_done += 1
            done.snapshot = None
            say(f"write 1/{total}: change {', '.join(sorted(plan.details))}")
        for op in plan.ops:
            after = apply_ops(items, [op])
            sending = tuple(op.uris)
            done.snapshot = send_op(client, playlist_id, op, items)
            items = after
            done.writes_done += 1
            say(f"write {done.writes_done}/{total}: {op.describe()}")
    except SpotifyError as exc:
        error = PushInterruptedError(
            f"push stopped after {done.writes_done} of {total} writes: {exc}; the playlist "
            f"may be partly updated: run {again} again to finish",
            status=exc.status,
            reason=exc.reason,
        )
        error.uris, error.writes_done = sending, done.writes_done
        raise error from exc
    return done


# Spotify's 400 for a write naming a track id it does not have (the whole write is refused).
NON_EXISTING_ID = "non-existing id"


def refused_unknown_ids(exc: PushInterruptedError) -> bool:
    """Whether the push stopped because Spotify has no track for an id the write named."""
    cause = exc.__cause__
    return (
        isinstance(cause, BadRequestError)
        and NON_EXISTING_ID in str(cause).casefold()
        and bool(exc.uris)
    )


def unknown_uris(client: PlaylistClient, uris: Sequence[str], say: Progress = _quiet) -> list[str]:
    """The URIs Spotify has no track for, looked up one by one (``GET /tracks/{id}``: there is
    no batch read any more). Only run after a refused write, so at most one batch of 100."""
    unique = list(dict.fromkeys(uris))
    say(f"Spotify refused an id: looking up the {len(unique)} track(s) of the refused write")
    unknown: list[str] = []
    for uri in unique:
        try:
            client.get_track(uri)
        except (SpotifyNotFoundError, BadRequestError):
            unknown.append(uri)
    return unknown


def refused_tracks_message(
    tracks: Sequence[Track], unknown: Sequence[str], again: str, *, limit: int = 10
) -> str:
    """One line naming the catalog tracks whose Spotify id Spotify refused, and how to fix them."""
    refused = set(unknown)
    named = list({t.id: t for t in tracks if t.spotify_uri in refused}.values())
    shown = ", ".join(
        f"#{t.id} {t.title!r} — {t.artist_display} ({t.spotify_uri})" for t in named[:limit]
    )
    more = f" and {len(named) - limit} more" if len(named) > limit else ""
    dramas = list(dict.fromkeys(t.drama for t in named))
    rematch = " and ".join(f'`ostkit match --drama "{d}" --rematch`' for d in dramas[:3])
    first = named[0].id if named else "ID"
    return (
        f"Spotify has no track for {len(named)} catalog track{'s' * (len(named) != 1)} "
        f"(400 Payload contains a non-existing ID): {shown}{more}; fix each with "
        f"`ostkit pin {first} LINK` (the right Spotify link) or search again with {rematch} "
        f"(a pinned track: `ostkit unpin {first}` first), then run {again} again"
    )


def record_push(
    store: PlaylistStore,
    client: PlaylistClient,
    definition: PlaylistDefinition,
    record: ManagedPlaylist,
    wanted: Sequence[str],
    snapshot: str | None,
) -> ManagedPlaylist:
    """Store the pushed list and its snapshot, only once every write succeeded."""
    if snapshot is None and record.spotify_id:
        snapshot = client.get_playlist(record.spotify_id).snapshot_id
    with store.transaction():
        return store.save_managed_playlist(
            replace(
                record,
                snapshot_id=snapshot,
                uris=tuple(wanted),
                last_pushed_at=now_iso(),
                public=definition.public,
            )
        )


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
    say = progress or _quiet
    start = client.request_count
    resolved = resolve_playlist(store, definition)
    if strict:
        check_strict(resolved)
    warning = unmatched_warning(resolved)
    if warning:
        say(f"Warning: {warning}")
    wanted = list(resolved.wanted.uris)
    target = find_or_create(
        store, client, definition, load_record(store, definition), dry_run=dry_run, say=say
    )
    result = PushResult(target.record, SyncPlan(), resolved, dry_run=dry_run)
    result.created, result.found_by_name = target.created, target.found_by_name
    if target.remote is None:  # a dry run that would create the playlist
        result.plan = plan_sync(wanted, [])
        result.requests = client.request_count - start
        return result
    current, hidden = read_current(client, target, say)
    result.plan = plan_push(definition, target, wanted, current, hidden, say)
    result.playlist = record = replace(target.record, spotify_id=target.remote.id)
    if dry_run:
        result.requests = client.request_count - start
        return result
    try:
        applied = apply_plan(
            client,
            target.remote.id,
            result.plan,
            current,
            snapshot=target.remote.snapshot_id,
            again=_push_again(definition),
            say=say,
        )
    except PushInterruptedError as exc:
        if not refused_unknown_ids(exc):
            raise
        raise _refused_tracks(client, target, resolved, exc, _push_again(definition), say) from exc
    result.writes_done = applied.writes_done
    result.playlist = record_push(store, client, definition, record, wanted, applied.snapshot)
    result.requests = client.request_count - start
    return result


def _refused_tracks(
    client: PlaylistClient,
    target: Target,
    resolved: Resolved,
    exc: PushInterruptedError,
    again: str,
    say: Progress,
) -> PushInterruptedError:
    """The error for a push Spotify refused for unknown track ids: the catalog tracks at fault
    and how to fix them. A playlist this push created is emptied again, so it is either complete
    or empty (the Web API cannot delete a playlist); its id is kept, so the next push fills it."""
    assert target.remote is not None
    try:
        unknown = unknown_uris(client, exc.uris, say)
    except SpotifyError:
        return exc  # the look-ups failed too: the original error says what happened
    if not unknown:
        return exc
    message = refused_tracks_message(resolved.tracks, unknown, again)
    if target.created:
        left = "nothing was added to the new playlist"
        if exc.writes_done:
            try:
                client.replace_items(target.remote.id, [])
                left = "the new playlist was emptied again"
            except SpotifyError:
                left = "the new playlist holds the tracks added before the refused write"
        message += f" ({left})"
    else:
        message += f" (the playlist may be partly updated: {exc.writes_done} writes done)"
    error = PushInterruptedError(message, status=exc.status, reason=exc.reason)
    error.uris, error.writes_done = exc.uris, exc.writes_done
    return error


def _push_again(definition: PlaylistDefinition) -> str:
    if definition.path:
        return f"ostkit playlist push {definition.path}"
    return "the same `ostkit playlist push`"
