"""The one retry loop. ``Executor.run`` sends a Spotify request (a Web API call or a token
request) under ``spotify.policy`` and turns what went wrong into the ``SpotifyError`` that
``ostkit.errors.STATUS_ERRORS`` names for its status:

- 429: wait out Retry-After (the shared limiter pauses every thread), or stop;
- 401: one refresh, one retry; 403: no retry, a message naming the likely causes; 404: not found;
  any other 4xx: refused as sent;
- 5xx / timeouts / connection errors: bounded retries, but only when the request may be sent
  again (``RetryMode``); a non-idempotent write (adding items) is verified by reading the
  playlist back first, so a retry never duplicates tracks.
"""

from __future__ import annotations

import enum
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

import requests

from ostkit.errors import (
    LOGIN_AGAIN,
    AmbiguousWriteError,
    AuthError,
    ForbiddenError,
    SpotifyError,
    status_error,
)
from ostkit.spotify.policy import (
    Failure,
    HttpStatusError,
    NetPolicy,
    RateLimiter,
    rate_limit_delay,
    retry_delay,
)

log = logging.getLogger("ostkit.netpolicy")

T = TypeVar("T")

#: How a request may be repeated after a transient failure (5xx, timeout, connection error).
#: ``safe``: reads and idempotent writes (PUT replace, PUT details, DELETE all occurrences);
#: ``verify``: not idempotent, read back first (POST add items);
#: ``never``: not idempotent and not verifiable (POST create playlist);
#: ``answered``: repeated after an error answer or a connection never made, not after one that
#: dropped once the request was sent (a token refresh that got through may have rotated, and so
#: revoked, the refresh token it carried).
#: Whatever the mode, a request that certainly never reached the server may be sent again.
RetryMode = Literal["safe", "verify", "never", "answered"]


class Outcome(enum.Enum):
    """What reading back after an ambiguous write found."""

    APPLIED = "applied"
    NOT_APPLIED = "not_applied"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Verdict(Generic[T]):
    outcome: Outcome
    value: T | None = None  # the call's result when APPLIED
    detail: str = ""


def may_resend(mode: RetryMode, failure: Failure) -> bool:
    """Whether the request may simply be sent again after ``failure`` (retries permitting)."""
    if failure.unsent or mode == "safe":
        return True
    return mode == "answered" and failure.status is not None


# --- refusals (4xx) -------------------------------------------------------------------------------

ALLOW_LIST_CAUSE = (
    "your Spotify account is not on the app's allow-list (Developer Dashboard > the app > "
    "User Management; Development-Mode apps allow 5 users)"
)
PREMIUM_CAUSE = (
    "the app owner's Spotify Premium lapsed (Development-Mode apps need an owner with Premium)"
)
REMOVED_CAUSE = "the endpoint is not available to Development-Mode apps"
FORBIDDEN_CAUSES = (ALLOW_LIST_CAUSE, PREMIUM_CAUSE, REMOVED_CAUSE)
RELOGIN = "run `ostkit auth login` again"
#: words in Spotify's 403 message -> the cause they point to
_FORBIDDEN_HINTS = (
    (re.compile(r"registered|allow.?list|user management|dashboard", re.I), ALLOW_LIST_CAUSE),
    (re.compile(r"premium|subscription", re.I), PREMIUM_CAUSE),
)


def forbidden_message(
    what: str,
    exc: HttpStatusError,
    *,
    needed_scopes: Collection[str] = (),
    granted_scopes: Collection[str] | None = None,
    extra_causes: Collection[str] = (),
) -> str:
    """One line for a 403: what was refused and the likely causes, most likely first."""
    upstream = (exc.message or "").strip()
    shown = f" ({upstream})" if upstream and upstream.lower() != "forbidden" else ""
    head = f"Spotify refused {what} (403 Forbidden{shown})."
    for hint, cause in _FORBIDDEN_HINTS:
        if hint.search(upstream):  # Spotify said which: name only that
            return f"{head} Cause: {cause}"
    scope_cause: str | None = None
    if granted_scopes is not None:
        missing = [s for s in needed_scopes if s not in set(granted_scopes)]
        if missing:
            scope_cause = f"the login lacks scope {' '.join(missing)}: {RELOGIN}"
    elif needed_scopes:
        scope_cause = f"the login lacks scope {' '.join(needed_scopes)}"
    if re.search(r"scope", upstream, re.I):  # Spotify said it is a scope
        return f"{head} Cause: {scope_cause or f'the login lacks a scope: {RELOGIN}'}"
    causes = [*([scope_cause] if scope_cause else []), *extra_causes, *FORBIDDEN_CAUSES]
    return f"{head} Likely: " + "; or ".join(causes)


