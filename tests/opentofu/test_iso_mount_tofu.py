"""hostup_vps_iso_mount through the real OpenTofu CLI (v1.12.6, built from its Go
modules), with terraform-provider-hostup from this venv (dev_overrides) talking over
loopback to the session's simulator. API calls are counted from the simulator's log.

The scenarios of the Pulumi e2e suite, in tofu's words: apply of several mounts, a
steady plan with no write, drift shown by `plan -refresh-only` and repaired by
`apply`, an in-place ISO change, a device change as a replacement, a slot taken by a
foreign ISO refused with nothing written, an identical mount adopted, bad input
refused at plan with no request, destroy, and an apply interrupted mid-mount.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from harness.hostup_stack import api_calls, hold_mounts, mounted, writes
from harness.processes import end_session, wait_until_gone
from harness.tofu_cli import TofuWorkspace, mounts_hcl
from hostup_sim.server import SimServer
from hostup_sim.world import (
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    ISO_SYSTEMRESCUE,
    ISO_TOOLS,
    ISO_UBUNTU_2404,
    VPS_BUILD_1,
    VPS_WEB_1,
    VPS_WEB_2,
)

pytestmark = pytest.mark.opentofu

MOUNT = "mountVpsIso"
UNMOUNT = "unmountVpsIso"
LISTING = "listVpsIsoMedia"
SEEDED = {VPS_WEB_2: {"ide2": ISO_DEBIAN_12}}

INSTALLER = {"name": "installer", "vps_id": VPS_WEB_1, "iso_id": ISO_UBUNTU_2404}
TOOLS = {"name": "tools", "vps_id": VPS_BUILD_1, "iso_id": ISO_TOOLS, "device": "ide3"}
RESCUE = {"name": "rescue", "vps_id": VPS_BUILD_1, "iso_id": ISO_SYSTEMRESCUE, "device": "ide1"}
ALL_MOUNTED = {
    **SEEDED,
    VPS_WEB_1: {"ide2": ISO_UBUNTU_2404},
    VPS_BUILD_1: {"ide3": ISO_TOOLS, "ide1": ISO_SYSTEMRESCUE},
}


def applied(tofu: TofuWorkspace, sim: SimServer) -> TofuWorkspace:
    """Apply INSTALLER, TOOLS and RESCUE; check they are mounted; clear the sim's log."""
    tofu.write(mounts_hcl(sim.url, [INSTALLER, TOOLS, RESCUE]))
    tofu.apply()
    assert mounted(sim) == ALL_MOUNTED
    sim.store.clear_log()
    return tofu


def reads(sim: SimServer) -> list[tuple[str | None, str | None]]:
    return sorted((c.operation, c.vps_id) for c in api_calls(sim) if c.method == "GET")


