"""`hostup-sim` as a process: serve, seed, log, faults, settings, reset."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from hostup_sim.server import SimServer
from hostup_sim.store import HostupStore
from hostup_sim.world import DEMO_API_KEY, ISO_UBUNTU_2404, VPS_WEB_1, extra_vps_id

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hostup_sim", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env=env,
    )


@contextmanager
def serving(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    with subprocess.Popen(
        [sys.executable, "-m", "hostup_sim", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("hostup-sim listening on http://127.0.0.1:"), line
            yield line.split()[-1], proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)


def test_cli_serve_prints_its_url_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    url_file = tmp_path / "url"
    with serving("--port", "0", "--url-file", str(url_file)) as (url, proc):
        assert url_file.read_text().strip() == url
        response = requests.get(f"{url}/api/v2/vps", headers=AUTH, timeout=5)
        assert response.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_cli_serve_stops_cleanly_on_sigint() -> None:
    with serving() as (_url, proc):
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


def test_cli_serve_takes_knobs_from_flags(tmp_path: Path) -> None:
    args = ["--extra-vps", "3", "--mount-over-media", "conflict", "--rate-limit", "100:50"]
    with serving(*args) as (url, _proc):
        listing = requests.get(f"{url}/api/v2/vps?limit=100", headers=AUTH, timeout=5)
        assert extra_vps_id(3) in [v["id"] for v in listing.json()["data"]]
        assert listing.headers["X-RateLimit-Limit"] == "50"
        settings = requests.get(f"{url}/_sim/settings", timeout=5).json()
        assert settings["mount_over_media"] == "conflict"


def test_cli_serve_takes_knobs_from_the_environment() -> None:
    env = os.environ | {"HOSTUP_SIM_ERROR_RATE": "1", "HOSTUP_SIM_SEED": "5"}
    with serving("--latency-ms", "1:2", env=env) as (url, _proc):
        assert requests.get(f"{url}/api/v2/vps", headers=AUTH, timeout=5).status_code >= 500
        faults = requests.get(f"{url}/_sim/faults", timeout=5).json()
        assert faults["seed"] == 5
        assert (faults["latency_min_ms"], faults["latency_max_ms"]) == (1.0, 2.0)


def test_cli_serve_refuses_bad_knobs() -> None:
    done = cli("serve", "--error-rate", "2")
    assert done.returncode == 2
    assert "error_rate" in done.stderr
    assert cli("serve", "--host", "0.0.0.0").returncode == 2


def test_cli_seed_prints_ids_and_the_demo_key(tmp_path: Path) -> None:
    state = tmp_path / "world.json"
    done = cli("seed", "--state", str(state))
    assert done.returncode == 0, done.stderr
    assert DEMO_API_KEY in done.stdout
    assert f"VPS_WEB_1        {VPS_WEB_1}" in done.stdout
    assert "ISO_UBUNTU_2404" in done.stdout
    store = HostupStore(state_file=state)
    assert store.snapshot()["vpses"][0]["id"] == VPS_WEB_1


def test_cli_seed_json_is_machine_readable() -> None:
    done = cli("seed", "--json", "--extra-vps", "2")
    summary = json.loads(done.stdout)
    assert summary["demoApiKey"] == DEMO_API_KEY
    by_constant = {v["constant"]: v["id"] for v in summary["vpses"]}
    assert by_constant["VPS_WEB_1"] == VPS_WEB_1
    assert extra_vps_id(2) in [v["id"] for v in summary["vpses"]]
    assert {i["constant"] for i in summary["isos"]} >= {"ISO_UBUNTU_2404"}


def test_cli_log_faults_settings_reset_against_a_running_sim(sim: SimServer) -> None:
    requests.post(
        f"{sim.url}/api/v2/vps/{VPS_WEB_1}/iso/actions/mount",
        json={"isoId": ISO_UBUNTU_2404},
        headers=AUTH,
        timeout=5,
    )
    log = json.loads(cli("log", "--url", sim.url, "--json").stdout)
    assert [r["operation"] for r in log] == ["mountVpsIso"]
    table = cli("log", "--url", sim.url).stdout
    assert "mountVpsIso" in table
    assert DEMO_API_KEY not in table

    faults = json.loads(cli("faults", "--url", sim.url, "--burst-429", "5:2", "--seed", "9").stdout)
    assert (faults["burst_every"], faults["burst_length"], faults["seed"]) == (5, 2, 9)
    assert sim.store.faults().burst_every == 5
    cleared = json.loads(cli("faults", "--url", sim.url, "--clear").stdout)
    assert cleared["burst_every"] == 0

    settings = json.loads(cli("settings", "--url", sim.url, "--mount-response", "async").stdout)
    assert settings["mount_response"] == "async"
    assert sim.store.settings().mount_response == "async"

    assert cli("reset", "--url", sim.url).returncode == 0
    assert sim.store.request_log() == []
    assert sim.store.settings().mount_response == "sync"


def test_cli_reports_an_unreachable_sim() -> None:
    with SimServer() as server:
        url = server.url
    done = cli("log", "--url", url)
    assert done.returncode == 1
    assert "hostup-sim:" in done.stderr


def test_cli_seed_print_env_is_shell_evaluable() -> None:
    done = cli("seed", "--print-env")
    shell = subprocess.run(
        ["bash", "-c", f'{done.stdout}\necho "$DEMO_API_KEY $VPS_WEB_1 $ISO_UBUNTU_2404"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shell.stdout.split() == [DEMO_API_KEY, VPS_WEB_1, ISO_UBUNTU_2404]
