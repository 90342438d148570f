"""Measure terraform-provider-hostup through the real `tofu` against the simulator;
write bench/results/opentofu.json (bench/render.py turns it into bench/README.md).

    .venv/bin/python bench/opentofu.py             # N = 1, 10, 50; 5 repetitions
    .venv/bin/python bench/opentofu.py --smoke     # N = 1, 2; 1 repetition -> opentofu-smoke.json

For each N, interleaved and repeated: `tofu apply` of N mounts (one per VPS, so
refresh cannot share listings), a steady `tofu plan` (a refresh of N), and
`tofu destroy`, each timed and its API calls counted from the simulator's log;
the same commands on N `floor_mount`s of bench/tofu_floor_provider.py (the same
attributes on the same `tf` framework, no I/O): the floor of tofu, the plugin
protocol and a Python provider's start-ups; on N `apifloor_mount`s of
bench/tofu_api_floor_provider.py (that floor plus the API calls it requires, sent
with `requests` alone): what any Python provider must spend; and (not with --smoke
or --no-go-floor) on N `gofloor_mount`s of bench/tofu-go-floor, the same no-op
resource in Go on terraform-plugin-framework, built here from the Go module proxy.
Then the start-up of one provider process (spawn to go-plugin handshake line) for
each, what our process loads beyond the framework (IMPORT_STEPS), the client's CPU
per create (CLIENT_CPU), a process's teardown (TEARDOWN_LOADS), and `tofu version`
(tofu's own start). The simulator
answers in this process, so its CPU time per command is this process's. Our
packages' bytecode is written first, as an install writes it (compile_bytecode).
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import harness_path  # noqa: F401  (before harness.*: puts tests/ on sys.path)

from harness.machine import cpu_model, git_commit, memory_gb
from harness.tofu_cli import (
    ADDRESS,
    TofuResult,
    TofuWorkspace,
    locate_tofu_bin_dir,
    provider_dir,
    provider_hcl,
)
from hostup_sim import world
from hostup_sim.server import SimServer
from hostup_sim.settings import Settings
from hostup_sim.store import HostupStore

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
FLOOR_ADDRESS = "registry.opentofu.org/bench/floor"
API_FLOOR_ADDRESS = "registry.opentofu.org/bench/apifloor"
GO_FLOOR_ADDRESS = "registry.opentofu.org/bench/gofloor"
GO_FLOOR_MODULE = BENCH_DIR / "tofu-go-floor"
ISO = world.ISO_UBUNTU_2404
# go-plugin's handshake cookie: a plugin started without it refuses to run.
COOKIE = {
    "TF_PLUGIN_MAGIC_COOKIE": "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
}


def log(message: str) -> None:
    print(f"[opentofu {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def floor_launcher(
    directory: Path, name: str = "floor", script: str = "tofu_floor_provider.py"
) -> Path:
    """`terraform-provider-<name>`: this venv's Python running bench/<script>."""
    directory.mkdir(parents=True, exist_ok=True)
    launcher = directory / f"terraform-provider-{name}"
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} {BENCH_DIR / script} "$@"\n')
    launcher.chmod(0o755)
    return directory


def api_floor_launcher(directory: Path) -> Path:
    """`terraform-provider-apifloor`: bench/tofu_api_floor_provider.py."""
    return floor_launcher(directory, "apifloor", "tofu_api_floor_provider.py")


