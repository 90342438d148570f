"""The simulator's wire format: request bodies and queries in, JSON bodies out.

Parsing turns a request's JSON into the typed arguments of a backend operation,
or raises InvalidRequest whose errors[] point at the fields; rendering turns
backend values and problems into the bodies openapi.yaml describes. Written
apart from pulumi_hostup's models on purpose: one schema mistake cannot hide on
both sides (the tests check both against openapi.yaml).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hostup_sim.problems import ApiProblem, FieldError, InvalidRequest, invalid
from hostup_sim.world import DEFAULT_DEVICE, DEVICES

if TYPE_CHECKING:
    from hostup_sim.backend import JobView, MediaListing, VpsPage
    from hostup_sim.world import Iso, Job, Vps

PROBLEM_TYPE = "https://developer.hostup.se/errors/"
DECOMPRESS = ("none", "gzip", "lzo", "zstd", "bzip2")
PAGE_SIZE = 20  # GET /api/v2/vps without a limit
_SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,195}\.[iI][sS][oO]$")
_LEGACY_STATE = {
    "pending": "waiting",
    "queued": "waiting",
    "in_progress": "active",
    "completed": "completed",
    "failed": "failed",
}
_GATEWAY_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Time-out"}  # fmt: skip


def iso_timestamp(epoch: float) -> str:
    """`2026-04-27T12:34:56.000Z`: UTC, milliseconds, Z."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# -- in: bodies and query parameters ---------------------------------------------


def json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object; empty counts as {}; 400 when malformed or not an object."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise invalid("", f"The body is not valid JSON: {exc}", "malformed_json") from None
    if not isinstance(body, dict):
        raise invalid("", "The body must be a JSON object.", "invalid_type")
    return body


def _device(body: Mapping[str, Any], errors: list[FieldError]) -> str:
    device = body.get("device", DEFAULT_DEVICE)
    if not isinstance(device, str) or device not in DEVICES:
        detail = f"device must be one of {', '.join(DEVICES)}."
        errors.append(FieldError("/device", detail, "invalid_enum"))
        return DEFAULT_DEVICE
    return device


def _raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidRequest(errors)


def mount_args(body: Mapping[str, Any]) -> tuple[str, str]:
    """Mount body {isoId, device?} -> (iso_id, device)."""
    errors: list[FieldError] = []
    iso_id = body.get("isoId")
    if "isoId" not in body:
        errors.append(FieldError("/isoId", "isoId is required.", "missing_required"))
    elif not isinstance(iso_id, str):
        errors.append(FieldError("/isoId", "isoId must be a string.", "invalid_type"))
    device = _device(body, errors)
    _raise_if(errors)
    assert isinstance(iso_id, str)
    return iso_id, device


def unmount_args(body: Mapping[str, Any]) -> str:
    """Unmount body {device?} -> device."""
    errors: list[FieldError] = []
    device = _device(body, errors)
    _raise_if(errors)
    return device


def attach_args(body: Mapping[str, Any]) -> str | None:
    """Attach-empty body {device?} -> device, None for "the first free one"."""
    if "device" not in body:
        return None
    return unmount_args(body)


def from_url_args(body: Mapping[str, Any]) -> tuple[str, str]:
    """From-url body {url, filename, decompress?} -> (url, filename)."""
    errors: list[FieldError] = []
    url, filename = body.get("url"), body.get("filename")
    if "url" not in body:
        errors.append(FieldError("/url", "url is required.", "missing_required"))
    elif not _is_http_url(url):
        errors.append(FieldError("/url", "url must be an http or https URL.", "invalid_url"))
    if "filename" not in body:
        errors.append(FieldError("/filename", "filename is required.", "missing_required"))
    elif not isinstance(filename, str) or not _SAFE_FILENAME.match(filename):
        detail = "filename must be a plain file name (letters, digits, . _ + -) ending .iso."
        errors.append(FieldError("/filename", detail, "invalid_filename"))
    if "decompress" in body and body["decompress"] not in DECOMPRESS:
        detail = f"decompress must be one of {', '.join(DECOMPRESS)}."
        errors.append(FieldError("/decompress", detail, "invalid_enum"))
    _raise_if(errors)
    assert isinstance(url, str)
    assert isinstance(filename, str)
    return url, filename


def _is_http_url(url: Any) -> bool:
    if not isinstance(url, str) or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class VpsQuery:
    """The query of GET /api/v2/vps, checked."""

    limit: int
    after: str | None  # the id the cursor points past
    name: str | None
    primary_ip: str | None


