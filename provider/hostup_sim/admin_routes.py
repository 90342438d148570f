"""The admin path /_sim/...: steer a running simulator (SimAdmin in admin.py speaks it).

    GET    /_sim/health                 {"ok": true}
    GET    /_sim/log   DELETE /_sim/log the request log {records, faultCounts}; clear it
    POST   /_sim/reset                  {extra_vps?}: seeded world, start settings, no faults
    GET    /_sim/faults                 PUT replaces the knobs, PATCH changes the named ones
    GET    /_sim/settings               PUT replaces (from the start settings), PATCH changes
    POST   /_sim/drift/<kind>           {vps_id, device?, iso_id?}: a kind of drift.DRIFT_KINDS
    POST   /_sim/not-ready              {vps_id, requests?, seconds?}
    POST   /_sim/gate                   {vps_id, gate, allowed, reason?, code?}
    GET    /_sim/state                  the whole world, as the state file holds it

Bodies are validated by pydantic models; an invalid one answers 400
invalid_request with a pointer per field, as the API does.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Flask, Response, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hostup_sim.faults import Faults
from hostup_sim.problems import FieldError, InvalidRequest
from hostup_sim.responses import json_response, request_body
from hostup_sim.settings import Settings
from hostup_sim.store import HostupStore
from hostup_sim.world import DEFAULT_DEVICE

_Model = TypeVar("_Model", bound=BaseModel)
# Pydantic's error types, in the API's words where it has some.
_ERROR_CODES = {"missing": "missing_required", "extra_forbidden": "unknown_field"}


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True)


class _Reset(_Body):
    extra_vps: int | None = Field(None, ge=0)


class _Drift(_Body):
    vps_id: str
    device: str = DEFAULT_DEVICE
    iso_id: str | None = None


class _NotReady(_Body):
    vps_id: str
    requests: int = 0
    seconds: float = 0.0


class _Gate(_Body):
    vps_id: str
    gate: str
    allowed: bool
    reason: str | None = None
    code: str | None = None


def validated(model: type[_Model], data: dict[str, Any]) -> _Model:
    """data as model; 400 invalid_request with a pointer per invalid field otherwise."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(
            [
                FieldError(
                    "".join(f"/{part}" for part in error["loc"]),
                    error["msg"],
                    _ERROR_CODES.get(error["type"], "invalid_value"),
                )
                for error in exc.errors()
            ]
        ) from None


def add_admin_routes(app: Flask, store: HostupStore) -> None:
    """Register /_sim/... on app, steering store."""

    def no_content() -> Response:
        return Response(status=204)

    @app.get("/_sim/health")
    def admin_health() -> Response:
        return json_response({"ok": True})

    @app.get("/_sim/log")
    def admin_log() -> Response:
        records = [r.to_json() for r in store.request_log()]
        return json_response({"records": records, "faultCounts": store.fault_counts()})

    @app.delete("/_sim/log")
    def admin_clear_log() -> Response:
        store.clear_log()
        return no_content()

    @app.post("/_sim/reset")
    def admin_reset() -> Response:
        store.reset(extra_vps=validated(_Reset, request_body()).extra_vps)
        return no_content()

    @app.route("/_sim/faults", methods=["GET", "PUT", "PATCH"])
    def admin_faults() -> Response:
        if request.method != "GET":
            base = store.faults() if request.method == "PATCH" else Faults()
            store.set_faults(validated(Faults, base.model_dump() | request_body()))
        return json_response(store.faults().model_dump(mode="json"))

    @app.route("/_sim/settings", methods=["GET", "PUT", "PATCH"])
    def admin_settings() -> Response:
        if request.method != "GET":
            base = store.settings() if request.method == "PATCH" else store.start_settings()
            store.set_settings(validated(Settings, base.model_dump() | request_body()))
        return json_response(store.settings().model_dump(mode="json"))

    @app.post("/_sim/drift/<kind>")
    def admin_drift(kind: str) -> Response:
        body = validated(_Drift, request_body())
        store.backend.drift(kind, body.vps_id, device=body.device, iso_id=body.iso_id)
        return no_content()

    @app.post("/_sim/not-ready")
    def admin_not_ready() -> Response:
        body = validated(_NotReady, request_body())
        store.backend.set_not_ready(body.vps_id, requests=body.requests, seconds=body.seconds)
        return no_content()

    @app.post("/_sim/gate")
    def admin_gate() -> Response:
        body = validated(_Gate, request_body())
        store.backend.set_gate(
            body.vps_id, body.gate, allowed=body.allowed, reason=body.reason, code=body.code
        )
        return no_content()

    @app.get("/_sim/state")
    def admin_state() -> Response:
        return json_response(store.snapshot())
