"""`playlist push` end to end: real store, real SpotifyClient, the sandbox over HTTP."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from conftest import MakeSandbox
from ostkit.errors import InputError, SpotifyError
from ostkit.models import Credit, RemotePlaylist, Status, Track
from ostkit.playlists.definition import adhoc_definition, load_playlist_file
from ostkit.sandbox import Fault, Sandbox
from ostkit.services.playlists import list_playlists
from ostkit.services.push import PushInterruptedError, push_playlist
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.store.catalog import CatalogStore

ITEMS = r"/playlists/[^/]+/items$"


@dataclass
class World:
    sb: Sandbox
    store: CatalogStore
    client: SpotifyClient
    uris: list[str]
    tmp: Path

    def api(self, method: str | None = None, path: str | None = None) -> int:
        return self.sb.count(method, path)

    def writes(self) -> int:
        return sum(1 for r in self.sb.requests if r.method in ("POST", "PUT", "DELETE"))

    def reads(self) -> int:
        return sum(1 for r in self.sb.requests if r.method == "GET")

    def file(self, body: str, name: str = "mix.toml") -> Path:
        path = self.tmp / name
        path.write_text("[playlist]\n" + body, encoding="utf-8")
        return path

    def new_client(self) -> SpotifyClient:
        return SpotifyClient(
            api_url=self.sb.api_url, auth=self.sb.issue_access_token(), policy=NetPolicy.for_tests()
        )

    def only_playlist(self) -> str:
        ids = self.sb.playlist_ids(owner=self.sb.user_id)
        assert len(ids) == 1, ids
        return ids[0]


def _catalog(store: CatalogStore, uris: list[str], drama: str = "Drama A") -> None:
    with store.transaction():
        for i, uri in enumerate(uris):
            store.save_track(
                Track(
                    drama=drama,
                    title=f"Song {i:05d}",
                    credits=(Credit(f"Singer {i % 7}"),),
                    part=1 + i // 10,
                    spotify_uri=uri,
                    status=Status.PINNED,
                )
            )


def make_world(
    make_sandbox: MakeSandbox, tmp_path: Path, n: int, *, check_spec: bool = True
) -> Iterator[World]:
    with make_sandbox(load_default_corpus=False, check_spec=check_spec) as sb:
        uris = [f"spotify:track:{sb.add_track(f'Song {i}', ['Singer'])}" for i in range(n)]
        store = CatalogStore.open(":memory:")
        _catalog(store, uris)
        client = SpotifyClient(
            api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
        )
        yield World(sb, store, client, uris, tmp_path)
        store.close()


@pytest.fixture
def world(make_sandbox: MakeSandbox, tmp_path: Path) -> Iterator[World]:
    yield from make_world(make_sandbox, tmp_path, 230)


def test_first_push_then_unchanged(world: World) -> None:
    path = world.file('name = "Mix"\ndescription = "All of A."\ndramas = ["Drama A"]\n')
    definition = load_playlist_file(path)
    result = push_playlist(world.store, world.client, definition)
    pid = world.only_playlist()
    assert result.created and world.sb.playlist_items(pid) == world.uris
    # GET /me/playlists (no "Mix" there: no need for GET /me), POST /me/playlists, then
    # ceil(230/100) POSTs.
    assert world.api("GET", r"/me$") == 0
    assert len(world.sb.requests) == 2 + math.ceil(230 / 100)
    assert world.api("POST", ITEMS) == 3 and world.api("PUT") == 0
    assert result.requests == len(world.sb.requests)

    world.sb.clear_requests()
    again = push_playlist(world.store, world.client, definition)
    assert again.plan.is_empty and again.writes_done == 0
    # Snapshot unchanged since our push: a single GET /playlists/{id}.
    assert [(r.method, r.path) for r in world.sb.requests] == [("GET", f"/v1/playlists/{pid}")]
    rows = list_playlists(world.store)
    assert rows[0]["name"] == "Mix" and rows[0]["tracks"] == 230
    assert rows[0]["url"] == f"https://open.spotify.com/playlist/{pid}"
    assert rows[0]["last_push"]


def test_repush_reads_items_when_snapshot_changed(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    push_playlist(world.store, world.client, definition)
    pid = world.only_playlist()
    # Someone adds a track by hand in the Spotify app: the snapshot moves.
    extra = world.uris[5]
    world.new_client().add_items(pid, [extra], expected_total=230)
    world.sb.clear_requests()
    result = push_playlist(world.store, world.client, definition)
    assert world.sb.playlist_items(pid) == world.uris
    assert world.reads() <= 1 + math.ceil(231 / 50) + 1
    # The extra copy shares a URI with a wanted track: DELETE it, re-add the wanted copy.
    assert world.writes() == 2 and result.plan.strategy == "edit"


def test_unchanged_on_another_machine_finds_by_name_and_writes_nothing(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    push_playlist(world.store, world.client, definition)
    pid = world.only_playlist()
    other = CatalogStore.open(":memory:")
    _catalog(other, world.uris)
    world.sb.clear_requests()
    result = push_playlist(other, world.new_client(), definition)
    assert result.found_by_name and not result.created and result.plan.is_empty
    assert world.writes() == 0 and world.sb.playlist_ids() == [pid]
    # GET /me + GET /me/playlists + ceil(230/50) item pages.
    assert world.reads() == 2 + math.ceil(230 / 50)
    record = other.find_managed_playlist(name="Mix")
    assert record is not None and record.spotify_id == pid and record.snapshot_id
    other.close()


def test_other_users_playlist_with_same_name_is_not_adopted(world: World) -> None:
    world.sb.add_user("someone")
    theirs = world.sb.create_playlist("Mix", owner="someone")
    world.sb.create_playlist("Mix", owner="someone", uris=[world.uris[0]])
    # The current user follows it (so /me/playlists lists it), but does not own it.
    world.sb.follow_playlist(theirs)
    result = push_playlist(world.store, world.client, adhoc_definition(["Drama A"], "Mix"))
    assert result.created and result.playlist.spotify_id != theirs


def test_small_change_costs_one_read_and_few_writes(world: World) -> None:
    path = world.file('name = "Mix"\ndramas = ["Drama A"]\n')
    push_playlist(world.store, world.client, load_playlist_file(path))
    pid = world.only_playlist()
    path.write_text(
        '[playlist]\nname = "Mix"\ndramas = ["Drama A"]\n'
        'exclude = [{ title = "Song 00007" }, { title = "Song 00150" }]\n',
        encoding="utf-8",
    )
    world.sb.clear_requests()
    result = push_playlist(world.store, world.client, load_playlist_file(path))
    expected = [u for i, u in enumerate(world.uris) if i not in (7, 150)]
    assert world.sb.playlist_items(pid) == expected
    assert world.reads() == 1 and world.writes() == 1 == world.api("DELETE", ITEMS)
    assert result.plan.removed == 2


def test_details_follow_the_file(world: World) -> None:
    path = world.file('name = "Mix"\ndramas = ["Drama A"]\n')
    push_playlist(world.store, world.client, load_playlist_file(path))
    pid = world.only_playlist()
    path.write_text(
        '[playlist]\nname = "Mix 2"\ndescription = "Renamed"\npublic = true\n'
        'dramas = ["Drama A"]\n',
        encoding="utf-8",
    )
    world.sb.clear_requests()
    said: list[str] = []
    result = push_playlist(
        world.store, world.client, load_playlist_file(path), progress=said.append
    )
    assert result.plan.details == {"name": "Mix 2", "description": "Renamed", "public": True}
    assert said == ["write 1/1: change description, name, public"]
    remote = world.client.get_playlist(pid)
    assert (remote.name, remote.description, remote.public) == ("Mix 2", "Renamed", True)
    assert world.sb.playlist_ids() == [pid]
    # Next push: still one read, no write (the snapshot after the rename was stored).
    world.sb.clear_requests()
    assert push_playlist(world.store, world.client, load_playlist_file(path)).plan.is_empty
    assert len(world.sb.requests) == 1


def test_dry_run_sends_no_write(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    result = push_playlist(world.store, world.client, definition, dry_run=True)
    assert result.created and result.dry_run and len(result.plan.ops) == 3
    assert world.writes() == 0 and world.sb.playlist_ids(owner=world.sb.user_id) == []
    assert world.store.managed_playlists() == []
    push_playlist(world.store, world.client, definition)
    world.sb.clear_requests()
    with world.store.transaction():
        world.store.delete_tracks([1, 2])
    result = push_playlist(world.store, world.client, definition, dry_run=True)
    assert result.plan.removed == 2 and world.writes() == 0


def test_unmatched_tracks_are_skipped_or_refused(world: World) -> None:
    with world.store.transaction():
        world.store.save_track(Track(drama="Drama A", title="Lost", credits=(Credit("Nobody"),)))
    said: list[str] = []
    definition = adhoc_definition(["Drama A"], "Mix")
    with pytest.raises(InputError, match=r"--strict: 1 track\(s\) have no Spotify match: #231"):
        push_playlist(world.store, world.client, definition, strict=True)
    assert world.writes() == 0
    push_playlist(world.store, world.client, definition, progress=said.append)
    assert world.sb.playlist_items(world.only_playlist()) == world.uris
    assert any("1 track without a Spotify match will be skipped: #231 'Lost'" in m for m in said)


def test_stored_playlist_deleted_on_spotify_is_recreated(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    push_playlist(world.store, world.client, definition)
    pid = world.only_playlist()
    world.sb.delete_playlist(pid)
    result = push_playlist(world.store, world.client, definition)
    assert result.created and result.playlist.spotify_id != pid
    assert world.sb.playlist_items(world.only_playlist()) == world.uris


# --- reliability ------------------------------------------------------------------------------


def _assert_converges(world: World, definition: object) -> None:
    world.sb.clear_faults()
    push_playlist(world.store, world.client, definition)  # type: ignore[arg-type]
    pid = world.only_playlist()
    assert world.sb.playlist_items(pid) == world.uris
    world.sb.clear_requests()
    assert push_playlist(world.store, world.client, definition).plan.is_empty  # type: ignore[arg-type]
    assert len(world.sb.requests) == 1


@pytest.mark.parametrize("after", [0, 1, 2])
def test_quota_on_batch_k_stops_and_rerun_converges(world: World, after: int) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    world.sb.inject(Fault("quota", method="POST", path=ITEMS, after=after, count=None))
    with pytest.raises(
        PushInterruptedError,
        match=f"push stopped after {after} of 3 writes: Spotify quota exceeded",
    ):
        push_playlist(world.store, world.client, definition)
    pid = world.only_playlist()
    assert world.sb.playlist_items(pid) == world.uris[: after * 100]
    record = world.store.find_managed_playlist(name="Mix")
    assert record is not None and record.spotify_id == pid and record.snapshot_id is None
    _assert_converges(world, definition)


@pytest.mark.parametrize("kind", ["applied_then_error", "server_error", "drop_connection"])
def test_flaky_add_never_duplicates(world: World, kind: str) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    world.sb.inject(Fault(kind, method="POST", path=ITEMS, after=1, apply=True, status=502))
    # An unverifiable write stops the push; the re-run below must converge.
    with contextlib.suppress(PushInterruptedError):
        push_playlist(world.store, world.client, definition)
    items = world.sb.playlist_items(world.only_playlist())
    assert len(items) == len(set(items))
    _assert_converges(world, definition)


def test_rate_limit_is_waited_out(world: World) -> None:
    world.sb.inject(Fault("rate_limit", method="POST", path=ITEMS, after=1, retry_after=0))
    push_playlist(world.store, world.client, adhoc_definition(["Drama A"], "Mix"))
    assert world.sb.playlist_items(world.only_playlist()) == world.uris


def test_create_applied_then_502_does_not_create_twice(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    world.sb.inject(Fault("applied_then_error", method="POST", path=r"/me/playlists$", status=502))
    with pytest.raises(Exception):  # noqa: B017 - whichever SpotifyError the client raises
        push_playlist(world.store, world.client, definition)
    assert len(world.sb.playlist_ids(owner=world.sb.user_id)) == 1
    _assert_converges(world, definition)


@pytest.mark.parametrize("k", [1, 2])
def test_killed_between_batches_converges(world: World, k: int) -> None:
    # The process dies right after write k: nothing after it runs, the record is not updated.
    definition = adhoc_definition(["Drama A"], "Mix")

    def die(message: str) -> None:
        if message.startswith(f"write {k}/"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        push_playlist(world.store, world.client, definition, progress=die)
    assert world.sb.playlist_items(world.only_playlist()) == world.uris[: k * 100]
    _assert_converges(world, definition)


def test_interrupted_edit_of_existing_playlist_converges(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    push_playlist(world.store, world.client, definition)
    pid = world.only_playlist()
    # Reverse the catalog order remotely, so the next push must rewrite (PUT + 2 POSTs).
    world.new_client().replace_items(pid, list(reversed(world.uris))[:100])
    world.sb.inject(Fault("server_error", method="POST", path=ITEMS, count=None, status=503))
    with pytest.raises(PushInterruptedError):
        push_playlist(world.store, world.client, definition)
    _assert_converges(world, definition)


def test_duplicates_allowed_round_trip(world: World) -> None:
    # A second drama reuses two recordings: with allow_duplicates they appear twice.
    with world.store.transaction():
        for i in (3, 120):
            world.store.save_track(
                Track(
                    drama="Drama B",
                    title=f"Reused {i}",
                    credits=(Credit("Singer"),),
                    spotify_uri=world.uris[i],
                    status=Status.PINNED,
                )
            )
    path = world.file('name = "Both"\ndramas = ["Drama A", "Drama B"]\nallow_duplicates = true\n')
    push_playlist(world.store, world.client, load_playlist_file(path))
    pid = world.only_playlist()
    wanted = [*world.uris, world.uris[3], world.uris[120]]
    assert world.sb.playlist_items(pid) == wanted
    # Drop one copy (exclude the reused track): DELETE takes both copies, one is re-added.
    path.write_text(
        '[playlist]\nname = "Both"\ndramas = ["Drama A", "Drama B"]\nallow_duplicates = true\n'
        'exclude = [{ title = "Reused 3" }]\n',
        encoding="utf-8",
    )
    world.sb.clear_requests()
    result = push_playlist(world.store, world.client, load_playlist_file(path))
    assert world.sb.playlist_items(pid) == [*world.uris, world.uris[120]]
    assert result.plan.writes == 2 and world.reads() == 1
    # Without allow_duplicates the second copy goes.
    path.write_text('[playlist]\nname = "Both"\ndramas = ["Drama A", "Drama B"]\n')
    push_playlist(world.store, world.client, load_playlist_file(path))
    assert world.sb.playlist_items(pid) == world.uris


def test_adopts_playlist_on_a_later_page_of_my_playlists(world: World) -> None:
    mine = world.sb.create_playlist("Mix", uris=world.uris[:10])
    for i in range(60):  # newer playlists push "Mix" to the second page (50 a page)
        world.sb.create_playlist(f"Other {i}")
    result = push_playlist(world.store, world.client, adhoc_definition(["Drama A"], "Mix"))
    assert result.found_by_name and result.playlist.spotify_id == mine
    assert world.api("GET", r"/me/playlists") == 2
    assert world.sb.playlist_items(mine) == world.uris
    # Only the tail was added: the 10 tracks already there stayed.
    assert world.api("PUT") == 0 and world.api("POST", ITEMS) == 3


# --- hand edits, details, unavailable items ----------------------------------------------------


def _reordered(uris: list[str]) -> list[str]:
    moved = list(uris)
    moved.insert(0, moved.pop(150))  # one track dragged to the top
    moved[10], moved[20] = moved[20], moved[10]  # two tracks swapped
    return moved


@pytest.mark.parametrize(
    ("edit", "max_writes"),
    [
        ("added", 1),  # a track the file does not want, added at the end
        ("removed", 3),  # 3 wanted tracks removed (each re-added where it belongs)
        ("reordered", 4),
        ("cleared", 3),
    ],
)
def test_hand_edited_playlist_is_brought_back(world: World, edit: str, max_writes: int) -> None:
    path = world.file('name = "Mix"\ndramas = ["Drama A"]\n')
    push_playlist(world.store, world.client, load_playlist_file(path))
    pid = world.only_playlist()
    # The user edits the playlist in the Spotify app (another client, same account).
    other = world.new_client()
    stranger = f"spotify:track:{world.sb.add_track('Not in the file', ['Someone'])}"
    if edit == "added":
        other.add_items(pid, [stranger], expected_total=230)
    elif edit == "removed":
        other.remove_items(pid, [world.uris[0], world.uris[99], world.uris[229]])
    elif edit == "reordered":
        moved = _reordered(world.uris)
        other.replace_items(pid, moved[:100])
        other.add_items(pid, moved[100:], expected_total=100)
    else:
        other.replace_items(pid, [])
    assert world.sb.playlist_items(pid) != world.uris
    world.sb.clear_requests()
    result = push_playlist(world.store, world.client, load_playlist_file(path))
    assert world.sb.playlist_items(pid) == world.uris
    assert 1 <= world.writes() <= max_writes and world.api("PUT", r"/playlists/[^/]+$") == 0
    assert world.reads() <= 1 + math.ceil(231 / 50)
    assert result.plan.strategy in ("edit", "rewrite")
    world.sb.clear_requests()
    assert push_playlist(world.store, world.client, load_playlist_file(path)).plan.is_empty
    assert len(world.sb.requests) == 1


def test_unavailable_item_is_removed(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    # A playlist found by name holds an entry Spotify answers with a null item (a track that
    # is no longer available): it has no URI to delete by, so the push rewrites the list.
    # Spotify does send `"item": null` there, but the OpenAPI definition does not allow it
    # (PlaylistTrackObject.item is not nullable), so this sandbox's answers are not checked.
    for world in make_world(make_sandbox, tmp_path, 230, check_spec=False):
        gone = "spotify:track:" + "Z" * 22
        pid = world.sb.create_playlist("Mix", uris=[world.uris[0], gone, *world.uris[1:]])
        said: list[str] = []
        definition = adhoc_definition(["Drama A"], "Mix")
        result = push_playlist(world.store, world.client, definition, progress=said.append)
        assert result.found_by_name and result.plan.strategy == "rewrite"
        assert world.sb.playlist_items(pid) == world.uris
        assert any("1 unavailable item(s)" in m for m in said)
        world.sb.clear_requests()
        assert push_playlist(world.store, world.client, definition).plan.is_empty
        assert world.writes() == 0


def _details_writes(world: World) -> list[object]:
    return [r.body for r in world.sb.requests if r.method == "PUT" and r.path.count("/") == 3]


def test_description_with_special_characters_is_not_rewritten(world: World) -> None:
    path = world.file(
        'name = "Tom\'s & Jerry\'s <OST>"\ndescription = "It\'s \\"great\\" & <loud>."\n'
        'dramas = ["Drama A"]\n'
    )
    push_playlist(world.store, world.client, load_playlist_file(path))
    record = world.store.find_managed_playlist(name="Tom's & Jerry's <OST>")
    assert record is not None
    with world.store.transaction():  # forget the snapshot: details are compared with Spotify's
        world.store.save_managed_playlist(replace(record, snapshot_id=None))
    world.sb.clear_requests()
    assert push_playlist(world.store, world.client, load_playlist_file(path)).plan.is_empty
    assert world.writes() == 0


class ListedClient(SpotifyClient):
    """Spotify as reported in 2024-2026: a playlist reads back `public: true` whatever was
    sent at creation or in a details change (eXPerience83/news-bulletin-playlist#135)."""

    def get_playlist(self, playlist_id: str) -> RemotePlaylist:
        return replace(super().get_playlist(playlist_id), public=True)

    def my_playlists(self) -> Iterator[RemotePlaylist]:
        for playlist in super().my_playlists():
            yield replace(playlist, public=True)


def _listed_client(world: World) -> ListedClient:
    return ListedClient(
        api_url=world.sb.api_url, auth=world.sb.issue_access_token(), policy=NetPolicy.for_tests()
    )


def test_public_reported_differently_never_causes_a_write(world: World) -> None:
    client = _listed_client(world)
    path = world.file('name = "Mix"\npublic = false\ndramas = ["Drama A"]\n')
    push_playlist(world.store, client, load_playlist_file(path))
    (create,) = [
        r for r in world.sb.requests if r.method == "POST" and r.path == "/v1/me/playlists"
    ]
    assert create.body["public"] is False
    pid = world.only_playlist()
    for _ in range(2):  # same snapshot, then a hand edit that moves the snapshot
        world.sb.clear_requests()
        result = push_playlist(world.store, client, load_playlist_file(path))
        assert not result.plan.details and _details_writes(world) == []
        world.new_client().add_items(pid, [world.uris[0]], expected_total=230)
    # Another machine adopts it by name: Spotify's report is all it has, so it sends
    # public=false once, then trusts what it sent.
    other = CatalogStore.open(":memory:")
    _catalog(other, world.uris)
    world.sb.clear_requests()
    push_playlist(other, client, load_playlist_file(path))
    assert _details_writes(world) == [{"public": False}]
    world.sb.clear_requests()
    assert push_playlist(other, client, load_playlist_file(path)).plan.is_empty
    assert world.writes() == 0
    other.close()


def test_public_follows_changes_in_the_file(world: World) -> None:
    client = _listed_client(world)
    path = world.file('name = "Mix"\ndramas = ["Drama A"]\n')
    push_playlist(world.store, client, load_playlist_file(path))
    for public, body in (("true", {"public": True}), ("false", {"public": False})):
        path.write_text(
            f'[playlist]\nname = "Mix"\npublic = {public}\ndramas = ["Drama A"]\n', encoding="utf-8"
        )
        world.sb.clear_requests()
        push_playlist(world.store, client, load_playlist_file(path))
        assert _details_writes(world) == [body]
        world.sb.clear_requests()
        push_playlist(world.store, client, load_playlist_file(path))
        assert world.writes() == 0


FAULTS = {
    "5xx": {"kind": "server_error", "status": 503, "count": None},
    "applied-then-502": {"kind": "applied_then_error", "status": 502},
    "dropped-after-write": {"kind": "drop_connection", "apply": True},
    "quota": {"kind": "quota", "count": None},
}
TARGETS = {
    "read playlist": ("GET", r"/playlists/[^/]+$"),
    "read items": ("GET", ITEMS),
    "details": ("PUT", r"/playlists/[^/]+$"),
    "delete": ("DELETE", ITEMS),
    "insert": ("POST", ITEMS),
}


# "Applied, then 502" is just a 5xx for a read; a dropped connection is retried like a 5xx by
# the idempotent requests and matters only for the add (which must not be sent twice).
CASES = [
    (fault, target)
    for target in TARGETS
    for fault in FAULTS
    if (fault in ("5xx", "quota") or not target.startswith("read"))
    and (fault != "dropped-after-write" or target == "insert")
]


@pytest.mark.parametrize(("fault", "target"), CASES)
def test_any_failure_in_an_edit_never_duplicates_and_converges(
    make_sandbox: MakeSandbox, tmp_path: Path, fault: str, target: str
) -> None:
    # Whatever request of an edit push fails, and however: no duplicates, and pushing again
    # ends exactly equal to the file's list, after which a push is a single read.
    # 2 writes either way: the edit wins the tie
    for world in make_world(make_sandbox, tmp_path, 150):
        path = world.file('name = "Mix"\ndramas = ["Drama A"]\n')
        push_playlist(world.store, world.client, load_playlist_file(path))
        pid = world.only_playlist()
        hand = world.new_client()  # a track dragged to the top in the Spotify app
        hand.remove_items(pid, [world.uris[20]])
        hand.add_items(pid, [world.uris[20]], position=0, expected_total=149)
        path.write_text(
            '[playlist]\nname = "Mix 2"\ndramas = ["Drama A"]\n'
            'exclude = [{ title = "Song 00007" }, { title = "Song 00030" }]\n',
            encoding="utf-8",
        )
        wanted = [u for i, u in enumerate(world.uris) if i not in (7, 30)]
        method, where = TARGETS[target]
        injected = world.sb.inject(Fault(**FAULTS[fault], method=method, path=where))  # type: ignore[arg-type]
        with contextlib.suppress(SpotifyError):
            push_playlist(world.store, world.client, load_playlist_file(path))
        assert injected.fired >= 1
        items = world.sb.playlist_items(pid)
        assert len(items) == len(set(items))
        world.sb.clear_faults()
        world.sb.reset_quota()
        result = push_playlist(world.store, world.client, load_playlist_file(path))
        assert world.sb.playlist_items(pid) == wanted and world.sb.playlist_ids() == [pid]
        assert world.client.get_playlist(pid).name == "Mix 2"
        assert result.playlist.snapshot_id == world.sb.playlist_snapshot(pid)
        world.sb.clear_requests()
        assert push_playlist(world.store, world.client, load_playlist_file(path)).plan.is_empty
        assert len(world.sb.requests) == 1


def test_description_removed_from_the_file_is_left_with_a_warning(world: World) -> None:
    path = world.file('name = "Mix"\ndescription = "Old words"\ndramas = ["Drama A"]\n')
    push_playlist(world.store, world.client, load_playlist_file(path))
    pid = world.only_playlist()
    path.write_text(
        '[playlist]\nname = "Mix"\ndramas = ["Drama A"]\nexclude = [{ title = "Song 00001" }]\n',
        encoding="utf-8",
    )
    said: list[str] = []
    world.sb.clear_requests()
    result = push_playlist(
        world.store, world.client, load_playlist_file(path), progress=said.append
    )
    assert not result.plan.details and _details_writes(world) == []
    assert world.sb.playlist_items(pid) == [u for i, u in enumerate(world.uris) if i != 1]
    assert any("cannot clear a description" in m for m in said)


# --- ids Spotify does not know ------------------------------------------------------------------

UNKNOWN = "spotify:track:" + "Z" * 22  # well-formed, but Spotify has no such track


def _pin(world: World, title: str, uri: str) -> int:
    (track,) = [t for t in world.store.tracks() if t.title == title]
    assert track.id is not None
    with world.store.transaction():
        world.store.set_match(track.id, status=Status.PINNED, uri=uri)
    return track.id


@pytest.mark.parametrize("index", [5, 150], ids=["first-batch", "second-batch"])
def test_first_push_refused_for_an_unknown_id_names_the_track_and_leaves_it_empty(
    world: World, index: int
) -> None:
    bad = _pin(world, f"Song {index:05d}", UNKNOWN)
    definition = adhoc_definition(["Drama A"], "Mix")
    said: list[str] = []
    with pytest.raises(PushInterruptedError) as info:
        push_playlist(world.store, world.client, definition, progress=said.append)
    message = str(info.value)
    assert message.startswith(
        f"Spotify has no track for 1 catalog track (400 Payload contains a non-existing ID): "
        f"#{bad} 'Song {index:05d}' — Singer {index % 7} ({UNKNOWN}); fix each with "
        f"`ostkit pin {bad} LINK` (the right Spotify link) or search again with `ostkit match "
        f'--drama "Drama A" --rematch` (a pinned track: `ostkit unpin {bad}` first)'
    )
    left = "the new playlist was emptied again" if index >= 100 else "nothing was added"
    assert left in message and "\n" not in message
    pid = world.only_playlist()
    assert world.sb.playlist_items(pid) == []
    # Only the refused write's tracks were looked up, one request each.
    assert world.api("GET", r"/tracks/") == 100
    assert any("looking up the 100 track(s) of the refused write" in m for m in said)
    # Once fixed, the same push fills the same playlist.
    _pin(world, f"Song {index:05d}", world.uris[index])
    _assert_converges(world, definition)
    assert world.only_playlist() == pid


def test_repush_refused_for_an_unknown_id_names_the_track(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    push_playlist(world.store, world.client, definition)
    bad = _pin(world, "Song 00042", UNKNOWN)
    world.sb.clear_requests()
    with pytest.raises(PushInterruptedError, match=rf"#{bad} 'Song 00042' .*partly updated"):
        push_playlist(world.store, world.client, definition)
    _pin(world, "Song 00042", world.uris[42])
    _assert_converges(world, definition)


def test_a_refusal_for_another_reason_is_not_blamed_on_tracks(world: World) -> None:
    definition = adhoc_definition(["Drama A"], "Mix")
    world.sb.inject(Fault("server_error", method="POST", path=ITEMS, status=500, count=None))
    with pytest.raises(PushInterruptedError) as info:
        push_playlist(world.store, world.client, definition)
    assert "push stopped after 0 of 3 writes" in str(info.value)
    assert world.api("GET", r"/tracks/") == 0
