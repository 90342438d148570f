"""A Pulumi stack of VpsIsoMounts against the test simulator, for the real-engine tests.

- `HostupStack`: one stack of a copied program, its stack config pointing at the
  simulator (`hostup:endpoint`) with the demo key as a secret (`hostup:apiKey`);
  runs the CLI through a `PulumiSandbox` and keeps every result, so a test can
  check that nothing it ran ever printed the key.
- `EngineRun` / `Preview`: what `pulumi up|refresh|destroy --json` (an engine event
  stream, one JSON object a line) and `pulumi preview --json` (one document) say.
- `mounted()`, `api_calls()`, `writes()`: what the simulator holds and was asked;
  `hold_mounts()`: the simulator holds a VPS's mount requests back.
- `copy_example()`: a project from examples/ (or the root demo project) copied like
  `copy_program` copies tests/e2e/programs, pointed at this test run's virtualenv.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # no stubs in the dev extras

from harness.pulumi_cli import (
    REPO_ROOT,
    TIMINGS,
    PulumiResult,
    PulumiSandbox,
    Timing,
    python_virtualenv,
    write_stack_config,
)
from hostup_sim.requestlog import LogRecord
from hostup_sim.server import SimServer
from hostup_sim.world import DEMO_API_KEY

MOUNT_TYPE = "pulumi-python:dynamic/hostup:VpsIsoMount"
DEFAULT_PROVIDER_TYPE = "pulumi:providers:pulumi-python"
NONINTERACTIVE = ("--non-interactive",)
YES = ("--yes", "--non-interactive", "--skip-preview")


def urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[1]


# -- what the engine said ------------------------------------------------------------


@dataclass(frozen=True)
class EngineRun:
    """`pulumi up|refresh|destroy --json`: the engine's event stream."""

    result: PulumiResult
    events: list[dict[str, Any]]

    @classmethod
    def parse(cls, result: PulumiResult) -> EngineRun:
        try:
            events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise AssertionError(f"not an event stream ({exc}):\n{result.describe()}") from exc
        return cls(result, events)

    def _payloads(self, kind: str) -> list[dict[str, Any]]:
        return [event[kind] for event in self.events if kind in event]

    @property
    def summary(self) -> dict[str, int]:
        """resourceChanges of the summary event, the stack itself included."""
        summaries = self._payloads("summaryEvent")
        assert summaries, f"no summary event:\n{self.result.describe()}"
        return {str(k): int(v) for k, v in summaries[-1]["resourceChanges"].items()}

    @property
    def succeeded(self) -> bool:
        summaries = self._payloads("summaryEvent")
        return bool(summaries) and summaries[-1].get("result") == "succeeded"

    def ops(self) -> dict[str, list[str]]:
        """Every finished step on a VpsIsoMount, by resource name, in order."""
        return self._mount_steps("resOutputsEvent")

    def started(self) -> dict[str, list[str]]:
        """Every step the engine began on a VpsIsoMount, finished or not, by resource name."""
        return self._mount_steps("resourcePreEvent")

    def _mount_steps(self, kind: str) -> dict[str, list[str]]:
        steps: dict[str, list[str]] = {}
        for payload in self._payloads(kind):
            meta = payload["metadata"]
            if meta["type"] == MOUNT_TYPE:
                steps.setdefault(urn_name(meta["urn"]), []).append(meta["op"])
        return steps

    def diagnostics(self, severity: str | None = None) -> list[str]:
        return [
            payload["message"]
            for payload in self._payloads("diagnosticEvent")
            if payload.get("severity") != "debug"
            and (severity is None or payload.get("severity") == severity)
        ]

    def describe(self) -> str:
        return self.result.describe()


