"""The sandbox's catalog of tracks, albums and artists, and Spotify-style search over it.

Corpus file format (JSON, UTF-8)::

    {
      "synthetic": true,                       # optional, informational
      "tracks": [
        {
          "id": "22-char base62",              # optional: derived from name+artists+album if absent
          "name": "Love Beyond Words",
          "names": {"ko": "사랑은 말로 표현하는게 아니래요"},   # optional localized names
          "artists": [{"id": "...", "name": "KYUHYUN", "names": {"ko": "규현"}}],
          "album": {"id": "...", "name": "...", "names": {...}, "album_type": "single",
                    "release_date": "2022-03-11", "total_tracks": 2,
                    "artists": [{"id": "...", "name": "..."}], "upc": "..."},
          "duration_ms": 215000, "isrc": "KRA382200101", "track_number": 1,
          "disc_number": 1, "explicit": false
        }
      ]
    }

Artists and albums are defined where tracks use them; the same id must always carry the same
definition (later occurrences may repeat it or give only ``{"id": ...}``). ``total_tracks`` defaults
to the number of the album's tracks in the corpus. Everything here is pure (no I/O but
``load_corpus_file``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ostkit.errors import InputError

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# A Spotify id: 22 base62 characters (also inside URIs, see model.TRACK_URI_RE).
ID_PATTERN = "[0-9A-Za-z]{22}"
ID_RE = re.compile(rf"^{ID_PATTERN}$")
ISRC_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$")
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ALBUM_TYPES = ("album", "single", "compilation")

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "data" / "sandbox_corpus.json"
# Loaded with the default corpus: dramas with complete OST series and their decoys (discover).
SERIES_CORPUS = DEFAULT_CORPUS.with_name("sandbox_corpus_series.json")


def make_id(*parts: str) -> str:
    """A stable, well-formed 22-character base62 id derived from ``parts``."""
    digest = int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest(), "big")
    chars = []
    for _ in range(22):
        digest, rem = divmod(digest, 62)
        chars.append(BASE62[rem])
    return "".join(chars)


@dataclass
class Artist:
    id: str
    name: str
    names: dict[str, str] = field(default_factory=dict)
    genres: list[str] = field(default_factory=list)

    def all_names(self) -> list[str]:
        return [self.name, *self.names.values()]


@dataclass
class Album:
    id: str
    name: str
    album_type: str
    release_date: str
    artist_ids: list[str]
    names: dict[str, str] = field(default_factory=dict)
    total_tracks: int | None = None
    upc: str | None = None

    def all_names(self) -> list[str]:
        return [self.name, *self.names.values()]

    @property
    def release_date_precision(self) -> str:
        return {4: "year", 7: "month"}.get(len(self.release_date), "day")


@dataclass
class Track:
    id: str
    name: str
    artist_ids: list[str]
    album_id: str
    duration_ms: int
    track_number: int = 1
    disc_number: int = 1
    isrc: str | None = None
    explicit: bool = False
    names: dict[str, str] = field(default_factory=dict)

    def all_names(self) -> list[str]:
        return [self.name, *self.names.values()]


class Corpus:
    """Artists, albums and tracks by id; insertion order is the search ranking's tie-break."""

    def __init__(self) -> None:
        self.artists: dict[str, Artist] = {}
        self.albums: dict[str, Album] = {}
        self.tracks: dict[str, Track] = {}
        self._by_album: dict[str, list[Track]] = {}

    # -- building -------------------------------------------------------------------------
    def add_artist(self, data: Mapping[str, Any] | str, *, where: str = "") -> Artist:
        if isinstance(data, str):
            data = {"name": data}
        name = data.get("name")
        artist_id = data.get("id")
        if artist_id is not None:
            _check_id(artist_id, where)
            if artist_id in self.artists and (name is None or self.artists[artist_id].name == name):
                return self.artists[artist_id]
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"artist needs a non-empty 'name'{_at(where)}")
        if artist_id is None:
            # A name alone means the artist of that name when there is one already.
            same = next((a for a in self.artists.values() if a.name == name), None)
            if same is not None:
                return same
        artist_id = artist_id or make_id("artist", name)
        existing = self.artists.get(artist_id)
        if existing is not None:
            return _same_name("artist", existing, name, where)
        artist = Artist(
            id=artist_id,
            name=name,
            names=_names(data.get("names"), where),
            genres=list(data.get("genres") or []),
        )
        self.artists[artist_id] = artist
        return artist

    def add_album(
        self, data: Mapping[str, Any] | str, default_artists: Sequence[Artist], *, where: str = ""
    ) -> Album:
        if isinstance(data, str):
            data = {"name": data}
        album_id = data.get("id")
        name = data.get("name")
        if album_id is not None:
            _check_id(album_id, where)
            if album_id in self.albums and (name is None or self.albums[album_id].name == name):
                return self.albums[album_id]
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"album needs a non-empty 'name'{_at(where)}")
        artists = [self.add_artist(a, where=where) for a in data.get("artists") or []]
        artists = artists or list(default_artists)
        artist_ids = [a.id for a in artists]
        if album_id is None:
            same = next(
                (b for b in self.albums.values() if b.name == name and b.artist_ids == artist_ids),
                None,
            )
            if same is not None:
                return same
        album_id = album_id or make_id("album", name, *(a.name for a in artists))
        existing = self.albums.get(album_id)
        if existing is not None:
            return _same_name("album", existing, name, where)
        album_type = data.get("album_type", "single")
        if album_type not in ALBUM_TYPES:
            raise InputError(f"album_type must be one of {', '.join(ALBUM_TYPES)}{_at(where)}")
        release_date = str(data.get("release_date", "2020-01-01"))
        if not DATE_RE.match(release_date):
            raise InputError(f"release_date must be YYYY, YYYY-MM or YYYY-MM-DD{_at(where)}")
        total = data.get("total_tracks")
        album = Album(
            id=album_id,
            name=name,
            album_type=album_type,
            release_date=release_date,
            artist_ids=[a.id for a in artists],
            names=_names(data.get("names"), where),
            total_tracks=int(total) if total is not None else None,
            upc=data.get("upc"),
        )
        self.albums[album_id] = album
        return album

    def add_track(self, data: Mapping[str, Any], *, where: str = "") -> Track:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"track needs a non-empty 'name'{_at(where)}")
        raw_artists = data.get("artists")
        if not raw_artists:
            raise InputError(f"track {name!r} needs at least one artist{_at(where)}")
        artists = [self.add_artist(a, where=where) for a in raw_artists]
        album = self.add_album(data.get("album") or name, artists, where=where)
        track_id = data.get("id") or make_id("track", name, album.id, *(a.id for a in artists))
        _check_id(track_id, where)
        if track_id in self.tracks:
            raise InputError(f"duplicate track id {track_id}{_at(where)}")
        isrc = data.get("isrc")
        if isrc is not None and not ISRC_RE.match(isrc):
            raise InputError(f"isrc {isrc!r} is not a 12-character ISRC{_at(where)}")
        duration = data.get("duration_ms", 200_000)
        if not isinstance(duration, int) or duration <= 0:
            raise InputError(f"duration_ms must be a positive integer{_at(where)}")
        track = Track(
            id=track_id,
            name=name,
            artist_ids=[a.id for a in artists],
            album_id=album.id,
            duration_ms=duration,
            track_number=int(data.get("track_number", 1)),
            disc_number=int(data.get("disc_number", 1)),
            isrc=isrc,
            explicit=bool(data.get("explicit", False)),
            names=_names(data.get("names"), where),
        )
        self.tracks[track_id] = track
        self._by_album.setdefault(album.id, []).append(track)
        return track

    def load(self, data: Any, source: str = "corpus") -> int:
        """Add the tracks of a parsed corpus document; returns how many were added."""
        if not isinstance(data, dict) or not isinstance(data.get("tracks"), list):
            raise InputError("a corpus is a JSON object with a 'tracks' list", path=source)
        for index, item in enumerate(data["tracks"]):
            if not isinstance(item, dict):
                raise InputError(f"tracks[{index}] is not an object", path=source)
            try:
                self.add_track(item, where=f"tracks[{index}]")
            except InputError as exc:
                raise InputError(exc.reason, path=source) from None
        return len(data["tracks"])

    # -- queries --------------------------------------------------------------------------
    def album_tracks(self, album_id: str) -> list[Track]:
        found = self._by_album.get(album_id, [])
        return sorted(found, key=lambda t: (t.disc_number, t.track_number))

    def album_total(self, album: Album) -> int:
        if album.total_tracks is not None:
            return album.total_tracks
        return len(self.album_tracks(album.id))


