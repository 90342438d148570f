"""Shared fixtures: the Hostup simulator and the openapi.yaml contract check.

- `sim_server`: one SimServer for the session (jobs finish at once, exchanges recorded).
- `sim`: that server reset for this test: seeded world, start settings, no faults,
  empty log. At teardown, every /api response the test caused is checked against
  openapi.yaml (mark a test `sim_no_contract` to skip that).
- `sim_url`, `demo_key`, `sim_admin`: conveniences around `sim`.
- `contract`: the Contract checker, for responses you got another way.
- `pulumi_bin_dir`, `pulumi_sandbox`: the real Pulumi CLI, from the plugin
  `harness.pulumi_fixtures` (registered here, so every folder can use them).

openapi.yaml is found by `harness.contract.openapi_path()`: `$HOSTUP_OPENAPI`,
then `<repo>/../shared/hostup-api/`, then the repo's copy in tests/fixtures/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.contract import Contract, check_exchanges, default_contract
from hostup_sim.admin import SimAdmin
from hostup_sim.server import SimServer
from hostup_sim.settings import Settings
from hostup_sim.store import HostupStore
from hostup_sim.world import DEMO_API_KEY

pytest_plugins = ("harness.pulumi_fixtures",)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sim_no_contract: skip the automatic openapi.yaml check of sim responses"
    )


@pytest.fixture(scope="session")
def contract() -> Contract:
    return default_contract()


@pytest.fixture(scope="session")
def sim_server() -> Iterator[SimServer]:
    """One simulator for the whole session; use `sim` to get it reset."""
    store = HostupStore(settings=Settings(job_seconds=0.0, record_exchanges=True))
    with SimServer(store) as server:
        yield server


@pytest.fixture
def sim(sim_server: SimServer, request: pytest.FixtureRequest) -> Iterator[SimServer]:
    """The session simulator, reset; its /api responses are contract-checked at teardown."""
    sim_server.store.reset(extra_vps=0)
    yield sim_server
    if request.node.get_closest_marker("sim_no_contract") is None:
        check_exchanges(sim_server.store.exchanges())


@pytest.fixture
def sim_url(sim: SimServer) -> str:
    return sim.url


@pytest.fixture
def demo_key() -> str:
    return DEMO_API_KEY


@pytest.fixture
def sim_admin(sim: SimServer) -> SimAdmin:
    return SimAdmin(sim.url)
