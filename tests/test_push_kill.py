"""A real `ostkit playlist push` process killed in the middle of a batch, then pushed again."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import MakeSandbox
from ostkit.models import Credit, Status, Track
from ostkit.playlists.definition import load_playlist_file
from ostkit.sandbox import Fault
from ostkit.services.push import push_playlist
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.store.catalog import CatalogStore


def test_killed_push_process_converges_without_duplicates(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    with make_sandbox(load_default_corpus=False) as sb:
        uris = [f"spotify:track:{sb.add_track(f'Song {i}', ['Singer'])}" for i in range(230)]
        home = tmp_path / "home"
        db = home / "catalog.db"
        store = CatalogStore.open(db)
        with store.transaction():
            for i, uri in enumerate(uris):
                store.save_track(
                    Track(
                        drama="Drama A",
                        title=f"Song {i:03d}",
                        credits=(Credit("Singer"),),
                        spotify_uri=uri,
                        status=Status.PINNED,
                    )
                )
        store.close()
        playlist = tmp_path / "mix.toml"
        playlist.write_text('[playlist]\nname = "Mix"\ndramas = ["Drama A"]\n', encoding="utf-8")
        # The second batch is applied at once, then its answer is held back for 2 s: the
        # process is killed while it waits, as if the machine went down mid-request. (The
        # sandbox waits for that sleeping answer when it stops: keep it short.)
        stall = sb.inject(Fault("latency", method="POST", path=r"/items$", after=1, seconds=2))
        env = {
            **os.environ,
            "OSTKIT_HOME": str(home),
            "SPOTIPY_CLIENT_ID": sb.client_id,
            "OSTKIT_SPOTIFY_API_URL": sb.api_url,
            "OSTKIT_SPOTIFY_ACCOUNTS_URL": sb.accounts_url,
            "OSTKIT_SPOTIFY_REFRESH_TOKEN": sb.issue_refresh_token(),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "ostkit", "playlist", "push", str(playlist)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while stall.fired == 0 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert stall.fired == 1, "the push never reached its second batch"
        finally:
            proc.kill()
            proc.wait()
        (pid,) = sb.playlist_ids(owner=sb.user_id)
        assert sb.playlist_items(pid) == uris[:200]
        sb.clear_faults()

        store = CatalogStore.open(db)
        client = SpotifyClient(
            api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
        )
        result = push_playlist(store, client, load_playlist_file(playlist))
        assert not result.created and sb.playlist_ids(owner=sb.user_id) == [pid]
        assert sb.playlist_items(pid) == uris
        assert [op.kind for op in result.plan.ops] == ["add"]  # only the missing tail
        store.close()
