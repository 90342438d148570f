"""Fault injection: latency, 5xx (problem or HTML), 429 bursts, drops, hangs, filters."""

from __future__ import annotations

import time

import pytest
import requests
from sim_helpers import Api, assert_problem

from hostup_sim.admin import SimAdmin, SimAdminError
from hostup_sim.faults import FaultInjector, Faults
from hostup_sim.server import SimServer
from hostup_sim.world import ISO_UBUNTU_2404, VPS_WEB_1

MOUNT = f"/api/v2/vps/{VPS_WEB_1}/iso/actions/mount"


def statuses(api: Api, n: int) -> list[int]:
    return [api.get("/api/v2/vps").status_code for _ in range(n)]


def test_faults_latency_is_added_within_bounds(api: Api, sim: SimServer) -> None:
    sim.store.update_faults(latency_min_ms=80, latency_max_ms=120)
    started = time.perf_counter()
    assert statuses(api, 3) == [200, 200, 200]
    assert time.perf_counter() - started >= 0.24
    latencies = [r.latency_ms for r in sim.store.request_log()]
    assert all(80 <= ms <= 120 for ms in latencies), latencies
    assert all(r.fault is None for r in sim.store.request_log())


def test_faults_error_rate_repeats_with_the_same_seed(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.set_faults(seed=7, error_rate=0.4)
    first = statuses(api, 30)
    sim_admin.set_faults(seed=7, error_rate=0.4)
    second = statuses(api, 30)
    sim_admin.set_faults(seed=8, error_rate=0.4)
    third = statuses(api, 30)
    assert first == second
    assert first != third
    assert set(first) - {200} <= {502, 503, 504}
    assert 3 <= sum(s != 200 for s in first) <= 25


def test_faults_error_answers_an_upstream_failed_problem(api: Api, sim: SimServer) -> None:
    sim.store.update_faults(error_rate=1.0, error_statuses=[503])
    response = api.get("/api/v2/vps")
    assert_problem(response, 503, "upstream_failed")
    assert sim.store.request_log()[-1].fault == "error"


def test_faults_html_rate_sends_gateway_pages(api: Api, sim: SimServer) -> None:
    sim.store.update_faults(error_rate=1.0, html_rate=1.0, error_statuses=[502])
    response = api.get("/api/v2/vps")
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "502 Bad Gateway" in response.text
    assert sim.store.fault_counts() == {"html": 1}


def test_faults_burst_429_every_nth_request(api: Api, sim: SimServer) -> None:
    sim.store.update_faults(burst_every=3, burst_length=2, burst_retry_after=0)
    seen = statuses(api, 7)
    assert seen == [200, 200, 429, 429, 200, 429, 429]
    limited = api.get("/api/v2/vps")  # 8th: next matched is 8, burst over -> 200
    assert limited.status_code == 200
    sim.store.update_faults(burst_every=1, burst_length=1, burst_retry_after=3)
    response = api.get("/api/v2/vps")
    assert_problem(response, 429, "rate_limited")
    assert response.headers["Retry-After"] == "3"
    assert response.headers["X-RateLimit-Reset"].endswith("Z")


def test_faults_drop_closes_the_connection(api: Api, sim: SimServer) -> None:
    sim.store.update_faults(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        api.post(MOUNT, json={"isoId": ISO_UBUNTU_2404})
    record = sim.store.request_log()[-1]
    assert record.fault == "drop"
    assert record.status is None
    sim.store.set_faults(Faults())
    # The dropped write never reached the store.
    assert api.mounted(VPS_WEB_1) == {}


def test_faults_hang_holds_the_answer_back(api: Api, sim: SimServer) -> None:
    sim.store.update_faults(hang_rate=1.0, hang_seconds=3.0)
    started = time.perf_counter()
    with pytest.raises(requests.ReadTimeout):
        api.get("/api/v2/vps", timeout=0.3)
    assert time.perf_counter() - started < 2
    sim.store.release_sleepers()


def test_faults_hang_then_answers_normally(api: Api, sim: SimServer) -> None:
    sim.store.update_faults(hang_rate=1.0, hang_seconds=0.2)
    started = time.perf_counter()
    assert api.get("/api/v2/vps").status_code == 200
    assert time.perf_counter() - started >= 0.2
    assert sim.store.fault_counts() == {"hang": 1}


@pytest.mark.parametrize(
    ("knobs", "spared", "hit"),
    [
        ({"apply_to": "writes"}, ("GET", f"/api/v2/vps/{VPS_WEB_1}/iso"), ("POST", MOUNT)),
        ({"path_prefix": "/api/jobs"}, ("GET", "/api/v2/vps"), ("GET", "/api/jobs/job_x")),
    ],
    ids=["writes", "path-prefix"],
)
def test_faults_hit_only_the_requests_they_apply_to(
    api: Api, sim: SimServer, knobs: dict[str, str], spared: tuple[str, str], hit: tuple[str, str]
) -> None:
    sim.store.update_faults(error_rate=1.0, **knobs)
    body = {"isoId": ISO_UBUNTU_2404}  # for the mount; ignored by the reads
    assert api.request(*spared, json=body).status_code < 500
    assert api.request(*hit, json=body).status_code >= 500


def test_faults_never_touch_the_admin_path(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.set_faults(drop_rate=1.0, latency_min_ms=500, latency_max_ms=500)
    started = time.perf_counter()
    assert sim_admin.health()
    assert sim_admin.log() == []
    assert time.perf_counter() - started < 0.4


def test_faults_are_counted_in_the_log(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.set_faults(burst_every=2, burst_length=1, burst_retry_after=0)
    statuses(api, 6)
    assert sim_admin.fault_counts() == {"burst_429": 3}
    assert [r["fault"] for r in sim_admin.log()] == [None, "burst_429"] * 3


def test_faults_reset_clears_them(api: Api, sim: SimServer) -> None:
    sim.store.update_faults(error_rate=1.0)
    sim.store.reset()
    assert sim.store.faults() == Faults()
    assert statuses(api, 3) == [200, 200, 200]


@pytest.mark.parametrize(
    "knobs",
    [
        {"error_rate": 1.5},
        {"drop_rate": -0.1},
        {"latency_min_ms": 50, "latency_max_ms": 10},
        {"apply_to": "some"},
        {"path_prefix": "/_sim"},
        {"error_statuses": [418]},
        {"no_such_knob": 1},
        {"seed": "x"},
    ],
)
def test_faults_invalid_knobs_are_refused(sim_admin: SimAdmin, knobs: dict[str, object]) -> None:
    with pytest.raises(SimAdminError) as refused:
        sim_admin.set_faults(**knobs)
    assert refused.value.status == 400
    assert sim_admin.faults() == Faults().model_dump(mode="json")


def test_fault_injector_draws_the_same_sequence_for_a_seed() -> None:
    faults = Faults(seed=42, error_rate=0.3, drop_rate=0.1, hang_rate=0.1, latency_max_ms=5)
    one = [FaultInjector(faults).decide("GET", "/api/v2/vps") for _ in range(1)]
    a, b = FaultInjector(faults), FaultInjector(faults)
    run_a = [a.decide("GET", "/api/v2/vps") for _ in range(200)]
    run_b = [b.decide("GET", "/api/v2/vps") for _ in range(200)]
    assert run_a == run_b
    assert run_a[0] == one[0]
    kinds = {d.kind for d in run_a}
    assert {"error", "drop", "hang", None} <= kinds
