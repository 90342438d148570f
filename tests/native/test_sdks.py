"""The SDKs generated from the schema: sdk/ is what the schema generates; the Python
SDK installs beside pulumi_hostup and runs the lifecycle through the real CLI; the
Node.js SDK compiles with tsc."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from harness.hostup_stack import HostupStack, api_calls, mounted, writes
from harness.pulumi_cli import REPO_ROOT, PulumiSandbox, sdk_virtualenv
from hostup_sim.server import SimServer
from hostup_sim.world import (
    ISO_ALPINE_320,
    ISO_OTHER_FEDORA_41,
    ISO_TOOLS,
    OTHER_API_KEY,
    VPS_OTHER_WEB_1,
    VPS_WEB_1,
)

pytestmark = pytest.mark.e2e

NPM_CACHE = (
    Path(
        os.environ.get("PULUMI_HOSTUP_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pulumi-hostup"
    )
    / "npm"
)


def test_sdk_directory_is_what_the_schema_generates() -> None:
    proc = subprocess.run(
        [str(REPO_ROOT / "scripts" / "gen-sdks.sh"), "--check"],
        capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]


def test_python_sdk_installs_beside_the_dynamic_package() -> None:
    python = sdk_virtualenv() / "bin" / "python"
    code = (
        "import pulumi_hostup, pulumi_hostup_native, pulumi_hostup.iso_mount as m;"
        "print(m.VpsIsoMountProvider.__module__, pulumi_hostup_native.VpsIsoMount.__module__)"
    )
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["pulumi_hostup.iso_mount", "pulumi_hostup_native.vps_iso_mount"]


def test_node_sdk_compiles_with_tsc(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    assert npm is not None, "npm is needed to compile the Node.js SDK"
    project = tmp_path / "nodejs"
    shutil.copytree(REPO_ROOT / "sdk" / "nodejs", project)
    env = {**os.environ, "npm_config_cache": str(NPM_CACHE), "npm_config_update_notifier": "false"}
    install = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-4000:]
    tsc = subprocess.run(
        [str(project / "node_modules" / ".bin" / "tsc")],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert tsc.returncode == 0, tsc.stdout[-4000:] + tsc.stderr[-2000:]
    assert (project / "bin" / "vpsIsoMount.js").is_file()
    assert (project / "bin" / "vpsIsoMount.d.ts").is_file()


def copy_python_program(root: Path) -> Path:
    dest = root / "python-sdk"
    shutil.copytree(Path(__file__).parent / "programs" / "python-sdk", dest)
    project = yaml.safe_load((dest / "Pulumi.yaml").read_text())
    project["runtime"]["options"] = {"virtualenv": str(sdk_virtualenv())}
    (dest / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    return dest


def test_python_program_through_the_generated_sdk(native: PulumiSandbox, sim: SimServer) -> None:
    project = copy_python_program(native.programs_dir)
    stack = HostupStack.open(native, sim, project, {"isoId": ISO_ALPINE_320, "api": sim.url})
    stack.run("config", "set", "--secret", "otherKey", stdin=OTHER_API_KEY)
    stack.up()
    assert mounted(sim)[VPS_WEB_1] == {"ide2": ISO_ALPINE_320}
    assert mounted(sim)[VPS_OTHER_WEB_1] == {"ide2": ISO_OTHER_FEDORA_41}
    outputs = stack.outputs()
    assert outputs["isoName"] == "alpine-virt-3.20.3-x86_64.iso"
    assert outputs["mountId"] == f"{VPS_WEB_1}/ide2"

    sim.store.clear_log()
    preview = stack.preview()
    assert preview.summary == {"same": 4}, preview.result.describe()
    # Only the three look-ups read; the resources make no call.
    assert sorted(str(c.operation) for c in api_calls(sim)) == [
        "listVps", "listVps", "listVpsIsoMedia",
    ]  # fmt: skip

    stack.configure({"isoId": ISO_TOOLS})  # update in place
    stack.up()
    assert mounted(sim)[VPS_WEB_1] == {"ide2": ISO_TOOLS}
    stack.configure({"device": "ide3"})  # web-1 has no ide3: refused, nothing written
    sim.store.clear_log()
    failed = stack.up(check=False)
    assert not failed.succeeded
    assert writes(sim) == []

    stack.configure({"device": "ide2"})
    stack.destroy()
    assert VPS_WEB_1 not in mounted(sim)
    assert VPS_OTHER_WEB_1 not in mounted(sim)
