"""SimServer: loopback only, start/stop, held requests released, keep-alive connections."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from hostup_sim.server import SimServer
from hostup_sim.store import HostupStore
from hostup_sim.world import DEMO_API_KEY, ISO_UBUNTU_2404, VPS_WEB_1


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


# -- keep-alive connections --------------------------------------------------------


def connections(sim: SimServer) -> list[int | None]:
    """The TCP connection of each logged request, oldest first."""
    return [r.connection for r in sim.store.request_log()]


def test_keep_alive_one_session_uses_one_connection(sim: SimServer) -> None:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {DEMO_API_KEY}"
        for _ in range(5):
            assert session.get(f"{sim.url}/api/v2/vps", timeout=5).status_code == 200
    with requests.Session() as other:
        other.get(f"{sim.url}/api/v2/vps", timeout=5)
    first, *rest, last = connections(sim)
    assert first is not None
    assert rest == [first] * 4
    assert last not in (None, first)  # a new client, a new connection


def test_keep_alive_survives_an_answer_given_before_the_body_is_read(sim: SimServer) -> None:
    # A 401 comes before the body is read: the server must still skip the body, or its
    # bytes would be taken for the next request on the connection. (Recorded exchanges
    # read every body, so they are off here.)
    sim.store.update_settings(record_exchanges=False)
    mount = f"{sim.url}/api/v2/vps/{VPS_WEB_1}/iso/actions/mount"
    with requests.Session() as session:
        refused = session.post(mount, json={"isoId": ISO_UBUNTU_2404, "pad": "x" * 70_000})
        assert refused.status_code == 401
        session.headers["Authorization"] = f"Bearer {DEMO_API_KEY}"
        assert session.post(mount, json={"isoId": ISO_UBUNTU_2404}).status_code == 200
        assert session.get(f"{sim.url}/api/v2/vps").status_code == 200
    assert [r.status for r in sim.store.request_log()] == [401, 200, 200]
    assert len(set(connections(sim))) == 1


def test_keep_alive_dropped_connection_is_replaced(sim: SimServer) -> None:
    sim.store.update_faults(drop_rate=1.0, path_prefix="/api/v2/vps/")
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {DEMO_API_KEY}"
        assert session.get(f"{sim.url}/api/v2/vps", timeout=5).status_code == 200
        with pytest.raises(requests.ConnectionError):
            session.get(f"{sim.url}/api/v2/vps/{VPS_WEB_1}/iso", timeout=5)
        assert session.get(f"{sim.url}/api/v2/vps", timeout=5).status_code == 200
    before, dropped, after = sim.store.request_log()
    assert (before.status, dropped.status, dropped.fault, after.status) == (200, None, "drop", 200)
    assert before.connection == dropped.connection != after.connection


def test_keep_alive_connections_end_when_the_server_stops() -> None:
    server = SimServer().start()
    health = f"{server.url}/_sim/health"
    with requests.Session() as session:
        assert session.get(health, timeout=5).ok
        server.stop()
        # The kept connection is closed, and nothing listens for a new one.
        with pytest.raises(requests.ConnectionError):
            session.get(health, timeout=5)
