"""The OpenTofu tables of bench/README.md (``{{block:opentofu-*}}``), from
results/opentofu.json, which bench/opentofu.py writes.

Every figure comes from that file; the constants here are the issue's target and
the structural API minimums, the yardsticks of the verdicts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from report_numbers import BENCH_DIR, fmt_s, median, table, verdict

TOFU_RESULTS = BENCH_DIR / "results" / "opentofu.json"
# The target: our `tofu apply` / the Python floor's at the largest N.
TOFU_RATIO_TARGET = 1.25
COMMANDS = ("apply", "plan", "destroy")
# The least the API allows per mount (one mount per VPS): apply a read, the mount and
# a confirming read; a refresh one read; destroy the refresh, the unmount and a
# confirming read (a fresh read before the unmount is ours: it is the destructive step).
MINIMUM_PER_MOUNT = {"apply": 3, "plan": 1, "destroy": 3}
# `tofu apply` starts the provider once per phase: schema, validate, plan, apply (as its
# trace log shows); only the last makes API calls.
APPLY_PROCESSES = 4


def load() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TOFU_RESULTS.read_text())
    return loaded


def _times(data: dict[str, Any], kind: str, n: int, command: str) -> list[float]:
    return [r[f"{command}_s"] for r in data["runs"] if r["kind"] == kind and r["n"] == n]


def _calls(data: dict[str, Any], n: int, command: str, kind: str = "hostup") -> int:
    counts = {
        sum(r["calls"][command].values()) for r in data["runs"] if r["kind"] == kind and r["n"] == n
    }
    return max(counts)


def _sim_cpu(data: dict[str, Any], kind: str, n: int, command: str) -> float:
    return median(
        r["sim_cpu_s"][command] for r in data["runs"] if r["kind"] == kind and r["n"] == n
    )


FLOORS = {"floor": "the Python floor", "apifloor": "the API floor", "gofloor": "the Go floor"}


def floors(data: dict[str, Any]) -> list[str]:
    """The floors this run measured (the Go one only when it was built)."""
    return [kind for kind in FLOORS if kind in data["settings"].get("kinds", ["floor"])]


def ratio(
    data: dict[str, Any], n: int, command: str, floor: str = "floor", kind: str = "hostup"
) -> float:
    """``kind``'s median time over ``floor``'s (ours over the Python floor by default)."""
    ours, base = (median(_times(data, k, n, command)) for k in (kind, floor))
    return ours / base


def per_repetition(data: dict[str, Any], n: int, command: str, floor: str) -> list[float]:
    """Ours over ``floor`` in each repetition (the kinds run back to back in each)."""
    ours, base = (_times(data, kind, n, command) for kind in ("hostup", floor))
    return [o / b for o, b in zip(ours, base, strict=True)]


def block_machine(_r: Any = None, _b: Any = None, _p: Any = None) -> str:
    data = load()
    m, s = data["machine"], data["settings"]
    rows = [
        ("date", m["date"]),
        ("machine", f"{m['cpu_model']}, {m['cpus']} CPUs, {m['memory_gb']} GB RAM"),
        ("Python / OpenTofu", f"{m['python']} / {m['tofu']}"),
        ("commit measured", m["git_commit"]),
        ("whole run", f"{m['bench_seconds']:.0f} s"),
        ("repetitions", f"{s['reps']} of each command (median reported), interleaved"),
    ]
    return table(("", ""), rows)


def block_times(_r: Any = None, _b: Any = None, _p: Any = None) -> str:
    data = load()
    kinds = ["hostup", *floors(data)]
    rows = []
    for n in data["settings"]["sizes"]:
        for command in COMMANDS:
            seconds = {k: median(_times(data, k, n, command)) for k in kinds}
            rows.append(
                [n, f"`tofu {command}`"]
                + [fmt_s(seconds[k]) for k in kinds]
                + [f"{seconds['hostup'] / seconds[k]:.2f}" for k in kinds[1:]]
            )
    header = (
        ["N", "command", "ours (s)"]
        + [f"{FLOORS[k]} (s)" for k in kinds[1:]]
        + [f"ours / {FLOORS[k]}" for k in kinds[1:]]
    )
    return table(header, rows)


def block_target(_r: Any = None, _b: Any = None, _p: Any = None) -> str:
    data = load()
    n = max(data["settings"]["sizes"])
    rows = []
    for floor in floors(data):
        for command in COMMANDS:
            measured = ratio(data, n, command, floor)
            targeted = floor == "floor" and command == "apply"
            shown = f"{measured:.2f}"
            if targeted:
                each = per_repetition(data, n, command, floor)
                within = sum(r <= TOFU_RATIO_TARGET for r in each)
                shown += (
                    f" (per repetition: {', '.join(f'{r:.2f}' for r in each)}; "
                    f"{within} of {len(each)} within)"
                )
            rows.append(
                (
                    f"`tofu {command}` of N = {n}: ours / {FLOORS[floor]}",
                    f"<= {TOFU_RATIO_TARGET:g}" if targeted else "",
                    shown,
                    verdict(measured <= TOFU_RATIO_TARGET) if targeted else "",
                )
            )
    if "apifloor" in floors(data):
        rows += [
            (
                f"`tofu {command}` of N = {n}: the API floor / the Python floor",
                "",
                f"{ratio(data, n, command, 'floor', kind='apifloor'):.2f}",
                "",
            )
            for command in COMMANDS
        ]
    return table(("measure", "target", "measured", "verdict"), rows)


def block_calls(_r: Any = None, _b: Any = None, _p: Any = None) -> str:
    data = load()
    api_floor = "apifloor" in floors(data)
    rows = []
    for n in data["settings"]["sizes"]:
        row: list[object] = [n]
        for command in COMMANDS:
            row.append(_calls(data, n, command))
            if api_floor:
                row.append(_calls(data, n, command, "apifloor"))
            row.append(MINIMUM_PER_MOUNT[command] * n)
        rows.append(row)
    labels = ("ours", "API floor", "minimum") if api_floor else ("ours", "minimum")
    header = ["N"] + [f"{command}: {label}" for command in COMMANDS for label in labels]
    return table(header, rows)


def block_split(_r: Any = None, _b: Any = None, _p: Any = None) -> str:
    """At the largest N, per command: what the API's work adds to the Python floor (the
    API floor's excess), what our code adds on top (ours over the API floor), and the
    simulator's CPU time for ours and for the API floor."""
    data = load()
    n = max(data["settings"]["sizes"])
    rows = []
    for command in COMMANDS:
        ours, api, floor = (
            median(_times(data, kind, n, command)) for kind in ("hostup", "apifloor", "floor")
        )
        rows.append(
            (
                f"`tofu {command}`",
                fmt_s(floor),
                f"+{fmt_s(api - floor)}",
                f"{ours - api:+.2f}",
                fmt_s(_sim_cpu(data, "hostup", n, command)),
                fmt_s(_sim_cpu(data, "apifloor", n, command)),
            )
        )
    header = (
        f"N = {n}",
        "the Python floor (s)",
        "the API's calls with `requests` (s)",
        "our code on top (s)",
        "simulator CPU, ours (s)",
        "simulator CPU, API floor (s)",
    )
    return table(header, rows)


