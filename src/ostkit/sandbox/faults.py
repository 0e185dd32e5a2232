"""Fault injection, the configured rate limit and quota, and the request log of the sandbox."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ostkit.sandbox.model import SECRET_FIELDS, ApiError, Reply, Request

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


#: how many of the latest requests the sandbox's log keeps by default
REQUEST_LOG_SIZE = 10_000

#: how many bytes of a body that does not parse the log keeps
LOGGED_JUNK = 1000


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


def fault_reply(fault: Fault) -> Reply:
    """The answer a rate-limit, quota or server-error fault gives instead of the real one."""
    if fault.kind == "rate_limit":
        retry = fault.retry_after if fault.retry_after is not None else 1
        return Reply.error(429, "API rate limit exceeded", **{"Retry-After": str(retry)})
    if fault.kind == "quota":
        retry = fault.retry_after if fault.retry_after is not None else 61_389
        return Reply.error(
            429, "Too many requests", "QUOTA_EXCEEDED", **{"Retry-After": str(retry)}
        )
    status = fault.status or (502 if fault.kind == "applied_then_error" else 503)
    if fault.empty_body:
        return Reply(status)
    message = {500: "Server error.", 502: "Bad gateway.", 503: "Service unavailable"}.get(
        status, "Server error."
    )
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    return Reply.error(status, message, **headers)


class Limits:
    """The configured quota and rolling-window rate limit of the Web API.

    ``rate_limit=(N, S)``: Spotify's app-wide limit, at most N requests in a rolling window of
    S seconds (sandbox clock), else 429 with Retry-After until the oldest one leaves the window.
    ``quota=N``: a budget of requests; once spent every call answers the QUOTA_EXCEEDED 429.
    """

    def __init__(self, rate_limit: tuple[int, float] | None, quota: int | None) -> None:
        self.rate_limit = rate_limit
        self.quota = quota
        self.quota_used = 0
        self.window: list[float] = []

    def check(self, now: float) -> Fault | None:
        """Count one request; the fault that refuses it, or None when it may go on."""
        if self.quota is not None:
            if self.quota_used >= self.quota:
                return Fault("quota")
            self.quota_used += 1
        if self.rate_limit is not None:
            count, window = self.rate_limit
            self.window = [t for t in self.window if t > now - window]
            if len(self.window) >= count:
                wait = max(1, math.ceil(self.window[0] + window - now))
                return Fault("rate_limit", retry_after=wait)
            self.window.append(now)
        return None


def recorded(
    request: Request, reply: Reply, elapsed: float, fault_name: str | None
) -> RecordedRequest:
    """The log entry of one request, its secrets redacted."""
    body: Any = None
    ctype = request.headers.get("content-type", "")
    if request.raw:
        if "x-www-form-urlencoded" in ctype:
            body = {
                k: ("<redacted>" if k in SECRET_FIELDS else v) for k, v in request.form().items()
            }
        else:
            try:
                body = request.json_body()
            except ApiError:
                # Kept short: the log is there to read, and junk must not make it grow.
                body = request.raw[:LOGGED_JUNK].decode("utf-8", "replace")
    query = {
        k: (["<redacted>"] * len(v) if k in SECRET_FIELDS else list(v))
        for k, v in request.query.items()
    }
    status = 0 if reply.drop else reply.status
    return RecordedRequest(request.method, request.path, query, body, status, elapsed, fault_name)
