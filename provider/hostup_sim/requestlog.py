"""The request log: one record per /api request, which tests and benchmarks count.

A record names the key by its id, never the key itself. The log is bounded
(oldest records dropped) and thread-safe. Its `generation` changes at every
reset of the simulator: a request that began before a reset is not logged
after it, so a test that resets sees only its own calls. With
`record_exchanges` on, it also keeps whole request/response pairs, which the
test suite checks against openapi.yaml.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from hostup_sim.wire import iso_timestamp

EXCHANGES_KEPT = 10_000


@dataclass(frozen=True)
class LogRecord:
    """One /api request as the log keeps it: never the key, only its id."""

    seq: int
    timestamp: str
    method: str
    path: str
    query: str
    status: int | None  # None: the connection was dropped on purpose
    operation: str | None  # the operationId; None for an unknown route
    vps_id: str | None
    key_id: str | None
    request_id: str
    fault: str | None
    latency_ms: float
    duration_ms: float
    connection: int | None  # the TCP connection it came on (numbered per process)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Exchange:
    """A full request/response pair, kept when the log records exchanges."""

    method: str
    path: str
    query: str
    request_content_type: str | None
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    operation: str | None
    fault: str | None


class RequestLog:
    """Bounded, thread-safe records of /api requests (and, if asked, their exchanges)."""

    def __init__(
        self,
        *,
        limit: int = 100_000,
        record_exchanges: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._records: deque[LogRecord] = deque(maxlen=limit)
        self._exchanges: deque[Exchange] = deque(maxlen=EXCHANGES_KEPT)
        self._record_exchanges = record_exchanges
        self._seq = 0
        self._generation = 0

    def configure(self, *, limit: int, record_exchanges: bool) -> None:
        """Change the bound (keeping the newest records) and whether exchanges are kept."""
        with self._lock:
            if self._records.maxlen != limit:
                self._records = deque(self._records, maxlen=limit)
            self._record_exchanges = record_exchanges

    @property
    def records_exchanges(self) -> bool:
        with self._lock:
            return self._record_exchanges

    @property
    def generation(self) -> int:
        """Changes at every reset(); a request started before it is not logged after it."""
        with self._lock:
            return self._generation

    def reset(self) -> None:
        """Forget everything and start a new generation."""
        with self._lock:
            self._generation += 1
            self._records.clear()
            self._exchanges.clear()

    def clear(self) -> None:
        """Forget the records and exchanges; requests in flight are still logged."""
        with self._lock:
            self._records.clear()
            self._exchanges.clear()

    def append(self, *, generation: int, **fields: Any) -> LogRecord | None:
        """Log a request (seq and timestamp are filled in), unless it predates a reset."""
        with self._lock:
            if generation != self._generation:
                return None
            self._seq += 1
            record = LogRecord(seq=self._seq, timestamp=iso_timestamp(self._clock()), **fields)
            self._records.append(record)
            return record

    def records(self) -> list[LogRecord]:
        """The records, oldest first."""
        with self._lock:
            return list(self._records)

    def fault_counts(self) -> dict[str, int]:
        """How many logged requests met each kind of injected fault."""
        with self._lock:
            return dict(Counter(r.fault for r in self._records if r.fault))

    def record_exchange(self, exchange: Exchange, *, generation: int) -> None:
        """Keep a request/response pair if exchanges are recorded and it is of this generation."""
        with self._lock:
            if self._record_exchanges and generation == self._generation:
                self._exchanges.append(exchange)

    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)