def go_floor(directory: Path) -> Path:
    """Build `terraform-provider-gofloor` from bench/tofu-go-floor into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly -buildvcs=false"}
    subprocess.run(
        ["go", "build", "-trimpath", "-o", str(directory / "terraform-provider-gofloor"), "."],
        cwd=GO_FLOOR_MODULE,
        env=env,
        check=True,
    )
    return directory


def cli_config(root: Path) -> str:
    return (
        "provider_installation {\n  dev_overrides {\n"
        f'    "{ADDRESS}" = "{provider_dir()}"\n'
        f'    "{FLOOR_ADDRESS}" = "{root / "floor-bin"}"\n'
        f'    "{API_FLOOR_ADDRESS}" = "{root / "apifloor-bin"}"\n'
        f'    "{GO_FLOOR_ADDRESS}" = "{root / "gofloor-bin"}"\n'
        "  }\n  direct {}\n}\n"
    )


def configuration(kind: str, endpoint: str, n: int) -> str:
    vpses = [world.extra_vps_id(i) for i in range(1, n + 1)]
    if kind == "hostup":
        head, resource = provider_hcl(endpoint), "hostup_vps_iso_mount"
    else:
        head = (
            f"terraform {{\n  required_providers {{\n    {kind} = {{ source = "
            f'"bench/{kind}" }}\n  }}\n}}\n'
        )
        resource = f"{kind}_mount"
    blocks = "".join(
        f'\nresource "{resource}" "m{i}" {{\n  vps_id = "{vps}"\n  iso_id = "{ISO}"\n}}\n'
        for i, vps in enumerate(vpses)
    )
    return head + blocks


def calls(sim: SimServer) -> dict[str, int]:
    counted = Counter(record.method for record in sim.store.request_log())
    return dict(sorted(counted.items()))


def timed(sim: SimServer, run: Any) -> tuple[float, dict[str, int], float]:
    """The command's seconds, its API calls and the simulator's CPU seconds for it."""
    sim.store.clear_log()
    cpu = time.process_time()
    result: TofuResult = run()
    cpu = time.process_time() - cpu
    if result.returncode != 0:
        raise SystemExit(result.describe())
    return round(result.seconds, 3), calls(sim), round(cpu, 3)


def one_run(
    kind: str, n: int, rep: int, sim: SimServer, tofu_bin: Path, root: Path
) -> dict[str, Any]:
    sim.store.reset(extra_vps=n)
    env = {"TF_VAR_hostup_api_key": world.DEMO_API_KEY}
    if kind == "apifloor":
        env.update(HOSTUP_ENDPOINT=sim.url, HOSTUP_API_KEY=world.DEMO_API_KEY)
    workspace = TofuWorkspace(
        tofu_bin=tofu_bin,
        root=Path(tempfile.mkdtemp(prefix=f"{kind}-{n}-", dir=root)),
        extra_env=env,
    )
    workspace.cli_config.write_text(cli_config(root))
    workspace.write(configuration(kind, sim.url, n))
    apply_s, apply_calls, apply_cpu = timed(sim, workspace.apply)
    plan_s, plan_calls, plan_cpu = timed(sim, lambda: workspace.plan("-detailed-exitcode"))
    destroy_s, destroy_calls, destroy_cpu = timed(sim, workspace.destroy)
    return {
        "kind": kind,
        "n": n,
        "rep": rep,
        "apply_s": apply_s,
        "plan_s": plan_s,
        "destroy_s": destroy_s,
        "calls": {"apply": apply_calls, "plan": plan_calls, "destroy": destroy_calls},
        "sim_cpu_s": {"apply": apply_cpu, "plan": plan_cpu, "destroy": destroy_cpu},
    }


def handshake_seconds(command: list[str]) -> float:
    """Spawn to the go-plugin handshake line on stdout, then stop the process."""
    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **COOKIE},
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    seconds = time.monotonic() - started
    # Ctrl-C, not a kill: a Python provider then removes its socket's temporary directory.
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    if not line.startswith("1|6|"):
        raise SystemExit(f"no handshake from {command}: {line!r}")
    return round(seconds, 4)


# What our provider process loads beyond the framework, step by step, in the order a
# process of `tofu apply` loads it; the framework's modules first, as run_provider has
# them loaded by then. Printed as JSON seconds.
IMPORT_STEPS = """
import json, time
import grpc, tf.provider, tf.runner
t0 = time.perf_counter()
from terraform_provider_hostup.provider import HostupProvider
provider = HostupProvider()
provider.get_resources(), provider.get_data_sources()
t1 = time.perf_counter()
import requests
t2 = time.perf_counter()
import hostup.client, hostup.models, hostup.mounts
t3 = time.perf_counter()
hostup.models.IsoMedia.model_rebuild(force=True)
t4 = time.perf_counter()
print(json.dumps({"provider_modules_import": t1 - t0, "requests_import": t2 - t1,
                  "core_http_import": t3 - t2, "listing_model_build": t4 - t3}))
