"""The retry policy and timeouts of every API call, and the waits servers ask for.

Standard library only: :mod:`hostup._http` applies these; the mount engine and
tests build them with injected time (``sleep``, ``clock``, ``wall_clock``,
``random``) so that waits run at zero.
"""

from __future__ import annotations

import email.utils
import math
import random as _random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from .errors import InvalidArgumentError

__all__ = ["RetryPolicy", "Timeouts", "retry_after_seconds"]


@dataclass(frozen=True)
class Timeouts:
    """Per-request timeouts in seconds: to connect, and between bytes of the answer.

    Both are further capped by what is left of the call's deadline.
    """

    connect: float = 5.0
    read: float = 30.0

    def __post_init__(self) -> None:
        for name in ("connect", "read"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InvalidArgumentError(f"timeout {name} must be a positive number of seconds")

    @classmethod
    def of(cls, timeout: Timeouts | float | None) -> Timeouts:
        """A :class:`Timeouts` from ``None`` (defaults), one number (both), or itself."""
        if timeout is None:
            return cls()
        if isinstance(timeout, Timeouts):
            return timeout
        return cls(connect=timeout, read=timeout)


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long a call waits and tries again. One policy for every call.

    Retried: connection errors, timeouts and answers cut off mid-body; 429; 502,
    503 and 504; and 409 ``vps_not_ready``. Never retried: every other 4xx, other
    5xx, TLS failures, redirects, and 2xx bodies that are not valid.

    Non-idempotent calls (``idempotent=False``: from-url, delete ISO media) are
    retried only when the request cannot have been acted on: the connection was
    never made, or the answer was 429, 503 or 409 ``vps_not_ready``. Repeating
    them after a timeout could start a second download or turn a finished delete
    into a 404. Mount and unmount set a device's medium, so the client marks them
    idempotent; after a retry, trust only a re-read of the listing.

    Waits: a 429 (or 503) waits ``Retry-After`` seconds, else until
    ``X-RateLimit-Reset`` (an ISO 8601 timestamp), clamped to
    ``[0, max_retry_after]``; otherwise capped exponential backoff,
    ``min(max_delay, base_delay * 2**(retry-1))`` scaled by full jitter (or
    decorrelated jitter, or none). At most ``max_attempts`` requests, all inside
    ``deadline`` seconds per call: the read timeout shrinks to the time left, and
    when the next wait would pass the deadline the call stops and raises the last
    API error, or :class:`DeadlineExceededError` after a transport error.

    ``sleep``, ``clock`` (monotonic), ``wall_clock`` (epoch seconds, for
    ``X-RateLimit-Reset``) and ``random`` (``[0, 1)``) are injectable, so tests run
    without waiting and can count the waits.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    deadline: float = 60.0
    jitter: Literal["full", "decorrelated", "none"] = "full"
    retry_statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    unsent_statuses: frozenset[int] = frozenset({429, 503})
    retry_conflict_codes: frozenset[str] = frozenset({"vps_not_ready"})
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)
    wall_clock: Callable[[], float] = field(default=time.time, compare=False, repr=False)
    random: Callable[[], float] = field(default=_random.random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InvalidArgumentError("max_attempts must be at least 1")
        for name in ("base_delay", "max_delay", "max_retry_after"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InvalidArgumentError(f"{name} must be a finite number >= 0")
        if not (math.isfinite(self.deadline) and self.deadline > 0):
            raise InvalidArgumentError("deadline must be a positive number of seconds")

    def should_retry_status(self, status: int, code: str | None, *, idempotent: bool) -> bool:
        """Whether an error answer is worth another attempt (see the class docstring)."""
        if status == 409:
            return code in self.retry_conflict_codes
        return status in (self.retry_statuses if idempotent else self.unsent_statuses)

    def backoff(self, retry: int, previous: float) -> float:
        """The wait before retry number ``retry`` (1-based) when the server gave no hint."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** min(retry - 1, 32))
        if self.jitter == "none":
            return ceiling
        if self.jitter == "decorrelated":
            upper = max(self.base_delay, previous * 3)
            return min(self.max_delay, self.base_delay + self.random() * (upper - self.base_delay))
        return ceiling * self.random()

    def server_wait(self, seconds: float) -> float:
        """A server-requested wait, clamped to ``[0, max_retry_after]``."""
        return min(max(seconds, 0.0), self.max_retry_after)


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asked us to wait: Retry-After, else X-RateLimit-Reset.

    Negative or unparsable values are ignored; the caller clamps the upper end.
    """
    raw = headers.get("Retry-After")
    if raw:
        raw = raw.strip()
        seconds: float | None
        try:
            seconds = float(raw)
        except ValueError:
            seconds = _seconds_until(_parse_http_date(raw), now)
        if seconds is not None and math.isfinite(seconds):
            return max(seconds, 0.0)
    reset = headers.get("X-RateLimit-Reset")
    if reset:
        until_reset = _seconds_until(_parse_iso(reset.strip()), now)
        if until_reset is not None:
            return max(until_reset, 0.0)
    return None


def _parse_http_date(text: str) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


def _parse_iso(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _seconds_until(moment: datetime | None, now: float) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() - now
