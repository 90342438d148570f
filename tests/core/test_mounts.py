"""The mount engine (hostup.mounts) against the simulator: each safety rule, fast.

No Pulumi here: these are the promises every front-end inherits. API calls are
counted from the simulator's request log; waits run on a fake clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.scripted_api import API_KEY, FakeClock, ScriptedServer, problem
from hostup.client import HostupClient
from hostup.errors import MountError
from hostup.images import ImageEngine
from hostup.models import IsoMedia
from hostup.mounts import MountEngine
from hostup.rules import Wording, drive_id, owned_iso, ownership_unsettled
from hostup.runtime import Runtime
from hostup.settings import Settings
from hostup_sim import world
from hostup_sim.server import SimServer

VPS = world.VPS_WEB_1
UBUNTU = world.ISO_UBUNTU_2404
DEBIAN = world.ISO_DEBIAN_12


@pytest.fixture
def fake_time() -> FakeClock:
    return FakeClock()


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def make_engine(
    sim: SimServer, fake_time: FakeClock, warnings: list[str]
) -> Callable[..., MountEngine]:
    """`make_engine(**settings)`: an engine on the simulator; each one is a new run."""

    def make(**overrides: Any) -> MountEngine:
        settings = Settings(
            **{
                "api_key": world.DEMO_API_KEY,
                "endpoint": sim.url,
                "operation_timeout": 30.0,
                **overrides,
            }
        )
        return MountEngine(
            Runtime(
                settings, clock=fake_time.monotonic, sleep=fake_time.sleep, warn=warnings.append
            )
        )

    return make


@pytest.fixture
def engine(make_engine: Callable[..., MountEngine], sim: SimServer) -> MountEngine:
    sim.store.clear_log()
    return make_engine()


def calls(sim: SimServer) -> list[str]:
    return [f"{r.method} {r.operation}" for r in sim.store.request_log()]


def on_api(sim: SimServer, vps_id: str = VPS) -> dict[str, str]:
    vps = next(v for v in sim.store.snapshot()["vpses"] if v["id"] == vps_id)
    return {device: iso for device, iso in vps["media"].items() if iso}


# -- ownership within one run -----------------------------------------------------------


def test_a_renamed_mount_keeps_its_disc(
    engine: MountEngine, sim: SimServer, warnings: list[str]
) -> None:
    """Rename without aliases: the engine creates the new name, then deletes the old."""
    sim.store.drift_mount(VPS, "ide2", UBUNTU)  # mounted by the old name, an earlier run
    sim.store.clear_log()
    new = engine.ensure_mounted(VPS, UBUNTU, "ide2")
    engine.ensure_unmounted(VPS, "ide2", UBUNTU)  # the old name's delete
    assert new.adopted is True
    assert on_api(sim) == {"ide2": UBUNTU}
    assert [c for c in calls(sim) if c.startswith("POST")] == []
    assert any("another resource of this run now manages it" in w for w in warnings)


def test_a_delete_in_a_later_run_unmounts_what_this_run_claimed(
    make_engine: Callable[..., MountEngine], sim: SimServer
) -> None:
    make_engine().ensure_mounted(VPS, UBUNTU, "ide2")
    make_engine().ensure_unmounted(VPS, "ide2", UBUNTU)
    assert on_api(sim) == {}


def test_a_delete_in_the_run_that_mounted_the_drive_unmounts_it_and_frees_it(
    engine: MountEngine, sim: SimServer
) -> None:
    """Only an adopting create marks a rename; a drive this run mounted is not one."""
    engine.ensure_mounted(VPS, UBUNTU, "ide2")
    engine.ensure_unmounted(VPS, "ide2", UBUNTU)
    assert on_api(sim) == {}
    assert engine.ensure_mounted(VPS, UBUNTU, "ide2").adopted is False  # free again


def test_the_same_drive_declared_twice_fails_the_second_create(
    engine: MountEngine, sim: SimServer
) -> None:
    engine.ensure_mounted(VPS, UBUNTU, "ide2")
    sim.store.clear_log()
    with pytest.raises(MountError) as info:
        engine.ensure_mounted(VPS, UBUNTU, "ide2")
    assert "ide2 of VPS" in str(info.value)
    assert "already claimed by another resource" in str(info.value)
    assert calls(sim) == []  # refused before any request
    assert on_api(sim) == {"ide2": UBUNTU}


def test_a_read_that_sees_the_disc_ejected_frees_the_drive(
    engine: MountEngine, sim: SimServer
) -> None:
    """`pulumi up --refresh` after an out-of-band eject: the create is no duplicate."""
    engine.ensure_mounted(VPS, UBUNTU, "ide2")
    sim.store.drift_unmount(VPS, "ide2")
    engine.runtime.listings.clear()
    assert engine.read(VPS, "ide2") is None
    assert engine.ensure_mounted(VPS, UBUNTU, "ide2").iso_id == UBUNTU
    assert on_api(sim) == {"ide2": UBUNTU}


def test_an_update_to_the_iso_someone_already_put_there_writes_nothing(
    engine: MountEngine, sim: SimServer
) -> None:
    sim.store.drift_mount(VPS, "ide2", DEBIAN)  # the update's target, put there by hand
    sim.store.clear_log()
    state = engine.ensure_mounted(VPS, DEBIAN, "ide2", previous_iso=UBUNTU, adopted=False)
    assert (state.iso_id, state.adopted) == (DEBIAN, False)
    assert calls(sim) == ["GET listVpsIsoMedia"]


def test_an_update_after_its_own_create_is_not_a_duplicate(
    engine: MountEngine, sim: SimServer
) -> None:
    engine.ensure_mounted(VPS, UBUNTU, "ide2")
    state = engine.ensure_mounted(VPS, DEBIAN, "ide2", previous_iso=UBUNTU)
    assert (state.iso_id, state.adopted) == (DEBIAN, False)
    assert on_api(sim) == {"ide2": DEBIAN}


# -- refusals rest on a fresh listing -----------------------------------------------------


def test_a_cached_listing_never_refuses_an_iso_added_since(
    make_engine: Callable[..., MountEngine], sim: SimServer
) -> None:
    """The ISO resource (its own provider, its own cache) adds an ISO seconds before a
    mount of it; the mount's cached listing predates it: one fresh read decides."""
    engine = make_engine(listing_cache_seconds=60)
    assert engine.read(VPS, "ide2") is None  # caches the listing without the new ISO
    other_runtime = Runtime(Settings(api_key=world.DEMO_API_KEY, endpoint=sim.url))
    image = ImageEngine(other_runtime).ensure_downloaded(
        VPS, "https://releases.example.org/new.iso", "new.iso"
    )
    sim.store.clear_log()
    state = engine.ensure_mounted(VPS, image.iso_id, "ide2")
    assert state.iso_id == image.iso_id
    assert calls(sim) == ["GET listVpsIsoMedia", "POST mountVpsIso", "GET listVpsIsoMedia"]


