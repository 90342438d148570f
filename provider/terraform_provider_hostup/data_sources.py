"""Data sources ``hostup_vps`` (a VPS by name) and ``hostup_iso`` (an ISO by VPS and name).

Thin adapters on :mod:`hostup.lookups`: one API read each, at plan time. Nothing
found, or a name that is not unique, is an error that lists what there is.
"""

from __future__ import annotations

from typing import Any

from tf.types import Unknown

from hostup import lookups
from hostup.rules import Problem, id_input_problem

from ._framework import State, add_problems, full_state, reporting

__all__ = ["IsoDataSource", "VpsDataSource"]


def _name_problem(value: Any, what: str) -> list[Problem]:
    if value is Unknown or (isinstance(value, str) and value.strip()):
        return []
    return [Problem("", f"name must be the {what}'s name, a non-empty string")]


class _DataSourceBase:
    NAME: str

    def __init__(self, provider: Any) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.NAME

    @classmethod
    def schema_attributes(cls) -> list[Any]:
        raise NotImplementedError

    @classmethod
    def get_schema(cls) -> Any:
        from tf.schema import Schema

        return Schema(version=0, attributes=cls.schema_attributes())

    @classmethod
    def attribute_names(cls) -> list[str]:
        return [attribute.name for attribute in cls.schema_attributes()]


class VpsDataSource(_DataSourceBase):
    """``hostup_vps``: the one VPS of the key's account with this name."""

    NAME = "vps"

    @classmethod
    def schema_attributes(cls) -> list[Any]:
        from tf.schema import Attribute
        from tf.types import String

        return [
            Attribute("name", String(), description="The VPS's name.", required=True),
            Attribute("id", String(), description="The VPS id (`vps_...`).", computed=True),
            Attribute("primary_ip", String(), description="Its primary IP.", computed=True),
            Attribute("service_status", String(), description="Its service status.", computed=True),
            Attribute("power_state", String(), description="Its power state.", computed=True),
        ]

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        for problem in _name_problem(config.get("name"), "VPS"):
            diags.add_error(problem.message, path=["name"])

    def read(self, ctx: Any, config: dict[str, Any]) -> State | None:
        with reporting(ctx.diagnostics, "look the VPS up"):
            client = self.provider.runtime().client()
            vps = lookups.find_vps(client, str(config["name"]))
            return full_state(
                self.attribute_names(),
                {
                    "name": config["name"],
                    "id": vps.id,
                    "primary_ip": vps.primary_ip,
                    "service_status": vps.service_status,
                    "power_state": vps.power_state,
                },
            )
        return None


class IsoDataSource(_DataSourceBase):
    """``hostup_iso``: the ISO a VPS may mount, by file name (else display name)."""

    NAME = "iso"

    @classmethod
    def schema_attributes(cls) -> list[Any]:
        from tf.schema import Attribute
        from tf.types import Number, String

        return [
            Attribute(
                "vps_id", String(), description="The VPS whose listing to search.", required=True
            ),
            Attribute(
                "name",
                String(),
                description="The ISO's file name, else its display name.",
                required=True,
            ),
            Attribute("id", String(), description="The ISO id (`iso_...`).", computed=True),
            Attribute("file_name", String(), description="Its file name.", computed=True),
            Attribute("display_name", String(), description="Its display name.", computed=True),
            Attribute("size_gb", Number(), description="Its size in GB.", computed=True),
        ]

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        vps_id = config.get("vps_id")
        problem = None if vps_id is Unknown else id_input_problem("vps_id", vps_id)
        add_problems(diags, [Problem("vps_id", problem)] if problem else [])
        for name_problem in _name_problem(config.get("name"), "ISO"):
            diags.add_error(name_problem.message, path=["name"])

    def read(self, ctx: Any, config: dict[str, Any]) -> State | None:
        with reporting(ctx.diagnostics, "look the ISO up"):
            client = self.provider.runtime().client()
            image = lookups.find_iso(client, str(config["vps_id"]), str(config["name"]))
            return full_state(
                self.attribute_names(),
                {
                    "vps_id": config["vps_id"],
                    "name": config["name"],
                    "id": image.id,
                    "file_name": image.name,
                    "display_name": image.display_name,
                    "size_gb": image.size_gb,
                },
            )
        return None
