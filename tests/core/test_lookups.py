"""Look-ups by name (hostup.lookups, and pulumi_hostup's get_vps / get_iso on them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hostup import lookups
from hostup.client import HostupClient
from hostup.errors import NoMatchError
from hostup_sim import world
from hostup_sim.server import SimServer
from pulumi_hostup import get_iso, get_vps


@pytest.fixture
def client(sim: SimServer) -> Iterator[HostupClient]:
    sim.store.clear_log()
    with HostupClient(world.DEMO_API_KEY, sim.url) as made:
        yield made


def operations(sim: SimServer) -> list[str | None]:
    return [r.operation for r in sim.store.request_log()]


def test_find_vps_by_name_costs_one_read(client: HostupClient, sim: SimServer) -> None:
    assert lookups.find_vps(client, "build-1").id == world.VPS_BUILD_1
    assert operations(sim) == ["listVps"]


def test_find_vps_that_does_not_exist_lists_the_names_there_are(client: HostupClient) -> None:
    with pytest.raises(NoMatchError) as info:
        lookups.find_vps(client, "web-3")
    text = str(info.value)
    assert "no VPS named 'web-3'" in text
    assert "'web-1'" in text
    assert "'bare-1'" in text
    assert "other-web-1" not in text  # another account's VPS is not this key's


def test_find_vps_of_another_account_is_not_found(client: HostupClient) -> None:
    with pytest.raises(NoMatchError):
        lookups.find_vps(client, "other-web-1")


def test_find_iso_by_file_or_display_name(client: HostupClient, sim: SimServer) -> None:
    by_file = lookups.find_iso(client, world.VPS_WEB_1, "ubuntu-24.04.1-live-server-amd64.iso")
    by_display = lookups.find_iso(client, world.VPS_WEB_1, "Ubuntu 24.04 LTS")
    assert by_file.id == by_display.id == world.ISO_UBUNTU_2404
    assert operations(sim) == ["listVpsIsoMedia", "listVpsIsoMedia"]


def test_find_iso_that_does_not_exist_lists_the_isos_there_are(client: HostupClient) -> None:
    with pytest.raises(NoMatchError, match=r"no ISO named 'nope.iso' .*'tools.iso'"):
        lookups.find_iso(client, world.VPS_WEB_1, "nope.iso")


def test_pulumi_look_ups_return_typed_results(
    sim: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a program there is no stack config: the environment supplies the key."""
    monkeypatch.setenv("HOSTUP_API_KEY", world.DEMO_API_KEY)
    monkeypatch.setenv("HOSTUP_ENDPOINT", sim.url)
    vps = get_vps("web-1")
    assert (vps.id, vps.name) == (world.VPS_WEB_1, "web-1")
    iso = get_iso(vps.id, "Debian 12 (netinst)")
    assert (iso.id, iso.vps_id) == (world.ISO_DEBIAN_12, world.VPS_WEB_1)
    assert iso.size_gb is not None
