"""The domain model: frozen dataclasses and pure helpers. No I/O here.

Catalog side: Drama, Artist, Credit, Track. Spotify side (converted at the edge by spotify.py):
SpotifyArtist, SpotifyAlbum, Candidate, RemotePlaylist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Status(StrEnum):
    """Match status of a catalog track."""

    MATCHED = "matched"  # confident automatic match
    PINNED = "pinned"  # chosen by a person (or imported with a URI); the matcher never touches it
    REVIEW = "review"  # plausible candidates stored, not confident
    NOT_FOUND = "not_found"  # nothing plausible on Spotify
    UNMATCHED = "unmatched"  # never searched


Role = Literal["main", "featured"]


@dataclass(frozen=True)
class Credit:
    """One artist credit on a track, in billing order."""

    name: str
    role: Role = "main"
    native_name: str | None = None  # the artist's name in their own script (catalog side)
    artist_id: int | None = field(default=None, compare=False)  # catalog id once stored


@dataclass(frozen=True)
class CastMember:
    actor: str
    role: str | None = None


@dataclass(frozen=True)
class Drama:
    title: str
    native_title: str | None = None
    year: int | None = None
    network: str | None = None
    director: str | None = None
    writer: str | None = None
    release_date: str | None = None
    cast: tuple[CastMember, ...] = ()
    id: int | None = None
    # Other names of the drama: another English title ("Guardian: The Lonely and Great God" for
    # "Goblin"), a romanised or Chinese title; typed by the fan or learned from matched releases.
    aliases: tuple[str, ...] = ()

    def other_names(self) -> tuple[str, ...]:
        """The names the drama's releases may carry besides its title: native title, aliases."""
        return tuple(n for n in (self.native_title, *self.aliases) if n and n.strip())


@dataclass(frozen=True)
class OstPart:
    """One OST part/release of a drama (often a digital single)."""

    drama: str
    number: int
    title: str | None = None  # album / single name
    release_date: str | None = None


@dataclass(frozen=True)
class Artist:
    name: str
    native_name: str | None = None
    aliases: tuple[str, ...] = ()
    spotify_id: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Track:
    drama: str
    title: str
    credits: tuple[Credit, ...]
    native_title: str | None = None
    part: int | None = None
    album: str | None = None
    release_date: str | None = None
    duration_ms: int | None = None
    isrc: str | None = None
    version: str | None = None  # "Inst.", "Acoustic Ver.", ... as the source wrote it
    spotify_uri: str | None = None
    status: Status = Status.UNMATCHED
    score: float | None = None
    id: int | None = None
    matched_at: str | None = None  # ISO-8601 UTC time the status/URI was last set by a match

    @property
    def artist(self) -> str:
        """The primary (first main) artist, or the first credit."""
        for credit in self.credits:
            if credit.role == "main":
                return credit.name
        return self.credits[0].name if self.credits else ""

    @property
    def main_artists(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.credits if c.role == "main")

    @property
    def featured_artists(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.credits if c.role == "featured")

    @property
    def artist_display(self) -> str:
        """Credits as fans write them: ``A & B feat. C``."""
        text = " & ".join(self.main_artists)
        if self.featured_artists:
            text += " feat. " + " & ".join(self.featured_artists)
        return text


# --- Spotify side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpotifyArtist:
    id: str | None
    name: str


@dataclass(frozen=True)
class SpotifyAlbum:
    id: str | None
    name: str
    album_type: str | None = None  # album | single | compilation
    release_date: str | None = None
    artists: tuple[SpotifyArtist, ...] = ()
    total_tracks: int | None = None


@dataclass(frozen=True)
class Candidate:
    """A Spotify track as the matcher sees it."""

    id: str
    uri: str
    name: str
    artists: tuple[SpotifyArtist, ...]
    album: SpotifyAlbum | None = None
    duration_ms: int | None = None
    isrc: str | None = None
    explicit: bool = False
    track_number: int | None = None
    disc_number: int | None = None
    is_playable: bool | None = None

    @property
    def url(self) -> str:
        """The link that opens the track in Spotify."""
        return f"https://open.spotify.com/track/{self.id}"


@dataclass(frozen=True)
class RemotePlaylist:
    """A Spotify playlist's metadata (not its items)."""

    id: str
    name: str
    description: str | None
    public: bool | None
    snapshot_id: str
    owner_id: str
    total: int
    url: str | None = None
    collaborative: bool = False


@dataclass(frozen=True)
class SpotifyUser:
    id: str
    display_name: str | None = None
    uri: str | None = None


@dataclass(frozen=True)
class ManagedPlaylist:
    """A playlist ostkit has pushed: where it lives on Spotify and what was last pushed."""

    name: str
    spotify_id: str | None = None
    source_file: str | None = None  # the playlist file (None for `push --drama ... --name`)
    snapshot_id: str | None = None  # Spotify's snapshot after the last complete push
    uris: tuple[str, ...] = ()  # the list of the last complete push
    last_pushed_at: str | None = None
    id: int | None = None
    public: bool | None = None  # the public flag ostkit last sent to Spotify (None: never)

    @property
    def url(self) -> str | None:
        return f"https://open.spotify.com/playlist/{self.spotify_id}" if self.spotify_id else None
