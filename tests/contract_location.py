"""Where the tests find the API contract, openapi.yaml.

The source of truth is ``shared/hostup-api/openapi.yaml`` beside the repo (where
the team and CI keep it). A clone without it uses the copy in
``tests/fixtures/hostup_api/``; ``tests/test_contract_copy.py`` fails whenever
both exist and differ, so the copy cannot drift unnoticed.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_CONTRACT = REPO.parent / "shared" / "hostup-api" / "openapi.yaml"
VENDORED_CONTRACT = REPO / "tests" / "fixtures" / "hostup_api" / "openapi.yaml"


def openapi_path() -> Path:
    """``$HOSTUP_OPENAPI``, else shared/ beside the repo, else the copy in the repo."""
    override = os.environ.get("HOSTUP_OPENAPI")
    candidates = [Path(override)] if override else []
    candidates += [SHARED_CONTRACT, VENDORED_CONTRACT]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "openapi.yaml not found; set HOSTUP_OPENAPI or restore "
        + ", ".join(str(c) for c in candidates)
    )
