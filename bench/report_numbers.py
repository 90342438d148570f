"""The numbers bench/README.md is made of: targets, API minimums, and the figures
derived from the committed results (medians, paired ratios, the headline).

Every figure comes from results/*.json; what this module holds as constants is the
issue's targets and the API minimums, the yardsticks the verdicts use.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
README = BENCH_DIR / "README.md"
TEMPLATE = BENCH_DIR / "README.template.md"
PLOT = BENCH_DIR / "up-time.png"
RESULTS = BENCH_DIR / "results" / "results.json"
BEFORE = BENCH_DIR / "results" / "before.json"
REPEAT = BENCH_DIR / "results" / "n50-0ms.json"  # run.py --only engine --sizes 50 --latencies 0

# The targets, in the order the README lists them: requirements, not results.
RATIO_TARGET = 1.25  # our `pulumi up` / the engine floor, 0 ms, N = 50
IDEAL_TARGET = 1.05  # our `pulumi up` / (engine floor + raw HTTP floor), 0 ms, N = 50
API_PART_TARGET = 1.25  # (ours - floor) / raw HTTP at the highest latency
STATE_TARGET = 2048  # bytes per resource in `pulumi stack export`
BLOB_TARGET = 200  # bytes of the serialized provider
IMPORT_TARGET_MS = 150.0  # `import pulumi_hostup` over `import pulumi`
FIRST_ANSWER_TARGET = 1.5  # our provider's first Configure+Check / the floor's
RATE_TARGET = 1.3  # `pulumi up` seconds / (accepted calls / the limit's rps)
STEADY_PREVIEW_TARGET = 0  # API calls of a `pulumi preview` with nothing to change

# provider method -> (calls the target allows, the least the API allows)
METHOD_LIMITS: dict[str, tuple[int, int]] = {
    "check (new mount, during `up`)": (0, 0),
    "check (new mount, preview)": (1, 1),
    "create (right after check)": (2, 2),
    "create (cold, ide2)": (3, 3),
    "create (cold, ide3)": (3, 2),
    "check (steady state)": (0, 0),
    "diff (steady state)": (0, 0),
    "read x3 (three mounts on one VPS)": (1, 1),
    "update (cold)": (3, 3),
    "delete": (3, 3),
    "check (iso_id changed)": (1, 1),
    "update (right after check)": (3, 2),
}
METHOD_NOTES: dict[str, str] = {
    "check (new mount, during `up`)": "create's own read decides, in parallel",
    "check (new mount, preview)": "one listing answers ISO, slot, gate",
    "create (right after check)": "mount + confirm; check's listing reused",
    "create (cold, ide2)": "gate read + mount + confirm",
    "create (cold, ide3)": "the previous confirm read is this gate read",
    "check (steady state)": "nothing changed: offline",
    "diff (steady state)": "pure",
    "read x3 (three mounts on one VPS)": "one listing per VPS",
    "update (cold)": "read (is the old ISO still there?) + mount + confirm",
    "delete": "read (is it ours?) + unmount + confirm",
    "check (iso_id changed)": "validates the new ISO against the listing",
    "update (right after check)": "mount + confirm; check's listing reused",
}


Result = dict[str, Any]  # one results file, as run.py wrote it


def fmt_s(value: float) -> str:
    return f"{value:.2f}"


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# -- derived numbers --------------------------------------------------------------------


def runs(results: dict[str, Any], kind: str, n: int, latency: float) -> list[dict[str, Any]]:
    return [
        t
        for t in results["engine"]["timings"]
        if t["kind"] == kind and t["n"] == n and t["latency_ms"] == latency
    ]


def paired_ratio(results: dict[str, Any], n: int, latency: float) -> tuple[float, list[float]]:
    """Median over repetitions of ours / floor, each pair measured back to back."""
    ours = {t["rep"]: t["up_s"] for t in runs(results, "hostup", n, latency)}
    floor = {t["rep"]: t["up_s"] for t in runs(results, "floor", n, latency)}
    ratios = [ours[rep] / floor[rep] for rep in sorted(ours) if rep in floor]
    return median(ratios), ratios


def paired_ideal_ratio(
    results: dict[str, Any], n: int, latency: float
) -> tuple[float, list[float]]:
    """Median over repetitions of ours / (floor + raw HTTP) of the same repetition: how
    far we are from the fastest any provider could be on this API and this engine."""
    by_rep = {
        kind: {t["rep"]: t["up_s"] for t in runs(results, kind, n, latency)}
        for kind in ("hostup", "floor", "raw")
    }
    ours, floor, raw = by_rep["hostup"], by_rep["floor"], by_rep["raw"]
    ratios = [ours[r] / (floor[r] + raw[r]) for r in sorted(ours) if r in floor and r in raw]
    return median(ratios), ratios


def up_row(results: dict[str, Any], n: int, latency: float) -> dict[str, float]:
    def med(kind: str) -> float:
        return median(t["up_s"] for t in runs(results, kind, n, latency))

    def spread(kind: str) -> tuple[float, float]:
        values = [t["up_s"] for t in runs(results, kind, n, latency)]
        return min(values), max(values)

    ours, floor, raw = med("hostup"), med("floor"), med("raw")
    ratio, _ = paired_ratio(results, n, latency)
    return {
        "ours": ours,
        "ours_lo": spread("hostup")[0],
        "ours_hi": spread("hostup")[1],
        "floor": floor,
        "floor_lo": spread("floor")[0],
        "floor_hi": spread("floor")[1],
        "raw": raw,
        "ratio": ratio,
        "api_part": ours - floor,
    }


def up_calls(results: Result, n: int) -> int:
    """The API calls of our `pulumi up` of n new mounts (counted on its first repetition)."""
    return int(results["engine"]["commands"][str(n)]["up (creates)"]["total"])


def preview_row(results: Result, n: int, latency: float) -> dict[str, Any]:
    """`pulumi preview` of n new mounts: medians of ours and the floor, our calls, VPSes."""
    picked = [
        t for t in results["preview"]["timings"] if t["n"] == n and t["latency_ms"] == latency
    ]
    ours = [t for t in picked if t["kind"] == "hostup"]
    return {
        "ours": median(t["preview_s"] for t in ours),
        "floor": median(t["preview_s"] for t in picked if t["kind"] == "floor"),
        "calls": max(t["calls"] for t in ours),
        "vpses": ours[0]["vpses"],
    }


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The numbers the target table needs."""
    settings = results["settings"]
    sizes, latencies = settings["sizes"], settings["latencies_ms"]
    n_max, lat0 = max(sizes), min(latencies)
    out: dict[str, Any] = {"n_max": n_max}
    out["ratio"], out["ratios"] = paired_ratio(results, n_max, lat0)
    out["ideal"], out["ideals"] = paired_ideal_ratio(results, n_max, lat0)
    state = results["engine"]["state"]["hostup"][str(n_max)]
    out["state"] = state
    out["floor_state"] = results["engine"]["state"]["floor"][str(n_max)]
    imports = results["startup"]["imports"]["import pulumi_hostup"]
    out["import_ms"] = imports["median_ms"]
    first = results["startup"]["first_answer"]
    out["first_floor"] = first["floor"]["first_check_s"]
    out["first_steady"] = first["hostup (steady-state check)"]["first_check_s"]
    out["first_new"] = first["hostup (new mount: check reads the listing)"]["first_check_s"]
    out["rate"] = results["rate_limit"]
    return out
