"""Error answers map to the exception tree, with their fields and a useful message."""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable

import pytest

from harness.scripted_api import (
    API_KEY,
    ISO_ID,
    ISO_PATH,
    VPS_ID,
    Reply,
    ScriptedServer,
    load_fixture,
    ok,
    problem,
)
from hostup import errors
from hostup.client import HostupClient
from hostup.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    DeadlineExceededError,
    FieldError,
    HostupError,
    InvalidArgumentError,
    InvalidPathSegmentError,
    InvalidRequestError,
    NotFoundError,
    OperationFailedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    api_error,
    error_class,
)
from hostup.retry import RetryPolicy

MOUNT_PATH = f"{ISO_PATH}/actions/mount"


@pytest.fixture
def single_shot(make_client: Callable[..., HostupClient], policy: RetryPolicy) -> HostupClient:
    """A client that never retries, so each scripted answer is seen as it is."""
    return make_client(
        retry=RetryPolicy(
            max_attempts=1, sleep=policy.sleep, clock=policy.clock, wall_clock=policy.wall_clock
        )
    )


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "invalid_request", InvalidRequestError),
        (401, "unauthorized", AuthenticationError),
        (403, "forbidden", PermissionDeniedError),
        (404, "not_found", NotFoundError),
        (404, "vps_not_found", NotFoundError),
        (409, "vps_not_ready", ConflictError),
        (409, "pending_order", ConflictError),
        (409, "upstream_failed", ConflictError),
        (429, "rate_limited", RateLimitError),
        (429, "rate_limit_exceeded", RateLimitError),
        (500, None, ServerError),
        (502, "upstream_failed", ServerError),
        (503, "upstream_failed", ServerError),
        (504, None, ServerError),
        # The status decides; a code only refines a status the table does not list.
        (422, "invalid_request", InvalidRequestError),
        (418, None, APIError),
        (400, "vps_not_found", InvalidRequestError),
    ],
)
def test_errors_status_and_code_pick_the_class(
    status: int, code: str | None, expected: type[APIError]
) -> None:
    assert error_class(status, code) is expected
    error = api_error(status=status, code=code)
    assert type(error) is expected
    assert (error.status, error.code) == (status, code)


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "invalid_request", InvalidRequestError),
        (401, "unauthorized", AuthenticationError),
        (403, "forbidden", PermissionDeniedError),
        (404, "vps_not_found", NotFoundError),
        (409, "vps_not_ready", ConflictError),
        (409, "pending_order", ConflictError),
        (429, "rate_limited", RateLimitError),
        (500, "internal_error", ServerError),
        (503, "upstream_failed", ServerError),
    ],
)
def test_errors_wire_answer_maps_with_its_fields(
    server: ScriptedServer,
    single_shot: HostupClient,
    status: int,
    code: str,
    expected: type[APIError],
) -> None:
    server.script(
        "GET", ISO_PATH, problem(status, code, "It went wrong.", request_id="req_0000000000abc")
    )
    with pytest.raises(expected) as info:
        single_shot.get_iso_media(VPS_ID)
    error = info.value
    assert (error.status, error.code, error.detail, error.request_id) == (
        status,
        code,
        "It went wrong.",
        "req_0000000000abc",
    )
    assert (error.operation, error.vps_id, error.attempts) == ("listVpsIsoMedia", VPS_ID, 1)
    assert error.title == "Error"
    text = str(error)
    for part in (
        "listVpsIsoMedia",
        VPS_ID,
        code,
        "It went wrong.",
        "(request id req_0000000000abc)",
    ):
        assert part in text
    assert server.count() == 1


