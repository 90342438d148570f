"""Hostile input to `check`: a catalog of bad inputs plus hypothesis-generated ones.

For every one, `check` returns (never raises) a CheckFailure on the right property
whose reason names that property and says what is wrong, and no HTTP request is sent:
the simulator's request log stays empty and no socket is even opened (the check runs
with credentials and an endpoint, so a valid input WOULD be checked live: the control
case at the end shows it). Part of the catalog goes through the real provider host
over gRPC too, where values cross pulumi's serialization first.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
import urllib3.util.connection
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from hostup_sim import world
from hostup_sim.server import SimServer
from pulumi_hostup.iso_mount import VpsIsoMountProvider
from reliability.support import FLEET, SEED

VPS = FLEET[0]
ISO = world.ISO_UBUNTU_2404
GOOD = {"vps_id": VPS, "iso_id": ISO, "device": "ide2"}
ALLOWED_KEYS = frozenset(
    {"vps_id", "iso_id", "device", "iso_name", "iso_display_name", "iso_size_gb", "boot_order"}
)
DEVICES = ("ide0", "ide1", "ide2", "ide3")

# Bad values for an id (vps_id or iso_id), each with why it is bad.
BAD_IDS: list[tuple[str, Any]] = [
    ("empty", ""),
    ("space", " "),
    ("whitespace only", " \t\n "),
    ("leading space", " vps_01"),
    ("trailing newline", "vps_01\n"),
    ("slash", "vps_01/ide2"),
    ("only a slash", "/"),
    ("dot dot slash", "../etc/passwd"),
    ("dot dot", ".."),
    ("dot", "."),
    ("embedded dot dot", "vps_01..x"),
    ("question mark", "vps_01?admin=1"),
    ("hash", "vps_01#frag"),
    ("percent-encoded dots", "%2e%2e"),
    ("percent-encoded slash", "vps_01%2Fx"),
    ("backslash", "vps_01\\..\\x"),
    ("NUL", "vps_01\x00"),
    ("CRLF header injection", "vps_01\r\nX-Injected: 1"),
    ("ANSI escape", "\x1b[31mvps_01"),
    ("DEL", "vps_01\x7f"),
    ("129 characters", "v" * 129),
    ("100 000 characters", "v" * 100_000),
    ("int", 42),
    ("float", 3.5),
    ("bool", True),
    ("list", ["vps_01"]),
    ("dict", {"id": "vps_01"}),
    ("bytes", b"vps_01"),
    ("zero-width space", "vps_01\u200b"),
    ("right-to-left override", "vps_\u202e10"),
    ("no-break space", "vps\u00a001"),
    ("line separator", "vps_01\u2028"),
    ("byte order mark", "\ufeffvps_01"),
    ("fullwidth solidus", "vps_01\uff0fide2"),
    ("fullwidth dots", "\uff0e\uff0e"),
    ("one-dot leaders", "\u2024\u2024"),
    ("Cyrillic homoglyph", "vps_01\u0430"),
    ("emoji", "vps_\U0001f4a9"),
]

BAD_DEVICES: list[tuple[str, Any]] = [
    ("ide4", "ide4"),
    ("upper case", "IDE2"),
    ("leading space", " ide2"),
    ("trailing space", "ide2 "),
    ("empty", ""),
    ("sata", "sata0"),
    ("NUL", "ide2\x00"),
    ("int", 2),
    ("bool", False),
    ("list", ["ide2"]),
    ("dict", {"device": "ide2"}),
    ("fullwidth", "\uff49\uff44\uff45\uff12"),
    ("overlong", "ide2" * 5000),
]

BAD_EXTRAS: list[tuple[str, str]] = [
    ("typo", "vpsId"),
    ("api key", "apiKey"),
    ("path", "../x"),
    ("empty key", ""),
    ("proto", "__proto__"),
]


def catalog() -> list[tuple[str, dict[str, Any], str]]:
    """(label, news, the property that must fail)."""
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("vps_id missing", {"iso_id": ISO, "device": "ide2"}, "vps_id"),
        ("vps_id None", {**GOOD, "vps_id": None}, "vps_id"),
        ("iso_id missing", {"vps_id": VPS, "device": "ide2"}, "iso_id"),
        ("iso_id None", {**GOOD, "iso_id": None}, "iso_id"),
    ]
    for label, value in BAD_IDS:
        cases.append((f"vps_id {label}", {**GOOD, "vps_id": value}, "vps_id"))
    for label, value in BAD_IDS[::3]:
        cases.append((f"iso_id {label}", {**GOOD, "iso_id": value}, "iso_id"))
    for label, value in BAD_DEVICES:
        cases.append((f"device {label}", {**GOOD, "device": value}, "device"))
    for label, key in BAD_EXTRAS:
        cases.append((f"extra property {label}", {**GOOD, key: "x"}, key))
    return cases


CATALOG = catalog()


def assert_fails_on(result: Any, prop: str) -> None:
    failing = {f.property: f.reason for f in result.failures}
    assert prop in failing, f"no failure on {prop!r}: {result.failures}"
    reason = failing[prop]
    assert isinstance(reason, str)
    assert reason
    named = prop in reason if prop in ALLOWED_KEYS else f"unknown property {prop!r}" in reason
    assert named, f"the reason does not name {prop!r}: {reason!r}"
    assert len(reason) < 400 or prop not in ("vps_id", "iso_id", "device"), len(reason)


@pytest.fixture
def offline(
    make_sim: Callable[..., SimServer], monkeypatch: pytest.MonkeyPatch
) -> tuple[VpsIsoMountProvider, SimServer, list[Any]]:
    """A provider with a key and the simulator's endpoint; any socket opened is recorded."""
    sim = make_sim()
    monkeypatch.setenv("HOSTUP_API_KEY", world.DEMO_API_KEY)
    monkeypatch.setenv("HOSTUP_ENDPOINT", sim.url)
    opened: list[Any] = []

    def spy(real: Callable[..., socket.socket]) -> Callable[..., socket.socket]:
        def connect(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
            opened.append(address)
            return real(address, *args, **kwargs)

        return connect

    monkeypatch.setattr(socket, "create_connection", spy(socket.create_connection))
    monkeypatch.setattr(
        urllib3.util.connection,
        "create_connection",
        spy(urllib3.util.connection.create_connection),
    )
    return VpsIsoMountProvider(), sim, opened


def test_catalog_has_at_least_40_bad_inputs() -> None:
    assert len(CATALOG) >= 40
    assert len({label for label, _, _ in CATALOG}) == len(CATALOG)


@pytest.mark.timeout(120)
def test_every_catalog_input_fails_check_on_its_property_without_a_request(
    offline: tuple[VpsIsoMountProvider, SimServer, list[Any]], figures: dict[str, Any]
) -> None:
    provider, sim, opened = offline
    raised: list[str] = []
    missed: list[str] = []
    for label, news, prop in CATALOG:
        try:
            result = provider.check({}, news)
        except Exception as exc:  # check must never raise
            raised.append(f"{label}: {type(exc).__name__}: {exc}"[:300])
            continue
        try:
            assert_fails_on(result, prop)
        except AssertionError as failure:
            missed.append(f"{label}: {failure}"[:300])
    requests_for_bad_inputs = len(sim.store.request_log())
    sockets_for_bad_inputs = len(opened)
    figures.update(
        catalog_inputs=len(CATALOG),
        catalog={
            "ids": [label for label, _ in BAD_IDS],
            "devices": [label for label, _ in BAD_DEVICES],
            "extra properties": [label for label, _ in BAD_EXTRAS],
        },
        check_raised=len(raised),
        missed_failures=len(missed),
        requests_sent=requests_for_bad_inputs,
        sockets_opened=sockets_for_bad_inputs,
    )
    assert raised == []
    assert missed == []
    assert requests_for_bad_inputs == 0
    assert sockets_for_bad_inputs == 0

    # Control: the same provider does check a valid input live (one request).
    assert provider.check({}, dict(GOOD)).failures == []
    assert [r.operation for r in sim.store.request_log()] == ["listVpsIsoMedia"]
    assert len(opened) == 1
    figures["control_valid_input_requests"] = len(sim.store.request_log())


HOSTILE_CHARS = ["/", "?", "#", "%", "\\", "..", " ", "\t", "\n", "\r", "\x00", "\x1b", "\x7f"]
UNICODE_TRICKS = ["\u200b", "\u202e", "\u00a0", "\u2028", "\ufeff", "\uff0f", "\uff0e", "\u0430"]


def bad_ids() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(
            lambda a, c, b: a + c + b,
            st.text(max_size=20),
            st.sampled_from(HOSTILE_CHARS + UNICODE_TRICKS),
            st.text(max_size=20),
        ),
        st.text(alphabet=" \t\r\n\x0b\x0c", max_size=10),
        st.text(min_size=129, max_size=400),
        st.integers(),
        st.floats(allow_nan=True),
        st.booleans(),
        st.lists(st.text(max_size=5), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    )


def bad_devices() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.text(max_size=30).filter(lambda s: s not in DEVICES),
        st.integers(),
        st.booleans(),
        st.lists(st.sampled_from(DEVICES), max_size=2),
    )


