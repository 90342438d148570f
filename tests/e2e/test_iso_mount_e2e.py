"""VpsIsoMount through the real engine: the Pulumi CLI (v3.260, file backend) runs
programs whose dynamic provider talks over loopback to the session's simulator.

Each test is one scenario of the e2e issue, sharing one stack across its steps:

1. preview plans two creates and writes nothing;
2. up mounts both, outputs are known, and a second preview changes nothing and
   makes no API call;
3. refresh reports an out-of-band unmount (delete) and swap (update), and the next
   up puts the program's ISOs back;
4. a new iso_id is an update (one mount, no unmount); a new device is a replace,
   the new device mounted before the old one is unmounted;
5. destroy unmounts what the stack mounted and nothing else;
6. an up interrupted after its mount request reached the API converges: the next
   up adopts the mount (README, Troubleshooting, says what Pulumi needs first);
7. the key is in no state, output, provider message or log (but see -v=9 there);
8. bad input fails preview with the check's message, before any request;
9. a mount the API would refuse fails preview in check, and `up --skip-preview` in
   create, in the same words, with one listing read and no write;

and the example projects (and the root demo project) run up, preview and destroy.
The `open_stack` fixture checks, for every test, that no CLI call printed the key.
"""

from __future__ import annotations

import base64
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from harness.hostup_stack import (
    DEFAULT_PROVIDER_TYPE,
    MOUNT_TYPE,
    YES,
    HostupStack,
    StackFactory,
    api_calls,
    copy_example,
    hold_mounts,
    mounted,
    writes,
)
from harness.processes import interrupt_twice, kill_session, wait_for, wait_until_gone
from harness.pulumi_cli import PulumiSandbox, python_virtualenv
from hostup_sim.server import SimServer
from hostup_sim.world import (
    DEMO_API_KEY,
    ISO_ALPINE_320,
    ISO_DEBIAN_12,
    ISO_OTHER_FEDORA_41,
    ISO_SYSTEMRESCUE,
    ISO_TOOLS,
    ISO_UBUNTU_2404,
    VPS_BUILD_1,
    VPS_WEB_1,
    VPS_WEB_2,
)

pytestmark = pytest.mark.e2e

UBUNTU_FILE = "ubuntu-24.04.1-live-server-amd64.iso"
ALPINE_FILE = "alpine-virt-3.20.3-x86_64.iso"
# What the seeded world holds before any test mounts anything.
SEEDED = {VPS_WEB_2: {"ide2": ISO_DEBIAN_12}}
MOUNT = "mountVpsIso"
UNMOUNT = "unmountVpsIso"

# The two mounts most scenarios start from: web-1's default device, build-1's ide3.
INSTALLER = {"name": "installer", "vpsId": VPS_WEB_1, "isoId": ISO_UBUNTU_2404}
TOOLS = {"name": "tools", "vpsId": VPS_BUILD_1, "isoId": ISO_TOOLS, "device": "ide3"}
BOTH_MOUNTED = {**SEEDED, VPS_WEB_1: {"ide2": ISO_UBUNTU_2404}, VPS_BUILD_1: {"ide3": ISO_TOOLS}}


@pytest.fixture
def hostup_stack(open_stack: StackFactory) -> HostupStack:
    """A stack of the mounts program declaring INSTALLER and TOOLS, not yet deployed."""
    return open_stack([INSTALLER, TOOLS])


def deployed(stack: HostupStack, sim: SimServer) -> HostupStack:
    """`pulumi up` the stack, check both mounts are there, and clear the sim's log."""
    up = stack.up()
    assert up.summary == {"create": 3}, up.describe()
    assert mounted(sim) == BOTH_MOUNTED
    sim.store.clear_log()
    return stack


