"""N native mounts from stack config: `isoId`, `mounts` ([[vps, device]])."""

import pulumi
import pulumi_hostup_native as hostup

config = pulumi.Config()
iso_id = config.require("isoId")
for index, (vps_id, device) in enumerate(config.require_object("mounts")):
    hostup.VpsIsoMount(f"m-{index:03d}", vps_id=vps_id, iso_id=iso_id, device=device)

pulumi.export("count", len(config.require_object("mounts")))
