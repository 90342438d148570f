"""The request log: one record per /api request, key ids only, readable over HTTP."""

from __future__ import annotations

import json

from sim_helpers import Api

from hostup_sim.admin import SimAdmin
from hostup_sim.server import SimServer
from hostup_sim.world import (
    DEMO_API_KEY,
    ISO_UBUNTU_2404,
    KEY_ID_DEMO,
    KEY_ID_READONLY,
    READONLY_API_KEY,
    VPS_WEB_1,
)


def test_request_log_records_each_api_request(api: Api, sim: SimServer) -> None:
    listing = api.get("/api/v2/vps", params={"limit": 5})
    mount = api.post(f"/api/v2/vps/{VPS_WEB_1}/iso/actions/mount", json={"isoId": ISO_UBUNTU_2404})
    denied = api.as_key(READONLY_API_KEY).post(
        f"/api/v2/vps/{VPS_WEB_1}/iso/actions/unmount", json={}
    )
    records = sim.store.request_log()
    assert [(r.method, r.path, r.status, r.operation, r.key_id) for r in records] == [
        ("GET", "/api/v2/vps", 200, "listVps", KEY_ID_DEMO),
        ("POST", f"/api/v2/vps/{VPS_WEB_1}/iso/actions/mount", 200, "mountVpsIso", KEY_ID_DEMO),
        (
            "POST",
            f"/api/v2/vps/{VPS_WEB_1}/iso/actions/unmount",
            403,
            "unmountVpsIso",
            KEY_ID_READONLY,
        ),
    ]
    assert records[0].query == "limit=5"
    assert records[1].vps_id == VPS_WEB_1
    assert [r.request_id for r in records] == [
        listing.headers["X-Request-Id"],
        mount.headers["X-Request-Id"],
        denied.json()["requestId"],
    ]
    assert [r.seq for r in records] == sorted(r.seq for r in records)
    assert all(r.timestamp.endswith("Z") and r.duration_ms >= 0 for r in records)


def test_request_log_never_holds_a_key(api: Api, sim_admin: SimAdmin) -> None:
    api.get("/api/v2/vps")
    api.as_key("hsim_wrong_key_that_must_not_leak").get("/api/v2/vps")
    api.as_key(READONLY_API_KEY).get(f"/api/v2/vps/{VPS_WEB_1}/iso")
    dumped = json.dumps(sim_admin.log())
    for secret in (DEMO_API_KEY, READONLY_API_KEY, "hsim_wrong_key_that_must_not_leak", "Bearer"):
        assert secret not in dumped
    assert [r["key_id"] for r in sim_admin.log()] == [KEY_ID_DEMO, None, KEY_ID_READONLY]


def test_request_log_skips_the_admin_path(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.faults()
    sim_admin.state()
    assert sim_admin.log() == []


def test_request_log_unknown_route_has_no_operation(api: Api, sim: SimServer) -> None:
    api.get("/api/v2/nowhere")
    record = sim.store.request_log()[-1]
    assert record.operation is None
    assert record.status == 404


def test_request_log_clears(api: Api, sim: SimServer, sim_admin: SimAdmin) -> None:
    api.get("/api/v2/vps")
    sim.store.clear_log()
    assert sim.store.request_log() == []
    api.get("/api/v2/vps")
    sim_admin.clear_log()
    assert sim_admin.log() == []


def test_request_log_over_http_matches_in_process(api: Api, sim: SimServer) -> None:
    api.get("/api/v2/vps")
    api.get(f"/api/v2/vps/{VPS_WEB_1}/iso")
    over_http = SimAdmin(sim.url).log()
    assert over_http == [r.to_json() for r in sim.store.request_log()]
