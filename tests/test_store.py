"""CatalogStore: schema, migrations, transactions, identity rules, concurrency."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from ostkit.errors import CatalogError, NotFoundError
from ostkit.models import (
    Candidate,
    CastMember,
    Credit,
    Drama,
    ManagedPlaylist,
    SpotifyAlbum,
    SpotifyArtist,
    Status,
    Track,
)
from ostkit.store import migrations
from ostkit.store.bulk import BulkWriter
from ostkit.store.catalog import CatalogStore
from ostkit.store.migrations import MIGRATIONS, Migration
from ostkit.store.tracks import changed_fields


@pytest.fixture
def store() -> Iterator[CatalogStore]:
    s = CatalogStore.open(":memory:")
    yield s
    s.close()


def _track(title: str, *artists: str, drama: str = "Soundtrack #1", **kw: object) -> Track:
    return Track(drama=drama, title=title, credits=tuple(Credit(a) for a in artists), **kw)  # type: ignore[arg-type]


def test_open_creates_schema_with_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "catalog.db"
    with CatalogStore.open(path) as s:
        assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert s.schema_version == len(MIGRATIONS)
        names = [name for _, name, _ in s.applied_migrations()]
        assert names == [m.name for m in MIGRATIONS]
        tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {
            "dramas",
            "cast_members",
            "ost_parts",
            "tracks",
            "artists",
            "artist_aliases",
            "credits",
            "candidates",
            "playlists",
            "schema_migrations",
        } <= tables
        track_cols = {r[1] for r in s.conn.execute("PRAGMA table_info(tracks)")}
        assert {"spotify_uri", "status", "score", "matched_at", "isrc", "version"} <= track_cols
        cand_cols = {r[1] for r in s.conn.execute("PRAGMA table_info(candidates)")}
        assert {"track_id", "uri", "score", "payload", "reasons"} <= cand_cols
        pl_cols = {r[1] for r in s.conn.execute("PRAGMA table_info(playlists)")}
        assert {"name", "source_file", "spotify_id", "snapshot_id", "uris"} <= pl_cols
    assert path.exists()


def test_reopen_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    CatalogStore.open(path).close()
    with CatalogStore.open(path) as s:
        assert len(s.applied_migrations()) == len(MIGRATIONS)


def test_older_schema_is_migrated_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, upto=1)  # a catalog written by the first release
    assert migrations.current_version(conn) == 1
    now = "2022-01-01T00:00:00Z"
    conn.execute(
        "INSERT INTO dramas (title, title_key, year, created_at) "
        "VALUES ('Soundtrack #1', 'soundtrack1', 2022, ?)",
        (now,),
    )
    conn.execute(
        "INSERT INTO artists (name, native_name, created_at) VALUES ('Kyuhyun', '규현', ?)", (now,)
    )
    conn.execute("INSERT INTO artist_aliases VALUES ('kyuhyun', 1, 'Kyuhyun')")
    conn.execute(
        "INSERT INTO tracks (drama_id, position, title, title_key, primary_artist_id, status, "
        "created_at, updated_at) VALUES (1, 1, 'Love Beyond Words', 'lovebeyondwords', 1, "
        "'unmatched', ?, ?)",
        (now, now),
    )
    conn.execute("INSERT INTO credits VALUES (1, 0, 1, 'main', 'Kyuhyun')")
    conn.close()

    with CatalogStore.open(path) as s:
        assert s.schema_version == len(MIGRATIONS)
        assert [v for v, _, _ in s.applied_migrations()] == list(range(1, len(MIGRATIONS) + 1))
        (track,) = s.tracks()
        assert (track.title, track.artist, track.credits[0].native_name) == (
            "Love Beyond Words",
            "Kyuhyun",
            "규현",
        )
        assert s.find_drama("soundtrack #1").year == 2022
        assert [json.loads(t)["title"] for t in s.tracks_json()] == ["Love Beyond Words"]
        # The later steps' tables and indexes work.
        assert "tracks_listing" in _index_names(s)
        s.conn.execute(
            "INSERT INTO candidates (track_id, uri, created_at) VALUES (1, 'spotify:track:x', ?)",
            (now,),
        )


def _index_names(s: CatalogStore) -> set[str]:
    return {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}


@pytest.mark.parametrize("version", range(len(MIGRATIONS)), ids=lambda v: f"from-{v}")
def test_every_older_version_migrates_to_the_latest(tmp_path: Path, version: int) -> None:
    """An empty file (version 0) and a catalog left at each older step open at the latest."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, upto=version)
    assert migrations.current_version(conn) == version
    conn.close()
    with CatalogStore.open(path) as s:
        assert s.schema_version == len(MIGRATIONS)
        assert [v for v, _, _ in s.applied_migrations()] == list(range(1, len(MIGRATIONS) + 1))
        assert {"tracks_listing", "tracks_status", "tracks_uri"} <= _index_names(s)
        assert "tracks_order" not in _index_names(s)
        with s.transaction():
            s.save_track(_track("My Love", "Kim Jong-kook", part=1))
            s.save_managed_playlist(ManagedPlaylist("Mix", public=False))
        assert [t.title for t in s.tracks()] == ["My Love"]
        assert s.find_managed_playlist(name="Mix") is not None


