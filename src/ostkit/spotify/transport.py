"""The HTTP plumbing under every Spotify request: plain sessions, the answer check spotipy
relies on, ``next`` URLs kept on the configured server, and log hygiene (no secret in a log line).
"""

from __future__ import annotations

import html
import json
import logging
import re
import urllib.parse
from typing import Any

import requests


def plain_session() -> requests.Session:
    """A session without urllib3's retry adapter: ``spotify.policy`` alone decides on retries
    (the adapter would retry POSTs, sleep for hours on a quota 429 and lose Retry-After)."""
    return requests.Session()


def checked_session(session: requests.Session | None = None) -> requests.Session:
    """``session`` (or a plain one) with ``check_answer`` installed once, for Web API calls.
    Token requests keep a plain session: their OAuth error bodies must stay as sent."""
    session = session or plain_session()
    if check_answer not in session.hooks["response"]:
        session.hooks["response"].append(check_answer)
    return session


def upstream_message(msg: Any) -> str | None:
    """spotipy's message is ``"<url>:\\n <error.message>"``; keep the message only, on one
    short line."""
    if not msg:
        return None
    text = str(msg)
    if ":\n" in text:
        text = text.split(":\n", 1)[1]
    text = one_line(text)
    return None if text in ("", "None") else text


MESSAGE_MAX = 160
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def one_line(text: str, limit: int = MESSAGE_MAX) -> str:
    """Text (or an HTML page: its title) as one line of at most ``limit`` characters."""
    if "<" in text and ">" in text:
        title = _TITLE_RE.search(text)
        text = html.unescape(_TAG_RE.sub(" ", title.group(1) if title else text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def follow_url(api_url: str, url: str) -> str:
    """A ``next`` URL on the configured API: Spotify sends absolute URLs on its own host, an
    emulator may send ``https://api.spotify.com/...``, another host, or a relative path. The
    path after the API's base (or after ``/v1/``) and the query are kept; the scheme, host and
    base come from ``api_url``, so the bearer token only ever goes to the configured server."""
    if url.startswith(api_url):
        return url
    base = urllib.parse.urlsplit(api_url)
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if path.startswith(base.path):
        path = path[len(base.path) :]
    elif "/v1/" in path:
        path = path.split("/v1/", 1)[1]
    path = path.lstrip("/")
    return api_url + path + (f"?{parts.query}" if parts.query else "")


def check_answer(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """A ``requests`` response hook, run before spotipy reads the answer.

    - An error whose body is not Spotify's ``{"error": {"status", "message"}}`` (an HTML page
      from a proxy, an OAuth-style ``{"error": "invalid_token"}``, plain text, nothing) gets that
      shape, with the text on one short line: spotipy would otherwise fail on it or carry a whole
      HTML page into the message.
    - A successful GET must carry a JSON object: anything else (a captive portal's page, a cut
      answer) raises ``InvalidJSONError``, which the network policy treats like a dropped
      connection instead of reading it as "no results".
    """
    status = response.status_code
    if status >= 400:
        try:
            data: Any = response.json()
        except ValueError:
            data = None
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message", ""), str | None):
            return response
        if isinstance(data, dict):
            text = str(data.get("error_description") or error or "")
        else:
            text = response.text or ""
        message = one_line(text) or response.reason or ""
        response._content = json.dumps({"error": {"status": status, "message": message}}).encode()
        response.headers["Content-Type"] = "application/json"
        return response
    if 200 <= status < 300 and response.request is not None and response.request.method == "GET":
        try:
            ok = isinstance(response.json(), dict)
        except ValueError:
            ok = False
        if not ok:
            raise requests.exceptions.InvalidJSONError(
                f"HTTP {status} answer is not a JSON object", response=response
            )
    return response


# --- log hygiene ----------------------------------------------------------------------------------

_SECRET_RE = re.compile(
    r"(?P<key>Bearer\s+|['\"]?(?:access_token|refresh_token|code_verifier|code)['\"]?\s*[:=]\s*"
    r"['\"]?)(?P<secret>[A-Za-z0-9._~+/=-]{8,})"
)


def redact(text: str) -> str:
    """``text`` with bearer tokens, tokens, codes and verifiers replaced by ``<hidden>``."""
    return _SECRET_RE.sub(lambda m: m["key"] + "<hidden>", text)


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_REDACT = _Redact()
_NOISY = ("spotipy.client", "spotipy.oauth2", "spotipy.cache_handler", "urllib3.connectionpool")


def quiet_http_loggers() -> None:
    """spotipy logs request headers (the bearer token) at DEBUG and every HTTP error at ERROR;
    urllib3 logs URLs at DEBUG. ostkit reports errors itself, so both are silenced, and should
    someone turn them back on, their records still pass through ``redact``."""
    logging.getLogger("spotipy").setLevel(logging.CRITICAL + 10)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    for name in _NOISY:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)
