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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ostkit.errors import InputError, OstkitError, UsageError
from ostkit.formats import registry
from ostkit.models import Drama, Status, Track
from ostkit.store.catalog import CatalogStore

# Readers and writers load on first use: listings must start fast (see benchmarks/).
if TYPE_CHECKING:
    from ostkit.formats.batch import ImportBatch
    from ostkit.formats.registry import Source, Writable
    from ostkit.store.bulk import BulkWriter
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
    """Parse files into batches, rows held (no database needed; for small files and checks);
    the first bad file raises ``InputError``. ``import_files`` streams instead."""
    if not paths:
        raise InputError("no files given: ostkit import FILE...")
    return [registry.read_file(p, drama=drama, options=options) for p in paths]


class _FileSink:
    """``formats.batch.TrackSink`` for one file: each track is written through the bulk writer
    as soon as the reader has read and checked it, and its outcome counted."""

    def __init__(
        self,
        store: CatalogStore,
        writer: BulkWriter,
        result: FileSummary,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.store = store
        self.writer = writer
        self.seen = writer.seen_rows()
        self.first_line = self.seen.first_line
        self.result = result
        self.progress = progress
        self.count = 0

    def take(self, track: Track, kind: str) -> None:
        if kind == "exportify":
            track = as_catalog_title(self.store, track)
        _, outcome = self.writer.save_track(track)
        setattr(self.result, outcome, getattr(self.result, outcome) + 1)
        self.count += 1
        if self.progress is not None and self.count % 1000 == 0:
            self.progress(1000)


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
    """Import files in ONE transaction, all or nothing (see ``import_sources``). Every file is
    read and decoded first: a missing, unreadable or undecodable file fails before the catalog
    is opened."""
    if not paths:
        raise InputError("no files given: ostkit import FILE...")
    sources = [registry.read_source(p, options) for p in paths]
    strict = options.strict if options else False
    with no_cyclic_gc():
        store = open_store()
        try:
            return import_sources(store, sources, drama=drama, progress=progress, strict=strict)
        finally:
            store.close()


def import_sources(
    store: CatalogStore,
    sources: list[Source],
    drama: str | None = None,
    progress: Callable[[int], None] | None = None,
    strict: bool = False,
) -> ImportSummary:
    """Write decoded catalog files in ONE transaction without holding their rows.

    Each file is parsed and written row by row inside the transaction, and the first bad row of
    any file rolls everything back. Dramas and OST parts are saved when their file is done (a
    drama a track names is added at once, its facts filled in then). Each text is dropped from
    ``sources`` once written.
    """
    from ostkit.formats.batch import streaming_to

    summary = ImportSummary()
    with store.transaction(), store.bulk() as writer:
        for i, source in enumerate(sources):
            sources[i] = replace(source, text="")
            result = FileSummary(source.label, "", encoding=source.encoding)
            created = writer.dramas_created
            sink = _FileSink(store, writer, result, progress)
            try:
                with streaming_to(sink):
                    batch = registry.parse_source(source, drama=drama, strict=strict)
            finally:
                sink.seen.close()
            del source
            result.kind = batch.kind
            result.notes = batch.notes
            for d in batch.dramas:
                if writer.save_drama(d) == "added":
                    result.dramas_added += 1
            for part in batch.parts:
                writer.save_part(part)
            result.dramas_added += writer.dramas_created - created
            summary.files.append(result)
    return summary


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


def track_table_rows(
    store: CatalogStore,
    fields: Sequence[str],
    drama: str | Sequence[str] | None = None,
    artist: str | None = None,
    status: str | None = None,
) -> Iterator[tuple[Any, ...]]:
    """``ostkit tracks`` as tuples of the named fields (shape: ``trackjson.TRACK_FIELDS``), built
    by SQLite and read as they are used: no model and no JSON per row."""
    return store.track_table_rows(fields, drama=drama, artist=artist, status=status)


def track_rows_json(
    store: CatalogStore,
    drama: str | Sequence[str] | None = None,
    artist: str | None = None,
    status: str | None = None,
) -> Iterator[bytes]:
    """``ostkit tracks --format json``: compact JSON texts (UTF-8, one per track), read as they
    are used."""
    return store.tracks_json(drama=drama, artist=artist, status=status)


ArtistGroup = tuple[str, list[tuple[str, str | None, list[str]]]]
ArtistGroups = Iterable[ArtistGroup]


def artist_groups(
    store: CatalogStore, dramas: Sequence[str] = (), *, as_json: bool = False
) -> Iterator[ArtistGroup]:
    """``(drama, [(artist, native_name, [track, ...])])`` for ``ostkit artists``, one drama at a
    time (the named dramas in the order given, or every drama in catalog order).

    Artists are in order of first appearance (OST part order); an artist credited twice on a
    drama (main on one song, featured on another) is listed once with all their tracks. Tracks
    are table labels, or JSON texts with ``as_json`` (see ``CatalogStore.artist_credits``). A
    named drama without tracks gives one group with no artists. Names are checked at once.
    """
    chosen = list(dict.fromkeys(store.find_drama(d).title for d in dramas))
    names = store.artist_names()
    if not chosen:
        return _grouped(store.drama_titles(), names, store.artist_credits(as_json=as_json))
    titles = store.drama_titles()
    return (
        group
        for title in chosen
        for group in _grouped(
            titles, names, store.artist_credits(title, as_json=as_json), empty=title
        )
    )


def _grouped(
    dramas: Mapping[int, str],
    names: Mapping[int, tuple[str, str | None]],
    credits: Iterable[tuple[int, int, str]],
    empty: str | None = None,
) -> Iterator[ArtistGroup]:
    """Group credit rows (adjacent per drama, canonical order) by drama, then by artist; with
    ``empty``, a drama without credits still gives its (empty) group."""
    current: int | None = None
    per_drama: dict[int, list[str]] = {}
    for drama_id, artist_id, item in credits:
        if drama_id != current:
            if current is not None:
                yield dramas[current], [(*names[a], items) for a, items in per_drama.items()]
            current, per_drama = drama_id, {}
        items = per_drama.get(artist_id)
        if items is None:
            per_drama[artist_id] = [item]
        else:
            items.append(item)
    if current is not None:
        yield dramas[current], [(*names[a], items) for a, items in per_drama.items()]
    elif empty is not None:
        yield empty, []


def artists_by_drama(store: CatalogStore, dramas: Sequence[str] = ()) -> list[dict[str, Any]]:
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
        for title, artists in artist_groups(store, dramas, as_json=True)
    ]


