"""The OpenTofu API floor: the Python floor (tofu_floor_provider.py) plus the least
HTTP the API requires, sent with `requests` alone. No core, no models, no retries,
no checks: what any Python provider on `tf` and `requests` must spend to do this
resource's job, so that ours / this floor is what our own code costs.

`apifloor_mount` has the floor's attributes. Per mount, as the API requires:
- create (and update): GET the VPS's ISO listing, POST mount, GET the listing
  again (the mount's answer is not canonical; the listing is);
- read: GET the listing;
- delete: POST unmount, GET the listing (its refresh was the read).

`requests` is imported on the first call, as ours imports its HTTP stack, and each
thread of the framework's pool keeps one keep-alive session, as ours does. Every
answer is checked with `raise_for_status` only. The endpoint and key come from
HOSTUP_ENDPOINT and HOSTUP_API_KEY (bench/opentofu.py sets them).

Run as the executable `terraform-provider-apifloor` (bench/opentofu.py writes a
launcher that runs this file with the venv's Python).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from tf.runner import run_provider
from tofu_floor_provider import FloorMount, FloorProvider

ADDRESS = "registry.opentofu.org/bench/apifloor"

_local = threading.local()


def _call(method: str, path: str, body: dict[str, str] | None = None) -> Any:
    """One request on this thread's session; its JSON answer."""
    session = getattr(_local, "session", None)
    if session is None:
        import requests

        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {os.environ['HOSTUP_API_KEY']}"
        session.trust_env = False
        _local.session = session
    response = session.request(method, os.environ["HOSTUP_ENDPOINT"] + path, json=body)
    response.raise_for_status()
    return response.json()


def _listing(vps_id: str) -> Any:
    return _call("GET", f"/api/v2/vps/{vps_id}/iso")


class ApiFloorMount(FloorMount):
    def _from_listing(self, planned: dict[str, Any], listing: Any) -> dict[str, Any]:
        state = self._state(planned)
        iso = next(i for i in listing["available"] if i["id"] == planned["iso_id"])
        state.update(
            iso_name=iso["name"],
            iso_display_name=iso.get("displayName"),
            iso_size_gb=iso.get("sizeGb"),
            boot_order=listing.get("bootOrder"),
        )
        return state

    def create(self, ctx: Any, planned: dict[str, Any]) -> dict[str, Any]:
        state = self._state(planned)
        _listing(state["vps_id"])
        _call(
            "POST",
            f"/api/v2/vps/{state['vps_id']}/iso/actions/mount",
            {"isoId": state["iso_id"], "device": state["device"]},
        )
        return self._from_listing(state, _listing(state["vps_id"]))

    def read(self, ctx: Any, current: dict[str, Any]) -> dict[str, Any]:
        return self._from_listing(current, _listing(current["vps_id"]))

    def update(self, ctx: Any, current: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        return self.create(ctx, planned)

    def delete(self, ctx: Any, current: dict[str, Any]) -> None:
        vps_id = current["vps_id"]
        _call("POST", f"/api/v2/vps/{vps_id}/iso/actions/unmount", {"device": current["device"]})
        _listing(vps_id)


class ApiFloorProvider(FloorProvider):
    def get_model_prefix(self) -> str:
        return "apifloor_"

    def full_name(self) -> str:
        return ADDRESS

    def get_resources(self) -> list[Any]:
        return [ApiFloorMount]


if __name__ == "__main__":
    run_provider(ApiFloorProvider())
