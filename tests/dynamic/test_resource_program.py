"""VpsIsoMount in a Pulumi program, with pulumi.runtime.set_mocks standing in for the engine.

The mocks still pickle the provider (serialization errors surface here) and
resolve the resource's typed outputs the way the engine does.
"""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pytest

from pulumi_hostup import VpsIsoMount, VpsIsoMountArgs


class RecordingMocks(pulumi.runtime.Mocks):
    """Answers like a provider whose create echoes inputs plus the listing's facts."""

    def __init__(self, *, with_outputs: bool) -> None:
        self.with_outputs = with_outputs
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        self.created.append(args)
        state = {k: v for k, v in args.inputs.items() if k != "__provider"}
        if self.with_outputs:
            state |= {"iso_name": "ubuntu.iso", "iso_display_name": "Ubuntu", "iso_size_gb": 2.6}
        return f"{args.inputs['vps_id']}/{args.inputs['device']}", state

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocks() -> RecordingMocks:
    m = RecordingMocks(with_outputs=True)
    pulumi.runtime.set_mocks(m, project="hostup-test", stack="test", preview=False)
    return m


@pulumi.runtime.test
def test_program_registers_the_type_token_inputs_and_a_pickled_provider(
    mocks: RecordingMocks,
) -> Any:
    mount = VpsIsoMount("boot", vps_id="vps_a", iso_id="iso_b")

    def check(_: Any) -> None:
        (args,) = mocks.created
        assert args.typ == "pulumi-python:dynamic/hostup:VpsIsoMount"
        assert args.inputs["vps_id"] == "vps_a"
        assert args.inputs["iso_id"] == "iso_b"
        assert args.inputs["device"] == "ide2"  # the default is an input, so diffs see it
        blob = base64.b64decode(args.inputs["__provider"])
        assert b"pulumi_hostup.iso_mount" in blob
        assert len(args.inputs["__provider"]) <= 200

    return mount.id.apply(check)


@pulumi.runtime.test
def test_program_outputs_resolve_from_the_provider_answer(mocks: RecordingMocks) -> Any:
    mount = VpsIsoMount("boot", VpsIsoMountArgs(vps_id="vps_a", iso_id="iso_b", device="ide3"))

    def check(values: list[Any]) -> None:
        assert values == ["vps_a/ide3", "ide3", "ubuntu.iso", "Ubuntu", 2.6]

    return pulumi.Output.all(
        mount.id, mount.device, mount.iso_name, mount.iso_display_name, mount.iso_size_gb
    ).apply(check)


@pulumi.runtime.test
def test_program_keyword_arguments_win_over_args(mocks: RecordingMocks) -> Any:
    mount = VpsIsoMount("boot", VpsIsoMountArgs(vps_id="vps_a", iso_id="iso_b"), iso_id="iso_c")
    return mount.iso_id.apply(lambda iso: assert_equal(iso, "iso_c"))


def assert_equal(actual: Any, expected: Any) -> None:
    assert actual == expected


def test_program_outputs_are_unknown_at_preview_until_create_runs() -> None:
    m = RecordingMocks(with_outputs=False)
    pulumi.runtime.set_mocks(m, project="hostup-test", stack="test", preview=True)

    @pulumi.runtime.test
    def program() -> Any:
        mount = VpsIsoMount("boot", vps_id="vps_a", iso_id="iso_b")

        async def check() -> None:
            # Seeded (None) in props, they are declared; unanswered at preview, unknown.
            assert await mount.iso_name.is_known() is False
            assert await mount.vps_id.is_known() is True

        return pulumi.Output.from_input(check())

    program()