def artist_rows(
    store: CatalogStore, dramas: Sequence[str] = (), *, with_drama: bool = True
) -> Iterator[tuple[str | None, ...]]:
    """``ostkit artists`` as table rows: (drama,) artist, native_name and a ``tracks`` label
    (``Title (Version) [feat.]; ...``), one drama at a time."""
    for title, artists in artist_groups(store, dramas):
        for name, native, labels in artists:
            label = "; ".join(labels)
            yield (title, name, native, label) if with_drama else (name, native, label)


# --- export -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    tracks: int
    skipped: int = 0  # tracks a format could not hold (M3U: no URI)


@dataclass(frozen=True)
class ExportPlan:
    """What an export will write: its tracks (read as they are written), their dramas, the
    format and a title for playlist formats. Every name is checked when the plan is made."""

    tracks: Iterable[Track]
    dramas: Sequence[Drama]
    fmt: str
    title: str | None = None


def plan_export(
    store: CatalogStore,
    dramas: Sequence[str] = (),
    fmt: str = "csv",
    *,
    artist: str | None = None,
    status: str | None = None,
) -> ExportPlan:
    """Export the named dramas (in the order given) or the whole catalog; ``artist`` and
    ``status`` narrow the tracks as in ``ostkit tracks``. Only the selected tracks and their
    credits are read, when written."""
    registry.export_format(fmt)  # an unknown format fails before any reading
    if not dramas:
        return ExportPlan(store.iter_tracks(None, artist, status), store.dramas(), fmt)
    chosen = list(dict.fromkeys(store.find_drama(d).title for d in dramas))
    all_dramas = {d.title: d for d in store.dramas()}
    drama_models = [all_dramas[t] for t in chosen]
    first = store.iter_tracks(chosen[0], artist, status)  # checks the artist name now
    rest = (t for title in chosen[1:] for t in store.iter_tracks(title, artist, status))
    return ExportPlan(
        chain(first, rest), drama_models, fmt, " + ".join(d.title for d in drama_models)
    )


def export_catalog(
    store: CatalogStore,
    out: Writable,
    dramas: Sequence[str] = (),
    fmt: str = "csv",
    *,
    artist: str | None = None,
    status: str | None = None,
) -> ExportResult:
    """``plan_export`` then ``write_export``."""
    return write_export(store, plan_export(store, dramas, fmt, artist=artist, status=status), out)


def write_export(store: CatalogStore, plan: ExportPlan, out: Writable) -> ExportResult:
    """Write an export plan to ``out``, track by track: the one dispatch of every export. A
    format that nests tracks under their drama gets a list of tracks grouped (stably) in the
    dramas' order; an iterator must come grouped already (catalog order is)."""
    spec = registry.export_format(plan.fmt)
    titles = {d.title for d in plan.dramas}
    parts = [p for p in store.parts() if p.drama in titles] if spec.needs_parts else []
    tracks = plan.tracks
    if spec.nested and isinstance(tracks, Sequence):
        order = {d.title: i for i, d in enumerate(plan.dramas)}
        tracks = sorted(tracks, key=lambda t: order[t.drama])
    doc = registry.ExportDoc(tracks, plan.dramas, parts, plan.title)
    written, skipped = registry.write(plan.fmt, doc, out)
    return ExportResult(written, skipped)


@contextmanager
def atomic_output(path: str | Path) -> Iterator[TextIO]:
    """A text file (UTF-8, ``\\n`` line ends) that replaces ``path`` when the body ends: written
    to a temp file in the same folder, synced, then renamed, so a reader never sees a
    half-written file and a failure leaves the old file untouched.

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
        with _in_place(path, target) as fh:
            yield fh
        return
    mode = stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OstkitError(f"cannot write {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
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


@contextmanager
def _in_place(path: str | Path, target: Path) -> Iterator[TextIO]:
    try:
        with target.open("w", encoding="utf-8", newline="") as fh:
            yield fh
    except OSError as exc:
        raise OstkitError(f"cannot write {path}: {exc.strerror}") from None
