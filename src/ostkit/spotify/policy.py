"""Network policy for every Spotify request: timeouts, one shared rate limiter, bounded retries.

spotipy is used with a plain ``requests.Session`` (no urllib3 retry adapter: that one retries POSTs,
sleeps for hours on a quota 429 and loses ``Retry-After``). Everything below is ostkit's own policy:

- every request has a (connect, read) timeout, token requests included;
- one token-bucket ``RateLimiter`` per run, shared by all threads; a 429 pauses it for everyone;
- 429: wait ``Retry-After`` when it is at most ``retry_after_cap`` seconds, otherwise (or with
  ``reason: QUOTA_EXCEEDED``) stop with a ``RateLimitError`` saying when to retry;
- 5xx / connection errors / timeouts: bounded retries with exponential backoff and jitter, a
  5xx's Retry-After honoured up to the same cap.

This module holds the knobs and the rules as plain functions; ``spotify.executor`` runs the one
retry loop that applies them to Web API calls and token requests alike. The parameters live in
``NetPolicy`` (a frozen dataclass) so tests inject tiny backoffs.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests

from ostkit.config import DEFAULT_RATE_LIMIT, Settings
from ostkit.errors import RateLimitError

QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
#: a Retry-After beyond this (a year) is read as this: a date in year 30000 helps nobody
RETRY_AFTER_MAX = 366 * 24 * 3600.0


@dataclass(frozen=True)
class NetPolicy:
    """Every knob of the network policy, explicit. Times are seconds."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    #: retries after a 5xx / timeout / connection error (so at most max_retries + 1 attempts)
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    #: fraction of each backoff that is random (0 = none, 1 = "full jitter")
    jitter: float = 0.5
    #: longest Retry-After ostkit waits for; beyond it the command stops with RateLimitError
    retry_after_cap: float = 30.0
    #: how many 429s one call waits through before giving up
    max_rate_limit_waits: int = 4
    #: wait used for a 429 that carries no Retry-After
    default_retry_after: float = 2.0
    #: token bucket shared by all threads of a run; None disables it (Settings.rate_limit)
    rate_per_second: float | None = DEFAULT_RATE_LIMIT
    burst: int = 10

    @property
    def timeout(self) -> tuple[float, float]:
        """The (connect, read) timeout tuple handed to requests."""
        return (self.connect_timeout, self.read_timeout)

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """Delay before retry number ``retry`` (0-based): exponential, capped, with jitter."""
        delay: float = min(self.backoff_max, self.backoff_base * (2.0**retry))
        draw = (rng or random).random()
        return delay * (1.0 - self.jitter * draw)

    @classmethod
    def from_settings(cls, settings: Settings) -> NetPolicy:
        """The production policy at the rate the settings give (``OSTKIT_RATE_LIMIT``)."""
        return cls(rate_per_second=settings.rate_limit)

    @classmethod
    def for_tests(cls) -> NetPolicy:
        """Tiny backoffs, short timeouts and no rate limit: for tests against the sandbox."""
        return cls(
            connect_timeout=2.0,
            read_timeout=5.0,
            backoff_base=0.001,
            backoff_max=0.01,
            default_retry_after=0.01,
            rate_per_second=None,
        )


