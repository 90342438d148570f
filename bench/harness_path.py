"""Puts the repo's tests/ on sys.path, as pytest's ``pythonpath = ["tests"]`` does.

The bench scripts reuse the shared test helpers (`harness.*`: the Pulumi CLI driver,
the provider-host driver, the simulator process); import this module before them.
"""

from __future__ import annotations

import sys
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent.parent / "tests"

if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))
