"""The catalog connection: opening (pragmas, migrations), ``transaction()`` and error mapping.

* ``Db.open(path)`` creates the file (and parent folder) on first use and migrates it. Foreign
  keys are on, the journal is WAL (readers never block the writer) and ``busy_timeout`` makes a
  second writer wait for the first instead of failing at once.
* ``with db.transaction():`` takes the write lock up front (``BEGIN IMMEDIATE``) so two importers
  queue instead of deadlocking; nested calls join the outer transaction; an exception rolls
  everything back.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from ostkit.errors import CatalogError, NotFoundError
from ostkit.store import migrations

# What a save did to the catalog.
Outcome = Literal["added", "updated", "unchanged"]


def suggest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Closest names to ``name`` (case-insensitive), best first."""
    by_fold: dict[str, str] = {}
    for choice in choices:
        by_fold.setdefault(choice.casefold(), choice)
    close = difflib.get_close_matches(name.casefold(), list(by_fold), n=n, cutoff=0.4)
    return [by_fold[c] for c in close]


def not_found(kind: str, name: str, choices: Iterable[str]) -> NotFoundError:
    close = suggest(name, choices)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return NotFoundError(f"no {kind} named {name!r} in the catalog{hint}")


def catalog_error(exc: sqlite3.Error, path: str) -> CatalogError:
    """SQLite's error as a ``CatalogError`` that says what to do."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return CatalogError(
            f"the catalog {path} is busy (another ostkit command is writing it); try again"
        )
    if "not a database" in text or "malformed" in text:
        return CatalogError(f"{path} is not an ostkit catalog (SQLite says: {text})")
    return CatalogError(f"catalog {path}: {text}")


# SQLite page cache, in KiB: for reads, and for the duration of a bulk import (a 1M-row import
# took the same time with 16 MiB as with 64 MiB, and 60 MB less memory).
READ_CACHE_KIB = 8192
BULK_CACHE_KIB = 16384


class Db:
    """One catalog connection with its transaction depth. Build it with ``Db.open(path)``."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0
        # Set while a bulk writer holds rows not yet inserted: reads call it first.
        self._pending: Callable[[], None] | None = None

    @classmethod
    def open(cls, path: Path | str, *, timeout: float = 30.0) -> Db:
        """Open (creating and migrating if needed) the catalog at ``path`` or ``":memory:"``."""
        target = str(path)
        if target != ":memory:":
            target = str(Path(target).expanduser())
            try:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CatalogError(
                    f"cannot create the folder for catalog {target}: {exc.strerror}"
                ) from None
        try:
            conn = sqlite3.connect(target, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot open catalog {target}: {exc}") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            if target != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # Reads (listings, exports) walk the catalog once: a small cache keeps their memory
            # flat. Imports take a bigger one while they run (store.bulk).
            conn.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
            migrations.migrate(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise catalog_error(exc, target) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, target)

    def close(self) -> None:
        self.conn.close()

    @property
    def schema_version(self) -> int:
        return migrations.current_version(self.conn)

    def applied_migrations(self) -> list[tuple[int, str, str]]:
        return migrations.applied(self.conn)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside run in one transaction; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise catalog_error(exc, self.path) from None
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self.conn.execute("ROLLBACK")
            raise catalog_error(exc, self.path) from None

    def require_tx(self) -> None:
        if not self._depth:
            raise CatalogError("internal: catalog writes must run inside store.transaction()")

    def hold_pending(self, flush: Callable[[], None] | None) -> None:
        """Register (or with None, drop) the bulk writer's flush, run before every read."""
        if flush is not None and self._pending is not None:
            raise CatalogError("internal: one bulk writer at a time")
        self._pending = flush

    @property
    def bulk_open(self) -> bool:
        return self._pending is not None

    def flush_pending(self) -> None:
        """Insert the rows a bulk writer holds, so a read sees them."""
        if self._pending is not None:
            self._pending()
