"""Measure pulumi-hostup against the simulator and the real Pulumi CLI; write JSON.

    .venv/bin/python bench/run.py                 # the full run -> bench/results/results.json
    .venv/bin/python bench/run.py --smoke         # N=1,2, one repetition -> results/smoke.json
    .venv/bin/python bench/render.py              # README tables and up-time.png from the JSON

What it measures (bench/README.md has the results and the reasoning):

1. API calls per provider method, exactly: the real provider host
   (``python -m pulumi.dynamic``) driven over gRPC, the simulator's log cleared
   before and read after each call.
2. API calls per CLI command: preview with changes, up, steady-state preview,
   refresh, an update of every mount, destroy; from the simulator's log.
3. `pulumi up` wall time for each N and API latency, against (a) the engine floor
   (bench/floor_provider.py: the same resources, no I/O) and (b) the raw HTTP
   sequence (bench/raw_http.py), interleaved and repeated; medians are reported.
4. State size: bytes per resource in `pulumi stack export`, the provider blob.
   Then `pulumi preview` of N new mounts, ours (check reads each VPS's listing)
   against the floor, interleaved: the price of validating at preview.
5. Start-up: import cost, and the provider process's first Configure + Check.
6. Rate limit: `pulumi up` of many mounts against a simulator capped at 5 req/s.

Timings on a small shared machine are noisy: compare the ratios of one run, which
saw the same noise, rather than absolute seconds across runs.
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import engine
import harness_path  # noqa: F401  (before harness.*: puts tests/ on sys.path)
import raw_http
import startup
from engine import BenchStack, CallCount, Simulator, mount_targets
from floor_provider import FloorMountProvider
from pulumi.dynamic.dynamic import serialize_provider

from harness.machine import cpu_model, git_commit, memory_gb
from harness.pulumi_cli import PulumiResult, locate_bin_dir
from hostup_sim import world
from pulumi_hostup.iso_mount import VpsIsoMountProvider

RESULTS_DIR = engine.BENCH_DIR / "results"
HOSTUP_TYPE = "pulumi-python:dynamic/hostup:VpsIsoMount"
FLOOR_TYPE = "pulumi-python:dynamic/bench:FloorMount"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- 1. per provider method -----------------------------------------------------------


def provider_method_calls(sim: Simulator) -> dict[str, Any]:
    """API calls of each provider method, through the real provider host over gRPC."""
    from harness.provider_host import ProviderHost

    config = {"hostup:apiKey": world.DEMO_API_KEY, "hostup:endpoint": sim.url}
    vps = world.VPS_BUILD_1
    first = {"vps_id": vps, "iso_id": engine.CREATE_ISO, "device": "ide1"}
    sim.reset()
    counts: dict[str, CallCount] = {}

    def step(name: str, call: Callable[[], Any]) -> Any:
        sim.clear_log()
        answer = call()
        counts[name] = sim.calls()
        return answer

    with ProviderHost() as host:
        host.configure(config)
        during_up = {**first, "__hostupPreview": False}  # the program's flag in `up`
        step("check (new mount, during `up`)", lambda: host.check("a", {}, during_up))
        step("check (new mount, preview)", lambda: host.check("a", {}, first))
        step("create (right after check)", lambda: host.create("a", first))
        host.new_run()  # the next `pulumi up`: a second create in one run is a duplicate
        created = host.create("a", first)  # adopt: same mount again, to get outputs
        outs = created.outs
        step("check (steady state)", lambda: host.check("a", outs, first))
        step("diff (steady state)", lambda: host.diff("a", created.id, outs, first))
    with ProviderHost() as host:  # a fresh process: no listing cached
        host.configure(config)
        for device in ("ide2", "ide3"):
            others = {**first, "device": device}
            step(f"create (cold, {device})", lambda o=others: host.create("b", o))  # type: ignore[misc]
    with ProviderHost() as host:
        host.configure(config)

        def read_all() -> None:
            for device in ("ide1", "ide2", "ide3"):
                host.read(f"m-{device}", f"{vps}/{device}", {**first, "device": device})

        step("read x3 (three mounts on one VPS)", read_all)
    with ProviderHost() as host:
        host.configure(config)
        news = {**first, "iso_id": engine.UPDATE_ISO}
        updated = step("update (cold)", lambda: host.update("a", f"{vps}/ide1", outs, news)).outs
        step("delete", lambda: host.delete("a", f"{vps}/ide1", updated))
    with ProviderHost() as host:  # what `pulumi up` does for a changed iso_id
        host.configure(config)
        olds = {**outs, "device": "ide2"}
        news = {**first, "device": "ide2", "iso_id": engine.UPDATE_ISO}
        step("check (iso_id changed)", lambda: host.check("c", olds, news))
        step("update (right after check)", lambda: host.update("c", f"{vps}/ide2", olds, news))
    return {name: count.to_json() for name, count in counts.items()}


# -- 2 to 4. the real engine ---------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """The timed runs: every size at every latency, `reps` times over."""

    sizes: Sequence[int]
    latencies: Sequence[float]
    reps: int

    def __iter__(self) -> Iterator[tuple[int, int, list[tuple[str, str]], float]]:
        """(repetition, N, N's mount targets, latency), in the order the runs take."""
        for rep in range(self.reps):
            for n in self.sizes:
                mounts = mount_targets(n)
                for latency in self.latencies:
                    yield rep, n, mounts, latency


def engine_runs(sim: Simulator, stacks: dict[str, BenchStack], grid: Grid) -> dict[str, Any]:
    """Interleaved `pulumi up` timings; call counts and state on the first repetition."""
    timings: list[dict[str, Any]] = []
    commands: dict[str, dict[str, Any]] = {}
    state: dict[str, Any] = {}
    kinds = ["hostup", "floor", "raw"]
    latencies = grid.latencies
    for rep, n, mounts, latency in grid:
        shift = (rep + len(timings)) % len(kinds)
        for kind in kinds[shift:] + kinds[:shift]:
            record: dict[str, Any] = {"rep": rep, "n": n, "latency_ms": latency}
            record["kind"] = kind
            sim.reset(latency_ms=latency)
            if kind == "raw":
                record["up_s"] = raw_http.mount_all(
                    sim.url, world.DEMO_API_KEY, mounts, engine.CREATE_ISO
                )
                record["calls"] = sim.calls().total
            elif kind == "floor":
                stack = stacks["floor"]
                stack.configure(mounts)
                record["up_s"] = stack.up().seconds
                if rep == 0 and latency == latencies[0]:
                    state.setdefault("floor", {})[str(n)] = state_size(
                        stack.export(), n, FLOOR_TYPE
                    )
                record["destroy_s"] = stack.destroy().seconds
            else:
                first = rep == 0 and latency == latencies[0]
                record.update(hostup_run(sim, stacks["hostup"], n, mounts, first, commands, state))
            log(
                f"rep {rep} N={n} {latency:g} ms {kind}: up {record['up_s']:.2f}s"
                + (f" ({record['calls']} calls)" if "calls" in record else "")
            )
            timings.append(record)
    return {"timings": timings, "commands": commands, "state": state}


def preview_runs(sim: Simulator, stacks: dict[str, BenchStack], grid: Grid) -> dict[str, Any]:
    """`pulumi preview` of N new mounts (empty stacks), ours against the floor."""
    timings: list[dict[str, Any]] = []
    for rep, n, mounts, latency in grid:
        kinds = ("hostup", "floor") if (rep + len(timings)) % 2 == 0 else ("floor", "hostup")
        for kind in kinds:
            sim.reset(latency_ms=latency)
            stacks[kind].configure(mounts)
            sim.clear_log()
            result = stacks[kind].preview()
            record = {"rep": rep, "n": n, "latency_ms": latency, "kind": kind}
            record |= {"preview_s": result.seconds, "calls": sim.calls().total}
            record["vpses"] = len({vps for vps, _ in mounts})
            log(f"rep {rep} N={n} {latency:g} ms {kind}: preview {result.seconds:.2f}s")
            timings.append(record)
    return {"timings": timings}


def hostup_run(
    sim: Simulator,
    stack: BenchStack,
    n: int,
    mounts: Sequence[tuple[str, str]],
    counted: bool,
    commands: dict[str, dict[str, Any]],
    state: dict[str, Any],
) -> dict[str, Any]:
    """One timed `pulumi up` of our stack (and, if `counted`, every other command's calls)."""
    stack.configure(mounts)
    per_command: dict[str, Any] = {}

    def counted_step(name: str, run: Callable[[], PulumiResult]) -> None:
        sim.clear_log()
        result = run()
        per_command[name] = sim.calls().to_json() | {"seconds": result.seconds}

    if counted:
        counted_step("preview (creates)", stack.preview)
    sim.clear_log()
    started = time.time()
    up = stack.up()
    up_calls = sim.calls()
    record: dict[str, Any] = {"up_s": up.seconds, "calls": up_calls.total}
    record.update(up_calls.window(started))
    record["warnings"] = up.stdout.count("warning: hostup")
    if counted:
        per_command["up (creates)"] = up_calls.to_json() | {"seconds": up.seconds}
        state.setdefault("hostup", {})[str(n)] = state_size(stack.export(), n, HOSTUP_TYPE)
        counted_step("preview (no changes)", stack.preview)
        counted_step("refresh (no drift)", stack.refresh)
        stack.configure(mounts, engine.UPDATE_ISO)
        counted_step("up (update every iso_id)", stack.up)
        counted_step("destroy", stack.destroy)
        record["destroy_s"] = per_command["destroy"]["seconds"]
        per_command["mounts"] = n
        per_command["vpses"] = len({vps for vps, _ in mounts})
        commands[str(n)] = per_command
    else:
        record["destroy_s"] = stack.destroy().seconds
    return record


def state_size(exported: dict[str, Any], n: int, type_token: str) -> dict[str, Any]:
    """Bytes per resource of `type_token` in the export, and which fields they go to.

    Sizes are of each resource's JSON as `pulumi stack export` prints it (4-space
    indent) and compact; the breakdown is compact bytes per top-level field.
    """
    resources = [r for r in exported["deployment"]["resources"] if r["type"] == type_token]
    if len(resources) != n:
        raise RuntimeError(f"expected {n} {type_token} in the export, found {len(resources)}")
    pretty = [len(json.dumps(r, indent=4).encode()) for r in resources]
    compact = [len(_compact(r)) for r in resources]
    fields: dict[str, list[int]] = {}
    for resource in resources:
        for key, value in resource.items():
            fields.setdefault(key, []).append(len(_compact({key: value})) - 2)
    blob = resources[0]["inputs"].get("__provider")
    return {
        "resources": n,
        "export_bytes": len(json.dumps(exported, indent=4).encode()),
        "bytes_per_resource_max": max(pretty),
        "bytes_per_resource_mean": statistics.mean(pretty),
        "compact_bytes_per_resource_max": max(compact),
        "compact_bytes_by_field_mean": {
            key: round(statistics.mean(sizes)) for key, sizes in fields.items()
        },
        "stack_trace_frames": len(resources[0].get("stackTrace") or []),
        "provider_blob_bytes": len(blob) if isinstance(blob, str) else None,
        "provider_blob_is_secret": not isinstance(blob, str),
        "example": resources[0],
    }


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


# -- 5. start-up ------------------------------------------------------------------------


def startup_costs(sim: Simulator, runs: int) -> dict[str, Any]:
    imports = {
        stmt: startup.import_cost(stmt, runs)
        for stmt in ("import pulumi_hostup", "import floor_provider")
    }
    sim.reset()
    ours = serialize_provider(VpsIsoMountProvider())
    floor = serialize_provider(FloorMountProvider())
    config = {"hostup:apiKey": world.DEMO_API_KEY, "hostup:endpoint": sim.url}
    news = {"vps_id": world.VPS_BUILD_1, "iso_id": engine.CREATE_ISO, "device": "ide1"}
    steady = (news, news)
    cases: dict[str, Callable[[], dict[str, float]]] = {
        "floor": lambda: startup.first_answer(floor, FLOOR_TYPE, config, steady),
        "hostup (steady-state check)": lambda: startup.first_answer(
            ours, HOSTUP_TYPE, config, steady
        ),
        "hostup (new mount: check reads the listing)": lambda: startup.first_answer(
            ours, HOSTUP_TYPE, config, ({}, news)
        ),
    }
    return {
        "imports": imports,
        "first_answer": startup.compare_first_answers(cases, runs),
        "provider_blob_bytes": {"hostup": len(ours), "floor": len(floor)},
    }


# -- 6. rate limit --------------------------------------------------------------------------


def rate_limited_up(sim: Simulator, stack: BenchStack, n: int, rps: float) -> dict[str, Any]:
    mounts = mount_targets(n)
    stack.configure(mounts)
    sim.reset(rate_limit_rps=rps)
    up = stack.run(engine.UP, check=False)
    calls = sim.calls()
    sim.reset()  # no limit: the destroy below is not what is measured
    if up.returncode == 0:
        stack.destroy()
    else:
        stack.run(["cancel", "--yes"], check=False)
        stack.run(engine.DESTROY, check=False)
    floor_s = calls.accepted / rps
    result = {
        "mounts": n,
        "rps": rps,
        "up_s": up.seconds,
        "succeeded": up.returncode == 0,
        "warnings": up.stdout.count("warning: hostup"),
        "calls": calls.to_json(),
        "min_seconds_at_limit": floor_s,
        "ratio": up.seconds / floor_s if floor_s else None,
    }
    if up.returncode != 0:
        result["error_tail"] = (up.stdout + up.stderr)[-3000:]
    return result


# -- the run ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Where and at which commit the run happens (the load average is read again at the end)."""
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gb": memory_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "git_commit": git_commit(engine.REPO, ("provider", "bench")),
        "load_average_start": os.getloadavg(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="N=1,2, one repetition, 0 ms")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.0, 50.0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--rate-limit-mounts", type=int, default=30)
    parser.add_argument("--startup-runs", type=int, default=9)
    parser.add_argument("--out", type=Path, default=None, help="the JSON file to write")
    parser.add_argument(
        "--only",
        nargs="+",
        default=None,
        help="methods engine preview startup rate (default: all)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.latencies, args.reps = [1, 2], [0.0], 1
        args.rate_limit_mounts, args.startup_runs = 2, 1
    out: Path = args.out or RESULTS_DIR / ("smoke.json" if args.smoke else "results.json")
    sections = set(args.only or ["methods", "engine", "preview", "startup", "rate"])

    bin_dir = locate_bin_dir()
    version = subprocess.run(
        [str(bin_dir / "pulumi"), "version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    started = time.monotonic()
    results: dict[str, Any] = {
        "machine": machine() | {"pulumi": version},
        "settings": {
            "smoke": args.smoke,
            "sizes": args.sizes,
            "latencies_ms": args.latencies,
            "reps": args.reps,
            "rate_limit_mounts": args.rate_limit_mounts,
            "startup_runs": args.startup_runs,
            "pulumi_parallel": 4 * (os.cpu_count() or 1),
            "provider_host_workers": raw_http.PROVIDER_HOST_WORKERS,
        },
    }
    root = engine.temp_root()
    try:
        measure(root, bin_dir, args, sections, results)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    results["machine"]["load_average_end"] = os.getloadavg()
    results["machine"]["bench_seconds"] = round(time.monotonic() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")
    log(f"wrote {out} after {results['machine']['bench_seconds']}s")
    return 0


def measure(
    root: Path, bin_dir: Path, args: argparse.Namespace, sections: set[str], results: dict[str, Any]
) -> None:
    extra = engine.load_vps_needed(max([*args.sizes, args.rate_limit_mounts]))
    grid = Grid(args.sizes, args.latencies, args.reps)
    with Simulator(root, extra_vps=extra) as sim:
        if "methods" in sections:
            log("API calls per provider method (gRPC)")
            results["methods"] = provider_method_calls(sim)
        stacks: dict[str, BenchStack] = {}
        if sections & {"engine", "preview", "rate"}:
            stacks = {
                kind: BenchStack(bin_dir, root, kind, sim.url) for kind in ("hostup", "floor")
            }
        if "engine" in sections:
            log(f"pulumi up: N={args.sizes}, latency={args.latencies} ms, {args.reps} reps")
            results["engine"] = engine_runs(sim, stacks, grid)
        if "preview" in sections:
            log(f"pulumi preview: N={args.sizes}, latency={args.latencies} ms, {args.reps} reps")
            results["preview"] = preview_runs(sim, stacks, grid)
        if "startup" in sections:
            log("start-up")
            results["startup"] = startup_costs(sim, args.startup_runs)
        if "rate" in sections:
            log(f"rate limit: {args.rate_limit_mounts} mounts at 5 req/s")
            results["rate_limit"] = rate_limited_up(
                sim, stacks["hostup"], args.rate_limit_mounts, 5.0
            )


if __name__ == "__main__":
    sys.exit(main())
