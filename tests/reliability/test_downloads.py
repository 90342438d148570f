"""ISO downloads from a URL (VpsIsoImage) when the API misbehaves, through the real
provider host (gRPC), as `pulumi up` runs them.

- The job poller survives 429 with `Retry-After`, 5xx and dropped connections on
  its polls: the create succeeds with one download request, and the ISO is in the
  library once.
- A job that never ends ends at the operation deadline, with a message that says
  so and what to do; nothing is recorded as created.
- A download cut short (by the deadline, or by the provider process dying while it
  polls) converges on the next create: it follows the job still running (no second
  job), or adopts the finished file (the API's 200 "already exists").
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from harness.processes import wait_for
from hostup_sim import world
from hostup_sim.faults import Faults
from hostup_sim.server import SimServer
from pulumi_hostup.iso_image import VpsIsoImageProvider

DEADLINE = 3.0
SLACK = 3.5  # gRPC, process scheduling on a busy CI machine, the last read timeout
VPS = world.VPS_BUILD_1
FILENAME = "installer-13.iso"
NEWS = {
    "vps_id": VPS,
    "url": "https://cdimage.example.org/installer-13.iso",
    "filename": FILENAME,
    "decompress": None,
}
JOBS = "/api/jobs"
JOB_SECONDS = 8.0  # polls at about 1, 2.5, 4.8 and 8.1 s: four or more to hit

POLL_FAULTS = {
    # Every second poll is answered 429 with Retry-After: 1.
    "429 with Retry-After": Faults(
        burst_every=2, burst_length=1, burst_retry_after=1, path_prefix=JOBS
    ),
    "5xx": Faults(error_rate=0.5, seed=7, path_prefix=JOBS),
    "dropped connections": Faults(drop_rate=0.5, seed=7, path_prefix=JOBS),
    "all three": Faults(
        error_rate=0.25,
        drop_rate=0.25,
        burst_every=3,
        burst_length=1,
        burst_retry_after=1,
        seed=5,
        path_prefix=JOBS,
    ),
}


def library(sim: SimServer) -> list[str]:
    """The file names of the demo account's library."""
    return [iso["name"] for iso in sim.store.snapshot()["isos"] if iso["account"] == "demo"]


def download_jobs(sim: SimServer) -> list[dict[str, Any]]:
    return [job for job in sim.store.snapshot()["jobs"] if job["kind"] == "download"]


def operations(sim: SimServer) -> Counter[str | None]:
    return Counter(record.operation for record in sim.store.request_log())


@pytest.fixture
def image_host(make_host: Callable[..., Any]) -> Callable[..., Any]:
    def make(sim: SimServer, timeout: float = 60.0) -> Any:
        return make_host(sim.url, provider=VpsIsoImageProvider(), operationTimeout=str(timeout))

    return make


@pytest.mark.timeout(180)
@pytest.mark.parametrize("kind", list(POLL_FAULTS))
def test_the_job_poller_survives_faults_on_its_polls(
    kind: str,
    make_sim: Callable[..., SimServer],
    image_host: Callable[..., Any],
    figures: dict[str, Any],
) -> None:
    sim = make_sim(fleet=False, job_seconds=JOB_SECONDS)
    host = image_host(sim)
    sim.store.set_faults(POLL_FAULTS[kind])
    started = time.monotonic()
    created = host.create("image", NEWS)
    seconds = time.monotonic() - started
    sim.store.set_faults(Faults())

    ops = operations(sim)
    faults = Counter(r.fault for r in sim.store.request_log() if r.fault)
    assert ops["downloadIsoFromUrl"] == 1  # never a second download
    assert library(sim).count(FILENAME) == 1
    assert created.outs["iso_id"] == created.id.split("/", 1)[1]
    assert created.outs["adopted"] is False
    assert sum(faults.values()) > 0, "the faults never hit a poll"
    figures.setdefault("cases", {})[kind] = {
        "job_s": JOB_SECONDS,
        "seconds": round(seconds, 2),
        "downloads": ops["downloadIsoFromUrl"],
        "polls": ops["getJob"],
        "listing_reads": ops["listVpsIsoMedia"],
        "faults": dict(sorted(faults.items())),
    }


@pytest.mark.timeout(120)
def test_a_job_that_never_ends_ends_at_the_deadline(
    make_sim: Callable[..., SimServer],
    image_host: Callable[..., Any],
    figures: dict[str, Any],
) -> None:
    sim = make_sim(fleet=False, job_seconds=3600.0)
    host = image_host(sim, timeout=DEADLINE)
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as raised:
        host.create("image", NEWS)
    seconds = time.monotonic() - started
    last = (raised.value.details() or "").strip().splitlines()[-1]
    assert seconds < DEADLINE + SLACK, seconds
    assert f"downloading {FILENAME} did not finish within its 3s deadline" in last, last
    assert "pulumi config set hostup:operationTimeout" in last, last
    assert FILENAME not in library(sim)
    figures["case"] = {
        "deadline_s": DEADLINE,
        "seconds": round(seconds, 2),
        "polls": operations(sim)["getJob"],
        "message": last[:400],
    }


@pytest.mark.timeout(120)
def test_a_download_cut_by_the_deadline_is_followed_by_the_next_up(
    make_sim: Callable[..., SimServer],
    image_host: Callable[..., Any],
    figures: dict[str, Any],
) -> None:
    sim = make_sim(fleet=False, job_seconds=8.0)
    host = image_host(sim, timeout=DEADLINE)
    with pytest.raises(grpc.RpcError):
        host.create("image", NEWS)
    assert FILENAME not in library(sim)

    # The next `pulumi up`: a new provider process, a longer deadline.
    host.new_run()
    host.configure({**host.config, "hostup:operationTimeout": "60"})
    created = host.create("image", NEWS)
    assert library(sim).count(FILENAME) == 1
    assert len(download_jobs(sim)) == 1  # the second create followed the first job
    assert operations(sim)["downloadIsoFromUrl"] == 2
    figures["case"] = {"jobs": len(download_jobs(sim)), "adopted": created.outs["adopted"]}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("when", ["while the job runs", "after the job finished"])
def test_a_provider_killed_while_polling_converges_on_the_next_up(
    when: str,
    make_sim: Callable[..., SimServer],
    image_host: Callable[..., Any],
    figures: dict[str, Any],
) -> None:
    sim = make_sim(fleet=False, job_seconds=6.0)
    host = image_host(sim)
    # Killed (SIGKILL, as by a CI timeout) once it has polled the job at least once.
    killer = _kill_after_first_poll(sim, host)
    with pytest.raises(grpc.RpcError):
        host.create("image", NEWS)
    killer.join()
    assert FILENAME not in library(sim)

    host.new_run()
    if when == "after the job finished":
        assert wait_for(lambda: FILENAME in library(sim), timeout=30)
    created = host.create("image", NEWS)
    assert library(sim).count(FILENAME) == 1
    assert len(download_jobs(sim)) == (1 if when == "while the job runs" else 2)
    # A finished file is adopted (200 "already exists"); a running job is followed.
    assert created.outs["adopted"] is (when == "after the job finished")
    figures.setdefault("cases", {})[when] = {
        "download_requests": operations(sim)["downloadIsoFromUrl"],
        "jobs": len(download_jobs(sim)),
        "adopted": created.outs["adopted"],
    }


def _kill_after_first_poll(sim: SimServer, host: Any) -> threading.Thread:
    def kill() -> None:
        wait_for(lambda: operations(sim)["getJob"] >= 1, timeout=30)
        host.process.kill()

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread
