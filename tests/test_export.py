"""Export writers: CSV safety, Exportify columns, JSON, M3U8, XSPF structure (checked offline)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlparse

import pytest

from ostkit.formats.csvfile import CSV_COLUMNS, to_csv
from ostkit.formats.exportify import EXPORTIFY_COLUMNS, to_exportify
from ostkit.formats.fields import format_duration
from ostkit.formats.jsonfile import to_json
from ostkit.formats.m3u import to_m3u
from ostkit.formats.xspf import XSPF_NS, to_xspf
from ostkit.models import Credit, Drama, OstPart, Status, Track

URI = "spotify:track:4uLU6hMCjMI75M1A2tKUQC"

TRACKS = [
    Track(
        "Soundtrack #1",
        "Love Beyond Words",
        (Credit("Kyuhyun", native_name="규현"),),
        native_title="사랑은 말로 표현하는게 아니래요",
        part=1,
        duration_ms=239_373,
        spotify_uri=URI,
        status=Status.PINNED,
        isrc="KRA402100123",
        album="Soundtrack #1 OST Part 1",
        id=1,
    ),
    Track(
        "Soundtrack #1",
        '=HYPERLINK("http://x") & <Me>',
        (Credit("Epik High"), Credit("Lee Hi", "featured")),
        version="Inst.",
        id=2,
    ),
]
DRAMAS = {"Soundtrack #1": Drama("Soundtrack #1", native_title="사운드트랙 #1", year=2022)}


def test_csv_columns_and_formula_neutralisation() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(TRACKS, DRAMAS))))
    assert tuple(rows[0]) == CSV_COLUMNS
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["duration"] == "3:59.373"
    assert first["artist_ko"] == "규현" and first["drama_ko"] == "사운드트랙 #1"
    second = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert second["title"].startswith("'=HYPERLINK")
    assert second["artist"] == "Epik High feat. Lee Hi"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_exportify_layout() -> None:
    rows = list(csv.reader(io.StringIO(to_exportify(TRACKS))))
    assert tuple(rows[0]) == EXPORTIFY_COLUMNS
    first = dict(zip(EXPORTIFY_COLUMNS, rows[1], strict=True))
    assert first["Track URI"] == URI
    assert first["Track Duration (ms)"] == "239373"
    assert first["ISRC"] == "KRA402100123"
    second = dict(zip(EXPORTIFY_COLUMNS, rows[2], strict=True))
    assert second["Artist Name(s)"] == "Epik High, Lee Hi"
    assert second["Track Name"].startswith("'=")


def test_json_shape() -> None:
    doc = json.loads(
        to_json(list(DRAMAS.values()), [OstPart("Soundtrack #1", 1, None, "2021-12-30")], TRACKS)
    )
    assert doc["format"] == "ostkit" and doc["version"] == 1
    (drama,) = doc["dramas"]
    assert drama["parts"] == [{"number": 1, "title": None, "release_date": "2021-12-30"}]
    track = drama["tracks"][0]
    for k in ("id", "drama", "title", "artist", "spotify_uri", "status", "score", "credits"):
        assert k in track
    assert track["credits"] == [{"name": "Kyuhyun", "native_name": "규현", "role": "main"}]


def test_m3u8() -> None:
    text, skipped = to_m3u(TRACKS, title="Soundtrack #1")
    assert skipped == 1
    assert text.splitlines() == [
        "#EXTM3U",
        "#PLAYLIST:Soundtrack #1",
        "#EXTINF:239,Kyuhyun - Love Beyond Words",
        URI,
    ]


# XSPF 1 element rules (https://xspf.org/spec): order follows the XSD's sequences.
PLAYLIST_CHILDREN = [
    "title",
    "creator",
    "annotation",
    "info",
    "location",
    "identifier",
    "image",
    "date",
    "license",
    "attribution",
    "link",
    "meta",
    "extension",
    "trackList",
]
TRACK_CHILDREN = [
    "location",
    "identifier",
    "title",
    "creator",
    "annotation",
    "info",
    "image",
    "album",
    "trackNum",
    "duration",
    "link",
    "meta",
    "extension",
]
REPEATABLE = {"location", "identifier", "link", "meta", "extension"}
URI_ELEMENTS = {"location", "identifier", "info", "image", "license"}


def _check_children(parent: ET.Element, allowed: list[str], required: set[str]) -> None:
    names = []
    for child in parent:
        assert child.tag.startswith("{" + XSPF_NS + "}"), child.tag
        names.append(child.tag.split("}", 1)[1])
    for name in names:
        assert name in allowed, f"unexpected element {name}"
    positions = [allowed.index(n) for n in names]
    assert positions == sorted(positions), f"elements out of order: {names}"
    for name in set(names) - REPEATABLE:
        assert names.count(name) == 1, f"{name} repeated"
    assert required <= set(names)
    for child in parent:
        name = child.tag.split("}", 1)[1]
        if name in URI_ELEMENTS:
            assert urlparse(child.text or "").scheme, f"{name} must be a URI: {child.text}"
        if name == "duration":
            assert (child.text or "").isdigit()
        if name == "trackNum":
            assert (child.text or "").isdigit() and int(child.text or "0") > 0


def validate_xspf(text: str) -> ET.Element:
    """Structural XSPF validation from the spec's rules (no network, no XSD download)."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "{" + XSPF_NS + "}playlist"
    assert root.get("version") == "1"
    _check_children(root, PLAYLIST_CHILDREN, {"trackList"})
    track_list = root.find(f"{{{XSPF_NS}}}trackList")
    assert track_list is not None
    for track in track_list:
        assert track.tag == f"{{{XSPF_NS}}}track"
        _check_children(track, TRACK_CHILDREN, set())
        for el in track:
            assert len(el) == 0  # all track children used here are text-only
    return root


