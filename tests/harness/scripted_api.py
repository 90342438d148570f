"""Test doubles for the client's unit tests: a scripted HTTP server and a fake clock.

:class:`ScriptedServer` is a real HTTP server on 127.0.0.1 that answers from a
script: each (method, path) has a queue of :class:`Reply` objects, and every
request it receives is logged with its headers and body. Retries are tested
against it, so requests, urllib3 and the sockets all run for real; only time is
faked (:class:`FakeClock`). The fixtures that use these live in ``conftest.py``.
"""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.contract import openapi_path

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACT_PATH = openapi_path()
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "hostup_api"

# Distinctive, so a leak is found by plain substring search.
API_KEY = "hk_live_TESTKEY_3f9a1c7e5b2d_must_never_leak"

VPS_ID = "vps_01hxa3b4c5d6e7f8g9h0j1k2m3"
ISO_ID = "iso_01hxa3b4c5d6e7f8g9h0j1k2m3"
JOB_ID = "job_01hxa3b4c5d6e7f8g9h0j1k2m3"
ISO_PATH = f"/api/v2/vps/{VPS_ID}/iso"


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


# -- the scripted server -------------------------------------------------------------


@dataclass
class Reply:
    """One scripted answer. ``drop`` closes the connection without answering."""

    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    content_type: str | None = None


def ok(payload: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status=status, json=payload, headers=dict(headers))


def problem(
    status: int,
    code: str | None,
    detail: str = "Something went wrong.",
    *,
    request_id: str = "req_01hxa3b4c5d6e7f8g9h0j1k2m3",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """An RFC 7807 answer shaped like the contract's Problem."""
    payload: dict[str, Any] = {
        "type": f"https://developer.hostup.se/errors/{code}",
        "title": "Error",
        "status": status,
        "detail": detail,
        "requestId": request_id,
        "timestamp": "2026-04-27T12:34:56.000Z",
    }
    if code is not None:
        payload["code"] = code
    if errors is not None:
        payload["errors"] = errors
    return Reply(
        status=status,
        json=payload,
        headers=headers or {},
        content_type="application/problem+json",
    )


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    peer: tuple[str, int] = ("", 0)  # the client's address: one per TCP connection

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class ScriptedServer:
    """A loopback HTTP/1.1 server answering from per-route queues of replies."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._routes: dict[tuple[str, str], queue.SimpleQueue[Reply]] = {}
        self._defaults: dict[tuple[str, str], Reply] = {}
        self._lock = threading.Lock()
        self.received: list[Received] = []
        self._open: set[socket.socket] = set()  # connections kept alive between requests
        self.stopping = threading.Event()
        self._httpd = _Server((host, 0), _make_handler(self))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def script(self, method: str, path: str, *replies: Reply) -> None:
        """Queue replies for ``method path``; they are used once each, in order."""
        with self._lock:
            route = self._routes.setdefault((method.upper(), path), queue.SimpleQueue())
        for reply in replies:
            route.put(reply)

    def always(self, method: str, path: str, reply: Reply) -> None:
        """Answer ``method path`` with ``reply`` whenever its queue is empty."""
        with self._lock:
            self._defaults[(method.upper(), path)] = reply

    def next_reply(self, method: str, path: str) -> Reply:
        with self._lock:
            route = self._routes.get((method, path))
            default = self._defaults.get((method, path))
        if route is not None:
            try:
                return route.get_nowait()
            except queue.Empty:
                pass
        if default is not None:
            return default
        return problem(418, "unscripted", f"no reply scripted for {method} {path}")

    def record(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)

    def connections(self) -> int:
        """How many TCP connections the requests so far came over."""
        with self._lock:
            return len({r.peer for r in self.received})

    def close_idle_connections(self) -> None:
        """Close every kept-alive connection, as a server's idle timeout does."""
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)

    def opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)

    def closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)

    def count(self, method: str | None = None, path: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for r in self.received
                if (method is None or r.method == method) and (path is None or r.path == path)
            )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (read timeout) makes late writes fail; that is expected.
        pass


def _make_handler(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10  # idle keep-alive connections end on their own

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            server.opened(self.connection)

        def finish(self) -> None:
            server.closed(self.connection)
            super().finish()

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            server.record(
                Received(
                    method=self.command,
                    path=parts.path,
                    query=parts.query,
                    headers={k: v for k, v in self.headers.items()},
                    body=body,
                    peer=self.client_address[:2],
                )
            )
            reply = server.next_reply(self.command, parts.path)
            if reply.delay:
                server.stopping.wait(reply.delay)
            if reply.drop:
                self.close_connection = True
                return
            if reply.body is not None:
                payload = reply.body
            elif reply.json is not None:
                payload = json.dumps(reply.json).encode()
            else:
                payload = b""
            content_type = reply.content_type or ("application/json" if payload else None)
            try:
                self.send_response(reply.status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                self.close_connection = True

        do_GET = do_POST = do_DELETE = do_PUT = _handle

    return Handler


# -- time ----------------------------------------------------------------------------


class FakeClock:
    """Monotonic and wall clocks that only move when the code under test sleeps."""

    def __init__(self, start: float = 1000.0, wall: float = 1_800_000_000.0) -> None:
        self.now = start
        self._wall_offset = wall - start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.now + self._wall_offset

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"negative sleep {seconds}"
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def non_loopback_address() -> str | None:
    """An address of this machine that is not loopback, or None (found without traffic)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # UDP connect sends nothing; it only picks a route
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address
