"""The package's public surface and what importing it costs."""

from __future__ import annotations

import subprocess
import sys

import pulumi_hostup


def test_package_all_names_exactly_the_public_attributes() -> None:
    public = {name for name in vars(pulumi_hostup) if not name.startswith("_")}
    modules = {"iso_mount", "iso_image", "lookups"}
    modules.add("annotations")  # from __future__ import annotations
    assert set(pulumi_hostup.__all__) == public - modules
    for name in pulumi_hostup.__all__:
        assert getattr(pulumi_hostup, name) is not None


def test_package_import_leaves_the_http_stack_unloaded() -> None:
    # A program that only declares mounts must not pay for requests and pydantic.
    code = (
        "import sys, pulumi_hostup; "
        "print(sorted(m for m in ('requests', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