def test_xspf_is_valid_and_escaped() -> None:
    root = validate_xspf(to_xspf(TRACKS, title="Soundtrack #1 & friends"))
    ns = {"x": XSPF_NS}
    assert root.findtext("x:title", namespaces=ns) == "Soundtrack #1 & friends"
    tracks = root.findall("x:trackList/x:track", ns)
    assert len(tracks) == 2
    assert tracks[0].findtext("x:location", namespaces=ns) == URI
    assert tracks[0].findtext("x:identifier", namespaces=ns) == "urn:isrc:KRA402100123"
    assert tracks[0].findtext("x:duration", namespaces=ns) == "239373"
    assert tracks[1].find("x:location", ns) is None
    assert tracks[1].findtext("x:title", namespaces=ns) == '=HYPERLINK("http://x") & <Me> (Inst.)'
    assert tracks[1].findtext("x:creator", namespaces=ns) == "Epik High feat. Lee Hi"


def test_xspf_leaves_out_characters_xml_cannot_hold() -> None:
    # A catalog written before ostkit dropped control characters on import may have them.
    odd = Track("D\x01", "A\x00B\x0b", (Credit("C\x1fD"),), album="x\ufffe")
    root = validate_xspf(to_xspf([odd], title="T\x02"))
    ns = {"x": XSPF_NS}
    assert root.findtext("x:title", namespaces=ns) == "T"
    track = root.findall("x:trackList/x:track", ns)[0]
    assert track.findtext("x:title", namespaces=ns) == "AB"
    assert track.findtext("x:creator", namespaces=ns) == "CD"
    assert track.findtext("x:annotation", namespaces=ns) == "D OST"
    assert track.findtext("x:album", namespaces=ns) == "x"


def test_empty_xspf_still_has_tracklist() -> None:
    validate_xspf(to_xspf([]))


def test_validator_rejects_bad_xspf() -> None:
    bad = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<playlist version="1" xmlns="{XSPF_NS}"><trackList><track>'
        "<title>x</title><location>spotify:track:x</location></track></trackList></playlist>"
    )
    with pytest.raises(AssertionError, match="out of order"):
        validate_xspf(bad)


@pytest.mark.parametrize(
    ("ms", "text"),
    [(None, ""), (0, "0:00"), (225_000, "3:45"), (215_373, "3:35.373"), (3_723_000, "62:03")],
)
def test_format_duration(ms: int | None, text: str) -> None:
    assert format_duration(ms) == text


def test_unknown_format_is_the_same_error_for_catalog_and_playlist_exports(
    tmp_path: Path,
) -> None:
    # The two dispatches used to disagree: NotFoundError from the catalog export, InputError
    # from the playlist export. Both now go through formats.registry.
    from ostkit.errors import InputError
    from ostkit.formats.registry import EXPORT_FORMATS
    from ostkit.playlists.definition import adhoc_definition
    from ostkit.services.catalog import export_catalog
    from ostkit.services.playlists import export_playlist
    from ostkit.store.catalog import CatalogStore

    assert EXPORT_FORMATS == ("csv", "exportify", "json", "m3u", "xspf")
    expected = "unknown export format 'wav' (one of csv, exportify, json, m3u, xspf)"
    with CatalogStore.open(tmp_path / "c.db") as store:
        with store.transaction():
            store.save_track(TRACKS[0])
        with pytest.raises(InputError) as from_catalog:
            export_catalog(store, io.StringIO(), (), "wav")
        with pytest.raises(InputError) as from_playlist:
            export_playlist(store, adhoc_definition(["Soundtrack #1"], "P"), "wav")
    assert str(from_catalog.value) == str(from_playlist.value) == expected
    assert type(from_catalog.value) is type(from_playlist.value) is InputError


@pytest.mark.parametrize("fmt", ["csv", "exportify", "json", "m3u", "xspf"])
def test_catalog_and_playlist_exports_agree(tmp_path: Path, fmt: str) -> None:
    from ostkit.playlists.definition import adhoc_definition
    from ostkit.services.catalog import export_catalog, write_export
    from ostkit.services.playlists import export_playlist
    from ostkit.store.catalog import CatalogStore

    with CatalogStore.open(tmp_path / "c.db") as store:
        with store.transaction():
            for t in TRACKS:
                store.save_track(t)
        drama = TRACKS[0].drama
        whole_text, playlist_text = io.StringIO(), io.StringIO()
        whole = export_catalog(store, whole_text, (drama,), fmt)
        plan = export_playlist(store, adhoc_definition([drama], drama), fmt)
        playlist = write_export(store, plan, playlist_text)
    assert playlist_text.getvalue() == whole_text.getvalue()
    assert (playlist.tracks, playlist.skipped) == (whole.tracks, whole.skipped)
