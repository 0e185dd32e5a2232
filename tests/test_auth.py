"""Login (PKCE through ostkit's loopback listener), token cache, refresh, rotation, revocation,
the `ostkit auth` commands, and that no secret reaches output, logs or error messages."""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

import ostkit.services.auth as auth_mod
import ostkit.spotify.token_cache as token_cache_mod
from conftest import MakeSandbox
from ostkit.cli import cli
from ostkit.config import Settings
from ostkit.errors import (
    AuthError,
    ConfigError,
    OstkitError,
    RateLimitError,
    ServerError,
    SpotifyError,
)
from ostkit.sandbox import Fault, Sandbox
from ostkit.services.auth import login, logout, status
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.oauth import check_redirect_uri
from ostkit.spotify.policy import NetPolicy
from ostkit.spotify.token_cache import TokenCache
from ostkit.spotify.tokens import SCOPES, TokenManager
from scripted_http import HTML_502, RESET, Answer, Scripted, empty, js, text
from spotify_requests import check_authorize_url, check_token_request, check_wire, tap


@pytest.fixture
def sb(make_sandbox: MakeSandbox) -> Iterator[Sandbox]:
    with make_sandbox(load_default_corpus=False) as sandbox:
        sandbox.add_track("Mirage", ["Colde"])
        yield sandbox
        removed = re.compile(r"/v1/(tracks|albums|artists|users(/.*)?|playlists/[^/]+/tracks)")
        assert [r.path for r in sandbox.requests if removed.fullmatch(r.path)] == []


def make_settings(sb: Sandbox, home: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "home": home,
        "db_path": home / "catalog.db",
        "client_id": sb.client_id,
        "redirect_uri": "http://127.0.0.1/callback",  # no port: any free one (loopback rule)
        "api_url": sb.api_url,
        "accounts_url": sb.accounts_url,
        **overrides,
    }
    return Settings(**values)


class LoginRun:
    """``login(--no-browser)`` in a thread; the test plays the browser."""

    def __init__(self, settings: Settings, timeout: float = 10.0) -> None:
        self.urls: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []
        self.result: dict[str, Any] | None = None
        self.error: BaseException | None = None

        def target() -> None:
            try:
                self.result = login(
                    settings,
                    open_browser=False,
                    timeout=timeout,
                    show_url=self.urls.put,
                    say=self.said.append,
                    policy=NetPolicy.for_tests(),
                )
            except BaseException as exc:
                self.error = exc

        self.thread = threading.Thread(target=target)
        self.thread.start()

    def authorize_url(self) -> str:
        return self.urls.get(timeout=5)

    def finish(self) -> None:
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


def browse(url: str) -> str:
    """GET the authorize URL as a browser would; return the redirect's Location."""
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- login end to end -----------------------------------------------------------------------------


