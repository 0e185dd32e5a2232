"""The HTTP side of the sandbox: a threading server on a loopback address that turns each request
into a ``Request``, asks the sandbox for the ``Reply`` and writes it (or drops the connection)."""

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


class App(Protocol):
    """What the server serves: the sandbox."""

    internal_errors: list[str]

    def handle(self, request: Request, started: float) -> Reply: ...


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        super().__init__(address, _Handler)
        self.app = app
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


def listen(host: str, port: int, app: App) -> HttpServer:
    """A server bound to ``host:port`` (port 0: a free one), not yet serving."""
    server_class = HttpServer6 if ":" in host else HttpServer
    return server_class((host, port), app)


class _Handler(BaseHTTPRequestHandler):
    server: HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "ostkit-sandbox"
    sys_version = ""
    timeout = 30
    # Buffer the answer so headers and body leave in one segment (flushed after each request);
    # separate small writes meet Nagle + delayed ACK and cost ~10 ms per request.
    wbufsize = 1 << 16

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except (ConnectionError, TimeoutError):
            pass  # the client went away before the last bytes were flushed
        finally:
            self.server.track(self.connection, add=False)

    def _serve(self) -> None:
        started = time.perf_counter()
        reply = self.server.app.handle(self._request(), started)
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

    def _request(self) -> Request:
        url = urlsplit(self.path)
        path = url.path
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        query = parse_qs(url.query, keep_blank_values=True)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        raw = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        return Request(self.command, path, query, headers, raw)

    def log_message(self, format: str, *args: Any) -> None:
        # The request line can carry an authorization code: never log it.
        return