def _indexes(path: Path) -> dict[str, str]:
    """The indexes of the tracks table as the database file holds them (name -> SQL)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tracks'"
        ).fetchall()
    finally:
        conn.close()
    return {name: sql for name, sql in rows if sql is not None}


def test_a_new_step_appended_later_is_applied_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.db"
    with CatalogStore.open(path) as s, s.transaction():
        s.save_track(_track("My Love", "Kim Jong-kook"))
    extra = Migration(
        len(MIGRATIONS) + 1, "track_notes", ("ALTER TABLE tracks ADD COLUMN notes TEXT",)
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, extra])
    with CatalogStore.open(path) as s:
        assert s.applied_migrations()[-1][1] == "track_notes"
        assert [t.title for t in s.tracks()] == ["My Love"]
        assert "notes" in {r[1] for r in s.conn.execute("PRAGMA table_info(tracks)")}
    with CatalogStore.open(path) as s:  # not applied twice
        assert len(s.applied_migrations()) == len(MIGRATIONS) + 1


def test_failing_step_rolls_back_whole_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.db"
    CatalogStore.open(path).close()
    bad = Migration(len(MIGRATIONS) + 1, "broken", ("CREATE TABLE t1 (x)", "THIS IS NOT SQL"))
    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, bad])
    with pytest.raises(CatalogError):
        CatalogStore.open(path)
    monkeypatch.undo()
    with CatalogStore.open(path) as s:
        assert s.schema_version == len(MIGRATIONS)
        assert not s.conn.execute("SELECT 1 FROM sqlite_master WHERE name='t1'").fetchone()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    CatalogStore.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(CatalogError, match="newer than this ostkit"):
        CatalogStore.open(path)


def test_not_a_database_is_a_catalog_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    path.write_text("hello, this is not sqlite" * 100)
    with pytest.raises(CatalogError, match="not an ostkit catalog"):
        CatalogStore.open(path)


def test_exception_inside_transaction_leaves_no_rows(store: CatalogStore) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.save_drama(Drama("Soundtrack #1"))
        store.save_track(_track("My Love", "Kim Jong-kook"))
        with store.transaction():  # nested joins
            store.save_track(_track("Talk To Me", "Kim Jae-hwan"))
        raise RuntimeError("boom")
    assert store.counts()["tracks"] == 0
    assert store.counts()["dramas"] == 0
    assert store.counts()["artists"] == 0


def test_exception_inside_an_import_leaves_no_rows(store: CatalogStore) -> None:
    """Past a flushed batch of the bulk writer too: the whole import rolls back."""
    with pytest.raises(RuntimeError), store.transaction(), store.bulk() as writer:
        writer.save_drama(Drama("Soundtrack #1"))
        for i in range(2500):
            writer.save_track(_track(f"Song {i}", "Kim Jong-kook", part=1))
        assert store.counts()["tracks"] == 2500  # reads see the rows
        raise RuntimeError("boom")
    assert store.counts() == dict.fromkeys(store.counts(), 0)


def test_writes_outside_transaction_are_refused(store: CatalogStore) -> None:
    with pytest.raises(CatalogError, match="transaction"):
        store.save_track(_track("My Love", "Kim Jong-kook"))


def test_reimport_updates_never_duplicates(store: CatalogStore) -> None:
    with store.transaction():
        tid, outcome = store.save_track(_track("My Love", "Kim Jong-kook"))
        assert outcome == "added"
        assert store.save_track(_track("MY LOVE!", "kim jong kook")) == (tid, "unchanged")
        assert store.save_track(_track("My Love", "Kim Jong-kook", "Davichi"))[1] == "updated"
        assert store.save_track(_track("My Love", "Kim Jong-kook"))[1] == "updated"
        tid2, outcome = store.save_track(_track("My Love", "Kim Jong-kook", duration_ms=200_000))
    assert (tid2, outcome) == (tid, "updated")
    (track,) = store.tracks()
    assert track.duration_ms == 200_000
    # Empty fields keep what is stored.
    with store.transaction():
        assert store.save_track(_track("My Love", "Kim Jong-kook"))[1] == "unchanged"
    assert store.get_track(tid).duration_ms == 200_000


def test_version_tag_and_other_artist_are_different_tracks(store: CatalogStore) -> None:
    with store.transaction():
        a = store.save_track(_track("My Love", "Kim Jong-kook"))[0]
        b = store.save_track(_track("My Love", "Kim Jong-kook", version="Inst."))[0]
        c = store.save_track(_track("My Love", "Davichi"))[0]
        d = store.save_track(_track("My Love", "Kim Jong-kook", drama="Other Drama"))[0]
    assert len({a, b, c, d}) == 4


def test_artists_unify_case_insensitively(store: CatalogStore) -> None:
    with store.transaction():
        store.save_track(_track("Your Tender Heart Hurts Me", "DAVICHI"))
        store.save_track(_track("Another", "Davichi"))
    assert [a.name for a in store.artists()] == ["DAVICHI"]
    assert len(store.tracks(artist="davichi")) == 2


def test_artists_unify_through_native_names(store: CatalogStore) -> None:
    with store.transaction():
        t1 = store.save_track(_track("Want to Be Happy", "Park Boram"))[0]
        t2 = store.save_track(_track("행복해지고 싶어 (Acoustic)", "박보람"))[0]
        assert len(store.artists()) == 2
        # One row links the two spellings: they become one artist.
        store.save_track(
            Track(
                "Soundtrack #1", "Want to Be Happy", (Credit("Park Bo-ram", native_name="박보람"),)
            )
        )
    (artist,) = store.artists()
    assert artist.native_name == "박보람"
    assert {t.id for t in store.tracks(artist="박보람")} == {t1, t2}
    assert {t.id for t in store.tracks(artist="Park Bo-ram")} == {t1, t2}
    assert store.find_artist("PARK BORAM") == artist


def test_merging_artists_merges_tracks_that_become_identical(store: CatalogStore) -> None:
    with store.transaction():
        t1 = store.save_track(_track("Want to Be Happy", "Park Bo-ram"))[0]
        store.save_track(_track("Want to Be Happy", "박보람", duration_ms=201_000))
        store.save_track(
            Track(
                "Soundtrack #1", "Want to Be Happy", (Credit("Park Bo-ram", native_name="박보람"),)
            )
        )
    (track,) = store.tracks()
    assert track.id == t1
    assert track.duration_ms == 201_000


def test_canonical_order_and_filters(store: CatalogStore) -> None:
    with store.transaction():
        store.save_track(_track("B-side", "Kyuhyun"))  # no part: last
        store.save_track(_track("Part 2 song", "Park Bo-ram", part=2))
        store.save_track(_track("Part 1 song", "Kyuhyun", part=1))
        store.save_track(_track("Part 2 second", "Park Bo-ram", part=2))
        store.save_track(_track("Alpha", "X", drama="A Drama"))
        tid = store.save_track(_track("Pinned", "Y", drama="A Drama"))[0]
        store.set_match(tid, status=Status.PINNED, uri="spotify:track:" + "a" * 22)
    titles = [t.title for t in store.tracks()]
    assert titles == ["Alpha", "Pinned", "Part 1 song", "Part 2 song", "Part 2 second", "B-side"]
    assert [t.title for t in store.tracks(drama="soundtrack #1", artist="KYUHYUN")] == [
        "Part 1 song",
        "B-side",
    ]
    assert [t.title for t in store.tracks(status="pinned")] == ["Pinned"]
    pinned = store.get_track(tid)
    assert pinned.status is Status.PINNED and pinned.matched_at


def test_unknown_names_suggest_closest(store: CatalogStore) -> None:
    with store.transaction():
        store.save_drama(Drama("Soundtrack #1"))
        store.save_track(_track("My Love", "Kim Jong-kook"))
    with pytest.raises(NotFoundError, match=r"did you mean 'Soundtrack #1'"):
        store.find_drama("Soundtrak #1")
    with pytest.raises(NotFoundError, match="Kim Jong-kook"):
        store.tracks(artist="Kim Jong-kok")
    with pytest.raises(NotFoundError, match="no track with id 99"):
        store.get_track(99)


def test_drama_fields_cast_and_parts(store: CatalogStore) -> None:
    drama = Drama(
        "Soundtrack #1",
        native_title="사운드트랙 #1",
        year=2022,
        network="Disney+",
        director="Kim Hee-won",
        writer="Ahn Sae-bom",
        release_date="2022-03-23",
        cast=(
            CastMember("Park Hyung-sik", "Han Seon-woo"),
            CastMember("Han So-hee", "Lee Eun-soo"),
        ),
    )
    with store.transaction():
        assert store.save_drama(drama) == "added"
        assert store.save_drama(drama) == "unchanged"
        assert store.save_drama(Drama("soundtrack #1", network="Disney Plus")) == "updated"
        store.save_track(
            _track(
                "My Love",
                "Kim Jong-kook",
                part=4,
                album="Soundtrack #1 OST Part 4",
                release_date="2022-01-27",
            )
        )
    (got,) = store.dramas()
    assert got.cast == drama.cast
    assert got.network == "Disney Plus" and got.director == "Kim Hee-won"
    assert store.find_drama("사운드트랙 #1").id == got.id
    (part,) = store.parts("Soundtrack #1")
    assert (part.number, part.title, part.release_date) == (
        4,
        "Soundtrack #1 OST Part 4",
        "2022-01-27",
    )


def test_delete_tracks_and_drama(store: CatalogStore) -> None:
    with store.transaction():
        a = store.save_track(_track("My Love", "Kim Jong-kook"))[0]
        store.save_track(_track("Talk To Me", "Kim Jae-hwan"))
    with store.transaction():
        assert store.delete_tracks([a]) == 1
    assert [t.title for t in store.tracks()] == ["Talk To Me"]
    assert [x.name for x in store.artists()] == ["Kim Jae-hwan"]  # orphans go
    with store.transaction():
        assert store.delete_drama("Soundtrack #1") == 1
    assert store.counts()["tracks"] == 0 and store.counts()["dramas"] == 0
    with pytest.raises(NotFoundError), store.transaction():
        store.delete_tracks([12345])


def test_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    first = CatalogStore.open(path)
    script = textwrap.dedent(
        f"""
        from ostkit.store.catalog import CatalogStore
        from ostkit.models import Track, Credit
        s = CatalogStore.open({str(path)!r}, timeout=20)
        with s.transaction():
            s.save_track(Track("D", "From child", (Credit("B"),)))
        print("done")
        """
    )
    with first.transaction():
        first.save_track(_track("From parent", "A", drama="D"))
        child = subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # The child blocks on the write lock while we hold it.
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=0.5)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    assert out.strip() == "done"
    assert sorted(t.title for t in first.tracks()) == ["From child", "From parent"]
    first.close()


def test_busy_catalog_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    first = CatalogStore.open(path)
    second = CatalogStore.open(path, timeout=0.05)
    with first.transaction():
        first.save_track(_track("x", "A"))
        with pytest.raises(CatalogError, match="busy"), second.transaction():
            pass
    first.close()
    second.close()


def test_bulk_mode_gives_the_same_catalog(tmp_path: Path) -> None:
    def fill(store: CatalogStore, writer: CatalogStore | BulkWriter) -> list[tuple[object, ...]]:
        for i in range(30):
            writer.save_track(_track(f"Song {i}", "Park Bo-ram", part=1 + i % 3))
        writer.save_track(_track("Song 3", "박보람", duration_ms=1000))
        assert writer.save_track(_track("Song 1", "Park Boram", duration_ms=5))[1] == "updated"
        writer.save_track(
            Track("Soundtrack #1", "Song 3", (Credit("Park Bo-ram", native_name="박보람"),))
        )
        assert store.get_track(2).duration_ms == 5  # reads see pending rows
        return [(t.id, t.title, t.part, t.duration_ms, t.credits) for t in store.tracks()]

    with CatalogStore.open(tmp_path / "a.db") as a, a.transaction():
        plain = fill(a, a)
    with CatalogStore.open(tmp_path / "b.db") as b, b.transaction(), b.bulk() as writer:
        bulk = fill(b, writer)
        with pytest.raises(CatalogError, match="write through its writer"):
            b.save_track(_track("Elsewhere", "X"))
    assert bulk == plain
    with CatalogStore.open(tmp_path / "b.db") as b:
        assert len(b.tracks()) == 30


def test_tracks_json_matches_the_models(store: CatalogStore) -> None:
    import json

    from ostkit.formats.trackjson import track_json

    with store.transaction():
        store.save_drama(Drama("Soundtrack #1"))  # a drama without tracks is fine
        store.save_track(
            Track(
                "Goblin",
                'Say "Hi" / 안녕',
                (Credit("Epik High"), Credit("Lee Hi", "featured", "이하이"), Credit("B")),
                part=1,
                duration_ms=215_373,
                isrc="KRA402100123",
                version="Inst.",
            )
        )
        tid = store.save_track(_track("My Love", "Kim Jong-kook", part=4))[0]
        store.set_match(tid, status=Status.MATCHED, uri="spotify:track:" + "a" * 22, score=0.93)
        store.save_track(_track("x", "A", drama="Other"))
    for kwargs in ({}, {"drama": "Goblin"}, {"artist": "lee hi"}, {"status": "matched"}):
        fast = [json.loads(t) for t in store.tracks_json(**kwargs)]  # type: ignore[arg-type]
        slow = [track_json(t) for t in store.tracks(**kwargs)]  # type: ignore[arg-type]
        assert fast == slow and fast
    assert json.loads(next(store.tracks_json(drama="Goblin")))["artist"] == (
        "Epik High & B feat. Lee Hi"
    )


def test_catalog_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CatalogError, match="cannot create the folder"):
        CatalogStore.open(blocker / "sub" / "catalog.db")


def test_listings_come_out_in_listing_order(tmp_path: Path) -> None:
    """Listings go by drama title, then OST part (tracks without a part last), then catalog
    order, credits in billing order. The tracks_listing index holds exactly that order, so the
    big listings read it instead of sorting (benchmarks/: < 1 s on 100,000 tracks)."""
    path = tmp_path / "c.db"
    with CatalogStore.open(path) as s:
        with s.transaction():
            s.save_track(_track("B", "X", part=2))
            s.save_track(_track("A", "Y", "Z"))
            s.save_track(_track("C", "X", part=1, drama="Another"))
            s.save_track(_track("D", "Z", part=1))
            s.save_track(_track("E", "Y", part=2))
        order = ["C", "D", "B", "E", "A"]
        assert [t["title"] for t in map(json.loads, s.tracks_json())] == order
        assert [t.title for t in s.tracks()] == order
        assert [label for _, _, label in s.artist_credits()] == [*order, "A"]
        credits = [json.loads(item) for _, _, item in s.artist_credits(as_json=True)]
        assert [(c["title"], c["part"]) for c in credits] == [
            ("C", 1),
            ("D", 1),
            ("B", 2),
            ("E", 2),
            ("A", None),
            ("A", None),
        ]
        y, z = s.find_artist("Y"), s.find_artist("Z")
        assert y is not None and z is not None
        assert [artist for _, artist, label in s.artist_credits() if label == "A"] == [y.id, z.id]
    indexes = _indexes(path)
    assert "tracks_order" not in indexes  # replaced by tracks_listing (schema step 5)
    assert indexes["tracks_listing"] == (
        "CREATE INDEX tracks_listing ON tracks(drama_id, part IS NULL, part, position)"
    )


def test_find_same_track_follows_the_identity_rule(store: CatalogStore) -> None:
    with store.transaction():
        boram = (Credit("Park Bo-ram", native_name="박보람"),)
        store.save_track(Track("Soundtrack #1", "Want to Be Happy", boram))
        store.save_track(_track("Want to Be Happy", "Park Bo-ram", version="Inst."))
    before = store.counts()
    vocal = store.find_same_track(_track("want to be happy", "박보람"))  # key + native alias
    assert vocal is not None and vocal.version is None
    inst = store.find_same_track(_track("Want To Be Happy", "Park Boram", version="Inst."))
    assert inst is not None and inst.version == "Inst." and inst.id != vocal.id
    assert store.find_same_track(_track("Want to Be Happy", "Someone Else")) is None
    assert store.find_same_track(_track("Want to Be Happy", "Park Bo-ram", drama="Other")) is None
    assert store.counts() == before  # looking creates no artist or drama


def test_find_same_track_agrees_with_save_on_a_native_name_link(store: CatalogStore) -> None:
    """The primary credit's native name links it to a known artist: save updates that artist's
    track, so find_same_track finds it (it used to look at the name only, and found nothing)."""
    linked = Track(
        "Soundtrack #1", "Want to Be Happy", (Credit("Park Bo-ram", native_name="박보람"),)
    )
    with store.transaction():
        tid = store.save_track(_track("Want to Be Happy", "박보람"))[0]
    before = store.counts()
    found = store.find_same_track(linked)
    assert found is not None and found.id == tid
    assert store.counts() == before
    with store.transaction():
        assert store.save_track(linked)[0] == tid


def test_find_same_track_picks_the_track_a_merge_keeps(store: CatalogStore) -> None:
    """Name and native name are two artists with a track each: save merges them into the
    lower id, keeping that artist's track; find_same_track names the same one."""
    with store.transaction():
        kept = store.save_track(_track("Want to Be Happy", "Park Bo-ram"))[0]
        store.save_track(_track("Want to Be Happy", "박보람"))
    linked = Track(
        "Soundtrack #1", "Want to Be Happy", (Credit("Park Bo-ram", native_name="박보람"),)
    )
    found = store.find_same_track(linked)
    assert found is not None and found.id == kept
    with store.transaction():
        assert store.save_track(linked)[0] == kept
    assert [t.id for t in store.tracks()] == [kept]


