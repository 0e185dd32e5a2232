"""Column groups of the ``tracks`` table, named once for every statement that lists them."""

from __future__ import annotations

# What a track carries besides its identity: a save fills them in (None keeps what is stored)
# and a merge of two identical tracks keeps whichever side has them.
DATA_FIELDS = ("native_title", "album", "release_date", "duration_ms", "isrc", "version")
# A match decision: saved together, or not at all.
MATCH_FIELDS = ("spotify_uri", "status", "score", "matched_at")
