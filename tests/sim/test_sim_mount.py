"""Mount and unmount: bodies, pointers, gates, readiness, media replacement, async mode."""

from __future__ import annotations

import time

import pytest
from sim_helpers import Api, assert_problem

from hostup_sim.server import SimServer
from hostup_sim.world import (
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    ISO_OTHER_FEDORA_41,
    ISO_SYSTEMRESCUE,
    ISO_UBUNTU_2404,
    VPS_BUILD_1,
    VPS_DB_1,
    VPS_PENDING_1,
    VPS_SLOW_1,
    VPS_WEB_1,
    VPS_WEB_2,
)


def mount_path(vps_id: str) -> str:
    return f"/api/v2/vps/{vps_id}/iso/actions/mount"


def unmount_path(vps_id: str) -> str:
    return f"/api/v2/vps/{vps_id}/iso/actions/unmount"


def test_mount_defaults_to_ide2_and_shows_in_listing(api: Api) -> None:
    response = api.post(mount_path(VPS_WEB_1), json={"isoId": ISO_UBUNTU_2404})
    assert response.status_code == 200
    assert response.json() == {"device": "ide2", "isoId": ISO_UBUNTU_2404}
    media = api.media(VPS_WEB_1)
    assert media["mounted"] == [
        {"device": "ide2", "isoId": ISO_UBUNTU_2404, "mounted": True, "isCloudInit": False}
    ]
    assert media["availableDevices"][0]["inUse"] is True
    assert media["bootOrder"] == {"order": ["ide2", "scsi0", "net0"]}


def test_mount_same_iso_again_is_a_no_op(api: Api) -> None:
    body = {"isoId": ISO_DEBIAN_12, "device": "ide2"}
    assert api.post(mount_path(VPS_WEB_2), json=body).status_code == 200
    assert api.mounted(VPS_WEB_2) == {"ide2": ISO_DEBIAN_12}


def test_mount_over_media_replaces_by_default(api: Api) -> None:
    response = api.post(mount_path(VPS_WEB_2), json={"isoId": ISO_ALPINE_320})
    assert response.status_code == 200
    assert api.mounted(VPS_WEB_2) == {"ide2": ISO_ALPINE_320}


def test_mount_over_media_conflicts_when_switched(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(mount_over_media="conflict")
    response = api.post(mount_path(VPS_WEB_2), json={"isoId": ISO_ALPINE_320})
    body = assert_problem(response, 409, "media_present")
    assert ISO_DEBIAN_12 in body["detail"]
    assert api.mounted(VPS_WEB_2) == {"ide2": ISO_DEBIAN_12}
    # The same ISO is still fine, and an empty device takes media as usual.
    assert api.post(mount_path(VPS_WEB_2), json={"isoId": ISO_DEBIAN_12}).status_code == 200


def test_mount_on_other_slots_of_a_vps(api: Api) -> None:
    for device, iso in (("ide1", ISO_UBUNTU_2404), ("ide3", ISO_SYSTEMRESCUE)):
        response = api.post(mount_path(VPS_BUILD_1), json={"isoId": iso, "device": device})
        assert response.status_code == 200, response.text
    assert api.mounted(VPS_BUILD_1) == {"ide1": ISO_UBUNTU_2404, "ide3": ISO_SYSTEMRESCUE}
    in_use = {d["device"]: d["inUse"] for d in api.media(VPS_BUILD_1)["availableDevices"]}
    assert in_use == {"ide1": True, "ide2": False, "ide3": True}


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        ({}, ["/isoId"]),
        ({"isoId": 7}, ["/isoId"]),
        ({"isoId": ISO_UBUNTU_2404, "device": "ide9"}, ["/device"]),
        ({"isoId": ISO_UBUNTU_2404, "device": None}, ["/device"]),
        ({"device": "sata0"}, ["/isoId", "/device"]),
        ({"isoId": "iso_00000000000000000000000000"}, ["/isoId"]),
        ({"isoId": ISO_OTHER_FEDORA_41}, ["/isoId"]),  # another account's library
        ({"isoId": ISO_UBUNTU_2404, "device": "ide1"}, ["/device"]),  # no such slot
    ],
)
def test_mount_invalid_body_points_at_the_field(
    api: Api, body: dict[str, object], pointers: list[str]
) -> None:
    problem = assert_problem(
        api.post(mount_path(VPS_WEB_1), json=body), 400, "invalid_request", pointers
    )
    assert all(e["code"] and e["detail"] for e in problem["errors"])
    assert api.mounted(VPS_WEB_1) == {}


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"isoId": }'])
def test_mount_malformed_json_is_400(api: Api, raw: bytes) -> None:
    response = api.post(
        mount_path(VPS_WEB_1), data=raw, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "invalid_request")


