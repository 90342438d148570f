"""bench/README.md's section on the ISO workflow, from results/workflow.json alone.

bench/workflow.py writes the file; bench/render.py fills ``{{report:workflow}}``
with :func:`report` (tests/test_reports.py re-renders and checks that no figure is
typed here).
"""

from __future__ import annotations

from typing import Any

from report_numbers import Result, fmt_s

# What each method may cost at the minimum the API allows (the rows), by
# operation; POLLS: as many job polls as the job's length needs (they back off).
POLLS = -1
MINIMUM: dict[str, dict[str, int]] = {
    "check (image)": {},
    "create (download, 1 s job)": {"downloadIsoFromUrl": 1, "getJob": POLLS, "listVpsIsoMedia": 1},
    "create (download, 10 s job)": {
        "downloadIsoFromUrl": 1,
        "getJob": POLLS,
        "listVpsIsoMedia": 1,
    },
    "create (file already there: adopted)": {"downloadIsoFromUrl": 1, "listVpsIsoMedia": 1},
    "read (image)": {"listVpsIsoMedia": 1},
    "delete (image)": {"deleteVpsIsoMedia": 1, "listVpsIsoMedia": 2},
    "create (drive: attach)": {"attachEmptyCdrom": 1, "listVpsIsoMedia": 2},
    "create (drive: adopt)": {"listVpsIsoMedia": 1},
}


def _at_minimum(name: str, count: dict[str, Any]) -> str:
    """Whether the calls are the minimum: every operation as often, polls any number."""
    minimum = MINIMUM.get(name)
    if minimum is None:
        return "-"
    seen = count["by_operation"]
    fixed = {op: n for op, n in minimum.items() if n != POLLS}
    polled = {op for op, n in minimum.items() if n == POLLS}
    ok = {op: n for op, n in seen.items() if op not in polled} == fixed and all(
        seen.get(op, 0) >= 1 for op in polled
    )
    return "yes" if ok else "**no**"


def _ops(count: dict[str, Any]) -> str:
    return ", ".join(f"{op} {n}" for op, n in count["by_operation"].items()) or "none"


def _methods(results: Result) -> str:
    lines = [
        "| provider method | calls | by operation | at the API minimum | seconds |",
        "|---|---|---|---|---|",
    ]
    for name, count in results["methods"].items():
        lines.append(
            f"| {name} | {count['total']} | {_ops(count)} | {_at_minimum(name, count)} "
            f"| {fmt_s(count['seconds'])} |"
        )
    return "\n".join(lines)


def _lookups(results: Result) -> str:
    runs = results["lookups"]
    first = {r["kind"]: r for r in runs["timings"] if r["rep"] == 0}
    medians, added = runs["summary"]["medians"], runs["summary"]["added"]
    lines = [
        "| program | `pulumi up` s | its calls | steady `pulumi preview` s | its calls |",
        "|---|---|---|---|---|",
    ]
    for kind, label in (("ids", "literal ids"), ("lookups", "get_vps + get_iso per mount")):
        lines.append(
            f"| {label} | {fmt_s(medians[kind]['up_s'])} | {_ops(first[kind]['up_calls'])} "
            f"| {fmt_s(medians[kind]['preview_s'])} | {_ops(first[kind]['preview_calls'])} |"
        )
    lines.append(
        f"| **added by the look-ups** (median of the pairs) | "
        f"**{fmt_s(added['up_s']['median_added_s'])}** | | "
        f"**{fmt_s(added['preview_s']['median_added_s'])}** | |"
    )
    return "\n".join(lines)


def report(results: Result) -> str:
    """The tables of the workflow section: calls per method, look-ups against ids."""
    machine, settings, runs = results["machine"], results["settings"], results["lookups"]
    return "\n\n".join(
        [
            f"Measured {machine['date']} at commit `{machine['git_commit']}` "
            f"({machine['cpus']} CPUs, {machine['pulumi']}) by `bench/workflow.py`.",
            "Per provider method, through the real provider host (gRPC), the "
            "simulator's log cleared before and read after each call; read and delete "
            "run in fresh provider processes, as `pulumi refresh` and `pulumi destroy` do:",
            _methods(results),
            f"A program of {runs['n']} mounts on {runs['vpses']} VPSes written against "
            "names, against the same program with literal ids; medians of "
            f"{settings['reps']} interleaved repetitions, calls of the first:",
            _lookups(results),
        ]
    )
