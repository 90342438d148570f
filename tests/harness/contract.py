"""The API contract, openapi.yaml: where the tests find it, and checks against it.

- `openapi_path()`: the source of truth is ``shared/hostup-api/openapi.yaml`` beside
  the repo (where the team and CI keep it). A clone without it uses the copy in
  ``tests/fixtures/hostup_api/``; ``tests/test_contract_copy.py`` fails whenever both
  exist and differ, so the copy cannot drift unnoticed.
- `Contract`: validates a response (the simulator's, or one received with requests)
  against the operation it answers; `KNOWN_GAPS` lists the statuses the simulator
  sends on purpose although openapi.yaml does not declare them.
- `default_contract()` / `check_exchanges()`: the checker for `openapi_path()`, built
  once, and the check the `sim` fixture runs over its log at teardown.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jsonschema  # type: ignore[import-untyped]  # no stubs in the dev extras
import requests
import yaml  # type: ignore[import-untyped]  # no stubs in the dev extras
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.responses.exceptions import ResponseNotFound
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response as WerkzeugResponse

if TYPE_CHECKING:
    from hostup_sim.requestlog import Exchange

REPO = Path(__file__).resolve().parents[2]
SHARED_CONTRACT = REPO.parent / "shared" / "hostup-api" / "openapi.yaml"
VENDORED_CONTRACT = REPO / "tests" / "fixtures" / "hostup_api" / "openapi.yaml"


def openapi_path() -> Path:
    """``$HOSTUP_OPENAPI``, else shared/ beside the repo, else the copy in the repo."""
    override = os.environ.get("HOSTUP_OPENAPI")
    candidates = [Path(override)] if override else []
    candidates += [SHARED_CONTRACT, VENDORED_CONTRACT]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "openapi.yaml not found; set HOSTUP_OPENAPI or restore "
        + ", ".join(str(c) for c in candidates)
    )


CONTRACT_HOST = "https://cloud.hostup.se"

# Responses the simulator sends on purpose although openapi.yaml does not declare
# the status for that operation. Each still has to be a valid Problem body.
KNOWN_GAPS: dict[tuple[str | None, int], str] = {
    ("unmountVpsIso", 409): "vps_not_ready is documented as a code but not listed for unmount",
    ("downloadIsoFromUrl", 409): "a closed canUpload gate answers 409 (assumed, as for mount)",
    ("attachEmptyCdrom", 403): "a key without write scopes gets 403 forbidden",
    ("getJob", 401): "job polling needs a valid key (global bearer security)",
    ("getJob", 429): "job polling is rate limited like every other call",
    (None, 404): "an unknown route answers a not_found problem",
    (None, 405): "a known path with the wrong method answers a method_not_allowed problem",
}


class Contract:
    """Checks simulator responses against openapi.yaml; raises AssertionError with context."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.openapi = OpenAPI.from_file_path(
            str(path),
            config=Config(extra_media_type_deserializers={"application/problem+json": json.loads}),
        )
        spec = yaml.safe_load(path.read_text())
        self._problem_schema: dict[str, Any] = spec["components"]["schemas"]["Problem"]

    def check(
        self,
        *,
        method: str,
        path: str,
        query: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
        operation: str | None,
    ) -> None:
        """Validate one response (the request only locates the operation)."""
        where = f"{method} {path}{'?' + query if query else ''} -> {status}"
        if (operation, status) in KNOWN_GAPS or operation is None:
            assert (operation, status) in KNOWN_GAPS, f"{where}: undeclared route answered"
            self._check_problem(where, headers, body)
            return
        environ = EnvironBuilder(
            method=method, base_url=CONTRACT_HOST, path=path, query_string=query
        ).get_environ()
        request = WerkzeugOpenAPIRequest(WerkzeugRequest(environ))
        response = WerkzeugOpenAPIResponse(
            WerkzeugResponse(body, status=status, headers=list(headers.items()))
        )
        try:
            self.openapi.validate_response(request, response)
        except ResponseNotFound:
            raise AssertionError(
                f"{where}: status {status} is not declared for {operation} in openapi.yaml"
            ) from None
        except Exception as exc:
            detail = "; ".join(str(e) for e in getattr(exc, "schema_errors", [])) or repr(exc)
            raise AssertionError(f"{where}: {type(exc).__name__}: {detail}\n{body!r}") from exc

    def _check_problem(self, where: str, headers: dict[str, str], body: bytes) -> None:
        content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        assert content_type.startswith("application/problem+json"), f"{where}: {content_type}"
        try:
            jsonschema.validate(json.loads(body), self._problem_schema)
        except jsonschema.ValidationError as exc:
            raise AssertionError(f"{where}: not a Problem: {exc.message}") from exc

    def check_exchange(self, exchange: Exchange) -> None:
        """Validate one exchange of the simulator's log."""
        self.check(
            method=exchange.method,
            path=exchange.path,
            query=exchange.query,
            status=exchange.status,
            headers=exchange.response_headers,
            body=exchange.response_body,
            operation=exchange.operation,
        )

    def check_requests(self, response: requests.Response, operation: str) -> None:
        """Validate a response received with requests (operation: its operationId)."""
        url = urlsplit(response.url)
        self.check(
            method=response.request.method or "GET",
            path=url.path,
            query=url.query,
            status=response.status_code,
            headers=dict(response.headers),
            body=response.content,
            operation=operation,
        )


@cache
def default_contract() -> Contract:
    """The checker for `openapi_path()`, built once per process (parsing takes a while)."""
    return Contract(openapi_path())


def check_exchanges(exchanges: Iterable[Exchange]) -> None:
    """Validate every exchange of a simulator's log, except injected faults (off-contract
    on purpose); AssertionError names the first that does not match."""
    contract = default_contract()
    for exchange in exchanges:
        if exchange.fault is None:
            contract.check_exchange(exchange)
