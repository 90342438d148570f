"""VpsIsoMountProvider's methods called directly against the simulator.

API calls are counted from the simulator's request log; the simulator's state is
the truth every test compares against.
"""

from __future__ import annotations

import itertools
import threading
from datetime import datetime
from typing import Any

import pulumi
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown

from hostup_sim import world
from hostup_sim.server import SimServer
from pulumi_hostup.iso_mount import VpsIsoMountError, VpsIsoMountProvider

UNKNOWN = pulumi.runtime.rpc.UNKNOWN


def api_calls(sim: SimServer) -> list[tuple[str, str]]:
    """(method, operation) of every /api request the simulator has seen."""
    return [(r.method, r.operation or r.path) for r in sim.store.request_log()]


def mounted(sim: SimServer, vps_id: str) -> dict[str, str]:
    """device -> isoId on the simulator, cloud-init drives left out."""
    listing = sim.store.snapshot()
    vps = next(v for v in listing["vpses"] if v["id"] == vps_id)
    return {device: iso for device, iso in vps["media"].items() if iso is not None}


@pytest.fixture
def provider(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> VpsIsoMountProvider:
    """A provider configured like the engine does: stack config, then the environment."""
    monkeypatch.delenv("HOSTUP_API_KEY", raising=False)
    monkeypatch.delenv("HOSTUP_ENDPOINT", raising=False)
    p = VpsIsoMountProvider()
    p.configure(
        ConfigureRequest(
            Config({"hostup:apiKey": world.DEMO_API_KEY, "hostup:endpoint": sim.url}, "test")
        )
    )
    sim.store.clear_log()
    return p


@pytest.fixture
def unreachable_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials for a loopback port nobody listens on, and a 2 s deadline."""
    closed = SimServer().start()
    url = closed.url
    closed.stop()
    monkeypatch.setenv("HOSTUP_API_KEY", world.DEMO_API_KEY)
    monkeypatch.setenv("HOSTUP_ENDPOINT", url)
    monkeypatch.setenv("HOSTUP_OPERATION_TIMEOUT", "2")


def props(vps_id: str, iso_id: str, device: str = "ide2") -> dict[str, Any]:
    """The inputs check returns for these (no ``account``: the default one)."""
    return {"vps_id": vps_id, "iso_id": iso_id, "device": device, "account": None}


# -- check ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("news", "prop", "words"),
    [
        ({"iso_id": world.ISO_UBUNTU_2404}, "vps_id", "required"),
        (props("", world.ISO_UBUNTU_2404), "vps_id", "empty"),
        (props("vps_../x", world.ISO_UBUNTU_2404), "vps_id", "'/'"),
        (props(world.VPS_WEB_1, "iso_1?x=1"), "iso_id", "'?'"),
        (props(world.VPS_WEB_1, 42), "iso_id", "string"),  # type: ignore[arg-type]
        (props(world.VPS_WEB_1, world.ISO_UBUNTU_2404, "ide9"), "device", "ide0, ide1"),
        ({**props(world.VPS_WEB_1, world.ISO_UBUNTU_2404), "colour": "red"}, "colour", "unknown"),
    ],
)
def test_check_offline_failures_name_the_property_and_send_nothing(
    provider: VpsIsoMountProvider, sim: SimServer, news: dict[str, Any], prop: str, words: str
) -> None:
    result = provider.check({}, news)
    assert [f.property for f in result.failures] == [prop]
    assert words in result.failures[0].reason
    assert api_calls(sim) == []


@pytest.mark.parametrize("unknown", [UNKNOWN, Unknown()], ids=["sentinel", "Unknown"])
def test_check_defaults_device_and_passes_unknowns_without_calls(
    provider: VpsIsoMountProvider, sim: SimServer, unknown: object
) -> None:
    """The host passes another resource's output at preview as an `Unknown` instance."""
    result = provider.check({}, {"vps_id": world.VPS_WEB_1, "iso_id": unknown})
    assert result.failures == []
    assert result.inputs["device"] == "ide2"
    assert result.inputs["iso_id"] is unknown
    assert provider.diff("x", props(world.VPS_WEB_1, world.ISO_UBUNTU_2404), result.inputs).changes
    assert api_calls(sim) == []


def test_diff_plans_an_update_while_the_state_owns_another_iso_than_declared(
    provider: VpsIsoMountProvider,
) -> None:
    """After a refresh found the declared ISO on the device but the state owns another
    (a failed update's late mount), up must update, or destroy would leave it."""
    declared = props(world.VPS_WEB_1, world.ISO_DEBIAN_12)
    refreshed = {**declared, "owned_iso_id": world.ISO_UBUNTU_2404}
    diff = provider.diff("x", refreshed, declared)
    assert (diff.changes, diff.replaces) == (True, [])
    settled = {**declared, "owned_iso_id": world.ISO_DEBIAN_12}
    assert not provider.diff("x", settled, declared).changes
    assert not provider.diff("x", declared, declared).changes  # an older state


def test_check_steady_state_makes_no_api_call(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    inputs = props(world.VPS_WEB_2, world.ISO_DEBIAN_12)
    assert provider.check(inputs, dict(inputs)).failures == []
    assert api_calls(sim) == []


def test_check_live_accepts_a_good_new_mount_with_one_read(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    result = provider.check({}, props(world.VPS_WEB_1, world.ISO_UBUNTU_2404))
    assert result.failures == []
    assert api_calls(sim) == [("GET", "listVpsIsoMedia")]


# What stops a new mount, as the live listing says: (inputs, the input at fault, words).
LIVE_PROBLEMS = [
    (props(world.VPS_WEB_1, world.ISO_OTHER_FEDORA_41), "iso_id", "not available"),
    (props(world.VPS_WEB_1, world.ISO_UBUNTU_2404, "ide3"), "device", "no CD/DVD slot"),
    (props(world.VPS_PENDING_1, world.ISO_UBUNTU_2404), "vps_id", "pending_order"),
    (props(world.VPS_OTHER_WEB_1, world.ISO_UBUNTU_2404), "vps_id", "not found"),
    (props(world.VPS_WEB_2, world.ISO_UBUNTU_2404), "device", world.ISO_DEBIAN_12),
    (props(world.VPS_DB_1, world.ISO_UBUNTU_2404, "ide0"), "device", "cloud-init"),
]


@pytest.mark.parametrize(("news", "prop", "words"), LIVE_PROBLEMS)
def test_check_live_failures_at_preview(
    provider: VpsIsoMountProvider, news: dict[str, Any], prop: str, words: str
) -> None:
    failures = provider.check({}, news).failures
    assert prop in [f.property for f in failures]
    assert any(words in f.reason for f in failures), failures


@pytest.mark.parametrize(("flag", "reads"), [(True, 1), (None, 1), (False, 0)])
def test_check_reads_the_api_only_at_preview(
    provider: VpsIsoMountProvider, sim: SimServer, flag: bool | None, reads: int
) -> None:
    # The program sets the flag from pulumi.runtime.is_dry_run(); absent means preview.
    news = props(world.VPS_WEB_1, world.ISO_OTHER_FEDORA_41)  # a mount the listing refuses
    if flag is not None:
        news["__hostupPreview"] = flag
    result = provider.check({}, news)
    assert api_calls(sim) == [("GET", "listVpsIsoMedia")] * reads
    assert bool(result.failures) is bool(reads)
    assert result.inputs == props(world.VPS_WEB_1, world.ISO_OTHER_FEDORA_41)  # never in state


def test_check_without_credentials_stays_offline(
    sim: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOSTUP_API_KEY", raising=False)
    monkeypatch.setenv("HOSTUP_ENDPOINT", sim.url)
    sim.store.clear_log()
    result = VpsIsoMountProvider().check({}, props(world.VPS_WEB_1, world.ISO_UBUNTU_2404))
    assert result.failures == []
    assert api_calls(sim) == []


def test_check_unreachable_api_warns_and_passes(
    unreachable_api: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = VpsIsoMountProvider().check({}, props(world.VPS_WEB_1, world.ISO_UBUNTU_2404))
    assert result.failures == []
    err = capsys.readouterr().err
    assert "warning" in err
    assert world.DEMO_API_KEY not in err


# -- diff -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("news", "changes", "replaces"),
    [
        (props(world.VPS_WEB_1, world.ISO_UBUNTU_2404), False, []),
        (props(world.VPS_WEB_1, world.ISO_DEBIAN_12), True, []),
        (props(world.VPS_WEB_2, world.ISO_UBUNTU_2404), True, ["vps_id"]),
        (props(world.VPS_WEB_1, world.ISO_UBUNTU_2404, "ide3"), True, ["device"]),
        (props(world.VPS_WEB_1, UNKNOWN), True, []),
        (props(world.VPS_WEB_1, world.ISO_UBUNTU_2404, UNKNOWN), True, ["device"]),
    ],
)
def test_diff_is_pure_and_replaces_on_identity(
    provider: VpsIsoMountProvider,
    sim: SimServer,
    news: dict[str, Any],
    changes: bool,
    replaces: list[str],
) -> None:
    olds = {**props(world.VPS_WEB_1, world.ISO_UBUNTU_2404), "iso_name": "x.iso"}
    result = provider.diff(f"{world.VPS_WEB_1}/ide2", olds, news)
    assert result.changes is changes
    assert result.replaces == replaces
    assert api_calls(sim) == []


# -- create ---------------------------------------------------------------------------------


def test_create_mounts_with_three_calls_and_returns_outputs(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    result = provider.create(props(world.VPS_WEB_1, world.ISO_UBUNTU_2404))
    assert result.id == f"{world.VPS_WEB_1}/ide2"
    assert mounted(sim, world.VPS_WEB_1) == {"ide2": world.ISO_UBUNTU_2404}
    assert api_calls(sim) == [
        ("GET", "listVpsIsoMedia"),
        ("POST", "mountVpsIso"),
        ("GET", "listVpsIsoMedia"),
    ]
    outs = result.outs or {}
    assert outs["iso_name"] == "ubuntu-24.04.1-live-server-amd64.iso"
    assert outs["iso_display_name"]
    assert outs["iso_size_gb"] > 0
    assert set(outs) >= {"vps_id", "iso_id", "device", "boot_order"}


def test_create_right_after_check_reuses_its_listing(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    inputs = provider.check({}, props(world.VPS_WEB_1, world.ISO_UBUNTU_2404)).inputs
    provider.create(inputs)
    assert api_calls(sim) == [
        ("GET", "listVpsIsoMedia"),
        ("POST", "mountVpsIso"),
        ("GET", "listVpsIsoMedia"),
    ]


def test_create_adopts_an_identical_mount_without_posting(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    result = provider.create(props(world.VPS_WEB_2, world.ISO_DEBIAN_12))
    assert result.id == f"{world.VPS_WEB_2}/ide2"
    assert api_calls(sim) == [("GET", "listVpsIsoMedia")]


@pytest.mark.parametrize(("news", "prop", "words"), LIVE_PROBLEMS)
def test_create_refuses_what_preview_would_and_changes_nothing(
    provider: VpsIsoMountProvider, sim: SimServer, news: dict[str, Any], prop: str, words: str
) -> None:
    # `up` skips check's live read, so create must refuse in the same words.
    before = sim.store.snapshot()["vpses"]
    with pytest.raises(VpsIsoMountError, match=words):
        provider.create(news)
    assert api_calls(sim) == [("GET", "listVpsIsoMedia")]
    assert sim.store.snapshot()["vpses"] == before


def test_create_names_every_problem_in_one_line(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    with pytest.raises(VpsIsoMountError) as caught:
        provider.create(props(world.VPS_PENDING_1, world.ISO_OTHER_FEDORA_41))
    message = str(caught.value)
    assert "not available" in message
    assert "pending_order" in message
    assert "\n" not in message


def test_create_follows_an_async_mount_operation(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    sim.store.update_settings(mount_response="async", job_seconds=0.0)
    provider.create(props(world.VPS_BUILD_1, world.ISO_ALPINE_320, "ide3"))
    assert mounted(sim, world.VPS_BUILD_1) == {"ide3": world.ISO_ALPINE_320}
    assert ("GET", "getJob") in api_calls(sim)


def test_create_waits_out_vps_not_ready(provider: VpsIsoMountProvider, sim: SimServer) -> None:
    provider.create(props(world.VPS_SLOW_1, world.ISO_UBUNTU_2404))
    assert mounted(sim, world.VPS_SLOW_1) == {"ide2": world.ISO_UBUNTU_2404}
    statuses = [r.status for r in sim.store.request_log() if r.operation == "mountVpsIso"]
    assert statuses[-1] == 200
    assert 409 in statuses


# -- read -----------------------------------------------------------------------------------


def test_read_is_one_get_and_works_from_the_id_alone(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    result = provider.read(f"{world.VPS_WEB_2}/ide2", {})
    assert result.id == f"{world.VPS_WEB_2}/ide2"
    assert result.outs["iso_id"] == world.ISO_DEBIAN_12
    assert result.inputs == props(world.VPS_WEB_2, world.ISO_DEBIAN_12)
    assert api_calls(sim) == [("GET", "listVpsIsoMedia")]


def test_read_reports_an_unmounted_device_as_gone(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    sim.store.drift_unmount(world.VPS_WEB_2, "ide2")
    result = provider.read(f"{world.VPS_WEB_2}/ide2", props(world.VPS_WEB_2, world.ISO_DEBIAN_12))
    assert result.id is None
    assert result.outs == {}


def test_read_reports_a_deleted_vps_as_gone(provider: VpsIsoMountProvider, sim: SimServer) -> None:
    sim.store.drift_delete_vps(world.VPS_WEB_2)
    result = provider.read(f"{world.VPS_WEB_2}/ide2", props(world.VPS_WEB_2, world.ISO_DEBIAN_12))
    assert result.id is None


def test_read_shows_a_swapped_iso_in_outputs_and_inputs(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    sim.store.drift_swap(world.VPS_WEB_2, "ide2", world.ISO_ALPINE_320)
    result = provider.read(f"{world.VPS_WEB_2}/ide2", props(world.VPS_WEB_2, world.ISO_DEBIAN_12))
    assert result.outs["iso_id"] == world.ISO_ALPINE_320
    assert result.inputs is not None
    assert result.inputs["iso_id"] == world.ISO_ALPINE_320
    # The next up diffs the program against what refresh saw: an update back.
    diff = provider.diff(result.id or "", result.outs, props(world.VPS_WEB_2, world.ISO_DEBIAN_12))
    assert diff.changes is True
    assert diff.replaces == []


def test_read_raises_on_transport_errors_instead_of_dropping(unreachable_api: None) -> None:
    with pytest.raises(VpsIsoMountError) as info:
        VpsIsoMountProvider().read(f"{world.VPS_WEB_2}/ide2", {})
    assert world.DEMO_API_KEY not in str(info.value)


def test_read_of_many_mounts_on_one_vps_shares_one_listing(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    for device, iso in (("ide1", world.ISO_UBUNTU_2404), ("ide3", world.ISO_DEBIAN_12)):
        sim.store.drift_mount(world.VPS_BUILD_1, device, iso)
    sim.store.clear_log()
    results: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda d=device: results.append(provider.read(f"{world.VPS_BUILD_1}/{d}", {}))
        )
        for device in ("ide1", "ide2", "ide3", "ide1")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert api_calls(sim) == [("GET", "listVpsIsoMedia")]
    assert sorted(r.id is not None for r in results) == [False, True, True, True]


# -- update ---------------------------------------------------------------------------------


def test_update_mounts_over_in_place(provider: VpsIsoMountProvider, sim: SimServer) -> None:
    olds = props(world.VPS_WEB_2, world.ISO_DEBIAN_12)
    result = provider.update(
        f"{world.VPS_WEB_2}/ide2", olds, props(world.VPS_WEB_2, world.ISO_ALPINE_320)
    )
    assert mounted(sim, world.VPS_WEB_2) == {"ide2": world.ISO_ALPINE_320}
    assert (result.outs or {})["iso_id"] == world.ISO_ALPINE_320
    assert api_calls(sim) == [
        ("GET", "listVpsIsoMedia"),
        ("POST", "mountVpsIso"),
        ("GET", "listVpsIsoMedia"),
    ]


def test_update_unmounts_first_when_the_api_refuses_to_mount_over_media(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    sim.store.update_settings(mount_over_media="conflict")
    olds = props(world.VPS_WEB_2, world.ISO_DEBIAN_12)
    provider.update(f"{world.VPS_WEB_2}/ide2", olds, props(world.VPS_WEB_2, world.ISO_ALPINE_320))
    assert mounted(sim, world.VPS_WEB_2) == {"ide2": world.ISO_ALPINE_320}
    writes = [op for method, op in api_calls(sim) if method == "POST"]
    assert writes == ["mountVpsIso", "unmountVpsIso", "mountVpsIso"]


def test_update_puts_the_old_iso_back_when_the_new_mount_fails(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    sim.store.update_settings(mount_over_media="conflict")
    # The 2nd mount (the one after the unmount) fails with a 500.
    sim.store.update_faults(
        path_prefix=f"/api/v2/vps/{world.VPS_WEB_2}/iso/actions/mount", fail_nth=[2]
    )
    olds = props(world.VPS_WEB_2, world.ISO_DEBIAN_12)
    with pytest.raises(VpsIsoMountError, match="mounted again, as before"):
        provider.update(
            f"{world.VPS_WEB_2}/ide2", olds, props(world.VPS_WEB_2, world.ISO_ALPINE_320)
        )
    assert mounted(sim, world.VPS_WEB_2) == {"ide2": world.ISO_DEBIAN_12}
    writes = [
        (op, r)
        for (method, op), r in zip(api_calls(sim), sim.store.request_log(), strict=True)
        if method == "POST"
    ]
    assert [op for op, _ in writes] == [
        "mountVpsIso",
        "unmountVpsIso",
        "mountVpsIso",
        "mountVpsIso",
    ]
    assert [r.status for _, r in writes] == [409, 200, 500, 200]


def test_create_trusts_the_listing_when_the_mount_answer_is_lost(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    # A 500 after the mount: did it happen? One read of the listing says no, and
    # create fails with the API's error rather than guessing.
    sim.store.update_faults(apply_to="writes", fail_nth=[1])
    with pytest.raises(VpsIsoMountError, match=r"500|upstream"):
        provider.create(props(world.VPS_WEB_1, world.ISO_UBUNTU_2404))
    assert mounted(sim, world.VPS_WEB_1) == {}
    assert api_calls(sim) == [
        ("GET", "listVpsIsoMedia"),
        ("POST", "mountVpsIso"),
        ("GET", "listVpsIsoMedia"),
    ]


def test_update_refuses_media_it_did_not_mount(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    sim.store.drift_swap(world.VPS_WEB_2, "ide2", world.ISO_SYSTEMRESCUE)
    olds = props(world.VPS_WEB_2, world.ISO_DEBIAN_12)
    with pytest.raises(VpsIsoMountError, match="pulumi refresh"):
        provider.update(
            f"{world.VPS_WEB_2}/ide2", olds, props(world.VPS_WEB_2, world.ISO_ALPINE_320)
        )
    assert mounted(sim, world.VPS_WEB_2) == {"ide2": world.ISO_SYSTEMRESCUE}


def test_update_refuses_an_iso_the_vps_cannot_mount_and_keeps_the_old_one(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    # `up` skips check's live read, so update must refuse before it writes.
    olds = props(world.VPS_WEB_2, world.ISO_DEBIAN_12)
    with pytest.raises(VpsIsoMountError, match="not available to VPS"):
        provider.update(
            f"{world.VPS_WEB_2}/ide2", olds, props(world.VPS_WEB_2, world.ISO_OTHER_FEDORA_41)
        )
    assert api_calls(sim) == [("GET", "listVpsIsoMedia")]
    assert mounted(sim, world.VPS_WEB_2) == {"ide2": world.ISO_DEBIAN_12}


# -- delete ---------------------------------------------------------------------------------


def test_delete_unmounts_our_iso_with_three_calls(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    provider.delete(f"{world.VPS_WEB_2}/ide2", props(world.VPS_WEB_2, world.ISO_DEBIAN_12))
    assert mounted(sim, world.VPS_WEB_2) == {}
    assert api_calls(sim) == [
        ("GET", "listVpsIsoMedia"),
        ("POST", "unmountVpsIso"),
        ("GET", "listVpsIsoMedia"),
    ]


def test_delete_leaves_another_iso_alone(
    provider: VpsIsoMountProvider, sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    provider.delete(f"{world.VPS_WEB_2}/ide2", props(world.VPS_WEB_2, world.ISO_ALPINE_320))
    assert mounted(sim, world.VPS_WEB_2) == {"ide2": world.ISO_DEBIAN_12}
    assert ("POST", "unmountVpsIso") not in api_calls(sim)
    assert "left" in capsys.readouterr().err


@pytest.mark.parametrize("drift", ["unmount", "delete-vps"])
def test_delete_of_something_already_gone_succeeds_with_one_read(
    provider: VpsIsoMountProvider, sim: SimServer, drift: str
) -> None:
    if drift == "unmount":
        sim.store.drift_unmount(world.VPS_WEB_2, "ide2")
    else:
        sim.store.drift_delete_vps(world.VPS_WEB_2)
    sim.store.clear_log()
    provider.delete(f"{world.VPS_WEB_2}/ide2", props(world.VPS_WEB_2, world.ISO_DEBIAN_12))
    assert api_calls(sim) == [("GET", "listVpsIsoMedia")]


def test_delete_never_unmounts_the_cloud_init_drive(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    provider.delete(f"{world.VPS_DB_1}/ide0", props(world.VPS_DB_1, world.ISO_UBUNTU_2404, "ide0"))
    assert ("POST", "unmountVpsIso") not in api_calls(sim)


# -- lifecycle and concurrency ----------------------------------------------------------------


def test_parallel_creates_on_one_vps_never_overlap_their_writes(
    provider: VpsIsoMountProvider, sim: SimServer
) -> None:
    sim.store.update_faults(latency_min_ms=20, latency_max_ms=40, seed=7)
    jobs = [
        (world.VPS_BUILD_1, world.ISO_UBUNTU_2404, "ide1"),
        (world.VPS_BUILD_1, world.ISO_DEBIAN_12, "ide2"),
        (world.VPS_BUILD_1, world.ISO_ALPINE_320, "ide3"),
        (world.VPS_WEB_1, world.ISO_TOOLS, "ide2"),
    ]
    errors: list[BaseException] = []

    def run(job: tuple[str, str, str]) -> None:
        try:
            provider.create(props(*job))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert mounted(sim, world.VPS_BUILD_1) == {
        "ide1": world.ISO_UBUNTU_2404,
        "ide2": world.ISO_DEBIAN_12,
        "ide3": world.ISO_ALPINE_320,
    }
    writes = [
        r for r in sim.store.request_log() if r.method == "POST" and r.vps_id == world.VPS_BUILD_1
    ]
    assert len(writes) == 3
    # A record is logged when its answer is sent: timestamp is the end of the request.
    ends = [datetime.fromisoformat(w.timestamp).timestamp() for w in writes]
    spans = sorted((end - w.duration_ms / 1000, end) for w, end in zip(writes, ends, strict=True))
    tolerance = 0.002  # timestamps have millisecond resolution
    for (_, first_end), (second_start, _) in itertools.pairwise(spans):
        assert first_end <= second_start + tolerance


def test_check_fails_preview_on_an_insecure_endpoint_without_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOSTUP_API_KEY", world.DEMO_API_KEY)
    monkeypatch.setenv("HOSTUP_ENDPOINT", "http://hostup.example.com")
    failures = VpsIsoMountProvider().check({}, props(world.VPS_WEB_1, world.ISO_UBUNTU_2404))
    assert [f.property for f in failures.failures] == [""]
    assert "https" in failures.failures[0].reason
    assert world.DEMO_API_KEY not in failures.failures[0].reason


def test_check_warns_once_when_the_api_is_unreachable(
    unreachable_api: None, capsys: pytest.CaptureFixture[str]
) -> None:
    provider = VpsIsoMountProvider()
    for vps_id in (world.VPS_WEB_1, world.VPS_BUILD_1, world.VPS_DB_1):
        assert provider.check({}, props(vps_id, world.ISO_UBUNTU_2404)).failures == []
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert world.VPS_WEB_1 in warnings[0]
