"""State and operations of the simulated Hostup API (moto-style backend).

One method per operationId of openapi.yaml, each taking the calling key's
`Caller` and returning a `Reply(status, body)` in wire shape, or raising
`ApiProblem`, which app.py renders as RFC 7807. Everything sits behind one
lock; with a state file, every change is written atomically before the call
returns. Drift methods do what a person in the Hostup dashboard would do.

Assumed behaviours (not in the public reference; change them here):
- Mount body `{isoId, device}`: device defaults to ide2; answers 200 `{device, isoId}`,
  or a 202 operation when Settings.mount_response is "async" (mounted when the job ends).
- Mounting the ISO a device already holds answers 200 and changes nothing.
- Mounting onto a device holding another ISO replaces it (mount_over_media "replace",
  default) or answers 409 `media_present` (mount_over_media "conflict").
- ISO not in available[] -> 400 invalid_request, errors[] pointer /isoId code not_available.
- Device the VPS has no CD/DVD slot for -> 400, pointer /device code device_unavailable;
  the cloud-init device -> 400, pointer /device code cloud_init_drive (mount and unmount).
- Unmounting an empty CD/DVD slot answers 200 `{device}`.
- A closed gate answers 409 with the gate's code: canMount for mount and attach-empty
  (pending-1: pending_order), canUpload for from-url.
- vps_not_ready (409) is answered by the VM-changing actions only (mount, unmount,
  attach-empty), never by listings: slow-1 answers it to its first Settings.slow_requests
  such requests after a reset (or for Settings.slow_seconds). The contract declares
  no 409 for unmount; the sim sends it anyway, as the real API may.
- The cloud-init drive is listed in mounted[] as {device: ide0, isoId: null, mounted: true,
  isCloudInit: true}; it is not in availableDevices[].
- bootOrder is {"order": [...]} or null; mounting device D puts D first, unmounting removes it.
- Attach-empty: body {device?}; without a device takes the first free of ide2, ide3, ide1,
  ide0; a slot that already exists and is empty answers 200 (idempotent); a slot holding
  media or the cloud-init drive -> 409 device_in_use; no free device -> 409 no_free_device.
- The ISO library belongs to the account: every VPS of the account lists it in available[].
- From-url: url must be http(s) with a host (pointer /url, invalid_url); filename a plain
  name ending .iso, no path (pointer /filename, invalid_filename); decompress in its enum.
  The same filename already in the library -> 200 completed, pollUrl null, result {isoId,
  name}; a download of that filename still running -> 202 with the same job. A URL
  containing "fail" ends failed. Jobs run queued (first 20% of Settings.job_seconds),
  in_progress, then completed; the new ISO's displayName is the filename without .iso.
- Job polling (legacy envelope): any key of the owning account, no scope needed; another
  account's job -> 404 not_found. data.state is waiting|active|completed|failed.
- Delete ISO -> 204; not in the library -> 404 not_found; mounted on any VPS of the
  account -> 409 iso_in_use.
- A missing scope -> 403 forbidden; a VPS of another account or an unknown id -> 404
  vps_not_found (existence never revealed). Invalid or missing key -> 401 unauthorized.
- GET /api/v2/vps lists by id; nextCursor is opaque (base64 of the last id); a bad
  limit or cursor -> 400 invalid_request with pointer /limit or /cursor.
- Rate limiting is per key (token bucket), off by default; keyless requests are never
  limited (they are answered 401 first). While it is on, every answer to a key carries
  X-RateLimit-Limit/-Remaining/-Reset, not only 429s.
- Checks run in this order: route (404 not_found, 405 method_not_allowed), 401, 429, 403,
  malformed JSON (400), VPS (404), fields (400), vps_not_ready (409), gate (409), media (409).
- Malformed JSON -> 400 invalid_request, errors[] pointer "" code malformed_json; a body that
  is not an object -> pointer "" code invalid_type; an empty body counts as {}.
- Query parameter errors point at /limit or /cursor, though pointers are documented for
  bodies only.
- Every /api answer carries X-Request-Id, the same value as a problem's requestId.
- Injected 5xx problems have code upstream_failed; HTML pages mimic an nginx gateway.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import os
import re
import secrets
import string
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hostup_sim.faults import FaultDecision, FaultInjector, Faults, coerce_json_value
from hostup_sim.ratelimit import RateDecision, TokenBuckets, iso_timestamp
from hostup_sim.world import (
    DEVICES,
    SCOPE_READ_VM,
    SCOPE_WRITE_STORAGE,
    SCOPE_WRITE_VM,
    Gate,
    Iso,
    Job,
    Vps,
    World,
    build_world,
)

DEFAULT_DEVICE = "ide2"
# attach-empty without a device takes the first free one of these.
ATTACH_PREFERENCE = ("ide2", "ide3", "ide1", "ide0")
DECOMPRESS = ("none", "gzip", "lzo", "zstd", "bzip2")
_SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,195}\.[iI][sS][oO]$")
_ID_ALPHABET = string.ascii_lowercase + string.digits

OPERATION_SCOPES: dict[str, tuple[str, ...]] = {
    "listVps": (SCOPE_READ_VM,),
    "listVpsIsoMedia": (SCOPE_READ_VM,),
    "mountVpsIso": (SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE),
    "unmountVpsIso": (SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE),
    "attachEmptyCdrom": (SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE),
    "downloadIsoFromUrl": (SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE),
    "deleteVpsIsoMedia": (SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE),
    "getJob": (),
}

# Titles vary for one code in the real API; clients must branch on code only.
TITLES: dict[str, str] = {
    "invalid_request": "Invalid request",
    "unauthorized": "Unauthorized",
    "forbidden": "Forbidden",
    "not_found": "Not found",
    "vps_not_found": "VPS not found",
    "vps_not_ready": "VPS not ready",
    "rate_limited": "Too many requests",
    "upstream_failed": "Upstream failed",
    "method_not_allowed": "Method not allowed",
    "internal_error": "Internal server error",
}


def random_id(prefix: str) -> str:
    """`<prefix>_<26 lowercase alphanumerics>`, like the API's ids."""
    return prefix + "_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(26))


