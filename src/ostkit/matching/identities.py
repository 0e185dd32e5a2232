"""Artist identities: the names and Spotify ids known for a catalog artist, and what a confident
match teaches about them. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ostkit.matching.bands import TITLE_IN_OTHER_SCRIPT, Score
from ostkit.matching.scoring import Aliases, same_drama, text_similarity
from ostkit.matching.versions import parsed_album
from ostkit.models import Artist, Candidate, Track
from ostkit.text.keys import key
from ostkit.text.scripts import script_of


def aliases_from_artists(artists: Iterable[Artist]) -> Aliases:
    """The catalog's names, native names, aliases and Spotify ids, one identity per artist."""
    book = Aliases()
    for a in artists:
        names = [a.name, *([a.native_name] if a.native_name else []), *a.aliases]
        book.add(names, [a.spotify_id] if a.spotify_id else [])
    return book


def learn_identities(chosen: Iterable[tuple[Track, Candidate]]) -> list[tuple[int, str, str]]:
    """(catalog artist id, Spotify artist id, Spotify name) for each main credit of a confident
    match whose Spotify artist is clearly the same person. Most frequent Spotify id wins per
    catalog artist (ties: first seen, i.e. catalog order)."""
    votes: dict[int, dict[str, list[str]]] = {}
    order: dict[int, list[str]] = {}
    for track, cand in chosen:
        mains = [c for c in track.credits if c.role == "main"]
        for credit in mains:
            if credit.artist_id is None:
                continue
            best, who = 0.0, None
            for artist in cand.artists:
                if not artist.id:
                    continue
                s = max(
                    text_similarity(credit.name, artist.name),
                    text_similarity(credit.native_name, artist.name) if credit.native_name else 0,
                )
                if s > best:
                    best, who = s, artist
            # One main credit and one Spotify artist: the accepted match itself vouches for the
            # name (this is how "Lee Hi" learns "이하이").
            if best < 0.8 and len(mains) == 1 and len(cand.artists) == 1 and cand.artists[0].id:
                who, best = cand.artists[0], 0.8
            if who is None or best < 0.8 or who.id is None:
                continue
            votes.setdefault(credit.artist_id, {}).setdefault(who.id, []).append(who.name)
            order.setdefault(credit.artist_id, [])
            if who.id not in order[credit.artist_id]:
                order[credit.artist_id].append(who.id)
    learned: list[tuple[int, str, str]] = []
    for artist_id, by_id in votes.items():
        spotify_id = max(
            order[artist_id], key=lambda i: (len(by_id[i]), -order[artist_id].index(i))
        )
        for name in dict.fromkeys(by_id[spotify_id]):
            learned.append((artist_id, spotify_id, name))
    return learned


def _ost_of_one_drama(cand: Candidate) -> tuple[str, int | None] | None:
    """The drama name and part of the candidate's album read as one drama's OST release, or
    None (no OST, a compilation)."""
    if cand.album is None or cand.album.album_type == "compilation":
        return None
    info = parsed_album(cand.album.name)
    if not info.is_ost or info.compilation or not info.drama:
        return None
    return info.drama, info.part


def learn_drama_names(
    chosen: Iterable[tuple[Track, Candidate]],
    known: Mapping[str, tuple[str, ...]],
    searched: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, list[str]]:
    """Drama key -> names the drama's OST releases carry that the catalog does not know yet
    (``구미호뎐 OST Part 1`` for *Tale of the Nine Tailed*, "Guardian" for *Goblin*), read from
    the album names of confident matches. ``known``: drama key -> its other names; a name that
    is already another drama's is never learned. ``searched``: drama key -> the drama names of
    the OST releases Spotify's search for the drama's own names returned; when it returned some,
    only those are learned (a match on ``홍길동 OST`` teaches nothing to a drama whose search
    found ``그 겨울, 바람이 분다 OST``: that song is on another drama's OST)."""
    taken = {key(n) for names in known.values() for n in names}
    # Drama key -> script -> name -> the entries matched on releases of that name.
    votes: dict[str, dict[str, dict[str, set[int]]]] = {}
    for i, (track, cand) in enumerate(chosen):
        found = _ost_of_one_drama(cand)
        if found is None:
            continue
        drama = found[0]
        k = key(track.drama)
        returned = (searched or {}).get(k)
        if returned and not any(same_drama(drama, n) for n in returned):
            continue
        if any(same_drama(drama, n) for n in (track.drama, *known.get(k, ()))):
            continue
        if key(drama) in taken or key(drama) in known:
            continue  # another drama of the catalog
        by_name = votes.setdefault(k, {}).setdefault(script_of(drama), {})
        same = next((n for n in by_name if same_drama(drama, n)), drama)
        by_name.setdefault(same, set()).add(i)
    # A drama has one name per script: the one most of its matches carry. Two names carried
    # equally (a song found on another drama's OST as often as on this one's) teach nothing.
    learned: dict[str, list[str]] = {}
    for k, scripts in votes.items():
        for by_name in scripts.values():
            ranked = sorted(by_name.items(), key=lambda kv: -len(kv[1]))
            if len(ranked) == 1 or len(ranked[0][1]) > len(ranked[1][1]):
                learned.setdefault(k, []).append(ranked[0][0])
    return learned


