"""Named problem types: one exception class per error code the simulator answers.

Each class fixes its status, code, title and the one message its code is worded
with; wire.py renders any of them in the API's RFC 7807 envelope. The backend
and the request pipeline raise them; nothing else builds a problem body.

    ApiProblem
     ├── InvalidRequest     400 invalid_request     errors[] say which fields
     ├── Unauthorized       401 unauthorized
     ├── Forbidden          403 forbidden           the key lacks a scope
     ├── NotFound           404 not_found           a route, an ISO, a job, a drift kind
     ├── VpsNotFound        404 vps_not_found       unknown, or another account's
     ├── MethodNotAllowed   405 method_not_allowed
     ├── VpsNotReady        409 vps_not_ready
     ├── MediaPresent       409 media_present
     ├── DeviceInUse        409 device_in_use
     ├── NoFreeDevice       409 no_free_device
     ├── IsoInUse           409 iso_in_use
     ├── DeviceEmpty        409 device_empty        (drift only)
     ├── GateClosed         409 the gate's own code (pending_order, ...)
     ├── RateLimited        429 rate_limited
     ├── InternalError      500 internal_error      a bug in the simulator
     └── UpstreamFailed     5xx upstream_failed     injected gateway failures

GateClosed is the one class whose code is data: a closed gate answers with the
code the gate carries (default action_not_allowed), as the real API does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One entry of an invalid_request problem's errors[]."""

    pointer: str  # JSON pointer into the body ("" for the whole body, /limit for a query)
    detail: str
    code: str


class ApiProblem(Exception):
    """An error answer: status, code, title and detail, with errors[] and extra headers."""

    status: int = 500
    code: str = "internal_error"
    title: str = "Internal server error"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{self.status} {self.code}: {detail}")
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = dict(headers or {})


class InvalidRequest(ApiProblem):
    """400: the body, a field or a query parameter is wrong; errors[] points at each."""

    status, code, title = 400, "invalid_request", "Invalid request"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("The request is invalid; errors[] says where.", errors=errors)


def invalid(pointer: str, detail: str, code: str) -> InvalidRequest:
    """An InvalidRequest with a single field error."""
    return InvalidRequest([FieldError(pointer, detail, code)])


class Unauthorized(ApiProblem):
    """401: no bearer key, or one this API does not know (missing and wrong look alike)."""

    status, code, title = 401, "unauthorized", "Unauthorized"

    def __init__(self) -> None:
        super().__init__("Send a valid API key as Authorization: Bearer <key>.")


class Forbidden(ApiProblem):
    """403: the key lacks a scope the operation needs."""

    status, code, title = 403, "forbidden", "Forbidden"

    def __init__(self, missing_scopes: Sequence[str]) -> None:
        super().__init__(
            f"This API key lacks the scope(s) {', '.join(missing_scopes)} needed here."
        )


class NotFound(ApiProblem):
    """404 not_found: a route, an ISO, a job (or, on the admin path, a drift kind)."""

    status, code, title = 404, "not_found", "Not found"

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"No {kind} {name} was found.")


class VpsNotFound(ApiProblem):
    """404 vps_not_found: the same answer for an unknown id and another account's VPS."""

    status, code, title = 404, "vps_not_found", "VPS not found"

    def __init__(self, vps_id: str) -> None:
        super().__init__(f"No VPS {vps_id} was found.")


class MethodNotAllowed(ApiProblem):
    """405: a known path with another method; Allow lists the right ones."""

    status, code, title = 405, "method_not_allowed", "Method not allowed"

    def __init__(self, method: str, allowed: Sequence[str]) -> None:
        super().__init__(f"{method} is not allowed here.", headers={"Allow": ", ".join(allowed)})


class VpsNotReady(ApiProblem):
    """409: the VPS cannot take a VM-changing action yet."""

    status, code, title = 409, "vps_not_ready", "VPS not ready"

    def __init__(self, vps_id: str) -> None:
        super().__init__(f"VPS {vps_id} is not ready for this action yet; retry shortly.")


class MediaPresent(ApiProblem):
    """409: a mount onto a device holding another ISO (mount_over_media "conflict")."""

    status, code, title = 409, "media_present", "Media present"

    def __init__(self, device: str, iso_id: str) -> None:
        super().__init__(f"{device} already holds {iso_id}; unmount it first.")


class DeviceInUse(ApiProblem):
    """409: attach-empty of a device that holds media or the cloud-init drive."""

    status, code, title = 409, "device_in_use", "Device in use"

    def __init__(self, device: str) -> None:
        super().__init__(f"{device} is in use.")


class NoFreeDevice(ApiProblem):
    """409: attach-empty without a device, and every IDE slot is taken."""

    status, code, title = 409, "no_free_device", "No free device"

    def __init__(self) -> None:
        super().__init__("The VPS has no free IDE slot left.")


class IsoInUse(ApiProblem):
    """409: deleting an ISO that a VPS of the account has mounted."""

    status, code, title = 409, "iso_in_use", "ISO in use"

    def __init__(self, iso_id: str, places: Sequence[str]) -> None:
        super().__init__(f"{iso_id} is mounted on {', '.join(places)}; unmount it first.")


class DeviceEmpty(ApiProblem):
    """409: a drift swap on a device that holds no medium."""

    status, code, title = 409, "device_empty", "Device empty"

    def __init__(self, device: str) -> None:
        super().__init__(f"{device} holds no medium to swap.")


class GateClosed(ApiProblem):
    """409 with the gate's own code and reason (actions.canMount / canUpload)."""

    status = 409

    def __init__(self, code: str | None, reason: str | None) -> None:
        self.code = code or "action_not_allowed"
        self.title = self.code.replace("_", " ").capitalize()
        super().__init__(reason or "This action is not allowed on the VPS right now.")


class RateLimited(ApiProblem):
    """429: the key's bucket is empty, or an injected burst; the headers say when to retry."""

    status, code, title = 429, "rate_limited", "Too many requests"

    def __init__(self, retry_after: int, headers: Mapping[str, str]) -> None:
        super().__init__(f"Too many requests; retry after {retry_after} s.", headers=headers)


class InternalError(ApiProblem):
    """500: the simulator itself failed (a bug: the request log shows which request)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(f"Simulator error: {error}")


class UpstreamFailed(ApiProblem):
    """An injected gateway failure (500/502/503/504), or a request that outlived a reset."""

    code, title = "upstream_failed", "Upstream failed"

    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__("The upstream service failed to answer; retry.")
