"""The request pipeline: a Flask app composed of a HostupStore's parts.

Every /api request runs these steps, and an earlier refusal wins:

    1. fault injection: latency, then drop, hang, 5xx problem, HTML page, 429 burst
    2. routing: unknown route -> 404 not_found, wrong method -> 405
    3. bearer key (401), the key's rate limit (429), the operation's scopes (403)
    4. the body: malformed JSON or not an object (400)
    5. the VPS (404), then the body's fields (400), parsed by wire.py
    6. the backend operation (its own 400s and 409s), rendered by wire.py

then it is logged (with its exchange when exchanges are recorded). Any problem
raised on the way is rendered in the API's RFC 7807 envelope. /_sim/... is the
admin path (admin_routes.py): loopback clients only, no auth, no faults, no log.
The server (server.py) reads the two environ keys below.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from hostup_sim import wire
from hostup_sim.admin_routes import add_admin_routes
from hostup_sim.auth import Caller, authenticate, authorize
from hostup_sim.problems import (
    ApiProblem,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    RateLimited,
    UpstreamFailed,
)
from hostup_sim.requestlog import Exchange
from hostup_sim.responses import json_response, problem_response, request_body
from hostup_sim.store import HostupStore
from hostup_sim.world import random_id

# Set by the app: close the connection without answering (the "drop" fault).
DROP_CONNECTION = "hostup_sim.drop_connection"
# Set by the server: the number of the TCP connection a request came on.
CONNECTION_ID = "hostup_sim.connection"


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _loopback_client() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


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
                # To anyone else the admin path does not exist.
                raise NotFound("route", request.path)
            return None
        decision = store.decide_fault(request.method, request.path)
        g.latency = decision.latency
        g.fault = decision.kind
        store.sleep(decision.latency)
        if decision.kind == "drop":
            g.dropped = True  # the server closes the connection once the request is logged
            return Response(status=500)  # never reaches the client
        if decision.kind == "hang":
            store.sleep(decision.hang_seconds)
        if store.generation != g.generation:
            # Reset while this request waited: it must not touch the fresh world.
            raise UpstreamFailed(503)
        if decision.kind == "html":
            status = decision.status or 502
            return Response(wire.gateway_page(status), status=status, mimetype="text/html")
        if decision.kind == "error":
            raise UpstreamFailed(decision.status or 502)
        if decision.kind == "burst_429":
            wait = decision.retry_after
            raise RateLimited(
                wait,
                {
                    "Retry-After": str(wait),
                    "X-RateLimit-Limit": "0",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": wire.iso_timestamp(time.time() + wait),
                },
            )
        if request.routing_exception is not None:
            return None  # Flask raises it next: 404 not_found / 405 problem
        g.caller = authenticate(request.headers.get("Authorization"), store.backend.find_key)
        rate = store.take_rate_token(g.caller.key_id)
        if rate is not None:
            g.rate_headers = rate.headers()
        # Scopes before the body is read: a key without them learns nothing else.
        authorize(g.caller, str(request.endpoint))
        return None

    @app.after_request
    def _finish(response: Response) -> Response:
        if not _is_api(request.path):
            return response
        response.headers["X-Request-Id"] = g.request_id
        for name, value in g.get("rate_headers", {}).items():
            response.headers.setdefault(name, value)
        caller: Caller | None = g.get("caller")
        operation = request.endpoint if request.url_rule is not None else None
        status = None if g.get("dropped") else response.status_code
        query = request.query_string.decode("latin-1")
        store.log.append(
            generation=g.generation,
            method=request.method,
            path=request.path,
            query=query,
            status=status,
            operation=operation,
            vps_id=(request.view_args or {}).get("vps_id"),
            key_id=caller.key_id if caller else None,
            request_id=g.request_id,
            fault=g.get("fault"),
            latency_ms=round(g.get("latency", 0.0) * 1000, 3),
            duration_ms=round((time.perf_counter() - g.started) * 1000, 3),
            connection=request.environ.get(CONNECTION_ID),
        )
        if status is None:
            request.environ[DROP_CONNECTION] = True
            return response
        if not store.log.records_exchanges:
            return response
        store.log.record_exchange(
            Exchange(
                method=request.method,
                path=request.path,
                query=query,
                request_content_type=request.content_type,
                request_body=request.get_data(cache=True),
                status=status,
                response_headers=dict(response.headers),
                response_body=response.get_data(),
                operation=operation,
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
        if exc.code == 404:
            return problem_response(NotFound("route", request.path))
        if exc.code == 405:
            allowed = getattr(exc, "valid_methods", None) or []
            return problem_response(MethodNotAllowed(request.method, allowed))
        return problem_response(InvalidRequest([]))

    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> Response:
        app.logger.exception("hostup-sim: unhandled error")
        return problem_response(InternalError(exc))

    add_api_routes(app, store)
    add_admin_routes(app, store)
    return app


def add_api_routes(app: Flask, store: HostupStore) -> None:
    """The API: one route per operationId of openapi.yaml (the endpoint names)."""

    def account() -> str:
        caller: Caller = g.caller
        return caller.account

    def vps_body(vps_id: str) -> dict[str, Any]:
        # The body's shape is checked before the VPS, its fields after it.
        body = request_body()
        store.backend.require_vps(account(), vps_id)
        return body

    @app.get("/api/v2/vps", endpoint="listVps")
    def list_vps() -> Response:
        q = wire.vps_query(request.args)
        page = store.backend.list_vps(
            account(), limit=q.limit, after=q.after, name=q.name, primary_ip=q.primary_ip
        )
        return json_response(wire.vps_page(page))

    @app.get("/api/v2/vps/<vps_id>/iso", endpoint="listVpsIsoMedia")
    def list_vps_iso_media(vps_id: str) -> Response:
        return json_response(
            wire.media_listing(store.backend.list_vps_iso_media(account(), vps_id))
        )

    @app.post("/api/v2/vps/<vps_id>/iso/actions/mount", endpoint="mountVpsIso")
    def mount_vps_iso(vps_id: str) -> Response:
        iso_id, device = wire.mount_args(vps_body(vps_id))
        job = store.backend.mount_vps_iso(account(), vps_id, iso_id, device)
        status, body = wire.mount_reply(device, iso_id, job)
        return json_response(body, status)

    @app.post("/api/v2/vps/<vps_id>/iso/actions/unmount", endpoint="unmountVpsIso")
    def unmount_vps_iso(vps_id: str) -> Response:
        device = wire.unmount_args(vps_body(vps_id))
        store.backend.unmount_vps_iso(account(), vps_id, device)
        return json_response({"device": device})

    @app.post("/api/v2/vps/<vps_id>/iso/actions/attach-empty", endpoint="attachEmptyCdrom")
    def attach_empty_cdrom(vps_id: str) -> Response:
        wanted = wire.attach_args(vps_body(vps_id))
        device = store.backend.attach_empty_cdrom(account(), vps_id, wanted)
        return json_response({"device": device})

    @app.post("/api/v2/vps/<vps_id>/iso/actions/from-url", endpoint="downloadIsoFromUrl")
    def download_iso_from_url(vps_id: str) -> Response:
        url, filename = wire.from_url_args(vps_body(vps_id))
        job = store.backend.download_iso_from_url(account(), vps_id, url, filename)
        status, body = wire.operation(job)
        return json_response(body, status)

    @app.delete("/api/v2/vps/<vps_id>/iso/<volid>", endpoint="deleteVpsIsoMedia")
    def delete_vps_iso_media(vps_id: str, volid: str) -> Response:
        store.backend.delete_vps_iso_media(account(), vps_id, volid)
        return Response(status=204)

    @app.get("/api/jobs/<job_id>", endpoint="getJob")
    def get_job(job_id: str) -> Response:
        view = store.backend.get_job(account(), job_id)
        return json_response(wire.job_envelope(view, request_id=g.request_id, now=time.time()))
