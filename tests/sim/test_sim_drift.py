"""Out-of-band changes: every kind of the one drift table, from every front-end."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest
from sim_helpers import Api, assert_problem, cli

from hostup_sim.admin import SimAdmin, SimAdminError
from hostup_sim.drift import DRIFT_KINDS
from hostup_sim.problems import DeviceEmpty, NotFound
from hostup_sim.server import SimServer
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
    return cli("drift", *args, "--url", url)


def drift_via(
    front_end: str, sim: SimServer, kind: str, vps_id: str, device: str, iso_id: str | None
) -> None:
    """One drift through the store in process, SimAdmin over HTTP, or `hostup-sim drift`."""
    if front_end == "store":
        sim.store.backend.drift(kind, vps_id, device=device, iso_id=iso_id)
    elif front_end == "admin":
        SimAdmin(sim.url).drift(kind, vps_id, device=device, iso_id=iso_id)
    else:
        iso = ["--iso", iso_id] if iso_id else []
        done = drift_cli(sim.url, kind, "--vps", vps_id, "--device", device, *iso)
        assert done.returncode == 0, done.stderr


def _gone(api: Api) -> bool:
    return api.get(f"/api/v2/vps/{VPS_WEB_1}/iso").status_code == 404


def _iso_deleted(api: Api) -> bool:
    available = [i["id"] for i in api.media(VPS_WEB_1)["available"]]
    return api.mounted(VPS_WEB_2) == {} and ISO_DEBIAN_12 not in available


# kind -> (vps, device, iso, how the API shows it happened)
EFFECTS: dict[str, tuple[str, str, str | None, Callable[[Api], bool]]] = {
    "unmount": (VPS_WEB_2, "ide2", None, lambda api: api.mounted(VPS_WEB_2) == {}),
    "mount": (
        VPS_BARE_1,
        "ide1",
        ISO_UBUNTU_2404,
        lambda api: api.mounted(VPS_BARE_1) == {"ide1": ISO_UBUNTU_2404},
    ),
    "swap": (
        VPS_WEB_2,
        "ide2",
        ISO_ALPINE_320,
        lambda api: api.mounted(VPS_WEB_2) == {"ide2": ISO_ALPINE_320},
    ),
    "delete-vps": (VPS_WEB_1, "ide2", None, _gone),
    "delete-iso": (VPS_WEB_1, "ide2", ISO_DEBIAN_12, _iso_deleted),
}


def test_drift_effects_cover_the_whole_table() -> None:
    assert set(EFFECTS) == set(DRIFT_KINDS)
    assert all((EFFECTS[k][2] is not None) == DRIFT_KINDS[k].needs_iso for k in DRIFT_KINDS)


@pytest.mark.parametrize("front_end", ["store", "admin", "cli"])
@pytest.mark.parametrize("kind", list(DRIFT_KINDS))
def test_drift_every_kind_from_every_front_end(
    api: Api, sim: SimServer, front_end: str, kind: str
) -> None:
    vps_id, device, iso_id, happened = EFFECTS[kind]
    drift_via(front_end, sim, kind, vps_id, device, iso_id)
    assert happened(api)
    # Drift is not an API call: the request log holds only the test's own reads.
    assert {r.operation for r in sim.store.request_log()} <= {"listVpsIsoMedia"}


def test_drift_unmount_of_an_empty_device_is_a_no_op(api: Api, sim: SimServer) -> None:
    sim.store.drift_unmount(VPS_WEB_1, "ide2")
    assert api.mounted(VPS_WEB_1) == {}


def test_drift_mount_adds_the_slot_if_needed(api: Api, sim: SimServer) -> None:
    sim.store.drift_mount(VPS_BARE_1, "ide1", ISO_UBUNTU_2404)
    assert api.media(VPS_BARE_1)["availableDevices"] == [
        {"device": "ide1", "type": "existing_cdrom", "description": "CD/DVD 2", "inUse": True}
    ]


def test_drift_swap_needs_media(sim: SimServer) -> None:
    with pytest.raises(DeviceEmpty):
        sim.store.drift_swap(VPS_WEB_1, "ide2", ISO_ALPINE_320)


def test_drift_rejects_isos_of_another_library(sim: SimServer) -> None:
    with pytest.raises(NotFound):
        sim.store.drift_mount(VPS_WEB_1, "ide2", ISO_OTHER_FEDORA_41)


def test_drift_delete_vps_twice_is_404(sim_admin: SimAdmin) -> None:
    sim_admin.drift_delete_vps(VPS_WEB_1)
    with pytest.raises(SimAdminError) as again:
        sim_admin.drift_delete_vps(VPS_WEB_1)
    assert again.value.status == 404


@pytest.mark.parametrize(
    ("kind", "body", "status", "pointers"),
    [
        ("eject", {"vps_id": VPS_WEB_1}, 404, None),
        ("mount", {"vps_id": VPS_WEB_1}, 400, ["/iso_id"]),
        ("unmount", {}, 400, ["/vps_id"]),
        ("unmount", {"vps_id": VPS_WEB_1, "device": "ide9"}, 400, ["/device"]),
    ],
)
def test_drift_admin_path_refuses_what_the_table_does_not_allow(
    api: Api, kind: str, body: dict[str, str], status: int, pointers: list[str] | None
) -> None:
    response = api.as_key(None).post(f"/_sim/drift/{kind}", json=body)
    assert_problem(response, status, "not_found" if status == 404 else "invalid_request", pointers)


def test_drift_cli_reports_refusals(sim: SimServer) -> None:
    done = drift_cli(sim.url, "swap", "--vps", VPS_WEB_1, "--iso", ISO_ALPINE_320)
    assert (done.returncode, "409" in done.stderr) == (1, True)
    missing_iso = drift_cli(sim.url, "mount", "--vps", VPS_WEB_1)
    assert missing_iso.returncode == 2
    unknown = drift_cli(sim.url, "eject", "--vps", VPS_WEB_1)
    assert unknown.returncode == 2
