"""Run the real OpenTofu CLI in isolation against terraform-provider-hostup.

- `locate_tofu_bin_dir()`: the directory with `tofu`, from
  ``scripts/install-tofu.sh --print-bin-dir`` (a new enough tofu on PATH, else the
  cached build, else a build); `TofuMissing` says what to run when that fails.
- `provider_dir()`: the directory holding this test run's `terraform-provider-hostup`
  (the virtualenv's bin), which `dev_overrides` points at.
- `build_env()`: an environment for one isolated run: its own CLI configuration
  (`TF_CLI_CONFIG_FILE`), its own plugin cache and data dirs, no checkpoint calls,
  automation mode, and no TF_* / HOSTUP_* variables of the caller's shell.
- `TofuWorkspace`: one working directory with its configuration, its state and
  every CLI result, so that a test can look for the key in all of them.
- `mounts_hcl()`: a configuration of `hostup_vps_iso_mount`s for the simulator.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.processes import end_session

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-tofu.sh"
ADDRESS = "registry.opentofu.org/hostup/hostup"
DEFAULT_TIMEOUT = 300.0
INSTALL_TIMEOUT = 1800.0
_SCRUBBED_PREFIXES = ("TF_", "HOSTUP_", "CHECKPOINT_")


class TofuMissing(RuntimeError):
    """tofu is not built and scripts/install-tofu.sh could not build it."""


def locate_tofu_bin_dir(script: Path = INSTALL_SCRIPT, timeout: float = INSTALL_TIMEOUT) -> Path:
    """The bin dir from ``scripts/install-tofu.sh --print-bin-dir``, building if needed."""
    hint = "Build OpenTofu first: run scripts/install-tofu.sh"
    try:
        proc = subprocess.run(
            [str(script), "--print-bin-dir"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=REPO_ROOT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TofuMissing(f"{hint} ({exc})") from exc
    if proc.returncode != 0:
        raise TofuMissing(
            f"{hint}; it failed with exit code {proc.returncode}:\n{proc.stderr[-4000:]}"
        )
    lines = proc.stdout.strip().splitlines()
    bin_dir = Path(lines[-1]) if lines else None
    if bin_dir is None or not (bin_dir / "tofu").is_file():
        raise TofuMissing(f"{hint}; it printed no usable bin dir: {proc.stdout!r}")
    return bin_dir


def provider_dir() -> Path:
    """The directory of this run's `terraform-provider-hostup` launcher."""
    beside = Path(sys.executable).parent
    if (beside / "terraform-provider-hostup").is_file():
        return beside
    venv = REPO_ROOT / ".venv" / "bin"
    if (venv / "terraform-provider-hostup").is_file():
        return venv
    raise RuntimeError("no terraform-provider-hostup: run scripts/setup.sh (the [tofu] extra)")


def dev_overrides_config(plugin_dir: Path) -> str:
    """A CLI configuration that takes hostup/hostup from `plugin_dir`, no init needed."""
    return (
        "provider_installation {\n"
        "  dev_overrides {\n"
        f'    "{ADDRESS}" = "{plugin_dir}"\n'
        "  }\n"
        "  direct {}\n"
        "}\n"
    )


