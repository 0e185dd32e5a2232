"""Request budget of `ostkit playlist push` against the sandbox, for N tracks.

For each N: the first push (creates the playlist), an unchanged re-push with and without the
snapshot shortcut, the same from another machine (no stored id: found by name), and a small
change (2 tracks excluded, 1 new track inserted at the top).
Request counts come from the sandbox's request log; the budget from issue 5 is checked:

- first push <= 2 + ceil(N/100) requests beyond the user lookup (GET /me);
- unchanged re-push <= 1 + ceil(N/50) reads and no write; 1 read when the snapshot is unchanged.

Usage: python benchmarks/bench_playlists.py [--smoke] [--sizes 50,1000,5000]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import replace

from ostkit.models import Credit, Status, Track
from ostkit.playlists.definition import adhoc_definition, parse_playlist_text
from ostkit.sandbox import Sandbox
from ostkit.services.push import push_playlist
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.store.catalog import CatalogStore


def counts(sb: Sandbox) -> tuple[int, int, int]:
    """(total, reads, writes) of the API requests logged since the last clear."""
    api = [r for r in sb.requests if r.path.startswith("/v1/")]
    reads = sum(1 for r in api if r.method == "GET")
    return len(api), reads, len(api) - reads


def run(n: int) -> dict[str, object]:
    with Sandbox(load_default_corpus=False) as sb:
        uris = [f"spotify:track:{sb.add_track(f'Song {i}', ['Singer'])}" for i in range(n + 1)]
        extra = uris.pop()
        store = CatalogStore.open(":memory:")
        with store.transaction():
            for i, uri in enumerate(uris):
                store.save_track(
                    Track(
                        drama="Bench",
                        title=f"Song {i:05d}",
                        credits=(Credit("Singer"),),
                        spotify_uri=uri,
                        status=Status.PINNED,
                    )
                )
        client = SpotifyClient(
            api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
        )
        definition = adhoc_definition(["Bench"], "Bench")
        row: dict[str, object] = {"N": n}

        sb.clear_requests()
        started = time.perf_counter()
        push_playlist(store, client, definition)
        row["first_s"] = round(time.perf_counter() - started, 2)
        total, reads, writes = counts(sb)
        user_lookup = sb.count("GET", r"^/v1/me$")
        row["first"] = total
        row["first_beyond_me"] = total - user_lookup
        row["first_budget"] = 2 + math.ceil(n / 100)
        (pid,) = sb.playlist_ids()
        assert sb.playlist_items(pid) == uris

        sb.clear_requests()
        push_playlist(store, client, definition)
        total, reads, writes = counts(sb)
        row["same_snapshot"] = total
        assert writes == 0 and total == 1

        record = store.find_managed_playlist(name="Bench")
        assert record is not None
        with store.transaction():
            store.save_managed_playlist(replace(record, snapshot_id=None))
        sb.clear_requests()
        push_playlist(store, client, definition)
        total, reads, writes = counts(sb)
        row["no_shortcut_reads"] = reads
        row["no_shortcut_budget"] = 1 + math.ceil(n / 50)
        assert writes == 0

        # Another machine (a fresh catalog: no stored id) pushes the same unchanged list: it
        # finds the playlist by name, reads its items and writes nothing.
        other = CatalogStore.open(":memory:")
        with other.transaction():
            for track in store.tracks():
                other.save_track(replace(track, id=None))
        sb.clear_requests()
        push_playlist(other, client, definition)
        total, reads, writes = counts(sb)
        row["other_machine"] = total
        assert writes == 0 and sb.playlist_ids() == [pid]
        other.close()

        with store.transaction():
            store.save_track(
                Track(
                    drama="Bench",
                    title="Extra",
                    credits=(Credit("Singer"),),
                    spotify_uri=extra,
                    status=Status.PINNED,
                )
            )
        middle = f"Song {n // 2:05d}"
        text = (
            '[playlist]\nname = "Bench"\ndramas = ["Bench"]\norder = "title"\n'
            f'exclude = [{{ title = "Song 00001" }}, {{ title = "{middle}" }}]\n'
            f'tracks = [{{ title = "Extra" }}]\n'
        )
        changed = parse_playlist_text(text)
        sb.clear_requests()
        result = push_playlist(store, client, changed)
        total, reads, writes = counts(sb)
        row["small_change"] = f"{reads}r+{writes}w"
        row["small_plan"] = result.plan.summary().split(";")[0]
        assert len(sb.playlist_items(pid)) == n - 1
        store.close()
        return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes (N = 50, 300)")
    parser.add_argument("--sizes", default=None, help="comma-separated N values")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    else:
        sizes = [50, 300] if args.smoke else [50, 1000, 5000]
    from tabulate import tabulate

    rows = [run(n) for n in sizes]
    print(tabulate(rows, headers="keys", tablefmt="github"))
    failed = [
        r["N"]
        for r in rows
        if int(str(r["first_beyond_me"])) > int(str(r["first_budget"]))
        or int(str(r["no_shortcut_reads"])) > int(str(r["no_shortcut_budget"]))
    ]
    if failed:
        print(f"over budget for N = {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