def test_errors_invalid_request_carries_field_pointers(
    server: ScriptedServer, single_shot: HostupClient
) -> None:
    body = load_fixture("constructed/problem.invalid_request.json")
    server.script("POST", MOUNT_PATH, Reply(status=400, json=body))
    with pytest.raises(InvalidRequestError) as info:
        single_shot.mount_iso(VPS_ID, ISO_ID, "ide2")
    error = info.value
    assert error.errors == [
        FieldError(pointer="/isoId", detail="isoId is not in available[].", code="not_found"),
        FieldError(
            pointer="/device",
            detail="device must be one of ide0, ide1, ide2, ide3.",
            code="invalid_enum",
        ),
    ]
    assert error.request_id == "req_01hxa3b4c5d6e7f8g9h0j1k2m3"
    assert "/isoId" in str(error)
    assert "/device" in str(error)


def test_errors_malformed_field_errors_keep_code_and_request_id(
    server: ScriptedServer, single_shot: HostupClient
) -> None:
    body = {
        "status": 400,
        "code": "invalid_request",
        "requestId": "req_x1",
        "errors": [{"pointer": "/isoId"}, "not-an-object"],
        "detail": 17,  # wrong type: dropped, not fatal
    }
    server.script("POST", MOUNT_PATH, Reply(status=400, json=body))
    with pytest.raises(InvalidRequestError) as info:
        single_shot.mount_iso(VPS_ID, ISO_ID)
    assert (info.value.code, info.value.request_id, info.value.detail) == (
        "invalid_request",
        "req_x1",
        None,
    )
    assert [e.pointer for e in info.value.errors] == ["/isoId"]


def test_errors_html_error_page_is_a_server_error_keeping_its_status(
    server: ScriptedServer, single_shot: HostupClient
) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    server.script("GET", ISO_PATH, Reply(status=502, body=page, content_type="text/html"))
    with pytest.raises(ServerError) as info:
        single_shot.get_iso_media(VPS_ID)
    assert (info.value.status, info.value.code) == (502, None)
    assert "text/html" in (info.value.detail or "")


def test_errors_html_404_page_maps_by_status(
    server: ScriptedServer, single_shot: HostupClient
) -> None:
    server.script(
        "GET", ISO_PATH, Reply(status=404, body=b"<h1>nope</h1>", content_type="text/html")
    )
    with pytest.raises(NotFoundError) as info:
        single_shot.get_iso_media(VPS_ID)
    assert info.value.code is None


def test_errors_bad_json_on_200_is_a_transport_error(
    server: ScriptedServer, single_shot: HostupClient
) -> None:
    server.script(
        "GET", ISO_PATH, Reply(status=200, body=b"{not json", content_type="application/json")
    )
    with pytest.raises(TransportError) as info:
        single_shot.get_iso_media(VPS_ID)
    assert info.value.status == 200
    assert not isinstance(info.value, APIError)
    assert server.count() == 1


def test_errors_html_on_200_is_a_transport_error(
    server: ScriptedServer, make_client: Callable[..., HostupClient]
) -> None:
    server.always(
        "GET", ISO_PATH, Reply(status=200, body=b"<html>login</html>", content_type="text/html")
    )
    with pytest.raises(TransportError) as info:
        make_client().get_iso_media(VPS_ID)
    assert "text/html" in str(info.value)
    assert server.count() == 1  # a 200 is never retried


def test_errors_schema_mismatch_on_200_is_a_transport_error(
    server: ScriptedServer, single_shot: HostupClient
) -> None:
    body = load_fixture("listVpsIsoMedia.200.json")
    del body["available"][0]["sizeGb"]
    del body["actions"]
    server.script("GET", ISO_PATH, ok(body))
    with pytest.raises(TransportError) as info:
        single_shot.get_iso_media(VPS_ID)
    text = str(info.value)
    assert "available.0.sizeGb" in text
    assert "actions" in text
    assert "IsoMedia" in text


def test_errors_401_says_where_the_key_comes_from() -> None:
    text = str(api_error(status=401, code="unauthorized", operation="listVps"))
    assert "hostup:apiKey" in text
    assert "HOSTUP_API_KEY" in text


