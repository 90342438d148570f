"""Bearer keys, scopes and account boundaries."""

from __future__ import annotations

import pytest
from sim_helpers import Api, assert_problem

from hostup_sim.world import (
    ISO_ALPINE_320,
    NOSTORAGE_API_KEY,
    OTHER_API_KEY,
    READONLY_API_KEY,
    VPS_OTHER_WEB_1,
    VPS_WEB_1,
)

MOUNT = f"/api/v2/vps/{VPS_WEB_1}/iso/actions/mount"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic aHNpbTp4", "Bearer hsim_not_a_key", "bearer wrong"],
)
def test_auth_missing_or_unknown_key_is_401(api: Api, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = api.as_key(None).get("/api/v2/vps", headers=headers)
    assert_problem(response, 401, "unauthorized")


def test_auth_scheme_is_case_insensitive(api: Api, demo_key: str) -> None:
    response = api.as_key(None).get("/api/v2/vps", headers={"Authorization": f"bearer {demo_key}"})
    assert response.status_code == 200


def test_auth_readonly_key_lists_but_cannot_mount(api: Api) -> None:
    readonly = api.as_key(READONLY_API_KEY)
    assert readonly.get(f"/api/v2/vps/{VPS_WEB_1}/iso").status_code == 200
    body = assert_problem(readonly.post(MOUNT, json={"isoId": ISO_ALPINE_320}), 403, "forbidden")
    assert "write:vm" in body["detail"]
    assert readonly.mounted(VPS_WEB_1) == {}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", f"/api/v2/vps/{VPS_WEB_1}/iso/actions/mount"),
        ("POST", f"/api/v2/vps/{VPS_WEB_1}/iso/actions/unmount"),
        ("POST", f"/api/v2/vps/{VPS_WEB_1}/iso/actions/from-url"),
        ("POST", f"/api/v2/vps/{VPS_WEB_1}/iso/actions/attach-empty"),
        ("DELETE", f"/api/v2/vps/{VPS_WEB_1}/iso/{ISO_ALPINE_320}"),
    ],
)
def test_auth_writes_need_write_storage_scope(api: Api, method: str, path: str) -> None:
    response = api.as_key(NOSTORAGE_API_KEY).request(method, path, json={})
    body = assert_problem(response, 403, "forbidden")
    assert "write:storage" in body["detail"]


def test_auth_other_accounts_vps_looks_like_a_missing_one(api: Api) -> None:
    foreign = assert_problem(api.get(f"/api/v2/vps/{VPS_OTHER_WEB_1}/iso"), 404, "vps_not_found")
    made_up = assert_problem(
        api.get("/api/v2/vps/vps_0000000000000000000000000x/iso"), 404, "vps_not_found"
    )
    assert foreign["title"] == made_up["title"]
    assert foreign["detail"].replace(VPS_OTHER_WEB_1, "ID") == made_up["detail"].replace(
        "vps_0000000000000000000000000x", "ID"
    )


def test_auth_other_account_cannot_mount_on_demo_vps(api: Api) -> None:
    response = api.as_key(OTHER_API_KEY).post(MOUNT, json={"isoId": ISO_ALPINE_320})
    assert_problem(response, 404, "vps_not_found")
    assert api.mounted(VPS_WEB_1) == {}


def test_auth_listing_shows_only_own_vpses(api: Api) -> None:
    other = api.as_key(OTHER_API_KEY).get("/api/v2/vps").json()["data"]
    assert [v["id"] for v in other] == [VPS_OTHER_WEB_1]
    mine = [v["id"] for v in api.get("/api/v2/vps?limit=100").json()["data"]]
    assert VPS_OTHER_WEB_1 not in mine


def test_auth_jobs_of_another_account_are_not_found(api: Api) -> None:
    started = api.post(
        f"/api/v2/vps/{VPS_WEB_1}/iso/actions/from-url",
        json={"url": "https://example.com/x.iso", "filename": "x.iso"},
    )
    poll = started.json()["operation"]["pollUrl"]
    assert_problem(api.as_key(OTHER_API_KEY).get(poll), 404, "not_found")
    assert api.as_key(READONLY_API_KEY).get(poll).status_code == 200


def test_auth_scope_is_checked_before_the_body(api: Api) -> None:
    response = api.as_key(READONLY_API_KEY).post(
        MOUNT, data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 403, "forbidden")


def test_auth_unknown_vps_is_checked_before_the_fields(api: Api) -> None:
    response = api.post("/api/v2/vps/vps_nope/iso/actions/mount", json={"device": "ide9"})
    assert_problem(response, 404, "vps_not_found")
