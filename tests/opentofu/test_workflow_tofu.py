"""The whole ISO workflow in HCL, through real tofu: examples/opentofu installed as an
HCL user would (a filesystem mirror written by `python -m
terraform_provider_hostup.mirror`, then `tofu init`, which writes a lock file), the
look-ups by name, an ISO downloaded from a URL, a drive attached to a VPS that has
none, the provider's settings from the environment, and two accounts as two provider
blocks (an alias).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.hostup_stack import api_calls, mounted, writes
from harness.tofu_cli import REPO_ROOT, TofuWorkspace, hcl_string, provider_hcl
from hostup_sim.server import SimServer
from hostup_sim.world import (
    DEMO_API_KEY,
    ISO_DEBIAN_12,
    ISO_OTHER_FEDORA_41,
    ISO_SYSTEMRESCUE,
    KEY_ID_DEMO,
    KEY_ID_OTHER,
    OTHER_API_KEY,
    VPS_BARE_1,
    VPS_BUILD_1,
    VPS_OTHER_WEB_1,
    VPS_WEB_2,
)

pytestmark = pytest.mark.opentofu

SEEDED = {VPS_WEB_2: {"ide2": ISO_DEBIAN_12}}
EXAMPLE = REPO_ROOT / "examples" / "opentofu"


def library(sim: SimServer) -> dict[str, str]:
    return {iso["name"]: iso["id"] for iso in sim.store.snapshot()["isos"]}


def test_the_example_installs_from_a_mirror_with_a_lock_file_and_runs(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    mirror, cli_config = tofu.root / "mirror", tofu.root / "mirror.tfrc"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "terraform_provider_hostup.mirror",
            str(mirror),
            "--cli-config",
            str(cli_config),
        ],
        check=True,
        capture_output=True,
    )
    shutil.copy2(cli_config, tofu.cli_config)  # instead of dev_overrides
    shutil.copy2(EXAMPLE / "main.tf", tofu.workdir / "main.tf")
    tofu.extra_env = {"HOSTUP_ENDPOINT": sim.url, "HOSTUP_API_KEY": DEMO_API_KEY}

    init = tofu.run("init", "-no-color", "-input=false")
    assert "Installed hostup/hostup v0.1.0 (unauthenticated)" in init.stdout, init.describe()
    lock = (tofu.workdir / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.opentofu.org/hostup/hostup"' in lock
    assert '"h1:' in lock

    sim.store.clear_log()
    apply = tofu.apply()
    iso_id = library(sim)["debian-13-netinst.iso"]
    assert mounted(sim) == {**SEEDED, VPS_BUILD_1: {"ide3": iso_id, "ide1": ISO_SYSTEMRESCUE}}
    assert "reboot build-1 from its ide3 CD/DVD drive" in apply.stdout
    state = tofu.resources("hostup_vps_iso_image")["installer"]
    assert (state["iso_id"], state["name"], state["adopted"]) == (
        iso_id,
        "debian-13-netinst.iso",
        False,
    )
    assert tofu.resources()["installer"]["iso_id"] == iso_id

    sim.store.clear_log()
    tofu.steady()
    assert writes(sim) == []

    tofu.destroy()
    assert mounted(sim) == SEEDED
    assert "debian-13-netinst.iso" not in library(sim)  # unmounted first, then deleted


def test_a_vps_without_a_drive_gets_one_and_the_mount_uses_it(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    tofu.write(
        provider_hcl(sim.url)
        + f"""
resource "hostup_vps_cdrom_drive" "drive" {{
  vps_id = {hcl_string(VPS_BARE_1)}
}}

