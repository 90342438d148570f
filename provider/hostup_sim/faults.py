"""Fault injection: what the network and Hostup's gateway do on a bad day.

Faults apply to requests under `path_prefix` (always inside /api, never the
admin path) that match `apply_to`. Every matching request draws the same number
of values from one `random.Random(seed)`, so a run of sequential requests with
the same seed meets the same faults. Kinds, checked in this order:

    fail_nth   the listed matching requests (1-based) answer `fail_status`: a
               scripted failure at an exact point, for tests that need one
    burst_429  every `burst_every`-th matching request starts `burst_length` 429s
    drop       the connection is closed without a response
    hang       the answer is held back for `hang_seconds`, then given normally
    error      a 502/503/504 problem body, or an HTML gateway page (`html_rate`)

`latency_min_ms..latency_max_ms` (uniform) is added to every matching request.
The request pipeline (app.py) acts on each FaultDecision; this module only draws.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

ApplyTo = Literal["all", "reads", "writes"]
GatewayStatus = Literal[500, 502, 503, 504]
_Rate = Annotated[float, Field(ge=0, le=1)]
_GATEWAY_STATUSES: list[GatewayStatus] = [502, 503, 504]
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Faults(BaseModel):
    """Fault knobs (frozen); the defaults inject nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    seed: int = Field(0, description="fault random seed (same seed, same faults)")
    latency_min_ms: float = Field(0.0, ge=0, description="added latency, lower bound (ms)")
    latency_max_ms: float = Field(0.0, ge=0, description="added latency, upper bound (ms)")
    error_rate: _Rate = Field(0.0, description="share of requests answered 5xx")
    error_statuses: list[GatewayStatus] = Field(
        default_factory=lambda: list(_GATEWAY_STATUSES),
        min_length=1,
        description="5xx statuses drawn",
    )
    html_rate: _Rate = Field(0.0, description="share of those 5xx that are HTML gateway pages")
    drop_rate: _Rate = Field(0.0, description="share of connections closed with no response")
    hang_rate: _Rate = Field(0.0, description="share of requests held back for hang_seconds")
    hang_seconds: float = Field(0.0, ge=0, description="how long a hanging request waits")
    burst_every: int = Field(0, ge=0, description="every N-th request starts a 429 burst")
    burst_length: int = Field(0, ge=0, description="429s in a burst")
    burst_retry_after: int = Field(1, ge=0, description="Retry-After seconds of burst 429s")
    fail_nth: list[Annotated[int, Field(ge=1)]] = Field(
        default_factory=list, description="these matching requests (from 1) fail"
    )
    fail_status: GatewayStatus = Field(500, description="the status of fail_nth failures")
    apply_to: ApplyTo = Field("all", description="which requests faults hit")
    path_prefix: str = Field("/api", description="only requests under this path (inside /api)")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.latency_min_ms > self.latency_max_ms:
            raise ValueError("latency_min_ms must not exceed latency_max_ms")
        if not self.path_prefix.startswith("/api"):
            # Faults never reach the admin path: tests must always be able to heal the sim.
            raise ValueError("path_prefix must start with /api")
        return self

    @property
    def enabled(self) -> bool:
        return bool(
            self.latency_max_ms
            or self.error_rate
            or self.drop_rate
            or self.hang_rate
            or (self.burst_every and self.burst_length)
            or self.fail_nth
        )


FaultKind = Literal["burst_429", "drop", "hang", "error", "html"]


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one request; `kind` is None when it passes untouched."""

    latency: float = 0.0  # seconds
    kind: FaultKind | None = None
    status: int | None = None
    hang_seconds: float = 0.0
    retry_after: int = 0


class FaultInjector:
    """Draws fault decisions; the caller serializes calls (the store's lock)."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._matched = 0
        self._burst_left = 0

    def matches(self, method: str, path: str) -> bool:
        f = self.faults
        if not path.startswith(f.path_prefix) or not path.startswith("/api"):
            return False
        if f.apply_to == "reads":
            return method.upper() in _READ_METHODS
        if f.apply_to == "writes":
            return method.upper() not in _READ_METHODS
        return True

    def decide(self, method: str, path: str) -> FaultDecision:
        f = self.faults
        if not f.enabled or not self.matches(method, path):
            return FaultDecision()
        self._matched += 1
        # Always draw the same values, whatever is decided, so one seed gives one sequence.
        u_latency, u_drop, u_hang, u_error, u_html, u_status = (
            self._rng.random() for _ in range(6)
        )
        latency = (f.latency_min_ms + (f.latency_max_ms - f.latency_min_ms) * u_latency) / 1000.0
        if self._matched in f.fail_nth:
            return FaultDecision(latency, "error", f.fail_status)
        if self._burst_left > 0 or (
            f.burst_every and f.burst_length and self._matched % f.burst_every == 0
        ):
            if self._burst_left == 0:
                self._burst_left = f.burst_length
            self._burst_left -= 1
            return FaultDecision(latency, "burst_429", 429, retry_after=f.burst_retry_after)
        if u_drop < f.drop_rate:
            return FaultDecision(latency, "drop")
        if u_hang < f.hang_rate:
            return FaultDecision(latency, "hang", hang_seconds=f.hang_seconds)
        if u_error < f.error_rate:
            status = f.error_statuses[int(u_status * len(f.error_statuses))]
            kind: FaultKind = "html" if u_html < f.html_rate else "error"
            return FaultDecision(latency, kind, status)
        return FaultDecision(latency)
