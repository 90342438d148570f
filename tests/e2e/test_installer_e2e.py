"""examples/installer through the real engine: from nothing to a mounted installer.

The VPS looked up by name, its drive adopted or attached (VpsCdromDrive), the ISO
downloaded from a URL (VpsIsoImage), mounted from the image's iso_id on the
drive's device, a steady preview, refresh after the ISO is deleted in the
dashboard, and destroy in dependency order: unmount, then delete the ISO, and
leave the drive.
"""

from __future__ import annotations

import re

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
from hostup_sim.world import ISO_DEBIAN_12, VPS_BARE_1, VPS_BUILD_1, VPS_WEB_2

pytestmark = pytest.mark.e2e

SEEDED = {VPS_WEB_2: {"ide2": ISO_DEBIAN_12}}
IMAGE_TYPE = "pulumi-python:dynamic/hostup:VpsIsoImage"
DRIVE_TYPE = "pulumi-python:dynamic/hostup:VpsCdromDrive"
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
    assert preview.summary == {"create": 4}, preview.result.describe()
    assert [c.operation for c in api_calls(sim)] == ["listVps"]  # the look-up, no write

    sim.store.clear_log()
    up = stack.up()
    assert up.succeeded, up.describe()
    iso_id = library(sim)[CONFIG["isoFilename"]]
    assert mounted(sim) == {**SEEDED, VPS_BUILD_1: {"ide3": iso_id}}
    ops = [c.operation for c in api_calls(sim)]
    # The look-up first; then the download and the drive's read run at once, in any order.
    assert ops[0] == "listVps"
    assert ops.count("downloadIsoFromUrl") == 1
    assert ops.count("mountVpsIso") == 1
    assert "attachEmptyCdrom" not in ops  # build-1 has ide3: the drive was adopted
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


def drives(sim: SimServer, vps_id: str) -> list[str]:
    vps = next(v for v in sim.store.snapshot()["vpses"] if v["id"] == vps_id)
    return list(vps["cdrom_devices"])


def test_a_vps_without_a_drive_gets_one_and_keeps_it_after_destroy(
    open_stack: StackFactory, pulumi_sandbox: PulumiSandbox, sim: SimServer
) -> None:
    project = copy_example("installer", pulumi_sandbox.programs_dir)
    config = {key: value for key, value in CONFIG.items() if key != "device"}
    stack = open_stack(project=project, config={**config, "vpsName": "bare-1"})
    assert drives(sim, VPS_BARE_1) == []

    sim.store.clear_log()
    up = stack.up()
    assert up.succeeded, up.describe()
    # The engine downloads and attaches at once (neither waits for the other), then mounts.
    ops = [w[0] for w in writes(sim)]
    assert sorted(ops[:2]) == ["attachEmptyCdrom", "downloadIsoFromUrl"]
    assert ops[2:] == ["mountVpsIso"]
    (device,) = drives(sim, VPS_BARE_1)
    iso_id = library(sim)[CONFIG["isoFilename"]]
    assert mounted(sim)[VPS_BARE_1] == {device: iso_id}
    assert stack.outputs()["device"] == device

    # Steady: no request but the look-up's.
    sim.store.clear_log()
    stack.preview("--expect-no-changes")
    assert [c.operation for c in api_calls(sim)] == ["listVps"]

    # Out of band, the drive keeps its medium; a refresh sees the drive still there.
    refresh = stack.refresh()
    assert set(refresh.summary) == {"same"}, refresh.describe()

    sim.store.clear_log()
    destroy = stack.destroy()
    assert [w[0] for w in writes(sim)] == ["unmountVpsIso", "deleteVpsIsoMedia"]  # no detach
    assert "the Hostup API cannot detach drives" in destroy.result.stdout
    assert drives(sim, VPS_BARE_1) == [device]  # left, empty
    assert VPS_BARE_1 not in mounted(sim)


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


# -- replacing the image ------------------------------------------------------------------

NEW_URL = "https://cdimage.example.org/v2/debian-13-netinst.iso"