class RateLimiter:
    """Thread-safe token bucket; ``pause`` (after a 429) makes every thread wait."""

    def __init__(
        self,
        rate_per_second: float | None,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_second is not None and rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive or None")
        self.rate = rate_per_second
        self.burst = max(1, burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(self.burst)
        self._last = clock()
        self._paused_until = 0.0
        self.waited = 0.0  # total seconds spent waiting, for benchmarks

    def acquire(self) -> float:
        """Take one token, sleeping as needed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                if now < self._paused_until:
                    wait = self._paused_until - now
                elif self.rate is None:
                    break
                else:
                    self._tokens = min(
                        float(self.burst), self._tokens + (now - self._last) * self.rate
                    )
                    self._last = now
                    if self._tokens >= 1.0:
                        self._tokens -= 1.0
                        break
                    wait = (1.0 - self._tokens) / self.rate
            self._sleep(wait)
            waited += wait
        if waited:
            with self._lock:
                self.waited += waited
        return waited

    def pause(self, seconds: float) -> None:
        """Hold every thread for ``seconds`` from now (a 429's Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


_shared: dict[tuple[float | None, int], RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(policy: NetPolicy) -> RateLimiter:
    """The process-wide limiter for this rate: one per run, shared by all clients and threads."""
    key = (policy.rate_per_second, policy.burst)
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = _shared[key] = RateLimiter(policy.rate_per_second, policy.burst)
        return limiter


class HttpStatusError(Exception):
    """A non-2xx answer, as seen by the policy (the client converts spotipy's exception to it,
    the token request its own answer)."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        reason: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.message = message
        self.reason = reason
        self.retry_after = retry_after
        super().__init__(f"HTTP {status}: {message}")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date; None if absent/garbled."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"\d{1,30}(\.\d+)?", value):
        return min(RETRY_AFTER_MAX, float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(RETRY_AFTER_MAX, max(0.0, seconds))


def human_duration(seconds: float) -> str:
    """``45 s``, ``3 min 20 s``, ``6 h 49 min``."""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def retry_time_text(seconds: float | None, *, now: datetime | None = None) -> str:
    """When to retry, for people: ``in 6 h 49 min (after 2026-11-24 02:14 UTC)``."""
    if seconds is None:
        return "later (Spotify gave no Retry-After; quotas usually reset within 24 h)"
    seconds = min(seconds, RETRY_AFTER_MAX)
    at = (now or datetime.now(UTC)) + timedelta(seconds=seconds)
    return f"in {human_duration(seconds)} (after {at:%Y-%m-%d %H:%M} UTC)"


def rate_limit_delay(
    exc: HttpStatusError, *, what: str, policy: NetPolicy, waits_so_far: int
) -> float:
    """Seconds to wait before retrying after a 429, or raise ``RateLimitError`` to stop."""
    if exc.reason == QUOTA_EXCEEDED:
        raise RateLimitError(
            f"Spotify quota exceeded (429 QUOTA_EXCEEDED) during {what}: "
            f"retry {retry_time_text(exc.retry_after)}",
            retry_after=exc.retry_after,
            reason=exc.reason,
        )
    delay = policy.default_retry_after if exc.retry_after is None else exc.retry_after
    if delay > policy.retry_after_cap:
        raise RateLimitError(
            f"Spotify rate limit during {what}: Spotify asks to wait {human_duration(delay)}, "
            f"longer than ostkit waits ({human_duration(policy.retry_after_cap)}); "
            f"retry {retry_time_text(delay)}",
            retry_after=delay,
            reason=exc.reason,
        )
    if waits_so_far >= policy.max_rate_limit_waits:
        raise RateLimitError(
            f"Spotify rate limit during {what}: still answering 429 after "
            f"{waits_so_far} waits; retry {retry_time_text(max(delay, 60.0))}",
            retry_after=delay,
            reason=exc.reason,
        )
    return delay


def never_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly did not reach the server (safe to repeat any method)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        import urllib3.exceptions

        inner = exc.args[0] if exc.args else None
        reason = getattr(inner, "reason", inner)
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


def describe_network_error(exc: requests.RequestException) -> str:
    """What went wrong without an answer, for messages: ``no answer within the timeout``."""
    if isinstance(exc, requests.exceptions.InvalidJSONError):
        return "an answer that is not JSON (a proxy or captive portal in the way?)"
    if isinstance(exc, requests.exceptions.Timeout):
        return "no answer within the timeout"
    if never_sent(exc):
        return "connection refused or unreachable"
    return f"connection failed ({type(exc).__name__})"


@dataclass(frozen=True)
class Failure:
    """A transient failure, worth another attempt if the request may be sent again: a 5xx
    answer, a timeout or a connection error."""

    #: for messages: ``Spotify answered 503``, ``no answer within the timeout``
    problem: str
    #: the 5xx status; None when there was no answer
    status: int | None = None
    #: the answer's own words (its HTTP reason phrase or error message)
    message: str | None = None
    #: the request certainly never reached the server
    unsent: bool = False
    #: a 503 may say when to come back
    retry_after: float | None = None

    @classmethod
    def from_answer(cls, exc: HttpStatusError) -> Failure:
        return cls(
            f"Spotify answered {exc.status}",
            status=exc.status,
            message=exc.message,
            retry_after=exc.retry_after,
        )

    @classmethod
    def from_network(cls, exc: requests.RequestException) -> Failure:
        return cls(describe_network_error(exc), unsent=never_sent(exc))


def retry_delay(
    policy: NetPolicy, failure: Failure, retries: int, backoff: Callable[[int], float]
) -> float | None:
    """Seconds to wait before retry number ``retries`` (0-based) after ``failure``, or None when
    the retries are used up. ``backoff(retries)`` draws the jittered backoff; a Retry-After on
    the failure stretches it, up to the cap."""
    if retries >= policy.max_retries:
        return None
    delay = backoff(retries)
    if failure.retry_after is None:
        return delay
    return max(delay, min(failure.retry_after, policy.retry_after_cap))
