"""One VpsIsoMount per entry of the config list `mounts`; exports each mount's outputs."""

from __future__ import annotations

import pulumi

from pulumi_hostup import VpsIsoMount

config = pulumi.Config()
entries = config.get_object("mounts") or []

mounts = {
    entry["name"]: VpsIsoMount(
        entry["name"],
        vps_id=entry["vpsId"],
        iso_id=entry["isoId"],
        device=entry.get("device"),  # None: the resource's default, ide2
    )
    for entry in entries
}

pulumi.export(
    "mounts",
    {
        name: {
            "id": mount.id,
            "vpsId": mount.vps_id,
            "isoId": mount.iso_id,
            "device": mount.device,
            "isoName": mount.iso_name,
            "isoDisplayName": mount.iso_display_name,
            "isoSizeGb": mount.iso_size_gb,
            "bootOrder": mount.boot_order,
        }
        for name, mount in mounts.items()
    },
)
