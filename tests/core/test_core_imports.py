"""The core imports no front-end framework, so every front-end can build on it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import hostup
import hostup_sim

FRONT_ENDS = ("pulumi", "tf", "grpc", "google.protobuf")


def _modules(package: object) -> list[str]:
    name = package.__name__  # type: ignore[attr-defined]
    return [name] + [
        f"{name}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)  # type: ignore[attr-defined]
        if info.name != "__main__"
    ]


def test_importing_the_core_and_the_simulator_loads_no_front_end() -> None:
    modules = _modules(hostup) + _modules(hostup_sim)
    assert "hostup.mounts" in modules
    assert "hostup_sim.app" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FRONT_ENDS!r}\n"
        f"             or any(m.startswith(f + '.') for f in {FRONT_ENDS!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_importing_the_core_package_loads_neither_requests_nor_pydantic() -> None:
    code = (
        "import sys, hostup, hostup.contract, hostup.rules, hostup.settings; "
        "print(sorted(m for m in ('requests', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