def _candidate_with_isrc() -> Candidate:
    album = SpotifyAlbum(
        id="a" * 22,
        name="Soundtrack #1 OST Part.1",
        album_type="single",
        release_date="2022-03-23",
        artists=(SpotifyArtist("k" * 22, "KYUHYUN"),),
        total_tracks=2,
    )
    return Candidate(
        id="t" * 22,
        uri="spotify:track:" + "t" * 22,
        name="Love Beyond Words",
        artists=(SpotifyArtist("k" * 22, "KYUHYUN"),),
        album=album,
        duration_ms=233000,
        isrc="KRA382200123",
        track_number=1,
    )


def test_review_candidates_round_trip_through_the_store(tmp_path: Path) -> None:
    cand = _candidate_with_isrc()
    with CatalogStore.open(tmp_path / "c.db") as s:
        with s.transaction():
            tid, _ = s.save_track(_track("Love Beyond Words", "Kyuhyun"))
            s.save_candidates(tid, [(cand, 0.93, ("title exact",))])
        assert s.candidates(tid) == [(cand, 0.93, ("title exact",))]


def test_candidates_stored_by_step_5_keep_their_isrc(tmp_path: Path) -> None:
    """Before step 6 a candidate was stored as the dataclass (ISRC at the top level)."""
    path = tmp_path / "old.db"
    cand = _candidate_with_isrc()
    with CatalogStore.open(path) as s, s.transaction():
        tid, _ = s.save_track(_track("Love Beyond Words", "Kyuhyun"))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DELETE FROM schema_migrations WHERE version >= 6")
    conn.execute("PRAGMA user_version = 5")
    conn.execute(
        "INSERT INTO candidates (track_id, uri, score, payload, reasons, created_at) "
        "VALUES (?, ?, 0.9, ?, '[]', '2026-01-01T00:00:00Z')",
        (tid, cand.uri, json.dumps(dataclasses.asdict(cand))),
    )
    conn.close()
    with CatalogStore.open(path) as s:
        ((stored, score, _),) = s.candidates(tid)
    assert stored == cand
    assert score == 0.9


