"""What `pip install pulumi-hostup` pulls: what a Pulumi program needs, and no more.

The rules: the base requirements are pulumi (a v3 range from the tested release, never
an exact pin, so the package installs beside other providers' pins), requests and
pydantic; the simulator's web stack (flask) is the `[sim]` extra; the development venv
gets every extra; and nothing a Pulumi program imports loads the web stack.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from harness.pulumi_cli import pulumi_release

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
DISTRIBUTION = PYPROJECT["name"]
WEB_STACK = ("flask", "werkzeug")
# The packages under provider/ that a Pulumi program may import: all but the simulator.
PROGRAM_PACKAGES = sorted(
    p.parent.name
    for p in (REPO / "provider").glob("*/__init__.py")
    if p.parent.name != "hostup_sim"
)


def base_requirements() -> dict[str, Requirement]:
    requirements = [Requirement(line) for line in PYPROJECT["dependencies"]]
    return {r.name.lower(): r for r in requirements}


def test_base_requirements_are_what_a_pulumi_program_needs() -> None:
    assert set(base_requirements()) == {"pulumi", "requests", "pydantic"}


def test_pulumi_is_a_v3_range_from_the_tested_release_not_a_pin() -> None:
    specifier: SpecifierSet = base_requirements()["pulumi"].specifier
    assert not [s for s in specifier if s.operator in ("==", "===", "~=")], specifier
    assert pulumi_release() in specifier, "the release the tests run must be allowed"
    for newer in ("3.272.0", "3.999.0"):
        assert newer in specifier, f"{newer} refused: {specifier}"
    for outside in ("3.259.0", "4.0.0", "2.25.2"):
        assert outside not in specifier, f"{outside} allowed: {specifier}"


def test_flask_is_in_the_sim_extra_only() -> None:
    assert not set(WEB_STACK) & set(base_requirements())
    sim = {Requirement(line).name.lower() for line in PYPROJECT["optional-dependencies"]["sim"]}
    assert "flask" in sim


def test_the_setup_script_installs_every_extra() -> None:
    setup = (REPO / "scripts" / "setup.sh").read_text()
    installed = re.findall(r"pip install [^\n]*-e '\.\[([a-z,]+)\]'", setup)
    assert len(installed) == 1, installed
    assert set(installed[0].split(",")) == set(PYPROJECT["optional-dependencies"])


def test_the_installed_distribution_declares_what_pyproject_says() -> None:
    # What pip recorded for this venv: stale if pyproject.toml changed since set-up.
    declared = [Requirement(line) for line in importlib.metadata.requires(DISTRIBUTION) or []]
    base = {str(r) for r in declared if r.marker is None}
    hint = "the venv predates pyproject.toml: run scripts/setup.sh"
    assert base == {str(r) for r in base_requirements().values()}, hint
    sim = {r.name.lower() for r in declared if r.marker and r.marker.evaluate({"extra": "sim"})}
    assert "flask" in sim, hint


@pytest.mark.parametrize("package", PROGRAM_PACKAGES)
def test_what_a_pulumi_program_imports_loads_no_web_stack(package: str) -> None:
    # Every module of the package, in a fresh interpreter.
    code = f"""
import importlib, pkgutil, sys
import {package} as package
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)
print(sorted(m for m in sys.modules if m.split(".")[0] in {WEB_STACK!r}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_hostup_sim_without_the_sim_extra_says_what_to_install() -> None:
    """`pip install pulumi-hostup` has no Flask: the console script says so, no traceback."""
    code = (
        "import sys; sys.modules['flask'] = None; sys.argv = ['hostup-sim', '--help']; "
        "from hostup_sim._entry import main; main()"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "pip install 'pulumi-hostup[sim]'" in proc.stderr
    assert "Traceback" not in proc.stderr
