"""`pulumi up` of N mounts through the native provider, against the engine floor and the
dynamic resource, in one run; writes bench/results/native.json.

    .venv/bin/python bench/native.py [--mounts 50] [--reps 3]

Four stacks, each in its own sandbox, against one simulator process (0 ms latency):

- floor: bench/program's no-I/O dynamic provider (the engine floor of bench/README.md);
- dynamic: bench/program's `pulumi_hostup.VpsIsoMount`;
- native-python: bench/native_program, the native provider through the generated SDK;
- native-yaml: the same N mounts as a YAML program.

Each repetition runs every stack in turn (a fresh world each time): `pulumi up` of N
creates (timed, API calls counted), a steady `pulumi preview` (timed, calls counted),
then `pulumi destroy` (calls counted). Ratios are of medians over the repetitions.
bench/render.py turns the file into the "native provider" table of bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import engine
import harness_path  # noqa: F401  (before harness.*: puts tests/ on sys.path)
import yaml
from engine import CREATE_ISO, DESTROY, PREVIEW, UP, BenchStack, Simulator, mount_targets
from run import machine

from harness.native import MOUNT, locate_yaml_bin_dir, pack_plugin, plugin_version
from harness.pulumi_cli import build_env, locate_bin_dir, run_pulumi, sdk_virtualenv
from harness.pulumi_cli import write_stack_config as write_config
from hostup_sim import world

OUT = engine.BENCH_DIR / "results" / "native.json"
NATIVE_PROGRAM = engine.BENCH_DIR / "native_program"
KINDS = ("floor", "dynamic", "native-python", "native-yaml")


def log(text: str) -> None:
    print(f"bench-native: {text}", file=sys.stderr, flush=True)


class NativeStack:
    """One native stack (YAML or Python through the SDK), the plugin in its own home."""

    def __init__(
        self, bin_dir: Path, yaml_dir: Path, tarball: Path, root: Path, kind: str, url: str
    ) -> None:
        self.kind = kind
        self.root = root / kind
        self.project = self.root / "program"
        backend, home = self.root / "backend", self.root / "pulumi-home"
        for path in (backend, home):
            path.mkdir(parents=True, exist_ok=True)
        if kind == "native-python":
            shutil.copytree(NATIVE_PROGRAM, self.project)
            project = yaml.safe_load((self.project / "Pulumi.yaml").read_text())
            project["runtime"] = {
                "name": "python",
                "options": {"virtualenv": str(sdk_virtualenv())},
            }
            (self.project / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        else:
            self.project.mkdir(parents=True)
            self.configure([])
        self.env = build_env(bin_dir, backend, home)
        self.env["PATH"] = f"{yaml_dir}:{self.env['PATH']}"
        self.stack = "bench"
        self.run(
            ["plugin", "install", "resource", "hostup", plugin_version(), "--file", str(tarball)]
        )
        self.run(["stack", "init", self.stack, "--non-interactive"])
        write_config(self.project, self.stack, {"hostup:endpoint": url, "isoId": CREATE_ISO})
        self.run(
            ["config", "set", "--secret", "--stack", self.stack, "hostup:apiKey"],
            world.DEMO_API_KEY,
        )

    def run(self, args: Sequence[str], stdin: str | None = None) -> Any:
        return run_pulumi(args, self.project, self.env, stdin=stdin, timeout=900).check()

    def configure(self, mounts: Sequence[tuple[str, str]]) -> None:
        if self.kind == "native-python":
            write_config(self.project, self.stack, {"mounts": [list(m) for m in mounts]})
            return
        resources = {
            f"m-{i:03d}": {
                "type": MOUNT,
                "properties": {"vpsId": vps, "isoId": CREATE_ISO, "device": device},
            }
            for i, (vps, device) in enumerate(mounts)
        }
        program = {"name": "hostup-bench-yaml", "runtime": "yaml", "resources": resources}
        (self.project / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))


def measure(stack: Any, sim: Simulator, mounts: Sequence[tuple[str, str]]) -> dict[str, Any]:
    sim.reset()
    stack.configure(mounts)
    out: dict[str, Any] = {}
    for step, args in (("up", UP), ("preview", PREVIEW), ("destroy", DESTROY)):
        sim.clear_log()
        started = time.monotonic()
        stack.run(list(args))
        out[f"{step}_s"] = round(time.monotonic() - started, 3)
        out[f"{step}_calls"] = sim.calls().total
    stack.configure([])
    return out


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs if r["kind"] == kind)

    medians = {
        kind: {key: med(kind, key) for key in ("up_s", "preview_s", "up_calls", "preview_calls")}
        for kind in KINDS
    }
    floor, dynamic = medians["floor"]["up_s"], medians["dynamic"]["up_s"]
    ratios = {
        kind: {
            "over_floor": round(medians[kind]["up_s"] / floor, 3),
            "over_dynamic": round(medians[kind]["up_s"] / dynamic, 3),
        }
        for kind in KINDS
    }
    return {"medians": medians, "ratios": ratios}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mounts", type=int, default=50)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    started = time.monotonic()
    bin_dir, yaml_dir = locate_bin_dir(), locate_yaml_bin_dir()
    version = run_pulumi(["version"], engine.REPO, {"PATH": str(bin_dir)}).stdout.strip()
    root = engine.temp_root("hostup-bench-native-")
    mounts = mount_targets(args.mounts)
    runs: list[dict[str, Any]] = []
    result: dict[str, Any] = {
        "machine": machine() | {"pulumi": version},
        "settings": {"mounts": args.mounts, "reps": args.reps, "latency_ms": 0, "kinds": KINDS},
    }
    try:
        tarball = pack_plugin(root / "dist")
        with Simulator(root, engine.load_vps_needed(args.mounts)) as sim:
            stacks: dict[str, Any] = {
                "floor": BenchStack(bin_dir, root, "floor", sim.url),
                "dynamic": BenchStack(bin_dir, root, "hostup", sim.url),
            }
            for kind in ("native-python", "native-yaml"):
                stacks[kind] = NativeStack(bin_dir, yaml_dir, tarball, root, kind, sim.url)
            for rep in range(args.reps):
                for kind in KINDS:
                    figures = measure(stacks[kind], sim, mounts)
                    runs.append({"kind": kind, "rep": rep} | figures)
                    log(f"rep {rep} {kind}: up {figures['up_s']}s, {figures['up_calls']} calls")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    result["runs"] = runs
    result["summary"] = summary(runs)
    result["machine"]["load_average_end"] = os.getloadavg()
    result["machine"]["bench_seconds"] = round(time.monotonic() - started, 1)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
