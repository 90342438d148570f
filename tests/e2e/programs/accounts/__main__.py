"""Two accounts in one program: look-ups and a mount through a named account, and a
mount through the default key (hostup:apiKey)."""

from __future__ import annotations

import pulumi

from pulumi_hostup import VpsIsoMount, get_iso, get_vps

config = pulumi.Config()
other_account = config.require("otherAccount")  # an entry of hostup:accounts
mount_account = config.get("mountAccount") or other_account

vps = get_vps(name=config.require("otherVpsName"), account=other_account)
iso = get_iso(vps_id=vps.id, name=config.require("otherIsoName"), account=other_account)
other = VpsIsoMount("other-installer", vps_id=vps.id, iso_id=iso.id, account=mount_account)
demo = VpsIsoMount(
    "demo-installer", vps_id=config.require("demoVpsId"), iso_id=config.require("demoIsoId")
)

pulumi.export("otherVpsId", vps.id)
pulumi.export("otherIsoId", iso.id)
pulumi.export("accounts", {"other": other.account, "demo": demo.account})
