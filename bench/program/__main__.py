"""N mounts from stack config: `kind` (hostup | floor), `isoId`, `mounts` ([[vps, device]]).

With `lookups` (hostup only), each entry's vps is a VPS *name* and the ISO is the
file name `isoName`: the program finds both ids with get_vps and get_iso, as a
program written against names does (bench/workflow.py times the difference).
"""

import pulumi

config = pulumi.Config()
kind = config.require("kind")
mounts = config.require_object("mounts")
lookups = config.get_bool("lookups") or False

if kind == "hostup":
    from pulumi_hostup import VpsIsoMount as Mount
    from pulumi_hostup import get_iso, get_vps
elif kind == "floor":
    from floor_provider import FloorMount as Mount  # bench/, on PYTHONPATH
else:
    raise ValueError(f"kind must be hostup or floor, got {kind!r}")

for index, (vps, device) in enumerate(mounts):
    if lookups:
        vps_id = get_vps(vps).id  # one read each: the program's own, before any resource
        iso_id = get_iso(vps_id, config.require("isoName")).id
    else:
        vps_id, iso_id = vps, config.require("isoId")
    Mount(f"m-{index:03d}", vps_id=vps_id, iso_id=iso_id, device=device)

pulumi.export("count", len(mounts))
