"""The package's public surface and what importing it costs."""

from __future__ import annotations

import pulumi_hostup
from harness.processes import modules_loaded_by


def test_package_all_names_exactly_the_public_attributes() -> None:
    public = {name for name in vars(pulumi_hostup) if not name.startswith("_")}
    modules = {"iso_mount", "iso_image", "cdrom_drive", "lookups"}
    modules.add("annotations")  # from __future__ import annotations
    assert set(pulumi_hostup.__all__) == public - modules
    for name in pulumi_hostup.__all__:
        assert getattr(pulumi_hostup, name) is not None


def test_package_import_leaves_the_http_stack_unloaded() -> None:
    # A program that only declares mounts must not pay for requests and pydantic.
    assert modules_loaded_by(["pulumi_hostup"], ("requests", "pydantic")) == []
