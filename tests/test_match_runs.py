"""Match runs that never lose work (saving as they go, interruption), and the data a match or a
pin fills in: in process, real store, real client, the sandbox over HTTP."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MakeSandbox
from ostkit.cli import cli
from ostkit.matching.bands import DEFAULT_BANDS
from ostkit.models import Credit, Drama, Status, Track
from ostkit.sandbox import Sandbox
from ostkit.services.match_plan import MatchOptions, plan_match
from ostkit.services.matching import match_tracks, search
from ostkit.services.review import choose, pin
from ostkit.services.search import TrackSearch
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.store.catalog import CatalogStore

ALBUM = {"name": "Drama A OST Part.1", "album_type": "single", "release_date": "2021-03-04"}


@dataclass
class Run:
    sb: Sandbox
    store: CatalogStore
    client: SpotifyClient
    uris: dict[str, str]  # title -> URI


def _fill(sb: Sandbox, store: CatalogStore, n: int) -> dict[str, str]:
    uris: dict[str, str] = {}
    with store.transaction():
        for i in range(n):
            title, artist = f"Song {i:02d}", f"Singer {i:02d}"
            uris[title] = "spotify:track:" + sb.add_track(
                title,
                [artist],
                {**ALBUM, "name": f"Drama {i:02d} OST Part.1"},
                duration_ms=180_000 + i * 1000,
                isrc=f"KRA30210{i:04d}",
            )
            store.save_track(Track(drama=f"Drama {i:02d}", title=title, credits=(Credit(artist),)))
    return uris


@pytest.fixture
def run(make_sandbox: MakeSandbox) -> Iterator[Run]:
    with make_sandbox(load_default_corpus=False) as sb:
        store = CatalogStore.open(":memory:")
        uris = _fill(sb, store, 12)
        client = SpotifyClient(
            api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
        )
        yield Run(sb, store, client, uris)
        store.close()


def _point_cli_at(sb: Sandbox, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI runs in this test use the catalog in ``home`` and the sandbox as Spotify."""
    monkeypatch.setenv("OSTKIT_HOME", str(home))
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", sb.client_id)
    monkeypatch.setenv("OSTKIT_SPOTIFY_API_URL", sb.api_url)
    monkeypatch.setenv("OSTKIT_SPOTIFY_ACCOUNTS_URL", sb.accounts_url)
    monkeypatch.setenv("OSTKIT_SPOTIFY_REFRESH_TOKEN", sb.issue_refresh_token())


def _statuses(store: CatalogStore) -> dict[str, Status]:
    return {t.title: t.status for t in store.tracks()}


# --- saving as the run goes ---------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 4])
def test_search_hands_results_to_save_in_batches(run: Run, jobs: int) -> None:
    plan = plan_match(run.store, MatchOptions())
    batches: list[list[tuple[Track, TrackSearch]]] = []
    progress: list[tuple[int, int]] = []
    found = search(
        plan,
        run.client,
        DEFAULT_BANDS,
        jobs,
        lambda done, total: progress.append((done, total)),
        batches.append,
        save_every=5,
        save_seconds=3600,
    )
    assert [len(b) for b in batches] == [5, 5, 2]
    saved = {t.id for b in batches for t, _ in b}
    assert saved == set(found.found) and len(saved) == 12
    assert progress == [(i, 12) for i in range(1, 13)]
    assert not found.interrupted


