"""VpsCdromDriveProvider's methods called directly against the simulator."""

from __future__ import annotations

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown

from hostup_sim import world
from hostup_sim.server import SimServer
from pulumi_hostup import VpsCdromDriveProvider

BARE = world.VPS_BARE_1


@pytest.fixture
def provider(sim: SimServer) -> VpsCdromDriveProvider:
    p = VpsCdromDriveProvider()
    p.configure(
        ConfigureRequest(
            Config({"hostup:apiKey": world.DEMO_API_KEY, "hostup:endpoint": sim.url}, "test")
        )
    )
    sim.store.clear_log()
    return p


def test_check_is_offline(provider: VpsCdromDriveProvider, sim: SimServer) -> None:
    bad = provider.check({}, {"vps_id": "vps/1", "device": "ide9", "size": 1})
    assert sorted(f.property for f in bad.failures) == ["device", "size", "vps_id"]
    assert provider.check({}, {"vps_id": BARE, "device": None}).failures == []
    assert provider.check({}, {"vps_id": Unknown(), "device": None}).failures == []
    assert sim.store.request_log() == []


def test_diff_keeps_the_attached_drive_when_the_program_names_none(
    provider: VpsCdromDriveProvider,
) -> None:
    olds = {"vps_id": BARE, "device": "ide2", "adopted": False}
    assert provider.diff("x", olds, {"vps_id": BARE, "device": None}).changes is False
    moved = provider.diff("x", olds, {"vps_id": BARE, "device": "ide3"})
    assert (moved.changes, moved.replaces) == (True, ["device"])


def test_create_read_delete(provider: VpsCdromDriveProvider, sim: SimServer) -> None:
    created = provider.create({"vps_id": BARE, "device": None})
    assert created.id == f"{BARE}/ide2"
    assert created.outs == {"vps_id": BARE, "device": "ide2", "account": None, "adopted": False}
    assert provider.read(created.id, {}).outs == {
        "vps_id": BARE,
        "device": "ide2",
        "account": None,
        "adopted": None,
    }
    sim.store.clear_log()
    provider.delete(created.id, created.outs)
    assert sim.store.request_log() == []  # no detach in the API
