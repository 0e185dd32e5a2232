"""`ostkit review` as beets users know it: links, search again, accept all above a score, the
queue as JSON, Ctrl-C keeping the answers given."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MakeSandbox
from ostkit.cli import cli
from ostkit.errors import InputError
from ostkit.models import Candidate, Credit, SpotifyArtist, Status, Track
from ostkit.sandbox import Sandbox
from ostkit.services.review import (
    Answer,
    ReviewItem,
    accept_above,
    acceptable,
    answer_review,
)
from ostkit.store.catalog import CatalogStore
from test_match_cli import _setup


@pytest.fixture
def sb(make_sandbox: MakeSandbox) -> Iterator[Sandbox]:
    with make_sandbox(load_default_corpus=False) as sandbox:
        yield sandbox


@pytest.fixture
def env(sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    uris = _setup(sb, tmp_path, monkeypatch)
    # An impossible threshold sends "Hello" to review with its candidates (the vocal first,
    # then its Inst.); the two others get there by hand, with no candidates.
    assert CliRunner().invoke(cli, ["match", "--min-score", "1.0"]).exit_code == 0
    with CatalogStore.open(_db(tmp_path)) as store, store.transaction():
        for t in store.tracks():
            if t.title != "Hello":
                store.set_match(t.id or 0, status=Status.REVIEW)
    return uris


def _db(tmp_path: Path) -> Path:
    return tmp_path / "home" / "catalog.db"


def _tracks(tmp_path: Path) -> dict[str, Track]:
    with CatalogStore.open(_db(tmp_path)) as store:
        return {t.title: t for t in store.tracks()}


def _review(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["review", *args], input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _id(uri: str) -> str:
    return uri.rsplit(":", 1)[1]


def test_review_shows_the_link_to_open(env: dict[str, str]) -> None:
    code, out, _ = _review(input="q\n")
    assert code == 0
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  1. "))
    assert lines[first + 1] == f"       https://open.spotify.com/track/{_id(env['vocal'])}"


def test_review_json_lists_the_queue_one_item_a_line(env: dict[str, str], tmp_path: Path) -> None:
    code, out, err = _review("--format", "json")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 5
    items = json.loads(out)
    assert [i["title"] for i in items] == ["Hello", "Goodbye", "Absent"]
    hello = items[0]
    assert hello["artist"] == "Singer" and hello["drama"] == "Drama A"
    top, second = hello["candidates"][:2]
    assert top["uri"] == env["vocal"] and second["uri"] == env["inst"]
    assert top["url"] == f"https://open.spotify.com/track/{_id(env['vocal'])}"
    assert top["score"] > second["score"] and top["reasons"]
    assert "version mismatch: candidate is inst" in second["reasons"]
    assert items[1]["candidates"][0]["uri"] == env["other"]  # kept from its not_found decision
    # Nothing was answered.
    assert {t.status for t in _tracks(tmp_path).values()} == {Status.REVIEW}


def test_search_again_with_a_typed_query_then_pick(
    sb: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    sb.clear_requests()
    # Skip Hello; for "Goodbye — Someone Else" search again, fail once on an empty query, pick.
    code, out, err = _review(input="s\ne\ne Goodbye Famous\n1\nq\n")
    assert code == 0
    assert "type what to search for after e" in err
    assert [r.query["q"] for r in sb.requests if r.path.endswith("/search")] == [["Goodbye Famous"]]
    assert "1. " in out and f"Goodbye — Famous [Hits] {env['other']}" in out
    goodbye = _tracks(tmp_path)["Goodbye"]
    assert goodbye.status is Status.PINNED and goodbye.spotify_uri == env["other"]
    assert "Reviewed 1, skipped 1." in err


def test_accept_above_at_the_prompt_asks_once_then_accepts(
    env: dict[str, str], tmp_path: Path
) -> None:
    code, _, err = _review(input="a 0.95\nn\n")  # declined
    assert code == 0 and "Nothing accepted." in err
    assert _tracks(tmp_path)["Hello"].status is Status.REVIEW
    code, _, err = _review(input="a 2\na 0.95\ny\n")
    assert "a takes a score in (0, 1], e.g. a 0.9; got '2'" in err
    assert "Hello — Singer [Drama A]\n    -> 0.9" in err and "Accept 1 candidate?" in err
    assert "\n       - title 'Hello'~'Hello' 1.00\n" in err  # the reasons, before the question
    assert err.index("- title 'Hello'") < err.index("Accept 1 candidate?")
    assert "Accepted 1 candidate." in err
    hello = _tracks(tmp_path)["Hello"]
    assert hello.status is Status.PINNED and hello.spotify_uri == env["vocal"]
    # The data Spotify gave fills what the catalog lacked; the typed duration stays.
    assert hello.album == "Drama A OST Part.1" and hello.duration_ms == 204_000


def test_accept_above_option(env: dict[str, str], tmp_path: Path) -> None:
    code, _, err = _review("--accept-above", "0.999", "--yes")
    assert code == 0 and "No remaining track has one candidate scoring 0.999 or more." in err
    code, _, err = _review("--accept-above", "0.95", "--yes")
    assert code == 0 and "Accepted 1 candidate." in err
    assert _tracks(tmp_path)["Hello"].spotify_uri == env["vocal"]
    assert _tracks(tmp_path)["Goodbye"].status is Status.REVIEW


def _cand(name: str) -> Candidate:
    return Candidate(id=name * 22, uri="spotify:track:" + name * 22, name=name, artists=())


def test_acceptable_takes_only_a_lone_candidate_above_the_score() -> None:
    t = Track(drama="D", title="T", credits=(Credit("A"),), id=1)
    one = ReviewItem(t, [(_cand("a"), 0.95, ()), (_cand("b"), 0.6, ())])
    two = ReviewItem(t, [(_cand("a"), 0.95, ()), (_cand("b"), 0.93, ())])
    unscored = ReviewItem(t, [(_cand("a"), None, ())])
    assert acceptable(one, 0.9) == _cand("a")
    assert acceptable(two, 0.9) is None  # two songs above the bar need a person
    assert acceptable(two, 0.94) == _cand("a")
    assert acceptable(unscored, 0.1) is None
    with pytest.raises(InputError, match="in \\(0, 1\\]"):
        accept_above(None, [one], 0)  # type: ignore[arg-type]
    assert answer_review(None, one, "A 0.8") == Answer("accept_above", score=0.8)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="got 'x'"):
        answer_review(None, one, "a x")  # type: ignore[arg-type]


def test_choose_in_review_learns_spotify_spelling_as_alias(
    env: dict[str, str], tmp_path: Path
) -> None:
    with CatalogStore.open(_db(tmp_path)) as store:
        tid = _tracks(tmp_path)["Goodbye"].id or 0
        cand = Candidate(
            id="g" * 22,
            uri="spotify:track:" + "g" * 22,
            name="Goodbye",
            artists=(SpotifyArtist("someoneid", "썸원엘스"),),
            duration_ms=190_000,
        )
        with store.transaction():
            store.save_candidates(tid, [(cand, 0.7, ())])
    code, _, _ = _review(input="s\n1\nq\n")
    assert code == 0
    with CatalogStore.open(_db(tmp_path)) as store:
        artist = store.find_artist("썸원엘스")
        assert artist is not None and artist.name == "Someone Else"  # the fan's spelling
        assert artist.spotify_id == "someoneid"
        assert store.get_track(tid).duration_ms == 190_000


def test_ctrl_c_in_review_exits_130_and_keeps_the_answers(
    sb: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ostkit", "review"],
        env=dict(os.environ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdin is not None
        proc.stdin.write("1\n")  # Hello: its first candidate
        proc.stdin.flush()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:
            if _tracks(tmp_path)["Hello"].status is Status.PINNED:
                break
            time.sleep(0.02)
        time.sleep(0.2)  # at the next prompt
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130
    assert "Reviewed 1, skipped 0." in err and "Interrupted: the answers given are saved." in err
    assert "Traceback" not in err
    after = _tracks(tmp_path)
    assert after["Hello"].status is Status.PINNED and after["Hello"].spotify_uri == env["vocal"]
    assert after["Goodbye"].status is Status.REVIEW


def test_search_again_without_login_says_so_and_asks_again(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OSTKIT_SPOTIFY_REFRESH_TOKEN")
    assert CliRunner().invoke(cli, ["auth", "logout"]).exit_code == 0
    code, _, err = _review(input="e Hello\nn\nq\n")
    assert code == 0
    (failed,) = [line for line in err.splitlines() if "search failed:" in line]
    assert "ostkit auth login" in failed and "Traceback" not in err
    assert _tracks(tmp_path)["Hello"].status is Status.NOT_FOUND  # the next answer still counts


def test_ctrl_c_at_the_accept_question_accepts_nothing_and_exits_130(
    env: dict[str, str], tmp_path: Path
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ostkit", "review", "--accept-above", "0.95"],
        env=dict(os.environ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(20, proc.kill)
    watchdog.start()
    try:
        assert proc.stderr is not None
        shown = ""
        while "[y/N]" not in shown and proc.poll() is None:
            shown += proc.stderr.read(1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "Accept 1 candidate?" in shown
    assert proc.returncode == 130 and "Interrupted" in err and "Traceback" not in err
    assert _tracks(tmp_path)["Hello"].status is Status.REVIEW


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--yes"], "--yes goes with --accept-above", id="yes-alone"),
        pytest.param(
            ["--accept-above", "0.9", "--format", "json"],
            "it does not go with --accept-above",
            id="json-and-accept",
        ),
    ],
)
def test_review_option_clashes_are_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["review", *args])
    assert result.exit_code == 2 and message in result.output