def test_match_saves_each_batch_in_its_own_transaction(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the run searches, the store already holds the batches saved so far."""
    monkeypatch.setattr("ostkit.services.matching.SAVE_EVERY", 4)
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        # Reads the same store between results: what a reader (or a crash) would find.
        seen.append(sum(s is not Status.UNMATCHED for s in _statuses(run.store).values()))

    match_tracks(run.store, run.client, MatchOptions(jobs=1), progress=progress)
    assert seen == [0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8]
    assert set(_statuses(run.store).values()) == {Status.MATCHED}


def test_ctrl_c_keeps_the_decisions_made_and_the_next_run_continues(run: Run) -> None:
    def progress(done: int, total: int) -> None:
        if done == 5:
            raise KeyboardInterrupt

    report = match_tracks(run.store, run.client, MatchOptions(jobs=1), progress=progress)
    assert report.interrupted and report.error is None
    decided = [t for t in run.store.tracks() if t.status is not Status.UNMATCHED]
    # The fifth, and the sixth if its search had already started.
    assert 5 <= len(decided) <= 6 and report.searched == len(decided)
    assert all(t.spotify_uri == run.uris[t.title] for t in decided)
    counts = report.counts()
    assert counts["matched"] == len(decided) and counts["unmatched"] == 12 - len(decided)
    run.sb.clear_requests()
    again = match_tracks(run.store, run.client, MatchOptions(jobs=3))
    assert again.searched == 12 - len(decided) and not again.interrupted
    queried = " ".join(r.query["q"][0] for r in run.sb.requests if r.path.endswith("/search"))
    assert not any(f'"{t.title}"' in queried for t in decided)
    assert set(_statuses(run.store).values()) == {Status.MATCHED}


def test_dry_run_saves_no_batch(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ostkit.services.matching.SAVE_EVERY", 1)
    report = match_tracks(run.store, run.client, MatchOptions(dry_run=True))
    assert report.counts()["matched"] == 12
    assert set(_statuses(run.store).values()) == {Status.UNMATCHED}


# --- metadata from the match --------------------------------------------------------------------


def test_match_fills_what_the_catalog_lacks_and_keeps_what_the_fan_typed(run: Run) -> None:
    with run.store.transaction():
        typed = run.store.save_track(
            Track(
                drama="Drama 03",
                title="Song 03",
                credits=(Credit("Singer 03"),),
                album="Drama 03 Original Soundtrack",
                duration_ms=183_400,
            )
        )[0]
    match_tracks(run.store, run.client, MatchOptions(jobs=2))
    t = run.store.get_track(typed)
    assert t.status is Status.MATCHED
    assert (t.album, t.duration_ms) == ("Drama 03 Original Soundtrack", 183_400)  # typed: kept
    assert (t.isrc, t.release_date) == ("KRA302100003", "2021-03-04")  # lacking: filled
    other = next(x for x in run.store.tracks() if x.title == "Song 07")
    assert (other.album, other.duration_ms, other.isrc, other.release_date) == (
        "Drama 07 OST Part.1",
        187_000,
        "KRA302100007",
        "2021-03-04",
    )
    # Spotify's artist id is learned, and its spelling is an alias of the fan's artist.
    artist = run.store.find_artist("Singer 07")
    assert artist is not None and artist.spotify_id and artist.name == "Singer 07"


def test_choose_and_pin_fill_from_the_candidate(run: Run) -> None:
    queue = run.store.tracks()[:3]
    with run.store.transaction():
        for t in queue:  # waiting for review with the candidates Spotify gives
            found = run.client.search_tracks(f'track:"{t.title}"')
            run.store.set_match(t.id or 0, status=Status.REVIEW, score=0.8)
            run.store.save_candidates(t.id or 0, [(c, 0.8, ()) for c in found])
    first, second = queue[0], queue[1]
    (cand, _, _), *_ = run.store.candidates(first.id or 0)
    chosen = choose(run.store, first.id or 0, cand)
    assert chosen.status is Status.PINNED and chosen.duration_ms == cand.duration_ms
    assert cand.album is not None and chosen.album == cand.album.name
    # Pinning the URI of a stored candidate fills from it too.
    (cand2, _, _), *_ = run.store.candidates(second.id or 0)
    pinned = pin(run.store, second.id or 0, cand2.uri)
    assert (pinned.duration_ms, pinned.isrc) == (cand2.duration_ms, cand2.isrc)
    assert pinned.duration_ms is not None
    # A URI nothing is known about sets the URI only.
    bare = pin(run.store, queue[2].id or 0, "spotify:track:" + "z" * 22)
    assert bare.spotify_uri == "spotify:track:" + "z" * 22 and bare.duration_ms is None


def test_exports_carry_the_durations_a_match_filled_in(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_sandbox(load_default_corpus=False) as sb:
        _point_cli_at(sb, tmp_path, monkeypatch)
        with CatalogStore.open(tmp_path / "catalog.db") as store:
            with store.transaction():
                store.save_drama(Drama(title="Drama 00"))
            _fill(sb, store, 2)
        runner = CliRunner()
        assert runner.invoke(cli, ["match"], catch_exceptions=False).exit_code == 0
        m3u = runner.invoke(cli, ["export", "--format", "m3u"], catch_exceptions=False).stdout
        xspf = runner.invoke(cli, ["export", "--format", "xspf"], catch_exceptions=False).stdout
        exportify = runner.invoke(
            cli, ["export", "--format", "exportify"], catch_exceptions=False
        ).stdout
    assert "#EXTINF:180,Singer 00 - Song 00" in m3u and "#EXTINF:181,Singer 01 - Song 01" in m3u
    assert "<duration>180000</duration>" in xspf
    assert "<album>Drama 01 OST Part.1</album>" in xspf
    rows = {r["Track Name"]: r for r in csv.DictReader(io.StringIO(exportify))}
    assert rows["Song 01"]["Album Name"] == "Drama 01 OST Part.1"
    assert rows["Song 01"]["Track Duration (ms)"] == "181000"


# --- progress -----------------------------------------------------------------------------------


def test_progress_text_shows_done_total_rate_elapsed_and_eta() -> None:
    from ostkit.cli.output import progress_text

    assert progress_text("searching", 125, 600, 10.0, bar_width=8) == (
        "searching 125/600 [##......]  21% 12.5/s elapsed 0:10 ETA 0:38"
    )
    assert progress_text("searching", 600, 600, 3725.0) == (
        "searching 600/600 100% 0.2/s elapsed 1:02:05"
    )
    assert progress_text("searching", 0, 600, 0.0) == "searching 0/600   0% elapsed 0:00"


def test_progress_lines_every_interval_and_at_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    from ostkit.cli.output import Progress

    now = [100.0]
    lines = Progress("searching", bar=False, interval=5.0, clock=lambda: now[0])
    for done in range(1, 21):
        now[0] += 1.0
        lines.update(done, 20)
    lines.done()
    err = capsys.readouterr().err.splitlines()
    # After 5 s, 10 s, 15 s, then the last one at 20 s.
    assert [line.split()[1] for line in err] == ["5/20", "10/20", "15/20", "20/20"]
    assert err[0] == "searching 5/20  25% 1.0/s elapsed 0:05 ETA 0:15"
    bar = Progress("searching", bar=True, clock=lambda: now[0])
    for done in range(1, 4):
        now[0] += 0.05  # faster than the bar redraws
        bar.update(done, 3)
    bar.done()
    drawn = capsys.readouterr().err
    first, last = drawn.split("\r")[1:]
    assert first.startswith("searching 1/3 [########................]  33% 20.0/s")
    # The last drawing covers the longer first one (with its ETA) entirely.
    assert (
        last
        == ("searching 3/3 [" + "#" * 24 + "] 100% 20.0/s elapsed 0:00").ljust(len(first)) + "\n"
    )


def test_match_progress_only_when_asked_on_a_pipe(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_sandbox(load_default_corpus=False) as sb:
        _point_cli_at(sb, tmp_path, monkeypatch)
        with CatalogStore.open(tmp_path / "catalog.db") as store:
            _fill(sb, store, 3)
        quiet = CliRunner().invoke(cli, ["match", "--dry-run"], catch_exceptions=False)
        shown = CliRunner().invoke(
            cli, ["match", "--dry-run", "--progress"], catch_exceptions=False
        )
    assert quiet.exit_code == shown.exit_code == 0
    assert "searching" not in quiet.stderr
    assert shown.stderr.startswith("searching 3/3 100% ") and "elapsed 0:0" in shown.stderr
    assert shown.stdout == quiet.stdout  # data only on stdout
