"""`ostkit discover`: OST release names and decoys (pure), and the command against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import Api, MakeSandbox
from ostkit.cli import cli
from ostkit.matching import releases as rel
from ostkit.models import Credit, SpotifyAlbum, Status, Track
from ostkit.sandbox import Sandbox
from ostkit.sandbox.faults import Fault
from ostkit.store.catalog import CatalogStore

ROOT = Path(__file__).resolve().parents[1]


def album(name: str, date: str = "2023-03-04", kind: str = "single") -> SpotifyAlbum:
    return SpotifyAlbum(id="A" * 22, name=name, album_type=kind, release_date=date)


@pytest.mark.parametrize(
    ("name", "kind", "part"),
    [
        ("Goblin OST Part.3", "part", 3),
        ("Goblin (Original Television Soundtrack), Pt. 3", "part", 3),
        ("Goblin OST Part 3", "part", 3),
        ("Goblin (Original Soundtrack)", "album", None),
        ("Goblin OST Special", "special", None),
        ("Goblin OST (Netflix Series)", "album", None),
    ],
    ids=[
        "OST Part.3",
        "Original Television Soundtrack, Pt. 3",
        "OST Part 3",
        "full album",
        "special",
        "Netflix series",
    ],
)
def test_naming_forms_are_this_dramas_releases(name: str, kind: str, part: int | None) -> None:
    found = rel.classify(album(name), ["Goblin"], 2023)
    assert (found.kind, found.part, found.left_out) == (kind, part, None)


def test_a_release_named_in_hangul_only_is_kept_by_its_native_title() -> None:
    found = rel.classify(album("도깨비 OST Part.3"), ["Goblin"], None)
    assert found.native and found.left_out is None and found.part == 3
    assert rel.learn_native_title([found]) == "도깨비"
    assert rel.settle([found], "도깨비")[0].left_out is None
    assert rel.settle([found], "구미호뎐")[0].left_out == "another work's OST (도깨비)"
    # Once the native title is known, another Hangul name is another drama at once.
    other = rel.classify(album("구미호뎐 OST Part 1"), ["Goblin", "도깨비"], None)
    assert other.left_out == "another work's OST (구미호뎐)"


@pytest.mark.parametrize(
    ("name", "date", "kind", "reason"),
    [
        ("Goblin Slayer OST Part.1", "2023-01-01", "single", "another drama (Goblin Slayer)"),
        (
            "Goblin (Original Soundtrack)",
            "2009-05-01",
            "album",
            "released 2009-05-01: another year",
        ),
        ("Goblin Season 2 OST Part.1", "2023-01-01", "single", "season 2: another drama"),
        (
            "Goblin (K-Drama OST Piano Collection)",
            "2023-01-01",
            "album",
            "a piano release, not the OST",
        ),
        ("Goblin OST (Karaoke Version)", "2023-01-01", "album", "a karaoke release, not the OST"),
        ("Goblin OST (Lofi Ver.)", "2023-01-01", "single", "a lofi release, not the OST"),
        ("Goblin OST Part.1 (Sped Up)", "2023-01-01", "single", "a sped-up release, not the OST"),
        ("Goblin", "2023-01-01", "single", "not an OST release"),
    ],
    ids=[
        "name contains",
        "other year",
        "season 2",
        "piano",
        "karaoke",
        "lofi",
        "sped up",
        "no OST",
    ],
)
def test_decoys_are_left_out_saying_why(name: str, date: str, kind: str, reason: str) -> None:
    assert rel.classify(album(name, date, kind), ["Goblin"], 2023).left_out == reason


def test_season_two_is_the_drama_when_the_catalog_says_so() -> None:
    found = rel.classify(album("Goblin Season 2 OST Part.1"), ["Goblin Season 2"], None)
    assert found.left_out is None and found.part == 1


def test_compilations_are_kept_for_their_tracks_of_this_drama_only() -> None:
    found = rel.classify(
        album("Best of K-Drama OST 2023", "2025-01-01", "compilation"), ["Goblin"], 2016
    )
    assert found.kind == "compilation" and found.left_out is None


def test_missing_parts_are_the_gaps_below_the_last_part() -> None:
    assert rel.missing_parts([1, 2, 3, 4, 5, 7]) == [6]
    assert rel.missing_parts([]) == []


def test_the_year_is_the_singles_year_when_unknown() -> None:
    found = [
        rel.classify(album("Goblin OST Part.1", d), ["Goblin"])
        for d in ("2016-12-02", "2016-12-09", "2017-01-06", "2009-05-01")
    ]
    year = rel.drama_year(found)
    assert year == 2016
    assert [r.left_out for r in rel.by_year(found, year)] == [
        None,
        None,
        None,
        "released 2009-05-01: another year",
    ]


def _track(title: str, artist: str, **kw: object) -> Track:
    return Track(drama="D", title=title, credits=(Credit(artist),), **kw)  # type: ignore[arg-type]


def test_an_entry_the_fan_typed_is_found_by_any_form_of_its_artist() -> None:
    typed = [
        _track("A Little More", "DOYOUNG of NCT", id=6),
        _track("My Love", "Kim Jong-kook", id=4),
    ]
    assert rel.find_entry(_track("A Little More", "DOYOUNG"), typed) == typed[0]
    assert rel.find_entry(_track("My Love", "Kim Jong Kook"), typed) == typed[1]
    # The Inst. twin is another entry.
    assert rel.find_entry(_track("My Love", "Kim Jong Kook", version="Inst."), typed) is None


def test_an_entry_typed_with_its_native_title_is_found() -> None:
    typed = [_track("나에게 말해요", "Kim Jae-hwan", id=5)]
    found = _track("Talk To Me", "Kim Jae Hwan", native_title="나에게 말해요")
    assert rel.find_entry(found, typed) == typed[0]


# --- the command against the sandbox ------------------------------------------------------------


@pytest.fixture
def sb(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Sandbox]:
    with make_sandbox() as sb:
        monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("SPOTIPY_CLIENT_ID", sb.client_id)
        monkeypatch.setenv("OSTKIT_SPOTIFY_API_URL", sb.api_url)
        monkeypatch.setenv("OSTKIT_SPOTIFY_ACCOUNTS_URL", sb.accounts_url)
        monkeypatch.setenv("OSTKIT_SPOTIFY_REFRESH_TOKEN", sb.issue_refresh_token())
        yield sb


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def catalog(
    tmp_path: Path,
) -> list[tuple[int | None, str, str | None, int | None, str, str | None]]:
    with CatalogStore.open(tmp_path / "home" / "catalog.db") as store:
        return [
            (t.part, t.title, t.version, t.duration_ms, str(t.status), t.spotify_uri)
            for t in store.tracks()
        ]


def test_soundtrack_1_is_imported_whole_without_duplicates(sb: Sandbox, tmp_path: Path) -> None:
    assert run("import", str(ROOT / "playlists" / "soundtrack-1.toml"))[0] == 0
    code, out, err = run("discover", "Soundtrack #1", "--import")
    assert code == 0, err
    rows = catalog(tmp_path)
    # Six singles and their Inst. twins: the six typed entries linked, six twins added.
    assert len(rows) == 12 and {r[4] for r in rows} == {"pinned"}
    assert sorted(r[0] for r in rows) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 7, 7]
    assert sum(r[2] == "Inst." for r in rows) == 6 and all(r[3] for r in rows)
    assert len({r[5] for r in rows}) == 12
    assert "Part 6: not found on Spotify" in err
    assert "imported 'Soundtrack #1': 6 added, 6 linked, 0 unchanged" in err
    assert "#6" in out  # "A Little More" by "DOYOUNG of NCT" is DOYOUNG's
    with CatalogStore.open(tmp_path / "home" / "catalog.db") as store:
        before = store.counts()
        doyoung = store.find_artist("DOYOUNG of NCT")
        assert doyoung is not None and doyoung.spotify_id
    code, _, err = run("discover", "Soundtrack #1", "--import")
    assert code == 0 and "0 added, 0 linked, 12 unchanged" in err
    assert catalog(tmp_path) == rows
    with CatalogStore.open(tmp_path / "home" / "catalog.db") as store:
        assert store.counts() == before


def test_a_drama_with_fourteen_releases_is_found_completely(sb: Sandbox, tmp_path: Path) -> None:
    sb.clear_requests()
    code, out, err = run("discover", "Moonlight Harbor", "--import", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    releases = {t["release"] for t in data["tracks"]}
    assert releases == {*(f"Part {n}" for n in range(1, 13)), "Special", "Album", "Compilation"}
    # Parts 4, 8 and 12 are named only in Hangul: found, and the native title learned.
    assert data["drama"]["native_title"] == "달빛 항구" and data["drama"]["year"] == 2023
    assert {r["album"] for r in data["left_out"]} == {
        "Moonlight Harbor (K-Drama OST Piano Collection)",
        "Moonlight Harbor OST (Karaoke Version)",
        "Moonlight Harbor OST (Lofi Ver.)",
        "Moonlight Harbor OST Part.1 (Sped Up)",
    }
    assert data["missing_parts"] == []
    # One entry per song: the full album's repeats point at their single.
    album_rows = [t for t in data["tracks"] if t["release"] == "Album"]
    assert [t["repeat_of"] for t in album_rows[:12]] == [f"Part {n}" for n in range(1, 13)]
    only_there = [t for t in data["tracks"] if t["from_compilation"] and not t["repeat_of"]]
    assert [t["title"] for t in only_there] == ["Midnight Ferry"]
    assert data["imported"] == {"added": 29, "linked": 0, "unchanged": 0}
    with CatalogStore.open(tmp_path / "home" / "catalog.db") as store:
        drama = store.find_drama("달빛 항구")  # found by its learned native title
        assert (drama.title, drama.year) == ("Moonlight Harbor", 2023)
        tracks = store.tracks("Moonlight Harbor")
    assert sum(t.version == "Inst." for t in tracks) == 12
    assert {t.status for t in tracks} == {Status.PINNED}
    assert next(t for t in tracks if t.title == "Harbor Theme").part is None
    # The budget: search pages plus one request per release.
    searches = [r for r in sb.requests if r.path == "/v1/search"]
    reads = [r for r in sb.requests if r.path.endswith("/tracks")]
    assert all(r.query["type"] == ["album"] and r.query["limit"] == ["10"] for r in searches)
    assert len(searches) == data["searched_pages"] and len(reads) == data["releases_read"] == 15
    assert data["requests"] == len(searches) + len(reads)
    assert f"searched {len(searches)} pages, read 15 releases, {data['requests']} requests" in err


def test_a_drama_known_by_an_alias_finds_its_releases_under_that_name(
    sb: Sandbox, tmp_path: Path
) -> None:
    # The fan's catalog names the drama otherwise; Spotify names it by its alias.
    toml = tmp_path / "harbor.toml"
    toml.write_text(
        '[drama]\ntitle = "Harbor of Moonlight"\naliases = ["Moonlight Harbor"]\n'
        '[[tracks]]\ntitle = "Harbor Theme"\nartist = "Han Seo-yeon"\n',
        encoding="utf-8",
    )
    code, _, err = run("import", str(toml))
    assert code == 0, err
    code, out, err = run("discover", "Harbor of Moonlight", "--format", "json")
    assert code == 0, err
    releases = {t["release"] for t in json.loads(out)["tracks"]}
    assert {f"Part {n}" for n in range(1, 13)} <= releases


def test_lantern_leaves_out_its_namesakes(sb: Sandbox) -> None:
    code, out, err = run("discover", "Lantern", "--year", "2021", "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[0] == "part,released,album,no,title,version,artists,duration,catalog"
    assert "left out 'Lantern Keeper OST Part.1': another drama (Lantern Keeper)" in err
    assert "left out 'Lantern Season 2 OST Part.1': season 2: another drama" in err
    assert "left out 'Lantern (Original Soundtrack)': released 2009-05-01: another year" in err
    parts = {line.split(",")[0] for line in out.splitlines()[1:]}
    assert parts == {*(f"Part {n}" for n in range(1, 11)), "Album", "Compilation"}
    assert "MR" in out  # the instrumental twins, by their version tag


def test_dry_run_writes_nothing(sb: Sandbox, tmp_path: Path) -> None:
    code, _, err = run("discover", "Lantern", "--import", "--dry-run")
    assert code == 0 and "Dry run: would import 'Lantern': 20 added" in err
    assert catalog(tmp_path) == []


def test_a_quota_stop_while_reading_writes_nothing(sb: Sandbox, tmp_path: Path) -> None:
    sb.inject(Fault("quota", path=r"/v1/albums/[^/]+/tracks$", after=3))
    code, _, err = run("discover", "Moonlight Harbor", "--import")
    assert code == 1 and err.startswith("Error: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert catalog(tmp_path) == []


def test_an_empty_name_is_refused(sb: Sandbox) -> None:
    code, _, err = run("discover", "  ")
    assert code == 2 and err.strip() == "Error: discover needs a drama name"


def test_client_reads_a_release_and_pages_album_search(make_sandbox: MakeSandbox) -> None:
    from ostkit.spotify.client import SpotifyClient
    from ostkit.spotify.policy import NetPolicy

    with make_sandbox(load_default_corpus=False) as sb:
        big = {"name": "Long Drama (Original Soundtrack)", "album_type": "album"}
        for n in range(1, 61):
            sb.add_track(f"Cue {n}", ["Composer"], album=big, track_number=n)
        for n in range(1, 13):
            sb.add_track(f"Song {n}", ["Singer"], album=f"Long Drama OST Part.{n}")
        client = SpotifyClient(
            api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
        )
        first, total = client.search_albums_page('album:"Long Drama"', limit=10, offset=0)
        rest, _ = client.search_albums_page('album:"Long Drama"', limit=10, offset=10)
        assert total == 13 and len(first) == 10 and len(rest) == 3
        full = next(a for a in first + rest if a.album_type == "album")
        sb.clear_requests()
        tracks = client.release_tracks(full)
        assert [t.name for t in tracks] == [f"Cue {n}" for n in range(1, 61)]
        assert all(t.album == full for t in tracks)
        assert [(r.path, r.query["limit"]) for r in sb.requests][:1] == [
            (f"/v1/albums/{full.id}/tracks", ["50"])
        ]
        assert len(sb.requests) == 2  # 60 tracks: two pages of 50


def test_a_part_released_since_is_all_a_rerun_adds(sb: Sandbox, tmp_path: Path) -> None:
    assert run("discover", "Lantern", "--import")[0] == 0
    before = catalog(tmp_path)
    part = {
        "name": "등불 OST Part 11",
        "names": {"en": "Lantern OST Part 11"},
        "release_date": "2021-11-19",
        "artists": [{"name": "Seo Rin"}],
    }
    sb.add_track("Afterglow", ["Seo Rin"], album=part, duration_ms=201000)
    code, _, err = run("discover", "Lantern", "--import")
    assert code == 0 and "imported 'Lantern': 1 added, 0 linked, 20 unchanged" in err
    added = [r for r in catalog(tmp_path) if r not in before]
    assert [(r[0], r[1], r[4]) for r in added] == [(11, "Afterglow", "pinned")]
    # The drama's native title, learned the first time, finds the new part too.
    assert "native title:" not in err


def test_a_given_native_title_is_stored_and_others_left_out(sb: Sandbox, tmp_path: Path) -> None:
    code, _, err = run("discover", "Lantern", "--native-title", "초롱", "--import")
    assert code == 0
    assert "left out '등불 OST Part 1': another work's OST (등불)" in err
    with CatalogStore.open(tmp_path / "home" / "catalog.db") as store:
        assert store.find_drama("Lantern").native_title == "초롱"
        assert {t.part for t in store.tracks("Lantern") if t.part} == {2, 4, 6, 8, 10}
    assert "Part 1: not found on Spotify" in err


def test_nothing_found_says_so(sb: Sandbox, tmp_path: Path) -> None:
    code, out, err = run("discover", "Unknown Drama Nobody Made", "--import")
    assert code == 0 and out == ""
    assert "no OST release of 'Unknown Drama Nobody Made' found on Spotify" in err
    assert "searched 1 page, read 0 releases, 1 request" in err
    assert "imported 'Unknown Drama Nobody Made': 0 added" in err
    with CatalogStore.open(tmp_path / "home" / "catalog.db") as store:
        assert store.dramas() == []


def test_a_typed_entry_is_linked_to_one_song_only(sb: Sandbox, tmp_path: Path) -> None:
    for n, singer in ((1, "Ahn Singer"), (2, "Bae Singer")):
        album = {"name": f"Twin Home OST Part.{n}", "release_date": f"2024-0{n}-01"}
        sb.add_track("Home", [singer], album=album)
    assert run("add", "--drama", "Twin Home", "--title", "Home", "--artist", "Somebody")[0] == 0
    code, _, err = run("discover", "Twin Home", "--import")
    assert code == 0 and "imported 'Twin Home': 1 added, 1 linked, 0 unchanged" in err
    assert sorted(r[0] for r in catalog(tmp_path)) == [1, 2]


def test_sandbox_finds_a_hangul_only_release_by_its_english_alias(api: Api) -> None:
    query = {"q": 'album:"Moonlight Harbor OST Part.4"', "type": "album", "limit": 10}
    albums = api.get("search", params=query).json()["albums"]
    assert [a["name"] for a in albums["items"]] == ["달빛 항구 OST Part.4"]
    assert api.get("search", params={**query, "limit": 11}).status_code == 400
    tracks = api.get(f"albums/{albums['items'][0]['id']}/tracks").json()
    assert [t["name"] for t in tracks["items"]] == ["Waves", "Waves (Inst.)"]


def test_discover_service_reports_progress_and_reads_without_writing(
    make_sandbox: MakeSandbox,
) -> None:
    from ostkit.services.discover import discover, import_discovery, plan_import
    from ostkit.spotify.client import SpotifyClient
    from ostkit.spotify.policy import NetPolicy

    with make_sandbox() as sb, CatalogStore.open(":memory:") as store:
        client = SpotifyClient(
            api_url=sb.api_url, auth=sb.issue_access_token(), policy=NetPolicy.for_tests()
        )
        said: list[str] = []
        found = discover(store, client, "Lantern", progress=said.append)
        assert said[0] == "searching albums 'Lantern' (page 1)"
        assert "searching albums '등불' (page 1)" in said
        assert (
            said[-1] == "reading release 12/12: K-Drama OST Hits 2023 (Moonlight Harbor, Lantern)"
        )
        assert store.counts()["dramas"] == 0
        assert (plan_import(store, found).added, store.counts()["tracks"]) == (20, 0)
        assert import_discovery(store, found).added == 20
        assert plan_import(store, found).unchanged == 20


def test_a_missing_part_shows_the_date_the_catalog_knows(sb: Sandbox, tmp_path: Path) -> None:
    known = tmp_path / "part6.toml"
    known.write_text(
        '[drama]\ntitle = "Soundtrack #1"\n\n[[parts]]\nnumber = 6\nrelease_date = "2022-02-13"\n',
        encoding="utf-8",
    )
    assert run("import", str(known))[0] == 0
    code, _, err = run("discover", "Soundtrack #1")
    assert code == 0 and "Part 6 (2022-02-13): not found on Spotify" in err


def test_dry_run_without_import_is_a_usage_error(sb: Sandbox) -> None:
    code, _, err = run("discover", "Lantern", "--dry-run")
    assert code == 2 and "--dry-run goes with --import" in err
    assert sb.count() == 0  # refused before any request
