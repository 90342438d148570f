"""Fault matrix through the real engine: `pulumi up` and `pulumi destroy` of 20 mounts
over 5 VPSes converge in ONE run each while the simulator injects, from a fixed seed,
30% 5xx (a third of them HTML gateway pages), 429 bursts with Retry-After, 100-500 ms
of latency on every request and dropped connections.

After each run the simulator's state equals the program's (and nothing else changed),
and after a `pulumi refresh` (faults still on) the stack state equals the simulator's.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from hostup_sim.faults import Faults
from reliability.support import (
    DEVICES,
    FLEET,
    SEED,
    expected_media,
    fault_counts,
    fleet_mounts,
    log_records,
    media_of,
    operation_counts,
)

FAULTS = Faults(
    seed=SEED,
    error_rate=0.30,
    html_rate=0.33,
    latency_min_ms=100.0,
    latency_max_ms=500.0,
    drop_rate=0.05,
    burst_every=40,
    burst_length=3,
    burst_retry_after=1,
)


def changed(output: str, sign: str, verb: str) -> int:
    """The count of the CLI's summary line `<sign> N <verb>` (0 when there is none)."""
    found = re.search(rf"{re.escape(sign)} (\d+) {verb}", output)
    return int(found.group(1)) if found else 0


def _phase(records: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    faults = fault_counts(records)
    return {
        "seconds": round(seconds, 2),
        "requests": len(records),
        "faults": faults,
        "faults_total": sum(faults.values()),
        "operations": operation_counts(records),
    }


@pytest.mark.e2e
@pytest.mark.timeout(420)
def test_up_and_destroy_converge_in_one_run_under_faults(
    cli: Any, make_sim: Any, figures: dict[str, Any]
) -> None:
    sim = make_sim(faults=FAULTS)
    store = sim.store
    mounts = fleet_mounts(20)
    before = media_of(store.snapshot())
    cli.init(mounts, endpoint=sim.url, operationTimeout="120")
    figures.update(
        seed=SEED,
        mounts=len(mounts),
        vpses=len(FLEET),
        slots_per_vps=len(DEVICES),
        faults_config={
            "error_rate": FAULTS.error_rate,
            "html_share_of_errors": FAULTS.html_rate,
            "latency_ms": [FAULTS.latency_min_ms, FAULTS.latency_max_ms],
            "drop_rate": FAULTS.drop_rate,
            "burst_429": f"every {FAULTS.burst_every}th request starts {FAULTS.burst_length}",
            "retry_after_s": FAULTS.burst_retry_after,
        },
    )

    # -- up: one run, every resource created --
    store.clear_log()
    up = cli.up(check=False)
    records = log_records(store.request_log())
    figures["up"] = _phase(records, up.seconds) | {"exit_code": up.returncode}
    assert up.returncode == 0, up.describe()
    figures["up"]["resources"] = changed(up.stdout, "+", "created")
    assert figures["up"]["resources"] == len(mounts) + 1, up.describe()  # and the stack
    assert "failed" not in up.stdout.lower(), up.describe()
    after_up = media_of(store.snapshot())
    want = {**{k: v for k, v in before.items() if k.split("/")[0] not in FLEET}}
    want.update(expected_media(mounts))
    assert after_up == want, "the simulator's state is not the program's after up"
    assert cli.state_media() == expected_media(mounts)
    assert figures["up"]["faults_total"] > 0

    # -- refresh under the same faults: the state agrees with the API --
    store.clear_log()
    refresh = cli.run("refresh", "--yes", "--non-interactive", check=False)
    figures["refresh"] = _phase(log_records(store.request_log()), refresh.seconds) | {
        "exit_code": refresh.returncode
    }
    assert refresh.returncode == 0, refresh.describe()
    assert cli.state_media() == media_of(store.snapshot(), FLEET)

    # -- destroy: one run, everything we mounted is gone, nothing else touched --
    store.clear_log()
    destroy = cli.run(
        "destroy", "--yes", "--non-interactive", "--skip-preview", check=False, timeout=300
    )
    records = log_records(store.request_log())
    figures["destroy"] = _phase(records, destroy.seconds) | {"exit_code": destroy.returncode}
    assert destroy.returncode == 0, destroy.describe()
    figures["destroy"]["resources"] = changed(destroy.stdout, "-", "deleted")
    assert figures["destroy"]["resources"] == len(mounts) + 1, destroy.describe()
    assert media_of(store.snapshot()) == {
        k: v for k, v in before.items() if k.split("/")[0] not in FLEET
    }
    assert cli.resources() == []
    assert figures["destroy"]["faults_total"] > 0
    figures["faults_total"] = (
        figures["up"]["faults_total"]
        + figures["refresh"]["faults_total"]
        + figures["destroy"]["faults_total"]
    )