_STORED_ROW = (
    1,  # part
    "My Love",  # title
    None,  # native_title
    "OST Part 1",  # album
    None,  # release_date
    200_000,  # duration_ms
    None,  # isrc
    None,  # version
    "spotify:track:" + "a" * 22,  # spotify_uri
    "pinned",  # status
    None,  # score
    "2026-01-01T00:00:00Z",  # matched_at
)


@pytest.mark.parametrize(
    ("incoming", "changes"),
    [
        pytest.param({}, {}, id="empty fields keep what is stored"),
        pytest.param({"title": "MY LOVE!"}, {}, id="title spelling kept as first stored"),
        pytest.param({"duration_ms": 201_000}, {"duration_ms": 201_000}, id="carried field wins"),
        pytest.param({"isrc": "KRA382200123"}, {"isrc": "KRA382200123"}, id="missing filled in"),
        pytest.param(
            {"status": Status.MATCHED, "spotify_uri": "spotify:track:" + "b" * 22, "score": 0.9},
            {
                "spotify_uri": "spotify:track:" + "b" * 22,
                "status": "matched",
                "score": 0.9,
                "matched_at": None,
            },
            id="match fields replaced together",
        ),
    ],
)
def test_changed_fields_is_the_update_rule(
    incoming: dict[str, object], changes: dict[str, object]
) -> None:
    fields = dict(incoming)
    track = _track(str(fields.pop("title", "My Love")), "Kim Jong-kook", **fields)  # type: ignore[arg-type]
    assert changed_fields(_STORED_ROW, track) == changes