@dataclass(frozen=True)
class FieldError:
    """One entry of a problem's errors[]."""

    pointer: str
    detail: str
    code: str


class ApiProblem(Exception):
    """An API error; rendered as application/problem+json by app.py."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.title = title or TITLES.get(code, code.replace("_", " ").capitalize())


def invalid(errors: list[FieldError], detail: str = "The request is invalid.") -> ApiProblem:
    return ApiProblem(400, "invalid_request", detail, errors=errors)


@dataclass(frozen=True)
class Caller:
    """The authenticated key: its account, id (safe to log) and scopes."""

    account: str
    key_id: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class Reply:
    """A successful answer in wire shape; body None means no content."""

    status: int
    body: dict[str, Any] | None


@dataclass
class Settings:
    """Behaviour switches; reset() restores the ones the store was built with."""

    mount_over_media: str = "replace"  # replace | conflict
    mount_response: str = "sync"  # sync: 200 {device, isoId}; async: 202 operation
    job_seconds: float = 1.0  # from-url (and async mount) job duration
    slow_requests: int = 2  # slow-1's first N VM actions answer vps_not_ready ...
    slow_seconds: float = 0.0  # ... or all of them for this long after a reset
    extra_vps: int = 0  # load-test VPSes added to the demo account at reset
    rate_limit_rps: float = 0.0  # 0 disables rate limiting
    rate_limit_burst: int = 0  # bucket size; 0 means ceil(rps)
    record_exchanges: bool = False  # keep full request/response pairs (contract tests)
    log_limit: int = 100_000  # request log records kept (oldest dropped)

    def __post_init__(self) -> None:
        if self.mount_over_media not in ("replace", "conflict"):
            raise ValueError("mount_over_media must be replace or conflict")
        if self.mount_response not in ("sync", "async"):
            raise ValueError("mount_response must be sync or async")
        for name in ("job_seconds", "slow_requests", "slow_seconds", "extra_vps"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.rate_limit_rps < 0 or self.rate_limit_burst < 0:
            raise ValueError("rate limits must not be negative")
        if self.log_limit < 1:
            raise ValueError("log_limit must be positive")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any], base: Settings | None = None) -> Settings:
        """Build from a JSON object; keys missing from data come from base (or defaults)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        merged = (base or cls()).to_json()
        for key, value in data.items():
            merged[key] = coerce_json_value(key, value, merged[key])
        return cls(**merged)


@dataclass(frozen=True)
class LogRecord:
    """One /api request as the log keeps it: never the key, only its id."""

    seq: int
    timestamp: str
    method: str
    path: str
    query: str
    status: int | None  # None: the connection was dropped on purpose
    operation: str | None
    vps_id: str | None
    key_id: str | None
    request_id: str
    fault: str | None
    latency_ms: float
    duration_ms: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Exchange:
    """A full request/response pair, kept when Settings.record_exchanges is on."""

    method: str
    path: str
    query: str
    request_content_type: str | None
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    operation: str | None
    fault: str | None


def _encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise invalid(
            [FieldError("/cursor", "Not a cursor this API issued.", "invalid_cursor")]
        ) from None
    if not isinstance(after, str):
        raise invalid([FieldError("/cursor", "Not a cursor this API issued.", "invalid_cursor")])
    return after


