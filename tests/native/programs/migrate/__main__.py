"""One ISO mount, moved from the dynamic resource to the native one without an eject.

Stack config `stage`:
  dynamic  the dynamic `pulumi_hostup.VpsIsoMount` (how the stack started);
  retain   the same, with retain_on_delete: the next removal leaves the disc in;
  native   the native `hostup:index:VpsIsoMount` in its place: it adopts the mount
           (no request), and the retained dynamic one leaves the state (no request).
"""

from __future__ import annotations

import pulumi

from pulumi_hostup import VpsIsoMount

config = pulumi.Config()
stage = config.require("stage")
vps_id, iso_id = config.require("vpsId"), config.require("isoId")

if stage == "native":
    # The generated SDK's VpsIsoMount does the same; this program needs no SDK.
    mount = pulumi.CustomResource(
        "hostup:index:VpsIsoMount",
        "installer",
        {
            "vpsId": vps_id,
            "isoId": iso_id,
            "device": "ide2",
            **dict.fromkeys(("isoName", "adopted")),
        },
    )
    pulumi.export("adopted", mount.adopted)  # type: ignore[attr-defined]
else:
    VpsIsoMount(
        "installer",
        vps_id=vps_id,
        iso_id=iso_id,
        opts=pulumi.ResourceOptions(retain_on_delete=stage == "retain"),
    )
