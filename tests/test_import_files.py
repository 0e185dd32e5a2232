"""Files as fans really make them: encodings, delimiters, unknown columns, stdin, Excel's values,
Exportify repeats, hostile input; and where `export -o` writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ostkit.cli import cli
from ostkit.errors import InputError
from ostkit.formats.registry import ReadOptions, read_file


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def run(*args: str, input: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def tracks_json(home: Path) -> list[dict[str, object]]:
    result = run("tracks", "--format", "json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


HANGUL = "drama,title,artist\n호텔 델루나,그대라는 시,태연\n도깨비,첫눈처럼 너에게 가겠다,에일리\n"
KANA = "drama,title,artist\n逃げるは恥だが役に立つ,恋,星野源\nアンナチュラル,Lemon,米津玄師\n"
LATIN = "drama,title,artist\nAmélie,La Valse d'Amélie,Yann Tiersen\nCafé,Déjà vu,Beyoncé\n"


# --- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codec", "reported"),
    [
        pytest.param(HANGUL, "cp949", "cp949", id="korean-excel-cp949"),
        pytest.param(HANGUL, "euc_kr", "cp949", id="euc-kr-read-as-its-superset"),
        pytest.param(KANA, "shift_jis", "cp932", id="japanese-shift-jis"),
        pytest.param(LATIN, "latin-1", "cp1252", id="latin-1"),
        pytest.param(HANGUL, "utf-16", "utf-16", id="utf-16-with-bom"),
        pytest.param(HANGUL, "utf-8-sig", "utf-8", id="utf-8-with-bom"),
        pytest.param(HANGUL, "utf-8", "utf-8", id="utf-8"),
    ],
)
def test_encodings_are_detected(tmp_path: Path, text: str, codec: str, reported: str) -> None:
    batch = read_file(write(tmp_path, "f.csv", text.encode(codec)))
    assert batch.encoding == reported
    rows = [line.split(",") for line in text.splitlines()[1:]]
    assert [(t.drama, t.title, t.artist) for t in batch.tracks] == [tuple(r) for r in rows]


def test_import_summary_names_a_legacy_encoding(home: Path, tmp_path: Path) -> None:
    ko = write(tmp_path, "ko.csv", HANGUL.encode("cp949"))
    utf8 = write(tmp_path, "utf8.csv", KANA.encode("utf-8"))
    result = run("import", str(ko), str(utf8))
    assert result.exit_code == 0, result.output
    assert f"{ko}: 2 added, 0 updated, 0 unchanged (2 new dramas); read as cp949" in result.stderr
    assert f"{utf8}: 2 added, 0 updated, 0 unchanged (2 new dramas)\n" in result.stderr
    assert {t["title"] for t in tracks_json(home)} >= {"그대라는 시", "恋"}


def test_encoding_option_with_a_bom_file(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", HANGUL.encode("utf-8-sig"))
    batch = read_file(path, options=ReadOptions(encoding="utf-8"))
    assert batch.tracks[0].drama == "호텔 델루나"


def test_encoding_option_overrides_detection(home: Path, tmp_path: Path) -> None:
    # Two bytes that are Hangul in CP949 and two Latin letters in CP1252: only the user knows.
    path = write(tmp_path, "x.csv", "drama,title,artist\nD,가,A\n".encode("cp949"))
    result = run("import", "--encoding", "latin-1", str(path))
    assert result.exit_code == 0, result.output
    assert "read as iso8859-1" in result.stderr
    assert tracks_json(home)[0]["title"] == "°¡"


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        # a name no codec has is a bad option value (usage); a file that does not decode, an error
        (["--encoding", "klingon"], "Error: unknown encoding 'klingon'", 2),
        (["--encoding", "utf-8"], "Error: {path}:2: not valid utf-8 text (byte 0xc5)", 1),
    ],
)
def test_bad_encoding_option(
    home: Path, tmp_path: Path, args: list[str], message: str, code: int
) -> None:
    path = write(tmp_path, "x.csv", HANGUL.encode("cp949"))
    result = run("import", *args, str(path))
    assert result.exit_code == code
    assert result.stderr.startswith(message.format(path=path))
    assert len(result.stderr.splitlines()) == 1


def test_undecidable_encoding_suggests_the_option(home: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "noise.csv", bytes(range(256)) * 3)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: cannot tell the text encoding (not UTF-8, nor a likely spreadsheet "
        "encoding); name it with --encoding, e.g. --encoding cp949\n"
    )
    assert not (home / "catalog.db").exists()


# --- delimiters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "drama;title;artist;duration\nGoblin;Stay With Me;Chanyeol & Punch;3:53\n",
            id="semicolon",
        ),
        pytest.param(
            "drama\ttitle\tartist\tduration\nGoblin\tStay With Me\tChanyeol & Punch\t3:53\n",
            id="tab",
        ),
        pytest.param(
            '"drama";"title";"artist";"duration"\n"Goblin";"Stay With Me";'
            '"Chanyeol & Punch";"3:53"\n',
            id="quoted-semicolon",
        ),
        pytest.param(
            'drama,title,artist,duration\nGoblin,"Stay; With; Me",Chanyeol & Punch,3:53\n',
            id="comma-with-semicolons-in-cells",
        ),
    ],
)
def test_delimiter_is_read_from_the_header(tmp_path: Path, text: str) -> None:
    (track,) = read_file(write(tmp_path, "f.csv", text.encode())).tracks
    assert (track.drama, track.duration_ms) == ("Goblin", 233_000)
    assert [c.name for c in track.credits] == ["Chanyeol", "Punch"]
    assert track.title.replace(";", "") == "Stay With Me"


def test_semicolon_exportify_file(tmp_path: Path) -> None:
    text = (
        "Track URI;Track Name;Artist Name(s);Album Name\n"
        "spotify:track:4uLU6hMCjMI75M1A2tKUQC;My Love;Kim Jong-kook;Soundtrack #1 OST Part 4\n"
    )
    batch = read_file(write(tmp_path, "e.csv", text.encode()), drama="Soundtrack #1")
    assert batch.kind == "exportify"
    assert batch.tracks[0].title == "My Love"


# --- unknown columns --------------------------------------------------------------------------


UNKNOWN = "drama,title,notes,artist,rating,notes\nGoblin,Beautiful,love it,Crush,5,again\n"


def test_unknown_columns_are_ignored_with_one_warning(home: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "fan.csv", UNKNOWN.encode())
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [
        f"Warning: {path}:1: ignored 2 columns ostkit does not know: 'notes', 'rating' "
        "(--strict refuses the file instead)"
    ]
    (track,) = tracks_json(home)
    assert (track["title"], track["artist"]) == ("Beautiful", "Crush")


def test_strict_refuses_unknown_columns(home: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "fan.csv", UNKNOWN.encode())
    result = run("import", "--strict", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}:1: unknown column 'notes' (known: drama, ")
    assert not (home / "catalog.db").exists()


def test_known_column_twice_is_still_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", b"drama,title,artist,title\nD,T,A,U\n")
    with pytest.raises(InputError, match=r"f\.csv:1: column 'title' appears twice"):
        read_file(path)


# --- stdin ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "args"),
    [
        pytest.param(b"drama,title,artist\nGoblin,Beautiful,Crush\n", [], id="csv-sniffed"),
        pytest.param(
            b'# a catalog file\n[drama]\ntitle = "Goblin"\n[[tracks]]\ntitle = "Beautiful"\n'
            b'artist = "Crush"\n',
            [],
            id="toml-sniffed",
        ),
        pytest.param(
            json.dumps(
                {
                    "format": "ostkit",
                    "version": 1,
                    "dramas": [
                        {
                            "title": "Goblin",
                            "tracks": [{"title": "Beautiful", "credits": [{"name": "Crush"}]}],
                        }
                    ],
                }
            ).encode(),
            [],
            id="json-sniffed",
        ),
        pytest.param(
            "drama;title;artist\nGoblin;Beautiful;Crush\n".encode("utf-16"),
            [],
            id="utf16-semicolon",
        ),
    ],
)
def test_import_dash_reads_stdin(home: Path, data: bytes, args: list[str]) -> None:
    result = run("import", *args, "-", input=data)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("<stdin>: 1 added")
    (track,) = tracks_json(home)
    assert (track["drama"], track["title"], track["artist"]) == ("Goblin", "Beautiful", "Crush")


def test_stdin_errors_name_stdin(home: Path) -> None:
    result = run("import", "--format", "toml", "-", input=b"drama,title,artist\nD,T,A\n")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: <stdin>:1: TOML syntax error")


def test_stdin_only_once(home: Path) -> None:
    result = run("import", "-", "-", input=b"drama,title,artist\nD,T,A\n")
    assert result.exit_code == 2
    assert "standard input (-) can be read only once" in result.stderr


def test_format_option_overrides_the_extension(home: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "list.txt",
        b'[drama]\ntitle = "Goblin"\n[[tracks]]\ntitle = "B"\nartist = "Crush"\n',
    )
    result = run("import", "--format", "toml", str(path))
    assert result.exit_code == 0, result.output
    assert tracks_json(home)[0]["drama"] == "Goblin"


def test_read_options_default_reads_like_before(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", b"drama,title,artist\nD,T,A\n")
    assert read_file(path).tracks == read_file(path, options=ReadOptions()).tracks


# --- Excel's conversions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "ms"),
    [
        pytest.param("3:53:00", 233_000, id="excel-time-of-a-typed-m:ss"),
        pytest.param("1:05:00", 65_000, id="excel-time-one-minute"),
        pytest.param("0:03:53", 233_000, id="h:mm:ss-under-an-hour"),
        pytest.param("3:53", 233_000, id="m:ss"),
        pytest.param("59:59", 3_599_000, id="longest-m:ss"),
        pytest.param("233", 233_000, id="seconds"),
    ],
)
def test_excel_durations(tmp_path: Path, cell: str, ms: int) -> None:
    path = write(tmp_path, "f.csv", f"drama,title,artist,duration\nD,T,A,{cell}\n".encode())
    assert read_file(path).tracks[0].duration_ms == ms


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        pytest.param("1:02:03", "no song lasts an hour or more", id="over-an-hour"),
        pytest.param("75:00", "no song lasts an hour or more", id="75-minutes"),
        pytest.param("3600", "no song lasts an hour or more", id="an-hour-of-seconds"),
        pytest.param("0:00", "a song lasts longer than that", id="zero"),
        pytest.param("9223372036854775808", "bad duration", id="2**63"),
        pytest.param("9" * 5000, "bad duration", id="5000-digits"),
    ],
)
def test_durations_no_song_has_are_refused_with_a_hint(
    tmp_path: Path, cell: str, reason: str
) -> None:
    path = write(tmp_path, "f.csv", f"drama,title,artist,duration\nD,T,A,{cell}\n".encode())
    with pytest.raises(InputError) as err:
        read_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}:2: duration: bad duration ")
    assert reason in message and len(message) < 300


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("2016.12.03", "2016-12-03"),
        ("2016/12/03", "2016-12-03"),
        ("2016.12.03.", "2016-12-03"),
        ("2016.1.5", "2016-01-05"),
        ("2016-12", "2016-12"),
        ("2016", "2016"),
    ],
)
def test_dates_as_spreadsheets_write_them(tmp_path: Path, cell: str, stored: str) -> None:
    path = write(tmp_path, "f.csv", f"drama,title,artist,release_date\nD,T,A,{cell}\n".encode())
    assert read_file(path).tracks[0].release_date == stored


@pytest.mark.parametrize("cell", ["2016.12-03", "2016/02/30", "16.12.03", "2016.13"])
def test_bad_dates_still_refused(tmp_path: Path, cell: str) -> None:
    path = write(tmp_path, "f.csv", f"drama,title,artist,release_date\nD,T,A,{cell}\n".encode())
    with pytest.raises(InputError, match=rf"f\.csv:2: release_date: bad date '{cell}'"):
        read_file(path)


# --- Exportify --------------------------------------------------------------------------------

EXPORTIFY_HEADER = "Track URI,Track Name,Artist Name(s),Album Name,Track Duration (ms)\n"
STAY = "spotify:track:4uLU6hMCjMI75M1A2tKUQC"
BEAUTIFUL = "spotify:track:1GrLfs4TEvAZ86HVzXHchS"


def test_exportify_song_added_twice_is_imported_once(home: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.csv",
        (
            EXPORTIFY_HEADER
            + f'{STAY},Stay With Me,"Chanyeol\\, Punch",Goblin OST Part 1,233000\n'
            + f"{BEAUTIFUL},Beautiful,Crush,Goblin OST Part 4,\n"
            + f'{STAY},Stay With Me,"Chanyeol\\, Punch",Goblin OST Part 1,233000\n'
        ).encode(),
    )
    result = run("import", "--drama", "Goblin", str(path))
    assert result.exit_code == 0, result.output
    assert (
        f"Warning: {path}: the playlist has 1 song(s) more than once (line 4 repeats line 2); "
        "each is imported once"
    ) in result.stderr
    assert f"{path}: 2 added" in result.stderr
    rows = tracks_json(home)
    assert [(r["title"], r["part"]) for r in rows] == [("Stay With Me", 1), ("Beautiful", 4)]


def test_exportify_part_comes_from_the_album_like_link_import(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.csv",
        (
            EXPORTIFY_HEADER
            + f"{STAY},Stay With Me,Chanyeol,Goblin (Original Television Soundtrack) Pt. 1,1\n"
            + f"{BEAUTIFUL},Beautiful,Crush,Best of Crush Vol. 2,1\n"
            + "spotify:track:2GrLfs4TEvAZ86HVzXHchS,Love,B,Goblin OST Special Part 3,1\n"
        ).encode(),
    )
    parts = [t.part for t in read_file(path, drama="Goblin").tracks]
    assert parts == [1, None, 3]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [("0", "bad duration '0'"), ("9223372036854775808", "bad duration"), ("3:53", "bad")],
)
def test_exportify_bad_durations(tmp_path: Path, cell: str, reason: str) -> None:
    path = write(tmp_path, "e.csv", (EXPORTIFY_HEADER + f"{STAY},S,C,A,{cell}\n").encode())
    with pytest.raises(InputError, match=r"e\.csv:2: Track Duration \(ms\): " + reason):
        read_file(path, drama="D")


# --- hostile input ----------------------------------------------------------------------------

BIG = "9223372036854775808"  # 2**63: past SQLite's integers


def _json(track: str) -> str:
    return (
        '{"format": "ostkit", "version": 1, "dramas": [\n'
        ' {"title": "D", "tracks": [\n'
        '  {"title": "Fine", "credits": [{"name": "A"}]},\n'
        f"  {track}]}}]}}\n"
    )


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        pytest.param(
            "p.csv", f"drama,title,artist,part\nD,T,A,{BIG}\n", ":2: part: bad part", id="csv-part"
        ),
        pytest.param(
            "p.toml",
            f'[drama]\ntitle = "D"\n[[tracks]]\ntitle = "T"\nartist = "A"\npart = {BIG}\n',
            ":6: part: bad part",
            id="toml-part",
        ),
        pytest.param(
            "d.toml",
            f'[drama]\ntitle = "D"\n[[tracks]]\ntitle = "T"\nartist = "A"\nduration = {BIG}\n',
            ":6: duration: bad duration",
            id="toml-duration",
        ),
        pytest.param(
            "0.toml",
            '[drama]\ntitle = "D"\n[[tracks]]\ntitle = "T"\nartist = "A"\npart = 0\n',
            ":6: part: bad part '0'",
            id="toml-part-0",
        ),
        pytest.param(
            "p.json",
            _json('{"title": "T",\n   "credits": [{"name": "A"}],\n   "part": ' + BIG + "}"),
            ":6: dramas[0].tracks[1].part: bad part",
            id="json-part",
        ),
        pytest.param(
            "0.json",
            _json('{"title": "T",\n   "credits": [{"name": "A"}],\n   "part": 0}'),
            ":6: dramas[0].tracks[1].part: bad part '0'",
            id="json-part-0",
        ),
        pytest.param(
            "d.json",
            _json('{"title": "T", "credits": [{"name": "A"}],\n   "duration_ms": ' + BIG + "}"),
            ":5: dramas[0].tracks[1].duration_ms: bad duration",
            id="json-duration",
        ),
        pytest.param(
            "u.json",
            _json('{"title": "T", "spotify_uri": "x",\n   "credits": [{"name": "A"}]}'),
            ":4: dramas[0].tracks[1].spotify_uri: not a Spotify track",
            id="json-names-the-real-field",
        ),
        pytest.param(
            "s.json",
            _json('{"title": "T\\ud800", "credits": [{"name": "A"}]}'),
            ":4: dramas[0].tracks[1].title: holds a lone surrogate (U+D800)",
            id="json-lone-surrogate",
        ),
        pytest.param(
            "c.json",
            _json('{"title": "T",\n   "credits": [{"name": "A\\udfff"}]}'),
            ":5: dramas[0].tracks[1].credits[0].name: holds a lone surrogate (U+DFFF)",
            id="json-lone-surrogate-in-a-credit",
        ),
        pytest.param(
            "r.json",
            _json('{"title": "T",\n   "credits": [{"name": "A", "role": "lead"}]}'),
            ":5: dramas[0].tracks[1].credits[0].role: must be main or featured",
            id="json-credit-role",
        ),
        pytest.param(
            "n.json",
            '{"format": "ostkit",\n "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
            ":2: nested more than 64 levels deep",
            id="json-100000-deep",
        ),
        pytest.param(
            "n.toml",
            '[drama]\ntitle = "D"\n\nx = ' + "[" * 100_000 + "]" * 100_000 + "\n",
            ":4: arrays or tables nested more than 64 levels deep",
            id="toml-100000-deep",
        ),
        pytest.param(
            "t.toml",
            '[drama]\ntitle = "D"\nx = ' + "{a = " * 100_000 + "1" + "}" * 100_000 + "\n",
            ":3: arrays or tables nested more than 64 levels deep",
            id="toml-100000-deep-tables",
        ),
        pytest.param(
            "b.json",
            '{"format": "ostkit",\n "version": ' + "9" * 4301 + "}",
            ":2: invalid JSON: Exceeds the limit (4300 digits)",
            id="json-4301-digits",
        ),
        pytest.param(
            "b.toml",
            '[drama]\ntitle = "D"\nyear = ' + "9" * 4301 + "\n",
            ":3: TOML value error: Exceeds the limit (4300 digits)",
            id="toml-4301-digits",
        ),
    ],
)
def test_hostile_input_is_one_error_line(
    home: Path, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}{expected}"), result.stderr[:300]
    assert len(result.stderr.splitlines()) == 1 and len(result.stderr) < 400
    assert not (home / "catalog.db").exists()


def test_unbalanced_bidi_overrides_are_dropped(home: Path, tmp_path: Path) -> None:
    text = (
        "drama,title,artist\n"
        "D,\u202eevil,A\u2067\n"  # an override and an isolate left open
        "D,in \u202bRTL\u202c order,B\u202c\n"  # a closed embedding stays; a lone PDF goes
    )
    result = run("import", str(write(tmp_path, "b.csv", text.encode())))
    assert result.exit_code == 0, result.output
    rows = tracks_json(home)
    assert [(r["title"], r["artist"]) for r in rows] == [
        ("evil", "A"),
        ("in \u202bRTL\u202c order", "B"),
    ]


# --- export -o --------------------------------------------------------------------------------


@pytest.fixture
def catalog(home: Path, tmp_path: Path) -> Path:
    path = write(tmp_path, "in.csv", b"drama,title,artist\nGoblin,Beautiful,Crush\n")
    assert run("import", str(path)).exit_code == 0
    return home


def test_export_keeps_the_target_permissions(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    out.chmod(0o640)
    result = run("export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Goblin,,,,,,Beautiful" in out.read_text()
    assert out.stat().st_mode & 0o777 == 0o640


def test_export_new_file_follows_the_umask(catalog: Path, tmp_path: Path) -> None:
    import os

    old = os.umask(0o027)
    try:
        result = run("export", "-o", str(tmp_path / "new.csv"))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o640


def test_export_through_a_symlink_writes_the_file_it_points_to(
    catalog: Path, tmp_path: Path
) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "list.csv"
    real.write_text("old\n")
    real.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(Path("real") / "list.csv")  # relative, as `ln -s` makes them
    result = run("export", "-o", str(link))
    assert result.exit_code == 0, result.output
    assert f"to {link}" in result.stderr
    assert link.is_symlink() and link.readlink() == Path("real") / "list.csv"
    assert "Beautiful" in real.read_text()
    assert real.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in real_dir.iterdir()) == ["list.csv"]  # no temp file left


def test_export_through_a_dangling_symlink_creates_its_target(
    catalog: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "made.csv")
    assert run("export", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and "Beautiful" in (tmp_path / "made.csv").read_text()


def test_export_to_a_fifo_writes_in_place(catalog: Path, tmp_path: Path) -> None:
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("export", "-o", str(fifo))
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert b"Beautiful" in received[0]
    assert fifo.exists() and not fifo.is_file()


NATIVE_CATALOG = (
    "drama,title,title_ko,artist,artist_ko,part\n"
    "Hotel del Luna,All About You,그대라는 시,Taeyeon,태연,3\n"
    "Hotel del Luna,Remember Me,,Oh Hyuk,오혁,1\n"
)
NATIVE_EXPORTIFY = (
    EXPORTIFY_HEADER + f"{STAY},그대라는 시,태연,호텔 델루나 OST Part.3,227000\n"
    f"{BEAUTIFUL},새 노래,태연,호텔 델루나 OST Part.9,200000\n"
)


@pytest.mark.parametrize("together", [False, True], ids=["two-imports", "one-import"])
def test_exportify_row_in_the_native_title_updates_the_catalog_track(
    home: Path, tmp_path: Path, together: bool
) -> None:
    catalog_file = write(tmp_path, "c.csv", NATIVE_CATALOG.encode())
    exportify_file = write(tmp_path, "e.csv", NATIVE_EXPORTIFY.encode())
    if together:
        result = run("import", "--drama", "Hotel del Luna", str(catalog_file), str(exportify_file))
    else:
        assert run("import", str(catalog_file)).exit_code == 0
        result = run("import", "--drama", "Hotel del Luna", str(exportify_file))
    assert result.exit_code == 0, result.output
    assert f"{exportify_file}: 1 added, 1 updated, 0 unchanged" in result.stderr
    rows = {r["id"]: r for r in tracks_json(home)}
    assert (rows[1]["title"], rows[1]["native_title"]) == ("All About You", "그대라는 시")
    assert (rows[1]["spotify_uri"], rows[1]["status"], rows[1]["duration_ms"]) == (
        STAY,
        "pinned",
        227_000,
    )
    assert rows[3]["title"] == "새 노래" and rows[3]["part"] == 9  # no catalog twin: a new track
    again = run("import", "--drama", "Hotel del Luna", str(exportify_file))
    assert f"{exportify_file}: 0 added, 0 updated, 2 unchanged" in again.stderr


def test_add_refuses_an_argument_that_is_not_text(home: Path) -> None:
    # An argument whose bytes are not UTF-8 reaches Python as a lone surrogate.
    result = run("add", "--drama", "D", "--title", "x\udcff", "--artist", "A")
    assert result.exit_code == 2  # a bad option value is a usage error
    assert result.stderr == "Error: --title: holds a lone surrogate (U+DCFF), which is not text\n"
