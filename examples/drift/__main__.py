"""Two mounts on one VPS: the subjects of the drift walkthrough (see README.md)."""

import pulumi

from pulumi_hostup import VpsIsoMount

config = pulumi.Config()
vps_id = config.require("vpsId")

installer = VpsIsoMount(
    "installer", vps_id=vps_id, iso_id=config.require("installerIsoId"), device="ide1"
)
tools = VpsIsoMount("tools", vps_id=vps_id, iso_id=config.require("toolsIsoId"), device="ide3")

pulumi.export("installer", installer.iso_name)
pulumi.export("tools", tools.iso_name)
