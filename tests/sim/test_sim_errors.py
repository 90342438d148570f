"""RFC 7807 problem bodies, unknown routes, and the contract checker itself."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sim_helpers import Api, assert_problem

from hostup_sim import problems
from hostup_sim.admin import SimAdmin, SimAdminError
from hostup_sim.problems import ApiProblem
from hostup_sim.server import SimServer
from hostup_sim.world import ISO_UBUNTU_2404, VPS_WEB_1


def test_problem_has_every_rfc7807_field(api: Api) -> None:
    path = f"/api/v2/vps/{VPS_WEB_1}/iso/actions/mount"
    response = api.post(path, json={"device": "ide2"})
    body = assert_problem(response, 400, "invalid_request", ["/isoId"])
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == path
    assert body["requestId"] == response.headers["X-Request-Id"]
    assert body["errors"] == [
        {"pointer": "/isoId", "detail": "isoId is required.", "code": "missing_required"}
    ]


def test_problem_request_ids_are_fresh_per_request(api: Api) -> None:
    ids = {api.get("/api/v2/vps/vps_nope/iso").json()["requestId"] for _ in range(5)}
    assert len(ids) == 5


def test_problem_without_field_errors_has_no_errors_member(api: Api) -> None:
    body = assert_problem(api.get("/api/v2/vps/vps_nope/iso"), 404, "vps_not_found")
    assert "errors" not in body


def test_unknown_route_is_a_not_found_problem(api: Api) -> None:
    for path in ("/api/v2/servers", "/api/v3/vps", "/api", "/api/v2/vps/x/iso/actions/eject"):
        body = assert_problem(api.get(path), 404, "not_found")
        assert body["instance"] == path


def test_unknown_route_answers_before_auth(api: Api) -> None:
    assert_problem(api.as_key(None).get("/api/v2/servers"), 404, "not_found")


def test_wrong_method_is_405_problem(api: Api) -> None:
    response = api.delete("/api/v2/vps")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_successful_responses_carry_a_request_id(api: Api) -> None:
    response = api.get("/api/v2/vps")
    assert response.headers["X-Request-Id"].startswith("req_")
    assert response.headers["Content-Type"] == "application/json"


def test_job_envelope_request_id_matches_the_header(api: Api) -> None:
    started = api.post(
        f"/api/v2/vps/{VPS_WEB_1}/iso/actions/from-url",
        json={"url": "https://example.com/x.iso", "filename": "x.iso"},
    ).json()
    response = api.get(started["operation"]["pollUrl"])
    assert response.json()["requestId"] == response.headers["X-Request-Id"]


@pytest.mark.sim_no_contract
def test_contract_checker_rejects_an_off_contract_body(
    sim: SimServer, api: Api, contract: Any
) -> None:
    api.post(f"/api/v2/vps/{VPS_WEB_1}/iso/actions/mount", json={"isoId": ISO_UBUNTU_2404})
    api.get(f"/api/v2/vps/{VPS_WEB_1}/iso")
    good = sim.store.exchanges()
    assert [e.operation for e in good] == ["mountVpsIso", "listVpsIsoMedia"]
    for exchange in good:
        contract.check_exchange(exchange)
    listing = good[1]
    broken = listing.response_body.replace(b'"mounted": [', b'"mounted": 3, "x": [')
    with pytest.raises(AssertionError):
        contract.check_exchange(dataclasses.replace(listing, response_body=broken))
    with pytest.raises(AssertionError, match="not declared"):
        contract.check_exchange(dataclasses.replace(listing, status=418))


def test_options_is_not_part_of_the_api(api: Api) -> None:
    assert_problem(api.request("OPTIONS", "/api/v2/vps"), 405, "method_not_allowed")


def test_contract_checks_a_requests_response(api: Api, contract: Any) -> None:
    contract.check_requests(api.get("/api/v2/vps", params={"limit": 2}), "listVps")
    contract.check_requests(api.get("/api/v2/vps/vps_nope/iso"), "listVpsIsoMedia")


def test_each_error_code_has_one_problem_class() -> None:
    classes = [
        c
        for c in vars(problems).values()
        if isinstance(c, type) and issubclass(c, ApiProblem) and c is not ApiProblem
    ]
    fixed = [c.code for c in classes if c is not problems.GateClosed]  # its code is the gate's
    assert len(fixed) == len(set(fixed))


def test_vps_not_found_reads_the_same_from_the_api_and_the_dashboard(
    api: Api, sim_admin: SimAdmin
) -> None:
    from_api = assert_problem(api.get("/api/v2/vps/vps_gone/iso"), 404, "vps_not_found")
    with pytest.raises(SimAdminError) as from_drift:
        sim_admin.drift_unmount("vps_gone")
    assert from_drift.value.body["code"] == "vps_not_found"
    assert from_drift.value.body["detail"] == from_api["detail"]
    assert from_drift.value.body["title"] == from_api["title"]
