"""Fault injection and the request log of the sandbox."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = (
    "latency",  # sleep `seconds` before answering (the request is otherwise normal)
    "rate_limit",  # 429 + Retry-After (default 1 s)
    "quota",  # 429 + long Retry-After + body reason QUOTA_EXCEEDED
    "server_error",  # 500/502/503 (status=), optionally with an empty body
    "applied_then_error",  # the request is carried out, then answered 502
    "expire_token",  # the bearer token of the matching request expires (-> 401 expired)
    "revoke",  # the refresh token of the matching token request is revoked (-> invalid_grant)
    "drop_connection",  # the socket is closed without a response (apply=True: after the write)
)


@dataclass
class Fault:
    """A fault that hits requests matching ``method`` and ``path`` (a regex searched in the path).

    ``after`` matching requests pass untouched first, then the fault fires ``count`` times
    (``None``: forever). ``expire_token`` only counts requests carrying a bearer token and
    ``revoke`` only refresh-token grants, so their defaults need no method/path.
    """

    kind: str
    method: str | None = None
    path: str | None = None
    count: int | None = 1
    after: int = 0
    retry_after: int | None = None
    status: int | None = None
    seconds: float = 0.1
    empty_body: bool = False
    apply: bool = False
    # Runtime counters (how many matching requests were seen / how many times it fired).
    seen: int = field(default=0, compare=False)
    fired: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (known: {', '.join(FAULT_KINDS)})")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"fault status {self.status} is not an HTTP status")
        if self.path is not None:
            re.compile(self.path)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or re.search(self.path, path) is not None

    @property
    def exhausted(self) -> bool:
        return self.count is not None and self.fired >= self.count

    def take(self) -> bool:
        """Count one matching request; True when the fault fires for it."""
        if self.exhausted:
            return False
        self.seen += 1
        if self.seen <= self.after:
            return False
        self.fired += 1
        return True


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the sandbox saw it. Secrets (tokens, codes, verifiers) are never kept."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int
    elapsed: float = 0.0
    fault: str | None = None
