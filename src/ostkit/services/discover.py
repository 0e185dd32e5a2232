"""``ostkit discover``: find a drama's whole OST on Spotify, show it part by part, import it.

Steps, each testable alone: ``discover`` searches and reads (network, no writes) and returns a
``Discovery``; ``import_discovery`` writes it in one transaction. Which release is the drama's
OST, and which part, is decided by the pure ``matching.releases``.

Requests: a few album-search pages per name form (10 results a page, the Development-Mode
limit; at most ``MAX_PAGES``) and one ``GET /albums/{id}/tracks`` per release kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ostkit.errors import UsageError
from ostkit.matching import releases as rel
from ostkit.matching.identities import learn_identities
from ostkit.matching.queries import SEARCH_LIMIT, quote
from ostkit.models import Candidate, Drama, OstPart, SpotifyAlbum, Track
from ostkit.services.link_import import candidate_to_track, merge_into, save_pinned
from ostkit.store.db import Outcome
from ostkit.text.keys import clean

# Search pages read per name form: 50 albums, more than any drama's OST with its decoys.
MAX_PAGES = 5


class DiscoverClient(Protocol):
    @property
    def request_count(self) -> int: ...

    def search_albums_page(
        self, query: str, limit: int = 10, offset: int = 0
    ) -> tuple[list[SpotifyAlbum], int]: ...

    def release_tracks(self, album: SpotifyAlbum) -> list[Candidate]: ...


class DiscoverStore(Protocol):
    def get_drama(self, name: str) -> Drama | None: ...

    def tracks(self, drama: str | None = None) -> list[Track]: ...

    def parts(self, drama: str | None = None) -> list[OstPart]: ...

    def find_same_track(self, track: Track) -> Track | None: ...


class ImportStore(DiscoverStore, Protocol):
    def transaction(self) -> AbstractContextManager[Any]: ...

    def save_drama(self, drama: Drama) -> Outcome: ...

    def save_track(self, track: Track) -> tuple[int, Outcome]: ...

    def get_track(self, track_id: int) -> Track: ...

    def learn_artist(
        self, artist_id: int, spotify_id: str | None, names: Sequence[str]
    ) -> bool: ...


@dataclass(frozen=True)
class Row:
    """One track of one release kept."""

    release: rel.Release
    candidate: Candidate
    track: Track  # the track as a pinned catalog entry
    entry: Track | None = None  # the catalog entry it is already
    repeat_of: str | None = None  # "Part 3": the song's first release (this one is a repeat)

    @property
    def from_compilation(self) -> bool:
        return self.release.kind == "compilation"


@dataclass
class Discovery:
    drama: Drama  # as it will be stored: title, native title and year when known
    known: bool  # the drama is in the catalog already
    native_learned: bool
    releases: list[rel.Release]
    rows: list[Row]
    missing: list[OstPart]
    pages: int = 0
    releases_read: int = 0
    requests: int = 0

    @property
    def kept(self) -> list[rel.Release]:
        return [r for r in self.releases if not r.left_out]

    @property
    def left_out(self) -> list[rel.Release]:
        return [r for r in self.releases if r.left_out]

    @property
    def songs(self) -> list[Row]:
        """The rows that are catalog entries: one per song, at its first release."""
        return [r for r in self.rows if r.repeat_of is None]

    def summary(self) -> str:
        return (
            f"searched {self.pages} page{'s' * (self.pages != 1)}, "
            f"read {self.releases_read} releases, "
            f"{self.requests} request{'s' * (self.requests != 1)}"
        )


@dataclass
class ImportCounts:
    added: int = 0
    linked: int = 0  # entries already there, now pinned to Spotify
    unchanged: int = 0
    drama: Outcome = "unchanged"
    artists_learned: int = 0

    def summary(self, title: str, *, dry_run: bool = False) -> str:
        return (
            "Dry run: would import " if dry_run else "imported "
        ) + f"{title!r}: {self.added} added, {self.linked} linked, {self.unchanged} unchanged"


Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


class _AlbumSearch:
    """Album searches of one discovery: each name form paged at most ``MAX_PAGES`` times,
    every album kept once, pages counted."""

    def __init__(self, client: DiscoverClient, progress: Progress) -> None:
        self.client = client
        self.progress = progress
        self.pages = 0
        self.found: dict[str, SpotifyAlbum] = {}

    def run(self, form: str) -> None:
        offset = 0
        for page in range(1, MAX_PAGES + 1):
            self.progress(f"searching albums {form!r} (page {page})")
            albums, total = self.client.search_albums_page(
                f"album:{quote(form)}", limit=SEARCH_LIMIT, offset=offset
            )
            self.pages += 1
            for album in albums:
                if album.id:
                    self.found.setdefault(album.id, album)
            offset += SEARCH_LIMIT
            if offset >= total or not albums:
                return


def discover(
    store: DiscoverStore,
    client: DiscoverClient,
    name: str,
    *,
    native_title: str | None = None,
    year: int | None = None,
    progress: Progress = _quiet,
) -> Discovery:
    """Search Spotify for the OST releases of drama ``name`` and read their tracks."""
    name = clean(name)
    if not name:
        raise UsageError("discover needs a drama name")
    start = client.request_count
    known = store.get_drama(name)
    title = known.title if known else name
    native = clean(native_title) if native_title else (known.native_title if known else None)
    year = year if year is not None else (known.year if known else None)
    aliases = known.aliases if known else ()
    names = [n for n in dict.fromkeys((title, native, *aliases)) if n]
    search = _AlbumSearch(client, progress)
    for form in names:
        search.run(form)
    classified = [rel.classify(a, names, year) for a in search.found.values()]
    learned = rel.learn_native_title(classified) if native is None else None
    if learned is not None:
        native = learned
        names.append(learned)
        search.run(learned)  # releases named only in Hangul that no alias reaches
        classified = [rel.classify(a, names, year) for a in search.found.values()]
    classified = rel.settle(classified, native)
    if year is None:
        year = rel.drama_year(classified)
        classified = rel.by_year(classified, year)
    classified.sort(key=rel.release_order)
    kept = [r for r in classified if not r.left_out]
    entries = store.tracks(title) if known else []
    rows = _read(client, kept, title, names, entries, progress)
    # Compilations are read only for their tracks of this drama; one that has none is no
    # release of this drama.
    used = {r.release.album.id for r in rows if r.from_compilation}
    classified = [
        replace(r, left_out="a compilation without a track of this drama")
        if r.kind == "compilation" and not r.left_out and r.album.id not in used
        else r
        for r in classified
    ]
    known_parts = {p.number: p for p in store.parts(title)} if known else {}
    found_parts = [r.part for r in kept if r.kind == "part" and r.part is not None]
    missing = [known_parts.get(n) or OstPart(title, n) for n in rel.missing_parts(found_parts)]
    return Discovery(
        drama=Drama(title=title, native_title=native, year=year, id=known.id if known else None),
        known=known is not None,
        native_learned=learned is not None,
        releases=classified,
        rows=rows,
        missing=missing,
        pages=search.pages,
        releases_read=len(kept),
        requests=client.request_count - start,
    )


def _read(
    client: DiscoverClient,
    kept: Sequence[rel.Release],
    title: str,
    names: Sequence[str],
    entries: Sequence[Track],
    progress: Progress,
) -> list[Row]:
    """The tracks of the releases kept (one request each), in release order: each song's first
    release holds it, later ones repeat it; each catalog entry is linked to one song at most."""
    rows: list[Row] = []
    first: dict[tuple[str, str], str] = {}
    free = list(entries)
    for number, release in enumerate(kept, 1):
        progress(f"reading release {number}/{len(kept)}: {release.album.name}")
        for candidate in client.release_tracks(release.album):
            if release.kind == "compilation" and not rel.from_this_drama(candidate, names):
                continue
            track = candidate_to_track(candidate, title)
            if release.kind != "part":
                track = replace(track, part=None)
            song = rel.song_key(track)
            repeat = first.get(song)
            entry = None
            if repeat is None:
                first[song] = release.label
                entry = rel.find_entry(track, free)
                if entry is not None:
                    free.remove(entry)
            rows.append(Row(release, candidate, track, entry, repeat))
    return rows


def import_discovery(store: ImportStore, discovery: Discovery) -> ImportCounts:
    """Write a discovery in one transaction: the drama (native title and year filled in when it
    had none), and one pinned entry per song, linked to the entry the fan typed when there is
    one. Running it again writes nothing new."""
    counts = ImportCounts()
    if not discovery.songs:
        return counts  # nothing found: not even the drama is added
    with store.transaction():
        existing = store.get_drama(discovery.drama.title)
        drama = discovery.drama
        if existing is not None:
            # Fill in what the catalog does not know; never overwrite the fan's facts.
            drama = Drama(
                title=existing.title,
                native_title=None if existing.native_title else drama.native_title,
                year=None if existing.year else drama.year,
            )
        counts.drama = store.save_drama(drama)
        for row in discovery.songs:
            track_id, outcome = save_pinned(store, row.track, row.entry)
            if outcome == "added":
                counts.added += 1
            elif outcome == "updated":
                counts.linked += 1
            else:
                counts.unchanged += 1
            counts.artists_learned += _learn_artists(store, track_id, row.candidate)
    return counts


def plan_import(store: DiscoverStore, discovery: Discovery) -> ImportCounts:
    """What ``import_discovery`` would write, counted; writes nothing (``--dry-run``)."""
    counts = ImportCounts()
    for row in discovery.songs:
        known = row.entry or store.find_same_track(row.track)
        if known is None:
            counts.added += 1
        elif merge_into(known, row.track) != known:
            counts.linked += 1
        else:
            counts.unchanged += 1
    return counts


def _learn_artists(store: ImportStore, track_id: int, candidate: Candidate) -> int:
    """The Spotify artist ids (and spellings) of a pinned entry's credits, by the rule a match
    learns them with (``identities.learn_identities``)."""
    saved = store.get_track(track_id)
    return sum(
        store.learn_artist(artist_id, spotify_id, [name])
        for artist_id, spotify_id, name in learn_identities([(saved, candidate)])
    )
