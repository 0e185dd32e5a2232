"""The HTTP side of the sandbox: a threading server on a loopback address that turns each request
into a ``Request``, asks the sandbox for the ``Reply`` and writes it (or drops the connection).

Memory and threads stay bounded whatever a client sends: a body over ``max_body`` bytes is not
read (413, as Spotify's front end answers), a body whose length cannot be known (a bad
``Content-Length``, ``Transfer-Encoding``) is refused with 400, and each request must arrive
whole within ``request_timeout`` seconds, however slowly its bytes trickle in (then the connection
is closed and its thread ends). The request line and headers are bounded by ``http.server``.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from ostkit.sandbox.model import Reply, Request

#: request bodies above this many bytes are refused with 413 (the largest body the Web API
#: takes is a playlist cover image: 256 KB of JPEG, sent base64-encoded)
MAX_BODY = 1 << 20

#: seconds a request (line, headers and body) may take to arrive
REQUEST_TIMEOUT = 30.0


class App(Protocol):
    """What the server serves: the sandbox."""

    internal_errors: list[str]

    def handle(self, request: Request, started: float) -> Reply: ...

    def record(self, request: Request, reply: Reply, started: float) -> None: ...


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        app: App,
        *,
        max_body: int = MAX_BODY,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.max_body = max_body
        self.request_timeout = request_timeout
        # Set by close(): errors of connections still winding down are no longer reported.
        self.closed = False
        self.lock = threading.Lock()
        # Open client connections and the threads serving them (closed and joined by close()).
        self.connections: dict[socket.socket, threading.Thread] = {}

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer is normal (timeouts, Ctrl-C, dropped faults): stay
        quiet. Anything else is a sandbox bug: kept in ``internal_errors``, one line on stderr."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError) or self.closed:
            return
        self.app.internal_errors.append(f"connection from {client_address[0]}: {exc!r}")
        print(f"ostkit sandbox: internal error: {exc!r}", file=sys.stderr)

    def track(self, conn: socket.socket, *, add: bool) -> None:
        with self.lock:
            if add:
                self.connections[conn] = threading.current_thread()
            else:
                self.connections.pop(conn, None)

    def serving_threads(self) -> list[threading.Thread]:
        with self.lock:
            return list(self.connections.values())

    def close(self) -> None:
        """Stop accepting, then wake the threads waiting for a next request on kept-alive
        connections and wait for them (bounded: one may still be sleeping an injected latency),
        so nothing keeps answering, or printing, once this returns."""
        self.closed = True
        self.shutdown()
        self.server_close()
        with self.lock:
            conns = list(self.connections.items())
        for conn, _ in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 5
        for _, thread in conns:
            if thread is not threading.current_thread():
                thread.join(timeout=max(0.0, deadline - time.monotonic()))


class HttpServer6(HttpServer):
    address_family = socket.AF_INET6  # host="::1"


def listen(
    host: str,
    port: int,
    app: App,
    *,
    max_body: int = MAX_BODY,
    request_timeout: float = REQUEST_TIMEOUT,
) -> HttpServer:
    """A server bound to ``host:port`` (port 0: a free one), not yet serving."""
    server_class = HttpServer6 if ":" in host else HttpServer
    return server_class((host, port), app, max_body=max_body, request_timeout=request_timeout)


class _Refused(Exception):
    """A request refused before its body is read; the connection closes after the answer."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


class _DeadlineReader:
    """The connection's input with one deadline for the whole request: each read may wait only
    for what is left of it, so a client trickling a byte at a time cannot hold the thread."""

    def __init__(self, rfile: Any, conn: socket.socket, deadline: float) -> None:
        self._rfile = rfile
        self._conn = conn
        self._deadline = deadline

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("request not received in time")
        self._conn.settimeout(left)

    def readline(self, limit: int = -1) -> bytes:
        self._arm()
        return bytes(self._rfile.readline(limit))

    def read(self, size: int = -1) -> bytes:
        self._arm()
        return bytes(self._rfile.read(size))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rfile, name)


class _Handler(BaseHTTPRequestHandler):
    server: HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "ostkit-sandbox"
    sys_version = ""
    # Buffer the answer so headers and body leave in one segment (flushed after each request);
    # separate small writes meet Nagle + delayed ACK and cost ~10 ms per request.
    wbufsize = 1 << 16

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)
        self._input = self.rfile

    def handle_one_request(self) -> None:
        # A request (line, headers, body) has request_timeout seconds to arrive, counted from
        # the moment the server starts waiting for it.
        deadline = time.monotonic() + self.server.request_timeout
        self.rfile = _DeadlineReader(self._input, self.connection, deadline)  # type: ignore[assignment]
        super().handle_one_request()

    def finish(self) -> None:
        try:
            super().finish()
        except (ConnectionError, TimeoutError):
            pass  # the client went away before the last bytes were flushed
        finally:
            self.server.track(self.connection, add=False)

    def _serve(self) -> None:
        started = time.perf_counter()
        try:
            request = self._request()
        except _Refused as refused:
            request = None
            reply = refused.reply
            self.close_connection = True  # the unread body must not be taken for a request
            self.server.app.record(self._head(), reply, started)
        # Writing the answer gets a whole timeout of its own, not what the reads left.
        self.connection.settimeout(self.server.request_timeout)
        if request is not None:
            reply = self.server.app.handle(request, started)
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    def _head(self) -> Request:
        """The request without its body."""
        url = urlsplit(self.path)
        path = url.path
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        query = parse_qs(url.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        return Request(self.command, path, query, headers, b"")

    def _request(self) -> Request:
        """The whole request; ``_Refused`` when its body cannot or must not be read."""
        request = self._head()
        if "transfer-encoding" in request.headers:
            raise _Refused(
                Reply.error(400, "Transfer-Encoding is not supported", Connection="close")
            )
        length_text = (request.headers.get("content-length") or "0").strip()
        if not (length_text.isascii() and length_text.isdigit()):
            raise _Refused(Reply.error(400, "Invalid Content-Length", Connection="close"))
        # Thousands of digits are a length too (int() would refuse to read them): too large.
        length = int(length_text) if len(length_text) < 19 else self.server.max_body + 1
        if length > self.server.max_body:
            raise _Refused(Reply.error(413, "Request Entity Too Large", Connection="close"))
        if length:
            request.raw = self.rfile.read(length)
        return request

    def log_message(self, format: str, *args: Any) -> None:
        # The request line can carry an authorization code: never log it.
        return