def write_atomically(path: Path, data: bytes) -> None:
    """Replace path with data so a reader (or a crash) sees the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # The rename itself must reach the disk too.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class HostupStore:
    """The simulated Hostup account data, thread-safe behind one lock."""

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        faults: Faults | None = None,
        state_file: str | Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._base_settings = settings or Settings()
        self._settings = copy.deepcopy(self._base_settings)
        self._state_file = Path(state_file) if state_file is not None else None
        self._log: deque[LogRecord] = deque(maxlen=self._settings.log_limit)
        self._exchanges: deque[Exchange] = deque(maxlen=10_000)
        self._seq = 0
        self._generation = 0  # bumped by reset(): stragglers from before it are not logged
        self._wake = threading.Event()
        self._injector = FaultInjector(faults or Faults())
        self._limiter: TokenBuckets | None = None
        self._rebuild_limiter()
        self._dirty = False
        if self._state_file is not None and self._state_file.exists():
            self._world = self._load(self._state_file)
        else:
            self._world = self._seed()
            self._dirty = True
            self._commit()

    # -- lifecycle ---------------------------------------------------------

    @property
    def state_file(self) -> Path | None:
        return self._state_file

    def reset(self, *, extra_vps: int | None = None) -> None:
        """Restore the seeded world and the start settings; clear log, faults, limits, jobs."""
        with self._lock:
            if extra_vps is not None:
                self._base_settings = replace(self._base_settings, extra_vps=extra_vps)
            self._settings = copy.deepcopy(self._base_settings)
            self._generation += 1
            self.release_sleepers()
            self._log = deque(maxlen=self._settings.log_limit)
            self._exchanges.clear()
            self._injector = FaultInjector(Faults())
            self._rebuild_limiter()
            self._world = self._seed()
            self._dirty = True
            self._commit()

    def release_sleepers(self) -> None:
        """Wake every request held back by latency or a hang (used when stopping)."""
        with self._lock:
            self._wake.set()
            self._wake = threading.Event()

    def sleep(self, seconds: float) -> None:
        """Sleep for injected latency; returns early when release_sleepers() is called."""
        if seconds > 0:
            with self._lock:
                wake = self._wake
            wake.wait(seconds)

    def snapshot(self) -> dict[str, Any]:
        """The whole world as JSON (what the state file holds)."""
        with self._lock:
            self._advance()
            self._commit()
            return self._world.to_json()

    def _seed(self) -> World:
        s = self._settings
        return build_world(
            extra_vps=s.extra_vps,
            slow_requests=s.slow_requests,
            slow_seconds=s.slow_seconds,
            now=self._clock(),
        )

    @staticmethod
    def _load(path: Path) -> World:
        try:
            return World.from_json(json.loads(path.read_text()))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"state file {path} is not a simulator state: {exc}") from exc

    def _commit(self) -> None:
        """Persist pending changes (caller holds the lock)."""
        if self._dirty and self._state_file is not None:
            data = json.dumps(self._world.to_json(), indent=1, sort_keys=True).encode()
            write_atomically(self._state_file, data)
        self._dirty = False

    @contextmanager
    def _operation(self) -> Iterator[None]:
        """Lock, bring jobs up to date, and persist whatever the body changed."""
        with self._lock:
            self._advance()
            try:
                yield
            finally:
                self._commit()

    # -- settings, faults, rate limits --------------------------------------

    def settings(self) -> Settings:
        with self._lock:
            return copy.deepcopy(self._settings)

    def start_settings(self) -> Settings:
        """The settings the store was built with, which reset() restores."""
        with self._lock:
            return copy.deepcopy(self._base_settings)

    def set_settings(self, settings: Settings) -> None:
        """Replace the current settings (reset() goes back to the start ones)."""
        with self._lock:
            self._settings = copy.deepcopy(settings)
            if self._log.maxlen != settings.log_limit:
                self._log = deque(self._log, maxlen=settings.log_limit)
            self._rebuild_limiter()

    def update_settings(self, **changes: Any) -> Settings:
        """Change some settings; raises ValueError on an unknown or invalid one."""
        with self._lock:
            new = Settings.from_json(changes, base=self._settings)
            self.set_settings(new)
            return copy.deepcopy(new)

    def faults(self) -> Faults:
        with self._lock:
            return copy.deepcopy(self._injector.faults)

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault knobs; restarts the seeded sequence."""
        with self._lock:
            self._injector = FaultInjector(copy.deepcopy(faults))

    def update_faults(self, **changes: Any) -> Faults:
        """Change some fault knobs; raises ValueError on an unknown or invalid one."""
        with self._lock:
            new = Faults.from_json(changes, base=self._injector.faults)
            self.set_faults(new)
            return copy.deepcopy(new)

    def decide_fault(self, method: str, path: str) -> FaultDecision:
        with self._lock:
            return self._injector.decide(method, path)

    def _rebuild_limiter(self) -> None:
        s = self._settings
        self._limiter = (
            TokenBuckets(s.rate_limit_rps, s.rate_limit_burst, self._clock)
            if s.rate_limit_rps > 0
            else None
        )

    def take_rate_token(self, caller: Caller) -> RateDecision | None:
        """None when limiting is off; raises ApiProblem 429 when the key's bucket is empty."""
        with self._lock:
            if self._limiter is None:
                return None
            decision = self._limiter.take(caller.key_id)
        if not decision.allowed:
            raise ApiProblem(
                429,
                "rate_limited",
                f"Rate limit of {decision.limit} requests exceeded; retry after "
                f"{decision.retry_after} s.",
                headers=decision.headers(),
            )
        return decision

    # -- request log ---------------------------------------------------------

    @property
    def generation(self) -> int:
        """Changes at every reset(); a request started before it is not logged after it."""
        with self._lock:
            return self._generation

    def log_request(self, *, generation: int | None = None, **record: Any) -> LogRecord | None:
        """Append a record (seq and timestamp are filled in) unless it predates a reset."""
        with self._lock:
            if generation is not None and generation != self._generation:
                return None
            self._seq += 1
            entry = LogRecord(seq=self._seq, timestamp=iso_timestamp(self._clock()), **record)
            self._log.append(entry)
            return entry

    def request_log(self) -> list[LogRecord]:
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()
            self._exchanges.clear()

    def fault_counts(self) -> dict[str, int]:
        """How many requests met each kind of injected fault, from the log."""
        with self._lock:
            return dict(Counter(r.fault for r in self._log if r.fault))

    def record_exchange(self, exchange: Exchange, *, generation: int | None = None) -> None:
        with self._lock:
            stale = generation is not None and generation != self._generation
            if self._settings.record_exchanges and not stale:
                self._exchanges.append(exchange)

    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    # -- auth ----------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> Caller:
        """The caller of an `Authorization: Bearer <key>` header; 401 otherwise."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiProblem(401, "unauthorized", "Send an API key as Authorization: Bearer <key>.")
        with self._lock:
            for key in self._world.keys:
                if secrets.compare_digest(key.secret.encode(), token.encode()):
                    return Caller(key.account, key.key_id, frozenset(key.scopes))
        raise ApiProblem(401, "unauthorized", "The API key is invalid or has been revoked.")

    def caller_for(self, account: str) -> Caller:
        """An all-scopes caller of account, for in-process use of the operations."""
        scopes = frozenset(s for needed in OPERATION_SCOPES.values() for s in needed)
        return Caller(account, f"inprocess_{account}", scopes)

    @staticmethod
    def authorize(caller: Caller, operation: str) -> None:
        """403 forbidden unless the caller's key has every scope the operation needs."""
        missing = [s for s in OPERATION_SCOPES[operation] if s not in caller.scopes]
        if missing:
            raise ApiProblem(
                403,
                "forbidden",
                f"This API key lacks the scope(s) {', '.join(missing)} needed here.",
            )

    # -- helpers (caller holds the lock) -------------------------------------

    def _vps(self, caller: Caller, vps_id: str) -> Vps:
        vps = self._world.vpses.get(vps_id)
        if vps is None or vps.account != caller.account:
            # Same answer for a VPS of another account: existence is never revealed.
            raise ApiProblem(404, "vps_not_found", f"No VPS with id {vps_id} was found.")
        return vps

    def _library(self, account: str) -> list[Iso]:
        return [iso for iso in self._world.isos.values() if iso.account == account]

    def _check_ready(self, vps: Vps) -> None:
        if vps.not_ready_requests > 0:
            vps.not_ready_requests -= 1
            self._dirty = True
        elif self._clock() >= vps.not_ready_until:
            return
        raise ApiProblem(
            409,
            "vps_not_ready",
            f"VPS {vps.id} is not ready for this action yet; retry shortly.",
        )

    @staticmethod
    def _check_gate(gate: Gate) -> None:
        if not gate.allowed:
            raise ApiProblem(
                409,
                gate.code or "action_not_allowed",
                gate.reason or "This action is not allowed on the VPS right now.",
            )

    @staticmethod
    def _body(body: Any) -> dict[str, Any]:
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise invalid([FieldError("", "The body must be a JSON object.", "invalid_type")])
        return body

    @staticmethod
    def _device_field(body: dict[str, Any], errors: list[FieldError]) -> str:
        device = body.get("device", DEFAULT_DEVICE)
        if not isinstance(device, str) or device not in DEVICES:
            errors.append(
                FieldError(
                    "/device", f"device must be one of {', '.join(DEVICES)}.", "invalid_enum"
                )
            )
            return DEFAULT_DEVICE
        return device

    @staticmethod
    def _slot_error(vps: Vps, device: str) -> FieldError | None:
        if device == vps.cloud_init_device:
            return FieldError(
                "/device",
                f"{device} holds the cloud-init drive; it is not an ISO slot.",
                "cloud_init_drive",
            )
        if device not in vps.cdrom_devices:
            return FieldError(
                "/device", f"The VPS has no CD/DVD device {device}.", "device_unavailable"
            )
        return None

    def _set_media(self, vps: Vps, device: str, iso_id: str | None) -> None:
        if iso_id is None:
            vps.media.pop(device, None)
            if vps.boot_order is not None and device in vps.boot_order:
                vps.boot_order.remove(device)
        else:
            vps.media[device] = iso_id
            if vps.boot_order is not None and device not in vps.boot_order:
                vps.boot_order.insert(0, device)
        self._dirty = True

    def _new_job(self, caller: Caller, kind: str, params: dict[str, Any]) -> Job:
        job = Job(
            id=random_id("job"),
            account=caller.account,
            kind=kind,
            created_at=self._clock(),
            duration=self._settings.job_seconds,
            params=params,
        )
        self._world.jobs[job.id] = job
        self._dirty = True
        return job

    @staticmethod
    def _operation_body(job: Job) -> dict[str, Any]:
        terminal = job.status in ("completed", "failed")
        return {
            "operation": {
                "status": job.status,
                "jobId": job.id,
                "pollUrl": None if job.status == "completed" else f"/api/jobs/{job.id}",
                "result": job.result if terminal else None,
            }
        }

    def _advance(self) -> None:
        """Move every running job along the clock; finished ones take effect now."""
        now = self._clock()
        for job in self._world.jobs.values():
            if job.status in ("completed", "failed"):
                continue
            elapsed = now - job.created_at
            if elapsed >= job.duration:
                self._finish(job)
            elif elapsed >= 0.2 * job.duration and job.status != "in_progress":
                job.status = "in_progress"
                self._dirty = True

    def _finish(self, job: Job) -> None:
        self._dirty = True
        p = job.params
        if job.kind == "download":
            if "fail" in p["url"].lower():
                job.status = "failed"
                job.result = {
                    "code": "download_failed",
                    "error": f"Downloading {p['url']} failed: the server answered 404.",
                }
                return
            iso = Iso(
                id=random_id("iso"),
                account=job.account,
                name=p["filename"],
                display_name=p["filename"][: -len(".iso")],
                size_gb=_size_from_url(p["url"]),
            )
            self._world.isos[iso.id] = iso
            job.status = "completed"
            job.result = {"isoId": iso.id, "name": iso.name}
            return
        vps = self._world.vpses.get(p["vpsId"])
        if (
            vps is None
            or p["isoId"] not in self._world.isos
            or p["device"] not in vps.cdrom_devices
        ):
            job.status = "failed"
            job.result = {"code": "mount_failed", "error": "The VPS or the ISO is gone."}
            return
        self._set_media(vps, p["device"], p["isoId"])
        job.status = "completed"
        job.result = {"device": p["device"], "isoId": p["isoId"]}

    # -- API operations ------------------------------------------------------

    def list_vps(
        self,
        caller: Caller,
        *,
        limit: str | int | None = None,
        cursor: str | None = None,
        name: str | None = None,
        primary_ip: str | None = None,
    ) -> Reply:
        """GET /api/v2/vps: one page of the caller's VPSes, by id."""
        self.authorize(caller, "listVps")
        page_size = 20
        if limit is not None:
            try:
                page_size = int(limit)
            except ValueError:
                raise invalid(
                    [FieldError("/limit", "limit must be an integer.", "invalid_type")]
                ) from None
            if not 1 <= page_size <= 100:
                raise invalid(
                    [FieldError("/limit", "limit must be within 1..100.", "out_of_range")]
                )
        after = _decode_cursor(cursor) if cursor else None
        with self._operation():
            rows = sorted(
                (v for v in self._world.vpses.values() if v.account == caller.account),
                key=lambda v: v.id,
            )
            if name is not None:
                rows = [v for v in rows if v.name.casefold() == name.casefold()]
            if primary_ip is not None:
                rows = [v for v in rows if v.primary_ip == primary_ip]
            if after is not None:
                rows = [v for v in rows if v.id > after]
            page, more = rows[:page_size], len(rows) > page_size
            return Reply(
                200,
                {
                    "data": [_vps_json(v) for v in page],
                    "nextCursor": _encode_cursor(page[-1].id) if more else None,
                    "hasMore": more,
                },
            )

    def list_vps_iso_media(self, caller: Caller, vps_id: str) -> Reply:
        """GET /api/v2/vps/{id}/iso: the canonical media state of one VPS."""
        self.authorize(caller, "listVpsIsoMedia")
        with self._operation():
            vps = self._vps(caller, vps_id)
            mounted = [
                {"device": d, "isoId": iso_id, "mounted": True, "isCloudInit": False}
                for d, iso_id in vps.media.items()
            ]
            if vps.cloud_init_device is not None:
                mounted.append(
                    {
                        "device": vps.cloud_init_device,
                        "isoId": None,
                        "mounted": True,
                        "isCloudInit": True,
                    }
                )
            mounted.sort(key=lambda m: str(m["device"]))
            return Reply(
                200,
                {
                    "available": [_iso_json(i) for i in self._library(vps.account)],
                    "mounted": mounted,
                    "bootOrder": None
                    if vps.boot_order is None
                    else {"order": list(vps.boot_order)},
                    "availableDevices": [
                        {
                            "device": d,
                            "type": "existing_cdrom",
                            "description": f"CD/DVD {DEVICES.index(d) + 1}",
                            "inUse": d in vps.media,
                        }
                        for d in sorted(vps.cdrom_devices)
                    ],
                    "actions": {
                        "canMount": asdict(vps.can_mount),
                        "canUpload": asdict(vps.can_upload),
                    },
                },
            )

    def mount_vps_iso(self, caller: Caller, vps_id: str, body: Any) -> Reply:
        """POST .../iso/actions/mount: 200 {device, isoId}, or 202 operation in async mode."""
        self.authorize(caller, "mountVpsIso")
        data = self._body(body)
        errors: list[FieldError] = []
        iso_id = data.get("isoId")
        if "isoId" not in data:
            errors.append(FieldError("/isoId", "isoId is required.", "missing_required"))
        elif not isinstance(iso_id, str):
            errors.append(FieldError("/isoId", "isoId must be a string.", "invalid_type"))
        device = self._device_field(data, errors)
        with self._operation():
            vps = self._vps(caller, vps_id)
            if errors:
                raise invalid(errors)
            assert isinstance(iso_id, str)
            library = {iso.id for iso in self._library(vps.account)}
            if iso_id not in library:
                errors.append(
                    FieldError(
                        "/isoId", f"{iso_id} is not in this VPS's available ISOs.", "not_available"
                    )
                )
            slot_error = self._slot_error(vps, device)
            if slot_error:
                errors.append(slot_error)
            if errors:
                raise invalid(errors)
            self._check_ready(vps)
            self._check_gate(vps.can_mount)
            current = vps.media.get(device)
            if current == iso_id:
                return Reply(200, {"device": device, "isoId": iso_id})
            if current is not None and self._settings.mount_over_media == "conflict":
                raise ApiProblem(
                    409,
                    "media_present",
                    f"{device} already holds {current}; unmount it first.",
                )
            if self._settings.mount_response == "async":
                # Takes effect when the job ends (at the next request if job_seconds is 0).
                job = self._new_job(
                    caller, "mount", {"vpsId": vps.id, "device": device, "isoId": iso_id}
                )
                return Reply(202, self._operation_body(job))
            self._set_media(vps, device, iso_id)
            return Reply(200, {"device": device, "isoId": iso_id})

    def unmount_vps_iso(self, caller: Caller, vps_id: str, body: Any) -> Reply:
        """POST .../iso/actions/unmount: 200 {device}, also for an empty slot."""
        self.authorize(caller, "unmountVpsIso")
        data = self._body(body)
        errors: list[FieldError] = []
        device = self._device_field(data, errors)
        with self._operation():
            vps = self._vps(caller, vps_id)
            if errors:
                raise invalid(errors)
            slot_error = self._slot_error(vps, device)
            if slot_error:
                raise invalid([slot_error])
            self._check_ready(vps)
            if device in vps.media:
                self._set_media(vps, device, None)
            return Reply(200, {"device": device})

    def attach_empty_cdrom(self, caller: Caller, vps_id: str, body: Any) -> Reply:
        """POST .../iso/actions/attach-empty: 200 {device} of the (new or existing) empty slot."""
        self.authorize(caller, "attachEmptyCdrom")
        data = self._body(body)
        errors: list[FieldError] = []
        wanted = self._device_field(data, errors) if "device" in data else None
        with self._operation():
            vps = self._vps(caller, vps_id)
            if errors:
                raise invalid(errors)
            self._check_ready(vps)
            self._check_gate(vps.can_mount)
            if wanted is None:
                taken = {*vps.cdrom_devices, vps.cloud_init_device}
                free = [d for d in ATTACH_PREFERENCE if d not in taken]
                if not free:
                    raise ApiProblem(409, "no_free_device", "The VPS has no free IDE slot left.")
                wanted = free[0]
            elif wanted == vps.cloud_init_device or wanted in vps.media:
                raise ApiProblem(409, "device_in_use", f"{wanted} is in use.")
            if wanted not in vps.cdrom_devices:
                vps.cdrom_devices.append(wanted)
                vps.cdrom_devices.sort()
                self._dirty = True
            return Reply(200, {"device": wanted})

    def download_iso_from_url(self, caller: Caller, vps_id: str, body: Any) -> Reply:
        """POST .../iso/actions/from-url: 202 queued operation, or 200 if the file exists."""
        self.authorize(caller, "downloadIsoFromUrl")
        data = self._body(body)
        errors: list[FieldError] = []
        url, filename = data.get("url"), data.get("filename")
        if "url" not in data:
            errors.append(FieldError("/url", "url is required.", "missing_required"))
        elif not _is_http_url(url):
            errors.append(FieldError("/url", "url must be an http or https URL.", "invalid_url"))
        if "filename" not in data:
            errors.append(FieldError("/filename", "filename is required.", "missing_required"))
        elif not isinstance(filename, str) or not _SAFE_FILENAME.match(filename):
            errors.append(
                FieldError(
                    "/filename",
                    "filename must be a plain file name (letters, digits, . _ + -) ending .iso.",
                    "invalid_filename",
                )
            )
        if "decompress" in data and data["decompress"] not in DECOMPRESS:
            errors.append(
                FieldError(
                    "/decompress",
                    f"decompress must be one of {', '.join(DECOMPRESS)}.",
                    "invalid_enum",
                )
            )
        with self._operation():
            vps = self._vps(caller, vps_id)
            if errors:
                raise invalid(errors)
            assert isinstance(url, str)
            assert isinstance(filename, str)
            self._check_gate(vps.can_upload)
            for iso in self._library(vps.account):
                if iso.name == filename:
                    job = self._new_job(caller, "download", {"url": url, "filename": filename})
                    job.status = "completed"
                    job.result = {"isoId": iso.id, "name": iso.name}
                    return Reply(200, self._operation_body(job))
            for job in self._world.jobs.values():
                if (
                    job.account == vps.account
                    and job.kind == "download"
                    and job.params["filename"] == filename
                    and job.status in ("queued", "in_progress")
                ):
                    return Reply(202, self._operation_body(job))
            job = self._new_job(caller, "download", {"url": url, "filename": filename})
            return Reply(202, self._operation_body(job))

    def delete_vps_iso_media(self, caller: Caller, vps_id: str, iso_id: str) -> Reply:
        """DELETE .../iso/{volid}: 204; 409 iso_in_use while any VPS has it mounted."""
        self.authorize(caller, "deleteVpsIsoMedia")
        with self._operation():
            vps = self._vps(caller, vps_id)
            iso = self._world.isos.get(iso_id)
            if iso is None or iso.account != vps.account:
                raise ApiProblem(404, "not_found", f"No ISO with id {iso_id} was found.")
            users = [
                f"{v.name}/{d}"
                for v in self._world.vpses.values()
                if v.account == vps.account
                for d, mounted in v.media.items()
                if mounted == iso_id
            ]
            if users:
                raise ApiProblem(
                    409,
                    "iso_in_use",
                    f"{iso_id} is mounted on {', '.join(users)}; unmount it first.",
                )
            del self._world.isos[iso_id]
            self._dirty = True
            return Reply(204, None)

    def get_job(self, caller: Caller, job_id: str, *, request_id: str | None = None) -> Reply:
        """GET /api/jobs/{jobId}: the legacy {success, timestamp, requestId, data} envelope."""
        self.authorize(caller, "getJob")
        with self._operation():
            job = self._world.jobs.get(job_id)
            if job is None or job.account != caller.account:
                raise ApiProblem(404, "not_found", f"No job with id {job_id} was found.")
            now = self._clock()
            if job.status == "completed":
                progress = 100
            elif job.status == "in_progress" and job.duration > 0:
                progress = max(1, min(99, int(100 * (now - job.created_at) / job.duration)))
            else:
                progress = 0
            return Reply(
                200,
                {
                    "success": True,
                    "timestamp": iso_timestamp(now),
                    "requestId": request_id or random_id("req"),
                    "data": {
                        "jobId": job.id,
                        "state": _LEGACY_STATE[job.status],
                        "status": job.status,
                        "progress": progress,
                        "result": job.result,
                        "isCompleted": job.status == "completed",
                        "isFailed": job.status == "failed",
                        "isRunning": job.status == "in_progress",
                        "isWaiting": job.status in ("pending", "queued"),
                    },
                },
            )

    # -- out-of-band changes (the Hostup dashboard) --------------------------

    def _any_vps(self, vps_id: str) -> Vps:
        vps = self._world.vpses.get(vps_id)
        if vps is None:
            raise ApiProblem(404, "vps_not_found", f"No VPS with id {vps_id}.")
        return vps

    def _drift_iso(self, vps: Vps, iso_id: str) -> None:
        iso = self._world.isos.get(iso_id)
        if iso is None or iso.account != vps.account:
            raise ApiProblem(404, "not_found", f"{iso_id} is not in the library of {vps.name}.")

    @staticmethod
    def _drift_device(device: str) -> None:
        if device not in DEVICES:
            raise invalid([FieldError("/device", f"{device!r} is not a device.", "invalid_enum")])

    def drift_unmount(self, vps_id: str, device: str = DEFAULT_DEVICE) -> None:
        """Someone ejects the medium of device (no-op if empty)."""
        self._drift_device(device)
        with self._operation():
            vps = self._any_vps(vps_id)
            if device in vps.media:
                self._set_media(vps, device, None)

    def drift_mount(self, vps_id: str, device: str, iso_id: str) -> None:
        """Someone mounts iso_id on device, adding the CD/DVD slot if it is missing."""
        self._drift_device(device)
        with self._operation():
            vps = self._any_vps(vps_id)
            self._drift_iso(vps, iso_id)
            if device == vps.cloud_init_device:
                raise invalid(
                    [FieldError("/device", "That is the cloud-init drive.", "cloud_init_drive")]
                )
            if device not in vps.cdrom_devices:
                vps.cdrom_devices.append(device)
                vps.cdrom_devices.sort()
            self._set_media(vps, device, iso_id)

    def drift_swap(self, vps_id: str, device: str, iso_id: str) -> None:
        """Someone replaces the medium on device with iso_id; 409 if the device is empty."""
        self._drift_device(device)
        with self._operation():
            vps = self._any_vps(vps_id)
            self._drift_iso(vps, iso_id)
            if device not in vps.media:
                raise ApiProblem(409, "device_empty", f"{device} holds no medium to swap.")
            self._set_media(vps, device, iso_id)

    def drift_delete_vps(self, vps_id: str) -> None:
        """Someone deletes the VPS; its id answers 404 vps_not_found from now on."""
        with self._operation():
            self._any_vps(vps_id)
            del self._world.vpses[vps_id]
            self._dirty = True

    def drift_delete_iso(self, vps_id: str, iso_id: str) -> None:
        """Someone deletes iso_id from the library of vps_id's account, ejecting it everywhere."""
        with self._operation():
            vps = self._any_vps(vps_id)
            self._drift_iso(vps, iso_id)
            for other in self._world.vpses.values():
                for device, mounted in list(other.media.items()):
                    if mounted == iso_id:
                        self._set_media(other, device, None)
            del self._world.isos[iso_id]
            self._dirty = True

    def set_not_ready(self, vps_id: str, *, requests: int = 0, seconds: float = 0.0) -> None:
        """Make the VPS answer vps_not_ready to its next `requests` VM actions, or for `seconds`."""
        with self._operation():
            vps = self._any_vps(vps_id)
            vps.not_ready_requests = max(0, requests)
            vps.not_ready_until = self._clock() + seconds if seconds > 0 else 0.0
            self._dirty = True

    def set_gate(
        self,
        vps_id: str,
        gate: str,
        *,
        allowed: bool,
        reason: str | None = None,
        code: str | None = None,
    ) -> None:
        """Open or close actions.canMount or actions.canUpload of a VPS."""
        if gate not in ("canMount", "canUpload"):
            raise invalid(
                [FieldError("/gate", "gate must be canMount or canUpload.", "invalid_enum")]
            )
        with self._operation():
            vps = self._any_vps(vps_id)
            value = Gate(allowed, None if allowed else reason, None if allowed else code)
            if gate == "canMount":
                vps.can_mount = value
            else:
                vps.can_upload = value
            self._dirty = True


