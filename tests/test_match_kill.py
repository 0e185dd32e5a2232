"""A real `ostkit match` process stopped in the middle of a run (Ctrl-C, SIGTERM, SIGKILL), then
run again: the decisions made before the stop are kept and the next run searches only the rest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MakeSandbox
from ostkit.models import Credit, Status, Track
from ostkit.sandbox import Fault, Sandbox
from ostkit.services.match_plan import MatchOptions
from ostkit.services.matching import SAVE_EVERY, match_tracks
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.store.catalog import CatalogStore


def _catalog(sb: Sandbox, db: Path, total: int) -> dict[str, str]:
    """``total`` entries, each of its own drama and found by its first search; title -> URI."""
    uris: dict[str, str] = {}
    store = CatalogStore.open(db)
    with store.transaction():
        for i in range(total):
            title, artist = f"Song {i:03d}", f"Singer {i:03d}"
            album = {"name": f"Drama {i:03d} OST Part.1", "album_type": "single"}
            uris[title] = "spotify:track:" + sb.add_track(title, [artist], album)
            store.save_track(Track(drama=f"Drama {i:03d}", title=title, credits=(Credit(artist),)))
    store.close()
    return uris


def _start(sb: Sandbox, home: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "OSTKIT_HOME": str(home),
        "SPOTIPY_CLIENT_ID": sb.client_id,
        "OSTKIT_SPOTIFY_API_URL": sb.api_url,
        "OSTKIT_SPOTIFY_ACCOUNTS_URL": sb.accounts_url,
        "OSTKIT_SPOTIFY_REFRESH_TOKEN": sb.issue_refresh_token(),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ostkit", "match", "--jobs", "1", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop_at(
    sb: Sandbox, proc: subprocess.Popen[str], stall: Fault, sig: int
) -> tuple[int, str, str]:
    """Wait until the stalled search is being answered, send ``sig``; the exit status and
    output."""
    try:
        deadline = time.monotonic() + 30
        while stall.fired == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stall.fired == 1, "the run never reached the stalled search"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


def _rerun(sb: Sandbox, db: Path, uris: dict[str, str], decided: set[str]) -> None:
    """The next run searches exactly the undecided entries and matches them all."""
    sb.clear_faults()
    sb.clear_requests()
    store = CatalogStore.open(db)
    client = SpotifyClient(
        api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
    )
    report = match_tracks(store, client, MatchOptions(jobs=4))
    assert report.searched == len(uris) - len(decided)
    searched_titles = {
        r.query["q"][0].split('"')[1] for r in sb.requests if r.path.endswith("/search")
    }
    assert searched_titles.isdisjoint(decided)
    tracks = store.tracks()
    assert all(t.status is Status.MATCHED and t.spotify_uri == uris[t.title] for t in tracks)
    store.close()


def _decided(db: Path, uris: dict[str, str]) -> set[str]:
    """Titles with a saved decision; each one is the right one."""
    with CatalogStore.open(db) as store:
        done = [t for t in store.tracks() if t.status is not Status.UNMATCHED]
    assert all(t.status is Status.MATCHED and t.spotify_uri == uris[t.title] for t in done)
    return {t.title for t in done}


@pytest.mark.parametrize(
    ("sig", "total", "stall_at"),
    [
        pytest.param(signal.SIGINT, 160, 125, id="ctrl-c-at-125-of-160"),
        pytest.param(signal.SIGTERM, 60, 25, id="sigterm-json"),
    ],
)
def test_interrupted_run_keeps_its_decisions_and_the_next_run_continues(
    make_sandbox: MakeSandbox, tmp_path: Path, sig: int, total: int, stall_at: int
) -> None:
    with make_sandbox(load_default_corpus=False) as sb:
        home = tmp_path / "home"
        uris = _catalog(sb, home / "catalog.db", total)
        # One search per entry: the search of entry stall_at + 1 is held back while the signal
        # comes; that entry, already under way, is finished and kept too.
        stall = sb.inject(Fault("latency", path=r"/search$", after=stall_at, seconds=0.5))
        as_json = sig == signal.SIGTERM
        args = ("--format", "json") if as_json else ()
        code, out, err = _stop_at(sb, _start(sb, home, *args), stall, sig)
        assert code == 130
        decided = _decided(home / "catalog.db", uris)
        assert len(decided) == stall_at + 1
        left = total - stall_at - 1
        if as_json:
            summary = json.loads(out)["summary"]
            assert summary["interrupted"] is True and summary["error"] is None
            assert (summary["matched"], summary["unmatched"]) == (stall_at + 1, left)
        else:
            assert (
                f"matched {stall_at + 1}, review 0, not_found 0, pinned 0, unmatched {left};" in err
            )
        assert f"Interrupted: the decisions made so far are saved ({left} tracks left" in err
        assert "Traceback" not in err
        _rerun(sb, home / "catalog.db", uris, decided)


def test_killed_run_keeps_the_batches_saved_before_the_kill(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    with make_sandbox(load_default_corpus=False) as sb:
        home = tmp_path / "home"
        stall_at = 2 * SAVE_EVERY + 5
        uris = _catalog(sb, home / "catalog.db", stall_at + 10)
        stall = sb.inject(Fault("latency", path=r"/search$", after=stall_at, seconds=0.5))
        code, _, _ = _stop_at(sb, _start(sb, home), stall, signal.SIGKILL)
        assert code == -signal.SIGKILL
        decided = _decided(home / "catalog.db", uris)
        # SIGKILL gives no chance to save: what is kept is what the batches had saved.
        assert 2 * SAVE_EVERY <= len(decided) <= stall_at
        _rerun(sb, home / "catalog.db", uris, decided)
