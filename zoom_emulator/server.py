"""The HTTP layer: reads requests and writes answers; the emulator decides what."""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from .replies import Reply

if TYPE_CHECKING:
    from .responder import Responder


# --------------------------------------------------------------------------- HTTP server


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP layer: the emulator decides, this class only reads and writes bytes."""

    protocol_version = "HTTP/1.1"  # keep-alive, as clients pool connections to Zoom
    # Headers and body go out in two sends: with Nagle's algorithm the body would wait for
    # the client's delayed ACK (~40 ms on loopback), a latency Zoom does not have.
    disable_nagle_algorithm = True
    server_version = "ZoomEmulator/1.0"
    server: Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the emulator logs one line per request itself when verbose."""

    def send_response(self, code: int, message: str | None = None) -> None:
        """As the standard library's, but the Date header is this Zoom's clock (its skew),
        or absent (a proxy that drops it)."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", self.version_string())
        options = self.server.responder.options
        if options.date_header:
            self.send_header("Date", self.date_time_string(options.clock().timestamp()))

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        self._send(self.server.responder.handle(method, self.path, self.headers, body))

    def _send(self, reply: Reply) -> None:
        if reply.reset:
            self._reset()
            return
        body = reply.encoded()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-zm-trackingid", reply.tracking_id)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.truncate:
            # The promised Content-Length never arrives: the client sees an incomplete read.
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        if reply.drip:
            self._drip(body, reply.drip)
            return
        self.wfile.write(body)

    def _drip(self, body: bytes, per_second: float) -> None:
        """The body a byte at a time, ``per_second`` of them a second, until the client
        hangs up: every socket read gets something, and the answer takes for ever."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            for index in range(len(body)):
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
                time.sleep(1 / per_second)

    def _reset(self) -> None:
        # SO_LINGER 0 turns the close into a TCP RST: the client sees a reset, not an answer.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], responder: Responder, context: ssl.SSLContext | None
    ) -> None:
        self.responder = responder
        self._context = context
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # TLS handshakes happen here, in the connection's thread, not in the accept loop.
        conn = self._context.wrap_socket(request, server_side=True) if self._context else request
        with self._open_lock:
            self._open.add(conn)
        try:
            self.RequestHandlerClass(conn, client_address, self)  # type: ignore[arg-type]
        finally:
            with self._open_lock:
                self._open.discard(conn)
            if conn is not request:
                conn.close()

    def close_connections(self) -> None:
        """Cut keep-alive connections, so a stopped emulator really stops answering."""
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):  # already closed by its client
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up (or fail TLS) are normal here; only say so when asked.
        if self.responder.options.verbose:
            super().handle_error(request, client_address)
