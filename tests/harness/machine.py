"""What machine and commit the figures were measured on, for RELIABILITY.md and
bench/README.md."""

from __future__ import annotations

import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what platform knows (maybe "")."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or ""


def memory_gb() -> float | None:
    """Total memory in GiB (one decimal) from /proc/meminfo, or None where there is none."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def git_commit(repo: Path, code: Sequence[str]) -> str:
    """The short commit of `repo`'s HEAD, plus a note when the code under the `code`
    paths (.py and .yaml files) has uncommitted changes: the figures then belong to no
    commit. "" outside a git checkout."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", "-C", str(repo), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return ""

    commit = git("rev-parse", "--short", "HEAD").strip()
    status = git("status", "--porcelain", "--", *code)
    # Only code counts: results, reports and plots are what a run writes.
    if commit and any(line.endswith((".py", ".yaml")) for line in status.splitlines()):
        commit += f" (with uncommitted changes to {' or '.join(f'{p}/' for p in code)})"
    return commit
