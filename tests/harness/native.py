"""The native provider (`pulumi-resource-hostup`) through the real CLI: YAML programs.

- `locate_yaml_bin_dir()`: the directory of `pulumi-language-yaml`, from
  ``scripts/install-pulumi-yaml.sh --print-bin-dir`` (on PATH, else cached, else built).
- `pack_plugin()`: the plugin tarball, from ``scripts/install-native-plugin.sh
  --no-install``, running with this test run's virtualenv.
- `native_sandbox()`: a `PulumiSandbox` whose CLI finds the YAML host and has the
  plugin installed in its own PULUMI_HOME, as a user's `pulumi plugin install` does.
- `write_yaml_program()`: a YAML project from plain dicts.
- `steps()` / `changes()`: the planned step per resource of a type in a preview, and
  the finished steps per resource in an engine run, for the native types.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs in the dev extras

from harness.hostup_stack import EngineRun, Preview, urn_name
from harness.pulumi_cli import INSTALL_TIMEOUT, REPO_ROOT, PulumiSandbox, python_virtualenv

MOUNT = "hostup:index:VpsIsoMount"
IMAGE = "hostup:index:VpsIsoImage"
DRIVE = "hostup:index:VpsCdromDrive"
PROVIDER = "pulumi:providers:hostup"
YAML_SCRIPT = REPO_ROOT / "scripts" / "install-pulumi-yaml.sh"
PACK_SCRIPT = REPO_ROOT / "scripts" / "install-native-plugin.sh"


def _script_output(args: list[str], hint: str) -> str:
    proc = subprocess.run(
        args, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False, cwd=REPO_ROOT
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"{hint}; it failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc.stdout.strip().splitlines()[-1]


def locate_yaml_bin_dir() -> Path:
    """Where `pulumi-language-yaml` is (built from its Go module when missing)."""
    found = Path(_script_output([str(YAML_SCRIPT), "--print-bin-dir"], f"run {YAML_SCRIPT}"))
    if not (found / "pulumi-language-yaml").is_file():
        raise RuntimeError(f"{YAML_SCRIPT} printed {found}, which has no pulumi-language-yaml")
    return found


def pack_plugin(out_dir: Path) -> Path:
    """The plugin tarball, packed for this test run's virtualenv."""
    python = python_virtualenv() / "bin" / "python"
    args = [str(PACK_SCRIPT), "--no-install", "--python", str(python), "--out", str(out_dir)]
    return Path(_script_output(args, f"run {PACK_SCRIPT}"))


def plugin_version() -> str:
    from pulumi_resource_hostup import VERSION

    return VERSION


def native_sandbox(sandbox: PulumiSandbox, yaml_bin_dir: Path, tarball: Path) -> PulumiSandbox:
    """`sandbox` with the YAML host on PATH and the plugin installed in its PULUMI_HOME."""
    sandbox.env["PATH"] = f"{yaml_bin_dir}:{sandbox.env['PATH']}"
    sandbox.run(
        ["plugin", "install", "resource", "hostup", plugin_version(), "--file", str(tarball)],
        sandbox.root,
    )
    return sandbox


def write_yaml_program(
    directory: Path,
    resources: Mapping[str, Any],
    *,
    name: str = "native",
    variables: Mapping[str, Any] | None = None,
    outputs: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
) -> Path:
    """Write (or rewrite) a Pulumi YAML project in `directory`; returns `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    project: dict[str, Any] = {"name": name, "runtime": "yaml"}
    if config:
        project["config"] = dict(config)
    if variables:
        project["variables"] = dict(variables)
    project["resources"] = dict(resources)
    if outputs:
        project["outputs"] = dict(outputs)
    (directory / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    return directory


def mount(vps_id: str, iso_id: str, device: str | None = None, **options: Any) -> dict[str, Any]:
    """A VpsIsoMount entry of a YAML program's `resources`."""
    properties = {"vpsId": vps_id, "isoId": iso_id}
    if device is not None:
        properties["device"] = device
    entry: dict[str, Any] = {"type": MOUNT, "properties": properties}
    if options:
        entry["options"] = options
    return entry


def steps(preview: Preview, type_: str = MOUNT) -> dict[str, str]:
    """The planned step on each resource of `type_`, by name."""
    return {
        urn_name(step["urn"]): step["op"]
        for step in preview.document.get("steps") or []
        if f"::{type_}::" in step["urn"]
    }


def changes(run: EngineRun, type_: str = MOUNT) -> dict[str, list[str]]:
    """Every finished step on resources of `type_` in an engine run, by name, in order."""
    out: dict[str, list[str]] = {}
    for event in run.events:
        payload = event.get("resOutputsEvent")
        if payload and payload["metadata"]["type"] == type_:
            out.setdefault(urn_name(payload["metadata"]["urn"]), []).append(
                payload["metadata"]["op"]
            )
    return out
