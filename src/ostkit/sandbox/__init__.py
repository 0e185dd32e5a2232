"""A strict local Spotify (Web API + accounts) for tests and for trying ostkit without an account.

from ostkit.sandbox import Sandbox, Fault
with Sandbox() as sb:
    token = sb.issue_access_token()
    ...  # talk HTTP to sb.api_url / sb.accounts_url
"""

from __future__ import annotations

from ostkit.sandbox.corpus import DEFAULT_CORPUS, Corpus, make_id
from ostkit.sandbox.faults import FAULT_KINDS, Fault, RecordedRequest
from ostkit.sandbox.model import (
    DEFAULT_REDIRECT_URIS,
    DEFAULT_SCOPES,
    DEFAULT_USER_ID,
    MAX_PLAYLIST_ITEMS,
    SandboxError,
)
from ostkit.sandbox.server import Sandbox

__all__ = [
    "DEFAULT_CORPUS",
    "DEFAULT_REDIRECT_URIS",
    "DEFAULT_SCOPES",
    "DEFAULT_USER_ID",
    "FAULT_KINDS",
    "MAX_PLAYLIST_ITEMS",
    "Corpus",
    "Fault",
    "RecordedRequest",
    "Sandbox",
    "SandboxError",
    "make_id",
]
