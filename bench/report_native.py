"""The native provider's table of bench/README.md (``{{block:native}}``), from
results/native.json (bench/native.py). Every figure comes from that file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from report_numbers import BENCH_DIR, fmt_s, table

NATIVE = BENCH_DIR / "results" / "native.json"

LABELS = {
    "floor": "engine floor (no-I/O dynamic provider, Python program)",
    "dynamic": "`pulumi_hostup.VpsIsoMount` (dynamic, Python program)",
    "native-python": "`hostup:index:VpsIsoMount` (native, Python program, generated SDK)",
    "native-yaml": "`hostup:index:VpsIsoMount` (native, YAML program)",
}


def load_native(path: Path = NATIVE) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def block_native(*_: Any) -> str:
    """Medians per stack kind: `pulumi up` of N creates and a steady preview, with calls."""
    native = load_native()
    s, m, summary = native["settings"], native["machine"], native["summary"]
    rows = []
    for kind in s["kinds"]:
        med, ratio = summary["medians"][kind], summary["ratios"][kind]
        rows.append(
            (
                LABELS[kind],
                fmt_s(med["up_s"]),
                f"{ratio['over_floor']:.2f}",
                f"{ratio['over_dynamic']:.2f}",
                f"{med['up_calls']:g}",
                fmt_s(med["preview_s"]),
                f"{med['preview_calls']:g}",
            )
        )
    header = (
        "stack",
        f"`pulumi up`, N = {s['mounts']} (s)",
        "/ floor",
        "/ dynamic",
        "API calls (up)",
        "steady preview (s)",
        "API calls (preview)",
    )
    note = (
        f"Medians of {s['reps']} repetitions at {s['latency_ms']:g} ms API latency, "
        f"run in turn in one session ({m['date']}, {m['cpus']} CPUs, commit "
        f"`{m['git_commit']}`, Pulumi {m['pulumi']}, {m['bench_seconds'] / 60:.0f} min)."
    )
    return table(header, rows) + "\n\n" + note
