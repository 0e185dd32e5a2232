"""Match decisions and the candidates kept for review. A candidate is stored in Spotify's
TrackObject shape (payload, spotify.parse) with its score and reasons."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ostkit.clock import now_iso
from ostkit.errors import NotFoundError
from ostkit.models import Candidate, Status
from ostkit.spotify.parse import candidate_from_json, candidate_to_json
from ostkit.store.db import Db


class Matches:
    """Match fields of ``tracks`` and the ``candidates`` table."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def set_match(
        self,
        track_id: int,
        *,
        status: Status,
        uri: str | None = None,
        score: float | None = None,
    ) -> None:
        """Record a match decision for a track (status, URI, score, matched_at = now)."""
        self.db.require_tx()
        stamp = now_iso()
        cur = self.db.conn.execute(
            "UPDATE tracks SET status = ?, spotify_uri = ?, score = ?, matched_at = ?, "
            "updated_at = ? WHERE id = ?",
            (str(status), uri, score, stamp, stamp, track_id),
        )
        if cur.rowcount == 0:
            raise NotFoundError(f"no track with id {track_id}; `ostkit tracks` lists the ids")

    def fill_from_spotify(self, track_id: int, candidate: Candidate) -> list[str]:
        """Fill the track's empty album / release date / duration / ISRC from the Spotify track
        it was matched or pinned to; a value already there (typed by the fan) is kept. Returns
        the names of the fields filled."""
        self.db.require_tx()
        album = candidate.album
        given = {
            "album": album.name if album else None,
            "release_date": album.release_date if album else None,
            "duration_ms": candidate.duration_ms,
            "isrc": candidate.isrc,
        }
        row = self.db.conn.execute(
            "SELECT album, release_date, duration_ms, isrc FROM tracks WHERE id = ?", (track_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no track with id {track_id}; `ostkit tracks` lists the ids")
        filled = [
            name
            for (name, value), current in zip(given.items(), row, strict=True)
            if value not in (None, "") and current in (None, "")
        ]
        if filled:
            sets = ", ".join(f"{name} = ?" for name in filled)
            self.db.conn.execute(
                f"UPDATE tracks SET {sets}, updated_at = ? WHERE id = ?",
                (*(given[name] for name in filled), now_iso(), track_id),
            )
        return filled

    def save_candidates(
        self,
        track_id: int,
        scored: Sequence[tuple[Candidate, float, Sequence[str]]],
    ) -> None:
        """Replace the candidates kept for a track (best first)."""
        self.db.require_tx()
        self.db.conn.execute("DELETE FROM candidates WHERE track_id = ?", (track_id,))
        stamp = now_iso()
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO candidates (track_id, uri, score, payload, reasons, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    track_id,
                    cand.uri,
                    value,
                    json.dumps(candidate_to_json(cand), ensure_ascii=False, sort_keys=True),
                    json.dumps(list(reasons), ensure_ascii=False),
                    stamp,
                )
                for cand, value, reasons in scored
            ],
        )

    def candidates(self, track_id: int) -> list[tuple[Candidate, float | None, tuple[str, ...]]]:
        """The candidates kept for a track, best first: (candidate, score, reasons)."""
        rows = self.db.conn.execute(
            "SELECT payload, score, reasons FROM candidates WHERE track_id = ? "
            "ORDER BY score IS NULL, score DESC, id",
            (track_id,),
        ).fetchall()
        out = []
        for p, s, r in rows:
            cand = candidate_from_json(json.loads(p))
            if cand is not None:
                out.append((cand, s, tuple(json.loads(r))))
        return out

    def clear_candidates(self, track_id: int) -> None:
        self.db.require_tx()
        self.db.conn.execute("DELETE FROM candidates WHERE track_id = ?", (track_id,))
