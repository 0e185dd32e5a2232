"""ostkit JSON: reader and writer. Pure.

``{"format": "ostkit", "version": 1, "dramas": [{..., "parts": [...], "tracks": [...]}]}``;
each track in the shape of ``formats.trackjson`` (the same as ``ostkit tracks --format json``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ostkit.errors import InputError
from ostkit.formats.batch import BatchBuilder, ImportBatch
from ostkit.formats.fields import FieldError, parse_date, parse_isrc, parse_year
from ostkit.formats.registry import ExportDoc, Exported, Writable
from ostkit.formats.trackjson import track_json
from ostkit.models import CastMember, Credit, Drama, OstPart, Status, Track
from ostkit.text.keys import clean
from ostkit.text.spotify_ids import track_uri

JSON_FORMAT = "ostkit"
JSON_VERSION = 1


def drama_json(d: Drama) -> dict[str, Any]:
    return {
        "title": d.title,
        "native_title": d.native_title,
        "year": d.year,
        "network": d.network,
        "director": d.director,
        "writer": d.writer,
        "release_date": d.release_date,
        "cast": [{"actor": c.actor, "role": c.role} for c in d.cast],
    }


# --- writing ----------------------------------------------------------------------------------


def export(doc: ExportDoc, out: Writable) -> Exported:
    """ostkit JSON, the same text as ``json.dumps(document, indent=2)``, written one drama at a
    time: ``doc.tracks`` must come grouped by drama in ``doc.dramas`` order (catalog order is)."""
    parts: dict[str, list[OstPart]] = {d.title: [] for d in doc.dramas}
    for p in doc.parts:
        if p.drama in parts:
            parts[p.drama].append(p)
    out.write(f'{{\n  "format": "{JSON_FORMAT}",\n  "version": {JSON_VERSION},\n  "dramas": ')
    if not doc.dramas:
        out.write("[]\n}\n")
        return Exported(0)
    out.write("[\n")
    index = {d.title: i for i, d in enumerate(doc.dramas)}
    at = 0  # the drama being collected
    tracks: list[dict[str, Any]] = []
    written = 0

    def drama_text(i: int) -> str:
        d = doc.dramas[i]
        drama_parts = [
            {"number": p.number, "title": p.title, "release_date": p.release_date}
            for p in parts[d.title]
        ]
        obj = {**drama_json(d), "parts": drama_parts, "tracks": tracks}
        text = json.dumps(obj, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        return f"    {text}{',' if i < len(doc.dramas) - 1 else ''}\n"

    for t in doc.tracks:
        i = index[t.drama]
        if i < at:
            raise ValueError(f"track {t.title!r} of {t.drama!r} comes after that drama's group")
        while at < i:
            out.write(drama_text(at))
            tracks.clear()
            at += 1
        tracks.append(track_json(t))
        written += 1
    while at < len(doc.dramas):
        out.write(drama_text(at))
        tracks.clear()
        at += 1
    out.write("  ]\n}\n")
    return Exported(written)


def to_json(dramas: Sequence[Drama], parts: Sequence[OstPart], tracks: Iterable[Track]) -> str:
    """ostkit JSON: ``{"format": "ostkit", "version": 1, "dramas": [{..., "parts", "tracks"}]}``."""
    buf = io.StringIO()
    export(ExportDoc(tracks, dramas, parts), buf)
    return buf.getvalue()


def read(text: str, label: str, *, drama: str | None = None) -> ImportBatch:
    """Read ostkit's JSON export (the file names its dramas, so ``drama`` is not used)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", path=label, line=exc.lineno) from None
    if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
        raise InputError(
            'not an ostkit JSON export (expected {"format": "ostkit", ...}; '
            "write one with `ostkit export --format json`)",
            path=label,
        )
    if data.get("version") != JSON_VERSION:
        raise InputError(f"unsupported ostkit JSON version {data.get('version')!r}", path=label)
    builder = BatchBuilder(label, "json")
    dramas = data.get("dramas")
    if not isinstance(dramas, list):
        raise InputError('"dramas" must be a list', path=label)
    for di, d in enumerate(dramas):
        at = f"dramas[{di}]"
        try:
            if not isinstance(d, dict):
                raise FieldError(at, "must be an object")
            drama_model = _drama(d)
            builder.add_drama(drama_model, di + 1)
            for pi, p in enumerate(_list(d, "parts")):
                builder.add_part(_part(p, drama_model.title, f"parts[{pi}]"), di + 1)
            for ti, t in enumerate(_list(d, "tracks")):
                builder.add_track(_track(t, drama_model.title, f"tracks[{ti}]"), di + 1)
        except FieldError as exc:
            path = exc.field if exc.field.startswith("dramas") else f"{at}.{exc.field}"
            raise InputError(f"{path}: {exc}", path=label) from None
    return builder.build()


