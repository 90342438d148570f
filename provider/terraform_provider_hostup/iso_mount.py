"""``hostup_vps_iso_mount``: one ISO mounted on one CD/DVD device of one VPS.

A thin adapter on the core's mount engine (:mod:`hostup.mounts`), as
``pulumi_hostup.VpsIsoMount`` is: validate (offline, the core's rules), plan (pure:
which outputs an ISO change makes unknown), create (mount or adopt an identical
mount), read (gone -> dropped from state), update (remount, with rollback), delete
(unmount only what this resource recorded), import by ``{vps_id}/{device}``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Final

from tf.types import Unknown

from hostup.contract import DEFAULT_DEVICE, DEVICES
from hostup.errors import MountError
from hostup.mounts import MOUNT_OUTPUTS, MountState
from hostup.rules import (
    Problem,
    device_input_problem,
    id_input_problem,
    owned_iso,
    ownership_unsettled,
    parse_mount_id,
)

from ._framework import (
    ResourceBase,
    State,
    add_problems,
    drive_from_state,
    full_state,
    known,
    reporting,
    unknown_when,
)

__all__ = ["VpsIsoMount", "mount_input_problems"]

# What an ISO change makes unknown until apply (the listing tells them afterwards).
ISO_OUTPUTS: Final = MOUNT_OUTPUTS


def mount_input_problems(config: dict[str, Any]) -> list[Problem]:
    """The core's offline rules for the mount's inputs; unknown values pass."""
    problems: list[Problem] = []
    for field in ("vps_id", "iso_id"):
        value = config.get(field)
        problem = None if value is Unknown else id_input_problem(field, value)
        if problem:
            problems.append(Problem(field, problem))
    device = config.get("device")
    problem = None if device is Unknown else device_input_problem(device)
    if problem:
        problems.append(Problem("device", problem))
    return problems


class VpsIsoMount(ResourceBase):
    """``hostup_vps_iso_mount``. ID ``{vps_id}/{device}``."""

    NAME = "vps_iso_mount"
    VERSION = 1  # 1: owned_iso_id

    @classmethod
    def schema_attributes(cls) -> list[Any]:
        from tf.schema import Attribute
        from tf.types import Bool, NormalizedJson, Number, String

        return [
            Attribute("id", String(), description="`{vps_id}/{device}`.", computed=True),
            Attribute(
                "vps_id",
                String(),
                description="The VPS (`vps_...`, from `GET /api/v2/vps` or the `hostup_vps` "
                "data source). Changing it replaces the mount.",
                required=True,
                requires_replace=True,
            ),
            Attribute(
                "iso_id",
                String(),
                description="The ISO (`iso_...`, `available[].id` of the VPS's ISO listing, "
                "or the `hostup_iso` data source). Changing it remounts in place.",
                required=True,
            ),
            Attribute(
                "device",
                String(),
                description=f"The CD/DVD device: {', '.join(DEVICES)}. Default "
                f"`{DEFAULT_DEVICE}`. Changing it replaces the mount.",
                optional=True,
                computed=True,
                requires_replace=True,
                default=DEFAULT_DEVICE,
            ),
            Attribute("iso_name", String(), description="The ISO's file name.", computed=True),
            Attribute(
                "iso_display_name", String(), description="The ISO's display name.", computed=True
            ),
            Attribute("iso_size_gb", Number(), description="The ISO's size in GB.", computed=True),
            Attribute(
                "boot_order",
                NormalizedJson(),
                description="The VPS's boot order as the listing reports it, as JSON "
                "(opaque; null when the API gives none).",
                computed=True,
            ),
            Attribute(
                "adopted",
                Bool(),
                description="`true`: create (or import) found this ISO already on the device "
                "and took it over without a mount request; `false`: this resource mounted it. "
                "Either way the mount is this resource's: destroy unmounts it.",
                computed=True,
            ),
            Attribute(
                "owned_iso_id",
                String(),
                description="The ISO this resource mounted, adopted or imported: the only one "
                "destroy unmounts. A refresh that finds another ISO on the device changes "
                "`iso_id`, not this, and destroy leaves that ISO alone.",
                computed=True,
            ),
        ]

    def upgrade(self, ctx: Any, version: int, old: State) -> State | None:
        """Version 0 had no ``owned_iso_id``: its ``iso_id`` is what it owned."""
        state = super().upgrade(ctx, version, old)
        if state is not None and version < 1 and state.get("owned_iso_id") is None:
            state["owned_iso_id"] = owned_iso(None, state.get("iso_id"))
        return state

    # -- validate and plan: offline --

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        add_problems(diags, mount_input_problems(config))

    def plan(self, ctx: Any, current: State | None, planned: State) -> State:
        """Pure. A new ISO makes its outputs unknown; vps_id and device replace. So does a
        state that owns another ISO than the declared one: the update settles it."""
        changed = (
            current is None
            or planned.get("iso_id") != current.get("iso_id")
            or ownership_unsettled(current.get("owned_iso_id"), planned.get("iso_id"))
        )
        return unknown_when(planned, changed, ISO_OUTPUTS)

    # -- create, read, update, delete, import --

    def create(self, ctx: Any, planned: State) -> State | None:
        with reporting(ctx.diagnostics, "mount"):
            vps_id, iso_id, device = _identity(planned)
            return self._state(self.provider.mounts().ensure_mounted(vps_id, iso_id, device))
        return None

    def read(self, ctx: Any, current: State) -> State | None:
        with reporting(ctx.diagnostics, "read the mount"):
            found = self._read(current)
            return None if found is None else self._state(found)
        return current  # an error keeps the state as it was

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        with reporting(ctx.diagnostics, "remount"):
            vps_id, iso_id, device = _identity(planned)
            state = self.provider.mounts().ensure_mounted(
                vps_id,
                iso_id,
                device,
                previous_iso=current.get("iso_id"),
                adopted=current.get("adopted"),
            )
            return self._state(state)
        return self._after_failure(current, planned.get("iso_id"))

    def delete(self, ctx: Any, current: State) -> State | None:
        with reporting(ctx.diagnostics, "unmount"):
            vps_id, device = drive_from_state(current)
            owned = owned_iso(current.get("owned_iso_id"), current.get("iso_id"))
            self.provider.mounts().ensure_unmounted(vps_id, device, owned)
            return None
        return current  # not unmounted: it stays in state

    def import_(self, ctx: Any, id: str) -> State | None:
        """``{vps_id}/{device}``: the ISO on that device, adopted; nothing there is an error."""
        with reporting(ctx.diagnostics, "import the mount"):
            try:
                vps_id, device = parse_mount_id(id)
            except ValueError as exc:
                raise MountError(str(exc)) from None
            found = self.provider.mounts().read(vps_id, device, adopted=True)
            if found is None:
                raise MountError(
                    f"nothing to import: {device} of VPS {vps_id} holds no ISO (or the VPS "
                    "does not exist for this API key)"
                )
            return self._state(found)
        return None

    # -- helpers --

    def _after_failure(self, current: State, new_iso: object) -> State:
        """After a failed remount, what the device holds now (the engine put the old ISO
        back if it could; if the new one is there, this resource mounted it, so owns it);
        the prior state if even that read fails."""
        try:
            vps_id, _ = drive_from_state(current)
            self.provider.mounts().runtime.listings.invalidate(vps_id)
            found = self._read(current)
        except Exception:
            return current
        if found is None:
            return current
        if found.iso_id == new_iso:
            found = dataclasses.replace(found, owned_iso_id=found.iso_id)
        return self._state(found)

    def _read(self, current: State) -> MountState | None:
        """A refresh of ``current``: what the device holds now, the ownership carried over."""
        vps_id, device = drive_from_state(current)
        return self.provider.mounts().read(
            vps_id,
            device,
            adopted=current.get("adopted"),
            owned_iso=owned_iso(current.get("owned_iso_id"), current.get("iso_id")),
        )

    def _state(self, state: MountState) -> State:
        boot_order = state.boot_order
        return full_state(
            self.attribute_names(),
            {
                "id": state.id,
                "vps_id": state.vps_id,
                "iso_id": state.iso_id,
                "device": state.device,
                "iso_name": state.iso_name,
                "iso_display_name": state.iso_display_name,
                "iso_size_gb": state.iso_size_gb,
                # NormalizedJson encodes it; a round trip makes it plain JSON data.
                "boot_order": None if boot_order is None else json.loads(json.dumps(boot_order)),
                "adopted": state.adopted,
                "owned_iso_id": state.owned_iso_id,
            },
        )


def _identity(state: State) -> tuple[str, str, str]:
    """The validated inputs; a :class:`MountError` if validation was bypassed."""
    problems = mount_input_problems(
        {
            "vps_id": state.get("vps_id"),
            "iso_id": state.get("iso_id"),
            "device": state.get("device"),
        }
    )
    if problems:
        raise MountError("; and ".join(p.message for p in problems))
    device = known(state.get("device")) or DEFAULT_DEVICE
    return str(state["vps_id"]), str(state["iso_id"]), str(device)
