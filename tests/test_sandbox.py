"""The sandbox speaks HTTP like Spotify: accounts (PKCE), Web API basics, request log."""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import MakeSandbox
from ostkit.sandbox import Sandbox, SandboxError


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def test_pkce_login_then_api(sandbox: Sandbox) -> None:
    verifier, challenge = _pkce()
    redirect = "http://127.0.0.1:45678/callback"
    answer = requests.get(
        sandbox.accounts_url + "/authorize",
        params={
            "client_id": sandbox.client_id,
            "response_type": "code",
            "redirect_uri": redirect,
            "code_challenge_method": "S256",
            "code_challenge": challenge,
            "scope": "playlist-read-private",
            "state": "s1",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    params = parse_qs(location.query)
    assert location.netloc == "127.0.0.1:45678" and params["state"] == ["s1"]
    token = requests.post(
        sandbox.accounts_url + "/api/token",
        data={
            "grant_type": "authorization_code",
            "code": params["code"][0],
            "redirect_uri": redirect,
            "client_id": sandbox.client_id,
            "code_verifier": verifier,
        },
        timeout=5,
    ).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert token["scope"] == "playlist-read-private" and token["refresh_token"]
    me = requests.get(
        sandbox.api_url + "me",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=5,
    )
    assert me.status_code == 200 and me.json()["id"] == sandbox.user_id


def test_search_limit_over_10_is_400(sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {sandbox.issue_access_token()}"}
    answer = requests.get(
        sandbox.api_url + "search",
        params={"q": "love", "type": "track", "limit": 11},
        headers=headers,
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json() == {"error": {"status": 400, "message": "Invalid limit"}}
    assert [r.status for r in sandbox.requests] == [400]


# -- helpers ----------------------------------------------------------------------------------
def _authorize(sandbox: Sandbox, **overrides: str | None) -> requests.Response:
    params: dict[str, str | None] = {
        "client_id": sandbox.client_id,
        "response_type": "code",
        "redirect_uri": "http://127.0.0.1:8888/callback",
        "code_challenge_method": "S256",
        "code_challenge": _pkce()[1],
        "scope": "playlist-read-private playlist-modify-private",
        "state": "st",
    }
    params.update(overrides)
    return requests.get(
        sandbox.accounts_url + "/authorize",
        params={k: v for k, v in params.items() if v is not None},
        allow_redirects=False,
        timeout=5,
    )


def _redirect_params(answer: requests.Response) -> dict[str, str]:
    assert answer.status_code == 302, answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def _token(sandbox: Sandbox, **form: str) -> requests.Response:
    return requests.post(sandbox.accounts_url + "/api/token", data=form, timeout=5)


def _login(sandbox: Sandbox, redirect: str = "http://127.0.0.1:8888/callback") -> dict[str, str]:
    verifier, challenge = _pkce()
    code = _redirect_params(_authorize(sandbox, code_challenge=challenge, redirect_uri=redirect))
    answer = _token(
        sandbox,
        grant_type="authorization_code",
        code=code["code"],
        redirect_uri=redirect,
        client_id=sandbox.client_id,
        code_verifier=verifier,
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, str] = answer.json()
    return data


def _me(sandbox: Sandbox, access_token: str) -> requests.Response:
    return requests.get(
        sandbox.api_url + "me", headers={"Authorization": f"Bearer {access_token}"}, timeout=5
    )


def _oauth_error(answer: requests.Response) -> tuple[int, str, str]:
    body = answer.json()
    assert set(body) == {"error", "error_description"}, body
    return answer.status_code, body["error"], body["error_description"]


# -- /authorize -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "page"),
    [
        ({"client_id": "0" * 32}, "INVALID_CLIENT: Invalid client"),
        ({"client_id": None}, "INVALID_CLIENT: Invalid client"),
        (
            {"redirect_uri": "http://localhost:8888/callback"},
            "INVALID_CLIENT: Invalid redirect URI",
        ),
        ({"redirect_uri": "http://localhost/callback"}, "INVALID_CLIENT: Invalid redirect URI"),
        ({"redirect_uri": "http://127.0.0.1:8888/other"}, "INVALID_CLIENT: Invalid redirect URI"),
        ({"redirect_uri": "https://example.com/callback"}, "INVALID_CLIENT: Invalid redirect URI"),
        ({"redirect_uri": None}, "INVALID_CLIENT: Invalid redirect URI"),
        ({"scope": "playlist-read-private made-up-scope"}, "INVALID_SCOPE: Invalid scope"),
    ],
    ids=[
        "unknown-client",
        "no-client",
        "localhost-port",
        "localhost",
        "other-path",
        "unregistered",
        "no-redirect",
        "bad-scope",
    ],
)
def test_authorize_refusals_are_400_pages(
    sandbox: Sandbox, overrides: dict[str, str | None], page: str
) -> None:
    answer = _authorize(sandbox, **overrides)
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert page in answer.text and answer.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "redirect",
    [
        "http://127.0.0.1:8888/callback",
        "http://127.0.0.1:54321/callback",  # dynamic port: registered without a port
        "http://[::1]:54321/callback",
    ],
)
def test_authorize_accepts_loopback_redirects(sandbox: Sandbox, redirect: str) -> None:
    answer = _authorize(sandbox, redirect_uri=redirect)
    assert answer.headers["Location"].startswith(redirect + "?code=")
    assert _redirect_params(answer)["state"] == "st"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
    ],
    ids=["implicit", "plain", "no-method", "short-challenge"],
)
def test_authorize_errors_redirect_with_state(
    sandbox: Sandbox, overrides: dict[str, str | None], error: str
) -> None:
    params = _redirect_params(_authorize(sandbox, **overrides))
    assert params["error"] == error and params["state"] == "st" and "code" not in params


