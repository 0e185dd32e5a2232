"""Shared fixtures; fixtures for one area of the suite may be appended at the end of this file.

Every test that needs a sandbox gets it from ``make_sandbox`` (or ``sandbox`` /
``shared_sandbox``): each Web API answer such a sandbox sends is checked against Spotify's OpenAPI
definition (``tests/data/spotify-openapi.yml``), whoever the client is.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest
import requests

import openapi
from ostkit.sandbox import DEFAULT_SCOPES, Sandbox
from ostkit.sandbox.model import Reply, Request


def pytest_configure(config: pytest.Config) -> None:
    # The spec is part of the suite: without it the run stops here instead of skipping checks.
    if not openapi.SPEC_PATH.is_file():
        raise pytest.UsageError(
            f"Spotify OpenAPI spec missing: {openapi.SPEC_PATH} (see tests/data/README.md)"
        )
    _loopback_only()


class OffTheMachine(OSError):
    """A test tried to reach a host other than this machine (the sandbox is on 127.0.0.1)."""


def _is_local(host: object) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _loopback_only() -> None:
    """The suite talks to the local sandbox only: looking up or connecting to any other host
    (Spotify's real ones included) fails at once in this process, whatever a test or the code
    under test asks for."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local(host):
            raise OffTheMachine(f"tests reach no host but this machine (asked for {host!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise OffTheMachine(f"tests reach no host but this machine (asked for {address!r})")
        real_connect(self, address)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _no_cli_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI runs (in-process and subprocesses inheriting the environment) do not wait on the
    production 10 requests/s bucket; tests of the setting itself pass their own environment."""
    monkeypatch.setenv("OSTKIT_RATE_LIMIT", "off")


#: jsonschema validators are built lazily and cached; the sandbox answers from several threads.
_SPEC_LOCK = threading.Lock()


class SpecCheckedSandbox(Sandbox):
    """A sandbox that checks each Web API answer against Spotify's OpenAPI definition as it
    sends it (whoever the client is: ostkit, spotipy, plain requests). Violations are kept in
    ``spec_errors``; the fixtures assert there are none. Not checked: answers to ``fields=``
    requests (partial objects by design), empty-bodied 5xx and plain-text refusals (Spotify sends
    those too) and paths the spec does not know (answered 404).

    ``allow_deprecated`` (default: ``legacy_track_field``) lets fields the spec marks deprecated
    through; ``check_spec=False`` turns the check off (see ``make_sandbox``)."""

    def __init__(
        self,
        *args: Any,
        check_spec: bool = True,
        allow_deprecated: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec_errors: list[str] = []
        self.allow_deprecated = (
            self.legacy_track_field if allow_deprecated is None else allow_deprecated
        )
        if check_spec:
            self.answer_observers.append(self.check_answer)

    def check_answer(self, request: Request, reply: Reply) -> None:
        if (
            not request.path.startswith("/v1/")
            or reply.drop
            or "fields" in request.query
            or (reply.status >= 500 and not reply.body)
            or (reply.status >= 400 and openapi.is_plain_text(reply.headers.get("Content-Type")))
        ):
            return
        with _SPEC_LOCK:
            try:
                openapi.template_for(request.path)
            except AssertionError:
                return  # unknown to the spec: a 404 (tested elsewhere)
            try:
                openapi.validate(
                    request.method,
                    request.path,
                    reply.status,
                    reply.body,
                    allow_deprecated=self.allow_deprecated,
                )
            except (AssertionError, jsonschema.ValidationError, ValueError) as exc:
                summary = str(exc).splitlines()[0][:300]
                self.spec_errors.append(
                    f"{request.method} {request.path} {reply.status}: {summary}"
                )


def assert_clean(sb: SpecCheckedSandbox) -> None:
    assert sb.internal_errors == [], "the sandbox failed internally"
    assert sb.spec_errors == [], "the sandbox answered outside Spotify's OpenAPI definition"


#: ``make_sandbox(*args, check_spec=True, allow_deprecated=None, **kwargs)``
MakeSandbox = Callable[..., SpecCheckedSandbox]


@pytest.fixture
def make_sandbox() -> Iterator[MakeSandbox]:
    """Start sandboxes for this test: ``make_sandbox(**kwargs)`` takes ``Sandbox``'s arguments
    (``load_default_corpus=False``, ``legacy_track_field=True``, ``rate_limit=(3, 30)``, ...)
    and returns a started ``SpecCheckedSandbox`` on 127.0.0.1, port 0. After the test each one
    is stopped and asserted free of internal errors and of answers outside the spec.

    ``check_spec=False`` opts out of the spec check; only for a test that deliberately makes the
    sandbox answer outside the spec, and say why where it is used."""
    made: list[SpecCheckedSandbox] = []

    def make(*args: Any, **kwargs: Any) -> SpecCheckedSandbox:
        sb = SpecCheckedSandbox(*args, **kwargs)
        made.append(sb)
        return sb.start()

    yield make
    for sb in made:
        sb.stop()
    for sb in made:
        assert_clean(sb)


@pytest.fixture
def sandbox(make_sandbox: MakeSandbox) -> SpecCheckedSandbox:
    """A fresh sandbox (shipped OST corpus) on 127.0.0.1, port 0; stopped after the test."""
    return make_sandbox()


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[SpecCheckedSandbox]:
    """One sandbox for the whole session, for read-only tests (do not inject faults into it)."""
    sb = SpecCheckedSandbox().start()
    try:
        yield sb
    finally:
        sb.stop()
    assert_clean(sb)


class Api:
    """Plain HTTP to a sandbox's Web API with a bearer token; every answer is checked against
    Spotify's OpenAPI definition (``check=False`` for one call that must not be)."""

    def __init__(self, sandbox: Sandbox, token: str | None = None, language: str = "en") -> None:
        self.sandbox = sandbox
        self.session = requests.Session()
        self.token = token if token is not None else sandbox.issue_access_token()
        self.language = language

    def call(
        self, method: str, path: str, *, check: bool = True, **kwargs: Any
    ) -> requests.Response:
        headers = {"Accept-Language": self.language, **kwargs.pop("headers", {})}
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        url = path if path.startswith("http") else self.sandbox.api_url + path.lstrip("/")
        response = self.session.request(method, url, headers=headers, timeout=10, **kwargs)
        if check:
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
