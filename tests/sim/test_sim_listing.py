"""GET /api/v2/vps (pages, filters) and GET /api/v2/vps/{id}/iso (the media state)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_helpers import Api, assert_problem

from hostup_sim import wire
from hostup_sim.admin import SimAdmin
from hostup_sim.problems import ApiProblem
from hostup_sim.store import HostupStore
from hostup_sim.world import (
    ACCOUNT_DEMO,
    ISO_DEBIAN_12,
    ISO_OTHER_FEDORA_41,
    ISO_TOOLS,
    ISO_UBUNTU_2404,
    VPS_BARE_1,
    VPS_BUILD_1,
    VPS_DB_1,
    VPS_PENDING_1,
    VPS_WEB_1,
    VPS_WEB_2,
    extra_vps_id,
)


def test_list_vps_returns_documented_fields(api: Api) -> None:
    body = api.get("/api/v2/vps").json()
    web1 = next(v for v in body["data"] if v["id"] == VPS_WEB_1)
    assert web1 == {
        "id": VPS_WEB_1,
        "name": "web-1",
        "primaryIp": "203.0.113.10",
        "serviceStatus": "active",
        "powerState": "running",
    }
    assert body["nextCursor"] is None
    assert body["hasMore"] is False
    pending = next(v for v in body["data"] if v["id"] == VPS_PENDING_1)
    assert pending["primaryIp"] is None


def test_list_vps_pages_with_an_opaque_cursor(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.reset(extra_vps=23)
    try:
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params = {"limit": 10} | ({"cursor": cursor} if cursor else {})
            body = api.get("/api/v2/vps", params=params).json()
            seen += [v["id"] for v in body["data"]]
            pages += 1
            assert body["hasMore"] is (body["nextCursor"] is not None)
            cursor = body["nextCursor"]
            if cursor is None:
                break
        assert pages == 3  # 7 demo VPSes + 23 load VPSes, 10 a page
        assert len(seen) == len(set(seen)) == 30
        assert extra_vps_id(23) in seen
    finally:
        sim_admin.reset(extra_vps=0)


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5"])
def test_list_vps_limit_outside_1_to_100_is_400(api: Api, limit: str) -> None:
    assert_problem(
        api.get("/api/v2/vps", params={"limit": limit}), 400, "invalid_request", ["/limit"]
    )


@pytest.mark.parametrize("limit", ["1", "100"])
def test_list_vps_limit_bounds_are_accepted(api: Api, limit: str) -> None:
    body = api.get("/api/v2/vps", params={"limit": limit}).json()
    assert len(body["data"]) == min(int(limit), 7)


def test_list_vps_rejects_a_forged_cursor(api: Api) -> None:
    assert_problem(api.get("/api/v2/vps?cursor=nonsense!"), 400, "invalid_request", ["/cursor"])


def test_list_vps_filters_by_name_case_insensitively_and_ip(api: Api) -> None:
    assert [v["id"] for v in api.get("/api/v2/vps?name=WEB-2").json()["data"]] == [VPS_WEB_2]
    assert api.get("/api/v2/vps?name=web").json()["data"] == []  # exact, not a prefix
    by_ip = api.get("/api/v2/vps", params={"primaryIp": "203.0.113.20"}).json()["data"]
    assert [v["id"] for v in by_ip] == [VPS_DB_1]


def test_list_iso_media_lists_the_account_library(api: Api) -> None:
    media = api.media(VPS_WEB_1)
    ids = [iso["id"] for iso in media["available"]]
    assert ISO_UBUNTU_2404 in ids
    assert ISO_OTHER_FEDORA_41 not in ids
    tools = next(iso for iso in media["available"] if iso["id"] == ISO_TOOLS)
    assert tools["displayName"] is None
    assert tools["format"] is None
    assert media["actions"]["canMount"] == {"allowed": True, "reason": None, "code": None}


def test_list_iso_media_shows_the_seeded_mount(api: Api) -> None:
    media = api.media(VPS_WEB_2)
    assert media["mounted"] == [
        {"device": "ide2", "isoId": ISO_DEBIAN_12, "mounted": True, "isCloudInit": False}
    ]
    assert media["availableDevices"] == [
        {"device": "ide2", "type": "existing_cdrom", "description": "CD/DVD 3", "inUse": True}
    ]
    assert media["bootOrder"] is None


def test_list_iso_media_shows_cloud_init_drive_outside_available_devices(api: Api) -> None:
    media = api.media(VPS_DB_1)
    assert {"device": "ide0", "isoId": None, "mounted": True, "isCloudInit": True} in media[
        "mounted"
    ]
    assert [d["device"] for d in media["availableDevices"]] == ["ide2"]


def test_list_iso_media_of_vps_without_cd_slots(api: Api) -> None:
    media = api.media(VPS_BARE_1)
    assert media["availableDevices"] == []
    assert media["mounted"] == []


def test_list_iso_media_pending_vps_has_closed_mount_gate(api: Api) -> None:
    gate = api.media(VPS_PENDING_1)["actions"]["canMount"]
    assert gate["allowed"] is False
    assert gate["code"] == "pending_order"
    assert gate["reason"]


_actions = st.lists(
    st.tuples(
        st.sampled_from(["mount", "unmount", "drift_mount", "drift_unmount", "attach"]),
        st.sampled_from(["ide0", "ide1", "ide2", "ide3"]),
        st.sampled_from([ISO_UBUNTU_2404, ISO_DEBIAN_12, ISO_TOOLS]),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(actions=_actions, vps_id=st.sampled_from([VPS_BUILD_1, VPS_DB_1, VPS_BARE_1]))
def test_list_iso_media_in_use_always_matches_mounted(
    actions: list[tuple[str, str, str]], vps_id: str
) -> None:
    store = HostupStore()
    backend = store.backend
    for action, device, iso_id in actions:
        try:
            if action == "mount":
                backend.mount_vps_iso(ACCOUNT_DEMO, vps_id, iso_id, device)
            elif action == "unmount":
                backend.unmount_vps_iso(ACCOUNT_DEMO, vps_id, device)
            elif action == "attach":
                backend.attach_empty_cdrom(ACCOUNT_DEMO, vps_id, device)
            elif action == "drift_mount":
                store.drift_mount(vps_id, device, iso_id)
            else:
                store.drift_unmount(vps_id, device)
        except ApiProblem as problem:
            refused = problem.status
            assert refused in (400, 409)
        media = wire.media_listing(backend.list_vps_iso_media(ACCOUNT_DEMO, vps_id))
        iso_mounts = {m["device"] for m in media["mounted"] if not m["isCloudInit"]}
        in_use = {d["device"] for d in media["availableDevices"] if d["inUse"]}
        assert iso_mounts == in_use
        assert iso_mounts <= {d["device"] for d in media["availableDevices"]}
        order = (media["bootOrder"] or {"order": []})["order"]
        assert len(order) == len(set(order))
