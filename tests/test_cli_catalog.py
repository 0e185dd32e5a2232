"""`ostkit import/add/rm/dramas/tracks/artists/export` end to end, with a real catalog file."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ostkit.cli import cli
from ostkit.cli.output import TABLE_FORMATS
from ostkit.models import Status
from ostkit.store.catalog import CatalogStore

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "catalog"
SOUNDTRACK = ROOT / "playlists" / "soundtrack-1.toml"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def ok(*args: str, input: str | None = None) -> Result:
    result = run(*args, input=input)
    assert result.exit_code == 0, result.output
    return result


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_quick_start(home: Path) -> None:
    result = ok("import", str(SOUNDTRACK))
    assert "6 added, 0 updated, 0 unchanged (1 new drama)" in result.stderr
    assert result.stdout == ""
    assert (home / "catalog.db").exists()
    out = ok("artists", "Soundtrack #1").stdout
    for name in ("Kyuhyun", "Park Bo-ram", "DAVICHI", "Kim Jong-kook", "Kim Jae-hwan", "DOYOUNG"):
        assert name in out
    assert "Standing Egg" not in out
    again = ok("import", str(SOUNDTRACK))
    assert "0 added, 0 updated, 6 unchanged" in again.stderr


def test_quick_start_command_with_python_m(tmp_path: Path) -> None:
    env = {**os.environ, "OSTKIT_HOME": str(tmp_path)}
    for args in (["import", str(SOUNDTRACK)], ["artists", "Soundtrack #1"]):
        proc = subprocess.run(
            [sys.executable, "-m", "ostkit", *args], env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
    assert "박보람" in proc.stdout


def test_listings_json_shapes(home: Path) -> None:
    ok("import", str(SOUNDTRACK), str(FIXTURES / "osts.csv"))
    tracks = json.loads(ok("tracks", "--format", "json").stdout)
    assert {"id", "drama", "title", "artist", "spotify_uri", "status", "score"} <= set(tracks[0])
    assert [t["drama"] for t in tracks][:1] == ["Goblin"]
    statuses = {t["status"] for t in tracks}
    assert statuses <= {s.value for s in Status}
    pinned = json.loads(ok("tracks", "--status", "pinned", "--format", "json").stdout)
    assert [t["title"] for t in pinned] == ["Stay With Me"]
    by_artist = json.loads(ok("tracks", "--artist", "PUNCH", "--format", "json").stdout)
    assert len(by_artist) == 2
    st1 = json.loads(ok("tracks", "--drama", "soundtrack #1", "--format", "json").stdout)
    assert [t["part"] for t in st1] == [1, 2, 3, 4, 5, 7, None]

    groups = json.loads(ok("artists", "--format", "json").stdout)
    assert [g["drama"] for g in groups] == ["Goblin", "Soundtrack #1"]
    goblin = {a["name"]: a for a in groups[0]["artists"]}
    assert [t["title"] for t in goblin["Chanyeol"]["tracks"]] == ["Stay With Me", "Stay With Me"]
    assert goblin["Punch"]["native_name"] == "펀치"
    assert "Earth, Wind & Fire" in goblin
    one = json.loads(ok("artists", "Soundtrack #1", "--format", "json").stdout)
    (group,) = one
    names = [a["name"] for a in group["artists"]]
    assert names[:3] == ["Kyuhyun", "Park Bo-ram", "DAVICHI"]
    lee_hi = next(a for a in group["artists"] if a["name"] == "Lee Hi")
    assert lee_hi["tracks"][0]["role"] == "featured"
    table = ok("artists", "Goblin").stdout
    assert "Stay With Me; Stay With Me (Inst.)" in table
    lines = ok("artists", "Soundtrack #1").stdout.splitlines()
    assert lines[-1].split() == ["Lee", "Hi", "=1+2", "[feat.]"]

    dramas = json.loads(ok("dramas", "--format", "json").stdout)
    st = next(d for d in dramas if d["title"] == "Soundtrack #1")
    assert st["tracks"] == 7 and st["network"] == "Disney+"
    assert st["cast"][0] == {"actor": "Park Hyung-sik", "role": "Han Seon-woo"}
    assert "Goblin" in ok("dramas").stdout
    csv_out = ok("tracks", "--format", "csv").stdout
    assert csv_out.splitlines()[0] == "id,drama,part,title,artist,version,status,score"


def test_json_listings_print_one_compact_item_per_line(home: Path) -> None:
    ok("import", str(SOUNDTRACK))
    out = ok("tracks", "--drama", "Soundtrack #1", "--format", "json").stdout
    lines = out.split("\n")
    assert lines[0] == "[" and lines[-2:] == ["]", ""] and len(lines) == 6 + 3
    first = json.loads(lines[1].removesuffix(","))
    assert lines[1] == "  " + json.dumps(first, ensure_ascii=False, separators=(",", ":")) + ","
    assert '"native_title":"사랑은 말로 표현하는게 아니래요"' in lines[1]  # UTF-8, not \u escapes
    assert lines[6].startswith('  {"id":6,') and lines[6].endswith("}")
    for args in (("artists",), ("dramas",)):
        lines = ok(*args, "--format", "json").stdout.splitlines()
        assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 3
        assert lines[1].startswith('  {"') and json.loads(lines[1])
    assert ok("tracks", "--status", "review", "--format", "json").stdout == "[]\n"
    ok("rm", "--drama", "Soundtrack #1", "--yes")
    for args in (("tracks",), ("artists",), ("dramas",)):
        assert ok(*args, "--format", "json").stdout == "[]\n"


def test_artists_unify_across_files(home: Path) -> None:
    ok("import", str(SOUNDTRACK))
    result = ok("import", str(FIXTURES / "osts-b.csv"))
    # "Park Boram" in the second file is the same artist and the same track: updated, not added.
    assert "1 added, 0 updated, 1 unchanged" in result.stderr
    group = json.loads(ok("artists", "Soundtrack #1", "--format", "json").stdout)[0]
    assert [a["name"] for a in group["artists"]].count("Park Bo-ram") == 1


def test_add_and_rm(home: Path) -> None:
    ok("import", str(SOUNDTRACK))
    added = ok(
        "add",
        "--drama",
        "Soundtrack #1",
        "--title",
        "My Love",
        "--artist",
        "Kim Jong-kook",
        "--version",
        "Inst.",
        "--duration",
        "3:30",
        "--uri",
        "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
        "--format",
        "json",
    )
    (track,) = json.loads(added.stdout)
    assert track["status"] == "pinned" and track["spotify_uri"].endswith("4uLU6hMCjMI75M1A2tKUQC")
    assert "added" in added.stderr
    bad = run("add", "--drama", "D", "--title", "T", "--artist", "A", "--duration", "three")
    assert bad.exit_code == 2 and bad.output.startswith("Error: --duration: bad duration")

    no = run("rm", str(track["id"]), input="n\n")
    assert no.exit_code == 0 and "Nothing removed." in no.stderr
    eof = run("rm", str(track["id"]), input="")
    assert eof.exit_code == 1 and "Aborted" not in eof.output
    assert (
        eof.stderr.strip()
        .splitlines()[-1]
        .startswith("Error: nothing removed: the input ended before an answer to 'Remove?'")
    )
    assert len(json.loads(ok("tracks", "--format", "json").stdout)) == 7
    ok("rm", str(track["id"]), input="y\n")
    assert len(json.loads(ok("tracks", "--format", "json").stdout)) == 6
    missing = run("rm", "999", "--yes")
    assert missing.exit_code == 1 and "no track with id 999" in missing.output
    gone = ok("rm", "--drama", "soundtrack #1", "--yes")
    assert "removed drama 'Soundtrack #1' and its 6 tracks" in gone.stderr
    assert json.loads(ok("dramas", "--format", "json").stdout) == []


# --- bad input: one line, exit 1, catalog byte-for-byte unchanged -----------------------------

BAD_FILES = {
    "missing_column.csv": b"drama,title\nD,T\n",
    "empty_title.csv": b"drama,title,artist\nD,Fine,A\nD,,A\n",
    "bad_duration.csv": b"drama,title,artist,duration\nD,T,A,4:61\n",
    "bad_uri.csv": b"drama,title,artist,spotify_uri\nD,T,A,spotify:track:nope\n",
    "syntax.toml": b'[drama]\ntitle = "D"\n[[tracks]]\ntitle = T\n',
    "binary.csv": bytes(range(256)) * 3,
    "duplicate.csv": b"drama,title,artist\nD,T,A\nD,T,A\n",
}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing_column.csv", ":1: missing required column 'artist'"),
        ("empty_title.csv", ":3: title: empty title"),
        ("bad_duration.csv", ":2: duration: bad duration '4:61'"),
        ("bad_uri.csv", ":2: spotify_uri: not a Spotify track URI, URL or 22-character id"),
        ("syntax.toml", ":4: TOML syntax error"),
        ("binary.csv", ": cannot tell the text encoding"),
        ("duplicate.csv", ":3: duplicate row"),
        ("does-not-exist.csv", ": no such file"),
    ],
)
def test_bad_import_leaves_catalog_unchanged(
    home: Path, tmp_path: Path, name: str, expected: str
) -> None:
    ok("import", str(SOUNDTRACK))
    db = home / "catalog.db"
    before = digest(db)
    path = tmp_path / name
    if name in BAD_FILES:
        path.write_bytes(BAD_FILES[name])
    good = FIXTURES / "osts-b.csv"
    # A good file first: all files of one command are written together or not at all.
    result = run("import", str(good), str(path))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}{expected}"), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert digest(db) == before
    assert not (home / "catalog.db-wal").exists() or (home / "catalog.db-wal").stat().st_size == 0


@pytest.mark.parametrize(
    "args",
    [
        ("tracks", "--drama", "Soundtrak #1"),
        ("artists", "Soundtrak #1"),
        ("export", "--drama", "Soundtrak #1"),
        ("rm", "--drama", "Soundtrak #1", "--yes"),
    ],
)
def test_unknown_drama_suggests_closest(home: Path, args: tuple[str, ...]) -> None:
    ok("import", str(SOUNDTRACK))
    before = digest(home / "catalog.db")
    result = run(*args)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: no drama named 'Soundtrak #1' in the catalog; did you mean 'Soundtrack #1'?"
    )
    assert digest(home / "catalog.db") == before


def test_failed_import_does_not_create_a_catalog(home: Path, tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "missing.csv"))
    assert result.exit_code == 1
    assert not (home / "catalog.db").exists()


def test_db_option_overrides_home(home: Path, tmp_path: Path) -> None:
    db = tmp_path / "elsewhere" / "x.db"
    db.parent.mkdir()
    ok("--db", str(db), "import", str(SOUNDTRACK))
    assert db.exists() and not (home / "catalog.db").exists()
    assert "Kyuhyun" in ok("--db", str(db), "artists").stdout
    assert "Kyuhyun" not in ok("artists").stdout  # $OSTKIT_HOME/catalog.db: a new, empty one
    assert (home / "catalog.db").exists()


@pytest.mark.skipif(sys.platform != "linux", reason="platformdirs follows XDG on Linux only")
def test_home_defaults_to_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OSTKIT_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    ok("import", str(SOUNDTRACK))
    assert (tmp_path / "data" / "ostkit" / "catalog.db").exists()


# --- export -----------------------------------------------------------------------------------


def test_csv_round_trips_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "a"))
    ok("import", str(SOUNDTRACK), str(FIXTURES / "osts.csv"))
    first = ok("export").stdout
    exported = tmp_path / "export.csv"
    exported.write_text(first, encoding="utf-8")
    monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "b"))
    ok("import", str(exported))
    assert ok("export").stdout == first
    # The awkward cells survived: formula text, a name with "," and "&", quotes, featuring.
    assert "'=1+2" in first
    assert '"Earth, Wind & Fire;"' in first
    assert "Epik High feat. Lee Hi" in first
    assert ",찬열 & 펀치," in first


def test_json_round_trip_keeps_match_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "a"))
    ok("import", str(SOUNDTRACK))
    with CatalogStore.open(tmp_path / "a" / "catalog.db") as store, store.transaction():
        store.set_match(1, status=Status.MATCHED, uri="spotify:track:" + "A" * 22, score=0.93)
        store.set_match(2, status=Status.REVIEW, score=0.5)
    first = ok("export", "--format", "json").stdout
    path = tmp_path / "x.json"
    path.write_text(first, encoding="utf-8")
    monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "b"))
    ok("import", str(path))
    assert ok("export", "--format", "json").stdout == first
    doc = json.loads(first)
    assert doc["dramas"][0]["tracks"][0]["score"] == 0.93
    assert doc["dramas"][0]["director"] == "Kim Hee-won"


def test_exportify_export_reads_back(home: Path, tmp_path: Path) -> None:
    ok("import", str(FIXTURES / "osts.csv"))
    out = tmp_path / "e.csv"
    ok("export", "--drama", "Goblin", "--format", "exportify", "-o", str(out))
    batch_home = tmp_path / "other"
    batch_home.mkdir()
    result = ok("--db", str(batch_home / "c.db"), "import", "--drama", "Goblin", str(out))
    assert "4 added" in result.stderr


def test_m3u_and_xspf(home: Path) -> None:
    ok("import", str(FIXTURES / "osts.csv"))
    m3u = ok("export", "--drama", "Goblin", "--format", "m3u")
    lines = m3u.stdout.splitlines()
    assert lines[:4] == [
        "#EXTM3U",
        "#PLAYLIST:Goblin",
        "#EXTINF:233,Chanyeol & Punch - Stay With Me",
        "spotify:track:1GrLfs4TEvAZ86HVzXHchS",
    ]
    assert "skipped 3 track(s) without a Spotify URI" in m3u.stderr
    from test_export import validate_xspf

    xspf = ok("export", "--format", "xspf").stdout
    root = validate_xspf(xspf)
    assert len(list(root.iter("{http://xspf.org/ns/0/}track"))) == 6


def test_output_file_is_atomic_and_excel_adds_bom(home: Path, tmp_path: Path) -> None:
    ok("import", str(SOUNDTRACK))
    out = tmp_path / "st.csv"
    out.write_text("old content", encoding="utf-8")
    result = ok("export", "--drama", "Soundtrack #1", "-o", str(out), "--excel")
    assert result.stdout == ""
    assert "wrote 6 track(s)" in result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdrama,drama_ko,")
    assert "규현".encode() in data
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".st.csv")) == []
    # The BOM file imports again unchanged.
    assert "6 unchanged" in ok("import", str(out)).stderr
    assert run("export", "--format", "json", "--excel").exit_code == 2
    exportify = ok("export", "--format", "exportify", "--excel").stdout
    assert exportify.startswith("\ufeffTrack URI,")
    failed = run("export", "-o", str(tmp_path / "no-such-dir" / "x.csv"))
    assert failed.exit_code == 1 and failed.output.startswith("Error: cannot write")


# --- concurrency ------------------------------------------------------------------------------


def test_two_processes_importing_at_once(tmp_path: Path) -> None:
    files = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.csv"
        rows = [f"Drama {name.upper()},Song {i},Artist {i % 17}" for i in range(400)]
        path.write_text("drama,title,artist\n" + "\n".join(rows) + "\n", encoding="utf-8")
        files.append(path)
    db = tmp_path / "c.db"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ostkit", "--db", str(db), "import", str(f)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert "400 added" in err
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == 800
    assert conn.execute("SELECT count(*) FROM artists").fetchone()[0] == 17
    conn.close()


# --- big listings render like tabulate / json, only faster -------------------------------------


def test_fast_table_matches_tabulate() -> None:
    from ostkit.cli.output import render_table, table

    rows = [
        {"a": "Kyuhyun", "b": "규현", "c": None},
        {"a": "x", "b": "", "c": "사랑은 말로 표현하는게 아니래요"},
        {"a": "DOYOUNG of NCT", "b": "도영", "c": 3},
    ]
    for fmt in ("simple", "plain"):
        assert table(rows, ("a", "b", "c"), fmt) == render_table(rows, ("a", "b", "c"), fmt)
        assert table([], ("a", "b"), fmt) == render_table([], ("a", "b"), fmt)
    ascii_last = [{"a": "규현", "b": "", "c": "x"}, {"a": "b", "b": None, "c": ""}]
    for fmt in ("simple", "plain"):
        for headers in (("a", "b", "c"), ("c", "a"), ("b",), ("a",)):
            expected = render_table(ascii_last, headers, fmt)
            assert table(ascii_last, headers, fmt) == expected
    odd = [{"a": " padded", "b": "two\nlines"}]
    assert table(odd, ("a", "b"), "simple") == render_table(odd, ("a", "b"), "simple")


def test_big_json_listing_is_the_same_value(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = [f"D{i % 3},Song {i},Singer {i % 2050} & Duo {i % 7}" for i in range(2100)]
    path.write_text("drama,title,artist\n" + "\n".join(rows) + "\n", encoding="utf-8")
    ok("import", str(path))
    out = ok("tracks", "--format", "json").stdout
    data = json.loads(out)
    assert len(data) == 2100 and data[0]["title"] == "Song 0"
    assert out.count("\n") == 2102  # "[", one object per line, "]"
    groups = json.loads(ok("artists", "--format", "json").stdout)
    assert sum(len(g["artists"]) for g in groups) > 2000
    with CatalogStore.open(home / "catalog.db") as store:
        from ostkit.services.catalog import artists_by_drama

        assert groups == artists_by_drama(store)
    assert groups[0]["artists"][0] == {
        "name": "Singer 0",
        "native_name": None,
        "tracks": [{"id": 1, "title": "Song 0", "version": None, "part": None, "role": "main"}],
    }
    table = ok("artists").stdout.splitlines()
    assert table[2].split() == ["D0", "Singer", "0", "Song", "0"]


def test_json_lines_across_write_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from ostkit.cli.output import echo_json_lines

    for n in (1, 4095, 4096, 4097, 9000):
        raw = io.BytesIO()
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8"))
        echo_json_lines([str(i).encode() for i in range(n)])
        text = raw.getvalue().decode()
        assert json.loads(text) == list(range(n))
        assert text.count("\n") == n + 2 and text.endswith("\n]\n")
    text_only = io.StringIO()
    monkeypatch.setattr(sys, "stdout", text_only)
    echo_json_lines(['{"a":"규현"}'.encode(), b"2"])
    assert text_only.getvalue() == '[\n  {"a":"규현"},\n  2\n]\n'


def test_failed_output_write_keeps_the_old_file(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("import", str(SOUNDTRACK))
    out = tmp_path / "st.csv"
    out.write_text("old content", encoding="utf-8")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    failed = run("export", "-o", str(out))
    assert failed.exit_code == 1
    assert failed.output == f"Error: cannot write {out}: No space left on device\n"
    assert out.read_text(encoding="utf-8") == "old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "st.csv"]  # no temp file


@pytest.mark.parametrize("fmt", TABLE_FORMATS)
def test_every_table_format(home: Path, fmt: str) -> None:
    ok("import", str(SOUNDTRACK))
    artists = ok("artists", "Soundtrack #1", "--format", fmt).stdout
    assert "Love Beyond Words" in artists and "규현" in artists
    assert "사운드트랙 #1" in ok("dramas", "--format", fmt).stdout
    tracks = ok("tracks", "--format", fmt).stdout.splitlines()
    assert sum("Soundtrack #1" in line for line in tracks) == 6  # one line per track
    assert any("DOYOUNG of NCT" in line and "A Little More" in line for line in tracks)


def test_csv_listings_are_spreadsheet_safe(home: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "f.csv"
    csv_file.write_text("drama,title,artist\nD,@home,+plus\nD,=1+2,Plain\n", encoding="utf-8")
    ok("import", str(csv_file))
    tracks = ok("tracks", "--format", "csv").stdout
    assert ",'@home,'+plus," in tracks and ",'=1+2,Plain," in tracks
    artists = ok("artists", "--format", "csv").stdout
    assert "D,'+plus,,'@home" in artists
    # JSON is for scripts: values as stored.
    titles = {t["title"] for t in json.loads(ok("tracks", "--format", "json").stdout)}
    assert titles == {"@home", "=1+2"}


def test_a_removed_id_is_not_given_to_the_next_track(home: Path, tmp_path: Path) -> None:
    """A playlist file naming a removed track id fails instead of picking up another song."""
    ok("import", str(SOUNDTRACK))

    def add(title: str) -> int:
        added = ok(
            "add",
            "--drama",
            "Soundtrack #1",
            "--title",
            title,
            "--artist",
            "Ailee",
            "--format",
            "json",
        )
        return int(json.loads(added.stdout)[0]["id"])

    last = add("First Snow")
    ok("rm", str(last), "--yes")
    again = add("Second Snow")
    assert again > last
    playlist = tmp_path / "one.toml"
    playlist.write_text(f'[playlist]\nname = "One"\ntracks = [{last}]\n', encoding="utf-8")
    shown = run("playlist", "show", str(playlist))
    assert shown.exit_code == 1 and shown.output.startswith("Error: ")
    assert "Second Snow" not in shown.output
