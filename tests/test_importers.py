"""Readers (CSV, Exportify, TOML, JSON) and the name rules they rely on (names.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ostkit.errors import InputError
from ostkit.formats.fields import (
    neutralise,
    parse_isrc,
    unneutralise,
)
from ostkit.formats.registry import read_file
from ostkit.models import Credit, Status

FIXTURES = Path(__file__).parent / "fixtures" / "catalog"
URI = "spotify:track:4uLU6hMCjMI75M1A2tKUQC"


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_isrc() -> None:
    assert parse_isrc("kr-a40-21-00123") == "KRA402100123"
    with pytest.raises(ValueError, match="ISRC"):
        parse_isrc("KRA4021")


@pytest.mark.parametrize("cell", ["=1+2", "+82", "-x", "@SUM(A1)", "\tx", "\rx", "'=x", "''@y"])
def test_formula_neutralisation_round_trips(cell: str) -> None:
    safe = neutralise(cell)
    assert safe.startswith("'")
    assert unneutralise(safe) == cell


@pytest.mark.parametrize("cell", ["Kyuhyun", "'quoted'", "", "a=b"])
def test_plain_cells_untouched(cell: str) -> None:
    assert neutralise(cell) == cell
    assert unneutralise(cell) == cell


# --- CSV --------------------------------------------------------------------------------------


def test_csv_all_columns(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "osts.csv",
        "\ufeffDrama,Part,Title,Title_KO,Artist,Artist_KO,Album,Duration,ISRC,Spotify_URI,Year,"
        "Network,Version\n"
        "Soundtrack #1,1,Love Beyond Words,사랑은 말로 표현하는게 아니래요,Kyuhyun,규현,,3:59,,,"
        "2022,Disney+,\n"
        "Soundtrack #1,1,Love Beyond Words,,Kyuhyun,,,,,"
        f"https://open.spotify.com/track/{URI.rsplit(':', 1)[1]},,,Inst.\n"
        '"Other Drama",Part 2,"Song, with comma",,"Epik High feat. Lee Hi","에픽하이; 이하이",,225,'
        "KR-A40-21-00123,,,,\n",
    )
    batch = read_file(path)
    assert batch.kind == "csv"
    assert [d.title for d in batch.dramas] == ["Soundtrack #1", "Other Drama"]
    assert batch.dramas[0].year == 2022 and batch.dramas[0].network == "Disney+"
    first, inst, other = batch.tracks
    assert first.native_title == "사랑은 말로 표현하는게 아니래요"
    assert first.credits == (Credit("Kyuhyun", "main", "규현"),)
    assert first.duration_ms == 239_000 and first.status is Status.UNMATCHED
    assert inst.version == "Inst." and inst.spotify_uri == URI and inst.status is Status.PINNED
    assert other.part == 2 and other.title == "Song, with comma"
    assert other.credits == (
        Credit("Epik High", "main", "에픽하이"),
        Credit("Lee Hi", "featured", "이하이"),
    )
    assert other.isrc == "KRA402100123" and other.duration_ms == 225_000


def test_control_characters_are_dropped(tmp_path: Path) -> None:
    """They are never part of a name, and XML (XSPF export) cannot hold most of them."""
    path = _write(
        tmp_path, "ctrl.csv", "drama,title,artist,album\nD\x00,A\x01B,C\x7fD & 이\x1b하이,\x85x\n"
    )
    (track,) = read_file(path).tracks
    assert (track.drama, track.title, track.album) == ("D", "AB", "x")
    assert [c.name for c in track.credits] == ["CD", "이하이"]


def test_csv_crlf_and_multiline_cells_keep_line_numbers(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "x.csv",
        'drama,title,artist\r\nD,"two\r\nline title",A\r\nD,ok,B\r\nD,,C\r\n',
    )
    with pytest.raises(InputError) as err:
        read_file(path)
    assert str(err.value) == f"{path}:5: title: empty title"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("drama,title\nD,T\n", 1, "missing required column 'artist'"),
        ("drama,title,artist\nD,,A\n", 2, "title: empty title"),
        ("drama,title,artist\nD,T,\n", 2, "artist: empty artist"),
        ("drama,title,artist\n,T,A\n", 2, "drama: empty drama"),
        ("drama,title,artist,duration\nD,T,A,3:75\n", 2, "duration: bad duration '3:75'"),
        ("drama,title,artist,spotify_uri\nD,T,A,spotify:track:123\n", 2, "not a Spotify track"),
        ("drama,title,artist,part\nD,T,A,zero\n", 2, "bad part"),
        ("drama,title,artist,year\nD,T,A,22\n", 2, "bad year"),
        ("drama,title,artist,isrc\nD,T,A,XX\n", 2, "malformed ISRC"),
        ("drama,title,artist,release_date\nD,T,A,2022-02-30\n", 2, "bad date"),
        ("drama,title,artist,artist_ko\nD,T,A & B,에이\n", 2, "artist_ko: 1 native name(s) for 2"),
        ("drama,title,artist\nD,T,A\nD,T,A,extra\n", 3, "4 cells but the header has 3"),
        (
            "drama,title,artist\nD,My Love,A\nD,x,B\nd,MY LOVE!,a\n",
            4,
            "duplicate row: same drama, title, version and artist as line 2",
        ),
        (
            "drama,title,artist,year\nD,T,A,2022\nD,U,B,2021\n",
            3,
            "year of drama 'D' is 2021 here but 2022 on line 2",
        ),
        ('drama,title,artist\nD,"unclosed,A\n', None, "malformed CSV"),
        ("", None, "empty file"),
    ],
)
def test_csv_errors_name_file_line_and_reason(
    tmp_path: Path, text: str, line: int | None, reason: str
) -> None:
    path = _write(tmp_path, "bad.csv", text)
    with pytest.raises(InputError) as err:
        read_file(path)
    message = str(err.value)
    prefix = f"{path}:{line}: " if line else f"{path}"
    assert message.startswith(prefix), message
    assert reason in message
    assert "\n" not in message


def test_non_utf8_toml_file_names_file_and_line(tmp_path: Path) -> None:
    # TOML is UTF-8 by its specification: no guessing (a CSV in Latin-1 is read, see
    # test_import_files.py).
    path = _write(tmp_path, "latin1.toml", '[drama]\ntitle = "Café"\n'.encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.toml:2: not UTF-8 text \(byte 0xe9\)"):
        read_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        read_file(tmp_path / "nope.csv")


def test_formula_cells_read_back(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.csv", "drama,title,artist\nD,'=1+2,'@Home\n")
    (track,) = read_file(path).tracks
    assert (track.title, track.artist) == ("=1+2", "@Home")


# --- Exportify --------------------------------------------------------------------------------


def test_exportify_file_is_detected_and_read() -> None:
    batch = read_file(FIXTURES / "exportify.csv", drama="Soundtrack #1")
    assert batch.kind == "exportify"
    first, second = batch.tracks
    assert first.drama == "Soundtrack #1"
    assert first.spotify_uri == "spotify:track:1GrLfs4TEvAZ86HVzXHchS"
    assert first.status is Status.PINNED
    assert first.duration_ms == 239_373 and first.isrc == "KRA402100123"
    assert first.release_date == "2021-12-30"
    assert second.credits == (Credit("Chanyeol"), Credit("Punch, Jr."))


def test_exportify_without_drama_asks_for_one() -> None:
    with pytest.raises(InputError, match=r"exportify\.csv:2: .*--drama"):
        read_file(FIXTURES / "exportify.csv")


def test_modern_exportify_layout(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "e.csv",
        '"Track URI","Track Name","Album Name","Artist Name(s)","Release Date","Duration (ms)",'
        '"Popularity","Explicit","Added By","Added At","Genres","Record Label"\n'
        f'"{URI}","My Love","Soundtrack #1 OST Part 4","Kim Jong-kook","2022-01-27","215000",'
        '"10","false","","","",""\n',
    )
    (t,) = read_file(path, drama="Soundtrack #1").tracks
    assert (t.title, t.artist, t.album, t.duration_ms) == (
        "My Love",
        "Kim Jong-kook",
        "Soundtrack #1 OST Part 4",
        215_000,
    )


# --- TOML -------------------------------------------------------------------------------------


def test_shipped_soundtrack_file() -> None:
    batch = read_file(Path(__file__).parents[1] / "playlists" / "soundtrack-1.toml")
    (drama,) = batch.dramas
    assert drama.title == "Soundtrack #1" and drama.native_title == "사운드트랙 #1"
    assert (drama.network, drama.release_date, drama.year) == ("Disney+", "2022-03-23", 2022)
    assert (drama.director, drama.writer) == ("Kim Hee-won", "Ahn Sae-bom")
    assert [(c.actor, c.role) for c in drama.cast] == [
        ("Park Hyung-sik", "Han Seon-woo"),
        ("Han So-hee", "Lee Eun-soo"),
    ]
    got = [
        (t.part, t.artist, t.credits[0].native_name, t.title, t.native_title, t.release_date)
        for t in batch.tracks
    ]
    assert got == [
        (
            1,
            "Kyuhyun",
            "규현",
            "Love Beyond Words",
            "사랑은 말로 표현하는게 아니래요",
            "2021-12-30",
        ),
        (2, "Park Bo-ram", "박보람", "Want to Be Happy", "행복해지고 싶어", "2022-01-06"),
        (
            3,
            "DAVICHI",
            "다비치",
            "Your Tender Heart Hurts Me",
            "소녀 같은 맘을 가진 그댈 생각하면 아파요",
            "2022-01-20",
        ),
        (4, "Kim Jong-kook", "김종국", "My Love", None, "2022-01-27"),
        (5, "Kim Jae-hwan", "김재환", "Talk To Me", "나에게 말해요", "2022-02-06"),
        (7, "DOYOUNG of NCT", "도영", "A Little More", "아주 조금만 더", "2022-02-22"),
    ]
    # Unknown facts stay empty; Standing Egg's part is left out.
    assert all(
        t.album is None and t.duration_ms is None and t.spotify_uri is None for t in batch.tracks
    )
    assert 6 not in [p.number for p in batch.parts]


TOML_OK = """\
[drama]
title = "D"

