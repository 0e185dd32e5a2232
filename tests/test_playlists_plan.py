"""plan_sync: the plan applied to the remote list gives exactly the wanted list, cheaply."""

from __future__ import annotations

import math
import random

import pytest

from ostkit.playlists.plan import BATCH, Details, Op, apply_ops, plan_sync


def uris(*names: str | int) -> list[str]:
    return [f"spotify:track:{n}" for n in names]


def check(wanted: list[str], current: list[str]) -> int:
    plan = plan_sync(wanted, current)
    for op in plan.ops:
        assert len(op.uris) <= BATCH
    assert apply_ops(current, plan.ops) == wanted
    rewrite_cost = max(1, math.ceil(len(wanted) / BATCH))
    assert plan.writes <= rewrite_cost or wanted == current
    return plan.writes


def test_unchanged_is_empty() -> None:
    items = uris(*range(250))
    plan = plan_sync(items, list(items), Details("A", "d", False), Details("A", "d", False))
    assert plan.is_empty and plan.writes == 0 and plan.strategy == "none"
    assert plan.summary() == "up to date: nothing to write"


def test_first_push_appends_in_batches() -> None:
    items = uris(*range(250))
    plan = plan_sync(items, [])
    assert [op.kind for op in plan.ops] == ["add", "add", "add"]
    assert [len(op.uris) for op in plan.ops] == [100, 100, 50]
    assert all(op.position is None for op in plan.ops)
    assert apply_ops([], plan.ops) == items


def test_tail_added_only_posts_tail() -> None:
    current = uris(*range(120))
    wanted = uris(*range(125))
    plan = plan_sync(wanted, current)
    assert plan.ops == (Op("add", tuple(wanted[120:]), None),)
    assert plan.added == 5 and plan.removed == 0


def test_removal_of_unique_uris_is_one_delete() -> None:
    current = uris(*range(500))
    wanted = [u for i, u in enumerate(current) if i not in (3, 250, 499)]
    plan = plan_sync(wanted, current)
    assert plan.ops == (Op("remove", (current[3], current[250], current[499])),)
    assert plan.removed == 3


def test_insert_in_middle_uses_position() -> None:
    current = uris(*range(300))
    wanted = current[:150] + uris("new1", "new2") + current[150:]
    plan = plan_sync(wanted, current)
    assert plan.ops == (Op("add", tuple(uris("new1", "new2")), 150),)


def test_move_is_remove_then_insert() -> None:
    current = uris(*range(300))
    wanted = list(current)
    moved = wanted.pop(10)
    wanted.insert(200, moved)
    plan = plan_sync(wanted, current)
    assert plan.writes == 2 and plan.moved == 1
    assert apply_ops(current, plan.ops) == wanted


def test_everything_changed_rewrites() -> None:
    current = uris(*range(230))
    wanted = uris(*range(1000, 1230))
    plan = plan_sync(wanted, current)
    assert plan.strategy == "rewrite"
    assert [op.kind for op in plan.ops] == ["replace", "add", "add"]
    assert apply_ops(current, plan.ops) == wanted


def test_clear_playlist() -> None:
    current = uris(*range(150), *range(150))
    plan = plan_sync([], current)
    assert plan.writes == 1
    assert apply_ops(current, plan.ops) == []


def test_extra_duplicate_copy_is_removed_and_reinserted() -> None:
    # DELETE removes every occurrence: dropping one of two copies means re-adding the other.
    current = uris("a", "b", "a", "c")
    wanted = uris("a", "b", "c")
    plan = plan_sync(wanted, current)
    assert apply_ops(current, plan.ops) == wanted
    assert plan.writes == 1  # a single PUT is cheapest here


def test_wanted_duplicates_are_kept() -> None:
    current = uris("a", "b")
    wanted = uris("a", "b", "a")
    assert check(wanted, current) == 1


def test_details_change_is_one_write() -> None:
    plan = plan_sync(uris(1), uris(1), Details("Old", "same", False), Details("New", "same", False))
    assert plan.details == {"name": "New"} and plan.writes == 1 and not plan.ops


def test_html_escaped_remote_description_is_unchanged() -> None:
    plan = plan_sync([], [], Details("A", "Tom&#x27;s &amp; co", False), Details("A", "Tom's & co"))
    assert plan.is_empty


def test_none_description_equals_empty() -> None:
    plan = plan_sync([], [], Details("A", None, True), Details("A", "", True))  # type: ignore[arg-type]
    assert plan.is_empty


def test_apply_ops_rejects_oversized_batches() -> None:
    with pytest.raises(ValueError):
        apply_ops([], [Op("add", tuple(uris(*range(101))))])


