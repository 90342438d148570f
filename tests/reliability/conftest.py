"""Fixtures of the reliability suite.

- `figures`: a dict for this test's numbers; the session writes all of them to
  tests/reliability/.results/run-*.json (not committed).
  `scripts/reliability-report.py --take-latest` copies the latest runs to
  tests/reliability/results/ (committed) and makes RELIABILITY.md from those.
- `leaks` (autouse): collect every text the test saw (`leaks.add(...)`, files under a
  Pulumi sandbox with `leaks.add_tree(...)`); at teardown each is scanned for every
  API key, the counts go into the figures, and a leak fails the test.
- `make_sim`: fresh in-process simulators (their request logs are scanned for keys).
- `make_host`: the real dynamic-provider host (`python -m pulumi.dynamic`) over gRPC,
  configured; its stderr is scanned for keys.
- `cli`: the `pulumi_sandbox` of harness.pulumi_fixtures plus the suite's `mounts`
  program, every output and every file of the sandbox scanned for keys.
- `hostile`: a loopback server answering what the test scripts.
- `soak_cycles`: HOSTUP_SOAK_CYCLES, else 200 when `-m soak` selects the soak, else 25.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic import ResourceProvider

from harness.provider_host import ProviderHost, secret
from harness.pulumi_cli import PulumiResult, PulumiSandbox, python_virtualenv, write_stack_config
from harness.servers import Answer, HostileServer
from hostup_sim import world
from hostup_sim.faults import Faults
from hostup_sim.server import SimServer
from hostup_sim.settings import Settings
from hostup_sim.store import HostupStore
from reliability.support import (
    FLEET,
    Figures,
    LeakRegistry,
    TestLeaks,
    copy_mounts_program,
    give_all_slots,
    log_records,
)

FIGURES = Figures()
LEAKS = LeakRegistry()

SOAK_DEFAULT_SHORT = 25
SOAK_DEFAULT_FULL = 200


def _short(nodeid: str) -> str:
    return nodeid.split("tests/reliability/", 1)[-1]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/reliability/" not in report.nodeid or report.when != "call":
        return
    entry = FIGURES.test(_short(report.nodeid))
    entry["outcome"] = report.outcome
    entry["seconds"] = round(report.duration, 2)


def pytest_sessionfinish(session: pytest.Session) -> None:
    FIGURES.meta.update(
        texts_scanned=LEAKS.texts_scanned,
        bytes_scanned=LEAKS.bytes_scanned,
        leaks_found=len(LEAKS.leaks),
        leak_sources=LEAKS.sources,
        markexpr=session.config.getoption("markexpr", "") or "",
    )
    path = FIGURES.write()
    if path is not None:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"reliability figures: {path}")


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> dict[str, Any]:
    return FIGURES.test(_short(request.node.nodeid))


@pytest.fixture(autouse=True)
def leaks(figures: dict[str, Any]) -> Iterator[TestLeaks]:
    mine = TestLeaks(LEAKS)
    yield mine
    texts, size, found = mine.scan_all()
    figures["texts_scanned"] = figures.get("texts_scanned", 0) + texts
    figures["bytes_scanned"] = figures.get("bytes_scanned", 0) + size
    figures["leaks_found"] = figures.get("leaks_found", 0) + len(found)
    assert not found, f"API key leaked: {found}"


@pytest.fixture(scope="session")
def soak_cycles(pytestconfig: pytest.Config) -> int:
    raw = os.environ.get("HOSTUP_SOAK_CYCLES", "").strip()
    if raw:
        return max(1, int(raw))
    markexpr = pytestconfig.getoption("markexpr", "") or ""
    if "soak" in markexpr and "not soak" not in markexpr:
        return SOAK_DEFAULT_FULL
    return SOAK_DEFAULT_SHORT


# -- simulators ----------------------------------------------------------------------------


@pytest.fixture
def make_sim(leaks: TestLeaks) -> Iterator[Callable[..., SimServer]]:
    """`make_sim(faults=Faults(...), fleet=True, **settings)`: a started simulator.

    With `fleet`, the five load VPSes of support.FLEET exist and have ide0..ide3.
    """
    made: list[SimServer] = []

    def make(*, faults: Faults | None = None, fleet: bool = True, **settings: Any) -> SimServer:
        if fleet:
            settings.setdefault("extra_vps", len(FLEET))
        settings.setdefault("job_seconds", 0.0)
        store = HostupStore(settings=Settings(**settings))
        if fleet:
            give_all_slots(store)
        if faults is not None:
            store.set_faults(faults)
        server = SimServer(store).start()
        made.append(server)
        return server

    yield make
    for server in made:
        leaks.add("sim-log", json.dumps(log_records(server.store.request_log())))
        server.stop()


# -- the provider host ---------------------------------------------------------------------


@pytest.fixture
def make_host(leaks: TestLeaks) -> Iterator[Callable[..., ProviderHost]]:
    """`make_host(endpoint, key=..., provider=..., **config)`: a configured provider host
    over gRPC, serving `provider` (default: the mount provider).

    Config keys without a namespace get `hostup:`; the host's environment has no
    HOSTUP_* variables, so the stack config is what counts.
    """
    made: list[ProviderHost] = []

    def make(
        endpoint: str,
        *,
        key: str = world.DEMO_API_KEY,
        provider: ResourceProvider | None = None,
        **config: str,
    ) -> ProviderHost:
        host = ProviderHost({"HOSTUP_API_KEY": "", "HOSTUP_ENDPOINT": ""}, provider)
        made.append(host)
        host.configure(
            {
                "hostup:apiKey": secret(key),
                "hostup:endpoint": endpoint,
                **{k if ":" in k else f"hostup:{k}": v for k, v in config.items()},
            }
        )
        return host

    yield make
    for host in made:
        host.close()
        leaks.add("provider-stderr", host.stderr)


# -- the real CLI --------------------------------------------------------------------------


@dataclass
class Cli:
    """The suite's `mounts` program in a Pulumi sandbox; every output is leak-scanned."""

    sandbox: PulumiSandbox
    leaks: TestLeaks
    project: Path = field(init=False)
    stack: str = "dev"

    def __post_init__(self) -> None:
        self.project = copy_mounts_program(self.sandbox.programs_dir, python_virtualenv())
        self.leaks.add_tree(self.sandbox.root)

    def init(
        self,
        mounts: list[dict[str, str]],
        *,
        endpoint: str | None,
        key: str = world.DEMO_API_KEY,
        **config: str,
    ) -> None:
        settings: dict[str, Any] = {"mounts": mounts}
        if endpoint is not None:
            settings["hostup:endpoint"] = endpoint
        settings.update({k if ":" in k else f"hostup:{k}": v for k, v in config.items()})
        self.sandbox.init_stack(self.project, self.stack, config=settings)
        self.sandbox.set_secret(self.project, self.stack, "hostup:apiKey", key)

    def config(self, **values: Any) -> None:
        write_stack_config(self.project, self.stack, values)

    def run(
        self,
        *args: str,
        check: bool = True,
        timeout: float = 300.0,
        env: dict[str, str] | None = None,
    ) -> PulumiResult:
        result = self.sandbox.run(list(args), self.project, check=False, timeout=timeout, env=env)
        self.leaks.add(f"cli-stdout:{args[0]}", result.stdout)
        self.leaks.add(f"cli-stderr:{args[0]}", result.stderr)
        return result.check() if check else result

    def up(self, *extra: str, **kwargs: Any) -> PulumiResult:
        return self.run("up", "--yes", "--non-interactive", "--skip-preview", *extra, **kwargs)

    def resources(self) -> list[dict[str, Any]]:
        """The VpsIsoMount resources of the stack state (`pulumi stack export`)."""
        exported = self.run("stack", "export", "--stack", self.stack)
        deployment = exported.json().get("deployment", {})
        return [
            r
            for r in deployment.get("resources") or []
            if r["type"] == "pulumi-python:dynamic/hostup:VpsIsoMount"
        ]

    def state_media(self) -> dict[str, str]:
        """`{vps_id/device: iso_id}` as the stack state has it."""
        return {r["id"]: r["outputs"]["iso_id"] for r in self.resources()}


@pytest.fixture
def cli(pulumi_sandbox: PulumiSandbox, leaks: TestLeaks) -> Cli:
    return Cli(pulumi_sandbox, leaks)


# -- the hostile server --------------------------------------------------------------------


@pytest.fixture
def hostile(leaks: TestLeaks) -> Iterator[Callable[[Callable[[str, str], Answer]], HostileServer]]:
    made: list[HostileServer] = []

    def make(responder: Callable[[str, str], Answer]) -> HostileServer:
        server = HostileServer(responder).start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()
