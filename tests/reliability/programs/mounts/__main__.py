"""One VpsIsoMount per entry of the stack config list `mounts`."""

from __future__ import annotations

import pulumi

from pulumi_hostup import VpsIsoMount

config = pulumi.Config()
mounts = config.get_object("mounts") or []

created = [
    VpsIsoMount(entry["name"], vps_id=entry["vps"], iso_id=entry["iso"], device=entry["device"])
    for entry in mounts
]

pulumi.export("ids", [mount.id for mount in created])
