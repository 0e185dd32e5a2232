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
    AccessToken,
    AuthCode,
    Client,
    OAuthError,
    RefreshToken,
    Reply,
    Request,
    State,
    random_token,
)


class Accounts(State):
    """``accounts.spotify.com``: authorization page (auto-approving) and token endpoint."""

    def _authorize(self, request: Request) -> Reply:
        client = self._clients.get(request.param("client_id") or "")
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
        if self.deny_authorization:
            return back(error="access_denied")
        code = random_token("AQ", 96)
        self._codes[code] = AuthCode(
            client.id,
            self._known_user(self.authorizing_user),
            redirect_uri,
            challenge,
            frozenset(scopes),
            self.now() + CODE_LIFETIME,
        )
        return back(code=code)

    def _token(self, request: Request) -> Reply:
        form = request.form()
        grant = form.get("grant_type")
        if not grant:
            raise OAuthError("unsupported_grant_type", "grant_type parameter is missing")
        if grant not in ("authorization_code", "refresh_token", "client_credentials"):
            raise OAuthError(
                "unsupported_grant_type",
                "grant_type must be client_credentials, authorization_code or refresh_token",
            )
        client, authenticated = self._token_client(request, form)
        if grant == "client_credentials":
            if not authenticated:
                raise OAuthError("invalid_client", "Invalid client secret")
            token = random_token("BQ")
            self._access[token] = AccessToken(
                client.id, None, frozenset(), self.now() + ACCESS_TOKEN_LIFETIME
            )
            return _token_reply({"access_token": token, "token_type": "Bearer", "expires_in": 3600})
        if grant == "authorization_code":
            return self._token_from_code(client, authenticated, form)
        return self._token_from_refresh(client, authenticated, form)

    def _token_client(self, request: Request, form: dict[str, str]) -> tuple[Client, bool]:
        client_id = form.get("client_id")
        secret = form.get("client_secret")
        auth = request.headers.get("authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode()
                client_id, _, secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                raise OAuthError("invalid_client", "Invalid client") from None
        client = self._clients.get(client_id or "")
        if client is None:
            raise OAuthError("invalid_client", "Invalid client")
        if secret is not None and not secrets.compare_digest(secret, client.secret):
            raise OAuthError("invalid_client", "Invalid client secret")
        return client, secret is not None

    def _token_from_code(self, client: Client, authenticated: bool, form: dict[str, str]) -> Reply:
        code = form.get("code")
        if not code:
            raise OAuthError("invalid_request", "code must be supplied")
        redirect_uri = form.get("redirect_uri")
        if not redirect_uri:
            raise OAuthError("invalid_request", "redirect_uri must be supplied")
        record = self._codes.get(code)
        if record is None or record.client_id != client.id:
            raise OAuthError("invalid_grant", "Invalid authorization code")
        if record.used:
            # A replayed code also invalidates what the first exchange issued (RFC 6749 4.1.2).
            for token in record.issued:
                if token in self._access:
                    self._access[token].revoked = True
                elif token in self._refresh:
                    self._refresh[token].state = "revoked"
            raise OAuthError("invalid_grant", "Invalid authorization code")
        if record.expires_at <= self.now():
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
        access = random_token("BQ")
        self._access[access] = AccessToken(
            client.id, record.user_id, record.scopes, self.now() + ACCESS_TOKEN_LIFETIME
        )
        refresh = random_token("AQ")
        self._refresh[refresh] = RefreshToken(
            client.id,
            record.user_id,
            record.scopes,
            self.now(),
            public_client=record.challenge is not None,
        )
        record.issued += [access, refresh]
        return _token_reply(
            {
                "access_token": access,
                "token_type": "Bearer",
                "scope": " ".join(sorted(record.scopes)),
                "expires_in": ACCESS_TOKEN_LIFETIME,
                "refresh_token": refresh,
            }
        )

    def _token_from_refresh(
        self, client: Client, authenticated: bool, form: dict[str, str]
    ) -> Reply:
        token = form.get("refresh_token")
        if not token:
            raise OAuthError("invalid_request", "refresh_token must be supplied")
        record = self._refresh.get(token)
        if record is None or record.client_id != client.id:
            raise OAuthError("invalid_grant", "Invalid refresh token")
        if record.state != "active":
            raise OAuthError("invalid_grant", "Refresh token revoked")
        if self.now() - record.authorized_at > REFRESH_TOKEN_LIFETIME:
            raise OAuthError("invalid_grant", "Refresh token expired")
        if not record.public_client and not authenticated:
            raise OAuthError("invalid_client", "Invalid client secret")
        scopes = record.scopes
        if form.get("scope"):
            wanted = frozenset(form["scope"].split())
            if not wanted <= record.scopes:
                raise OAuthError("invalid_scope", "Invalid scope")
            scopes = wanted
        access = random_token("BQ")
        self._access[access] = AccessToken(
            client.id, record.user_id, scopes, self.now() + ACCESS_TOKEN_LIFETIME
        )
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "scope": " ".join(sorted(scopes)),
            "expires_in": ACCESS_TOKEN_LIFETIME,
        }
        if self.refresh_rotation == "rotate":
            new = random_token("AQ")
            self._refresh[new] = RefreshToken(
                client.id, record.user_id, record.scopes, record.authorized_at, record.public_client
            )
            record.state = "used"
            body["refresh_token"] = new
        elif self.refresh_rotation == "reuse":
            body["refresh_token"] = token
        return _token_reply(body)


def _token_reply(body: dict[str, Any]) -> Reply:
    return Reply.json(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})
