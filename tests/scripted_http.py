"""A tiny real HTTP server that answers from a script, for answers the sandbox never gives.

The sandbox is one faithful Spotify; the real service and independent emulators vary in ways it
does not reproduce (201 instead of 200, empty bodies, ``next`` on another host, HTML pages from
a proxy, a connection reset halfway through an answer). Tests script those answers here and
talk real HTTP to them: no spotipy mocks.

    with Scripted() as server:
        server.on("GET", "/v1/me", js(200, {"id": "u"}))
        client = SpotifyClient(api_url=server.api_url, auth="token")
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    #: "reset": close without answering; "cut": announce the body, send half, close
    drop: str | None = None


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode()))


def _headers(headers: dict[str, str]) -> list[tuple[str, str]]:
    return [(k.replace("_", "-"), v) for k, v in headers.items()]


def js(status: int, body: Any, **headers: str) -> Answer:
    return Answer(
        status,
        (("Content-Type", "application/json"), *_headers(headers)),
        json.dumps(body).encode(),
    )


def text(status: int, body: str, content_type: str = "text/html", **headers: str) -> Answer:
    return Answer(status, (("Content-Type", content_type), *_headers(headers)), body.encode())


def empty(status: int, **headers: str) -> Answer:
    return Answer(status, tuple(_headers(headers)))


RESET = Answer(drop="reset")
CUT = Answer(200, (("Content-Type", "application/json"),), b'{"id": "cut-short", ', drop="cut")
HTML_502 = text(
    502,
    "<html><head><title>502 Bad Gateway</title></head><body>\n<center><h1>502 Bad Gateway"
    "</h1></center>\n<hr><center>nginx</center>\n</body></html>\n",
)


Responder = Answer | Callable[[Seen], Answer]


class Scripted:
    """Answers requests matching (method, path regex) in turn; the last answer repeats."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], list[Responder]]] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urllib.parse.urlsplit(self.path)
                seen = Seen(
                    self.command,
                    url.path,
                    urllib.parse.parse_qs(url.query, keep_blank_values=True),
                    dict(self.headers.items()),
                    body,
                )
                answer = scripted._answer(seen)
                if answer.drop == "reset":
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for key, value in answer.headers:
                    self.send_header(key, value)
                size = len(answer.body) * (2 if answer.drop == "cut" else 1)
                self.send_header("Content-Length", str(size))
                if answer.drop:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(answer.body)
                self.wfile.flush()
                if answer.drop:
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.api_url = self.url + "/v1/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def on(self, method: str, path: str, *answers: Responder) -> None:
        """Answer ``method`` requests whose path matches ``path`` (a regex, full match)."""
        with self._lock:
            self.routes.insert(0, (method, re.compile(path), list(answers)))

    def _answer(self, seen: Seen) -> Answer:
        with self._lock:
            self.seen.append(seen)
            for method, pattern, answers in self.routes:
                if method == seen.method and pattern.fullmatch(seen.path):
                    chosen = answers.pop(0) if len(answers) > 1 else answers[0]
                    break
            else:
                chosen = js(404, {"error": {"status": 404, "message": "Service not found"}})
        return chosen(seen) if callable(chosen) else chosen

    def count(self, method: str, path: str) -> int:
        with self._lock:
            return sum(1 for s in self.seen if s.method == method and re.fullmatch(path, s.path))

    def __enter__(self) -> Scripted:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
