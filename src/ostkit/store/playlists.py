"""Playlists ostkit has pushed to Spotify (the ``playlists`` table). The last pushed URI list is
kept as JSON so a re-push can skip reading the items when the snapshot matches."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ostkit.models import ManagedPlaylist
from ostkit.store.db import Db

_PLAYLIST_COLUMNS = "id, name, source_file, spotify_id, snapshot_id, uris, last_pushed_at, public"


class Playlists:
    """The ``playlists`` table."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def all(self) -> list[ManagedPlaylist]:
        """Every playlist ostkit has pushed (or started to push), by name."""
        rows = self.db.conn.execute(
            f"SELECT {_PLAYLIST_COLUMNS} FROM playlists ORDER BY name COLLATE NOCASE, id"
        ).fetchall()
        return [_managed(r) for r in rows]

    def find(
        self, *, source_file: str | None = None, name: str | None = None
    ) -> ManagedPlaylist | None:
        """The record for a playlist file (by path), else the one with this name."""
        if source_file is not None:
            row = self.db.conn.execute(
                f"SELECT {_PLAYLIST_COLUMNS} FROM playlists WHERE source_file = ? "
                "ORDER BY id LIMIT 1",
                (source_file,),
            ).fetchone()
            if row is not None:
                return _managed(row)
        if name is not None:
            row = self.db.conn.execute(
                f"SELECT {_PLAYLIST_COLUMNS} FROM playlists WHERE name = ? "
                "ORDER BY source_file IS NULL DESC, id LIMIT 1",
                (name,),
            ).fetchone()
            if row is not None:
                return _managed(row)
        return None

    def save(self, playlist: ManagedPlaylist) -> ManagedPlaylist:
        """Insert (id None) or update a playlist record; returns it with its id."""
        self.db.require_tx()
        uris = json.dumps(list(playlist.uris))
        digest = hashlib.sha256(uris.encode()).hexdigest()
        values = (
            playlist.name,
            playlist.source_file,
            playlist.spotify_id,
            playlist.snapshot_id,
            uris,
            digest,
            playlist.last_pushed_at,
            playlist.public,
        )
        if playlist.id is None:
            cur = self.db.conn.execute(
                "INSERT INTO playlists (name, source_file, spotify_id, snapshot_id, uris, "
                "uris_hash, last_pushed_at, public) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            return replace(playlist, id=int(cur.lastrowid or 0))
        self.db.conn.execute(
            "UPDATE playlists SET name = ?, source_file = ?, spotify_id = ?, snapshot_id = ?, "
            "uris = ?, uris_hash = ?, last_pushed_at = ?, public = ? WHERE id = ?",
            (*values, playlist.id),
        )
        return playlist


def _managed(row: Sequence[Any]) -> ManagedPlaylist:
    return ManagedPlaylist(
        id=int(row[0]),
        name=row[1],
        source_file=row[2],
        spotify_id=row[3],
        snapshot_id=row[4],
        uris=tuple(json.loads(row[5] or "[]")),
        last_pushed_at=row[6],
        public=None if row[7] is None else bool(row[7]),
    )
