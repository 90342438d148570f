"""The admin path /_sim/...: settings, readiness, gates and state, over HTTP with SimAdmin."""

from __future__ import annotations

from typing import Any

import pytest
from sim_helpers import Api, assert_problem

from hostup_sim.admin import SimAdmin, SimAdminError
from hostup_sim.settings import Settings
from hostup_sim.store import HostupStore
from hostup_sim.world import ISO_UBUNTU_2404, VPS_WEB_1


def test_admin_settings_put_replaces_patch_merges(sim_admin: SimAdmin) -> None:
    start = sim_admin.settings()
    merged = sim_admin.update_settings(mount_over_media="conflict")
    assert merged == start | {"mount_over_media": "conflict"}
    replaced = sim_admin.set_settings(job_seconds=2.5)
    assert replaced == start | {"job_seconds": 2.5}


def test_admin_settings_are_the_model_fields(sim_admin: SimAdmin) -> None:
    assert set(sim_admin.settings()) == set(Settings.model_fields)


@pytest.mark.parametrize(
    "values",
    [
        {"mount_over_media": "sometimes"},
        {"listing_lag_reads": -1},
        {"listing_lag_seconds": "soon"},
        {"job_seconds": -1},
        {"rate_limit_rps": True},
        {"log_limit": 0},
        {"record_exchanges": 1},
        {"no_such_setting": 1},
    ],
)
def test_admin_settings_invalid_values_are_refused(
    api: Api, sim_admin: SimAdmin, values: dict[str, Any]
) -> None:
    before = sim_admin.settings()
    response = api.as_key(None).request("PATCH", "/_sim/settings", json=values)
    assert_problem(response, 400, "invalid_request", [f"/{name}" for name in values])
    with pytest.raises(SimAdminError, match=next(iter(values))):
        sim_admin.update_settings(**values)
    assert sim_admin.settings() == before


def test_admin_not_ready_and_gate_over_http(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.set_not_ready(VPS_WEB_1, requests=1)
    mount = f"/api/v2/vps/{VPS_WEB_1}/iso/actions/mount"
    assert_problem(api.post(mount, json={"isoId": ISO_UBUNTU_2404}), 409, "vps_not_ready")
    sim_admin.set_gate(VPS_WEB_1, "canMount", allowed=False, reason="Busy.", code="busy")
    assert_problem(api.post(mount, json={"isoId": ISO_UBUNTU_2404}), 409, "busy")
    gate = api.media(VPS_WEB_1)["actions"]["canMount"]
    assert gate == {"allowed": False, "reason": "Busy.", "code": "busy"}


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        ("gate", {"vps_id": VPS_WEB_1, "gate": "canFly", "allowed": True}, "/gate"),
        ("gate", {"vps_id": VPS_WEB_1, "gate": "canMount"}, "/allowed"),
        ("not-ready", {"vps_id": VPS_WEB_1, "requests": "two"}, "/requests"),
        ("reset", {"extra_vps": -1}, "/extra_vps"),
    ],
)
def test_admin_invalid_bodies_point_at_the_field(
    api: Api, path: str, body: dict[str, Any], pointer: str
) -> None:
    response = api.as_key(None).post(f"/_sim/{path}", json=body)
    assert_problem(response, 400, "invalid_request", [pointer])


def test_admin_state_is_the_whole_world(sim_admin: SimAdmin) -> None:
    state = sim_admin.state()
    assert {"keys", "vpses", "isos", "jobs"} <= set(state)
    assert VPS_WEB_1 in [v["id"] for v in state["vpses"]]


def test_reset_refuses_a_negative_extra_vps_in_process_too() -> None:
    store = HostupStore()
    with pytest.raises(ValueError, match="extra_vps"):
        store.reset(extra_vps=-1)
    assert store.start_settings().extra_vps == 0