def test_a_refusal_on_a_fresh_listing_costs_no_second_read(
    engine: MountEngine, sim: SimServer
) -> None:
    with pytest.raises(MountError, match="is not available to VPS"):
        engine.ensure_mounted(VPS, world.ISO_OTHER_FEDORA_41, "ide2")
    assert calls(sim) == ["GET listVpsIsoMedia"]


# -- adoption --------------------------------------------------------------------------


def test_create_says_whether_it_mounted_or_adopted(engine: MountEngine, sim: SimServer) -> None:
    mounted = engine.ensure_mounted(VPS, UBUNTU, "ide2")
    adopted = engine.ensure_mounted(world.VPS_WEB_2, DEBIAN, "ide2")  # seeded there
    assert (mounted.adopted, adopted.adopted) == (False, True)


def test_read_keeps_the_adopted_flag_it_is_given(engine: MountEngine, sim: SimServer) -> None:
    sim.store.drift_mount(VPS, "ide2", UBUNTU)
    for flag in (True, False, None):
        state = engine.read(VPS, "ide2", adopted=flag)
        assert state is not None
        assert state.adopted is flag


# -- a refresh never makes foreign media ours -------------------------------------------


def test_a_read_shows_a_swapped_iso_but_keeps_what_the_resource_owns(
    make_engine: Callable[..., MountEngine], sim: SimServer
) -> None:
    mounted = make_engine().ensure_mounted(VPS, UBUNTU, "ide2")
    assert mounted.owned_iso_id == UBUNTU
    sim.store.drift_swap(VPS, "ide2", DEBIAN)  # someone swapped the disc in the dashboard
    state = make_engine().read(VPS, "ide2", owned_iso=owned_iso(mounted.owned_iso_id, UBUNTU))
    assert state is not None
    assert (state.iso_id, state.owned_iso_id) == (DEBIAN, UBUNTU)  # drift shown, owner kept


