"""Write bench/README.md and bench/up-time.png from the committed JSON results.

    .venv/bin/python bench/render.py

README.md is README.template.md with its placeholders filled: ``{{block:NAME}}`` by a
table (`report_blocks.BLOCKS`), ``{{name}}`` by one figure (`figures()`), and
``{{report:NAME}}`` by the report of another benchmark script from its own results
file (`REPORTS`). Every number
comes from results/results.json, results/n50-0ms.json or results/before.json, through
`report_numbers`, which also holds the issue's targets and the API minimums. The
template itself states no figure (tests/test_reports.py checks that, and that this
renders README.md byte for byte).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Run as a script or loaded by path (tests/test_reports.py): its siblings import alike.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_blocks import BLOCKS
from report_native import block_native
from report_numbers import (
    BEFORE,
    IDEAL_TARGET,
    PLOT,
    RATIO_TARGET,
    README,
    REPEAT,
    RESULTS,
    STATE_TARGET,
    TEMPLATE,
    Result,
    fmt_s,
    headline,
    median,
    paired_ideal_ratio,
    paired_ratio,
    preview_row,
    runs,
    up_calls,
    up_row,
)
from report_opentofu import TOFU_BLOCKS
from report_workflow import report as workflow_report

# -- the figures in the template's prose -------------------------------------------------------


def figures(results: Result, before: Result, repeat: Result) -> dict[str, str]:
    """Every ``{{name}}`` of the template, formatted as the prose shows it."""
    s, m = results["settings"], results["machine"]
    h, hb = headline(results), headline(before)
    n, lat_lo, lat_hi = h["n_max"], min(s["latencies_ms"]), max(s["latencies_ms"])
    low, high = up_row(results, n, lat_lo), up_row(results, n, lat_hi)
    commands = results["engine"]["commands"][str(n)]
    state, floor_state = h["state"], h["floor_state"]
    fields, floor_fields = (
        state["compact_bytes_by_field_mean"],
        floor_state["compact_bytes_by_field_mean"],
    )
    raw_calls = {t["calls"] for t in runs(results, "raw", n, lat_lo)}
    repeat_n, repeat_latency = repeat["settings"]["sizes"][0], repeat["settings"]["latencies_ms"][0]
    repeat_ratio, repeat_ratios = paired_ratio(repeat, repeat_n, repeat_latency)
    repeat_ideal, repeat_ideals = paired_ideal_ratio(repeat, repeat_n, repeat_latency)
    preview_lo, preview_hi = preview_row(results, n, lat_lo), preview_row(results, n, lat_hi)
    workers = s["provider_host_workers"]

    def kib(size: float) -> str:
        return f"{size / 1024:.1f}"

    return {
        "bench_minutes": f"{m['bench_seconds'] / 60:.0f}",
        "before_commit": before["machine"]["git_commit"],
        "workers": str(workers),
        "parallel": str(s["pulumi_parallel"]),
        "cpus": str(m["cpus"]),
        "pulumi": m["pulumi"],
        "n_max": str(n),
        "vpses": str(commands["vpses"]),
        "reps": str(s["reps"]),
        "latencies": ", ".join(f"{v:g}" for v in s["latencies_ms"]),
        "lat_lo": f"{lat_lo:g}",
        "lat_hi": f"{lat_hi:g}",
        "floor_lo": fmt_s(low["floor"]),
        "before_floor_lo": fmt_s(up_row(before, n, lat_lo)["floor"]),
        "ratio": f"{h['ratio']:.2f}",
        "ideal": f"{h['ideal']:.2f}",
        "ideal_target": f"{IDEAL_TARGET:g}",
        "ideal_verdict": "met" if h["ideal"] <= IDEAL_TARGET else "missed",
        "ideal_min": f"{min(h['ideals']):.2f}",
        "ideal_max": f"{max(h['ideals']):.2f}",
        "ratio_target": f"{RATIO_TARGET:g}",
        "ratio_verdict": "met" if h["ratio"] <= RATIO_TARGET else "missed",
        "ratio_min": f"{min(h['ratios']):.2f}",
        "ratio_max": f"{max(h['ratios']):.2f}",
        "repeat_n": str(repeat_n),
        "repeat_latency": f"{repeat_latency:g}",
        "repeat_reps": str(len(repeat_ratios)),
        "repeat_ratio": f"{repeat_ratio:.2f}",
        "repeat_ideal": f"{repeat_ideal:.2f}",
        "repeat_ideal_min": f"{min(repeat_ideals):.2f}",
        "repeat_ideal_max": f"{max(repeat_ideals):.2f}",
        "repeat_ideal_within": str(sum(r <= IDEAL_TARGET for r in repeat_ideals)),
        "repeat_ratio_min": f"{min(repeat_ratios):.2f}",
        "repeat_ratio_max": f"{max(repeat_ratios):.2f}",
        "repeat_within": str(sum(r <= RATIO_TARGET for r in repeat_ratios)),
        "api_part_lo": fmt_s(low["api_part"]),
        "api_part_hi": fmt_s(high["api_part"]),
        "before_api_part_hi": fmt_s(up_row(before, n, lat_hi)["api_part"]),
        "raw_lo": fmt_s(low["raw"]),
        "raw_hi": fmt_s(high["raw"]),
        "raw_calls": ", ".join(str(c) for c in sorted(raw_calls)),
        "ideal_ratio": f"{(low['floor'] + low['raw']) / low['floor']:.2f}",
        "up_calls": str(up_calls(results, n)),
        "calls_per_mount": f"{up_calls(results, n) / n:.1f}",
        "api_part_model": fmt_s(up_calls(results, n) * lat_hi / 1000 / workers),
        "preview_over_floor_lo": fmt_s(preview_lo["ours"] - preview_lo["floor"]),
        "preview_over_floor_hi": fmt_s(preview_hi["ours"] - preview_hi["floor"]),
        "preview_latency_hi": fmt_s(preview_hi["vpses"] * lat_hi / 1000),
        "first_steady_ratio": f"{h['first_steady'] / h['first_floor']:.2f}",
        "first_new_ratio": f"{h['first_new'] / h['first_floor']:.2f}",
        "first_new_minus_steady_ms": f"{(h['first_new'] - h['first_steady']) * 1000:.0f}",
        "before_import_ms": f"{hb['import_ms']:.0f}",
        "state_kb": kib(state["bytes_per_resource_mean"]),
        "state_compact_kb": kib(state["compact_bytes_per_resource_max"]),
        "state_target_kb": kib(STATE_TARGET),
        "floor_state_kb": kib(floor_state["bytes_per_resource_mean"]),
        "frames": str(state["stack_trace_frames"]),
        "stack_trace_kb": kib(fields["stackTrace"]),
        "blob": str(state["provider_blob_bytes"]),
        "inputs_outputs": str(fields["inputs"] + fields["outputs"]),
        "compact_over_floor": str(
            state["compact_bytes_per_resource_max"] - floor_state["compact_bytes_per_resource_max"]
        ),
        "outputs_over_floor": str(fields["outputs"] - floor_fields["outputs"]),
        "flag_bytes": str(fields["propertyDependencies"] - floor_fields["propertyDependencies"]),
        "rps": f"{h['rate']['rps']:g}",
        "rate_mounts": str(h["rate"]["mounts"]),
        "rate_vpses": str(h["rate"]["calls"]["vpses"]),
    }


# -- the plot ---------------------------------------------------------------------------------


def plot(results: dict[str, Any], path: Path) -> None:
    """One panel per API latency: ours, the engine floor, raw HTTP, and floor + raw."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = results["settings"]
    sizes, latencies = s["sizes"], s["latencies_ms"]
    fig, axes = plt.subplots(1, len(latencies), figsize=(5.5 * len(latencies), 4.6), dpi=110)
    axes = axes if len(latencies) > 1 else [axes]
    styles = {
        "hostup": ("tab:blue", "-", "VpsIsoMount `pulumi up` (ours)"),
        "floor": ("tab:gray", "-", "engine floor: same resources, no I/O"),
        "raw": ("tab:orange", "-", "raw HTTP: the same calls, no engine"),
    }
    for ax, latency in zip(axes, latencies, strict=True):
        meds: dict[str, list[float]] = {}
        for kind, (color, line, label) in styles.items():
            meds[kind], lows, highs = [], [], []
            for n in sizes:
                values = [t["up_s"] for t in runs(results, kind, n, latency)]
                meds[kind].append(median(values))
                lows.append(meds[kind][-1] - min(values))
                highs.append(max(values) - meds[kind][-1])
            ax.errorbar(
                sizes, meds[kind], yerr=[lows, highs], marker="o", capsize=3,
                color=color, linestyle=line, label=label,
            )  # fmt: skip
        ideal = [f + r for f, r in zip(meds["floor"], meds["raw"], strict=True)]
        ax.plot(sizes, ideal, color="tab:green", linestyle="--", label="engine floor + raw HTTP")
        ax.set_title(f"{latency:g} ms API latency", fontsize=10)
        ax.set_xlabel("mounts (resources) in one `pulumi up`")
        ax.set_xticks(sizes)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("seconds (median; bars: min-max)")
    axes[0].legend(fontsize=8, loc="upper left")
    m = results["machine"]
    fig.suptitle(
        f"pulumi up time against resources ({m['cpus']} CPUs, {m['date']}, "
        f"{s['reps']} repetitions)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# -- main ---------------------------------------------------------------------------------------


PLACEHOLDER = re.compile(r"\{\{(block:|report:)?([a-z0-9_-]+)\}\}")
# Benchmarks of their own, each rendered from its own results file: {{report:NAME}}.
REPORTS: dict[str, tuple[Path, Callable[[Result], str]]] = {
    "workflow": (RESULTS.parent / "workflow.json", workflow_report),
}
BANNER = (
    "<!-- Written by bench/render.py from README.template.md and results/*.json: "
    "edit those, not this file. -->\n"
)


def render(template: str, results: Result, before: Result, repeat: Result) -> str:
    """README.md: the template with every placeholder filled; SystemExit on an unknown one."""
    values = figures(results, before, repeat)

    def fill(match: re.Match[str]) -> str:
        block, name = match.group(1), match.group(2)
        if block == "report:":
            if name not in REPORTS:
                raise SystemExit(f"render: no report named {name!r}")
            path, make = REPORTS[name]
            return make(load(path))
        if block:
            # native: results/native.json (bench/native.py); TOFU_BLOCKS: results/opentofu.json
            blocks = {**BLOCKS, **TOFU_BLOCKS, "native": block_native}
            if name not in blocks:
                raise SystemExit(f"render: no block named {name!r}")
            return blocks[name](results, before, repeat)
        if name not in values:
            raise SystemExit(f"render: no figure named {name!r}")
        return values[name]

    return BANNER + PLACEHOLDER.sub(fill, template)


def load(path: Path) -> Result:
    result: Result = json.loads(path.read_text())
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--before", type=Path, default=BEFORE)
    parser.add_argument("--repeat", type=Path, default=REPEAT)
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--plot", type=Path, default=PLOT)
    args = parser.parse_args(argv)
    results = load(args.results)
    readme = render(args.template.read_text(), results, load(args.before), load(args.repeat))
    args.readme.write_text(readme)
    plot(results, args.plot)
    print(f"render: wrote {args.readme} and {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
