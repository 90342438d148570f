"""The native provider's lifecycle from Python, through the generated SDK.

Stack config: `isoId` and `device` (of the mount on web-1, through the default
provider, configured from `hostup:*`), `otherKey` (a secret) and `api` (for an
explicit provider of the simulator's other account).
"""

from __future__ import annotations

import pulumi
import pulumi_hostup_native as hostup

config = pulumi.Config()

web = hostup.get_vps(name="web-1")
mount = hostup.VpsIsoMount(
    "installer",
    vps_id=web.id,
    iso_id=config.require("isoId"),
    device=config.get("device") or "ide2",
)

other = hostup.Provider(
    "other", api_key=config.require_secret("otherKey"), endpoint=config.require("api")
)
fedora_vps = hostup.get_vps_output(
    name="other-web-1", opts=pulumi.InvokeOutputOptions(provider=other)
)
fedora_iso = hostup.get_iso_output(
    vps_id=fedora_vps.id,
    name="Fedora-Server-dvd-x86_64-41-1.4.iso",
    opts=pulumi.InvokeOutputOptions(provider=other),
)
fedora = hostup.VpsIsoMount(
    "fedora",
    vps_id=fedora_vps.id,
    iso_id=fedora_iso.id,
    opts=pulumi.ResourceOptions(provider=other),
)

pulumi.export("isoName", mount.iso_name)
pulumi.export("mountId", mount.id)
pulumi.export("fedoraIso", fedora.iso_name)
