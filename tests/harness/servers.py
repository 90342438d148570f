"""Loopback servers for tests and benchmarks.

- `SimProcess`: `hostup-sim serve` in a child process (its own GIL, its own crash),
  SIGKILLed and restarted on the same port at will.
- `HostileServer`: an HTTP/1.1 server whose answers come from a function the test
  writes, including answers no real API should give (`Answer`, `json_answer`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.processes import stop_process
from hostup_sim.admin import SimAdmin


class SimProcess:
    """`hostup-sim serve [args]` as a child process on 127.0.0.1.

    The first `start()` takes the port given, or a free one (`--port 0`); every later
    start reuses it, so clients keep their URL across a kill. The environment has no
    HOSTUP_* variables, so only `args` configure the simulator. Each run's output goes
    to a file in `workdir`; `outputs` holds the text of every run that has ended.
    """

    def __init__(
        self, workdir: Path, args: Sequence[str] = (), *, port: int = 0, timeout: float = 20.0
    ) -> None:
        self.workdir = workdir
        self.args = tuple(args)
        self.port = port
        self.timeout = timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0
        self.outputs: list[str] = []
        self._log: Path | None = None

    @property
    def url(self) -> str:
        if not self.port:
            raise RuntimeError("the simulator has not started yet: no port")
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SimProcess:
        """Start and wait until its admin path answers; RuntimeError with its output if it
        exits or stays silent for `timeout` seconds."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        url_file = self.workdir / f"hostup-sim-{self.starts}.url"
        self._log = self.workdir / f"hostup-sim-{self.starts}.log"
        exe = Path(sys.executable).parent / "hostup-sim"
        command = [str(exe)] if exe.exists() else [sys.executable, "-m", "hostup_sim"]
        with self._log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    *command,
                    "serve",
                    "--port",
                    str(self.port),
                    "--url-file",
                    str(url_file),
                    *self.args,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={k: v for k, v in os.environ.items() if not k.startswith("HOSTUP_")},
            )
        deadline = time.monotonic() + self.timeout
        while not (url_file.exists() and url_file.read_text().strip()):
            self._fail_if_dead_or_late(deadline)
            time.sleep(0.05)
        self.port = int(url_file.read_text().strip().rsplit(":", 1)[1])
        admin = SimAdmin(self.url, timeout=2.0)
        while not admin.health():
            self._fail_if_dead_or_late(deadline)
            time.sleep(0.05)
        return self

    def _fail_if_dead_or_late(self, deadline: float) -> None:
        assert self.process is not None
        if self.process.poll() is not None or time.monotonic() > deadline:
            self.stop()
            raise RuntimeError(f"hostup-sim did not come up: {self.outputs[-1][-4000:]}")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, whatever was in flight is lost."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._collect()
        self.kills += 1

    def stop(self) -> None:
        """Terminate (then kill) the running simulator, if any, and keep its output."""
        if self.process is None:
            return
        stop_process(self.process)
        self._collect()

    def _collect(self) -> None:
        if self._log is not None and self._log.exists():
            self.outputs.append(self._log.read_text(errors="replace"))
        self.process = None

    def __enter__(self) -> SimProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class Answer:
    """One scripted answer; `drop` closes the connection without one."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def json_answer(payload: Any, status: int = 200, content_type: str = "application/json") -> Answer:
    return Answer(status, json.dumps(payload).encode(), content_type)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    authorization: str | None


class HostileServer:
    """A loopback HTTP/1.1 server whose answers come from `responder(method, path)`."""

    def __init__(self, responder: Callable[[str, str], Answer]) -> None:
        self.responder = responder
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._httpd = _HostileHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def count(self) -> int:
        with self._lock:
            return len(self.seen)


class _HostileHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that give up mid-answer are part of the game


def _handler(server: HostileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = urlsplit(self.path).path
            with server._lock:
                server.seen.append(Seen(self.command, path, self.headers.get("Authorization")))
            answer = server.responder(self.command, path)
            if answer.drop:
                self.close_connection = True
                return
            try:
                self.send_response(answer.status)
                if answer.content_type:
                    self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return Handler
