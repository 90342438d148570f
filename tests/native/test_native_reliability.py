"""The reliability suite's cases that apply to a provider, against the native one.

- Hostile input: the catalog of tests/reliability/test_hostile_input.py, through the
  native provider's Check (the values cross Pulumi's property values first): each
  fails on the right property, the provider never raises, and no request is sent.
- Faults: `pulumi up` and `pulumi destroy` of a YAML program of 12 mounts converge in
  one run each while the simulator answers 5xx, HTML gateway pages, 429 bursts and
  dropped connections, from a fixed seed.
- Deadlines: an API that never answers a mount fails `pulumi up` within
  `hostup:operationTimeout`, and the next `up` adopts the mount the API made late.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pulumi.provider.experimental import provider as p

from harness.hostup_stack import api_calls, mounted
from harness.native import changes, mount
from harness.processes import wait_for
from hostup_sim.faults import Faults
from hostup_sim.server import SimServer
from hostup_sim.world import DEMO_API_KEY, ISO_UBUNTU_2404, VPS_WEB_1
from pulumi_resource_hostup.provider import HostupNativeProvider
from pulumi_resource_hostup.values import to_property
from reliability.test_hostile_input import BAD_DEVICES, BAD_EXTRAS, BAD_IDS

from .conftest import YamlFactory

URN = "urn:pulumi:dev::native::hostup:index:VpsIsoMount::m"
DEADLINE = 3.0
GOOD: dict[str, Any] = {"vpsId": VPS_WEB_1, "isoId": ISO_UBUNTU_2404, "device": "ide2"}


def sendable(value: Any) -> bool:
    """Whether a value can cross the engine at all (no bytes on the wire)."""
    if isinstance(value, list):
        return all(sendable(v) for v in value)
    if isinstance(value, dict):
        return all(sendable(v) for v in value.values())
    return value is None or isinstance(value, bool | int | float | str)


def catalog() -> list[tuple[str, dict[str, Any], str]]:
    cases = [(f"vpsId {label}", {**GOOD, "vpsId": v}, "vpsId") for label, v in BAD_IDS]
    cases += [(f"isoId {label}", {**GOOD, "isoId": v}, "isoId") for label, v in BAD_IDS[::3]]
    cases += [(f"device {label}", {**GOOD, "device": v}, "device") for label, v in BAD_DEVICES]
    # ("vpsId" is a typo of the dynamic resource's vps_id, and our own input's name.)
    cases += [
        (f"extra {label}", {**GOOD, key: "x"}, key) for label, key in BAD_EXTRAS if key not in GOOD
    ]
    cases += [("vpsId missing", {"isoId": ISO_UBUNTU_2404}, "vpsId")]
    return [case for case in cases if sendable(case[1])]


CATALOG = catalog()


@pytest.fixture
def provider(sim: SimServer) -> HostupNativeProvider:
    """Configured with a key and the simulator: a valid input WOULD be checked live."""
    native = HostupNativeProvider(log=lambda *_: None)
    variables = {"hostup:endpoint": sim.url, "hostup:apiKey": DEMO_API_KEY}
    asyncio.run(native.configure(p.ConfigureRequest(variables, {}, True, True)))
    return native


def check(native: HostupNativeProvider, news: dict[str, Any]) -> p.CheckResponse:
    inputs = {key: to_property(value) for key, value in news.items()}
    return asyncio.run(native.check(p.CheckRequest(URN, {}, inputs, b"")))


@pytest.mark.parametrize(("label", "news", "prop"), CATALOG, ids=[c[0] for c in CATALOG])
def test_hostile_input_fails_check_on_its_property_with_no_request(
    provider: HostupNativeProvider, sim: SimServer, label: str, news: dict[str, Any], prop: str
) -> None:
    sim.store.clear_log()
    result = check(provider, news)
    failing = {f.property: f.reason for f in result.failures or []}
    assert prop in failing, (label, failing)
    assert failing[prop]
    if prop in ("vpsId", "isoId"):  # named as the program writes it, not as the core does
        assert failing[prop].startswith(prop), failing[prop]
    assert api_calls(sim) == []


def test_a_good_input_is_checked_live_the_control_case(
    provider: HostupNativeProvider, sim: SimServer
) -> None:
    sim.store.clear_log()
    assert not check(provider, GOOD).failures
    assert [c.operation for c in api_calls(sim)] == ["listVpsIsoMedia"]


FAULTS = Faults(
    seed=20261130,
    error_rate=0.30,
    html_rate=0.33,
    drop_rate=0.05,
    burst_every=40,
    burst_length=3,
    burst_retry_after=1,
)


@pytest.mark.e2e
@pytest.mark.sim_no_contract  # HTML gateway pages are not the contract's answers
def test_up_and_destroy_converge_in_one_run_under_faults(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    sim.store.reset(extra_vps=12)
    vpses = [v["id"] for v in sim.store.snapshot()["vpses"] if v["name"].startswith("load-")]
    resources = {f"m{i}": mount(vps, ISO_UBUNTU_2404) for i, vps in enumerate(vpses)}
    stack = open_yaml(resources)
    stack.configure({"hostup:operationTimeout": 120})
    sim.store.set_faults(FAULTS)
    up = stack.up()
    assert changes(up) == {name: ["create"] for name in resources}, up.describe()
    assert all(mounted(sim)[vps] == {"ide2": ISO_UBUNTU_2404} for vps in vpses)
    faults = [c.fault for c in api_calls(sim) if c.fault]
    assert faults, "no fault was injected"
    destroy = stack.destroy()
    assert changes(destroy) == {name: ["delete"] for name in resources}, destroy.describe()
    assert not any(vps in mounted(sim) for vps in vpses)
    sim.store.set_faults(Faults())


@pytest.mark.e2e
@pytest.mark.timeout(180)
def test_a_hanging_api_fails_up_within_the_deadline_and_the_next_up_adopts(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    """As tests/reliability/test_deadlines.py, through the native provider and the CLI."""
    stack = open_yaml({"web": mount(VPS_WEB_1, ISO_UBUNTU_2404)})
    stack.configure({"hostup:operationTimeout": DEADLINE})
    sim.store.set_faults(Faults(hang_rate=1.0, hang_seconds=60.0, apply_to="writes"))
    failed = stack.up(check=False)
    assert not failed.succeeded
    # The CLI's own start and stop cost a few seconds on a busy machine; 60 s would hang.
    assert failed.result.seconds < DEADLINE + 15, failed.result.seconds
    errors = "\n".join(failed.diagnostics("error"))
    assert "deadline" in errors, failed.describe()

    # The API acts on the held-back mount after all; the next `up` adopts it.
    sim.store.set_faults(Faults())
    sim.store.release_sleepers()
    assert wait_for(lambda: mounted(sim).get(VPS_WEB_1) == {"ide2": ISO_UBUNTU_2404}, timeout=20)
    sim.store.clear_log()
    up = stack.up()
    assert changes(up) == {"web": ["create"]}, up.describe()
    assert [c.operation for c in api_calls(sim)] == ["listVpsIsoMedia"]
    stack.destroy()
    assert VPS_WEB_1 not in mounted(sim)


@pytest.mark.e2e
@pytest.mark.timeout(180)
def test_custom_timeouts_bound_a_create_on_a_hanging_api(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    """customTimeouts, which the dynamic resource cannot take, set the create's deadline."""
    stack = open_yaml(
        {"web": mount(VPS_WEB_1, ISO_UBUNTU_2404, customTimeouts={"create": f"{DEADLINE:g}s"})}
    )
    # hostup:operationTimeout keeps its default (300 s): only customTimeouts can end it.
    sim.store.set_faults(Faults(hang_rate=1.0, hang_seconds=60.0, apply_to="writes"))
    failed = stack.up(check=False)
    assert not failed.succeeded
    assert failed.result.seconds < DEADLINE + 15, failed.result.seconds
    errors = "\n".join(failed.diagnostics("error"))
    assert f"did not finish within its {DEADLINE:g}s deadline" in errors, failed.describe()
    assert "raise the resource's customTimeouts" in errors, failed.describe()
    sim.store.set_faults(Faults())
    sim.store.release_sleepers()
    assert wait_for(lambda: mounted(sim).get(VPS_WEB_1) == {"ide2": ISO_UBUNTU_2404}, timeout=20)
    stack.up()  # adopts the late mount
    stack.destroy()
    assert VPS_WEB_1 not in mounted(sim)
