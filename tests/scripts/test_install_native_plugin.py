"""scripts/install-native-plugin.sh packs one launcher for the Python it is given, and
refuses a Python without the package, saying what to do."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "install-native-plugin.sh"


def test_packs_a_launcher_for_the_given_python(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(SCRIPT), "--no-install", "--python", sys.executable, "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    tarball = Path(proc.stdout.strip())
    assert tarball.parent == tmp_path
    assert tarball.name.startswith("pulumi-resource-hostup-v0.1.0-")
    with tarfile.open(tarball) as archive:
        (member,) = archive.getmembers()
        assert member.name == "pulumi-resource-hostup"
        assert member.mode & 0o111
        launcher = archive.extractfile(member)
        assert launcher is not None
        text = launcher.read().decode()
    assert f'"${{PULUMI_HOSTUP_PYTHON:-{sys.executable}}}" -I -m pulumi_resource_hostup' in text


def test_refuses_a_python_without_the_package(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    proc = subprocess.run(
        [str(SCRIPT), "--no-install", "--python", str(fake), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "pip install pulumi-hostup into it first" in proc.stderr
    assert not list(tmp_path.glob("*.tar.gz"))