def hostup_sim_cli(*args: str) -> None:
    """The simulator's own CLI, as a person steering it from a shell would run it."""
    exe = python_virtualenv() / "bin" / "hostup-sim"
    proc = subprocess.run(
        [str(exe), *args], capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 0, f"hostup-sim {' '.join(args)}: {proc.stdout}{proc.stderr}"


# -- 1 ----------------------------------------------------------------------------------


def test_preview_plans_two_creates_and_writes_nothing(
    hostup_stack: HostupStack, sim: SimServer
) -> None:
    sim.store.clear_log()
    preview = hostup_stack.preview()

    assert preview.ops() == {"installer": "create", "tools": "create"}
    assert preview.summary == {"create": 3}  # the two mounts and the stack
    planned = preview.step("installer")["newState"]["inputs"]
    assert (planned["vps_id"], planned["iso_id"], planned["device"]) == (
        VPS_WEB_1,
        ISO_UBUNTU_2404,
        "ide2",  # the resource's default
    )
    # Check validated both new mounts against the API (one listing read per VPS) and
    # nothing was written.
    calls = api_calls(sim)
    assert sorted((c.method, c.operation, c.vps_id) for c in calls) == sorted(
        [("GET", "listVpsIsoMedia", VPS_WEB_1), ("GET", "listVpsIsoMedia", VPS_BUILD_1)]
    )
    assert writes(sim) == []
    assert mounted(sim) == SEEDED
    assert hostup_stack.mounts_in_state() == {}


# -- 2 ----------------------------------------------------------------------------------


def test_up_mounts_both_and_the_next_preview_makes_no_call(
    hostup_stack: HostupStack, sim: SimServer
) -> None:
    sim.store.clear_log()
    up = hostup_stack.up()

    assert up.summary == {"create": 3}
    assert up.ops() == {"installer": ["create"], "tools": ["create"]}
    assert mounted(sim) == BOTH_MOUNTED
    assert sorted(writes(sim)) == sorted(
        [(MOUNT, VPS_WEB_1, "ide2", ISO_UBUNTU_2404), (MOUNT, VPS_BUILD_1, "ide3", ISO_TOOLS)]
    )
    # Every output is known, with what the API's listing says.
    assert hostup_stack.outputs()["mounts"] == {
        "installer": {
            "id": f"{VPS_WEB_1}/ide2",
            "vpsId": VPS_WEB_1,
            "isoId": ISO_UBUNTU_2404,
            "device": "ide2",
            "isoName": UBUNTU_FILE,
            "isoDisplayName": "Ubuntu 24.04 LTS",
            "isoSizeGb": 2.6,
            "bootOrder": {"order": ["ide2", "scsi0", "net0"]},
        },
        "tools": {
            "id": f"{VPS_BUILD_1}/ide3",
            "vpsId": VPS_BUILD_1,
            "isoId": ISO_TOOLS,
            "device": "ide3",
            "isoName": "tools.iso",
            "isoDisplayName": None,  # a user upload without one
            "isoSizeGb": 0.01,
            "bootOrder": {"order": ["ide3", "scsi0", "net0"]},
        },
    }

    # The program's preview flag is consumed by check: state holds the inputs alone.
    for resource in hostup_stack.mounts_in_state().values():
        assert set(resource["inputs"]) == {"vps_id", "iso_id", "device", "__provider"}

    sim.store.clear_log()
    again = hostup_stack.preview("--expect-no-changes")
    assert again.summary == {"same": 3}
    assert api_calls(sim) == []  # steady state: check and diff never call the API


# -- 3 ----------------------------------------------------------------------------------


def test_refresh_reports_unmount_and_swap_and_up_restores(
    hostup_stack: HostupStack, sim: SimServer
) -> None:
    stack = deployed(hostup_stack, sim)
    # Someone ejects the installer in the dashboard (through the sim's CLI, as a user
    # would), and puts Alpine where the tools ISO was.
    hostup_sim_cli("drift", "unmount", "--url", sim.url, "--vps", VPS_WEB_1, "--device", "ide2")
    hostup_sim_cli(
        "drift",
        "swap",
        "--url",
        sim.url,
        "--vps",
        VPS_BUILD_1,
        "--device",
        "ide3",
        "--iso",
        ISO_ALPINE_320,
    )

    refresh = stack.refresh()
    assert refresh.ops() == {"installer": ["delete"], "tools": ["update"]}
    assert refresh.summary == {"delete": 1, "update": 1, "same": 1}
    assert writes(sim) == []
    state = stack.mounts_in_state()
    assert sorted(state) == ["tools"]
    # Outputs and inputs both show what is mounted now, so up diffs against it.
    assert state["tools"]["outputs"]["iso_id"] == ISO_ALPINE_320
    assert state["tools"]["outputs"]["iso_name"] == ALPINE_FILE
    assert state["tools"]["inputs"]["iso_id"] == ISO_ALPINE_320
    assert state["tools"]["outputs"]["owned_iso_id"] == ISO_TOOLS  # theirs is not ours

    sim.store.clear_log()
    up = stack.up()
    assert up.ops() == {"installer": ["create"], "tools": ["update"]}
    assert mounted(sim) == BOTH_MOUNTED
    assert sorted(writes(sim)) == sorted(
        [(MOUNT, VPS_WEB_1, "ide2", ISO_UBUNTU_2404), (MOUNT, VPS_BUILD_1, "ide3", ISO_TOOLS)]
    )
    state = stack.mounts_in_state()
    assert {name: r["outputs"]["iso_id"] for name, r in state.items()} == {
        "installer": ISO_UBUNTU_2404,
        "tools": ISO_TOOLS,
    }


def test_a_swap_the_program_then_names_becomes_ours_by_an_update_that_writes_nothing(
    hostup_stack: HostupStack, sim: SimServer
) -> None:
    """The refresh sees Debian where the stack mounted Ubuntu; the program now names
    Debian. Inputs match, yet the state owns Ubuntu: up is an update with no write that
    takes Debian as the resource's, and destroy then unmounts it."""
    stack = deployed(hostup_stack, sim)
    sim.store.drift_swap(VPS_WEB_1, "ide2", ISO_DEBIAN_12)
    stack.refresh()
    stack.configure({"mounts": [{**INSTALLER, "isoId": ISO_DEBIAN_12}, TOOLS]})
    sim.store.clear_log()
    up = stack.up()
    assert up.ops() == {"installer": ["update"], "tools": ["same"]}, up.describe()
    assert writes(sim) == []
    assert stack.mounts_in_state()["installer"]["outputs"]["owned_iso_id"] == ISO_DEBIAN_12
    assert stack.preview().summary == {"same": 3}  # settled: nothing more to do

    stack.destroy()
    assert mounted(sim) == SEEDED


# -- 4 ----------------------------------------------------------------------------------


def test_new_iso_updates_in_place_and_new_device_replaces_create_before_delete(
    hostup_stack: HostupStack, sim: SimServer
) -> None:
    stack = deployed(hostup_stack, sim)

    stack.configure({"mounts": [{**INSTALLER, "isoId": ISO_DEBIAN_12}, TOOLS]})
    up = stack.up()
    assert up.ops() == {"installer": ["update"], "tools": ["same"]}
    assert up.summary == {"update": 1, "same": 2}
    assert writes(sim) == [(MOUNT, VPS_WEB_1, "ide2", ISO_DEBIAN_12)]  # no unmount
    assert mounted(sim) == {**BOTH_MOUNTED, VPS_WEB_1: {"ide2": ISO_DEBIAN_12}}
    assert stack.mounts_in_state()["installer"]["id"] == f"{VPS_WEB_1}/ide2"

    sim.store.clear_log()
    stack.configure(
        {"mounts": [{**INSTALLER, "isoId": ISO_DEBIAN_12}, {**TOOLS, "device": "ide1"}]}
    )
    up = stack.up()
    assert up.ops() == {
        "installer": ["same"],
        "tools": ["create-replacement", "replace", "delete-replaced"],
    }
    assert up.summary == {"replace": 1, "same": 2}
    # Create before delete: ide1 is mounted before ide3 is unmounted.
    assert writes(sim) == [
        (MOUNT, VPS_BUILD_1, "ide1", ISO_TOOLS),
        (UNMOUNT, VPS_BUILD_1, "ide3", None),
    ]
    assert mounted(sim) == {
        **SEEDED,
        VPS_WEB_1: {"ide2": ISO_DEBIAN_12},
        VPS_BUILD_1: {"ide1": ISO_TOOLS},
    }
    assert stack.mounts_in_state()["tools"]["id"] == f"{VPS_BUILD_1}/ide1"


# -- 5 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("refresh", [(), ("--refresh",)], ids=["plain", "refresh-first"])
def test_destroy_unmounts_only_what_the_stack_mounted(
    open_stack: StackFactory, sim: SimServer, refresh: tuple[str, ...]
) -> None:
    """With --refresh (or `refresh: always` in Pulumi.yaml) the refresh shows Alpine as
    the rescue mount's iso_id, yet owned_iso_id still names SystemRescue: left alone."""
    rescue = {"name": "rescue", "vpsId": VPS_BUILD_1, "isoId": ISO_SYSTEMRESCUE}  # ide2
    stack = open_stack([INSTALLER, TOOLS, rescue])
    assert stack.up().summary == {"create": 4}
    # Someone else mounts Debian on build-1's free ide1, and puts Alpine on the device
    # where this stack mounted SystemRescue.
    sim.store.drift_mount(VPS_BUILD_1, "ide1", ISO_DEBIAN_12)
    sim.store.drift_swap(VPS_BUILD_1, "ide2", ISO_ALPINE_320)
    sim.store.clear_log()

    destroy = stack.destroy(*refresh)
    assert destroy.ops()["rescue"][-1] == "delete", destroy.describe()
    assert sorted(writes(sim)) == sorted(
        [(UNMOUNT, VPS_WEB_1, "ide2", None), (UNMOUNT, VPS_BUILD_1, "ide3", None)]
    )
    assert mounted(sim) == {**SEEDED, VPS_BUILD_1: {"ide1": ISO_DEBIAN_12, "ide2": ISO_ALPINE_320}}
    # The provider says why it left ide2 alone (its stderr is a CLI diagnostic).
    assert f"left {ISO_ALPINE_320} on {VPS_BUILD_1}/ide2 alone" in destroy.result.stdout
    assert stack.mounts_in_state() == {}


# -- 6 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("interruption", ["ctrl-c-twice", "sigkill"])
def test_interrupted_up_converges_by_adopting_the_mount(
    open_stack: StackFactory,
    sim: SimServer,
    monkeypatch: pytest.MonkeyPatch,
    interruption: str,
) -> None:
    """The mount request reaches the API, the run dies before the answer; the next
    `pulumi up` finds the mount and adopts it, with no second mount request.

    What Pulumi itself needs in between (README, Troubleshooting): after a hard kill,
    `pulumi cancel` (the file backend's lock stays behind); in every case the state
    keeps a pending-create note until `pulumi refresh --clear-pending-creates`."""
    stack = open_stack([INSTALLER])
    # The simulator holds the mount request back (it acts only once released)...
    held = hold_mounts(sim, monkeypatch, VPS_WEB_1, 600.0)
    args = ("up", *YES)
    started = time.monotonic()
    proc = stack.start(*args)
    try:
        assert held.arrived.wait(60), "the mount request never reached the simulator"
        # ...and the run is interrupted while the request is in flight.
        if interruption == "ctrl-c-twice":
            interrupt_twice(proc)
        else:
            kill_session(proc.pid)  # the CLI, the language host and the provider
        stack.finish(proc, args, started)
    finally:
        if proc.poll() is None:
            kill_session(proc.pid)
    assert proc.returncode != 0
    assert wait_until_gone(proc.pid) == [], "a plugin outlived the interrupted run"

    # Now the API acts on the request nobody waits for any more.
    held.release()

    def mount_applied() -> bool:
        sim.store.release_sleepers()  # again each time, in case it had not begun to wait
        return any(r.operation == MOUNT and r.status == 200 for r in api_calls(sim))

    assert wait_for(mount_applied), "the held-back mount was never applied"
    assert mounted(sim) == {**SEEDED, VPS_WEB_1: {"ide2": ISO_UBUNTU_2404}}
    assert stack.pending_operations() == [("creating", "installer")]
    assert stack.mounts_in_state() == {}

    if interruption == "sigkill":
        # Pulumi's file backend keeps the dead run's lock: `pulumi cancel` removes it.
        locked = stack.up(check=False)
        assert locked.result.returncode != 0
        assert "the stack is currently locked" in locked.result.stderr, locked.describe()
        stack.run("cancel", "--yes")

    sim.store.clear_log()
    up = stack.up()
    assert up.ops() == {"installer": ["create"]}
    assert writes(sim) == []  # adopted: no second mount, no unmount
    assert mounted(sim) == {**SEEDED, VPS_WEB_1: {"ide2": ISO_UBUNTU_2404}}
    installer = stack.mounts_in_state()["installer"]
    assert installer["id"] == f"{VPS_WEB_1}/ide2"
    assert installer["outputs"]["iso_name"] == UBUNTU_FILE
    # Pulumi warns about the interrupted create until a refresh clears the note.
    assert any("pending operations" in d for d in up.diagnostics("warning")), up.describe()
    assert stack.pending_operations() == [("creating", "installer")]

    stack.refresh("--clear-pending-creates")
    assert stack.pending_operations() == []
    assert sorted(stack.mounts_in_state()) == ["installer"]
    assert writes(sim) == []


# -- 7 ----------------------------------------------------------------------------------


def test_api_key_stays_out_of_state_outputs_and_logs(
    hostup_stack: HostupStack, sim: SimServer, pulumi_sandbox: PulumiSandbox
) -> None:
    stack = deployed(hostup_stack, sim)
    key = DEMO_API_KEY

    exported = stack.export()
    assert key not in str(exported)
    revealed = stack.export(show_secrets=True)
    resources = revealed["deployment"]["resources"]
    # With --show-secrets the key is where Pulumi keeps stack config, the default
    # provider's inputs and outputs, and nowhere else.
    for resource in resources:
        for part in ("inputs", "outputs"):
            values = dict(resource.get(part) or {})
            if resource["type"] == DEFAULT_PROVIDER_TYPE:
                assert key in str(values.pop("hostup:apiKey"))
            assert key not in str(values), f"{resource['urn']} {part}"
    # The provider blob is a reference to the class, not a pickled object with state.
    mounts = [r for r in resources if r["type"] == MOUNT_TYPE]
    assert len(mounts) == 2
    for resource in mounts:
        for part in ("inputs", "outputs"):
            blob = resource[part]["__provider"]
            assert isinstance(blob, str), f"__provider is not a plain string: {blob!r}"
            raw = base64.b64decode(blob)
            assert len(raw) <= 200, raw
            assert b"pulumi_hostup.iso_mount" in raw, raw
            assert b"VpsIsoMountProvider" in raw, raw
            assert key.encode() not in raw

    # The engine's debug log (-v=9, written to TMPDIR) with the key in stack config:
    # Pulumi v3.260 logs the inputs it marshals for the provider's Configure call,
    # the key among them (README, Known limits); no other line has it.
    more = {**TOOLS, "name": "more", "device": "ide1"}
    stack.configure({"mounts": [INSTALLER, TOOLS, more]})
    logs = pulumi_sandbox.root / "engine-log-config-key"
    logs.mkdir()
    stack.preview("-v=9", "--logflow", env={"TMPDIR": str(logs)})
    leaking = lines_with(key, logs)
    assert all("Configure().inputs" in line for line in leaking), leaking

    # The key from the environment instead: Pulumi cannot mask it in what the provider
    # prints (it shows secret config values as [secret]), so this is our own record. A
    # mount that fails, with the debug log on: the provider's error reaches the CLI,
    # the key reaches neither the CLI's output nor the log.
    stack.run("config", "rm", "hostup:apiKey")
    sim.store.update_faults(
        path_prefix=f"/api/v2/vps/{VPS_BUILD_1}/iso/actions/mount", fail_nth=[1], fail_status=500
    )
    logs = pulumi_sandbox.root / "engine-log-env-key"
    logs.mkdir()
    failed = stack.up(
        "-v=9", "--logflow", check=False, env={"HOSTUP_API_KEY": key, "TMPDIR": str(logs)}
    )
    assert failed.result.returncode != 0
    errors = "\n".join(failed.diagnostics("error"))
    assert f"could not mount {ISO_TOOLS} on {VPS_BUILD_1}/ide1" in errors, failed.describe()
    assert key not in failed.result.stdout + failed.result.stderr
    assert lines_with(key, logs) == []


def lines_with(text: str, log_dir: Path) -> list[str]:
    """The lines of the engine's log files in log_dir that contain text."""
    files = [path for path in log_dir.rglob("*") if path.is_file()]
    assert files, f"the engine wrote no log to {log_dir}"
    return [
        line
        for path in files
        for line in path.read_text(errors="replace").splitlines()
        if text in line
    ]


# -- 8 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {**INSTALLER, "device": "ide9"},
            "device must be one of ide0, ide1, ide2, ide3 (default ide2), got 'ide9'",
        ),
        (
            {**INSTALLER, "vpsId": ""},
            "vps_id must not be empty: expected the VPS id from GET /api/v2/vps",
        ),
    ],
    ids=["device-ide9", "empty-vps-id"],
)
def test_bad_input_fails_preview_before_any_request(
    open_stack: StackFactory, sim: SimServer, entry: dict[str, Any], message: str
) -> None:
    stack = open_stack([entry])
    sim.store.clear_log()
    preview = stack.run("preview", "--non-interactive", check=False)
    assert preview.returncode != 0
    assert message in preview.stdout, preview.describe()
    assert "installer" in preview.stdout
    assert api_calls(sim) == []
    assert stack.mounts_in_state() == {}


