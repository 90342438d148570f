"""The native provider through the real CLI and a YAML program, against the simulator.

Up, a steady preview with no API call, drift of each kind through refresh, update in
place, replace, a taken slot refused, bad input refused at preview with no request,
destroy, and the key nowhere in the backend but as encrypted config.
"""

from __future__ import annotations

import pytest

from harness.hostup_stack import api_calls, mounted, writes
from harness.native import changes, mount, steps, write_yaml_program
from hostup_sim.server import SimServer
from hostup_sim.world import (
    DEMO_API_KEY,
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    ISO_TOOLS,
    ISO_UBUNTU_2404,
    VPS_BUILD_1,
    VPS_DB_1,
    VPS_WEB_1,
    VPS_WEB_2,
)

from .conftest import YamlFactory

pytestmark = pytest.mark.e2e

SEEDED = {VPS_WEB_2: {"ide2": ISO_DEBIAN_12}}
TWO = {
    "web": mount(VPS_WEB_1, ISO_ALPINE_320),  # the default device, ide2
    "build": mount(VPS_BUILD_1, ISO_UBUNTU_2404, "ide3"),
}
OUTPUTS = {"webIso": "${web.isoName}", "buildId": "${build.id}", "adopted": "${web.adopted}"}


def test_up_mounts_and_a_steady_preview_calls_nothing(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    stack = open_yaml(TWO, outputs=OUTPUTS)
    sim.store.clear_log()
    up = stack.up()
    assert changes(up) == {"web": ["create"], "build": ["create"]}, up.describe()
    assert mounted(sim) == {
        **SEEDED,
        VPS_WEB_1: {"ide2": ISO_ALPINE_320},
        VPS_BUILD_1: {"ide3": ISO_UBUNTU_2404},
    }
    # Per mount: check's read (reused by create), the mount, the confirming read.
    assert len(api_calls(sim)) == 6, [c.operation for c in api_calls(sim)]
    assert stack.outputs() == {
        "webIso": "alpine-virt-3.20.3-x86_64.iso",
        "buildId": f"{VPS_BUILD_1}/ide3",
        "adopted": False,
    }

    sim.store.clear_log()
    preview = stack.preview()
    assert preview.summary == {"same": 3}, preview.result.describe()
    assert api_calls(sim) == []  # steady state: check and diff never call the API
    up = stack.up()
    assert changes(up) == {"web": ["same"], "build": ["same"]}
    assert api_calls(sim) == []


def test_refresh_shows_each_drift_and_up_repairs_it(open_yaml: YamlFactory, sim: SimServer) -> None:
    stack = open_yaml({**TWO, "db": mount(VPS_DB_1, ISO_TOOLS)})
    stack.up()
    sim.store.drift_unmount(VPS_WEB_1, "ide2")  # our ISO ejected
    sim.store.drift_swap(VPS_BUILD_1, "ide3", ISO_DEBIAN_12)  # another ISO put on our device
    sim.store.drift_delete_vps(VPS_DB_1)  # the VPS deleted

    refresh = stack.refresh()
    assert changes(refresh) == {"web": ["delete"], "build": ["update"], "db": ["delete"]}, (
        refresh.describe()
    )
    resources = {
        r["urn"].rsplit("::", 1)[1]: r
        for r in stack.export()["deployment"]["resources"]
        if r["type"] == "hostup:index:VpsIsoMount"
    }
    assert set(resources) == {"build"}
    assert resources["build"]["outputs"]["isoId"] == ISO_DEBIAN_12
    assert resources["build"]["inputs"]["isoId"] == ISO_DEBIAN_12
    assert resources["build"]["outputs"]["ownedIsoId"] == ISO_UBUNTU_2404  # still ours

    # The deleted VPS is refused at preview, by check, naming the VPS.
    failed = stack.preview(check=False)
    assert failed.result.returncode != 0
    assert any(VPS_DB_1 in e and "not found" in e for e in failed.errors()), (
        failed.result.describe()
    )

    write_yaml_program(stack.project, TWO)
    up = stack.up()
    assert changes(up) == {"web": ["create"], "build": ["update"]}, up.describe()
    assert mounted(sim)[VPS_WEB_1] == {"ide2": ISO_ALPINE_320}
    assert mounted(sim)[VPS_BUILD_1] == {"ide3": ISO_UBUNTU_2404}


def test_new_iso_updates_in_place_and_new_device_replaces(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    stack = open_yaml(TWO)
    stack.up()
    write_yaml_program(
        stack.project,
        {"web": mount(VPS_WEB_1, ISO_TOOLS), "build": mount(VPS_BUILD_1, ISO_UBUNTU_2404, "ide1")},
    )
    preview = stack.preview()
    assert steps(preview) == {"web": "update", "build": "replace"}, preview.result.describe()
    sim.store.clear_log()
    up = stack.up()
    assert changes(up) == {
        "web": ["update"],
        "build": ["create-replacement", "replace", "delete-replaced"],
    }, up.describe()
    assert mounted(sim)[VPS_WEB_1] == {"ide2": ISO_TOOLS}
    assert mounted(sim)[VPS_BUILD_1] == {"ide1": ISO_UBUNTU_2404}  # new first, then old gone
    mounts = [(w[0], w[2]) for w in writes(sim)]
    assert mounts.index(("mountVpsIso", "ide1")) < mounts.index(("unmountVpsIso", "ide3"))


def test_a_taken_slot_is_refused_and_nothing_is_written(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    stack = open_yaml({"taken": mount(VPS_WEB_2, ISO_ALPINE_320)})
    sim.store.clear_log()
    preview = stack.preview(check=False)
    assert preview.result.returncode != 0
    assert any("already holds" in e and ISO_DEBIAN_12 in e for e in preview.errors()), (
        preview.result.describe()
    )
    up = stack.up(check=False)
    assert not up.succeeded
    assert writes(sim) == []
    assert mounted(sim) == SEEDED


@pytest.mark.parametrize(
    ("properties", "said"),
    [
        ({"vpsId": VPS_WEB_1, "isoId": ISO_ALPINE_320, "device": "ide9"}, "ide9"),
        ({"vpsId": "../vps", "isoId": ISO_ALPINE_320}, "vpsId must not contain '/'"),
        ({"vpsId": VPS_WEB_1, "isoId": "iso 1"}, "isoId must not contain whitespace"),
        # The YAML host checks names against the schema before the provider sees them.
        ({"vpsId": VPS_WEB_1, "isoId": ISO_ALPINE_320, "devise": "ide1"}, "Property devise"),
    ],
    ids=["device", "path", "space", "typo"],
)
def test_bad_input_is_refused_at_preview_with_no_request(
    open_yaml: YamlFactory, sim: SimServer, properties: dict[str, str], said: str
) -> None:
    stack = open_yaml({"bad": {"type": "hostup:index:VpsIsoMount", "properties": properties}})
    sim.store.clear_log()
    preview = stack.preview(check=False)
    assert preview.result.returncode != 0
    messages = [d["message"] for d in preview.document.get("diagnostics") or []]
    assert any(said in m for m in messages), preview.result.describe()
    assert api_calls(sim) == []


@pytest.mark.parametrize("refresh_first", [False, True], ids=["plain", "refresh-first"])
def test_destroy_unmounts_only_what_the_stack_mounted(
    open_yaml: YamlFactory, sim: SimServer, refresh_first: bool
) -> None:
    """A refresh shows Debian as build's isoId; ownedIsoId still names ours: left alone."""
    stack = open_yaml(TWO)
    stack.up()
    sim.store.drift_swap(VPS_BUILD_1, "ide3", ISO_DEBIAN_12)  # not ours any more
    if refresh_first:
        stack.refresh()
        outputs = {
            r["urn"].rsplit("::", 1)[1]: r.get("outputs", {})
            for r in stack.export()["deployment"]["resources"]
        }
        assert (outputs["build"]["isoId"], outputs["build"]["ownedIsoId"]) == (
            ISO_DEBIAN_12,
            ISO_UBUNTU_2404,
        )
    destroy = stack.destroy()
    assert changes(destroy) == {"web": ["delete"], "build": ["delete"]}, destroy.describe()
    assert mounted(sim) == {**SEEDED, VPS_BUILD_1: {"ide3": ISO_DEBIAN_12}}
    assert any("left" in w and ISO_DEBIAN_12 in w for w in destroy.diagnostics("warning")), (
        destroy.describe()
    )


def test_the_key_is_in_no_file_of_the_backend_but_as_encrypted_config(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    stack = open_yaml(TWO, outputs=OUTPUTS)
    stack.up()
    stack.refresh()
    stack.destroy()
    sandbox = stack.sandbox
    for root in (sandbox.backend_dir, sandbox.home_dir, stack.project):
        for path in root.rglob("*"):
            if path.is_file():
                assert DEMO_API_KEY.encode() not in path.read_bytes(), path
    config = (stack.project / "Pulumi.dev.yaml").read_text()
    assert "hostup:apiKey:\n    secure:" in config, config