def test_a_delete_after_a_refresh_leaves_the_swapped_in_iso_alone(
    make_engine: Callable[..., MountEngine], sim: SimServer, warnings: list[str]
) -> None:
    """tofu refreshes before destroy (and `pulumi destroy --refresh` does too): the
    refreshed state names the foreign ISO as iso_id, but the delete goes by the owner."""
    make_engine().ensure_mounted(VPS, UBUNTU, "ide2")
    sim.store.drift_swap(VPS, "ide2", DEBIAN)
    refreshed = make_engine().read(VPS, "ide2", owned_iso=UBUNTU)
    assert refreshed is not None
    sim.store.clear_log()
    make_engine().ensure_unmounted(VPS, "ide2", owned_iso(refreshed.owned_iso_id, refreshed.iso_id))
    assert on_api(sim) == {"ide2": DEBIAN}
    assert [c for c in calls(sim) if not c.startswith("GET")] == []
    assert any(f"left {DEBIAN} on {VPS}/ide2 alone" in w for w in warnings)


def test_an_import_owns_what_it_finds_and_an_update_owns_what_it_mounts(
    make_engine: Callable[..., MountEngine], sim: SimServer
) -> None:
    sim.store.drift_mount(VPS, "ide2", DEBIAN)
    imported = make_engine().read(VPS, "ide2", adopted=True)  # no owner yet: an import
    assert imported is not None
    assert imported.owned_iso_id == DEBIAN
    updated = make_engine().ensure_mounted(VPS, UBUNTU, "ide2", previous_iso=DEBIAN)
    assert (updated.iso_id, updated.owned_iso_id) == (UBUNTU, UBUNTU)


def test_an_update_to_the_declared_iso_found_there_settles_ownership_without_a_write(
    make_engine: Callable[..., MountEngine], sim: SimServer
) -> None:
    """A failed update whose mount landed late (or a swap the configuration now names):
    the refresh shows Debian, the state still owns Ubuntu; the front-ends plan an update
    (ownership_unsettled), which writes nothing and owns Debian, so destroy unmounts it."""
    make_engine().ensure_mounted(VPS, UBUNTU, "ide2")
    sim.store.drift_swap(VPS, "ide2", DEBIAN)
    refreshed = make_engine().read(VPS, "ide2", owned_iso=UBUNTU)
    assert refreshed is not None
    assert ownership_unsettled(refreshed.owned_iso_id, DEBIAN)
    sim.store.clear_log()
    settled = make_engine().ensure_mounted(VPS, DEBIAN, "ide2", previous_iso=refreshed.iso_id)
    assert [c for c in calls(sim) if not c.startswith("GET")] == []
    assert not ownership_unsettled(settled.owned_iso_id, DEBIAN)
    make_engine().ensure_unmounted(VPS, "ide2", settled.owned_iso_id)
    assert on_api(sim) == {}


def test_ownership_is_unsettled_only_when_the_state_owns_another_iso() -> None:
    assert ownership_unsettled(UBUNTU, DEBIAN)
    assert not ownership_unsettled(UBUNTU, UBUNTU)
    assert not ownership_unsettled(None, DEBIAN)  # a state from before owned_iso_id


def test_owned_iso_prefers_the_owner_and_falls_back_to_the_recorded_iso() -> None:
    assert owned_iso(UBUNTU, DEBIAN) == UBUNTU
    assert owned_iso(None, DEBIAN) == DEBIAN  # a state written before owned_iso_id
    assert owned_iso("", None) is None
    assert owned_iso(None, None) is None


# -- only a definite "not found" means gone ---------------------------------------------


def test_read_of_a_deleted_vps_is_gone(engine: MountEngine, sim: SimServer) -> None:
    sim.store.drift_delete_vps(VPS)
    assert engine.read(VPS, "ide2") is None


@pytest.fixture
def proxy_404() -> Iterator[MountEngine]:
    """An engine whose API answers every listing with a 404 `not_found`, as a proxy
    or a wrong route would: the simulator never does, so this one reply is scripted."""
    server = ScriptedServer()
    server.start()
    server.always("GET", f"/api/v2/vps/{VPS}/iso", problem(404, "not_found"))
    yield MountEngine(Runtime(Settings(api_key=API_KEY, endpoint=server.url), warn=lambda _: None))
    server.stop()


