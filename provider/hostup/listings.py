"""ListingCache: the ISO listings of VPSes, shared by the calls of one process.

A front-end's engine sends its calls one resource at a time, or a few at once;
one listing per VPS answers them all. Correctness rests on one rule: a write
(mount, unmount) calls :meth:`ListingCache.invalidate` for its VPS *before* it is
sent, so a read that started earlier can never store the pre-write listing
afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import IsoMedia

__all__ = ["ListingCache"]


class ListingCache:
    """Listings per VPS; thread-safe.

    One fetch at a time per VPS: callers that arrive while it is in flight wait for
    its answer instead of sending their own. An entry younger than ``max_age``
    answers without a request. ``invalidate`` bumps a per-VPS generation so that a
    fetch which started before it is not stored.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, IsoMedia]] = {}
        self._inflight: dict[str, Future[IsoMedia]] = {}
        self._generation: dict[str, int] = {}

    def get(self, vps_id: str, fetch: Callable[[], IsoMedia], max_age: float) -> IsoMedia:
        """The listing of ``vps_id``: cached if younger than ``max_age`` (0: never)."""
        return self.lookup(vps_id, fetch, max_age)[0]

    def lookup(
        self, vps_id: str, fetch: Callable[[], IsoMedia], max_age: float
    ) -> tuple[IsoMedia, bool]:
        """As :meth:`get`, and whether the answer came from the cache (not a fetch)."""
        with self._lock:
            entry = self._entries.get(vps_id)
            if entry is not None and max_age > 0 and self._clock() - entry[0] <= max_age:
                return entry[1], True
            pending = self._inflight.get(vps_id) if max_age > 0 else None
            if pending is None:
                mine: Future[IsoMedia] = Future()
                if max_age > 0:
                    self._inflight[vps_id] = mine
                generation = self._generation.get(vps_id, 0)
        if pending is not None:
            return pending.result(), False  # another caller's fetch, as fresh as ours
        try:
            media = fetch()
        except BaseException as exc:
            mine.set_exception(exc)
            raise
        finally:
            with self._lock:
                if self._inflight.get(vps_id) is mine:
                    del self._inflight[vps_id]
        self.put(vps_id, media, generation)
        mine.set_result(media)
        return media, False

    def put(self, vps_id: str, media: IsoMedia, generation: int | None = None) -> None:
        """Remember ``media``, unless the VPS was invalidated since ``generation``."""
        with self._lock:
            if generation is None or self._generation.get(vps_id, 0) == generation:
                self._entries[vps_id] = (self._clock(), media)

    def invalidate(self, vps_id: str) -> None:
        """Forget ``vps_id``'s listing, and any fetch of it still in flight. Call before writes."""
        with self._lock:
            self._entries.pop(vps_id, None)
            self._generation[vps_id] = self._generation.get(vps_id, 0) + 1

    def clear(self) -> None:
        """Forget every listing (fetches in flight included)."""
        with self._lock:
            self._entries.clear()
            for vps_id in list(self._generation):
                self._generation[vps_id] += 1