def test_authorize_denied_and_without_state(sandbox: Sandbox) -> None:
    sandbox.deny_authorization = True
    assert _redirect_params(_authorize(sandbox)) == {"error": "access_denied", "state": "st"}
    sandbox.deny_authorization = False
    assert set(_redirect_params(_authorize(sandbox, state=None))) == {"code"}


def test_register_client_refuses_localhost(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(load_default_corpus=False)
    with pytest.raises(SandboxError, match="never localhost"):
        sandbox.register_client(redirect_uris=["http://localhost:8888/callback"])
    with pytest.raises(SandboxError, match="loopback"):
        sandbox.register_client(redirect_uris=["http://example.com/callback"])


# -- /api/token: authorization_code -----------------------------------------------------------
def test_token_response_shape(sandbox: Sandbox) -> None:
    verifier, challenge = _pkce()
    code = _redirect_params(_authorize(sandbox, code_challenge=challenge))["code"]
    answer = _token(
        sandbox,
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://127.0.0.1:8888/callback",
        client_id=sandbox.client_id,
        code_verifier=verifier,
    )
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "scope", "expires_in", "refresh_token"}
    assert body["scope"] == "playlist-modify-private playlist-read-private"
    assert answer.headers["Cache-Control"] == "no-store"


def test_pkce_verification_and_code_rules(sandbox: Sandbox) -> None:
    verifier, challenge = _pkce()
    redirect = "http://127.0.0.1:8888/callback"
    code = _redirect_params(_authorize(sandbox, code_challenge=challenge))["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect,
        "client_id": sandbox.client_id,
    }
    assert _oauth_error(_token(sandbox, **form)) == (
        400,
        "invalid_request",
        "code_verifier required",
    )
    wrong = _token(sandbox, **form, code_verifier=_pkce()[0])
    assert _oauth_error(wrong) == (400, "invalid_grant", "code_verifier was incorrect")
    other_redirect = {**form, "redirect_uri": "http://127.0.0.1:9999/callback"}
    assert _oauth_error(_token(sandbox, **other_redirect, code_verifier=verifier))[2] == (
        "Invalid redirect URI"
    )
    other_client = {**form, "client_id": sandbox.register_client()}
    assert _oauth_error(_token(sandbox, **other_client, code_verifier=verifier))[1:] == (
        "invalid_grant",
        "Invalid authorization code",
    )
    first = _token(sandbox, **form, code_verifier=verifier)
    assert first.status_code == 200
    access = first.json()["access_token"]
    assert _me(sandbox, access).status_code == 200
    # Single use: a replayed code is refused and what it gave is revoked.
    again = _token(sandbox, **form, code_verifier=verifier)
    assert _oauth_error(again) == (400, "invalid_grant", "Invalid authorization code")
    assert _me(sandbox, access).json()["error"]["message"] == "Invalid access token"
    refresh = _token(
        sandbox,
        grant_type="refresh_token",
        refresh_token=first.json()["refresh_token"],
        client_id=sandbox.client_id,
    )
    assert _oauth_error(refresh)[1] == "invalid_grant"


