"""Fault injection: each kind, its targeting (method, path, after, count) and the request log."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable

import pytest
import requests

from conftest import Api, MakeSandbox
from ostkit.sandbox import Fault, Sandbox

ITEMS = r"/playlists/[^/]+/items$"


def _uris(sandbox: Sandbox, n: int) -> list[str]:
    return [f"spotify:track:{t}" for t in list(sandbox.corpus.tracks)[:n]]


def test_rate_limit(api: Api) -> None:
    api.sandbox.inject(Fault("rate_limit", path=r"/search$", retry_after=2))
    limited = api.get("search", params={"q": "love", "type": "track"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert limited.json() == {"error": {"status": 429, "message": "API rate limit exceeded"}}
    assert api.get("search", params={"q": "love", "type": "track"}).status_code == 200
    assert [(r.status, r.fault) for r in api.sandbox.requests] == [(429, "rate_limit"), (200, None)]


def test_quota(api: Api) -> None:
    api.sandbox.inject(Fault("quota"))
    answer = api.get("me")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 3600
    assert answer.json() == {
        "error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}
    }


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(api: Api, status: int) -> None:
    api.sandbox.inject(Fault("server_error", status=status))
    answer = api.get("me")
    assert answer.status_code == status and answer.json()["error"]["status"] == status
    api.sandbox.inject(Fault("server_error", status=status, empty_body=True))
    empty = api.get("me", check=False)
    assert empty.status_code == status and empty.content == b""
    assert api.get("me").status_code == 200


def test_applied_then_error(api: Api) -> None:
    pid = api.sandbox.create_playlist("mine")
    uris = _uris(api.sandbox, 3)
    before = api.sandbox.playlist_snapshot(pid)
    api.sandbox.inject(Fault("applied_then_error", method="POST", path=ITEMS))
    answer = api.post(f"playlists/{pid}/items", json={"uris": uris}, check=False)
    assert answer.status_code == 502 and answer.json()["error"]["status"] == 502
    assert api.sandbox.playlist_items(pid) == uris
    assert api.sandbox.playlist_snapshot(pid) != before
    # A refused write stays refused (nothing was applied).
    api.sandbox.inject(Fault("applied_then_error", method="POST", path=ITEMS))
    refused = api.post(f"playlists/{pid}/items", json={"uris": ["spotify:track:x"]})
    assert refused.status_code == 400 and api.sandbox.playlist_items(pid) == uris
    # Any 5xx, with or without a body.
    api.sandbox.inject(
        Fault("applied_then_error", path=r"/v1/playlists/[^/]+$", status=500, empty_body=True)
    )
    renamed = api.put(f"playlists/{pid}", json={"name": "renamed"}, check=False)
    assert renamed.status_code == 500 and renamed.content == b""
    assert api.get(f"playlists/{pid}").json()["name"] == "renamed"


def test_drop_connection(api: Api) -> None:
    pid = api.sandbox.create_playlist("mine")
    uris = _uris(api.sandbox, 2)
    api.sandbox.inject(Fault("drop_connection", method="POST", path=ITEMS))
    with pytest.raises(requests.ConnectionError):
        api.post(f"playlists/{pid}/items", json={"uris": uris})
    assert api.sandbox.playlist_items(pid) == []
    api.sandbox.inject(Fault("drop_connection", method="POST", path=ITEMS, apply=True))
    with pytest.raises(requests.ConnectionError):
        api.post(f"playlists/{pid}/items", json={"uris": uris})
    assert api.sandbox.playlist_items(pid) == uris
    assert [r.status for r in api.sandbox.requests] == [0, 0]
    assert api.get(f"playlists/{pid}/items").status_code == 200


def test_expire_token(api: Api) -> None:
    other = Api(api.sandbox)
    api.sandbox.inject(Fault("expire_token"))
    answer = api.get("me")
    assert answer.status_code == 401
    assert answer.json() == {"error": {"status": 401, "message": "The access token expired"}}
    assert api.get("me").status_code == 401  # it stays expired
    assert other.get("me").status_code == 200  # the fault fired once


def test_revoke(sandbox: Sandbox) -> None:
    token = sandbox.issue_refresh_token()
    sandbox.inject(Fault("revoke"))
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": sandbox.client_id}
    url = sandbox.accounts_url + "/api/token"
    answer = requests.post(url, data=form, timeout=5)
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant", "error_description": "Refresh token revoked"}
    fresh = sandbox.issue_refresh_token()
    assert requests.post(url, data={**form, "refresh_token": fresh}, timeout=5).status_code == 200


def test_latency_per_fault_and_global(make_sandbox: MakeSandbox) -> None:
    with make_sandbox(load_default_corpus=False, latency=0.03) as sandbox:
        api = Api(sandbox)
        sandbox.inject(Fault("latency", path=r"/me$", seconds=0.05, count=None))
        api.get("me")
        api.get("me")
        api.get("search", params={"q": "x", "type": "track"})
        elapsed = [r.elapsed for r in sandbox.requests]
        # No upper bound on the third (a loaded machine adds time): its fault field shows the
        # per-fault latency was not applied to it.
        assert all(e >= 0.08 for e in elapsed[:2]) and elapsed[2] >= 0.03
        assert [r.fault for r in sandbox.requests] == ["latency", "latency", None]


def test_after_count_method_and_path_targeting(api: Api) -> None:
    api.sandbox.inject(Fault("server_error", method="GET", path=r"/me$", after=2, count=2))
    statuses = [api.get("me").status_code for _ in range(5)]
    assert statuses == [200, 200, 503, 503, 200]
    assert api.get("search", params={"q": "x", "type": "track"}).status_code == 200
    forever = api.sandbox.inject(Fault("rate_limit", method="POST", count=None))
    assert api.get("me").status_code == 200
    for _ in range(3):
        assert api.post("me/playlists", json={"name": "x"}).status_code == 429
    assert forever.fired == 3 and api.sandbox.playlist_ids() == []
    api.sandbox.clear_faults()
    assert api.post("me/playlists", json={"name": "x"}).status_code == 201


def test_faults_hit_the_accounts_service_too(sandbox: Sandbox) -> None:
    sandbox.inject(Fault("server_error", path=r"^/api/token$", status=500))
    form = {
        "grant_type": "refresh_token",
        "refresh_token": sandbox.issue_refresh_token(),
        "client_id": sandbox.client_id,
    }
    assert (
        requests.post(sandbox.accounts_url + "/api/token", data=form, timeout=5).status_code == 500
    )


def test_fault_validation() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("meteor")
    with pytest.raises(ValueError, match="not an HTTP status"):
        Fault("server_error", status=99)


def test_rolling_window_rate_limit(make_sandbox: MakeSandbox) -> None:
    with make_sandbox(load_default_corpus=False, rate_limit=(3, 30)) as sandbox:
        api = Api(sandbox)
        assert [api.get("me").status_code for _ in range(3)] == [200, 200, 200]
        sandbox.advance(10)
        limited = api.get("me")
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "20"
        assert limited.json()["error"]["message"] == "API rate limit exceeded"
        sandbox.advance(20.5)
        assert api.get("me").status_code == 200
        assert sandbox.requests[3].fault == "rate_limit"


def test_quota_budget(make_sandbox: MakeSandbox) -> None:
    with make_sandbox(load_default_corpus=False, quota=2) as sandbox:
        api = Api(sandbox)
        assert [api.get("me").status_code for _ in range(2)] == [200, 200]
        spent = api.get("me")
        assert spent.status_code == 429 and spent.json()["error"]["reason"] == "QUOTA_EXCEEDED"
        # The accounts service is not part of the Web API quota.
        form = {
            "grant_type": "refresh_token",
            "refresh_token": sandbox.issue_refresh_token(),
            "client_id": sandbox.client_id,
        }
        assert requests.post(sandbox.accounts_url + "/api/token", data=form, timeout=5).ok
        sandbox.reset_quota()
        assert api.get("me").status_code == 200


def test_client_hanging_up_mid_answer_is_quiet(
    make_sandbox: MakeSandbox, capfd: pytest.CaptureFixture[str]
) -> None:
    """A client that disconnects before its answer is written (a timeout, Ctrl-C) costs the
    server a BrokenPipe/ConnectionReset: swallowed, no traceback on stderr, server still fine."""
    with make_sandbox(load_default_corpus=False) as sandbox:
        sandbox.inject(Fault("latency", path=r"/me$", seconds=0.2, count=3))
        request = f"GET /v1/me HTTP/1.1\r\nHost: {sandbox.host}\r\n\r\n".encode()
        for _ in range(3):
            sock = socket.create_connection((sandbox.host, sandbox.port), timeout=5)
            sock.sendall(request)
            # Linger 0: close() sends a RST, so the server's late write fails at once.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        deadline = time.monotonic() + 5
        while len(sandbox.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.05)  # the answers are written (and fail) right after being recorded
        assert Api(sandbox).get("me").status_code == 200
    assert sandbox.internal_errors == []
    assert capfd.readouterr().err == ""


def test_stop_waits_for_busy_handlers(
    make_sandbox: MakeSandbox, capfd: pytest.CaptureFixture[str]
) -> None:
    """stop() closes kept-alive connections and waits for the threads answering, so nothing is
    answered (or printed) after it returns."""
    sandbox = make_sandbox(load_default_corpus=False)
    sandbox.inject(Fault("latency", path=r"/me$", seconds=0.3))
    api = Api(sandbox)
    api.get("search", params={"q": "x", "type": "track"})  # a kept-alive idle connection
    slow = threading.Thread(target=lambda: _swallow(lambda: Api(sandbox).get("me")))
    slow.start()
    deadline = time.monotonic() + 5
    while len(sandbox.serving_threads()) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)  # until the slow request is being answered
    handlers = sandbox.serving_threads()
    assert len(handlers) == 2
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 3
    assert not [t for t in handlers if t.is_alive()]
    slow.join(5)
    api.session.close()
    assert capfd.readouterr().err == ""


def _swallow(call: Callable[[], object]) -> None:
    with contextlib.suppress(requests.RequestException):
        call()
