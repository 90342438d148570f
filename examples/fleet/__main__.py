"""One VpsIsoMount per entry of the stack config list `mounts`.

    pulumi config set --path 'mounts[0].vpsId' vps_...
    pulumi config set --path 'mounts[0].isoId' iso_...
    pulumi config set --path 'mounts[0].device' ide3     # optional, default ide2

Resource names default to "<vpsId>-<device>", so reordering the list changes nothing.
"""

import pulumi

from pulumi_hostup import VpsIsoMount

config = pulumi.Config()
mounts = config.require_object("mounts")
if not isinstance(mounts, list) or not mounts:
    raise ValueError("config `mounts` must be a non-empty list of {vpsId, isoId, device?}")

fleet = {}
for index, entry in enumerate(mounts):
    if not isinstance(entry, dict) or "vpsId" not in entry or "isoId" not in entry:
        raise ValueError(f"mounts[{index}] needs vpsId and isoId, got {entry!r}")
    device = entry.get("device", "ide2")
    name = entry.get("name") or f"{entry['vpsId']}-{device}"
    fleet[name] = VpsIsoMount(name, vps_id=entry["vpsId"], iso_id=entry["isoId"], device=device)

pulumi.export("mounts", {name: mount.iso_name for name, mount in fleet.items()})
