"""HostupClient against the simulator: every operation end to end over HTTP.

The scripted-server tests (test_client.py) pin the wire details; these prove that
the client and the simulator, written apart, agree on each operation, and every
simulator answer is checked against openapi.yaml at teardown (tests/conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # no stubs in the dev extras

from harness.contract import openapi_path
from hostup.client import HostupClient
from hostup.contract import DEFAULT_DEVICE
from hostup.errors import NotFoundError
from hostup_sim import world
from hostup_sim.server import SimServer

ISO_URL = "https://releases.example.org/tools/rescue-1.0.iso"


@pytest.fixture
def client(sim: SimServer) -> Iterator[HostupClient]:
    with HostupClient(world.DEMO_API_KEY, sim.url) as made:
        yield made


def request_bodies(sim: SimServer, operation: str) -> list[Any]:
    return [
        json.loads(exchange.request_body) if exchange.request_body else None
        for exchange in sim.store.exchanges()
        if exchange.operation == operation
    ]


def test_mount_and_unmount_default_to_the_contracts_device(
    client: HostupClient, sim: SimServer
) -> None:
    """A changed default would mount on (or eject) a device the user never named."""
    documented = yaml.safe_load(openapi_path().read_text())["components"]["schemas"]["Device"]
    assert DEFAULT_DEVICE == documented["default"] == "ide2"
    client.mount_iso(world.VPS_WEB_1, world.ISO_UBUNTU_2404)
    client.unmount_iso(world.VPS_WEB_1)
    assert request_bodies(sim, "mountVpsIso") == [
        {"isoId": world.ISO_UBUNTU_2404, "device": "ide2"}
    ]
    assert request_bodies(sim, "unmountVpsIso") == [{"device": "ide2"}]


def test_list_vps_pages_through_every_vps_of_the_account(
    client: HostupClient, sim: SimServer
) -> None:
    sim.store.reset(extra_vps=7)
    listed = list(client.list_vps(page_size=3))
    names = [vps.name for vps in listed]
    assert len(names) == len(set(names))
    assert {"web-1", "web-2", "bare-1"} <= set(names)
    assert world.VPS_OTHER_WEB_1 not in {vps.id for vps in listed}  # another account's
    assert len(request_bodies(sim, "listVps")) == -(-len(listed) // 3)


def test_attach_empty_gives_a_bare_vps_a_drive(client: HostupClient) -> None:
    before = client.get_iso_media(world.VPS_BARE_1)
    attached = client.attach_empty_cdrom(world.VPS_BARE_1)
    after = client.get_iso_media(world.VPS_BARE_1)
    assert attached.device is not None
    assert attached.device not in {slot.device for slot in before.available_devices}
    assert attached.device in {slot.device for slot in after.available_devices}


def test_download_from_url_then_delete_the_iso(client: HostupClient) -> None:
    queued = client.download_iso_from_url(world.VPS_WEB_1, ISO_URL, "rescue-1.0.iso")
    done = client.wait_for_operation(queued, deadline=10, poll_interval=0.01)
    assert done.is_completed
    job = client.get_job(done.job_id)
    assert job.operation_status == "completed"
    image = client.get_iso_media(world.VPS_WEB_1).find_available_by_name("rescue-1.0.iso")
    assert image is not None

    again = client.download_iso_from_url(world.VPS_WEB_1, ISO_URL, "rescue-1.0.iso")
    assert again.is_completed  # the file exists: 200, no second download

    client.delete_iso_media(world.VPS_WEB_1, image.id)
    assert client.get_iso_media(world.VPS_WEB_1).find_available(image.id) is None
    with pytest.raises(NotFoundError):
        client.delete_iso_media(world.VPS_WEB_1, image.id)
