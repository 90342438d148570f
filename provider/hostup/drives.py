"""The CD/DVD drive engine: a VPS that has a drive to mount ISOs in.

A VPS can come without any CD/DVD slot (the listing's ``availableDevices[]`` is
empty); ``attach-empty`` adds one. The API has no detach, so a drive, once there,
stays: :meth:`DriveEngine.release` leaves it and says so.

- :meth:`DriveEngine.ensure_drive`: a slot that already exists is adopted (no
  write); otherwise one attach, then listing reads until the slot shows;
- :meth:`DriveEngine.read`: the slot as the listing shows it (None: gone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import MountError
from .rules import device_input_problem, id_input_problem
from .runtime import Runtime

if TYPE_CHECKING:
    from .models import IsoMedia

__all__ = ["DriveEngine", "DriveState"]


@dataclass(frozen=True)
class DriveState:
    """A CD/DVD slot of a VPS."""

    vps_id: str
    device: str
    adopted: bool | None
    """True: the slot was there already and nothing was attached. None: not known."""

    @property
    def id(self) -> str:
        return f"{self.vps_id}/{self.device}"


def _slots(media: IsoMedia) -> list[str]:
    return [slot.device for slot in media.available_devices if slot.device]


class DriveEngine:
    """Attach and read CD/DVD slots on behalf of a front-end; thread-safe."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def __repr__(self) -> str:
        return f"DriveEngine({self.runtime.settings!r})"

    def ensure_drive(self, vps_id: str, device: str | None = None) -> DriveState:
        """The VPS has a slot (``device``, or any when None); attach one if it has none.

        Not retried once sent (a second attach could add a second slot): after a lost
        answer, the listing decides.
        """
        for problem in (id_input_problem("vps_id", vps_id), device_input_problem(device)):
            if problem:
                raise MountError(problem)
        runtime = self.runtime
        with runtime.user_errors(f"give VPS {vps_id} a CD/DVD drive"):
            deadline = runtime.deadline(f"attaching a CD/DVD drive to {vps_id}")
            with runtime.writing(vps_id):
                media, _ = runtime.listing_before_write(vps_id, deadline, fresh=True)
                slots = _slots(media)
                if device in slots or (device is None and slots):
                    return DriveState(vps_id, device or slots[0], adopted=True)
                runtime.listings.invalidate(vps_id)  # before the write: see ListingCache
                attached = runtime.client().attach_empty_cdrom(
                    vps_id,
                    device,  # type: ignore[arg-type]  # checked above
                    deadline=deadline.remaining(),
                )
                added = attached.device or device
                runtime.confirm(
                    vps_id,
                    deadline,
                    lambda m: added in _slots(m) if added else bool(_slots(m)),
                )
                if added is None:
                    raise MountError(f"the API attached a drive to VPS {vps_id} but named none")
                return DriveState(vps_id, added, adopted=False)

    def read(self, vps_id: str, device: str, *, adopted: bool | None = None) -> DriveState | None:
        """The slot ``device`` of ``vps_id``; None when the VPS or the slot is gone."""
        runtime = self.runtime
        with runtime.user_errors(f"read the CD/DVD drive {vps_id}/{device}"):
            media = runtime.listing_unless_gone(
                vps_id,
                max_age=runtime.settings.listing_cache_seconds,
                deadline=runtime.operation_seconds(),
            )
        if media is None or device not in _slots(media):
            return None
        return DriveState(vps_id, device, adopted)

    def release(self, vps_id: str, device: str) -> None:
        """Nothing to call: the API has no detach. Says that the drive stays."""
        self.runtime.warn(
            f"left the CD/DVD drive {device} on VPS {vps_id}: the Hostup API cannot detach "
            "drives; it stays, empty or with whatever is mounted in it"
        )
