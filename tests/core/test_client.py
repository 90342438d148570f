"""HostupClient: one method per operation, paging, jobs, path safety, the contract."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest

from harness.scripted_api import (
    API_KEY,
    CONTRACT_PATH,
    ISO_ID,
    ISO_PATH,
    JOB_ID,
    VPS_ID,
    FakeClock,
    ScriptedServer,
    load_fixture,
    ok,
    problem,
)
from hostup.client import HostupClient, path_segment_problem, validate_path_segment
from hostup.errors import (
    DeadlineExceededError,
    InvalidArgumentError,
    InvalidPathSegmentError,
    NotFoundError,
    OperationFailedError,
    ServerError,
    TransportError,
)
from hostup.models import DeviceResult, IsoMedia, MountResult, Operation

MEDIA = load_fixture("listVpsIsoMedia.200.json")
QUEUED = load_fixture("constructed/operation.202.queued.json")
COMPLETED = load_fixture("constructed/operation.200.completed.json")
JOB_PATH = f"/api/jobs/{JOB_ID}"


def _job(state: str, **flags: Any) -> dict[str, Any]:
    return {
        "success": True,
        "requestId": "req_j",
        "data": {"jobId": JOB_ID, "state": state, **flags},
    }


def _vps(n: int) -> dict[str, Any]:
    return {"id": f"vps_{n:026d}", "name": f"web-{n}", "primaryIp": None}


# -- listing -------------------------------------------------------------------------


def test_client_list_vps_follows_cursors_across_pages(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.script(
        "GET",
        "/api/v2/vps",
        ok({"data": [_vps(1), _vps(2)], "nextCursor": "c1", "hasMore": True}),
        ok({"data": [_vps(3)], "nextCursor": "c2"}),
        ok({"data": [_vps(4)], "nextCursor": None, "hasMore": False}),
    )
    pages = client.list_vps(name="web", primary_ip="203.0.113.1", page_size=2)
    assert server.count() == 0  # lazy until iterated
    assert [v.id for v in pages] == [_vps(n)["id"] for n in (1, 2, 3, 4)]
    queries = [parse_qs(r.query) for r in server.received]
    assert [q.get("cursor") for q in queries] == [None, ["c1"], ["c2"]]
    assert all(q["limit"] == ["2"] for q in queries)
    assert all(q["name"] == ["web"] and q["primaryIp"] == ["203.0.113.1"] for q in queries)


def test_client_list_vps_stops_on_has_more_false(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.script(
        "GET", "/api/v2/vps", ok({"data": [_vps(1)], "nextCursor": "c", "hasMore": False})
    )
    assert len(list(client.list_vps())) == 1
    assert server.count() == 1


def test_client_list_vps_refuses_a_cursor_loop(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.always("GET", "/api/v2/vps", ok({"data": [_vps(1)], "nextCursor": "same"}))
    with pytest.raises(TransportError):
        list(client.list_vps())
    assert server.count() == 2


@pytest.mark.parametrize("size", [0, 101])
def test_client_list_vps_page_size_bounds(
    server: ScriptedServer, client: HostupClient, size: int
) -> None:
    with pytest.raises(InvalidArgumentError):
        client.list_vps(page_size=size)
    assert server.count() == 0


def test_client_get_iso_media(server: ScriptedServer, client: HostupClient) -> None:
    server.script("GET", ISO_PATH, ok(MEDIA))
    assert client.get_iso_media(VPS_ID) == IsoMedia.model_validate(MEDIA)


def test_client_get_iso_media_of_a_missing_vps(
    server: ScriptedServer, client: HostupClient
) -> None:
    body = load_fixture("constructed/problem.vps_not_found.json")
    server.script("GET", ISO_PATH, problem(404, "vps_not_found", body["detail"]))
    with pytest.raises(NotFoundError) as info:
        client.get_iso_media(VPS_ID)
    assert (info.value.code, info.value.vps_id) == ("vps_not_found", VPS_ID)


# -- actions -------------------------------------------------------------------------


def test_client_mount_iso_200(server: ScriptedServer, client: HostupClient) -> None:
    server.script("POST", f"{ISO_PATH}/actions/mount", ok({"device": "ide1", "isoId": ISO_ID}))
    assert client.mount_iso(VPS_ID, ISO_ID, "ide1") == MountResult(device="ide1", iso_id=ISO_ID)
    assert server.received[0].json() == {"isoId": ISO_ID, "device": "ide1"}


def test_client_mount_iso_202_operation(server: ScriptedServer, client: HostupClient) -> None:
    server.script("POST", f"{ISO_PATH}/actions/mount", ok(QUEUED, status=202))
    answer = client.mount_iso(VPS_ID, ISO_ID)
    assert isinstance(answer, Operation)
    assert (answer.status, answer.poll_url) == ("queued", JOB_PATH)


@pytest.mark.parametrize(
    ("iso_id", "device"), [(ISO_ID, "ide4"), (ISO_ID, "sata0"), ("", "ide2"), (ISO_ID, None)]
)
def test_client_mount_iso_bad_arguments_send_nothing(
    server: ScriptedServer, client: HostupClient, iso_id: str, device: Any
) -> None:
    with pytest.raises(InvalidArgumentError):
        client.mount_iso(VPS_ID, iso_id, device)
    assert server.count() == 0


def test_client_unmount_iso(server: ScriptedServer, client: HostupClient) -> None:
    server.script("POST", f"{ISO_PATH}/actions/unmount", ok({"device": "ide2"}))
    assert client.unmount_iso(VPS_ID) == DeviceResult(device="ide2")
    assert server.received[0].json() == {"device": "ide2"}


def test_client_attach_empty_cdrom(server: ScriptedServer, client: HostupClient) -> None:
    path = f"{ISO_PATH}/actions/attach-empty"
    server.script("POST", path, ok({"device": "ide3"}), ok({"device": "ide1"}))
    assert client.attach_empty_cdrom(VPS_ID).device == "ide3"
    assert client.attach_empty_cdrom(VPS_ID, "ide1").device == "ide1"
    assert [r.json() for r in server.received] == [{}, {"device": "ide1"}]


def test_client_download_iso_from_url(server: ScriptedServer, client: HostupClient) -> None:
    path = f"{ISO_PATH}/actions/from-url"
    server.script("POST", path, ok(QUEUED, status=202), ok(COMPLETED))
    queued = client.download_iso_from_url(VPS_ID, "https://example.com/a.iso.gz", "a.iso", "gzip")
    assert (queued.status, queued.job_id) == ("queued", JOB_ID)
    done = client.download_iso_from_url(VPS_ID, "https://example.com/a.iso", "a.iso")
    assert done.is_completed
    assert done.poll_url is None
    assert [r.json() for r in server.received] == [
        {"url": "https://example.com/a.iso.gz", "filename": "a.iso", "decompress": "gzip"},
        {"url": "https://example.com/a.iso", "filename": "a.iso"},
    ]


@pytest.mark.parametrize(
    ("url", "filename", "decompress"),
    [
        ("ftp://example.com/a.iso", "a.iso", None),
        ("example.com/a.iso", "a.iso", None),
        ("https://example.com/a.iso", " ", None),
        ("https://example.com/a.iso", "a.iso", "rar"),
    ],
)
def test_client_download_bad_arguments_send_nothing(
    server: ScriptedServer, client: HostupClient, url: str, filename: str, decompress: Any
) -> None:
    with pytest.raises(InvalidArgumentError):
        client.download_iso_from_url(VPS_ID, url, filename, decompress)
    assert server.count() == 0


def test_client_delete_iso_media_quotes_the_volid(
    server: ScriptedServer, client: HostupClient
) -> None:
    volid = "local:iso@x.iso"
    server.script("DELETE", f"{ISO_PATH}/local%3Aiso%40x.iso", ok(None, status=204))
    client.delete_iso_media(VPS_ID, volid)
    assert server.received[0].path == f"{ISO_PATH}/local%3Aiso%40x.iso"


# -- jobs ----------------------------------------------------------------------------


def test_client_get_job_by_id_and_by_poll_url(server: ScriptedServer, client: HostupClient) -> None:
    server.always("GET", JOB_PATH, ok(_job("active", isRunning=True, progress=40)))
    by_id = client.get_job(JOB_ID)
    by_url = client.get_job(JOB_PATH)
    absolute = client.get_job(f"{server.url}{JOB_PATH}")
    assert by_id == by_url == absolute
    assert (by_id.job_id, by_id.progress, by_id.operation_status) == (JOB_ID, 40, "in_progress")
    assert [r.path for r in server.received] == [JOB_PATH] * 3


@pytest.mark.parametrize(
    "ref",
    [
        "https://evil.example/api/jobs/job_1",
        "//evil.example/api/jobs/job_1",
        "http://127.0.0.2/api/jobs/job_1",
        "/api/../v2/vps",
        "/v2/jobs/job_1",
        "/api/jobs/job_1?x=1",
        "/api/jobs/job_1#f",
        "/api/jobs/%2e%2e",
        "/api//jobs",
        "job_1/../x",
        "job 1",
        "",
    ],
)
def test_client_get_job_refuses_foreign_or_odd_poll_urls(
    server: ScriptedServer, client: HostupClient, ref: str
) -> None:
    with pytest.raises(InvalidArgumentError):
        client.get_job(ref)
    assert server.count() == 0


def test_client_get_job_reads_an_operation_shaped_answer(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.script("GET", JOB_PATH, ok(COMPLETED))
    job = client.get_job(JOB_PATH)
    assert job.operation_status == "completed"
    assert job.result == {"volid": ISO_ID}


def test_client_wait_for_operation_polls_until_completed(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    server.script(
        "GET",
        JOB_PATH,
        ok(_job("waiting", isWaiting=True)),
        ok(_job("active", isRunning=True)),
        ok(_job("completed", isCompleted=True, result={"volid": ISO_ID})),
    )
    queued = Operation.model_validate(QUEUED["operation"])
    done = client.wait_for_operation(queued, deadline=60, poll_interval=2.0)
    assert (done.status, done.job_id, done.result) == ("completed", JOB_ID, {"volid": ISO_ID})
    assert server.count() == 3
    assert clock.sleeps == [2.0, 3.0]


def test_client_wait_for_operation_polls_by_job_id_without_poll_url(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.script("GET", JOB_PATH, ok(_job("completed", isCompleted=True)))
    pending = Operation(status="pending", job_id=JOB_ID, poll_url=None)
    assert client.wait_for_operation(pending, deadline=10).is_completed


def test_client_wait_for_operation_failed(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    server.script(
        "GET", JOB_PATH, ok(_job("failed", isFailed=True, result={"error": "404 from origin"}))
    )
    with pytest.raises(OperationFailedError) as info:
        client.wait_for_operation(
            Operation.model_validate(QUEUED["operation"]), deadline=60, vps_id=VPS_ID
        )
    assert (info.value.job_id, info.value.result) == (JOB_ID, {"error": "404 from origin"})
    assert info.value.vps_id == VPS_ID
    assert "404 from origin" in str(info.value)


def test_client_wait_for_operation_deadline(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    server.always("GET", JOB_PATH, ok(_job("active", isRunning=True)))
    started = clock.now
    with pytest.raises(DeadlineExceededError) as info:
        client.wait_for_operation(Operation.model_validate(QUEUED["operation"]), deadline=10)
    assert info.value.deadline == 10
    assert clock.now - started == pytest.approx(10)
    assert "in_progress" in str(info.value)


def test_client_wait_for_terminal_operation_sends_nothing(
    server: ScriptedServer, client: HostupClient
) -> None:
    done = Operation.model_validate(COMPLETED["operation"])
    assert client.wait_for_operation(done, deadline=5) is done
    with pytest.raises(OperationFailedError):
        client.wait_for_operation(
            Operation(status="failed", job_id=JOB_ID, poll_url=None), deadline=5
        )
    assert server.count() == 0


# -- path segments -------------------------------------------------------------------

BAD_SEGMENTS = [
    "ünï",  # ids are ASCII: the one rule of hostup.contract, the provider's too
    "vps_01\uff0fide2",
    "../x",
    "..",
    ".",
    "a/b",
    "a?b",
    "a#b",
    "%2e%2e",
    "a%2Fb",
    "a\\b",
    " x",
    "x ",
    "x y",
    "x\n",
    "x\t",
    "x\x00",
    "x\x7f",
    "\u200bx",
    "x\u2028",
    "",
    "a" * 129,
]


@pytest.mark.parametrize("bad", BAD_SEGMENTS)
def test_client_unsafe_path_segments_raise_before_any_request(
    server: ScriptedServer, client: HostupClient, bad: str
) -> None:
    calls: list[Callable[[], object]] = [
        lambda: client.get_iso_media(bad),
        lambda: client.mount_iso(bad, ISO_ID),
        lambda: client.unmount_iso(bad),
        lambda: client.attach_empty_cdrom(bad),
        lambda: client.download_iso_from_url(bad, "https://example.com/a.iso", "a.iso"),
        lambda: client.delete_iso_media(bad, ISO_ID),
        lambda: client.delete_iso_media(VPS_ID, bad),
    ]
    for call in calls:
        with pytest.raises(InvalidPathSegmentError) as info:
            call()
        assert isinstance(info.value, ValueError)
    assert path_segment_problem(bad) is not None
    assert server.count() == 0


@pytest.mark.parametrize("good", [VPS_ID, "VPS-123", "a.b", "a.b.c", "a" * 128])
def test_client_safe_path_segments_pass(good: str) -> None:
    assert path_segment_problem(good) is None
    assert validate_path_segment(good, "vps_id") == good


def test_client_validate_path_segment_names_the_field() -> None:
    with pytest.raises(InvalidPathSegmentError) as info:
        validate_path_segment("a/b", "vps_id")
    assert "vps_id" in str(info.value)
    assert "'/'" in str(info.value)
    assert path_segment_problem(42) == "must be a string, not int"


@given(st.text(max_size=40))
def test_client_any_accepted_segment_stays_one_segment(value: str) -> None:
    if path_segment_problem(value) is not None:
        return
    quoted = quote(value, safe="")
    assert not any(ch in quoted for ch in "/?#\\ ")
    assert unquote(quoted) == value
    assert value not in (".", "..")


# -- the client as a whole -----------------------------------------------------------


def test_client_every_method_takes_a_deadline() -> None:
    for name in (
        "list_vps",
        "get_iso_media",
        "mount_iso",
        "unmount_iso",
        "attach_empty_cdrom",
        "download_iso_from_url",
        "delete_iso_media",
        "get_job",
        "wait_for_operation",
    ):
        parameter = inspect.signature(getattr(HostupClient, name)).parameters["deadline"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name


def test_client_deadline_override_applies(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    server.always("GET", ISO_PATH, problem(503, "upstream_failed"))
    with pytest.raises(ServerError):
        client.get_iso_media(VPS_ID, deadline=0.5)
    assert clock.sleeps == [0.25]  # the next 0.5 s wait would pass 0.5 s


def test_client_requests_match_the_contract(server: ScriptedServer, client: HostupClient) -> None:
    """Every request the client sends validates against openapi.yaml (openapi-core)."""
    server.always("GET", "/api/v2/vps", ok({"data": [_vps(1)], "nextCursor": None}))
    server.always("GET", ISO_PATH, ok(MEDIA))
    server.always("POST", f"{ISO_PATH}/actions/mount", ok({"device": "ide2", "isoId": ISO_ID}))
    server.always("POST", f"{ISO_PATH}/actions/unmount", ok({"device": "ide2"}))
    server.always("POST", f"{ISO_PATH}/actions/attach-empty", ok({"device": "ide3"}))
    server.always("POST", f"{ISO_PATH}/actions/from-url", ok(QUEUED, status=202))
    server.always("DELETE", f"{ISO_PATH}/{ISO_ID}", ok(None, status=204))
    server.always("GET", JOB_PATH, ok(_job("completed", isCompleted=True)))

    list(client.list_vps(name="web-1", page_size=50))
    client.get_iso_media(VPS_ID)
    client.mount_iso(VPS_ID, ISO_ID, "ide2")
    client.unmount_iso(VPS_ID, "ide2")
    client.attach_empty_cdrom(VPS_ID)
    client.attach_empty_cdrom(VPS_ID, "ide3")
    client.download_iso_from_url(VPS_ID, "https://example.com/a.iso", "a.iso", "none")
    client.delete_iso_media(VPS_ID, ISO_ID)
    client.get_job(JOB_ID)

    spec = OpenAPI.from_file_path(str(CONTRACT_PATH))
    assert len(server.received) == 9
    for received in server.received:
        assert received.headers["Authorization"] == f"Bearer {API_KEY}"
        args = {k: v[0] for k, v in parse_qs(received.query).items()}
        spec.validate_request(
            MockRequest(
                "https://cloud.hostup.se",
                received.method,
                received.path,
                args=args,
                headers=dict(received.headers),
                data=received.body or None,
                content_type=received.headers.get("Content-Type", "application/json"),
            )
        )
        if received.body:
            assert received.headers["Content-Type"] == "application/json"
            json.loads(received.body)
