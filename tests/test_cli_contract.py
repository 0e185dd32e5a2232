"""What scripts rely on: stdout carries only data, exit statuses, JSON layouts, one display name
per artist, a broken config.toml, ``--db`` in a missing folder, no raw control characters on the
terminal, ``stats``, ``-V`` and shell completion."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import MakeSandbox
from ostkit.cli import cli
from ostkit.models import Candidate, Credit, SpotifyAlbum, SpotifyArtist, Status, Track
from ostkit.sandbox import Sandbox
from ostkit.store.catalog import CatalogStore

# ESC (a colour, then OSC "set the window title" ended by BEL) and a C1 CSI: what a hostile name
# would carry.
HOSTILE = "\x1b[31mRed\x1b]0;owned\x07 \x9b2J"
RAW = ("\x1b", "\x07", "\x9b")


def run(*args: str, input: Any = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def ok(*args: str, input: Any = None) -> Result:
    result = run(*args, input=input)
    assert result.exit_code == 0, result.output
    return result


def no_raw_controls(text: str) -> bool:
    return not any(c in text for c in RAW)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


def use_sandbox(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point ostkit at ``sb``, logged in."""
    for name, value in (
        ("SPOTIPY_CLIENT_ID", sb.client_id),
        ("OSTKIT_SPOTIFY_API_URL", sb.api_url),
        ("OSTKIT_SPOTIFY_ACCOUNTS_URL", sb.accounts_url),
        ("OSTKIT_SPOTIFY_REFRESH_TOKEN", sb.issue_refresh_token()),
    ):
        monkeypatch.setenv(name, value)


@pytest.fixture
def world(
    make_sandbox: MakeSandbox, home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Sandbox]:
    """A catalog of two dramas, a sandbox to match against, and one pushed playlist."""
    with make_sandbox(load_default_corpus=False) as sb:
        album = {"name": "Drama A OST Part.1", "album_type": "single", "release_date": "2022"}
        uri = "spotify:track:" + sb.add_track("Hello", ["Singer"], album)
        sb.add_track("Goodbye " + HOSTILE, ["Famous " + HOSTILE], "Hits " + HOSTILE)
        use_sandbox(sb, monkeypatch)
        store = CatalogStore.open(home / "catalog.db")
        with store.transaction():
            store.save_track(
                Track(
                    drama="Drama A",
                    part=1,
                    title="Hello",
                    credits=(Credit("Singer"),),
                    spotify_uri=uri,
                    status=Status.PINNED,
                )
            )
            store.save_track(Track(drama="Drama A", title="Goodbye", credits=(Credit("Famous"),)))
            store.save_track(
                Track(drama="Drama B", part=2, title="Rain", credits=(Credit("Singer"),))
            )
        store.close()
        Path("mix.toml").write_text(
            '[playlist]\nname = "Mix \\u001b]0;owned\\u0007"\ndramas = ["Drama A"]\n',
            encoding="utf-8",
        )
        ok("playlist", "push", "mix.toml")
        yield sb


def parses_as(fmt: str, out: str) -> None:
    """``out`` is exactly one document of ``fmt``, nothing before or after it."""
    if fmt == "json":
        json.loads(out)
        return
    assert out.endswith("\n") and out.strip(), out
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
    else:
        rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) >= 2 and {len(r) for r in rows} == {len(rows[0])}, out


FORMAT_COMMANDS = {
    "dramas": ("dramas",),
    "tracks": ("tracks",),
    "artists": ("artists",),
    "artists of a drama": ("artists", "Drama A"),
    "stats": ("stats",),
    "add": ("add", "--drama", "Drama A", "--title", "Hello", "--artist", "Singer"),
    "match": ("match", "--dry-run", "--rematch"),
    "auth status": ("auth", "status"),
    "playlist show": ("playlist", "show", "mix.toml"),
    "playlist list": ("playlist", "list"),
}


@pytest.mark.parametrize("command", FORMAT_COMMANDS.values(), ids=FORMAT_COMMANDS.keys())
def test_with_a_data_format_stdout_carries_only_the_data(
    world: Sandbox, command: tuple[str, ...]
) -> None:
    for fmt in ("json", "csv", "tsv"):
        result = ok(*command, "--format", fmt)
        parses_as(fmt, result.stdout)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_stdout_carries_only_the_data(world: Sandbox, fmt: str) -> None:
    result = ok("export", "--format", fmt)
    parses_as(fmt, result.stdout)
    assert "skipped" not in result.stdout


