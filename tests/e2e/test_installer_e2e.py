"""examples/installer through the real engine: from nothing to a mounted installer.

The VPS looked up by name, the ISO downloaded from a URL (VpsIsoImage), mounted
from the image's iso_id, a steady preview, refresh after the ISO is deleted in
the dashboard, and destroy in dependency order: unmount, then delete the ISO.
"""

from __future__ import annotations

import pytest

from harness.hostup_stack import (
    HostupStack,
    StackFactory,
    api_calls,
    copy_example,
    mounted,
    urn_name,
    writes,
)
from harness.pulumi_cli import PulumiSandbox
from hostup_sim.server import SimServer
from hostup_sim.world import ISO_DEBIAN_12, VPS_BUILD_1, VPS_WEB_2

pytestmark = pytest.mark.e2e

SEEDED = {VPS_WEB_2: {"ide2": ISO_DEBIAN_12}}
IMAGE_TYPE = "pulumi-python:dynamic/hostup:VpsIsoImage"
CONFIG = {
    "vpsName": "build-1",
    "isoUrl": "https://cdimage.example.org/debian-13-netinst.iso",
    "isoFilename": "debian-13-netinst.iso",
    "device": "ide3",
}


def library(sim: SimServer) -> dict[str, str]:
    """File name -> id of every ISO of the demo account."""
    return {iso["name"]: iso["id"] for iso in sim.store.snapshot()["isos"]}


def images_in_state(stack: HostupStack) -> list[str]:
    resources = stack.export()["deployment"].get("resources") or []
    return [urn_name(r["urn"]) for r in resources if r["type"] == IMAGE_TYPE]


@pytest.fixture
def installer(open_stack: StackFactory, pulumi_sandbox: PulumiSandbox) -> HostupStack:
    project = copy_example("installer", pulumi_sandbox.programs_dir)
    return open_stack(project=project, config=CONFIG)


def test_installer_from_nothing_up_preview_refresh_destroy(
    installer: HostupStack, sim: SimServer
) -> None:
    stack = installer
    assert CONFIG["isoFilename"] not in library(sim)

    sim.store.clear_log()
    preview = stack.preview()
    assert preview.summary == {"create": 3}, preview.result.describe()
    assert [c.operation for c in api_calls(sim)] == ["listVps"]  # the look-up, no write

    sim.store.clear_log()
    up = stack.up()
    assert up.succeeded, up.describe()
    iso_id = library(sim)[CONFIG["isoFilename"]]
    assert mounted(sim) == {**SEEDED, VPS_BUILD_1: {"ide3": iso_id}}
    ops = [c.operation for c in api_calls(sim)]
    assert ops[:2] == ["listVps", "downloadIsoFromUrl"]
    assert ops.count("downloadIsoFromUrl") == 1
    assert ops.count("mountVpsIso") == 1
    outputs = stack.outputs()
    assert outputs["vpsId"] == VPS_BUILD_1
    assert outputs["isoId"] == iso_id
    assert outputs["device"] == "ide3"
    assert outputs["next"] == "reboot build-1 from its ide3 CD/DVD drive to start the installer"

    sim.store.clear_log()
    again = stack.preview("--expect-no-changes")
    assert set(again.summary) == {"same"}
    assert [c.operation for c in api_calls(sim)] == ["listVps"]  # only the look-up

    sim.store.clear_log()
    destroy = stack.destroy()
    assert destroy.succeeded, destroy.describe()
    assert [w[0] for w in writes(sim)] == ["unmountVpsIso", "deleteVpsIsoMedia"]
    assert mounted(sim) == SEEDED
    assert CONFIG["isoFilename"] not in library(sim)
    assert images_in_state(stack) == []


def test_an_iso_deleted_in_the_dashboard_is_downloaded_again(
    installer: HostupStack, sim: SimServer
) -> None:
    stack = installer
    stack.up()
    first = library(sim)[CONFIG["isoFilename"]]
    # Someone ejects it and deletes it from the library.
    sim.store.drift_unmount(VPS_BUILD_1, "ide3")
    sim.store.drift_delete_iso(VPS_BUILD_1, first)

    refresh = stack.refresh()
    assert refresh.ops() == {"installer": ["delete"]}, refresh.describe()
    assert images_in_state(stack) == []

    up = stack.up()
    assert up.succeeded, up.describe()
    second = library(sim)[CONFIG["isoFilename"]]
    assert second != first
    assert mounted(sim) == {**SEEDED, VPS_BUILD_1: {"ide3": second}}
    stack.destroy()
    assert mounted(sim) == SEEDED


def test_a_failed_download_fails_up_and_records_nothing(
    installer: HostupStack, sim: SimServer
) -> None:
    stack = installer
    stack.configure({"isoUrl": "https://cdimage.example.org/fail/debian.iso"})
    up = stack.up(check=False)
    assert not up.succeeded
    errors = " ".join(up.diagnostics("error"))
    assert "failed" in errors
    assert "nothing was created" in errors
    assert images_in_state(stack) == []
    assert stack.mounts_in_state() == {}
    assert mounted(sim) == SEEDED
