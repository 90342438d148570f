"""The kinds of out-of-band change (drift): one table for every front-end.

A drift is what a person in the Hostup dashboard does behind the API client's
back. The backend performs each kind; the admin path (`POST /_sim/drift/<kind>`),
SimAdmin and `hostup-sim drift` take their names, arguments and help from this
table, so a kind added here reaches all of them. Standard library only: SimAdmin
imports it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DriftKind:
    """One kind of drift: its name on the wire and the command line, and what it needs."""

    name: str
    summary: str
    uses_device: bool  # takes a device (default ide2)
    needs_iso: bool  # requires an ISO id


UNMOUNT = DriftKind("unmount", "eject the medium of a device (no-op if empty)", True, False)
MOUNT = DriftKind(
    "mount", "mount an ISO on a device, adding its CD/DVD slot if missing", True, True
)
SWAP = DriftKind("swap", "put another ISO on a device (refused if it is empty)", True, True)
DELETE_VPS = DriftKind("delete-vps", "delete the VPS: its id answers vps_not_found", False, False)
DELETE_ISO = DriftKind("delete-iso", "delete an ISO from the library, ejecting it", False, True)

DRIFT_KINDS: dict[str, DriftKind] = {
    kind.name: kind for kind in (UNMOUNT, MOUNT, SWAP, DELETE_VPS, DELETE_ISO)
}
