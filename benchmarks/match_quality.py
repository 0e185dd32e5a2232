"""Match quality and speed of `ostkit match` against a labelled OST corpus in the sandbox.

The corpus is generated (seeded) the way OST catalogs look on Spotify, with the hard cases:
same-title hits by other artists (real names and titles from benchmarks/data/ost-data, Spotify's own
spelling), Inst. twins on the same single, sped-up / slowed edits, karaoke ("Originally Performed
by") and piano covers, compilations carrying the same recording (same ISRC), titles only in
Hangul or kana, titles in two scripts ("어른 Grown Ups"), artists shown only in Hangul,
romanisation variants (Park Bo-ram / Park Boram / PARK BO RAM), credits with the group written in
("X of NCT", "X (EXO)"), featured artists, Inst. entries, and songs Spotify does not carry
(whose karaoke cover or Inst. twin may still be there).

Reported next to a "first search result" baseline (one `track:"title" artist:"artist"` search,
free text if that finds nothing, first hit accepted):

- precision: auto-accepted entries that are the right track;
- recall: matchable entries auto-accepted right;
- false accepts on absent songs (must be 0);
- searches (API requests) per entry on a first pass, and on a re-run (must be 0);
- speed: N entries with L seconds of latency per request, --jobs 4 vs sequential.

Usage: python benchmarks/match_quality.py [--smoke] [--entries 400] [--speed-entries 1000]
       [--latency 0.1] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ostkit.models import Credit, Drama, Status, Track
from ostkit.sandbox import Sandbox, make_id
from ostkit.services.match_plan import MatchOptions
from ostkit.services.matching import match_tracks
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.store.catalog import CatalogStore

# A copy of real Spotify playlist rows (MIT, see the SOURCE and LICENSE files there), kept in the
# repository so that a fresh clone measures the same thing.
OST_DATA = Path(__file__).resolve().parent / "data" / "ost-data"

# Real artists as (catalog spelling, Hangul). Spotify shows each one way (see _spotify_name).
ARTISTS = [
    ("Park Bo-ram", "박보람"),
    ("Yoon Mi-rae", "윤미래"),
    ("Lee Hi", "이하이"),
    ("Kim Bum-soo", "김범수"),
    ("Gummy", "거미"),
    ("Baek Ye-rin", "백예린"),
    ("Jung Seung-hwan", "정승환"),
    ("Ailee", "에일리"),
    ("Davichi", "다비치"),
    ("Sung Si-kyung", "성시경"),
    ("Paul Kim", "폴킴"),
    ("Heize", "헤이즈"),
    ("Punch", "펀치"),
    ("Kim Na-young", "김나영"),
    ("Lee Seok-hoon", "이석훈"),
    ("Ha Hyun-woo", "하현우"),
    ("Kyuhyun", "규현"),
    ("Taeyeon", "태연"),
    ("Chanyeol", "찬열"),
    ("Wendy", "웬디"),
    ("Crush", "크러쉬"),
    ("Sondia", "손디아"),
    ("Gaho", "가호"),
    ("Ben", "벤"),
    ("Kim Feel", "김필"),
    ("Jeong Eun-ji", "정은지"),
    ("Younha", "윤하"),
    ("Baekhyun", "백현"),
    ("Sejeong", "세정"),
    ("Lee Su-hyun", "이수현"),
    ("Kim Jong-wan", "김종완"),
    ("Oh Hyuk", "오혁"),
    ("Jo Jung-suk", "조정석"),
    ("Lim Young-woong", "임영웅"),
    ("Shin Yong-jae", "신용재"),
    ("Seo Eun-kwang", "서은광"),
    ("Han Dong-geun", "한동근"),
    ("Kwon Jin-ah", "권진아"),
    ("Song Ga-in", "송가인"),
    ("Choi Yu-ree", "최유리"),
]
JAPANESE_ARTISTS = [("Aimer", "エメ"), ("Yuuri", "優里"), ("Aimyon", "あいみょん")]
WORDS = [
    "love",
    "stay",
    "with",
    "me",
    "beautiful",
    "again",
    "because",
    "of",
    "you",
    "every",
    "moment",
    "breath",
    "snow",
    "flower",
    "run",
    "into",
    "days",
    "maybe",
    "forever",
    "star",
    "light",
    "heart",
    "someday",
    "remember",
    "tonight",
    "goodbye",
    "hello",
    "dream",
    "always",
    "my",
    "only",
    "one",
    "first",
    "spring",
    "summer",
    "rain",
    "wind",
    "you",
    "are",
    "the",
    "sea",
    "way",
    "back",
    "home",
    "little",
    "by",
    "close",
    "to",
    "your",
    "side",
    "miss",
    "if",
    "all",
    "for",
    "shine",
    "path",
    "dear",
    "blue",
    "night",
]
HANGUL = [
    "사랑",
    "그대",
    "하늘",
    "바람",
    "눈물",
    "별빛",
    "우리",
    "기억",
    "시간",
    "너에게",
    "봄날",
    "꽃잎",
    "오늘",
    "처음",
    "마음",
    "약속",
    "그리움",
    "밤",
    "달빛",
    "길",
]
KANA = [
    "ひかり",
    "さよなら",
    "あなたへ",
    "ゆめ",
    "はなび",
    "こころ",
    "そら",
    "なみだ",
    "ほし",
    "かぜ",
]
DRAMA_WORDS = [
    "Moonlight",
    "Secret",
    "Garden",
    "Hotel",
    "Spring",
    "Doctor",
    "Summer",
    "Queen",
    "King",
    "Detective",
    "Cafe",
    "Office",
    "Romance",
    "Healer",
    "Star",
    "Ocean",
    "Winter",
    "Campus",
    "Fairy",
    "Tale",
    "Melody",
    "Memory",
    "Signal",
    "Legend",
    "Letter",
]
GROUPS = ["NCT", "EXO", "Red Velvet", "SISTAR", "DAY6"]
COVER_ARTISTS = ["Karaoke Kings", "Sing King Karaoke", "K-Pop Karaoke Band"]
PIANO_ARTISTS = ["Piano Dreamers", "Kpop Piano Covers", "Lullaby Piano"]


def ost_data_rows() -> list[tuple[str, list[str], str]]:
    """(title, artists, album) rows of the real Spotify playlists in benchmarks/data/ost-data."""
    rows: list[tuple[str, list[str], str]] = []
    link = re.compile(r"\[([^\]]*)\]\(https://open\.spotify\.com/(track|artist|album)/")
    for path in sorted(OST_DATA.glob("*/*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "open.spotify.com/track/" not in line:
                continue
            cells = line.split(" | ")
            if len(cells) < 3:
                continue
            title = link.findall(cells[0])
            artists = [a for a, kind in link.findall(cells[1]) if kind == "artist" and a]
            album = link.findall(cells[2])
            if title and artists and album and title[0][0] not in ("", "<MISSING>"):
                rows.append((title[0][0].lstrip("| [").strip(), artists, album[0][0]))
    if not rows:
        raise SystemExit(f"no Spotify playlist rows found under {OST_DATA}")
    return rows


@dataclass
class Entry:
    track: Track
    truth: str | None  # the right URI, None when Spotify does not carry the song
    kind: str


@dataclass
class World:
    entries: list[Entry] = field(default_factory=list)
    dramas: list[Drama] = field(default_factory=list)
    tracks: list[dict[str, Any]] = field(default_factory=list)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = 0
        self.isrc_n = 0
        self.real = ost_data_rows()
        self.artist_dicts: dict[str, dict[str, Any]] = {}
        # How Spotify shows each artist: mostly its own Latin spelling, some only in Hangul.
        self.display: dict[str, str] = {}
        for latin, hangul in ARTISTS + JAPANESE_ARTISTS:
            r = self.rng.random()
            if r < 0.15:
                shown = hangul
            elif r < 0.3:
                shown = latin.replace("-", "")
            elif r < 0.4:
                shown = latin.upper().replace("-", " ")
            else:
                shown = latin
            self.display[latin] = shown

    def uid(self, *parts: str) -> str:
        self.n += 1
        return make_id(*parts, str(self.n))

    def isrc(self) -> str:
        self.isrc_n += 1
        return f"KRA30{self.rng.randint(10, 99)}{self.isrc_n:05d}"

    def artist(self, latin: str, hangul: str | None = None) -> dict[str, Any]:
        if latin not in self.artist_dicts:
            shown = self.display.get(latin, latin)
            d: dict[str, Any] = {"id": make_id("artist", latin), "name": shown}
            if hangul and shown != hangul:
                d["names"] = {"ko": hangul}
            self.artist_dicts[latin] = d
        return self.artist_dicts[latin]

    def title(self) -> str:
        words = self.rng.sample(WORDS, self.rng.choice([1, 2, 2, 3, 3, 4]))
        return " ".join(w.capitalize() for w in words)

    def hangul_title(self) -> str:
        return " ".join(self.rng.sample(HANGUL, self.rng.choice([1, 2])))

    def drama(self, i: int) -> tuple[str, str]:
        a, b = self.rng.sample(DRAMA_WORDS, 2)
        latin = self.rng.choice([f"{a} {b}", f"My {a} {b}", f"The {a} of {b}", f"Dear {a}"])
        return f"{latin} {i}", f"{self.hangul_title()} {i}"


def build(gen: Generator, n_entries: int) -> World:
    rng = gen.rng
    w = World()
    tracks = w.tracks

    def add(name: str, artists: list[dict[str, Any]], album: dict[str, Any], **kw: Any) -> str:
        tid = gen.uid("track", name)
        tracks.append({"id": tid, "name": name, "artists": artists, "album": album, **kw})
        return f"spotify:track:{tid}"

    def single(name: str, artists: list[dict[str, Any]], kind: str = "single") -> dict[str, Any]:
        return {
            "id": gen.uid("album", name),
            "name": name,
            "album_type": kind,
            "release_date": f"20{rng.randint(15, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "artists": [{"id": a["id"]} for a in artists],
        }

    # Background: the real Spotify rows of benchmarks/data/ost-data (famous same-title hits).
    for title, names, album in gen.real:
        arts = [gen.artist(n) for n in names]
        add(title, arts, single(album, arts, "album"), duration_ms=rng.randint(150, 260) * 1000)
    real_titles = [t for t, _, _ in gen.real if "(" not in t and len(t) > 3]
    d = 0
    while len(w.entries) < n_entries:
        d += 1
        japanese = rng.random() < 0.06
        latin, native = gen.drama(d)
        if japanese:
            native = f"{rng.choice(KANA)} {d}"
        has_native = rng.random() < 0.8
        drama = Drama(title=latin, native_title=native if has_native else None)
        w.dramas.append(drama)
        album_style = rng.random()
        for part in range(1, rng.randint(3, 9)):
            if len(w.entries) >= n_entries:
                break
            pool = JAPANESE_ARTISTS if japanese else ARTISTS
            a_latin, a_hangul = rng.choice(pool)
            main = gen.artist(a_latin, a_hangul)
            feat: tuple[str, str] | None = None
            if rng.random() < 0.1:
                feat = rng.choice([x for x in pool if x[0] != a_latin])
            r = rng.random()
            kind = "normal"
            title, native_title, spotify_title = gen.title(), None, None
            if r < 0.08:
                kind = "famous-title"
                title = rng.choice(real_titles)
            elif r < 0.2:
                kind = "hangul-only" if not japanese else "kana-only"
                native_title = " ".join(rng.sample(KANA, 2)) if japanese else gen.hangul_title()
                spotify_title = native_title
            elif r < 0.26:
                kind = "romanised-title"
                native_title = gen.hangul_title()
            elif r < 0.31 and not japanese:
                # Spotify shows both scripts ("어른 Grown Ups"); the catalog has the English one.
                kind = "two-script-title"
                spotify_title = f"{gen.hangul_title()} {title}"
            if japanese and kind == "normal":
                native_title = " ".join(rng.sample(KANA, 2))
                spotify_title = native_title
                kind = "kana-only"
            name = spotify_title or title
            if album_style < 0.4:
                album_name = f"{latin} OST Part.{part}"
            elif album_style < 0.7:
                album_name = f"{latin} (Original Television Soundtrack), Pt. {part}"
            elif album_style < 0.85:
                album_name = f"{native} OST Part {part}"
            else:
                album_name = f"{latin} OST Pt. {part}"
            arts = [main]
            if feat:
                arts.append(gen.artist(*feat))
                name = f"{name} (Feat. {gen.display[feat[0]]})"
            album = single(album_name, [main])
            duration = rng.randint(170, 280) * 1000
            isrc = gen.isrc()
            absent = rng.random() < 0.12
            vocal_uri = None
            if not absent:
                vocal_uri = add(name, arts, album, duration_ms=duration, isrc=isrc)
            inst_uri = None
            if rng.random() < 0.8:
                inst_name = f"{spotify_title or title} (Inst.)"
                inst_uri = add(inst_name, [main], album, duration_ms=duration, track_number=2)
            # Decoys.
            base = spotify_title or title
            shown = gen.display[a_latin]
            if rng.random() < 0.3:
                sped = f"{base} (Sped Up)"
                add(sped, [main], single(sped, [main]), duration_ms=int(duration * 0.8))
            if rng.random() < 0.2:
                slowed = f"{base} - Slowed + Reverb"
                add(slowed, [main], single(slowed, [main]), duration_ms=int(duration * 1.2))
            if rng.random() < 0.35:
                k = gen.artist(rng.choice(COVER_ARTISTS))
                add(
                    f"{base} (Originally Performed by {shown}) [Karaoke Version]",
                    [k],
                    single(f"K-Drama Karaoke Hits Vol. {rng.randint(1, 9)}", [k], "compilation"),
                    duration_ms=duration,
                )
            if rng.random() < 0.25:
                p = gen.artist(rng.choice(PIANO_ARTISTS))
                add(f"{base} (Piano Ver.)", [p], single("K-Drama Piano Collection", [p]))
            if rng.random() < 0.25 and not absent:
                comp = single(
                    f"Best of K-Drama OST {rng.randint(2015, 2024)}", [main], "compilation"
                )
                add(name, arts, comp, duration_ms=duration, isrc=isrc)
            if rng.random() < 0.2 or kind == "famous-title":
                other_latin, other_hangul = rng.choice([x for x in ARTISTS if x[0] != a_latin])
                o = gen.artist(other_latin, other_hangul)
                add(base, [o], single(f"{base}", [o]), duration_ms=rng.randint(170, 280) * 1000)
            if rng.random() < 0.1:
                add(f"{base} (Live)", [main], single(f"{shown} Live Concert", [main], "album"))
            # The catalog entry, as a fan would type it.
            credit_name = a_latin
            if rng.random() < 0.3:
                credit_name = rng.choice(
                    [a_latin.replace("-", " "), a_latin.replace("-", ""), a_latin.lower()]
                )
            if rng.random() < 0.05:
                # "DOYOUNG of NCT", "Taeil (NCT)": the group written into the credit.
                group = rng.choice(GROUPS)
                credit_name = rng.choice([f"{credit_name} of {group}", f"{credit_name} ({group})"])
            credits = [Credit(credit_name, native_name=a_hangul if rng.random() < 0.5 else None)]
            if feat:
                credits.append(Credit(feat[0], "featured"))
            want_inst = inst_uri is not None and rng.random() < 0.08
            if kind == "hangul-only" and rng.random() < 0.25:
                native_title = None  # the catalog only knows the English title
                kind = "hangul-only-no-native"
            entry = Track(
                drama=latin,
                title=title,
                native_title=native_title,
                credits=tuple(credits),
                part=part,
                duration_ms=duration + rng.randint(-1500, 1500) if rng.random() < 0.6 else None,
                isrc=isrc if rng.random() < 0.25 and not want_inst else None,
                version="Inst." if want_inst else None,
            )
            truth = inst_uri if want_inst else vocal_uri
            w.entries.append(Entry(entry, truth, "inst-entry" if want_inst else kind))
    rng.shuffle(tracks)  # Spotify's ranking is not our corpus order
    return w


@dataclass
class Figures:
    entries: int
    matchable: int
    absent: int
    accepted: int
    correct: int
    false_absent: int
    review: int
    requests_first: int
    requests_rerun: int = 0
    album_reads: int = 0  # of requests_first: GET /albums/{id} (one album per request)
    elapsed: float = 0.0
    by_kind: dict[str, list[int]] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.correct / self.accepted if self.accepted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.matchable if self.matchable else 1.0


def _figures(w: World, accepted: dict[int, str | None], ids: list[int], requests: int) -> Figures:
    f = Figures(
        entries=len(w.entries),
        matchable=sum(1 for e in w.entries if e.truth),
        absent=sum(1 for e in w.entries if e.truth is None),
        accepted=0,
        correct=0,
        false_absent=0,
        review=0,
        requests_first=requests,
    )
    for e, tid in zip(w.entries, ids, strict=True):
        uri = accepted.get(tid)
        stats = f.by_kind.setdefault(e.kind, [0, 0, 0])  # entries, right, wrong
        stats[0] += 1
        if uri is None:
            continue
        f.accepted += 1
        if uri == e.truth:
            f.correct += 1
            stats[1] += 1
        else:
            stats[2] += 1
            if e.truth is None:
                f.false_absent += 1
    return f


def _client(sb: Sandbox, rate: float | None = None) -> SpotifyClient:
    # No client-side rate limit unless asked: the sandbox is local; latency is what we measure.
    policy = replace(NetPolicy.for_tests(), rate_per_second=rate)
    return SpotifyClient(api_url=sb.api_url, auth=sb.issue_access_token(), policy=policy)


def _catalog(w: World, path: Path) -> tuple[CatalogStore, list[int]]:
    store = CatalogStore.open(path)
    ids: list[int] = []
    with store.transaction():
        for d in w.dramas:
            store.save_drama(d)
        for e in w.entries:
            ids.append(store.save_track(e.track)[0])
    return store, ids


def run_quality(
    n: int, seed: int, jobs: int, out: Callable[[str], None], show_errors: bool = False
) -> dict[str, Figures]:
    gen = Generator(seed)
    w = build(gen, n)
    results: dict[str, Figures] = {}
    with Sandbox(load_default_corpus=False) as sb, tempfile.TemporaryDirectory() as tmp:
        sb.corpus.load({"tracks": w.tracks})
        store, ids = _catalog(w, Path(tmp) / "quality.db")
        # Duplicate catalog identities collapse to one row: keep the first entry's label.
        seen: set[int] = set()
        keep = [i for i, tid in enumerate(ids) if not (tid in seen or seen.add(tid))]  # type: ignore[func-returns-value]
        w.entries = [w.entries[i] for i in keep]
        ids = [ids[i] for i in keep]
        client = _client(sb)
        sb.clear_requests()
        started = time.monotonic()
        report = match_tracks(store, client, MatchOptions(jobs=jobs))
        elapsed = time.monotonic() - started
        first = sb.count("GET", r"^/v1/")
        album_reads = sb.count("GET", r"^/v1/albums/")
        assert album_reads == report.album_reads, (album_reads, report.album_reads)
        accepted = {o.track.id or 0: o.uri for o in report.outcomes if o.status is Status.MATCHED}
        f = _figures(w, accepted, ids, first)
        f.review = report.counts()["review"]
        f.album_reads = album_reads
        by_id = {o.track.id: o for o in report.outcomes}
        for e, tid in zip(w.entries, ids, strict=True):
            o = by_id[tid]
            if show_errors and o.status is Status.MATCHED and o.uri != e.truth:
                best = o.result.best if o.result else None
                out(f"WRONG [{e.kind}] {e.track} truth={e.truth}")
                if best:
                    out(f"   accepted {best.candidate.name!r} {best.candidate.artists}")
                    out(f"   {best.candidate.album} {best.score.explain()}")
        f.elapsed = elapsed
        sb.clear_requests()
        match_tracks(store, client, MatchOptions(jobs=jobs))
        f.requests_rerun = sb.count("GET", r"^/v1/")
        results["ostkit match"] = f
        # Baseline: first search result.
        sb.clear_requests()
        base: dict[int, str | None] = {}
        for e, tid in zip(w.entries, ids, strict=True):
            t = e.track
            hits = client.search_tracks(f'track:"{t.title}" artist:"{t.artist}"', limit=10)
            if not hits:
                hits = client.search_tracks(f"{t.title} {t.artist}", limit=10)
            base[tid] = hits[0].uri if hits else None
        results["first search result"] = _figures(w, base, ids, sb.count("GET", r"^/v1/"))
        store.close()
    return results


def run_speed(
    n: int, latency: float, seed: int, rate: float | None = None
) -> dict[int, tuple[float, int]]:
    gen = Generator(seed + 1)
    w = build(gen, n)
    timings: dict[int, tuple[float, int]] = {}
    with Sandbox(load_default_corpus=False) as sb, tempfile.TemporaryDirectory() as tmp:
        sb.corpus.load({"tracks": w.tracks})
        store, _ = _catalog(w, Path(tmp) / "speed.db")
        sb.latency = latency
        outcomes: list[list[tuple[int | None, Status, str | None]]] = []
        for jobs in (1, 4):
            client = _client(sb, rate)
            started = time.monotonic()
            report = match_tracks(store, client, MatchOptions(jobs=jobs, dry_run=True))
            timings[jobs] = (time.monotonic() - started, report.requests)
            outcomes.append([(o.track.id, o.status, o.uri) for o in report.outcomes])
        store.close()
    if outcomes[0] != outcomes[1]:
        raise SystemExit("--jobs 4 gave a different result than --jobs 1")
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="small sizes for CI (< 20 s)")
    p.add_argument("--entries", type=int, default=400)
    p.add_argument("--speed-entries", type=int, default=1000)
    p.add_argument("--latency", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--jobs", type=int, default=4)
    p.add_argument("--show-errors", action="store_true", help="print every wrong accept")
    p.add_argument(
        "--rate-limit",
        type=float,
        default=None,
        help="requests per second in the speed run, as the CLI's OSTKIT_RATE_LIMIT (default: off)",
    )
    args = p.parse_args(argv)
    if args.smoke:
        args.entries, args.speed_entries, args.latency = 60, 60, 0.02

    def out(line: str) -> None:
        print(line, flush=True)

    out(f"# match quality: {args.entries} entries (seed {args.seed})")
    results = run_quality(args.entries, args.seed, args.jobs, out, args.show_errors)
    ours = results["ostkit match"]
    out(
        f"entries {ours.entries}: matchable {ours.matchable}, absent {ours.absent} "
        f"(first pass {ours.elapsed:.1f}s, --jobs {args.jobs})"
    )
    header = f"{'':22} {'precision':>9} {'recall':>7} {'false accepts (absent)':>23} "
    out(header + f"{'searches/entry':>15} {'album reads/entry':>18} {'re-run':>7}")
    for name, f in results.items():
        rerun = f"{f.requests_rerun / f.entries:.2f}" if name == "ostkit match" else "-"
        searches = f.requests_first - f.album_reads
        out(
            f"{name:22} {f.precision:9.3f} {f.recall:7.3f} {f.false_absent:>23} "
            f"{searches / f.entries:15.2f} {f.album_reads / f.entries:18.2f} {rerun:>7}"
        )
    out(f"review queue: {ours.review} entries")
    out("by kind (entries: right / wrong accepts), ostkit match:")
    for kind, (n, right, wrong) in sorted(ours.by_kind.items()):
        out(f"  {kind:24} {n:4}: {right:4} / {wrong}")
    ok = (
        ours.precision >= 0.99
        and ours.false_absent == 0
        and ours.recall >= 0.90
        and (ours.requests_first - ours.album_reads) / ours.entries <= 1.7
        and ours.requests_rerun == 0
    )
    out(f"quality targets met: {ok}")
    limit = f", at most {args.rate_limit:g} requests/s" if args.rate_limit else ""
    out(f"# speed: {args.speed_entries} entries, {args.latency * 1000:.0f} ms per request{limit}")
    timings = run_speed(args.speed_entries, args.latency, args.seed, args.rate_limit)
    seq, par = timings[1][0], timings[4][0]
    out(f"--jobs 1: {seq:.1f}s ({timings[1][1]} requests)")
    out(f"--jobs 4: {par:.1f}s ({timings[4][1]} requests); ratio {par / seq:.2f} (target <= 0.33)")
    out("results identical: True")
    return 0


if __name__ == "__main__":
    sys.exit(main())
