"""A hanging API (answers that never come in time) through the real provider host.

With `hostup:operationTimeout` set to a few seconds, every operation ends within its
deadline (plus a little slack for gRPC and the process) with an error that names the
operation and the VPS; check's live validation only warns. Nothing hangs, and nothing
is orphaned: when the held-back requests finally go through (the simulator releases
them) and the faults stop, a read (what `pulumi refresh` does) or the next create (what
the next `pulumi up` does) brings state and API back into agreement.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest

from harness.processes import wait_for
from harness.provider_host import DIFF_SOME
from hostup_sim import world
from hostup_sim.faults import Faults
from hostup_sim.server import SimServer
from reliability.support import (
    FLEET,
    log_records,
    media_of,
)

DEADLINE = 3.0
SLACK = 3.5  # gRPC, process scheduling on a busy CI machine, the last read timeout
HANG = 60.0  # far beyond the deadline: these answers never come in time

VPS = FLEET[0]


def hang(apply_to: str, path_prefix: str = "/api") -> Faults:
    return Faults(hang_rate=1.0, hang_seconds=HANG, apply_to=apply_to, path_prefix=path_prefix)


def props(iso_id: str, device: str = "ide2", vps_id: str = VPS) -> dict[str, Any]:
    return {"vps_id": vps_id, "iso_id": iso_id, "device": device}


def timed_failure(call: Callable[[], Any]) -> tuple[float, str]:
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as info:
        call()
    return time.monotonic() - started, info.value.details() or ""


def release(sim: SimServer, figures: dict[str, Any] | None = None, op: str = "") -> None:
    """Let the held-back requests finish (the API acted late), then stop faulting."""
    held = sum(1 for r in sim.store.request_log() if r.fault == "hang")
    sim.store.set_faults(Faults())
    sim.store.release_sleepers()
    wait_for(
        lambda: sum(1 for r in sim.store.request_log() if r.fault == "hang") > held, timeout=10
    )
    if figures is not None:
        hung = sum(1 for r in log_records(sim.store.request_log()) if r["fault"] == "hang")
        figures["cases"][op]["requests_hung"] = hung


def record(figures: dict[str, Any], op: str, seconds: float, message: str) -> None:
    cases = figures.setdefault("cases", {})
    cases[op] = {
        "deadline_s": DEADLINE,
        "hang_s": HANG,
        "seconds": round(seconds, 2),
        "message": message.strip().splitlines()[-1][:600] if message.strip() else "",
    }
    figures["operations"] = len(cases)
    figures["max_seconds"] = max(c["seconds"] for c in cases.values())


def fails_within_deadline(
    sim: SimServer,
    figures: dict[str, Any],
    op: str,
    hanging: str,
    call: Callable[[], Any],
    *words: str,
) -> str:
    """Hang the API's `hanging` ("reads" or "writes") and make `call`: it must fail
    within the deadline, its last line naming the VPS and `words`. Records the case,
    then lets the held-back requests through (the API acts late). Returns that line."""
    sim.store.set_faults(hang(hanging))
    seconds, message = timed_failure(call)
    last = message.strip().splitlines()[-1]
    assert seconds < DEADLINE + SLACK, seconds
    for word in (VPS, *words):
        assert word in last, last
    record(figures, op, seconds, message)
    release(sim, figures, op)
    return last


@pytest.fixture
def sim(make_sim: Callable[..., SimServer]) -> SimServer:
    return make_sim()


@pytest.fixture
def host(make_host: Callable[..., Any], sim: SimServer) -> Any:
    return make_host(sim.url, operationTimeout=str(DEADLINE), listingCacheSeconds="0")


@pytest.mark.timeout(120)
def test_check_live_validation_only_warns_within_the_deadline(
    host: Any, sim: SimServer, figures: dict[str, Any]
) -> None:
    sim.store.set_faults(hang("reads"))
    started = time.monotonic()
    inputs, failures = host.check("c", {}, props(world.ISO_UBUNTU_2404))
    seconds = time.monotonic() - started
    assert failures == []
    assert inputs["vps_id"] == VPS
    assert seconds < DEADLINE + SLACK, seconds
    assert wait_for(lambda: "could not check" in host.stderr, timeout=5), host.stderr
    warning = next(line for line in host.stderr.splitlines() if "could not check" in line)
    assert VPS in warning
    record(figures, "check", seconds, warning)
    release(sim, figures, "check")
    assert media_of(sim.store.snapshot(), FLEET) == {}


@pytest.mark.timeout(120)
def test_create_fails_within_the_deadline_and_the_late_mount_is_adopted(
    host: Any, sim: SimServer, figures: dict[str, Any]
) -> None:
    fails_within_deadline(
        sim,
        figures,
        "create",
        "writes",
        lambda: host.create("m", props(world.ISO_UBUNTU_2404)),
        "could not mount",
        "deadline",
    )
    # The API acted on the held-back mount after all; the next `up` adopts it (no POST).
    assert media_of(sim.store.snapshot(), FLEET) == {f"{VPS}/ide2": world.ISO_UBUNTU_2404}
    sim.store.clear_log()
    created = host.create("m", props(world.ISO_UBUNTU_2404))
    assert created.id == f"{VPS}/ide2"
    assert [r.operation for r in sim.store.request_log()] == ["listVpsIsoMedia"]
    host.new_run()  # `pulumi destroy`
    host.delete("m", created.id, created.outs)
    assert media_of(sim.store.snapshot(), FLEET) == {}


@pytest.mark.timeout(120)
def test_update_fails_within_the_deadline_and_refresh_sees_what_happened(
    host: Any, sim: SimServer, figures: dict[str, Any]
) -> None:
    created = host.create("u", props(world.ISO_UBUNTU_2404))
    fails_within_deadline(
        sim,
        figures,
        "update",
        "writes",
        lambda: host.update("u", created.id, created.outs, props(world.ISO_DEBIAN_12)),
        "could not mount",
        world.ISO_DEBIAN_12,
    )
    host.new_run()  # `pulumi refresh`, `pulumi up`, then `pulumi destroy`
    read = host.read("u", created.id, created.outs)
    assert {read.id: read.outs["iso_id"]} == media_of(sim.store.snapshot(), FLEET)
    if read.outs["iso_id"] == world.ISO_DEBIAN_12:
        # The mount landed after the deadline. The state still owns Ubuntu (a refresh
        # cannot tell this late write from someone else's), so the next up is an update
        # that writes nothing and takes Debian as the resource's.
        news = props(world.ISO_DEBIAN_12)
        assert host.diff("u", read.id, read.outs, news) == (DIFF_SOME, [])
        sim.store.clear_log()
        read = host.update("u", read.id, read.outs, news)
        assert [r.method for r in sim.store.request_log()] == ["GET"]
        assert read.outs["owned_iso_id"] == world.ISO_DEBIAN_12
    host.delete("u", created.id, read.outs)
    assert media_of(sim.store.snapshot(), FLEET) == {}


@pytest.mark.timeout(120)
def test_delete_fails_within_the_deadline_and_refresh_sees_what_happened(
    host: Any, sim: SimServer, figures: dict[str, Any]
) -> None:
    created = host.create("d", props(world.ISO_UBUNTU_2404))
    host.new_run()  # `pulumi destroy`
    fails_within_deadline(
        sim,
        figures,
        "delete",
        "writes",
        lambda: host.delete("d", created.id, created.outs),
        "could not unmount",
    )
    read = host.read("d", created.id, created.outs)
    assert read.id == ""  # the late unmount happened: refresh drops the resource
    assert media_of(sim.store.snapshot(), FLEET) == {}


@pytest.mark.timeout(120)
def test_read_fails_within_the_deadline_and_keeps_the_resource(
    host: Any, sim: SimServer, figures: dict[str, Any]
) -> None:
    created = host.create("r", props(world.ISO_UBUNTU_2404))
    fails_within_deadline(
        sim,
        figures,
        "read",
        "reads",
        lambda: host.read("r", created.id, created.outs),
        "could not read",
    )
    host.new_run()  # `pulumi refresh`, then `pulumi destroy`
    read = host.read("r", created.id, created.outs)
    assert read.id == created.id
    host.delete("r", read.id, read.outs)
    assert media_of(sim.store.snapshot(), FLEET) == {}


@pytest.mark.timeout(120)
def test_four_creates_queued_on_one_vps_each_end_within_the_deadline(
    host: Any, sim: SimServer, figures: dict[str, Any]
) -> None:
    """Writes to one VPS wait for each other; the wait counts against the deadline."""
    sim.store.set_faults(hang("writes"))
    devices = ("ide0", "ide1", "ide2", "ide3")

    def one(device: str) -> tuple[float, str]:
        return timed_failure(
            lambda: host.create(f"q-{device}", props(world.ISO_UBUNTU_2404, device))
        )

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, devices))
    total = time.monotonic() - started
    for seconds, message in results:
        assert seconds < DEADLINE + SLACK, (seconds, message)
        last = message.strip().splitlines()[-1]
        assert VPS in last, last
    record(figures, "4 creates on one VPS", max(s for s, _ in results), results[-1][1])
    figures["cases"]["4 creates on one VPS"]["all_done_seconds"] = round(total, 2)

    release(sim, figures, "4 creates on one VPS")
    # Whatever the held-back mounts did, a refresh of each sees exactly the API's state.
    for device in devices:
        read = host.read(f"q-{device}", f"{VPS}/{device}", props(world.ISO_UBUNTU_2404, device))
        on_api = media_of(sim.store.snapshot(), [VPS]).get(f"{VPS}/{device}")
        assert (read.outs.get("iso_id") if read.id else None) == on_api
        if read.id:
            host.delete(f"q-{device}", read.id, read.outs)
    assert media_of(sim.store.snapshot(), FLEET) == {}


@pytest.mark.timeout(180)
def test_update_that_must_put_the_old_iso_back_stays_bounded(
    make_sim: Callable[..., SimServer], make_host: Callable[..., Any], figures: dict[str, Any]
) -> None:
    """The API refuses to mount over media (409): update unmounts, mounts (which hangs)
    and then puts the old ISO back (which hangs too). The restore has its own budget,
    the configured deadline, so the whole update ends within twice the deadline."""
    sim = make_sim(mount_over_media="conflict")
    host = make_host(sim.url, operationTimeout=str(DEADLINE), listingCacheSeconds="0")
    created = host.create("rb", props(world.ISO_UBUNTU_2404))
    original = sim.store.backend.mount_vps_iso

    def mount_then_hang(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        finally:
            # After the first (refused) mount, every later mount hangs.
            sim.store.set_faults(hang("writes", f"/api/v2/vps/{VPS}/iso/actions/mount"))

    sim.store.backend.mount_vps_iso = mount_then_hang  # type: ignore[method-assign]
    seconds, message = timed_failure(
        lambda: host.update("rb", created.id, created.outs, props(world.ISO_DEBIAN_12))
    )
    last = message.strip().splitlines()[-1]
    record(figures, "update with rollback", seconds, message)
    figures["cases"]["update with rollback"]["bound_s"] = 2 * DEADLINE
    assert seconds < 2 * DEADLINE + SLACK, seconds
    assert "putting" in last
    assert world.ISO_UBUNTU_2404 in last
    assert VPS in last

    sim.store.backend.mount_vps_iso = original  # type: ignore[method-assign]
    release(sim, figures, "update with rollback")
    read = host.read("rb", created.id, created.outs)
    on_api = media_of(sim.store.snapshot(), [VPS]).get(f"{VPS}/ide2")
    assert (read.outs.get("iso_id") if read.id else None) == on_api
