"""The Web API seam: one spotipy client run under the executor. Every ``SpotifyClient`` request
goes through ``WebApi.call``, which counts it and hands spotipy's error to the policy as an
``HttpStatusError``; ``pages`` follows ``next`` links on the configured server only.

spotipy is built with a plain ``requests.Session`` (no hidden urllib3 retries) carrying
``check_answer``, a (connect, read) timeout and a fixed ``Accept-Language``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import spotipy
from spotipy.exceptions import SpotifyException

from ostkit.spotify.executor import Executor, RetryMode, Verdict
from ostkit.spotify.policy import HttpStatusError, NetPolicy, RateLimiter, parse_retry_after
from ostkit.spotify.tokens import StaticToken, TokenSource
from ostkit.spotify.transport import checked_session, follow_url, upstream_message

if TYPE_CHECKING:
    import random

    import requests

log = logging.getLogger("ostkit.spotify")

T = TypeVar("T")


class WebApi:
    """spotipy, the executor and a request counter, shared by all threads using one client."""

    def __init__(
        self,
        api_url: str,
        auth: TokenSource,
        *,
        policy: NetPolicy,
        limiter: RateLimiter,
        language: str,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.spotipy = spotipy.Spotify(
            auth_manager=auth,
            requests_session=checked_session(session),
            requests_timeout=policy.timeout,
            language=language,
        )
        self.spotipy.prefix = self.api_url
        self.executor = Executor(
            policy,
            limiter,
            refresh=None if isinstance(auth, StaticToken) else auth.refresh,
            granted_scopes=lambda: auth.scopes,
            sleep=sleep,
            rng=rng,
        )
        self._count_lock = threading.Lock()
        self._requests = 0

    @property
    def request_count(self) -> int:
        """Requests sent (every attempt)."""
        with self._count_lock:
            return self._requests

    def call(
        self,
        what: str,
        fn: Callable[[spotipy.Spotify], T],
        *,
        retry: RetryMode = "safe",
        verify: Callable[[], Verdict[T]] | None = None,
        needed_scopes: Collection[str] = (),
        forbidden_causes: Collection[str] = (),
    ) -> T:
        """``fn(spotipy)`` under the network policy; ``what`` names the request in messages."""

        def op() -> T:
            with self._count_lock:
                self._requests += 1
            try:
                return fn(self.spotipy)
            except SpotifyException as exc:
                headers = exc.headers or {}
                raise HttpStatusError(
                    exc.http_status,
                    upstream_message(exc.msg),
                    reason=exc.reason,
                    retry_after=parse_retry_after(headers.get("Retry-After")),
                ) from None

        return self.executor.run(
            op,
            what=what,
            retry=retry,
            verify=verify,
            needed_scopes=needed_scopes,
            forbidden_causes=forbidden_causes,
        )

    def get(self, what: str, path: str, **params: Any) -> dict[str, Any]:
        """``GET path`` (relative to the API, or a full URL); a non-object answer reads as {}."""
        result = self.call(what, lambda sp: sp._get(path, **params))
        return result if isinstance(result, dict) else {}

    def pages(self, what: str, first: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Yield ``first`` and every following page.

        ``next`` is followed on the configured API (see ``follow_url``), whatever host it
        names; paging stops at a null ``next``, an empty page or a ``next`` seen before, so a
        ``total`` that changes meanwhile or a server that repeats itself cannot loop forever.
        """
        page: dict[str, Any] | None = first
        seen: set[str] = set()
        while page:
            yield page
            nxt = page.get("next")
            if not nxt or not page.get("items"):
                return
            url = follow_url(self.api_url, str(nxt))
            if url in seen:
                log.warning("%s: Spotify sent the same next page twice; stopped paging", what)
                return
            seen.add(url)
            page = self.get(what, url)
