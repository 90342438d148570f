"""Hostile answers from the API (or whatever sits in front of it).

A loopback server answers the ISO listing (and the mount) with malformed JSON, HTML
pages, bodies that miss required fields or have the wrong types, a huge body, JSON
nested too deep to parse, a 200 carrying a Problem that says "VPS not found", and
more. For each, the provider's read and create end with our own error (a
VpsIsoMountError whose one-line message says what failed and on which VPS), never an
unexpected exception, and read never gives the "resource gone" verdict that would make
a refresh drop a resource that still exists. check only warns.

Through the real CLI, `pulumi refresh` against such answers fails with a clear last
line and keeps the resource in the stack state.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from harness.servers import Answer, HostileServer, json_answer
from hostup_sim.server import SimServer
from pulumi_hostup.iso_mount import VpsIsoMountError, VpsIsoMountProvider
from reliability.support import (
    FLEET,
    HOSTILE_KEY,
    resource_error_line,
)

VPS = FLEET[0]
ISO = "iso_01jsim012nd3egqttszsl52kmj"
LISTING_PATH = f"/api/v2/vps/{VPS}/iso"
MOUNT_PATH = f"/api/v2/vps/{VPS}/iso/actions/mount"
DEADLINE = 4.0
HUGE = 16 * 1024 * 1024

# What a person must never see as the last line: a raw exception of ours or Python's.
RAW = (
    "Traceback",
    "RecursionError",
    "KeyError",
    "TypeError",
    "AttributeError",
    "ValidationError",
    "JSONDecodeError",
    "UnicodeDecodeError",
    "IndexError",
)


def listing(mounted: str | None = ISO) -> dict[str, Any]:
    """A valid ISO listing with `mounted` on ide2 (or nothing)."""
    gate = {"allowed": True, "reason": None, "code": None}
    return {
        "available": [
            {"id": ISO, "name": "u.iso", "displayName": "U", "sizeGb": 2.6, "format": "iso"}
        ],
        "mounted": (
            [{"device": "ide2", "isoId": mounted, "mounted": True, "isCloudInit": False}]
            if mounted
            else []
        ),
        "bootOrder": None,
        "availableDevices": [
            {
                "device": "ide2",
                "type": "existing_cdrom",
                "description": "CD",
                "inUse": bool(mounted),
            }
        ],
        "actions": {"canMount": gate, "canUpload": gate},
    }


def problem(status: int, code: Any, detail: str = "Nope.") -> dict[str, Any]:
    return {
        "type": f"https://developer.hostup.se/errors/{code}",
        "title": "Error",
        "status": status,
        "detail": detail,
        "code": code,
        "requestId": "req_hostile",
    }


HTML = b"<html><head><title>Login</title></head><body>Please sign in</body></html>"
NGINX_502 = b"<html><body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>"

# label -> the answer to every listing request
HOSTILE: dict[str, Answer] = {
    "malformed JSON": Answer(200, b'{"available": [{"id": '),
    "empty 200": Answer(200, b""),
    "JSON null": Answer(200, b"null"),
    "JSON array": Answer(200, b"[]"),
    "JSON string": Answer(200, b'"ok"'),
    "invalid UTF-8": Answer(200, b'{"available": "\xff\xfe"}'),
    "HTML 200 (captive portal)": Answer(200, HTML, "text/html"),
    "HTML 404 (proxy)": Answer(404, b"<html><body>Not Found</body></html>", "text/html"),
    "HTML 502 (gateway), every time": Answer(502, NGINX_502, "text/html"),
    "problem 404 not_found (wrong route)": json_answer(
        problem(404, "not_found"), 404, "application/problem+json"
    ),
    "problem 404 with a numeric code": json_answer(
        problem(404, 404), 404, "application/problem+json"
    ),
    "429 forever, Retry-After 1 hour": Answer(
        429,
        json.dumps(problem(429, "rate_limited")).encode(),
        "application/problem+json",
        {"Retry-After": "3600"},
    ),
    "missing required fields": json_answer({"available": []}),
    "wrong types": json_answer(
        {"available": "all", "mounted": 5, "availableDevices": None, "actions": []}
    ),
    "wrong types inside mounted[]": json_answer(
        {
            **listing(),
            "mounted": [{"device": 2, "isoId": 42, "mounted": "maybe", "isCloudInit": None}],
        }
    ),
    "huge body (16 MiB, not JSON)": Answer(200, b"x" * HUGE),
    "huge body (16 MiB JSON array)": Answer(200, b"[" + b"0," * (HUGE // 2) + b"0]"),
    "JSON nested 100 000 deep": Answer(200, b"[" * 100_000 + b"]" * 100_000),
    "problem nested 100 000 deep (500)": Answer(
        500, b'{"code": ' + b"[" * 100_000, "application/problem+json"
    ),
    "200 with a Problem body saying vps_not_found": json_answer(
        problem(404, "vps_not_found", "No VPS with that id was found.")
    ),
    "200 with a Problem body saying internal_error": json_answer(
        problem(500, "internal_error"), 200, "application/problem+json"
    ),
}


def serve(hostile: Callable[..., HostileServer], answer: Answer) -> HostileServer:
    def respond(method: str, path: str) -> Answer:
        return answer if path == LISTING_PATH else json_answer(problem(404, "not_found"), 404)

    return hostile(respond)


@pytest.fixture
def provider_for(
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[HostileServer], VpsIsoMountProvider]:
    def make(server: HostileServer) -> VpsIsoMountProvider:
        monkeypatch.setenv("HOSTUP_API_KEY", HOSTILE_KEY)
        monkeypatch.setenv("HOSTUP_ENDPOINT", server.url)
        monkeypatch.setenv("HOSTUP_OPERATION_TIMEOUT", str(DEADLINE))
        monkeypatch.setenv("HOSTUP_LISTING_CACHE_SECONDS", "0")
        return VpsIsoMountProvider()

    return make


def assert_clear(exc: BaseException, verb: str) -> str:
    assert type(exc) is VpsIsoMountError, f"{type(exc).__name__}: {exc}"
    message = str(exc)
    assert message.startswith(f"could not {verb}"), message
    assert VPS in message
    assert "\n" not in message
    assert not any(word in message for word in RAW), message
    assert len(message) < 1000, len(message)
    return message


def outcome(call: Callable[[], Any]) -> tuple[BaseException | None, Any, float]:
    started = time.monotonic()
    try:
        return None, call(), time.monotonic() - started
    except BaseException as exc:
        return exc, None, time.monotonic() - started


@pytest.mark.timeout(300)
def test_read_create_and_check_stay_clear_on_hostile_listings(
    hostile: Callable[..., HostileServer],
    provider_for: Callable[[HostileServer], VpsIsoMountProvider],
    leaks: Any,
    figures: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    props = {"vps_id": VPS, "iso_id": ISO, "device": "ide2"}
    cases: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    gone: list[str] = []  # reads that answered "the mount is gone": never right here
    for label, answer in HOSTILE.items():
        server = serve(hostile, answer)
        provider = provider_for(server)
        row: dict[str, Any] = {}
        for verb, call in (
            ("read", lambda p=provider: p.read(f"{VPS}/ide2", props)),
            ("mount", lambda p=provider: p.create(dict(props))),
        ):
            exc, result, seconds = outcome(call)
            row[f"{verb}_seconds"] = round(seconds, 2)
            if exc is None:
                if verb == "read" and not result.id:
                    gone.append(label)
                problems.append(f"{label}: {verb} did not fail: {result!r}"[:300])
                continue
            leaks.add_exception(f"exception:{label}:{verb}", exc)
            try:
                row[f"{verb}_error"] = assert_clear(exc, verb)[:400]
            except AssertionError as failure:
                problems.append(f"{label}: {verb}: {failure}"[:400])
            if seconds > DEADLINE + 2:
                problems.append(f"{label}: {verb} took {seconds:.1f}s")
        # check's live validation only warns (on stderr) and never raises.
        exc, result, _ = outcome(lambda p=provider: p.check({}, dict(props)))
        if exc is not None or result.failures:
            problems.append(f"{label}: check raised or failed: {exc or result.failures}")
        row["requests"] = server.count()
        cases[label] = row
    err = capsys.readouterr().err
    leaks.add("provider-stderr", err)
    figures.update(
        hostile_answers=len(HOSTILE),
        calls=3 * len(HOSTILE),
        wrong_gone_verdicts=len(gone),
        unclear_errors=len(problems),
        cases=cases,
    )
    assert not problems, "\n".join(problems)


@pytest.mark.timeout(120)
def test_a_mount_answered_with_garbage_is_decided_by_a_listing_read(
    hostile: Callable[..., HostileServer],
    provider_for: Callable[[HostileServer], VpsIsoMountProvider],
    figures: dict[str, Any],
) -> None:
    """The mount's answer is garbage; one read of the listing decides what happened."""
    results = {}
    for acted in (False, True):
        state: dict[str, str | None] = {"mounted": None}

        def respond(
            method: str, path: str, acted: bool = acted, state: dict[str, Any] = state
        ) -> Answer:
            if path == MOUNT_PATH:
                if acted:
                    state["mounted"] = ISO
                return Answer(200, b"<html>OK</html>", "text/html")
            if path == LISTING_PATH:
                return json_answer(listing(state["mounted"]))
            return json_answer(problem(404, "not_found"), 404)

        provider = provider_for(hostile(respond))
        exc, result, _ = outcome(
            lambda p=provider: p.create({"vps_id": VPS, "iso_id": ISO, "device": "ide2"})
        )
        if acted:
            assert exc is None, exc
            assert result.id == f"{VPS}/ide2"
        else:
            assert exc is not None
            message = assert_clear(exc, "mount")
            assert "not JSON" in message
        results["mounted then garbage" if acted else "garbage, not mounted"] = (
            "created" if exc is None else str(exc)[:200]
        )
    figures["mount_answer_garbage"] = results


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_refresh_against_hostile_answers_fails_clearly_and_keeps_the_resource(
    cli: Any,
    make_sim: Callable[..., SimServer],
    hostile: Callable[..., HostileServer],
    figures: dict[str, Any],
) -> None:
    sim = make_sim()
    mounts = [{"name": "kept", "vps": VPS, "iso": ISO, "device": "ide2"}]
    # No hostup:endpoint in the stack: the environment says where the API is, so the
    # same stack can be pointed at the hostile server for the refresh.
    cli.init(mounts, endpoint=None, operationTimeout=str(DEADLINE))
    cli.up(env={"HOSTUP_ENDPOINT": sim.url})
    before = cli.state_media()
    assert before == {f"{VPS}/ide2": ISO}
    seen = {}
    dropped = 0
    for label in (
        "200 with a Problem body saying vps_not_found",
        "HTML 404 (proxy)",
        "JSON nested 100 000 deep",
        "missing required fields",
    ):
        server = serve(hostile, HOSTILE[label])
        refresh = cli.run(
            "refresh",
            "--yes",
            "--non-interactive",
            check=False,
            env={"HOSTUP_ENDPOINT": server.url},
        )
        assert refresh.returncode != 0, refresh.describe()
        output = refresh.stdout + refresh.stderr
        last = resource_error_line(output)
        assert last.startswith("hostup.errors.MountError: could not read"), refresh.describe()
        assert VPS in last
        assert not any(word in last for word in RAW), last
        assert server.count() >= 1
        after = cli.state_media()
        dropped += len(set(before) - set(after))
        assert after == before, f"{label}: refresh dropped or changed the resource"
        seen[label] = {"seconds": round(refresh.seconds, 2), "last_line": last[:240]}
    figures.update(cli_refreshes=len(seen), resources_dropped=dropped, cases=seen)
