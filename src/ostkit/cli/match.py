"""`ostkit` commands: match, review, pin, unpin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from ostkit.cli.output import (
    compact,
    echo_json_lines,
    format_option,
    plural,
    render_json,
    render_table,
    terminal_text,
)
from ostkit.cli.prompts import answer

if TYPE_CHECKING:
    from ostkit.cli.context import AppContext
    from ostkit.matching.decide import Ranked
    from ostkit.models import Candidate, Track
    from ostkit.services.deciding import TrackOutcome
    from ostkit.services.matching import MatchReport
    from ostkit.services.review import Answer, ReviewItem, ReviewStore
    from ostkit.spotify.client import SpotifyClient
    from ostkit.store.catalog import CatalogStore


def _artists(candidate: Candidate) -> str:
    return ", ".join(a.name for a in candidate.artists)


def _candidate_json(
    c: Candidate, score: float | None, reasons: Sequence[str], **more: Any
) -> dict[str, Any]:
    """A candidate in the JSON of `match --explain` and `review` (``more``: extra keys)."""
    return {
        "uri": c.uri,
        "url": c.url,
        "name": c.name,
        "artists": [a.name for a in c.artists],
        "album": c.album.name if c.album else None,
        "duration_ms": c.duration_ms,
        "isrc": c.isrc,
        "score": score,
        **more,
        "reasons": list(reasons),
    }


def _ranked_json(r: Ranked) -> dict[str, Any]:
    return _candidate_json(
        r.candidate,
        r.score.total,
        r.score.reasons,
        band=r.score.band,
        components=r.score.components,
    )


def _outcome_json(o: TrackOutcome, explain: bool) -> dict[str, Any]:
    best = o.result.best if o.result else None
    row: dict[str, Any] = {
        "id": o.track.id,
        "drama": o.track.drama,
        "title": o.track.title,
        "artist": o.track.artist_display,
        "previous": o.previous.value,
        "status": o.status.value,
        "score": best.score.total if best else None,
        "uri": o.uri,
        "searched": o.searched,
        "queries": o.queries,
    }
    if explain:
        row["candidates"] = [_ranked_json(r) for r in (o.result.ranked if o.result else ())[:5]]
    return row


def _summary(report: MatchReport) -> dict[str, Any]:
    return {
        **report.counts(),
        "searched": report.searched,
        "requests": report.requests,
        "learned_artists": report.learned,
        "elapsed_s": round(report.elapsed, 2),
        "dry_run": report.dry_run,
        "interrupted": report.interrupted,
        "error": report.error,
    }


def _explain_text(o: TrackOutcome) -> str:
    lines = [f"#{o.track.id} {o.track.title} — {o.track.artist_display} [{o.track.drama}]"]
    if o.queries:
        lines.append("  queries: " + " | ".join(o.queries))
    if o.result and o.result.note:
        lines.append(f"  decision: {o.status.value} ({o.result.note})")
    ranked = o.result.ranked if o.result else ()
    if not ranked:
        lines.append("  no candidates")
    for i, r in enumerate(ranked[:3], 1):
        c = r.candidate
        album = c.album.name if c.album else "-"
        lines.append(
            f"  {i}. {r.score.total:.3f} {r.score.band:<6} {c.name} — {_artists(c)} [{album}]"
        )
        comps = " ".join(f"{k}={v:.2f}" for k, v in r.score.components.items())
        lines.append(f"     {comps}  {c.uri}")
        for reason in r.score.reasons:
            lines.append(f"     - {reason}")
    return "\n".join(map(terminal_text, lines))


@click.command("match")
@click.option("--drama", default=None, help="Only this drama's tracks.")
@click.option(
    "--rematch",
    is_flag=True,
    help="Search matched, review and not_found tracks again too (pinned: never).",
)
@click.option("--dry-run", is_flag=True, help="Search and show decisions; write nothing.")
@click.option(
    "--min-score",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=None,
    help="Auto-accept threshold (default 0.85, the strong band).",
)
@click.option("--explain", is_flag=True, help="Show every candidate's score components.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Parallel searches (one shared rate limiter).",
)
@click.option(
    "--progress",
    "show_progress",
    is_flag=True,
    help="Show progress on stderr when it is not a terminal too (a line every 5 s).",
)
@format_option()
@click.pass_obj
def match_cmd(
    app: AppContext,
    drama: str | None,
    rematch: bool,
    dry_run: bool,
    min_score: float | None,
    explain: bool,
    jobs: int,
    show_progress: bool,
    fmt: str,
) -> None:
    """Find the Spotify track for every catalog track that needs one.

    Decisions are saved as the run goes: Ctrl-C (or SIGTERM) keeps them, prints the summary so
    far and exits 130; the next run continues with the rest.

    Example: ostkit match --drama "Soundtrack #1" --explain
    """
    if explain and fmt in ("csv", "tsv"):
        raise click.UsageError(
            f"--explain prints text; for the candidates in a script use --format json, not {fmt}"
        )
    from ostkit.cli.context import stop_on_signals
    from ostkit.cli.output import Progress
    from ostkit.services.match_plan import MatchOptions
    from ostkit.services.matching import match_tracks
    from ostkit.spotify.client import SpotifyClient
    from ostkit.store.catalog import CatalogStore

    settings = app.spotify_settings
    progress = Progress.for_stderr("searching", show_progress)
    options = MatchOptions(
        drama=drama, rematch=rematch, dry_run=dry_run, min_score=min_score, jobs=jobs
    )
    with CatalogStore.open(settings.db_path) as store, stop_on_signals():
        client = SpotifyClient.from_settings(settings)
        client.ensure_login()
        try:
            report = match_tracks(
                store, client, options, progress=progress.update if progress else None
            )
        finally:
            if progress:
                progress.done()
    _print_report(report, fmt, explain)
    if report.interrupted:
        left = report.counts()["unmatched"]
        click.echo(
            f"Interrupted: the decisions made so far are saved ({plural(left, 'track')} left "
            "unmatched); run `ostkit match` again to continue.",
            err=True,
        )
        click.get_current_context().exit(130)
    _stop_if_failed(report)


def _print_report(report: MatchReport, fmt: str, explain: bool) -> None:
    """The data on stdout (the JSON document, the table, or the --explain text); the summary
    line on stderr, so that ``--format csv`` output is only CSV."""
    shown = report.decided()
    if fmt == "json":
        tracks = [_outcome_json(o, explain) for o in shown]
        click.echo(render_json({"summary": _summary(report), "tracks": tracks}))
        return
    if explain:
        for o in shown:
            click.echo(_explain_text(o))
    elif shown:
        rows = [_outcome_json(o, False) for o in shown]
        headers = ["id", "drama", "title", "artist", "status", "score", "uri"]
        click.echo(render_table(rows, headers, fmt))
    click.echo(_summary_line(report), err=True)


def _summary_line(report: MatchReport) -> str:
    counts = report.counts()
    learned = report.learned
    return (
        ("Dry run: would set " if report.dry_run else "")
        + f"matched {counts['matched']}, review {counts['review']}, "
        f"not_found {counts['not_found']}, pinned {counts['pinned']}"
        + (f", unmatched {counts['unmatched']}" if counts["unmatched"] else "")
        + f"; searched {plural(report.searched, 'track')} with "
        f"{plural(report.requests, 'request')}"
        + (
            f"; learned {learned} Spotify artist " + ("identity" if learned == 1 else "identities")
            if learned
            else ""
        )
    )


def _stop_if_failed(report: MatchReport) -> None:
    if report.error:
        from ostkit.errors import SpotifyError

        raise SpotifyError(report.error)


def _track_line(t: Track) -> str:
    return terminal_text(f"#{t.id} {t.title} — {t.artist_display} [{t.drama}]")


@click.command("review")
@click.option("--drama", default=None, help="Only this drama's tracks.")
@click.option(
    "--accept-above",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=None,
    metavar="SCORE",
    help="Accept, after one confirmation, every best candidate scoring at least SCORE "
    "(when no other candidate of the track does).",
)
@click.option("--yes", is_flag=True, help="With --accept-above: do not ask to confirm.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["prompt", "json"]),
    default="prompt",
    show_default=True,
    help="prompt: answer each track; json: list the queue with its candidates, one per line.",
)
@click.pass_obj
def review_cmd(
    app: AppContext, drama: str | None, accept_above: float | None, yes: bool, fmt: str
) -> None:
    """Walk the review queue: pick a candidate, search again, skip, mark not on Spotify, or
    paste a URI/URL.

    At the prompt: a number picks that candidate, e TEXT searches Spotify for TEXT, a SCORE
    accepts every remaining best candidate scoring at least SCORE, s skips, n marks the track
    not on Spotify, a URI/URL pins it, q quits. Each answer is saved at once; Ctrl-C keeps
    them and exits 130.

    Example: ostkit review --drama "Soundtrack #1"
    """
    from ostkit.cli.context import stop_on_signals
    from ostkit.errors import InputError
    from ostkit.services.review import review_queue
    from ostkit.store.catalog import CatalogStore

    if yes and accept_above is None:
        raise click.UsageError("--yes goes with --accept-above")
    if fmt == "json" and accept_above is not None:
        raise click.UsageError("--format json lists the queue; it does not go with --accept-above")
    with CatalogStore.open(app.settings.db_path) as store:
        items = list(review_queue(store, drama))
        if fmt == "json":
            echo_json_lines([compact(_review_json(item)) for item in items])
            return
        if not items:
            click.echo("Nothing to review.", err=True)
            return
        session = _Review(app, store)
        try:
            with stop_on_signals():
                if accept_above is not None:
                    _accept_above(store, items, accept_above, yes)
                    return
                session.walk(items)
        except KeyboardInterrupt:
            click.echo(err=True)
            if accept_above is None:
                click.echo(session.summary(), err=True)
            click.echo("Interrupted: the answers given are saved.", err=True)
            click.get_current_context().exit(130)
        except InputError:  # the end of input: an error, after what was done
            click.echo(session.summary(), err=True)
            raise
    click.echo(session.summary(), err=True)


_NO_ANSWER = (
    "the input ended before an answer: the review stopped here; "
    "the answers before are saved (run `ostkit review` again to go on)"
)


def _ask(text: str, *, confirm: bool = False, **kwargs: Any) -> Any:
    """``click.prompt`` (``confirm=True``: ``click.confirm``) on stderr, ended as every prompt is
    (``prompts.answer``): Ctrl-C raises ``KeyboardInterrupt`` (exit 130, answers kept), the end of
    input an error saying the review stopped there (exit 1, answers kept)."""
    ask = click.confirm if confirm else click.prompt
    return answer(lambda: ask(text, err=True, **kwargs), _NO_ANSWER)


def _review_json(item: ReviewItem) -> dict[str, Any]:
    t = item.track
    return {
        "id": t.id,
        "drama": t.drama,
        "title": t.title,
        "artist": t.artist_display,
        "score": t.score,
        "candidates": [_candidate_json(c, value, reasons) for c, value, reasons in item.candidates],
    }


def _accept_above(store: ReviewStore, items: list[ReviewItem], min_score: float, yes: bool) -> int:
    """Show what a bulk accept would take, ask once, apply; returns how many were accepted."""
    from ostkit.services.review import accept_above, acceptable

    chosen = [(item, c) for item in items if (c := acceptable(item, min_score)) is not None]
    if not chosen:
        click.echo(f"No remaining track has one candidate scoring {min_score} or more.", err=True)
        return 0
    for item, c in chosen:
        click.echo(
            f"{_track_line(item.track)}\n    -> {terminal_text(_candidate_line(c, item))}", err=True
        )
        reasons = next(r for x, _, r in item.candidates if x.uri == c.uri)
        for reason in reasons:  # what the score rests on, doubts included
            click.echo(terminal_text(f"       - {reason}"), err=True)
    question = f"Accept {plural(len(chosen), 'candidate')}?"
    if not yes and not _ask(question, confirm=True, default=False):
        click.echo("Nothing accepted.", err=True)
        return 0
    done = accept_above(store, [item for item, _ in chosen], min_score)
    click.echo(f"Accepted {plural(len(done), 'candidate')}.", err=True)
    return len(done)


def _candidate_line(c: Candidate, item: ReviewItem) -> str:
    value = next((v for x, v, _ in item.candidates if x.uri == c.uri), None)
    score = f"{value:.3f}" if value is not None else "  -  "
    album = c.album.name if c.album else "-"
    return f"{score} {c.name} — {_artists(c)} [{album}] {c.url}"


class _Review:
    """One interactive review session: its counts, and the client made at the first search."""

    def __init__(self, app: AppContext, store: CatalogStore) -> None:
        self.app = app
        self.store = store
        self.decided = 0
        self.skipped = 0
        self._client: SpotifyClient | None = None

    def summary(self) -> str:
        return f"Reviewed {self.decided}, skipped {self.skipped}."

    def walk(self, items: list[ReviewItem]) -> None:

        for n, item in enumerate(items, 1):
            _show_item(n, len(items), item)
            done = self.ask_until_done(item)
            if done.action == "quit":
                return
            if done.action == "skip":
                self.skipped += 1
                continue
            if done.action == "accept_above" and done.score is not None:
                # This track and every remaining one, after one confirmation.
                left = [self.refreshed(i) for i in items[n - 1 :]]
                self.decided += _accept_above(self.store, left, done.score, yes=False)
                return
            click.echo(terminal_text(f"  -> {done.action} {done.uri or ''}".rstrip()))
            self.decided += 1

    def refreshed(self, item: ReviewItem) -> ReviewItem:
        from ostkit.services.review import ReviewItem

        return ReviewItem(item.track, self.store.candidates(item.track.id or 0))

    def ask_until_done(self, item: ReviewItem) -> Answer:
        from ostkit.errors import InputError, OstkitError
        from ostkit.services.review import answer_review

        while True:
            reply = _ask(
                "  number, e TEXT=search again, a SCORE=accept all above, s=skip, "
                "n=not on Spotify, a URI/URL, q=quit",
                default="s",
                show_default=False,
            )
            try:
                if reply.strip()[:2].casefold() in ("e", "e "):
                    item = self.search_again(item, reply.strip()[1:])
                    continue
                return answer_review(self.store, item, reply)
            except InputError as exc:
                click.echo(f"  {terminal_text(str(exc))}", err=True)
            except OstkitError as exc:  # Spotify unreachable, not logged in, ...
                click.echo(f"  search failed: {terminal_text(str(exc))}", err=True)

    def search_again(self, item: ReviewItem, query: str) -> ReviewItem:
        from ostkit.services.matching import search_again
        from ostkit.spotify.client import SpotifyClient

        if self._client is None:
            self._client = SpotifyClient.from_settings(self.app.spotify_settings)
        found = search_again(self.store, self._client, item.track.id or 0, query)
        if not found.candidates:
            click.echo(f"  nothing found for {query.strip()!r}", err=True)
        _show_candidates(found)
        return found


def _show_item(n: int, total: int, item: ReviewItem) -> None:
    click.echo(f"[{n}/{total}] {_track_line(item.track)}")
    _show_candidates(item)


def _show_candidates(item: ReviewItem) -> None:
    for i, (c, value, reasons) in enumerate(item.candidates, 1):
        album = c.album.name if c.album else "-"
        score = f"{value:.3f}" if value is not None else "  -  "
        click.echo(terminal_text(f"  {i}. {score} {c.name} — {_artists(c)} [{album}] {c.uri}"))
        click.echo(f"       {c.url}")
        for reason in reasons:  # one a line: a doubt must not hide in a long line
            click.echo(terminal_text(f"       - {reason}"))


@click.command("pin")
@click.argument("track_id", metavar="TRACK", type=int)
@click.argument("uri", metavar="SPOTIFY_URI_OR_URL")
@click.option(
    "--offline", is_flag=True, help="Store the link without checking that Spotify has the track."
)
@click.pass_obj
def pin_cmd(app: AppContext, track_id: int, uri: str, offline: bool) -> None:
    """Set a track's Spotify track by hand; the matcher never changes a pinned track.

    With a Spotify login the track is looked up first (one request) and a link to no track is
    refused; --offline (or no login) stores it unchecked.

    Example: ostkit pin 12 https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC
    """
    from ostkit.services.review import pin
    from ostkit.spotify.client import SpotifyClient
    from ostkit.store.catalog import CatalogStore

    settings = app.settings if offline else app.spotify_settings
    configured = bool(settings.client_id) and (
        bool(settings.refresh_token) or settings.token_path.exists()
    )
    lookup = None
    if configured and not offline:
        lookup = SpotifyClient.from_settings(settings).get_track
    with CatalogStore.open(settings.db_path) as store:
        track = pin(store, track_id, uri, lookup)
    click.echo(f"Pinned {_track_line(track)} -> {track.spotify_uri}")
    if lookup is None and not offline:
        click.echo(
            "Note: not checked with Spotify (no login); `ostkit auth login` to check", err=True
        )


@click.command("unpin")
@click.argument("track_id", metavar="TRACK", type=int)
@click.pass_obj
def unpin_cmd(app: AppContext, track_id: int) -> None:
    """Forget a pinned track's URI so that the next `ostkit match` searches it again.

    Example: ostkit unpin 12
    """
    from ostkit.services.review import unpin
    from ostkit.store.catalog import CatalogStore

    with CatalogStore.open(app.settings.db_path) as store:
        track = unpin(store, track_id)
    click.echo(f"Unpinned {_track_line(track)} (status {track.status.value})")


COMMANDS: list[click.Command] = [match_cmd, review_cmd, pin_cmd, unpin_cmd]