"""


# A provider process's teardown: the interpreter freeing its modules after the work is
# done, before tofu sees the process end. What a process with the framework loaded
# pays (every floor process), and one with ours and the HTTP stack loaded (what our
# calling process would pay; ours skips the teardown when no write is in progress).
TEARDOWN_LOADS = {
    "teardown_framework": "import grpc, tf.provider, tf.runner",
    "teardown_ours_loaded": (
        "import grpc, tf.provider, tf.runner, requests, hostup.client, hostup.models, "
        "hostup.mounts, terraform_provider_hostup.provider; "
        "hostup.models.IsoMedia.model_rebuild(force=True)"
    ),
}


def teardown_seconds(loads: str) -> float:
    """From the last statement of a process that ran ``loads`` to its exit."""
    code = f"{loads}\nimport sys, time\nsys.stdout.write(repr(time.time())); sys.stdout.flush()"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    printed = proc.stdout.read()
    proc.wait()
    return round(time.time() - float(printed), 4)


def startup(tofu_bin: Path, reps: int, root: Path, kinds: list[str]) -> dict[str, list[float]]:
    launchers = {
        "hostup": [str(provider_dir() / "terraform-provider-hostup")],
        "floor": [str(root / "floor-bin" / "terraform-provider-floor")],
        "apifloor": [str(root / "apifloor-bin" / "terraform-provider-apifloor")],
        "gofloor": [str(root / "gofloor-bin" / "terraform-provider-gofloor")],
    }
    tofu = [str(tofu_bin / "tofu"), "version"]
    out: dict[str, list[float]] = {kind: [] for kind in kinds}
    out["tofu_version"] = []
    for _ in range(reps):
        steps = subprocess.run(
            [sys.executable, "-c", IMPORT_STEPS], capture_output=True, text=True, check=True
        ).stdout
        for step, seconds in json.loads(steps).items():
            out.setdefault(step, []).append(round(seconds, 4))
        for kind in kinds:
            out[kind].append(handshake_seconds(launchers[kind]))
        for name, loads in TEARDOWN_LOADS.items():
            out.setdefault(name, []).append(teardown_seconds(loads))
        started = time.monotonic()
        subprocess.run(
            tofu,
            capture_output=True,
            check=True,
            env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"},
        )
        out["tofu_version"].append(round(time.monotonic() - started, 4))
    return out


# The CPU time one create costs the client, in one thread, once everything is loaded:
# ours (the tofu front-end's engine) against the API floor's calls (`requests` alone,
# each answer's JSON parsed), alternating mount by mount against the benchmark's
# simulator. Printed as JSON seconds per create.
CLIENT_CPU = """
import json, sys, time
url, key, iso, *vpses = sys.argv[1:]
from hostup.mounts import MountEngine
from hostup.runtime import Runtime
from hostup.settings import Settings
from terraform_provider_hostup._framework import TOFU_WORDING
settings = Settings.resolve(api_key=key, endpoint=url, environ={})
engine = MountEngine(Runtime(settings, TOFU_WORDING, warn=lambda message: None))
import requests
session = requests.Session()
session.headers["Authorization"] = f"Bearer {key}"
session.trust_env = False
def api_floor(vps):
    session.get(f"{url}/api/v2/vps/{vps}/iso").json()
    body = {"isoId": iso, "device": "ide2"}
    session.post(f"{url}/api/v2/vps/{vps}/iso/actions/mount", json=body).json()
    session.get(f"{url}/api/v2/vps/{vps}/iso").json()
def ours(vps):
    engine.ensure_mounted(vps, iso, "ide2")
spent = {"ours": 0.0, "api_floor": 0.0}
for i, vps in enumerate(vpses):
    name, create = ("ours", ours) if i % 2 == 0 else ("api_floor", api_floor)
    started = time.thread_time()
    create(vps)
    if i >= 2:  # the first create of each loads what it needs
        spent[name] += time.thread_time() - started
