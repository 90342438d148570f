"""Fixtures for the tests that drive the real OpenTofu CLI (`tofu`, built by
scripts/install-tofu.sh) and terraform-provider-hostup against the simulator.

- `tofu_bin_dir` (session): where `tofu` is. If it cannot be found or built the
  tests FAIL, never skip, and say what to run (scripts/test.sh installs it first).
- `tofu`: a fresh `TofuWorkspace` per test (its own CLI config with dev_overrides
  pointing at this venv's provider, its own data dir), with the simulator's demo key
  in `TF_VAR_hostup_api_key`. Afterwards: no CLI output and no state file of the
  test holds the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.tofu_cli import TIMINGS, TofuMissing, TofuWorkspace, locate_tofu_bin_dir
from hostup_sim.server import SimServer
from hostup_sim.world import DEMO_API_KEY


@pytest.fixture(scope="session")
def tofu_bin_dir() -> Path:
    try:
        return locate_tofu_bin_dir()
    except TofuMissing as exc:
        pytest.fail(f"OpenTofu unavailable for the tofu tests. {exc}", pytrace=False)


@pytest.fixture
def tofu(
    tofu_bin_dir: Path,
    sim: SimServer,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[TofuWorkspace]:
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name)[:40]
    workspace = TofuWorkspace(
        tofu_bin=tofu_bin_dir,
        root=tmp_path_factory.mktemp(f"tofu-{name}", numbered=True),
        test_id=request.node.nodeid,
        extra_env={"TF_VAR_hostup_api_key": DEMO_API_KEY},
    )
    yield workspace
    assert not workspace.printed(DEMO_API_KEY), "the API key was printed"
    for path in workspace.root.rglob("*.tfstate*"):
        assert DEMO_API_KEY not in path.read_text(errors="replace"), f"the key is in {path}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TIMINGS:
        return
    terminalreporter.section("OpenTofu CLI timings")
    for timing in TIMINGS:
        status = "" if timing.returncode == 0 else f"  [exit {timing.returncode}]"
        terminalreporter.write_line(
            f"{timing.seconds:7.2f}s  {timing.command}{status}  ({timing.test})"
        )
