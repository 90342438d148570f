"""The parts of the API contract that validation needs before any request.

The API root, the CD/DVD device names, and the rule an id must pass to be one URL
path segment. Standard library only, on purpose: a Pulumi program, the provider's
configure() and an offline check use these, and must not load requests or pydantic
for them (bench/README.md, "Start-up"). :mod:`hostup.client`,
:mod:`hostup.models` and :mod:`hostup._http` re-export them.
"""

from __future__ import annotations

import unicodedata
from typing import Final, Literal, get_args

__all__ = [
    "DEFAULT_DEVICE",
    "DEFAULT_ENDPOINT",
    "DEVICES",
    "MAX_SEGMENT_LENGTH",
    "Device",
    "device_problem",
    "path_segment_problem",
]

DEFAULT_ENDPOINT: Final = "https://cloud.hostup.se"

Device = Literal["ide0", "ide1", "ide2", "ide3"]
DEVICES: Final[tuple[Device, ...]] = get_args(Device)
# The documented default of unmount's `device`; mount's is assumed to mirror it.
DEFAULT_DEVICE: Final[Device] = "ide2"

MAX_SEGMENT_LENGTH: Final = 128
_FORBIDDEN_IN_SEGMENT: Final = "/?#%\\"


def path_segment_problem(value: object) -> str | None:
    """Why ``value`` cannot be one URL path segment (an id), or ``None`` if it can.

    Rejects: non-strings, empty, longer than 128 characters, ``/ ? # % \\``,
    ``..``, whitespace, control or format characters, and anything not ASCII.
    """
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if not value:
        return "must not be empty"
    if len(value) > MAX_SEGMENT_LENGTH:
        return f"must be at most {MAX_SEGMENT_LENGTH} characters long"
    for ch in value:
        if ch in _FORBIDDEN_IN_SEGMENT:
            return f"must not contain {ch!r}"
        if ch.isspace():
            return "must not contain whitespace"
        if unicodedata.category(ch).startswith("C"):
            return "must not contain control characters"
    if ".." in value or value == ".":
        return "must not contain '..' or be '.'"
    if not value.isascii():
        # Hostup ids are ASCII. Look-alikes (fullwidth solidus or full stops, Cyrillic
        # letters) pass as one path segment but are never a real id.
        return "must contain ASCII characters only"
    return None


def device_problem(device: object) -> str | None:
    """Why ``device`` is not a CD/DVD device name, or ``None`` if it is one."""
    if isinstance(device, str) and device in DEVICES:
        return None
    shown = repr(device)[:40] if isinstance(device, str) else type(device).__name__
    return f"must be one of {', '.join(DEVICES)} (default {DEFAULT_DEVICE}), got {shown}"