def test_a_new_url_and_filename_download_first_move_the_mount_then_delete(
    installer: HostupStack, sim: SimServer
) -> None:
    stack = installer
    stack.up()
    old = library(sim)[CONFIG["isoFilename"]]

    stack.configure({"isoUrl": NEW_URL, "isoFilename": "debian-13-v2.iso"})
    preview = stack.preview()
    assert preview.summary == {"replace": 1, "update": 1, "same": 2}, preview.result.describe()

    sim.store.clear_log()
    up = stack.up()
    assert up.ops() == {"installer": ["update"]}, up.describe()
    new = library(sim)["debian-13-v2.iso"]
    # Create before delete: the new ISO arrives, the mount moves to it, the old one goes.
    assert [w[0] for w in writes(sim)] == [
        "downloadIsoFromUrl",
        "mountVpsIso",
        "deleteVpsIsoMedia",
    ]
    assert mounted(sim)[VPS_BUILD_1] == {"ide3": new}
    assert old not in library(sim).values()


def test_a_new_url_with_the_same_filename_is_refused_while_mounted_and_says_what_to_do(
    installer: HostupStack, sim: SimServer
) -> None:
    stack = installer
    stack.up()
    old = library(sim)[CONFIG["isoFilename"]]

    # The library holds one file per name: the old one must go before the new
    # download, but the mount (an update, not a replace) still holds it.
    stack.configure({"isoUrl": NEW_URL})
    sim.store.clear_log()
    up = stack.up(check=False)
    assert not up.succeeded
    errors = " ".join(up.diagnostics("error"))
    assert f"ISO {old} is still mounted ({VPS_BUILD_1}/ide3)" in errors
    assert "give it a new filename too" in errors
    assert writes(sim) == []  # refused before any request that changes anything
    assert mounted(sim)[VPS_BUILD_1] == {"ide3": old}
    assert images_in_state(stack) == ["installer-iso"]

    # Doing what the message says converges.
    stack.configure({"isoFilename": "debian-13-v2.iso"})
    up = stack.up()
    assert mounted(sim)[VPS_BUILD_1] == {"ide3": library(sim)["debian-13-v2.iso"]}


# -- adoption and refusals --------------------------------------------------------------


def test_a_file_already_in_the_library_is_adopted_and_destroy_deletes_it(
    installer: HostupStack, sim: SimServer
) -> None:
    stack = installer
    existing = "alpine-virt-3.20.3-x86_64.iso"  # in the demo library from the start
    stack.configure({"isoFilename": existing})
    iso_id = library(sim)[existing]
    sim.store.clear_log()
    up = stack.up()
    assert up.succeeded, up.describe()
    ops = [c.operation for c in api_calls(sim)]
    assert "getJob" not in ops  # no job to follow: the API answered completed
    assert ops.count("downloadIsoFromUrl") == 1
    assert stack.outputs()["isoId"] == iso_id
    image = next(r for r in stack.export()["deployment"]["resources"] if r["type"] == IMAGE_TYPE)
    assert image["outputs"]["adopted"] is True
    # Adopted means managed (README, Ownership): destroy deletes it.
    stack.destroy()
    assert existing not in library(sim)


def test_bad_input_fails_preview_on_its_property_with_no_request_but_the_look_up(
    installer: HostupStack, sim: SimServer
) -> None:
    stack = installer
    stack.configure(
        {
            "isoUrl": "ftp://cdimage.example.org/debian.iso",
            "isoFilename": "../debian.iso",
            "decompress": "rar",
        }
    )
    sim.store.clear_log()
    preview = stack.preview(check=False)
    assert preview.result.returncode != 0
    errors = " ".join(preview.errors())
    for words in (
        "property url value {ftp://cdimage.example.org/debian.iso} has a problem: "
        "url must be an http(s) URL with a host",
        "property filename value {../debian.iso} has a problem: "
        "filename must be a file name, not a path",
        "property decompress value {rar} has a problem: "
        "decompress must be one of none, gzip, lzo, zstd, bzip2",
    ):
        assert words in errors, errors
    assert [c.operation for c in api_calls(sim)] == ["listVps"]  # get_vps in the program
    assert images_in_state(stack) == []


def test_a_long_download_shows_its_progress_in_the_pulumi_output(
    installer: HostupStack, sim: SimServer
) -> None:
    sim.store.update_settings(job_seconds=6.0)
    up = installer.up()
    assert up.succeeded, up.describe()
    prefix = f"hostup: downloading {CONFIG['isoFilename']} to VPS {VPS_BUILD_1}: "
    shown = [m.strip() for m in up.diagnostics() if m.startswith(prefix)]
    # At least two of the job's percentages, as the polls saw them, and nothing else.
    assert len(shown) >= 2, up.describe()
    assert all(re.fullmatch(re.escape(prefix) + r"\d+%", line) for line in shown), shown