def _list(obj: Mapping[str, Any], name: str) -> list[Any]:
    value = obj.get(name, [])
    if not isinstance(value, list):
        raise FieldError(name, "must be a list")
    return value


def _opt_str(obj: Mapping[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(name, "must be a string or null")
    return clean(value) or None


def _opt_int(obj: Mapping[str, Any], name: str) -> int | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FieldError(name, "must be a non-negative integer or null")
    return value


def _drama(d: Mapping[str, Any]) -> Drama:
    title = _opt_str(d, "title")
    if not title:
        raise FieldError("title", "missing title")
    cast = []
    for ci, c in enumerate(_list(d, "cast")):
        if not isinstance(c, dict) or not isinstance(c.get("actor"), str):
            raise FieldError(f"cast[{ci}]", "needs an actor")
        cast.append(CastMember(c["actor"], _opt_str(c, "role")))
    year = _opt_int(d, "year")
    date = _opt_str(d, "release_date")
    try:
        return Drama(
            title=title,
            native_title=_opt_str(d, "native_title"),
            year=parse_year(str(year)) if year is not None else None,
            network=_opt_str(d, "network"),
            director=_opt_str(d, "director"),
            writer=_opt_str(d, "writer"),
            release_date=parse_date(date) if date else None,
            cast=tuple(cast),
        )
    except ValueError as exc:
        raise FieldError("year" if "year" in str(exc) else "release_date", str(exc)) from None


def _part(p: Any, drama: str, at: str) -> OstPart:
    if not isinstance(p, dict):
        raise FieldError(at, "must be an object")
    number = _opt_int(p, "number")
    if not number:
        raise FieldError(f"{at}.number", "must be a number from 1")
    date = _opt_str(p, "release_date")
    try:
        return OstPart(drama, number, _opt_str(p, "title"), parse_date(date) if date else None)
    except ValueError as exc:
        raise FieldError(f"{at}.release_date", str(exc)) from None


def _track(t: Any, drama: str, at: str) -> Track:
    if not isinstance(t, dict):
        raise FieldError(at, "must be an object")
    try:
        title = _opt_str(t, "title")
        if not title:
            raise FieldError("title", "empty title")
        credits = _credits(t)
        uri = _opt_str(t, "spotify_uri")
        status = _status(t.get("status") or (Status.PINNED if uri else Status.UNMATCHED))
        score = _score(t.get("score"))
        part = _opt_int(t, "part")
        date = _opt_str(t, "release_date")
        isrc = _opt_str(t, "isrc")
        try:
            return Track(
                drama=drama,
                title=title,
                credits=credits,
                native_title=_opt_str(t, "native_title"),
                part=part or None,
                album=_opt_str(t, "album"),
                release_date=parse_date(date) if date else None,
                duration_ms=_opt_int(t, "duration_ms"),
                isrc=parse_isrc(isrc) if isrc else None,
                version=_opt_str(t, "version"),
                spotify_uri=track_uri(uri) if uri else None,
                status=status,
                score=score,
                matched_at=_opt_str(t, "matched_at"),
            )
        except ValueError as exc:
            raise FieldError("value", str(exc)) from None
    except FieldError as exc:
        raise FieldError(f"{at}.{exc.field}", str(exc)) from None


def _credits(t: Mapping[str, Any]) -> tuple[Credit, ...]:
    credits = []
    for ci, c in enumerate(_list(t, "credits")):
        if not isinstance(c, dict) or not _opt_str(c, "name"):
            raise FieldError(f"credits[{ci}]", "needs a name")
        role = c.get("role", "main")
        if role not in ("main", "featured"):
            raise FieldError(f"credits[{ci}].role", "must be main or featured")
        credits.append(Credit(clean(c["name"]), role, _opt_str(c, "native_name")))
    if not credits:
        raise FieldError("credits", "a track needs at least one credit")
    return tuple(credits)


def _status(raw: Any) -> Status:
    try:
        return Status(raw)
    except ValueError:
        raise FieldError("status", f"unknown status {raw!r} (one of {', '.join(Status)})") from None


def _score(score: Any) -> float | None:
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise FieldError("score", "must be a number in [0, 1] or null")
    return float(score)
