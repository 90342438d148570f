"""The tables of bench/README.md, one ``{{block:NAME}}`` each (`BLOCKS`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from report_numbers import (
    API_PART_TARGET,
    BLOB_TARGET,
    FIRST_ANSWER_TARGET,
    IDEAL_TARGET,
    IMPORT_TARGET_MS,
    METHOD_LIMITS,
    METHOD_NOTES,
    RATE_TARGET,
    RATIO_TARGET,
    STATE_TARGET,
    STEADY_PREVIEW_TARGET,
    Result,
    fmt_s,
    headline,
    median,
    paired_ratio,
    preview_row,
    runs,
    table,
    up_calls,
    up_row,
    verdict,
)

# -- the tables ----------------------------------------------------------------------------------


def block_machine(results: Result, before: Result, repeat: Result) -> str:
    m, s = results["machine"], results["settings"]
    rows = [
        ("date", m["date"]),
        ("machine", f"{m['cpu']}, {m['cpus']} CPUs, {m['memory_gb']} GB RAM"),
        ("OS", m["os"]),
        ("Python / Pulumi CLI", f"{m['python']} / {m['pulumi']}"),
        ("commit measured", m["git_commit"]),
        (
            "load average at start / end",
            f"{_load(m['load_average_start'])} / {_load(m['load_average_end'])}",
        ),
        ("whole run", f"{m['bench_seconds']:.0f} s"),
        ("repetitions", f"{s['reps']} of each `pulumi up` (median reported), interleaved"),
        (
            "parallelism",
            f"`pulumi up` default `--parallel` {s['pulumi_parallel']} "
            f"({s['pulumi_parallel'] / m['cpus']:g} x CPUs); provider host "
            f"{s['provider_host_workers']} worker threads",
        ),
    ]
    return table(("", ""), rows)


def _load(values: Sequence[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def block_targets(results: Result, before: Result, repeat: Result) -> str:
    h = headline(results)
    methods = {name: step["total"] for name, step in results["methods"].items()}
    commands = results["engine"]["commands"][str(h["n_max"])]
    n_max, vpses = commands["mounts"], commands["vpses"]
    lat_lo, lat_hi = (
        min(results["settings"]["latencies_ms"]),
        max(results["settings"]["latencies_ms"]),
    )
    workers = results["settings"]["provider_host_workers"]
    cold, warm = "create (cold, ide2)", "create (right after check)"
    update, delete = "update (cold)", "delete"

    def allowed(method: str) -> int:
        return METHOD_LIMITS[method][0]

    def within(method: str) -> bool:
        return bool(methods[method] <= allowed(method))

    slow = up_row(results, n_max, lat_hi)
    serial = n_max * lat_hi / 1000
    rate = h["rate"]
    state, blob = h["state"], h["state"]["provider_blob_bytes"]
    rows = [
        (
            f"steady-state `pulumi preview`: {STEADY_PREVIEW_TARGET} calls",
            f"{commands['preview (no changes)']['total']} calls ({n_max} mounts)",
            verdict(commands["preview (no changes)"]["total"] <= STEADY_PREVIEW_TARGET),
        ),
        (
            f"create <= {allowed(cold)} calls, {allowed(warm)} after check's read",
            f"cold {methods[cold]}, after check {methods[warm]}; `up`: "
            f"{commands['up (creates)']['total'] / n_max:g} per mount (its checks read nothing)",
            verdict(within(cold) and within(warm)),
        ),
        (
            f"update <= {allowed(update)} calls",
            f"cold {methods[update]}, after check {methods['update (right after check)']}",
            verdict(within(update)),
        ),
        (f"delete <= {allowed(delete)} calls", f"{methods[delete]}", verdict(within(delete))),
        (
            "`pulumi refresh`: one GET per VPS",
            f"{commands['refresh (no drift)']['total']} GETs for {n_max} mounts on {vpses} VPSes",
            verdict(commands["refresh (no drift)"]["total"] == vpses),
        ),
        (
            f"`pulumi up` N={n_max}, {lat_lo:g} ms: ours / engine floor <= {RATIO_TARGET}",
            f"{h['ratio']:.2f} (per repetition: {', '.join(f'{r:.2f}' for r in h['ratios'])})",
            verdict(h["ratio"] <= RATIO_TARGET),
        ),
        (
            f"`pulumi up` N={n_max}, {lat_lo:g} ms: ours / (engine floor + raw HTTP) "
            f"<= {IDEAL_TARGET}",
            f"{h['ideal']:.2f} (per repetition: {', '.join(f'{r:.2f}' for r in h['ideals'])})",
            verdict(h["ideal"] <= IDEAL_TARGET),
        ),
        (
            f"`pulumi up` N={n_max}, {lat_hi:g} ms: API part scales with parallelism, not N",
            f"ours - floor {fmt_s(slow['api_part'])} s; raw HTTP at {workers} workers "
            f"{fmt_s(slow['raw'])} s; N x latency {serial:.2f} s",
            verdict(slow["api_part"] <= API_PART_TARGET * slow["raw"]),
        ),
        (
            f"state <= {STATE_TARGET} B per resource",
            f"{state['bytes_per_resource_mean']:.0f} B ({state['compact_bytes_per_resource_max']}"
            f" B compact); the floor's: {h['floor_state']['bytes_per_resource_mean']:.0f} B",
            verdict(state["bytes_per_resource_mean"] <= STATE_TARGET),
        ),
        (
            f"provider blob <= {BLOB_TARGET} B",
            f"{blob} B, stored as plain text",
            verdict(blob is not None and blob <= BLOB_TARGET),
        ),
        (
            f"`import pulumi_hostup` <= {IMPORT_TARGET_MS:g} ms over `import pulumi`",
            f"{h['import_ms']:.0f} ms",
            verdict(h["import_ms"] <= IMPORT_TARGET_MS),
        ),
        (
            f"first Configure+Check <= {FIRST_ANSWER_TARGET}x the trivial provider's",
            f"{h['first_steady'] / h['first_floor']:.2f}x steady-state check "
            f"({h['first_steady'] * 1000:.0f} vs {h['first_floor'] * 1000:.0f} ms); "
            f"{h['first_new'] / h['first_floor']:.2f}x for a new mount's live check",
            verdict(h["first_steady"] / h["first_floor"] <= FIRST_ANSWER_TARGET),
        ),
        (
            f"{rate['rps']:g} req/s limit, {rate['mounts']} mounts: no failure, "
            f"<= {RATE_TARGET}x calls/{rate['rps']:g} s",
            f"{'succeeded' if rate['succeeded'] else 'FAILED'}; {fmt_s(rate['up_s'])} s for "
            f"{rate['calls']['accepted']} calls = {rate['ratio']:.2f}x",
            verdict(rate["succeeded"] and rate["ratio"] <= RATE_TARGET),
        ),
    ]
    return table(("target", "measured", "verdict"), rows)


def block_methods(results: Result, before: Result, repeat: Result) -> str:
    rows = []
    for name, step in results["methods"].items():
        allowed, least = METHOD_LIMITS.get(name, (None, None))
        ops = ", ".join(f"{op} {count}" for op, count in step["by_operation"].items()) or "-"
        rows.append((name, step["total"], ops, allowed, least, METHOD_NOTES.get(name, "")))
    return table(("provider method", "calls", "by operation", "target", "API minimum", "why"), rows)


def block_commands(results: Result, before: Result, repeat: Result) -> str:
    out = []
    for commands in results["engine"]["commands"].values():
        mounts, vpses = commands["mounts"], commands["vpses"]
        minimum = {
            "preview (creates)": vpses,
            "up (creates)": 2 * mounts + vpses,
            "preview (no changes)": 0,
            "refresh (no drift)": vpses,
            "up (update every iso_id)": 2 * mounts + vpses,
            "destroy": 2 * mounts + vpses,
        }
        rows = []
        for name, step in commands.items():
            if not isinstance(step, dict):
                continue
            ops = ", ".join(f"{op} {c}" for op, c in step["by_operation"].items()) or "-"
            per = f"{step['total'] / mounts:.2f}"
            rows.append((f"`pulumi {name}`", step["total"], per, minimum.get(name, ""), ops))
        out.append(f"N = {mounts} mounts on {vpses} VPSes:\n")
        out.append(
            table(("command", "calls", "per mount", "API minimum", "by operation"), rows) + "\n"
        )
    return "\n".join(out).rstrip()


def per_point(
    results: Result, row: Callable[[int, float], Sequence[object] | None]
) -> list[Sequence[object]]:
    """`row(n, latency)` for every latency and size of the run, in that order (None: none)."""
    s = results["settings"]
    rows = [row(n, latency) for latency in s["latencies_ms"] for n in s["sizes"]]
    return [r for r in rows if r is not None]


def block_up_times(results: Result, before: Result, repeat: Result) -> str:
    def row(n: int, latency: float) -> Sequence[object]:
        r = up_row(results, n, latency)
        return (
            n,
            f"{latency:g}",
            f"{fmt_s(r['ours'])} ({fmt_s(r['ours_lo'])}-{fmt_s(r['ours_hi'])})",
            f"{fmt_s(r['floor'])} ({fmt_s(r['floor_lo'])}-{fmt_s(r['floor_hi'])})",
            f"{r['ratio']:.2f}",
            fmt_s(r["api_part"]),
            fmt_s(r["raw"]),
            f"{up_calls(results, n) * latency / 1000:.2f}",
        )

    rows = per_point(results, row)
    return table(
        (
            "N",
            "latency ms",
            "ours s (min-max)",
            "engine floor s (min-max)",
            "ours / floor",
            "ours - floor s",
            "raw HTTP s",
            "the up's calls serial s",
        ),
        rows,
    )


def block_preview_times(results: Result, before: Result, repeat: Result) -> str:
    """`pulumi preview` of N new mounts: ours (a live check per VPS) against the floor."""

    def row(n: int, latency: float) -> Sequence[object]:
        p = preview_row(results, n, latency)
        return (
            n,
            f"{latency:g}",
            fmt_s(p["ours"]),
            fmt_s(p["floor"]),
            fmt_s(p["ours"] - p["floor"]),
            f"{p['calls']} ({p['vpses']} VPSes)",
            f"{p['vpses'] * latency / 1000:.2f}",
        )

    rows = per_point(results, row)
    return table(
        (
            "N",
            "latency ms",
            "ours s",
            "engine floor s",
            "ours - floor s",
            "our calls",
            "one latency per VPS, serial s",
        ),
        rows,
    )


def block_timeline(results: Result, before: Result, repeat: Result) -> str:
    def row(n: int, latency: float) -> Sequence[object] | None:
        ours = [t for t in runs(results, "hostup", n, latency) if "first_call_s" in t]
        if not ours:
            return None
        return (
            n,
            f"{latency:g}",
            fmt_s(median(t["first_call_s"] for t in ours)),
            fmt_s(median(t["last_call_s"] - t["first_call_s"] for t in ours)),
            fmt_s(median(t["up_s"] - t["last_call_s"] for t in ours)),
            fmt_s(median(t["up_s"] for t in ours)),
            fmt_s(median(t["up_s"] for t in runs(results, "floor", n, latency))),
        )

    rows = per_point(results, row)
    return table(
        (
            "N",
            "latency ms",
            "start to first API call s",
            "first to last API call s",
            "last call to exit s",
            "ours s",
            "engine floor s",
        ),
        rows,
    )


def block_repeat(results: Result, before: Result, repeat: Result) -> str:
    """The N=50, 0 ms comparison alone, repeated more often (results/n50-0ms.json)."""
    n, latency = repeat["settings"]["sizes"][0], repeat["settings"]["latencies_ms"][0]
    ratio, ratios = paired_ratio(repeat, n, latency)
    row = up_row(repeat, n, latency)
    m = repeat["machine"]
    rows = [
        (
            "run",
            f"{m['date']}, commit {m['git_commit']}, load average {_load(m['load_average_start'])}",
        ),
        ("repetitions", len(ratios)),
        ("ours / floor, per repetition", ", ".join(f"{r:.2f}" for r in ratios)),
        ("median (min-max)", f"{ratio:.2f} ({min(ratios):.2f}-{max(ratios):.2f})"),
        (
            f"repetitions within {RATIO_TARGET}",
            f"{sum(r <= RATIO_TARGET for r in ratios)} of {len(ratios)}",
        ),
        (
            "ours, floor, raw HTTP (medians)",
            f"{fmt_s(row['ours'])} s, {fmt_s(row['floor'])} s, {fmt_s(row['raw'])} s",
        ),
        ("(floor + raw HTTP) / floor", f"{(row['floor'] + row['raw']) / row['floor']:.2f}"),
    ]
    return table(("", ""), rows)


def block_state(results: Result, before: Result, repeat: Result) -> str:
    states = results["engine"]["state"]
    n = str(max(int(k) for k in states["hostup"]))
    ours, floor = states["hostup"][n], states["floor"][n]
    fields = list(ours["compact_bytes_by_field_mean"])
    rows = [
        (
            f"`{key}`",
            ours["compact_bytes_by_field_mean"][key],
            floor["compact_bytes_by_field_mean"].get(key, ""),
        )
        for key in fields
    ]
    rows.append(("**whole resource, compact**", ours["compact_bytes_per_resource_max"],
                 floor["compact_bytes_per_resource_max"]))  # fmt: skip
    rows.append(("**whole resource, as exported**", f"{ours['bytes_per_resource_mean']:.0f}",
                 f"{floor['bytes_per_resource_mean']:.0f}"))  # fmt: skip
    head = (
        f"N = {n}; bytes per resource (mean). `stackTrace` has "
        f"{ours['stack_trace_frames']} frames. Provider blob: {ours['provider_blob_bytes']} B "
        f"(base64 of the dill pickle, stored in inputs and outputs; plain, not a secret).\n\n"
    )
    return head + table(("field", "VpsIsoMount", "engine floor"), rows)


def block_startup(results: Result, before: Result, repeat: Result) -> str:
    st = results["startup"]
    rows = []
    for statement, data in st["imports"].items():
        children = ", ".join(f"{k} {v:.0f}" for k, v in data["largest_children_ms"].items())
        rows.append((f"`{statement}`", f"{data['median_ms']:.0f}", children or "-"))
    imports = table(("after `import pulumi`", "median ms", "largest direct imports, ms"), rows)
    first = st["first_answer"]
    floor = first["floor"]["first_check_s"]
    rows = [
        (
            name,
            f"{d['port_s'] * 1000:.0f}",
            f"{d['configure_s'] * 1000:.0f}",
            f"{d['first_check_s'] * 1000:.0f}",
            f"{d['first_check_s'] / floor:.2f}",
        )
        for name, d in first.items()
    ]
    answers = table(
        ("provider blob", "port line ms", "+ Configure ms", "+ first Check ms", "vs floor"), rows
    )
    runs_ = st["imports"]["import pulumi_hostup"]["runs"]
    return (
        f"Medians of {runs_} runs each (the process spawns alternate between the cases).\n\n"
        + imports
        + "\n\n"
        + answers
    )


def block_rate(results: Result, before: Result, repeat: Result) -> str:
    r = results["rate_limit"]
    c = r["calls"]
    rows = [
        ("mounts", r["mounts"]),
        ("limit", f"{r['rps']:g} requests/s per key (bucket of {r['rps']:g})"),
        ("`pulumi up`", f"{'succeeded' if r['succeeded'] else 'FAILED'} in {fmt_s(r['up_s'])} s"),
        (
            "accepted calls",
            f"{c['accepted']} (all requests, 429s included: "
            + ", ".join(f"{k} {v}" for k, v in c["by_operation"].items())
            + ")",
        ),
        ("429 answers (retried)", c["rate_limited"]),
        ("accepted calls / limit", f"{r['min_seconds_at_limit']:.1f} s"),
        ("ratio", f"{r['ratio']:.2f} (target <= {RATE_TARGET})"),
        ("hostup warnings in the output", r["warnings"]),
    ]
    return table(("", ""), rows)


def block_before_after(results: Result, before: Result, repeat: Result) -> str:
    b, a = headline(before), headline(results)
    n = a["n_max"]
    rows = [
        ("commit", before["machine"]["git_commit"], results["machine"]["git_commit"]),
        (
            f"`pulumi up` N={n} {min(results['settings']['latencies_ms']):g} ms, ours / floor",
            f"{b['ratio']:.2f}",
            f"{a['ratio']:.2f}",
        ),
    ]
    for latency in results["settings"]["latencies_ms"]:
        rb, ra = up_row(before, n, latency), up_row(results, n, latency)
        rows.append(
            (
                f"`pulumi up` N={n} {latency:g} ms, ours - floor",
                f"{fmt_s(rb['api_part'])} s",
                f"{fmt_s(ra['api_part'])} s",
            )
        )
    rows += [
        (
            "`import pulumi_hostup` over pulumi",
            f"{b['import_ms']:.0f} ms",
            f"{a['import_ms']:.0f} ms",
        ),
        (
            "first Configure+Check, steady / floor",
            f"{b['first_steady'] / b['first_floor']:.2f}x",
            f"{a['first_steady'] / a['first_floor']:.2f}x",
        ),
        (
            "first Configure+Check, new mount / floor",
            f"{b['first_new'] / b['first_floor']:.2f}x",
            f"{a['first_new'] / a['first_floor']:.2f}x",
        ),
        (
            f"`pulumi preview` with {n} creates, calls",
            before["engine"]["commands"][str(n)]["preview (creates)"]["total"],
            results["engine"]["commands"][str(n)]["preview (creates)"]["total"],
        ),
        (
            f"`pulumi up` of {n} creates, calls",
            before["engine"]["commands"][str(n)]["up (creates)"]["total"],
            results["engine"]["commands"][str(n)]["up (creates)"]["total"],
        ),
        (
            f"rate limit ({a['rate']['mounts']} mounts) ratio",
            f"{b['rate']['ratio']:.2f}",
            f"{a['rate']['ratio']:.2f}",
        ),
    ]
    return table(("", "before", "after"), rows)


BLOCKS: dict[str, Callable[[dict[str, Any], dict[str, Any] | None], str]] = {
    "machine": block_machine,
    "targets": block_targets,
    "methods": block_methods,
    "commands": block_commands,
    "up-times": block_up_times,
    "preview-times": block_preview_times,
    "timeline": block_timeline,
    "repeat": block_repeat,
    "state": block_state,
    "startup": block_startup,
    "rate-limit": block_rate,
    "before-after": block_before_after,
}