def test_code_expires(sandbox: Sandbox) -> None:
    verifier, challenge = _pkce()
    code = _redirect_params(_authorize(sandbox, code_challenge=challenge))["code"]
    sandbox.advance(601)
    answer = _token(
        sandbox,
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://127.0.0.1:8888/callback",
        client_id=sandbox.client_id,
        code_verifier=verifier,
    )
    assert _oauth_error(answer) == (400, "invalid_grant", "Authorization code expired")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"json": {"grant_type": "refresh_token"}},
            ("unsupported_grant_type", "grant_type parameter is missing"),
        ),
        (
            {"data": {"grant_type": "password"}},
            (
                "unsupported_grant_type",
                "grant_type must be client_credentials, authorization_code or refresh_token",
            ),
        ),
        (
            {"data": {"grant_type": "refresh_token", "refresh_token": "x", "client_id": "nope"}},
            ("invalid_client", "Invalid client"),
        ),
        (
            {"data": {"grant_type": "refresh_token", "client_id": "CLIENT"}},
            ("invalid_request", "refresh_token must be supplied"),
        ),
        (
            {"data": {"grant_type": "refresh_token", "refresh_token": "x", "client_id": "CLIENT"}},
            ("invalid_grant", "Invalid refresh token"),
        ),
        (
            {"data": {"grant_type": "authorization_code", "client_id": "CLIENT"}},
            ("invalid_request", "code must be supplied"),
        ),
        (
            {"data": {"grant_type": "client_credentials", "client_id": "CLIENT"}},
            ("invalid_client", "Invalid client secret"),
        ),
    ],
    ids=["json-body", "password", "unknown-client", "no-refresh", "bad-refresh", "no-code", "cc"],
)
def test_token_endpoint_refusals(
    sandbox: Sandbox, kwargs: dict[str, dict[str, str]], expected: tuple[str, str]
) -> None:
    for value in kwargs.values():
        if value.get("client_id") == "CLIENT":
            value["client_id"] = sandbox.client_id
    answer = requests.post(sandbox.accounts_url + "/api/token", timeout=5, **kwargs)
    assert _oauth_error(answer) == (400, *expected)


def test_token_endpoint_is_post_only(sandbox: Sandbox) -> None:
    assert requests.get(sandbox.accounts_url + "/api/token", timeout=5).status_code == 405


def test_confidential_code_flow_and_client_credentials(sandbox: Sandbox) -> None:
    code = _redirect_params(_authorize(sandbox, code_challenge=None, code_challenge_method=None))
    form = {
        "grant_type": "authorization_code",
        "code": code["code"],
        "redirect_uri": "http://127.0.0.1:8888/callback",
    }
    no_secret = _token(sandbox, **form, client_id=sandbox.client_id)
    assert _oauth_error(no_secret) == (400, "invalid_client", "Invalid client secret")
    basic = (sandbox.client_id, sandbox.client_secret)
    wrong = requests.post(
        sandbox.accounts_url + "/api/token", data=form, auth=(sandbox.client_id, "x"), timeout=5
    )
    assert _oauth_error(wrong)[2] == "Invalid client secret"
    ok = requests.post(sandbox.accounts_url + "/api/token", data=form, auth=basic, timeout=5)
    assert ok.status_code == 200 and _me(sandbox, ok.json()["access_token"]).status_code == 200
    app = requests.post(
        sandbox.accounts_url + "/api/token",
        data={"grant_type": "client_credentials"},
        auth=basic,
        timeout=5,
    ).json()
    assert "refresh_token" not in app and app["expires_in"] == 3600
    assert _me(sandbox, app["access_token"]).json() == {
        "error": {"status": 401, "message": "Valid user authentication required"}
    }


# -- /api/token: refresh_token ----------------------------------------------------------------
def _refresh(sandbox: Sandbox, token: str) -> requests.Response:
    return _token(
        sandbox, grant_type="refresh_token", refresh_token=token, client_id=sandbox.client_id
    )


def test_refresh_rotates_and_old_token_is_refused(sandbox: Sandbox) -> None:
    first = _login(sandbox)
    answer = _refresh(sandbox, first["refresh_token"])
    body = answer.json()
    assert answer.status_code == 200 and body["refresh_token"] != first["refresh_token"]
    assert body["scope"] == first["scope"] and body["expires_in"] == 3600
    assert _me(sandbox, body["access_token"]).status_code == 200
    assert _oauth_error(_refresh(sandbox, first["refresh_token"])) == (
        400,
        "invalid_grant",
        "Refresh token revoked",
    )
    assert _refresh(sandbox, body["refresh_token"]).status_code == 200


