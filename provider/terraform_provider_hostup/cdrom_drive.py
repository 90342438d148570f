"""``hostup_vps_cdrom_drive``: a CD/DVD drive on a VPS that has none.

A thin adapter on the core's drive engine (:mod:`hostup.drives`): create adopts the
VPS's drive (no write) or attaches an empty one; the API has no detach, so destroy
leaves the drive and says so in a warning. ID ``{vps_id}/{device}``.
"""

from __future__ import annotations

from typing import Any

from tf.types import Unknown

from hostup.contract import DEVICES
from hostup.drives import DriveState
from hostup.errors import MountError
from hostup.rules import Problem, device_input_problem, id_input_problem, parse_mount_id

from ._framework import ResourceBase, State, add_problems, drive_from_state, full_state, reporting

__all__ = ["VpsCdromDrive"]


class VpsCdromDrive(ResourceBase):
    """``hostup_vps_cdrom_drive``. ID ``{vps_id}/{device}``."""

    NAME = "vps_cdrom_drive"
    VERSION = 0

    @classmethod
    def schema_attributes(cls) -> list[Any]:
        from tf.schema import Attribute
        from tf.types import Bool, String

        return [
            Attribute("id", String(), description="`{vps_id}/{device}`.", computed=True),
            Attribute(
                "vps_id",
                String(),
                description="The VPS. Changing it replaces the drive.",
                required=True,
                requires_replace=True,
            ),
            Attribute(
                "device",
                String(),
                description=f"The drive: {', '.join(DEVICES)}. Default: the drive the VPS "
                "has, else the one the API attaches. Changing it replaces the drive.",
                optional=True,
                computed=True,
                requires_replace=True,
            ),
            Attribute(
                "adopted",
                Bool(),
                description="`true` when the VPS already had the drive, so nothing was attached.",
                computed=True,
            ),
        ]

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        problems: list[Problem] = []
        vps_id, device = config.get("vps_id"), config.get("device")
        problem = None if vps_id is Unknown else id_input_problem("vps_id", vps_id)
        if problem:
            problems.append(Problem("vps_id", problem))
        problem = None if device is Unknown else device_input_problem(device)
        if problem:
            problems.append(Problem("device", problem))
        add_problems(diags, problems)

    def create(self, ctx: Any, planned: State) -> State | None:
        with reporting(ctx.diagnostics, "attach a CD/DVD drive"):
            vps_id = planned.get("vps_id")
            if not isinstance(vps_id, str):
                raise MountError("vps_id is required")
            device = planned.get("device")
            state = self.provider.drives().ensure_drive(
                vps_id, device if isinstance(device, str) else None
            )
            return self._state(state)
        return None

    def read(self, ctx: Any, current: State) -> State | None:
        with reporting(ctx.diagnostics, "read the CD/DVD drive"):
            vps_id, device = drive_from_state(current)
            found = self.provider.drives().read(vps_id, device, adopted=current.get("adopted"))
            return None if found is None else self._state(found)
        return current

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        # vps_id and device replace; nothing else is configurable.
        return current

    def delete(self, ctx: Any, current: State) -> State | None:
        with reporting(ctx.diagnostics, "release the CD/DVD drive"):
            self.provider.drives().release(*drive_from_state(current))
            return None
        return current

    def import_(self, ctx: Any, id: str) -> State | None:
        with reporting(ctx.diagnostics, "import the CD/DVD drive"):
            try:
                vps_id, device = parse_mount_id(id)
            except ValueError as exc:
                raise MountError(str(exc)) from None
            found = self.provider.drives().read(vps_id, device, adopted=True)
            if found is None:
                raise MountError(f"nothing to import: VPS {vps_id} has no CD/DVD drive {device}")
            return self._state(found)
        return None

    def _state(self, state: DriveState) -> State:
        return full_state(
            self.attribute_names(),
            {
                "id": state.id,
                "vps_id": state.vps_id,
                "device": state.device,
                "adopted": state.adopted,
            },
        )
