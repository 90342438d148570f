"""``VpsCdromDrive``: a Pulumi dynamic resource for a CD/DVD drive on a Hostup VPS.

For a VPS that has none (it cannot mount an ISO without one): create attaches an
empty drive, or adopts the drive that is already there. The API has no detach, so
destroy leaves the drive on the VPS and says so. A thin adapter on
:mod:`hostup.drives`; the provider class is pickled into state by reference: this
module must never move, and the class never be renamed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from hostup.drives import DriveEngine, DriveState
from hostup.errors import MountError
from hostup.rules import device_input_problem, id_input_problem
from hostup.runtime import Runtime

from ._dynamic import (
    ACCOUNT_KEY,
    HostupProvider,
    account_of,
    drive_from_state,
    is_unknown,
    unknown_property_failures,
)

__all__ = ["VpsCdromDrive", "VpsCdromDriveProvider"]

TYPE_NAME: Final = "VpsCdromDrive"
MODULE: Final = "hostup"  # with TYPE_NAME: pulumi-python:dynamic/hostup:VpsCdromDrive

INPUTS: Final = ("vps_id", "device")
OUTPUTS: Final = ("adopted",)


class VpsCdromDriveProvider(HostupProvider[DriveEngine]):
    """Attach (or adopt) and read one CD/DVD drive through the core's drive engine."""

    def build(self, runtime: Runtime) -> DriveEngine:
        return DriveEngine(runtime)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate offline; never raises and never calls the API."""
        failures = unknown_property_failures(news, INPUTS, "VpsCdromDrive", OUTPUTS)
        failures += self.account_failures(news)
        vps_id, device = news.get("vps_id"), news.get("device")
        for prop, problem in (
            ("vps_id", None if is_unknown(vps_id) else id_input_problem("vps_id", vps_id)),
            ("device", None if is_unknown(device) else device_input_problem(device)),
        ):
            if problem:
                failures.append(CheckFailure(prop, problem))
        inputs = {"vps_id": vps_id, "device": device, ACCOUNT_KEY: news.get(ACCOUNT_KEY) or None}
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Pure: another VPS, or another device than the one attached, is a replace.

        No ``device`` in the program means any drive: the one attached stays.
        Another ``account`` name is an update: a re-read through that account.
        """
        changed = []
        account = news.get(ACCOUNT_KEY)
        account_changed = is_unknown(account) or account != olds.get(ACCOUNT_KEY)
        if is_unknown(news.get("vps_id")) or news.get("vps_id") != olds.get("vps_id"):
            changed.append("vps_id")
        device = news.get("device")
        if is_unknown(device) or (device is not None and device != olds.get("device")):
            changed.append("device")
        return DiffResult(changes=bool(changed) or account_changed, replaces=changed)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Adopt the VPS's drive (no write), or attach one: 1 read, 1 attach, 1 read."""
        vps_id = props.get("vps_id")
        if not isinstance(vps_id, str):
            raise MountError("vps_id is required")
        state = self.engine(account_of(props)).ensure_drive(vps_id, props.get("device"))
        return CreateResult(state.id, _outputs(state, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """One listing read; the drive (or the VPS) gone -> ``ReadResult(None, {})``."""
        vps_id, device = drive_from_state(id_, props)
        state = self.engine(account_of(props)).read(vps_id, device, adopted=props.get("adopted"))
        if state is None:
            return ReadResult(None, {})
        return ReadResult(state.id, _outputs(state, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only the account changed: the drive must be there as that account sees the VPS."""
        vps_id, device = drive_from_state(id_, olds)
        account = account_of(news)
        state = self.engine(account).read(vps_id, device, adopted=olds.get("adopted"))
        if state is None:
            raise MountError(
                f"VPS {vps_id} has no drive {device} as account {account or 'hostup:apiKey'} "
                "sees it: name the account that holds the VPS"
            )
        return UpdateResult(_outputs(state, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """No API call: Hostup cannot detach a drive. A warning says it stays."""
        self.engine(account_of(props)).release(*drive_from_state(id_, props))


class VpsCdromDrive(pulumi.dynamic.Resource, module=MODULE, name=TYPE_NAME):
    """A CD/DVD drive on a Hostup VPS, attached if the VPS has none. ID: ``{vps_id}/{device}``.

    Pass its ``device`` to ``VpsIsoMount(device=...)``, so the mount waits for it.
    """

    vps_id: pulumi.Output[str]
    device: pulumi.Output[str]
    """The drive: the one asked for, else the one the VPS had or the API attached."""
    account: pulumi.Output[str | None]
    """The account's name (never its key); None for ``hostup:apiKey``."""
    adopted: pulumi.Output[bool | None]
    """True when the VPS already had the drive, so nothing was attached."""

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        vps_id: pulumi.Input[str],
        device: pulumi.Input[str] | None = None,
        account: pulumi.Input[str] | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "vps_id": vps_id,
            "device": device,
            ACCOUNT_KEY: account,
            "adopted": None,
        }
        super().__init__(VpsCdromDriveProvider(), resource_name, props, opts)


def _outputs(state: DriveState, props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "vps_id": state.vps_id,
        "device": state.device,
        ACCOUNT_KEY: props.get(ACCOUNT_KEY),
        "adopted": state.adopted,
    }
