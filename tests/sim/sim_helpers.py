"""Helpers for the simulator's tests: an Api client, RFC 7807 assertions, the CLI."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

REQUEST_ID = re.compile(r"^req_[a-z0-9]{26}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class Api:
    """requests against the simulator with one key; paths are relative to its URL."""

    def __init__(self, base_url: str, key: str | None) -> None:
        self.base_url = base_url
        self.key = key

    def as_key(self, key: str | None) -> Api:
        return Api(self.base_url, key)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.key is not None:
            headers.setdefault("Authorization", f"Bearer {self.key}")
        kwargs.setdefault("timeout", 10)
        return requests.request(method, self.base_url + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def media(self, vps_id: str) -> dict[str, Any]:
        """The ISO listing of a VPS; asserts 200."""
        response = self.get(f"/api/v2/vps/{vps_id}/iso")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def mounted(self, vps_id: str) -> dict[str | None, str | None]:
        """device -> isoId of the ISO mounts (cloud-init drives left out)."""
        return {
            m["device"]: m["isoId"] for m in self.media(vps_id)["mounted"] if not m["isCloudInit"]
        }


def assert_problem(
    response: requests.Response, status: int, code: str, pointers: list[str] | None = None
) -> dict[str, Any]:
    """Assert an RFC 7807 answer with this status and code (and errors[] pointers)."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["type"] == f"https://developer.hostup.se/errors/{code}"
    assert REQUEST_ID.match(body["requestId"]), body["requestId"]
    assert TIMESTAMP.match(body["timestamp"]), body["timestamp"]
    if pointers is not None:
        assert sorted(e["pointer"] for e in body.get("errors", [])) == sorted(pointers), body
    return body


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`hostup-sim ARGS...` as a process, run to its end."""
    return subprocess.run(
        [sys.executable, "-m", "hostup_sim", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env=env,
    )


@contextmanager
def serving(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`hostup-sim serve ARGS...` as a process: its URL and the process (SIGTERM at the end)."""
    with subprocess.Popen(
        [sys.executable, "-m", "hostup_sim", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("hostup-sim listening on http://127.0.0.1:"), line
            yield line.split()[-1], proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
