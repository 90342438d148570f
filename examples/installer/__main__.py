"""Mount the installer ISO that the VPS's listing calls `isoName`, and export its details."""

import pulumi

from pulumi_hostup import VpsIsoMount
from pulumi_hostup.lookup import find_iso

config = pulumi.Config()
vps_id = config.require("vpsId")

installer = VpsIsoMount(
    "installer",
    vps_id=vps_id,
    iso_id=find_iso(vps_id, config.require("isoName")),
    device=config.get("device") or "ide2",
)

pulumi.export("isoId", installer.iso_id)
pulumi.export("isoName", installer.iso_name)
pulumi.export("isoDisplayName", installer.iso_display_name)
pulumi.export("isoSizeGb", installer.iso_size_gb)
pulumi.export("bootOrder", installer.boot_order)