def vps_query(args: Mapping[str, str]) -> VpsQuery:
    """limit (1..100), cursor (one this API issued), name, primaryIp; 400 points at the bad one."""
    limit = PAGE_SIZE
    if "limit" in args:
        try:
            limit = int(args["limit"])
        except ValueError:
            raise invalid("/limit", "limit must be an integer.", "invalid_type") from None
        if not 1 <= limit <= 100:
            raise invalid("/limit", "limit must be within 1..100.", "out_of_range")
    cursor = args.get("cursor")
    after = _decode_cursor(cursor) if cursor else None
    return VpsQuery(limit, after, args.get("name"), args.get("primaryIp"))


def _encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        after = None
    if not isinstance(after, str):
        raise invalid("/cursor", "Not a cursor this API issued.", "invalid_cursor")
    return after


# -- out: bodies -------------------------------------------------------------------


def vps_page(page: VpsPage) -> dict[str, Any]:
    return {
        "data": [_vps(v) for v in page.vpses],
        "nextCursor": _encode_cursor(page.vpses[-1].id) if page.more else None,
        "hasMore": page.more,
    }


def _vps(vps: Vps) -> dict[str, Any]:
    return {
        "id": vps.id,
        "name": vps.name,
        "primaryIp": vps.primary_ip,
        "serviceStatus": vps.service_status,
        "powerState": vps.power_state,
    }


def _iso(iso: Iso) -> dict[str, Any]:
    return {
        "id": iso.id,
        "name": iso.name,
        "displayName": iso.display_name,
        "sizeGb": iso.size_gb,
        "format": iso.format,
    }


def media_listing(listing: MediaListing) -> dict[str, Any]:
    """The ISO listing: the cloud-init drive is in mounted[] but not in availableDevices[]."""
    view = listing.view
    mounted = [
        {"device": d, "isoId": iso_id, "mounted": True, "isCloudInit": False}
        for d, iso_id in view.media
    ]
    if listing.cloud_init_device is not None:
        mounted.append(
            {
                "device": listing.cloud_init_device,
                "isoId": None,
                "mounted": True,
                "isCloudInit": True,
            }
        )
    mounted.sort(key=lambda m: str(m["device"]))
    in_use = {d for d, _ in view.media}
    return {
        "available": [_iso(i) for i in listing.library],
        "mounted": mounted,
        "bootOrder": None if view.boot_order is None else {"order": list(view.boot_order)},
        "availableDevices": [
            {
                "device": d,
                "type": "existing_cdrom",
                "description": f"CD/DVD {DEVICES.index(d) + 1}",
                "inUse": d in in_use,
            }
            for d in view.devices
        ],
        "actions": {"canMount": asdict(listing.can_mount), "canUpload": asdict(listing.can_upload)},
    }


def mount_reply(device: str, iso_id: str, job: Job | None) -> tuple[int, dict[str, Any]]:
    """200 {device, isoId} when mounted at once; 202 with the operation otherwise."""
    if job is None:
        return 200, {"device": device, "isoId": iso_id}
    return operation(job)


def operation(job: Job) -> tuple[int, dict[str, Any]]:
    """The operation envelope: 200 once completed (pollUrl null), 202 while it runs."""
    terminal = job.status in ("completed", "failed")
    body = {
        "operation": {
            "status": job.status,
            "jobId": job.id,
            "pollUrl": None if job.status == "completed" else f"/api/jobs/{job.id}",
            "result": job.result if terminal else None,
        }
    }
    return (200 if job.status == "completed" else 202), body


def job_envelope(view: JobView, *, request_id: str, now: float) -> dict[str, Any]:
    """GET /api/jobs/{id}: the legacy {success, timestamp, requestId, data} envelope."""
    job = view.job
    return {
        "success": True,
        "timestamp": iso_timestamp(now),
        "requestId": request_id,
        "data": {
            "jobId": job.id,
            "state": _LEGACY_STATE[job.status],
            "status": job.status,
            "progress": view.progress,
            "result": job.result,
            "isCompleted": job.status == "completed",
            "isFailed": job.status == "failed",
            "isRunning": job.status == "in_progress",
            "isWaiting": job.status in ("pending", "queued"),
        },
    }


def problem(problem: ApiProblem, *, instance: str, request_id: str, now: float) -> dict[str, Any]:
    """The RFC 7807 body the real API sends (errors[] only when there are some)."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + problem.code,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "code": problem.code,
        "instance": instance,
        "requestId": request_id,
        "timestamp": iso_timestamp(now),
    }
    if problem.errors:
        body["errors"] = [asdict(e) for e in problem.errors]
    return body


def gateway_page(status: int) -> str:
    """The HTML an nginx gateway answers a 5xx with."""
    return _GATEWAY_PAGE.format(status=status, reason=_REASONS[status])
