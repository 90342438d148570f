"""Opt-in checks against the real Hostup API: read-only, never a write.

Run with HOSTUP_LIVE=1, HOSTUP_API_KEY=<a key with read:vm> and HOSTUP_LIVE_VPS_ID=<a VPS
of that account>; HOSTUP_ENDPOINT is optional. Everywhere else these are skipped:
the machines this project is built on cannot reach the API, so the simulator
stands in for it and the same client code is tested against it.
"""

from __future__ import annotations

import os

import pytest

from hostup.client import HostupClient
from pulumi_hostup.iso_mount import VpsIsoMountProvider

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        os.environ.get("HOSTUP_LIVE") != "1",
        reason="live API tests need HOSTUP_LIVE=1, HOSTUP_API_KEY and HOSTUP_LIVE_VPS_ID",
    ),
]


@pytest.fixture
def vps_id() -> str:
    value = os.environ.get("HOSTUP_LIVE_VPS_ID", "")
    if not value:
        pytest.fail("HOSTUP_LIVE_VPS_ID must name a VPS of the key's account")
    return value


def test_live_list_vps_includes_the_vps(vps_id: str) -> None:
    with HostupClient.from_env() as client:
        assert vps_id in {vps.id for vps in client.list_vps()}


def test_live_iso_listing_parses_with_the_models(vps_id: str) -> None:
    with HostupClient.from_env() as client:
        media = client.get_iso_media(vps_id)
    assert media.actions.can_mount.allowed in (True, False)
    assert all(image.id for image in media.available)


def test_live_read_of_every_mounted_device_matches_the_listing(vps_id: str) -> None:
    provider = VpsIsoMountProvider()
    with HostupClient.from_env() as client:
        media = client.get_iso_media(vps_id)
    for entry in media.mounted:
        if not entry.holds_iso or entry.device is None:
            continue
        result = provider.read(f"{vps_id}/{entry.device}", {})
        assert result.outs["iso_id"] == entry.iso_id
