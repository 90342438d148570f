"""scripts/install-tofu.sh chooses an OpenTofu CLI: one on PATH if it will do, else the
cached build, else a build. Each case runs the script against fakes in a temp dir: a
`tofu` that prints a version, a cache, and a `go` that fails loudly and leaves a mark,
so no test here can start a real build (PATH holds only the fakes and a few tools).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "install-tofu.sh"
# What the script runs besides bash builtins, the fakes and go.
TOOLS = (
    "cat", "chmod", "cut", "dirname", "du", "find", "flock", "head", "mkdir", "mktemp",
    "mv", "rm", "sed", "sha256sum", "sleep", "sort", "xargs",
)  # fmt: skip
GO_EXIT = 97


def release() -> str:
    return subprocess.run(
        [str(SCRIPT), "--print-release"], capture_output=True, text=True, check=True
    ).stdout.strip()


def executable(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def fake_tofu(path: Path, version: str) -> Path:
    # Like tofu, two lines; the pause makes a reader that stops after the first one
    # (`| head -n1`) kill it with SIGPIPE every time, not only on a loaded machine.
    return executable(
        path,
        f'[ "$1" = version ] || exit 0\nprintf "OpenTofu v{version}\\n"\nsleep 0.2\n'
        'printf "on linux_amd64\\n"',
    )


@dataclass
class Machine:
    root: Path

    def __post_init__(self) -> None:
        self.tools = self.root / "tools"
        self.tools.mkdir(parents=True)
        for tool in TOOLS:
            found = shutil.which(tool)
            assert found, f"{tool} is needed by scripts/install-tofu.sh"
            (self.tools / tool).symlink_to(found)
        self.go_mark = self.root / "go-was-called"
        executable(
            self.tools / "go",
            f'echo "$*" >> {self.go_mark}\n'
            f'echo "fake go: this test must not build tofu" >&2\nexit {GO_EXIT}',
        )
        self.cache = self.root / "cache"
        self.path_dirs: list[Path] = []

    def tofu_on_path(self, version: str) -> Path:
        bin_dir = self.root / f"tofu-{len(self.path_dirs)}"
        fake_tofu(bin_dir / "tofu", version)
        self.path_dirs.append(bin_dir)
        return bin_dir

    def complete_cache(self, stamp: str | None = None) -> Path:
        install_dir = self.cache / f"tofu-v{release()}"
        fake_tofu(install_dir / "bin" / "tofu", release())
        if stamp is None:
            stamp = subprocess.run(
                ["bash", "-c", f". {SCRIPT} && inputs_hash"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            assert len(stamp) == 16, stamp
        (install_dir / "inputs.sha256").write_text(stamp + "\n")
        return install_dir / "bin"

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

    def assert_used(self, result: subprocess.CompletedProcess[str], bin_dir: Path) -> None:
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{bin_dir}\n", result.stderr
        assert not self.go_mark.exists(), "go ran although a usable tofu was there"

    def assert_build_started(self, result: subprocess.CompletedProcess[str]) -> None:
        assert self.go_mark.exists(), f"no build was started:\n{result.stdout}\n{result.stderr}"
        assert result.returncode == GO_EXIT, result.stderr
        assert result.stdout == ""


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


@pytest.mark.parametrize("version", ["{release}", "1.13.0", "1.99.1-beta2"])
def test_a_new_enough_tofu_on_path_is_used_without_go(machine: Machine, version: str) -> None:
    on_path = machine.tofu_on_path(version.format(release=release()))
    machine.assert_used(machine.run(), on_path)


@pytest.mark.parametrize("version", ["1.12.5", "1.6.0", "2.0.0", "garbage"])
def test_a_too_old_or_unknown_tofu_on_path_is_not_used(machine: Machine, version: str) -> None:
    machine.tofu_on_path(version)
    machine.assert_build_started(machine.run())


def test_with_no_tofu_the_cached_build_is_used(machine: Machine) -> None:
    cached = machine.complete_cache()
    machine.assert_used(machine.run(), cached)


def test_a_cache_built_from_other_inputs_is_rebuilt(machine: Machine) -> None:
    machine.complete_cache(stamp="0123456789abcdef")
    machine.assert_build_started(machine.run())


def test_pulumi_hostup_build_tofu_forces_the_build(machine: Machine) -> None:
    machine.tofu_on_path("1.13.0")
    machine.complete_cache()
    machine.assert_build_started(machine.run(PULUMI_HOSTUP_BUILD_TOFU="1"))


def test_the_wrapper_module_pins_the_release() -> None:
    go_mod = (REPO / "scripts" / "tofu-cli" / "go.mod").read_text()
    assert f"require github.com/opentofu/opentofu v{release()}\n" in go_mod
    assert "replace github.com/hashicorp/hcl/v2" in go_mod  # upstream's, copied