def test_match_summary_and_dry_run_go_to_stderr(world: Sandbox) -> None:
    result = ok("match", "--dry-run", "--rematch", "--format", "csv")
    assert "Dry run: would set" in result.stderr and "Dry run" not in result.stdout
    assert result.stdout.splitlines()[0] == "id,drama,title,artist,status,score,uri"


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_explain_refuses_csv_and_tsv(world: Sandbox, fmt: str) -> None:
    world.clear_requests()
    result = run("match", "--explain", "--format", fmt)
    assert result.exit_code == 2 and result.stdout == ""
    assert "--explain prints text; for the candidates in a script use --format json" in (
        result.stderr
    )
    assert world.requests == []  # refused before any search


# --- exit statuses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "--drama", "D", "--title", "T", "--artist", "A", "--part", "abc"), "--part: "),
        (("add", "--drama", "D", "--title", "T", "--artist", "A", "--duration", "x"), "--duration"),
        (("rm",), "nothing to remove: give track ids"),
    ],
    ids=["add --part abc", "add --duration x", "rm without ids"],
)
def test_a_bad_value_ostkit_checks_is_a_usage_error(
    home: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: " + message) and result.stderr.count("\n") == 1
    assert result.stdout == ""


class CtrlC(io.BytesIO):
    """A terminal where the user presses Ctrl-C at the first prompt."""

    def read1(self, size: int | None = -1, /) -> bytes:
        if size == 0:  # click asks whether this is a binary stream
            return b""
        raise KeyboardInterrupt

    read = readline = read1


def test_ctrl_c_at_the_rm_prompt_exits_130_and_removes_nothing(world: Sandbox) -> None:
    result = run("rm", "1", input=CtrlC())
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1] == "Interrupted."
    assert "Traceback" not in result.output
    assert len(json.loads(ok("tracks", "--format", "json").stdout)) == 3


def test_ctrl_c_in_review_exits_130(world: Sandbox, home: Path) -> None:
    with CatalogStore.open(home / "catalog.db") as store, store.transaction():
        store.set_match(2, status=Status.REVIEW)
    result = run("review", input=CtrlC())
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-2:] == [
        "Reviewed 0, skipped 0.",
        "Interrupted: the answers given are saved.",
    ]


def test_end_of_input_is_the_same_error_in_rm_and_review(world: Sandbox, home: Path) -> None:
    with CatalogStore.open(home / "catalog.db") as store, store.transaction():
        store.set_match(2, status=Status.REVIEW)
    for args in (("rm", "2"), ("review",)):
        result = run(*args, input="")
        assert result.exit_code == 1, args
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("Error: ") and "the input ended before an answer" in last


# --- JSON kinds ----------------------------------------------------------------------------------


def test_playlist_list_json_is_a_listing_one_item_per_line(world: Sandbox) -> None:
    out = ok("playlist", "list", "--format", "json").stdout
    lines = out.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 3
    item = json.loads(lines[1])
    assert item["name"] == "Mix \x1b]0;owned\x07" and item["tracks"] == 1
    assert json.loads(out) == [item]


# --- one display name per artist ----------------------------------------------------------------