def test_apply_mounts_several_on_several_vpses_and_the_next_plan_writes_nothing(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    tofu.write(mounts_hcl(sim.url, [INSTALLER, TOOLS, RESCUE]))
    sim.store.clear_log()
    plan = tofu.plan()
    assert "Plan: 3 to add, 0 to change, 0 to destroy." in plan.stdout
    assert api_calls(sim) == []  # planning creates is offline

    tofu.apply()
    assert mounted(sim) == ALL_MOUNTED
    assert sorted(writes(sim)) == sorted(
        [
            (MOUNT, VPS_WEB_1, "ide2", ISO_UBUNTU_2404),
            (MOUNT, VPS_BUILD_1, "ide3", ISO_TOOLS),
            (MOUNT, VPS_BUILD_1, "ide1", ISO_SYSTEMRESCUE),
        ]
    )
    state = tofu.resources()
    assert state["installer"] == {
        "id": f"{VPS_WEB_1}/ide2",
        "vps_id": VPS_WEB_1,
        "iso_id": ISO_UBUNTU_2404,
        "device": "ide2",  # the default
        "iso_name": "ubuntu-24.04.1-live-server-amd64.iso",
        "iso_display_name": "Ubuntu 24.04 LTS",
        "iso_size_gb": 2.6,
        "boot_order": '{"order": ["ide2", "scsi0", "net0"]}',
        "adopted": False,
        "owned_iso_id": ISO_UBUNTU_2404,
    }
    assert state["tools"]["iso_display_name"] is None  # a user upload without one

    # Steady state: refresh reads one listing per VPS (shared by its mounts), the plan
    # itself makes no call, and nothing is written.
    sim.store.clear_log()
    tofu.steady()
    assert writes(sim) == []
    assert reads(sim) == sorted([(LISTING, VPS_WEB_1), (LISTING, VPS_BUILD_1)])


def test_drift_of_each_kind_shows_in_refresh_only_and_apply_repairs_it(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    applied(tofu, sim)
    sim.store.drift_unmount(VPS_WEB_1, "ide2")  # ejected in the dashboard
    sim.store.drift_swap(VPS_BUILD_1, "ide3", ISO_ALPINE_320)  # another ISO put in

    refresh = tofu.plan("-refresh-only")
    assert "hostup_vps_iso_mount.installer has been deleted" in refresh.stdout
    assert "hostup_vps_iso_mount.tools has changed" in refresh.stdout
    assert f'~ iso_id           = "{ISO_TOOLS}" -> "{ISO_ALPINE_320}"' in refresh.stdout
    # rescue, on the same VPS, still holds its ISO (only the VPS's boot order moved).
    assert refresh.stdout.count("~ iso_id") == 1
    assert "~ owned_iso_id" not in refresh.stdout  # the swapped-in ISO is not ours
    assert writes(sim) == []

    plan = tofu.plan()
    assert "Plan: 1 to add, 1 to change, 0 to destroy." in plan.stdout
    tofu.apply()
    assert mounted(sim) == ALL_MOUNTED
    tofu.steady()


def test_a_deleted_vps_drops_its_mounts_and_apply_says_it_is_gone(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    applied(tofu, sim)
    sim.store.drift_delete_vps(VPS_WEB_1)
    refresh = tofu.plan("-refresh-only")
    assert "hostup_vps_iso_mount.installer has been deleted" in refresh.stdout
    apply = tofu.apply(check=False)
    assert apply.returncode == 1
    assert f"VPS {VPS_WEB_1} was not found for this API key" in apply.stderr
    assert writes(sim) == []


def test_a_new_iso_is_an_update_in_place_and_a_new_device_a_replacement(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    applied(tofu, sim)
    swapped = {**INSTALLER, "iso_id": ISO_ALPINE_320}
    tofu.write(mounts_hcl(sim.url, [swapped, TOOLS, RESCUE]))
    plan = tofu.plan()
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in plan.stdout
    assert 'iso_name         = "ubuntu-24.04.1-live-server-amd64.iso" -> (known after apply)' in (
        plan.stdout
    )
    sim.store.clear_log()
    tofu.apply()
    assert writes(sim) == [(MOUNT, VPS_WEB_1, "ide2", ISO_ALPINE_320)]  # no unmount
    assert tofu.resources()["installer"]["iso_name"] == "alpine-virt-3.20.3-x86_64.iso"

    moved = {**TOOLS, "device": "ide2"}
    tofu.write(mounts_hcl(sim.url, [swapped, moved, RESCUE]))
    plan = tofu.plan()
    assert "hostup_vps_iso_mount.tools must be replaced" in plan.stdout
    assert '~ device           = "ide3" -> "ide2" # forces replacement' in plan.stdout
    sim.store.clear_log()
    tofu.apply()
    assert mounted(sim)[VPS_BUILD_1] == {"ide2": ISO_TOOLS, "ide1": ISO_SYSTEMRESCUE}
    assert writes(sim) == [
        (UNMOUNT, VPS_BUILD_1, "ide3", None),  # tofu's default: destroy, then create
        (MOUNT, VPS_BUILD_1, "ide2", ISO_TOOLS),
    ]
    assert tofu.resources()["tools"]["id"] == f"{VPS_BUILD_1}/ide2"
    tofu.steady()


def test_a_slot_holding_a_foreign_iso_is_refused_with_nothing_written(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    taken = {"name": "taken", "vps_id": VPS_WEB_2, "iso_id": ISO_UBUNTU_2404}
    tofu.write(mounts_hcl(sim.url, [taken]))
    sim.store.clear_log()
    apply = tofu.apply(check=False)
    assert apply.returncode == 1
    assert (
        f"ide2 of VPS {VPS_WEB_2} already holds {ISO_DEBIAN_12} (Debian 12 (netinst)), which "
        "this configuration did not mount; unmount it in Hostup or choose another device"
    ) in " ".join(apply.stderr.split())
    assert writes(sim) == []
    assert reads(sim) == [(LISTING, VPS_WEB_2)]
    assert mounted(sim) == SEEDED
    assert tofu.resources() == {}


def test_an_identical_mount_is_adopted_without_a_write_and_destroy_unmounts_it(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    same = {"name": "debian", "vps_id": VPS_WEB_2, "iso_id": ISO_DEBIAN_12}
    tofu.write(mounts_hcl(sim.url, [same]))
    sim.store.clear_log()
    tofu.apply()
    assert writes(sim) == []
    assert tofu.resources()["debian"]["adopted"] is True
    tofu.steady()
    tofu.destroy()
    assert writes(sim) == [(UNMOUNT, VPS_WEB_2, "ide2", None)]
    assert mounted(sim) == {}


@pytest.mark.parametrize(
    ("mount", "messages"),
    [
        (
            {"name": "bad", "vps_id": "vps_../admin", "iso_id": ISO_DEBIAN_12, "device": "ide9"},
            [
                "vps_id must not contain '/'",
                "device must be one of ide0, ide1, ide2, ide3 (default ide2), got 'ide9'",
            ],
        ),
        (
            {"name": "bad", "vps_id": VPS_WEB_1, "iso_id": "iso with spaces"},
            ["iso_id must not contain whitespace"],
        ),
    ],
)
def test_bad_input_is_refused_at_plan_before_any_request(
    tofu: TofuWorkspace, sim: SimServer, mount: dict[str, str], messages: list[str]
) -> None:
    tofu.write(mounts_hcl(sim.url, [mount]))
    sim.store.clear_log()
    plan = tofu.plan(check=False)
    assert plan.returncode == 1
    said = " ".join(plan.stderr.split())
    for message in messages:
        assert message in said, plan.describe()
    assert api_calls(sim) == []


def test_destroy_unmounts_what_it_mounted_and_leaves_the_rest(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    applied(tofu, sim)
    tofu.destroy()
    assert mounted(sim) == SEEDED
    assert sorted(writes(sim)) == sorted(
        [
            (UNMOUNT, VPS_WEB_1, "ide2", None),
            (UNMOUNT, VPS_BUILD_1, "ide3", None),
            (UNMOUNT, VPS_BUILD_1, "ide1", None),
        ]
    )
    assert tofu.resources() == {}


def test_a_swap_the_configuration_then_names_becomes_ours_by_an_update_that_writes_nothing(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    """apply refreshes (Alpine where tools was), the configuration now names Alpine: the
    plan shows an in-place update of owned_iso_id only, apply writes nothing, the next
    plan is clean, and destroy unmounts Alpine as the resource's."""
    applied(tofu, sim)
    sim.store.drift_swap(VPS_BUILD_1, "ide3", ISO_ALPINE_320)
    tofu.write(mounts_hcl(sim.url, [INSTALLER, {**TOOLS, "iso_id": ISO_ALPINE_320}, RESCUE]))
    plan = tofu.plan()
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in plan.stdout, plan.stdout
    assert "~ owned_iso_id" in plan.stdout
    tofu.apply()
    assert writes(sim) == []
    assert tofu.resources()["tools"]["owned_iso_id"] == ISO_ALPINE_320
    tofu.steady()
    tofu.destroy()
    assert mounted(sim) == SEEDED


@pytest.mark.parametrize("refresh", ["-refresh=true", "-refresh=false"])
def test_destroy_leaves_an_iso_someone_put_there_since(
    tofu: TofuWorkspace, sim: SimServer, refresh: str
) -> None:
    """tofu refreshes before destroy by default: the refresh shows the swapped-in ISO as
    the new iso_id, but owned_iso_id keeps naming ours, so destroy leaves theirs alone
    with a warning, refreshed or not; the other mounts are unmounted."""
    applied(tofu, sim)
    sim.store.drift_swap(VPS_BUILD_1, "ide3", ISO_ALPINE_320)
    sim.store.clear_log()
    destroy = tofu.destroy(refresh)
    assert f"left {ISO_ALPINE_320} on {VPS_BUILD_1}/ide3 alone" in " ".join(destroy.stdout.split())
    assert mounted(sim) == {**SEEDED, VPS_BUILD_1: {"ide3": ISO_ALPINE_320}}
    assert (UNMOUNT, VPS_BUILD_1, "ide3") not in {w[:3] for w in writes(sim)}
    assert tofu.resources() == {}


def test_a_failed_remount_puts_the_old_iso_back_and_the_state_says_so(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    debian = {"name": "debian", "vps_id": VPS_WEB_2, "iso_id": ISO_DEBIAN_12}
    tofu.write(mounts_hcl(sim.url, [debian]))
    tofu.apply()  # adopted
    # The API refuses to mount over media, and the mount after the unmount fails.
    sim.store.update_settings(mount_over_media="conflict")
    sim.store.update_faults(path_prefix=f"/api/v2/vps/{VPS_WEB_2}/iso/actions/mount", fail_nth=[2])
    tofu.write(mounts_hcl(sim.url, [{**debian, "iso_id": ISO_ALPINE_320}]))
    sim.store.clear_log()
    apply = tofu.apply(check=False)
    assert apply.returncode == 1
    assert f"{ISO_DEBIAN_12} is mounted again, as before" in " ".join(apply.stderr.split())
    assert mounted(sim) == SEEDED
    assert [w[0] for w in writes(sim)] == [MOUNT, UNMOUNT, MOUNT, MOUNT]
    assert tofu.resources()["debian"]["iso_id"] == ISO_DEBIAN_12  # what is there
    sim.store.update_faults(fail_nth=[])
    tofu.apply()  # the next apply tries again, and succeeds
    assert mounted(sim) == {VPS_WEB_2: {"ide2": ISO_ALPINE_320}}
    tofu.steady()


def test_an_apply_interrupted_while_its_mount_is_on_its_way_lets_the_mount_finish(
    tofu: TofuWorkspace, sim: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during `tofu apply` while the API holds the mount request: the provider
    process ends only once that create has finished (its confirming read made), never
    in the middle of a write (it skips the interpreter's teardown only when no write is
    in progress: terraform_provider_hostup._entry); the next apply writes nothing."""
    tofu.write(mounts_hcl(sim.url, [INSTALLER]))
    # Held half a second: long enough for the Ctrl-C to land first, well inside the 2 s
    # go-plugin gives a plugin to exit before it kills it.
    held = hold_mounts(sim, monkeypatch, VPS_WEB_1, 0.5)
    args = ("apply", "-no-color", "-input=false", "-auto-approve")
    started = time.monotonic()
    proc = tofu.start(*args)
    try:
        assert held.arrived.wait(60), "the mount request never reached the simulator"
        os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C: tofu and its plugins
        tofu.finish(proc, args, started)
    finally:
        if proc.poll() is None:
            end_session(proc)
    assert wait_until_gone(proc.pid) == [], "a provider outlived the interrupted apply"
    calls = [(c.method, c.operation, c.vps_id, c.status) for c in api_calls(sim)]
    assert ("POST", MOUNT, VPS_WEB_1, 200) in calls, calls  # answered: the provider waited
    mount = calls.index(("POST", MOUNT, VPS_WEB_1, 200))
    assert ("GET", LISTING, VPS_WEB_1, 200) in calls[mount + 1 :], calls  # confirmed
    assert mounted(sim) == {**SEEDED, VPS_WEB_1: {"ide2": ISO_UBUNTU_2404}}

    held.release()
    sim.store.clear_log()
    tofu.apply()
    assert writes(sim) == []  # recorded, or adopted: no second mount
    assert tofu.resources()["installer"]["iso_id"] == ISO_UBUNTU_2404
    tofu.steady()
