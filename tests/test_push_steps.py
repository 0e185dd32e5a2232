"""The steps of ``push_playlist`` alone: find or create, read, plan, apply, record; and which
failures become "push interrupted"."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import MakeSandbox
from ostkit.errors import AmbiguousWriteError, InputError, RateLimitError, SpotifyError
from ostkit.models import Credit, ManagedPlaylist, RemotePlaylist, Status, Track
from ostkit.playlists.definition import adhoc_definition
from ostkit.playlists.plan import Op, SyncPlan
from ostkit.services.playlists import resolve_playlist
from ostkit.services.push import (
    PushInterruptedError,
    Target,
    apply_plan,
    check_strict,
    find_or_create,
    load_record,
    plan_push,
    read_current,
    record_push,
)
from test_push import World, make_world


@pytest.fixture
def world(make_sandbox: MakeSandbox, tmp_path: Path) -> Iterator[World]:
    yield from make_world(make_sandbox, tmp_path, 30)


class FakeWrites:
    """Item writes that succeed until ``fail_at`` (1-based), which raises ``error``."""

    def __init__(self, error: BaseException | None = None, fail_at: int = 1) -> None:
        self.error, self.fail_at, self.sent = error, fail_at, 0

    def _write(self) -> str:
        self.sent += 1
        if self.error is not None and self.sent == self.fail_at:
            raise self.error
        return f"snap{self.sent}"

    def add_items(
        self,
        playlist_id: str,
        uris: Sequence[str],
        position: int | None = None,
        expected_total: int | None = None,
    ) -> str:
        return self._write()

    def replace_items(self, playlist_id: str, uris: Sequence[str]) -> str:
        return self._write()

    def remove_items(self, playlist_id: str, uris: Sequence[str]) -> str:
        return self._write()

    def change_details(self, playlist_id: str, **kw: object) -> None:
        self._write()


PLAN = SyncPlan(
    ops=(
        Op("replace", ("spotify:track:a",)),
        Op("add", ("spotify:track:b",)),
        Op("add", ("spotify:track:c",)),
    )
)


def _apply(client: FakeWrites) -> object:
    return apply_plan(client, "pl", PLAN, [], snapshot="s0", again="it")  # type: ignore[arg-type]


def test_apply_sends_every_write_and_keeps_the_last_snapshot() -> None:
    said: list[str] = []
    client = FakeWrites()
    applied = apply_plan(client, "pl", PLAN, [], snapshot="s0", again="it", say=said.append)  # type: ignore[arg-type]
    assert (applied.writes_done, applied.snapshot, client.sent) == (3, "snap3", 3)
    assert said[0] == "write 1/3: replace all items with 1 track"


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(SpotifyError("Spotify quota exceeded", status=429), id="quota"),
        pytest.param(RateLimitError("rate limited"), id="rate-limit"),
        pytest.param(AmbiguousWriteError("502 after the write", status=502), id="ambiguous"),
    ],
)
def test_spotify_failure_after_some_writes_is_push_interrupted(error: SpotifyError) -> None:
    with pytest.raises(PushInterruptedError, match="push stopped after 1 of 3 writes") as info:
        _apply(FakeWrites(error, fail_at=2))
    assert info.value.__cause__ is error and info.value.status == error.status
    assert "run it again to finish" in str(info.value)


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(TypeError("unsupported operand"), id="TypeError"),
        pytest.param(KeyError("uris"), id="KeyError"),
        pytest.param(AttributeError("no attribute 'id'"), id="AttributeError"),
    ],
)
def test_a_local_bug_is_never_push_interrupted(error: Exception) -> None:
    # A programming error must keep its traceback, not be told to the user as "re-run".
    with pytest.raises(type(error)) as info:
        _apply(FakeWrites(error, fail_at=2))
    assert info.value is error and not isinstance(info.value, PushInterruptedError)


def test_find_or_create_creates_once_and_stores_the_id(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    record = load_record(world.store, definition)
    dry = find_or_create(world.store, world.client, definition, record, dry_run=True)
    assert dry.created and dry.remote is None and not world.sb.playlist_ids(owner=world.sb.user_id)
    target = find_or_create(world.store, world.client, definition, record)
    assert target.created and target.remote is not None
    assert world.only_playlist() == target.remote.id
    stored = world.store.find_managed_playlist(name="Mix")
    assert stored is not None and stored.spotify_id == target.remote.id
    again = find_or_create(
        world.store, world.client, definition, load_record(world.store, definition)
    )
    assert not again.created and again.remote is not None and again.remote.id == target.remote.id


def test_find_or_create_adopts_the_users_playlist_of_that_name(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    remote = world.new_client().create_playlist("Mix")
    target = find_or_create(
        world.store, world.client, definition, load_record(world.store, definition)
    )
    assert target.found_by_name and not target.created
    assert target.record.spotify_id == remote.id and target.record.snapshot_id is None


def _remote(snapshot: str = "s1", total: int = 2, description: str | None = None) -> RemotePlaylist:
    return RemotePlaylist("pl", "Mix", description, False, snapshot, "me", total)


def test_read_current_trusts_an_unchanged_snapshot() -> None:
    record = ManagedPlaylist("Mix", spotify_id="pl", snapshot_id="s1", uris=("u1", "u2"))
    current, hidden = read_current(None, Target(record, _remote("s1")))  # type: ignore[arg-type]
    assert (current, hidden) == (["u1", "u2"], 0)  # no request: the client is never used


def test_plan_push_warns_it_cannot_clear_a_description() -> None:
    said: list[str] = []
    definition = adhoc_definition(["Drama A"], "Mix")
    target = Target(ManagedPlaylist("Mix", spotify_id="pl"), _remote(description="old words"))
    plan = plan_push(definition, target, ["u1"], ["u1"], say=said.append)
    assert "cannot clear a description" in said[0]
    assert "description" not in plan.details


def test_record_push_stores_the_list_and_snapshot(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    record = replace(load_record(world.store, definition), spotify_id="pl")
    saved = record_push(world.store, world.client, definition, record, ["u1"], "snapX")
    assert (saved.snapshot_id, saved.uris) == ("snapX", ("u1",)) and saved.last_pushed_at


def test_check_strict_names_the_unmatched_tracks(world: World) -> None:
    with world.store.transaction():
        world.store.save_track(
            Track(drama="Drama A", title="Lost", credits=(Credit("X"),), status=Status.REVIEW)
        )
    resolved = resolve_playlist(world.store, adhoc_definition(["Drama A"], "Mix"))
    with pytest.raises(InputError, match=r"1 track\(s\) have no Spotify match: #\d+ 'Lost'"):
        check_strict(resolved)
