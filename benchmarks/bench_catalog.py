"""Catalog speed: CSV import, `tracks --format json`, `artists`, `ostkit --help`.

Targets (issue 2): import 100,000 CSV rows < 10 s; `tracks --format json` and `artists` on that
catalog < 1 s; `ostkit --help` < 0.25 s. Each figure is the wall time of a real `ostkit` process
(the median of 3 runs for the short ones, 5 for --help), with compiled bytecode cached as in a
normal install (PYTHONDONTWRITEBYTECODE is dropped; the cache goes to a temporary folder). The
CPU time (user + system) of the process is shown too: on a busy machine wall time grows, CPU
time much less; the load average is printed with the figures.
``--smoke`` uses 5,000 rows.

    python benchmarks/bench_catalog.py [--smoke] [--rows N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_csv(path: Path, rows: int) -> None:
    """A realistic mix: 1,000 dramas, parts, Hangul, featuring credits, durations, some URIs."""
    lines = ["drama,part,title,title_ko,artist,artist_ko,duration,spotify_uri,year,network"]
    base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    for i in range(rows):
        drama = f"Drama {i // 100:04d}"
        artist = f"Singer {i % 3000}"
        if i % 10 == 0:
            artist += f" feat. Rapper {i % 97}"
        uri = ""
        if i % 4 == 0:
            n = i
            digits = []
            for _ in range(22):
                n, r = divmod(n, 62)
                digits.append(base62[r])
            uri = "spotify:track:" + "".join(digits)
        lines.append(
            f"{drama},{i % 100 // 10 + 1},Song {i},노래 {i},{artist},,"
            f"{3 + i % 2}:{i % 60:02d},{uri},{2000 + i // 100 % 25},tvN"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(*args: str) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one ``python -m ostkit ARGS`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "ostkit", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"ostkit {' '.join(args)} failed: {proc.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def median(runs: int, *args: str) -> tuple[float, float]:
    results = [run(*args) for _ in range(runs)]
    return statistics.median(w for w, _ in results), statistics.median(c for _, c in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="small run for CI (5,000 rows)")
    parser.add_argument("--rows", type=int, default=None)
    opts = parser.parse_args()
    rows = opts.rows or (5_000 if opts.smoke else 100_000)
    scale = rows / 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ENV["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        csv_path = folder / "osts.csv"
        make_csv(csv_path, rows)
        db = str(folder / "catalog.db")
        figures = [
            (f"import {rows:,} CSV rows", run("--db", db, "import", str(csv_path)), 10.0 * scale),
            (
                f"re-import {rows:,} rows (all unchanged)",
                run("--db", db, "import", str(csv_path)),
                None,
            ),
            ("tracks --format json", median(3, "--db", db, "tracks", "--format", "json"), 1.0),
            ("artists", median(3, "--db", db, "artists"), 1.0),
            ("artists --format json", median(3, "--db", db, "artists", "--format", "json"), 1.0),
            ("export (csv)", median(3, "--db", db, "export"), None),
            ("ostkit --help", median(5, "--help"), 0.25),
        ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"bench_catalog ({rows:,} rows{', smoke' if opts.smoke else ''}; "
        f"{os.cpu_count()} CPUs, load average {load:.1f}): wall (CPU) seconds"
    )
    for name, (wall, cpu), target in figures:
        verdict = ""
        if target is not None and rows >= 100_000:  # targets are for the full size
            verdict = f"  target < {target:g} s: {'ok' if wall < target else 'SLOW'}"
        print(f"  {name:<40} {wall:7.3f} s ({cpu:6.3f}){verdict}")


if __name__ == "__main__":
    main()
