"""Concurrency through the real provider host (4 calls at once, as the engine sends them),
with 50-150 ms of latency on every request so that calls really do overlap.

- On one VPS, four parallel creates (then four parallel deletes) never overlap their
  writes: the simulator's log shows each mount/unmount's server-side interval (end time
  and duration) apart from every other on that VPS.
- Across VPSes, calls still run in parallel: writes to different VPSes do overlap.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from typing import Any

import pytest

from hostup_sim.faults import Faults
from hostup_sim.server import SimServer
from reliability.support import (
    DEVICES,
    FLEET,
    ISOS,
    SEED,
    WRITE_OPERATIONS,
    interval,
    log_records,
    media_of,
    overlapping_pairs,
)

LATENCY = Faults(seed=SEED, latency_min_ms=50.0, latency_max_ms=150.0)


def writes(sim: SimServer, vps_id: str | None = None) -> list[dict[str, Any]]:
    return [
        r
        for r in log_records(sim.store.request_log())
        if r["operation"] in WRITE_OPERATIONS and (vps_id is None or r["vps_id"] == vps_id)
    ]


def max_parallel(records: list[dict[str, Any]]) -> int:
    """The most requests in flight at one moment (server side)."""
    events = sorted(
        [(interval(r)[0], 1) for r in records] + [(interval(r)[1], -1) for r in records]
    )
    best = current = 0
    for _moment, step in events:
        current += step
        best = max(best, current)
    return best


CALLS_IN_FLIGHT: list[int] = []


def run_parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls on 4 threads; note how many were in flight at once (client side)."""
    spans: list[tuple[float, float]] = []

    def timed(call: Callable[[], Any]) -> Any:
        started = time.monotonic()
        try:
            return call()
        finally:
            spans.append((started, time.monotonic()))

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(timed, call) for call in calls]
        results = [f.result(timeout=120) for f in futures]
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    best = current = 0
    for _moment, step in events:
        current += step
        best = max(best, current)
    CALLS_IN_FLIGHT.append(best)
    return results


@pytest.fixture
def sim(make_sim: Callable[..., SimServer]) -> SimServer:
    return make_sim(faults=LATENCY)


@pytest.fixture
def host(make_host: Callable[..., Any], sim: SimServer) -> Any:
    return make_host(sim.url)


@pytest.mark.timeout(180)
def test_writes_to_one_vps_never_overlap(
    host: Any, sim: SimServer, figures: dict[str, Any]
) -> None:
    vps_id = FLEET[0]
    rounds = 3
    overlaps = 0
    total_writes = 0
    for n in range(rounds):
        props = [
            {"vps_id": vps_id, "iso_id": ISOS[(n + i) % len(ISOS)], "device": device}
            for i, device in enumerate(DEVICES)
        ]
        sim.store.clear_log()
        created = run_parallel(
            [
                lambda p=p, d=d: host.create(f"one-{d}", p)
                for p, d in zip(props, DEVICES, strict=True)
            ]
        )
        assert media_of(sim.store.snapshot(), [vps_id]) == {
            f"{vps_id}/{p['device']}": p["iso_id"] for p in props
        }
        host.new_run()  # `pulumi destroy`
        run_parallel(
            [
                lambda c=c, d=d: host.delete(f"one-{d}", c.id, c.outs)
                for c, d in zip(created, DEVICES, strict=True)
            ]
        )
        assert media_of(sim.store.snapshot(), [vps_id]) == {}
        records = writes(sim, vps_id)
        assert len(records) == 2 * len(DEVICES)  # 4 mounts and 4 unmounts, no retries
        pairs = overlapping_pairs(records)
        assert pairs == [], [(a["seq"], b["seq"]) for a, b in pairs]
        overlaps += len(pairs)
        total_writes += len(records)
        # The four calls were in flight at once; the provider made their writes take turns.
        assert CALLS_IN_FLIGHT[-1] == len(DEVICES)
    figures.update(
        rounds=rounds,
        parallel_calls=len(DEVICES),
        calls_in_flight=max(CALLS_IN_FLIGHT[-2 * rounds :]),
        writes_on_one_vps=total_writes,
        overlapping_write_pairs_same_vps=overlaps,
        latency_ms=[LATENCY.latency_min_ms, LATENCY.latency_max_ms],
    )


@pytest.mark.timeout(180)
def test_calls_on_different_vpses_run_in_parallel(
    host: Any, sim: SimServer, figures: dict[str, Any]
) -> None:
    vpses = FLEET[:4]
    sim.store.clear_log()
    started = time.monotonic()
    created = run_parallel(
        [
            lambda v=v, i=i: host.create(
                f"many-{i}", {"vps_id": v, "iso_id": ISOS[i], "device": "ide2"}
            )
            for i, v in enumerate(vpses)
        ]
    )
    create_seconds = time.monotonic() - started
    host.new_run()  # `pulumi destroy`
    run_parallel(
        [lambda c=c, i=i: host.delete(f"many-{i}", c.id, c.outs) for i, c in enumerate(created)]
    )
    assert media_of(sim.store.snapshot(), FLEET) == {}
    records = writes(sim)
    cross = [(a, b) for a, b in combinations(records, 2) if a["vps_id"] != b["vps_id"]]
    overlapping = overlapping_pairs(records)
    assert all(a["vps_id"] != b["vps_id"] for a, b in overlapping)
    assert overlapping, "writes to different VPSes never overlapped: calls were serialized"
    parallel = max_parallel(records)
    assert parallel >= 2
    # Serialized, four creates of ~3 requests at >= 50 ms each would take >= 0.6 s more.
    figures.update(
        vpses=len(vpses),
        writes=len(records),
        write_pairs_across_vpses=len(cross),
        overlapping_write_pairs_across_vpses=len(overlapping),
        max_writes_in_flight=parallel,
        create_seconds=round(create_seconds, 2),
        rounds=1,
        latency_ms=[LATENCY.latency_min_ms, LATENCY.latency_max_ms],
    )