@pytest.mark.parametrize("mode", ["none", "reuse"])
def test_refresh_without_rotation(make_sandbox: MakeSandbox, mode: str) -> None:
    with make_sandbox(load_default_corpus=False, refresh_rotation=mode) as sandbox:
        token = sandbox.issue_refresh_token()
        for _ in range(2):
            body = _refresh(sandbox, token).json()
            assert "access_token" in body
            if mode == "none":
                assert "refresh_token" not in body
            else:
                assert body["refresh_token"] == token


def test_refresh_token_expires_six_months_after_login(sandbox: Sandbox) -> None:
    token = sandbox.issue_refresh_token()
    sandbox.advance(100 * 86400)
    token = _refresh(sandbox, token).json()["refresh_token"]  # refreshing does not extend it
    sandbox.advance(90 * 86400)
    assert _oauth_error(_refresh(sandbox, token)) == (400, "invalid_grant", "Refresh token expired")


def test_revoked_refresh_token(sandbox: Sandbox) -> None:
    token = sandbox.issue_refresh_token()
    sandbox.revoke_refresh_tokens()
    assert _oauth_error(_refresh(sandbox, token))[2] == "Refresh token revoked"


def test_refresh_scope_narrowing(sandbox: Sandbox) -> None:
    token = sandbox.issue_refresh_token(["playlist-read-private", "playlist-modify-private"])
    narrowed = _token(
        sandbox,
        grant_type="refresh_token",
        refresh_token=token,
        client_id=sandbox.client_id,
        scope="playlist-read-private",
    ).json()
    assert narrowed["scope"] == "playlist-read-private"
    wider = _token(
        sandbox,
        grant_type="refresh_token",
        refresh_token=narrowed["refresh_token"],
        client_id=sandbox.client_id,
        scope="user-read-email",
    )
    assert _oauth_error(wider)[1] == "invalid_scope"


# -- the request log --------------------------------------------------------------------------
def test_request_log_never_keeps_secrets(sandbox: Sandbox) -> None:
    tokens = _login(sandbox)
    refreshed = _refresh(sandbox, tokens["refresh_token"]).json()
    _me(sandbox, refreshed["access_token"])
    log = repr(sandbox.requests)
    for secret in (*tokens.values(), *refreshed.values()):
        if isinstance(secret, str) and len(secret) > 20:
            assert secret not in log
    token_requests = [r for r in sandbox.requests if r.path == "/api/token"]
    assert token_requests[0].body["code"] == "<redacted>"
    assert token_requests[0].body["code_verifier"] == "<redacted>"
    assert token_requests[1].body["refresh_token"] == "<redacted>"
    assert [r.method for r in sandbox.requests] == ["GET", "POST", "POST", "GET"]
    assert sandbox.count("POST", "/api/token") == 2
    sandbox.clear_requests()
    assert sandbox.requests == []


def test_ipv6_loopback_host(make_sandbox: MakeSandbox) -> None:
    """``Sandbox(host="::1")`` serves on the IPv6 loopback, URLs bracketed."""
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        sandbox = make_sandbox(host="::1", load_default_corpus=False)
    except SandboxError as exc:
        pytest.skip(f"IPv6 loopback unavailable: {exc}")
    try:
        assert sandbox.api_url == f"http://[::1]:{sandbox.port}/v1/"
        me = _me(sandbox, sandbox.issue_access_token())
        assert me.status_code == 200 and me.json()["id"] == sandbox.user_id
    finally:
        sandbox.stop()


# --- bounds: body size, body framing, request log, stalled requests ------------------------------


