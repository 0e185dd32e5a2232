"""`ostkit discover` against the sandbox: requests per drama, and wall time.

Figures printed:
- for a made-up drama of 20 releases (18 singles with Inst. twins, a special, the full album
  repeating the singles) among decoys (piano, karaoke, sped-up releases, a namesake drama, a
  same-name drama of another year): search pages, releases read, requests, wall time of the
  discovery and of the import;
- the same for the shipped sandbox dramas (Soundtrack #1, Moonlight Harbor, Lantern).

The request count is the budget the issue sets: a few search pages per name form plus one
request per release. ``--smoke`` runs each once (CI); the default repeats the timing 5 times.

Usage: python benchmarks/bench_discover.py [--smoke]
"""

from __future__ import annotations

import argparse
import time

from ostkit.sandbox import Sandbox
from ostkit.services.discover import discover, import_discovery
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.store.catalog import CatalogStore

DRAMA = "Bench Harbor"
SINGLES = 18


def load_twenty_releases(sb: Sandbox) -> None:
    """18 singles (vocal + Inst.), a special and the full album; plus six decoys."""
    for n in range(1, SINGLES + 1):
        album = {
            "name": f"{DRAMA} OST Part.{n}",
            "release_date": f"2024-{1 + n // 5:02d}-{1 + n:02d}",
            "album_type": "single",
        }
        sb.add_track(f"Song {n}", [f"Singer {n}"], album=album, duration_ms=200_000 + n)
        sb.add_track(f"Song {n} (Inst.)", [f"Singer {n}"], album=album, duration_ms=199_000 + n)
    sb.add_track(
        "Song 1 (Acoustic Ver.)",
        ["Singer 1"],
        album={"name": f"{DRAMA} OST Special", "release_date": "2024-06-01"},
    )
    full = {
        "name": f"{DRAMA} (Original Soundtrack)",
        "release_date": "2024-07-01",
        "album_type": "album",
        "artists": [{"name": "Various Artists"}],
    }
    for n in range(1, SINGLES + 1):
        sb.add_track(f"Song {n}", [f"Singer {n}"], album=full, duration_ms=200_000 + n)
    decoys = [
        (f"{DRAMA} (K-Drama OST Piano Collection)", "2024-08-01"),
        (f"{DRAMA} OST (Karaoke Version)", "2024-08-02"),
        (f"{DRAMA} OST Part.1 (Sped Up)", "2024-08-03"),
        (f"{DRAMA} Keeper OST Part.1", "2024-03-01"),
        (f"{DRAMA} Keeper OST Part.2", "2024-03-08"),
        (f"{DRAMA} (Original Soundtrack)", "2010-01-01"),
    ]
    for i, (name, date) in enumerate(decoys):
        sb.add_track(f"Decoy {i}", ["Decoy Artist"], album={"name": name, "release_date": date})


def measure(sb: Sandbox, drama: str, repeat: int) -> str:
    times: list[float] = []
    line = ""
    for _ in range(repeat):
        client = SpotifyClient(
            api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
        )
        store = CatalogStore.open(":memory:")
        started = time.perf_counter()
        found = discover(store, client, drama)
        found_s = time.perf_counter() - started
        started = time.perf_counter()
        counts = import_discovery(store, found)
        import_s = time.perf_counter() - started
        store.close()
        times.append(found_s)
        kept = len(found.kept)
        line = (
            f"{drama}: {kept} releases kept, {len(found.left_out)} left out; "
            f"{found.summary()}; {counts.added} entries; "
            f"discover {min(times) * 1000:.0f} ms, import {import_s * 1000:.0f} ms"
        )
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="one run of each (CI)")
    args = parser.parse_args()
    repeat = 1 if args.smoke else 5
    with Sandbox(load_default_corpus=False) as sb:
        load_twenty_releases(sb)
        line = measure(sb, DRAMA, repeat)
        print(line)
        assert "read 20 releases" in line, line
    with Sandbox() as sb:
        for drama in ("Soundtrack #1", "Moonlight Harbor", "Lantern"):
            print(measure(sb, drama, repeat))


if __name__ == "__main__":
    main()