def _before_step(name: str) -> list[Migration]:
    """The shipped steps that come before the named one."""
    return MIGRATIONS[: next(m.version for m in MIGRATIONS if m.name == name) - 1]


def test_autoincrement_step_keeps_ids_rows_indexes_and_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog made just before the step, with data, upgrades without losing anything."""
    path = tmp_path / "c.db"
    cand = _candidate_with_isrc()
    monkeypatch.setattr(migrations, "MIGRATIONS", _before_step("tracks_autoincrement"))
    with CatalogStore.open(path) as s:
        with s.transaction():
            ids = [s.save_track(_track(f"Song {n}", "Kyuhyun", "Ailee", part=1))[0] for n in "ABC"]
            s.save_candidates(ids[2], [(cand, 0.93, ("title exact",))])
            s.delete_tracks([ids[1]])
        before_tracks = s.tracks()
        before_indexes = _indexes(path)
        assert "AUTOINCREMENT" not in _table_sql(s, "tracks")
    monkeypatch.undo()
    with CatalogStore.open(path) as s:
        assert "AUTOINCREMENT" in _table_sql(s, "tracks")
        assert s.tracks() == before_tracks
        assert [t.id for t in s.tracks()] == [ids[0], ids[2]]
        assert [c.name for c in s.get_track(ids[2]).credits] == ["Kyuhyun", "Ailee"]
        assert s.candidates(ids[2]) == [(cand, 0.93, ("title exact",))]
        assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert not s.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name LIKE '%rebuilt%'"
        ).fetchall()
        # The credits and candidates still cascade from the new table.
        with s.transaction():
            s.delete_tracks([ids[2]])
        assert s.conn.execute("SELECT count(*) FROM candidates").fetchone()[0] == 0
        assert s.conn.execute("SELECT count(*) FROM credits").fetchone()[0] == 2
    assert _indexes(path) == before_indexes


def _table_sql(s: CatalogStore, name: str) -> str:
    row = s.conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return str(row[0])


def test_a_removed_track_id_is_never_given_again(store: CatalogStore) -> None:
    with store.transaction():
        first, _ = store.save_track(_track("My Love", "Kim Jong-kook"))
        last, _ = store.save_track(_track("Breath", "Sam Kim"))
        store.delete_tracks([last])
        again, _ = store.save_track(_track("Stay With Me", "Chanyeol", "Punch"))
    assert again > last > first


def test_bulk_import_does_not_reuse_a_removed_track_id(store: CatalogStore) -> None:
    with store.transaction():
        store.save_track(_track("My Love", "Kim Jong-kook"))
        last, _ = store.save_track(_track("Breath", "Sam Kim"))
        store.delete_tracks([last])
    with store.transaction(), store.bulk() as writer:
        again, outcome = writer.save_track(_track("Stay With Me", "Chanyeol"))
    assert outcome == "added"
    assert again > last
    assert store.get_track(again).title == "Stay With Me"
