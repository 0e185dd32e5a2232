"""Catalog speed: CSV import, `tracks --format json`, `artists`, `ostkit --help`.

Targets (issue 2): import 100,000 CSV rows < 10 s; `tracks --format json` and `artists` on that
catalog < 1 s; `ostkit --help` < 0.25 s. Each figure is the wall time of a real `ostkit` process
(the median of 3 runs for the short ones, 5 for --help), with compiled bytecode cached as in a
normal install (PYTHONDONTWRITEBYTECODE is dropped; the cache goes to a temporary folder). The
CPU time (user + system) of the process is shown too: on a busy machine wall time grows, CPU
time much less; the load average is printed with the figures.
``--smoke`` uses 5,000 rows.

``--rss`` (by hand, not in CI) runs every command once in its own process and reports its wall
time and peak resident memory (``ru_maxrss`` of that one child, from ``os.wait4``), against the
memory targets of a big catalog; ``--rows 1000000 --rss`` is the 1M-row run. The CSV export is
compared with the sqlite3 shell and with a plain ``csv.writer`` over a cursor on the same file.

    python benchmarks/bench_catalog.py [--smoke] [--rows N] [--rss]
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
    """A realistic mix: 1,000 dramas, parts, Hangul, featuring credits, durations, some URIs.

    Written line by line: the benchmark process stays small, and a child's peak RSS starts from
    its parent's (Linux keeps ``ru_maxrss`` across fork and exec).
    """
    base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("drama,part,title,title_ko,artist,artist_ko,duration,spotify_uri,year,network\n")
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
            fh.write(
                f"{drama},{i % 100 // 10 + 1},Song {i},노래 {i},{artist},,"
                f"{3 + i % 2}:{i % 60:02d},{uri},{2000 + i // 100 % 25},tvN\n"
            )


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


def measure(argv: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one process, from its own rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {err}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024  # Linux: KiB


def ostkit_rss(*args: str) -> tuple[float, float, float]:
    return measure([sys.executable, "-m", "ostkit", *args])


PLAIN_CSV = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], "w", newline="", encoding="utf-8") as fh:
    writer = csv.writer(fh)
    cur = conn.execute("SELECT * FROM tracks")
    writer.writerow([d[0] for d in cur.description])
    writer.writerows(cur)
"""


def rss_figures(
    folder: Path, csv_path: Path, rows: int
) -> list[tuple[str, float, float, float, str]]:
    """(command, wall s, CPU s, peak MiB, target) for each command, each in its own process."""
    db = str(folder / "rss.db")
    out = str(folder / "out")
    big = rows >= 1_000_000
    import_mib = 200 if big else 120
    listing_mib = 100 if big else 80
    one = "Drama 0007"
    forty = [a for i in range(40) for a in ("--drama", f"Drama {i * 7:04d}")]
    playlist = folder / "one-drama.toml"
    playlist.write_text(f'[playlist]\nname = "one"\ndramas = ["{one}"]\n', encoding="utf-8")
    figures: list[tuple[str, float, float, float, str]] = []

    def add(name: str, result: tuple[float, float, float], target: str = "") -> None:
        figures.append((name, *result, target))
        wall, cpu, mib = result
        print(f"  {name:<40} {wall:8.2f} s ({cpu:7.2f}) {mib:8.1f} MiB  {target}", flush=True)

    add(
        f"import {rows:,} rows",
        ostkit_rss("--db", db, "import", str(csv_path)),
        f"<= {import_mib} MiB",
    )
    for name, args in (
        ("tracks", ()),
        ("tracks --format json", ("--format", "json")),
        ("tracks --format csv", ("--format", "csv")),
    ):
        add(name, ostkit_rss("--db", db, "tracks", *args), f"<= {listing_mib} MiB")
    add("artists", ostkit_rss("--db", db, "artists"), f"<= {listing_mib} MiB")
    add(
        "artists --format json",
        ostkit_rss("--db", db, "artists", "--format", "json"),
        f"<= {listing_mib} MiB",
    )
    for fmt in ("csv", "exportify", "json", "m3u", "xspf"):
        add(
            f"export --format {fmt} -o",
            ostkit_rss("--db", db, "export", "--format", fmt, "-o", out),
            f"<= {listing_mib} MiB",
        )
    full = figures[-5][1]
    add(
        "export 40 dramas (csv)",
        ostkit_rss("--db", db, "export", *forty, "-o", out),
        f"<= {full / 2:.2f} s",
    )
    drama_time = ostkit_rss("--db", db, "tracks", "--drama", one)
    add(f"tracks --drama {one!r}", drama_time)
    add(
        "playlist show (one drama)",
        ostkit_rss("--db", db, "playlist", "show", str(playlist)),
        f"<= {3 * drama_time[0]:.2f} s",
    )
    add(
        "sqlite3 -csv (tracks table)",
        measure(["sqlite3", "-csv", "-header", db, "SELECT * FROM tracks"]),
    )
    add("python csv.writer over a cursor", measure([sys.executable, "-c", PLAIN_CSV, db, out]))
    return figures


def median(runs: int, *args: str) -> tuple[float, float]:
    results = [run(*args) for _ in range(runs)]
    return statistics.median(w for w, _ in results), statistics.median(c for _, c in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="small run for CI (5,000 rows)")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument(
        "--rss", action="store_true", help="time and peak memory per command, one process each"
    )
    opts = parser.parse_args()
    rows = opts.rows or (5_000 if opts.smoke else 100_000)
    if opts.rss:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            ENV["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
            csv_path = folder / "osts.csv"
            make_csv(csv_path, rows)
            load = os.getloadavg()[0]
            print(
                f"bench_catalog --rss ({rows:,} rows; {os.cpu_count()} CPUs, load average "
                f"{load:.1f}): wall (CPU) seconds, peak RSS"
            )
            rss_figures(folder, csv_path, rows)
        return
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
