"""The world model: the simulated Hostup accounts and the operations on them (moto's backend).

HostupBackend holds the World (world.py: accounts and keys, VPSes, ISOs, media,
jobs) behind one lock. Its methods are named after the API's operationIds and
the dashboard's drift; each takes typed arguments (wire.py parsed the request),
returns plain values (wire.py renders them) or raises a problem of problems.py.
It knows nothing of HTTP, scopes, faults, rate limits or the request log.

Every call first moves running jobs along the clock (jobs.py); with a state
file, every change is saved atomically (persistence.py) before the call returns.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from hostup_sim import jobs
from hostup_sim.drift import DELETE_ISO, DELETE_VPS, DRIFT_KINDS, MOUNT, SWAP, UNMOUNT
from hostup_sim.listing_lag import ListingLag, MediaView
from hostup_sim.persistence import StateFile
from hostup_sim.problems import (
    DeviceEmpty,
    DeviceInUse,
    FieldError,
    GateClosed,
    InvalidRequest,
    IsoInUse,
    MediaPresent,
    NoFreeDevice,
    NotFound,
    VpsNotFound,
    VpsNotReady,
    invalid,
)
from hostup_sim.settings import Settings
from hostup_sim.world import (
    DEFAULT_DEVICE,
    DEVICES,
    ApiKey,
    Gate,
    Iso,
    Job,
    Vps,
    World,
    build_world,
)

# attach-empty without a device takes the first free one of these.
ATTACH_PREFERENCE = ("ide2", "ide3", "ide1", "ide0")
GATES = ("canMount", "canUpload")


@dataclass(frozen=True)
class VpsPage:
    """One page of GET /api/v2/vps: copies of the VPSes, and whether more follow."""

    vpses: tuple[Vps, ...]
    more: bool


@dataclass(frozen=True)
class MediaListing:
    """GET /api/v2/vps/{id}/iso: what the listing shows (the drives possibly lagging)."""

    view: MediaView
    cloud_init_device: str | None
    library: tuple[Iso, ...]
    can_mount: Gate
    can_upload: Gate


@dataclass(frozen=True)
class JobView:
    """A copy of a job, with its progress (0..100) at the time it was read."""

    job: Job
    progress: int


class HostupBackend:
    """The simulated accounts' data behind one lock; settings are read, never changed, here."""

    def __init__(
        self,
        settings: Settings,
        *,
        state_file: StateFile | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self.settings = settings  # replaced whole by HostupStore.set_settings()
        self._state_file = state_file
        self._lag = ListingLag(clock)
        self._dirty = False
        loaded = state_file.load() if state_file is not None else None
        if loaded is not None:
            self._world = loaded
        else:
            self._world = self._seed()
            self._dirty = True
            self._commit()

    # -- lifecycle -------------------------------------------------------------

    def reset(self, settings: Settings) -> None:
        """The seeded world for these settings, no lagging listings; saved at once."""
        with self._lock:
            self.settings = settings
            self._world = self._seed()
            self._lag.clear()
            self._dirty = True
            self._commit()

    def snapshot(self) -> dict[str, Any]:
        """The whole world as JSON (what the state file holds), jobs brought up to date."""
        with self._operation():
            return self._world.to_json()

    def find_key(self, secret: str) -> ApiKey | None:
        """The API key with this secret (compared in constant time), or None."""
        with self._lock:
            for key in self._world.keys:
                if secrets.compare_digest(key.secret.encode(), secret.encode()):
                    return key
        return None

    def require_vps(self, account: str, vps_id: str) -> None:
        """404 vps_not_found unless the account has this VPS (the check before body fields)."""
        with self._lock:
            self._vps(account, vps_id)

    def _seed(self) -> World:
        s = self.settings
        return build_world(
            extra_vps=s.extra_vps,
            slow_requests=s.slow_requests,
            slow_seconds=s.slow_seconds,
            now=self._clock(),
        )

    def _commit(self) -> None:
        """Persist pending changes (caller holds the lock)."""
        if self._dirty and self._state_file is not None:
            self._state_file.save(self._world)
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

    # -- API operations (operationIds of openapi.yaml) ---------------------------

    def list_vps(
        self,
        account: str,
        *,
        limit: int,
        after: str | None = None,
        name: str | None = None,
        primary_ip: str | None = None,
    ) -> VpsPage:
        """listVps: the account's VPSes by id, after the cursor's id, filtered, one page."""
        with self._operation():
            rows = sorted(
                (v for v in self._world.vpses.values() if v.account == account),
                key=lambda v: v.id,
            )
            if name is not None:
                rows = [v for v in rows if v.name.casefold() == name.casefold()]
            if primary_ip is not None:
                rows = [v for v in rows if v.primary_ip == primary_ip]
            if after is not None:
                rows = [v for v in rows if v.id > after]
            page = tuple(copy.deepcopy(v) for v in rows[:limit])
            return VpsPage(page, more=len(rows) > limit)

    def list_vps_iso_media(self, account: str, vps_id: str) -> MediaListing:
        """listVpsIsoMedia: the library, the drives (as the listing lag lets them show), gates."""
        with self._operation():
            vps = self._vps(account, vps_id)
            return MediaListing(
                view=self._lag.listed(vps.id, MediaView.of(vps), self.settings),
                cloud_init_device=vps.cloud_init_device,
                library=tuple(self._library(vps.account)),
                can_mount=replace(vps.can_mount),
                can_upload=replace(vps.can_upload),
            )

    def mount_vps_iso(self, account: str, vps_id: str, iso_id: str, device: str) -> Job | None:
        """mountVpsIso: None when mounted now; the job when the mount is async (mounts at its end).

        Order of refusals: the ISO and the slot (400), not ready (409), the gate (409),
        media present (409, with mount_over_media "conflict" only).
        """
        with self._operation():
            vps = self._vps(account, vps_id)
            errors: list[FieldError] = []
            if iso_id not in {iso.id for iso in self._library(vps.account)}:
                errors.append(
                    FieldError(
                        "/isoId", f"{iso_id} is not in this VPS's available ISOs.", "not_available"
                    )
                )
            slot_error = self._slot_error(vps, device)
            if slot_error:
                errors.append(slot_error)
            if errors:
                raise InvalidRequest(errors)
            self._check_ready(vps)
            self._check_gate(vps.can_mount)
            current = vps.media.get(device)
            if current == iso_id:
                return None
            if current is not None and self.settings.mount_over_media == "conflict":
                raise MediaPresent(device, current)
            if self.settings.mount_response == "async":
                # Takes effect when the job ends (at the next call if job_seconds is 0).
                params = {"vpsId": vps.id, "device": device, "isoId": iso_id}
                return copy.deepcopy(self._new_job(account, "mount", params))
            with self._api_write(vps):
                self._set_media(vps, device, iso_id)
            return None

    def unmount_vps_iso(self, account: str, vps_id: str, device: str) -> None:
        """unmountVpsIso: empties the device; an empty CD/DVD slot is fine too."""
        with self._operation():
            vps = self._vps(account, vps_id)
            slot_error = self._slot_error(vps, device)
            if slot_error:
                raise InvalidRequest([slot_error])
            self._check_ready(vps)
            if device in vps.media:
                with self._api_write(vps):
                    self._set_media(vps, device, None)

    def attach_empty_cdrom(self, account: str, vps_id: str, device: str | None) -> str:
        """attachEmptyCdrom: the device of the new (or existing, empty) CD/DVD slot."""
        with self._operation():
            vps = self._vps(account, vps_id)
            self._check_ready(vps)
            self._check_gate(vps.can_mount)
            if device is None:
                taken = {*vps.cdrom_devices, vps.cloud_init_device}
                free = [d for d in ATTACH_PREFERENCE if d not in taken]
                if not free:
                    raise NoFreeDevice()
                device = free[0]
            elif device == vps.cloud_init_device or device in vps.media:
                raise DeviceInUse(device)
            with self._api_write(vps):
                self._add_slot(vps, device)
            return device

    def download_iso_from_url(self, account: str, vps_id: str, url: str, filename: str) -> Job:
        """downloadIsoFromUrl: a queued job; a completed one if the library has the file."""
        with self._operation():
            vps = self._vps(account, vps_id)
            self._check_gate(vps.can_upload)
            params = {"url": url, "filename": filename}
            for iso in self._library(vps.account):
                if iso.name == filename:
                    job = self._new_job(account, "download", params)
                    job.status = "completed"
                    job.result = {"isoId": iso.id, "name": iso.name}
                    return copy.deepcopy(job)
            # Undocumented: a file still downloading answers its running job (the
            # client's assumption FROM_URL_REPEAT_FOLLOWS_RUNNING_JOB).
            for job in self._world.jobs.values():
                if (
                    job.account == vps.account
                    and job.kind == "download"
                    and job.params["filename"] == filename
                    and job.status in ("queued", "in_progress")
                ):
                    return copy.deepcopy(job)
            return copy.deepcopy(self._new_job(account, "download", params))

    def delete_vps_iso_media(self, account: str, vps_id: str, iso_id: str) -> None:
        """deleteVpsIsoMedia: removes the ISO from the library; refused while mounted anywhere."""
        with self._operation():
            vps = self._vps(account, vps_id)
            iso = self._world.isos.get(iso_id)
            if iso is None or iso.account != vps.account:
                raise NotFound("ISO", iso_id)
            users = [
                f"{v.name}/{d}"
                for v in self._world.vpses.values()
                if v.account == vps.account
                for d, mounted in v.media.items()
                if mounted == iso_id
            ]
            if users:
                raise IsoInUse(iso_id, users)
            del self._world.isos[iso_id]
            self._dirty = True

    def get_job(self, account: str, job_id: str) -> JobView:
        """getJob: any job of the account (no scope needed); another account's is not found."""
        with self._operation():
            job = self._world.jobs.get(job_id)
            if job is None or job.account != account:
                raise NotFound("job", job_id)
            return JobView(copy.deepcopy(job), jobs.progress(job, self._clock()))

    # -- out-of-band changes (the Hostup dashboard; drift.py names the kinds) -------

    def drift(
        self,
        kind: str,
        vps_id: str,
        *,
        device: str = DEFAULT_DEVICE,
        iso_id: str | None = None,
    ) -> None:
        """Perform one kind of drift of drift.DRIFT_KINDS; 404 for an unknown kind."""
        spec = DRIFT_KINDS.get(kind)
        if spec is None:
            raise NotFound("drift kind", kind)
        if spec.needs_iso and iso_id is None:
            raise invalid("/iso_id", "iso_id is required.", "missing_required")
        if spec is UNMOUNT:
            self.drift_unmount(vps_id, device)
        elif spec is MOUNT and iso_id is not None:
            self.drift_mount(vps_id, device, iso_id)
        elif spec is SWAP and iso_id is not None:
            self.drift_swap(vps_id, device, iso_id)
        elif spec is DELETE_VPS:
            self.drift_delete_vps(vps_id)
        elif spec is DELETE_ISO and iso_id is not None:
            self.drift_delete_iso(vps_id, iso_id)

    def drift_unmount(self, vps_id: str, device: str = DEFAULT_DEVICE) -> None:
        """Someone ejects the medium of device (no-op if empty)."""
        self._drift_device(device)
        with self._operation():
            vps = self._drift_vps(vps_id)
            if device in vps.media:
                self._set_media(vps, device, None)

    def drift_mount(self, vps_id: str, device: str, iso_id: str) -> None:
        """Someone mounts iso_id on device, adding the CD/DVD slot if it is missing."""
        self._drift_device(device)
        with self._operation():
            vps = self._drift_vps(vps_id)
            self._drift_iso(vps, iso_id)
            if device == vps.cloud_init_device:
                raise invalid("/device", "That is the cloud-init drive.", "cloud_init_drive")
            self._add_slot(vps, device)
            self._set_media(vps, device, iso_id)

    def drift_swap(self, vps_id: str, device: str, iso_id: str) -> None:
        """Someone replaces the medium on device with iso_id; 409 if the device is empty."""
        self._drift_device(device)
        with self._operation():
            vps = self._drift_vps(vps_id)
            self._drift_iso(vps, iso_id)
            if device not in vps.media:
                raise DeviceEmpty(device)
            self._set_media(vps, device, iso_id)

    def drift_delete_vps(self, vps_id: str) -> None:
        """Someone deletes the VPS; its id answers 404 vps_not_found from now on."""
        with self._operation():
            self._drift_vps(vps_id)
            del self._world.vpses[vps_id]
            self._dirty = True

    def drift_delete_iso(self, vps_id: str, iso_id: str) -> None:
        """Someone deletes iso_id from the library of vps_id's account, ejecting it everywhere."""
        with self._operation():
            vps = self._drift_vps(vps_id)
            self._drift_iso(vps, iso_id)
            for other in self._world.vpses.values():
                for device, mounted in list(other.media.items()):
                    if mounted == iso_id:
                        self._set_media(other, device, None)
                        self._lag.forget(other.id)
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
        if gate not in GATES:
            raise invalid("/gate", "gate must be canMount or canUpload.", "invalid_enum")
        with self._operation():
            vps = self._any_vps(vps_id)
            value = Gate(allowed, None if allowed else reason, None if allowed else code)
            if gate == "canMount":
                vps.can_mount = value
            else:
                vps.can_upload = value
            self._dirty = True

    # -- helpers (caller holds the lock) -----------------------------------------

    def _vps(self, account: str, vps_id: str) -> Vps:
        vps = self._world.vpses.get(vps_id)
        if vps is None or vps.account != account:
            # The same answer for a VPS of another account: existence is never revealed.
            raise VpsNotFound(vps_id)
        return vps

    def _any_vps(self, vps_id: str) -> Vps:
        vps = self._world.vpses.get(vps_id)
        if vps is None:
            raise VpsNotFound(vps_id)
        return vps

    def _drift_vps(self, vps_id: str) -> Vps:
        """A VPS of any account, whose listing shows the dashboard's change at once."""
        vps = self._any_vps(vps_id)
        self._lag.forget(vps_id)
        return vps

    def _drift_iso(self, vps: Vps, iso_id: str) -> None:
        iso = self._world.isos.get(iso_id)
        if iso is None or iso.account != vps.account:
            raise NotFound("ISO", iso_id)

    @staticmethod
    def _drift_device(device: str) -> None:
        if device not in DEVICES:
            raise invalid("/device", f"{device!r} is not a device.", "invalid_enum")

    def _library(self, account: str) -> list[Iso]:
        return [iso for iso in self._world.isos.values() if iso.account == account]

    def _check_ready(self, vps: Vps) -> None:
        if vps.not_ready_requests > 0:
            vps.not_ready_requests -= 1
            self._dirty = True
        elif self._clock() >= vps.not_ready_until:
            return
        raise VpsNotReady(vps.id)

    @staticmethod
    def _check_gate(gate: Gate) -> None:
        if not gate.allowed:
            raise GateClosed(gate.code, gate.reason)

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

    @contextmanager
    def _api_write(self, vps: Vps) -> Iterator[None]:
        """Around an API write to the VPS's drives: the listing may show it late."""
        before = MediaView.of(vps)
        yield
        self._lag.wrote(vps.id, before, MediaView.of(vps), self.settings)

    def _add_slot(self, vps: Vps, device: str) -> None:
        if device not in vps.cdrom_devices:
            vps.cdrom_devices.append(device)
            vps.cdrom_devices.sort()
            self._dirty = True

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

    def _new_job(self, account: str, kind: str, params: dict[str, Any]) -> Job:
        self._dirty = True
        return jobs.new_job(
            self._world,
            account,
            kind,
            params,
            now=self._clock(),
            duration=self.settings.job_seconds,
        )

    def _advance(self) -> None:
        if jobs.advance(self._world, self._clock(), self._job_mount):
            self._dirty = True

    def _job_mount(self, vps: Vps, device: str, iso_id: str) -> None:
        with self._api_write(vps):
            self._set_media(vps, device, iso_id)