def test_read_raises_on_a_404_that_is_not_vps_not_found(proxy_404: MountEngine) -> None:
    with pytest.raises(MountError, match="could not read"):
        proxy_404.read(VPS, "ide2")


def test_delete_raises_on_a_404_that_is_not_vps_not_found(proxy_404: MountEngine) -> None:
    with pytest.raises(MountError, match="could not unmount"):
        proxy_404.ensure_unmounted(VPS, "ide2", UBUNTU)


# -- never foreign media ------------------------------------------------------------------


def test_delete_leaves_another_iso_alone(
    engine: MountEngine, sim: SimServer, warnings: list[str]
) -> None:
    sim.store.drift_mount(VPS, "ide2", DEBIAN)
    engine.ensure_unmounted(VPS, "ide2", UBUNTU)
    assert on_api(sim) == {"ide2": DEBIAN}
    assert any(f"left {DEBIAN}" in w for w in warnings)


def test_create_refuses_a_device_holding_another_iso(engine: MountEngine, sim: SimServer) -> None:
    sim.store.drift_mount(VPS, "ide2", DEBIAN)
    sim.store.clear_log()
    with pytest.raises(MountError, match="this configuration did not mount"):
        engine.ensure_mounted(VPS, UBUNTU, "ide2")
    assert calls(sim) == ["GET listVpsIsoMedia"]


# -- the key ----------------------------------------------------------------------------


def test_settings_and_engine_reprs_hide_the_key() -> None:
    settings = Settings(api_key=world.DEMO_API_KEY)
    engine = MountEngine(Runtime(settings))
    for text in (repr(settings), str(settings), repr(engine), repr(engine.runtime)):
        assert world.DEMO_API_KEY not in text
        assert "api_key=<set>" in text


@pytest.mark.parametrize("key", ["hsim_not_a_key_at_all_000", world.OTHER_API_KEY])
def test_preview_fails_on_a_key_the_api_refuses_or_a_vps_it_hides(
    make_engine: Callable[..., MountEngine], key: str
) -> None:
    """401 (wrong or revoked key) and another account's key are definite answers."""
    problems = make_engine(api_key=key).preview_problems(VPS, UBUNTU, "ide2", stack_mounted=False)
    assert len(problems) == 1
    assert ("refused the key" in problems[0].message) or ("not found" in problems[0].message)


def test_preview_only_warns_when_the_api_cannot_be_reached(
    make_engine: Callable[..., MountEngine], warnings: list[str]
) -> None:
    closed = SimServer().start()
    url = closed.url
    closed.stop()
    engine = make_engine(endpoint=url, operation_timeout=1.0)
    assert engine.preview_problems(VPS, UBUNTU, "ide2", stack_mounted=False) == []
    assert engine.preview_problems(VPS, DEBIAN, "ide3", stack_mounted=False) == []
    assert len(warnings) == 1  # once, then the live checks stay off for the run


# -- the listing cache is dropped before each write ----------------------------------------