@dataclass(frozen=True)
class Preview:
    """`pulumi preview --json`: one document with steps, changeSummary, diagnostics."""

    result: PulumiResult
    document: dict[str, Any]

    @property
    def summary(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in (self.document.get("changeSummary") or {}).items()}

    def ops(self) -> dict[str, str]:
        """The planned step on each VpsIsoMount, by resource name."""
        return {
            urn_name(step["urn"]): step["op"]
            for step in self.document.get("steps") or []
            if f"::{MOUNT_TYPE}::" in step["urn"]
        }

    def step(self, name: str) -> dict[str, Any]:
        for step in self.document.get("steps") or []:
            if step["urn"].endswith(f"::{MOUNT_TYPE}::{name}"):
                return dict(step)
        raise AssertionError(f"no step for {name}:\n{self.result.describe()}")

    def errors(self) -> list[str]:
        return [
            d["message"] for d in self.document.get("diagnostics") or [] if d["severity"] == "error"
        ]


# -- the stack ---------------------------------------------------------------------------


@dataclass
class HostupStack:
    """One stack of `project`, configured for the simulator; every CLI result is kept."""

    sandbox: PulumiSandbox
    sim: SimServer
    project: Path
    stack: str = "dev"
    results: list[PulumiResult] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        sandbox: PulumiSandbox,
        sim: SimServer,
        project: Path,
        config: Mapping[str, Any],
        *,
        stack: str = "dev",
    ) -> HostupStack:
        """`pulumi stack init`, plain config (plus hostup:endpoint), the key as a secret."""
        self = cls(sandbox, sim, project, stack)
        self.run("stack", "init", stack, *NONINTERACTIVE)
        self.configure({"hostup:endpoint": sim.url, **config})
        # The key goes in on stdin, as a person would type it; the CLI encrypts it.
        self.run("config", "set", "--secret", "hostup:apiKey", stdin=DEMO_API_KEY)
        return self

    def configure(self, config: Mapping[str, Any]) -> None:
        write_stack_config(self.project, self.stack, config)

    def run(
        self,
        *args: str,
        check: bool = True,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> PulumiResult:
        result = self.sandbox.run(
            [*args, "--stack", self.stack] if args[0] != "stack" else list(args),
            self.project,
            check=False,
            stdin=stdin,
            env=env,
        )
        self.results.append(result)
        return result.check() if check else result

    # engine commands

    def preview(
        self, *extra: str, check: bool = True, env: Mapping[str, str] | None = None
    ) -> Preview:
        result = self.run("preview", "--json", *NONINTERACTIVE, *extra, check=check, env=env)
        return Preview(result, result.json())

    def up(
        self, *extra: str, check: bool = True, env: Mapping[str, str] | None = None
    ) -> EngineRun:
        return EngineRun.parse(self.run("up", "--json", *YES, *extra, check=check, env=env))

    def refresh(self, *extra: str, check: bool = True) -> EngineRun:
        return EngineRun.parse(self.run("refresh", "--json", *YES, *extra, check=check))

    def destroy(self, *extra: str, check: bool = True) -> EngineRun:
        return EngineRun.parse(self.run("destroy", "--json", *YES, *extra, check=check))

    def start(self, *args: str) -> subprocess.Popen[str]:
        """`pulumi <args>` in the background, as the leader of a new session."""
        exe = shutil.which("pulumi", path=self.sandbox.env["PATH"])
        assert exe is not None
        return subprocess.Popen(
            [exe, *args, "--stack", self.stack],
            cwd=self.project,
            env=self.sandbox.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def finish(self, proc: subprocess.Popen[str], args: Sequence[str], started: float) -> None:
        """Collect a background run's output into `results` (it has ended or been killed)."""
        stdout, _ = proc.communicate(timeout=60)
        result = PulumiResult(
            tuple(args), self.project, proc.returncode, stdout, "", time.monotonic() - started
        )
        self.results.append(result)
        TIMINGS.append(
            Timing(self.sandbox.test_id, result.command, result.seconds, result.returncode)
        )

    # state

    def outputs(self) -> dict[str, Any]:
        return dict(self.run("stack", "output", "--json", "--stack", self.stack).json())

    def export(self, *, show_secrets: bool = False) -> dict[str, Any]:
        args = ["stack", "export", "--stack", self.stack]
        if show_secrets:
            args.append("--show-secrets")
        return dict(self.run(*args).json())

    def mounts_in_state(self) -> dict[str, dict[str, Any]]:
        """The VpsIsoMount resources of the current state, by name."""
        resources = self.export()["deployment"].get("resources") or []
        return {urn_name(r["urn"]): r for r in resources if r["type"] == MOUNT_TYPE}

    def pending_operations(self) -> list[tuple[str, str]]:
        pending = self.export()["deployment"].get("pending_operations") or []
        return [(op["type"], urn_name(op["resource"]["urn"])) for op in pending]

    def printed_key(self) -> list[str]:
        """The CLI calls of this stack that printed the API key, except those that were
        asked to (`--show-secrets`)."""
        return [
            r.command
            for r in self.results
            if "--show-secrets" not in r.args and DEMO_API_KEY in r.stdout + r.stderr
        ]


# `open_stack(mounts, project=..., config=...)`, the e2e fixture (harness/pulumi_fixtures.py).
StackFactory = Callable[..., HostupStack]


# -- the simulator ------------------------------------------------------------------------


def mounted(sim: SimServer) -> dict[str, dict[str, str]]:
    """The media of every VPS that holds any: {vps_id: {device: iso_id}}."""
    return {vps["id"]: dict(vps["media"]) for vps in sim.store.snapshot()["vpses"] if vps["media"]}


def api_calls(sim: SimServer) -> list[LogRecord]:
    return sim.store.request_log()


def writes(sim: SimServer) -> list[tuple[str | None, str, str | None, str | None]]:
    """Every non-GET API request, in order: (operationId, vps id, device, isoId)."""
    out: list[tuple[str | None, str, str | None, str | None]] = []
    for exchange in sim.store.exchanges():
        if exchange.method == "GET":
            continue
        vps_id = exchange.path.split("/api/v2/vps/", 1)[-1].split("/", 1)[0]
        body = json.loads(exchange.request_body) if exchange.request_body else {}
        out.append((exchange.operation, vps_id, body.get("device"), body.get("isoId")))
    return out


# -- examples -----------------------------------------------------------------------------


@dataclass
class HeldMounts:
    """Mount requests the simulator holds back (:func:`hold_mounts`)."""

    sim: SimServer
    arrived: threading.Event
    """Set when a held mount request has arrived."""

    def release(self) -> None:
        """Hold no more requests, and let those held go at once."""
        self.sim.store.update_faults(hang_rate=0.0)
        self.sim.store.release_sleepers()


def hold_mounts(
    sim: SimServer, monkeypatch: pytest.MonkeyPatch, vps_id: str, seconds: float
) -> HeldMounts:
    """The simulator holds each mount request for ``vps_id`` back ``seconds`` (then acts
    on it and answers) until released."""
    path = f"/api/v2/vps/{vps_id}/iso/actions/mount"
    sim.store.update_faults(path_prefix=path, hang_rate=1.0, hang_seconds=seconds)
    arrived = threading.Event()
    decide = sim.store.decide_fault

    def spy(method: str, request_path: str) -> Any:
        decision = decide(method, request_path)
        if method == "POST" and request_path == path:
            arrived.set()
        return decision

    monkeypatch.setattr(sim.store, "decide_fault", spy)
    return HeldMounts(sim, arrived)


def copy_example(name: str, dest_root: Path) -> Path:
    """examples/<name> (or "root-demo": the repo's root project and the quickstart it runs)
    copied to dest_root, with runtime.options.virtualenv made this run's virtualenv."""
    if name == "root-demo":
        dest = dest_root / "root-demo"
        dest.mkdir(parents=True)
        for file in ("Pulumi.yaml", "__main__.py"):
            shutil.copy2(REPO_ROOT / file, dest / file)
        shutil.copytree(
            REPO_ROOT / "examples" / "quickstart",
            dest / "examples" / "quickstart",
            ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"),
        )
    else:
        dest = dest_root / name
        shutil.copytree(
            REPO_ROOT / "examples" / name,
            dest,
            ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml", "*.sh"),
        )
    project_file = dest / "Pulumi.yaml"
    project = yaml.safe_load(project_file.read_text())
    runtime = project["runtime"]
    assert isinstance(runtime, dict), f"{name}: runtime has no options: {runtime!r}"
    runtime.setdefault("options", {})["virtualenv"] = str(python_virtualenv())
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    return dest
