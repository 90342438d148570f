"""Measure the ISO workflow (VpsIsoImage, VpsCdromDrive, look-ups); write JSON.

    .venv/bin/python bench/workflow.py              # -> bench/results/workflow.json
    .venv/bin/python bench/workflow.py --reps 1     # a quick look
    .venv/bin/python bench/render.py                # README tables from the JSON

1. API calls per provider method, exactly, through the real provider host
   (``python -m pulumi.dynamic``) over gRPC, from the simulator's log: a download
   from a URL (one request, job polls backing off from 1 s, one listing read) for
   a short and a long job, an adopted download, read, delete; a drive attached
   and adopted.
2. A program of N mounts written against names (``get_vps`` and ``get_iso`` for
   each mount) against the same program with literal ids: `pulumi up` and the
   steady `pulumi preview`, interleaved and repeated, with the calls of each.

Timings on a small shared machine are noisy: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import engine
import harness_path  # noqa: F401  (before harness.*: puts tests/ on sys.path)
from engine import BenchStack, Simulator, mount_targets

from harness.machine import cpu_model, git_commit, memory_gb
from harness.provider_host import ProviderHost
from harness.pulumi_cli import locate_bin_dir, write_stack_config
from hostup_sim import world
from pulumi_hostup.cdrom_drive import VpsCdromDriveProvider
from pulumi_hostup.iso_image import VpsIsoImageProvider

OUT = engine.BENCH_DIR / "results" / "workflow.json"
SHORT_JOB_S, LONG_JOB_S = 1.0, 10.0


def log(message: str) -> None:
    print(f"[workflow {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def vps_names() -> dict[str, str]:
    """VPS id -> name, for the VPSes mount_targets() uses."""
    names = {world.VPS_BUILD_1: "build-1"}
    names |= {world.extra_vps_id(n): f"load-{n:04d}" for n in range(1, 1000)}
    return names


def iso_name(iso_id: str) -> str:
    return next(iso.name for iso in world.demo_library() if iso.id == iso_id)


# -- 1. per provider method -----------------------------------------------------------


def provider_method_calls(sim: Simulator) -> dict[str, Any]:
    """Calls (by operation) and seconds of each image and drive provider method."""
    config = {"hostup:apiKey": world.DEMO_API_KEY, "hostup:endpoint": sim.url}
    steps: dict[str, Any] = {}

    def step(name: str, call: Callable[[], Any]) -> Any:
        sim.clear_log()
        started = time.perf_counter()
        answer = call()
        seconds = time.perf_counter() - started
        steps[name] = sim.calls().to_json() | {"seconds": round(seconds, 3)}
        return answer

    image = {
        "vps_id": world.VPS_BUILD_1,
        "url": "https://cdimage.example.org/bench.iso",
        "filename": "bench.iso",
        "decompress": None,
    }
    for job_s in (SHORT_JOB_S, LONG_JOB_S):
        sim.reset()
        sim.admin.update_settings(job_seconds=job_s)
        with ProviderHost(provider=VpsIsoImageProvider()) as host:
            host.configure(config)
            step("check (image)", lambda: host.check("i", {}, image))
            created = step(f"create (download, {job_s:g} s job)", lambda: host.create("i", image))
    with ProviderHost(provider=VpsIsoImageProvider()) as host:  # the file is there now
        host.configure(config)
        step("create (file already there: adopted)", lambda: host.create("j", image))
        host.new_run()  # `pulumi refresh`, then `pulumi destroy`: each its own process
        step("read (image)", lambda: host.read("i", created.id, created.outs))
        host.new_run()
        step("delete (image)", lambda: host.delete("i", created.id, created.outs))
    sim.reset()
    with ProviderHost(provider=VpsCdromDriveProvider()) as host:
        host.configure(config)
        bare = {"vps_id": world.VPS_BARE_1, "device": None}
        step("create (drive: attach)", lambda: host.create("d", bare))
        host.new_run()
        step("create (drive: adopt)", lambda: host.create("d", bare))
    return steps


# -- 2. look-ups against literal ids ---------------------------------------------------


def lookup_runs(sim: Simulator, stacks: dict[str, BenchStack], n: int, reps: int) -> dict[str, Any]:
    """`pulumi up` and the steady preview of N mounts, by ids and by names, interleaved."""
    targets = mount_targets(n)
    names = vps_names()
    configs = {
        "ids": {"mounts": [list(t) for t in targets], "isoId": engine.CREATE_ISO},
        "lookups": {
            "mounts": [[names[vps], device] for vps, device in targets],
            "isoName": iso_name(engine.CREATE_ISO),
            "isoId": engine.CREATE_ISO,
            "lookups": True,
        },
    }
    for kind, stack in stacks.items():
        write_stack_config(stack.project, stack.stack, configs[kind])
    records: list[dict[str, Any]] = []
    kinds = list(stacks)
    for rep in range(reps):
        order = kinds if rep % 2 == 0 else kinds[::-1]
        for kind in order:
            stack = stacks[kind]
            sim.reset()
            up = stack.up()
            up_calls = sim.calls()
            sim.clear_log()
            preview = stack.preview()
            preview_calls = sim.calls()
            stack.destroy()
            record = {
                "rep": rep,
                "kind": kind,
                "n": n,
                "up_s": up.seconds,
                "up_calls": up_calls.to_json(),
                "preview_s": preview.seconds,
                "preview_calls": preview_calls.to_json(),
            }
            log(f"rep {rep} {kind}: up {up.seconds:.2f}s, steady preview {preview.seconds:.2f}s")
            records.append(record)
    return {"n": n, "vpses": len({vps for vps, _ in targets}), "timings": records}


def summary(lookups: dict[str, Any]) -> dict[str, Any]:
    """Medians per kind, and the pairwise differences of each repetition."""
    by_kind: dict[str, dict[str, float]] = {}
    for kind in ("ids", "lookups"):
        rows = [r for r in lookups["timings"] if r["kind"] == kind]
        by_kind[kind] = {
            "up_s": statistics.median(r["up_s"] for r in rows),
            "preview_s": statistics.median(r["preview_s"] for r in rows),
        }
    pairs = {}
    for what in ("up_s", "preview_s"):
        deltas = []
        for rep in sorted({r["rep"] for r in lookups["timings"]}):
            one = {r["kind"]: r[what] for r in lookups["timings"] if r["rep"] == rep}
            deltas.append(one["lookups"] - one["ids"])
        pairs[what] = {"median_added_s": statistics.median(deltas), "added_s": deltas}
    return {"medians": by_kind, "added": pairs}


# -- the run ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mounts", type=int, default=50)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    bin_dir = locate_bin_dir()
    version = subprocess.run(
        [str(bin_dir / "pulumi"), "version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    started = time.monotonic()
    results: dict[str, Any] = {
        "machine": {
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu_model(),
            "cpus": os.cpu_count(),
            "memory_gb": memory_gb(),
            "os": platform.platform(),
            "python": platform.python_version(),
            "git_commit": git_commit(engine.REPO, ("provider", "bench")),
            "pulumi": version,
            "load_average_start": os.getloadavg(),
        },
        "settings": {"mounts": args.mounts, "reps": args.reps},
    }
    root = engine.temp_root("hostup-workflow-")
    try:
        with Simulator(root, extra_vps=engine.load_vps_needed(args.mounts)) as sim:
            log("API calls per provider method (gRPC)")
            results["methods"] = provider_method_calls(sim)
            stacks = {
                kind: BenchStack(bin_dir, root, "hostup", sim.url, name=kind)
                for kind in ("ids", "lookups")
            }
            log(f"{args.mounts} mounts by ids and by names, {args.reps} reps")
            results["lookups"] = lookup_runs(sim, stacks, args.mounts, args.reps)
            results["lookups"]["summary"] = summary(results["lookups"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    results["machine"]["load_average_end"] = os.getloadavg()
    results["machine"]["bench_seconds"] = round(time.monotonic() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    log(f"wrote {args.out} after {results['machine']['bench_seconds']}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