def test_an_artist_shows_with_the_first_spelling_everywhere(home: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text("drama,title,artist\nDrama A,Hello,Kyuhyun\n", encoding="utf-8")
    later = tmp_path / "later.csv"  # Spotify's spelling, as an album or Exportify import brings it
    later.write_text("drama,title,artist\nDrama A,Goodbye,KYUHYUN\n", encoding="utf-8")
    ok("import", str(first))
    ok("import", str(later))
    tracks = json.loads(ok("tracks", "--format", "json").stdout)
    assert [t["artist"] for t in tracks] == ["Kyuhyun", "Kyuhyun"]
    assert [t["credits"][0]["name"] for t in tracks] == ["Kyuhyun", "Kyuhyun"]
    assert "KYUHYUN" not in ok("tracks").stdout
    (group,) = json.loads(ok("artists", "--format", "json").stdout)
    assert [a["name"] for a in group["artists"]] == ["Kyuhyun"]
    assert "KYUHYUN" not in ok("export").stdout
    # the other spelling still finds the artist
    assert len(json.loads(ok("tracks", "--artist", "KYUHYUN", "--format", "json").stdout)) == 2


# --- config.toml and --db ------------------------------------------------------------------------


def test_a_broken_config_warns_commands_without_spotify_and_stops_the_others(
    world: Sandbox, home: Path
) -> None:
    config = home / "config.toml"
    config.write_text('SPOTIPY_CLIENT_ID = "x"\nOSTKIT_RATE_LIMIT = \n', encoding="utf-8")
    for args in (("tracks",), ("export",), ("stats", "--format", "json")):
        result = ok(*args)
        (warning,) = result.stderr.splitlines()
        assert warning.startswith(f"Warning: {config}: ") and "line 2" in warning
        assert "left out" in warning
    assert len(json.loads(ok("tracks", "--format", "json").stdout)) == 3
    world.clear_requests()
    spotify_commands = (
        ("match",),
        ("playlist", "push", "mix.toml"),
        ("auth", "status"),
        ("discover", "Soundtrack #1"),
        ("pin", "1", "spotify:track:4uLU6hMCjMI75M1A2tKUQC"),
    )
    for args in spotify_commands:
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith(f"Error: {config}: ") and "line 2" in result.stderr
        assert result.stderr.count("\n") == 1 and "Warning" not in result.stderr
    assert world.requests == []


def test_db_in_a_missing_folder_is_an_error(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = run("--db", str(missing / "c.db"), "tracks")
    assert result.exit_code == 1
    assert result.stderr == f"Error: --db {missing / 'c.db'}: folder {missing} does not exist\n"
    assert not missing.exists() and not home.exists()


# --- control characters --------------------------------------------------------------------------


def test_match_explain_shows_spotify_text_escaped(world: Sandbox) -> None:
    result = ok("match", "--dry-run", "--explain")
    assert "Goodbye \\x1b[31mRed\\x1b]0;owned\\x07 \\x9b2J" in result.stdout
    assert no_raw_controls(result.output)
    data = ok("match", "--dry-run", "--explain", "--format", "json").stdout
    assert no_raw_controls(data)
    names = [c["name"] for t in json.loads(data)["tracks"] for c in t.get("candidates", ())]
    assert "Goodbye " + HOSTILE in names  # the data itself is kept


def test_review_shows_spotify_text_escaped(world: Sandbox, home: Path) -> None:
    candidate = Candidate(
        id="x" * 22,
        uri="spotify:track:" + "x" * 22,
        name="Goodbye " + HOSTILE,
        artists=(SpotifyArtist(None, "Famous " + HOSTILE),),
        album=SpotifyAlbum(None, "Hits " + HOSTILE),
    )
    with CatalogStore.open(home / "catalog.db") as store, store.transaction():
        store.set_match(2, status=Status.REVIEW)
        store.save_candidates(2, [(candidate, 0.7, ["album " + repr("Hits " + HOSTILE)])])
    # a pasted answer with an escape sequence is refused, and quoted escaped
    result = ok("review", input="\x1b]0;owned\x07\nq\n")
    assert "1. 0.700 Goodbye \\x1b[31mRed" in result.stdout
    # (the test runner echoes the typed answer after the prompt, on stderr, as a terminal would)
    typed = result.stderr.replace("\x1b]0;owned\x07\n", "", 1)
    assert "\\x1b]0;owned\\x07" in typed and no_raw_controls(typed)
    assert no_raw_controls(result.stdout)


def test_playlist_list_shows_the_name_escaped(world: Sandbox) -> None:
    out = ok("playlist", "list").stdout
    assert "Mix \\x1b]0;owned\\x07" in out and no_raw_controls(out)
    assert no_raw_controls(ok("playlist", "list", "--format", "json").stdout)


def test_an_error_naming_a_file_shows_its_name_escaped(home: Path) -> None:
    result = run("import", "osts\x1b[2J\x9b.csv")
    assert result.exit_code == 1
    assert "osts\\x1b[2J\\x9b.csv" in result.stderr and no_raw_controls(result.output)


# --- stats, -V, completion -----------------------------------------------------------------------


def test_stats_counts_per_drama_and_in_total(world: Sandbox) -> None:
    data = json.loads(ok("stats", "--format", "json").stdout)
    a, b = data["dramas"]
    assert a == {
        "drama": "Drama A",
        "tracks": 2,
        "matched": 0,
        "pinned": 1,
        "review": 0,
        "not_found": 0,
        "unmatched": 1,
        "parts": 1,
        "artists": 2,
    }
    assert (b["drama"], b["tracks"], b["unmatched"], b["parts"], b["artists"]) == (
        "Drama B",
        1,
        1,
        1,
        1,
    )
    # "Singer" sang for both dramas: one artist in the total
    assert data["total"] == {**a, "drama": None, "tracks": 3, "unmatched": 2, "parts": 2}
    only_b = json.loads(ok("stats", "--drama", "drama b", "--format", "json").stdout)
    assert only_b["dramas"] == [b] and only_b["total"] == {**b, "drama": None}
    both = json.loads(
        ok("stats", "--drama", "Drama A", "--drama", "Drama B", "--format", "json").stdout
    )
    assert both == data
    table = ok("stats").stdout.splitlines()
    assert table[0].split() == [
        "drama",
        "tracks",
        "matched",
        "pinned",
        "review",
        "not_found",
        "unmatched",
        "parts",
        "artists",
    ]
    assert table[-1].split() == ["(total)", "3", "0", "1", "0", "0", "2", "2", "2"]
    missing = run("stats", "--drama", "Nope")
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: no drama named 'Nope'")


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_flags(flag: str) -> None:
    from ostkit import __version__

    result = ok(flag)
    assert result.stdout == f"ostkit, version {__version__}\n"


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _ostkit_completion ostkit"),
        ("zsh", "#compdef ostkit"),
        ("fish", "complete --no-files --command ostkit"),
    ],
)
def test_shell_completion_script_is_produced(shell: str, marker: str) -> None:
    env = {**os.environ, "_OSTKIT_COMPLETE": f"{shell}_source"}
    out = subprocess.run(
        [sys.executable, "-m", "ostkit"], env=env, capture_output=True, text=True, check=True
    )
    assert marker in out.stdout


