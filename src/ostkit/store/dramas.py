"""Dramas, their cast, other names and OST parts. A drama is identified by its title key
(names.key), its native title's key and its aliases' keys too; the title keeps the spelling first
stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ostkit.clock import now_iso
from ostkit.models import CastMember, Drama, OstPart
from ostkit.store.db import Db, Outcome, not_found
from ostkit.text.keys import clean, key
from ostkit.text.scripts import script_of

_DRAMA_COLUMNS = "id, title, native_title, year, network, director, writer, release_date"
_FIELDS = ("native_title", "year", "network", "director", "writer", "release_date")


class Dramas:
    """The ``dramas``, ``cast_members`` and ``ost_parts`` tables."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def all(self) -> list[Drama]:
        conn = self.db.conn
        rows = conn.execute(
            f"SELECT {_DRAMA_COLUMNS} FROM dramas ORDER BY title_key, id"
        ).fetchall()
        cast: dict[int, list[CastMember]] = {}
        for drama_id, actor, role in conn.execute(
            "SELECT drama_id, actor, role FROM cast_members ORDER BY drama_id, position"
        ):
            cast.setdefault(drama_id, []).append(CastMember(actor, role))
        aliases: dict[int, list[str]] = {}
        for drama_id, alias in conn.execute(
            "SELECT drama_id, alias FROM drama_aliases ORDER BY drama_id, rowid"
        ):
            aliases.setdefault(drama_id, []).append(alias)
        return [_drama(r, tuple(cast.get(r[0], ())), tuple(aliases.get(r[0], ()))) for r in rows]

    def get(self, name: str) -> Drama | None:
        """The drama whose title (or native title) has the same key as ``name``."""
        conn = self.db.conn
        k = key(name)
        row = conn.execute(
            f"SELECT {_DRAMA_COLUMNS} FROM dramas WHERE title_key = ?", (k,)
        ).fetchone()
        if row is None:
            for cand in conn.execute(
                f"SELECT {_DRAMA_COLUMNS} FROM dramas WHERE native_title IS NOT NULL ORDER BY id"
            ):
                if key(cand[2]) == k:
                    row = cand
                    break
        if row is None:
            row = conn.execute(
                f"SELECT {_DRAMA_COLUMNS} FROM dramas WHERE id = (SELECT drama_id FROM "
                "drama_aliases WHERE alias_key = ? ORDER BY drama_id LIMIT 1)",
                (k,),
            ).fetchone()
        if row is None:
            return None
        cast = tuple(
            CastMember(a, r)
            for a, r in conn.execute(
                "SELECT actor, role FROM cast_members WHERE drama_id = ? ORDER BY position",
                (row[0],),
            )
        )
        return _drama(row, cast, self._aliases(row[0]))

    def _aliases(self, drama_id: int) -> tuple[str, ...]:
        return tuple(
            a
            for (a,) in self.db.conn.execute(
                "SELECT alias FROM drama_aliases WHERE drama_id = ? ORDER BY rowid", (drama_id,)
            )
        )

    def add_aliases(self, drama_id: int, names: Sequence[str], *, learned: bool = False) -> int:
        """Add other names of a drama (its own title and native title, and names it already
        has, are skipped); returns how many were new."""
        self.db.require_tx()
        row = self.db.conn.execute(
            "SELECT title, native_title FROM dramas WHERE id = ?", (drama_id,)
        ).fetchone()
        own = {key(n) for n in row if n}
        added = 0
        for name in names:
            alias = clean(name)
            k = key(alias)
            if not alias or k in own:
                continue
            cur = self.db.conn.execute(
                "INSERT OR IGNORE INTO drama_aliases (drama_id, alias, alias_key, learned) "
                "VALUES (?, ?, ?, ?)",
                (drama_id, alias, k, int(learned)),
            )
            added += cur.rowcount
        return added

    def learn_names(self, title: str, names: Sequence[str]) -> int:
        """See ``CatalogStore.learn_drama_names``."""
        self.db.require_tx()
        drama = self.get(title)
        if drama is None or drama.id is None:
            return 0
        rest = list(names)
        if drama.native_title is None:
            native = next((n for n in rest if script_of(n) not in ("latin", "none")), None)
            if native is not None:
                self.db.conn.execute(
                    "UPDATE dramas SET native_title = ? WHERE id = ?", (clean(native), drama.id)
                )
                rest.remove(native)
                return 1 + self.add_aliases(drama.id, rest, learned=True)
        return self.add_aliases(drama.id, rest, learned=True)

    def find(self, name: str) -> Drama:
        """Like ``get`` but raises ``NotFoundError`` suggesting the closest titles."""
        drama = self.get(name)
        if drama is None:
            titles = [t for (t,) in self.db.conn.execute("SELECT title FROM dramas")]
            raise not_found("drama", name, titles)
        return drama

    def id_for(self, title: str) -> int:
        """The id of the drama named ``title``, adding it (title only) if there is none."""
        drama = self.get(title)
        if drama is None:
            return self.insert(Drama(title=title))
        assert drama.id is not None
        return drama.id

    def insert(self, drama: Drama) -> int:
        self.db.require_tx()
        title = clean(drama.title)
        cur = self.db.conn.execute(
            "INSERT INTO dramas (title, title_key, native_title, year, network, director, "
            "writer, release_date, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (title, key(title), *(getattr(drama, f) for f in _FIELDS), now_iso()),
        )
        drama_id = int(cur.lastrowid or 0)
        self._replace_cast(drama_id, drama.cast)
        self.add_aliases(drama_id, drama.aliases)
        return drama_id

    def save(self, drama: Drama) -> Outcome:
        """Add the drama, or fill in / overwrite the fields ``drama`` carries (None keeps)."""
        self.db.require_tx()
        existing = self.get(clean(drama.title))
        if existing is None:
            self.insert(drama)
            return "added"
        assert existing.id is not None
        changes = {
            f: getattr(drama, f)
            for f in _FIELDS
            if getattr(drama, f) is not None and getattr(drama, f) != getattr(existing, f)
        }
        cast_changed = bool(drama.cast) and drama.cast != existing.cast
        if changes:
            sets = ", ".join(f"{f} = ?" for f in changes)
            self.db.conn.execute(
                f"UPDATE dramas SET {sets} WHERE id = ?", (*changes.values(), existing.id)
            )
        if cast_changed:
            self._replace_cast(existing.id, drama.cast)
        aliases_added = self.add_aliases(existing.id, drama.aliases)
        return "updated" if changes or cast_changed or aliases_added else "unchanged"

    def _replace_cast(self, drama_id: int, cast: Sequence[CastMember]) -> None:
        self.db.conn.execute("DELETE FROM cast_members WHERE drama_id = ?", (drama_id,))
        self.db.conn.executemany(
            "INSERT INTO cast_members (drama_id, position, actor, role) VALUES (?, ?, ?, ?)",
            [(drama_id, i, c.actor, c.role) for i, c in enumerate(cast)],
        )

    def delete(self, name: str) -> int:
        """Delete a drama with its tracks and parts (cascade); returns the number of tracks."""
        self.db.require_tx()
        drama = self.find(name)
        count = self.db.conn.execute(
            "SELECT count(*) FROM tracks WHERE drama_id = ?", (drama.id,)
        ).fetchone()[0]
        self.db.conn.execute("DELETE FROM dramas WHERE id = ?", (drama.id,))
        return int(count)

    def titles(self) -> dict[int, str]:
        return dict(self.db.conn.execute("SELECT id, title FROM dramas").fetchall())

    # --- OST parts -------------------------------------------------------------------------------

    def parts(self, drama: str | None = None) -> list[OstPart]:
        sql = (
            "SELECT d.title, p.number, p.title, p.release_date FROM ost_parts p "
            "JOIN dramas d ON d.id = p.drama_id"
        )
        args: tuple[Any, ...] = ()
        if drama is not None:
            sql += " WHERE p.drama_id = ?"
            args = (self.find(drama).id,)
        sql += " ORDER BY d.title_key, d.id, p.number"
        return [OstPart(*row) for row in self.db.conn.execute(sql, args)]

    def save_part(self, drama_id: int, part: OstPart) -> Outcome:
        """Add an OST part of drama ``drama_id`` or fill in / overwrite the fields it carries."""
        self.db.require_tx()
        row = self.db.conn.execute(
            "SELECT title, release_date FROM ost_parts WHERE drama_id = ? AND number = ?",
            (drama_id, part.number),
        ).fetchone()
        if row is None:
            self.ensure_part(drama_id, part.number, part.title, part.release_date)
            return "added"
        title = part.title if part.title is not None else row[0]
        date = part.release_date if part.release_date is not None else row[1]
        if (title, date) == tuple(row):
            return "unchanged"
        self.db.conn.execute(
            "UPDATE ost_parts SET title = ?, release_date = ? WHERE drama_id = ? AND number = ?",
            (title, date, drama_id, part.number),
        )
        return "updated"

    def ensure_part(self, drama_id: int, number: int, title: str | None, date: str | None) -> None:
        """Add the part if missing; a stored title or date is kept, a missing one filled in."""
        self.db.conn.execute(
            "INSERT INTO ost_parts (drama_id, number, title, release_date) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (drama_id, number) DO UPDATE SET "
            "title = coalesce(ost_parts.title, excluded.title), "
            "release_date = coalesce(ost_parts.release_date, excluded.release_date)",
            (drama_id, number, title, date),
        )


def _drama(
    row: Sequence[Any], cast: tuple[CastMember, ...], aliases: tuple[str, ...] = ()
) -> Drama:
    return Drama(
        id=row[0],
        title=row[1],
        native_title=row[2],
        year=row[3],
        network=row[4],
        director=row[5],
        writer=row[6],
        release_date=row[7],
        cast=cast,
        aliases=aliases,
    )