@st.composite
def bad_news(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    news: dict[str, Any] = dict(GOOD)
    target = draw(st.sampled_from(["vps_id", "iso_id", "device", "extra"]))
    if target == "device":
        news["device"] = draw(bad_devices())
        return news, "device"
    if target == "extra":
        key = draw(st.text(max_size=40).filter(lambda k: k not in ALLOWED_KEYS | {"__provider"}))
        news[key] = draw(st.one_of(st.none(), st.text(max_size=10), st.integers()))
        return news, key
    news[target] = draw(bad_ids())
    return news, target


HYPOTHESIS_TRIED: list[int] = [0]


@pytest.mark.timeout(300)
@seed(SEED)
@settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=bad_news())
def test_generated_bad_inputs_fail_check_without_a_request(
    offline: tuple[VpsIsoMountProvider, SimServer, list[Any]],
    figures: dict[str, Any],
    case: tuple[dict[str, Any], str],
) -> None:
    provider, sim, opened = offline
    news, prop = case
    figures["generated_inputs"] = figures.get("generated_inputs", 0) + 1
    for key in ("check_raised", "missed_failures", "requests_sent", "sockets_opened"):
        figures.setdefault(key, 0)
    try:
        result = provider.check({}, news)
    except Exception:
        figures["check_raised"] += 1
        raise
    try:
        assert_fails_on(result, prop)
    except AssertionError:
        figures["missed_failures"] += 1
        raise
    # The same simulator and socket spy serve every example: their totals so far.
    figures["requests_sent"] = len(sim.store.request_log())
    figures["sockets_opened"] = len(opened)
    assert sim.store.request_log() == []
    assert opened == []


# Through the gRPC host: what survives pulumi's serialization (no bytes; None is absent).
GRPC_CASES = [
    case
    for case in CATALOG
    if not any(isinstance(v, bytes) for v in case[1].values()) and case[0] != "vps_id None"
][::2]


@pytest.mark.timeout(120)
def test_bad_inputs_through_the_provider_host_fail_check_without_a_request(
    make_sim: Callable[..., SimServer], make_host: Callable[..., Any], figures: dict[str, Any]
) -> None:
    sim = make_sim()
    host = make_host(sim.url)
    missed: list[tuple[str, Any]] = []
    for label, news, prop in GRPC_CASES:
        _, failures = host.check("hostile", {}, news)
        reasons = dict(failures)
        named = prop in reasons and (
            prop in reasons[prop] or f"unknown property {prop!r}" in reasons[prop]
        )
        if not named:
            missed.append((label, failures))
    requests = len(sim.store.request_log())
    figures.update(grpc_inputs=len(GRPC_CASES), missed_failures=len(missed), requests_sent=requests)
    assert missed == []
    assert requests == 0
