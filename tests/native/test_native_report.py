"""The native provider's bench table is made from its committed result file alone,
with no figure typed into its generator (the rules tests/test_reports.py applies to
the other bench modules)."""

from __future__ import annotations

import json

from test_reports import BENCH, keys, load_module, stray_figures, string_literals, tracked


def test_the_native_results_are_committed_and_complete() -> None:
    native = BENCH / "results" / "native.json"
    assert tracked(native) == {native}
    result = json.loads(native.read_text())
    kinds = result["settings"]["kinds"]
    assert set(kinds) == {"floor", "dynamic", "native-python", "native-yaml"}
    assert len(result["runs"]) == len(kinds) * result["settings"]["reps"]
    medians = result["summary"]["medians"]
    # The calls stay at the minimum: at most a read, a mount and a confirming read per
    # mount (fewer where mounts share a VPS), and a steady preview makes none at all.
    mounts = result["settings"]["mounts"]
    for kind in ("dynamic", "native-python", "native-yaml"):
        assert medians[kind]["up_calls"] <= 3 * mounts, kind
    assert all(medians[kind]["preview_calls"] == 0 for kind in kinds)


def test_the_native_block_is_in_the_bench_readme() -> None:
    render = load_module(BENCH / "render.py", "bench_render")  # puts bench/ on sys.path
    assert render.block_native() in (BENCH / "README.md").read_text()


def test_the_native_generator_types_no_figure() -> None:
    names = keys(json.loads((BENCH / "results" / "native.json").read_text()))
    texts = string_literals(BENCH / "report_native.py", names)
    assert [s for text in texts for s in stray_figures(text)] == []
