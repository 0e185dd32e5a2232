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
