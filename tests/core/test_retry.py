"""The retry policy, against a real loopback server with time faked.

With the ``policy`` fixture (base 0.5 s, jitter fixed at half the ceiling) the
backoff waits are 0.25, 0.5, 1.0, 2.0, ... seconds.
"""

from __future__ import annotations

import email.utils
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.scripted_api import (
    ISO_ID,
    ISO_PATH,
    VPS_ID,
    FakeClock,
    Reply,
    ScriptedServer,
    load_fixture,
    ok,
    problem,
)
from hostup.client import HostupClient
from hostup.errors import (
    APIError,
    ConflictError,
    DeadlineExceededError,
    InvalidArgumentError,
    RateLimitError,
    ServerError,
    TransportError,
)
from hostup.retry import RetryPolicy, Timeouts

MEDIA = load_fixture("listVpsIsoMedia.200.json")
QUEUED = load_fixture("constructed/operation.202.queued.json")
FROM_URL = f"{ISO_PATH}/actions/from-url"
MOUNT = f"{ISO_PATH}/actions/mount"
BACKOFF = [0.25, 0.5, 1.0, 2.0]


def _iso(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _download(client: HostupClient) -> object:
    return client.download_iso_from_url(VPS_ID, "https://example.com/a.iso", "a.iso")


def test_retry_429_waits_retry_after(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    server.script(
        "GET", ISO_PATH, problem(429, "rate_limited", headers={"Retry-After": "7"}), ok(MEDIA)
    )
    assert client.get_iso_media(VPS_ID).available
    assert clock.sleeps == [7.0]
    assert server.count() == 2


def test_retry_429_without_retry_after_waits_until_ratelimit_reset(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    headers = {
        "X-RateLimit-Limit": "60",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": _iso(clock.wall() + 12),
    }
    server.script("GET", ISO_PATH, problem(429, "rate_limit_exceeded", headers=headers), ok(MEDIA))
    client.get_iso_media(VPS_ID)
    assert clock.sleeps == [pytest.approx(12.0, abs=0.01)]


def test_retry_ratelimit_reset_in_the_past_waits_zero(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    headers = {"X-RateLimit-Reset": _iso(clock.wall() - 30)}
    server.script("GET", ISO_PATH, problem(429, "rate_limited", headers=headers), ok(MEDIA))
    client.get_iso_media(VPS_ID)
    assert clock.sleeps == [0.0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("-5", 0.0), ("2.5", 2.5), ("soon", BACKOFF[0]), ("nan", BACKOFF[0]), ("inf", BACKOFF[0])],
)
def test_retry_retry_after_is_clamped_or_ignored(
    server: ScriptedServer, client: HostupClient, clock: FakeClock, header: str, expected: float
) -> None:
    server.script(
        "GET", ISO_PATH, problem(429, "rate_limited", headers={"Retry-After": header}), ok(MEDIA)
    )
    client.get_iso_media(VPS_ID)
    assert clock.sleeps == [expected]


def test_retry_retry_after_as_http_date(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    when = email.utils.formatdate(clock.wall() + 5, usegmt=True)
    server.script(
        "GET", ISO_PATH, problem(429, "rate_limited", headers={"Retry-After": when}), ok(MEDIA)
    )
    client.get_iso_media(VPS_ID)
    assert clock.sleeps == [pytest.approx(5.0, abs=1.0)]


def test_retry_absurd_retry_after_is_clamped_to_max_retry_after(
    server: ScriptedServer,
    make_client: Callable[..., HostupClient],
    policy: RetryPolicy,
    clock: FakeClock,
) -> None:
    client = make_client(retry=replace(policy, deadline=1000.0))
    server.script(
        "GET", ISO_PATH, problem(429, "rate_limited", headers={"Retry-After": "99999"}), ok(MEDIA)
    )
    client.get_iso_media(VPS_ID)
    assert clock.sleeps == [policy.max_retry_after]


def test_retry_wait_past_the_deadline_raises_the_rate_limit_at_once(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    server.script(
        "GET", ISO_PATH, problem(429, "rate_limited", headers={"Retry-After": "99999"}), ok(MEDIA)
    )
    with pytest.raises(RateLimitError) as info:
        client.get_iso_media(VPS_ID)
    assert info.value.retry_after == 99999.0
    assert info.value.attempts == 1
    assert clock.sleeps == []
    assert server.count() == 1


def test_retry_rate_limit_gives_up_after_max_attempts(
    server: ScriptedServer,
    make_client: Callable[..., HostupClient],
    policy: RetryPolicy,
    clock: FakeClock,
) -> None:
    client = make_client(retry=replace(policy, max_attempts=3))
    server.always("GET", ISO_PATH, problem(429, "rate_limited", headers={"Retry-After": "1"}))
    with pytest.raises(RateLimitError) as info:
        client.get_iso_media(VPS_ID)
    assert info.value.attempts == 3
    assert "retried 2 times" in str(info.value)
    assert clock.sleeps == [1.0, 1.0]


def test_retry_503_then_200(server: ScriptedServer, client: HostupClient, clock: FakeClock) -> None:
    server.script("GET", ISO_PATH, problem(503, "upstream_failed"), ok(MEDIA))
    client.get_iso_media(VPS_ID)
    assert clock.sleeps == BACKOFF[:1]
    assert server.count() == 2


def test_retry_gateway_html_pages_then_200(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    server.script(
        "GET",
        ISO_PATH,
        Reply(status=502, body=b"<html>Bad Gateway</html>", content_type="text/html"),
        Reply(status=504, body=b"<html>Gateway Timeout</html>", content_type="text/html"),
        ok(MEDIA),
    )
    client.get_iso_media(VPS_ID)
    assert clock.sleeps == BACKOFF[:2]
    assert server.count() == 3


def test_retry_read_timeout_then_200(
    server: ScriptedServer, make_client: Callable[..., HostupClient], clock: FakeClock
) -> None:
    client = make_client(timeout=Timeouts(connect=2.0, read=0.2))
    server.script("GET", ISO_PATH, Reply(json=MEDIA, delay=1.0), ok(MEDIA))
    assert client.get_iso_media(VPS_ID).available
    assert server.count() == 2
    assert clock.sleeps == BACKOFF[:1]


def test_retry_dropped_connection_then_200(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    server.script("GET", ISO_PATH, Reply(drop=True), ok(MEDIA))
    client.get_iso_media(VPS_ID)
    assert server.count() == 2
    assert clock.sleeps == BACKOFF[:1]


def test_retry_connection_refused_until_max_attempts(
    make_client: Callable[..., HostupClient], clock: FakeClock
) -> None:
    client = make_client(endpoint=f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(TransportError) as info:
        client.get_iso_media(VPS_ID)
    assert not isinstance(info.value, DeadlineExceededError)
    assert info.value.attempts == 5
    assert clock.sleeps == BACKOFF
    assert "could not connect" in info.value.message


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "invalid_request"),
        (401, "unauthorized"),
        (403, "forbidden"),
        (404, "vps_not_found"),
        (409, "pending_order"),
        (409, "upstream_failed"),
        (418, None),
        (500, "internal_error"),
        (501, None),
    ],
)
def test_retry_other_errors_are_never_retried(
    server: ScriptedServer, client: HostupClient, clock: FakeClock, status: int, code: str | None
) -> None:
    server.always("GET", ISO_PATH, problem(status, code))
    with pytest.raises(APIError) as info:
        client.get_iso_media(VPS_ID)
    assert info.value.status == status
    assert info.value.attempts == 1
    assert server.count() == 1
    assert clock.sleeps == []


def test_retry_409_vps_not_ready_is_retried(
    server: ScriptedServer, client: HostupClient, clock: FakeClock
) -> None:
    server.script(
        "POST",
        MOUNT,
        problem(409, "vps_not_ready"),
        problem(409, "vps_not_ready"),
        ok({"device": "ide2", "isoId": ISO_ID}),
    )
    assert client.mount_iso(VPS_ID, ISO_ID).device == "ide2"  # type: ignore[union-attr]
    assert server.count("POST", MOUNT) == 3
    assert clock.sleeps == BACKOFF[:2]


def test_retry_stops_at_max_attempts(
    server: ScriptedServer,
    make_client: Callable[..., HostupClient],
    policy: RetryPolicy,
    clock: FakeClock,
) -> None:
    client = make_client(retry=replace(policy, deadline=1000.0))
    server.always("GET", ISO_PATH, problem(503, "upstream_failed"))
    with pytest.raises(ServerError) as info:
        client.get_iso_media(VPS_ID)
    assert info.value.attempts == 5
    assert server.count() == 5
    assert clock.sleeps == BACKOFF


def test_retry_deadline_stops_api_errors_with_the_last_error(
    server: ScriptedServer,
    make_client: Callable[..., HostupClient],
    policy: RetryPolicy,
    clock: FakeClock,
) -> None:
    client = make_client(retry=replace(policy, max_attempts=100))
    server.always("GET", ISO_PATH, problem(503, "upstream_failed"))
    started = clock.now
    with pytest.raises(ServerError) as info:
        client.get_iso_media(VPS_ID, deadline=5.0)
    # 0.25 + 0.5 + 1 + 2 = 3.75 s slept; the next 4 s wait would end past 5 s.
    assert clock.sleeps == BACKOFF
    assert clock.now - started <= 5.0
    assert info.value.attempts == 5


def test_retry_deadline_after_transport_errors_is_deadline_exceeded(
    server: ScriptedServer,
    make_client: Callable[..., HostupClient],
    policy: RetryPolicy,
    clock: FakeClock,
) -> None:
    client = make_client(retry=replace(policy, max_attempts=100))
    server.always("GET", ISO_PATH, Reply(drop=True))
    with pytest.raises(DeadlineExceededError) as info:
        client.get_iso_media(VPS_ID, deadline=5.0)
    error = info.value
    assert error.deadline == 5.0
    assert isinstance(error.__cause__, TransportError)
    assert (error.operation, error.vps_id) == ("listVpsIsoMedia", VPS_ID)
    text = str(error)
    assert "listVpsIsoMedia" in text
    assert VPS_ID in text
    assert "5s deadline" in text
    assert sum(clock.sleeps) <= 5.0


def test_retry_read_timeout_shrinks_to_the_remaining_deadline(
    server: ScriptedServer, make_client: Callable[..., HostupClient]
) -> None:
    # Real time here: the read timeout (10 s) must give way to the 0.5 s deadline.
    client = make_client(timeout=Timeouts(connect=2.0, read=10.0), retry=RetryPolicy(deadline=0.5))
    server.always("GET", ISO_PATH, Reply(json=MEDIA, delay=5.0))
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        client.get_iso_media(VPS_ID)
    assert time.monotonic() - started < 2.0
    assert server.count() == 1


def test_retry_policy_deadline_is_the_default(
    server: ScriptedServer,
    make_client: Callable[..., HostupClient],
    policy: RetryPolicy,
    clock: FakeClock,
) -> None:
    client = make_client(retry=replace(policy, max_attempts=100, deadline=2.0))
    server.always("GET", ISO_PATH, problem(503, "upstream_failed"))
    with pytest.raises(ServerError):
        client.get_iso_media(VPS_ID)
    assert clock.sleeps == [0.25, 0.5, 1.0]  # the next 2 s wait would pass 2 s


# -- non-idempotent calls ------------------------------------------------------------


@pytest.mark.parametrize("status", [502, 504])
def test_retry_from_url_is_not_repeated_after_a_gateway_error(
    server: ScriptedServer, client: HostupClient, clock: FakeClock, status: int
) -> None:
    server.script("POST", FROM_URL, problem(status, "upstream_failed"), ok(QUEUED, status=202))
    with pytest.raises(ServerError):
        _download(client)
    assert server.count("POST", FROM_URL) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "refusal",
    [
        problem(503, "upstream_failed"),
        problem(429, "rate_limited", headers={"Retry-After": "1"}),
        problem(409, "vps_not_ready"),
    ],
)
def test_retry_from_url_is_repeated_after_a_refusal(
    server: ScriptedServer, client: HostupClient, refusal: Reply
) -> None:
    server.script("POST", FROM_URL, refusal, ok(QUEUED, status=202))
    assert _download(client)
    assert server.count("POST", FROM_URL) == 2


def test_retry_from_url_is_not_repeated_after_a_read_timeout(
    server: ScriptedServer, make_client: Callable[..., HostupClient], clock: FakeClock
) -> None:
    client = make_client(timeout=Timeouts(connect=2.0, read=0.2))
    server.script("POST", FROM_URL, Reply(json=QUEUED, status=202, delay=1.0), ok(QUEUED))
    with pytest.raises(TransportError):
        _download(client)
    assert server.count("POST", FROM_URL) == 1
    assert clock.sleeps == []


def test_retry_from_url_is_not_repeated_after_a_dropped_connection(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.script("POST", FROM_URL, Reply(drop=True), ok(QUEUED, status=202))
    with pytest.raises(TransportError):
        _download(client)
    assert server.count("POST", FROM_URL) == 1


def test_retry_from_url_is_repeated_when_never_connected(
    make_client: Callable[..., HostupClient], clock: FakeClock
) -> None:
    client = make_client(endpoint=f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(TransportError) as info:
        _download(client)
    assert info.value.attempts == 5
    assert clock.sleeps == BACKOFF


def test_retry_delete_is_not_repeated_after_a_dropped_connection(
    server: ScriptedServer, client: HostupClient
) -> None:
    path = f"{ISO_PATH}/{ISO_ID}"
    server.script("DELETE", path, Reply(drop=True))
    with pytest.raises(TransportError):
        client.delete_iso_media(VPS_ID, ISO_ID)
    assert server.count("DELETE", path) == 1
    server.script(
        "DELETE",
        path,
        problem(429, "rate_limited", headers={"Retry-After": "0"}),
        Reply(status=204),
    )
    client.delete_iso_media(VPS_ID, ISO_ID)  # a 429 was refused, so it is retried
    assert server.count("DELETE", path) == 3


def test_retry_mount_is_repeated_after_a_dropped_connection(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.script("POST", MOUNT, Reply(drop=True), ok({"device": "ide2", "isoId": ISO_ID}))
    client.mount_iso(VPS_ID, ISO_ID)
    assert server.count("POST", MOUNT) == 2


def test_retry_conflict_media_present_is_not_retried(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.always("POST", MOUNT, problem(409, "device_in_use"))
    with pytest.raises(ConflictError) as info:
        client.mount_iso(VPS_ID, ISO_ID)
    assert info.value.media_present
    assert server.count() == 1


# -- the policy itself ---------------------------------------------------------------


@given(retry=st.integers(1, 60), rand=st.floats(0, 1, exclude_max=True))
def test_retry_backoff_is_capped_and_jittered(retry: int, rand: float) -> None:
    full = RetryPolicy(random=lambda: rand)
    ceiling = min(full.max_delay, full.base_delay * 2 ** min(retry - 1, 32))
    assert 0 <= full.backoff(retry, 0.5) <= ceiling <= full.max_delay
    none = RetryPolicy(jitter="none")
    assert none.backoff(retry, 0.5) == ceiling
    decorrelated = RetryPolicy(jitter="decorrelated", random=lambda: rand)
    previous = 0.5
    for _ in range(retry):
        previous = decorrelated.backoff(retry, previous)
        assert decorrelated.base_delay <= previous <= decorrelated.max_delay


@given(seconds=st.floats(allow_nan=False))
def test_retry_server_wait_is_clamped(seconds: float) -> None:
    policy = RetryPolicy()
    assert 0 <= policy.server_wait(seconds) <= policy.max_retry_after


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"base_delay": -1.0},
        {"max_delay": float("inf")},
        {"deadline": 0.0},
        {"deadline": float("nan")},
    ],
)
def test_retry_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(InvalidArgumentError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_retry_policy_decisions() -> None:
    policy = RetryPolicy()
    assert policy.should_retry_status(409, "vps_not_ready", idempotent=False)
    assert not policy.should_retry_status(409, "pending_order", idempotent=True)
    assert policy.should_retry_status(502, None, idempotent=True)
    assert not policy.should_retry_status(502, None, idempotent=False)
    assert policy.should_retry_status(503, None, idempotent=False)
    assert not policy.should_retry_status(500, None, idempotent=True)
