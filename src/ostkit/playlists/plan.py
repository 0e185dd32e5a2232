"""Which tracks a playlist wants (``resolve``) and how to make Spotify match it (``plan_sync``).

Pure: no I/O. The service layer reads the catalog and the remote playlist, calls these, and sends
the plan's requests in order.

Spotify's write primitives (shared/spotify-api.md §5.5) and what they cost, one request each:

- ``PUT /playlists/{id}/items {"uris": [...]}`` replaces everything with at most 100 URIs;
- ``POST /playlists/{id}/items {"uris": [...], "position": p}`` inserts at most 100 URIs at p;
- ``DELETE /playlists/{id}/items {"items": [{"uri"}...]}`` removes *every occurrence* of at most
  100 URIs;
- ``PUT /playlists/{id}`` changes name, description, public.

``plan_sync`` compares two strategies and keeps the one with fewer requests:

1. *rewrite*: PUT the first 100 wanted URIs, then POST the rest in 100s, in order;
2. *edit*: DELETE every URI that is in the wrong place or occurs more often than wanted (all its
   occurrences go, so its wanted copies are re-inserted), then POST the missing runs at their final
   positions, left to right. A URI present once and wanted once is kept in place when it belongs to
   the longest run of tracks already in the right relative order, so appending, removing a few
   tracks or inserting a few costs a request or two whatever the playlist's length.

Both end with the remote list exactly equal to the wanted one. Each request is idempotent given
the state it was planned for, except POST (adds); the client guards POSTs against the
"applied but answered 5xx" case, and a re-run after any failure plans again from what the remote
really holds, so it converges without duplicates.
"""

from __future__ import annotations

import bisect
import difflib
import html
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ostkit.models import Status, Track
from ostkit.playlists.definition import PlaylistDefinition, TrackRef
from ostkit.text.keys import key as name_key
from ostkit.text.titles import is_instrumental

BATCH = 100  # URIs per write request (Spotify's limit)
PLAYABLE = (Status.MATCHED, Status.PINNED)

# --- resolve ----------------------------------------------------------------------------------


def _key(text: str | None) -> str:
    # The catalog's identity key: "Park Bo-ram", "park boram" and "PARK BO RAM" are one name.
    return name_key(text or "")


def playable_uri(track: Track) -> str | None:
    """The Spotify URI to push for a track, or None when it has no confident/pinned match."""
    if track.status in PLAYABLE and track.spotify_uri:
        return track.spotify_uri
    return None


def _credits_match(track: Track, artist: str) -> bool:
    wanted = _key(artist)
    if _key(track.artist_display) == wanted:
        return True
    for credit in track.credits:
        if _key(credit.name) == wanted:
            return True
        native = getattr(credit, "native_name", None)
        if native and _key(native) == wanted:
            return True
    return False


def _ref_matches(ref: TrackRef, track: Track) -> bool:
    if ref.id is not None and track.id != ref.id:
        return False
    if ref.title is not None and _key(ref.title) not in (
        _key(track.title),
        _key(track.native_title),
    ):
        return False
    if ref.drama is not None and _key(ref.drama) != _key(track.drama):
        return False
    if ref.artist is not None and not _credits_match(track, ref.artist):
        return False
    if ref.part is not None and track.part != ref.part:
        return False
    return ref.version is None or _key(ref.version) == _key(track.version)


def referenced(ref: TrackRef, tracks: Sequence[Track]) -> list[Track]:
    """The tracks a playlist file's reference names (in ``tracks`` and in ``exclude``)."""
    hits = [t for t in tracks if _ref_matches(ref, t)]
    if len(hits) > 1 and ref.version is None:
        # A reference without a version means the song itself, not its Inst./MR twin.
        plain = [t for t in hits if not t.version]
        if len(plain) == 1:
            return plain
    return hits


def _describe(track: Track) -> str:
    return f"#{track.id} {track.title!r} by {track.artist_display or '?'} ({track.drama})"


