"""scripts/install-pulumi-yaml.sh chooses without building when it can: a
`pulumi-language-yaml` on PATH first, then a complete cached build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "install-pulumi-yaml.sh"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def fake_host(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    exe = directory / "pulumi-language-yaml"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    return directory


def base_env(tmp_path: Path) -> dict[str, str]:
    # No Go on this PATH: choosing must never build.
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PULUMI_HOSTUP_CACHE": str(tmp_path / "c"),
    }


def test_prints_the_release_it_builds(tmp_path: Path) -> None:
    assert run("--print-release", env=base_env(tmp_path)).stdout.strip() == "1.25.0"


def test_a_host_on_path_is_used(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    found = fake_host(tmp_path / "elsewhere")
    env["PATH"] = f"{found}:{env['PATH']}"
    proc = run("--print-bin-dir", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(found)


def test_a_complete_cached_build_is_used(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    install = tmp_path / "c" / "pulumi-yaml-v1.25.0"
    fake_host(install / "bin")
    (install / "complete").write_text("v1.25.0\n")
    proc = run("--print-bin-dir", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(install / "bin")


def test_without_go_and_nothing_cached_it_says_what_is_needed(tmp_path: Path) -> None:
    tools = tmp_path / "tools"  # bash alone: no go, so nothing can build
    tools.mkdir()
    (tools / "bash").symlink_to(shutil.which("bash") or "/bin/bash")
    env = {**base_env(tmp_path), "PATH": str(tools)}
    proc = run("--print-bin-dir", env=env)
    assert proc.returncode != 0
    assert "the go command is needed" in proc.stderr
