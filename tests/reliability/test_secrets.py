"""The API key never leaks, and never travels where it should not.

Every test of this suite hands what it saw (CLI output, every file of its Pulumi
sandbox: the stack state, its export, Pulumi.<stack>.yaml; provider stderr; exception
texts; simulator logs) to the `leaks` fixture, which scans it for every API key at
teardown (conftest.py). The tests here add what the others do not reach: reprs,
pickling, DEBUG logs, error messages after a wrong key, and the rule that a bearer
token goes over plain http only to a loopback address: the client refuses before any
connection is attempted (sockets are rigged to fail the test if one is opened).
"""

from __future__ import annotations

import logging
import pickle
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
import urllib3.util.connection

from harness.servers import Answer, HostileServer, json_answer
from hostup.client import HostupClient
from hostup.errors import ConfigurationError, HostupError
from hostup.settings import Settings
from hostup_sim import world
from hostup_sim.server import SimServer
from pulumi_hostup.iso_mount import VpsIsoMountError, VpsIsoMountProvider
from reliability.support import (
    FLEET,
    HOSTILE_KEY,
    SECRETS,
    LeakRegistry,
)

KEY = world.DEMO_API_KEY
VPS = FLEET[0]
ISO = world.ISO_UBUNTU_2404
# Plain http to anything but loopback: each must be refused before a connection.
REFUSED_ENDPOINTS = [
    "http://10.255.255.1",
    "http://10.255.255.1:8080",
    "HTTP://10.255.255.1",
    "http://192.0.2.10",
    "http://[2001:db8::1]",
    "http://[::ffff:10.0.0.1]",
    "http://api.example.invalid",
    "http://127.0.0.1.nip.io",
    "http://localhost.example.invalid",
    "http://0x7f000001",
    "http://2130706433",
    "http://0.0.0.0",
]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any attempt to open a connection is recorded and fails."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args[:2])
        raise AssertionError(f"a connection was attempted: {args[:2]}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_the_leak_detector_finds_a_key(figures: dict[str, Any]) -> None:
    """A zero leak count means something only if the detector can find one."""
    registry = LeakRegistry()
    assert registry.scan("plain", f"Authorization: Bearer {KEY}")
    assert registry.scan("truncated", f"...{KEY[-16:]}")
    assert registry.scan("bytes", f"x{HOSTILE_KEY}x".encode())
    assert not registry.scan("clean", "key_demo hsim_demo_ nothing here")
    figures["detector_self_test"] = "passed"
    figures["secrets_watched"] = len(SECRETS)


def test_plain_http_to_a_non_loopback_host_is_refused_before_any_connection(
    no_network: list[Any], leaks: Any, figures: dict[str, Any]
) -> None:
    timings = {}
    for endpoint in REFUSED_ENDPOINTS:
        started = time.perf_counter()
        with pytest.raises(ConfigurationError) as info:
            HostupClient(KEY, endpoint).get_iso_media(VPS)
        timings[endpoint] = (time.perf_counter() - started) * 1000
        leaks.add_exception(f"exception:{endpoint}", info.value)
        assert "http" in str(info.value)
    assert no_network == []
    assert max(timings.values()) < 50, timings
    figures.update(
        endpoints_refused=len(REFUSED_ENDPOINTS),
        connections_attempted=len(no_network),
        max_ms=round(max(timings.values()), 2),
    )


def test_the_provider_refuses_plain_http_too_in_check_create_read_and_delete(
    no_network: list[Any], monkeypatch: pytest.MonkeyPatch, leaks: Any, figures: dict[str, Any]
) -> None:
    monkeypatch.setenv("HOSTUP_API_KEY", KEY)
    monkeypatch.setenv("HOSTUP_ENDPOINT", "http://10.255.255.1")
    provider = VpsIsoMountProvider()
    props = {"vps_id": VPS, "iso_id": ISO, "device": "ide2"}
    failures = provider.check({}, dict(props)).failures
    assert failures
    assert "plain http" in failures[0].reason
    messages = [failures[0].reason]
    for call in (
        lambda: provider.create(dict(props)),
        lambda: provider.read(f"{VPS}/ide2", dict(props)),
        lambda: provider.update(f"{VPS}/ide2", dict(props), {**props, "iso_id": "iso_x"}),
        lambda: provider.delete(f"{VPS}/ide2", dict(props)),
    ):
        with pytest.raises(VpsIsoMountError) as info:
            call()
        assert "plain http" in str(info.value)
        leaks.add_exception("exception", info.value)
        messages.append(str(info.value))
    assert no_network == []
    figures.update(provider_calls_refused=len(messages), connections_attempted=len(no_network))


def test_https_clients_send_nothing_until_used(no_network: list[Any]) -> None:
    client = HostupClient(KEY, "https://10.255.255.1")
    assert KEY not in repr(client)
    assert no_network == []


def test_redirects_and_foreign_poll_urls_are_not_followed(
    hostile: Callable[..., HostileServer],
    monkeypatch: pytest.MonkeyPatch,
    leaks: Any,
    figures: dict[str, Any],
) -> None:
    """A loopback API that points elsewhere (a redirect, an absolute pollUrl on another
    host) never gets the key sent there: only loopback connections are allowed."""
    attempts: list[Any] = []
    real = urllib3.util.connection.create_connection

    def loopback_only(address: Any, *args: Any, **kwargs: Any) -> Any:
        if address[0] not in ("127.0.0.1", "localhost", "::1"):
            attempts.append(address)
            raise AssertionError(f"connection to {address}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", loopback_only)
    foreign = "http://10.255.255.1/api/jobs/job_x"

    def respond(method: str, path: str) -> Answer:
        if path.endswith("/iso"):
            return Answer(302, b"", None, {"Location": "http://10.255.255.1/api/v2/vps"})
        return json_answer(
            {"operation": {"status": "queued", "jobId": "job_x", "pollUrl": foreign}}, 202
        )

    server = hostile(respond)
    client = HostupClient(HOSTILE_KEY, server.url)
    with pytest.raises(HostupError) as redirect:
        client.get_iso_media(VPS)
    assert "redirect" in str(redirect.value)
    operation = client.mount_iso(VPS, ISO, "ide2")
    with pytest.raises(HostupError) as poll:
        client.wait_for_operation(operation, deadline=5)
    assert "refusing to poll" in str(poll.value)
    for exc in (redirect.value, poll.value):
        leaks.add_exception("exception", exc)
    assert attempts == []
    assert all(seen.authorization == f"Bearer {HOSTILE_KEY}" for seen in server.seen)
    refused = [exc for exc in (redirect.value, poll.value) if isinstance(exc, HostupError)]
    figures.update(foreign_targets_refused=len(refused), connections_attempted=len(attempts))


def test_reprs_pickles_logs_and_errors_never_hold_the_key(
    make_sim: Callable[..., SimServer],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    leaks: Any,
    figures: dict[str, Any],
) -> None:
    sim = make_sim()
    caplog.set_level(logging.DEBUG)
    client = HostupClient(KEY, sim.url)
    settings = Settings(api_key=KEY, endpoint=sim.url, operation_timeout=5, listing_cache_seconds=0)
    texts = [repr(client), str(client), repr(settings), str(settings)]
    with pytest.raises(TypeError) as refused:
        pickle.dumps(client)
    texts.append(str(refused.value))

    # A full create and delete with DEBUG logging on.
    monkeypatch.setenv("HOSTUP_API_KEY", KEY)
    monkeypatch.setenv("HOSTUP_ENDPOINT", sim.url)
    provider = VpsIsoMountProvider()
    created = provider.create({"vps_id": VPS, "iso_id": ISO, "device": "ide2"})
    provider.delete(created.id, created.outs)
    texts.append(repr(provider))
    texts.append(pickle.dumps(provider).decode("latin-1"))

    # A wrong key: the 401's message must not echo the key that was sent.
    wrong = "hk_wrong_key_0123456789abcdef_secret"
    monkeypatch.setenv("HOSTUP_API_KEY", wrong)
    with pytest.raises(VpsIsoMountError) as unauthorized:
        VpsIsoMountProvider().read(f"{VPS}/ide2", {"vps_id": VPS, "device": "ide2"})
    assert "401" in str(unauthorized.value) or "unauthorized" in str(unauthorized.value)
    assert wrong not in str(unauthorized.value)
    leaks.add_exception("exception:401", unauthorized.value)

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    log_text = "\n".join(formatter.format(r) for r in caplog.records)
    assert wrong not in log_text
    for n, text in enumerate(texts):
        leaks.add(f"repr-or-pickle:{n}", text)
    leaks.add("debug-log", log_text)
    figures.update(reprs_and_pickles=len(texts), log_records=len(caplog.records))
