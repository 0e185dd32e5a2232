"""Validate sandbox responses against Spotify's OpenAPI definition (sonallux fixed copy).

The spec is ``tests/data/spotify-openapi.yml``, a verbatim copy (source, snapshot and licence in
``tests/data/README.md``). It is part of the test suite: a missing file fails, it never skips.

Adjustments made to the spec, and why:

- ``$ref`` is resolved inline and OpenAPI 3.0 ``nullable: true`` becomes "or null".
- Properties marked ``deprecated`` are the fields Spotify removed for Development-Mode apps
  (popularity, available_markets, linked_from, label, followers, genres, the playlist ``tracks``
  alias, ...). They are dropped from ``required`` (AlbumBase requires ``available_markets``,
  AlbumObject requires ``label``/``popularity``/``genres``) and, unless ``allow_deprecated`` is
  given, forbidden: a response carrying a removed field fails validation instead of passing.
- Objects are closed (``unevaluatedProperties: false``, which sees through ``allOf``): a field
  the spec does not define fails, so typos and invented fields are caught. ``ErrorObject`` gets
  the optional ``reason`` string the July 2026 changelog added (``QUOTA_EXCEEDED``).
- ``/me/library`` documents its 400 as a bare ``ErrorObject``; it is checked inside the
  ``{"error": ...}`` envelope that every other Spotify error uses.
- Error statuses an operation does not list (e.g. 400 for ``/search``, 5xx) are checked against
  the common ``{"error": ErrorObject}`` shape.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema

SPEC_PATH = Path(__file__).resolve().parent / "data" / "spotify-openapi.yml"
_GENERIC_ERRORS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
}


@functools.cache
def load_spec() -> dict[str, Any]:
    """The parsed spec, loaded once per test session (290 KB of YAML: CSafeLoader)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.load(handle, Loader=loader)
    # The July 2026 changelog added `reason` (e.g. QUOTA_EXCEEDED) to error objects.
    error = spec["components"]["schemas"]["ErrorObject"]["properties"]
    error.setdefault("reason", {"type": "string"})
    return spec


