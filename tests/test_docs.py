"""The documentation stays true: links resolve, docs/cli.md matches the commands, and the README's
sandbox session runs as written and prints what the README shows."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from ostkit.cli import cli

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
CLI_MD = DOCS / "cli.md"
SESSION_HEADING = "### A whole session, without a Spotify account"


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


# --- markdown helpers ------------------------------------------------------------------------

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of the lines outside fenced code blocks and HTML comments."""
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None:
            yield number, line


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower case, punctuation dropped, '-' for ' '."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts as its text
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        match = re.match(r"^ {0,3}#{1,6} +(.*?)(?: +#+)? *$", line)
        if not match:
            continue
        base = slug(match.group(1).strip())
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")


def relative_links(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, target) of every link that is not a URL; inline code is not searched."""
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            if not target or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue  # http:, https:, mailto: ...
            yield number, target


def test_slug_follows_github() -> None:
    assert slug("A whole session, without a Spotify account") == (
        "a-whole-session-without-a-spotify-account"
    )
    assert slug("Quality and speed (`benchmarks/match_quality.py`)") == (
        "quality-and-speed-benchmarksmatch_qualitypy"
    )
    assert slug("Checked against Spotify's OpenAPI definition") == (
        "checked-against-spotifys-openapi-definition"
    )
    assert slug("`ostkit auth login [--no-browser] [--timeout S]`") == (
        "ostkit-auth-login---no-browser---timeout-s"
    )


def test_the_manual_pages_exist() -> None:
    names = {p.name for p in DOCS.glob("*.md")}
    expected = {
        "index.md",
        "catalog.md",
        "spotify.md",
        "network-policy.md",
        "sandbox.md",
        "matching.md",
        "playlists.md",
        "benchmarks.md",
        "development.md",
        "architecture.md",
        "cli.md",
    }
    assert expected <= names
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for name in sorted(expected - {"index.md"}):
        assert f"]({name})" in index, f"docs/index.md does not link {name}"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for number, target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            broken.append(f"line {number}: {target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"line {number}: {target}: no heading with that anchor in {dest.name}")
    assert not broken, f"{path.relative_to(REPO)}:\n" + "\n".join(broken)


# --- docs/cli.md -----------------------------------------------------------------------------


def command_paths(command: click.Command, path: list[str]) -> Iterator[str]:
    yield " ".join(path)
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1])
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from command_paths(sub, [*path, name])


def test_cli_reference_has_every_command() -> None:
    text = CLI_MD.read_text(encoding="utf-8")
    headings = set(re.findall(r"^#{2,3} (ostkit\b.*)$", text, re.MULTILINE))
    paths = list(command_paths(cli, ["ostkit"]))
    assert len(paths) > 10
    missing = [p for p in paths if p not in headings]
    assert not missing, f"docs/cli.md lacks {missing}: run `cog -r docs/cli.md`"
    for path in paths:
        usage = f"Usage: {path} "
        assert usage in text, f"docs/cli.md has no --help text for {path!r}"


def test_cli_reference_is_up_to_date() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cogapp",
            "--check",
            "--diff",
            "--check-fail-msg=docs/cli.md is stale: run `cog -r docs/cli.md` and commit it",
            "docs/cli.md",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- the README's sandbox session ------------------------------------------------------------


def readme_block(heading: str, kind: str, nth: int = 0) -> str:
    """The nth fenced block of this kind (``sh``, ``text``) in the heading's section."""
    text = README.read_text(encoding="utf-8")
    start = text.index(heading + "\n") + len(heading) + 1
    following = re.search(r"^#{1,3} ", text[start:], re.MULTILINE)
    section = text[start : start + following.start()] if following else text[start:]
    blocks = re.findall(rf"^```{kind}\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    return str(blocks[nth])


def test_readme_session_block_is_there() -> None:
    block = readme_block(SESSION_HEADING, "sh")
    assert "ostkit sandbox serve" in block
    assert "ostkit playlist push" in block


def _stop_group(pgid: int, output: Path, timeout: float = 10.0) -> None:
    """SIGTERM the session's process group (the backgrounded sandbox), wait for it, then KILL."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "Sandbox stopped." in output.read_text(encoding="utf-8", errors="replace"):
            time.sleep(0.05)
            return
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def test_readme_session_runs_as_written(tmp_path: Path) -> None:
    block = readme_block(SESSION_HEADING, "sh")
    expected = readme_block(SESSION_HEADING, "text").splitlines()

    # A checkout as the Quick start leaves it: .venv/bin holds ostkit, playlists/ the shipped files.
    bindir = Path(sys.executable).parent
    assert (bindir / "ostkit").exists(), f"no ostkit next to {sys.executable}"
    checkout = tmp_path / "checkout"
    (checkout / ".venv").mkdir(parents=True)
    (checkout / ".venv" / "bin").symlink_to(bindir, target_is_directory=True)
    (checkout / "playlists").symlink_to(REPO / "playlists", target_is_directory=True)

    # Nothing may touch the real user: fresh HOME, XDG dirs, TMPDIR and OSTKIT_HOME.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OSTKIT_", "SPOTIPY_", "XDG_"))}
    user_home = tmp_path / "home"
    scratch = tmp_path / "tmp"
    default_ostkit_home = tmp_path / "ostkit-home"
    for d in (user_home, scratch, default_ostkit_home):
        d.mkdir()
    env.update(
        HOME=str(user_home),
        XDG_DATA_HOME=str(user_home / ".local" / "share"),
        XDG_CONFIG_HOME=str(user_home / ".config"),
        XDG_CACHE_HOME=str(user_home / ".cache"),
        XDG_STATE_HOME=str(user_home / ".local" / "state"),
        TMPDIR=str(scratch),
        OSTKIT_HOME=str(default_ostkit_home),
        PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )

    output = tmp_path / "output.txt"
    with output.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "-e", "-c", block],  # -e: every command of the session must succeed
            cwd=checkout,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the sandbox is killed with it
        )
        try:
            returncode = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            _stop_group(proc.pid, output)
            proc.wait(timeout=10)
    text = output.read_text(encoding="utf-8", errors="replace")
    assert returncode == 0, f"the README session exited {returncode}:\n{text}"

    # The lines the README shows, in that order (the playlist id differs each run).
    lines = text.splitlines()
    position = 0
    playlist_url = re.compile(r"https://open\.spotify\.com/playlist/[0-9A-Za-z]{22}")
    for want in expected:
        while position < len(lines):
            got = lines[position]
            position += 1
            if got == want or (playlist_url.fullmatch(want) and playlist_url.fullmatch(got)):
                break
        else:
            pytest.fail(f"README output line {want!r} not printed (in order):\n{text}")
    assert "playlists/soundtrack-1.toml: 6 added, 0 updated, 0 unchanged (1 new drama)" in lines
    assert re.search(r"^Sandbox Spotify on http://127\.0\.0\.1:\d+ \(100 tracks", text, re.M)
    assert "Sandbox stopped." in text  # the kill at the end stopped it cleanly

    # The scratch OSTKIT_HOME was used: the default one, and the checkout, got nothing.
    assert list(default_ostkit_home.iterdir()) == []
    assert sorted(p.name for p in checkout.iterdir()) == [".venv", "playlists"]
