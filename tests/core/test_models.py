"""Models against the contract: documented examples, nulls, unknown fields, frozen."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from harness.scripted_api import FIXTURES, ISO_ID, load_fixture
from hostup import models
from hostup.models import (
    DEVICES,
    CdromSlot,
    DeviceRequest,
    DeviceResult,
    FieldError,
    FromUrlRequest,
    Gate,
    IsoImage,
    IsoMedia,
    Job,
    JobEnvelope,
    MountedMedia,
    MountRequest,
    MountResult,
    Operation,
    OperationEnvelope,
    Problem,
    Vps,
    VpsPage,
    dump_body,
)

# Which model reads each documented example: (operationId, "request" | status) -> model.
EXAMPLE_MODELS: dict[tuple[str, str], type[BaseModel]] = {
    ("listVpsIsoMedia", "200"): IsoMedia,
    ("mountVpsIso", "request"): MountRequest,
    ("unmountVpsIso", "request"): DeviceRequest,
    ("unmountVpsIso", "200"): DeviceResult,
    ("downloadIsoFromUrl", "request"): FromUrlRequest,
}


def _documented_examples(openapi_doc: dict[str, Any]) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    for item in openapi_doc["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            oid = op["operationId"]
            for media in op.get("requestBody", {}).get("content", {}).values():
                if "example" in media:
                    found[(oid, "request")] = media["example"]
            for status, response in op.get("responses", {}).items():
                for media in response.get("content", {}).values():
                    if "example" in media:
                        found[(oid, str(status))] = media["example"]
    return found


def _resolve(openapi_doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi_doc["components"]["schemas"][name]
    return schema


def test_models_every_documented_example_has_a_model(openapi_doc: dict[str, Any]) -> None:
    assert set(_documented_examples(openapi_doc)) == set(EXAMPLE_MODELS)


def test_models_documented_examples_parse(openapi_doc: dict[str, Any]) -> None:
    for key, example in _documented_examples(openapi_doc).items():
        model = EXAMPLE_MODELS[key].model_validate(example)
        if key[1] == "request":
            # Request bodies round-trip to exactly the documented JSON.
            assert dump_body(model) == example, key


def test_models_golden_fixtures_equal_contract_examples(openapi_doc: dict[str, Any]) -> None:
    for (oid, kind), example in _documented_examples(openapi_doc).items():
        assert load_fixture(f"{oid}.{kind}.json") == example


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("listVpsIsoMedia.200.json", IsoMedia),
        ("unmountVpsIso.200.json", DeviceResult),
        ("constructed/iso_media.nulls_cloud_init_closed_gate.json", IsoMedia),
        ("constructed/operation.202.queued.json", OperationEnvelope),
        ("constructed/operation.200.completed.json", OperationEnvelope),
        ("constructed/job.legacy.completed.json", JobEnvelope),
        ("constructed/vps.page.json", VpsPage),
        ("constructed/problem.invalid_request.json", Problem),
        ("constructed/problem.vps_not_found.json", Problem),
    ],
)
def test_models_golden_fixture_parses(name: str, model: type[BaseModel]) -> None:
    assert (FIXTURES / name).is_file()
    model.model_validate(load_fixture(name))


def test_models_iso_media_example_fields() -> None:
    media = IsoMedia.model_validate(load_fixture("listVpsIsoMedia.200.json"))
    image = media.available[0]
    assert (image.id, image.display_name, image.size_gb, image.format) == (
        ISO_ID,
        "Ubuntu 24.04 LTS",
        5.9,
        "iso",
    )
    assert media.boot_order is None
    assert media.available_devices[0] == CdromSlot(
        device="ide2", type="existing_cdrom", description="CD/DVD 3", in_use=True
    )
    assert media.actions.can_mount == Gate(allowed=True, reason=None, code=None)
    assert media.mounted_on("ide2") == MountedMedia(
        device="ide2", iso_id=ISO_ID, mounted=True, is_cloud_init=False
    )
    assert media.mounted_on("ide2").holds_iso  # type: ignore[union-attr]
    assert media.mounted_on("ide0") is None
    assert media.find_available(ISO_ID) is image
    assert media.find_available("iso_missing") is None
    assert media.find_available_by_name("ubuntu-24.04-live-server-amd64.iso") is image
    assert media.find_available_by_name("Ubuntu 24.04 LTS") is image
    assert media.find_available_by_name("debian") is None
    assert media.slot("ide2") is media.available_devices[0]


def test_models_nulls_accepted_and_unknown_fields_ignored() -> None:
    media = IsoMedia.model_validate(
        load_fixture("constructed/iso_media.nulls_cloud_init_closed_gate.json")
    )
    assert media.available[0].name is None
    assert media.available[0].format is None
    cloud_init = media.mounted[0]
    assert cloud_init.device is None
    assert cloud_init.is_cloud_init
    assert not cloud_init.holds_iso
    empty_slot = media.mounted_on("ide0")
    assert empty_slot is not None
    assert not empty_slot.holds_iso
    assert media.available_devices[0].device is None
    assert media.actions.can_mount.code == "pending_order"
    assert not media.actions.can_mount.allowed
    assert media.actions.can_upload.code is None  # optional in the contract, absent here
    assert media.boot_order == {"order": ["scsi0", "ide2"], "opaque": {"nested": True}}
    assert not hasattr(media, "someFutureField")
    assert not hasattr(media.available[0], "checksum")
    # actions allows additional gates (additionalProperties: true), kept as extras.
    assert media.actions.model_extra == {
        "canRebuild": {"allowed": False, "reason": "Not today", "code": "maintenance"}
    }


def test_models_mounted_on_prefers_a_real_mount() -> None:
    media = IsoMedia.model_validate(
        {
            **load_fixture("listVpsIsoMedia.200.json"),
            "mounted": [
                {"device": "ide2", "isoId": None, "mounted": False, "isCloudInit": False},
                {"device": "ide2", "isoId": ISO_ID, "mounted": True, "isCloudInit": False},
            ],
        }
    )
    assert media.mounted_on("ide2") == media.mounted[1]


@pytest.mark.parametrize(
    "instance",
    [
        Gate(allowed=True, reason=None),
        MountedMedia(device="ide2", iso_id=None, mounted=False, is_cloud_init=False),
        Operation(status="queued", job_id="job_1", poll_url=None),
        Vps(id="vps_1"),
    ],
)
def test_models_response_models_are_frozen(instance: BaseModel) -> None:
    field_name = next(iter(type(instance).model_fields))
    with pytest.raises(ValidationError):
        setattr(instance, field_name, None)


@pytest.mark.parametrize(
    ("model", "payload", "missing"),
    [
        (IsoImage, {"id": "iso_1", "name": None, "displayName": None, "format": None}, "sizeGb"),
        (MountedMedia, {"device": None, "isoId": None, "isCloudInit": False}, "mounted"),
        (IsoMedia, {"available": [], "mounted": [], "bootOrder": None}, "availableDevices"),
        (Operation, {"status": "queued", "pollUrl": None}, "jobId"),
        (VpsPage, {"data": []}, "nextCursor"),
    ],
)
def test_models_missing_required_field_is_rejected(
    model: type[BaseModel], payload: dict[str, Any], missing: str
) -> None:
    with pytest.raises(ValidationError) as info:
        model.model_validate(payload)
    assert missing in str(info.value)


def test_models_snake_case_names_populate_too() -> None:
    assert MountedMedia(device="ide1", iso_id="iso_1", mounted=True, is_cloud_init=False).iso_id
    assert MountedMedia.model_validate(
        {"device": "ide1", "iso_id": "iso_1", "mounted": True, "is_cloud_init": False}
    ).holds_iso


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        ("pending", False),
        ("queued", False),
        ("in_progress", False),
        ("completed", True),
        ("failed", True),
    ],
)
def test_models_operation_is_terminal(status: str, terminal: bool) -> None:
    operation = Operation.model_validate({"status": status, "jobId": "job_1", "pollUrl": None})
    assert operation.is_terminal is terminal


def test_models_operation_rejects_unknown_status() -> None:
    with pytest.raises(ValidationError):
        Operation.model_validate({"status": "exploded", "jobId": "job_1", "pollUrl": None})


def test_models_operation_envelopes() -> None:
    queued = OperationEnvelope.model_validate(
        load_fixture("constructed/operation.202.queued.json")
    ).operation
    assert (queued.status, queued.poll_url, queued.result) == (
        "queued",
        "/api/jobs/job_01hxa3b4c5d6e7f8g9h0j1k2m3",
        None,
    )
    done = OperationEnvelope.model_validate(
        load_fixture("constructed/operation.200.completed.json")
    ).operation
    assert done.is_completed
    assert done.poll_url is None
    assert done.result == {"volid": ISO_ID}


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"isCompleted": True, "isFailed": False, "state": "completed"}, "completed"),
        ({"isFailed": True, "isCompleted": True}, "failed"),  # failure wins
        ({"isRunning": True, "state": "active"}, "in_progress"),
        ({"isWaiting": True, "state": "waiting"}, "queued"),
        ({"state": "active"}, "in_progress"),
        ({"state": "delayed"}, "queued"),
        ({"state": "FAILED"}, "failed"),
        ({"status": "completed", "state": "weird"}, "completed"),
        ({"state": "something-new"}, "pending"),  # unknown: keep polling
        ({}, "pending"),
    ],
)
def test_models_job_maps_to_operation_status(data: dict[str, Any], status: str) -> None:
    assert Job.model_validate(data).operation_status == status


def test_models_job_envelope_fields() -> None:
    envelope = JobEnvelope.model_validate(load_fixture("constructed/job.legacy.completed.json"))
    job = envelope.data
    assert envelope.success
    assert envelope.request_id == "req_01hxa3b4c5d6e7f8g9h0j1k2m6"
    assert (job.job_id, job.progress, job.is_completed) == (
        "job_01hxa3b4c5d6e7f8g9h0j1k2m3",
        100,
        True,
    )


def test_models_vps_page_tolerates_new_enum_values() -> None:
    page = VpsPage.model_validate(
        {"data": [{"id": "vps_1", "serviceStatus": "hibernating", "extra": 1}], "nextCursor": None}
    )
    assert page.data[0].service_status == "hibernating"
    assert page.has_more is None


def test_models_problem_fields() -> None:
    problem = Problem.model_validate(load_fixture("constructed/problem.invalid_request.json"))
    assert problem.code == "invalid_request"
    assert [e.pointer for e in problem.errors] == ["/isoId", "/device"]
    assert problem.errors[0] == FieldError(
        pointer="/isoId", detail="isoId is not in available[].", code="not_found"
    )


def test_models_devices_enum() -> None:
    assert DEVICES == ("ide0", "ide1", "ide2", "ide3")
    assert MountResult.model_validate({"device": "ide3"}).iso_id is None
    with pytest.raises(ValidationError):
        DeviceResult.model_validate({"device": "sata0"})


def test_models_request_bodies_dump_camel_case_without_nones() -> None:
    assert dump_body(MountRequest(iso_id="iso_1", device="ide1")) == {
        "isoId": "iso_1",
        "device": "ide1",
    }
    assert dump_body(DeviceRequest()) == {}
    assert dump_body(FromUrlRequest(url="https://x.test/a.iso", filename="a.iso")) == {
        "url": "https://x.test/a.iso",
        "filename": "a.iso",
    }
    with pytest.raises(ValidationError):
        MountRequest.model_validate({"isoId": "iso_1", "colour": "red"})  # requests forbid extras


# Which model mirrors which contract schema; the test below compares their fields.
def _schema_for(openapi_doc: dict[str, Any], name: str) -> dict[str, Any]:
    schemas = openapi_doc["components"]["schemas"]
    iso = schemas["IsoMedia"]["properties"]
    paths = openapi_doc["paths"]
    by_model: dict[str, dict[str, Any]] = {
        "Gate": schemas["Gate"],
        "IsoMedia": schemas["IsoMedia"],
        "IsoImage": iso["available"]["items"],
        "MountedMedia": iso["mounted"]["items"],
        "CdromSlot": iso["availableDevices"]["items"],
        "IsoActions": iso["actions"],
        "Operation": schemas["Operation"],
        "OperationEnvelope": schemas["OperationEnvelope"],
        "Vps": schemas["Vps"],
        "Problem": schemas["Problem"],
        "FieldError": schemas["Problem"]["properties"]["errors"]["items"],
        "VpsPage": paths["/api/v2/vps"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ],
        "JobEnvelope": paths["/api/jobs/{jobId}"]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"],
        "Job": paths["/api/jobs/{jobId}"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ]["properties"]["data"],
    }
    return by_model[name]


def _nullable(openapi_doc: dict[str, Any], prop: dict[str, Any]) -> bool:
    prop = _resolve(openapi_doc, prop)
    kind = prop.get("type")
    return (isinstance(kind, list) and "null" in kind) or None in prop.get("enum", [])


@pytest.mark.parametrize(
    "name",
    [
        "Gate",
        "IsoMedia",
        "IsoImage",
        "MountedMedia",
        "CdromSlot",
        "IsoActions",
        "Operation",
        "OperationEnvelope",
        "Vps",
        "Problem",
        "FieldError",
        "VpsPage",
        "JobEnvelope",
        "Job",
    ],
)
def test_models_mirror_contract_schema(openapi_doc: dict[str, Any], name: str) -> None:
    schema = _resolve(openapi_doc, _schema_for(openapi_doc, name))
    model: type[BaseModel] = getattr(models, name)
    aliases = {f.alias or n: f for n, f in model.model_fields.items()}
    assert set(aliases) == set(schema.get("properties", {})), name
    for prop_name, prop in schema.get("properties", {}).items():
        required_in_contract = prop_name in schema.get("required", [])
        model_required = aliases[prop_name].is_required()
        if required_in_contract and not _nullable(openapi_doc, prop):
            assert model_required, f"{name}.{prop_name} must be required"
        if model_required:
            assert required_in_contract, f"{name}.{prop_name} is optional in the contract"


_nullable_text = st.none() | st.text(max_size=20)
_extra_keys = st.dictionaries(
    st.text(min_size=1, max_size=10).filter(
        lambda k: k not in {"id", "name", "displayName", "sizeGb", "format"}
    ),
    st.integers() | st.text(max_size=5) | st.none(),
    max_size=3,
)


@given(
    name=_nullable_text,
    display=_nullable_text,
    fmt=_nullable_text,
    size=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    extra=_extra_keys,
)
def test_models_iso_image_accepts_any_documented_shape(
    name: str | None, display: str | None, fmt: str | None, size: float, extra: dict[str, Any]
) -> None:
    payload = {
        **extra,
        "id": "iso_1",
        "name": name,
        "displayName": display,
        "sizeGb": size,
        "format": fmt,
    }
    image = IsoImage.model_validate_json(json.dumps(payload))
    assert (image.name, image.display_name, image.format, image.size_gb) == (
        name,
        display,
        fmt,
        size,
    )
