"""Per-key token buckets behind the documented rate-limit headers.

A bucket holds `burst` tokens and refills at `rps` per second; each request
takes one. `X-RateLimit-Reset` is the ISO 8601 time the bucket is full again
(the contract says ISO, not epoch seconds); on a 429, `Retry-After` is the
whole seconds until one token is back (at least 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from hostup_sim.wire import iso_timestamp


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # epoch seconds
    retry_after: int  # whole seconds; 0 when allowed

    def headers(self) -> dict[str, str]:
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": iso_timestamp(self.reset_at),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class TokenBuckets:
    """One bucket per key; the caller serializes calls (the store's lock)."""

    def __init__(self, rps: float, burst: int, clock: Callable[[], float]) -> None:
        if rps <= 0:
            raise ValueError("rps must be positive")
        self.rps = rps
        self.burst = burst if burst > 0 else max(1, math.ceil(rps))
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str) -> RateDecision:
        now = self._clock()
        tokens, at = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rps)
        if tokens >= 1.0:
            tokens -= 1.0
            self._buckets[key] = (tokens, now)
            reset_at = now + (self.burst - tokens) / self.rps
            return RateDecision(True, self.burst, int(tokens), reset_at, 0)
        self._buckets[key] = (tokens, now)
        wait = (1.0 - tokens) / self.rps
        return RateDecision(
            False, self.burst, 0, now + (self.burst - tokens) / self.rps, max(1, math.ceil(wait))
        )
