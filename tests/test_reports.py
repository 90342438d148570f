"""RELIABILITY.md and bench/README.md are made from committed result files alone.

Each report is rendered again from the results committed in the repo and must equal
the committed markdown byte for byte, so a hand edit fails, and so does a result file
changed without rendering. And no figure may be typed by hand where the reports'
words come from (bench/README.template.md, the text in both generators): a number
there would not change when the results do. Those texts may hold digits only in
placeholders, code, file names, list numbers and a few names (`STRAY_EXCEPTIONS`).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
RELIABILITY_SCRIPT = REPO / "scripts" / "reliability-report.py"
RELIABILITY_RESULTS = REPO / "tests" / "reliability" / "results"
BENCH = REPO / "bench"

# Digits that are names, not figures: HTTP statuses and classes, protocol names.
STRAY_EXCEPTIONS = re.compile(r"\b(?:429s?|[245]xx|base64|IPv[46])\b")
NOT_PROSE = [
    re.compile(r"\{\{[^}]*\}\}"),  # a placeholder the results fill
    re.compile(r"`[^`\n]*`"),  # code
    re.compile(r"[\w.-]*/[\w./-]*|\b[\w-]+\.(?:json|png|py|md|yaml)\b"),  # paths, files
    re.compile(r"^\s*\d+\. ", re.MULTILINE),  # a numbered list
    re.compile(r"^#+ \d+\. ", re.MULTILINE),  # a numbered heading
    STRAY_EXCEPTIONS,
]


def stray_figures(text: str) -> list[str]:
    """The lines of `text` that hold a digit outside what NOT_PROSE allows."""
    for pattern in NOT_PROSE:
        text = pattern.sub("", text)
    return [line.strip() for line in text.splitlines() if re.search(r"\d", line)]


def keys(value: Any) -> set[str]:
    """Every dict key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def string_literals(path: Path, names: set[str]) -> list[str]:
    """Every string a module may write out: constants and the literal parts of
    f-strings. Not: format specs (`:.2f` is how to print a figure, not one), docstrings,
    the patterns given to `re`, and `names`, the keys the results themselves use (a
    generator looks measurements up by them: "create (cold, ide2)")."""
    tree = ast.parse(path.read_text())
    specs = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None
        for part in ast.walk(node.format_spec)
    }
    patterns = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
        for part in ast.walk(node)
    }
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in specs | docstrings | patterns
        and node.value not in names
    ]


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tracked(*paths: Path) -> set[Path]:
    """Which of `paths` git tracks: a result file only on disk is not in a fresh clone."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "--", *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {REPO / line for line in listed}


# -- RELIABILITY.md ----------------------------------------------------------------------


def test_reliability_md_is_rendered_from_the_committed_results(tmp_path: Path) -> None:
    out = tmp_path / "RELIABILITY.md"
    proc = subprocess.run(
        [sys.executable, str(RELIABILITY_SCRIPT), "--output", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == (REPO / "RELIABILITY.md").read_bytes(), (
        "RELIABILITY.md is not what scripts/reliability-report.py makes of "
        "tests/reliability/results/: render it, do not edit it"
    )


def test_the_reliability_results_are_committed() -> None:
    files = sorted(RELIABILITY_RESULTS.glob("*.json"))
    assert [f.name for f in files] == ["normal.json", "soak.json"]
    assert tracked(*files) == set(files)


def test_the_reliability_generator_types_no_figure() -> None:
    names = {k for f in RELIABILITY_RESULTS.glob("*.json") for k in keys(json.loads(f.read_text()))}
    texts = [
        text
        for module in (
            RELIABILITY_SCRIPT,
            RELIABILITY_SCRIPT.with_name("reliability_sections.py"),
            RELIABILITY_SCRIPT.with_name("reliability_downloads.py"),
        )
        for text in string_literals(module, names)
    ]
    assert [s for text in texts for s in stray_figures(text)] == []


# -- bench/README.md ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def render() -> ModuleType:
    return load_module(BENCH / "render.py", "bench_render")


def test_bench_readme_is_rendered_from_the_committed_results(render: ModuleType) -> None:
    made = render.render(
        render.TEMPLATE.read_text(),
        render.load(render.RESULTS),
        render.load(render.BEFORE),
        render.load(render.REPEAT),
    )
    assert made == render.README.read_text(), (
        "bench/README.md is not what bench/render.py makes of README.template.md and "
        "bench/results/: edit the template and render, do not edit README.md"
    )


def report_results(render: ModuleType) -> set[Path]:
    """The results files of the other benchmark scripts ({{report:NAME}})."""
    return {path for path, _ in render.REPORTS.values()}


def test_the_bench_results_are_committed(render: ModuleType) -> None:
    files = {
        render.RESULTS,
        render.BEFORE,
        render.REPEAT,
        BENCH / "results" / "opentofu.json",
        *report_results(render),
    }
    assert tracked(*files) == files


def test_the_bench_template_states_no_figure(render: ModuleType) -> None:
    assert stray_figures(render.TEMPLATE.read_text()) == []


def test_the_bench_generator_types_no_figure(render: ModuleType) -> None:
    results = {
        render.RESULTS,
        render.BEFORE,
        render.REPEAT,
        BENCH / "results" / "opentofu.json",
        *report_results(render),
    }
    names = {k for f in results for k in keys(render.load(f))}
    modules = ("render.py", "report_numbers.py", "report_blocks.py")
    texts = [
        text
        for module in (*modules, "report_opentofu.py", "report_workflow.py")
        for text in string_literals(BENCH / module, names)
    ]
    assert [s for text in texts for s in stray_figures(text)] == []


@pytest.mark.parametrize(
    ("text", "stray"),
    [
        ("took 2.12 s", ["took 2.12 s"]),
        ("{{floor_lo}} s, `a4caf9b`, results/n50-0ms.json, 429s, base64", []),
        ("1. **Lazy imports**", []),
        ("## 3. Crash safety", []),
        ("(4 x CPUs)", ["(4 x CPUs)"]),
    ],
)
def test_stray_figures_finds_typed_numbers_only(text: str, stray: list[str]) -> None:
    assert stray_figures(text) == stray