def test_mount_body_must_be_an_object(api: Api) -> None:
    response = api.post(mount_path(VPS_WEB_1), json=[ISO_UBUNTU_2404])
    assert_problem(response, 400, "invalid_request", [""])


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (mount_path(VPS_DB_1), {"isoId": ISO_UBUNTU_2404, "device": "ide0"}),
        (unmount_path(VPS_DB_1), {"device": "ide0"}),
    ],
    ids=["mount", "unmount"],
)
def test_mount_and_unmount_refuse_the_cloud_init_drive(
    api: Api, path: str, body: dict[str, str]
) -> None:
    problem = assert_problem(api.post(path, json=body), 400, "invalid_request", ["/device"])
    assert problem["errors"][0]["code"] == "cloud_init_drive"
    assert any(m["isCloudInit"] for m in api.media(VPS_DB_1)["mounted"])


def test_mount_closed_gate_answers_409_with_its_code(api: Api) -> None:
    response = api.post(mount_path(VPS_PENDING_1), json={"isoId": ISO_UBUNTU_2404})
    problem = assert_problem(response, 409, "pending_order")
    assert problem["detail"] == api.media(VPS_PENDING_1)["actions"]["canMount"]["reason"]


def test_mount_gate_can_be_closed_and_opened_at_runtime(api: Api, sim: SimServer) -> None:
    sim.store.backend.set_gate(
        VPS_WEB_1, "canMount", allowed=False, reason="Locked.", code="locked"
    )
    assert_problem(api.post(mount_path(VPS_WEB_1), json={"isoId": ISO_ALPINE_320}), 409, "locked")
    sim.store.backend.set_gate(VPS_WEB_1, "canMount", allowed=True)
    assert api.post(mount_path(VPS_WEB_1), json={"isoId": ISO_ALPINE_320}).status_code == 200


def test_mount_slow_vps_is_not_ready_for_its_first_requests(api: Api) -> None:
    body = {"isoId": ISO_ALPINE_320}
    for _ in range(2):  # Settings.slow_requests
        assert_problem(api.post(mount_path(VPS_SLOW_1), json=body), 409, "vps_not_ready")
    # Reads never answer vps_not_ready.
    assert api.mounted(VPS_SLOW_1) == {}
    assert api.post(mount_path(VPS_SLOW_1), json=body).status_code == 200


def test_mount_not_ready_for_a_time_window(api: Api, sim: SimServer) -> None:
    sim.store.backend.set_not_ready(VPS_WEB_1, seconds=0.3)
    body = {"isoId": ISO_ALPINE_320}
    assert_problem(api.post(mount_path(VPS_WEB_1), json=body), 409, "vps_not_ready")
    assert_problem(api.post(unmount_path(VPS_WEB_1), json={}), 409, "vps_not_ready")
    time.sleep(0.35)
    assert api.post(mount_path(VPS_WEB_1), json=body).status_code == 200


def test_mount_async_mode_answers_202_and_mounts_when_the_job_ends(
    api: Api, sim: SimServer
) -> None:
    sim.store.update_settings(mount_response="async", job_seconds=0.3)
    response = api.post(mount_path(VPS_WEB_1), json={"isoId": ISO_ALPINE_320})
    assert response.status_code == 202
    operation = response.json()["operation"]
    assert operation["status"] == "queued"
    assert operation["pollUrl"] == f"/api/jobs/{operation['jobId']}"
    assert api.mounted(VPS_WEB_1) == {}
    deadline = time.monotonic() + 5
    while True:
        data = api.get(operation["pollUrl"]).json()["data"]
        if data["isCompleted"] or data["isFailed"]:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert data["status"] == "completed"
    assert data["result"] == {"device": "ide2", "isoId": ISO_ALPINE_320}
    assert api.mounted(VPS_WEB_1) == {"ide2": ISO_ALPINE_320}


def test_unmount_removes_the_medium_and_echoes_the_device(api: Api) -> None:
    response = api.post(unmount_path(VPS_WEB_2), json={"device": "ide2"})
    assert response.status_code == 200
    assert response.json() == {"device": "ide2"}
    media = api.media(VPS_WEB_2)
    assert media["mounted"] == []
    assert media["availableDevices"][0]["inUse"] is False


def test_unmount_without_device_means_ide2(api: Api) -> None:
    assert api.post(unmount_path(VPS_WEB_2), json={}).json() == {"device": "ide2"}
    assert api.post(unmount_path(VPS_WEB_2)).status_code == 200  # empty body too
    assert api.mounted(VPS_WEB_2) == {}


def test_unmount_empty_device_answers_200(api: Api) -> None:
    assert api.post(unmount_path(VPS_WEB_1), json={"device": "ide2"}).status_code == 200


def test_unmount_restores_boot_order(api: Api) -> None:
    api.post(mount_path(VPS_WEB_1), json={"isoId": ISO_UBUNTU_2404})
    api.post(unmount_path(VPS_WEB_1), json={})
    assert api.media(VPS_WEB_1)["bootOrder"] == {"order": ["scsi0", "net0"]}


@pytest.mark.parametrize("device", ["ide7", "IDE2", 2])
def test_unmount_invalid_device_is_400(api: Api, device: object) -> None:
    assert_problem(
        api.post(unmount_path(VPS_WEB_2), json={"device": device}),
        400,
        "invalid_request",
        ["/device"],
    )
