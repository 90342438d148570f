"""The ISO library engine (hostup.images) against the simulator.

Waits run on a fake clock; API calls are counted from the simulator's request log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.scripted_api import FakeClock
from hostup.errors import MountError
from hostup.images import (
    DECOMPRESS,
    ImageEngine,
    image_id,
    image_input_problems,
    replacement_deletes_first,
)
from hostup.models import DECOMPRESS_VALUES
from hostup.runtime import Runtime
from hostup.settings import Settings
from hostup_sim import world
from hostup_sim.server import SimServer

VPS = world.VPS_WEB_1
URL = "https://releases.example.org/rescue/rescue-2.1.iso"
FILE = "rescue-2.1.iso"


@pytest.fixture
def fake_time() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_engine(sim: SimServer, fake_time: FakeClock) -> Callable[..., ImageEngine]:
    def make(**overrides: Any) -> ImageEngine:
        settings = Settings(
            **{"api_key": world.DEMO_API_KEY, "endpoint": sim.url, "operation_timeout": 60.0}
            | overrides
        )
        return ImageEngine(Runtime(settings, clock=fake_time.monotonic, sleep=fake_time.sleep))

    return make


@pytest.fixture
def engine(make_engine: Callable[..., ImageEngine], sim: SimServer) -> ImageEngine:
    sim.store.clear_log()
    return make_engine()


def calls(sim: SimServer) -> list[str]:
    return [f"{r.method} {r.operation}" for r in sim.store.request_log()]


def library(sim: SimServer, vps_id: str = VPS) -> dict[str, str]:
    """name -> id of every ISO the VPS's listing offers."""
    from hostup.client import HostupClient

    with HostupClient(world.DEMO_API_KEY, sim.url) as client:
        return {i.name or "": i.id for i in client.get_iso_media(vps_id).available}


# -- offline --------------------------------------------------------------------------


def test_decompress_values_are_the_contracts() -> None:
    assert DECOMPRESS == DECOMPRESS_VALUES


@pytest.mark.parametrize(
    ("url", "filename", "decompress", "field"),
    [
        ("ftp://example.org/a.iso", FILE, None, "url"),
        ("file:///etc/passwd", FILE, None, "url"),
        ("https:///a.iso", FILE, None, "url"),
        (42, FILE, None, "url"),
        (URL, "isos/a.iso", None, "filename"),
        (URL, "..\\a.iso", None, "filename"),
        (URL, "", None, "filename"),
        (URL, "a b.iso", None, "filename"),
        (URL, FILE, "rar", "decompress"),
    ],
)
def test_bad_download_inputs_are_refused_before_any_request(
    engine: ImageEngine, sim: SimServer, url: Any, filename: Any, decompress: Any, field: str
) -> None:
    problems = image_input_problems(url, filename, decompress)
    assert [p.field for p in problems] == [field]
    with pytest.raises(MountError, match=field):
        engine.ensure_downloaded(VPS, url, filename, decompress)
    assert calls(sim) == []


def test_good_download_inputs_pass() -> None:
    for decompress in (None, *DECOMPRESS):
        assert image_input_problems(URL, FILE, decompress) == []


# -- create ----------------------------------------------------------------------------


def test_download_queues_polls_and_finds_the_iso(engine: ImageEngine, sim: SimServer) -> None:
    state = engine.ensure_downloaded(VPS, URL, FILE)
    assert (state.name, state.adopted) == (FILE, False)
    assert library(sim)[FILE] == state.iso_id
    sim_calls = calls(sim)[:-1]  # the last one is library()'s
    assert sim_calls[0] == "POST downloadIsoFromUrl"
    assert sim_calls[-1] == "GET listVpsIsoMedia"
    assert set(sim_calls[1:-1]) == {"GET getJob"}


def test_a_file_already_in_the_library_is_adopted_without_a_download(
    engine: ImageEngine, sim: SimServer
) -> None:
    first = engine.ensure_downloaded(VPS, URL, FILE)
    sim.store.clear_log()
    again = engine.ensure_downloaded(VPS, URL, FILE)
    assert (again.iso_id, again.adopted) == (first.iso_id, True)
    assert calls(sim) == ["POST downloadIsoFromUrl", "GET listVpsIsoMedia"]


def test_a_failed_download_fails_with_the_jobs_reason_and_adds_nothing(
    engine: ImageEngine, sim: SimServer
) -> None:
    with pytest.raises(MountError) as info:
        engine.ensure_downloaded(VPS, "https://example.org/fail/rescue.iso", FILE)
    text = str(info.value)
    assert "failed" in text
    assert "the server answered 404" in text  # the job's own reason
    assert "nothing was created" in text
    assert FILE not in library(sim)


