"""The schema's functions: look-ups by name, one API read each, on :mod:`hostup.lookups`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from hostup import lookups
from hostup.errors import MountError
from hostup.rules import id_input_problem
from hostup.runtime import Runtime

__all__ = ["FUNCTIONS", "get_iso", "get_vps"]


def _text(args: dict[str, Any], key: str) -> str:
    value = args.get(key)
    if not isinstance(value, str) or not value:
        raise MountError(f"{key} is required and must be a string")
    return value


def get_vps(runtime: Runtime, args: dict[str, Any]) -> dict[str, Any]:
    """``hostup:index:getVps``: the VPS called ``name``."""
    name = _text(args, "name")
    with runtime.user_errors(f"look up the VPS named {name!r}"):
        vps = lookups.find_vps(runtime.client(), name)
    return {
        "id": vps.id,
        "name": vps.name,
        "primaryIp": vps.primary_ip,
        "serviceStatus": vps.service_status,
        "powerState": vps.power_state,
    }


def get_iso(runtime: Runtime, args: dict[str, Any]) -> dict[str, Any]:
    """``hostup:index:getIso``: the ISO ``vpsId`` may mount, by file (else display) name."""
    vps_id, name = _text(args, "vpsId"), _text(args, "name")
    problem = id_input_problem("vps_id", vps_id, label="vpsId")
    if problem:
        raise MountError(problem)
    with runtime.user_errors(f"look up the ISO named {name!r} for VPS {vps_id}"):
        image = lookups.find_iso(runtime.client(), vps_id, name)
    return {
        "id": image.id,
        "vpsId": vps_id,
        "name": image.name,
        "displayName": image.display_name,
        "sizeGb": image.size_gb,
    }


FUNCTIONS: Final[dict[str, Callable[[Runtime, dict[str, Any]], dict[str, Any]]]] = {
    "hostup:index:getVps": get_vps,
    "hostup:index:getIso": get_iso,
}
