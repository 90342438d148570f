"""SimServer: loopback only, start/stop, context manager, held requests released."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from hostup_sim.server import SimServer
from hostup_sim.store import HostupStore
from hostup_sim.world import DEMO_API_KEY


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com", "::"])
def test_server_refuses_non_loopback_hosts(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        SimServer(host=host)


def test_server_url_and_context_manager() -> None:
    with SimServer(host="localhost") as server:
        assert server.url == f"http://localhost:{server.port}"
        url = server.url
        assert requests.get(f"{url}/_sim/health", timeout=5).json() == {"ok": True}
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_sim/health", timeout=2)


def test_server_start_and_stop_are_idempotent() -> None:
    server = SimServer(HostupStore())
    assert server.start() is server.start()
    server.stop()
    server.stop()
    with pytest.raises(RuntimeError):
        _ = server.url


def test_server_two_servers_share_one_store() -> None:
    store = HostupStore()
    with SimServer(store) as one, SimServer(store) as two:
        headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
        requests.get(f"{one.url}/api/v2/vps", headers=headers, timeout=5)
        requests.get(f"{two.url}/api/v2/vps", headers=headers, timeout=5)
    assert len(store.request_log()) == 2


def test_server_serves_requests_concurrently() -> None:
    store = HostupStore()
    store.update_faults(latency_min_ms=200, latency_max_ms=200)
    headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    with SimServer(store) as server:
        results: list[int] = []

        def call() -> None:
            results.append(
                requests.get(f"{server.url}/api/v2/vps", headers=headers, timeout=5).status_code
            )

        threads = [threading.Thread(target=call) for _ in range(8)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert time.perf_counter() - started < 1.0  # not 8 x 200 ms
    assert results == [200] * 8


def test_server_stop_releases_hanging_requests() -> None:
    store = HostupStore()
    store.update_faults(hang_rate=1.0, hang_seconds=30)
    server = SimServer(store).start()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            requests.get(f"{server.url}/api/v2/vps", timeout=10)
        except requests.RequestException as exc:
            errors.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.2)
    started = time.perf_counter()
    server.stop()
    caller.join(timeout=5)
    assert not caller.is_alive()
    assert time.perf_counter() - started < 3
