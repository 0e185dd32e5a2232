"""Artists and their aliases. Every spelling and native name seen for an artist is an alias keyed
by names.key, so "DAVICHI" / "Davichi" and "Park Bo-ram" / "Park Boram" / "박보람" are one artist.
When one credit names two known artists (a name and a native name), they are merged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ostkit.clock import now_iso
from ostkit.models import Artist
from ostkit.store.columns import DATA_FIELDS, MATCH_FIELDS
from ostkit.store.db import Db, not_found
from ostkit.text.keys import clean, key

# Fields a track merged into its twin fills in when the twin lacks them (the twin's status
# stands: it is the record the user has been working on).
_ABSORBED_FIELDS = tuple(f for f in (*DATA_FIELDS, *MATCH_FIELDS) if f != "status")


class Artists:
    """The ``artists`` and ``artist_aliases`` tables. Alias lookups ask SQLite each time; the
    bulk writer's subclass keeps them in memory for one import."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def alias_id(self, alias_key: str) -> int | None:
        """The artist owning the alias with this key, if any."""
        row = self.db.conn.execute(
            "SELECT artist_id FROM artist_aliases WHERE alias_key = ?", (alias_key,)
        ).fetchone()
        return None if row is None else int(row[0])

    def add_alias(self, artist_id: int, alias: str) -> None:
        """Record a spelling of the artist (a key another artist owns is left alone)."""
        self.db.conn.execute(
            "INSERT OR IGNORE INTO artist_aliases (alias_key, artist_id, alias) VALUES (?, ?, ?)",
            (key(alias), artist_id, alias),
        )

    def known_ids(self, name: str, native_name: str | None = None) -> list[int]:
        """The artists ``resolve`` would settle on for this credit, without creating any: one, or
        two (lower id first, the one a merge keeps) when name and native name differ."""
        found = {self.alias_id(key(n)) for n in (name, native_name) if n}
        return sorted(i for i in found if i is not None)

    def resolve(self, name: str, native_name: str | None = None) -> int:
        """The artist id for ``name`` (creating it), linking ``native_name`` to the same artist.

        If the name and the native name belong to two different artists, they are merged: a
        row has just told us they are one person.
        """
        self.db.require_tx()
        if not native_name:
            # Fast path for bulk imports: a known spelling without a native name to link.
            known = self.alias_id(key(name))
            if known is not None:
                return known
        name = clean(name)
        artist_id = self.alias_id(key(name))
        native = clean(native_name) if native_name else None
        native_id = self.alias_id(key(native)) if native else None
        if artist_id is None and native_id is not None:
            artist_id = native_id
            self.add_alias(artist_id, name)
        elif artist_id is None:
            cur = self.db.conn.execute(
                "INSERT INTO artists (name, native_name, created_at) VALUES (?, ?, ?)",
                (name, native, now_iso()),
            )
            artist_id = int(cur.lastrowid or 0)
            self.add_alias(artist_id, name)
        if native_id is not None and native_id != artist_id:
            keep, drop = sorted((artist_id, native_id))
            self.merge(keep, drop)
            artist_id = keep
        if native:
            self.add_alias(artist_id, native)
            self.db.conn.execute(
                "UPDATE artists SET native_name = ? WHERE id = ? AND native_name IS NULL",
                (native, artist_id),
            )
        return artist_id

    def merge(self, keep: int, drop: int) -> None:
        """Fold artist ``drop`` into ``keep``; tracks that become identical are merged too."""
        self.db.flush_pending()
        c = self.db.conn
        clashes = c.execute(
            "SELECT d.id, k.id FROM tracks d JOIN tracks k ON k.drama_id = d.drama_id "
            "AND k.title_key = d.title_key AND k.primary_artist_id = ? "
            "WHERE d.primary_artist_id = ?",
            (keep, drop),
        ).fetchall()
        for dup_id, kept_id in clashes:
            self._absorb_track(kept_id, dup_id)
        c.execute("UPDATE artist_aliases SET artist_id = ? WHERE artist_id = ?", (keep, drop))
        c.execute("UPDATE credits SET artist_id = ? WHERE artist_id = ?", (keep, drop))
        c.execute(
            "UPDATE tracks SET primary_artist_id = ? WHERE primary_artist_id = ?", (keep, drop)
        )
        c.execute(
            "UPDATE artists SET "
            "native_name = coalesce(native_name, (SELECT native_name FROM artists WHERE id = ?)), "
            "spotify_id = coalesce(spotify_id, (SELECT spotify_id FROM artists WHERE id = ?)) "
            "WHERE id = ?",
            (drop, drop, keep),
        )
        c.execute("DELETE FROM artists WHERE id = ?", (drop,))

    def _absorb_track(self, kept_id: int, dup_id: int) -> None:
        sets = ", ".join(
            f"{col} = coalesce({col}, (SELECT {col} FROM tracks WHERE id = ?))"
            for col in _ABSORBED_FIELDS
        )
        self.db.conn.execute(
            f"UPDATE tracks SET {sets} WHERE id = ?",
            (*([dup_id] * len(_ABSORBED_FIELDS)), kept_id),
        )
        self.db.conn.execute("DELETE FROM tracks WHERE id = ?", (dup_id,))

    def learn(self, artist_id: int, spotify_id: str | None, names: Iterable[str]) -> bool:
        """Remember a matched artist's Spotify id (if none yet) and the names Spotify shows for it
        as aliases (a name already owned by another artist is left alone). True if anything new."""
        self.db.require_tx()
        changed = False
        if spotify_id:
            cur = self.db.conn.execute(
                "UPDATE artists SET spotify_id = ? WHERE id = ? AND spotify_id IS NULL",
                (spotify_id, artist_id),
            )
            changed = cur.rowcount > 0
        for name in names:
            name = clean(name)
            if not name or self.alias_id(key(name)) is not None:
                continue
            self.add_alias(artist_id, name)
            changed = True
        return changed

    def find(self, name: str) -> Artist | None:
        artist_id = self.alias_id(key(name))
        return None if artist_id is None else self.by_id([artist_id])[0]

    def find_id(self, name: str) -> int:
        """The id of the artist ``name`` (any alias); ``NotFoundError`` suggests spellings."""
        artist_id = self.alias_id(key(name))
        if artist_id is None:
            names = [n for (n,) in self.db.conn.execute("SELECT alias FROM artist_aliases")]
            raise not_found("artist", name, names)
        return artist_id

    def all(self) -> list[Artist]:
        return self.by_id(
            [r[0] for r in self.db.conn.execute("SELECT id FROM artists ORDER BY id")]
        )

    def by_id(self, ids: Sequence[int]) -> list[Artist]:
        if not ids:
            return []
        if len(ids) <= 500:
            marks = ", ".join("?" * len(ids))
            artist_sql = (
                f"SELECT id, name, native_name, spotify_id FROM artists WHERE id IN ({marks})"
            )
            alias_sql = (
                f"SELECT artist_id, alias FROM artist_aliases WHERE artist_id IN ({marks}) "
                "ORDER BY artist_id, alias"
            )
            args: Sequence[int] = ids
        else:
            # Past SQLite's comfortable parameter count reading every row is simpler and as fast.
            artist_sql = "SELECT id, name, native_name, spotify_id FROM artists"
            alias_sql = "SELECT artist_id, alias FROM artist_aliases ORDER BY artist_id, alias"
            args = ()
        rows = {r[0]: r for r in self.db.conn.execute(artist_sql, args)}
        aliases: dict[int, list[str]] = {}
        for artist_id, alias in self.db.conn.execute(alias_sql, args):
            aliases.setdefault(artist_id, []).append(alias)
        out = []
        for i in ids:
            r = rows[i]
            own = {key(r[1])} | ({key(r[2])} if r[2] else set())
            extra = tuple(a for a in aliases.get(i, []) if key(a) not in own)
            out.append(Artist(name=r[1], native_name=r[2], aliases=extra, spotify_id=r[3], id=i))
        return out

    def names(self) -> dict[int, tuple[str, str | None]]:
        """Artist id -> (display name, native name)."""
        return {
            i: (n, k)
            for i, n, k in self.db.conn.execute("SELECT id, name, native_name FROM artists")
        }

    def drop_orphans(self) -> None:
        """Delete artists no track credits any more (their aliases go by cascade)."""
        self.db.conn.execute(
            "DELETE FROM artists WHERE id NOT IN (SELECT artist_id FROM credits) "
            "AND id NOT IN (SELECT primary_artist_id FROM tracks)"
        )