resource "hostup_vps_iso_mount" "rescue" {{
  vps_id = hostup_vps_cdrom_drive.drive.vps_id
  iso_id = {hcl_string(ISO_SYSTEMRESCUE)}
  device = hostup_vps_cdrom_drive.drive.device
}}
"""
    )
    sim.store.clear_log()
    tofu.apply()
    drive = tofu.resources("hostup_vps_cdrom_drive")["drive"]
    assert drive["adopted"] is False
    assert mounted(sim)[VPS_BARE_1] == {drive["device"]: ISO_SYSTEMRESCUE}
    assert [w[0] for w in writes(sim)] == ["attachEmptyCdrom", "mountVpsIso"]
    tofu.steady()
    destroy = tofu.destroy()
    assert "the Hostup API cannot detach drives" in " ".join(destroy.stdout.split())
    assert VPS_BARE_1 not in mounted(sim)


def test_look_ups_by_name_say_what_there_is_when_nothing_matches(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    tofu.write(provider_hcl(sim.url) + 'data "hostup_vps" "x" {\n  name = "web-9"\n}\n')
    plan = tofu.plan(check=False)
    assert plan.returncode == 1
    assert "no VPS named 'web-9' for this API key; there are: 'bare-1'" in " ".join(
        plan.stderr.split()
    )
    assert [c.operation for c in api_calls(sim)] == ["listVps"]


def test_settings_come_from_the_environment_and_a_bad_timeout_fails_validation(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    tofu.extra_env = {"HOSTUP_ENDPOINT": sim.url, "HOSTUP_API_KEY": DEMO_API_KEY}
    tofu.write(
        provider_hcl(None, key_variable=False) + 'data "hostup_iso" "debian" {\n'
        f"  vps_id = {hcl_string(VPS_WEB_2)}\n"
        '  name   = "Debian 12 (netinst)"\n'  # the display name works too
        "}\n"
        'output "debian" {\n  value = data.hostup_iso.debian.id\n}\n'
    )
    assert f'debian = "{ISO_DEBIAN_12}"' in tofu.plan().stdout

    tofu.write(
        provider_hcl(sim.url, key_variable=False, extra="  operation_timeout = -1\n")
        + 'data "hostup_vps" "x" {\n  name = "web-1"\n}\n'
    )
    plan = tofu.plan(check=False)
    assert plan.returncode == 1
    assert (
        "operation_timeout (provider block) / HOSTUP_OPERATION_TIMEOUT must be a number >= 0"
        in (" ".join(plan.stderr.split()))
    )

    tofu.extra_env = {"HOSTUP_ENDPOINT": sim.url}  # no key anywhere
    tofu.write(
        provider_hcl(sim.url, key_variable=False) + 'data "hostup_vps" "x" {\n  name = "web-1"\n}\n'
    )
    plan = tofu.plan(check=False)
    assert plan.returncode == 1
    assert (
        "no Hostup API key: set `api_key` in the provider block, or export HOSTUP_API_KEY"
        in " ".join(plan.stderr.split())
    )


def test_two_accounts_are_two_provider_blocks_with_an_alias(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    tofu.extra_env = {**tofu.extra_env, "TF_VAR_other_api_key": OTHER_API_KEY}
    tofu.write(
        provider_hcl(sim.url)
        + f"""
variable "other_api_key" {{
  type      = string
  sensitive = true
}}

provider "hostup" {{
  alias    = "other"
  endpoint = {hcl_string(sim.url)}
  api_key  = var.other_api_key
}}

resource "hostup_vps_iso_mount" "demo" {{
  vps_id = {hcl_string(VPS_BUILD_1)}
  iso_id = {hcl_string(ISO_SYSTEMRESCUE)}
  device = "ide1"
}}

resource "hostup_vps_iso_mount" "other" {{
  provider = hostup.other
  vps_id   = {hcl_string(VPS_OTHER_WEB_1)}
  iso_id   = {hcl_string(ISO_OTHER_FEDORA_41)}
}}
"""
    )
    tofu.apply()
    assert mounted(sim)[VPS_OTHER_WEB_1] == {"ide2": ISO_OTHER_FEDORA_41}
    assert mounted(sim)[VPS_BUILD_1] == {"ide1": ISO_SYSTEMRESCUE}
    # Each call went with its own account's key.
    keys = {(c.vps_id, c.key_id) for c in api_calls(sim) if c.method == "POST"}
    assert keys == {(VPS_BUILD_1, KEY_ID_DEMO), (VPS_OTHER_WEB_1, KEY_ID_OTHER)}
    tofu.steady()
    tofu.destroy()
    assert mounted(sim) == SEEDED
    assert not tofu.printed(OTHER_API_KEY)
    assert OTHER_API_KEY not in tofu.state_file.read_text()


def test_the_examples_run_script_works_as_its_readme_says(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "HOSTUP_"))}
    env["HOSTUP_DEMO_DIR"] = str(tmp_path)
    proc = subprocess.run(
        [str(EXAMPLE / "run.sh"), "--destroy"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )
    out = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)  # tofu's colours
    assert proc.returncode == 0, out[-6000:]
    assert "OpenTofu has been successfully initialized!" in out
    assert "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." in out
    assert "No changes. Your infrastructure matches the configuration." in out
    assert "Destroy complete! Resources: 3 destroyed." in out
    assert (tmp_path / "opentofu" / ".terraform.lock.hcl").is_file()
    assert DEMO_API_KEY not in out
