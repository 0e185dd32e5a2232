"""Catalog speed: CSV import, `tracks --format json`, `artists`, `ostkit --help`.

Targets (issue 2): import 100,000 CSV rows < 10 s; `tracks --format json` and `artists` on that
catalog < 1 s; `ostkit --help` < 0.25 s. Each figure is the wall time of a real `ostkit` process
(the median of 3 runs for the short ones, 5 for --help), with compiled bytecode cached as in a
normal install (PYTHONDONTWRITEBYTECODE is dropped; the cache goes to a temporary folder).
``--smoke`` uses 5,000 rows.

    python benchmarks/bench_catalog.py [--smoke] [--rows N]
"""

from __future__ import annotations

import argparse
import os
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


def ostkit(db: Path, *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "ostkit", "--db", str(db), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"ostkit {' '.join(args)} failed: {proc.stderr}")
    return elapsed


def median(runs: int, fn: object, *args: str) -> float:
    return statistics.median(fn(*args) for _ in range(runs))  # type: ignore[operator]


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
        db = folder / "catalog.db"
        figures = []
        t_import = ostkit(db, "import", str(csv_path))
        figures.append((f"import {rows:,} CSV rows", t_import, 10.0 * scale))
        t_reimport = ostkit(db, "import", str(csv_path))
        figures.append((f"re-import {rows:,} rows (all unchanged)", t_reimport, None))
        figures.append(
            ("tracks --format json", median(3, ostkit, db, "tracks", "--format", "json"), 1.0)
        )
        figures.append(("artists", median(3, ostkit, db, "artists"), 1.0))
        figures.append(
            ("artists --format json", median(3, ostkit, db, "artists", "--format", "json"), 1.0)
        )
        figures.append(("export (csv)", median(3, ostkit, db, "export"), None))
        start_help = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "ostkit", "--help"],
                stdout=subprocess.DEVNULL,
                check=True,
                env=ENV,
            )
            start_help.append(time.perf_counter() - start)
        figures.append(("ostkit --help", statistics.median(start_help), 0.25))
    print(f"bench_catalog ({rows:,} rows{', smoke' if opts.smoke else ''})")
    for name, seconds, target in figures:
        verdict = ""
        if target is not None and rows >= 100_000:  # targets are for the full size
            verdict = f"  target < {target:g} s: {'ok' if seconds < target else 'SLOW'}"
        print(f"  {name:<40} {seconds:7.3f} s{verdict}")


if __name__ == "__main__":
    main()
