"""Shared fixtures. Owner: SANDBOX; others may append fixtures at the end of this file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ostkit.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox (shipped OST corpus) on 127.0.0.1, port 0; stopped after the test."""
    with Sandbox() as sb:
        yield sb


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[Sandbox]:
    """One sandbox for the whole session, for read-only tests (do not inject faults into it)."""
    with Sandbox() as sb:
        yield sb