def test_completion_completes_command_names() -> None:
    env = {
        **os.environ,
        "_OSTKIT_COMPLETE": "bash_complete",
        "COMP_WORDS": "ostkit sta",
        "COMP_CWORD": "1",
    }
    out = subprocess.run(
        [sys.executable, "-m", "ostkit"], env=env, capture_output=True, text=True, check=True
    )
    assert "plain,stats" in out.stdout.splitlines()


def test_listing_tables_show_unprintable_catalog_text_escaped(home: Path) -> None:
    with CatalogStore.open(home / "catalog.db") as store, store.transaction():
        store.save_track(Track(drama="D", title="Evil.png", credits=(Credit("A"),)))
        # import drops an unbalanced override, but a catalog written before that rule (or by
        # another tool) may hold one: it would flip the rest of the line on the terminal
        store.conn.execute("UPDATE tracks SET title = ?", ("Evil\u202egnp.exe",))
    for fmt in ("simple", "plain", "github"):
        out = ok("tracks", "--format", fmt).stdout
        assert "Evil\\u202egnp.exe" in out and "\u202e" not in out
    assert json.loads(ok("tracks", "--format", "json").stdout)[0]["title"] == "Evil\u202egnp.exe"


def test_after_an_album_import_every_command_says_the_first_spelling(
    make_sandbox: MakeSandbox, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_sandbox(load_default_corpus=False) as sb:
        album = {"id": "K" * 22, "name": "My Drama OST Part.2", "album_type": "single"}
        sb.add_track("Second Song", ["KYUHYUN"], album=album)
        use_sandbox(sb, monkeypatch)
        ok("add", "--drama", "My Drama", "--title", "First Song", "--artist", "Kyuhyun")
        ok("import", f"spotify:album:{'K' * 22}", "--drama", "My Drama")
    tracks = ok("tracks", "--format", "csv").stdout
    assert "KYUHYUN" not in tracks and tracks.count(",Kyuhyun,") == 2
    (artist,) = list(csv.DictReader(io.StringIO(ok("artists", "--format", "csv").stdout)))
    assert artist["artist"] == "Kyuhyun"
