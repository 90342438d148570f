"""Crash safety through the real engine.

- The simulator (`hostup-sim serve --state F`, a subprocess persisting every change)
  is SIGKILLed in the middle of `pulumi up` and restarted on the same port. Requests
  in flight are lost; the provider retries what it can. Whatever that first
  run reports, the next `pulumi up` converges with no manual step, and state, API and
  program agree (a refresh changes nothing).
- The provider process is SIGKILLed right after the API performed a mount but before
  its answer arrived. The engine fails that run; the next `pulumi up` converges with no
  manual step: create sees the identical mount and adopts it (no second mount POST).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.processes import cmdline, descendants, wait_for
from harness.pulumi_cli import PulumiResult
from harness.servers import SimProcess
from hostup_sim.admin import SimAdmin
from hostup_sim.server import SimServer
from reliability.support import (
    FLEET,
    expected_media,
    fleet_mounts,
    fleet_world_json,
    log_records,
    media_of,
    operation_counts,
)


class Background:
    """One CLI call on a thread, so the test can break things while it runs."""

    def __init__(self, call: Callable[[], PulumiResult]) -> None:
        self.result: PulumiResult | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], PulumiResult]) -> None:
        try:
            self.result = call()
        except BaseException as exc:
            self.error = exc

    def wait(self, timeout: float) -> PulumiResult:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the CLI call did not end within {timeout}s"
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


def converged(cli: Any, mounts: list[dict[str, str]], api: dict[str, str]) -> None:
    want = expected_media(mounts)
    assert api == want, "the API does not hold exactly the program's mounts"
    assert cli.state_media() == want, "the stack state does not match the program"


@pytest.mark.e2e
@pytest.mark.timeout(420)
def test_simulator_killed_and_restarted_during_up(
    cli: Any, tmp_path: Path, leaks: Any, figures: dict[str, Any]
) -> None:
    state_file = tmp_path / "world.json"
    state_file.write_text(json.dumps(fleet_world_json()))
    sim = SimProcess(tmp_path / "sim", ["--state", str(state_file), "--latency-ms", "100:250"])
    sim.start()
    try:
        mounts = fleet_mounts(12)
        cli.init(mounts, endpoint=sim.url, operationTimeout="60")

        def mounted_now() -> int:
            try:
                return len(media_of(json.loads(state_file.read_text()), FLEET))
            except (OSError, ValueError):
                return 0

        first = Background(lambda: cli.up(check=False))
        assert wait_for(lambda: mounted_now() >= 3 or not first.running, timeout=120)
        assert first.running, "up finished before the simulator could be killed"
        at_kill = mounted_now()
        sim.kill()
        down_started = time.monotonic()
        time.sleep(1.0)
        sim.start()  # same port, same state file
        down = time.monotonic() - down_started
        run1 = first.wait(300)
        after_run1 = media_of(json.loads(state_file.read_text()), FLEET)

        second = cli.up(check=False)
        assert second.returncode == 0, second.describe()
        admin = SimAdmin(sim.url)
        converged(cli, mounts, media_of(admin.state(), FLEET))
        refresh = cli.run("refresh", "--yes", "--non-interactive")
        preview = cli.run("preview", "--non-interactive", "--expect-no-changes", check=False)
        assert preview.returncode == 0, preview.describe()
        converged(cli, mounts, media_of(admin.state(), FLEET))
        leaks.add("sim-log", json.dumps(admin.log()))
        figures.update(
            mounts=len(mounts),
            sim_kills=sim.kills,
            sim_starts=sim.starts,
            mounted_when_killed=at_kill,
            seconds_down=round(down, 2),
            first_run_exit_code=run1.returncode,
            first_run_converged=run1.returncode == 0 and len(after_run1) == len(mounts),
            mounted_after_first_run=len(after_run1),
            second_run_exit_code=second.returncode,
            second_run_seconds=round(second.seconds, 2),
            refresh_exit_code=refresh.returncode,
        )
    finally:
        sim.stop()
        for text in sim.outputs:
            leaks.add("sim-stdout", text)


def _provider_pids() -> list[int]:
    """Dynamic-provider processes the engine started under this test process."""
    return [
        pid
        for pid in descendants(os.getpid())
        if "pulumi.dynamic" in cmdline(pid) and "pulumi-resource" not in cmdline(pid)
    ]


@pytest.mark.e2e
@pytest.mark.timeout(420)
def test_provider_killed_after_a_mount_post_converges_on_the_next_up(
    cli: Any, make_sim: Callable[..., SimServer], figures: dict[str, Any]
) -> None:
    sim = make_sim()
    store = sim.store
    mounts = fleet_mounts(8)
    cli.init(mounts, endpoint=sim.url)
    acted = threading.Event()
    release = threading.Event()
    original = store.backend.mount_vps_iso
    calls = {"n": 0}

    def mount_then_stall(*args: Any, **kwargs: Any) -> Any:
        reply = original(*args, **kwargs)  # the API performs the mount ...
        calls["n"] += 1
        if calls["n"] == 3:
            acted.set()
            release.wait(60)  # ... and its answer is held back until the provider is dead
        return reply

    store.backend.mount_vps_iso = mount_then_stall  # type: ignore[method-assign]
    first = Background(lambda: cli.up(check=False))
    try:
        assert acted.wait(120), "the third mount never came"
        pids = _provider_pids()
        assert pids, "no provider process found"
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
    finally:
        release.set()
    run1 = first.wait(300)
    store.backend.mount_vps_iso = original  # type: ignore[method-assign]
    assert run1.returncode != 0, run1.describe()
    on_api_after_crash = media_of(store.snapshot(), FLEET)
    in_state_after_crash = cli.state_media()
    orphans = set(on_api_after_crash) - set(in_state_after_crash)
    assert orphans, "the killed create's mount should be on the API but not in the state"

    store.clear_log()
    second = cli.up(check=False)
    assert second.returncode == 0, second.describe()
    records = log_records(store.request_log())
    converged(cli, mounts, media_of(store.snapshot(), FLEET))
    # Only the mounts the API lacked were posted: the orphan was adopted, not mounted again.
    want = expected_media(mounts)
    missing = {k for k in want if on_api_after_crash.get(k) != want[k]}
    mount_posts = sum(1 for r in records if r["operation"] == "mountVpsIso")
    assert mount_posts == len(missing), (mount_posts, missing)
    figures.update(
        mounts=len(mounts),
        providers_killed=len(pids),
        mounted_before_kill=len(on_api_after_crash),
        in_state_after_crash=len(in_state_after_crash),
        orphaned_after_crash=len(orphans),
        second_run_exit_code=second.returncode,
        pending_operations_warning="pending operation" in (second.stdout + second.stderr),
        second_run_requests=operation_counts(records),
        mount_posts_second_run=mount_posts,
        orphans_adopted=len(orphans),
    )
