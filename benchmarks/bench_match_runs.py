"""`ostkit match` runs that save as they go: what the batches cost and what an interruption keeps.

Figures printed (a catalog file on disk, the sandbox over HTTP, 4 workers):
- entries per second for a run saving a batch every 25 searched entries (the default) against a
  run writing only once at the end (the batch size set past the entry count);
- a run interrupted half-way (KeyboardInterrupt from the progress callback, as Ctrl-C or
  SIGTERM gives it): decisions kept, time from the interrupt to the return, and the requests
  the next run sends (one search per entry left).

Usage: python benchmarks/bench_match_runs.py [--smoke]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import ostkit.services.matching as matching
from ostkit.models import Credit, Status, Track
from ostkit.sandbox import Sandbox
from ostkit.services.match_plan import MatchOptions
from ostkit.services.matching import match_tracks
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.store.catalog import CatalogStore


def catalog(sb: Sandbox, db: Path, n: int) -> None:
    store = CatalogStore.open(db)
    with store.transaction():
        for i in range(n):
            title, artist = f"Song {i:05d}", f"Singer {i:05d}"
            album = {"name": f"Drama {i:05d} OST Part.1", "album_type": "single"}
            sb.add_track(title, [artist], album, duration_ms=200_000)
            store.save_track(Track(drama=f"Drama {i:05d}", title=title, credits=(Credit(artist),)))
    store.close()


def client(sb: Sandbox) -> SpotifyClient:
    return SpotifyClient(
        api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
    )


def timed_run(n: int, save_every: int) -> float:
    """Entries per second of a whole run with batches of ``save_every``."""
    with Sandbox(load_default_corpus=False) as sb, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "catalog.db"
        catalog(sb, db, n)
        matching.SAVE_EVERY = save_every
        with CatalogStore.open(db) as store:
            started = time.perf_counter()
            report = match_tracks(store, client(sb), MatchOptions(jobs=4))
            wall = time.perf_counter() - started
        assert report.counts()["matched"] == n, report.counts()
        return n / wall


def interrupted_run(n: int) -> tuple[int, float, int]:
    """(decisions kept, seconds from the interrupt to the return, requests of the next run)."""
    with Sandbox(load_default_corpus=False) as sb, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "catalog.db"
        catalog(sb, db, n)
        matching.SAVE_EVERY = 25
        stopped_at = [0.0]

        def progress(done: int, total: int) -> None:
            if done == total // 2:
                stopped_at[0] = time.perf_counter()
                raise KeyboardInterrupt

        with CatalogStore.open(db) as store:
            report = match_tracks(store, client(sb), MatchOptions(jobs=4), progress=progress)
            returned = time.perf_counter()
            assert report.interrupted
            kept = sum(t.status is Status.MATCHED for t in store.tracks())
            again = match_tracks(store, client(sb), MatchOptions(jobs=4))
        assert kept + again.searched == n
        return kept, returned - stopped_at[0], again.requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes (< 20 s)")
    args = parser.parse_args()
    n = 200 if args.smoke else 2000
    timed_run(50, 25)  # warm-up: the first run pays for imports and connections
    batched = timed_run(n, matching.SAVE_EVERY)
    once = timed_run(n, n + 1)
    print(
        f"match {n} entries: {batched:.0f} entries/s saving every 25, "
        f"{once:.0f} entries/s writing once at the end"
    )
    kept, latency, next_requests = interrupted_run(n)
    print(
        f"interrupted at {n // 2} of {n}: {kept} decisions kept, returned "
        f"{latency * 1000:.0f} ms after the interrupt; the next run sent {next_requests} "
        f"requests for the {n - kept} entries left"
    )


if __name__ == "__main__":
    main()