class _HeldListingClient(HostupClient):
    """A real client whose first listing answer is held back until ``release`` is set."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered = threading.Event()
        self.release = threading.Event()
        self._held = False

    def get_iso_media(self, vps_id: str, *, deadline: float | None = None) -> IsoMedia:
        media = super().get_iso_media(vps_id, deadline=deadline)
        if not self._held:
            self._held = True
            self.answered.set()
            self.release.wait(10)
        return media


def test_a_listing_read_before_a_write_is_never_cached_after_it(
    sim: SimServer, warnings: list[str]
) -> None:
    sim.store.drift_mount(VPS, "ide2", UBUNTU)
    client = _HeldListingClient(world.DEMO_API_KEY, sim.url)
    engine = MountEngine(
        Runtime(
            Settings(api_key=world.DEMO_API_KEY, endpoint=sim.url, listing_cache_seconds=60),
            warn=warnings.append,
            client=client,
        )
    )

    early: list[Any] = []
    reader = threading.Thread(target=lambda: early.append(engine.read(VPS, "ide2")))
    reader.start()
    assert client.answered.wait(10)  # the read has its (pre-write) answer in hand
    engine.ensure_unmounted(VPS, "ide2", UBUNTU)
    client.release.set()
    reader.join(10)
    assert early[0] is not None  # that read saw the mount, as it was
    assert on_api(sim) == {}
    # The stale answer arrived after the write: it must not answer later reads.
    assert engine.read(VPS, "ide2") is None
    client.close()


# -- the confirm wait follows the deadline ---------------------------------------------------


def test_confirm_reads_until_the_listing_shows_the_mount_within_the_deadline(
    make_engine: Callable[..., MountEngine], sim: SimServer, fake_time: FakeClock
) -> None:
    # The listing shows a write only after 9 listing reads of the VPS: more than the
    # old fixed 6 confirming reads, within a 30 s deadline (about 16 s of backoff).
    sim.store.set_settings(sim.store.settings().model_copy(update={"listing_lag_reads": 9}))
    state = make_engine().ensure_mounted(VPS, UBUNTU, "ide2")
    assert state.iso_id == UBUNTU
    assert calls(sim).count("GET listVpsIsoMedia") >= 9
    waits = fake_time.sleeps
    assert waits == sorted(waits)  # backoff: never shorter than the wait before
    assert max(waits) <= 4.0
    assert sum(waits) < 30.0


def test_confirm_gives_up_at_the_deadline_with_what_to_do(
    make_engine: Callable[..., MountEngine], sim: SimServer, fake_time: FakeClock
) -> None:
    sim.store.set_settings(sim.store.settings().model_copy(update={"listing_lag_reads": 10_000}))
    engine = make_engine(operation_timeout=20.0)
    engine.runtime.wording = Wording(refresh="REFRESH", apply="APPLY")
    with pytest.raises(MountError) as info:
        engine.ensure_mounted(VPS, UBUNTU, "ide2")
    text = str(info.value)
    assert "did not show it" in text
    assert "REFRESH" in text
    assert "APPLY" in text
    assert 15.0 <= sum(fake_time.sleeps) <= 20.0  # it waited for most of the deadline


def test_a_call_time_budget_replaces_the_operation_timeout_and_says_what_to_raise(
    make_engine: Callable[..., MountEngine], sim: SimServer, fake_time: FakeClock
) -> None:
    # customTimeouts reach the native provider as the call's timeout: the core's
    # waits must end within it, and the message must not send the user to a setting
    # that did not set it.
    sim.store.set_settings(sim.store.settings().model_copy(update={"listing_lag_reads": 10_000}))
    engine = make_engine(operation_timeout=300.0)
    engine.runtime.wording = Wording(raise_call_timeout="RAISE-CALL", raise_timeout="RAISE-SETTING")
    with engine.runtime.time_budget(8.0), pytest.raises(MountError) as info:
        engine.ensure_mounted(VPS, UBUNTU, "ide2")
    assert 4.0 <= sum(fake_time.sleeps) <= 8.0  # the budget's 8 s, not the setting's 300
    assert engine.runtime.operation_seconds() == 300.0  # the budget ended with the call
    deadline = engine.runtime.deadline("x")
    assert deadline.seconds == 300.0
    with engine.runtime.time_budget(8.0):
        budgeted = engine.runtime.deadline("y")
    fake_time.sleep(9.0)
    with pytest.raises(MountError, match="RAISE-CALL"):
        budgeted.remaining()
    with engine.runtime.time_budget(0.0):  # no timeout given: nothing changes
        assert engine.runtime.operation_seconds() == 300.0
    assert "did not show it" in str(info.value)


@pytest.mark.parametrize(
    ("id_", "vps_id", "device", "expected"),
    [
        ("ignored", VPS, "ide3", (VPS, "ide3")),  # the state's values win
        (f"{VPS}/ide1", None, None, (VPS, "ide1")),  # an import: the ID alone
        (f"{VPS}/ide2", VPS, "", (VPS, "ide2")),  # a half-empty state: the ID
    ],
)
def test_drive_id_from_the_state_else_the_id(
    id_: str, vps_id: str | None, device: str | None, expected: tuple[str, str]
) -> None:
    assert drive_id(id_, vps_id, device) == expected


@pytest.mark.parametrize("id_", ["", "ide2", f"{VPS}/ide9", "a/../b/ide2", None])
def test_drive_id_refuses_what_is_not_a_vps_and_a_device(id_: str | None) -> None:
    with pytest.raises(MountError, match="resource id"):
        drive_id(id_)
