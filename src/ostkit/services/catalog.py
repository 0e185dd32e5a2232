"""Catalog use cases: import files, add/remove tracks, listings, export. No printing here.

The CLI opens the store and calls one function; results are models or plain dicts/str ready to
render. All writes of one call happen in one ``store.transaction()``.
"""

from __future__ import annotations

import gc
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ostkit.errors import InputError, OstkitError, UsageError
from ostkit.formats import registry
from ostkit.models import Drama, Status, Track
from ostkit.store.catalog import CatalogStore

# Readers and writers load on first use: listings must start fast (see benchmarks/).
if TYPE_CHECKING:
    from ostkit.formats.batch import ImportBatch
    from ostkit.store.stats import DramaCounts


@dataclass
class FileSummary:
    path: str
    kind: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    dramas_added: int = 0
    encoding: str = "utf-8"
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        text = (
            f"{self.path}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        )
        if self.dramas_added:
            text += f" ({self.dramas_added} new drama{'s' if self.dramas_added > 1 else ''})"
        if self.encoding != "utf-8":
            text += f"; read as {self.encoding}"
        return text


@dataclass
class ImportSummary:
    files: list[FileSummary] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector around bulk work.

    Imports and big listings create hundreds of thousands of small objects and no reference
    cycles; the collector would rescan them again and again (15-30% of the time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- import -----------------------------------------------------------------------------------


def read_files(
    paths: Sequence[str | Path],
    drama: str | None = None,
    options: registry.ReadOptions | None = None,
) -> list[ImportBatch]:
    """Parse every file first (no database needed); the first bad file raises ``InputError``."""
    if not paths:
        raise InputError("no files given: ostkit import FILE...")
    return [registry.read_file(p, drama=drama, options=options) for p in paths]


def import_batches(
    store: CatalogStore,
    batches: Sequence[ImportBatch],
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Write parsed batches in ONE transaction: all files or nothing."""
    summary = ImportSummary()
    with store.transaction(), store.bulk() as writer:
        for batch in batches:
            result = FileSummary(batch.path, batch.kind, encoding=batch.encoding, notes=batch.notes)
            for drama in batch.dramas:
                if writer.save_drama(drama) == "added":
                    result.dramas_added += 1
            for part in batch.parts:
                writer.save_part(part)
            for i, track in enumerate(batch.tracks, start=1):
                if batch.kind == "exportify":
                    track = as_catalog_title(store, track)
                _, outcome = writer.save_track(track)
                setattr(result, outcome, getattr(result, outcome) + 1)
                if progress is not None and i % 1000 == 0:
                    progress(1000)
            summary.files.append(result)
    return summary


def as_catalog_title(store: CatalogStore, track: Track) -> Track:
    """An Exportify row titled in the catalog's native title (Spotify in Korea names "All
    About You" 그대라는 시) as the catalog's track, so that it updates that track instead of
    adding a second one."""
    from ostkit.text.scripts import script_of

    if script_of(track.title) in ("latin", "none"):
        return track
    found = store.find_by_native_title(track)
    if found is None:
        return track
    return replace(track, title=found.title, version=found.version, native_title=track.title)


def import_files(
    paths: Sequence[str | Path],
    open_store: Callable[[], CatalogStore],
    drama: str | None = None,
    progress: Callable[[int], None] | None = None,
    options: registry.ReadOptions | None = None,
) -> ImportSummary:
    """Read all files, then (only if they are all valid) open the catalog and write them."""
    with no_cyclic_gc():
        batches = read_files(paths, drama=drama, options=options)
        store = open_store()
        try:
            return import_batches(store, batches, progress=progress)
        finally:
            store.close()


# --- add / rm ---------------------------------------------------------------------------------


def track_from_options(fields: Mapping[str, str | None]) -> Track:
    """Build a track from ``ostkit add`` options with the same checks as a CSV row."""
    from ostkit.formats.fields import FieldError, real_text, track_from_fields

    names = {"title_ko": "title-ko", "artist_ko": "artist-ko", "release_date": "release-date"}
    values = {("spotify_uri" if k == "spotify_uri" else k): v for k, v in fields.items()}
    try:
        for name, value in values.items():
            try:
                if value is not None:
                    real_text(value)
            except ValueError as exc:
                raise FieldError(name, str(exc)) from None
        return track_from_fields(values)
    except FieldError as exc:
        option = "uri" if exc.field == "spotify_uri" else names.get(exc.field, exc.field)
        raise UsageError(f"--{option}: {exc}") from None


def add_track(store: CatalogStore, track: Track, drama: Drama | None = None) -> tuple[Track, str]:
    """Add (or update, same identity) one track; returns the stored track and the outcome."""
    with store.transaction():
        if drama is not None:
            store.save_drama(drama)
        track_id, outcome = store.save_track(track)
    return store.get_track(track_id), outcome


def removal_plan(
    store: CatalogStore, ids: Sequence[int], drama: str | None = None
) -> tuple[Drama | None, list[Track]]:
    """What ``remove`` would delete: the drama (if named) and the tracks."""
    if drama is not None:
        d = store.find_drama(drama)
        return d, store.tracks(drama=d.title)
    if not ids:
        raise UsageError("nothing to remove: give track ids (see `ostkit tracks`) or --drama")
    return None, [store.get_track(i) for i in dict.fromkeys(ids)]


def remove(store: CatalogStore, ids: Sequence[int], drama: str | None = None) -> int:
    """Delete tracks by id, or a whole drama; returns the number of tracks removed."""
    with store.transaction():
        if drama is not None:
            return store.delete_drama(drama)
        return store.delete_tracks(list(dict.fromkeys(ids)))


# --- listings ---------------------------------------------------------------------------------


def drama_rows(store: CatalogStore) -> list[dict[str, Any]]:
    """``ostkit dramas``: one dict per drama (JSON shape documented in docs/catalog.md)."""
    from ostkit.formats.jsonfile import drama_json

    counts = store.track_counts()
    rows = []
    for d in store.dramas():
        c = counts.get(d.title, {})
        rows.append(
            {
                **drama_json(d),
                "tracks": sum(c.values()),
                "with_uri": c.get(Status.MATCHED.value, 0) + c.get(Status.PINNED.value, 0),
            }
        )
    return rows


STATS_FIELDS = ("drama", "tracks", *(s.value for s in Status), "parts", "artists")


def stats(store: CatalogStore, dramas: Sequence[str] = ()) -> dict[str, Any]:
    """``ostkit stats``: ``{"dramas": [row per drama], "total": row}``, each row with the
    ``STATS_FIELDS``; ``dramas`` names some dramas (unknown: ``NotFoundError``), none: all."""
    ids = None
    if dramas:
        ids = list(dict.fromkeys(store.find_drama(d).id or 0 for d in dramas))
    *per_drama, total = store.drama_counts(ids)

    def row(c: DramaCounts, title: str | None) -> dict[str, Any]:
        return {
            "drama": title,
            "tracks": c.tracks,
            **c.statuses,
            "parts": c.parts,
            "artists": c.artists,
        }

    return {"dramas": [row(c, c.title) for c in per_drama], "total": row(total, None)}


def track_rows(
    store: CatalogStore,
    drama: str | None = None,
    artist: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """``ostkit tracks``: one dict per track, the shape of ``trackjson.TRACK_FIELDS``.

    Parsed from ``store.tracks_json`` (one ``json.loads`` call), which is several times faster
    than building Track models for a big catalog.
    """
    with no_cyclic_gc():
        texts = store.tracks_json(drama=drama, artist=artist, status=status)
        rows: list[dict[str, Any]] = json.loads(b"[" + b",".join(texts) + b"]")
        return rows


def track_rows_json(
    store: CatalogStore,
    drama: str | None = None,
    artist: str | None = None,
    status: str | None = None,
) -> list[bytes]:
    """``track_rows`` as ready compact JSON texts (UTF-8, one per track) for ``--format json``."""
    return store.tracks_json(drama=drama, artist=artist, status=status)


ArtistGroups = list[tuple[str, list[tuple[str, str | None, list[str]]]]]


def artist_groups(
    store: CatalogStore, drama: str | None = None, *, as_json: bool = False
) -> ArtistGroups:
    """``[(drama, [(artist, native_name, [track, ...])])]`` for ``ostkit artists``.

    Artists are in order of first appearance (OST part order); an artist credited twice on a
    drama (main on one song, featured on another) is listed once with all their tracks. Tracks
    are table labels, or JSON texts with ``as_json`` (see ``CatalogStore.artist_credits``). A
    named drama without tracks gives one group with no artists.
    """
    dramas = store.drama_titles()
    names = store.artist_names()
    grouped: dict[int, dict[int, list[str]]] = {}
    if drama is not None:
        drama_id = store.find_drama(drama).id
        assert drama_id is not None
        grouped[drama_id] = {}
    with no_cyclic_gc():
        for drama_id, artist_id, item in store.artist_credits(drama, as_json=as_json):
            per_drama = grouped.get(drama_id)
            if per_drama is None:
                per_drama = grouped[drama_id] = {}
            items = per_drama.get(artist_id)
            if items is None:
                per_drama[artist_id] = [item]
            else:
                items.append(item)
        return [
            (dramas[d], [(*names[a], items) for a, items in per_drama.items()])
            for d, per_drama in grouped.items()
        ]


def artists_by_drama(store: CatalogStore, drama: str | None = None) -> list[dict[str, Any]]:
    """``ostkit artists --format json``:
    ``[{"drama", "artists": [{"name", "native_name", "tracks": [{"id", "title", "version",
    "part", "role"}]}]}]``."""
    return [
        {
            "drama": title,
            "artists": [
                {"name": name, "native_name": native, "tracks": [json.loads(t) for t in tracks]}
                for name, native, tracks in artists
            ],
        }
        for title, artists in artist_groups(store, drama, as_json=True)
    ]


def artist_rows(store: CatalogStore, drama: str | None = None) -> list[dict[str, Any]]:
    """``ostkit artists`` as table rows: drama, artist, native_name and a ``tracks`` label
    (``Title (Version) [feat.]; ...``)."""
    with no_cyclic_gc():
        return [
            {"drama": title, "artist": name, "native_name": native, "tracks": "; ".join(labels)}
            for title, artists in artist_groups(store, drama)
            for name, native, labels in artists
        ]


# --- export -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    text: str
    tracks: int
    skipped: int = 0  # tracks a format could not hold (M3U: no URI)


def export_catalog(
    store: CatalogStore, dramas: Sequence[str] = (), fmt: str = "csv"
) -> ExportResult:
    """Export the named dramas (in the order given) or the whole catalog."""
    registry.export_format(fmt)  # an unknown format fails before any reading
    if dramas:
        chosen = list(dict.fromkeys(store.find_drama(d).title for d in dramas))
        tracks = [t for title in chosen for t in store.tracks(drama=title)]
        all_dramas = {d.title: d for d in store.dramas()}
        drama_models = [all_dramas[t] for t in chosen]
    else:
        tracks = store.tracks()
        drama_models = store.dramas()
    title = " + ".join(d.title for d in drama_models) if dramas else None
    return export_tracks(store, tracks, drama_models, fmt, title)


def export_tracks(
    store: CatalogStore,
    tracks: Sequence[Track],
    dramas: Sequence[Drama],
    fmt: str,
    title: str | None = None,
) -> ExportResult:
    """``tracks`` (of ``dramas``) in export format ``fmt``: the one dispatch of every export."""
    spec = registry.export_format(fmt)
    titles = {d.title for d in dramas}
    parts = [p for p in store.parts() if p.drama in titles] if spec.needs_parts else []
    text, skipped = registry.write(fmt, registry.ExportDoc(tracks, dramas, parts, title))
    return ExportResult(text, len(tracks) - skipped, skipped)


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temp file in the same folder and a rename, so a
    reader never sees a half-written file and a failure leaves the old file untouched.

    A symlink is followed: the file it points to is replaced and the link stays. The file keeps
    its permission bits; a new file gets the umask's. A target that is not a regular file (a
    FIFO, ``/dev/stdout``) cannot be renamed over: it is written in place."""
    target = Path(os.path.realpath(path))
    try:
        existing = target.stat()
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise OstkitError(f"cannot write {path}: {exc.strerror}") from None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        _write_in_place(path, target, text)
        return
    mode = stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OstkitError(f"cannot write {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OstkitError(f"cannot write {path}: {exc.strerror}") from None
        raise


def _umask() -> int:
    # The only way to read the umask is to set it; it is put back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_in_place(path: str | Path, target: Path, text: str) -> None:
    try:
        with target.open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise OstkitError(f"cannot write {path}: {exc.strerror}") from None
