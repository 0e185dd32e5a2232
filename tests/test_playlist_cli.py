"""`ostkit playlist show|push|list` through the CLI, against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MakeSandbox
from ostkit.cli import cli
from ostkit.models import Credit, Status, Track
from ostkit.sandbox import Sandbox
from ostkit.store.catalog import CatalogStore


@pytest.fixture
def env(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Sandbox, list[str]]]:
    with make_sandbox(load_default_corpus=False) as sb:
        uris = [f"spotify:track:{sb.add_track(f'Song {i}', ['Singer'])}" for i in range(3)]
        monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("SPOTIPY_CLIENT_ID", sb.client_id)
        monkeypatch.setenv("OSTKIT_SPOTIFY_API_URL", sb.api_url)
        monkeypatch.setenv("OSTKIT_SPOTIFY_ACCOUNTS_URL", sb.accounts_url)
        monkeypatch.setenv("OSTKIT_SPOTIFY_REFRESH_TOKEN", sb.issue_refresh_token())
        store = CatalogStore.open(tmp_path / "home" / "catalog.db")
        with store.transaction():
            for i, uri in enumerate(uris):
                store.save_track(
                    Track(
                        drama="Drama A",
                        title=f"Song {i}",
                        credits=(Credit("Singer"),),
                        part=1,
                        spotify_uri=uri,
                        status=Status.PINNED,
                    )
                )
            store.save_track(Track(drama="Drama A", title="Lost", credits=(Credit("Nobody"),)))
        store.close()
        (tmp_path / "mix.toml").write_text(
            '[playlist]\nname = "Mix"\ndescription = "Drama A"\ndramas = ["Drama A"]\n',
            encoding="utf-8",
        )
        monkeypatch.chdir(tmp_path)
        yield sb, uris


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_show_table_and_json(env: tuple[Sandbox, list[str]]) -> None:
    code, out, err = run("playlist", "show", "mix.toml")
    assert code == 0
    assert "Song 0" in out and "skipped: no Spotify match" in out
    assert "Warning: 1 track without a Spotify match will be skipped: #4 'Lost'" in err
    code, out, _ = run("playlist", "show", "mix.toml", "--format", "json")
    data = json.loads(out)
    assert data["name"] == "Mix" and data["uris"] == 3 and data["unmatched"] == 1
    assert [t["position"] for t in data["tracks"]] == [1, 2, 3, None]


def test_push_dry_run_push_list(env: tuple[Sandbox, list[str]]) -> None:
    sb, uris = env
    code, out, _ = run("playlist", "push", "mix.toml", "--dry-run")
    assert code == 0 and "would create playlist 'Mix'" in out and "dry run: nothing sent" in out
    assert sb.playlist_ids(owner=sb.user_id) == []
    code, out, err = run("playlist", "push", "mix.toml")
    assert code == 0, err
    (pid,) = sb.playlist_ids(owner=sb.user_id)
    assert sb.playlist_items(pid) == uris
    assert f"https://open.spotify.com/playlist/{pid}" in out
    code, out, _ = run("playlist", "push", "mix.toml")
    assert "up to date: nothing to write" in out and "0 writes, 1 request\n" in out
    code, out, _ = run("playlist", "list", "--format", "json")
    rows = json.loads(out)
    assert rows[0]["name"] == "Mix" and rows[0]["tracks"] == 3 and rows[0]["spotify_id"] == pid
    code, out, _ = run("playlist", "list")
    assert "Mix" in out and pid in out


def test_push_strict_and_adhoc(env: tuple[Sandbox, list[str]]) -> None:
    sb, uris = env
    code, _, err = run("playlist", "push", "mix.toml", "--strict")
    assert code == 1 and err.startswith("Error: --strict: 1 track(s) have no Spotify match")
    code, _out, err = run("playlist", "push", "--drama", "Drama A", "--name", "Adhoc", "--public")
    assert code == 0, err
    (pid,) = sb.playlist_ids(owner=sb.user_id)
    assert sb.playlist_items(pid) == uris


@pytest.mark.parametrize(
    "args",
    [
        ("playlist", "push"),
        ("playlist", "push", "mix.toml", "--name", "X"),
        ("playlist", "push", "--drama", "Drama A"),
    ],
)
def test_push_usage_errors(env: tuple[Sandbox, list[str]], args: tuple[str, ...]) -> None:
    assert run(*args)[0] == 2


def test_bad_file_is_one_line_error(env: tuple[Sandbox, list[str]], tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('[playlist]\nname = "X"\ndramas = ["Nope"]\n')
    code, _, err = run("playlist", "show", "bad.toml")
    assert code == 1
    assert err.strip().splitlines() == [
        "Error: bad.toml:3: drama 'Nope' is not in the catalog (import it: ostkit import FILE)"
    ]


def test_push_survives_token_expiry(env: tuple[Sandbox, list[str]]) -> None:
    from ostkit.sandbox import Fault

    sb, uris = env
    expiry = sb.inject(Fault("expire_token", after=2))
    code, _, err = run("playlist", "push", "mix.toml")
    assert code == 0, err
    assert expiry.fired == 1 and sb.count("POST", r"^/api/token$") == 2  # refreshed once
    (pid,) = sb.playlist_ids(owner=sb.user_id)
    assert sb.playlist_items(pid) == uris


def test_dry_run_prints_moves_and_details_and_sends_nothing(
    env: tuple[Sandbox, list[str]], tmp_path: Path
) -> None:
    sb, uris = env
    assert run("playlist", "push", "mix.toml")[0] == 0
    (pid,) = sb.playlist_ids(owner=sb.user_id)
    (tmp_path / "mix.toml").write_text(
        '[playlist]\nname = "Mix 2"\ndescription = "Reordered"\n'
        'tracks = [{ title = "Song 2" }, { title = "Song 0" }, { title = "Song 1" }]\n',
        encoding="utf-8",
    )
    snapshot = sb.playlist_snapshot(pid)
    sb.clear_requests()
    code, out, err = run("playlist", "push", "mix.toml", "--dry-run")
    assert code == 0, err
    assert out.splitlines() == [
        "  change description to 'Reordered'",
        "  change name to 'Mix 2'",
        "  replace all items with 3 tracks",
        "0 to add, 0 to remove, 1 to move, details: description, name; 2 write requests",
        "dry run: nothing sent (1 read request)",
    ]
    assert [r.method for r in sb.requests if r.path.startswith("/v1/")] == ["GET"]
    assert sb.playlist_snapshot(pid) == snapshot and sb.playlist_items(pid) == uris
    code, out, err = run("playlist", "push", "mix.toml")
    assert code == 0, err
    assert sb.playlist_items(pid) == [uris[2], uris[0], uris[1]]


def test_adhoc_push_follows_tracks_order_and_public(
    env: tuple[Sandbox, list[str]], tmp_path: Path
) -> None:
    sb, uris = env
    extra = [f"spotify:track:{sb.add_track(f'B {i}', ['Other'])}" for i in range(2)]
    store = CatalogStore.open(tmp_path / "home" / "catalog.db")
    with store.transaction():
        for i, uri in reversed(list(enumerate(extra))):  # part 2 saved before part 1
            store.save_track(
                Track(
                    drama="Drama B",
                    title=f"B {i}",
                    credits=(Credit("Other"),),
                    part=i + 1,
                    spotify_uri=uri,
                    status=Status.PINNED,
                )
            )
    store.close()
    listed: list[str] = []
    for drama in ("Drama B", "Drama A"):
        code, out, _ = run("tracks", "--drama", drama, "--format", "json")
        listed += [t["spotify_uri"] for t in json.loads(out) if t["spotify_uri"]]
    assert listed == [*extra, *uris]
    code, _, err = run(
        "playlist", "push", "--drama", "Drama B", "--drama", "Drama A", "--name", "Both", "--public"
    )
    assert code == 0, err
    (pid,) = sb.playlist_ids(owner=sb.user_id)
    assert sb.playlist_items(pid) == listed
    (create,) = [r for r in sb.requests if r.method == "POST" and r.path == "/v1/me/playlists"]
    assert create.body == {
        "name": "Both",
        "public": True,
        "collaborative": False,
        "description": "",
    }
    code, out, _ = run("playlist", "list", "--format", "json")
    (row,) = json.loads(out)
    assert row["name"] == "Both" and row["file"] is None and row["tracks"] == 5
    assert row["url"] == f"https://open.spotify.com/playlist/{pid}" and row["last_push"]


def test_push_stopped_by_quota_is_one_error_line(env: tuple[Sandbox, list[str]]) -> None:
    from ostkit.sandbox import Fault

    sb, uris = env
    sb.inject(Fault("quota", method="POST", path=r"/items$", count=None))
    code, _, err = run("playlist", "push", "mix.toml")
    assert code == 1 and "Traceback" not in err
    *warnings, last = err.strip().splitlines()
    assert [w[:8] for w in warnings] == ["Warning:"]
    assert last.startswith("Error: push stopped after 0 of 1 writes: Spotify quota exceeded")
    assert last.endswith("run ostkit playlist push mix.toml again to finish")
    sb.clear_faults()
    sb.reset_quota()
    assert run("playlist", "push", "mix.toml")[0] == 0
    (pid,) = sb.playlist_ids(owner=sb.user_id)
    assert sb.playlist_items(pid) == uris
