"""The listing lag: writes show in GET /api/v2/vps/{id}/iso only after N seconds or N reads."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from sim_helpers import Api

from hostup_sim.admin import SimAdmin
from hostup_sim.server import SimServer
from hostup_sim.world import (
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    ISO_UBUNTU_2404,
    VPS_BARE_1,
    VPS_BUILD_1,
    VPS_WEB_1,
    VPS_WEB_2,
)


def action(vps_id: str, name: str) -> str:
    return f"/api/v2/vps/{vps_id}/iso/actions/{name}"


def slots(api: Api, vps_id: str) -> list[str]:
    return [d["device"] for d in api.media(vps_id)["availableDevices"]]


@dataclass(frozen=True)
class Write:
    """An API write, and what the listing shows of its VPS before and after it."""

    vps_id: str
    name: str
    body: dict[str, Any]
    old: Any
    new: Any

    def post(self, api: Api) -> None:
        assert api.post(action(self.vps_id, self.name), json=self.body).status_code == 200

    def shown(self, api: Api) -> Any:
        return slots(api, self.vps_id) if self.name == "attach-empty" else api.mounted(self.vps_id)


WRITES = [
    Write(VPS_WEB_1, "mount", {"isoId": ISO_UBUNTU_2404}, {}, {"ide2": ISO_UBUNTU_2404}),
    Write(VPS_WEB_2, "unmount", {"device": "ide2"}, {"ide2": ISO_DEBIAN_12}, {}),
    Write(VPS_BARE_1, "attach-empty", {}, [], ["ide2"]),
]


@pytest.fixture(params=WRITES, ids=[w.name for w in WRITES])
def write(request: pytest.FixtureRequest) -> Write:
    written: Write = request.param
    return written


def test_listing_lag_reads_show_the_old_media_n_times(
    api: Api, sim_admin: SimAdmin, write: Write
) -> None:
    sim_admin.update_settings(listing_lag_reads=2)
    write.post(api)
    assert [write.shown(api) for _ in range(3)] == [write.old, write.old, write.new]
    assert write.shown(api) == write.new


def test_listing_lag_seconds_show_the_old_media_for_a_while(
    api: Api, sim_admin: SimAdmin, write: Write
) -> None:
    sim_admin.update_settings(listing_lag_seconds=1.0)
    write.post(api)
    written = time.monotonic()
    while time.monotonic() - written < 0.6:  # any number of reads within the lag
        assert write.shown(api) == write.old
        time.sleep(0.05)
    time.sleep(1.1 - (time.monotonic() - written))
    assert write.shown(api) == write.new


def test_listing_lag_ends_at_whichever_bound_comes_first(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(listing_lag_seconds=30.0, listing_lag_reads=1)
    api.post(action(VPS_WEB_1, "mount"), json={"isoId": ISO_UBUNTU_2404})
    assert [api.mounted(VPS_WEB_1) for _ in range(2)] == [{}, {"ide2": ISO_UBUNTU_2404}]
    sim.store.update_settings(listing_lag_seconds=0.2, listing_lag_reads=100)
    api.post(action(VPS_WEB_1, "unmount"), json={})
    assert api.mounted(VPS_WEB_1) == {"ide2": ISO_UBUNTU_2404}
    time.sleep(0.25)
    assert api.mounted(VPS_WEB_1) == {}


def test_listing_lag_keeps_the_oldest_view_across_writes(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(listing_lag_reads=1)
    api.post(action(VPS_WEB_2, "unmount"), json={})
    api.post(action(VPS_WEB_2, "mount"), json={"isoId": ISO_ALPINE_320})
    # The listing never showed the empty drive, and the count starts again at each write.
    assert [api.mounted(VPS_WEB_2) for _ in range(2)] == [
        {"ide2": ISO_DEBIAN_12},
        {"ide2": ISO_ALPINE_320},
    ]


def test_listing_lag_hides_the_whole_drive_view(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(listing_lag_reads=1)
    api.post(action(VPS_WEB_1, "mount"), json={"isoId": ISO_UBUNTU_2404})
    lagging = api.media(VPS_WEB_1)
    assert lagging["availableDevices"][0]["inUse"] is False
    assert lagging["bootOrder"] == {"order": ["scsi0", "net0"]}
    fresh = api.media(VPS_WEB_1)
    assert fresh["availableDevices"][0]["inUse"] is True
    assert fresh["bootOrder"] == {"order": ["ide2", "scsi0", "net0"]}


def test_listing_lag_is_per_vps_and_the_state_shows_the_truth(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(listing_lag_reads=5)
    api.post(action(VPS_BUILD_1, "mount"), json={"isoId": ISO_UBUNTU_2404, "device": "ide1"})
    assert api.mounted(VPS_WEB_2) == {"ide2": ISO_DEBIAN_12}  # untouched VPS, no lag
    assert api.mounted(VPS_BUILD_1) == {}
    state = {v["id"]: v["media"] for v in sim.store.snapshot()["vpses"]}
    assert state[VPS_BUILD_1] == {"ide1": ISO_UBUNTU_2404}


def test_listing_lag_does_not_delay_dashboard_drift(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(listing_lag_reads=5)
    api.post(action(VPS_WEB_1, "mount"), json={"isoId": ISO_UBUNTU_2404})
    assert api.mounted(VPS_WEB_1) == {}
    sim.store.drift_swap(VPS_WEB_1, "ide2", ISO_ALPINE_320)
    assert api.mounted(VPS_WEB_1) == {"ide2": ISO_ALPINE_320}


def test_listing_lag_applies_when_an_async_mount_ends(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(mount_response="async", job_seconds=0.0, listing_lag_reads=1)
    operation = api.post(action(VPS_WEB_1, "mount"), json={"isoId": ISO_UBUNTU_2404}).json()
    job = api.get(operation["operation"]["pollUrl"]).json()["data"]
    assert job["status"] == "completed"
    assert [api.mounted(VPS_WEB_1) for _ in range(2)] == [{}, {"ide2": ISO_UBUNTU_2404}]


def test_listing_lag_off_again_shows_the_truth_at_once(api: Api, sim_admin: SimAdmin) -> None:
    sim_admin.update_settings(listing_lag_reads=10)
    api.post(action(VPS_WEB_1, "mount"), json={"isoId": ISO_UBUNTU_2404})
    assert api.mounted(VPS_WEB_1) == {}
    assert sim_admin.update_settings(listing_lag_reads=0)["listing_lag_reads"] == 0
    assert api.mounted(VPS_WEB_1) == {"ide2": ISO_UBUNTU_2404}


def test_listing_lag_is_off_by_default_and_after_reset(api: Api, sim: SimServer) -> None:
    assert (sim.store.settings().listing_lag_seconds, sim.store.settings().listing_lag_reads) == (
        0.0,
        0,
    )
    sim.store.update_settings(listing_lag_reads=3)
    api.post(action(VPS_WEB_1, "mount"), json={"isoId": ISO_UBUNTU_2404})
    sim.store.reset()
    api.post(action(VPS_WEB_1, "mount"), json={"isoId": ISO_ALPINE_320})
    assert api.mounted(VPS_WEB_1) == {"ide2": ISO_ALPINE_320}
