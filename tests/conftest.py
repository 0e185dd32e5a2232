"""Shared fixtures. Owner: SANDBOX; others may append fixtures at the end of this file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import requests

import openapi
from ostkit.sandbox import DEFAULT_SCOPES, Sandbox
from ostkit.sandbox.model import Reply, Request


class SpecCheckedSandbox(Sandbox):
    """A sandbox that checks each Web API answer against Spotify's OpenAPI definition as it
    sends it (whoever the client is: ostkit, spotipy, plain requests). Violations are kept in
    ``spec_errors``; the fixtures assert there are none. Not checked: answers to ``fields=``
    requests (partial objects by design), empty-bodied 5xx and plain-text refusals (Spotify sends
    those too) and paths the spec does not know (answered 404)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec_errors: list[str] = []
        self._check_spec = openapi.SPEC_PATH.exists()

    def _respond(self, request: Request) -> tuple[float, Reply, str | None]:
        delay, reply, fault = super()._respond(request)
        if (
            self._check_spec
            and request.path.startswith("/v1/")
            and not reply.drop
            and "fields" not in request.query
            and not (reply.status >= 500 and not reply.body)
            and not (
                reply.status >= 400 and openapi.is_plain_text(reply.headers.get("Content-Type"))
            )
        ):
            try:
                openapi.template_for(request.path)
            except AssertionError:
                return delay, reply, fault  # unknown to the spec: a 404 (tested elsewhere)
            try:
                openapi.validate(
                    request.method,
                    request.path,
                    reply.status,
                    reply.body,
                    allow_deprecated=self.legacy_track_field,
                )
            except (AssertionError, jsonschema.ValidationError, ValueError) as exc:
                summary = str(exc).splitlines()[0][:300]
                self.spec_errors.append(
                    f"{request.method} {request.path} {reply.status}: {summary}"
                )
        return delay, reply, fault


def _checked(sb: SpecCheckedSandbox) -> None:
    assert sb.internal_errors == [], "the sandbox failed internally"
    assert sb.spec_errors == [], "the sandbox answered outside Spotify's OpenAPI definition"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox (shipped OST corpus) on 127.0.0.1, port 0; stopped after the test. Every
    Web API answer it gives is checked against the spec (see ``SpecCheckedSandbox``)."""
    with SpecCheckedSandbox() as sb:
        yield sb
    _checked(sb)


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[Sandbox]:
    """One sandbox for the whole session, for read-only tests (do not inject faults into it)."""
    with SpecCheckedSandbox() as sb:
        yield sb
    _checked(sb)


class Api:
    """Plain HTTP to a sandbox's Web API with a bearer token; every answer is checked against
    Spotify's OpenAPI definition when ``../shared/spotify-openapi`` is present."""

    def __init__(self, sandbox: Sandbox, token: str | None = None, language: str = "en") -> None:
        self.sandbox = sandbox
        self.session = requests.Session()
        self.token = token if token is not None else sandbox.issue_access_token()
        self.language = language
        self.check_spec = openapi.SPEC_PATH.exists()

    def call(
        self, method: str, path: str, *, check: bool = True, **kwargs: Any
    ) -> requests.Response:
        headers = {"Accept-Language": self.language, **kwargs.pop("headers", {})}
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        url = path if path.startswith("http") else self.sandbox.api_url + path.lstrip("/")
        response = self.session.request(method, url, headers=headers, timeout=10, **kwargs)
        if check and self.check_spec:
            openapi.validate_response(response, allow_deprecated=self.sandbox.legacy_track_field)
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Api]:
    """Web API access to ``sandbox`` as its default user with ostkit's scopes."""
    client = Api(sandbox, sandbox.issue_access_token(DEFAULT_SCOPES))
    yield client
    client.session.close()
