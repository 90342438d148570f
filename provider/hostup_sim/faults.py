"""Fault injection: what the network and Hostup's gateway do on a bad day.

Faults apply to requests under `path_prefix` (always inside /api, never the
admin path) that match `apply_to`. Every matching request draws the same number
of values from one `random.Random(seed)`, so a run of sequential requests with
the same seed meets the same faults. Kinds, checked in this order:

    burst_429  every `burst_every`-th matching request starts `burst_length` 429s
    drop       the connection is closed without a response
    hang       the answer is held back for `hang_seconds`, then given normally
    error      a 502/503/504 problem body, or an HTML gateway page (`html_rate`)
    fail_nth   the listed matching requests (1-based) answer `fail_status`: a
               scripted failure at an exact point, for tests that need one

`latency_min_ms..latency_max_ms` (uniform) is added to every matching request.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field, fields
from typing import Any

APPLY_TO = ("all", "reads", "writes")
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Faults:
    """Fault knobs; the defaults inject nothing."""

    seed: int = 0
    latency_min_ms: float = 0.0
    latency_max_ms: float = 0.0
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [502, 503, 504])
    html_rate: float = 0.0  # share of injected 5xx answered with an HTML page
    drop_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 0.0
    burst_every: int = 0
    burst_length: int = 0
    burst_retry_after: int = 1
    fail_nth: list[int] = field(default_factory=list)
    fail_status: int = 500
    apply_to: str = "all"
    path_prefix: str = "/api"

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the first knob out of range."""
        for name in ("error_rate", "html_rate", "drop_rate", "hang_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {value}")
        if not 0 <= self.latency_min_ms <= self.latency_max_ms:
            raise ValueError("latency must satisfy 0 <= latency_min_ms <= latency_max_ms")
        for name in ("hang_seconds", "burst_every", "burst_length", "burst_retry_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if not self.error_statuses or any(
            s not in (500, 502, 503, 504) for s in self.error_statuses
        ):
            raise ValueError("error_statuses must be a non-empty subset of 500, 502, 503, 504")
        if self.fail_status not in (500, 502, 503, 504) or any(n < 1 for n in self.fail_nth):
            raise ValueError("fail_nth counts from 1; fail_status must be 500, 502, 503 or 504")
        if self.apply_to not in APPLY_TO:
            raise ValueError(f"apply_to must be one of {', '.join(APPLY_TO)}")
        if not self.path_prefix.startswith("/api"):
            # Faults never reach the admin path: tests must always be able to heal the sim.
            raise ValueError("path_prefix must start with /api")

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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any], base: Faults | None = None) -> Faults:
        """Build from a JSON object; keys missing from data come from base (or defaults)."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown fault knob(s): {', '.join(unknown)}")
        merged = (base or cls()).to_json()
        for key, value in data.items():
            merged[key] = coerce_json_value(key, value, merged[key])
        return cls(**merged)


def coerce_json_value(key: str, value: Any, like: Any) -> Any:
    """Coerce a JSON value to the type of the existing value, or raise ValueError."""
    try:
        if isinstance(like, bool):
            if not isinstance(value, bool):
                raise TypeError
            return value
        if isinstance(like, int):
            if isinstance(value, bool) or float(value) != int(value):
                raise TypeError
            return int(value)
        if isinstance(like, float):
            if isinstance(value, bool):
                raise TypeError
            number = float(value)
            if not math.isfinite(number):
                raise TypeError
            return number
        if isinstance(like, str):
            if not isinstance(value, str):
                raise TypeError
            return value
        if isinstance(like, list):
            if not isinstance(value, list):
                raise TypeError
            return [int(v) for v in value]
    except (TypeError, ValueError):
        raise ValueError(f"{key}: {value!r} is not a valid {type(like).__name__}") from None
    raise ValueError(f"{key}: cannot be set")


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one request; `kind` is None when it passes untouched."""

    latency: float = 0.0  # seconds
    kind: str | None = None  # burst_429 | drop | hang | error | html
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
            kind = "html" if u_html < f.html_rate else "error"
            return FaultDecision(latency, kind, status)
        return FaultDecision(latency)
