"""bench/run.py --smoke: the benchmark still runs end to end, and its call counts hold.

The benchmarks are not timed tests: this runs the smallest version (N=1 and 2, one
repetition, no injected latency) so the scripts never rot, and asserts only what is
deterministic, the API calls the simulator logged, never a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--smoke", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, f"bench/run.py --smoke failed:\n{proc.stderr[-6000:]}"
    results: dict[str, Any] = json.loads(out.read_text())
    return results


def totals(section: dict[str, Any]) -> dict[str, int]:
    return {name: step["total"] for name, step in section.items() if isinstance(step, dict)}


@pytest.mark.e2e
def test_provider_methods_spend_the_minimum_calls(smoke: dict[str, Any]) -> None:
    assert totals(smoke["methods"]) == {
        "check (new mount, during `up`)": 0,  # create reads the listing instead
        "check (new mount, preview)": 1,
        "create (right after check)": 2,  # check's listing is reused
        "check (steady state)": 0,
        "diff (steady state)": 0,
        "create (cold, ide2)": 3,  # gate read, mount, confirm
        "create (cold, ide3)": 2,  # the previous confirm read is the gate read
        "read x3 (three mounts on one VPS)": 1,
        "update (cold)": 3,
        "delete": 3,
        "check (iso_id changed)": 1,
        "update (right after check)": 2,  # check's listing is reused
    }


@pytest.mark.e2e
@pytest.mark.parametrize("n", [1, 2])
def test_cli_commands_spend_the_expected_calls(smoke: dict[str, Any], n: int) -> None:
    commands = smoke["engine"]["commands"][str(n)]
    assert commands["mounts"] == n
    vpses = commands["vpses"]
    assert vpses == 1  # the first mounts share build-1
    calls = totals(commands)
    assert calls["preview (no changes)"] == 0
    assert calls["preview (creates)"] == vpses  # one live check's listing per VPS
    assert calls["refresh (no drift)"] == vpses  # one listing per VPS, not per resource
    assert calls["destroy"] == 3 * n  # read (is it ours?), unmount, confirm
    # The API minimum is one listing per VPS plus mount and confirm per mount. When
    # a second mount's check runs while the first one's create is writing, the
    # cached listing was just dropped and the check reads it again: a third call.
    for command in ("up (creates)", "up (update every iso_id)"):
        assert 2 * n + vpses <= calls[command] <= 3 * n, command
        ops = commands[command]["by_operation"]
        assert ops["mountVpsIso"] == n, command
        assert set(ops) == {"listVpsIsoMedia", "mountVpsIso"}, command


@pytest.mark.e2e
def test_every_section_produced_numbers(smoke: dict[str, Any]) -> None:
    timings = smoke["engine"]["timings"]
    assert {(t["kind"], t["n"]) for t in timings} == {
        (kind, n) for kind in ("hostup", "floor", "raw") for n in (1, 2)
    }
    assert all(t["up_s"] > 0 for t in timings)
    assert all(t["calls"] == 3 * t["n"] for t in timings if t["kind"] == "raw")

    previews = smoke["preview"]["timings"]
    assert {(t["kind"], t["n"]) for t in previews} == {
        (kind, n) for kind in ("hostup", "floor") for n in (1, 2)
    }
    assert all(t["preview_s"] > 0 for t in previews)
    # A preview of new mounts: one live check's listing per VPS for ours, none for the floor.
    assert all(t["calls"] == (t["vpses"] if t["kind"] == "hostup" else 0) for t in previews)

    state = smoke["engine"]["state"]["hostup"]["2"]
    assert state["provider_blob_bytes"] <= 200
    assert not state["provider_blob_is_secret"]

    startup = smoke["startup"]
    assert set(startup["first_answer"]) == {
        "floor",
        "hostup (steady-state check)",
        "hostup (new mount: check reads the listing)",
    }
    assert startup["imports"]["import pulumi_hostup"]["median_ms"] > 0

    rate = smoke["rate_limit"]
    assert rate["succeeded"], rate.get("error_tail")
    mounts = rate["mounts"]
    assert 2 * mounts + rate["calls"]["vpses"] <= rate["calls"]["accepted"] <= 3 * mounts
