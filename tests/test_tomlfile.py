"""formats.tomlfile: the TOML parser and the line locator shared by the catalog importer and the
playlist files."""

from __future__ import annotations

import pytest

from ostkit.errors import InputError
from ostkit.formats.tomlfile import TomlLocator, parse_toml

TEXT = """\
title = "top"
[drama]
title = "D"   # a comment
"year" = 2022

[[tracks]]
title = "A"
artist = "X"

[[tracks]]
title = "B"

[ "playlist" ]
name = "P"
dramas = [
  "D",
  # a comment between elements
  "E", "F",
]
playlist.order = "title"

[[playlist.exclude]]
title = "B"
"""


@pytest.fixture
def loc() -> TomlLocator:
    return TomlLocator(TEXT)


def test_tables_and_array_entries(loc: TomlLocator) -> None:
    assert loc.table_line("drama") == 2
    assert [loc.table_line("tracks", i) for i in range(3)] == [6, 10, None]
    assert loc.table_line("playlist") == 13  # quotes and spaces in the header are ignored
    assert loc.table_line("missing") is None


def test_keys(loc: TomlLocator) -> None:
    assert loc.key_line("drama", "title") == 3
    assert loc.key_line("drama", "year") == 4  # a quoted key
    assert loc.key_line("tracks", "artist", 0) == 8
    assert loc.key_line("tracks", "artist", 1) is None  # not in the second entry
    assert loc.line_of("tracks", 1, "artist") == 10  # falls back to the entry's header
    assert loc.key_line("playlist", "order") == 20  # a dotted key
    assert loc.key_line("playlist", "exclude") == 22  # an array of tables
    assert loc.top_level_line("title") == 1


def test_array_elements(loc: TomlLocator) -> None:
    assert [loc.element_line("playlist", "dramas", i) for i in range(4)] == [16, 18, 18, None]
    assert loc.element_line("playlist", "exclude", 0) == 22


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(InputError, match=r"^f\.toml:2: TOML syntax error: "):
        parse_toml('a = 1\nb = "unclosed\n', "f.toml")