# How many of a drama's entries must be found, exact title and artist, on one other-named OST.
CLUSTER = 2


def learn_names_from_cluster(
    scored: Iterable[tuple[Track, Sequence[tuple[Candidate, Score]]]],
    known: Mapping[str, tuple[str, ...]],
) -> dict[str, list[str]]:
    """Drama key -> the other name of an OST that carries several of the drama's entries.

    A drama typed under one English title while Spotify names its releases another way
    (*Guardian* / ``Goblin (Original Television Soundtrack), Pt. 1``, or only in Hangul):
    when at least ``CLUSTER`` entries of the drama, each with its version and artist and its
    exact title (or, on a release named in another script, a title shown only in that script),
    in the catalog's part when it has one, are found on releases of one other-named OST, and
    more of them than on any other OST (a song of the fan's list found on another drama's OST
    too), that name is the drama's. One
    entry alone is not: a song can be on another drama's OST too. ``scored``: each searched
    entry with its scored candidates; a name another drama of the catalog has is never taken."""
    taken = {key(n) for names in known.values() for n in names}
    by_drama: dict[str, dict[str, set[str]]] = {}
    shown: dict[str, str] = {}
    for track, cands in scored:
        k = key(track.drama)
        evidence = by_drama.setdefault(k, {})
        for cand, sc in cands:
            c = sc.components
            exact = c.get("title", 0) >= 0.95
            other_script = TITLE_IN_OTHER_SCRIPT.reason in sc.reasons
            if not (exact or other_script) or c.get("artist", 0) < 0.9 or c.get("version", 0) < 1:
                continue
            found = _ost_of_one_drama(cand)
            if found is None:
                continue
            drama, part = found
            names = (track.drama, *known.get(k, ()))
            if any(same_drama(drama, n) for n in names):
                continue  # the drama's own release
            if not exact and script_of(drama) in {script_of(n) for n in names}:
                continue  # a title in another script counts only on a release in another script
            if track.part is not None and part is not None and part != track.part:
                continue
            evidence.setdefault(key(drama), set()).add(key(track.title))
            shown.setdefault(key(drama), drama)
    learned: dict[str, list[str]] = {}
    for k, evidence in by_drama.items():
        if not evidence:
            continue
        ranked = sorted(evidence.items(), key=lambda kv: -len(kv[1]))
        other, titles = ranked[0]
        if len(ranked) > 1 and len(ranked[1][1]) >= len(titles):
            continue  # as many entries on another OST: no name stands out
        if len(titles) >= CLUSTER and other not in taken and other not in known:
            learned[k] = [shown[other]]
    return learned


def learn_names_from_search(
    returned: Mapping[str, frozenset[str]],
    titles: Mapping[str, str],
    known: Mapping[str, tuple[str, ...]],
) -> dict[str, list[str]]:
    """Drama key -> another name of the drama, read from the OST releases Spotify's search for
    the drama's own names returned: the search matched a name Spotify keeps for them (an
    English name behind ``힐러 OST Part.4`` for "Healer"; *Fight My Way* finding only
    ``Fight For My Way OST``). Per script, a name is learned when the search returned exactly
    one drama name in that script besides the drama's known names, and none of the known ones
    in that script (then the other is another drama); never a name another drama of the catalog
    has. ``returned``: drama key -> drama names of the OST releases returned; ``titles``: drama
    key -> the drama's title."""
    taken = {key(n) for names in known.values() for n in names} | set(known)
    learned: dict[str, list[str]] = {}
    for k, names in returned.items():
        ours = [n for n in (titles.get(k, ""), *known.get(k, ())) if n]
        by_script: dict[str, list[str]] = {}
        named_scripts: set[str] = set()
        for name in sorted(names):
            if any(same_drama(name, n) for n in ours):
                named_scripts.add(script_of(name))
                continue
            groups = by_script.setdefault(script_of(name), [])
            if not any(same_drama(name, g) for g in groups):
                groups.append(name)
        for script, groups in by_script.items():
            if script == "none" or script in named_scripts or len(groups) != 1:
                continue
            if key(groups[0]) not in taken:
                learned.setdefault(k, []).append(groups[0])
    return learned
