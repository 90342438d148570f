"""Helpers of the reliability suite that are not fixtures (see conftest.py for those).

- `Figures`: what each test measured, written to tests/reliability/.results/*.json at
  the end of the session; scripts/reliability-report.py commits and reports them.
- `LeakRegistry`: every text a test saw (CLI output, stack exports, provider stderr,
  exception texts, simulator logs, files in the Pulumi sandbox), scanned for the API
  keys at each test's teardown.
- the simulator world the suite uses (5 VPSes with 4 CD/DVD slots each), its media as
  a dict, and write intervals from the simulator's request log.
- the suite's `mounts` program copied for the real CLI, and what its error output
  says to a person.

Loopback servers, processes and waiting are shared with the other suites: they live
in `harness.servers` and `harness.processes`.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from harness.machine import cpu_model, git_commit, memory_gb
from hostup_sim import world
from hostup_sim.requestlog import LogRecord
from hostup_sim.store import HostupStore

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = Path(__file__).resolve().parent / ".results"
PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"

# The one seed of the suite: fault sequences, hypothesis, anything random.
SEED = 20260427

# A key for the hostile server: distinctive, so a leak is found by a substring search.
HOSTILE_KEY = "hk_reliability_HOSTILE_5e1f0a_must_never_leak"
SECRETS: tuple[str, ...] = (
    world.DEMO_API_KEY,
    world.READONLY_API_KEY,
    world.NOSTORAGE_API_KEY,
    world.OTHER_API_KEY,
    HOSTILE_KEY,
)

DEVICES = ("ide0", "ide1", "ide2", "ide3")
# Five load VPSes (build_world(extra_vps=5)); the suite gives each all four CD/DVD slots.
FLEET = tuple(world.extra_vps_id(n) for n in range(1, 6))
ISOS = (
    world.ISO_UBUNTU_2404,
    world.ISO_DEBIAN_12,
    world.ISO_ALPINE_320,
    world.ISO_SYSTEMRESCUE,
    world.ISO_VIRTIO_WIN,
    world.ISO_TOOLS,
)
WRITE_OPERATIONS = frozenset({"mountVpsIso", "unmountVpsIso"})


# -- figures -------------------------------------------------------------------------------


class Figures:
    """The numbers of one session, by test; `write()` saves them as JSON."""

    def __init__(self) -> None:
        self.started = time.time()
        # Read now, at collection: the commit (and whether the code differs from it) of
        # the code this session runs, whatever changes while it runs.
        self.machine = machine()
        self.tests: dict[str, dict[str, Any]] = {}
        self.meta: dict[str, Any] = {}

    def test(self, name: str) -> dict[str, Any]:
        return self.tests.setdefault(name, {})

    def write(self, directory: Path = RESULTS_DIR) -> Path | None:
        if not self.tests:
            return None
        directory.mkdir(parents=True, exist_ok=True)
        finished = time.time()
        stamp = datetime.fromtimestamp(finished, tz=UTC).strftime("%Y%m%dT%H%M%SZ")
        path = directory / f"run-{stamp}-{os.getpid()}.json"
        payload = {
            "meta": {
                **self.machine,
                **self.meta,
                "started": iso(self.started),
                "finished": iso(finished),
                "session_seconds": round(finished - self.started, 2),
                "seed": SEED,
            },
            "tests": self.tests,
        }
        path.write_text(json.dumps(payload, indent=1, sort_keys=True, default=str))
        return path


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat(timespec="seconds")


def machine() -> dict[str, Any]:
    """Where the figures were measured."""
    return {
        "host": platform.node(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gb": memory_gb(),
        "python": platform.python_version(),
        "commit": git_commit(REPO_ROOT, ("provider", "tests")),
        "ci": bool(os.environ.get("CI")),
    }


# -- leaks ---------------------------------------------------------------------------------


@dataclass
class LeakRegistry:
    """Texts to scan for the API keys; totals over the session."""

    secrets: tuple[str, ...] = SECRETS
    texts_scanned: int = 0
    bytes_scanned: int = 0
    leaks: list[str] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)

    def scan(self, source: str, text: str | bytes) -> list[str]:
        """Scan one text now; returns the leaks found (also kept in `leaks`)."""
        data = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        self.texts_scanned += 1
        self.bytes_scanned += len(data)
        kind = source.split(":", 1)[0]
        self.sources[kind] = self.sources.get(kind, 0) + 1
        found = [
            f"{source}: contains {secret[:8]}..."
            for secret in self.secrets
            # The whole key, and its tail (a truncated or re-quoted key still leaks).
            if secret in data or secret[-16:] in data
        ]
        self.leaks.extend(found)
        return found


@dataclass
class TestLeaks:
    """One test's view of the registry: `add()` texts, scanned at teardown."""

    registry: LeakRegistry
    pending: list[tuple[str, str | bytes]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def add(self, source: str, text: str | bytes | None) -> None:
        if text:
            self.pending.append((source, text))

    def add_tree(self, root: Path) -> None:
        """Scan every file under root at teardown (Pulumi backend, PULUMI_HOME, config)."""
        self.files.append(root)

    def add_exception(self, source: str, exc: BaseException) -> None:
        import traceback

        self.add(source, "".join(traceback.format_exception(exc)) + repr(exc) + str(exc))

    def scan_all(self) -> tuple[int, int, list[str]]:
        texts = bytes_ = 0
        found: list[str] = []
        items: list[tuple[str, str | bytes]] = list(self.pending)
        for root in self.files:
            if not root.exists():
                continue
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.stat().st_size < 64 * 1024 * 1024:
                    items.append((f"file:{path.relative_to(root)}", path.read_bytes()))
        for source, text in items:
            before = self.registry.bytes_scanned
            found += self.registry.scan(source, text)
            texts += 1
            bytes_ += self.registry.bytes_scanned - before
        self.pending.clear()
        self.files.clear()
        return texts, bytes_, found


# -- the simulator world -------------------------------------------------------------------


def give_all_slots(store: HostupStore, vps_ids: Iterable[str] = FLEET) -> None:
    """Give each VPS the CD/DVD slots ide0..ide3 through the API's own attach-empty."""
    for vps_id in vps_ids:
        for device in DEVICES:
            store.backend.attach_empty_cdrom(world.ACCOUNT_DEMO, vps_id, device)


def fleet_world_json(extra_vps: int = 5) -> dict[str, Any]:
    """A state file's content: the demo world plus the fleet, with all four slots each."""
    built = world.build_world(extra_vps=extra_vps)
    for vps_id in FLEET[:extra_vps]:
        built.vpses[vps_id].cdrom_devices = list(DEVICES)
    return built.to_json()


def media_of(state: Mapping[str, Any], vps_ids: Iterable[str] | None = None) -> dict[str, str]:
    """`{vps_id/device: iso_id}` of every mounted ISO in a simulator snapshot."""
    wanted = set(vps_ids) if vps_ids is not None else None
    return {
        f"{vps['id']}/{device}": iso_id
        for vps in state["vpses"]
        if wanted is None or vps["id"] in wanted
        for device, iso_id in sorted(vps["media"].items())
        if iso_id
    }


def fleet_mounts(count: int = 20, vps_ids: tuple[str, ...] = FLEET) -> list[dict[str, str]]:
    """`count` mounts spread over vps_ids, four devices each, ISOs in turn."""
    mounts = []
    for n in range(count):
        vps_id = vps_ids[n // len(DEVICES) % len(vps_ids)]
        device = DEVICES[n % len(DEVICES)]
        mounts.append(
            {
                "name": f"m{n:02d}-{vps_id[-4:]}-{device}",
                "vps": vps_id,
                "iso": ISOS[n % len(ISOS)],
                "device": device,
            }
        )
    return mounts


def expected_media(mounts: Iterable[Mapping[str, str]]) -> dict[str, str]:
    return {f"{m['vps']}/{m['device']}": m["iso"] for m in mounts}


def log_records(raw: Iterable[LogRecord | Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [r.to_json() if isinstance(r, LogRecord) else dict(r) for r in raw]


def interval(record: Mapping[str, Any]) -> tuple[float, float]:
    """(start, end) in epoch seconds of one logged request: the log keeps the end time
    (millisecond precision) and the duration."""
    end = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")).timestamp()
    return end - record["duration_ms"] / 1000.0, end


def overlapping_pairs(
    records: Iterable[Mapping[str, Any]], tolerance: float = 0.002
) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Pairs of requests whose server-side intervals overlap by more than `tolerance`
    seconds (the timestamps are rounded to the millisecond)."""
    spans = sorted(((interval(r), r) for r in records), key=lambda item: item[0][0])
    pairs = []
    for i, ((start_a, end_a), a) in enumerate(spans):
        for (start_b, _end_b), b in spans[i + 1 :]:
            if start_b >= end_a - tolerance:
                break
            if min(end_a, _end_b) - max(start_a, start_b) > tolerance:
                pairs.append((a, b))
    return pairs


def fault_counts(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in records:
        if r.get("fault"):
            counts[r["fault"]] = counts.get(r["fault"], 0) + 1
    return dict(sorted(counts.items()))


def operation_counts(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in records:
        op = r.get("operation") or r.get("path") or "?"
        counts[op] = counts.get(op, 0) + 1
    return dict(sorted(counts.items()))


# -- the mounts program through the real CLI -------------------------------------------------


def copy_mounts_program(dest_root: Path, virtualenv: Path) -> Path:
    """tests/reliability/programs/mounts copied to dest_root, pointed at virtualenv."""
    dest = dest_root / "mounts"
    shutil.copytree(PROGRAMS_DIR / "mounts", dest, ignore=shutil.ignore_patterns("__pycache__"))
    project_file = dest / "Pulumi.yaml"
    project = yaml.safe_load(project_file.read_text())
    project["runtime"] = {"name": "python", "options": {"virtualenv": str(virtualenv)}}
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    return dest


def error_last_lines(output: str) -> list[str]:
    """The last line of each error diagnostic in a CLI output's Diagnostics section:
    what a person reads (a provider error's last line is the exception's message)."""
    lines = output.splitlines()
    if "Diagnostics:" in lines:
        lines = lines[lines.index("Diagnostics:") + 1 :]
    found = []
    for i, line in enumerate(lines):
        if line.strip().startswith("error:"):
            indent = len(line) - len(line.lstrip())
            block = [line]
            for follow in lines[i + 1 :]:
                starts_another = follow.strip().startswith("error:")
                if (
                    not follow.strip()
                    or starts_another
                    or len(follow) - len(follow.lstrip()) < indent
                ):
                    break
                block.append(follow)
            found.append(block[-1].strip())
    return found


def resource_error_line(output: str) -> str:
    """The last line of the first error block that is a provider's (not the stack's
    'update failed' / 'preview failed' summary)."""
    summaries = ("error: update failed", "error: preview failed", "error: refresh failed")
    for line in error_last_lines(output):
        if line not in summaries:
            return line
    return ""
