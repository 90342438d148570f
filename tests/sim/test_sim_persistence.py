"""The JSON state file: loaded at start, replaced atomically after each change."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
import requests
from sim_helpers import serving

from hostup_sim.persistence import write_atomically
from hostup_sim.server import SimServer
from hostup_sim.settings import Settings
from hostup_sim.store import HostupStore
from hostup_sim.world import (
    ACCOUNT_DEMO,
    DEMO_API_KEY,
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    VPS_WEB_1,
    VPS_WEB_2,
)

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


def mounted(url: str, vps_id: str) -> dict[str, str]:
    body = requests.get(f"{url}/api/v2/vps/{vps_id}/iso", headers=AUTH, timeout=5).json()
    return {m["device"]: m["isoId"] for m in body["mounted"] if not m["isCloudInit"]}


def test_persistence_fresh_file_is_seeded_at_once(tmp_path: Path) -> None:
    state = tmp_path / "sim.json"
    HostupStore(state_file=state)
    data = json.loads(state.read_text())
    assert VPS_WEB_1 in [v["id"] for v in data["vpses"]]


def test_persistence_restart_sees_the_same_world(tmp_path: Path) -> None:
    state = tmp_path / "sim.json"
    with SimServer(HostupStore(state_file=state)) as first:
        mount = f"{first.url}/api/v2/vps/{VPS_WEB_1}/iso/actions/mount"
        assert requests.post(mount, json={"isoId": ISO_ALPINE_320}, headers=AUTH, timeout=5).ok
        unmount = f"{first.url}/api/v2/vps/{VPS_WEB_2}/iso/actions/unmount"
        assert requests.post(unmount, json={}, headers=AUTH, timeout=5).ok
    with SimServer(HostupStore(state_file=state)) as second:
        assert mounted(second.url, VPS_WEB_1) == {"ide2": ISO_ALPINE_320}
        assert mounted(second.url, VPS_WEB_2) == {}


def test_persistence_reset_rewrites_the_file(tmp_path: Path) -> None:
    state = tmp_path / "sim.json"
    store = HostupStore(state_file=state)
    store.drift_unmount(VPS_WEB_2)
    store.reset()
    restored = HostupStore(state_file=state).backend.list_vps_iso_media(ACCOUNT_DEMO, VPS_WEB_2)
    assert restored.view.media == (("ide2", ISO_DEBIAN_12),)


def test_persistence_running_job_finishes_after_restart(tmp_path: Path) -> None:
    state = tmp_path / "sim.json"
    store = HostupStore(state_file=state, settings=Settings(job_seconds=0.3))
    job = store.backend.download_iso_from_url(
        ACCOUNT_DEMO, VPS_WEB_1, "https://example.com/n.iso", "n.iso"
    )
    time.sleep(0.35)
    restarted = HostupStore(state_file=state).backend
    assert restarted.get_job(ACCOUNT_DEMO, job.id).job.status == "completed"
    library = restarted.list_vps_iso_media(ACCOUNT_DEMO, VPS_WEB_1).library
    assert "n.iso" in [i.name for i in library]


def test_persistence_write_failure_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "sim.json"
    state.write_text('{"old": true}')

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(state, b'{"new": true}')
    assert state.read_text() == '{"old": true}'
    assert list(tmp_path.iterdir()) == [state]  # no temp file left behind


def test_persistence_leaves_no_temp_files(tmp_path: Path) -> None:
    state = tmp_path / "sim.json"
    store = HostupStore(state_file=state)
    for _ in range(5):
        store.drift_mount(VPS_WEB_1, "ide2", ISO_ALPINE_320)
        store.drift_unmount(VPS_WEB_1, "ide2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sim.json"]


def test_persistence_corrupt_file_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "sim.json"
    state.write_text('{"vpses": [')
    with pytest.raises(ValueError, match="not a simulator state"):
        HostupStore(state_file=state)


def test_persistence_killed_server_leaves_a_whole_file(tmp_path: Path) -> None:
    state = tmp_path / "sim.json"
    with serving("--state", str(state)) as (url, proc):
        mount = f"{url}/api/v2/vps/{VPS_WEB_1}/iso/actions/mount"
        for iso in (ISO_ALPINE_320, ISO_DEBIAN_12, ISO_ALPINE_320):
            assert requests.post(mount, json={"isoId": iso}, headers=AUTH, timeout=5).ok
        proc.send_signal(signal.SIGKILL)
    with SimServer(HostupStore(state_file=state)) as again:
        assert mounted(again.url, VPS_WEB_1) == {"ide2": ISO_ALPINE_320}
