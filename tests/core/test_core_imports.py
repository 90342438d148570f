"""The core imports no front-end framework, so every front-end can build on it."""

from __future__ import annotations

import pkgutil
from types import ModuleType

import hostup
import hostup_sim
from harness.processes import modules_loaded_by

FRONT_ENDS = ("pulumi", "tf", "grpc", "google.protobuf")


def _modules(package: ModuleType) -> list[str]:
    return [package.__name__] + [
        f"{package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if info.name != "__main__"
    ]


def test_importing_the_core_and_the_simulator_loads_no_front_end() -> None:
    modules = _modules(hostup) + _modules(hostup_sim)
    assert "hostup.mounts" in modules
    assert "hostup_sim.app" in modules
    assert modules_loaded_by(modules, FRONT_ENDS) == []


def test_importing_the_core_package_loads_neither_requests_nor_pydantic() -> None:
    light = ["hostup", "hostup.contract", "hostup.rules", "hostup.settings"]
    assert modules_loaded_by(light, ("requests", "pydantic")) == []
