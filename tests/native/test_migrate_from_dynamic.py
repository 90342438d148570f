"""Moving a stack from the dynamic VpsIsoMount to the native one ejects no disc.

The README's steps, through the real CLI: `retain_on_delete` on the dynamic resource
and `pulumi up`; then the native resource in its place and `pulumi up`: the native
one adopts the mount and the dynamic one leaves the state, with no write at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from harness.hostup_stack import HostupStack, mounted, urn_name, writes
from harness.native import MOUNT
from harness.pulumi_cli import PulumiSandbox, python_virtualenv
from hostup_sim.server import SimServer
from hostup_sim.world import ISO_ALPINE_320, VPS_WEB_1

pytestmark = pytest.mark.e2e

DYNAMIC = "pulumi-python:dynamic/hostup:VpsIsoMount"


def copy_migrate_program(root: Path) -> Path:
    dest = root / "migrate"
    shutil.copytree(Path(__file__).parent / "programs" / "migrate", dest)
    project = yaml.safe_load((dest / "Pulumi.yaml").read_text())
    project["runtime"]["options"] = {"virtualenv": str(python_virtualenv())}
    (dest / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    return dest


def types_in_state(stack: HostupStack) -> dict[str, str]:
    resources = stack.export()["deployment"]["resources"]
    return {r["type"]: urn_name(r["urn"]) for r in resources if "VpsIsoMount" in r["type"]}


def test_a_dynamic_mount_moves_to_the_native_resource_without_an_eject(
    native: PulumiSandbox, sim: SimServer
) -> None:
    project = copy_migrate_program(native.programs_dir)
    config = {"vpsId": VPS_WEB_1, "isoId": ISO_ALPINE_320, "stage": "dynamic"}
    stack = HostupStack.open(native, sim, project, config)
    stack.up()
    assert mounted(sim)[VPS_WEB_1] == {"ide2": ISO_ALPINE_320}
    assert types_in_state(stack) == {DYNAMIC: "installer"}

    sim.store.clear_log()
    stack.configure({"stage": "retain"})
    stack.up()
    stack.configure({"stage": "native"})
    up = stack.up()
    assert writes(sim) == [], up.describe()  # nothing unmounted, nothing mounted
    assert mounted(sim)[VPS_WEB_1] == {"ide2": ISO_ALPINE_320}
    assert types_in_state(stack) == {MOUNT: "installer"}
    assert stack.outputs() == {"adopted": True}

    stack.destroy()  # the native resource owns the mount now
    assert VPS_WEB_1 not in mounted(sim)
