"""Baseline (b): the least HTTP the same work needs, sent with plain requests.

Per mount: GET the VPS's ISO listing (the gate and the slot), POST mount, GET the
listing again (the API's answer to a mount is not canonical; the listing is).
Mounts run on the parallelism the engine gives our provider: the Python provider
host serves 4 calls at once (`ThreadPoolExecutor(max_workers=4)` in
`pulumi.dynamic.__main__`), below Pulumi's default `--parallel` (4 x CPUs), so 4
workers, each with its own keep-alive `requests.Session`. No retries, no parsing
beyond `raise_for_status`, no engine: the time it takes is what the API itself costs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import requests

PROVIDER_HOST_WORKERS = 4


def mount_all(
    url: str,
    api_key: str,
    mounts: Sequence[tuple[str, str]],
    iso_id: str,
    *,
    workers: int = PROVIDER_HOST_WORKERS,
) -> float:
    """Mount ``iso_id`` on every (vps, device) in ``mounts``; returns the seconds it took."""
    local = threading.local()
    headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}

    def session() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.headers.update(headers)
            local.session.trust_env = False
        s: requests.Session = local.session
        return s

    def one(mount: tuple[str, str]) -> None:
        vps_id, device = mount
        listing = f"{url}/api/v2/vps/{vps_id}/iso"
        s = session()
        s.get(listing, timeout=30).raise_for_status()
        s.post(
            f"{listing}/actions/mount", json={"isoId": iso_id, "device": device}, timeout=30
        ).raise_for_status()
        s.get(listing, timeout=30).raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(one, m) for m in mounts]:
            future.result()
    return time.perf_counter() - started
