"""N mounts from stack config: `kind` (hostup | floor), `isoId`, `mounts` ([[vps, device]])."""

import pulumi

config = pulumi.Config()
kind = config.require("kind")
iso_id = config.require("isoId")
mounts = config.require_object("mounts")

if kind == "hostup":
    from pulumi_hostup import VpsIsoMount as Mount
elif kind == "floor":
    from floor_provider import FloorMount as Mount  # bench/, on PYTHONPATH
else:
    raise ValueError(f"kind must be hostup or floor, got {kind!r}")

for index, (vps_id, device) in enumerate(mounts):
    Mount(f"m-{index:03d}", vps_id=vps_id, iso_id=iso_id, device=device)

pulumi.export("count", len(mounts))
