"""The [playlist] table: parsing, validation with file:line errors, and resolve()."""

from __future__ import annotations

from pathlib import Path

import pytest

from ostkit.errors import InputError
from ostkit.models import Credit, Status, Track
from ostkit.playlists.definition import (
    TrackRef,
    adhoc_definition,
    has_playlist_table,
    load_playlist_file,
    parse_playlist_text,
)
from ostkit.playlists.plan import resolve, wanted_uris

FULL = """\
# a comment
[drama]
title = "Soundtrack #1"

[playlist]
name = "Every song"
description = "All of it."
public = true
dramas = [
    "Soundtrack #1",
    "Other Drama",
]
artists = ["Hanhae"]
parts = [1, 2]
tracks = [
    12,
    { drama = "Other Drama", title = "Song", artist = "X" },
]
exclude = [{ title = "Bad Song" }]
instrumentals = "exclude"
order = "drama_part"
allow_duplicates = true

[[tracks]]
title = "ignored here"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_table(tmp_path: Path) -> None:
    d = load_playlist_file(write(tmp_path, FULL))
    assert d.name == "Every song" and d.description == "All of it." and d.public is True
    assert d.dramas == ("Soundtrack #1", "Other Drama")
    assert d.artists == ("Hanhae",) and d.parts == (1, 2)
    assert d.tracks[0] == TrackRef(id=12, line=16)
    assert d.tracks[1].title == "Song" and d.tracks[1].line == 17
    assert d.exclude == (TrackRef(title="Bad Song", line=19),)
    assert d.instrumentals == "exclude" and d.order == "drama_part" and d.allow_duplicates
    assert d.line_of("dramas[1]") == 11
    assert has_playlist_table(write(tmp_path, FULL))


def test_defaults(tmp_path: Path) -> None:
    d = parse_playlist_text('[playlist]\nname = "X"\ndramas = ["D"]\n')
    assert (d.description, d.public, d.instrumentals, d.order) == (
        "",
        False,
        "include",
        "as_listed",
    )
    assert not d.allow_duplicates


BAD = [
    ('name = ""\ndramas = ["D"]', 2, "name is required"),
    ('dramas = ["D"]', 1, "name is required"),
    ('name = "X"\ndramas = ["D"]\ndescription = "a\\nb"', 4, "one line"),
    ('name = "X"\ndramas = ["D"]\ndescription = "' + "x" * 301 + '"', 4, "at most 300"),
    ('name = "X"\ndramas = ["D"]\npublic = "yes"', 4, "public must be true or false"),
    ('name = "X"\ndramas = "D"', 3, "dramas must be a list"),
    ('name = "X"\ndramas = [\n  "A",\n  "",\n]', 5, "dramas[1]"),
    ('name = "X"\ndramas = ["D"]\nparts = [1, "2"]', 4, "parts[1]"),
    ('name = "X"\ndramas = ["D"]\ninstrumentals = "some"', 4, "instrumentals must be one of"),
    ('name = "X"\ndramas = ["D"]\norder = "random"', 4, "order must be one of"),
    ('name = "X"\ndramas = ["D"]\ndrama = ["E"]', 4, "did you mean 'dramas'"),
    ('name = "X"', 1, "selects nothing"),
    ('name = "X"\nparts = [1]\ntracks = [1]', 3, "parts only filters"),
    (
        'name = "X"\ntracks = [\n  1,\n  { title = "A", artst = "B" },\n]',
        5,
        "unknown key 'artst' (did you mean 'artist'?)",
    ),
    ('name = "X"\ntracks = [1, { drama = "D" }]', 3, "give id = N or title"),
    ('name = "X"\ntracks = [0]', 3, "positive"),
    ('name = "X"\ntracks = [true]', 3, "track id or a table"),
]


@pytest.mark.parametrize(("body", "line", "message"), BAD, ids=[b[2] for b in BAD])
def test_errors_point_at_file_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = write(tmp_path, "[playlist]\n" + body + "\n")
    with pytest.raises(InputError) as info:
        load_playlist_file(path)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert message in str(info.value)


def test_array_of_tables_form_is_located(tmp_path: Path) -> None:
    text = '[playlist]\nname = "X"\n\n[[playlist.tracks]]\nid = 1\n\n[[playlist.tracks]]\nnme = 2\n'
    with pytest.raises(InputError, match=r"p\.toml:7: tracks\[1\]: unknown key 'nme'"):
        load_playlist_file(write(tmp_path, text))


def test_syntax_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[playlist]\nname = "X"\ndramas = [\n')
    with pytest.raises(InputError, match=r"p\.toml:\d+: TOML syntax error"):
        load_playlist_file(path)


def test_missing_table_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no \\[playlist\\] table"):
        load_playlist_file(write(tmp_path, '[drama]\ntitle = "D"\n'))
    with pytest.raises(InputError, match="no such file"):
        load_playlist_file(tmp_path / "nope.toml")


def test_adhoc_definition() -> None:
    d = adhoc_definition(["A", "B"], "Mix", public=True)
    assert d.dramas == ("A", "B") and d.public and d.path is None
    with pytest.raises(InputError, match=r"^playlist: name is required"):
        adhoc_definition(["A"], "")


# --- resolve -------------------------------------------------------------------------------


def track(
    tid: int,
    drama: str,
    title: str,
    artist: str = "Hanhae",
    part: int | None = 1,
    uri: str | None = "auto",
    status: Status = Status.MATCHED,
    version: str | None = None,
    release_date: str | None = None,
) -> Track:
    return Track(
        id=tid,
        drama=drama,
        title=title,
        credits=(Credit(artist),),
        part=part,
        spotify_uri=f"spotify:track:t{tid}" if uri == "auto" else uri,
        status=status,
        version=version,
        release_date=release_date,
    )


CATALOG = [
    track(1, "Soundtrack #1", "Love Is", release_date="2022-03-10"),
    track(2, "Soundtrack #1", "Love Is", "Hanhae", version="Inst.", release_date="2022-03-10"),
    track(3, "Soundtrack #1", "Blue Moon", "Kim Na-young", part=2, release_date="2022-03-17"),
    track(
        4,
        "Soundtrack #1",
        "Unmatched Song",
        "Yoon Mi-rae",
        part=3,
        uri=None,
        status=Status.UNMATCHED,
    ),
    track(5, "Other Drama", "Song", "X", release_date="2020-01-01"),
    track(6, "Other Drama", "Song (Instrumental)", "X"),
    track(7, "Other Drama", "Same Recording", "Hanhae", uri="spotify:track:t1"),
]


def defn(text: str):  # type: ignore[no-untyped-def]
    return parse_playlist_text('[playlist]\nname = "P"\n' + text, path="p.toml")


def ids(tracks: list[Track]) -> list[int | None]:
    return [t.id for t in tracks]


def test_resolve_dramas_in_listed_order() -> None:
    assert ids(resolve(defn('dramas = ["Other Drama", "soundtrack #1"]'), CATALOG)) == [
        5,
        6,
        7,
        1,
        2,
        3,
        4,
    ]


def test_resolve_drama_part_order_and_filters() -> None:
    d = defn('dramas = ["Other Drama", "Soundtrack #1"]\norder = "drama_part"\nparts = [1]')
    assert ids(resolve(d, CATALOG)) == [1, 2, 5, 6, 7]


def test_resolve_instrumentals() -> None:
    assert ids(
        resolve(
            defn('dramas = ["Soundtrack #1", "Other Drama"]\ninstrumentals = "exclude"'), CATALOG
        )
    ) == [1, 3, 4, 5, 7]
    assert ids(
        resolve(defn('dramas = ["Soundtrack #1", "Other Drama"]\ninstrumentals = "only"'), CATALOG)
    ) == [2, 6]


def test_resolve_artists_across_dramas_exclude_and_explicit() -> None:
    d = defn(
        'artists = ["hanhae"]\nexclude = [{ title = "Love Is", version = "Inst." }]\n'
        'tracks = [3, { title = "Song (Instrumental)" }]'
    )
    assert ids(resolve(d, CATALOG)) == [1, 7, 3, 6]


def test_resolve_orders() -> None:
    d = defn('dramas = ["Soundtrack #1", "Other Drama"]\norder = "release_date"')
    assert ids(resolve(d, CATALOG)) == [5, 1, 2, 3, 4, 6, 7]
    d = defn('dramas = ["Soundtrack #1", "Other Drama"]\norder = "title"')
    assert ids(resolve(d, CATALOG))[:2] == [3, 1]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('dramas = [\n  "Soundtrack #1",\n  "Soundtrak #2",\n]', 5, "did you mean 'Soundtrack #1'"),
        ('artists = ["Nobody"]', 3, "no catalog track is credited to 'Nobody'"),
        ("tracks = [99]", 3, "no catalog track matches track 99"),
        ('tracks = [\n  { title = "Love Is", version = "MR" },\n]', 4, "no catalog track matches"),
        ('dramas = ["Other Drama"]\nexclude = [{ title = "Nope" }]', 4, "exclude: no catalog"),
    ],
)
def test_resolve_errors_point_at_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as info:
        resolve(defn(text), CATALOG)
    assert str(info.value).startswith(f"p.toml:{line}: "), str(info.value)
    assert message in str(info.value)


def test_wanted_uris_skips_unmatched_and_duplicates() -> None:
    resolved = resolve(defn('dramas = ["Soundtrack #1", "Other Drama"]'), CATALOG)
    wanted = wanted_uris(resolved)
    assert ids(list(wanted.unmatched)) == [4]
    assert ids(list(wanted.duplicates)) == [7]
    assert wanted.uris == tuple(f"spotify:track:t{i}" for i in (1, 2, 3, 5, 6))
    assert wanted_uris(resolved, allow_duplicates=True).uris.count("spotify:track:t1") == 2


def test_review_status_is_not_playable() -> None:
    t = track(1, "D", "T", status=Status.REVIEW)
    assert wanted_uris([t]).unmatched == (t,)


def test_names_match_like_the_catalog() -> None:
    d = defn('dramas = ["SOUNDTRACK 1"]\nartists = ["kim na young"]')
    assert ids(resolve(d, CATALOG)) == [3]


# The catalog importer and this module used to parse TOML and read files each their own way; they
# disagreed on these cases. Both now use formats.tomlfile.parse_toml and formats.fields.read_text.


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param('[playlist]\nname = "X"\ndramas = [\n', 3, id="ends-too-early"),
        pytest.param('[playlist]\nname = "X\ndramas = ["D"]\n', 2, id="unclosed-string"),
    ],
)
def test_toml_syntax_errors_read_the_same_for_import_and_playlist(
    tmp_path: Path, text: str, line: int
) -> None:
    from ostkit.formats.registry import read_file

    path = write(tmp_path, text)
    with pytest.raises(InputError) as as_playlist:
        load_playlist_file(path)
    with pytest.raises(InputError) as as_catalog:
        read_file(path)
    assert str(as_playlist.value) == str(as_catalog.value)
    assert str(as_catalog.value).startswith(f"{path}:{line}: TOML syntax error: ")


def test_playlist_file_with_bom_reads_like_an_import(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_bytes(b'\xef\xbb\xbf[playlist]\nname = "X"\ndramas = ["D"]\n')
    assert load_playlist_file(path).dramas == ("D",)


def test_playlist_file_not_utf8_names_byte_and_line(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_bytes(b'[playlist]\nname = "\xff"\n')
    with pytest.raises(InputError, match=r"p\.toml:2: not UTF-8 text \(byte 0xff\)"):
        load_playlist_file(path)
