"""`ostkit sandbox serve`: a real subprocess on port 0, its printed environment, Ctrl-C.

The sandbox runs in another process here, so ``make_sandbox``'s check cannot sit inside it:
each Web API answer is checked against Spotify's OpenAPI definition as it is received instead.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import requests
from click.testing import CliRunner

import openapi
from ostkit.cli import cli

KEYS = (
    "SPOTIPY_CLIENT_ID",
    "SPOTIPY_REDIRECT_URI",
    "OSTKIT_SPOTIFY_API_URL",
    "OSTKIT_SPOTIFY_ACCOUNTS_URL",
    "OSTKIT_SPOTIFY_REFRESH_TOKEN",
)


def _serve(
    *args: str, sigint_ignored: bool = False
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    def ignore_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell does for `cmd &`

    proc = subprocess.Popen(
        [sys.executable, "-m", "ostkit", "sandbox", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=ignore_sigint if sigint_ignored else None,
    )
    assert proc.stdout is not None
    env: dict[str, str] = {}
    for _ in KEYS:
        line = proc.stdout.readline().strip()
        assert line.startswith("export "), line
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    return proc, env


def _checked(answer: requests.Response) -> requests.Response:
    openapi.validate_response(answer)
    return answer


def _stop(proc: subprocess.Popen[str], signum: int = signal.SIGINT) -> tuple[int, str]:
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=10)
    return proc.returncode, err


def test_serve_prints_environment_that_works() -> None:
    proc, env = _serve()
    try:
        assert tuple(env) == KEYS
        assert env["SPOTIPY_REDIRECT_URI"] == "http://127.0.0.1:8888/callback"
        assert env["OSTKIT_SPOTIFY_API_URL"] == env["OSTKIT_SPOTIFY_ACCOUNTS_URL"] + "/v1/"
        token = requests.post(
            env["OSTKIT_SPOTIFY_ACCOUNTS_URL"] + "/api/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": env["OSTKIT_SPOTIFY_REFRESH_TOKEN"],
                "client_id": env["SPOTIPY_CLIENT_ID"],
            },
            timeout=5,
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        me = _checked(
            requests.get(env["OSTKIT_SPOTIFY_API_URL"] + "me", headers=headers, timeout=5)
        )
        assert me.json()["id"] == "sandbox-user"
        found = _checked(
            requests.get(
                env["OSTKIT_SPOTIFY_API_URL"] + "search",
                params={"q": "artist:kyuhyun", "type": "track"},
                headers=headers,
                timeout=5,
            )
        ).json()
        assert found["tracks"]["total"] == 3
    finally:
        code, err = _stop(proc)
    assert code == 0
    assert "Sandbox Spotify on http://127.0.0.1:" in err and "Sandbox stopped." in err


def test_serve_with_custom_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "c.json"
    corpus.write_text(
        json.dumps({"tracks": [{"name": "Only Song", "artists": ["Solo"]}]}), encoding="utf-8"
    )
    proc, env = _serve("--corpus", str(corpus))
    try:
        token = requests.post(
            env["OSTKIT_SPOTIFY_ACCOUNTS_URL"] + "/api/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": env["OSTKIT_SPOTIFY_REFRESH_TOKEN"],
                "client_id": env["SPOTIPY_CLIENT_ID"],
            },
            timeout=5,
        ).json()["access_token"]
        found = _checked(
            requests.get(
                env["OSTKIT_SPOTIFY_API_URL"] + "search",
                params={"q": "song", "type": "track"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            )
        ).json()
        assert [t["name"] for t in found["tracks"]["items"]] == ["Only Song"]
    finally:
        code, err = _stop(proc, signal.SIGTERM)
    assert code == 0 and "(1 track," in err and "Sandbox stopped." in err


def test_serve_bad_corpus_is_one_line_error(tmp_path: Path) -> None:
    corpus = tmp_path / "bad.json"
    corpus.write_text('{"tracks": [{"name": "x"}]}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["sandbox", "serve", "--corpus", str(corpus)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and str(corpus) in result.output
    assert "needs at least one artist" in result.output


def test_serve_started_in_the_background_stops_on_sigint() -> None:
    """`ostkit sandbox serve &` inherits SIGINT ignored; `kill -INT` must still stop it."""
    proc, env = _serve(sigint_ignored=True)
    try:
        me = _checked(requests.get(env["OSTKIT_SPOTIFY_API_URL"] + "me", timeout=5))
        assert me.status_code == 401
    finally:
        code, err = _stop(proc)
    assert code == 0 and err.endswith("Sandbox stopped.\n")
