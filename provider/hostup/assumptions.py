"""What the client assumes where the Hostup API reference is silent.

Everything here mirrors an element that ``shared/hostup-api/openapi.yaml`` marks
``x-assumed: true``, or a behaviour the reference does not describe at all (said
so where the name is defined). The rest of the package imports these names instead of
repeating the guesses, so that when the real behaviour becomes known, this one
module is the place to correct it. Documented facts do not belong here.
"""

from __future__ import annotations

from typing import Final, Literal

OperationStatus = Literal["pending", "queued", "in_progress", "completed", "failed"]

# ASSUMED: the mount body carries `device` next to the documented `isoId`, with
# unmount's enum and default (openapi.yaml x-assumed: mountVpsIso requestBody.device).
MOUNT_BODY_HAS_DEVICE: Final = True

# ASSUMED: mount answers either 200 {device, isoId} or 202 {operation: ...}; the
# client tells them apart by the body's shape (openapi.yaml x-assumed: mountVpsIso 200/202).
MOUNT_ANSWERS_WITH_OPERATION_KEY: Final = "operation"

# ASSUMED: a closed gate (actions.canMount.allowed == false) makes the action answer
# 409 with the gate's own `code`, e.g. pending_order (openapi.yaml x-assumed: mountVpsIso 409).
GATE_CONFLICT_CODES: Final = frozenset({"pending_order"})

# 409 codes that say "not now" or "the upstream failed" rather than "the device is
# occupied". vps_not_ready and upstream_failed are documented codes; treating every
# other 409 from mount as "media present" is the assumption below.
NOT_MEDIA_CONFLICT_CODES: Final = frozenset({"vps_not_ready", "upstream_failed"}) | (
    GATE_CONFLICT_CODES
)


def is_media_present_conflict(status: int, code: str | None) -> bool:
    """True when a mount's error means "the device already holds media".

    ASSUMED: mounting onto an occupied device is undocumented; the simulator
    replaces the medium by default or answers 409 with some code. Any 409 whose
    code is not a known "not now" code is read as media present (openapi.yaml
    x-assumed: mountVpsIso 409). Callers should still check the listing's gate
    first, since an unknown gate code would also land here.
    """
    return status == 409 and code not in NOT_MEDIA_CONFLICT_CODES


# ASSUMED: a key without a needed scope answers 403 `forbidden` (openapi.yaml
# x-required-scopes; README "Whether a missing scope answers 403"). Used to word
# the 403 message. Listing, unmount and from-url scopes are documented; mount,
# attach-empty and delete copy unmount's scopes (x-assumed on those operations).
MISSING_SCOPE_STATUS: Final = 403
REQUIRED_SCOPES: Final[dict[str, tuple[str, ...]]] = {
    "listVps": ("read:vm",),
    "listVpsIsoMedia": ("read:vm",),
    "mountVpsIso": ("write:vm", "write:storage"),  # ASSUMED
    "unmountVpsIso": ("write:vm", "write:storage"),
    "attachEmptyCdrom": ("write:vm", "write:storage"),  # ASSUMED
    "downloadIsoFromUrl": ("write:vm", "write:storage"),
    "deleteVpsIsoMedia": ("write:vm", "write:storage"),  # ASSUMED
    "getJob": (),  # ASSUMED: not documented for the legacy job endpoint
}

# ASSUMED: deleting ISO media answers 204 with no body, like the sibling disk
# delete (openapi.yaml x-assumed: deleteVpsIsoMedia). The client accepts any 2xx.
DELETE_MEDIA_STATUS: Final = 204

# ASSUMED: a 409 from deleteVpsIsoMedia means the ISO is still mounted on some VPS
# of the account (openapi.yaml lists 409 for the operation, without its codes).
DELETE_MEDIA_CONFLICT_MEANS_IN_USE: Final = True

# ASSUMED: a second from-url request for a file name whose download is still running
# answers that download's operation (202, the same job), not a second download or a 409
# (the reference documents only the 200 for a file that exists). The image engine
# follows whatever job it gets, so a create cut short converges on the next one; the
# simulator implements this choice (hostup_sim/backend.py: download_iso_from_url).
FROM_URL_REPEAT_FOLLOWS_RUNNING_JOB: Final = True

# ASSUMED: attach-empty takes an optional {device} body and answers 200 {device}
# (openapi.yaml x-assumed: attachEmptyCdrom).
ATTACH_EMPTY_BODY_HAS_DEVICE: Final = True

# ASSUMED: pollUrl points at the legacy job endpoint, a path under /api/ on the API
# host; job ids are polled there when no pollUrl is given (openapi.yaml x-assumed: getJob).
POLL_PATH_PREFIX: Final = "/api/"
JOB_PATH_TEMPLATE: Final = "/api/jobs/{job_id}"

# ASSUMED: how the legacy job's `data` maps to operation.status is undocumented
# (openapi.yaml x-assumed: getJob). The flags win over strings: isFailed, then
# isCompleted, then isRunning/isWaiting; otherwise `status` if it already is an
# operation status, then `state` through this table (Bull-style queue states).
# Anything unknown stays "pending", so a caller keeps polling until its deadline
# instead of inventing an outcome.
JOB_STATE_TO_STATUS: Final[dict[str, OperationStatus]] = {
    "pending": "pending",
    "created": "pending",
    "queued": "queued",
    "waiting": "queued",
    "delayed": "queued",
    "paused": "queued",
    "in_progress": "in_progress",
    "active": "in_progress",
    "running": "in_progress",
    "processing": "in_progress",
    "completed": "completed",
    "complete": "completed",
    "succeeded": "completed",
    "success": "completed",
    "done": "completed",
    "failed": "failed",
    "failure": "failed",
    "error": "failed",
    "errored": "failed",
    "cancelled": "failed",
    "canceled": "failed",
}


def job_status(
    *,
    state: str | None,
    status: str | None,
    is_completed: bool | None,
    is_failed: bool | None,
    is_running: bool | None,
    is_waiting: bool | None,
) -> OperationStatus:
    """Map a legacy job's fields to an operation status (see JOB_STATE_TO_STATUS)."""
    if is_failed:
        return "failed"
    if is_completed:
        return "completed"
    if is_running:
        return "in_progress"
    if is_waiting:
        return "queued"
    for raw in (status, state):
        if raw is None:
            continue
        key = raw.strip().lower()
        if key in JOB_STATE_TO_STATUS:
            return JOB_STATE_TO_STATUS[key]
    return "pending"
