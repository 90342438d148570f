"""Behaviour settings of the simulator, as one validated pydantic model.

The defaults are the documented API as the simulator assumes it. A HostupStore
starts with some settings, `reset()` goes back to them, and the admin path,
SimAdmin and `hostup-sim settings` change them at run time; an invalid value
raises pydantic's ValidationError (a ValueError), which the admin path answers
with 400. Each field's description is also its `hostup-sim` help text.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MountOverMedia = Literal["replace", "conflict"]
MountResponse = Literal["sync", "async"]


class Settings(BaseModel):
    """Switches for assumed API behaviour, load, limits and the request log (frozen)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    mount_over_media: MountOverMedia = Field(
        "replace", description="a mount onto another ISO: replace it, or answer 409 (conflict)"
    )
    mount_response: MountResponse = Field(
        "sync", description="mount answers 200 {device, isoId} (sync) or a 202 job (async)"
    )
    job_seconds: float = Field(1.0, ge=0, description="duration of download and async mount jobs")
    slow_requests: int = Field(2, ge=0, description="slow-1 answers vps_not_ready N times")
    slow_seconds: float = Field(0.0, ge=0, description="... or for S seconds after start/reset")
    extra_vps: int = Field(0, ge=0, description="add N load-test VPSes to the demo account")
    rate_limit_rps: float = Field(0.0, ge=0, description="per-key requests a second; 0: no limit")
    rate_limit_burst: int = Field(0, ge=0, description="per-key bucket size; 0: ceil(rps)")
    listing_lag_seconds: float = Field(
        0.0, ge=0, description="the ISO listing shows a write only after S seconds; 0: at once"
    )
    listing_lag_reads: int = Field(
        0, ge=0, description="... or only after N listing reads of that VPS; 0: at once"
    )
    record_exchanges: bool = Field(
        False, description="keep whole request/response pairs (contract tests)"
    )
    log_limit: int = Field(100_000, ge=1, description="request log records kept (oldest dropped)")

    @property
    def listing_lag(self) -> bool:
        """True when writes show in the ISO listing only after a lag."""
        return self.listing_lag_seconds > 0 or self.listing_lag_reads > 0