# -- 9 ----------------------------------------------------------------------------------


def test_a_refused_mount_fails_preview_in_check_and_up_in_create_alike(
    open_stack: StackFactory, sim: SimServer
) -> None:
    stack = open_stack([{**INSTALLER, "isoId": ISO_OTHER_FEDORA_41}])  # another account's
    refusal = f"ISO {ISO_OTHER_FEDORA_41} is not available to VPS {VPS_WEB_1}; available: "
    one_read = [("GET", "listVpsIsoMedia", VPS_WEB_1)]

    sim.store.clear_log()
    preview = stack.run("preview", "--non-interactive", check=False)
    assert preview.returncode != 0
    assert refusal in preview.stdout, preview.describe()
    assert [(c.method, c.operation, c.vps_id) for c in api_calls(sim)] == one_read

    # The update's check leaves the API to create (the engine runs checks one at a
    # time): the create step starts, reads the listing once and refuses in check's words.
    sim.store.clear_log()
    up = stack.up(check=False)
    assert not up.succeeded
    assert up.started() == {"installer": ["create"]}, up.describe()
    assert any(refusal in message for message in up.diagnostics("error")), up.describe()
    assert [(c.method, c.operation, c.vps_id) for c in api_calls(sim)] == one_read
    assert mounted(sim) == SEEDED
    assert stack.mounts_in_state() == {}


