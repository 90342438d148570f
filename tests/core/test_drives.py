"""The CD/DVD drive engine (hostup.drives) against the simulator's bare-1 VPS."""

from __future__ import annotations

import pytest

from hostup.drives import DriveEngine
from hostup.errors import MountError
from hostup.mounts import MountEngine
from hostup.runtime import Runtime
from hostup.settings import Settings
from hostup_sim import world
from hostup_sim.server import SimServer

BARE = world.VPS_BARE_1


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def runtime(sim: SimServer, warnings: list[str]) -> Runtime:
    sim.store.clear_log()
    settings = Settings(api_key=world.DEMO_API_KEY, endpoint=sim.url)
    return Runtime(settings, warn=warnings.append)


def calls(sim: SimServer) -> list[str]:
    return [f"{r.method} {r.operation}" for r in sim.store.request_log()]


def test_a_bare_vps_gets_a_drive_it_can_mount_in(runtime: Runtime, sim: SimServer) -> None:
    drive = DriveEngine(runtime).ensure_drive(BARE)
    assert (drive.device, drive.adopted) == ("ide2", False)
    assert calls(sim) == ["GET listVpsIsoMedia", "POST attachEmptyCdrom", "GET listVpsIsoMedia"]
    mounted = MountEngine(runtime).ensure_mounted(BARE, world.ISO_UBUNTU_2404, drive.device)
    assert mounted.iso_id == world.ISO_UBUNTU_2404


def test_a_drive_already_there_is_adopted_without_a_write(runtime: Runtime, sim: SimServer) -> None:
    engine = DriveEngine(runtime)
    first = engine.ensure_drive(BARE, "ide3")
    sim.store.clear_log()
    again = engine.ensure_drive(BARE, "ide3")
    any_drive = engine.ensure_drive(BARE)
    assert (again.device, again.adopted) == ("ide3", True)
    assert (any_drive.device, any_drive.adopted) == (first.device, True)
    assert [c for c in calls(sim) if c.startswith("POST")] == []


def test_read_sees_the_drive_and_a_deleted_vps(runtime: Runtime, sim: SimServer) -> None:
    engine = DriveEngine(runtime)
    drive = engine.ensure_drive(BARE)
    assert engine.read(BARE, drive.device, adopted=False) == drive
    assert engine.read(BARE, "ide0") is None
    sim.store.drift_delete_vps(BARE)
    runtime.listings.clear()
    assert engine.read(BARE, drive.device) is None


def test_release_calls_nothing_and_says_the_drive_stays(
    runtime: Runtime, sim: SimServer, warnings: list[str]
) -> None:
    DriveEngine(runtime).release(BARE, "ide2")
    assert calls(sim) == []
    assert any("cannot detach" in w for w in warnings)


def test_bad_input_is_refused_before_any_request(runtime: Runtime, sim: SimServer) -> None:
    with pytest.raises(MountError, match="device must be one of"):
        DriveEngine(runtime).ensure_drive(BARE, "sata0")
    assert calls(sim) == []
