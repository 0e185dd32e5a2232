"""ostkit JSON: reader and writer. Pure.

``{"format": "ostkit", "version": 1, "dramas": [{..., "parts": [...], "tracks": [...]}]}``;
each track in the shape of ``formats.trackjson`` (the same as ``ostkit tracks --format json``).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ostkit.errors import InputError
from ostkit.formats.batch import BatchBuilder, ImportBatch
from ostkit.formats.fields import (
    FieldError,
    clean_aliases,
    parse_date,
    parse_duration_ms,
    parse_isrc,
    parse_part,
    parse_year,
    real_text,
)
from ostkit.formats.registry import ExportDoc, Exported, Writable
from ostkit.formats.source import MAX_NESTING, long_number
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
        "aliases": list(d.aliases),
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


def read(text: str, label: str, *, drama: str | None = None, strict: bool = False) -> ImportBatch:
    """Read ostkit's JSON export (the file names its dramas, so ``drama`` is not used)."""
    data = _loads(text, label)
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
            raise InputError(f"{path}: {exc}", path=label, line=_line_of(text, path)) from None
    return builder.build()


def _loads(text: str, label: str) -> Any:
    """``json.loads`` with every failure as a one-line ``InputError`` at a line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", path=label, line=exc.lineno) from None
    except RecursionError:
        line = next((ln for path, ln in _values(text) if len(path) > MAX_NESTING), None)
        raise InputError(
            f"nested more than {MAX_NESTING} levels deep (not an ostkit JSON export)",
            path=label,
            line=line,
        ) from None
    except ValueError as exc:  # Python refuses integers of more than 4300 digits
        reason, line = long_number(text, exc)
        raise InputError(f"invalid JSON: {reason}", path=label, line=line) from None


def _line_of(text: str, path: str) -> int | None:
    """Line where the value at ``path`` (``dramas[0].tracks[3].part``) starts."""
    wanted = [int(i) if i else k for k, i in re.findall(r"(\w+)|\[(\d+)\]", path)]
    return next((line for at, line in _values(text) if at == wanted), None)


def _values(text: str) -> Iterator[tuple[list[str | int], int]]:
    """(path, line) of each value in a JSON text, in order. Iterative, so that a deeply nested
    file cannot exhaust the stack; only run on a file that is known to be bad."""
    frames: list[list[Any]] = []  # [is_object, key or index, next string is a key]
    line, i, n = 1, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n:,":
            line += ch == "\n"
            if ch == "," and frames:
                if frames[-1][0]:
                    frames[-1][2] = True
                else:
                    frames[-1][1] += 1
            i += 1
            continue
        if ch in "]}":
            if frames:
                frames.pop()
            i += 1
            continue
        if ch == '"' and frames and frames[-1][0] and frames[-1][2]:
            end = _string_end(text, i)
            try:
                frames[-1][1] = json.loads(text[i:end])
            except ValueError:
                frames[-1][1] = text[i + 1 : end - 1]
            frames[-1][2] = False
            i = end
            continue
        yield [f[1] for f in frames], line
        if ch == "{":
            frames.append([True, None, True])
            i += 1
        elif ch == "[":
            frames.append([False, 0, False])
            i += 1
        elif ch == '"':
            i = _string_end(text, i)
        else:
            while i < n and text[i] not in " \t\r\n,]}":
                i += 1


def _string_end(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        elif text[i] == "\n":
            return i
        else:
            i += 1
    return i


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
    try:
        return clean(real_text(value)) or None
    except ValueError as exc:
        raise FieldError(name, str(exc)) from None


def _opt_parsed(obj: Mapping[str, Any], name: str, parse: Callable[[str], Any]) -> Any:
    """``parse`` of a string or integer value (None for null); errors name the field."""
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    elif isinstance(value, str):
        value = _opt_str(obj, name)
        if value is None:
            return None
    else:
        raise FieldError(name, "must be a string, a number or null")
    try:
        return parse(value)
    except ValueError as exc:
        raise FieldError(name, str(exc)) from None


def _drama(d: Mapping[str, Any]) -> Drama:
    title = _opt_str(d, "title")
    if not title:
        raise FieldError("title", "missing title")
    cast = []
    for ci, c in enumerate(_list(d, "cast")):
        try:
            actor = _opt_str(c, "actor") if isinstance(c, dict) else None
            if not actor:
                raise FieldError("", "needs an actor")
            cast.append(CastMember(actor, _opt_str(c, "role")))
        except FieldError as exc:
            at = f"cast[{ci}]" + (f".{exc.field}" if exc.field else "")
            raise FieldError(at, str(exc)) from None
    aliases = _list(d, "aliases")
    if not all(isinstance(a, str) for a in aliases):
        raise FieldError("aliases", "must be a list of strings")
    return Drama(
        title=title,
        native_title=_opt_str(d, "native_title"),
        year=_opt_parsed(d, "year", parse_year),
        network=_opt_str(d, "network"),
        director=_opt_str(d, "director"),
        writer=_opt_str(d, "writer"),
        release_date=_opt_parsed(d, "release_date", parse_date),
        cast=tuple(cast),
        aliases=clean_aliases(aliases),
    )


def _part(p: Any, drama: str, at: str) -> OstPart:
    if not isinstance(p, dict):
        raise FieldError(at, "must be an object")
    try:
        number = _opt_parsed(p, "number", parse_part)
        if number is None:
            raise FieldError("number", "a part needs a number")
        return OstPart(
            drama, number, _opt_str(p, "title"), _opt_parsed(p, "release_date", parse_date)
        )
    except FieldError as exc:
        raise FieldError(f"{at}.{exc.field}", str(exc)) from None


def _track(t: Any, drama: str, at: str) -> Track:
    if not isinstance(t, dict):
        raise FieldError(at, "must be an object")
    try:
        title = _opt_str(t, "title")
        if not title:
            raise FieldError("title", "empty title")
        credits = _credits(t)
        uri = _opt_str(t, "spotify_uri")
        return Track(
            drama=drama,
            title=title,
            credits=credits,
            native_title=_opt_str(t, "native_title"),
            part=_opt_parsed(t, "part", parse_part),
            album=_opt_str(t, "album"),
            release_date=_opt_parsed(t, "release_date", parse_date),
            duration_ms=_opt_parsed(t, "duration_ms", parse_duration_ms),
            isrc=_opt_parsed(t, "isrc", parse_isrc),
            version=_opt_str(t, "version"),
            spotify_uri=_opt_parsed(t, "spotify_uri", track_uri),
            status=_status(t.get("status") or (Status.PINNED if uri else Status.UNMATCHED)),
            score=_score(t.get("score")),
            matched_at=_opt_str(t, "matched_at"),
        )
    except FieldError as exc:
        raise FieldError(f"{at}.{exc.field}", str(exc)) from None


def _credits(t: Mapping[str, Any]) -> tuple[Credit, ...]:
    credits = []
    for ci, c in enumerate(_list(t, "credits")):
        try:
            name = _opt_str(c, "name") if isinstance(c, dict) else None
            if not name:
                raise FieldError("", "needs a name")
            role = c.get("role", "main")
            if role not in ("main", "featured"):
                raise FieldError("role", "must be main or featured")
            credits.append(Credit(name, role, _opt_str(c, "native_name")))
        except FieldError as exc:
            at = f"credits[{ci}]" + (f".{exc.field}" if exc.field else "")
            raise FieldError(at, str(exc)) from None
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
