"""examples/native-yaml as its README runs it: the plugin installed by
scripts/install-native-plugin.sh, then up, a steady preview, destroy in order."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from harness.hostup_stack import HostupStack, api_calls, mounted, writes
from harness.native import IMAGE, PACK_SCRIPT, changes
from harness.pulumi_cli import REPO_ROOT, PulumiSandbox, python_virtualenv
from hostup_sim.server import SimServer
from hostup_sim.world import ISO_ALPINE_320, VPS_BUILD_1

pytestmark = pytest.mark.e2e


def test_example_runs_up_preview_destroy(
    pulumi_sandbox: PulumiSandbox, yaml_bin_dir: Path, sim: SimServer
) -> None:
    sandbox = pulumi_sandbox
    sandbox.env["PATH"] = f"{yaml_bin_dir}:{sandbox.env['PATH']}"
    python = python_virtualenv() / "bin" / "python"
    subprocess.run(
        [str(PACK_SCRIPT), "--python", str(python), "--out", str(sandbox.root / "dist")],
        env=sandbox.env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    project = sandbox.programs_dir / "native-yaml"
    shutil.copytree(REPO_ROOT / "examples" / "native-yaml", project)
    stack = HostupStack.open(sandbox, sim, project, {})

    up = stack.up()
    assert changes(up, IMAGE) == {"installer-iso": ["create"]}, up.describe()
    outputs = stack.outputs()
    assert outputs["installerIso"] == "debian-13.2.0-amd64-netinst.iso"
    iso = mounted(sim)[VPS_BUILD_1]
    assert iso["ide2"] == ISO_ALPINE_320
    assert outputs["rescueMount"] == f"{VPS_BUILD_1}/ide2"

    sim.store.clear_log()
    assert stack.preview().summary == {"same": 4}
    assert len(api_calls(sim)) == 2  # the two look-ups

    sim.store.clear_log()
    stack.destroy()
    ops = [(w[0], w[2]) for w in writes(sim)]
    assert sorted(ops) == [
        ("deleteVpsIsoMedia", None), ("unmountVpsIso", "ide2"), ("unmountVpsIso", "ide3"),
    ], ops  # fmt: skip
    # The installer's unmount before its ISO's delete (the rescue ISO is not ours to delete).
    assert ops.index(("unmountVpsIso", "ide3")) < ops.index(("deleteVpsIsoMedia", None))
    assert VPS_BUILD_1 not in mounted(sim)
