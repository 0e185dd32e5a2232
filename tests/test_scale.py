"""Big catalogs: listings and exports stream (rows written as they are read), selections read
only what they need, and the listing options (-o, --excel, several dramas, export filters)."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ostkit.cli import cli
from ostkit.cli.output import json_array_chunks, write_table
from ostkit.formats import registry
from ostkit.formats.csvfile import credit_cells
from ostkit.formats.fields import neutralise, unneutralise
from ostkit.formats.jsonfile import to_json
from ostkit.models import Credit, Drama, OstPart, Status, Track
from ostkit.playlists.definition import PlaylistDefinition, TrackRef, adhoc_definition
from ostkit.services.playlists import candidate_tracks
from ostkit.store.catalog import CatalogStore

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "catalog"
SOUNDTRACK = ROOT / "playlists" / "soundtrack-1.toml"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def _tracks(n: int, drama: str = "D") -> list[Track]:
    return [
        Track(
            drama=drama,
            title=f"Song {i}",
            credits=(Credit(f"Singer {i % 3}"), Credit("Guest", "featured")),
            part=1 + i % 2,
            duration_ms=200_000 + i,
            spotify_uri="spotify:track:" + f"{i:022d}" if i % 2 else None,
            status=Status.PINNED if i % 2 else Status.UNMATCHED,
        )
        for i in range(n)
    ]


class Watched:
    """An iterator of tracks that records how much output exists each time one is taken."""

    def __init__(self, tracks: list[Track], out: io.StringIO) -> None:
        self.tracks = tracks
        self.out = out
        self.sizes: list[int] = []

    def __iter__(self) -> Iterator[Track]:
        for t in self.tracks:
            self.sizes.append(len(self.out.getvalue()))
            yield t


@pytest.mark.parametrize("fmt", registry.EXPORT_FORMATS)
def test_every_export_format_writes_tracks_as_they_are_read(fmt: str) -> None:
    tracks = _tracks(6)
    out = io.StringIO()
    watched = Watched(tracks, out)
    doc = registry.ExportDoc(watched, [Drama("D")], [OstPart("D", 1, "D OST Part 1", None)], "T")
    written, skipped = registry.write(fmt, doc, out)
    assert (written, skipped) == ((3, 3) if fmt == "m3u" else (6, 0))
    # JSON writes a drama when its tracks are done; every other format writes each track
    # before the next is read (M3U skips the tracks without a URI).
    if fmt != "json":
        assert watched.sizes[-1] > watched.sizes[1] > 0
    assert registry.export_text(fmt, registry.ExportDoc(tracks, [Drama("D")])) != ""


def test_json_export_streams_per_drama_and_is_the_json_dumps_text() -> None:
    dramas = [Drama("A", native_title="에이", year=2020), Drama("Empty"), Drama("B")]
    tracks = _tracks(3, "A") + _tracks(2, "B")
    parts = [OstPart("A", 1, "A OST Part 1", "2020-01-02"), OstPart("Other", 1, None, None)]
    out = io.StringIO()
    watched = Watched(tracks, out)
    registry.write("json", registry.ExportDoc(watched, dramas, parts), out)
    assert watched.sizes[4] > watched.sizes[3]  # drama A is out once B's tracks come
    doc = json.loads(out.getvalue())
    assert out.getvalue() == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    assert [len(d["tracks"]) for d in doc["dramas"]] == [3, 0, 2]
    assert doc["dramas"][0]["parts"] == [
        {"number": 1, "title": "A OST Part 1", "release_date": "2020-01-02"}
    ]
    empty = to_json([], [], [])
    assert json.loads(empty) == {"format": "ostkit", "version": 1, "dramas": []}
    with pytest.raises(ValueError, match="after that drama's group"):
        to_json(dramas, [], [*_tracks(1, "B"), *_tracks(1, "A")])


def test_json_array_chunks_read_items_lazily() -> None:
    taken: list[int] = []

    def items() -> Iterator[bytes]:
        for i in range(10):
            taken.append(i)
            yield str(i).encode()

    chunks = json_array_chunks(items(), size=3)
    assert next(chunks) == b"[\n  " and next(chunks) == b"0,\n  1,\n  2"
    assert taken == [0, 1, 2]  # no item read past the chunk written
    rest = b"".join(chunks)
    assert json.loads(b"[\n  0,\n  1,\n  2" + rest) == list(range(10))
    assert b"".join(json_array_chunks(iter(()))) == b"[]\n"
    big = list(json_array_chunks([b"1" * 600, b"2" * 600, b"3"], max_bytes=1000))
    assert big[1] == b"1" * 600 + b",\n  " + b"2" * 600 and big[3] == b"3"


def test_fast_table_is_written_in_two_walks_one_row_at_a_time() -> None:
    walks: list[str] = []
    rows = [("1", "한글 제목", None), ("22", "x", "last")]

    def factory() -> Iterator[tuple[str | None, ...]]:
        walks.append("walk")
        yield from rows

    out = io.StringIO()
    write_table(out, factory, ("id", "title", "note"), "simple")
    assert walks == ["walk", "walk"]
    lines = out.getvalue().splitlines()
    assert lines[2].startswith("1     한글 제목")
    assert lines[3].rstrip() == "22    x          last"


def test_credit_cells_are_decided_once_per_distinct_credit_list() -> None:
    from ostkit.formats.csvfile import to_csv

    credit_cells.cache_clear()
    text = to_csv(_tracks(30), {"D": Drama("D")})
    info = credit_cells.cache_info()
    assert (info.misses, info.hits) == (3, 27)
    assert next(csv.DictReader(io.StringIO(text)))["artist"] == "Singer 0 feat. Guest"


@pytest.mark.parametrize(
    "cell", ["=1+1", "'=1", "''+x", "-5", "@a", "\tx", "plain", "'quoted", "", "a=b"]
)
def test_neutralise_changes_only_cells_that_can_start_a_formula(cell: str) -> None:
    safe = neutralise(cell)
    assert unneutralise(safe) == cell
    risky = cell.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r")
    assert (safe != cell) is risky


# --- selection in SQL -------------------------------------------------------------------------


def _catalog(tmp_path: Path) -> CatalogStore:
    store = CatalogStore.open(tmp_path / "c.db")
    with store.transaction():
        for drama in ("A", "B", "C"):
            for t in _tracks(4, drama):
                store.save_track(t)
    return store


def test_a_playlist_reads_only_the_tracks_it_names(tmp_path: Path) -> None:
    with _catalog(tmp_path) as store:
        one = candidate_tracks(store, adhoc_definition(["B"], "P"))
        assert {t.drama for t in one} == {"B"} and len(one) == 4
        assert one == store.tracks(drama="B")
        by_ref = PlaylistDefinition(
            name="P", tracks=(TrackRef(id=one[0].id), TrackRef(drama="C", title="Song 1"))
        )
        assert {t.drama for t in candidate_tracks(store, by_ref)} == {"B", "C"}
        by_artist = PlaylistDefinition(name="P", artists=("Singer 1",))
        assert {t.title for t in candidate_tracks(store, by_artist)} == {"Song 1"}
        # A reference without drama or id, or an unknown name: the whole catalog.
        loose = PlaylistDefinition(name="P", dramas=("A",), exclude=(TrackRef(title="Song 2"),))
        assert len(candidate_tracks(store, loose)) == 12
        assert len(candidate_tracks(store, adhoc_definition(["Nope"], "P"))) == 12


def test_union_of_dramas_artists_and_ids_in_catalog_order(tmp_path: Path) -> None:
    with _catalog(tmp_path) as store:
        c_first = store.tracks(drama="C")[0]
        found = store.tracks_union(["B"], ["Singer 2"], [c_first.id or 0])
        assert [(t.drama, t.title) for t in found] == [
            ("A", "Song 2"),
            ("B", "Song 0"),  # part 1, then part 2
            ("B", "Song 2"),
            ("B", "Song 1"),
            ("B", "Song 3"),
            ("C", "Song 0"),
            ("C", "Song 2"),
        ]
        assert all(len(t.credits) == 2 for t in found)
        assert store.tracks_union() == []


# --- listing options --------------------------------------------------------------------------


def test_tracks_to_a_file_with_excel_bom(home: Path, tmp_path: Path) -> None:
    ok("import", str(SOUNDTRACK))
    target = tmp_path / "tracks.csv"
    result = ok("tracks", "--format", "csv", "-o", str(target), "--excel")
    assert result.stdout == ""
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,drama,part,title")
    assert len(data.decode("utf-8-sig").splitlines()) == 7
    assert ok("tracks", "--format", "json", "-o", str(target)).stdout == ""
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 6
    bad = run("tracks", "--excel")
    assert bad.exit_code == 2 and "--excel only applies to --format csv" in bad.output
    # An unknown drama: an error, and the file stays as it was.
    before = target.read_bytes()
    assert run("tracks", "--drama", "Nope", "-o", str(target)).exit_code == 1
    assert target.read_bytes() == before


def test_artists_of_several_dramas(home: Path, tmp_path: Path) -> None:
    ok("import", str(SOUNDTRACK), str(FIXTURES / "osts-b.csv"))
    one = ok("artists", "Hotel del Luna").stdout.splitlines()
    assert one[0].split() == ["artist", "native_name", "tracks"]
    two = ok("artists", "--drama", "Hotel del Luna", "--drama", "Soundtrack #1").stdout
    lines = two.splitlines()
    assert lines[0].split() == ["drama", "artist", "native_name", "tracks"]
    assert lines[2].startswith("Hotel del Luna  Oh Hyuk")  # in the order given
    assert "Soundtrack #1" in lines[3]
    mixed = ok("artists", "Soundtrack #1", "--drama", "Hotel del Luna", "--format", "json")
    assert [g["drama"] for g in json.loads(mixed.stdout)] == ["Soundtrack #1", "Hotel del Luna"]
    target = tmp_path / "artists.csv"
    ok("artists", "--drama", "Hotel del Luna", "--format", "csv", "-o", str(target))
    assert target.read_text(encoding="utf-8").splitlines()[1] == ("Oh Hyuk,오혁,Remember Me")
    assert run("artists", "--drama", "Nope").exit_code == 1


def test_export_filters_by_artist_and_status(home: Path) -> None:
    ok("import", str(SOUNDTRACK), str(FIXTURES / "osts-b.csv"))
    ok("pin", "1", "spotify:track:" + "a" * 22)
    by_artist = ok("export", "--artist", "park boram").stdout
    rows = list(csv.DictReader(io.StringIO(by_artist)))
    assert {r["title"] for r in rows} == {"Want to Be Happy"} | {
        r["title"] for r in rows if r["drama"] == "Soundtrack #1"
    }
    assert rows and all("Park" in r["artist"] for r in rows)
    pinned = list(csv.DictReader(io.StringIO(ok("export", "--status", "pinned").stdout)))
    assert [r["spotify_uri"] for r in pinned] == ["spotify:track:" + "a" * 22]
    both = ok("export", "--drama", "Hotel del Luna", "--status", "pinned", "--format", "json")
    assert [len(d["tracks"]) for d in json.loads(both.stdout)["dramas"]] == [0]
    assert run("export", "--artist", "Nobody").exit_code == 1
    clash = run("export", "--playlist", str(SOUNDTRACK), "--status", "pinned")
    assert clash.exit_code == 2


# --- import: written as parsed, all or nothing, each artist once ------------------------------


class RecordingSink:
    def __init__(self) -> None:
        self.taken: list[str] = []
        self.lines: dict[tuple[str, str, str], int] = {}

    def first_line(self, ident: tuple[str, str, str], line: int) -> int | None:
        first = self.lines.setdefault(ident, line)
        return None if first == line else first

    def take(self, track: Track, kind: str) -> None:
        self.taken.append(track.title)


def csv_source(text: str, label: str) -> registry.Source:
    return registry.Source(label, "utf-8", "csvfile", text=text)


def test_a_streamed_reader_hands_each_track_over_before_reading_on() -> None:
    from ostkit.errors import InputError
    from ostkit.formats.batch import streaming_to

    text = "drama,title,artist\nD,One,A\nD,Two,B\nD,,C\nD,Four,D\n"
    sink = RecordingSink()
    with streaming_to(sink), pytest.raises(InputError, match=r"x\.csv:4: title"):
        registry.parse_source(csv_source(text, "x.csv"))
    assert sink.taken == ["One", "Two"]  # written before the bad row was read
    with streaming_to(sink):
        batch = registry.parse_source(csv_source("drama,title,artist\nE,Five,A\n", "y.csv"))
    assert batch.tracks == () and [d.title for d in batch.dramas] == ["E"]
    assert registry.parse_source(
        csv_source(text.replace("D,,C", "D,Three,C"), "x.csv")
    ).tracks  # no sink


def test_import_is_all_or_nothing_across_files_when_written_as_parsed(
    home: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("drama,title,artist\nNew,One,A\nNew,Two,B\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("drama,title,artist\nNew,Three,C\nNew,Three,C\n", encoding="utf-8")
    ok("import", str(SOUNDTRACK))
    result = run("import", str(good), str(bad))
    assert result.exit_code == 1
    assert "bad.csv:3" in result.output and "as line 2" in result.output
    assert "New" not in ok("dramas").stdout
    assert len(ok("tracks", "--format", "json").stdout.splitlines()) == 8  # 6 tracks + brackets
    done = ok("import", str(good), str(FIXTURES / "osts.csv"))
    assert "good.csv: 2 added, 0 updated, 0 unchanged (1 new drama)" in done.stderr
    assert "osts.csv: " in done.stderr and "(1 new drama)" in done.stderr.split("osts.csv")[1]


def test_import_writes_each_artist_once(tmp_path: Path) -> None:
    from ostkit.services.catalog import import_files

    rows = "".join(f"D,Song {i},Kyuhyun,규현\n" for i in range(50))
    path = tmp_path / "many.csv"
    path.write_text("drama,title,artist,artist_ko\n" + rows, encoding="utf-8")
    statements: list[str] = []

    def opened() -> CatalogStore:
        store = CatalogStore.open(tmp_path / "c.db")
        store.db.conn.set_trace_callback(statements.append)
        return store

    summary = import_files([path], opened)
    assert summary.added == 50
    artist_writes = [
        s
        for s in statements
        if s.startswith(("INSERT OR IGNORE INTO artist_aliases", "UPDATE artists"))
    ]
    assert len(artist_writes) == 3  # the name's alias, the native name's alias, the native name
    with CatalogStore.open(tmp_path / "c.db") as store:
        assert [a.native_name for a in store.artists()] == ["규현"]


def test_a_drama_selection_reads_only_that_dramas_credits(tmp_path: Path) -> None:
    # match --drama, rm --drama and export --drama all select through store.tracks(drama=...).
    with _catalog(tmp_path) as store:
        statements: list[str] = []
        store.db.conn.set_trace_callback(statements.append)
        tracks = store.tracks(drama="B")
        store.db.conn.set_trace_callback(None)
    assert [t.drama for t in tracks] == ["B"] * 4 and all(len(t.credits) == 2 for t in tracks)
    reads = [s for s in statements if "credits" in s]
    assert reads and all("t.drama_id IN" in s for s in reads)


def test_reads_use_a_small_page_cache_and_imports_a_big_one(tmp_path: Path) -> None:
    from ostkit.store.db import BULK_CACHE_KIB, READ_CACHE_KIB

    def cache(store: CatalogStore) -> int:
        return int(store.db.conn.execute("PRAGMA cache_size").fetchone()[0])

    with CatalogStore.open(tmp_path / "c.db") as store:
        assert cache(store) == -READ_CACHE_KIB
        with store.transaction(), store.bulk():
            assert cache(store) == -BULK_CACHE_KIB
        assert cache(store) == -READ_CACHE_KIB


def test_tracks_of_several_dramas(home: Path) -> None:
    ok("import", str(SOUNDTRACK), str(FIXTURES / "osts-b.csv"))
    out = ok("tracks", "--drama", "soundtrack #1", "--drama", "Hotel del Luna", "--format", "json")
    dramas = [t["drama"] for t in json.loads(out.stdout)]
    assert dramas == ["Hotel del Luna"] + ["Soundtrack #1"] * 6  # in catalog order


def test_a_track_by_id_is_found_without_walking_the_dramas(tmp_path: Path) -> None:
    with _catalog(tmp_path) as store:
        wanted = store.tracks(drama="C")[1]
        statements: list[str] = []
        store.db.conn.set_trace_callback(statements.append)
        assert store.get_track(wanted.id or 0) == wanted
        store.db.conn.set_trace_callback(None)
        (sql,) = [s for s in statements if "credits" in s]
        plan = [r[3] for r in store.db.conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    assert not any(step.startswith("SCAN") for step in plan), plan


@pytest.mark.parametrize(
    ("encoding", "bom", "newline"),
    [
        ("utf-8", b"", "\n"),
        ("utf-8", codecs.BOM_UTF8, "\r\n"),
        ("cp949", b"", "\r\n"),
        ("utf-16", b"", "\n"),
        ("utf-8", b"", "\r"),
    ],
    ids=["utf-8", "utf-8-bom-crlf", "cp949-crlf", "utf-16", "cr-only"],
)
def test_a_csv_file_is_read_as_lines_the_same_as_its_text(
    tmp_path: Path, encoding: str, bom: bytes, newline: str
) -> None:
    text = newline.join(
        ["drama;title;artist;notes", "이태원 클라쓰;돌덩이;하현우;a", 'D;"Two\nlines";B;', ""]
    )
    path = tmp_path / "fan.csv"
    path.write_bytes(bom + text.encode(encoding))
    source = registry.read_source(path)
    assert source.text == "" and not isinstance(source.content(), str)  # not held whole
    from_file = registry.parse_source(source)
    from_stdin = registry.parse_source(
        registry.read_source("-", registry.ReadOptions(stdin=path.read_bytes(), fmt="csv"))
    )
    assert from_file.tracks == from_stdin.tracks and len(from_file.tracks) == 2
    assert from_file.encoding == from_stdin.encoding
