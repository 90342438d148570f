"""Start-up costs: what importing the package and starting the provider process take.

- `import_cost()`: ``python -X importtime -c "import pulumi; import <module>"``; the
  cumulative time of the module's own line is what it adds on top of ``pulumi``
  (which it imports first, so pulumi's share is already paid).
- `first_answer()`: spawn ``python -u -m pulumi.dynamic`` as the engine does, and time
  the port line, then Configure, then the first Check (which unpickles the
  provider, imports its module and calls configure()). Ours and the floor's
  (bench/floor_provider.py) blobs, alternately, so noise hits both.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "HOSTUP_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(BENCH_DIR), env.get("PYTHONPATH")) if p)
    env["PULUMI_PROJECT"] = "hostup-bench"
    return env


def _parse(line: str) -> tuple[int, int, str] | None:
    """``import time: self | cumulative | <2 spaces per level>module`` -> depth, us, name."""
    if not line.startswith("import time:") or line.count("|") != 2:
        return None
    _self, cumulative, module = line.split("|")
    try:
        micros = int(cumulative)
    except ValueError:  # the header line
        return None
    name = module[1:]
    return (len(name) - len(name.lstrip())) // 2, micros, name.strip()


def import_cost(statement: str, runs: int) -> dict[str, Any]:
    """What ``statement`` adds after ``import pulumi``: median ms over ``runs`` processes.

    The sum of the cumulative times of the top-level imports that follow pulumi's,
    and the largest direct children (their medians) to show where it goes.
    """
    samples: list[float] = []
    children: dict[str, list[float]] = {}
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import pulumi; {statement}"],
            capture_output=True,
            text=True,
            env=_env(),
            check=True,
        )
        after_pulumi = False
        total = 0.0
        for line in proc.stderr.splitlines():
            parsed = _parse(line)
            if parsed is None:
                continue
            depth, micros, name = parsed
            if depth == 0 and name == "pulumi" and not after_pulumi:
                after_pulumi = True
                continue
            if not after_pulumi:
                continue
            if depth == 0:
                total += micros / 1000
            elif depth == 1:
                children.setdefault(name, []).append(micros / 1000)
        if not after_pulumi:
            raise RuntimeError(f"no importtime line for pulumi: {proc.stderr[-2000:]}")
        samples.append(total)
    largest = sorted(
        ((name, statistics.median(values)) for name, values in children.items()),
        key=lambda item: -item[1],
    )[:6]
    return {
        "statement": statement,
        "runs": runs,
        "median_ms": statistics.median(samples),
        "samples_ms": samples,
        "largest_children_ms": dict(largest),
    }


def _struct(props: dict[str, Any]) -> Any:
    from pulumi.runtime import rpc

    return asyncio.run(rpc.serialize_properties(props, {}))


def first_answer(
    blob: str, type_token: str, config: dict[str, Any], check: tuple[dict[str, Any], dict[str, Any]]
) -> dict[str, float]:
    """Seconds from spawning the provider host to its port line, Configure, and first Check."""
    import grpc
    from pulumi.runtime import proto
    from pulumi.runtime.proto import provider_pb2_grpc

    olds, news = check
    olds_struct = _struct({**olds, "__provider": blob}) if olds else _struct({})
    news_struct = _struct({**news, "__provider": blob})
    config_struct = _struct(config)
    urn = f"urn:pulumi:bench::hostup-bench::{type_token}::m-000"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().decode().strip()
        port_at = time.perf_counter()
        if not port.isdigit():
            raise RuntimeError(f"provider host printed {port!r} instead of its port")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            stub.Configure(proto.ConfigureRequest(args=config_struct), wait_for_ready=True)
            configured_at = time.perf_counter()
            answer = stub.Check(proto.CheckRequest(urn=urn, olds=olds_struct, news=news_struct))
            checked_at = time.perf_counter()
        if answer.failures:
            raise RuntimeError(f"check failed: {[(f.property, f.reason) for f in answer.failures]}")
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    return {
        "port_s": port_at - started,
        "configure_s": configured_at - started,
        "first_check_s": checked_at - started,
    }


def compare_first_answers(
    cases: dict[str, Callable[[], dict[str, float]]], runs: int
) -> dict[str, dict[str, Any]]:
    """Run every case ``runs`` times, rotating their order; medians per case."""
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
    names = list(cases)
    for run in range(runs):
        order = names[run % len(names) :] + names[: run % len(names)]
        for name in order:
            samples[name].append(cases[name]())
    out: dict[str, dict[str, Any]] = {}
    for name, runs_of in samples.items():
        out[name] = {key: statistics.median(s[key] for s in runs_of) for key in runs_of[0]} | {
            "samples_first_check_s": [s["first_check_s"] for s in runs_of]
        }
    return out
