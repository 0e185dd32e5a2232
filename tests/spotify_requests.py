"""Check the requests ostkit SENDS against Spotify's published rules.

``tests/openapi.py`` checks what the sandbox answers; this module checks the other direction, so
ostkit also works against any faithful implementation of the API, not just our sandbox:

- Web API requests against ``tests/data/spotify-openapi.yml``: the path and method exist and are
  not ``deprecated`` (removed for Development-Mode apps); every query parameter is one the
  operation defines, has the right type and stays within its minimum and maximum (limits and
  offsets, including the ones only stated in prose: 100 000 for ``/me/playlists``); path ids are
  base-62; the JSON body matches the operation's request schema with objects closed (no invented
  fields) and the prose limits added (100 URIs / objects); ``Authorization: Bearer``;
  ``Content-Type: application/json`` with a body; no body where the operation takes none.
- Accounts requests against the PKCE tutorial: ``POST /api/token`` form-encoded with exactly the
  documented fields, a ``client_id``, no client secret and no ``Authorization`` header; the
  authorize URL's parameters.

``Wire`` taps ``requests.Session.send`` (real HTTP still happens) to see the headers, which the
sandbox's request log does not keep.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
import requests

import openapi

_ID = re.compile(r"^[0-9A-Za-z]{1,64}$")
_ITEM_URI = re.compile(r"^spotify:(track|episode):[0-9A-Za-z]+$")
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_MARKET = re.compile(r"^[A-Z]{2}$")
#: limits the spec states only in prose
_PROSE_MAXIMUM = {("/me/playlists", "offset"): 100_000}
_MAX_ITEMS = 100

TOKEN_FIELDS = {
    "authorization_code": {"grant_type", "code", "redirect_uri", "client_id", "code_verifier"},
    "refresh_token": {"grant_type", "refresh_token", "client_id"},
}
AUTHORIZE_FIELDS = {
    "client_id",
    "response_type",
    "redirect_uri",
    "code_challenge_method",
    "code_challenge",
    "scope",
    "state",
}


@dataclass(frozen=True)
class Sent:
    """One request as it left ostkit (method, absolute URL, headers, raw body)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path

    @property
    def query(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.url).query, keep_blank_values=True)


