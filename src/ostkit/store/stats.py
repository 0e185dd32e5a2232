"""Catalog counts for ``ostkit stats``: per drama, tracks by status, OST parts, artists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ostkit.models import Status
from ostkit.store.db import Db


@dataclass
class DramaCounts:
    """Counts for one drama, or for several (then ``artists`` counts each artist once)."""

    title: str
    statuses: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in Status})
    parts: int = 0
    artists: int = 0

    @property
    def tracks(self) -> int:
        return sum(self.statuses.values())


def drama_counts(db: Db, drama_ids: Sequence[int] | None = None) -> list[DramaCounts]:
    """Per drama (title order; only ``drama_ids`` when given), then the total as the last item
    (titled ``""``): an artist who sang for two dramas is one artist in the total."""
    db.flush_pending()
    conn = db.conn
    where, args = "", list(drama_ids or ())
    if drama_ids is not None:
        where = f"WHERE d.id IN ({', '.join('?' * len(args))})"
    rows = conn.execute(
        "SELECT d.id, d.title, "
        "(SELECT count(*) FROM ost_parts p WHERE p.drama_id = d.id), "
        "(SELECT count(DISTINCT c.artist_id) FROM tracks t "
        " JOIN credits c ON c.track_id = t.id WHERE t.drama_id = d.id) "
        f"FROM dramas d {where} ORDER BY d.title_key, d.id",
        args,
    ).fetchall()
    by_id = {i: DramaCounts(title, parts=int(p), artists=int(a)) for i, title, p, a in rows}
    total = DramaCounts("", parts=sum(c.parts for c in by_id.values()))
    track_where = where.replace("d.id", "t.drama_id")
    for drama_id, status, n in conn.execute(
        f"SELECT t.drama_id, t.status, count(*) FROM tracks t {track_where} "
        "GROUP BY t.drama_id, t.status",
        args,
    ):
        by_id[drama_id].statuses[status] += int(n)
        total.statuses[status] += int(n)
    (artists,) = conn.execute(
        "SELECT count(DISTINCT c.artist_id) FROM credits c "
        f"JOIN tracks t ON t.id = c.track_id {track_where}",
        args,
    ).fetchone()
    total.artists = int(artists)
    return [*by_id.values(), total]
