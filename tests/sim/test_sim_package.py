"""The simulator stands apart: it imports no client code and keeps its modules small."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hostup_sim

PACKAGE = Path(hostup_sim.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def test_package_imports_neither_the_client_nor_pulumi() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module('hostup_sim.' + name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pulumi', 'pulumi_hostup', 'hostup')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_package_modules_stay_under_600_lines() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in PACKAGE.glob("*.py")}
    assert max(sizes.values()) < 600, sizes
