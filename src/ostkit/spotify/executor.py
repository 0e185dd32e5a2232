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
) -> SpotifyError:
    """The error for a refused request (a 4xx other than 429): the message says why, the status
    table picks the class."""
    status = exc.status
    if status == 401:
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
        retries = waits = 0
        refreshed = False
        while True:
            if self.limiter is not None:
                self.limiter.acquire()
            try:
                return op()
            except HttpStatusError as exc:
                if exc.status == 429:
                    delay = rate_limit_delay(exc, what=what, policy=self.policy, waits_so_far=waits)
                    waits += 1
                    self._wait_rate_limit(delay, what)
                    continue
                if exc.status == 401 and self._refresh is not None and not refreshed:
                    refreshed = True
                    log.info("401 on %s: refreshing the access token once", what)
                    self._refresh()
                    continue
                if exc.status < 500:
                    raise self._refusal(exc, what, needed_scopes, forbidden_causes) from None
                failure = Failure.from_answer(exc)
            except requests.RequestException as exc:
                failure = Failure.from_network(exc)
            if not may_resend(retry, failure):
                if verify is None or retry != "verify":
                    raise (give_up or self._ambiguous(what))(failure)
                verdict = self._read_back(verify, what, failure)
                if verdict.outcome is Outcome.APPLIED:
                    return verdict.value  # type: ignore[return-value]
            pause = retry_delay(self.policy, failure, retries, self.backoff)
            if pause is None:
                raise (give_up or self._exhausted(what, retries))(failure)
            retries += 1
            log.info("%s: %s; retry %d in %.2f s", what, failure.problem, retries, pause)
            self._sleep(pause)

    def _wait_rate_limit(self, delay: float, what: str) -> None:
        log.info("429 on %s: waiting %.1f s (Retry-After)", what, delay)
        if self.limiter is None:
            self._sleep(delay)
        else:
            self.limiter.pause(delay)  # every thread waits, not just this one

    def _refusal(
        self,
        exc: HttpStatusError,
        what: str,
        needed_scopes: Collection[str],
        forbidden_causes: Collection[str],
    ) -> SpotifyError:
        granted = self._granted_scopes() if exc.status == 403 and self._granted_scopes else None
        return refusal_error(
            what,
            exc,
            needed_scopes=needed_scopes,
            granted_scopes=granted,
            extra_causes=forbidden_causes,
        )

    def _read_back(
        self, verify: Callable[[], Verdict[T]], what: str, failure: Failure
    ) -> Verdict[T]:
        """Ask ``verify`` whether a failed write was applied; raise unless it says applied or
        certainly not applied."""
        try:
            verdict = verify()
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
    def _ambiguous(what: str) -> Callable[[Failure], SpotifyError]:
        def error(failure: Failure) -> SpotifyError:
            return AmbiguousWriteError(
                f"{what} failed ({failure.problem}) and Spotify may or may not have applied it; "
                "check on Spotify before running the command again",
                status=failure.status,
            )

        return error

    @staticmethod
    def _exhausted(what: str, retries: int) -> Callable[[Failure], SpotifyError]:
        def error(failure: Failure) -> SpotifyError:
            return status_error(
                failure.status,
                f"{what} failed after {retries + 1} attempts ({failure.problem}); "
                "Spotify or the network is having trouble, try again later",
            )

        return error
