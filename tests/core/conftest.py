"""Fixtures for the client's unit tests (helpers live in harness/scripted_api.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # no stubs in the dev extras

from harness.scripted_api import API_KEY, CONTRACT_PATH, FakeClock, ScriptedServer
from hostup.client import HostupClient
from hostup.retry import RetryPolicy, Timeouts


@pytest.fixture(scope="session")
def openapi_doc() -> dict[str, Any]:
    """The parsed openapi.yaml (the contract); CI clones shared/ beside the repo."""
    assert CONTRACT_PATH.is_file(), f"the contract is missing: {CONTRACT_PATH}"
    spec: dict[str, Any] = yaml.safe_load(CONTRACT_PATH.read_text())
    return spec


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def policy(clock: FakeClock) -> RetryPolicy:
    """The default policy with time faked and jitter fixed at half the ceiling."""
    return RetryPolicy(
        sleep=clock.sleep, clock=clock.monotonic, wall_clock=clock.wall, random=lambda: 0.5
    )


@pytest.fixture
def make_client(
    server: ScriptedServer, policy: RetryPolicy
) -> Iterator[Callable[..., HostupClient]]:
    """Build clients against ``server``; all are closed at teardown."""
    made: list[HostupClient] = []

    def make(**kwargs: Any) -> HostupClient:
        kwargs.setdefault("timeout", Timeouts(connect=2.0, read=2.0))
        kwargs.setdefault("retry", policy)
        endpoint = kwargs.pop("endpoint", server.url)
        client = HostupClient(kwargs.pop("api_key", API_KEY), endpoint, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., HostupClient]) -> HostupClient:
    return make_client()


# -- the key never leaks -------------------------------------------------------------


@pytest.fixture(autouse=True)
def _key_never_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test runs with DEBUG logging captured; no record may contain the key."""
    caplog.set_level(logging.DEBUG)
    yield
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    records = [r for phase in ("setup", "call") for r in caplog.get_records(phase)]
    for record in records:
        text = formatter.format(record)  # includes exc_info tracebacks
        assert API_KEY not in text, f"API key leaked into a log record from {record.name}"
