"""``VpsIsoMount``: a Pulumi dynamic resource for one ISO mounted on one Hostup VPS.

A thin adapter: each provider method turns Pulumi's dicts into calls of the core's
mount engine (:mod:`hostup.mounts`) and its answers back into Pulumi's results.
The rules, the waits and the API calls all live in the core.

The engine pickles :class:`VpsIsoMountProvider` with dill into every resource's
state. It is pickled by reference (this module must never move, and the class
never be renamed) and carries nothing: credentials, HTTP sessions, locks and the
listing cache live only in the provider process, set up by :meth:`configure` or
on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from hostup.contract import DEFAULT_DEVICE
from hostup.errors import MountError
from hostup.mounts import MOUNT_OUTPUTS, MountEngine, MountState
from hostup.rules import device_input_problem, id_input_problem, owned_iso, ownership_unsettled
from hostup.runtime import Runtime

from ._dynamic import (
    ACCOUNT_KEY,
    PREVIEW_KEY,
    HostupProvider,
    account_of,
    drive_from_state,
    is_unknown,
    unknown_property_failures,
)

__all__ = ["VpsIsoMount", "VpsIsoMountArgs", "VpsIsoMountError", "VpsIsoMountProvider"]

TYPE_NAME: Final = "VpsIsoMount"
MODULE: Final = "hostup"  # with TYPE_NAME: pulumi-python:dynamic/hostup:VpsIsoMount

INPUTS: Final = ("vps_id", "iso_id", "device")
_ID_INPUTS: Final[tuple[Literal["vps_id", "iso_id"], ...]] = ("vps_id", "iso_id")
OUTPUTS: Final = MOUNT_OUTPUTS
# vps_id and device are the identity (the ID is "{vps_id}/{device}"); iso_id is not.
REPLACE_ON: Final = ("vps_id", "device")
# The error users of 0.1 catch; the core raises it under its own name.
VpsIsoMountError = MountError


# -- the provider ------------------------------------------------------------------------


class VpsIsoMountProvider(HostupProvider[MountEngine]):
    """Create, read, update and delete one ISO mount through the core's mount engine.

    Thread-safe: the provider host calls one instance from up to 4 threads.
    """

    def build(self, runtime: Runtime) -> MountEngine:
        return MountEngine(runtime)

    def forget_cached_listings(self) -> None:
        """Drop every cached listing, so the next call reads the API afresh."""
        for engine in self.engines():
            engine.runtime.listings.clear()

    # -- check --

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs; never raises. Live checks only for new or changed mounts, at preview."""
        failures = unknown_property_failures(news, INPUTS, "VpsIsoMount", OUTPUTS)
        failures += self.account_failures(news)
        inputs: dict[str, Any] = {ACCOUNT_KEY: news.get(ACCOUNT_KEY) or None}
        for key in _ID_INPUTS:
            value = news.get(key)
            problem = None if is_unknown(value) else id_input_problem(key, value)
            if problem:
                failures.append(CheckFailure(key, problem))
            inputs[key] = value
        device = news.get("device")
        if device is None:
            device = DEFAULT_DEVICE
        problem = None if is_unknown(device) else device_input_problem(device)
        if problem:
            failures.append(CheckFailure("device", problem))
        inputs["device"] = device
        if failures or any(is_unknown(inputs[key]) for key in (*INPUTS, ACCOUNT_KEY)):
            return CheckResult(inputs, failures)
        olds = _olds or {}
        if all(olds.get(key) == inputs[key] for key in (*INPUTS, ACCOUNT_KEY)):
            return CheckResult(inputs, [])  # steady state: no API call
        if news.get(PREVIEW_KEY) is False:
            return CheckResult(inputs, [])  # `up`: create and update validate live
        vps_id, iso_id = inputs["vps_id"], inputs["iso_id"]
        stack_mounted = olds.get("vps_id") == vps_id and olds.get("device") == device
        engine = self.engine(account_of(inputs))
        try:
            problems = engine.preview_problems(vps_id, iso_id, device, stack_mounted=stack_mounted)
        except Exception as exc:  # never fail a preview on our own bug or a bad answer
            engine.warn(f"skipped the live check of {vps_id}/{device}: {exc}")
            return CheckResult(inputs, [])
        return CheckResult(inputs, [CheckFailure(p.field, p.message) for p in problems])

    # -- diff --

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Pure: vps_id or device changed -> replace; iso_id or account changed -> update;
        so does a state that owns another ISO than the declared one (see
        :func:`hostup.rules.ownership_unsettled`).

        Another account name for the same mount re-reads it through that account
        (an update that writes nothing when the account sees the ISO there).
        """
        changed = [
            key
            for key in (*INPUTS, ACCOUNT_KEY)
            if is_unknown(news.get(key)) or _input(news, key) != _input(olds, key)
        ]
        replaces = [key for key in changed if key in REPLACE_ON]
        unsettled = ownership_unsettled(olds.get("owned_iso_id"), _input(news, "iso_id"))
        return DiffResult(changes=bool(changed) or unsettled, replaces=replaces)

    # -- create, read, update, delete --

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Mount (or adopt an identical mount); at most 3 API calls in the plain case."""
        vps_id, iso_id, device = _identity(props)
        state = self.engine(account_of(props)).ensure_mounted(vps_id, iso_id, device)
        return CreateResult(state.id, _outputs(state, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """One listing read (shared per VPS within a run); gone -> ``ReadResult(None, {})``.

        Another ISO on the device shows as a new ``iso_id``; ``owned_iso_id`` stays.
        """
        vps_id, device = drive_from_state(id_, props)
        state = self.engine(account_of(props)).read(
            vps_id,
            device,
            adopted=props.get("adopted"),
            owned_iso=owned_iso(props.get("owned_iso_id"), props.get("iso_id")),
        )
        if state is None:
            return ReadResult(None, {})
        outs = _outputs(state, props)
        return ReadResult(state.id, outs, inputs={key: outs[key] for key in (*INPUTS, ACCOUNT_KEY)})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Mount the new ISO on the same device; roll back to the old one on failure."""
        vps_id, iso_id, device = _identity(news)
        state = self.engine(account_of(news)).ensure_mounted(
            vps_id,
            iso_id,
            device,
            previous_iso=_input(olds, "iso_id"),
            adopted=olds.get("adopted"),
        )
        return UpdateResult(_outputs(state, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Unmount only the ISO this resource owns (not one a refresh found there since);
        VPS gone or device empty is done."""
        vps_id, device = drive_from_state(id_, props)
        self.engine(account_of(props)).ensure_unmounted(
            vps_id, device, owned_iso(props.get("owned_iso_id"), props.get("iso_id"))
        )


# -- the resource ---------------------------------------------------------------------


@dataclass
class VpsIsoMountArgs:
    """The inputs of :class:`VpsIsoMount`."""

    vps_id: pulumi.Input[str]
    """The VPS (``vps_...`` from GET /api/v2/vps). Changing it replaces the mount."""
    iso_id: pulumi.Input[str]
    """The ISO (``available[].id`` of the VPS's ISO listing). Changing it remounts in place."""
    device: pulumi.Input[str] | None = None
    """The CD/DVD device, ``ide0``..``ide3`` (default ``ide2``). Changing it replaces."""
    account: pulumi.Input[str] | None = None
    """An entry of the stack config ``hostup:accounts`` (default: ``hostup:apiKey``)."""


class VpsIsoMount(pulumi.dynamic.Resource, module=MODULE, name=TYPE_NAME):
    """An ISO mounted on a Hostup VPS's CD/DVD device. ID: ``{vps_id}/{device}``."""

    vps_id: pulumi.Output[str]
    iso_id: pulumi.Output[str]
    device: pulumi.Output[str]
    account: pulumi.Output[str | None]
    """The account's name (never its key); None for ``hostup:apiKey``."""
    iso_name: pulumi.Output[str | None]
    """The ISO's file name, from the listing."""
    iso_display_name: pulumi.Output[str | None]
    """The ISO's display name, from the listing."""
    iso_size_gb: pulumi.Output[float | None]
    """The ISO's size in GB, from the listing."""
    boot_order: pulumi.Output[dict[str, Any] | None]
    """The VPS's boot order as the listing reports it (an opaque mapping)."""
    adopted: pulumi.Output[bool | None]
    """True when create found this ISO already on the device and took it over (no mount
    request); False when this resource mounted it; None in states written before 0.2.
    Adopted or not, the mount is this resource's: destroy unmounts it."""
    owned_iso_id: pulumi.Output[str | None]
    """The ISO this resource mounted, adopted or imported: the only one destroy unmounts.
    A refresh that finds another ISO on the device changes ``iso_id``, not this, and
    destroy leaves that ISO alone. None in older states, where ``iso_id`` counts."""

    def __init__(
        self,
        resource_name: str,
        args: VpsIsoMountArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        vps_id: pulumi.Input[str] | None = None,
        iso_id: pulumi.Input[str] | None = None,
        device: pulumi.Input[str] | None = None,
        account: pulumi.Input[str] | None = None,
    ) -> None:
        if args is not None:
            vps_id = args.vps_id if vps_id is None else vps_id
            iso_id = args.iso_id if iso_id is None else iso_id
            device = args.device if device is None else device
            account = args.account if account is None else account
        props: dict[str, Any] = {
            "vps_id": vps_id,
            "iso_id": iso_id,
            "device": DEFAULT_DEVICE if device is None else device,
            ACCOUNT_KEY: account,
        }
        # Seeded so the engine resolves them from create's outputs (else unknown).
        props.update(dict.fromkeys(OUTPUTS))
        props[PREVIEW_KEY] = pulumi.runtime.is_dry_run()
        super().__init__(VpsIsoMountProvider(), resource_name, props, opts)


# -- helpers ----------------------------------------------------------------------------


def _input(props: Mapping[str, Any], key: str) -> Any:
    value = props.get(key)
    if key == "device" and value is None:
        return DEFAULT_DEVICE
    return value


def _identity(props: Mapping[str, Any]) -> tuple[str, str, str]:
    """The checked inputs; a :class:`MountError` if check was bypassed with bad ones."""
    vps_id, iso_id, device = (_input(props, key) for key in INPUTS)
    for problem in (
        id_input_problem("vps_id", vps_id),
        id_input_problem("iso_id", iso_id),
        device_input_problem(device),
    ):
        if problem:
            raise MountError(problem)
    return vps_id, iso_id, device


def _outputs(state: MountState, props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        ACCOUNT_KEY: props.get(ACCOUNT_KEY),
        "vps_id": state.vps_id,
        "iso_id": state.iso_id,
        "device": state.device,
        "iso_name": state.iso_name,
        "iso_display_name": state.iso_display_name,
        "iso_size_gb": state.iso_size_gb,
        "boot_order": state.boot_order,
        "adopted": state.adopted,
        "owned_iso_id": state.owned_iso_id,
    }
