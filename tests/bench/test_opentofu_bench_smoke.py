"""bench/opentofu.py --smoke: the OpenTofu benchmark still runs end to end through real
tofu, and its call counts hold (N = 1 and 2, one repetition; never a timing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.opentofu


def test_the_opentofu_bench_runs_and_spends_the_api_minimum(tmp_path: Path) -> None:
    out = tmp_path / "opentofu-smoke.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "opentofu.py"), "--smoke", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, f"bench/opentofu.py --smoke failed:\n{proc.stderr[-6000:]}"
    results = json.loads(out.read_text())
    calls = {
        (r["n"], command): r["calls"][command]
        for r in results["runs"]
        if r["kind"] == "hostup"
        for command in ("apply", "plan", "destroy")
    }
    for n in (1, 2):
        # Per mount, one per VPS: read, mount, confirm; one refresh read; refresh, a
        # fresh read, unmount, confirm.
        assert calls[(n, "apply")] == {"GET": 2 * n, "POST": n}
        assert calls[(n, "plan")] == {"GET": n}
        assert calls[(n, "destroy")] == {"GET": 3 * n, "POST": n}
    floor = [r["calls"] for r in results["runs"] if r["kind"] == "floor"]
    assert floor
    assert all(c == {"apply": {}, "plan": {}, "destroy": {}} for c in floor)
    # The API floor spends exactly the API's minimum: ours over it is our code's cost.
    api_floor = {
        (r["n"], c): r["calls"][c]
        for r in results["runs"]
        if r["kind"] == "apifloor"
        for c in ("apply", "plan", "destroy")
    }
    for n in (1, 2):
        assert api_floor[(n, "apply")] == {"GET": 2 * n, "POST": n}
        assert api_floor[(n, "plan")] == {"GET": n}
        assert api_floor[(n, "destroy")] == {"GET": 2 * n, "POST": n}
    assert set(results["startup"]) == {
        "hostup",
        "floor",
        "apifloor",
        "tofu_version",
        "provider_modules_import",
        "requests_import",
        "core_http_import",
        "listing_model_build",
        "create_cpu_ours",
        "create_cpu_api_floor",
        "teardown_framework",
        "teardown_ours_loaded",
    }
    assert all(seconds > 0 for values in results["startup"].values() for seconds in values)