def _lookup(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def resolve(spec: dict[str, Any], node: Any, seen: tuple[str, ...] = ()) -> Any:
    """``node`` with every ``$ref`` into ``spec`` replaced by its target (recursion cut off)."""
    if isinstance(node, list):
        return [resolve(spec, item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:  # recursive schema: stop expanding
            return {}
        return resolve(spec, _lookup(spec, ref), (*seen, ref))
    return {key: resolve(spec, value, seen) for key, value in node.items()}


def _deprecated_names(node: dict[str, Any]) -> set[str]:
    names = {k for k, v in node.get("properties", {}).items() if _is_deprecated(v)}
    for part in node.get("allOf", []):
        if isinstance(part, dict):
            names |= _deprecated_names(part)
    return names


def _is_deprecated(prop: Any) -> bool:
    return isinstance(prop, dict) and bool(prop.get("deprecated"))


def _adjust(
    node: Any,
    allow_deprecated: bool,
    inherited: frozenset[str] = frozenset(),
    closed: bool = True,
) -> Any:
    """Apply the module docstring's adjustments to a resolved schema."""
    if isinstance(node, list):
        return [_adjust(item, allow_deprecated) for item in node]
    if not isinstance(node, dict):
        return node
    deprecated = frozenset(_deprecated_names(node)) | inherited
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {
                name: (
                    False
                    if _is_deprecated(prop) and not allow_deprecated
                    else _adjust(prop, allow_deprecated)
                )
                for name, prop in value.items()
            }
        elif key == "allOf":
            out[key] = [_adjust(part, allow_deprecated, deprecated, False) for part in value]
        elif key == "required":
            out[key] = [name for name in value if name not in deprecated]
        elif key.startswith("x-") or key in ("discriminator", "example", "nullable"):
            continue
        else:
            out[key] = _adjust(value, allow_deprecated)
    if closed and ("properties" in out or "allOf" in out) and "additionalProperties" not in out:
        # Objects are closed: a field the spec does not know (a typo, an invented field) fails.
        # Without allOf the cheap additionalProperties does; unevaluatedProperties sees through it.
        out["unevaluatedProperties" if "allOf" in out else "additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


_MERGEABLE = frozenset({"type", "properties", "required", "description", "nullable", "deprecated"})


def _flatten(node: Any) -> Any:
    """Merge ``allOf`` parts into their parent where they only add properties (the spec's usual
    ``allOf: [$ref]`` + description, and paging objects): the same schema, but it validates
    about ten times faster (no unevaluatedProperties bookkeeping)."""
    if isinstance(node, list):
        return [_flatten(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _flatten(value) for key, value in node.items()}
    parts = node.get("allOf")
    if not isinstance(parts, list) or not all(
        isinstance(part, dict)
        and {k for k in part if not k.startswith("x-") and k != "example"} <= _MERGEABLE
        for part in parts
    ):
        return node
    merged: dict[str, Any] = {key: value for key, value in node.items() if key != "allOf"}
    for part in parts:
        if "type" in part and merged.setdefault("type", part["type"]) != part["type"]:
            return node
        props = part.get("properties", {})
        if set(props) & set(merged.get("properties", {})):
            return node  # the same property defined twice: keep allOf's semantics
        if props:
            merged["properties"] = {**merged.get("properties", {}), **props}
        for name in part.get("required", []):
            merged.setdefault("required", [])
            if name not in merged["required"]:
                merged["required"].append(name)
        for key in ("description", "nullable", "deprecated"):
            if key in part:
                merged.setdefault(key, part[key])
    return merged


# The same track object comes back in many answers (every search, playlist and page that holds
# it): array items and ``oneOf`` alternatives (TrackObject | EpisodeObject) already found valid
# against the same subschema are not validated again. Validation is a pure function of schema
# and instance, so this changes nothing but the time (a 100-item playlist validated again:
# ~70 ms -> ~4 ms). Kept: the schema's id (schemas live as long as their cached validator) and
# a digest of the instance's canonical JSON.
_KNOWN_VALID: set[tuple[int, bytes]] = set()
_ITEMS = jsonschema.Draft202012Validator.VALIDATORS["items"]
_ONE_OF = jsonschema.Draft202012Validator.VALIDATORS["oneOf"]


def _known_valid(subschema: Any, instance: Any) -> tuple[bool, tuple[int, bytes]]:
    text = json.dumps(instance, sort_keys=True, ensure_ascii=False)
    key = (id(subschema), hashlib.blake2b(text.encode(), digest_size=16).digest())
    return key in _KNOWN_VALID, key


def _items_once(validator: Any, items: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not isinstance(instance, list) or "prefixItems" in schema or not isinstance(items, dict):
        yield from _ITEMS(validator, items, instance, schema)
        return
    for index, item in enumerate(instance):
        known, key = _known_valid(items, item)
        if known:
            continue
        errors = list(validator.descend(item, items, path=index))
        if not errors:
            _KNOWN_VALID.add(key)
        yield from errors


def _once(keyword: Any) -> Any:
    """``keyword`` (a jsonschema keyword function), skipped for instances known to be valid."""

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        known, key = _known_valid(value, instance)
        if known:
            return
        errors = list(keyword(validator, value, instance, schema))
        if not errors:
            _KNOWN_VALID.add(key)
        yield from errors

    return check


# 2020-12 for unevaluatedProperties, which sees through allOf.
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"items": _items_once, "oneOf": _once(_ONE_OF)}
)


@functools.cache
def _validator(template: str, method: str, status: int, allow_deprecated: bool) -> Any:
    """A compiled validator (schema checked once), or None for an operation without a body."""
    schema = _operation_schema(template, method, status, allow_deprecated)
    if schema is None:
        return None
    jsonschema.Draft202012Validator.check_schema(schema)
    return _Validator(schema)


def _operation_schema(
    template: str, method: str, status: int, allow_deprecated: bool
) -> dict[str, Any] | None:
    spec = load_spec()
    operation = spec["paths"][template].get(method.lower(), {"responses": {}})
    response = operation["responses"].get(str(status))
    if response is None and status >= 400:
        # Undocumented error statuses (400 for /search, 5xx, 405) use the common error object.
        name = _GENERIC_ERRORS.get(status, "BadRequest")
        response = {"$ref": f"#/components/responses/{name}"}
    if response is None:
        raise AssertionError(f"{method} {template} does not document status {status}")
    response = resolve(spec, response)
    content = response.get("content", {}).get("application/json")
    if content is None:
        return None  # documented without a body
    raw = content["schema"]
    if status >= 400 and raw.get("required") == ["status", "message"]:
        # /me/library documents its 400 as a bare ErrorObject; every Spotify error (and every
        # other operation in the spec) wraps it as {"error": ErrorObject}.
        raw = {"type": "object", "required": ["error"], "properties": {"error": raw}}
    schema: dict[str, Any] = _adjust(_flatten(copy.deepcopy(raw)), allow_deprecated)
    return schema


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    return [
        (re.compile(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(t))), str(t))
        for t in load_spec()["paths"]
    ]


def template_for(path: str) -> str:
    """The spec's path template for a concrete ``/v1/...`` path."""
    path = path.split("?")[0]
    path = re.sub(r"^/v1", "", path).rstrip("/") or "/"
    for pattern, template in _templates():
        if pattern.fullmatch(path):
            return template
    raise AssertionError(f"no operation in the spec for {path}")


def validate(
    method: str,
    path: str,
    status: int,
    body: bytes | str | Any,
    *,
    allow_deprecated: bool = False,
) -> None:
    """Assert that ``body`` (raw bytes or parsed JSON) matches the spec for this operation."""
    template = template_for(path)
    validator = _validator(template, method.upper(), status, allow_deprecated)
    if isinstance(body, bytes | str):
        text = body.decode() if isinstance(body, bytes) else body
        if validator is None:
            assert text == "", f"{method} {template} {status} should have an empty body"
            return
        data = json.loads(text)
    else:
        data = body
    assert validator is not None, f"{method} {template} {status} documents no body"
    validator.validate(data)


def validate_response(response: Any, *, allow_deprecated: bool = False) -> None:
    """Validate a ``requests.Response`` from the sandbox's Web API. A ``text/plain`` refusal
    (Spotify's allow-list 403) is outside the spec by nature and is not checked."""
    if response.status_code >= 400 and is_plain_text(response.headers.get("Content-Type")):
        return
    request = response.request
    validate(
        request.method,
        request.path_url,
        response.status_code,
        response.content,
        allow_deprecated=allow_deprecated,
    )


def is_plain_text(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "text/plain"
