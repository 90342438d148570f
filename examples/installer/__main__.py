"""From nothing to a bootable installer: find the VPS by name, download the ISO from
its URL into the library, mount it, and export what a person needs next."""

import pulumi

from pulumi_hostup import VpsIsoImage, VpsIsoMount, get_vps

config = pulumi.Config()
vps = get_vps(config.require("vpsName"))  # one read of the VPS list, in the program

image = VpsIsoImage(
    "installer-iso",
    vps_id=vps.id,
    url=config.require("isoUrl"),
    filename=config.require("isoFilename"),
)
# The mount takes iso_id from the image, so Pulumi mounts after the download and
# unmounts before the delete.
mount = VpsIsoMount(
    "installer",
    vps_id=vps.id,
    iso_id=image.iso_id,
    device=config.get("device") or "ide2",
)

pulumi.export("vpsId", vps.id)
pulumi.export("vpsIp", vps.primary_ip)
pulumi.export("isoId", image.iso_id)
pulumi.export("isoSizeGb", image.size_gb)
pulumi.export("device", mount.device)
pulumi.export("bootOrder", mount.boot_order)
pulumi.export(
    "next",
    mount.device.apply(
        lambda device: f"reboot {vps.name} from its {device} CD/DVD drive to start the installer"
    ),
)
