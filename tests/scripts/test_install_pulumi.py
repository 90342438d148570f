"""scripts/install-pulumi.sh chooses a Pulumi CLI: one on PATH if it will do, else the
cached build, else a build. Each case runs the script against fakes in a temp dir:
a `pulumi` that prints a version, its plugins, a cache, and a `go` that fails loudly
and leaves a mark, so no test here can start a real build (or use a real Pulumi:
PATH holds only the fakes and the few tools the script needs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.pulumi_cli import pulumi_release

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "install-pulumi.sh"
PLUGINS = ("pulumi-language-python", "pulumi-resource-pulumi-python")
# What the script runs besides bash builtins, the fakes and go.
TOOLS = (
    "cat", "chmod", "cut", "dirname", "du", "find", "flock", "head", "install", "mkdir",
    "mktemp", "mv", "rm", "sed", "sha256sum", "sort", "xargs",
)  # fmt: skip
GO_EXIT = 97


def executable(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@dataclass
class Machine:
    """A PATH of fakes, a cache root, and the mark the fake `go` leaves when called."""

    root: Path

    def __post_init__(self) -> None:
        self.tools = self.root / "tools"
        self.tools.mkdir(parents=True)
        for tool in TOOLS:
            found = shutil.which(tool)
            assert found, f"{tool} is needed by scripts/install-pulumi.sh"
            (self.tools / tool).symlink_to(found)
        self.go_mark = self.root / "go-was-called"
        executable(
            self.tools / "go",
            f'echo "$*" >> {self.go_mark}\n'
            f'echo "fake go: this test must not build Pulumi" >&2\nexit {GO_EXIT}',
        )
        self.cache = self.root / "cache"
        self.path_dirs: list[Path] = []

    def pulumi_on_path(self, version: str, *, plugins: bool = True) -> Path:
        """A directory with a `pulumi` printing `version` (and its plugins), put on PATH."""
        bin_dir = self.root / f"pulumi-{len(self.path_dirs)}"
        executable(bin_dir / "pulumi", f'[ "$1" = version ] && echo "{version}"')
        if plugins:
            for plugin in PLUGINS:
                executable(bin_dir / plugin, "exit 0")
        self.path_dirs.append(bin_dir)
        return bin_dir

    def complete_cache(self) -> Path:
        """A cached build of the release, stamped with the hash of the current inputs."""
        install_dir = self.cache / f"pulumi-v{pulumi_release()}"
        bin_dir = install_dir / "bin"
        executable(bin_dir / "pulumi", f'[ "$1" = version ] && echo "v{pulumi_release()}"')
        for exe in (*PLUGINS, "pulumi-language-python-exec"):
            executable(bin_dir / exe, "exit 0")
        stamp = subprocess.run(
            ["bash", "-c", f". {SCRIPT} && inputs_hash"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert len(stamp) == 16, stamp
        (install_dir / "inputs.sha256").write_text(stamp + "\n")
        return bin_dir

    def run(self, **env: str) -> subprocess.CompletedProcess[str]:
        path = os.pathsep.join(str(d) for d in [*self.path_dirs, self.tools])
        full_env = {"PATH": path, "HOME": str(self.root), "PULUMI_HOSTUP_CACHE": str(self.cache)}
        bash = shutil.which("bash")
        assert bash is not None
        return subprocess.run(
            [bash, str(SCRIPT), "--print-bin-dir"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**full_env, **env},
        )

    @property
    def go_called(self) -> bool:
        return self.go_mark.exists()

    def assert_used(self, result: subprocess.CompletedProcess[str], bin_dir: Path) -> None:
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{bin_dir}\n", result.stderr
        assert not self.go_called, "go ran although a usable CLI was there"

    def assert_build_started(self, result: subprocess.CompletedProcess[str]) -> None:
        assert self.go_called, f"no build was started:\n{result.stdout}\n{result.stderr}"
        assert result.returncode == GO_EXIT, result.stderr
        assert result.stdout == ""


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


@pytest.mark.parametrize("version", ["v{release}", "v3.272.0", "v3.999.1-alpha.7+dirty"])
def test_a_new_enough_pulumi_on_path_with_its_plugins_is_used_without_go(
    machine: Machine, version: str
) -> None:
    on_path = machine.pulumi_on_path(version.format(release=pulumi_release()))
    machine.assert_used(machine.run(), on_path)


def test_plugins_found_elsewhere_on_path_count_as_reachable(machine: Machine) -> None:
    on_path = machine.pulumi_on_path("v3.272.0", plugins=False)
    plugins_dir = machine.root / "plugins"
    for plugin in PLUGINS:
        executable(plugins_dir / plugin, "exit 0")
    machine.path_dirs.append(plugins_dir)
    machine.assert_used(machine.run(), on_path)


@pytest.mark.parametrize("version", ["v3.259.0", "v3.99.0", "v2.25.2", "v4.0.0", "", "oops"])
def test_a_too_old_or_unknown_pulumi_on_path_is_not_used(machine: Machine, version: str) -> None:
    machine.pulumi_on_path(version)
    machine.assert_build_started(machine.run())


def test_a_pulumi_on_path_without_its_plugins_is_not_used(machine: Machine) -> None:
    machine.pulumi_on_path("v3.272.0", plugins=False)
    machine.assert_build_started(machine.run())


def test_with_no_pulumi_and_no_cache_it_builds(machine: Machine) -> None:
    machine.assert_build_started(machine.run())


def test_with_no_usable_pulumi_on_path_the_cached_build_is_used(machine: Machine) -> None:
    cached = machine.complete_cache()
    machine.assert_used(machine.run(), cached)
    machine.pulumi_on_path("v3.259.0")
    machine.assert_used(machine.run(), cached)


def test_a_cache_built_from_other_inputs_is_rebuilt(machine: Machine) -> None:
    cached = machine.complete_cache()
    (cached.parent / "inputs.sha256").write_text("0123456789abcdef\n")
    machine.assert_build_started(machine.run())


def test_a_usable_pulumi_on_path_wins_over_the_cache(machine: Machine) -> None:
    machine.complete_cache()
    on_path = machine.pulumi_on_path("v3.272.0")
    machine.assert_used(machine.run(), on_path)


@pytest.mark.parametrize("value", ["1", "yes"])
def test_pulumi_hostup_build_cli_forces_the_build(machine: Machine, value: str) -> None:
    machine.complete_cache()
    machine.pulumi_on_path("v3.272.0")
    machine.assert_build_started(machine.run(PULUMI_HOSTUP_BUILD_CLI=value))


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_pulumi_hostup_build_cli_off_values_do_not_force(machine: Machine, value: str) -> None:
    on_path = machine.pulumi_on_path("v3.272.0")
    machine.assert_used(machine.run(PULUMI_HOSTUP_BUILD_CLI=value), on_path)