def test_errors_403_names_the_missing_scopes() -> None:
    error = api_error(status=403, code="forbidden", operation="unmountVpsIso", vps_id=VPS_ID)
    assert isinstance(error, PermissionDeniedError)
    assert error.required_scopes == ("write:vm", "write:storage")
    assert "write:vm, write:storage" in str(error)


def test_errors_429_says_how_often_it_retried() -> None:
    error = api_error(status=429, code="rate_limited", retry_after=3.0, attempts=4)
    assert "retried 3 times" in str(error)
    assert error.retry_after == 3.0


def test_errors_conflict_media_present_follows_the_assumption() -> None:
    assert not api_error(status=409, code="vps_not_ready").media_present  # type: ignore[attr-defined]
    assert not api_error(status=409, code="pending_order").media_present  # type: ignore[attr-defined]
    assert api_error(status=409, code="device_in_use").media_present  # type: ignore[attr-defined]
    assert api_error(status=409, code=None).media_present  # type: ignore[attr-defined]


def test_errors_operation_failed_carries_job_and_result() -> None:
    error = OperationFailedError(
        job_id="job_1", result={"error": "checksum mismatch"}, operation="getJob", vps_id=VPS_ID
    )
    assert (error.job_id, error.result) == ("job_1", {"error": "checksum mismatch"})
    assert "checksum mismatch" in str(error)
    assert "job_1" in str(error)


def test_errors_tree_shape() -> None:
    assert issubclass(InvalidPathSegmentError, ConfigurationError)
    assert issubclass(InvalidPathSegmentError, ValueError)
    assert issubclass(InvalidArgumentError, ConfigurationError)
    assert issubclass(DeadlineExceededError, TransportError)
    for cls in (ConfigurationError, TransportError, OperationFailedError, APIError):
        assert cls.__bases__ == (HostupError,)
    for cls in (
        InvalidRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        RateLimitError,
        ServerError,
    ):
        assert cls.__bases__ == (APIError,)


def test_errors_all_lists_the_public_names_and_the_docstring_draws_them() -> None:
    defined = {
        name
        for name, value in vars(errors).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == errors.__name__
    }
    assert set(errors.__all__) == defined | {"FieldError"}
    doc = errors.__doc__ or ""
    for name in defined:
        value = getattr(errors, name)
        if inspect.isclass(value) and issubclass(value, HostupError):
            assert name in doc, f"{name} missing from the tree in the module docstring"


@pytest.mark.parametrize(
    "error",
    [
        api_error(status=400, code="invalid_request", request_id="req_1", operation="mountVpsIso"),
        TransportError("boom", operation="listVps", status=200),
        DeadlineExceededError("late", deadline=5.0, operation="getJob", vps_id=VPS_ID),
        OperationFailedError(job_id="job_1", result={"message": "x"}),
        InvalidPathSegmentError("bad id"),
    ],
)
def test_errors_pickle_round_trip(error: HostupError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.__dict__ == error.__dict__


def test_errors_never_contain_the_key(
    server: ScriptedServer, single_shot: HostupClient, make_client: Callable[..., HostupClient]
) -> None:
    raised: list[BaseException] = []
    for status, code in ((401, "unauthorized"), (403, "forbidden"), (500, None)):
        server.script("GET", ISO_PATH, problem(status, code))
        with pytest.raises(APIError) as info:
            single_shot.get_iso_media(VPS_ID)
        raised.append(info.value)
    server.script("GET", ISO_PATH, Reply(drop=True))
    with pytest.raises(TransportError) as transport:
        single_shot.get_iso_media(VPS_ID)
    raised.append(transport.value)
    with pytest.raises(ConfigurationError) as config:
        make_client(endpoint="http://example.com")
    raised.append(config.value)
    with pytest.raises(ConfigurationError) as bad_key:
        make_client(api_key=API_KEY + "\n")
    raised.append(bad_key.value)
    for error in raised:
        chain: BaseException | None = error
        while chain is not None:
            for text in (str(chain), repr(chain), repr(chain.args)):
                assert API_KEY not in text
            chain = chain.__cause__ or chain.__context__
