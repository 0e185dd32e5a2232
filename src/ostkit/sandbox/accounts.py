"""The accounts service: ``GET /authorize`` and ``POST /api/token`` with Spotify's rules."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import quote, urlencode

from ostkit.sandbox.model import (
    ACCESS_TOKEN_LIFETIME,
    CHALLENGE_RE,
    CODE_LIFETIME,
    KNOWN_SCOPES,
    REFRESH_TOKEN_LIFETIME,
    AuthCode,
    Client,
    OAuthError,
    Reply,
    Request,
    State,
    random_token,
)


def authorize(sb: State, request: Request) -> Reply:
    """``GET /authorize``: the consent page, approving at once (or denying, when told to)."""
    client = sb.records.clients.get(request.param("client_id") or "")
    if client is None:
        return Reply.html(400, "INVALID_CLIENT: Invalid client")
    redirect_uri = request.param("redirect_uri") or ""
    if not redirect_uri or not client.allows_redirect(redirect_uri):
        return Reply.html(400, "INVALID_CLIENT: Invalid redirect URI")
    state = request.param("state")

    def back(**params: str) -> Reply:
        pairs = list(params.items())
        if state is not None:
            pairs.append(("state", state))
        sep = "&" if "?" in redirect_uri else "?"
        location = redirect_uri + sep + urlencode(pairs, quote_via=quote)
        return Reply(302, b"", {"Location": location, "Content-Type": "text/html"})

    if request.param("response_type") != "code":
        return back(
            error="unsupported_response_type",
            error_description="response_type must be code",
        )
    scopes = (request.param("scope") or "").replace(",", " ").split()
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        return Reply.html(400, "INVALID_SCOPE: Invalid scope")
    challenge = request.param("code_challenge")
    method = request.param("code_challenge_method")
    if challenge is not None or method is not None:
        if method != "S256":
            return back(
                error="invalid_request",
                error_description="code_challenge_method must be S256",
            )
        if challenge is None or not CHALLENGE_RE.match(challenge):
            return back(error="invalid_request", error_description="Invalid code_challenge")
    if sb.deny_authorization:
        return back(error="access_denied")
    code = random_token("AQ", 96)
    sb.records.codes[code] = AuthCode(
        client.id,
        sb.records.known_user(sb.authorizing_user),
        redirect_uri,
        challenge,
        frozenset(scopes),
        sb.now() + CODE_LIFETIME,
    )
    return back(code=code)


def token(sb: State, request: Request) -> Reply:
    """``POST /api/token``: the authorization-code, refresh-token and client-credentials grants."""
    form = request.form()
    grant = form.get("grant_type")
    if not grant:
        raise OAuthError("unsupported_grant_type", "grant_type parameter is missing")
    if grant not in ("authorization_code", "refresh_token", "client_credentials"):
        raise OAuthError(
            "unsupported_grant_type",
            "grant_type must be client_credentials, authorization_code or refresh_token",
        )
    client, authenticated = _token_client(sb, request, form)
    if grant == "client_credentials":
        if not authenticated:
            raise OAuthError("invalid_client", "Invalid client secret")
        # An app token: no user, no scopes, and so no `scope` in the answer.
        return _token_reply(_new_access(sb, client.id, None, frozenset(), show_scope=False))
    if grant == "authorization_code":
        return _token_from_code(sb, client, authenticated, form)
    return _token_from_refresh(sb, client, authenticated, form)


def _token_client(sb: State, request: Request, form: dict[str, str]) -> tuple[Client, bool]:
    client_id = form.get("client_id")
    secret = form.get("client_secret")
    auth = request.headers.get("authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode()
            client_id, _, secret = decoded.partition(":")
        except (ValueError, UnicodeDecodeError):
            raise OAuthError("invalid_client", "Invalid client") from None
    client = sb.records.clients.get(client_id or "")
    if client is None:
        raise OAuthError("invalid_client", "Invalid client")
    if secret is not None and not secrets.compare_digest(secret, client.secret):
        raise OAuthError("invalid_client", "Invalid client secret")
    return client, secret is not None


def _token_from_code(sb: State, client: Client, authenticated: bool, form: dict[str, str]) -> Reply:
    code = _required(form, "code")
    redirect_uri = _required(form, "redirect_uri")
    record = sb.records.codes.get(code)
    if record is None or record.client_id != client.id:
        raise OAuthError("invalid_grant", "Invalid authorization code")
    if record.used:
        # A replayed code also invalidates what the first exchange issued (RFC 6749 4.1.2).
        for token in record.issued:
            if token in sb.records.access:
                sb.records.access[token].revoked = True
            elif token in sb.records.refresh:
                sb.records.refresh[token].state = "revoked"
        raise OAuthError("invalid_grant", "Invalid authorization code")
    if record.expires_at <= sb.now():
        raise OAuthError("invalid_grant", "Authorization code expired")
    if redirect_uri != record.redirect_uri:
        raise OAuthError("invalid_grant", "Invalid redirect URI")
    if record.challenge is not None:
        verifier = form.get("code_verifier")
        if not verifier:
            raise OAuthError("invalid_request", "code_verifier required")
        digest = hashlib.sha256(verifier.encode()).digest()
        expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        if not secrets.compare_digest(expected, record.challenge):
            raise OAuthError("invalid_grant", "code_verifier was incorrect")
    elif not authenticated:
        raise OAuthError("invalid_client", "Invalid client secret")
    record.used = True
    body = _new_access(sb, client.id, record.user_id, record.scopes)
    body["refresh_token"] = sb.records.issue_refresh(
        client.id,
        record.user_id,
        record.scopes,
        sb.now(),
        public_client=record.challenge is not None,
    )
    record.issued += [body["access_token"], body["refresh_token"]]
    return _token_reply(body)


def _token_from_refresh(
    sb: State, client: Client, authenticated: bool, form: dict[str, str]
) -> Reply:
    token = _required(form, "refresh_token")
    record = sb.records.refresh.get(token)
    if record is None or record.client_id != client.id:
        raise OAuthError("invalid_grant", "Invalid refresh token")
    if record.state != "active":
        raise OAuthError("invalid_grant", "Refresh token revoked")
    if sb.now() - record.authorized_at > REFRESH_TOKEN_LIFETIME:
        raise OAuthError("invalid_grant", "Refresh token expired")
    if not record.public_client and not authenticated:
        raise OAuthError("invalid_client", "Invalid client secret")
    scopes = record.scopes
    if form.get("scope"):
        wanted = frozenset(form["scope"].split())
        if not wanted <= record.scopes:
            raise OAuthError("invalid_scope", "Invalid scope")
        scopes = wanted
    body = _new_access(sb, client.id, record.user_id, scopes)
    if sb.refresh_rotation == "rotate":
        body["refresh_token"] = sb.records.issue_refresh(
            client.id, record.user_id, record.scopes, record.authorized_at, record.public_client
        )
        record.state = "used"
    elif sb.refresh_rotation == "reuse":
        body["refresh_token"] = token
    return _token_reply(body)


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise OAuthError("invalid_request", f"{name} must be supplied")
    return value


def _new_access(
    sb: State,
    client_id: str,
    user_id: str | None,
    scopes: frozenset[str],
    *,
    show_scope: bool = True,
) -> dict[str, Any]:
    """Issue an access token; the token endpoint's answer for it (Spotify's key order)."""
    expires_at = sb.now() + ACCESS_TOKEN_LIFETIME
    body: dict[str, Any] = {
        "access_token": sb.records.issue_access(client_id, user_id, scopes, expires_at),
        "token_type": "Bearer",
    }
    if show_scope:
        body["scope"] = " ".join(sorted(scopes))
    body["expires_in"] = ACCESS_TOKEN_LIFETIME
    return body


def _token_reply(body: dict[str, Any]) -> Reply:
    return Reply.json(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})
