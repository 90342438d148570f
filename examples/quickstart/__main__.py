"""Mount one ISO on one Hostup VPS, and export what the API says about it."""

import pulumi

from pulumi_hostup import VpsIsoMount

config = pulumi.Config()

installer = VpsIsoMount(
    "installer",
    vps_id=config.require("vpsId"),
    iso_id=config.require("isoId"),
    device=config.get("device") or "ide2",
)

pulumi.export("mountId", installer.id)
pulumi.export("isoName", installer.iso_name)
pulumi.export("isoDisplayName", installer.iso_display_name)
pulumi.export("isoSizeGb", installer.iso_size_gb)
pulumi.export("bootOrder", installer.boot_order)
