"""Jobs: downloads from a URL and async mounts, moved along the clock.

A job is queued for the first 20% of its duration, then in_progress, then
completed or failed; the backend advances them at each call. A finished
download adds its ISO to the account's library (display name: the file name
without .iso; size: derived from the URL), unless the URL contains "fail". A
finished mount puts the ISO on the device, unless the VPS, the ISO or the slot
has gone meanwhile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from hostup_sim.world import Iso, Job, Vps, World, random_id

TERMINAL = ("completed", "failed")


def new_job(
    world: World, account: str, kind: str, params: dict[str, Any], *, now: float, duration: float
) -> Job:
    """A queued job of kind "download" or "mount", kept in world."""
    job = Job(
        id=random_id("job"),
        account=account,
        kind=kind,
        created_at=now,
        duration=duration,
        params=params,
    )
    world.jobs[job.id] = job
    return job


def progress(job: Job, now: float) -> int:
    """0 while waiting, 1..99 while running, 100 once completed."""
    if job.status == "completed":
        return 100
    if job.status == "in_progress" and job.duration > 0:
        return max(1, min(99, int(100 * (now - job.created_at) / job.duration)))
    return 0


def advance(world: World, now: float, mount: Callable[[Vps, str, str], None]) -> bool:
    """Move every running job along; finished ones take effect (mount(vps, device, iso_id)).

    Returns whether anything changed.
    """
    changed = False
    for job in world.jobs.values():
        if job.status in TERMINAL:
            continue
        elapsed = now - job.created_at
        if elapsed >= job.duration:
            _finish(world, job, mount)
            changed = True
        elif elapsed >= 0.2 * job.duration and job.status != "in_progress":
            job.status = "in_progress"
            changed = True
    return changed


def _finish(world: World, job: Job, mount: Callable[[Vps, str, str], None]) -> None:
    p = job.params
    if job.kind == "download":
        if "fail" in p["url"].lower():
            job.status = "failed"
            job.result = {
                "code": "download_failed",
                "error": f"Downloading {p['url']} failed: the server answered 404.",
            }
            return
        iso = Iso(
            id=random_id("iso"),
            account=job.account,
            name=p["filename"],
            display_name=p["filename"][: -len(".iso")],
            size_gb=_size_from_url(p["url"]),
        )
        world.isos[iso.id] = iso
        job.status = "completed"
        job.result = {"isoId": iso.id, "name": iso.name}
        return
    vps = world.vpses.get(p["vpsId"])
    if vps is None or p["isoId"] not in world.isos or p["device"] not in vps.cdrom_devices:
        job.status = "failed"
        job.result = {"code": "mount_failed", "error": "The VPS or the ISO is gone."}
        return
    mount(vps, p["device"], p["isoId"])
    job.status = "completed"
    job.result = {"device": p["device"], "isoId": p["isoId"]}


def _size_from_url(url: str) -> float:
    # Deterministic, plausible sizes between 0.1 and 5.0 GB.
    digest = hashlib.sha256(url.encode()).digest()
    return round(0.1 + int.from_bytes(digest[:2], "big") / 65535 * 4.9, 2)