class Wire:
    """Every request sent through ``requests`` while active (the test's own browser included)."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._lock = threading.Lock()

    def record(self, prepared: requests.PreparedRequest) -> None:
        body = prepared.body or b""
        raw = body.encode() if isinstance(body, str) else bytes(body)
        sent = Sent(str(prepared.method), str(prepared.url), dict(prepared.headers), raw)
        with self._lock:
            self.sent.append(sent)

    def to(self, base: str) -> list[Sent]:
        """The requests sent to URLs starting with ``base``."""
        with self._lock:
            return [s for s in self.sent if s.url.startswith(base)]


def tap(monkeypatch: pytest.MonkeyPatch) -> Wire:
    """Record every request ``requests`` sends until the test ends (monkeypatch undoes it)."""
    tap = Wire()
    real_send = requests.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        tap.record(request)
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return tap


# --- Web API requests -----------------------------------------------------------------------------


def _operation(template: str, method: str) -> dict[str, Any]:
    spec = openapi.load_spec()
    operation = spec["paths"][template].get(method.lower())
    if not isinstance(operation, dict):
        raise AssertionError(f"{method} {template}: the spec defines no such operation")
    return operation


def _parameters(template: str, method: str) -> dict[tuple[str, str], dict[str, Any]]:
    spec = openapi.load_spec()
    resolved = openapi.resolve(spec, _operation(template, method).get("parameters", []))
    return {(p["in"], p["name"]): p for p in resolved}


def _check_value(where: str, value: str, schema: dict[str, Any], maximum: int | None) -> None:
    kind = schema.get("type")
    if kind == "integer":
        assert re.fullmatch(r"-?\d+", value), f"{where}={value!r} is not an integer"
        number = int(value)
        low = schema.get("minimum")
        high = schema.get("maximum", maximum)
        assert low is None or number >= low, f"{where}={number} is below the minimum {low}"
        assert high is None or number <= high, f"{where}={number} is above the maximum {high}"
    elif kind == "array" or "enum" in schema.get("items", {}):
        allowed = schema.get("items", {}).get("enum")
        for part in value.split(","):
            assert part, f"{where}={value!r} has an empty element"
            assert allowed is None or part in allowed, f"{where}: {part!r} not in {allowed}"
    elif "enum" in schema:
        assert value in schema["enum"], f"{where}={value!r} not in {schema['enum']}"
    else:
        assert value.strip(), f"{where} is empty"


def _request_schema(template: str, method: str) -> dict[str, Any] | None:
    body = _operation(template, method).get("requestBody")
    if body is None:
        return None
    spec = openapi.load_spec()
    schema = openapi.resolve(spec, body["content"]["application/json"]["schema"])
    schema = copy.deepcopy(schema)
    _close(schema)
    props = schema.get("properties", {})
    if "uris" in props:
        props["uris"]["maxItems"] = _MAX_ITEMS
        props["uris"]["minItems"] = 0 if method == "PUT" else 1
        props["uris"]["items"] = {"type": "string", "pattern": _ITEM_URI.pattern}
    if method == "DELETE" and "items" in props:
        props["items"]["maxItems"] = _MAX_ITEMS
        props["items"]["minItems"] = 1
        props["items"]["items"]["required"] = ["uri"]
        props["items"]["items"]["properties"]["uri"]["pattern"] = _ITEM_URI.pattern
    return schema


def _close(node: Any) -> None:
    """Objects we send carry only the properties the spec defines; deprecated ones are banned."""
    if isinstance(node, list):
        for item in node:
            _close(item)
        return
    if not isinstance(node, dict):
        return
    for key in ("description", "example", "title"):
        node.pop(key, None)
    props = node.get("properties", {})
    if props:
        node["additionalProperties"] = False
    for name, prop in list(props.items()):
        if isinstance(prop, dict) and prop.get("deprecated"):
            props[name] = False
        else:
            _close(prop)
    for key, value in node.items():
        if key != "properties":
            _close(value)


def check_api_request(
    method: str,
    path: str,
    query: dict[str, list[str]],
    body: Any,
    *,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> str:
    """Assert one Web API request follows the spec; returns ``"METHOD /template"``."""
    method = method.upper()
    template = openapi.template_for(path)
    operation = _operation(template, method)
    name = f"{method} {template}"
    assert not operation.get("deprecated"), f"{name} is deprecated (removed for Dev-Mode apps)"
    params = _parameters(template, method)
    for (where, pname), param in params.items():
        if param.get("required") and where == "query":
            assert pname in query, f"{name}: required query parameter {pname} missing"
    for key, values in query.items():
        param = params.get(("query", key))
        assert param is not None, f"{name}: unknown query parameter {key!r}"
        assert not param.get("deprecated"), f"{name}: query parameter {key} is deprecated"
        assert len(values) == 1, f"{name}: query parameter {key} given {len(values)} times"
        _check_value(
            f"{name} {key}", values[0], param["schema"], _PROSE_MAXIMUM.get((template, key))
        )
        if key == "market":
            assert _MARKET.match(values[0]), f"{name}: market {values[0]!r} is not ISO 3166-1"
    concrete = re.sub(r"^/v1", "", path).rstrip("/").split("/")
    for part, pattern in zip(concrete, template.split("/"), strict=True):
        if pattern.startswith("{"):
            assert _ID.match(part), f"{name}: {pattern}={part!r} is not a Spotify id"
    schema = _request_schema(template, method)
    if schema is None:
        assert body in (None, b"", ""), f"{name} takes no body, got {body!r}"
    elif body is not None:
        assert isinstance(body, dict), f"{name}: the body must be a JSON object, got {body!r}"
        jsonschema.Draft202012Validator(schema).validate(body)
        if method == "PUT" and template.endswith("/items"):
            reorder = {"range_start", "insert_before", "range_length"} & body.keys()
            assert not (reorder and "uris" in body), f"{name}: replace and reorder combined"
    if headers is not None:
        auth = headers.get("Authorization", "")
        assert re.fullmatch(r"Bearer [^\s]+", auth), f"{name}: no bearer token"
        if raw:
            ctype = headers.get("Content-Type", "")
            assert ctype.split(";")[0].strip() == "application/json", f"{name}: {ctype!r}"
            json.loads(raw)
    return name


# --- accounts requests ----------------------------------------------------------------------------


def check_token_request(form: dict[str, str], headers: dict[str, str] | None = None) -> str:
    """Assert one ``POST /api/token`` follows the PKCE rules; returns its grant type."""
    grant = form.get("grant_type", "")
    assert grant in TOKEN_FIELDS, f"token request: grant_type {grant!r}"
    assert set(form) == TOKEN_FIELDS[grant], f"token request fields {sorted(form)}"
    assert all(v for v in form.values()), "token request: an empty field"
    if grant == "authorization_code" and form["code_verifier"] != "<redacted>":
        assert _VERIFIER.match(form["code_verifier"]), "code_verifier breaks RFC 7636"
    if headers is not None:
        ctype = headers.get("Content-Type", "")
        assert ctype.startswith("application/x-www-form-urlencoded"), ctype
        assert "Authorization" not in headers, "a public PKCE client sends no Authorization"
    return grant


def check_authorize_url(url: str) -> dict[str, str]:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True)
    assert set(query) == AUTHORIZE_FIELDS, sorted(query)
    params = {k: v[0] for k, v in query.items()}
    assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", params["code_challenge"]), "S256 challenge"
    return params


def check_wire(sent: Sent) -> str:
    """Check one tapped request (Web API or token endpoint) with its headers."""
    if sent.path.endswith("/api/token"):
        assert sent.method == "POST", f"{sent.method} /api/token"
        form = {k: v[0] for k, v in urllib.parse.parse_qs(sent.body.decode()).items()}
        return "POST /api/token " + check_token_request(form, sent.headers)
    body = json.loads(sent.body) if sent.body else None
    return check_api_request(
        sent.method, sent.path, sent.query, body, headers=sent.headers, raw=sent.body
    )
