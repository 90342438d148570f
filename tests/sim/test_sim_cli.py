"""`hostup-sim` as a process: serve, seed, log, faults, settings, reset."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
import requests
from sim_helpers import cli, serving

from hostup_sim.__main__ import FAULT_KNOBS, SETTING_KNOBS
from hostup_sim.server import SimServer
from hostup_sim.store import HostupStore
from hostup_sim.world import DEMO_API_KEY, ISO_UBUNTU_2404, VPS_WEB_1, extra_vps_id

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_cli_serve_prints_its_url_and_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    url_file = tmp_path / "url"
    with serving("--port", "0", "--url-file", str(url_file)) as (url, proc):
        assert url_file.read_text().strip() == url
        response = requests.get(f"{url}/api/v2/vps", headers=AUTH, timeout=5)
        assert response.status_code == 200
        proc.send_signal(stop)
        assert proc.wait(timeout=10) == 0


def test_cli_serve_takes_knobs_from_flags(tmp_path: Path) -> None:
    args = ["--extra-vps", "3", "--mount-over-media", "conflict", "--rate-limit", "100:50"]
    with serving(*args) as (url, _proc):
        listing = requests.get(f"{url}/api/v2/vps?limit=100", headers=AUTH, timeout=5)
        assert extra_vps_id(3) in [v["id"] for v in listing.json()["data"]]
        assert listing.headers["X-RateLimit-Limit"] == "50"
        settings = requests.get(f"{url}/_sim/settings", timeout=5).json()
        assert settings["mount_over_media"] == "conflict"


def test_cli_serve_takes_knobs_from_the_environment(tmp_path: Path) -> None:
    env = os.environ | {
        "HOSTUP_SIM_ERROR_RATE": "1",
        "HOSTUP_SIM_SEED": "5",
        "HOSTUP_SIM_LISTING_LAG_READS": "3",
        "HOSTUP_SIM_STATE": str(tmp_path / "world.json"),
    }
    with serving("--latency-ms", "1:2", env=env) as (url, _proc):
        assert requests.get(f"{url}/api/v2/vps", headers=AUTH, timeout=5).status_code >= 500
        faults = requests.get(f"{url}/_sim/faults", timeout=5).json()
        assert faults["seed"] == 5
        assert (faults["latency_min_ms"], faults["latency_max_ms"]) == (1.0, 2.0)
        settings = requests.get(f"{url}/_sim/settings", timeout=5).json()
        assert settings["listing_lag_reads"] == 3
    assert (tmp_path / "world.json").exists()


def test_cli_help_names_every_environment_variable() -> None:
    serve_help = " ".join(cli("serve", "--help").stdout.split())
    names = ["HOST", "PORT", "STATE", "URL_FILE"] + [
        knob.name.upper() for knob in (*FAULT_KNOBS, *SETTING_KNOBS)
    ]
    for name in names:
        assert f"HOSTUP_SIM_{name}" in serve_help, name
    for command in ("drift", "log", "faults", "settings", "reset"):
        shown = " ".join(cli(command, "--help").stdout.split())
        assert "HOSTUP_SIM_URL" in shown
        assert "HOSTUP_SIM_ERROR_RATE" not in shown  # only serve reads the knobs' variables


def test_cli_steering_commands_ignore_the_serve_variables(sim: SimServer) -> None:
    env = os.environ | {"HOSTUP_SIM_URL": sim.url, "HOSTUP_SIM_ERROR_RATE": "1"}
    done = cli("faults", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["error_rate"] == 0.0


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--error-rate", "2"], "error_rate"),
        (["--listing-lag-reads", "-1"], "listing_lag_reads"),
        (["--latency-ms", "1:2:3"], "LO[:HI]"),
        (["--host", "0.0.0.0"], "loopback"),
    ],
)
def test_cli_serve_refuses_bad_knobs(args: list[str], named: str) -> None:
    done = cli("serve", *args)
    assert done.returncode == 2
    assert named in done.stderr


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

    changed = cli(
        "settings", "--url", sim.url, "--mount-response", "async", "--listing-lag-reads", "2"
    )
    settings = json.loads(changed.stdout)
    assert (settings["mount_response"], settings["listing_lag_reads"]) == ("async", 2)
    assert sim.store.settings().listing_lag_reads == 2

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
