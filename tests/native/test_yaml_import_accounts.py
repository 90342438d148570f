"""The native provider's own powers, through YAML programs: `pulumi import` (from the
CLI, and the code it generates plans clean), explicit providers for two accounts, and
the ISO workflow from a URL with the look-ups."""

from __future__ import annotations

from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from harness.hostup_stack import api_calls, mounted, writes
from harness.native import DRIVE, IMAGE, PROVIDER, changes, mount, write_yaml_program
from hostup_sim.server import SimServer
from hostup_sim.world import (
    DEMO_API_KEY,
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    ISO_OTHER_FEDORA_41,
    KEY_ID_DEMO,
    KEY_ID_OTHER,
    OTHER_API_KEY,
    VPS_BARE_1,
    VPS_BUILD_1,
    VPS_OTHER_WEB_1,
    VPS_WEB_1,
    VPS_WEB_2,
)

from .conftest import YamlFactory

pytestmark = pytest.mark.e2e


def test_import_takes_a_mount_and_its_generated_code_plans_clean(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    stack = open_yaml({"web": mount(VPS_WEB_1, ISO_ALPINE_320)})
    stack.up()
    sim.store.clear_log()
    generated = stack.project / "imported.yaml"
    stack.run(
        "import", "hostup:index:VpsIsoMount", "installer", f"{VPS_WEB_2}/ide2",
        "--yes", "--non-interactive", "--out", str(generated),
    )  # fmt: skip
    assert writes(sim) == []  # an import reads, it never mounts
    code = yaml.safe_load(generated.read_text())["resources"]["installer"]
    assert code["properties"] == {"vpsId": VPS_WEB_2, "isoId": ISO_DEBIAN_12, "device": "ide2"}
    state = {
        r["urn"].rsplit("::", 1)[1]: r
        for r in stack.export()["deployment"]["resources"]
        if r["type"] == "hostup:index:VpsIsoMount"
    }
    assert state["installer"]["outputs"]["adopted"] is True
    assert state["installer"]["id"] == f"{VPS_WEB_2}/ide2"

    # The generated code, added to the program, plans clean, with no API call.
    program = yaml.safe_load((stack.project / "Pulumi.yaml").read_text())
    program["resources"]["installer"] = code
    (stack.project / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    sim.store.clear_log()
    preview = stack.preview()
    assert preview.summary == {"same": 3}, preview.result.describe()
    assert api_calls(sim) == []

    # Imported means managed: destroy unmounts it (after removing `protect`).
    stack.run("state", "unprotect", state["installer"]["urn"], "--yes")
    stack.destroy()
    assert mounted(sim) == {}


@pytest.mark.parametrize(
    "drive", [f"{VPS_WEB_1}/ide2", f"{VPS_WEB_1}/ide3", "vps_doesnotexist000000000000/ide2"]
)
def test_import_of_nothing_is_refused_and_records_nothing(
    open_yaml: YamlFactory, sim: SimServer, drive: str
) -> None:
    """The SDK's layer would record an empty resource; the provider refuses instead."""
    stack = open_yaml({})
    stack.up()
    failed = stack.run(
        "import", "hostup:index:VpsIsoMount", "ghost", drive, "--yes", "--non-interactive",
        check=False,
    )  # fmt: skip
    assert failed.returncode != 0
    assert f"cannot import '{drive}'" in failed.stdout + failed.stderr, failed.describe()
    assert [r["type"] for r in stack.export()["deployment"]["resources"]] == ["pulumi:pulumi:Stack"]


def two_accounts() -> dict[str, Any]:
    # An explicit provider takes only its own inputs, never the stack's hostup:* config.
    return {
        "demo": {"type": PROVIDER, "properties": {"apiKey": "${demoKey}", "endpoint": "${api}"}},
        "other": {
            "type": PROVIDER,
            "properties": {"apiKey": "${otherKey}", "endpoint": "${api}"},
        },
        "web": {**mount(VPS_WEB_1, ISO_ALPINE_320), "options": {"provider": "${demo}"}},
        "fedora": {
            **mount(VPS_OTHER_WEB_1, ISO_OTHER_FEDORA_41),
            "options": {"provider": "${other}"},
        },
    }


def test_two_explicit_providers_manage_two_accounts_in_one_stack(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    config = {
        "demoKey": {"type": "string", "secret": True},
        "otherKey": {"type": "string", "secret": True},
        "api": {"type": "string"},
    }
    stack = open_yaml(two_accounts(), config=config, stack_config={"api": sim.url})
    for name, key in (("demoKey", DEMO_API_KEY), ("otherKey", OTHER_API_KEY)):
        stack.run("config", "set", "--secret", name, stdin=key)
    sim.store.clear_log()
    up = stack.up()
    assert changes(up) == {"web": ["create"], "fedora": ["create"]}, up.describe()
    assert mounted(sim)[VPS_WEB_1] == {"ide2": ISO_ALPINE_320}
    assert mounted(sim)[VPS_OTHER_WEB_1] == {"ide2": ISO_OTHER_FEDORA_41}
    keys = {(c.vps_id, c.key_id) for c in api_calls(sim)}
    assert keys == {(VPS_WEB_1, KEY_ID_DEMO), (VPS_OTHER_WEB_1, KEY_ID_OTHER)}

    # Each provider's key is a secret in state; neither is readable in the backend.
    providers = [r for r in stack.export()["deployment"]["resources"] if r["type"] == PROVIDER]
    assert len(providers) == 2
    for provider in providers:
        assert provider["inputs"]["apiKey"]["4dabf18193072939515e22adb298388d"] == (
            "1b47061264138c4ac30d75fd1eb44270"
        )
    for path in stack.sandbox.backend_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert DEMO_API_KEY.encode() not in data, path
            assert OTHER_API_KEY.encode() not in data, path

    # The other account's VPS through the demo key: not found, refused at preview.
    program = two_accounts()
    program["stray"] = {
        **mount(VPS_OTHER_WEB_1, ISO_ALPINE_320, "ide3"),
        "options": {"provider": "${demo}"},
    }
    write_yaml_program(stack.project, program, config=config)
    failed = stack.preview(check=False)
    assert any(VPS_OTHER_WEB_1 in e and "not found" in e for e in failed.errors()), (
        failed.result.describe()
    )
    stack.destroy()
    assert VPS_OTHER_WEB_1 not in mounted(sim)


def test_iso_from_a_url_with_look_ups_then_destroy_in_order(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    resources = {
        "image": {
            "type": IMAGE,
            "properties": {
                "vpsId": "${build.id}",
                "url": "https://cdimage.example.org/debian-13-netinst.iso",
                "filename": "debian-13-netinst.iso",
            },
        },
        "installer": mount("${build.id}", "${image.isoId}", "ide3"),
    }
    variables = {
        "build": {
            "fn::invoke": {"function": "hostup:index:getVps", "arguments": {"name": "build-1"}}
        },
        "alpine": {
            "fn::invoke": {
                "function": "hostup:index:getIso",
                "arguments": {"vpsId": "${build.id}", "name": "alpine-virt-3.20.3-x86_64.iso"},
            }
        },
    }
    outputs = {"isoId": "${image.isoId}", "alpine": "${alpine.id}", "size": "${image.sizeGb}"}
    stack = open_yaml(resources, variables=variables, outputs=outputs)
    up = stack.up()
    assert changes(up, IMAGE) == {"image": ["create"]}, up.describe()
    out = stack.outputs()
    assert out["alpine"] == ISO_ALPINE_320
    assert mounted(sim)[VPS_BUILD_1] == {"ide3": out["isoId"]}

    sim.store.clear_log()
    preview = stack.preview()
    assert preview.summary == {"same": 3}, preview.result.describe()
    # Only the two look-ups read (they run in every preview, as in every provider).
    assert len(api_calls(sim)) == 2, [c.operation for c in api_calls(sim)]

    stack.destroy()
    ops = [w[0] for w in writes(sim)]
    assert ops == ["unmountVpsIso", "deleteVpsIsoMedia"], ops
    assert VPS_BUILD_1 not in mounted(sim)


def test_a_look_up_of_a_missing_name_fails_listing_the_names(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    variables = {
        "vps": {"fn::invoke": {"function": "hostup:index:getVps", "arguments": {"name": "nope"}}}
    }
    stack = open_yaml({}, variables=variables, outputs={"id": "${vps.id}"})
    failed = stack.preview(check=False)
    text = failed.result.stdout + failed.result.stderr
    assert "no VPS named 'nope'" in text, failed.result.describe()
    assert "'web-1'" in text, failed.result.describe()


def test_a_new_url_replaces_the_image_deleting_the_old_file_first(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    def image(url: str) -> dict[str, Any]:
        return {
            "type": IMAGE,
            "properties": {"vpsId": VPS_BUILD_1, "url": url, "filename": "rescue-kit.iso"},
        }

    stack = open_yaml({"tools": image("https://example.org/tools-1.iso")})
    stack.up()
    write_yaml_program(stack.project, {"tools": image("https://example.org/tools-2.iso")})
    sim.store.clear_log()
    up = stack.up()
    ops = changes(up, IMAGE)["tools"]
    assert ops.index("delete-replaced") < ops.index("create-replacement"), ops
    assert [w[0] for w in writes(sim)] == ["deleteVpsIsoMedia", "downloadIsoFromUrl"]
    stack.destroy()


def test_a_drive_for_a_vps_without_one_then_a_mount_in_it(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    resources = {
        "drive": {"type": DRIVE, "properties": {"vpsId": VPS_BARE_1}},
        "installer": mount(VPS_BARE_1, ISO_ALPINE_320, "${drive.device}"),
    }
    stack = open_yaml(resources, outputs={"device": "${drive.device}"})
    sim.store.clear_log()
    up = stack.up()
    assert changes(up, DRIVE) == {"drive": ["create"]}, up.describe()
    device = stack.outputs()["device"]
    assert mounted(sim)[VPS_BARE_1] == {device: ISO_ALPINE_320}
    assert [w[0] for w in writes(sim)] == ["attachEmptyCdrom", "mountVpsIso"]

    sim.store.clear_log()
    assert stack.preview().summary == {"same": 3}
    assert api_calls(sim) == []

    destroy = stack.destroy()
    assert [w[0] for w in writes(sim)] == ["unmountVpsIso"]  # the API cannot detach
    assert any("cannot detach" in w for w in destroy.diagnostics("warning")), destroy.describe()


def test_the_import_option_takes_a_mount_and_refuses_nothing_there(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    taken = mount(VPS_WEB_2, ISO_DEBIAN_12, "ide2", **{"import": f"{VPS_WEB_2}/ide2"})
    ghost = mount(VPS_WEB_1, ISO_ALPINE_320, "ide2", **{"import": f"{VPS_WEB_1}/ide2"})
    stack = open_yaml({"taken": taken, "ghost": ghost})
    sim.store.clear_log()
    failed = stack.up(check=False)
    assert not failed.succeeded
    assert any(f"cannot import '{VPS_WEB_1}/ide2'" in e for e in failed.diagnostics("error"))
    assert changes(failed) == {"taken": ["import"]}, failed.describe()
    assert writes(sim) == []  # importing reads; nothing was mounted for the ghost

    write_yaml_program(stack.project, {"taken": taken})
    assert stack.preview().summary == {"same": 2}


def test_a_drive_imports_and_a_missing_drive_is_refused(
    open_yaml: YamlFactory, sim: SimServer
) -> None:
    stack = open_yaml({})
    stack.up()
    stack.run("import", DRIVE, "web-drive", f"{VPS_WEB_1}/ide2", "--yes", "--non-interactive")
    failed = stack.run(
        "import", DRIVE, "none", f"{VPS_BARE_1}/ide2", "--yes", "--non-interactive", check=False
    )
    assert failed.returncode != 0
    assert f"VPS {VPS_BARE_1} has no CD/DVD drive ide2" in failed.stdout + failed.stderr
    drives = [r for r in stack.export()["deployment"]["resources"] if r["type"] == DRIVE]
    assert [(d["id"], d["outputs"]["adopted"]) for d in drives] == [(f"{VPS_WEB_1}/ide2", True)]
    assert writes(sim) == []