def _mutate(rng: random.Random, base: list[str], pool: list[str]) -> list[str]:
    out = list(base)
    for _ in range(rng.randint(0, 6)):
        action = rng.choice(["insert", "delete", "move", "dup", "append", "block"])
        if action == "insert":
            out.insert(rng.randint(0, len(out)), rng.choice(pool))
        elif action == "delete" and out:
            out.pop(rng.randrange(len(out)))
        elif action == "move" and out:
            item = out.pop(rng.randrange(len(out)))
            out.insert(rng.randint(0, len(out)), item)
        elif action == "dup" and out:
            out.insert(rng.randint(0, len(out)), rng.choice(out))
        elif action == "append":
            out.extend(rng.sample(pool, rng.randint(1, min(len(pool), 150))))
        elif action == "block":
            start = rng.randint(0, len(out))
            del out[start : start + rng.randint(1, 120)]
    return out


@pytest.mark.parametrize("seed", range(300))
def test_random_plans_converge(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.choice([0, 1, 3, 20, 99, 100, 101, 250, 420])
    alphabet = rng.choice([5, 50, 1000])  # small alphabets make many duplicates
    pool = uris(*range(alphabet))
    current = [rng.choice(pool) for _ in range(size)]
    if rng.random() < 0.7 and alphabet >= size:
        current = rng.sample(pool, min(size, len(pool)))
    wanted = (
        _mutate(rng, current, pool)
        if rng.random() < 0.8
        else rng.sample(pool, rng.randint(0, min(300, len(pool))))
    )
    check(wanted, current)


@pytest.mark.parametrize("seed", range(100))
def test_small_edits_cost_few_writes(seed: int) -> None:
    rng = random.Random(seed)
    current = uris(*range(1000))
    wanted = list(current)
    for _ in range(3):
        action = rng.choice(["insert", "delete", "move"])
        if action == "insert":
            wanted.insert(rng.randint(0, len(wanted)), f"spotify:track:new{rng.random()}")
        elif action == "delete":
            wanted.pop(rng.randrange(len(wanted)))
        else:
            wanted.insert(rng.randint(0, len(wanted) - 1), wanted.pop(rng.randrange(len(wanted))))
    # One DELETE batch plus at most one insert per edit.
    assert check(wanted, current) <= 4


@pytest.mark.parametrize("seed", range(100))
def test_interrupted_plan_replans_to_the_same_end(seed: int) -> None:
    # A push that dies after k requests leaves some prefix of the plan applied; planning again
    # from what the remote holds must still end exactly at the wanted list.
    rng = random.Random(seed)
    pool = uris(*range(400))
    current = rng.sample(pool, rng.randint(0, 350))
    wanted = _mutate(rng, current, pool) if seed % 2 else rng.sample(pool, rng.randint(0, 350))
    plan = plan_sync(wanted, current)
    k = rng.randint(0, len(plan.ops))
    partial = apply_ops(current, plan.ops[:k])
    again = plan_sync(wanted, partial)
    assert apply_ops(partial, again.ops) == wanted
    assert plan_sync(wanted, wanted).is_empty


def test_remote_public_null_is_not_a_change() -> None:
    assert plan_sync([], [], Details("A", "", None), Details("A", "", False)).is_empty
    assert plan_sync([], [], Details("A", "", True), Details("A", "", False)).details == {
        "public": False
    }


@pytest.mark.parametrize(
    ("reported", "sent", "wanted", "write"),
    [
        (True, False, False, False),  # Spotify reports true after we sent false: trust what we sent
        (None, False, False, False),
        (True, True, False, True),  # the file changed since the last push: one write
        (False, False, True, True),
        (False, None, True, True),  # never sent (adopted by name): the report decides, once
        (True, None, True, False),
        (None, None, True, False),
    ],
)
def test_public_follows_what_was_sent_not_what_spotify_reports(
    reported: bool | None, sent: bool | None, wanted: bool, write: bool
) -> None:
    plan = plan_sync([], [], Details("A", "", reported), Details("A", "", wanted), public_sent=sent)
    assert plan.details == ({"public": wanted} if write else {})


def test_whitespace_only_description_difference_is_unchanged() -> None:
    plan = plan_sync([], [], Details("A", "Two  spaces ", False), Details("A", "Two spaces"))
    assert plan.is_empty


def test_hidden_remote_items_force_a_rewrite() -> None:
    items = uris(*range(150))
    # The remote holds the same readable list plus one entry with no item (unavailable).
    plan = plan_sync(items, items, hidden=1)
    assert plan.strategy == "rewrite" and [op.kind for op in plan.ops] == ["replace", "add"]
    assert plan.removed == 1 and plan.added == 0
    assert plan_sync([], [], hidden=2).ops == (Op("replace", ()),)


def test_an_empty_description_never_clears_spotifys() -> None:
    # Spotify answers 400 to `"description": ""`: leave it (push warns) rather than fail.
    assert plan_sync([], [], Details("A", "By hand", False), Details("A", "", False)).is_empty
    assert plan_sync([], [], Details("A", "Old", False), Details("A", "New", False)).details == {
        "description": "New"
    }


def test_local_files_in_the_remote_force_a_rewrite() -> None:
    current = [*uris(1, 2), "spotify:local:Artist:Album:Title:180", *uris(3)]
    plan = plan_sync(uris(1, 2, 3), current)
    assert plan.ops == (Op("replace", tuple(uris(1, 2, 3))),) and plan.removed == 1
