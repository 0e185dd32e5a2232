"""SpotifyClient against the sandbox: per-request overhead, the shared rate limiter under threads,
request counts of the write paths, and the cost of the duplicate-free read-back.

Figures printed:
- GET /me per second through the client (limiter off) against bare ``requests``: the cost of
  spotipy + the policy; and searches per second;
- wall time of S searches from 4 threads sharing the default limiter (10/s, burst 10): the
  limiter, not the thread count, sets the pace;
- requests to add N tracks (batches of 100) with and without ``expected_total``;
- requests spent when an add is applied but answered 502 (read-back instead of a duplicate);
- token requests for a run that starts from a refresh token and meets one expired token.

Usage: python benchmarks/bench_spotify.py [--smoke]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from ostkit.sandbox import Fault, Sandbox
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy, RateLimiter
from ostkit.spotify.token_cache import TokenCache
from ostkit.spotify.tokens import TokenManager


def client(sb: Sandbox, **kwargs: object) -> SpotifyClient:
    policy = kwargs.pop("policy", None) or NetPolicy.for_tests()
    return SpotifyClient(api_url=sb.api_url, auth=sb.issue_access_token(), policy=policy, **kwargs)  # type: ignore[arg-type]


def overhead(sb: Sandbox, n: int) -> tuple[float, float, float]:
    """(GET /me per s through the client, the same with bare requests, searches per s)."""
    import requests

    c = client(sb)
    started = time.perf_counter()
    for _ in range(n):
        c.current_user()
    through_client = n / (time.perf_counter() - started)
    session = requests.Session()
    headers = {"Authorization": f"Bearer {sb.issue_access_token()}"}
    started = time.perf_counter()
    for _ in range(n):
        session.get(f"{sb.api_url}me", headers=headers, timeout=5).raise_for_status()
    bare = n / (time.perf_counter() - started)
    started = time.perf_counter()
    for i in range(n):
        c.search_tracks(f"Song {i % 50}", limit=10)
    return through_client, bare, n / (time.perf_counter() - started)


def threaded(sb: Sandbox, total: int, threads: int = 4) -> tuple[float, int]:
    policy = NetPolicy()  # the default: 10 requests/s, burst 10
    limiter = RateLimiter(policy.rate_per_second, policy.burst)
    c = client(sb, policy=policy, limiter=limiter)
    per_thread = total // threads

    def work() -> None:
        for i in range(per_thread):
            c.search_tracks(f"Song {i}", limit=5)

    started = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started, c.request_count


def adds(sb: Sandbox, uris: list[str]) -> tuple[int, int]:
    c = client(sb)
    pid = sb.create_playlist("Bench")
    before = c.request_count
    c.add_items(pid, uris, expected_total=0)
    with_total = c.request_count - before
    pid2 = sb.create_playlist("Bench 2")
    before = c.request_count
    c.add_items(pid2, uris)
    return with_total, c.request_count - before


def ambiguous(sb: Sandbox, uris: list[str]) -> tuple[int, bool]:
    c = client(sb)
    pid = sb.create_playlist("Ambiguous")
    sb.inject(Fault("applied_then_error", method="POST", path="/items"))
    before = c.request_count
    c.add_items(pid, uris[:100], expected_total=0)
    return c.request_count - before, sb.playlist_items(pid) == uris[:100]


def tokens(sb: Sandbox) -> tuple[int, int]:
    with tempfile.TemporaryDirectory() as home:
        manager = TokenManager(
            client_id=sb.client_id,
            accounts_url=sb.accounts_url,
            cache=TokenCache(Path(home) / "token.json"),
            refresh_token=sb.issue_refresh_token(),
            policy=NetPolicy.for_tests(),
        )
        c = SpotifyClient(api_url=sb.api_url, auth=manager, policy=NetPolicy.for_tests())
        sb.inject(Fault("expire_token", path="/v1/search", after=5))
        for i in range(20):
            c.search_tracks(f"Song {i}", limit=3)
        return manager.token_requests, c.request_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes (< 20 s)")
    args = parser.parse_args()
    searches, limited, tracks = (100, 24, 250) if args.smoke else (300, 60, 1000)
    with Sandbox(load_default_corpus=False) as sb:
        uris = [f"spotify:track:{sb.add_track(f'Song {i}', ['Singer'])}" for i in range(tracks)]
        me, bare, found = overhead(sb, searches)
        print(
            f"client overhead: GET /me {me:.0f}/s through SpotifyClient vs {bare:.0f}/s with bare "
            f"requests; search {found:.0f}/s (sandbox search over {tracks} tracks)"
        )
        wall, sent = threaded(sb, limited)
        print(
            f"shared limiter: {sent} searches from 4 threads in {wall:.2f} s "
            f"({sent / wall:.1f}/s; default 10/s, burst 10)"
        )
        with_total, without = adds(sb, uris)
        print(
            f"add {tracks} tracks: {with_total} requests with expected_total, "
            f"{without} without (one GET to learn the total)"
        )
        spent, once = ambiguous(sb, uris)
        print(
            f"add 100 applied-then-502: {spent} requests (POST + read-back), "
            f"each track once: {once}"
        )
        token_requests, api_requests = tokens(sb)
        print(
            f"refresh-token start + 1 expired token: {token_requests} token requests "
            f"for {api_requests} API requests"
        )


if __name__ == "__main__":
    main()