count = (len(vpses) - 2) // 2
print(json.dumps({f"create_cpu_{k}": v / count for k, v in spent.items()}))
"""


def client_cpu(sim: SimServer, reps: int, vpses: int) -> dict[str, list[float]]:
    """CLIENT_CPU, ``reps`` times, each on ``vpses`` fresh VPSes (an even number)."""
    out: dict[str, list[float]] = {}
    for _ in range(reps):
        sim.store.reset(extra_vps=vpses)
        ids = [world.extra_vps_id(i) for i in range(1, vpses + 1)]
        text = subprocess.run(
            [sys.executable, "-c", CLIENT_CPU, sim.url, world.DEMO_API_KEY, ISO, *ids],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for key, value in json.loads(text).items():
            out.setdefault(key, []).append(round(value, 6))
    return out


def tofu_version(tofu_bin: Path) -> str:
    text = subprocess.run(
        [str(tofu_bin / "tofu"), "version"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"},
    ).stdout
    return text.splitlines()[0].removeprefix("OpenTofu v")


def compile_bytecode() -> None:
    """Write the bytecode of our packages and of bench/, as pip does when it installs a
    wheel. Without it, an environment with PYTHONDONTWRITEBYTECODE set (this machine's)
    makes every provider process compile our modules from source, which no installed
    provider does."""
    import hostup
    import terraform_provider_hostup

    for package in (hostup, terraform_provider_hostup):
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)
    compileall.compile_dir(BENCH_DIR, maxlevels=0, quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--no-go-floor", action="store_true", help="skip the Go floor")
    parser.add_argument("--sizes", help="comma-separated N (default 1,10,50)")
    args = parser.parse_args(argv)
    kinds = ["hostup", "floor", "apifloor"]
    if not (args.smoke or args.no_go_floor):
        kinds.append("gofloor")
    sizes = [1, 2] if args.smoke else [1, 10, 50]
    if args.sizes:
        sizes = [int(size) for size in args.sizes.split(",")]
    reps = 1 if args.smoke else args.reps
    output = args.output or RESULTS_DIR / ("opentofu-smoke.json" if args.smoke else "opentofu.json")
    tofu_bin = locate_tofu_bin_dir()
    compile_bytecode()
    started = time.monotonic()
    runs: list[dict[str, Any]] = []
    store = HostupStore(settings=Settings(job_seconds=0.0, extra_vps=max(sizes)))
    with tempfile.TemporaryDirectory(prefix="bench-tofu-") as tmp, SimServer(store) as sim:
        root = Path(tmp)
        floor_launcher(root / "floor-bin")
        api_floor_launcher(root / "apifloor-bin")
        if "gofloor" in kinds:
            log("building the Go floor")
            go_floor(root / "gofloor-bin")
        start = startup(tofu_bin, 2 if args.smoke else 10, root, kinds)
        start.update(client_cpu(sim, 2 if args.smoke else 5, max(*sizes, 10) // 2 * 2))
        for n in sizes:
            for rep in range(reps):
                for kind in kinds[rep % len(kinds) :] + kinds[: rep % len(kinds)]:
                    runs.append(one_run(kind, n, rep, sim, tofu_bin, root))
                    r = runs[-1]
                    log(f"{kind} N={n} rep={rep}: apply {r['apply_s']}s plan {r['plan_s']}s")
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "memory_gb": memory_gb(),
            "python": platform.python_version(),
            "tofu": tofu_version(tofu_bin),
            "date": datetime.date.today().isoformat(),
            "git_commit": git_commit(REPO, ["provider", "bench"]),
            "bench_seconds": round(time.monotonic() - started, 1),
        },
        "settings": {"sizes": sizes, "reps": reps, "mounts_per_vps": 1, "kinds": kinds},
        "startup": start,
        "startup_medians": {k: statistics.median(v) for k, v in start.items()},
        "runs": runs,
    }
    output.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    log(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
