"""Drama aliases: read from TOML, CSV and JSON, kept in the catalog (a migration step), listed
and exported, found by name, and learned from the album names of accepted matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ostkit.cli import cli
from ostkit.errors import InputError
from ostkit.formats.registry import read_file
from ostkit.models import Drama
from ostkit.store.catalog import CatalogStore

ALIASES = ("Guardian: The Lonely and Great God", "Goblin: The Lonely and Great God")

TOML = """[drama]
title = "Goblin"
native_title = "도깨비"
aliases = ["Guardian: The Lonely and Great God", "Goblin: The Lonely and Great God"]

[[tracks]]
title = "Stay With Me"
artist = "Chanyeol & Punch"
"""

CSV = (
    "drama,title,artist,drama_aliases\n"
    'Goblin,Stay With Me,Chanyeol & Punch,"Guardian: The Lonely and Great God"\n'
    "Goblin,Beautiful,Crush,Goblin: The Lonely and Great God\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "text"), [("g.toml", TOML), ("g.csv", CSV)])
def test_readers_take_aliases(tmp_path: Path, name: str, text: str) -> None:
    (drama,) = read_file(_write(tmp_path, name, text)).dramas
    assert drama.aliases == ALIASES


def test_json_round_trip_keeps_aliases(tmp_path: Path) -> None:
    doc = {
        "format": "ostkit",
        "version": 1,
        "dramas": [
            {
                "title": "Goblin",
                "aliases": list(ALIASES),
                "tracks": [{"title": "T", "credits": [{"name": "A"}]}],
            }
        ],
    }
    (drama,) = read_file(_write(tmp_path, "g.json", json.dumps(doc))).dramas
    assert drama.aliases == ALIASES


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        (
            "bad.toml",
            TOML.replace('aliases = ["', 'aliases = "').replace('God"]', 'God"'),
            "aliases",
        ),
        ("bad.toml", TOML.replace('aliases = ["Guardian', 'aliases = [1, "Guardian'), "aliases"),
    ],
)
def test_bad_aliases_name_the_line(tmp_path: Path, name: str, text: str, reason: str) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(InputError) as err:
        read_file(path)
    assert str(err.value).startswith(f"{path}:") and reason in str(err.value)


def test_store_keeps_aliases_and_finds_the_drama_by_them() -> None:
    with CatalogStore.open(":memory:") as store:
        with store.transaction():
            store.save_drama(Drama("Goblin", aliases=ALIASES[:1]))
            assert store.save_drama(Drama("Goblin", aliases=ALIASES)) == "updated"
            assert store.save_drama(Drama("Goblin", aliases=ALIASES)) == "unchanged"
        assert store.find_drama("Goblin").aliases == ALIASES
        assert store.find_drama("guardian: the lonely and great god").title == "Goblin"
        with store.transaction():
            assert store.learn_drama_names("Goblin", ["도깨비", "Guardian"]) == 2
        goblin = store.find_drama("Goblin")
        assert goblin.native_title == "도깨비" and goblin.aliases == (*ALIASES, "Guardian")


def test_dramas_listing_and_export_show_aliases(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    path = _write(tmp_path, "g.toml", TOML)
    assert (
        runner.invoke(cli, ["--db", db, "import", str(path)], catch_exceptions=False).exit_code == 0
    )
    table = runner.invoke(cli, ["--db", db, "dramas"], catch_exceptions=False)
    assert "Guardian: The Lonely and Great God; Goblin: The Lonely and Great God" in table.output
    listing = runner.invoke(cli, ["--db", db, "dramas", "--format", "json"], catch_exceptions=False)
    assert json.loads(listing.stdout)[0]["aliases"] == list(ALIASES)
    csv = runner.invoke(cli, ["--db", db, "export", "--format", "csv"], catch_exceptions=False)
    header, row = csv.stdout.splitlines()[:2]
    assert "drama_aliases" in header.split(",")
    assert "Guardian: The Lonely and Great God; Goblin: The Lonely and Great God" in row
