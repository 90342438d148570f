"""terraform-provider-hostup: the OpenTofu/Terraform front-end, on the ``tf`` framework.

Source address ``hostup/hostup``. Resources ``hostup_vps_iso_mount``,
``hostup_vps_iso_image`` and ``hostup_vps_cdrom_drive``; data sources
``hostup_vps`` and ``hostup_iso``. Each translates the plugin protocol's calls
into the core's engines (:mod:`hostup.mounts`, :mod:`hostup.images`,
:mod:`hostup.drives`, :mod:`hostup.lookups`) and back; every rule lives in the core.

The executable is the console script ``terraform-provider-hostup``
(:func:`terraform_provider_hostup._entry.main`); ``python -m
terraform_provider_hostup.mirror`` writes a filesystem mirror for ``tofu init``.
This module imports nothing: tofu starts the provider several times per command,
so start-up time matters (``_entry`` loads what each launch needs).
"""

from __future__ import annotations

__all__: list[str] = []
