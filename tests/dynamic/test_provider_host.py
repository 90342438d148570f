"""VpsIsoMount through the real dynamic-provider host, over gRPC, against the simulator.

This is the engine's path: the provider is pickled by pulumi's serialize_provider,
unpickled by the host in another process, configured from stack config, and
every answer crosses pulumi's own serialization.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import grpc
import pytest

from harness.provider_host import DIFF_NONE, DIFF_SOME, ProviderHost, secret
from hostup_sim import world
from hostup_sim.server import SimServer

# No HOSTUP_* in the host's environment: the stack config must be what counts.
HOST_ENV = {"HOSTUP_API_KEY": "", "HOSTUP_ENDPOINT": ""}


@pytest.fixture
def host(sim: SimServer) -> Iterator[ProviderHost]:
    with ProviderHost(HOST_ENV) as h:
        h.configure(stack_config(sim))
        sim.store.clear_log()
        yield h
    assert world.DEMO_API_KEY not in h.stderr


def stack_config(sim: SimServer) -> dict[str, object]:
    return {
        "hostup:apiKey": secret(world.DEMO_API_KEY),
        "hostup:endpoint": sim.url,
        # One engine run never sees drift mid-run; these tests cause it on purpose.
        "hostup:listingCacheSeconds": "0",
    }


def calls(sim: SimServer) -> list[str]:
    return [f"{r.method} {r.operation}" for r in sim.store.request_log()]


def media(sim: SimServer, vps_id: str) -> dict[str, str]:
    vps = next(v for v in sim.store.snapshot()["vpses"] if v["id"] == vps_id)
    return {d: i for d, i in vps["media"].items() if i}


def test_host_runs_the_whole_lifecycle(host: ProviderHost, sim: SimServer) -> None:
    news = {"vps_id": world.VPS_WEB_1, "iso_id": world.ISO_UBUNTU_2404}
    inputs, failures = host.check("boot", {}, news)
    assert failures == []
    assert inputs["device"] == "ide2"

    created = host.create("boot", inputs)
    assert created.id == f"{world.VPS_WEB_1}/ide2"
    assert created.outs["iso_name"] == "ubuntu-24.04.1-live-server-amd64.iso"
    assert media(sim, world.VPS_WEB_1) == {"ide2": world.ISO_UBUNTU_2404}
    # check's live read, then create's gate read (not shared: the cache is off), mount, confirm.
    assert calls(sim) == [
        "GET listVpsIsoMedia",
        "GET listVpsIsoMedia",
        "POST mountVpsIso",
        "GET listVpsIsoMedia",
    ]

    # Steady state: check and diff send nothing.
    sim.store.clear_log()
    inputs2, failures = host.check("boot", inputs, dict(news))
    assert failures == []
    assert host.diff("boot", created.id, created.outs, inputs2) == (DIFF_NONE, [])
    assert calls(sim) == []

    # Out-of-band swap: refresh shows it in outputs and inputs.
    sim.store.drift_swap(world.VPS_WEB_1, "ide2", world.ISO_ALPINE_320)
    sim.store.clear_log()
    read = host.read("boot", created.id, created.outs)
    assert read.outs["iso_id"] == world.ISO_ALPINE_320
    assert read.inputs is not None
    assert read.inputs["iso_id"] == world.ISO_ALPINE_320
    assert calls(sim) == ["GET listVpsIsoMedia"]

    # The program's ISO again: an update in place, not a replace.
    changes, replaces = host.diff("boot", read.id, read.outs, inputs)
    assert (changes, replaces) == (DIFF_SOME, [])
    updated = host.update("boot", read.id, read.outs, inputs)
    assert updated.outs["iso_id"] == world.ISO_UBUNTU_2404
    assert media(sim, world.VPS_WEB_1) == {"ide2": world.ISO_UBUNTU_2404}

    # A device change is a replace.
    moved = {**inputs, "device": "ide3"}
    assert host.diff("boot", read.id, updated.outs, moved) == (DIFF_SOME, ["device"])

    # `pulumi destroy` is another run, in a provider process of its own, as here.
    with ProviderHost(HOST_ENV) as destroy_run:
        destroy_run.configure(stack_config(sim))
        destroy_run.delete("boot", read.id, updated.outs)
    assert media(sim, world.VPS_WEB_1) == {}


def test_host_check_reports_bad_input_without_a_request(host: ProviderHost, sim: SimServer) -> None:
    _, failures = host.check("bad", {}, {"vps_id": "", "iso_id": "x", "device": "ide9"})
    assert {prop for prop, _ in failures} == {"vps_id", "device"}
    assert calls(sim) == []


def test_host_read_of_a_vanished_mount_returns_no_id(host: ProviderHost, sim: SimServer) -> None:
    sim.store.drift_unmount(world.VPS_WEB_2, "ide2")
    state = {"vps_id": world.VPS_WEB_2, "iso_id": world.ISO_DEBIAN_12, "device": "ide2"}
    read = host.read("gone", f"{world.VPS_WEB_2}/ide2", state)
    assert read.id == ""
    assert read.outs == {"__provider": host.blob}


def test_host_create_error_ends_with_the_message_a_person_needs(
    host: ProviderHost, sim: SimServer
) -> None:
    props = {"vps_id": world.VPS_WEB_2, "iso_id": world.ISO_UBUNTU_2404, "device": "ide2"}
    with pytest.raises(grpc.RpcError) as info:
        host.create("taken", props)
    details = info.value.details() or ""
    last_line = details.strip().splitlines()[-1]
    assert world.ISO_DEBIAN_12 in last_line
    assert "choose another device" in last_line
    assert world.DEMO_API_KEY not in details
    assert media(sim, world.VPS_WEB_2) == {"ide2": world.ISO_DEBIAN_12}


def test_host_provider_blob_is_a_small_reference_without_the_key(host: ProviderHost) -> None:
    raw = base64.b64decode(host.blob)
    assert len(host.blob) <= 200
    assert b"pulumi_hostup.iso_mount" in raw
    assert b"VpsIsoMountProvider" in raw
    assert world.DEMO_API_KEY.encode() not in raw


def test_host_without_a_key_fails_create_with_how_to_set_it(sim: SimServer) -> None:
    with ProviderHost({"HOSTUP_API_KEY": "", "HOSTUP_ENDPOINT": ""}) as h:
        h.configure({"hostup:endpoint": sim.url})
        props = {"vps_id": world.VPS_WEB_1, "iso_id": world.ISO_UBUNTU_2404, "device": "ide2"}
        with pytest.raises(grpc.RpcError) as info:
            h.create("nokey", props)
    assert "pulumi config set --secret hostup:apiKey" in (info.value.details() or "")
