"""Program-side look-ups by name, in the style of Pulumi providers' functions.

``get_vps(name=...)`` and ``get_iso(vps_id=..., name=...)`` run in the Pulumi
program, at preview and at up, and cost one API read each; their ``*_output``
forms take and give Outputs. Credentials come from the same places as the
resources': stack config ``hostup:apiKey`` / ``hostup:endpoint``, else
``HOSTUP_API_KEY`` / ``HOSTUP_ENDPOINT``; or, with ``account=``, the entry of the
secret stack config ``hostup:accounts``. Nothing found raises
:class:`~hostup.errors.NoMatchError`, whose message lists what there is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from hostup import lookups
from hostup.errors import ConfigurationError

from ._dynamic import PULUMI_WORDING, resolve_accounts

if TYPE_CHECKING:  # requests and pydantic load at the first look-up (bench/README.md)
    from hostup.client import HostupClient

__all__ = ["GetIsoResult", "GetVpsResult", "get_iso", "get_iso_output", "get_vps", "get_vps_output"]


@dataclass(frozen=True)
class GetVpsResult:
    """A VPS of the account, as ``GET /api/v2/vps`` lists it."""

    id: str
    name: str | None
    primary_ip: str | None
    service_status: str | None
    power_state: str | None


@dataclass(frozen=True)
class GetIsoResult:
    """An ISO a VPS may mount, as its listing's ``available[]`` shows it."""

    id: str
    vps_id: str
    name: str | None
    display_name: str | None
    size_gb: float | None


def _client(account: str | None) -> HostupClient:
    from hostup.client import HostupClient

    # The program's own config: the keys are secrets there, but the look-up needs one
    # in clear inside this process (it never leaves it, and the results hold none).
    config = pulumi.Config("hostup")
    accounts = resolve_accounts(lambda key: config.get(key.removeprefix("hostup:")))
    # A SettingsError names the account and says how to add it.
    settings = accounts.settings_for(account or None, PULUMI_WORDING.add_account)
    if not settings.api_key:
        raise ConfigurationError(f"no Hostup API key: {PULUMI_WORDING.set_key}")
    return HostupClient(settings.api_key, settings.endpoint)


def get_vps(name: str, account: str | None = None) -> GetVpsResult:
    """The VPS called ``name`` (one read of the VPS list); ``account``: see the module."""
    with _client(account) as client:
        vps = lookups.find_vps(client, name)
    return GetVpsResult(vps.id, vps.name, vps.primary_ip, vps.service_status, vps.power_state)


def get_vps_output(
    name: pulumi.Input[str], account: pulumi.Input[str] | None = None
) -> pulumi.Output[GetVpsResult]:
    """:func:`get_vps` for a name (or account) that is an Output."""
    return pulumi.Output.all(name, account).apply(lambda args: get_vps(args[0], args[1]))


def get_iso(vps_id: str, name: str, account: str | None = None) -> GetIsoResult:
    """The ISO that ``vps_id`` may mount whose file name (else display name) is ``name``."""
    with _client(account) as client:
        image = lookups.find_iso(client, vps_id, name)
    return GetIsoResult(image.id, vps_id, image.name, image.display_name, image.size_gb)


def get_iso_output(
    vps_id: pulumi.Input[str], name: pulumi.Input[str], account: pulumi.Input[str] | None = None
) -> pulumi.Output[GetIsoResult]:
    """:func:`get_iso` for a VPS id, a name or an account that is an Output."""
    return pulumi.Output.all(vps_id, name, account).apply(
        lambda args: get_iso(args[0], args[1], args[2])
    )