def refusal_error(
    what: str,
    exc: HttpStatusError,
    *,
    needed_scopes: Collection[str] = (),
    granted_scopes: Collection[str] | None = None,
    extra_causes: Collection[str] = (),
    refreshed: bool = False,
) -> SpotifyError:
    """The error for a refused request (a 4xx other than 429): the message says why, the status
    table picks the class. ``refreshed``: the 401 came for a token the login had just issued."""
    status = exc.status
    if status == 401 and refreshed:
        # The accounts service accepted the refresh token a moment ago, so the login is valid:
        # logging in again would not help, the Web API is refusing what the login hands out.
        detail = f": {exc.message}" if exc.message else ""
        message = (
            f"Spotify is refusing the new access token for {what} (401{detail} again, right "
            "after a successful refresh); the login itself is still valid: try again later, and "
            "if it persists check the app in the Spotify Developer Dashboard"
        )
    elif status == 401:
        detail = f": {exc.message}" if exc.message else ""
        message = f"Spotify refused the access token for {what} (401{detail}); {LOGIN_AGAIN}"
    elif status == 403:
        message = forbidden_message(
            what,
            exc,
            needed_scopes=needed_scopes,
            granted_scopes=granted_scopes,
            extra_causes=extra_causes,
        )
    elif status == 404:
        message = f"{what}: not found on Spotify (404); check the id or URL"
    else:
        message = f"Spotify rejected {what} ({status}: {exc.message or 'no message'})"
    return status_error(status, message, reason=exc.reason)


# --- the loop -------------------------------------------------------------------------------------


