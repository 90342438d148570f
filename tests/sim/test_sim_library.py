"""The account's ISO library: from-url jobs, job polling, delete, attach-empty."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sim_helpers import Api, assert_problem

from hostup_sim.server import SimServer
from hostup_sim.world import (
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    ISO_UBUNTU_2404,
    OTHER_API_KEY,
    VPS_BARE_1,
    VPS_BUILD_1,
    VPS_DB_1,
    VPS_OTHER_WEB_1,
    VPS_PENDING_1,
    VPS_WEB_1,
    VPS_WEB_2,
)

FROM_URL = f"/api/v2/vps/{VPS_WEB_1}/iso/actions/from-url"
GOOD = {
    "url": "https://example.com/isos/rocky-9.4-minimal.iso",
    "filename": "rocky-9.4-minimal.iso",
}


def poll(api: Api, poll_url: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Every job state seen until a terminal one (inclusive)."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        envelope = api.get(poll_url).json()
        assert envelope["success"] is True
        seen.append(envelope["data"])
        if envelope["data"]["isCompleted"] or envelope["data"]["isFailed"]:
            return seen
        time.sleep(0.03)
    raise AssertionError(f"job did not finish: {seen[-1]}")


def test_from_url_queues_a_job_that_adds_the_iso(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(job_seconds=0.4)
    response = api.post(FROM_URL, json=GOOD | {"decompress": "none"})
    assert response.status_code == 202
    operation = response.json()["operation"]
    assert operation["status"] == "queued"
    assert operation["jobId"].startswith("job_")
    assert operation["pollUrl"] == f"/api/jobs/{operation['jobId']}"
    assert operation["result"] is None
    states = poll(api, operation["pollUrl"])
    statuses = [s["status"] for s in states]
    assert statuses[0] == "queued"
    assert "in_progress" in statuses
    assert statuses[-1] == "completed"
    running = next(s for s in states if s["status"] == "in_progress")
    assert running["isRunning"] is True
    assert running["state"] == "active"
    assert 0 < running["progress"] < 100
    done = states[-1]
    assert done["progress"] == 100
    assert done["state"] == "completed"
    iso_id = done["result"]["isoId"]
    # In the library of every VPS of the account, and of no other account.
    for vps_id in (VPS_WEB_1, VPS_BUILD_1, VPS_DB_1):
        added = [i for i in api.media(vps_id)["available"] if i["id"] == iso_id]
        assert added == [
            {
                "id": iso_id,
                "name": "rocky-9.4-minimal.iso",
                "displayName": "rocky-9.4-minimal",
                "sizeGb": added[0]["sizeGb"],
                "format": "iso",
            }
        ]
    other = api.as_key(OTHER_API_KEY).media(VPS_OTHER_WEB_1)["available"]
    assert iso_id not in [i["id"] for i in other]
    assert api.post(f"/api/v2/vps/{VPS_WEB_1}/iso/actions/mount", json={"isoId": iso_id}).ok


def test_from_url_with_zero_job_time_completes_on_next_poll(api: Api) -> None:
    operation = api.post(FROM_URL, json=GOOD).json()["operation"]
    assert operation["status"] == "queued"
    assert poll(api, operation["pollUrl"])[0]["status"] == "completed"


def test_from_url_failing_download_ends_failed(api: Api) -> None:
    body = {"url": "https://example.com/fail/missing.iso", "filename": "missing.iso"}
    operation = api.post(FROM_URL, json=body).json()["operation"]
    final = poll(api, operation["pollUrl"])[-1]
    assert final["status"] == "failed"
    assert final["isFailed"] is True
    assert final["result"]["code"] == "download_failed"
    names = [i["name"] for i in api.media(VPS_WEB_1)["available"]]
    assert "missing.iso" not in names


def test_from_url_existing_file_answers_200_completed(api: Api) -> None:
    body = {"url": "https://example.com/a.iso", "filename": "debian-12.8.0-amd64-netinst.iso"}
    response = api.post(FROM_URL, json=body)
    assert response.status_code == 200
    operation = response.json()["operation"]
    assert operation["status"] == "completed"
    assert operation["pollUrl"] is None
    assert operation["result"] == {"isoId": ISO_DEBIAN_12, "name": body["filename"]}


def test_from_url_same_file_while_running_returns_the_same_job(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(job_seconds=30)
    first = api.post(FROM_URL, json=GOOD).json()["operation"]
    second = api.post(f"/api/v2/vps/{VPS_BUILD_1}/iso/actions/from-url", json=GOOD)
    assert second.status_code == 202
    assert second.json()["operation"]["jobId"] == first["jobId"]


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        ({}, ["/url", "/filename"]),
        (GOOD | {"url": "ftp://example.com/a.iso"}, ["/url"]),
        (GOOD | {"url": "file:///etc/passwd"}, ["/url"]),
        (GOOD | {"url": "https://"}, ["/url"]),
        (GOOD | {"url": 12}, ["/url"]),
        (GOOD | {"filename": "../../etc/passwd.iso"}, ["/filename"]),
        (GOOD | {"filename": "dir/a.iso"}, ["/filename"]),
        (GOOD | {"filename": "image.img"}, ["/filename"]),
        (GOOD | {"filename": ".iso"}, ["/filename"]),
        (GOOD | {"filename": "a b.iso"}, ["/filename"]),
        (GOOD | {"decompress": "rar"}, ["/decompress"]),
        (
            {"url": "gopher://x", "filename": "x", "decompress": 1},
            ["/url", "/filename", "/decompress"],
        ),
    ],
)
def test_from_url_validation_points_at_the_field(
    api: Api, body: dict[str, Any], pointers: list[str]
) -> None:
    assert_problem(api.post(FROM_URL, json=body), 400, "invalid_request", pointers)


@pytest.mark.parametrize("decompress", ["none", "gzip", "lzo", "zstd", "bzip2"])
def test_from_url_accepts_every_decompress_value(api: Api, decompress: str) -> None:
    response = api.post(FROM_URL, json=GOOD | {"decompress": decompress})
    assert response.status_code == 202


def test_from_url_closed_upload_gate_is_409(api: Api, sim: SimServer) -> None:
    sim.store.backend.set_gate(VPS_WEB_1, "canUpload", allowed=False, reason="Quota.", code="quota")
    assert_problem(api.post(FROM_URL, json=GOOD), 409, "quota")


def test_get_job_unknown_id_is_404(api: Api) -> None:
    assert_problem(api.get("/api/jobs/job_00000000000000000000000000"), 404, "not_found")


def test_get_job_needs_a_key(api: Api) -> None:
    operation = api.post(FROM_URL, json=GOOD).json()["operation"]
    assert_problem(api.as_key(None).get(operation["pollUrl"]), 401, "unauthorized")


def test_delete_iso_media_answers_204_and_removes_it(api: Api) -> None:
    response = api.delete(f"/api/v2/vps/{VPS_WEB_1}/iso/{ISO_ALPINE_320}")
    assert response.status_code == 204
    assert response.content == b""
    assert ISO_ALPINE_320 not in [i["id"] for i in api.media(VPS_BUILD_1)["available"]]
    again = api.delete(f"/api/v2/vps/{VPS_WEB_1}/iso/{ISO_ALPINE_320}")
    assert_problem(again, 404, "not_found")


def test_delete_iso_media_mounted_somewhere_is_409(api: Api) -> None:
    # web-2 has Debian on ide2; deleting it through web-1 still sees that.
    problem = assert_problem(
        api.delete(f"/api/v2/vps/{VPS_WEB_1}/iso/{ISO_DEBIAN_12}"), 409, "iso_in_use"
    )
    assert "web-2" in problem["detail"]


def test_delete_iso_media_of_another_account_is_404(api: Api) -> None:
    response = api.as_key(OTHER_API_KEY).delete(
        f"/api/v2/vps/{VPS_OTHER_WEB_1}/iso/{ISO_UBUNTU_2404}"
    )
    assert_problem(response, 404, "not_found")
    assert ISO_UBUNTU_2404 in [i["id"] for i in api.media(VPS_WEB_1)["available"]]


def test_attach_empty_adds_a_slot(api: Api) -> None:
    path = f"/api/v2/vps/{VPS_BARE_1}/iso/actions/attach-empty"
    assert api.post(path, json={}).json() == {"device": "ide2"}
    assert api.post(path).json() == {"device": "ide3"}
    assert api.post(path, json={"device": "ide0"}).json() == {"device": "ide0"}
    devices = api.media(VPS_BARE_1)["availableDevices"]
    assert [(d["device"], d["inUse"]) for d in devices] == [
        ("ide0", False),
        ("ide2", False),
        ("ide3", False),
    ]
    mount = f"/api/v2/vps/{VPS_BARE_1}/iso/actions/mount"
    assert api.post(mount, json={"isoId": ISO_UBUNTU_2404, "device": "ide3"}).ok


def test_attach_empty_existing_empty_slot_is_idempotent(api: Api) -> None:
    response = api.post(
        f"/api/v2/vps/{VPS_WEB_1}/iso/actions/attach-empty", json={"device": "ide2"}
    )
    assert response.json() == {"device": "ide2"}
    assert len(api.media(VPS_WEB_1)["availableDevices"]) == 1


@pytest.mark.parametrize(
    ("vps_id", "device"), [(VPS_WEB_2, "ide2"), (VPS_DB_1, "ide0")], ids=["media", "cloud-init"]
)
def test_attach_empty_on_used_device_is_409(api: Api, vps_id: str, device: str) -> None:
    response = api.post(f"/api/v2/vps/{vps_id}/iso/actions/attach-empty", json={"device": device})
    assert_problem(response, 409, "device_in_use")


def test_attach_empty_when_every_slot_is_taken_is_409(api: Api) -> None:
    path = f"/api/v2/vps/{VPS_DB_1}/iso/actions/attach-empty"
    # db-1 has ide0 (cloud-init) and ide2: only ide3 and ide1 are left.
    assert [api.post(path).json()["device"] for _ in range(2)] == ["ide3", "ide1"]
    assert_problem(api.post(path), 409, "no_free_device")


def test_attach_empty_respects_the_mount_gate(api: Api) -> None:
    response = api.post(f"/api/v2/vps/{VPS_PENDING_1}/iso/actions/attach-empty", json={})
    assert_problem(response, 409, "pending_order")
