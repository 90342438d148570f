"""HTTP adapter: Flask routes onto HostupStore, errors in the API's RFC 7807 envelope.

Under /api every request runs, in order: fault injection, routing (unknown
route -> 404 not_found), bearer auth (401), the key's rate limit (429), then
the store operation. Every /api request is logged. /_sim/... is the admin path
(loopback only, no auth, never faulted); SimAdmin in admin.py speaks it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import time
from dataclasses import asdict
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from hostup_sim.faults import Faults
from hostup_sim.ratelimit import iso_timestamp
from hostup_sim.store import (
    ApiProblem,
    Caller,
    Exchange,
    FieldError,
    HostupStore,
    Reply,
    Settings,
    invalid,
    random_id,
)

PROBLEM_TYPE = "https://developer.hostup.se/errors/"
_GATEWAY_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Time-out"}  # fmt: skip


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _reply(reply: Reply) -> Response:
    if reply.body is None:
        return Response(status=reply.status)
    return _json(reply.body, reply.status)


def problem_response(problem: ApiProblem) -> Response:
    """The RFC 7807 body the real API sends, with a fresh requestId per request."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + problem.code,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "code": problem.code,
        "instance": request.path,
        "requestId": g.get("request_id") or random_id("req"),
        "timestamp": iso_timestamp(time.time()),
    }
    if problem.errors:
        body["errors"] = [asdict(e) for e in problem.errors]
    return Response(
        json.dumps(body),
        status=problem.status,
        mimetype="application/problem+json",
        headers=problem.headers,
    )


