"""The HTTP layer: headers, endpoint and key rules, redirects, sessions, threads."""

from __future__ import annotations

import importlib.metadata
import pickle
import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from harness.scripted_api import (
    API_KEY,
    ISO_PATH,
    VPS_ID,
    FakeClock,
    Reply,
    ScriptedServer,
    load_fixture,
    non_loopback_address,
    ok,
)
from hostup import _http as _http_module
from hostup._http import (
    DEFAULT_ENDPOINT,
    HttpTransport,
    RetryPolicy,
    Timeouts,
    is_loopback_host,
    normalize_endpoint,
    user_agent,
)
from hostup.client import HostupClient
from hostup.errors import ConfigurationError, InvalidArgumentError, TransportError

MEDIA = load_fixture("listVpsIsoMedia.200.json")


def test_http_sends_bearer_key_user_agent_and_accept(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.script("GET", ISO_PATH, ok(MEDIA))
    client.get_iso_media(VPS_ID)
    (received,) = server.received
    assert received.headers["Authorization"] == f"Bearer {API_KEY}"
    assert re.fullmatch(r"pulumi-hostup/\S+ python-requests/\S+", received.headers["User-Agent"])
    assert received.headers["User-Agent"].endswith(f"python-requests/{requests.__version__}")
    assert "application/json" in received.headers["Accept"]
    assert "application/problem+json" in received.headers["Accept"]


def test_http_user_agent_falls_back_without_package_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr("hostup._http.metadata.version", missing)
    assert user_agent().startswith("pulumi-hostup/0+unknown python-requests/")


def test_http_plain_http_to_non_loopback_is_refused_before_any_request() -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    exposed = ScriptedServer(host="0.0.0.0")  # reachable on the non-loopback address too
    exposed.start()
    try:
        exposed.always("GET", ISO_PATH, ok(MEDIA))
        # Reachable in principle: the same server answers a loopback client.
        with HostupClient(API_KEY, exposed.url) as loopback:
            loopback.get_iso_media(VPS_ID)
        assert exposed.count() == 1
        with pytest.raises(ConfigurationError) as info:
            HostupClient(API_KEY, f"http://{address}:{exposed.port}")
        assert "plain http" in str(info.value)
        assert exposed.count() == 1
    finally:
        exposed.stop()


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:8080",
        "http://127.9.8.7",
        "http://[::1]:9000",
        "http://localhost:5000",
        "http://LOCALHOST",
        "https://cloud.hostup.se",
        "https://cloud.hostup.se/",
        "https://10.0.0.5:8443",
    ],
)
def test_http_endpoint_accepted_without_any_request(endpoint: str) -> None:
    client = HostupClient(API_KEY, endpoint)
    assert client.endpoint == normalize_endpoint(endpoint)
    assert client._http.session_count == 0  # nothing network-related at construction


@pytest.mark.parametrize(
    ("endpoint", "why"),
    [
        ("http://cloud.hostup.se", "plain http"),
        ("http://10.0.0.5", "plain http"),
        ("http://127.0.0.1.example.com", "plain http"),
        ("ftp://cloud.hostup.se", "https://"),
        ("cloud.hostup.se", "https://"),
        ("https://user:pw@cloud.hostup.se", "credentials"),
        ("https://cloud.hostup.se/api/v2", "API root"),
        ("https://cloud.hostup.se?x=1", "API root"),
        ("https://cloud.hostup.se#frag", "API root"),
        ("https://cloud.hostup.se?", "API root"),
        ("https://", "no host"),
        ("https://cloud.hostup.se:99999", "port"),
        ("https://cloud hostup.se", "whitespace"),
        ("https://cloud.hostup.se\n", None),  # stripped: accepted
        ("", "empty"),
    ],
)
def test_http_endpoint_refused(endpoint: str, why: str | None) -> None:
    if why is None:
        assert HostupClient(API_KEY, endpoint).endpoint == DEFAULT_ENDPOINT
        return
    with pytest.raises(ConfigurationError) as info:
        HostupClient(API_KEY, endpoint)
    assert why in str(info.value)


