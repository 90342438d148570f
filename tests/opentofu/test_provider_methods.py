"""terraform-provider-hostup's classes called directly, as the `tf` framework calls
them, against the simulator (layer 2): diagnostics instead of exceptions, warnings
per call, plan's unknowns, the schema upgrade, and the executable's own messages.
The scenarios through real tofu are in the other files of this folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from tf.iface import DeleteContext, PlanContext, UpgradeContext
from tf.types import Unknown
from tf.utils import Diagnostics

from harness.hostup_stack import hold_mounts, mounted, writes
from harness.processes import modules_loaded_by
from hostup.errors import MountError
from hostup_sim.server import SimServer
from hostup_sim.world import (
    DEMO_API_KEY,
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    ISO_UBUNTU_2404,
    VPS_WEB_1,
    VPS_WEB_2,
)
from terraform_provider_hostup.cdrom_drive import VpsCdromDrive
from terraform_provider_hostup.iso_image import VpsIsoImage
from terraform_provider_hostup.iso_mount import VpsIsoMount
from terraform_provider_hostup.provider import HostupProvider


def configured(sim: SimServer, **config: Any) -> HostupProvider:
    provider = HostupProvider()
    diags = Diagnostics()
    provider.configure_provider(diags, {"endpoint": sim.url, "api_key": DEMO_API_KEY, **config})
    assert not diags.diagnostics, str(diags)
    return provider


def messages(diags: Any) -> list[tuple[str, str, list[str] | None]]:
    return [(d.severity, d.summary, d.path) for d in diags.diagnostics]


def test_validate_reports_each_core_problem_on_its_attribute() -> None:
    diags = Diagnostics()
    VpsIsoMount(HostupProvider()).validate(
        diags, "hostup_vps_iso_mount", {"vps_id": "a b", "iso_id": Unknown, "device": "hdd"}
    )
    assert [(severity, path) for severity, _, path in messages(diags)] == [
        ("error", ["vps_id"]),
        ("error", ["device"]),
    ]
    assert "vps_id must not contain whitespace" in diags.diagnostics[0].summary


def test_plan_makes_the_iso_outputs_unknown_only_when_the_iso_changes() -> None:
    resource = VpsIsoMount(HostupProvider())
    prior = {"vps_id": VPS_WEB_1, "iso_id": ISO_UBUNTU_2404, "device": "ide2", "iso_name": "u.iso"}
    ctx = PlanContext(Diagnostics(), "hostup_vps_iso_mount", changed_fields=set())
    assert resource.plan(ctx, prior, dict(prior)) == prior
    planned = resource.plan(ctx, prior, {**prior, "iso_id": ISO_ALPINE_320})
    assert planned["iso_name"] is Unknown
    assert planned["adopted"] is Unknown
    assert planned["owned_iso_id"] is Unknown  # the update will own the new ISO
    # The declared ISO is on the device but the state owns another: an update settles it.
    unsettled = {**prior, "owned_iso_id": ISO_ALPINE_320}
    assert resource.plan(ctx, unsettled, dict(unsettled))["owned_iso_id"] is Unknown
    settled = {**prior, "owned_iso_id": ISO_UBUNTU_2404}
    assert resource.plan(ctx, settled, dict(settled)) == settled
    assert planned["device"] == "ide2"


def test_upgrade_keeps_a_current_state_and_refuses_one_from_a_newer_provider() -> None:
    resource = VpsIsoMount(HostupProvider())
    diags = Diagnostics()
    ctx = UpgradeContext(diags, "hostup_vps_iso_mount")
    upgraded = resource.upgrade(ctx, 0, {"vps_id": VPS_WEB_1, "stray": 1})
    assert upgraded is not None
    assert set(upgraded) == set(VpsIsoMount.attribute_names())
    assert diags.diagnostics == []  # no "default upgrade" warning
    # Version 0 had no owned_iso_id: the ISO it recorded is the one it owns.
    old = resource.upgrade(ctx, 0, {"vps_id": VPS_WEB_1, "iso_id": ISO_UBUNTU_2404})
    assert old is not None
    assert old["owned_iso_id"] == ISO_UBUNTU_2404
    current = {"iso_id": ISO_ALPINE_320, "owned_iso_id": ISO_UBUNTU_2404}
    kept = resource.upgrade(ctx, VpsIsoMount.VERSION, current)
    assert kept is not None
    assert kept["owned_iso_id"] == ISO_UBUNTU_2404  # a refreshed swap stays foreign
    assert resource.upgrade(ctx, 7, {}) is None
    assert "written by a newer terraform-provider-hostup" in diags.diagnostics[0].summary


def test_create_refusal_is_an_error_diagnostic_and_nothing_is_written(sim: SimServer) -> None:
    resource = VpsIsoMount(configured(sim))
    ctx = DeleteContext(Diagnostics(), "hostup_vps_iso_mount")
    planned = {"vps_id": VPS_WEB_2, "iso_id": ISO_UBUNTU_2404, "device": "ide2"}
    assert resource.create(ctx, planned) is None
    [(severity, summary, _)] = messages(ctx.diagnostics)
    assert severity == "error"
    assert "which this configuration did not mount" in summary
    assert writes(sim) == []


def test_warnings_of_concurrent_calls_reach_each_calls_own_diagnostics(sim: SimServer) -> None:
    provider = configured(sim)
    sim.store.drift_mount(VPS_WEB_1, "ide2", ISO_ALPINE_320)
    # Two deletes whose state recorded another ISO than the one there: each warns.
    states = [
        {"vps_id": VPS_WEB_1, "device": "ide2", "iso_id": ISO_UBUNTU_2404},
        {"vps_id": VPS_WEB_2, "device": "ide2", "iso_id": ISO_UBUNTU_2404},
    ]
    contexts = [DeleteContext(Diagnostics(), "hostup_vps_iso_mount") for _ in states]
    threads = [
        threading.Thread(target=VpsIsoMount(provider).delete, args=(ctx, state))
        for ctx, state in zip(contexts, states, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for ctx, state in zip(contexts, states, strict=True):
        [(severity, summary, _)] = messages(ctx.diagnostics)
        assert severity == "warning"
        assert f"on {state['vps_id']}/ide2 alone" in summary
    assert mounted(sim) == {VPS_WEB_1: {"ide2": ISO_ALPINE_320}, VPS_WEB_2: {"ide2": ISO_DEBIAN_12}}


def test_the_key_is_in_no_repr(sim: SimServer) -> None:
    provider = configured(sim)
    provider.mounts()
    assert DEMO_API_KEY not in repr(provider)
    assert DEMO_API_KEY not in repr(provider.mounts())
    assert "api_key=<set>" in repr(provider)


def test_starting_the_provider_loads_neither_requests_nor_pydantic() -> None:
    """tofu starts it 3-5 times per command; the HTTP stack loads at the first API call."""
    modules = ["terraform_provider_hostup._entry", "terraform_provider_hostup.provider"]
    code_modules = [*modules, "terraform_provider_hostup.iso_mount"]
    assert modules_loaded_by(code_modules, ("requests", "pydantic")) == []


def test_the_process_may_end_at_once_only_when_no_create_is_writing(
    sim: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """close_for_exit, which lets the executable skip the interpreter's teardown: refused
    while a create's mount request is on its way; once given, no call writes any more."""
    idle = configured(sim)
    assert idle.close_for_exit()  # nothing built yet: nothing to wait for, nothing to build
    with pytest.raises(MountError, match="shutting down"):
        idle.mounts()
    provider = configured(sim)
    held = hold_mounts(sim, monkeypatch, VPS_WEB_1, 30.0)
    ctx = DeleteContext(Diagnostics(), "hostup_vps_iso_mount")
    planned = {"vps_id": VPS_WEB_1, "iso_id": ISO_UBUNTU_2404, "device": "ide2"}
    created: list[Any] = []
    creating = threading.Thread(
        target=lambda: created.append(VpsIsoMount(provider).create(ctx, planned))
    )
    creating.start()
    try:
        assert held.arrived.wait(30), "the mount request never reached the simulator"
        assert not provider.close_for_exit()
    finally:
        held.release()
        creating.join(30)
    assert created[0]["iso_id"] == ISO_UBUNTU_2404, messages(ctx.diagnostics)
    assert provider.close_for_exit()
    sim.store.clear_log()
    later = DeleteContext(Diagnostics(), "hostup_vps_iso_mount")
    VpsIsoMount(provider).delete(later, created[0])
    [(severity, summary, _)] = messages(later.diagnostics)
    assert (severity, "shutting down" in summary) == ("error", True)
    assert sim.store.request_log() == []
    assert mounted(sim)[VPS_WEB_1] == {"ide2": ISO_UBUNTU_2404}


