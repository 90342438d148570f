"""Who owns a mount, through the real engine: renames, duplicates, old states, bad keys.

10. a mount renamed in the program (no `aliases`) keeps its disc: the engine
    creates the new name (adopted, no write) and deletes the old one (left in);
11. the same VPS and device declared twice: the second create fails, naming the
    drive, and the first mount stands;
12. a wrong API key fails `pulumi preview` (a 401 is an answer, not an outage);
13. a stack state written by the code before the core split (0.1, commit 5716b9d)
    refreshes, previews clean and destroys with this code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.hostup_stack import (
    MOUNT_TYPE,
    HostupStack,
    StackFactory,
    api_calls,
    mounted,
    urn_name,
    writes,
)
from harness.pulumi_cli import PulumiSandbox
from hostup_sim.server import SimServer
from hostup_sim.world import (
    DEMO_API_KEY,
    ISO_DEBIAN_12,
    ISO_TOOLS,
    ISO_UBUNTU_2404,
    VPS_BUILD_1,
    VPS_WEB_1,
    VPS_WEB_2,
)

pytestmark = pytest.mark.e2e

SEEDED = {VPS_WEB_2: {"ide2": ISO_DEBIAN_12}}
INSTALLER = {"name": "installer", "vpsId": VPS_WEB_1, "isoId": ISO_UBUNTU_2404}
OLD_STATE = Path(__file__).resolve().parents[1] / "fixtures" / "state_5716b9d" / "stack.json"


def adopted_flags(stack: HostupStack) -> dict[str, object]:
    return {name: r["outputs"].get("adopted") for name, r in stack.mounts_in_state().items()}


# -- 10 ----------------------------------------------------------------------------------


def test_a_renamed_mount_keeps_its_disc(open_stack: StackFactory, sim: SimServer) -> None:
    stack = open_stack([INSTALLER])
    stack.up()
    assert adopted_flags(stack) == {"installer": False}
    sim.store.clear_log()

    stack.configure({"mounts": [{**INSTALLER, "name": "boot-media"}]})
    up = stack.up()
    assert up.ops() == {"boot-media": ["create"], "installer": ["delete"]}, up.describe()
    assert writes(sim) == []  # adopted by the new name, left in by the old one's delete
    assert mounted(sim) == {**SEEDED, VPS_WEB_1: {"ide2": ISO_UBUNTU_2404}}
    assert "another resource of this run now manages it" in up.result.stdout
    assert adopted_flags(stack) == {"boot-media": True}

    # Adopted means managed: the next run's destroy unmounts it.
    sim.store.clear_log()
    stack.destroy()
    assert writes(sim) == [("unmountVpsIso", VPS_WEB_1, "ide2", None)]
    assert mounted(sim) == SEEDED


# -- 11 ----------------------------------------------------------------------------------


def test_the_same_drive_declared_twice_fails_the_second(
    open_stack: StackFactory, sim: SimServer
) -> None:
    stack = open_stack([INSTALLER, {**INSTALLER, "name": "installer-copy"}])
    up = stack.up(check=False)
    assert not up.succeeded
    errors = " ".join(up.diagnostics("error"))
    assert f"ide2 of VPS {VPS_WEB_1} is already claimed by another resource" in errors, errors
    assert "two resources declare the same VPS and device" in errors
    assert len(stack.mounts_in_state()) == 1
    assert [w[0] for w in writes(sim)] == ["mountVpsIso"]
    assert mounted(sim) == {**SEEDED, VPS_WEB_1: {"ide2": ISO_UBUNTU_2404}}


# -- 12 ----------------------------------------------------------------------------------


def test_a_wrong_api_key_fails_the_preview(open_stack: StackFactory, sim: SimServer) -> None:
    stack = open_stack([INSTALLER])
    stack.run("config", "set", "--secret", "hostup:apiKey", stdin="hsim_revoked_0000000000")
    sim.store.clear_log()
    preview = stack.run("preview", "--non-interactive", check=False)
    assert preview.returncode != 0, preview.describe()
    assert "the Hostup API refused the key" in preview.stdout, preview.describe()
    assert "unauthorized" in preview.stdout
    assert [(c.method, c.operation) for c in api_calls(sim)] == [("GET", "listVpsIsoMedia")]


# -- 13 ----------------------------------------------------------------------------------


def test_a_state_written_before_the_core_split_refreshes_and_destroys(
    pulumi_sandbox: PulumiSandbox, sim: SimServer
) -> None:
    """The state of tests/fixtures/state_5716b9d: two mounts, no hostup config in it
    (key and endpoint came from the environment), `__provider` a dill reference to
    pulumi_hostup.iso_mount.VpsIsoMountProvider."""
    exported = json.loads(OLD_STATE.read_text())
    in_state = {
        urn_name(r["urn"]): r["outputs"]
        for r in exported["deployment"]["resources"]
        if r["type"] == MOUNT_TYPE
    }
    assert set(in_state) == {"installer", "tools"}
    assert all("adopted" not in outs for outs in in_state.values())
    sim.store.drift_mount(VPS_WEB_1, "ide2", ISO_UBUNTU_2404)
    sim.store.drift_mount(VPS_BUILD_1, "ide3", ISO_TOOLS)

    project = pulumi_sandbox.copy_program("mounts")
    pulumi_sandbox.init_stack(
        project,
        "dev",
        config={
            "mounts": [
                INSTALLER,
                {"name": "tools", "vpsId": VPS_BUILD_1, "isoId": ISO_TOOLS, "device": "ide3"},
            ]
        },
    )
    pulumi_sandbox.run(["stack", "import", "--file", str(OLD_STATE), "--stack", "dev"], project)
    env = {"HOSTUP_API_KEY": DEMO_API_KEY, "HOSTUP_ENDPOINT": sim.url}
    stack = HostupStack(pulumi_sandbox, sim, project)

    sim.store.clear_log()
    refresh = stack.run("refresh", "--yes", "--skip-preview", "--non-interactive", env=env)
    assert "error" not in refresh.stdout.lower(), refresh.describe()
    assert [(c.method, c.operation) for c in api_calls(sim)] == [("GET", "listVpsIsoMedia")] * 2
    assert set(stack.mounts_in_state()) == {"installer", "tools"}

    sim.store.clear_log()
    preview = stack.preview("--expect-no-changes", env=env)
    assert preview.summary == {"same": 3}, preview.result.describe()
    assert api_calls(sim) == []

    destroy = stack.run("destroy", "--yes", "--skip-preview", "--non-interactive", env=env)
    assert destroy.returncode == 0, destroy.describe()
    assert sorted(writes(sim)) == sorted(
        [("unmountVpsIso", VPS_WEB_1, "ide2", None), ("unmountVpsIso", VPS_BUILD_1, "ide3", None)]
    )
    assert mounted(sim) == SEEDED
    assert stack.mounts_in_state() == {}
