"""The simulator on a real loopback port, in a daemon thread, with keep-alive connections.

    with SimServer() as sim:            # port 0: the OS picks a free port
        requests.get(f"{sim.url}/api/v2/vps", headers=...)

The dynamic provider runs in another process, so tests need a real socket.
Only loopback addresses are accepted: the simulator has no real security.

Connections stay open between requests (HTTP/1.1 keep-alive), as they do
behind the real API's front end, until the client closes them, IDLE_SECONDS
pass without a request, or the server stops. werkzeug's own handler closes
every connection, because it cannot tell where an unread request body ends;
this module's handler reads each body to its Content-Length itself. A request
the app flags with DROP_CONNECTION (the "drop" fault) gets no answer at all:
its connection is shut instead.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import itertools
import socket
import threading
import traceback
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from hostup_sim.app import CONNECTION_ID, DROP_CONNECTION, create_app
from hostup_sim.store import HostupStore

# How long an idle keep-alive connection stays open (nginx's default keepalive_timeout).
IDLE_SECONDS = 75.0

# Numbers the TCP connections of this process, for the request log.
_connection_numbers = itertools.count(1)


class _RequestBody:
    """wsgi.input for one request: at most Content-Length bytes, the rest drained after."""

    def __init__(self, stream: io.BufferedIOBase, length: int) -> None:
        self._stream = stream
        self._left = length

    def read(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(size) if size else b""
        self._left -= len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        data = self._stream.readline(size) if size else b""
        self._left -= len(data)
        return data

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def drain(self) -> None:
        """Read what the app left, so the next request starts where it should."""
        while self._left > 0 and self.read(65536):
            pass


class _KeepAliveHandler(WSGIRequestHandler):
    """One connection: serves its requests one after another until either side closes it."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS  # socket timeout: an idle connection is closed after it
    # Headers and body leave in separate writes; with Nagle's algorithm on, the second
    # waits for the client's delayed ACK (~40 ms) on every kept-alive request.
    disable_nagle_algorithm = True
    connection_number = 0

    def setup(self) -> None:
        super().setup()
        self.connection_number = next(_connection_numbers)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the request log is the record; a stderr line per request would drown test output

    def log_error(self, format: str, *args: Any) -> None:
        if not format.startswith("Request timed out"):  # an idle connection closing is normal
            super().log_error(format, *args)

    def run_wsgi(self) -> None:
        """Serve one request; keep the connection unless it must close."""
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        environ[CONNECTION_ID] = self.connection_number
        body: _RequestBody | None = None
        if environ.get("wsgi.input_terminated"):
            # A chunked body (werkzeug decodes it): where it ends is not known here.
            self.close_connection = True
        else:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                self.close_connection = True
            body = _RequestBody(self.rfile, max(length, 0))
            environ["wsgi.input"] = body
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return None

        try:
            chunks = self.server.app(environ, start_response)
            try:
                payload = b"".join(chunks)  # small JSON bodies: buffered, so the length is known
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
        except Exception:
            self.log_error("hostup-sim: %s", traceback.format_exc())
            self.close_connection = True
            self.send_error(500)
            return
        if environ.get(DROP_CONNECTION):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if body is not None:
            body.drain()
        self._send(started[0], started[1], payload)

    def _send(self, status: str, headers: list[tuple[str, str]], payload: bytes) -> None:
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        names = set()
        for name, value in headers:
            self.send_header(name, value)
            names.add(name.lower())
        bodiless = self.command == "HEAD" or int(code) in (204, 304) or int(code) < 200
        if "content-length" not in names and not bodiless:
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not bodiless:
            self.wfile.write(payload)
        self.wfile.flush()


class _Server(ThreadedWSGIServer):
    """werkzeug's threaded server that knows its open connections, to close them at stop."""

    def __init__(self, host: str, port: int, app: Any) -> None:
        super().__init__(host, port, app, _KeepAliveHandler)
        self._open: set[Any] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut every open connection: idle ones end, busy ones fail their write."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IP literals."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SimServer:
    """A threaded server for one HostupStore; start() returns self."""

    def __init__(
        self, store: HostupStore | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"hostup-sim binds loopback addresses only, not {host!r}")
        self.store = store if store is not None else HostupStore()
        self.host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SimServer is not started")
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:53117 (no trailing slash)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> SimServer:
        """Bind and serve in a daemon thread; idempotent."""
        if self._server is not None:
            return self
        server = _Server(self.host, self._port, create_app(self.store))
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"hostup-sim:{server.server_port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release held-back requests, close every connection; idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        self.store.release_sleepers()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"SimServer({where})"
