"""The listing lag: the ISO listing shows a write only some time, or some reads, later.

Off by default. With `listing_lag_seconds` and/or `listing_lag_reads` set, a
mount, unmount or attach-empty (and an async mount when its job ends) that
changes a VPS's drives leaves `GET /api/v2/vps/{id}/iso` showing the drives as
they were before it, until the first of: that many seconds have passed, or that
many listings of the VPS have been served. A further write while the listing
lags keeps the older view and starts the count again. Dashboard drift shows at
once and ends the lag of its VPS. The lag is not persisted; a reset clears it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hostup_sim.settings import Settings
from hostup_sim.world import Vps


@dataclass(frozen=True)
class MediaView:
    """The part of a VPS's listing that writes change: its slots, media and boot order."""

    devices: tuple[str, ...]  # CD/DVD slots, sorted
    media: tuple[tuple[str, str], ...]  # (device, iso id), sorted by device
    boot_order: tuple[str, ...] | None

    @classmethod
    def of(cls, vps: Vps) -> MediaView:
        return cls(
            devices=tuple(sorted(vps.cdrom_devices)),
            media=tuple(sorted(vps.media.items())),
            boot_order=None if vps.boot_order is None else tuple(vps.boot_order),
        )


@dataclass
class _Lag:
    shown: MediaView
    until: float | None  # clock time it ends; None: no time bound
    reads_left: int | None  # lagging listings still to serve; None: no read bound

    def over(self, now: float) -> bool:
        return (self.until is not None and now >= self.until) or (
            self.reads_left is not None and self.reads_left <= 0
        )


class ListingLag:
    """Per-VPS lagging views; the caller serializes calls (the backend's lock)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lags: dict[str, _Lag] = {}

    def wrote(self, vps_id: str, before: MediaView, after: MediaView, settings: Settings) -> None:
        """An API write took the VPS from before to after: lag the listing if settings say so."""
        if not settings.listing_lag or before == after:
            return
        now = self._clock()
        pending = self._lags.get(vps_id)
        shown = pending.shown if pending is not None and not pending.over(now) else before
        seconds, reads = settings.listing_lag_seconds, settings.listing_lag_reads
        self._lags[vps_id] = _Lag(
            shown, now + seconds if seconds > 0 else None, reads if reads > 0 else None
        )

    def listed(self, vps_id: str, current: MediaView, settings: Settings) -> MediaView:
        """What one listing of the VPS shows now (counting it as one read)."""
        lag = self._lags.get(vps_id)
        if lag is None:
            return current
        if not settings.listing_lag or lag.over(self._clock()):
            del self._lags[vps_id]
            return current
        if lag.reads_left is not None:
            lag.reads_left -= 1
        return lag.shown

    def forget(self, vps_id: str) -> None:
        """The listing of this VPS shows the truth from now on."""
        self._lags.pop(vps_id, None)

    def clear(self) -> None:
        self._lags.clear()
