"""The rules of mounting, as pure functions: no I/O, no clock, no front-end.

Every front-end validates with these and words its refusals with these, so a
preview (check), a plan (validate) and an apply refuse the same things in the
same words. :class:`Wording` carries the few phrases that differ per front-end
(the command that applies, the one that refreshes, where a setting lives).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

from .contract import DEFAULT_DEVICE, device_problem, path_segment_problem
from .errors import MountError

if TYPE_CHECKING:
    from .models import IsoMedia, MountedMedia

__all__ = [
    "Field",
    "Problem",
    "Wording",
    "device_input_problem",
    "drive_id",
    "holds",
    "id_input_problem",
    "mount_problems",
    "owned_iso",
    "ownership_unsettled",
    "parse_mount_id",
]

# The input a problem concerns; "": no single input is at fault.
Field = Literal["vps_id", "iso_id", "device", "url", "filename", "decompress", "account", ""]


class Problem(NamedTuple):
    """One reason an input cannot be used, and the input it concerns."""

    field: Field
    message: str


@dataclass(frozen=True)
class Wording:
    """The phrases of refusals that depend on the front-end the user runs."""

    apply: str = "apply again"
    refresh: str = "re-read the VPS's ISO listing"
    owner: str = "this configuration"
    raise_timeout: str = "raise the operation timeout (HOSTUP_OPERATION_TIMEOUT)"
    set_key: str = "export HOSTUP_API_KEY=<key>"
    add_account: str = "add the account {name} and its API key to the accounts setting"
    raise_call_timeout: str = "raise the timeout this call was given"


_EXPECTED: Final[dict[str, str]] = {
    "vps_id": "the VPS id from GET /api/v2/vps (vps_...)",
    "iso_id": "an ISO id from the VPS's ISO listing (available[].id, iso_...)",
}


def id_input_problem(
    field: Literal["vps_id", "iso_id"], value: object, *, label: str | None = None
) -> str | None:
    """Why ``value`` cannot be the ``field`` input (required, a safe ASCII id), or None.

    ``label``: the input's name as the user writes it, when the front-end's schema does
    not spell it as the core does (the native provider's ``vpsId``)."""
    what, name = _EXPECTED[field], label or field
    if value is None:
        return f"{name} is required: {what}"
    if not isinstance(value, str):
        return f"{name} must be a string, got {type(value).__name__}: {what}"
    problem = path_segment_problem(value)
    return f"{name} {problem}: expected {what}" if problem else None


def device_input_problem(value: object) -> str | None:
    """Why ``value`` cannot be the ``device`` input, or None (None itself means the default)."""
    if value is None:
        return None
    problem = device_problem(value)
    return f"device {problem}" if problem else None


def parse_mount_id(id_: object) -> tuple[str, str]:
    """``(vps_id, device)`` from a mount's ID ``{vps_id}/{device}``; ValueError if it is not one."""
    text = id_ if isinstance(id_, str) else ""
    vps_id, sep, device = text.rpartition("/")
    if not sep or not vps_id:
        raise ValueError(
            f"resource id {str(id_)[:80]!r} is not of the form <vps_id>/<device>, "
            f"e.g. vps_.../{DEFAULT_DEVICE}"
        )
    for problem in (id_input_problem("vps_id", vps_id), device_input_problem(device)):
        if problem:
            raise ValueError(f"resource id {text[:80]!r}: {problem}")
    return vps_id, device


def drive_id(id_: object, vps_id: object = None, device: object = None) -> tuple[str, str]:
    """``(vps_id, device)`` of a mount or drive: from the state's values when both are
    there, else from its ID ``{vps_id}/{device}`` (an import, a state with no outputs).

    Raises :class:`~hostup.errors.MountError` saying what is wrong with the ID.
    """
    if isinstance(vps_id, str) and vps_id and isinstance(device, str) and device:
        id_ = f"{vps_id}/{device}"
    try:
        return parse_mount_id(id_)
    except ValueError as exc:
        raise MountError(str(exc)) from None


def owned_iso(owned_iso_id: object, iso_id: object) -> str | None:
    """The ISO a mount's state says the resource owns: its ``owned_iso_id``, else (a
    state written before that output existed) its ``iso_id``; None when neither is a
    string. Deletes unmount only this ISO, and reads carry it over unchanged.
    """
    for value in (owned_iso_id, iso_id):
        if isinstance(value, str) and value:
            return value
    return None


def ownership_unsettled(owned_iso_id: object, declared_iso: object) -> bool:
    """True when a mount's state owns another ISO than the one declared: after a refresh
    found the declared ISO on the device (someone else's mount that the configuration
    now names, or the late write of a failed update). An update settles it: the ISO is
    there, so it writes nothing and owns it, as a create adopts an identical mount.
    False for a state written before ``owned_iso_id`` existed.
    """
    return isinstance(owned_iso_id, str) and bool(owned_iso_id) and owned_iso_id != declared_iso


def holds(current: MountedMedia | None, iso_id: str | None) -> bool:
    """Whether ``current`` is an ISO (not cloud-init) and it is ``iso_id``."""
    return current is not None and current.holds_iso and current.iso_id == iso_id


def iso_label(media: IsoMedia, iso_id: str | None) -> str:
    """``iso_... (its name)`` when the listing knows the name, else the id."""
    image = media.find_available(iso_id) if iso_id else None
    name = image.display_name or image.name if image else None
    return f"{iso_id} ({name})" if name else str(iso_id)


def occupied_message(
    vps_id: str, device: str, current: MountedMedia, media: IsoMedia, wording: Wording
) -> str:
    return (
        f"{device} of VPS {vps_id} already holds {iso_label(media, current.iso_id)}, "
        f"which {wording.owner} did not mount; unmount it in Hostup or choose another device"
    )


def vps_not_found_message(vps_id: str) -> str:
    return (
        f"VPS {vps_id} was not found for this API key: use an id from "
        "GET /api/v2/vps (the Hostup dashboard shows it too)"
    )


def gate_message(vps_id: str, code: str | None, reason: str | None, wording: Wording) -> str:
    because = reason or "no reason given"
    return (
        f"VPS {vps_id} does not allow mounting now ({code or 'gate closed'}: {because}); "
        f"resolve it in Hostup, then {wording.apply}"
    )


def mount_problems(
    media: IsoMedia,
    vps_id: str,
    iso_id: str,
    device: str,
    *,
    stack_mounted: bool,
    wording: Wording,
) -> list[Problem]:
    """What stops mounting ``iso_id`` on ``vps_id``/``device``; [] when nothing does.

    ``stack_mounted``: the caller's resource mounted the device (an update), so
    another ISO there is its own to swap, not someone else's. Already holding
    ``iso_id`` is never a problem: create adopts it, update has nothing to do.
    """
    current = media.mounted_on(device)
    if holds(current, iso_id):
        return []
    problems: list[Problem] = []
    if media.find_available(iso_id) is None:
        names = ", ".join(f"{i.id} ({i.name})" for i in media.available[:10]) or "none"
        problems.append(
            Problem("iso_id", f"ISO {iso_id} is not available to VPS {vps_id}; available: {names}")
        )
    usable = [slot.device for slot in media.available_devices if slot.device]
    if usable and device not in usable:
        problems.append(
            Problem(
                "device", f"VPS {vps_id} has no CD/DVD slot {device}; usable: {', '.join(usable)}"
            )
        )
    if current is not None and current.is_cloud_init:
        problems.append(
            Problem(
                "device",
                f"{device} of VPS {vps_id} holds the cloud-init drive; choose another device",
            )
        )
    elif current is not None and current.holds_iso and not stack_mounted:
        problems.append(
            Problem("device", occupied_message(vps_id, device, current, media, wording))
        )
    gate = media.actions.can_mount
    if not gate.allowed:
        problems.append(Problem("vps_id", gate_message(vps_id, gate.code, gate.reason, wording)))
    return problems


def refusal(problems: list[Problem]) -> str:
    """One line that names every problem (a provider host shows only the last line)."""
    return "; and ".join(problem.message for problem in problems)
