"""Stamps: one UTC shape for the catalog, migrations, playlist pushes and the sandbox."""

from __future__ import annotations

import re

from ostkit.clock import iso_utc, now_iso


def test_iso_utc_is_utc_to_the_second() -> None:
    assert iso_utc(0) == "1970-01-01T00:00:00Z"
    assert iso_utc(1_767_225_599.9) == "2025-12-31T23:59:59Z"


def test_now_iso_has_the_same_shape() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", now_iso())
