"""`ostkit match | review | pin | unpin` through the CLI, against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MakeSandbox
from ostkit.cli import cli
from ostkit.models import Credit, Status, Track
from ostkit.sandbox import Fault, Sandbox
from ostkit.store.catalog import CatalogStore


def _setup(sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    album = {"name": "Drama A OST Part.1", "album_type": "single", "release_date": "2022"}
    uris = {
        "vocal": "spotify:track:" + sb.add_track("Hello", ["Singer"], album),
        "inst": "spotify:track:" + sb.add_track("Hello (Inst.)", ["Singer"], album),
        "other": "spotify:track:" + sb.add_track("Goodbye", ["Famous"], "Hits"),
    }
    monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", sb.client_id)
    monkeypatch.setenv("OSTKIT_SPOTIFY_API_URL", sb.api_url)
    monkeypatch.setenv("OSTKIT_SPOTIFY_ACCOUNTS_URL", sb.accounts_url)
    monkeypatch.setenv("OSTKIT_SPOTIFY_REFRESH_TOKEN", sb.issue_refresh_token())
    store = CatalogStore.open(tmp_path / "home" / "catalog.db")
    with store.transaction():
        # 4 s longer than the sandbox's track: a very good score, just under 1.
        store.save_track(
            Track(drama="Drama A", title="Hello", credits=(Credit("Singer"),), duration_ms=204_000)
        )
        store.save_track(Track(drama="Drama A", title="Goodbye", credits=(Credit("Someone Else"),)))
        store.save_track(Track(drama="Drama A", title="Absent", credits=(Credit("Nobody"),)))
    store.close()
    return uris


@pytest.fixture
def env(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    with make_sandbox(load_default_corpus=False) as sb:
        yield _setup(sb, tmp_path, monkeypatch)


def test_quota_stop_prints_the_summary_then_one_error_line(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_sandbox(load_default_corpus=False) as sb:
        _setup(sb, tmp_path, monkeypatch)
        sb.inject(Fault("quota", path=r"^/v1/search", after=1, count=None))
        result = CliRunner().invoke(cli, ["match", "--jobs", "1"])
    assert result.exit_code == 1
    # Only the first search got through: one track searched, two left unmatched for the re-run.
    assert (
        "matched 1, review 0, not_found 0, pinned 0, unmatched 2; searched 1 track with"
        in result.stderr
    )
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "run `ostkit match` again to continue" in last
    assert "Traceback" not in result.output
    assert _tracks(tmp_path)["Absent"].status is Status.UNMATCHED


def _run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _tracks(tmp: Path) -> dict[str, Track]:
    with CatalogStore.open(tmp / "home" / "catalog.db") as store:
        return {t.title: t for t in store.tracks()}


def test_match_table_and_summary(env: dict[str, str], tmp_path: Path) -> None:
    code, out, err = _run("match", "--jobs", "2")
    assert code == 0
    assert "matched 1, review 0, not_found 2, pinned 0; searched 3 tracks with" in err
    assert env["vocal"] in out and "searched" not in out
    assert _tracks(tmp_path)["Hello"].spotify_uri == env["vocal"]
    code, out, err = _run("match")
    assert "searched 0 tracks with 0 requests" in err and out == ""


def test_match_json_and_explain(env: dict[str, str]) -> None:
    code, out, _ = _run("match", "--dry-run", "--explain", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["summary"]["dry_run"] is True and data["summary"]["interrupted"] is False
    assert data["summary"]["matched"] == 1 and data["summary"]["requests"] > 0
    hello = next(t for t in data["tracks"] if t["title"] == "Hello")
    assert hello["status"] == "matched" and hello["uri"] == env["vocal"]
    first, second = hello["candidates"][:2]
    assert first["uri"] == env["vocal"] and second["uri"] == env["inst"]
    assert set(first["components"]) >= {"title", "artist", "album", "version"}
    assert second["components"]["version"] < 1
    code, out, err = _run("match", "--dry-run", "--explain")
    assert "version mismatch: candidate is inst" in out
    assert "Dry run: would set matched 1" in err and "Dry run" not in out
    # Per track: header, queries sent, decision, then ranked candidates with each component.
    block = out.split("#1 Hello — Singer [Drama A]\n", 1)[1].split("\n#", 1)[0]
    lines = block.splitlines()
    assert lines[0].startswith("  queries: ")
    assert lines[1] == "  decision: matched (strong)"
    assert lines[2].startswith("  1. 0.9") and "strong" in lines[2] and "Hello — Singer" in lines[2]
    assert lines[3].strip().startswith("title=1.00 artist=1.00 album=1.00 duration=0.90")
    assert env["vocal"] in lines[3]
    assert "     - title 'Hello'~'Hello' 1.00" in lines
    assert any(line.startswith("  2. ") and "Hello (Inst.)" in line for line in lines)


def test_pin_unpin_and_bad_url(env: dict[str, str], tmp_path: Path) -> None:
    tid = str(_tracks(tmp_path)["Absent"].id)
    url = "https://open.spotify.com/track/" + env["other"].rsplit(":", 1)[1]
    code, out, _ = _run("pin", tid, url)
    assert code == 0 and f"-> {env['other']}" in out
    assert _tracks(tmp_path)["Absent"].status is Status.PINNED
    result = CliRunner().invoke(cli, ["pin", tid, "https://example.com/x"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    code, out, _ = _run("unpin", tid)
    assert code == 0 and "status unmatched" in out
    result = CliRunner().invoke(cli, ["unpin", tid])
    assert result.exit_code == 1 and "not pinned" in result.output
    result = CliRunner().invoke(cli, ["pin", "999", env["other"]])
    assert result.exit_code == 1 and "no track with id 999" in result.output


def test_review_choose_skip_not_found_and_paste(env: dict[str, str], tmp_path: Path) -> None:
    # An impossible threshold sends every plausible entry to review with its candidates.
    _run("match", "--min-score", "1.0")
    _run("match", "--rematch", "--min-score", "1.0")
    tracks = _tracks(tmp_path)
    assert tracks["Hello"].status is Status.REVIEW
    code, out, _ = _run("review", input="1\n")
    assert code == 0
    assert "Hello — Singer" in out and "1. " in out
    assert _tracks(tmp_path)["Hello"].spotify_uri == env["vocal"]
    assert _tracks(tmp_path)["Hello"].status is Status.PINNED
    code, out, err = _run("review")
    assert "Nothing to review." in err


def test_review_not_found_skip_paste_quit(env: dict[str, str], tmp_path: Path) -> None:
    with CatalogStore.open(tmp_path / "home" / "catalog.db") as store, store.transaction():
        for t in store.tracks():
            store.set_match(t.id or 0, status=Status.REVIEW)
    code, _, err = _run("review", input=f"s\nx\nbad-uri\n{env['other']}\nq\n")
    assert code == 0
    assert "not a Spotify track URI, URL or 22-character id: 'x'" in err
    after = _tracks(tmp_path)
    assert after["Hello"].status is Status.REVIEW  # skipped
    assert after["Goodbye"].status is Status.PINNED
    assert after["Goodbye"].spotify_uri == env["other"]
    assert after["Absent"].status is Status.REVIEW  # quit before it
    code, _, _ = _run("review", input="n\nn\n")
    assert code == 0
    assert _tracks(tmp_path)["Absent"].status is Status.NOT_FOUND


def test_review_shows_reasons_and_refuses_a_missing_number(
    env: dict[str, str], tmp_path: Path
) -> None:
    _run("match", "--min-score", "1.0")
    code, out, err = _run("review", input="7\n1\n")
    assert code == 0
    assert "[1/1] #1 Hello — Singer [Drama A]" in out
    assert "  1. 0.9" in out and env["vocal"] in out
    assert "       - title 'Hello'~'Hello' 1.00\n       - artist 'Singer'~'Singer' 1.00\n" in out
    assert "no candidate 7" in err
    assert f"-> pinned {env['vocal']}" in out
    assert "Reviewed 1, skipped 0." in err
    assert _tracks(tmp_path)["Hello"].status is Status.PINNED


def test_review_stops_with_an_error_at_end_of_input(env: dict[str, str], tmp_path: Path) -> None:
    with CatalogStore.open(tmp_path / "home" / "catalog.db") as store, store.transaction():
        for t in store.tracks():
            store.set_match(t.id or 0, status=Status.REVIEW)
    code, out, err = _run("review", input="n\n")  # one answer, then the input ends
    # like `rm`: an unanswered question is an error (exit 1), the answer given is kept
    assert code == 1 and "Aborted" not in out + err
    assert "Reviewed 1, skipped 0." in err
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("Error: the input ended before an answer: the review stopped here")
    )
    statuses = sorted(t.status.value for t in _tracks(tmp_path).values())
    assert statuses.count("not_found") == 1 and statuses.count("review") == len(statuses) - 1


@pytest.mark.parametrize(
    ("unset", "hint"),
    [
        ("OSTKIT_SPOTIFY_REFRESH_TOKEN", "not logged in to Spotify: run `ostkit auth login`"),
        ("SPOTIPY_CLIENT_ID", "SPOTIPY_CLIENT_ID is not set"),
    ],
    ids=["no-login", "no-client-id"],
)
def test_match_without_login_fails_at_once(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unset: str,
    hint: str,
) -> None:
    with make_sandbox(load_default_corpus=False) as sb:
        _setup(sb, tmp_path, monkeypatch)
        monkeypatch.delenv(unset)
        result = CliRunner().invoke(cli, ["match"])
        assert sb.requests == []
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
    assert hint in result.stderr
    assert "searched" not in result.output and "saved" not in result.output
    assert all(t.status is Status.UNMATCHED for t in _tracks(tmp_path).values())


def test_pin_checks_the_track_on_spotify(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = "spotify:track:" + "Z" * 22  # well-formed, but no such track
    with make_sandbox(load_default_corpus=False) as sb:
        uris = _setup(sb, tmp_path, monkeypatch)
        tid = str(_tracks(tmp_path)["Absent"].id)
        result = CliRunner().invoke(cli, ["pin", tid, missing])
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"Error: Spotify has no track {missing} (404): check the link, or store it "
            f"unchecked with `ostkit pin {tid} {missing} --offline`"
        )
        assert _tracks(tmp_path)["Absent"].status is Status.UNMATCHED
        assert sb.count("GET", "/v1/tracks/" + "Z" * 22) == 1
        # A track Spotify has is pinned after one look-up.
        code, out, err = _run("pin", tid, uris["other"])
        assert code == 0 and f"-> {uris['other']}" in out and err == ""
        assert sb.count("GET", "/v1/tracks/") == 2
        # ... and the looked-up track fills what the entry lacked
        pinned = _tracks(tmp_path)["Absent"]
        assert pinned.duration_ms and pinned.album and pinned.release_date
        # --offline stores it unchecked, sending nothing.
        sb.clear_requests()
        code, out, _ = _run("pin", tid, missing, "--offline")
        assert code == 0 and f"-> {missing}" in out
        assert sb.requests == []
    assert _tracks(tmp_path)["Absent"].spotify_uri == missing


def test_pin_without_a_login_stores_unchecked_and_says_so(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_sandbox(load_default_corpus=False) as sb:
        uris = _setup(sb, tmp_path, monkeypatch)
        monkeypatch.delenv("OSTKIT_SPOTIFY_REFRESH_TOKEN")
        tid = str(_tracks(tmp_path)["Absent"].id)
        code, out, err = _run("pin", tid, uris["other"])
        assert sb.requests == []
    assert code == 0 and f"-> {uris['other']}" in out
    assert err.startswith("Note: not checked with Spotify (no login)")