# -- the examples -----------------------------------------------------------------------

EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, dict[str, str]], dict[str, Any]]] = {
    # name: (stack config, what the sim holds after up, the stack outputs expected)
    "quickstart": (
        {"vpsId": VPS_WEB_1, "isoId": ISO_UBUNTU_2404},
        {VPS_WEB_1: {"ide2": ISO_UBUNTU_2404}},
        {"mountId": f"{VPS_WEB_1}/ide2", "isoName": UBUNTU_FILE, "isoSizeGb": 2.6},
    ),
    "root-demo": (
        {"vpsId": VPS_WEB_1, "isoId": ISO_UBUNTU_2404},
        {VPS_WEB_1: {"ide2": ISO_UBUNTU_2404}},
        {"mountId": f"{VPS_WEB_1}/ide2", "isoDisplayName": "Ubuntu 24.04 LTS"},
    ),
    "fleet": (
        {
            "mounts": [
                {"vpsId": VPS_WEB_1, "isoId": ISO_UBUNTU_2404},
                {"vpsId": VPS_BUILD_1, "isoId": ISO_TOOLS, "device": "ide1"},
            ]
        },
        {VPS_WEB_1: {"ide2": ISO_UBUNTU_2404}, VPS_BUILD_1: {"ide1": ISO_TOOLS}},
        {"mounts": {f"{VPS_WEB_1}-ide2": UBUNTU_FILE, f"{VPS_BUILD_1}-ide1": "tools.iso"}},
    ),
}


@pytest.mark.parametrize("example", list(EXAMPLES))
def test_example_project_up_preview_destroy(
    open_stack: StackFactory, pulumi_sandbox: PulumiSandbox, sim: SimServer, example: str
) -> None:
    config, expected_media, expected_outputs = EXAMPLES[example]
    project = copy_example(example, pulumi_sandbox.programs_dir)
    stack = open_stack(project=project, config=config)

    up = stack.up()
    assert up.succeeded, up.describe()
    assert mounted(sim) == {**SEEDED, **expected_media}
    outputs = stack.outputs()
    assert {k: outputs.get(k) for k in expected_outputs} == expected_outputs

    sim.store.clear_log()
    again = stack.preview("--expect-no-changes")
    assert set(again.summary) == {"same"}
    assert api_calls(sim) == []  # steady state: the provider calls nothing

    destroy = stack.destroy()
    assert destroy.succeeded, destroy.describe()
    assert mounted(sim) == SEEDED
    assert stack.mounts_in_state() == {}
