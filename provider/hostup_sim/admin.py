"""SimAdmin: drive a running simulator's /_sim admin path from any process.

    admin = SimAdmin("http://127.0.0.1:53117")
    admin.reset()
    admin.drift("unmount", VPS_WEB_1, device="ide2")   # or admin.drift_unmount(VPS_WEB_1)
    admin.update_settings(mount_over_media="conflict")
    calls = [r for r in admin.log() if r["operation"] == "mountVpsIso"]

Standard library only (urllib), so a benchmark or a Pulumi program can use it
without extra dependencies. Errors raise SimAdminError with the status and body;
its message carries the problem's detail and each errors[] entry.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from hostup_sim.drift import DELETE_ISO, DELETE_VPS, MOUNT, SWAP, UNMOUNT
from hostup_sim.world import DEFAULT_DEVICE


class SimAdminError(RuntimeError):
    """The admin path answered an error (or could not be reached)."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class SimAdmin:
    """A client of one simulator's admin path; every call is one HTTP request."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(  # noqa: S310 - the URL is the caller's simulator
            f"{self.url}/_sim/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            payload = exc.read()
            try:
                detail: Any = json.loads(payload)
            except ValueError:
                detail = payload.decode("utf-8", "replace")
            message = _problem_text(detail)
            raise SimAdminError(
                f"{method} /_sim/{path}: {exc.code} {message}", exc.code, detail
            ) from None
        except OSError as exc:
            raise SimAdminError(f"{method} /_sim/{path}: {exc}") from exc
        return json.loads(raw) if raw else None

    def health(self) -> bool:
        """True when the simulator answers its admin path."""
        try:
            return bool(self._call("GET", "health")["ok"])
        except SimAdminError:
            return False

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Poll health until it answers; raise SimAdminError after timeout seconds."""
        deadline = time.monotonic() + timeout
        while not self.health():
            if time.monotonic() > deadline:
                raise SimAdminError(f"no simulator answered at {self.url} within {timeout} s")
            time.sleep(0.05)

    def log(self) -> list[dict[str, Any]]:
        """The request log, oldest first (dicts shaped like requestlog.LogRecord)."""
        records: list[dict[str, Any]] = self._call("GET", "log")["records"]
        return records

    def fault_counts(self) -> dict[str, int]:
        counts: dict[str, int] = self._call("GET", "log")["faultCounts"]
        return counts

    def clear_log(self) -> None:
        self._call("DELETE", "log")

    def reset(self, *, extra_vps: int | None = None) -> None:
        """Seeded world, start settings, no faults, empty log."""
        self._call("POST", "reset", {} if extra_vps is None else {"extra_vps": extra_vps})

    def faults(self) -> dict[str, Any]:
        faults: dict[str, Any] = self._call("GET", "faults")
        return faults

    def set_faults(self, **knobs: Any) -> dict[str, Any]:
        """Replace all fault knobs (unnamed ones go back to off); returns the new knobs."""
        faults: dict[str, Any] = self._call("PUT", "faults", knobs)
        return faults

    def update_faults(self, **knobs: Any) -> dict[str, Any]:
        """Change the named fault knobs only; returns the new knobs."""
        faults: dict[str, Any] = self._call("PATCH", "faults", knobs)
        return faults

    def clear_faults(self) -> None:
        self._call("PUT", "faults", {})

    def settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = self._call("GET", "settings")
        return settings

    def set_settings(self, **values: Any) -> dict[str, Any]:
        """Replace the settings: unnamed ones go back to the start settings."""
        settings: dict[str, Any] = self._call("PUT", "settings", values)
        return settings

    def update_settings(self, **values: Any) -> dict[str, Any]:
        """Change the named settings only; returns all settings."""
        settings: dict[str, Any] = self._call("PATCH", "settings", values)
        return settings

    def state(self) -> dict[str, Any]:
        """The whole world as the state file stores it."""
        state: dict[str, Any] = self._call("GET", "state")
        return state

    def drift(
        self, kind: str, vps_id: str, *, device: str = DEFAULT_DEVICE, iso_id: str | None = None
    ) -> None:
        """One kind of drift.DRIFT_KINDS (the device is ignored by kinds without one)."""
        body: dict[str, Any] = {"vps_id": vps_id, "device": device}
        if iso_id is not None:
            body["iso_id"] = iso_id
        self._call("POST", f"drift/{kind}", body)

    def drift_unmount(self, vps_id: str, device: str = DEFAULT_DEVICE) -> None:
        self.drift(UNMOUNT.name, vps_id, device=device)

    def drift_mount(self, vps_id: str, device: str, iso_id: str) -> None:
        self.drift(MOUNT.name, vps_id, device=device, iso_id=iso_id)

    def drift_swap(self, vps_id: str, device: str, iso_id: str) -> None:
        self.drift(SWAP.name, vps_id, device=device, iso_id=iso_id)

    def drift_delete_vps(self, vps_id: str) -> None:
        self.drift(DELETE_VPS.name, vps_id)

    def drift_delete_iso(self, vps_id: str, iso_id: str) -> None:
        self.drift(DELETE_ISO.name, vps_id, iso_id=iso_id)

    def set_not_ready(self, vps_id: str, *, requests: int = 0, seconds: float = 0.0) -> None:
        self._call(
            "POST", "not-ready", {"vps_id": vps_id, "requests": requests, "seconds": seconds}
        )

    def set_gate(
        self,
        vps_id: str,
        gate: str,
        *,
        allowed: bool,
        reason: str | None = None,
        code: str | None = None,
    ) -> None:
        self._call(
            "POST",
            "gate",
            {"vps_id": vps_id, "gate": gate, "allowed": allowed, "reason": reason, "code": code},
        )


def _problem_text(body: Any) -> str:
    """A problem body in one line: its detail, then each errors[] entry."""
    if not isinstance(body, dict):
        return str(body)
    parts = [str(body.get("detail", ""))]
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            parts.append(f"{error.get('pointer') or '/'}: {error.get('detail')}")
    return " ".join(parts)