def block_startup(_r: Any = None, _b: Any = None, _p: Any = None) -> str:
    data = load()
    start = data["startup"]
    labels = {
        "hostup": "terraform-provider-hostup: spawn to handshake",
        "floor": "the Python floor: spawn to handshake",
        "apifloor": "the API floor: spawn to handshake",
        "gofloor": "the Go floor: spawn to handshake",
        "tofu_version": "`tofu version`",
        "provider_modules_import": "ours, every process: our provider's modules and schemas",
        "requests_import": "ours and the API floor, first call: importing `requests`",
        "core_http_import": "ours, first call: the core's client, `pydantic` and the models",
        "listing_model_build": "ours, first call: building the listing model's validator",
        "create_cpu_ours": "ours, once loaded: client CPU per create (its calls), one thread",
        "create_cpu_api_floor": "the API floor's calls: client CPU per create, one thread",
        "teardown_framework": "a floor process's teardown after its work (the framework loaded)",
        "teardown_ours_loaded": "the teardown ours skips (the framework, ours and the HTTP stack)",
    }
    rows = [
        (label, f"{median(start[key]) * 1000:.1f}", f"{min(start[key]) * 1000:.1f}")
        for key, label in labels.items()
        if key in start
    ]
    return table(("process", "median (ms)", "min (ms)"), rows)


def block_budget(_r: Any = None, _b: Any = None, _p: Any = None) -> str:
    """The target as a time budget for `tofu apply` at the largest N, and what takes it:
    the API's calls (the API floor's excess), our loads (start-up medians: our modules in
    every process, the client stack and the listing model in the calling one, beyond
    the `requests` the API floor loads too), less the teardowns ours skips, and our code
    on top as measured."""
    data = load()
    n = max(data["settings"]["sizes"])
    start = data["startup"]
    floor, api, ours = (
        median(_times(data, kind, n, "apply")) for kind in ("floor", "apifloor", "hostup")
    )
    allowed = (TOFU_RATIO_TARGET - 1) * floor
    loads = APPLY_PROCESSES * median(start["provider_modules_import"]) + sum(
        median(start[key]) for key in ("core_http_import", "listing_model_build")
    )
    per_create = median(start["create_cpu_ours"]) - median(start["create_cpu_api_floor"])
    rows = [
        ("what the target allows above the Python floor", fmt_s(allowed)),
        (
            "of which the API's calls with `requests` take (the API floor's excess)",
            fmt_s(api - floor),
        ),
        ("left for our code", fmt_s(allowed - (api - floor))),
        (
            f"our loads: our modules in each of the {APPLY_PROCESSES} processes, the core's "
            "client, `pydantic`, the models and the listing validator in the calling one",
            fmt_s(loads),
        ),
        (f"our client's extra CPU for {n} creates, one thread", fmt_s(per_create * n)),
        (
            "less the teardowns ours skips, which the floors pay (at least the "
            f"framework's, in each of the {APPLY_PROCESSES} processes)",
            f"-{fmt_s(APPLY_PROCESSES * median(start['teardown_framework']))}",
        ),
        ("our code on top, measured (ours over the API floor)", fmt_s(ours - api)),
    ]
    return table((f"`tofu apply`, N = {n}", "seconds"), rows)


TOFU_BLOCKS: dict[str, Callable[..., str]] = {
    "opentofu-machine": block_machine,
    "opentofu-target": block_target,
    "opentofu-times": block_times,
    "opentofu-calls": block_calls,
    "opentofu-startup": block_startup,
    "opentofu-split": block_split,
    "opentofu-budget": block_budget,
}