def _launcher() -> Path:
    return Path(sys.executable).parent / "terraform-provider-hostup"


def test_the_executable_run_by_hand_says_tofu_starts_it() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    proc = subprocess.run(
        [str(_launcher())], capture_output=True, text=True, check=False, env=env, timeout=30
    )
    assert proc.returncode == 1
    assert "a plugin for OpenTofu and Terraform: tofu starts it" in proc.stderr


def test_without_the_tofu_extra_the_executable_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['tf'] = None; sys.modules['tf.runner'] = None; "
        "from terraform_provider_hostup._entry import main; main()"
    )
    env = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": "x"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env
    )
    assert proc.returncode == 1
    assert "pip install 'pulumi-hostup[tofu]'" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("timeout", ["-1", "soon"])
def test_a_bad_operation_timeout_fails_configuration_and_names_the_setting(timeout: str) -> None:
    diags = Diagnostics()
    HostupProvider().validate_config(diags, {"operation_timeout": timeout})
    [(severity, summary, path)] = messages(diags)
    assert (severity, path) == ("error", ["operation_timeout"])
    assert summary.startswith("operation_timeout (provider block) / HOSTUP_OPERATION_TIMEOUT")


def test_image_and_drive_inputs_are_checked_offline_by_the_core_rules() -> None:
    diags = Diagnostics()
    VpsIsoImage(HostupProvider()).validate(
        diags,
        "hostup_vps_iso_image",
        {"vps_id": VPS_WEB_1, "url": "ftp://x", "filename": "../x.iso", "decompress": "rar"},
    )
    assert [path for _, _, path in messages(diags)] == [["url"], ["filename"], ["decompress"]]
    diags = Diagnostics()
    VpsIsoImage(HostupProvider()).validate(
        diags, "hostup_vps_iso_image", {"vps_id": Unknown, "url": Unknown, "filename": "a.iso"}
    )
    assert diags.diagnostics == []  # not known until apply: nothing to say yet
    diags = Diagnostics()
    VpsCdromDrive(HostupProvider()).validate(
        diags, "hostup_vps_cdrom_drive", {"vps_id": "vps_1?", "device": "sata0"}
    )
    assert [path for _, _, path in messages(diags)] == [["vps_id"], ["device"]]
