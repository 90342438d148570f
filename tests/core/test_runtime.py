"""hostup.runtime's promise to a front-end that wants to end its process at once: it may
only when no write is in progress, and no write starts after it said so. (The OpenTofu
executable exits without the interpreter's teardown on that word; a write cut in the
middle could leave an update's old ISO unmounted and the new one not mounted.)
"""

from __future__ import annotations

import threading

import pytest

from harness.hostup_stack import hold_mounts, writes
from hostup.errors import MountError
from hostup.mounts import MountEngine
from hostup.runtime import Runtime
from hostup.settings import Settings
from hostup_sim import world
from hostup_sim.server import SimServer


def runtime_on(sim: SimServer) -> Runtime:
    return Runtime(Settings(api_key=world.DEMO_API_KEY, endpoint=sim.url, operation_timeout=30.0))


def test_an_idle_runtime_closes_and_then_refuses_writes_before_any_request(
    sim: SimServer,
) -> None:
    runtime = runtime_on(sim)
    assert runtime.close_if_idle()
    with pytest.raises(MountError, match="shutting down"):
        MountEngine(runtime).ensure_mounted(world.VPS_WEB_1, world.ISO_UBUNTU_2404, "ide2")
    assert sim.store.request_log() == []


def test_a_write_in_progress_keeps_the_runtime_open_until_it_ends() -> None:
    runtime = Runtime(Settings(api_key=world.DEMO_API_KEY))
    inside, finish = threading.Event(), threading.Event()
    queued = threading.Event()

    def write(started: threading.Event) -> None:
        with runtime.writing(world.VPS_WEB_1):
            started.set()
            finish.wait(10)

    first = threading.Thread(target=write, args=(inside,))
    first.start()
    assert inside.wait(10)
    # A second write to the same VPS waits for the first's lock: it counts too.
    second_inside = threading.Event()
    second = threading.Thread(target=lambda: (queued.set(), write(second_inside)))
    second.start()
    assert queued.wait(10)
    assert not runtime.close_if_idle()
    with runtime.writing(world.VPS_WEB_2):  # refused nothing: still open
        assert not runtime.close_if_idle()
    finish.set()
    first.join(10)
    second.join(10)
    assert second_inside.is_set()  # the queued write ran: the runtime was never closed
    assert runtime.close_if_idle()


def test_a_mount_held_back_by_the_api_keeps_the_runtime_open(
    sim: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the engine: while the mount request is on its way, the runtime cannot be
    closed; once the mount is confirmed, it can."""
    runtime = runtime_on(sim)
    held = hold_mounts(sim, monkeypatch, world.VPS_WEB_1, 30.0)
    engine = MountEngine(runtime)
    mounting = threading.Thread(
        target=engine.ensure_mounted, args=(world.VPS_WEB_1, world.ISO_UBUNTU_2404, "ide2")
    )
    mounting.start()
    try:
        assert held.arrived.wait(30), "the mount request never reached the simulator"
        assert not runtime.close_if_idle()
    finally:
        held.release()
        mounting.join(30)
    assert [operation for operation, *_ in writes(sim)] == ["mountVpsIso"]
    assert runtime.close_if_idle()
