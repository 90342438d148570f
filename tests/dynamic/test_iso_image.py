"""VpsIsoImageProvider's methods called directly against the simulator."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from hostup.errors import MountError
from hostup_sim import world
from hostup_sim.server import SimServer
from pulumi_hostup import VpsIsoImageProvider

UNKNOWN = pulumi.runtime.rpc.UNKNOWN
URL = "https://releases.example.org/alpine/alpine-extended-3.21.iso"
FILE = "alpine-extended-3.21.iso"
GOOD = {"vps_id": world.VPS_WEB_1, "url": URL, "filename": FILE, "decompress": None}


@pytest.fixture
def provider(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> VpsIsoImageProvider:
    monkeypatch.delenv("HOSTUP_API_KEY", raising=False)
    monkeypatch.delenv("HOSTUP_ENDPOINT", raising=False)
    p = VpsIsoImageProvider()
    p.configure(
        ConfigureRequest(
            Config({"hostup:apiKey": world.DEMO_API_KEY, "hostup:endpoint": sim.url}, "test")
        )
    )
    sim.store.clear_log()
    return p


def operations(sim: SimServer) -> list[str]:
    return [r.operation or r.path for r in sim.store.request_log()]


@pytest.mark.parametrize(
    ("news", "prop"),
    [
        ({**GOOD, "url": "ftp://example.org/a.iso"}, "url"),
        ({**GOOD, "filename": "../a.iso"}, "filename"),
        ({**GOOD, "filename": "isos/a.iso"}, "filename"),
        ({**GOOD, "decompress": "rar"}, "decompress"),
        ({**GOOD, "vps_id": "vps/1"}, "vps_id"),
        ({**GOOD, "colour": "red"}, "colour"),
    ],
)
def test_check_refuses_bad_input_offline(
    provider: VpsIsoImageProvider, sim: SimServer, news: dict[str, Any], prop: str
) -> None:
    result = provider.check({}, news)
    assert [f.property for f in result.failures] == [prop]
    assert operations(sim) == []


def test_check_passes_good_and_unknown_input_without_a_call(
    provider: VpsIsoImageProvider, sim: SimServer
) -> None:
    assert provider.check({}, GOOD).failures == []
    assert provider.check({}, {**GOOD, "url": UNKNOWN, "vps_id": UNKNOWN}).failures == []
    assert operations(sim) == []


def test_diff_replaces_and_deletes_first_when_the_file_name_stays(
    provider: VpsIsoImageProvider,
) -> None:
    same = provider.diff("x", GOOD, dict(GOOD))
    assert (same.changes, same.replaces) == (False, [])
    new_url = provider.diff("x", GOOD, {**GOOD, "url": URL + "?v=2"})
    assert (new_url.changes, new_url.replaces, new_url.delete_before_replace) == (
        True,
        ["url"],
        True,
    )
    renamed = provider.diff("x", GOOD, {**GOOD, "filename": "other.iso"})
    assert (renamed.replaces, renamed.delete_before_replace) == (["filename"], False)


def test_create_read_delete(provider: VpsIsoImageProvider, sim: SimServer) -> None:
    created = provider.create(dict(GOOD))
    outs = created.outs
    assert created.id == f"{world.VPS_WEB_1}/{outs['iso_id']}"
    assert (outs["name"], outs["adopted"], outs["url"]) == (FILE, False, URL)
    assert operations(sim)[0] == "downloadIsoFromUrl"

    provider.engine().runtime.listings.clear()
    read = provider.read(created.id, outs)
    assert read.id == created.id
    assert read.outs == outs

    provider.delete(created.id, outs)
    provider.engine().runtime.listings.clear()
    assert provider.read(created.id, outs).id is None


def test_refresh_after_the_iso_was_deleted_in_the_dashboard(
    provider: VpsIsoImageProvider, sim: SimServer
) -> None:
    created = provider.create(dict(GOOD))
    sim.store.drift_delete_iso(world.VPS_WEB_1, created.outs["iso_id"])
    provider.engine().runtime.listings.clear()
    assert provider.read(created.id, created.outs).id is None


def test_delete_while_mounted_names_the_drive(
    provider: VpsIsoImageProvider, sim: SimServer
) -> None:
    created = provider.create(dict(GOOD))
    sim.store.drift_mount(world.VPS_WEB_1, "ide2", created.outs["iso_id"])
    provider.engine().runtime.listings.clear()
    with pytest.raises(MountError, match=f"still mounted \\({world.VPS_WEB_1}/ide2\\)"):
        provider.delete(created.id, created.outs)


def test_read_works_from_the_id_alone(provider: VpsIsoImageProvider) -> None:
    created = provider.create(dict(GOOD))
    read = provider.read(created.id, {})
    assert read.outs["iso_id"] == created.outs["iso_id"]
    with pytest.raises(MountError, match="is not <vps_id>/<iso_id>"):
        provider.read("no-slash", {})