def _body() -> Any:
    """The parsed JSON body; None when empty; 400 invalid_request when malformed."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise invalid(
            [FieldError("", f"The body is not valid JSON: {exc}", "malformed_json")],
            "The request body could not be parsed.",
        ) from None


def _caller() -> Caller:
    caller: Caller = g.caller
    return caller


def _loopback_client() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _drop_connection() -> None:
    # Closing both directions makes werkzeug's write fail quietly (connection_dropped),
    # so the client sees the socket close with no response at all.
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def create_app(store: HostupStore) -> Flask:
    """A Flask app serving the Hostup API subset of openapi.yaml from store."""
    app = Flask("hostup_sim")
    # OPTIONS is not part of the API; let it answer 405 like any other unknown method.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False

    @app.before_request
    def _begin() -> Response | None:
        g.started = time.perf_counter()
        g.generation = store.generation
        g.request_id = random_id("req")
        g.fault = None
        g.latency = 0.0
        g.dropped = False
        g.caller = None
        g.rate_headers = {}
        if not _is_api(request.path):
            if not _loopback_client():
                raise ApiProblem(403, "forbidden", "The admin path answers loopback clients only.")
            return None
        decision = store.decide_fault(request.method, request.path)
        g.latency = decision.latency
        g.fault = decision.kind
        store.sleep(decision.latency)
        if decision.kind == "drop":
            g.dropped = True  # the socket is closed once the request is logged
            return Response(status=500)  # never reaches the client
        if decision.kind == "hang":
            store.sleep(decision.hang_seconds)
        if store.generation != g.generation:
            # Reset while this request waited: it must not touch the fresh world.
            raise ApiProblem(503, "upstream_failed", "The simulator was reset; retry.")
        if decision.kind == "html":
            status = decision.status or 502
            page = _GATEWAY_PAGE.format(status=status, reason=_REASONS[status])
            return Response(page, status=status, mimetype="text/html")
        if decision.kind == "error":
            raise ApiProblem(
                decision.status or 502,
                "upstream_failed",
                "The upstream service failed to answer; retry.",
            )
        if decision.kind == "burst_429":
            raise ApiProblem(
                429,
                "rate_limited",
                "Too many requests; retry later.",
                headers={
                    "Retry-After": str(decision.retry_after),
                    "X-RateLimit-Limit": "0",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": iso_timestamp(time.time() + decision.retry_after),
                },
            )
        if request.routing_exception is not None:
            return None  # Flask raises it next: 404 not_found / 405 problem
        g.caller = store.authenticate(request.headers.get("Authorization"))
        rate = store.take_rate_token(g.caller)
        if rate is not None:
            g.rate_headers = rate.headers()
        # Scopes before the body is read: a key without them learns nothing else.
        store.authorize(g.caller, str(request.endpoint))
        return None

    @app.after_request
    def _finish(response: Response) -> Response:
        if not _is_api(request.path):
            return response
        response.headers["X-Request-Id"] = g.request_id
        for name, value in g.get("rate_headers", {}).items():
            response.headers.setdefault(name, value)
        caller: Caller | None = g.get("caller")
        view_args = request.view_args or {}
        status = None if g.get("dropped") else response.status_code
        store.log_request(
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            status=status,
            operation=request.endpoint if request.url_rule is not None else None,
            vps_id=view_args.get("vps_id"),
            key_id=caller.key_id if caller else None,
            request_id=g.request_id,
            generation=g.generation,
            fault=g.get("fault"),
            latency_ms=round(g.get("latency", 0.0) * 1000, 3),
            duration_ms=round((time.perf_counter() - g.started) * 1000, 3),
        )
        if status is None:
            _drop_connection()
        else:
            store.record_exchange(
                Exchange(
                    method=request.method,
                    path=request.path,
                    query=request.query_string.decode("latin-1"),
                    request_content_type=request.content_type,
                    request_body=request.get_data(cache=True),
                    status=status,
                    response_headers=dict(response.headers),
                    response_body=response.get_data(),
                    operation=request.endpoint if request.url_rule is not None else None,
                    fault=g.get("fault"),
                ),
                generation=g.generation,
            )
        return response

    @app.errorhandler(ApiProblem)
    def _problem(problem: ApiProblem) -> Response:
        return problem_response(problem)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if status == 404:
            problem = ApiProblem(404, "not_found", f"No route {request.path}.")
        elif status == 405:
            allowed = ", ".join(getattr(exc, "valid_methods", None) or [])
            problem = ApiProblem(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here.",
                headers={"Allow": allowed},
            )
        else:
            problem = ApiProblem(status, "invalid_request", exc.description or str(exc))
        return problem_response(problem)

    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> Response:
        app.logger.exception("hostup-sim: unhandled error")
        return problem_response(ApiProblem(500, "internal_error", f"Simulator error: {exc}"))

    # -- the API (operationIds of openapi.yaml as endpoint names) ----------

    @app.get("/api/v2/vps", endpoint="listVps")
    def list_vps() -> Response:
        args = request.args
        return _reply(
            store.list_vps(
                _caller(),
                limit=args.get("limit"),
                cursor=args.get("cursor"),
                name=args.get("name"),
                primary_ip=args.get("primaryIp"),
            )
        )

    @app.get("/api/v2/vps/<vps_id>/iso", endpoint="listVpsIsoMedia")
    def list_vps_iso_media(vps_id: str) -> Response:
        return _reply(store.list_vps_iso_media(_caller(), vps_id))

    @app.post("/api/v2/vps/<vps_id>/iso/actions/mount", endpoint="mountVpsIso")
    def mount_vps_iso(vps_id: str) -> Response:
        return _reply(store.mount_vps_iso(_caller(), vps_id, _body()))

    @app.post("/api/v2/vps/<vps_id>/iso/actions/unmount", endpoint="unmountVpsIso")
    def unmount_vps_iso(vps_id: str) -> Response:
        return _reply(store.unmount_vps_iso(_caller(), vps_id, _body()))

    @app.post("/api/v2/vps/<vps_id>/iso/actions/attach-empty", endpoint="attachEmptyCdrom")
    def attach_empty_cdrom(vps_id: str) -> Response:
        return _reply(store.attach_empty_cdrom(_caller(), vps_id, _body()))

    @app.post("/api/v2/vps/<vps_id>/iso/actions/from-url", endpoint="downloadIsoFromUrl")
    def download_iso_from_url(vps_id: str) -> Response:
        return _reply(store.download_iso_from_url(_caller(), vps_id, _body()))

    @app.delete("/api/v2/vps/<vps_id>/iso/<volid>", endpoint="deleteVpsIsoMedia")
    def delete_vps_iso_media(vps_id: str, volid: str) -> Response:
        return _reply(store.delete_vps_iso_media(_caller(), vps_id, volid))

    @app.get("/api/jobs/<job_id>", endpoint="getJob")
    def get_job(job_id: str) -> Response:
        return _reply(store.get_job(_caller(), job_id, request_id=g.request_id))

    # -- admin ---------------------------------------------------------------

    def admin_body() -> dict[str, Any]:
        data = _body()
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise invalid([FieldError("", "The body must be a JSON object.", "invalid_type")])
        return data

    def field(data: dict[str, Any], name: str, default: Any = None) -> Any:
        value = data.get(name, default)
        if value is None:
            raise invalid([FieldError(f"/{name}", f"{name} is required.", "missing_required")])
        return value

    def checked(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except (ValueError, TypeError) as exc:
            raise invalid([FieldError("", str(exc), "invalid_value")], str(exc)) from None

    @app.get("/_sim/health")
    def admin_health() -> Response:
        return _json({"ok": True})

    @app.get("/_sim/log")
    def admin_log() -> Response:
        return _json(
            {
                "records": [r.to_json() for r in store.request_log()],
                "faultCounts": store.fault_counts(),
            }
        )

    @app.delete("/_sim/log")
    def admin_clear_log() -> Response:
        store.clear_log()
        return Response(status=204)

    @app.post("/_sim/reset")
    def admin_reset() -> Response:
        data = admin_body()
        extra = data.get("extra_vps")
        if extra is not None and (not isinstance(extra, int) or extra < 0):
            raise invalid([FieldError("/extra_vps", "extra_vps must be >= 0.", "invalid_value")])
        store.reset(extra_vps=extra)
        return Response(status=204)

    @app.get("/_sim/faults")
    def admin_faults() -> Response:
        return _json(store.faults().to_json())

    @app.route("/_sim/faults", methods=["PUT", "PATCH"])
    def admin_set_faults() -> Response:
        data = admin_body()
        base = store.faults() if request.method == "PATCH" else Faults()
        store.set_faults(checked(Faults.from_json, data, base))
        return _json(store.faults().to_json())

    @app.get("/_sim/settings")
    def admin_settings() -> Response:
        return _json(store.settings().to_json())

    @app.route("/_sim/settings", methods=["PUT", "PATCH"])
    def admin_set_settings() -> Response:
        data = admin_body()
        base = store.settings() if request.method == "PATCH" else store.start_settings()
        store.set_settings(checked(Settings.from_json, data, base))
        return _json(store.settings().to_json())

    @app.post("/_sim/drift/<kind>")
    def admin_drift(kind: str) -> Response:
        data = admin_body()
        vps_id = field(data, "vps_id")
        if kind == "unmount":
            store.drift_unmount(vps_id, field(data, "device", "ide2"))
        elif kind == "mount":
            store.drift_mount(vps_id, field(data, "device", "ide2"), field(data, "iso_id"))
        elif kind == "swap":
            store.drift_swap(vps_id, field(data, "device", "ide2"), field(data, "iso_id"))
        elif kind == "delete-vps":
            store.drift_delete_vps(vps_id)
        elif kind == "delete-iso":
            store.drift_delete_iso(vps_id, field(data, "iso_id"))
        else:
            raise ApiProblem(404, "not_found", f"No drift kind {kind}.")
        return Response(status=204)

    @app.post("/_sim/not-ready")
    def admin_not_ready() -> Response:
        data = admin_body()
        checked(
            lambda: store.set_not_ready(
                field(data, "vps_id"),
                requests=int(data.get("requests", 0)),
                seconds=float(data.get("seconds", 0.0)),
            )
        )
        return Response(status=204)

    @app.post("/_sim/gate")
    def admin_gate() -> Response:
        data = admin_body()
        store.set_gate(
            field(data, "vps_id"),
            field(data, "gate"),
            allowed=bool(field(data, "allowed")),
            reason=data.get("reason"),
            code=data.get("code"),
        )
        return Response(status=204)

    @app.get("/_sim/state")
    def admin_state() -> Response:
        return _json(store.snapshot())

    return app
