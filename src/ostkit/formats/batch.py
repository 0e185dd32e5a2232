"""``ImportBatch`` and the builder every reader fills: duplicates and conflicting drama facts are
caught here, once, with the lines of both rows. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

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
        self.seen: dict[tuple[str, str, str], int] = {}
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
        ident = identity(track)
        if ident in self.seen:
            raise InputError(
                f"duplicate row: same drama, title, version and artist as line {self.seen[ident]}",
                path=self.label,
                line=line,
            )
        self.seen[ident] = line
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