def load_corpus_file(path: str | Path) -> Any:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("corpus file not found", path=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", path=str(path)) from None


def _at(where: str) -> str:
    return f" ({where})" if where else ""


_Named = TypeVar("_Named", Artist, Album)


def _same_name(kind: str, existing: _Named, name: str, where: str) -> _Named:
    """``existing`` again, when ``name`` agrees: one id, one definition."""
    if existing.name != name:
        raise InputError(
            f"{kind} id {existing.id} is used for both {existing.name!r} and {name!r}{_at(where)}"
        )
    return existing


def _check_id(value: Any, where: str) -> None:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise InputError(f"id {value!r} is not a 22-character base62 Spotify id{_at(where)}")


def _names(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InputError(f"'names' must map language codes to strings{_at(where)}")
    return {k.lower(): v for k, v in value.items()}


# -- search -------------------------------------------------------------------------------
FIELDS = ("track", "artist", "album", "year", "isrc", "genre", "upc", "tag")
_QUERY_RE = re.compile(r'(?:(\w+):)?(?:"([^"]*)"?|(\S+))')
_NON_WORD = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case- and width-insensitive form with punctuation and spaces removed (Hangul kept)."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass
class SearchQuery:
    filters: dict[str, list[str]]
    words: list[str]


def parse_query(q: str) -> SearchQuery:
    """Split ``q`` into field filters (``artist:"Kim Jong-kook"``) and free-text words."""
    filters: dict[str, list[str]] = {}
    words: list[str] = []
    for match in _QUERY_RE.finditer(q):
        name, quoted, bare = match.group(1), match.group(2), match.group(3)
        value = quoted if quoted is not None else (bare or "")
        if name is not None and name.lower() in FIELDS:
            if value.strip():
                filters.setdefault(name.lower(), []).append(value.strip())
        elif name is not None:
            words.append(f"{name}:{value}")
        elif value.strip():
            words.append(value)
    return SearchQuery(filters, words)


def _matches(value: str, names: Iterable[str]) -> bool:
    """Every word of ``value`` occurs in one of ``names`` (folded substring match)."""
    wanted = [fold(w) for w in value.split()]
    wanted = [w for w in wanted if w]
    if not wanted:
        return True
    folded = [fold(n) for n in names]
    return all(any(w in n for n in folded) for w in wanted)


def _year_ok(spec: str, release_date: str) -> bool:
    year = int(release_date[:4])
    match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", spec.strip())
    if not match:
        return False
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return low <= year <= high


def search_tracks(corpus: Corpus, query: SearchQuery) -> list[Track]:
    results: list[tuple[int, int, Track]] = []
    for index, track in enumerate(corpus.tracks.values()):
        album = corpus.albums[track.album_id]
        artists = [corpus.artists[a] for a in track.artist_ids]
        artist_names = [n for a in artists for n in a.all_names()]
        if not _filters_ok(query, track, album, artists):
            continue
        haystack = [*track.all_names(), *artist_names, *album.all_names()]
        if not all(_matches(w, haystack) for w in query.words):
            continue
        results.append((_rank(query, track.all_names(), "track"), index, track))
    results.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in results]


def _filters_ok(query: SearchQuery, track: Track, album: Album, artists: list[Artist]) -> bool:
    for name, values in query.filters.items():
        for value in values:
            if name == "track" and not _matches(value, track.all_names()):
                return False
            if name == "artist" and not _matches(
                value, [n for a in artists for n in a.all_names()]
            ):
                return False
            if name == "album" and not _matches(value, album.all_names()):
                return False
            if name == "year" and not _year_ok(value, album.release_date):
                return False
            if name == "isrc" and (track.isrc or "").casefold() != value.casefold():
                return False
            if name == "genre" and not _matches(value, [g for a in artists for g in a.genres]):
                return False
            if name == "upc":
                return False  # upc: is an album-only filter
    return True


def _rank(query: SearchQuery, names: list[str], field_name: str) -> int:
    """0 when the name equals the filter or the whole free text, else 1 (then corpus order)."""
    wanted = [fold(v) for v in query.filters.get(field_name, [])]
    if query.words:
        wanted.append(fold(" ".join(query.words)))
    folded = {fold(n) for n in names}
    return 0 if any(w in folded for w in wanted) else 1


def search_albums(corpus: Corpus, query: SearchQuery) -> list[Album]:
    results: list[tuple[int, int, Album]] = []
    for index, album in enumerate(corpus.albums.values()):
        artist_names = [n for a in album.artist_ids for n in corpus.artists[a].all_names()]
        if not _album_ok(query, album, artist_names):
            continue
        results.append((_rank(query, album.all_names(), "album"), index, album))
    results.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in results]