def check_names(definition: PlaylistDefinition, tracks: Sequence[Track]) -> None:
    """Every drama and artist the file names is in the catalog (``InputError`` at its line)."""
    drama_names = {_key(t.drama) for t in tracks}
    for i, drama in enumerate(definition.dramas):
        if _key(drama) not in drama_names:
            known = sorted({t.drama for t in tracks})
            close = difflib.get_close_matches(drama, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise definition.error(
                f"drama {drama!r} is not in the catalog{hint} (import it: ostkit import FILE)",
                f"dramas[{i}]",
            )
    for i, artist in enumerate(definition.artists):
        if not any(_credits_match(t, artist) for t in tracks):
            raise definition.error(f"no catalog track is credited to {artist!r}", f"artists[{i}]")


def excluded_tracks(definition: PlaylistDefinition, tracks: Sequence[Track]) -> set[int]:
    """``id()`` of every track an ``exclude`` entry matches; each entry must match one."""
    excluded: set[int] = set()
    for i, ref in enumerate(definition.exclude):
        hits = referenced(ref, tracks)
        if not hits:
            raise definition.error(
                f"exclude: no catalog track matches {ref.describe()}", f"exclude[{i}]"
            )
        excluded.update(id(t) for t in hits)
    return excluded


def select_by_drama_and_artist(
    definition: PlaylistDefinition, tracks: Sequence[Track], excluded: set[int]
) -> list[Track]:
    """The drama/artist selection (parts, ``exclude`` and ``instrumentals`` applied), grouped
    in the file's drama order; empty when the file names neither."""
    if not (definition.dramas or definition.artists):
        return []
    pool = [
        t
        for t in tracks
        if (not definition.artists or any(_credits_match(t, a) for a in definition.artists))
        and (not definition.parts or t.part in definition.parts)
        and id(t) not in excluded
    ]
    if definition.instrumentals == "exclude":
        pool = [t for t in pool if not is_instrumental(t.title, t.version)]
    elif definition.instrumentals == "only":
        pool = [t for t in pool if is_instrumental(t.title, t.version)]
    if not definition.dramas:
        return pool
    return [t for drama in definition.dramas for t in pool if _key(t.drama) == _key(drama)]


def explicit_tracks(definition: PlaylistDefinition, tracks: Sequence[Track]) -> list[Track]:
    """The track each ``tracks`` entry names, in file order: exactly one must match."""
    found: list[Track] = []
    for i, ref in enumerate(definition.tracks):
        hits = referenced(ref, tracks)
        if not hits:
            raise definition.error(f"no catalog track matches {ref.describe()}", f"tracks[{i}]")
        if len(hits) > 1:
            listed = "; ".join(_describe(t) for t in hits[:5])
            raise definition.error(
                f"{ref.describe()} matches {len(hits)} tracks ({listed}): add drama, artist, "
                "part or use id = N",
                f"tracks[{i}]",
            )
        found.append(hits[0])
    return found


def sort_tracks(
    definition: PlaylistDefinition, selected: list[Track], tracks: Sequence[Track]
) -> None:
    """Sort ``selected`` in place by the file's ``order`` (``tracks``: the catalog order)."""
    if definition.order == "drama_part":
        canonical = {id(t): i for i, t in enumerate(tracks)}
        selected.sort(key=lambda t: canonical[id(t)])
    elif definition.order == "release_date":
        selected.sort(key=lambda t: (t.release_date is None, t.release_date or ""))
    elif definition.order == "title":
        selected.sort(key=lambda t: _key(t.title))
    elif definition.order == "artist":
        selected.sort(key=lambda t: _key(t.artist))


def resolve(definition: PlaylistDefinition, tracks: Sequence[Track]) -> list[Track]:
    """The catalog tracks a playlist wants, in the playlist's order, each at most once.

    ``tracks`` is the whole catalog in canonical order (drama, part, insertion). Dramas, artists
    and tracks named in the file must exist (``InputError`` at their ``file:line`` otherwise).
    Explicit ``tracks`` are always included (even instrumentals); ``exclude`` and
    ``instrumentals`` apply to the drama/artist selection.
    """
    check_names(definition, tracks)
    selected = select_by_drama_and_artist(definition, tracks, excluded_tracks(definition, tracks))
    seen = {id(t) for t in selected}
    for track in explicit_tracks(definition, tracks):
        if id(track) not in seen:
            seen.add(id(track))
            selected.append(track)
    sort_tracks(definition, selected, tracks)
    return selected


@dataclass(frozen=True)
class WantedList:
    """The URIs to push for resolved tracks, and what had to be left out."""

    uris: tuple[str, ...]
    tracks: tuple[Track, ...]  # the track behind each URI
    unmatched: tuple[Track, ...] = ()  # no confident or pinned Spotify match
    duplicates: tuple[Track, ...] = ()  # same recording as an earlier entry (left out)


def wanted_uris(tracks: Iterable[Track], *, allow_duplicates: bool = False) -> WantedList:
    """Turn resolved tracks into the list of URIs to push, skipping unmatched tracks.

    Two catalog entries can be the same Spotify recording (a song used by two dramas); unless
    ``allow_duplicates``, only the first is kept.
    """
    uris: list[str] = []
    kept: list[Track] = []
    unmatched: list[Track] = []
    duplicates: list[Track] = []
    seen: set[str] = set()
    for track in tracks:
        uri = playable_uri(track)
        if uri is None:
            unmatched.append(track)
        elif uri in seen and not allow_duplicates:
            duplicates.append(track)
        else:
            seen.add(uri)
            uris.append(uri)
            kept.append(track)
    return WantedList(tuple(uris), tuple(kept), tuple(unmatched), tuple(duplicates))


# --- plan_sync --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Details:
    """A playlist's editable details."""

    name: str
    description: str = ""
    public: bool | None = None


@dataclass(frozen=True)
class Op:
    """One write request on the playlist's items."""

    kind: Literal["replace", "add", "remove"]
    uris: tuple[str, ...]
    position: int | None = None  # for "add": insert before this index (None: append)

    def describe(self) -> str:
        n = len(self.uris)
        if self.kind == "replace":
            return f"replace all items with {n} track{'s' * (n != 1)}"
        if self.kind == "remove":
            return f"remove {n} track{'s' * (n != 1)} (every occurrence)"
        where = "at the end" if self.position is None else f"at position {self.position}"
        return f"add {n} track{'s' * (n != 1)} {where}"


@dataclass(frozen=True)
class SyncPlan:
    """The writes that make a remote playlist equal to the wanted one, in the order to send."""

    ops: tuple[Op, ...] = ()
    details: dict[str, str | bool] = field(default_factory=dict)  # changed fields only
    strategy: Literal["none", "edit", "rewrite"] = "none"
    added: int = 0  # wanted items that are not in the remote playlist
    removed: int = 0  # remote items that are not wanted
    moved: int = 0  # items removed and re-inserted to change their place

    @property
    def writes(self) -> int:
        """Number of write requests the plan sends."""
        return len(self.ops) + (1 if self.details else 0)

    @property
    def is_empty(self) -> bool:
        return not self.ops and not self.details

    def summary(self) -> str:
        if self.is_empty:
            return "up to date: nothing to write"
        bits = [f"{self.added} to add", f"{self.removed} to remove", f"{self.moved} to move"]
        if self.details:
            bits.append("details: " + ", ".join(sorted(self.details)))
        return f"{', '.join(bits)}; {self.writes} write request{'s' * (self.writes != 1)}"


def _chunks(items: Sequence[str], size: int = BATCH) -> list[tuple[str, ...]]:
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def _text(value: str | None) -> str:
    # Spotify returns descriptions HTML-escaped ("&#x27;" for "'") and null when empty; runs of
    # whitespace are not worth a write either.
    return " ".join(html.unescape(value or "").split())


def cannot_clear_description(current: Details | None, wanted: Details | None) -> bool:
    """Whether the file wants no description while Spotify's playlist has one.

    ``PUT /playlists/{id}`` answers 400 "Attribute description is empty" to ``"description":
    ""`` (spotify/web-api#1011): sending it would fail every push, so push leaves the
    description alone and warns instead (it can be cleared in the Spotify app).
    """
    return (
        current is not None
        and wanted is not None
        and not _text(wanted.description)
        and bool(_text(current.description))
    )


def _details_changes(
    current: Details | None, wanted: Details | None, public_sent: bool | None
) -> dict[str, str | bool]:
    if wanted is None:
        return {}
    if current is None:
        created: dict[str, str | bool] = {"name": wanted.name, "description": wanted.description}
        if wanted.public is not None:
            created["public"] = wanted.public
        return created
    changes: dict[str, str | bool] = {}
    if current.name.strip() != wanted.name.strip():
        changes["name"] = wanted.name
    if _text(current.description) != _text(wanted.description) and not cannot_clear_description(
        current, wanted
    ):
        changes["description"] = wanted.description
    # `public` is compared with what ostkit last sent, not with what Spotify reports: Spotify
    # may report public=true for a playlist created or changed with public=false, and
    # answers null at times. Trusting the report would send the same write on every push.
    # Only when nothing was ever sent (a playlist adopted by name) is the report used, once.
    if wanted.public is not None:
        if public_sent is not None:
            if public_sent != wanted.public:
                changes["public"] = wanted.public
        elif current.public is not None and current.public != wanted.public:
            changes["public"] = wanted.public
    return changes


def _rewrite(wanted: Sequence[str]) -> list[Op]:
    chunks = _chunks(wanted)
    if not chunks:
        return [Op("replace", ())]
    return [Op("replace", chunks[0])] + [Op("add", c) for c in chunks[1:]]


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """Indexes (into ``values``) of one longest strictly increasing subsequence."""
    tails: list[int] = []  # values
    tail_at: list[int] = []  # index in values of each tail
    parent = [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[k] = value
            tail_at[k] = i
        parent[i] = tail_at[k - 1] if k > 0 else -1
    keep: set[int] = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        keep.add(i)
        i = parent[i]
    return keep


def _edit(wanted: Sequence[str], current: Sequence[str]) -> tuple[list[Op], int, int, int]:
    """Removal + positional-insert plan; returns (ops, added, removed, moved)."""
    want_count = Counter(wanted)
    cur_count = Counter(current)
    # A DELETE takes every occurrence: a URI with more copies than wanted goes entirely.
    drop = {u for u, n in cur_count.items() if n > want_count[u]}
    # Pair the j-th remaining copy of a URI with its j-th wanted position.
    want_positions: dict[str, list[int]] = defaultdict(list)
    for index, uri in enumerate(wanted):
        want_positions[uri].append(index)
    seen: Counter[str] = Counter()
    survivors: list[tuple[str, int]] = []
    for uri in current:
        if uri in drop:
            continue
        survivors.append((uri, want_positions[uri][seen[uri]]))
        seen[uri] += 1
    in_order = _longest_increasing([pos for _uri, pos in survivors])
    for i, (uri, _pos) in enumerate(survivors):
        if i not in in_order:
            drop.add(uri)
    kept_positions = {pos for uri, pos in survivors if uri not in drop}

    ops: list[Op] = []
    removal = [u for u in dict.fromkeys(current) if u in drop]
    ops.extend(Op("remove", chunk) for chunk in _chunks(removal))
    remaining = len(kept_positions)
    index = 0
    while index < len(wanted):
        if index in kept_positions:
            index += 1
            continue
        end = index
        while end < len(wanted) and end not in kept_positions:
            end += 1
        for start in range(index, end, BATCH):
            chunk = tuple(wanted[start : min(end, start + BATCH)])
            # Everything before `start` is already in final order, so `start` is the position.
            position = None if start == remaining else start
            ops.append(Op("add", chunk, position))
            remaining += len(chunk)
        index = end
    removed_items = sum(cur_count[u] for u in drop)
    added_items = len(wanted) - len(kept_positions)
    moved = sum(min(cur_count[u], want_count[u]) for u in drop)
    return ops, added_items - moved, removed_items - moved, moved


def plan_sync(
    wanted_uris: Sequence[str],
    current_uris: Sequence[str],
    current_details: Details | None = None,
    wanted_details: Details | None = None,
    *,
    public_sent: bool | None = None,
    hidden: int = 0,
) -> SyncPlan:
    """The fewest write requests (≤100 URIs each) making ``current`` exactly ``wanted``.

    Unchanged items and details give an empty plan: no write at all. ``public_sent`` is the
    public flag the last push sent (None: never sent; see ``_details_changes``). ``hidden``
    counts remote entries that could not be read (a track no longer available comes back as a
    null item, with no URI to delete it by): only a rewrite gets rid of them, as of local files.
    """
    details = _details_changes(current_details, wanted_details, public_sent)
    wanted = list(wanted_uris)
    current = list(current_uris)
    if wanted == current and not hidden:
        return SyncPlan((), details, "none")
    ops, added, removed, moved = _edit(wanted, current)
    rewrite = _rewrite(wanted)
    # Ties go to the edit: it keeps the "added at" dates of the tracks already there. Either
    # way the counts say what changes (what the edit would add, remove and move).
    # Local files (added in the desktop app) are not dependably removed by URI: a rewrite
    # clears them.
    local = any(u.startswith("spotify:local:") for u in current)
    if hidden or local or len(rewrite) < len(ops):
        return SyncPlan(tuple(rewrite), details, "rewrite", added, removed + hidden, moved)
    return SyncPlan(tuple(ops), details, "edit", added=added, removed=removed, moved=moved)


def apply_ops(items: Sequence[str], ops: Iterable[Op]) -> list[str]:
    """Spotify's semantics of ``ops`` on a list of URIs (for tests, dry runs and benchmarks)."""
    result = list(items)
    for op in ops:
        if len(op.uris) > BATCH:
            raise ValueError(f"{op.kind} of {len(op.uris)} URIs exceeds {BATCH}")
        if op.kind == "replace":
            result = list(op.uris)
        elif op.kind == "remove":
            gone = set(op.uris)
            result = [u for u in result if u not in gone]
        elif op.position is None:
            result.extend(op.uris)
        else:
            if not 0 <= op.position <= len(result):
                raise ValueError(f"position {op.position} out of range 0..{len(result)}")
            result[op.position : op.position] = op.uris
    return result