def test_login_end_to_end(sb: Sandbox, tmp_path: Path) -> None:
    settings = make_settings(sb, tmp_path)
    run = LoginRun(settings)
    url = run.authorize_url()
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert url.startswith(f"{sb.accounts_url}/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == [" ".join(SCOPES)]
    assert len(query["state"][0]) >= 32
    redirect = query["redirect_uri"][0]
    assert redirect.startswith("http://127.0.0.1:") and redirect.endswith("/callback")
    # Something else knocking on the listener is answered 404 and does not end the login.
    port = urllib.parse.urlsplit(redirect).port
    assert requests.get(f"http://127.0.0.1:{port}/favicon.ico", timeout=5).status_code == 404
    location = browse(url)
    assert location.startswith(redirect + "?code=")
    page = requests.get(location, timeout=5)
    assert page.status_code == 200 and "Logged in" in page.text
    run.finish()
    assert run.error is None
    assert run.result is not None
    assert run.result["user_id"] == "sandbox-user"
    assert run.result["display_name"] == "Sandbox User"
    assert run.result["scopes"] == sorted(SCOPES)
    assert mode(settings.token_path) == 0o600
    token_request = next(r for r in sb.requests if r.path == "/api/token")
    assert token_request.body["grant_type"] == "authorization_code"
    assert token_request.body["client_id"] == sb.client_id
    assert "client_secret" not in token_request.body  # PKCE: public client
    # The saved login works for API calls and for status.
    assert status(settings)["user_id"] == "sandbox-user"
    # A refresh keeps the login time (refresh tokens die six months after it).
    logged_in_at = json.loads(settings.token_path.read_text())["logged_in_at"]
    assert abs(logged_in_at - time.time()) < 60
    TokenManager.from_settings(settings, NetPolicy.for_tests()).refresh()
    assert json.loads(settings.token_path.read_text())["logged_in_at"] == logged_in_at


def test_login_on_a_fixed_port(sb: Sandbox, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = make_settings(sb, tmp_path, redirect_uri=f"http://127.0.0.1:{port}/callback")
    run = LoginRun(settings)
    location = browse(run.authorize_url())
    assert location.startswith(f"http://127.0.0.1:{port}/callback?")
    requests.get(location, timeout=5)
    run.finish()
    assert run.error is None and settings.token_path.exists()


def test_denied_consent_ends_with_a_clear_message(sb: Sandbox, tmp_path: Path) -> None:
    sb.deny_authorization = True
    settings = make_settings(sb, tmp_path)
    run = LoginRun(settings)
    location = browse(run.authorize_url())
    assert "error=access_denied" in location
    page = requests.get(location, timeout=5)
    assert page.status_code == 400 and "denied" in page.text
    run.finish()
    assert isinstance(run.error, AuthError)
    assert "access was denied" in str(run.error) and "access_denied" in str(run.error)
    assert not settings.token_path.exists()
    assert sb.count("POST", "/api/token") == 0


def test_wrong_state_ends_with_a_clear_message(sb: Sandbox, tmp_path: Path) -> None:
    settings = make_settings(sb, tmp_path)
    run = LoginRun(settings)
    location = browse(run.authorize_url())
    parts = urllib.parse.urlsplit(location)
    params = dict(urllib.parse.parse_qsl(parts.query))
    params["state"] = "forged-" + params["state"]
    forged = parts._replace(query=urllib.parse.urlencode(params)).geturl()
    assert requests.get(forged, timeout=5).status_code == 400
    run.finish()
    assert isinstance(run.error, AuthError) and "wrong state" in str(run.error)
    assert not settings.token_path.exists()
    assert sb.count("POST", "/api/token") == 0  # the code was never exchanged


def test_login_timeout(sb: Sandbox, tmp_path: Path) -> None:
    settings = make_settings(sb, tmp_path)
    run = LoginRun(settings, timeout=0.3)
    run.authorize_url()
    run.finish()
    assert isinstance(run.error, AuthError)
    assert "timed out after 0.3 s" in str(run.error) and "--no-browser" in str(run.error)


def test_login_opens_the_browser(sb: Sandbox, tmp_path: Path) -> None:
    settings = make_settings(sb, tmp_path)
    opened: list[str] = []

    def fake_browser(url: str) -> bool:
        opened.append(url)
        threading.Thread(target=lambda: requests.get(browse(url), timeout=5)).start()
        return True

    shown: list[str] = []
    info = login(
        settings, open_browser=True, timeout=10, show_url=shown.append, browser=fake_browser
    )
    assert info["user_id"] == "sandbox-user"
    assert len(opened) == 1 and shown == []  # the URL is only printed when no browser opened


def test_busy_port_is_a_config_error(sb: Sandbox, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = make_settings(sb, tmp_path, redirect_uri=f"http://127.0.0.1:{port}/callback")
        with pytest.raises(ConfigError, match="cannot listen on"):
            login(settings, open_browser=False, timeout=1, show_url=lambda url: None)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("http://localhost:8888/callback", "uses 'localhost'"),
        ("http://example.com/callback", "not a loopback address"),
        ("https://127.0.0.1:8888/callback", "plain http"),
        ("ftp://127.0.0.1/callback", "not a loopback address"),
    ],
)
def test_redirect_uri_rules(uri: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        check_redirect_uri(uri)
    assert "http://127.0.0.1:8888/callback" in str(info.value)  # says what to use instead


def test_good_redirect_uris() -> None:
    assert check_redirect_uri("http://127.0.0.1:8888/callback").port == 8888
    v6 = check_redirect_uri("http://[::1]:9000/cb")
    assert (v6.host, v6.port, v6.uri()) == ("::1", 9000, "http://[::1]:9000/cb")
    assert check_redirect_uri("http://127.0.0.1/callback").port == 0


def test_login_without_client_id_is_a_config_error(sb: Sandbox, tmp_path: Path) -> None:
    settings = make_settings(sb, tmp_path, client_id=None)
    with pytest.raises(ConfigError, match="SPOTIPY_CLIENT_ID is not set"):
        login(settings, open_browser=False, timeout=1, show_url=lambda url: None)


# --- token cache ----------------------------------------------------------------------------------


def test_token_cache_is_0600_whatever_the_umask_and_atomic(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "home" / "token.json")
    old = os.umask(0)
    try:
        cache.save({"access_token": "a", "refresh_token": "r"})
        assert mode(cache.path) == 0o600
        cache.save({"access_token": "b", "refresh_token": "r"})
        assert mode(cache.path) == 0o600
    finally:
        os.umask(old)
    assert cache.load() == {"access_token": "b", "refresh_token": "r"}
    assert sorted(p.name for p in cache.path.parent.iterdir()) == ["token.json"]  # no temp left
    assert cache.clear() and not cache.clear() and cache.load() is None


def test_damaged_token_cache(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "token.json")
    cache.path.write_text("{not json")
    with pytest.raises(AuthError, match="damaged; log in again: ostkit auth login"):
        cache.load()


# --- refresh, rotation, revocation ----------------------------------------------------------------


def env_manager(sb: Sandbox, tmp_path: Path, refresh_token: str, **kwargs: Any) -> TokenManager:
    return TokenManager(
        client_id=sb.client_id,
        accounts_url=sb.accounts_url,
        cache=TokenCache(tmp_path / "token.json"),
        refresh_token=refresh_token,
        policy=NetPolicy.for_tests(),
        **kwargs,
    )


def test_refresh_token_from_environment_then_rotation_saved(sb: Sandbox, tmp_path: Path) -> None:
    seed = sb.issue_refresh_token()
    first = env_manager(sb, tmp_path, seed)
    SpotifyClient(api_url=sb.api_url, auth=first).current_user()
    saved = json.loads((tmp_path / "token.json").read_text())
    assert saved["source"] == "environment" and saved["refresh_token"] != seed  # rotated
    assert mode(tmp_path / "token.json") == 0o600
    # A later run with the same environment uses the saved (rotated) token: the seed is spent.
    second = env_manager(sb, tmp_path, seed)
    SpotifyClient(api_url=sb.api_url, auth=second).current_user()
    assert sb.count("POST", "/api/token") == 1
    # Forced refresh (as after a 401) rotates again and saves the new refresh token.
    second.refresh()
    again = json.loads((tmp_path / "token.json").read_text())
    assert again["refresh_token"] not in (seed, saved["refresh_token"])
    assert again["access_token"] != saved["access_token"]


def test_refresh_before_expiry(sb: Sandbox, tmp_path: Path) -> None:
    manager = env_manager(sb, tmp_path, sb.issue_refresh_token())
    token = manager.get_access_token()
    assert manager.get_access_token() == token and sb.count("POST", "/api/token") == 1
    later = env_manager(sb, tmp_path, None, clock=lambda: time.time() + 3600 - 30)  # type: ignore[arg-type]
    assert later.get_access_token() != token  # within the 60-s margin: refreshed
    assert sb.count("POST", "/api/token") == 2


def test_simultaneous_401s_refresh_once(sb: Sandbox, tmp_path: Path) -> None:
    manager = env_manager(sb, tmp_path, sb.issue_refresh_token())
    client = SpotifyClient(api_url=sb.api_url, auth=manager, policy=NetPolicy.for_tests())
    manager.get_access_token()
    sb.expire_access_tokens()  # ostkit still believes its token is valid for an hour
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            client.current_user()
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=work) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert failures == []
    assert sb.count("POST", "/api/token") == 2  # the start + ONE refresh for all threads


def test_refresh_without_rotation_keeps_the_old_refresh_token(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    with make_sandbox(load_default_corpus=False, refresh_rotation="none") as sandbox:
        seed = sandbox.issue_refresh_token()
        manager = env_manager(sandbox, tmp_path, seed)
        manager.get_access_token()
        manager.refresh()
        assert json.loads((tmp_path / "token.json").read_text())["refresh_token"] == seed


def test_revoked_login_clears_the_cache(sb: Sandbox, tmp_path: Path) -> None:
    manager = env_manager(sb, tmp_path, sb.issue_refresh_token())
    client = SpotifyClient(api_url=sb.api_url, auth=manager, policy=NetPolicy.for_tests())
    client.current_user()
    assert (tmp_path / "token.json").exists()
    sb.revoke_refresh_tokens()
    sb.inject(Fault("expire_token", path="/v1/me"))
    with pytest.raises(AuthError, match="log in again: ostkit auth login") as info:
        client.current_user()
    assert "invalid_grant" in str(info.value) and info.value.reason == "invalid_grant"
    assert not (tmp_path / "token.json").exists()


def test_revoked_environment_token_is_named(sb: Sandbox, tmp_path: Path) -> None:
    seed = sb.issue_refresh_token()
    sb.revoke_refresh_tokens()
    with pytest.raises(AuthError, match="refused OSTKIT_SPOTIFY_REFRESH_TOKEN") as info:
        env_manager(sb, tmp_path, seed).get_access_token()
    assert "once used elsewhere (rotation)" in str(info.value)  # the likely cause when copied


def test_revoke_fault_on_refresh(sb: Sandbox, tmp_path: Path) -> None:
    manager = env_manager(sb, tmp_path, sb.issue_refresh_token())
    manager.get_access_token()
    sb.inject(Fault("revoke"))
    with pytest.raises(AuthError, match="invalid_grant"):
        manager.refresh()
    assert not (tmp_path / "token.json").exists()


def test_token_request_429_and_5xx(sb: Sandbox, tmp_path: Path) -> None:
    slept: list[float] = []
    manager = env_manager(sb, tmp_path, sb.issue_refresh_token(), sleep=slept.append)
    sb.inject(Fault("rate_limit", path="/api/token", retry_after=2))
    sb.inject(Fault("server_error", path="/api/token", status=503))
    assert manager.get_access_token()
    assert slept[0] == 2.0 and len(slept) == 2 and sb.count("POST", "/api/token") == 3
    sb.inject(Fault("rate_limit", path="/api/token", retry_after=3600))
    with pytest.raises(RateLimitError, match="token request: Spotify asks to wait 1 h"):
        manager.refresh()


def test_token_request_503_retry_after_is_honoured_up_to_the_cap(
    sb: Sandbox, tmp_path: Path
) -> None:
    # Two copies of the retry rule once disagreed here: the Web API waited a 503's Retry-After
    # (up to the cap), the token request ignored it. Both now run through one retry loop.
    slept: list[float] = []
    manager = env_manager(sb, tmp_path, sb.issue_refresh_token(), sleep=slept.append)
    sb.inject(Fault("server_error", path="/api/token", status=503, retry_after=4))
    sb.inject(Fault("server_error", path="/api/token", status=503, retry_after=9999))
    assert manager.get_access_token()
    assert slept == [4.0, 30.0] and sb.count("POST", "/api/token") == 3


def test_token_request_that_keeps_failing_is_a_server_error(tmp_path: Path) -> None:
    with Scripted() as server:
        server.on("POST", "/api/token", empty(503))
        manager = scripted_manager(server, tmp_path)
        with pytest.raises(ServerError, match="answered 503 Service Unavailable") as info:
            manager.refresh()
        assert info.value.status == 503
        assert server.count("POST", "/api/token") == 1 + NetPolicy.for_tests().max_retries


def test_token_request_is_resent_only_when_it_never_reached_the_server(tmp_path: Path) -> None:
    # A refresh that reached the server may have rotated (revoked) the refresh token it carried,
    # so a dropped connection is not retried; a refused connection certainly sent nothing.
    with Scripted() as server:
        server.on("POST", "/api/token", RESET)
        dropped = scripted_manager(server, tmp_path)
        with pytest.raises(SpotifyError, match="could not reach the Spotify accounts service"):
            dropped.refresh()
        assert server.count("POST", "/api/token") == 1 and dropped.token_requests == 1
    refused = scripted_manager(server, tmp_path)  # nothing listens there any more
    with pytest.raises(SpotifyError, match="connection refused or unreachable"):
        refused.refresh()
    assert refused.token_requests == 1 + NetPolicy.for_tests().max_retries


def test_token_error_description_is_one_short_line_like_every_upstream_message(
    tmp_path: Path,
) -> None:
    # The token request once cut Spotify's words at 160 characters as they came, HTML and all;
    # the Web API's rule (one_line: an HTML page's text, cut visibly with "...") now serves both.
    description = "Refresh <b>token</b> revoked\n" + "because " * 40
    with Scripted() as server:
        answer = js(400, {"error": "invalid_grant", "error_description": description})
        server.on("POST", "/api/token", answer)
        manager = scripted_manager(server, tmp_path)
        with pytest.raises(AuthError, match="invalid_grant: Refresh token revoked because") as info:
            manager.refresh()
    text_ = str(info.value)
    assert "<" not in text_ and "\n" not in text_
    assert "because...; refresh tokens stop working" in text_


def test_not_logged_in(sb: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(AuthError, match=r"not logged in to Spotify: run `ostkit auth login`"):
        status(make_settings(sb, tmp_path))


def test_login_for_another_server_is_not_used(sb: Sandbox, tmp_path: Path) -> None:
    TokenCache(tmp_path / "token.json").save(
        {"access_token": "x", "refresh_token": "y", "accounts_url": "http://127.0.0.1:1"}
    )
    with pytest.raises(AuthError, match="for another app or server"):
        status(make_settings(sb, tmp_path))


def test_token_request_timeout(sb: Sandbox, tmp_path: Path) -> None:
    sb.inject(Fault("latency", path="/api/token", seconds=0.5))
    manager = env_manager(sb, tmp_path, sb.issue_refresh_token())
    manager.policy = NetPolicy(read_timeout=0.1, rate_per_second=None)
    with pytest.raises(SpotifyError, match=r"accounts service .*no answer within the timeout"):
        manager.get_access_token()
    time.sleep(0.5)  # let the sandbox finish the slow answer before it stops


# --- CLI ------------------------------------------------------------------------------------------


def cli_env(sb: Sandbox, home: Path, redirect: str = "http://127.0.0.1/callback") -> dict[str, str]:
    return {
        "OSTKIT_HOME": str(home),
        "SPOTIPY_CLIENT_ID": sb.client_id,
        "SPOTIPY_REDIRECT_URI": redirect,
        "OSTKIT_SPOTIFY_API_URL": sb.api_url,
        "OSTKIT_SPOTIFY_ACCOUNTS_URL": sb.accounts_url,
    }


def start_cli_login(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ostkit", "auth", "login", "--no-browser", "--timeout", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def test_cli_login_status_logout(
    sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = cli_env(sb, tmp_path)
    proc, url = start_cli_login(env)
    assert url.startswith(f"{sb.accounts_url}/authorize?")  # the URL alone on stdout
    requests.get(browse(url), timeout=5)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out == ""
    assert "Logged in as sandbox-user (Sandbox User)" in err
    assert mode(tmp_path / "token.json") == 0o600
    saved = json.loads((tmp_path / "token.json").read_text())
    secrets = [saved["access_token"], saved["refresh_token"]]

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("OSTKIT_SPOTIFY_REFRESH_TOKEN", raising=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["auth", "status", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["logged_in"] is True and data["user_id"] == "sandbox-user"
    assert data["scopes"] == sorted(SCOPES) and data["expires_at"].endswith("Z")
    assert data["logged_in_at"] <= data["expires_at"] and data["source"] == "login"
    table = runner.invoke(cli, ["auth", "status"], catch_exceptions=False)
    assert "sandbox-user" in table.stdout and "playlist-modify-public" in table.stdout
    sb.clear_requests()
    offline = runner.invoke(cli, ["auth", "status", "--offline", "--format", "json"])
    assert json.loads(offline.stdout)["user_id"] == "sandbox-user" and sb.requests == []
    assert not any(s in result.output + table.output + offline.output for s in secrets)

    bye = runner.invoke(cli, ["auth", "logout"], catch_exceptions=False)
    assert bye.exit_code == 0 and "Logged out" in bye.stderr
    assert not (tmp_path / "token.json").exists()
    gone = runner.invoke(cli, ["auth", "status"])
    assert gone.exit_code == 1
    assert gone.output.startswith("Error: not logged in to Spotify")


def test_cli_login_ctrl_c(sb: Sandbox, tmp_path: Path) -> None:
    proc, url = start_cli_login(cli_env(sb, tmp_path))
    assert url.startswith("http")
    time.sleep(0.2)  # the listener is waiting
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130  # like Ctrl-C in every command
    assert "Error: login cancelled (Ctrl-C); nothing was saved" in err
    assert "Traceback" not in err and not (tmp_path / "token.json").exists()


def test_cli_localhost_redirect_is_refused(
    sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in cli_env(sb, tmp_path, "http://localhost:8888/callback").items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(cli, ["auth", "login", "--no-browser", "--timeout", "1"])
    assert result.exit_code == 1
    assert "uses 'localhost'" in result.output and "127.0.0.1" in result.output


# --- no secrets anywhere --------------------------------------------------------------------------


def test_no_secret_in_output_logs_or_errors(
    sb: Sandbox,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)  # root at DEBUG: everything that logs would be captured
    secrets: set[str] = set()
    real_pair = auth_mod.pkce_pair

    def recording_pair() -> tuple[str, str]:
        verifier, challenge = real_pair()
        secrets.add(verifier)
        return verifier, challenge

    monkeypatch.setattr(auth_mod, "pkce_pair", recording_pair)
    settings = make_settings(sb, tmp_path)

    def remember_tokens() -> None:
        saved = json.loads(settings.token_path.read_text())
        secrets.update({saved["access_token"], saved["refresh_token"]})

    run = LoginRun(settings)
    location = browse(run.authorize_url())
    secrets.add(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["code"])
    requests.get(location, timeout=5)
    run.finish()
    assert run.error is None
    remember_tokens()
    # refresh (forced by an expired token) + API calls, with a 429 and a 5xx on the way
    manager = TokenManager.from_settings(settings, NetPolicy.for_tests())
    client = SpotifyClient(api_url=sb.api_url, auth=manager, policy=NetPolicy.for_tests())
    sb.inject(Fault("expire_token", path="/v1/search"))
    sb.inject(Fault("server_error", path="/v1/search", after=1))
    assert client.search_tracks("Mirage")
    remember_tokens()
    errors: list[str] = []
    sb.inject(Fault("quota", path="/v1/me"))
    with pytest.raises(OstkitError) as quota:
        client.current_user()
    errors.append(str(quota.value))
    sb.revoke_refresh_tokens()
    with pytest.raises(AuthError) as revoked:
        manager.refresh()
    errors.append(str(revoked.value))
    logout(settings)

    captured = capsys.readouterr()
    haystack = "\n".join(
        [
            captured.out,
            captured.err,
            caplog.text,
            *(r.getMessage() for r in caplog.records),
            *errors,
            *run.said,
            repr(manager),
        ]
    )
    assert len(secrets) >= 6 and all(len(s) >= 20 for s in secrets)
    leaked = [s[:6] + "..." for s in secrets if s in haystack]
    assert leaked == []
    assert sb.count("POST", "/api/token") >= 2  # login + refresh really happened


# --- what login sends follows the published rules -------------------------------------------------


def test_login_requests_follow_the_pkce_rules(
    sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire = tap(monkeypatch)
    settings = make_settings(sb, tmp_path)
    run = LoginRun(settings)
    url = run.authorize_url()
    params = check_authorize_url(url)
    assert params["client_id"] == sb.client_id and params["scope"] == " ".join(SCOPES)
    requests.get(browse(url), timeout=5)
    run.finish()
    assert run.error is None
    TokenManager.from_settings(settings, NetPolicy.for_tests()).refresh()
    ours = [s for s in wire.to(sb.accounts_url) if s.path != "/authorize"]
    assert [check_wire(s) for s in ours] == [
        "POST /api/token authorization_code",
        "GET /me",
        "POST /api/token refresh_token",
    ]
    # and what the sandbox received (secrets redacted in its log)
    grants = [check_token_request(r.body) for r in sb.requests if r.path == "/api/token"]
    assert grants == ["authorization_code", "refresh_token"]


def test_login_on_ipv6_loopback(sb: Sandbox, tmp_path: Path) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    settings = make_settings(sb, tmp_path, redirect_uri="http://[::1]/callback")
    run = LoginRun(settings)
    url = run.authorize_url()
    redirect = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["redirect_uri"][0]
    assert re.fullmatch(r"http://\[::1\]:\d+/callback", redirect)
    location = browse(url)
    assert location.startswith(redirect + "?")
    assert requests.get(location, timeout=5).status_code == 200
    run.finish()
    assert run.error is None and mode(settings.token_path) == 0o600


# --- token answers of other shapes (scripted accounts service, real HTTP) -------------------------

OLD = {"access_token": "old-access-token-123", "refresh_token": "old-refresh-token-123"}


def scripted_manager(server: Scripted, tmp_path: Path, **saved: Any) -> TokenManager:
    cache = TokenCache(tmp_path / "token.json")
    now = time.time()
    cache.save(
        {
            **OLD,
            "scope": " ".join(SCOPES),
            "expires_at": now + 3600,
            "obtained_at": now,
            "client_id": "cid",
            "accounts_url": server.url,
            **saved,
        }
    )
    return TokenManager(
        client_id="cid",
        accounts_url=server.url,
        cache=cache,
        policy=NetPolicy.for_tests(),
        sleep=lambda s: None,
    )


@pytest.mark.parametrize(
    ("answer", "lifetime"),
    [
        ({"access_token": "new-access-token-1", "token_type": "Bearer"}, 3600),
        ({"access_token": "new-access-token-1", "expires_in": "1800"}, 1800),
        ({"access_token": "new-access-token-1", "expires_in": None}, 3600),
        ({"access_token": "new-access-token-1", "expires_in": "soon"}, 3600),
        ({"access_token": "new-access-token-1", "expires_in": 7200, "scope": ""}, 7200),
    ],
    ids=["minimal", "string-expiry", "null-expiry", "garbled-expiry", "empty-scope"],
)
def test_refresh_answers_without_refresh_token_or_scope(
    tmp_path: Path, answer: dict[str, Any], lifetime: int
) -> None:
    with Scripted() as server:
        server.on("POST", "/api/token", js(200, answer))
        manager = scripted_manager(server, tmp_path)
        assert manager.refresh() == "new-access-token-1"
        saved = json.loads((tmp_path / "token.json").read_text())
        assert saved["refresh_token"] == OLD["refresh_token"]  # none sent: the old one stays
        assert saved["scope"] == " ".join(SCOPES)  # none sent: the granted scopes stay
        assert abs(saved["expires_at"] - time.time() - lifetime) < 5
        assert manager.get_access_token() == "new-access-token-1"
        assert server.count("POST", "/api/token") == 1
        assert server.seen[0].form == {
            "grant_type": "refresh_token",
            "refresh_token": OLD["refresh_token"],
            "client_id": "cid",
        }


def test_short_lived_tokens_are_not_refreshed_on_every_call(tmp_path: Path) -> None:
    with Scripted() as server:
        server.on(
            "POST", "/api/token", js(200, {"access_token": "short-lived-1", "expires_in": 20})
        )
        manager = scripted_manager(server, tmp_path)
        manager.refresh()
        for _ in range(5):
            assert manager.get_access_token() == "short-lived-1"
        assert server.count("POST", "/api/token") == 1


@pytest.mark.parametrize(
    ("answer", "error", "message", "cleared"),
    [
        (HTML_502, ServerError, "answered 502 Bad Gateway; it is having trouble", False),
        (RESET, SpotifyError, "could not reach the Spotify accounts service", False),
        (text(200, "<html>Sign in to the hotel Wi-Fi</html>"), AuthError, "unreadable", False),
        (
            js(400, {"error": "invalid_grant"}),
            AuthError,
            r"refused the saved .*invalid_grant",
            True,
        ),
        (
            js(400, {"error": "invalid_grant", "error_description": "Refresh token revoked"}),
            AuthError,
            "Refresh token revoked; refresh tokens stop working",
            True,
        ),
        (js(400, {"error": "invalid_client"}), AuthError, "does not accept client id cid", False),
    ],
    ids=["html-502", "reset", "captive-portal", "invalid-grant", "revoked", "invalid-client"],
)
def test_token_failures_give_one_line_and_keep_or_clear_the_login(
    tmp_path: Path, answer: Answer, error: type[Exception], message: str, cleared: bool
) -> None:
    with Scripted() as server:
        server.on("POST", "/api/token", answer)
        manager = scripted_manager(server, tmp_path)
        with pytest.raises(error, match=message) as info:
            manager.refresh()
        text_ = str(info.value)
        assert "\n" not in text_ and "<" not in text_ and OLD["refresh_token"] not in text_
        assert (tmp_path / "token.json").exists() is not cleared


def test_hand_edited_expiry_is_refreshed_not_a_traceback(tmp_path: Path) -> None:
    with Scripted() as server:
        server.on("POST", "/api/token", js(200, {"access_token": "fresh-token-1234"}))
        manager = scripted_manager(server, tmp_path, expires_at="tomorrow", logged_in_at=True)
        assert manager.get_access_token() == "fresh-token-1234"
        assert manager.saved()["logged_in_at"] is None


def test_http_debug_logging_shows_no_secret(
    sb: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Even when someone turns spotipy's and urllib3's loggers back on at DEBUG, the bearer
    token, refresh token and code never reach a log record."""
    manager = env_manager(sb, tmp_path, sb.issue_refresh_token())
    client = SpotifyClient(api_url=sb.api_url, auth=manager, policy=NetPolicy.for_tests())
    for name in ("spotipy", "spotipy.client", "urllib3", "requests"):
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.set_level(logging.DEBUG)
    client.search_tracks("Mirage")
    sb.inject(Fault("server_error", path="/v1/me", status=500))
    client.current_user()
    saved = json.loads((tmp_path / "token.json").read_text())
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "Bearer <hidden>" in logged  # spotipy did log its headers, redacted
    assert saved["access_token"] not in logged and saved["refresh_token"] not in logged


@pytest.mark.parametrize(
    ("configured", "port", "sent"),
    [
        ("http://127.0.0.1:8888/callback", 8888, "http://127.0.0.1:8888/callback"),
        ("http://127.0.0.1:8888", 8888, "http://127.0.0.1:8888"),  # no path: none added
        ("http://127.0.0.1:8888/cb/", 8888, "http://127.0.0.1:8888/cb/"),
        ("http://127.0.0.1/callback", 43210, "http://127.0.0.1:43210/callback"),
        ("http://127.0.0.1", 43210, "http://127.0.0.1:43210"),
        ("http://[::1]/cb", 43210, "http://[::1]:43210/cb"),
    ],
)
def test_redirect_uri_is_sent_as_registered(configured: str, port: int, sent: str) -> None:
    """Spotify compares the redirect URI exactly; only a port-less one gets the listener's port."""
    redirect = check_redirect_uri(configured)
    assert redirect.uri(port) == sent
    assert redirect.path == (urllib.parse.urlsplit(configured).path or "/")


def test_token_file_that_cannot_be_written_or_removed_is_one_line(tmp_path: Path) -> None:
    blocked = tmp_path / "token.json"
    blocked.mkdir()  # a directory where the file should be
    cache = TokenCache(blocked)
    with pytest.raises(AuthError, match=r"token.json: cannot save the login \("):
        cache.save({"access_token": "a"})
    with pytest.raises(AuthError, match=r"token.json: cannot remove the saved login \("):
        cache.clear()
    assert [p.name for p in tmp_path.iterdir()] == ["token.json"]  # no temp file left
    result = CliRunner().invoke(
        cli, ["auth", "logout"], env={"OSTKIT_HOME": str(tmp_path), "SPOTIPY_CLIENT_ID": "x"}
    )
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert "Traceback" not in result.output


def test_token_cache_write_that_fails_midway_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = TokenCache(tmp_path / "token.json")
    cache.save({"access_token": "old", "refresh_token": "r"})

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # e.g. Ctrl-C halfway through the write

    monkeypatch.setattr(token_cache_mod.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        cache.save({"access_token": "new", "refresh_token": "r2"})
    assert cache.load() == {"access_token": "old", "refresh_token": "r"}
    assert [p.name for p in tmp_path.iterdir()] == ["token.json"]


class _InterruptedWhileWritten(dict[str, Any]):
    """Token info whose writing is interrupted by a signal (sent when json reads its items)."""

    def __init__(self, signum: int, **kw: Any) -> None:
        super().__init__(**kw)
        self.signum = signum

    def items(self) -> Any:
        signal.raise_signal(self.signum)
        return super().items()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_during_the_token_save_acts_once_the_new_token_is_saved(
    tmp_path: Path, signum: int
) -> None:
    """A rotated refresh token reaches the disk even when Ctrl-C or SIGTERM comes in meanwhile."""
    cache = TokenCache(tmp_path / "token.json")
    cache.save({"access_token": "old", "refresh_token": "r"})
    seen: list[int] = []

    def handler(sig: int, frame: object) -> None:
        seen.append(sig)
        # What the file holds at the moment the signal is acted on.
        seen.append(json.loads((tmp_path / "token.json").read_text())["refresh_token"] == "r2")
        raise KeyboardInterrupt

    before = signal.signal(signum, handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            cache.save(_InterruptedWhileWritten(signum, access_token="new", refresh_token="r2"))
        assert signal.getsignal(signum) is handler  # put back as it was
    finally:
        signal.signal(signum, before)
    assert seen == [signum, True]
    assert cache.load() == {"access_token": "new", "refresh_token": "r2"}
    assert [p.name for p in tmp_path.iterdir()] == ["token.json"]


def test_an_idle_preconnected_socket_does_not_hold_up_the_login(
    sb: Sandbox, tmp_path: Path
) -> None:
    """Browsers open speculative connections that send nothing; the callback still gets in."""
    settings = make_settings(sb, tmp_path)
    run = LoginRun(settings)
    url = run.authorize_url()
    redirect = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["redirect_uri"][0]
    port = urllib.parse.urlsplit(redirect).port
    with socket.create_connection(("127.0.0.1", port)) as idle:
        time.sleep(0.3)  # the listener has accepted it by now
        started = time.monotonic()
        assert requests.get(browse(url), timeout=5).status_code == 200
        run.finish()
        assert time.monotonic() - started < 3 and idle.fileno() >= 0
    assert run.error is None and settings.token_path.exists()


def test_cli_login_warns_that_the_environment_token_wins(
    sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in cli_env(sb, tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("OSTKIT_SPOTIFY_REFRESH_TOKEN", sb.issue_refresh_token())
    result = CliRunner().invoke(cli, ["auth", "login", "--no-browser", "--timeout", "1"])
    assert result.exit_code == 1 and "timed out" in result.stderr
    assert "OSTKIT_SPOTIFY_REFRESH_TOKEN is set and is used instead of this login" in result.stderr
