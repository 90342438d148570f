#!/usr/bin/env python3
"""Turn the reliability suite's committed figures into RELIABILITY.md.

    .venv/bin/python -m pytest tests/reliability                 # normal run (short soak)
    .venv/bin/python -m pytest tests/reliability -m soak         # full soak
    .venv/bin/python scripts/reliability-report.py --take-latest # commit the runs, render

Every test of tests/reliability records its numbers; each session writes them to
tests/reliability/.results/run-<time>-<pid>.json (not committed). `--take-latest`
copies the latest complete normal run and the latest full soak run found there to
tests/reliability/results/normal.json and soak.json, which are committed. The report
is made from those two files alone: every number in it, tables and prose, comes from
them, so anyone can make it again (tests/test_reports.py does, and compares).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from reliability_downloads import downloads
from reliability_sections import (
    FULL_SOAK,
    NORMAL,
    RESULTS,
    ROOT,
    SOAK,
    concurrency,
    crash,
    deadlines,
    fault_matrix,
    header,
    hostile_input,
    hostile_responses,
    promises,
    secrets,
    soak_section,
    timings,
)

RUNS = ROOT / "tests" / "reliability" / ".results"  # what sessions write, not committed
OUTPUT = ROOT / "RELIABILITY.md"


def load_runs(directory: Path) -> list[dict[str, Any]]:
    """Every session's run file in `directory`, oldest first (each with its `path`)."""
    runs = []
    for path in sorted(directory.glob("run-*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            print(f"reliability-report: skipping {path.name}: {exc}", file=sys.stderr)
            continue
        data["path"] = path
        runs.append(data)
    runs.sort(key=lambda r: r["meta"].get("finished", ""))
    return runs


def take_latest(runs_dir: Path, results_dir: Path) -> list[str]:
    """Copy the latest complete normal run and the latest full soak run of `runs_dir` into
    `results_dir` as normal.json and soak.json, byte for byte; the names copied."""
    runs = load_runs(runs_dir)
    taken = []
    results_dir.mkdir(parents=True, exist_ok=True)
    for name, run in ((NORMAL, pick_normal(runs)), (FULL_SOAK, pick_soak(runs))):
        if run is not None:
            shutil.copyfile(run["path"], results_dir / name)
            taken.append(f"{run['path'].name} -> {name}")
    return taken


def load_results(results_dir: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The committed normal run and, if committed, the full soak run."""
    normal = json.loads((results_dir / NORMAL).read_text())
    soak_path = results_dir / FULL_SOAK
    soak = json.loads(soak_path.read_text()) if soak_path.exists() else None
    return normal, soak


def is_soak_run(run: dict[str, Any]) -> bool:
    expr = run["meta"].get("markexpr") or ""
    return "soak" in expr and "not soak" not in expr


def pick_normal(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest run (not a soak-only run) with the most tests: the whole suite."""
    normal = [r for r in runs if not is_soak_run(r)]
    if not normal:
        return None
    most = max(len(r["tests"]) for r in normal)
    return [r for r in normal if len(r["tests"]) == most][-1]


def pick_soak(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    soaks = [r for r in runs if is_soak_run(r) and SOAK in r["tests"]]
    return soaks[-1] if soaks else None


# Prose only: the figures of these bugs were measured before their fixes, by runs that
# are not committed, so they are not repeated here.
FIXED = """## Bugs the suite found (fixed)

- **Retry budget** (`iso_mount.py`, now `hostup/runtime.py`): under the fault
  matrix's error rate the provider's client ran out of attempts on some calls, and
  some `pulumi up` runs failed a resource. The provider now allows more attempts
  per call; the operation deadline stays the bound.
- **Rollback deadline** (`iso_mount.py`, now `hostup/mounts.py`): the restore of
  the old ISO after a failed update had a fixed budget, far longer than a short
  operation deadline, so such an update overran its deadline many times over. The
  restore now gets at most the deadline.
- **Non-ASCII ids** (`iso_mount.py`, now the one id rule of `hostup/contract.py`):
  fullwidth `/` and `.` and Cyrillic look-alikes passed check's offline validation
  and were sent to the API. Now refused offline.
- **Deeply nested JSON** (`_http.py`): an answer like `[[[[...` raised a raw
  `RecursionError` through every operation. Now a clear "body that is not JSON"
  transport error (2xx) or the status's API error."""


def render(normal: dict[str, Any], soak: dict[str, Any] | None) -> str:
    """RELIABILITY.md from a normal run and, if there is one, a full soak run."""
    tests = normal["tests"]
    sections = [
        header(normal, soak),
        promises(tests, soak),
        fault_matrix(tests),
        deadlines(tests),
        crash(tests),
        concurrency(tests),
        hostile_input(tests),
        hostile_responses(tests),
        secrets(tests, normal["meta"]),
        soak_section(normal, soak),
        downloads(tests),
        timings(normal, soak),
        FIXED,
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--take-latest",
        action="store_true",
        help=f"first copy the latest runs of {RUNS.relative_to(ROOT)} into --results",
    )
    parser.add_argument("--runs", type=Path, default=RUNS, help="where sessions write runs")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the committed results")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.take_latest:
        taken = take_latest(args.runs, args.results)
        if not taken:
            print(f"reliability-report: no runs in {args.runs}; run the suite", file=sys.stderr)
            return 1
        for line in taken:
            print(f"reliability-report: took {line}", file=sys.stderr)
    if not (args.results / NORMAL).exists():
        print(f"reliability-report: no {args.results / NORMAL}; see --help", file=sys.stderr)
        return 1
    args.output.write_text(render(*load_results(args.results)))
    print(f"reliability-report: wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
