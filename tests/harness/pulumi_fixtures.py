"""A pytest plugin (tests/conftest.py registers it): fixtures for tests that drive the
real Pulumi engine (mark them `@pytest.mark.e2e`).

- `pulumi_bin_dir` (session): where `pulumi` and its Python plugins are, from
  ``scripts/install-pulumi.sh --print-bin-dir`` (a new enough Pulumi on PATH, else
  the cached build, else a build: ~5 min the first time).
  If that fails the test FAILS (never skips) and says to run the script.
- `pulumi_sandbox`: a fresh `PulumiSandbox` per test: its own file backend and
  PULUMI_HOME under tmp_path, an env for the CLI, and helpers to copy a program from
  tests/e2e/programs, init a stack, write config and run the CLI with a timeout.

A table of every CLI call's duration is printed at the end of the run.

Typical use::

    @pytest.mark.e2e
    def test_something(pulumi_sandbox: PulumiSandbox) -> None:
        project = pulumi_sandbox.copy_program("trivial")
        pulumi_sandbox.init_stack(project, "dev", config={"markerDir": "/tmp/x"})
        pulumi_sandbox.run(["up", "--yes", "--non-interactive", "--skip-preview"], project)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.hostup_stack import HostupStack, StackFactory
from harness.pulumi_cli import TIMINGS, PulumiCLIMissing, PulumiSandbox, locate_bin_dir
from hostup_sim.server import SimServer


@pytest.fixture(scope="session")
def pulumi_bin_dir() -> Path:
    try:
        return locate_bin_dir()
    except PulumiCLIMissing as exc:
        pytest.fail(f"Pulumi CLI unavailable for e2e tests. {exc}", pytrace=False)


@pytest.fixture
def pulumi_sandbox(
    pulumi_bin_dir: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> PulumiSandbox:
    # A short root: the file backend and the provider paths end up in error messages.
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name)[:40]
    root = tmp_path_factory.mktemp(f"pulumi-{name}", numbered=True)
    return PulumiSandbox(bin_dir=pulumi_bin_dir, root=root, test_id=request.node.nodeid)


@pytest.fixture
def open_stack(pulumi_sandbox: PulumiSandbox, sim: SimServer) -> Iterator[StackFactory]:
    """Opens stacks (tests/e2e/programs/mounts unless told); afterwards checks that no
    CLI call of any of them printed the API key."""
    stacks: list[HostupStack] = []

    def open_(
        mounts: list[dict[str, Any]] | None = None,
        *,
        project: Path | None = None,
        config: dict[str, Any] | None = None,
    ) -> HostupStack:
        config = dict(config or {})
        if project is None:
            project = pulumi_sandbox.copy_program("mounts")
            config["mounts"] = [dict(m) for m in (mounts or [])]
        stack = HostupStack.open(pulumi_sandbox, sim, project, config)
        stacks.append(stack)
        return stack

    yield open_
    for stack in stacks:
        leaks = stack.printed_key()
        assert not leaks, f"the API key was printed by: {leaks}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TIMINGS:
        return
    terminalreporter.section("Pulumi CLI timings (e2e)")
    for timing in TIMINGS:
        status = "" if timing.returncode == 0 else f"  [exit {timing.returncode}]"
        terminalreporter.write_line(
            f"{timing.seconds:7.2f}s  {timing.command}{status}  ({timing.test})"
        )
