"""A track's JSON shape is defined once (``formats.trackjson.TRACK_FIELDS``) and built two ways:
by SQLite for big listings (``CatalogStore.tracks_json``) and from models (``track_json``, used
by the JSON export and ``ostkit add``). Both must give the same bytes."""

from __future__ import annotations

import json

from ostkit.formats.trackjson import TRACK_FIELDS, track_json
from ostkit.models import Credit, Drama, Status, Track
from ostkit.store.catalog import CatalogStore

TRACKS = [
    Track(
        "도깨비 Goblin",
        'Say "Hi" / 안녕 \\ back',
        (Credit("Epik High"), Credit("Lee Hi", "featured", "이하이"), Credit("B", "main", "비")),
        native_title="안녕",
        part=1,
        album="Goblin OST Part 1",
        release_date="2016-12",
        duration_ms=215_373,
        isrc="KRA402100123",
        version="Inst.",
    ),
    # Control characters (a catalog written by an older ostkit may hold them) and tabs.
    Track("Goblin", "Tab\there\x01\x1f end", (Credit("A\x7fB"),), album="line\nbreak"),
    # Every optional field null, one credit.
    Track("Other", "x", (Credit("Solo"),)),
]


def _compact(item: object) -> bytes:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()


def test_sql_and_python_give_identical_json() -> None:
    with CatalogStore.open(":memory:") as store:
        with store.transaction():
            store.save_drama(Drama("도깨비 Goblin", native_title="쓸쓸하고 찬란하神 도깨비"))
            ids = [store.save_track(t)[0] for t in TRACKS]
            store.set_match(
                ids[1], status=Status.MATCHED, uri="spotify:track:" + "a" * 22, score=0.9
            )
            store.set_match(ids[2], status=Status.REVIEW, score=1.0)
            # Today's save_track cleans control characters; a catalog from an older ostkit may
            # still hold them, so put them in behind its back.
            store.conn.execute(
                "UPDATE tracks SET title = ?, version = ? WHERE id = ?",
                ("Tab\there\x01\x1f\x7f\u2028 end", "\x00v", ids[1]),
            )
        from_sql = list(store.tracks_json())
        from_models = [_compact(track_json(t)) for t in store.tracks()]
    assert len(from_sql) == len(TRACKS)
    assert from_sql == from_models


def test_the_shape_is_the_documented_field_list() -> None:
    names = [name for name, _, _ in TRACK_FIELDS]
    assert names == list(track_json(TRACKS[0]).keys())
    assert names[:6] == ["id", "drama", "part", "title", "native_title", "artist"]
    assert track_json(TRACKS[0])["credits"][1] == {
        "name": "Lee Hi",
        "native_name": "이하이",
        "role": "featured",
    }
