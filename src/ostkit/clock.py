"""Timestamps as ostkit stores and shows them: UTC, to the second, ``2026-01-31T12:00:00Z``.

One shape everywhere (catalog rows, recorded migrations, playlist pushes, the sandbox), so that
stamps from any of them compare and sort as plain text.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

STAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def iso_utc(ts: float) -> str:
    """A Unix time as a stamp."""
    return datetime.fromtimestamp(ts, UTC).strftime(STAMP_FORMAT)


def now_iso() -> str:
    """The current time as a stamp."""
    return iso_utc(time.time())