def _raw(sb: Sandbox, data: bytes, *, timeout: float = 5.0) -> bytes:
    """Send ``data`` on a fresh connection and return everything the server sends back."""
    with socket.create_connection(("127.0.0.1", sb.port), timeout=timeout) as conn:
        conn.sendall(data)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_body_over_the_limit_is_refused_with_413_unread(make_sandbox: MakeSandbox) -> None:
    sb = make_sandbox(load_default_corpus=False, max_body=1000)
    headers = {"Authorization": f"Bearer {sb.issue_access_token()}"}
    big = {"name": "x", "description": "d" * 2000}
    answer = requests.post(f"{sb.api_url}me/playlists", json=big, headers=headers, timeout=5)
    assert answer.status_code == 413
    assert answer.json() == {"error": {"status": 413, "message": "Request Entity Too Large"}}
    assert answer.headers["Connection"] == "close"
    assert [(r.method, r.path, r.status, r.body) for r in sb.requests] == [
        ("POST", "/v1/me/playlists", 413, None)
    ]
    assert sb.records.playlists == {}
    # A body within the limit still goes through.
    ok = requests.post(f"{sb.api_url}me/playlists", json={"name": "x"}, headers=headers, timeout=5)
    assert ok.status_code == 201


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: abc",
        b"Content-Length: -5",
        "Content-Length: \u0663".encode(),
        b"Transfer-Encoding: chunked",
    ],
    ids=["not-a-number", "negative", "arabic-digit", "chunked"],
)
def test_a_body_of_unknown_length_is_refused_with_400(
    make_sandbox: MakeSandbox, framing: bytes
) -> None:
    sb = make_sandbox(load_default_corpus=False)
    token = sb.issue_access_token().encode()
    body = b'{"name": "x"}'
    answer = _raw(
        sb,
        b"POST /v1/me/playlists HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + b"\r\n"
        b"Content-Type: application/json\r\n" + framing + b"\r\n\r\n" + body,
    )
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b'"status": 400' in payload or b'"status":400' in payload
    # The body was not taken for a second request, and nothing was created.
    assert [(r.method, r.status) for r in sb.requests] == [("POST", 400)]
    assert sb.records.playlists == {}


def test_the_request_log_keeps_only_the_latest(make_sandbox: MakeSandbox) -> None:
    sb = make_sandbox(load_default_corpus=False, request_log_size=3)
    headers = {"Authorization": f"Bearer {sb.issue_access_token()}"}
    for n in range(5):
        requests.get(f"{sb.api_url}me", params={"n": n}, headers=headers, timeout=5)
    assert [r.query["n"] for r in sb.requests] == [["2"], ["3"], ["4"]]
    assert sb.count("GET", "/v1/me") == 3


def test_bounds_must_make_sense() -> None:
    for bad in ({"request_log_size": 0}, {"max_body": -1}, {"request_timeout": 0}):
        with pytest.raises(SandboxError):
            Sandbox(load_default_corpus=False, **bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("trickle", [False, True], ids=["stalled", "trickling"])
def test_a_request_that_does_not_arrive_in_time_is_dropped(
    make_sandbox: MakeSandbox, trickle: bool
) -> None:
    """A half-sent request line does not hold a server thread: the connection is closed."""
    sb = make_sandbox(load_default_corpus=False, request_timeout=0.3)
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as conn:
        conn.sendall(b"GET /v1/me HT")
        started = time.monotonic()
        if trickle:  # one byte every 0.1 s: each read is quick, the whole request is not
            for byte in b"TP/1.1\r\nHost: x\r\n":
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    break
                time.sleep(0.1)
                if time.monotonic() - started > 1.5:
                    break
        assert conn.recv(100) == b""  # closed by the server
        assert time.monotonic() - started < 2.5
    deadline = time.monotonic() + 2
    while sb.open_connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sb.open_connections == 0
    assert sb.requests == []
    # The server still answers.
    assert requests.get(f"{sb.api_url}me", timeout=5).status_code == 401


def test_a_length_of_thousands_of_digits_is_too_large(make_sandbox: MakeSandbox) -> None:
    sb = make_sandbox(load_default_corpus=False)
    answer = _raw(
        sb,
        b"POST /v1/me/playlists HTTP/1.1\r\nHost: x\r\nContent-Length: "
        + b"9" * 5000
        + b"\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert [(r.method, r.status) for r in sb.requests] == [("POST", 413)]


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"name": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"],
    ids=["open", "closed"],
)
def test_a_body_nested_too_deep_is_a_400(make_sandbox: MakeSandbox, body: bytes) -> None:
    """Nesting deeper than the JSON parser goes is a body that does not parse, not a crash."""
    sb = make_sandbox(load_default_corpus=False)
    headers = {"Authorization": f"Bearer {sb.issue_access_token()}"}
    headers["Content-Type"] = "application/json"
    answer = requests.post(f"{sb.api_url}me/playlists", data=body, headers=headers, timeout=5)
    assert answer.status_code == 400
    assert answer.json() == {"error": {"status": 400, "message": "Error parsing JSON."}}
    (entry,) = sb.requests
    assert entry.status == 400 and entry.body == body[:1000].decode()
    assert sb.internal_errors == []