def test_a_download_that_never_ends_stops_at_the_deadline_and_reports_progress(
    make_engine: Callable[..., ImageEngine], sim: SimServer, fake_time: FakeClock
) -> None:
    sim.store.set_settings(sim.store.settings().model_copy(update={"job_seconds": 3600.0}))
    lines: list[str] = []
    engine = make_engine(operation_timeout=30.0)
    with pytest.raises(MountError, match="did not finish within its 30s deadline"):
        engine.ensure_downloaded(VPS, URL, FILE, progress=lines.append)
    assert sum(fake_time.sleeps) <= 30.0
    polls = calls(sim).count("GET getJob")
    assert 3 <= polls <= 15, polls  # backoff: not one poll a second
    # The next create picks the running job up instead of queueing another.
    sim.store.clear_log()
    with pytest.raises(MountError):
        engine.ensure_downloaded(VPS, URL, FILE)
    jobs = {r.path for r in sim.store.request_log() if r.operation == "getJob"}
    assert len(jobs) == 1


def test_a_download_to_an_unknown_vps_says_so(engine: ImageEngine) -> None:
    with pytest.raises(MountError, match="was not found for this API key"):
        engine.ensure_downloaded(world.VPS_OTHER_WEB_1, URL, FILE)


# -- read ------------------------------------------------------------------------------


def test_read_sees_the_iso_and_its_deletion(engine: ImageEngine, sim: SimServer) -> None:
    state = engine.ensure_downloaded(VPS, URL, FILE)
    assert engine.read(VPS, state.iso_id, adopted=False) == state
    sim.store.drift_delete_iso(VPS, state.iso_id)
    engine.runtime.listings.clear()
    assert engine.read(VPS, state.iso_id) is None


def test_read_of_a_deleted_vps_is_gone(engine: ImageEngine, sim: SimServer) -> None:
    sim.store.drift_delete_vps(VPS)
    assert engine.read(VPS, world.ISO_UBUNTU_2404) is None


# -- delete ----------------------------------------------------------------------------


def test_delete_removes_the_iso_from_the_library(engine: ImageEngine, sim: SimServer) -> None:
    state = engine.ensure_downloaded(VPS, URL, FILE)
    sim.store.clear_log()
    engine.ensure_deleted(VPS, state.iso_id)
    assert FILE not in library(sim)
    assert calls(sim)[:3] == [
        "GET listVpsIsoMedia",
        "DELETE deleteVpsIsoMedia",
        "GET listVpsIsoMedia",
    ]


def test_delete_of_an_iso_already_gone_sends_no_delete(engine: ImageEngine, sim: SimServer) -> None:
    engine.ensure_deleted(VPS, "iso_01jsimnotthereatall000000")
    assert calls(sim) == ["GET listVpsIsoMedia"]


def test_delete_refuses_while_this_vps_has_it_mounted(engine: ImageEngine, sim: SimServer) -> None:
    state = engine.ensure_downloaded(VPS, URL, FILE)
    sim.store.drift_mount(VPS, "ide2", state.iso_id)
    engine.runtime.listings.clear()
    with pytest.raises(MountError, match=f"still mounted \\({VPS}/ide2\\)"):
        engine.ensure_deleted(VPS, state.iso_id)
    assert "DELETE deleteVpsIsoMedia" not in calls(sim)
    assert FILE in library(sim)


def test_delete_passes_on_the_apis_refusal_for_another_vps(
    engine: ImageEngine, sim: SimServer
) -> None:
    state = engine.ensure_downloaded(VPS, URL, FILE)
    sim.store.drift_mount(world.VPS_BUILD_1, "ide3", state.iso_id)  # same account's library
    with pytest.raises(MountError, match=r"refused to delete ISO .*build-1/ide3.*still mounted"):
        engine.ensure_deleted(VPS, state.iso_id)
    assert FILE in library(sim)


def test_a_replacement_deletes_first_only_when_the_file_name_stays() -> None:
    """The library holds one file per name (every front-end's diff asks this rule)."""
    assert replacement_deletes_first("a.iso", "a.iso") is True
    assert replacement_deletes_first("a.iso", "b.iso") is False
    assert replacement_deletes_first("a.iso", None) is False  # not known yet
    assert replacement_deletes_first(None, None) is False


@pytest.mark.parametrize(
    ("id_", "vps_id", "iso_id", "expected"),
    [
        ("ignored", VPS, "iso_1", (VPS, "iso_1")),  # the state's values win
        (f"{VPS}/iso_2", None, None, (VPS, "iso_2")),  # an import: the ID alone
        (f"{VPS}/iso_3", VPS, "", (VPS, "iso_3")),  # a half-empty state: the ID
    ],
)
def test_image_id_from_the_state_else_the_id(
    id_: str, vps_id: str | None, iso_id: str | None, expected: tuple[str, str]
) -> None:
    assert image_id(id_, vps_id, iso_id) == expected


@pytest.mark.parametrize("id_", ["", "iso_only", f"{VPS}/", "a/../b", None])
def test_image_id_refuses_what_is_not_two_safe_ids(id_: str | None) -> None:
    with pytest.raises(MountError, match="is not <vps_id>/<iso_id>"):
        image_id(id_)
