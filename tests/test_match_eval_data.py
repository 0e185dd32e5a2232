"""The hand-written match evaluation sets (benchmarks/data/eval/, the held-out
benchmarks/data/eval-holdout/, the blind benchmarks/data/eval-blind/ and the final
benchmarks/data/eval-final/) are well-formed and consistent, and the runner counts what it says.
Not the scores: those are measured by benchmarks/match_eval.py, not asserted."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from ostkit.services.catalog import read_files

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "match_eval.py"
# The data tests run on every set: the first one, the held-out one, the blind one and the final one.
SETS = ("EVAL_DIR", "HOLDOUT_DIR", "BLIND_DIR", "FINAL_DIR")


@pytest.fixture(scope="module")
def match_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location("match_eval", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["match_eval"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=SETS)
def set_dir(request: pytest.FixtureRequest, match_eval: ModuleType) -> Path:
    """The folder of one evaluation set."""
    return getattr(match_eval, request.param)


def test_the_set_has_no_problems(match_eval: ModuleType, set_dir: Path) -> None:
    data = match_eval.load_eval_set(set_dir)
    assert data.problems == []


def test_the_set_is_big_enough_and_covers_every_class(
    match_eval: ModuleType, set_dir: Path
) -> None:
    data = match_eval.load_eval_set(set_dir)
    dramas = {row["drama"] for row in data.fan_rows}
    assert len(dramas) >= 25
    assert len(data.fan_rows) >= 150
    per_class = Counter(a.cls for a in data.answers.values())
    assert set(per_class) == set(match_eval.CLASSES)
    assert min(per_class.values()) >= 5, per_class
    # Each class spans several dramas (several forms, not one case repeated).
    for cls in match_eval.CLASSES:
        in_class = {a.drama for a in data.answers.values() if a.cls == cls}
        assert len(in_class) >= 3, cls


def test_equal_right_answers_name_several_tracks(match_eval: ModuleType, set_dir: Path) -> None:
    data = match_eval.load_eval_set(set_dir)
    for a in data.answers.values():
        if a.cls == "equal_right_answers":
            assert len(data.right_ids(a)) >= 2, a.row


def test_fan_rows_import_as_one_catalog_track_each(match_eval: ModuleType, set_dir: Path) -> None:
    (batch,) = read_files([set_dir / match_eval.FANS.name])
    assert len(batch.tracks) == len(match_eval.load_eval_set(set_dir).fan_rows)


def _broken_copy(tmp_path: Path, change: str) -> Path:
    for name in ("fans.csv", "answers.csv", "spotify.json"):
        shutil.copy(BENCHMARK.parent / "data" / "eval" / name, tmp_path / name)
    answers = tmp_path / "answers.csv"
    with answers.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    first_matchable = next(r for r in rows if r["answer"] != "absent")
    if change == "unknown track":
        first_matchable["answer"] = "No Such Album #1"
    elif change == "unknown class":
        first_matchable["class"] = "easy"
    elif change == "absent in a matchable class":
        first_matchable["answer"] = "absent"
    elif change == "missing answer":
        rows.remove(first_matchable)
    with answers.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return tmp_path


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        ("unknown track", "is no track in spotify.json"),
        ("unknown class", "unknown class 'easy'"),
        ("absent in a matchable class", "does not fit answer 'absent'"),
        ("missing answer", "fans.csv:2: no answer for"),
    ],
)
def test_a_broken_set_is_reported(
    match_eval: ModuleType, tmp_path: Path, change: str, reported: str
) -> None:
    data = match_eval.load_eval_set(_broken_copy(tmp_path, change))
    assert any(reported in p for p in data.problems), data.problems


def test_a_run_counts_every_entry_once(match_eval: ModuleType) -> None:
    data = match_eval.load_eval_set()
    cls = "equal_right_answers"
    result = match_eval.run_eval(data, classes=[cls])
    f = result.overall
    expected = sum(1 for a in data.answers.values() if a.cls == cls)
    assert f.entries == expected == result.by_class[cls].entries
    assert f.accepted + f.review + f.not_found == f.entries
    assert f.right + f.wrong == f.accepted
    assert f.matchable == expected and f.absent == 0
    assert f.searches > 0  # read from the sandbox's request log
    # Every matchable entry not accepted right is listed, with absent songs accepted.
    assert len(result.misses) == f.matchable - f.right + f.false_accepts


def test_json_output(match_eval: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert match_eval.main(["--smoke", "--json", "--set", str(match_eval.EVAL_DIR)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["set"] == "eval"
    assert set(doc["by_class"]) == set(match_eval.SMOKE_CLASSES)
    assert doc["overall"]["entries"] == sum(c["entries"] for c in doc["by_class"].values())
    assert {"precision", "recall", "searches_per_entry", "rerun_changes"} <= set(doc["overall"])


def test_the_smoke_run_covers_every_set(
    match_eval: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert match_eval.main(["--smoke", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)["sets"]
    assert [d["set"] for d in docs] == [d.name for d in match_eval.SETS]
    assert all(d["overall"]["entries"] > 0 for d in docs)


@pytest.mark.parametrize("jobs", [1, 4])
def test_per_class_requests_add_up_to_the_log(match_eval: ModuleType, jobs: int) -> None:
    data = match_eval.load_eval_set()
    result = match_eval.run_eval(data, classes=["plain", "absent_cover_copy"], jobs=jobs)
    f = result.overall
    if jobs > 1:
        # Parallel workers interleave their requests: the log cannot be cut per entry.
        assert not result.per_class_requests
        return
    assert result.per_class_requests
    own = sum(c.searches + c.album_reads for c in result.by_class.values())
    assert own + result.shared_requests == f.searches + f.album_reads
