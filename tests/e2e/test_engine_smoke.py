"""The real engine works here, offline: the CLI and Python plugins that
scripts/install-pulumi.sh chose (or built) run a Python program with a dynamic provider through
stack init, preview, up, stack output, a no-change preview and destroy, against a
file backend, with no network and no plugin downloads.

This checks the toolchain, not our resource: the program is tests/e2e/programs/trivial.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from packaging.version import Version

from harness.pulumi_cli import (
    PulumiCLIMissing,
    PulumiSandbox,
    locate_bin_dir,
    pulumi_release,
    python_virtualenv,
)

DYNAMIC_TYPE = "pulumi-python:dynamic:Resource"
UP = ("up", "--yes", "--non-interactive", "--skip-preview")
DESTROY = ("destroy", "--yes", "--non-interactive", "--skip-preview")


def change_summary(preview: dict[str, object]) -> dict[str, int]:
    summary = preview.get("changeSummary")
    assert isinstance(summary, dict), f"no changeSummary in preview --json: {preview}"
    return {str(k): int(v) for k, v in summary.items()}


@pytest.mark.e2e
def test_trivial_program_lifecycle(pulumi_sandbox: PulumiSandbox) -> None:
    sandbox = pulumi_sandbox
    project = sandbox.copy_program("trivial")
    markers = sandbox.root / "markers"
    sandbox.init_stack(project, "dev", config={"markerDir": str(markers)})

    # The CLI scripts/install-pulumi.sh chose: its own build, or a newer v3 from PATH.
    version = Version(sandbox.run(["version"], project).stdout.strip())
    assert version.major == 3, version
    assert version >= Version(pulumi_release()), version

    # preview: three creates plus the stack, and the provider did not create anything.
    preview = sandbox.run(["preview", "--json", "--non-interactive"], project).json()
    assert change_summary(preview) == {"create": 4}
    planned = [s for s in preview["steps"] if s["op"] == "create"]
    assert sorted(s["urn"].rsplit("::", 1)[1] for s in planned if DYNAMIC_TYPE in s["urn"]) == [
        "marker-0",
        "marker-1",
        "marker-2",
    ]
    assert not markers.exists()

    # up: the provider process really ran create three times.
    up = sandbox.run(list(UP), project)
    assert re.search(r"\+ 4 created", up.stdout), up.describe()
    created = sorted(p.name for p in markers.iterdir())
    assert len(created) == 3

    outputs = sandbox.run(["stack", "output", "--json"], project).json()
    assert sorted(outputs["ids"]) == created
    assert outputs["greetings"] == ["hello label-0", "hello label-1", "hello label-2"]
    # The launcher ran the provider in the virtualenv named in Pulumi.yaml.
    venv = python_virtualenv()
    assert Path(outputs["providerPython"]).parent == venv / "bin", outputs["providerPython"]

    resources = sandbox.stack_resources(project)
    dynamic = [r for r in resources if r["type"] == DYNAMIC_TYPE]
    assert sorted(r["id"] for r in dynamic) == created
    assert all(r["outputs"]["label"] == r["inputs"]["label"] for r in dynamic)

    # A second preview of the same program: check and diff run, nothing changes.
    again = sandbox.run(
        ["preview", "--json", "--non-interactive", "--expect-no-changes"], project
    ).json()
    assert change_summary(again) == {"same": 4}

    # destroy: the provider process really ran delete three times.
    destroy = sandbox.run(list(DESTROY), project)
    assert re.search(r"- 4 deleted", destroy.stdout), destroy.describe()
    assert list(markers.iterdir()) == []
    assert sandbox.stack_resources(project) == []


def test_missing_cli_fails_with_the_install_hint(tmp_path: Path) -> None:
    """What a developer without the CLI sees: a failure naming the script, not a skip."""
    broken = tmp_path / "install-pulumi.sh"
    broken.write_text("#!/bin/sh\necho 'go: command not found' >&2\nexit 1\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(PulumiCLIMissing, match=r"run scripts/install-pulumi\.sh") as failure:
        locate_bin_dir(broken, timeout=30)
    assert "go: command not found" in str(failure.value)
