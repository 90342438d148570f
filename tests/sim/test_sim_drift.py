"""Out-of-band changes: in process, over the admin path, and with `hostup-sim drift`."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sim_helpers import Api, assert_problem

from hostup_sim.admin import SimAdmin, SimAdminError
from hostup_sim.server import SimServer
from hostup_sim.store import ApiProblem
from hostup_sim.world import (
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    ISO_OTHER_FEDORA_41,
    ISO_UBUNTU_2404,
    VPS_BARE_1,
    VPS_WEB_1,
    VPS_WEB_2,
)


def drift_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hostup_sim", "drift", *args, "--url", url],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_drift_unmount_in_process(api: Api, sim: SimServer) -> None:
    sim.store.drift_unmount(VPS_WEB_2, "ide2")
    assert api.mounted(VPS_WEB_2) == {}
    sim.store.drift_unmount(VPS_WEB_2, "ide2")  # already empty: no-op


def test_drift_mount_adds_the_slot_if_needed(api: Api, sim: SimServer) -> None:
    sim.store.drift_mount(VPS_BARE_1, "ide1", ISO_UBUNTU_2404)
    media = api.media(VPS_BARE_1)
    assert media["availableDevices"][0] == {
        "device": "ide1",
        "type": "existing_cdrom",
        "description": "CD/DVD 2",
        "inUse": True,
    }
    assert api.mounted(VPS_BARE_1) == {"ide1": ISO_UBUNTU_2404}


def test_drift_swap_replaces_media_and_needs_media(api: Api, sim: SimServer) -> None:
    sim.store.drift_swap(VPS_WEB_2, "ide2", ISO_ALPINE_320)
    assert api.mounted(VPS_WEB_2) == {"ide2": ISO_ALPINE_320}
    with pytest.raises(ApiProblem) as empty:
        sim.store.drift_swap(VPS_WEB_1, "ide2", ISO_ALPINE_320)
    assert empty.value.code == "device_empty"


def test_drift_rejects_isos_of_another_library(sim: SimServer) -> None:
    with pytest.raises(ApiProblem) as foreign:
        sim.store.drift_mount(VPS_WEB_1, "ide2", ISO_OTHER_FEDORA_41)
    assert foreign.value.status == 404


def test_drift_delete_vps_makes_it_404(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.drift_delete_vps(VPS_WEB_1)
    assert_problem(api.get(f"/api/v2/vps/{VPS_WEB_1}/iso"), 404, "vps_not_found")
    assert VPS_WEB_1 not in [v["id"] for v in api.get("/api/v2/vps").json()["data"]]
    with pytest.raises(SimAdminError) as again:
        sim_admin.drift_delete_vps(VPS_WEB_1)
    assert again.value.status == 404


def test_drift_delete_iso_ejects_it_everywhere(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.drift_delete_iso(VPS_WEB_1, ISO_DEBIAN_12)
    assert api.mounted(VPS_WEB_2) == {}
    assert ISO_DEBIAN_12 not in [i["id"] for i in api.media(VPS_WEB_1)["available"]]


def test_drift_over_admin_http(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.drift_mount(VPS_WEB_1, "ide2", ISO_UBUNTU_2404)
    assert api.mounted(VPS_WEB_1) == {"ide2": ISO_UBUNTU_2404}
    sim_admin.drift_swap(VPS_WEB_1, "ide2", ISO_ALPINE_320)
    assert api.mounted(VPS_WEB_1) == {"ide2": ISO_ALPINE_320}
    sim_admin.drift_unmount(VPS_WEB_1, "ide2")
    assert api.mounted(VPS_WEB_1) == {}


def test_drift_cli_unmount_and_mount(api: Api, sim: SimServer) -> None:
    done = drift_cli(sim.url, "unmount", "--vps", VPS_WEB_2, "--device", "ide2")
    assert done.returncode == 0, done.stderr
    assert api.mounted(VPS_WEB_2) == {}
    done = drift_cli(sim.url, "mount", "--vps", VPS_WEB_2, "--iso", ISO_UBUNTU_2404)
    assert done.returncode == 0, done.stderr
    assert api.mounted(VPS_WEB_2) == {"ide2": ISO_UBUNTU_2404}
    # Drift is not an API call: the request log only holds the test's own reads.
    assert {r.operation for r in sim.store.request_log()} == {"listVpsIsoMedia"}


def test_drift_cli_reports_refusals(sim: SimServer) -> None:
    done = drift_cli(sim.url, "swap", "--vps", VPS_WEB_1, "--iso", ISO_ALPINE_320)
    assert done.returncode == 1
    assert "409" in done.stderr
    missing_iso = drift_cli(sim.url, "mount", "--vps", VPS_WEB_1)
    assert missing_iso.returncode == 2


def test_admin_settings_put_replaces_patch_merges(sim_admin: SimAdmin) -> None:
    start = sim_admin.settings()
    merged = sim_admin.update_settings(mount_over_media="conflict")
    assert merged == start | {"mount_over_media": "conflict"}
    replaced = sim_admin.set_settings(job_seconds=2.5)
    assert replaced == start | {"job_seconds": 2.5}
    with pytest.raises(SimAdminError) as refused:
        sim_admin.update_settings(mount_over_media="sometimes")
    assert refused.value.status == 400


def test_admin_not_ready_and_gate_over_http(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.set_not_ready(VPS_WEB_1, requests=1)
    mount = f"/api/v2/vps/{VPS_WEB_1}/iso/actions/mount"
    assert_problem(api.post(mount, json={"isoId": ISO_UBUNTU_2404}), 409, "vps_not_ready")
    sim_admin.set_gate(VPS_WEB_1, "canMount", allowed=False, reason="Busy.", code="busy")
    assert_problem(api.post(mount, json={"isoId": ISO_UBUNTU_2404}), 409, "busy")
    gate = api.media(VPS_WEB_1)["actions"]["canMount"]
    assert gate == {"allowed": False, "reason": "Busy.", "code": "busy"}


def test_admin_state_is_the_whole_world(sim_admin: SimAdmin) -> None:
    state = sim_admin.state()
    assert {"keys", "vpses", "isos", "jobs"} <= set(state)
    assert VPS_WEB_1 in [v["id"] for v in state["vpses"]]
