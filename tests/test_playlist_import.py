"""`ostkit import SPOTIFY_LINK --drama D` and `ostkit export --playlist FILE`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MakeSandbox
from ostkit.cli import cli
from ostkit.models import Candidate, SpotifyAlbum, SpotifyArtist, Status
from ostkit.sandbox import Sandbox
from ostkit.sandbox.faults import Fault
from ostkit.services.link_import import candidate_to_track
from ostkit.store.catalog import CatalogStore

ALBUM = {
    "id": "A" * 22,
    "name": "My OST Part.1",
    "album_type": "single",
    "release_date": "2022-03-11",
}


@pytest.fixture
def sb(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Sandbox]:
    with make_sandbox(load_default_corpus=False) as sb:
        sb.add_track(
            "First Song",
            ["Singer One", "Guest"],
            album=ALBUM,
            isrc="KRA382200101",
            duration_ms=201000,
        )
        sb.add_track("First Song (Inst.)", ["Singer One"], album=ALBUM, duration_ms=199000)
        monkeypatch.setenv("OSTKIT_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("SPOTIPY_CLIENT_ID", sb.client_id)
        monkeypatch.setenv("OSTKIT_SPOTIFY_API_URL", sb.api_url)
        monkeypatch.setenv("OSTKIT_SPOTIFY_ACCOUNTS_URL", sb.accounts_url)
        monkeypatch.setenv("OSTKIT_SPOTIFY_REFRESH_TOKEN", sb.issue_refresh_token())
        monkeypatch.chdir(tmp_path)
        yield sb


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def tracks(tmp_path: Path) -> list[tuple[str, str, str | None, str | None, int | None, str]]:
    store = CatalogStore.open(tmp_path / "home" / "catalog.db")
    try:
        return [
            (t.title, t.artist_display, t.album, t.isrc, t.duration_ms, str(t.status))
            for t in store.tracks()
        ]
    finally:
        store.close()


@pytest.mark.parametrize(
    "link",
    [
        f"https://open.spotify.com/intl-ko/album/{'A' * 22}?si=abc",
        f"spotify:album:{'A' * 22}",
    ],
)
def test_import_album_as_pinned(sb: Sandbox, tmp_path: Path, link: str) -> None:
    code, _, err = run("import", link, "--drama", "My Drama")
    assert code == 0, err
    assert "album AAAAAAAAAAAAAAAAAAAAAA -> 'My Drama': 2 added" in err
    assert tracks(tmp_path) == [
        ("First Song", "Singer One & Guest", "My OST Part.1", "KRA382200101", 201000, "pinned"),
        ("First Song", "Singer One", "My OST Part.1", None, 199000, "pinned"),
    ]
    code, _, err = run("import", link, "--drama", "My Drama")
    assert "0 added, 0 updated, 2 unchanged" in err


def test_import_playlist(sb: Sandbox, tmp_path: Path) -> None:
    ids = [t for t in sb.corpus.tracks]
    pid = sb.create_playlist("Fan OST", uris=[f"spotify:track:{i}" for i in reversed(ids)])
    code, _, err = run("import", f"https://open.spotify.com/playlist/{pid}", "--drama", "D")
    assert code == 0, err
    assert [t[0] for t in tracks(tmp_path)] == ["First Song", "First Song"]
    store = CatalogStore.open(tmp_path / "home" / "catalog.db")
    assert all(t.status == Status.PINNED and t.spotify_uri for t in store.tracks())
    store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("https://open.spotify.com/artist/" + "A" * 22, "--drama", "D"),
            "is a Spotify artist, not a playlist or album",
        ),
        (("https://example.com/x", "--drama", "D"), "Error: not a Spotify"),
        (
            ("spotify:track:" + "A" * 22, "--drama", "D"),
            "is a Spotify track, not a playlist or album",
        ),
    ],
)
def test_import_bad_link_is_one_line(sb: Sandbox, args: tuple[str, ...], message: str) -> None:
    code, _, err = run("import", *args)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


def test_import_link_needs_drama(sb: Sandbox) -> None:
    assert run("import", f"spotify:album:{'A' * 22}")[0] == 2


def test_export_playlist(sb: Sandbox, tmp_path: Path) -> None:
    run("import", f"spotify:album:{'A' * 22}", "--drama", "My Drama")
    (tmp_path / "p.toml").write_text(
        '[playlist]\nname = "Vocals"\ndramas = ["My Drama"]\ninstrumentals = "exclude"\n'
    )
    code, out, _ = run("export", "--playlist", "p.toml")
    assert code == 0 and "First Song" in out and "Inst." not in out
    code, out, _ = run("export", "--playlist", "p.toml", "--format", "json")
    assert [t["title"] for t in json.loads(out)["dramas"][0]["tracks"]] == ["First Song"]
    code, out, _ = run("export", "--playlist", "p.toml", "--format", "xspf")
    assert "<title>Vocals</title>" in out
    assert run("export", "--playlist", "p.toml", "--drama", "My Drama")[0] == 2


def test_import_playlist_entries_carry_every_field(sb: Sandbox, tmp_path: Path) -> None:
    ids = list(sb.corpus.tracks)
    pid = sb.create_playlist("Fan OST", uris=[f"spotify:track:{i}" for i in ids])
    code, _, err = run("import", f"spotify:playlist:{pid}", "--drama", "D")
    assert code == 0, err
    assert f"playlist {pid} -> 'D': 2 added, 0 updated, 0 unchanged" in err
    assert tracks(tmp_path) == [
        ("First Song", "Singer One & Guest", "My OST Part.1", "KRA382200101", 201000, "pinned"),
        ("First Song", "Singer One", "My OST Part.1", None, 199000, "pinned"),
    ]


def test_import_over_a_catalog_entry_keeps_its_facts(sb: Sandbox, tmp_path: Path) -> None:
    # The catalog knows the song from the OST part single; the Spotify album is a later
    # compilation: its name and release date must not replace the part's.
    (tmp_path / "d.toml").write_text(
        '[drama]\ntitle = "My Drama"\n\n[[tracks]]\npart = 1\ntitle = "First Song"\n'
        'artist = "Singer One & Guest"\nalbum = "My Drama OST Part 1"\n'
        'release_date = "2022-01-05"\n',
        encoding="utf-8",
    )
    assert run("import", "d.toml")[0] == 0
    code, _, err = run("import", f"spotify:album:{'A' * 22}", "--drama", "My Drama")
    assert code == 0, err
    assert "1 added, 1 updated, 0 unchanged" in err
    store = CatalogStore.open(tmp_path / "home" / "catalog.db")
    first = store.tracks()[0]
    store.close()
    assert (first.title, first.part, first.album, first.release_date) == (
        "First Song",
        1,
        "My Drama OST Part 1",
        "2022-01-05",
    )
    # ... while the URI is pinned and what was missing is filled in.
    assert first.status == Status.PINNED and first.spotify_uri
    assert (first.isrc, first.duration_ms) == ("KRA382200101", 201000)
    assert (
        "0 added, 0 updated, 2 unchanged"
        in run("import", f"spotify:album:{'A' * 22}", "--drama", "My Drama")[2]
    )


def test_import_someone_elses_playlist_says_what_to_do(sb: Sandbox) -> None:
    sb.add_user("fan")
    theirs = sb.create_playlist("Fan OST", owner="fan", public=True, uris=[])
    code, _, err = run(
        "import", f"https://open.spotify.com/playlist/{theirs}", "--drama", "Soundtrack #1"
    )
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith("Error: Spotify does not let ostkit read playlist 'Fan OST' (403)")
    assert "it belongs to fan, and apps read only playlists you own or collaborate on" in err
    assert "run `ostkit discover 'Soundtrack #1'`" in err
    assert "export the playlist with Exportify and `ostkit import` its CSV file" in err


def test_import_a_playlist_refused_for_another_cause_keeps_the_403_causes(sb: Sandbox) -> None:
    mine = sb.create_playlist("Mine", owner=sb.user_id, public=False, uris=[])
    sb.inject(Fault("server_error", path=rf"/v1/playlists/{mine}/items$", status=403))
    code, _, err = run("import", f"spotify:playlist:{mine}", "--drama", "D")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith("Error: Spotify refused items of playlist")
    assert "copy its songs into a playlist of yours in the Spotify app" in err


@pytest.mark.parametrize("kind", ["playlist", "album"])
def test_import_unknown_id_is_one_line(sb: Sandbox, kind: str) -> None:
    code, _, err = run("import", f"https://open.spotify.com/{kind}/{'B' * 22}", "--drama", "D")
    assert code == 1
    assert err.strip().splitlines() == [
        f"Error: {'items of playlist' if kind == 'playlist' else 'album'} {'B' * 22}: "
        "not found on Spotify (404); check the id or URL"
    ]


OST = {"id": "O" * 22, "name": "Drama X (Original Television Soundtrack), Pt. 3"}


def entries(tmp_path: Path) -> list[tuple[str, str | None, int | None, str, str]]:
    store = CatalogStore.open(tmp_path / "home" / "catalog.db")
    try:
        return [
            (t.title, t.version, t.part, t.artist_display, str(t.status)) for t in store.tracks()
        ]
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["album", "playlist"])
def test_import_splits_version_credits_and_part(sb: Sandbox, tmp_path: Path, kind: str) -> None:
    # The catalog knows the vocal track (unmatched); Spotify's names carry the version, a
    # "From ..." decoration and credits, the album name the part.
    (tmp_path / "x.toml").write_text(
        '[drama]\ntitle = "Drama X"\n\n[[tracks]]\ntitle = "Stay"\nartist = "Singer A"\n',
        encoding="utf-8",
    )
    assert run("import", "x.toml")[0] == 0
    ids = [
        sb.add_track('Stay (From "Drama X" Original Soundtrack)', ["Singer A"], album=OST),
        sb.add_track("Stay (Inst.)", ["Singer A"], album=OST),
        sb.add_track("Night Walk (feat. Guest)", ["Singer B", "Guest"], album=OST),
    ]
    link = f"spotify:album:{'O' * 22}"
    if kind == "playlist":
        link = "spotify:playlist:" + sb.create_playlist(
            "X", uris=[f"spotify:track:{i}" for i in ids]
        )
    code, _, err = run("import", link, "--drama", "Drama X")
    assert code == 0, err
    assert "1 added" not in err and "2 added, 1 updated, 0 unchanged" in err
    assert entries(tmp_path) == [
        ("Stay", None, 3, "Singer A", "pinned"),
        ("Stay", "Inst.", 3, "Singer A", "pinned"),
        ("Night Walk", None, 3, "Singer B feat. Guest", "pinned"),
    ]
    store = CatalogStore.open(tmp_path / "home" / "catalog.db")
    uris = {(t.title, t.version): t.spotify_uri for t in store.tracks()}
    store.close()
    assert uris[("Stay", None)] == f"spotify:track:{ids[0]}"
    assert uris[("Stay", "Inst.")] == f"spotify:track:{ids[1]}"
    # Again: same identities, nothing added or changed.
    assert "0 added, 0 updated, 3 unchanged" in run("import", link, "--drama", "Drama X")[2]
    assert len(entries(tmp_path)) == 3


def test_import_keeps_a_catalog_part_and_skips_a_repeat(sb: Sandbox, tmp_path: Path) -> None:
    # The catalog's part wins over the album's; the same song twice in a playlist ("Song" and
    # "Song - From ... OST") is one entry, pinned to the first.
    (tmp_path / "x.toml").write_text(
        '[drama]\ntitle = "Drama X"\n\n[[tracks]]\npart = 2\ntitle = "Stay"\nartist = "Singer A"\n',
        encoding="utf-8",
    )
    assert run("import", "x.toml")[0] == 0
    first = sb.add_track("Stay", ["Singer A"], album=OST)
    again = sb.add_track('Stay - From "Drama X" OST', ["Singer A"], album="Stay")
    pid = sb.create_playlist("X", uris=[f"spotify:track:{first}", f"spotify:track:{again}"])
    code, _, err = run("import", f"spotify:playlist:{pid}", "--drama", "Drama X")
    assert code == 0, err
    assert "0 added, 1 updated, 0 unchanged, 1 skipped" in err
    assert entries(tmp_path) == [("Stay", None, 2, "Singer A", "pinned")]


@pytest.mark.parametrize(
    ("name", "album", "expected"),
    [
        # The part of a "From ..." decoration when the album name has none.
        ('Stay (From "Drama X" OST Pt. 2)', "Stay", ("Stay", None, 2, None)),
        # A compilation's "Vol. 2" is not an OST part; an alternative title becomes native.
        (
            "Forever (약속) - Piano Ver.",
            "Best of K-Drama OST Vol. 2",
            ("Forever", "Piano Ver.", None, "약속"),
        ),
        ("My Love - From Drama X OST", "Drama X OST Part 4", ("My Love", None, 4, None)),
    ],
)
def test_candidate_to_track_reads_name_and_album(
    name: str, album: str, expected: tuple[str, str | None, int | None, str | None]
) -> None:
    candidate = Candidate(
        "C" * 22,
        "spotify:track:" + "C" * 22,
        name,
        (SpotifyArtist(None, "Singer"),),
        album=SpotifyAlbum(None, album),
    )
    track = candidate_to_track(candidate, "Drama X")
    assert (track.title, track.version, track.part, track.native_title) == expected
