"""The engine floor: a dynamic provider that does what VpsIsoMount does, minus the API.

Same properties (vps_id, iso_id, device in; iso_name, iso_display_name, iso_size_gb,
boot_order out), same ID scheme, no I/O at all. `pulumi up` of N of these is what
the Pulumi engine, the language host and the Python provider host cost by
themselves; the benchmark divides our `pulumi up` time by this one's.

It lives in its own importable module (never __main__), so dill pickles the
provider by reference, exactly as it pickles ``VpsIsoMountProvider``; the program
and the provider process find it through PYTHONPATH (the bench sets it to bench/).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider, UpdateResult

TYPE_NAME = "FloorMount"
MODULE = "bench"
OUTPUTS = ("iso_name", "iso_display_name", "iso_size_gb", "boot_order")


class FloorMountProvider(ResourceProvider):
    """Answers every call from its arguments alone."""

    serialize_as_secret_always = False  # like VpsIsoMountProvider: a plain blob

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"{props['vps_id']}/{props['device']}", _outputs(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(_outputs(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


def _outputs(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "vps_id": props["vps_id"],
        "iso_id": props["iso_id"],
        "device": props["device"],
        "iso_name": "floor.iso",
        "iso_display_name": "Floor",
        "iso_size_gb": 0.1,
        "boot_order": {"order": ["scsi0"]},
    }


class FloorMount(Resource, module=MODULE, name=TYPE_NAME):
    """A VpsIsoMount look-alike whose provider does nothing."""

    def __init__(
        self,
        resource_name: str,
        *,
        vps_id: str,
        iso_id: str,
        device: str = "ide2",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {"vps_id": vps_id, "iso_id": iso_id, "device": device}
        props.update(dict.fromkeys(OUTPUTS))
        super().__init__(FloorMountProvider(), resource_name, props, opts)
