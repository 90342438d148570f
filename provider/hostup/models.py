"""Pydantic models mirroring the schemas of ``shared/hostup-api/openapi.yaml``.

Response models are frozen, read camelCase keys (snake_case names work too),
ignore keys the contract does not list, and accept every documented ``null``.
A nullable field that the contract lists as required but the server leaves out
reads as ``None`` (a tolerant reader); non-nullable required fields stay required,
so a body that lacks them fails validation, which the client reports as a
transport error. Request bodies are small models dumped with :func:`dump_body`.
"""

from __future__ import annotations

from typing import Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from . import assumptions

# Defined without pydantic in contract.py (an offline check needs them); re-exported.
from .contract import DEVICES as DEVICES
from .contract import Device as Device

OperationStatus = assumptions.OperationStatus
TERMINAL_STATUSES: Final[frozenset[OperationStatus]] = frozenset({"completed", "failed"})

Decompress = Literal["none", "gzip", "lzo", "zstd", "bzip2"]
DECOMPRESS_VALUES: Final[tuple[Decompress, ...]] = get_args(Decompress)


# defer_build: a model's validator is built on its first use, not at import, so a
# process that only mounts builds the listing's and the mount's models, not all twenty.
class _Response(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        defer_build=True,
    )


class _Request(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        defer_build=True,
    )


def dump_body(body: BaseModel) -> dict[str, Any]:
    """The JSON body for a request model: camelCase keys, unset optionals left out."""
    return body.model_dump(mode="json", by_alias=True, exclude_none=True)


# -- the ISO listing ---------------------------------------------------------------


class Gate(_Response):
    """An action gate such as ``actions.canMount``; check it before acting."""

    allowed: bool
    reason: str | None = None
    code: str | None = None


class IsoImage(_Response):
    """One ``available[]`` item: an ISO the VPS may mount (its ``id`` is the isoId)."""

    id: str
    name: str | None = None
    display_name: str | None = None
    size_gb: float
    format: str | None = None


class MountedMedia(_Response):
    """One ``mounted[]`` item. ``device`` may be null; a cloud-init drive can appear."""

    device: str | None = None
    iso_id: str | None = None
    mounted: bool
    is_cloud_init: bool

    @property
    def holds_iso(self) -> bool:
        """True for a mounted ISO proper (not a cloud-init drive, not an empty slot)."""
        return self.mounted and self.iso_id is not None and not self.is_cloud_init


class CdromSlot(_Response):
    """One ``availableDevices[]`` item: a CD/DVD slot the VPS can use."""

    device: str | None = None
    type: str | None = None
    description: str | None = None
    in_use: bool


class IsoActions(_Response):
    """The listing's ``actions``; gates other than these two are kept as extras."""

    model_config = ConfigDict(extra="allow")

    can_mount: Gate
    can_upload: Gate


class IsoMedia(_Response):
    """``GET /api/v2/vps/{id}/iso``: the canonical ISO state of one VPS."""

    available: tuple[IsoImage, ...]
    mounted: tuple[MountedMedia, ...]
    boot_order: dict[str, Any] | None = None  # inner shape undocumented: kept opaque
    available_devices: tuple[CdromSlot, ...]
    actions: IsoActions

    def mounted_on(self, device: str) -> MountedMedia | None:
        """The ``mounted[]`` entry for ``device``, whatever it holds.

        Callers decide what counts: check ``is_cloud_init``, ``mounted`` and
        ``iso_id`` (or use :attr:`MountedMedia.holds_iso`). An entry that is
        really mounted wins over a listed-but-unmounted one for the same device.
        """
        matches = [entry for entry in self.mounted if entry.device == device]
        for entry in matches:
            if entry.mounted:
                return entry
        return matches[0] if matches else None

    def find_available(self, iso_id: str) -> IsoImage | None:
        """The ``available[]`` image whose ``id`` is ``iso_id``, if any."""
        return next((image for image in self.available if image.id == iso_id), None)

    def find_available_by_name(self, name: str) -> IsoImage | None:
        """The first ``available[]`` image whose file name, else display name, equals ``name``."""
        by_file = next((image for image in self.available if image.name == name), None)
        if by_file is not None:
            return by_file
        return next((image for image in self.available if image.display_name == name), None)

    def slot(self, device: str) -> CdromSlot | None:
        """The ``availableDevices[]`` slot for ``device``, if the VPS has one."""
        return next((slot for slot in self.available_devices if slot.device == device), None)


# -- operations and jobs -----------------------------------------------------------


class Operation(_Response):
    """An async operation (from-url, possibly mount); poll ``poll_url`` until terminal."""

    status: OperationStatus
    job_id: str
    poll_url: str | None = None
    result: dict[str, Any] | None = None

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def is_completed(self) -> bool:
        return self.status == "completed"

    @property
    def is_failed(self) -> bool:
        return self.status == "failed"


class OperationEnvelope(_Response):
    operation: Operation


class Job(_Response):
    """The ``data`` of the legacy job envelope at ``/api/jobs/{jobId}``.

    Every field is optional in the contract. :attr:`operation_status` maps it to
    an operation status by the rule in :mod:`hostup.assumptions`.
    """

    job_id: str | None = None
    state: str | None = None
    status: str | None = None
    progress: float | None = None
    result: dict[str, Any] | None = None
    is_completed: bool | None = None
    is_failed: bool | None = None
    is_running: bool | None = None
    is_waiting: bool | None = None

    @property
    def operation_status(self) -> OperationStatus:
        return assumptions.job_status(
            state=self.state,
            status=self.status,
            is_completed=self.is_completed,
            is_failed=self.is_failed,
            is_running=self.is_running,
            is_waiting=self.is_waiting,
        )


class JobEnvelope(_Response):
    """The legacy ``{success, timestamp, requestId, data}`` envelope of ``getJob``."""

    success: bool
    timestamp: str | None = None
    request_id: str | None = None
    data: Job


# -- action results ----------------------------------------------------------------


class MountResult(_Response):
    """The 200 body of mount (assumed shape, mirrors unmount)."""

    device: Device
    iso_id: str | None = None


class DeviceResult(_Response):
    """The 200 body of unmount and attach-empty: the device echoed back."""

    device: Device


# -- VPS listing -------------------------------------------------------------------


class Vps(_Response):
    """One ``GET /api/v2/vps`` item.

    ``service_status`` and ``power_state`` are enums in the contract, typed as
    plain strings here so that a value added later does not break listing.
    """

    id: str
    name: str | None = None
    primary_ip: str | None = None
    service_status: str | None = None
    power_state: str | None = None


class VpsPage(_Response):
    data: tuple[Vps, ...]
    next_cursor: str | None
    has_more: bool | None = None


# -- errors ------------------------------------------------------------------------


class FieldError(_Response):
    """One ``errors[]`` item of a Problem: which request field was wrong and why."""

    pointer: str
    detail: str
    code: str


class Problem(_Response):
    """RFC 7807 Problem Details, as the API sends them. Branch on ``code``."""

    type: str | None = None
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    code: str | None = None
    instance: str | None = None
    request_id: str | None = None
    timestamp: str | None = None
    errors: tuple[FieldError, ...] = ()
    extensions: dict[str, Any] | None = None


# -- request bodies ----------------------------------------------------------------


class MountRequest(_Request):
    iso_id: str
    device: Device | None = None


class DeviceRequest(_Request):
    """Body of unmount and attach-empty; a missing device means the API's default."""

    device: Device | None = None


class FromUrlRequest(_Request):
    url: str
    filename: str
    decompress: Decompress | None = None