def test_http_endpoint_is_normalized() -> None:
    assert normalize_endpoint("HTTPS://Cloud.Hostup.SE/") == "https://cloud.hostup.se"
    assert normalize_endpoint("http://[::1]:8080") == "http://[::1]:8080"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("[::1]", True),
        ("128.0.0.1", False),
        ("0.0.0.0", False),
        ("localhost.example.com", False),
        ("example.com", False),
    ],
)
def test_http_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize("key", ["", "   ", "abc def", f"{API_KEY}\n", "kéy"])
def test_http_bad_api_key_refused_without_echoing_it(key: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        HostupClient(key, DEFAULT_ENDPOINT)
    if key.strip():
        assert key.strip() not in str(info.value)
    assert "HOSTUP_API_KEY" in str(info.value)


def test_http_redirect_is_not_followed(server: ScriptedServer, client: HostupClient) -> None:
    elsewhere = ScriptedServer()
    elsewhere.start()
    try:
        elsewhere.always("GET", ISO_PATH, ok(MEDIA))
        server.always(
            "GET", ISO_PATH, Reply(status=302, headers={"Location": f"{elsewhere.url}{ISO_PATH}"})
        )
        with pytest.raises(TransportError) as info:
            client.get_iso_media(VPS_ID)
        assert info.value.status == 302
        assert server.count() == 1  # not retried either
        assert elsewhere.count() == 0  # the key never went there
    finally:
        elsewhere.stop()


def test_http_no_content_returns_none(server: ScriptedServer, client: HostupClient) -> None:
    server.script("DELETE", f"{ISO_PATH}/iso_1", Reply(status=204))
    client.delete_iso_media(VPS_ID, "iso_1")  # returns None; 204 has no body to parse
    assert server.count("DELETE") == 1


def test_http_sessions_are_lazy_reused_and_closable(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.always("GET", ISO_PATH, ok(MEDIA))
    assert client._http.session_count == 0
    client.get_iso_media(VPS_ID)
    client.get_iso_media(VPS_ID)
    assert client._http.session_count == 1
    client.close()
    assert client._http.session_count == 0
    client.get_iso_media(VPS_ID)  # usable again after close
    assert client._http.session_count == 1


def test_http_calls_on_one_thread_share_one_keep_alive_connection(
    server: ScriptedServer, client: HostupClient
) -> None:
    server.always("GET", ISO_PATH, ok(MEDIA))
    server.always("POST", f"{ISO_PATH}/actions/mount", ok({"device": "ide2", "isoId": "iso_1"}))
    for _ in range(3):
        client.get_iso_media(VPS_ID)
        client.mount_iso(VPS_ID, "iso_1")
    assert server.count() == 6
    assert server.connections() == 1


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_http_a_connection_the_server_closed_while_idle_is_replaced_quietly(
    server: ScriptedServer, client: HostupClient, clock: FakeClock, method: str
) -> None:
    # Servers and load balancers close idle keep-alive connections; the next call
    # must open a new one, not fail or spend a retry (a POST is not always retried).
    mount = f"{ISO_PATH}/actions/mount"
    server.always("GET", ISO_PATH, ok(MEDIA))
    server.always("POST", mount, ok({"device": "ide2", "isoId": "iso_1"}))
    client.get_iso_media(VPS_ID)
    server.close_idle_connections()
    if method == "GET":
        client.get_iso_media(VPS_ID)
    else:
        client.mount_iso(VPS_ID, "iso_1")
    assert server.count() == 2
    assert server.connections() == 2
    assert clock.sleeps == []


def test_http_one_client_shared_by_threads(server: ScriptedServer, client: HostupClient) -> None:
    server.always("GET", ISO_PATH, ok(MEDIA))
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def work() -> None:
        try:
            start.wait()
            for _ in range(5):
                assert client.get_iso_media(VPS_ID).available[0].display_name
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert server.count() == 20
    assert client._http.session_count == 4  # one session per thread


def test_http_client_refuses_pickling_and_hides_the_key() -> None:
    client = HostupClient(API_KEY, DEFAULT_ENDPOINT)
    assert repr(client) == f"HostupClient(endpoint='{DEFAULT_ENDPOINT}')"
    assert API_KEY not in repr(client)
    assert API_KEY not in str(client)
    assert API_KEY not in repr(client._http)
    with pytest.raises(TypeError) as info:
        pickle.dumps(client)
    assert API_KEY not in str(info.value)
    with pytest.raises(TypeError):
        pickle.dumps(client._http)


def test_http_key_not_in_session_auth_repr(server: ScriptedServer, client: HostupClient) -> None:
    server.script("GET", ISO_PATH, ok(MEDIA))
    client.get_iso_media(VPS_ID)
    session = client._http._session()
    assert API_KEY not in repr(session.auth)
    assert session.trust_env is False  # loopback: no proxies from the environment


def test_http_timeouts_from_number_and_defaults() -> None:
    assert Timeouts.of(None) == Timeouts(connect=5.0, read=30.0)
    assert Timeouts.of(3) == Timeouts(connect=3, read=3)
    assert HostupClient(API_KEY, timeout=7.5).timeouts == Timeouts(connect=7.5, read=7.5)
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(InvalidArgumentError):
            Timeouts.of(bad)


def test_http_request_rejects_bad_path_and_deadline(client: HostupClient) -> None:
    transport = client._http
    with pytest.raises(InvalidArgumentError):
        transport.request("GET", "//evil.example/x", operation="listVps")
    with pytest.raises(InvalidArgumentError):
        transport.request("GET", "api/v2/vps", operation="listVps")
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(InvalidArgumentError):
            transport.request("GET", "/api/v2/vps", operation="listVps", deadline=bad)
    assert transport.session_count == 0


def test_http_transport_direct_use(server: ScriptedServer, policy: RetryPolicy) -> None:
    server.script("GET", "/api/v2/vps", ok({"data": [], "nextCursor": None}))
    transport = HttpTransport(API_KEY, server.url, retry=policy)
    try:
        assert transport.request(
            "GET", "/api/v2/vps", params={"limit": 5}, operation="listVps"
        ) == {"data": [], "nextCursor": None}
    finally:
        transport.close()
    assert server.received[0].query == "limit=5"


@pytest.fixture
def env_clean(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("HOSTUP_API_KEY", raising=False)
    monkeypatch.delenv("HOSTUP_ENDPOINT", raising=False)
    return monkeypatch


def test_http_from_env_requires_the_key(env_clean: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError) as info:
        HostupClient.from_env()
    assert "HOSTUP_API_KEY" in str(info.value)
    assert "hostup:apiKey" in str(info.value)


def test_http_from_env_reads_key_and_endpoint(
    env_clean: pytest.MonkeyPatch, server: ScriptedServer
) -> None:
    env_clean.setenv("HOSTUP_API_KEY", API_KEY)
    assert HostupClient.from_env().endpoint == DEFAULT_ENDPOINT
    env_clean.setenv("HOSTUP_ENDPOINT", server.url)
    with HostupClient.from_env(timeout=1.0) as client:
        server.script("GET", ISO_PATH, ok(MEDIA))
        client.get_iso_media(VPS_ID)
        assert client.endpoint == server.url
        assert client.timeouts == Timeouts(1.0, 1.0)
    assert server.received[0].headers["Authorization"] == f"Bearer {API_KEY}"
    assert HostupClient.from_env(endpoint=DEFAULT_ENDPOINT).endpoint == DEFAULT_ENDPOINT


def test_http_loopback_session_ignores_proxy_environment(
    server: ScriptedServer,
    make_client: Callable[..., HostupClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A proxy that does not exist: had the session used it, the call would fail.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    server.script("GET", ISO_PATH, ok(MEDIA))
    make_client().get_iso_media(VPS_ID)
    assert server.count() == 1


def test_http_is_the_only_module_importing_requests() -> None:
    package = Path(_http_module.__file__).parent
    importers = sorted(
        source.name
        for source in package.glob("*.py")
        if re.search(r"^\s*(import|from)\s+(requests|urllib3)\b", source.read_text(), re.MULTILINE)
    )
    assert importers == ["_http.py"]