def build_env(
    tofu_bin: Path, cli_config: Path, data_dir: Path, *, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Environment for an isolated tofu run; `extra` is applied last."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    env["PATH"] = os.pathsep.join([str(tofu_bin), env.get("PATH", os.defpath)])
    env.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_DATA_DIR=str(data_dir),
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        NO_COLOR="1",
    )
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class TofuResult:
    """One finished CLI call."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def command(self) -> str:
        return "tofu " + " ".join(self.args)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def describe(self) -> str:
        return (
            f"`{self.command}` exited {self.returncode} after {self.seconds:.1f}s\n"
            f"--- stdout ---\n{self.stdout[-6000:]}\n--- stderr ---\n{self.stderr[-6000:]}"
        )

    def check(self) -> TofuResult:
        if self.returncode != 0:
            raise AssertionError(self.describe())
        return self


@dataclass(frozen=True)
class Timing:
    test: str
    command: str
    seconds: float
    returncode: int


# Every tofu call made through a workspace, for the timing table at the end of the run.
TIMINGS: list[Timing] = []


@dataclass
class TofuWorkspace:
    """One isolated tofu working directory (configuration, state, CLI config, data dir)."""

    tofu_bin: Path
    root: Path
    test_id: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    results: list[TofuResult] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.cli_config.exists():
            self.cli_config.write_text(dev_overrides_config(provider_dir()))

    @property
    def workdir(self) -> Path:
        return self.root / "work"

    @property
    def cli_config(self) -> Path:
        return self.root / "tofu.tfrc"

    @property
    def state_file(self) -> Path:
        return self.workdir / "terraform.tfstate"

    @property
    def env(self) -> dict[str, str]:
        return build_env(
            self.tofu_bin, self.cli_config, self.root / "tf-data", extra=self.extra_env
        )

    def write(self, hcl: str, name: str = "main.tf") -> None:
        (self.workdir / name).write_text(hcl)

    def run(
        self,
        *args: str,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> TofuResult:
        """`tofu <args>` in the workspace; AssertionError on failure unless check=False."""
        started = time.monotonic()
        proc = self.start(*args, env=env)
        result = self.finish(proc, args, started, timeout=timeout)
        return result.check() if check else result

    def start(self, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
        """`tofu <args>` started in a session of its own (its process group: a terminal's
        Ctrl-C reaches tofu and its plugins through it); :meth:`finish` collects it."""
        full_env = {**self.env, **(env or {})}
        exe = shutil.which("tofu", path=full_env["PATH"])
        assert exe is not None, f"no tofu in {self.tofu_bin}"
        return subprocess.Popen(
            [exe, *args],
            cwd=self.workdir,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def finish(
        self,
        proc: subprocess.Popen[str],
        args: Sequence[str],
        started: float,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> TofuResult:
        """Wait for a :meth:`start`-ed command; its result, recorded (not checked)."""
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            end_session(proc)
            stdout, stderr = proc.communicate()
            partial = TofuResult(tuple(args), -9, stdout, stderr, time.monotonic() - started)
            raise AssertionError(f"timed out after {timeout:.0f}s: {partial.describe()}") from None
        result = TofuResult(
            tuple(args), proc.returncode, stdout, stderr, time.monotonic() - started
        )
        self.results.append(result)
        TIMINGS.append(Timing(self.test_id, result.command, result.seconds, result.returncode))
        return result

    # commands

    def plan(
        self, *extra: str, check: bool = True, env: Mapping[str, str] | None = None
    ) -> TofuResult:
        return self.run("plan", "-no-color", "-input=false", *extra, check=check, env=env)

    def steady(self) -> TofuResult:
        """`tofu plan -detailed-exitcode`, asserting it plans no change (exit 0)."""
        result = self.plan("-detailed-exitcode", check=False)
        assert result.returncode == 0, result.describe()
        return result

    def apply(
        self, *extra: str, check: bool = True, env: Mapping[str, str] | None = None
    ) -> TofuResult:
        return self.run(
            "apply", "-no-color", "-input=false", "-auto-approve", *extra, check=check, env=env
        )

    def destroy(self, *extra: str, check: bool = True) -> TofuResult:
        return self.run(
            "destroy", "-no-color", "-input=false", "-auto-approve", *extra, check=check
        )

    def import_(self, address: str, id_: str, *, check: bool = True) -> TofuResult:
        return self.run("import", "-no-color", "-input=false", address, id_, check=check)

    # state

    def state(self) -> dict[str, Any]:
        if not self.state_file.exists():
            return {}
        return dict(json.loads(self.state_file.read_text()))

    def resources(self, type_: str = "hostup_vps_iso_mount") -> dict[str, dict[str, Any]]:
        """The attributes of each resource of `type_` in the state, by name."""
        found: dict[str, dict[str, Any]] = {}
        for resource in self.state().get("resources") or []:
            if resource["type"] == type_ and resource["mode"] == "managed":
                for instance in resource["instances"]:
                    found[resource["name"]] = dict(instance["attributes"])
        return found

    def printed(self, secret: str) -> list[str]:
        """The CLI calls of this workspace whose output holds `secret`."""
        return [r.command for r in self.results if secret in r.output]


def hcl_string(value: str) -> str:
    return json.dumps(value)


def provider_hcl(endpoint: str | None, *, key_variable: bool = True, extra: str = "") -> str:
    """The terraform block and the provider block for the simulator at `endpoint`.

    The key is a sensitive variable (`TF_VAR_hostup_api_key`), as a careful user
    would pass it; without `key_variable` the provider falls back to HOSTUP_API_KEY
    (and without `endpoint` to HOSTUP_ENDPOINT). `extra`: more lines for the block.
    """
    url = f"  endpoint = {hcl_string(endpoint)}\n" if endpoint is not None else ""
    key = "  api_key  = var.hostup_api_key\n" if key_variable else ""
    variable = (
        'variable "hostup_api_key" {\n  type      = string\n  sensitive = true\n}\n\n'
        if key_variable
        else ""
    )
    return (
        "terraform {\n"
        "  required_providers {\n"
        '    hostup = { source = "hostup/hostup" }\n'
        "  }\n"
        "}\n\n"
        f"{variable}"
        'provider "hostup" {\n'
        f"{url}{key}{extra}"
        "}\n"
    )


def mount_hcl(name: str, vps_id: str, iso_id: str, device: str | None = None) -> str:
    lines = [
        f'resource "hostup_vps_iso_mount" "{name}" {{',
        f"  vps_id = {hcl_string(vps_id)}",
        f"  iso_id = {hcl_string(iso_id)}",
    ]
    if device is not None:
        lines.append(f"  device = {hcl_string(device)}")
    return "\n".join([*lines, "}", ""])


def mounts_hcl(endpoint: str, mounts: Sequence[Mapping[str, str]]) -> str:
    """A configuration of mounts (each `name`, `vps_id`, `iso_id`, optional `device`)."""
    blocks = [mount_hcl(m["name"], m["vps_id"], m["iso_id"], m.get("device")) for m in mounts]
    return provider_hcl(endpoint) + "\n" + "\n".join(blocks)