_LEGACY_STATE = {
    "pending": "waiting",
    "queued": "waiting",
    "in_progress": "active",
    "completed": "completed",
    "failed": "failed",
}


def _is_http_url(url: Any) -> bool:
    if not isinstance(url, str) or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _size_from_url(url: str) -> float:
    # Deterministic, plausible sizes between 0.1 and 5.0 GB.
    digest = hashlib.sha256(url.encode()).digest()
    return round(0.1 + int.from_bytes(digest[:2], "big") / 65535 * 4.9, 2)


def _vps_json(vps: Vps) -> dict[str, Any]:
    return {
        "id": vps.id,
        "name": vps.name,
        "primaryIp": vps.primary_ip,
        "serviceStatus": vps.service_status,
        "powerState": vps.power_state,
    }


def _iso_json(iso: Iso) -> dict[str, Any]:
    return {
        "id": iso.id,
        "name": iso.name,
        "displayName": iso.display_name,
        "sizeGb": iso.size_gb,
        "format": iso.format,
    }


__all__ = [
    "OPERATION_SCOPES",
    "ApiProblem",
    "Caller",
    "Exchange",
    "FieldError",
    "HostupStore",
    "LogRecord",
    "Reply",
    "Settings",
    "random_id",
    "write_atomically",
]
