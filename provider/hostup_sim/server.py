"""The simulator on a real loopback port, in a daemon thread.

    with SimServer() as sim:            # port 0: the OS picks a free port
        requests.get(f"{sim.url}/api/v2/vps", headers=...)

The dynamic provider runs in another process, so tests need a real socket.
Only loopback addresses are accepted: the simulator has no real security.
"""

from __future__ import annotations

import ipaddress
import threading
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from hostup_sim.app import create_app
from hostup_sim.store import HostupStore


class _QuietHandler(WSGIRequestHandler):
    # The request log is the record; one stderr line per request would drown test output.
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IP literals."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SimServer:
    """A threaded werkzeug server for one HostupStore; start() returns self."""

    def __init__(
        self, store: HostupStore | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"hostup-sim binds loopback addresses only, not {host!r}")
        self.store = store if store is not None else HostupStore()
        self.host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
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
        server = make_server(
            self.host,
            self._port,
            create_app(self.store),
            threaded=True,
            request_handler=_QuietHandler,
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"hostup-sim:{server.server_port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release held-back requests and close the socket; idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        self.store.release_sleepers()
        server.shutdown()
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
