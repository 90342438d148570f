"""The repo's copy of openapi.yaml is the contract the team keeps in shared/."""

from __future__ import annotations

import pytest

from harness.contract import SHARED_CONTRACT, VENDORED_CONTRACT


def test_the_vendored_contract_is_a_faithful_copy() -> None:
    if not SHARED_CONTRACT.is_file():
        pytest.skip(f"no {SHARED_CONTRACT} beside the repo to compare with")
    assert VENDORED_CONTRACT.read_bytes() == SHARED_CONTRACT.read_bytes(), (
        f"{VENDORED_CONTRACT} differs from {SHARED_CONTRACT}: copy the shared one over it"
    )
