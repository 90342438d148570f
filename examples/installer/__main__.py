"""From nothing to a bootable installer: find the VPS by name, give it a CD/DVD drive
if it has none, download the ISO from its URL into the library, mount it, and export
what a person needs next."""

import pulumi

from pulumi_hostup import VpsCdromDrive, VpsIsoImage, VpsIsoMount, get_vps

config = pulumi.Config()
vps = get_vps(config.require("vpsName"))  # one read of the VPS list, in the program

image = VpsIsoImage(
    "installer-iso",
    vps_id=vps.id,
    url=config.require("isoUrl"),
    filename=config.require("isoFilename"),
    decompress=config.get("decompress"),  # e.g. gzip for an .iso.gz URL
)
# The drive `device` names (any drive when unset): adopted when the VPS has it,
# attached when it has none. Destroy leaves it: the API cannot detach a drive.
drive = VpsCdromDrive("installer-drive", vps_id=vps.id, device=config.get("device"))
# The mount takes iso_id from the image and device from the drive, so Pulumi mounts
# after the download and the attach, and unmounts before the ISO's delete.
mount = VpsIsoMount(
    "installer",
    vps_id=vps.id,
    iso_id=image.iso_id,
    device=drive.device,
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
