"""Import both ways, the key in no state, output or log, and faults during apply,
through the real OpenTofu CLI against the simulator.

- `tofu import <address> <vps_id>/<device>` and `import {}` blocks with
  `tofu plan -generate-config-out`, each followed by a plan with no change;
- the API key (from a sensitive variable, or HOSTUP_API_KEY) is in no state file,
  no plan or apply output and no `TF_LOG=trace` log; a saved plan file does hold a
  variable's value (tofu keeps variables in plan files), the environment's does not;
- 5xx, dropped connections and 429 bursts during apply: the apply converges.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from harness.hostup_stack import mounted, writes
from harness.tofu_cli import TofuWorkspace, mount_hcl, mounts_hcl, provider_hcl
from hostup_sim.faults import Faults
from hostup_sim.server import SimServer
from hostup_sim.world import (
    DEMO_API_KEY,
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    ISO_SYSTEMRESCUE,
    ISO_TOOLS,
    ISO_UBUNTU_2404,
    VPS_BUILD_1,
    VPS_DB_1,
    VPS_WEB_1,
    VPS_WEB_2,
)

pytestmark = pytest.mark.opentofu

DEBIAN_ID = f"{VPS_WEB_2}/ide2"


def test_tofu_import_takes_a_mount_by_its_id_then_plans_clean(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    tofu.write(provider_hcl(sim.url) + mount_hcl("debian", VPS_WEB_2, ISO_DEBIAN_12))
    sim.store.clear_log()
    tofu.import_("hostup_vps_iso_mount.debian", DEBIAN_ID)
    assert writes(sim) == []
    state = tofu.resources()["debian"]
    assert (state["id"], state["iso_id"], state["device"], state["adopted"]) == (
        DEBIAN_ID,
        ISO_DEBIAN_12,
        "ide2",
        True,
    )
    tofu.steady()
    tofu.destroy()  # imported is managed: destroy unmounts it
    assert mounted(sim) == {}


@pytest.mark.parametrize(
    ("id_", "message"),
    [
        (f"{VPS_WEB_1}/ide2", f"nothing to import: ide2 of VPS {VPS_WEB_1} holds no ISO"),
        ("web-2", "resource id 'web-2' is not of the form <vps_id>/<device>"),
        (f"{VPS_WEB_2}/ide9", "device must be one of ide0, ide1, ide2, ide3"),
    ],
)
def test_tofu_import_of_nothing_or_of_a_bad_id_says_what_is_wrong(
    tofu: TofuWorkspace, sim: SimServer, id_: str, message: str
) -> None:
    tofu.write(provider_hcl(sim.url) + mount_hcl("x", VPS_WEB_2, ISO_DEBIAN_12))
    result = tofu.import_("hostup_vps_iso_mount.x", id_, check=False)
    assert result.returncode == 1
    assert message in " ".join(result.stderr.split()), result.describe()
    assert tofu.resources() == {}


def test_import_blocks_generate_config_that_plans_clean(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    sim.store.drift_mount(VPS_DB_1, "ide2", ISO_SYSTEMRESCUE)
    blocks = "".join(
        f'\nimport {{\n  to = hostup_vps_iso_mount.{name}\n  id = "{id_}"\n}}\n'
        for name, id_ in (("debian", DEBIAN_ID), ("rescue", f"{VPS_DB_1}/ide2"))
    )
    tofu.write(provider_hcl(sim.url) + blocks)
    plan = tofu.plan("-generate-config-out=generated.tf")
    assert "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy." in plan.stdout
    generated = (tofu.workdir / "generated.tf").read_text()
    # Only what a user writes: the inputs, none of the computed outputs.
    assert f'vps_id = "{VPS_DB_1}"' in generated
    assert f'iso_id = "{ISO_SYSTEMRESCUE}"' in generated
    assert 'device = "ide2"' in generated
    for computed in ("iso_name", "adopted", "boot_order", "iso_size_gb"):
        assert computed not in generated
    sim.store.clear_log()
    tofu.apply()
    assert writes(sim) == []
    assert set(tofu.resources()) == {"debian", "rescue"}
    tofu.steady()


# -- the key ------------------------------------------------------------------------------


def _holds_key(path: Path) -> bool:
    """The file holds the key, or (a zip: a saved plan, a packed provider) a member does."""
    if DEMO_API_KEY.encode() in path.read_bytes():
        return True
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return any(DEMO_API_KEY.encode() in archive.read(name) for name in archive.namelist())
    return False


def _key_in_files(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and _holds_key(p)
    )


def test_the_key_is_in_no_state_output_or_trace_log(tofu: TofuWorkspace, sim: SimServer) -> None:
    tofu.write(mounts_hcl(sim.url, [{"name": "a", "vps_id": VPS_WEB_1, "iso_id": ISO_ALPINE_320}]))
    log = tofu.root / "trace.log"
    trace = {"TF_LOG": "trace", "TF_LOG_PATH": str(log)}
    tofu.plan(env=trace)
    tofu.apply(env=trace)
    tofu.steady()
    tofu.destroy()
    assert log.stat().st_size > 100_000  # the trace was written
    assert "ConfigureProvider" in log.read_text()
    # Neither the workspace (state, backups, .terraform) nor the log holds the key;
    # the fixture checks every CLI output.
    assert _key_in_files(tofu.root) == []


def test_a_saved_plan_holds_a_variable_key_but_not_the_environment_one(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    mount = mount_hcl("a", VPS_WEB_1, ISO_ALPINE_320)
    tofu.write(provider_hcl(sim.url) + mount)
    tofu.plan("-out=with-variable.tfplan")
    # tofu keeps the values of variables in a saved plan, sensitive or not.
    assert _key_in_files(tofu.root) == ["work/with-variable.tfplan"]
    (tofu.workdir / "with-variable.tfplan").unlink()

    tofu.extra_env = {"HOSTUP_API_KEY": DEMO_API_KEY}
    tofu.write(provider_hcl(sim.url, key_variable=False) + mount)
    tofu.plan("-out=with-env.tfplan")
    tofu.apply("with-env.tfplan")
    assert mounted(sim)[VPS_WEB_1] == {"ide2": ISO_ALPINE_320}
    assert _key_in_files(tofu.root) == []


# -- faults -------------------------------------------------------------------------------


@pytest.mark.sim_no_contract  # gateway pages and dropped connections are not the contract's
def test_apply_converges_through_5xx_drops_and_429_bursts(
    tofu: TofuWorkspace, sim: SimServer
) -> None:
    mounts = [
        {"name": "installer", "vps_id": VPS_WEB_1, "iso_id": ISO_UBUNTU_2404},
        {"name": "tools", "vps_id": VPS_BUILD_1, "iso_id": ISO_TOOLS, "device": "ide3"},
        {"name": "rescue", "vps_id": VPS_BUILD_1, "iso_id": ISO_SYSTEMRESCUE, "device": "ide1"},
        {"name": "db", "vps_id": VPS_DB_1, "iso_id": ISO_ALPINE_320},
    ]
    tofu.write(mounts_hcl(sim.url, mounts))
    sim.store.set_faults(
        Faults(
            seed=13,
            error_rate=0.25,
            html_rate=0.5,
            drop_rate=0.1,
            burst_every=7,
            burst_length=2,
            burst_retry_after=0,
        )
    )
    tofu.apply()
    log = sim.store.request_log()
    faults = [r.fault for r in log if r.fault]
    assert len(faults) >= 3, "the faults did not fire"
    assert mounted(sim) == {
        VPS_WEB_2: {"ide2": ISO_DEBIAN_12},
        VPS_WEB_1: {"ide2": ISO_UBUNTU_2404},
        VPS_BUILD_1: {"ide3": ISO_TOOLS, "ide1": ISO_SYSTEMRESCUE},
        VPS_DB_1: {"ide2": ISO_ALPINE_320},
    }
    tofu.steady()  # still under faults: refresh reads through them
    sim.store.set_faults(Faults())
    tofu.destroy()
    assert mounted(sim) == {VPS_WEB_2: {"ide2": ISO_DEBIAN_12}}
