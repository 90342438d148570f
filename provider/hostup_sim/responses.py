"""Flask's side of the wire: the request body in, JSON and RFC 7807 responses out.

wire.py builds the bodies without knowing Flask; these helpers read the current
request and wrap those bodies in responses, for the API and the admin routes.
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Response, g, request

from hostup_sim import wire
from hostup_sim.problems import ApiProblem
from hostup_sim.world import random_id


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def problem_response(problem: ApiProblem) -> Response:
    """The problem in the RFC 7807 envelope, with this request's id (a fresh one if none)."""
    body = wire.problem(
        problem,
        instance=request.path,
        request_id=g.get("request_id") or random_id("req"),
        now=time.time(),
    )
    return Response(
        json.dumps(body),
        status=problem.status,
        mimetype="application/problem+json",
        headers=problem.headers,
    )


def request_body() -> dict[str, Any]:
    """This request's body as a JSON object ({} when empty); 400 invalid_request otherwise."""
    return wire.json_object(request.get_data(cache=True))
