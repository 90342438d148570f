"""What the benchmark drives: a `hostup-sim serve` process and Pulumi stacks of bench/program.

- `Simulator`: the simulator in its own process (so its threads never share a GIL
  with what is being measured), steered through `SimAdmin`; `calls()` summarises
  its request log.
- `BenchStack`: one copy of bench/program with its own file backend and
  PULUMI_HOME, one stack, and the CLI calls the benchmark times. It reuses the
  real-engine driver of the tests (tests/harness/pulumi_cli.py).
"""

from __future__ import annotations

import collections
import datetime
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness_path  # noqa: F401  (before harness.*: puts tests/ on sys.path)
import yaml

from harness.pulumi_cli import (
    PulumiResult,
    build_env,
    python_virtualenv,
    run_pulumi,
    write_stack_config,
)
from harness.servers import SimProcess
from hostup_sim import world
from hostup_sim.admin import SimAdmin

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent

PROGRAM_DIR = BENCH_DIR / "program"
UP = ("up", "--yes", "--non-interactive", "--skip-preview")
DESTROY = ("destroy", "--yes", "--non-interactive", "--skip-preview")
REFRESH = ("refresh", "--yes", "--non-interactive", "--skip-preview")
PREVIEW = ("preview", "--non-interactive")
CREATE_ISO = world.ISO_ALPINE_320
UPDATE_ISO = world.ISO_SYSTEMRESCUE


def mount_targets(count: int) -> list[tuple[str, str]]:
    """`count` free (vps, device) slots: build-1's three, then one ide2 per load VPS.

    Three mounts share build-1, so refresh shows one listing read per VPS rather
    than one per resource; the rest spread over the simulator's load VPSes.
    """
    shared = [(world.VPS_BUILD_1, device) for device in ("ide1", "ide2", "ide3")]
    loads = [(world.extra_vps_id(n), "ide2") for n in range(1, count + 1)]
    return (shared + loads)[:count]


def load_vps_needed(count: int) -> int:
    return max(0, count - 3)


# -- the simulator ------------------------------------------------------------------


@dataclass
class CallCount:
    """A summary of the simulator's request log over one step."""

    total: int
    by_operation: dict[str, int]
    by_status: dict[str, int]
    vpses: int
    first_at: float | None = None  # epoch seconds the first logged request arrived
    last_at: float | None = None  # ... and the last one

    @property
    def rate_limited(self) -> int:
        return self.by_status.get("429", 0)

    @property
    def accepted(self) -> int:
        return self.total - self.rate_limited

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "accepted": self.accepted,
            "rate_limited": self.rate_limited,
            "by_operation": self.by_operation,
            "by_status": self.by_status,
            "vpses": self.vpses,
        }

    def window(self, started: float) -> dict[str, float]:
        """When the first and last request arrived, in seconds after ``started``."""
        if self.first_at is None or self.last_at is None:
            return {}
        return {"first_call_s": self.first_at - started, "last_call_s": self.last_at - started}


class Simulator:
    """`hostup-sim serve --port 0` in a child process, and its admin client.

    No --state file: the world stays in memory, so the simulator's own disk writes
    do not count towards anyone's time.
    """

    def __init__(self, root: Path, extra_vps: int) -> None:
        self.extra_vps = extra_vps
        self.process = SimProcess(root / "sim", ["--extra-vps", str(extra_vps)], timeout=30.0)
        self.process.start()
        self.url = self.process.url
        self.admin = SimAdmin(self.url, timeout=30.0)

    def reset(self, *, latency_ms: float = 0.0, rate_limit_rps: float = 0.0) -> None:
        """The seeded world, an empty log, and this step's latency and rate limit."""
        self.admin.reset(extra_vps=self.extra_vps)
        if latency_ms:
            self.admin.update_faults(latency_min_ms=latency_ms, latency_max_ms=latency_ms)
        if rate_limit_rps:
            self.admin.update_settings(rate_limit_rps=rate_limit_rps)

    def calls(self) -> CallCount:
        """The log since the last reset or clear, summarised."""
        records = self.admin.log()
        ops = collections.Counter(str(r["operation"] or r["path"]) for r in records)
        statuses = collections.Counter(str(r["status"]) for r in records)
        vpses = {r["vps_id"] for r in records if r["vps_id"]}
        times = [_epoch(r["timestamp"]) for r in records]
        return CallCount(
            len(records),
            dict(sorted(ops.items())),
            dict(statuses),
            len(vpses),
            min(times, default=None),
            max(times, default=None),
        )

    def clear_log(self) -> None:
        self.admin.clear_log()

    def close(self) -> None:
        self.process.stop()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- Pulumi stacks ---------------------------------------------------------------------


class BenchStack:
    """bench/program as one stack of one kind (hostup or floor), in its own sandbox."""

    def __init__(
        self, bin_dir: Path, root: Path, kind: str, sim_url: str, name: str | None = None
    ) -> None:
        """``name``: its directory under ``root`` (default: ``kind``), for two of one kind."""
        self.kind = kind
        self.root = root / (name or kind)
        self.backend = self.root / "backend"
        self.home = self.root / "pulumi-home"
        for path in (self.backend, self.home):
            path.mkdir(parents=True, exist_ok=True)
        self.project = self.root / "program"
        shutil.copytree(
            PROGRAM_DIR, self.project, ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml")
        )
        project_file = self.project / "Pulumi.yaml"
        project = yaml.safe_load(project_file.read_text())
        project["runtime"] = {
            "name": "python",
            "options": {"virtualenv": str(python_virtualenv())},
        }
        project_file.write_text(yaml.safe_dump(project, sort_keys=False))
        pythonpath = os.pathsep.join(
            p for p in (str(BENCH_DIR), os.environ.get("PYTHONPATH", "")) if p
        )
        self.env = build_env(bin_dir, self.backend, self.home, extra={"PYTHONPATH": pythonpath})
        self.stack = "bench"
        self.run(["stack", "init", self.stack, "--non-interactive"])
        config: dict[str, Any] = {"kind": kind, "isoId": CREATE_ISO, "mounts": []}
        if kind == "hostup":
            config["hostup:endpoint"] = sim_url
        write_stack_config(self.project, self.stack, config)
        if kind == "hostup":
            self.run(
                ["config", "set", "--secret", "--stack", self.stack, "hostup:apiKey"],
                stdin=world.DEMO_API_KEY,
            )

    def run(
        self, args: Sequence[str], *, stdin: str | None = None, check: bool = True
    ) -> PulumiResult:
        result = run_pulumi(args, self.project, self.env, stdin=stdin, timeout=900)
        return result.check() if check else result

    def configure(self, mounts: Sequence[tuple[str, str]], iso_id: str = CREATE_ISO) -> None:
        values: Mapping[str, Any] = {"mounts": [list(m) for m in mounts], "isoId": iso_id}
        write_stack_config(self.project, self.stack, values)

    def up(self) -> PulumiResult:
        return self.run(UP)

    def destroy(self) -> PulumiResult:
        return self.run(DESTROY)

    def preview(self) -> PulumiResult:
        return self.run(PREVIEW)

    def refresh(self) -> PulumiResult:
        return self.run(REFRESH)

    def export(self) -> dict[str, Any]:
        exported: dict[str, Any] = self.run(["stack", "export", "--stack", self.stack]).json()
        return exported


def _epoch(timestamp: str) -> float:
    return datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def temp_root(prefix: str = "hostup-bench-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
