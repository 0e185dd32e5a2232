"""``ImportBatch`` and the builder every reader fills: duplicates and conflicting drama facts are
caught here, once, with the lines of both rows. Pure.

Streaming (``streaming_to``): an import does not keep a file's tracks. While it is active, the
builder hands each track, checked, to the import's sink as soon as the reader has read it, and
asks the sink's ``first_line`` whether the file had the same row before; the batch then carries
only the dramas and parts. Readers are the same code either way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ostkit.errors import InputError
from ostkit.models import Drama, OstPart, Track
from ostkit.text.keys import key, track_key

DRAMA_FACTS = ("native_title", "year", "network")


@dataclass(frozen=True)
class ImportBatch:
    """Everything one file says, as models, in file order."""

    path: str
    kind: str  # csv | exportify | toml | json
    dramas: tuple[Drama, ...] = ()
    parts: tuple[OstPart, ...] = ()
    tracks: tuple[Track, ...] = ()
    encoding: str = "utf-8"  # how the file's bytes were read
    notes: tuple[str, ...] = ()  # what the reader skipped or read leniently, for a warning


class TrackSink(Protocol):
    """Where a streamed import sends each track as it is read."""

    def first_line(self, ident: tuple[str, str, str], line: int) -> int | None:
        """The line of an earlier row of this file with identity ``ident`` (None: the first;
        ``line`` is recorded)."""

    def take(self, track: Track, kind: str) -> None:
        """Write ``track`` (its file, of reader ``kind``, has been valid up to it)."""


_SINK: ContextVar[TrackSink | None] = ContextVar("ostkit_track_sink", default=None)


@contextmanager
def streaming_to(sink: TrackSink) -> Iterator[None]:
    """Readers run inside hand their tracks to ``sink`` one by one instead of keeping them."""
    token = _SINK.set(sink)
    try:
        yield
    finally:
        _SINK.reset(token)


class _SeenInMemory:
    def __init__(self) -> None:
        self.lines: dict[tuple[str, str, str], int] = {}

    def first_line(self, ident: tuple[str, str, str], line: int) -> int | None:
        first = self.lines.setdefault(ident, line)
        return None if first == line else first


def identity(track: Track) -> tuple[str, str, str]:
    """Within-file identity (drama, title+version, primary artist), by names.key."""
    return (key(track.drama), track_key(track.title, track.version), key(track.artist))


class BatchBuilder:
    """Collects models in file order; catches duplicates and conflicting drama facts."""

    def __init__(self, label: str, kind: str) -> None:
        self.label = label
        self.kind = kind
        self.dramas: dict[str, tuple[Drama, dict[str, int]]] = {}
        self.parts: dict[tuple[str, int], tuple[OstPart, int]] = {}
        self.tracks: list[Track] = []
        self.sink = _SINK.get()
        self.seen = self.sink if self.sink is not None else _SeenInMemory()
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        """Something the import should tell (a column ignored, a repeated song skipped)."""
        self.notes.append(text)

    def add_drama(self, drama: Drama, line: int) -> None:
        k = key(drama.title)
        if k not in self.dramas:
            lines = {f: line for f in DRAMA_FACTS if getattr(drama, f)}
            self.dramas[k] = (drama, lines)
            return
        facts = {f: getattr(drama, f) for f in DRAMA_FACTS}
        self.add_drama_facts(drama.title, {**facts, "aliases": drama.aliases}, line)

    def add_drama_facts(self, title: str, facts: Mapping[str, Any], line: int) -> None:
        """Record what a row says about its drama (native title, year, network, aliases); a row
        that contradicts an earlier one is an error naming both lines. Aliases add up."""
        k = key(title)
        facts = dict(facts)
        aliases = tuple(facts.pop("aliases", None) or ())
        entry = self.dramas.get(k)
        if entry is None:
            known = {f: v for f, v in facts.items() if v}
            self.add_drama(Drama(title=title, aliases=aliases, **known), line)
            return
        current, lines = entry
        updates: dict[str, Any] = {}
        if aliases and not set(aliases) <= set(current.aliases):
            updates["aliases"] = tuple(dict.fromkeys((*current.aliases, *aliases)))
        for field, new in facts.items():
            if new is None:
                continue
            old = getattr(current, field)
            if old is None:
                updates[field] = new
                lines[field] = line
            elif new != old:
                raise InputError(
                    f"{field} of drama {current.title!r} is {new!r} here but {old!r} on line "
                    f"{lines[field]}",
                    path=self.label,
                    line=line,
                )
        if updates:
            self.dramas[k] = (replace(current, **updates), lines)

    def add_part(self, part: OstPart, line: int) -> None:
        k = (key(part.drama), part.number)
        if k in self.parts:
            raise InputError(
                f"duplicate part {part.number} (also on line {self.parts[k][1]})",
                path=self.label,
                line=line,
            )
        self.parts[k] = (part, line)

    def add_track(self, track: Track, line: int) -> None:
        first = self.seen.first_line(identity(track), line)
        if first is not None:
            raise InputError(
                f"duplicate row: same drama, title, version and artist as line {first}",
                path=self.label,
                line=line,
            )
        if self.sink is not None:
            self.sink.take(track, self.kind)
        else:
            self.tracks.append(track)

    def build(self) -> ImportBatch:
        return ImportBatch(
            path=self.label,
            kind=self.kind,
            dramas=tuple(d for d, _ in self.dramas.values()),
            parts=tuple(p for p, _ in self.parts.values()),
            tracks=tuple(self.tracks),
            notes=tuple(self.notes),
        )
