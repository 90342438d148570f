"""The OpenTofu floor: a provider on the same `tf` framework that does what
hostup_vps_iso_mount does, minus the API. `floor_mount` has the same attributes
(vps_id, iso_id, device in; iso_name, iso_display_name, iso_size_gb, boot_order,
adopted out) and the same ID scheme, and answers every call from its arguments
alone. `tofu apply` of N of these is what tofu, the plugin protocol and a Python
provider's start-ups cost by themselves; bench/opentofu.py divides ours by it.

Run as the executable `terraform-provider-floor` (bench/opentofu.py writes a
launcher that runs this file with the venv's Python).
"""

from __future__ import annotations

from typing import Any

from tf.runner import run_provider
from tf.schema import Attribute, Schema
from tf.types import Bool, NormalizedJson, Number, String, Unknown

ADDRESS = "registry.opentofu.org/bench/floor"


class FloorMount:
    def __init__(self, provider: Any) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "mount"

    @classmethod
    def get_schema(cls) -> Any:
        return Schema(
            version=0,
            attributes=[
                Attribute("id", String(), computed=True),
                Attribute("vps_id", String(), required=True, requires_replace=True),
                Attribute("iso_id", String(), required=True),
                Attribute(
                    "device",
                    String(),
                    optional=True,
                    computed=True,
                    requires_replace=True,
                    default="ide2",
                ),
                Attribute("iso_name", String(), computed=True),
                Attribute("iso_display_name", String(), computed=True),
                Attribute("iso_size_gb", Number(), computed=True),
                Attribute("boot_order", NormalizedJson(), computed=True),
                Attribute("adopted", Bool(), computed=True),
            ],
        )

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        pass

    def plan(self, ctx: Any, current: Any, planned: dict[str, Any]) -> dict[str, Any]:
        return planned

    def upgrade(self, ctx: Any, version: int, old: dict[str, Any]) -> dict[str, Any]:
        return old

    def _state(self, planned: dict[str, Any]) -> dict[str, Any]:
        device = planned.get("device")
        device = "ide2" if device in (None, Unknown) else device
        return {
            "id": f"{planned['vps_id']}/{device}",
            "vps_id": planned["vps_id"],
            "iso_id": planned["iso_id"],
            "device": device,
            "iso_name": "floor.iso",
            "iso_display_name": None,
            "iso_size_gb": 1.0,
            "boot_order": {"order": [device]},
            "adopted": False,
        }

    def create(self, ctx: Any, planned: dict[str, Any]) -> dict[str, Any]:
        return self._state(planned)

    def read(self, ctx: Any, current: dict[str, Any]) -> dict[str, Any]:
        return current

    def update(self, ctx: Any, current: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        return self._state(planned)

    def delete(self, ctx: Any, current: dict[str, Any]) -> None:
        return None


class FloorProvider:
    def get_model_prefix(self) -> str:
        return "floor_"

    def full_name(self) -> str:
        return ADDRESS

    def get_provider_schema(self, diags: Any) -> Any:
        return Schema(attributes=[Attribute("endpoint", String(), optional=True)])

    def validate_config(self, diags: Any, config: dict[str, Any]) -> None:
        pass

    def configure_provider(self, diags: Any, config: dict[str, Any]) -> None:
        pass

    def get_resources(self) -> list[Any]:
        return [FloorMount]

    def get_data_sources(self) -> list[Any]:
        return []

    def get_functions(self) -> list[Any]:
        return []

    def new_resource(self, klass: Any) -> Any:
        return klass(self)

    def new_data_source(self, klass: Any) -> Any:
        return klass(self)


if __name__ == "__main__":
    run_provider(FloorProvider())