[[tracks]]
title = "T"
artist = "A"

[[tracks]]
title = "U"
artist = "B"
duration = 215
"""


def test_toml_ignores_playlist_table(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.toml", TOML_OK + '\n[playlist]\nname = "x"\nanything = 1\n')
    batch = read_file(path)
    assert [t.title for t in batch.tracks] == ["T", "U"]
    assert batch.tracks[1].duration_ms == 215_000


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('[drama]\ntitle = "D"\n[[tracks]]\ntitle = "T\nartist = "A"\n', 4, "TOML syntax error"),
        (TOML_OK.replace("duration = 215", 'duration = "3:99"'), 11, "duration: bad duration"),
        (TOML_OK.replace('title = "U"', 'title = ""'), 9, "title: empty title"),
        (TOML_OK.replace('artist = "B"\n', ""), 8, "artist: missing artist"),
        (
            TOML_OK.replace('artist = "B"', 'artist = "B"\ncolour = "red"'),
            11,
            "unknown key 'colour'",
        ),
        (
            TOML_OK.replace('title = "U"\nartist = "B"', 'title = "t"\nartist = "a"'),
            8,
            "duplicate row: same drama, title, version and artist as line 4",
        ),
        (TOML_OK + "[extra]\nx = 1\n", 12, "unknown top-level key 'extra'"),
        ('[[tracks]]\ntitle = "T"\nartist = "A"\n', 1, "drama: empty drama"),
        (TOML_OK.replace('artist = "A"', 'artist = ["A"]'), 6, "artist must be a string"),
    ],
)
def test_toml_errors(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = _write(tmp_path, "bad.toml", text)
    with pytest.raises(InputError) as err:
        read_file(path)
    assert str(err.value).startswith(f"{path}:{line}: "), str(err.value)
    assert reason in str(err.value)


# --- JSON -------------------------------------------------------------------------------------


def test_json_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"x\.json:2: invalid JSON"):
        read_file(_write(tmp_path, "x.json", '{\n  "format": }'))
    with pytest.raises(InputError, match="not an ostkit JSON export"):
        read_file(_write(tmp_path, "y.json", "[]"))
    bad = (
        '{"format": "ostkit", "version": 1, "dramas": [{"title": "D", "tracks": '
        '[{"title": "T", "credits": [{"name": "A"}], "status": "great"}]}]}'
    )
    with pytest.raises(InputError, match=r"dramas\[0\]\.tracks\[0\]\.status: unknown status"):
        read_file(_write(tmp_path, "z.json", bad))


def test_playlist_only_toml_has_nothing_to_import(tmp_path: Path) -> None:
    batch = read_file(_write(tmp_path, "p.toml", '[playlist]\nname = "x"\n'))
    assert (batch.dramas, batch.parts, batch.tracks) == ((), (), ())