class Executor:
    """Runs one Spotify request under the policy. Shared by all threads using one client.

    ``limiter`` paces the requests (shared by every client of a run); None for requests that
    are not paced (token requests go to another host): a 429 then sleeps in the calling thread.
    """

    def __init__(
        self,
        policy: NetPolicy,
        limiter: RateLimiter | None,
        *,
        refresh: Callable[[], object] | None = None,
        granted_scopes: Callable[[], Collection[str] | None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy
        self.limiter = limiter
        self._refresh = refresh
        self._granted_scopes = granted_scopes
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()

    def backoff(self, retry: int) -> float:
        """The policy's backoff before retry number ``retry``, drawn from this executor's rng."""
        with self._rng_lock:
            return self.policy.backoff(retry, self._rng)

    def run(
        self,
        op: Callable[[], T],
        *,
        what: str,
        retry: RetryMode = "safe",
        verify: Callable[[], Verdict[T]] | None = None,
        needed_scopes: Collection[str] = (),
        forbidden_causes: Collection[str] = (),
        give_up: Callable[[Failure], SpotifyError] | None = None,
    ) -> T:
        """Call ``op`` until it succeeds or the policy says stop (then raise a SpotifyError).

        ``op`` raises ``HttpStatusError`` for an answer the policy should handle and
        ``requests.RequestException`` when no answer came. ``give_up`` words the error for a
        transient failure that is not retried (default: the Web API's wording).
        """
        if retry == "verify" and verify is None:
            raise ValueError("retry='verify' needs a verify callback")
        call = _Call(what, retry, verify, needed_scopes, forbidden_causes, give_up)
        while True:
            if self.limiter is not None:
                self.limiter.acquire()
            try:
                return op()
            except HttpStatusError as exc:
                failure = self._classify(exc, call)
            except requests.RequestException as exc:
                failure = Failure.from_network(exc)
            if failure is None:
                continue  # a 429 waited out or the token refreshed: send it again now
            if not may_resend(call.retry, failure):
                verdict = self._read_back(failure, call)
                if verdict.outcome is Outcome.APPLIED:
                    return verdict.value  # type: ignore[return-value]
            self._back_off(failure, call)

    def _classify(self, exc: HttpStatusError, call: _Call[T]) -> Failure | None:
        """An error answer: None to send again at once (after waiting out a 429 or refreshing
        the token on a first 401), a ``Failure`` for a 5xx; any other refusal raises."""
        if exc.status == 429:
            delay = rate_limit_delay(
                exc, what=call.what, policy=self.policy, waits_so_far=call.waits
            )
            call.waits += 1
            log.info("429 on %s: waiting %.1f s (Retry-After)", call.what, delay)
            if self.limiter is None:
                self._sleep(delay)
            else:
                self.limiter.pause(delay)  # every thread waits, not just this one
            return None
        if exc.status == 401 and self._refresh is not None and not call.refreshed:
            call.refreshed = True
            log.info("401 on %s: refreshing the access token once", call.what)
            self._refresh()
            return None
        if exc.status < 500:
            granted = self._granted_scopes() if exc.status == 403 and self._granted_scopes else None
            raise refusal_error(
                call.what,
                exc,
                needed_scopes=call.needed_scopes,
                granted_scopes=granted,
                extra_causes=call.forbidden_causes,
                refreshed=call.refreshed,
            ) from None
        return Failure.from_answer(exc)

    def _back_off(self, failure: Failure, call: _Call[T]) -> None:
        """Sleep before the next retry, or raise when the retries are used up."""
        pause = retry_delay(self.policy, failure, call.retries, self.backoff)
        if pause is None:
            raise self._give_up(failure, call)
        call.retries += 1
        log.info("%s: %s; retry %d in %.2f s", call.what, failure.problem, call.retries, pause)
        self._sleep(pause)

    def _read_back(self, failure: Failure, call: _Call[T]) -> Verdict[T]:
        """The request may not simply be sent again. A ``verify`` write is read back: returns
        the verdict when it was applied or certainly not applied; anything else raises."""
        if call.retry != "verify" or call.verify is None:
            raise self._give_up(failure, call, ambiguous=True)
        what = call.what
        try:
            verdict = call.verify()
        except (AuthError, ForbiddenError):
            raise
        except SpotifyError as exc:
            raise AmbiguousWriteError(
                f"{what} failed ({failure.problem}) and reading the playlist back failed too "
                f"({exc}); nothing was retried, so no track is duplicated: run the push "
                "again to finish",
                status=failure.status,
            ) from None
        if verdict.outcome is Outcome.APPLIED:
            log.info("%s: %s, but the read-back shows it applied", what, failure.problem)
        elif verdict.outcome is Outcome.UNCLEAR:
            raise AmbiguousWriteError(
                f"{what} failed ({failure.problem}) and reading the playlist back could not tell "
                f"whether it was applied ({verdict.detail}); nothing was retried, so no "
                "track is duplicated: run the push again to finish",
                status=failure.status,
            )
        return verdict

    @staticmethod
    def _give_up(failure: Failure, call: _Call[T], *, ambiguous: bool = False) -> SpotifyError:
        """The error for a transient failure that is not retried: the caller's wording, else
        the Web API's (a write that may have been applied, or retries used up)."""
        if call.give_up is not None:
            return call.give_up(failure)
        if ambiguous:
            return AmbiguousWriteError(
                f"{call.what} failed ({failure.problem}) and Spotify may or may not have applied "
                "it; check on Spotify before running the command again",
                status=failure.status,
            )
        return status_error(
            failure.status,
            f"{call.what} failed after {call.retries + 1} attempts ({failure.problem}); "
            "Spotify or the network is having trouble, try again later",
        )


@dataclass
class _Call(Generic[T]):
    """One ``Executor.run``: its settings and its counters, shared by the steps."""

    what: str
    retry: RetryMode
    verify: Callable[[], Verdict[T]] | None
    needed_scopes: Collection[str]
    forbidden_causes: Collection[str]
    give_up: Callable[[Failure], SpotifyError] | None
    retries: int = 0
    waits: int = 0
    refreshed: bool = False