def _album_ok(query: SearchQuery, album: Album, artist_names: list[str]) -> bool:
    checks: dict[str, Callable[[str], bool]] = {
        "album": lambda v: _matches(v, album.all_names()),
        "artist": lambda v: _matches(v, artist_names),
        "year": lambda v: _year_ok(v, album.release_date),
        "upc": lambda v: (album.upc or "") == v,
        "tag": lambda v: True,  # tag:new / tag:hipster need popularity data we do not have
    }
    names = [*album.all_names(), *artist_names]
    return _all_filters(query, checks) and all(_matches(w, names) for w in query.words)


def search_artists(corpus: Corpus, query: SearchQuery) -> list[Artist]:
    results: list[tuple[int, int, Artist]] = []
    for index, artist in enumerate(corpus.artists.values()):
        if not _artist_ok(query, artist):
            continue
        results.append((_rank(query, artist.all_names(), "artist"), index, artist))
    results.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in results]


def _artist_ok(query: SearchQuery, artist: Artist) -> bool:
    checks: dict[str, Callable[[str], bool]] = {
        "artist": lambda v: _matches(v, artist.all_names()),
        "genre": lambda v: _matches(v, artist.genres),
    }
    return _all_filters(query, checks) and all(_matches(w, artist.all_names()) for w in query.words)


def _all_filters(query: SearchQuery, checks: Mapping[str, Callable[[str], bool]]) -> bool:
    """Every filter has a check for this type and passes it (other filters match nothing)."""
    for name, values in query.filters.items():
        check = checks.get(name)
        if check is None or not all(check(v) for v in values):
            return False
    return True
