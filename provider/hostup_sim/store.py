"""HostupStore: one simulated Hostup API, its parts composed.

    store = HostupStore(settings=Settings(job_seconds=0), state_file="world.json")
    store.backend        the world model and its operations (backend.py)
    store.log            the request log (requestlog.py)
    store.update_faults(drop_rate=0.1)       faults, settings, rate limits: below

SimServer serves one store; tests and benchmarks drive one in process. The store
holds the parts the request pipeline (app.py) needs around the backend (the
settings, the fault injector, the rate limiter, the log) and the lifecycle that
spans them (reset, held-back requests). It answers no API call itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hostup_sim.backend import HostupBackend
from hostup_sim.faults import FaultDecision, FaultInjector, Faults
from hostup_sim.persistence import StateFile
from hostup_sim.problems import RateLimited
from hostup_sim.ratelimit import RateDecision, TokenBuckets
from hostup_sim.requestlog import Exchange, LogRecord, RequestLog
from hostup_sim.settings import Settings
from hostup_sim.world import DEFAULT_DEVICE


class HostupStore:
    """The backend, settings, faults, rate limiter and request log of one simulator."""

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        faults: Faults | None = None,
        state_file: str | Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._start_settings = settings or Settings()
        self._settings = self._start_settings
        self._state_file = StateFile(state_file) if state_file is not None else None
        self.log = RequestLog(
            limit=self._settings.log_limit,
            record_exchanges=self._settings.record_exchanges,
            clock=clock,
        )
        self.backend = HostupBackend(self._settings, state_file=self._state_file, clock=clock)
        self._injector = FaultInjector(faults or Faults())
        self._limiter = self._new_limiter(self._settings)
        self._wake = threading.Event()

    # -- lifecycle -----------------------------------------------------------------

    @property
    def state_file(self) -> Path | None:
        return self._state_file.path if self._state_file is not None else None

    def reset(self, *, extra_vps: int | None = None) -> None:
        """Seeded world, start settings (extra_vps changes them), no faults, empty log."""
        with self._lock:
            if extra_vps is not None:
                changed = self._start_settings.model_dump() | {"extra_vps": extra_vps}
                self._start_settings = Settings.model_validate(changed)
            self.log.reset()  # first: a request in flight is refused, not logged
            self.release_sleepers()
            self._injector = FaultInjector(Faults())
            self._apply(self._start_settings)
            self.backend.reset(self._start_settings)

    def snapshot(self) -> dict[str, Any]:
        """The whole world as JSON (what the state file holds)."""
        return self.backend.snapshot()

    @property
    def generation(self) -> int:
        """Changes at every reset(); a request that began before one must not go on."""
        return self.log.generation

    def sleep(self, seconds: float) -> None:
        """Sleep for injected latency or a hang; returns early at release_sleepers()."""
        if seconds > 0:
            with self._lock:
                wake = self._wake
            wake.wait(seconds)

    def release_sleepers(self) -> None:
        """Wake every request held back by latency or a hang (used when stopping)."""
        with self._lock:
            self._wake.set()
            self._wake = threading.Event()

    # -- settings --------------------------------------------------------------------

    def settings(self) -> Settings:
        with self._lock:
            return self._settings

    def start_settings(self) -> Settings:
        """The settings the store was built with, which reset() restores."""
        with self._lock:
            return self._start_settings

    def set_settings(self, settings: Settings) -> None:
        """Replace the current settings (reset() goes back to the start ones)."""
        with self._lock:
            self._apply(settings)

    def update_settings(self, **changes: Any) -> Settings:
        """Change the named settings; pydantic's ValidationError names an invalid one."""
        with self._lock:
            settings = Settings.model_validate(self._settings.model_dump() | changes)
            self._apply(settings)
            return settings

    def _apply(self, settings: Settings) -> None:
        self._settings = settings
        self.backend.settings = settings
        self.log.configure(limit=settings.log_limit, record_exchanges=settings.record_exchanges)
        self._limiter = self._new_limiter(settings)

    def _new_limiter(self, settings: Settings) -> TokenBuckets | None:
        if settings.rate_limit_rps <= 0:
            return None
        return TokenBuckets(settings.rate_limit_rps, settings.rate_limit_burst, self._clock)

    # -- faults and rate limits (the request pipeline asks) -------------------------------

    def faults(self) -> Faults:
        with self._lock:
            return self._injector.faults

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault knobs; restarts the seeded sequence."""
        with self._lock:
            self._injector = FaultInjector(faults)

    def update_faults(self, **changes: Any) -> Faults:
        """Change the named fault knobs; pydantic's ValidationError names an invalid one."""
        with self._lock:
            faults = Faults.model_validate(self._injector.faults.model_dump() | changes)
            self.set_faults(faults)
            return faults

    def decide_fault(self, method: str, path: str) -> FaultDecision:
        """What fault, if any, meets this request (draws from the seeded sequence)."""
        with self._lock:
            return self._injector.decide(method, path)

    def take_rate_token(self, key_id: str) -> RateDecision | None:
        """None when limiting is off; raises RateLimited (429) when the key's bucket is empty."""
        with self._lock:
            if self._limiter is None:
                return None
            decision = self._limiter.take(key_id)
        if not decision.allowed:
            raise RateLimited(decision.retry_after, decision.headers())
        return decision

    # -- the request log -------------------------------------------------------------------

    def request_log(self) -> list[LogRecord]:
        return self.log.records()

    def clear_log(self) -> None:
        self.log.clear()

    def fault_counts(self) -> dict[str, int]:
        return self.log.fault_counts()

    def exchanges(self) -> list[Exchange]:
        return self.log.exchanges()

    # -- dashboard shortcuts (the provider and engine tests drift in process) ------------

    def drift_unmount(self, vps_id: str, device: str = DEFAULT_DEVICE) -> None:
        self.backend.drift_unmount(vps_id, device)

    def drift_mount(self, vps_id: str, device: str, iso_id: str) -> None:
        self.backend.drift_mount(vps_id, device, iso_id)

    def drift_swap(self, vps_id: str, device: str, iso_id: str) -> None:
        self.backend.drift_swap(vps_id, device, iso_id)

    def drift_delete_vps(self, vps_id: str) -> None:
        self.backend.drift_delete_vps(vps_id)

    def drift_delete_iso(self, vps_id: str, iso_id: str) -> None:
        self.backend.drift_delete_iso(vps_id, iso_id)
