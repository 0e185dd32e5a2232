"""The sandbox speaks HTTP like Spotify: accounts (PKCE), Web API basics, request log."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import requests

from ostkit.sandbox import Sandbox


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
