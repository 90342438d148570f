"""Program-side look-ups: find what to mount before declaring the mount.

These run in the Pulumi program (not the provider), at preview and at up, and
cost one listing read each. Credentials come from the same places as the
provider's: stack config ``hostup:apiKey`` / ``hostup:endpoint``, else
``HOSTUP_API_KEY`` / ``HOSTUP_ENDPOINT``.
"""

from __future__ import annotations

import pulumi

from hostup.client import HostupClient
from hostup.errors import ConfigurationError
from hostup.models import IsoImage
from hostup.settings import Settings

__all__ = ["find_iso", "find_iso_image"]


def find_iso_image(client: HostupClient, vps_id: str, name: str) -> IsoImage:
    """The ISO in ``vps_id``'s listing whose file name (else display name) is ``name``.

    Raises :class:`ConfigurationError` naming the ISOs that are there when none matches.
    """
    media = client.get_iso_media(vps_id)
    image = media.find_available_by_name(name)
    if image is None:
        names = ", ".join(repr(i.name or i.display_name) for i in media.available) or "none"
        raise ConfigurationError(
            f"no ISO named {name!r} is available to VPS {vps_id}; available: {names}",
            operation="listVpsIsoMedia",
            vps_id=vps_id,
        )
    return image


def find_iso(vps_id: pulumi.Input[str], name: str) -> pulumi.Output[str]:
    """The ``available[].id`` of the ISO called ``name`` on ``vps_id``, as an Output."""
    config = pulumi.Config("hostup")
    key: pulumi.Input[str | None] = config.get_secret("apiKey")
    endpoint = config.get("endpoint")

    def look_up(args: list[str | None]) -> str:
        config_key, vps = args
        stack_config = {"apiKey": config_key, "endpoint": endpoint}
        # The provider's precedence: stack config, then HOSTUP_*, then the default.
        settings = Settings.resolve(stack_config.get)
        if not settings.api_key:
            raise ConfigurationError(
                "no Hostup API key: run `pulumi config set --secret hostup:apiKey <key>` "
                "or export HOSTUP_API_KEY"
            )
        assert vps is not None
        with HostupClient(settings.api_key, settings.endpoint) as client:
            return find_iso_image(client, vps, name).id

    # The id is derived from the secret key but is not secret itself.
    return pulumi.Output.unsecret(pulumi.Output.all(key, vps_id).apply(look_up))
