"""Two Hostup accounts in one stack, through the real engine.

The secret stack config map `hostup:accounts` holds the "other" account's key
under the name "agency"; `hostup:apiKey` holds the demo account's. One program
looks up a VPS and an ISO of the other account by name and mounts it there, and
mounts an ISO on a VPS of the demo account:

14. each request carries the key of the account it is for (the simulator's log
    records the key's id), and the state holds the account's name, no key;
15. a steady preview costs only the look-ups' two reads; destroy unmounts both,
    each through its own account;
16. a mount naming an account that is not configured fails `pulumi preview` at
    check, naming the accounts there are and the command that adds one, and
    sends no request for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.hostup_stack import HostupStack, StackFactory, api_calls, mounted, writes
from harness.pulumi_cli import PulumiSandbox
from hostup_sim.server import SimServer
from hostup_sim.world import (
    DEMO_API_KEY,
    ISO_OTHER_FEDORA_41,
    ISO_UBUNTU_2404,
    KEY_ID_DEMO,
    KEY_ID_OTHER,
    OTHER_API_KEY,
    VPS_OTHER_WEB_1,
    VPS_WEB_1,
)

pytestmark = pytest.mark.e2e

PROGRAM_CONFIG = {
    "otherAccount": "agency",
    "otherVpsName": "other-web-1",
    "otherIsoName": "Fedora-Server-dvd-x86_64-41-1.4.iso",
    "demoVpsId": VPS_WEB_1,
    "demoIsoId": ISO_UBUNTU_2404,
}


@pytest.fixture
def stack(open_stack: StackFactory, pulumi_sandbox: PulumiSandbox) -> HostupStack:
    project = pulumi_sandbox.copy_program("accounts")
    opened = open_stack(project=project, config=PROGRAM_CONFIG)
    # As the README says: the key on stdin, encrypted by the CLI, at a path of the map.
    opened.run(
        "config", "set", "--secret", "--path", "hostup:accounts.agency.apiKey", stdin=OTHER_API_KEY
    )
    return opened


def keys_by_vps(sim: SimServer) -> dict[str | None, set[str | None]]:
    """For each VPS the requests named (None: the VPS list), the key ids that were used."""
    used: dict[str | None, set[str | None]] = {}
    for call in api_calls(sim):
        used.setdefault(call.vps_id, set()).add(call.key_id)
    return used


def files_holding(root: Path, *secrets: str) -> list[Path]:
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and any(s.encode() in path.read_bytes() for s in secrets)
    ]


def test_two_accounts_in_one_stack(
    stack: HostupStack, sim: SimServer, pulumi_sandbox: PulumiSandbox
) -> None:
    before = mounted(sim)
    sim.store.clear_log()
    stack.up()
    # 14: every request went out with the key of the account it concerns.
    assert keys_by_vps(sim) == {
        None: {KEY_ID_OTHER},  # get_vps(account="agency")
        VPS_OTHER_WEB_1: {KEY_ID_OTHER},
        VPS_WEB_1: {KEY_ID_DEMO},
    }
    assert mounted(sim) == {
        **before,
        VPS_OTHER_WEB_1: {"ide2": ISO_OTHER_FEDORA_41},
        VPS_WEB_1: {"ide2": ISO_UBUNTU_2404},
    }
    assert stack.outputs()["accounts"] == {"other": "agency", "demo": None}
    # The state names the account; no file of the backend holds either key (the engine
    # keeps the stack's config in its default provider's inputs, secrets encrypted), and
    # the stack's config file holds them only encrypted.
    assert files_holding(pulumi_sandbox.backend_dir, OTHER_API_KEY, DEMO_API_KEY) == []
    assert files_holding(stack.project, OTHER_API_KEY, DEMO_API_KEY) == []
    mounts = {r["urn"].rsplit("::", 1)[1]: r for r in stack.export()["deployment"]["resources"]}
    assert mounts["other-installer"]["outputs"]["account"] == "agency"

    # 15: a steady preview reads only for the look-ups, through the named account.
    sim.store.clear_log()
    preview = stack.preview()
    assert preview.summary == {"same": 3}, preview.result.describe()  # the stack and 2 mounts
    assert [(c.operation, c.key_id) for c in api_calls(sim)] == [
        ("listVps", KEY_ID_OTHER),
        ("listVpsIsoMedia", KEY_ID_OTHER),
    ]

    sim.store.clear_log()
    stack.destroy()
    unmounts = {(w[0], w[1]) for w in writes(sim)}
    assert unmounts == {("unmountVpsIso", VPS_OTHER_WEB_1), ("unmountVpsIso", VPS_WEB_1)}
    assert {c.key_id for c in api_calls(sim) if c.vps_id == VPS_OTHER_WEB_1} == {KEY_ID_OTHER}
    assert mounted(sim) == before


def test_an_unknown_account_fails_preview_at_check(stack: HostupStack, sim: SimServer) -> None:
    stack.configure({"mountAccount": "nobody"})
    sim.store.clear_log()
    preview = stack.preview(check=False)
    assert preview.result.returncode != 0
    text = preview.result.stdout + preview.result.stderr
    assert "account 'nobody' is not in hostup:accounts (configured: agency)" in text
    assert "pulumi config set --secret --path 'hostup:accounts.nobody.apiKey'" in text
    # The look-ups read through "agency"; nothing was asked for the mount that names
    # "nobody" (the look-up's read of its VPS is all). The demo mount's check reads through
    # hostup:apiKey only if the engine reaches it before the failed check stops the preview,
    # so that read may or may not be there (CI saw both).
    calls = sorted((c.operation, c.vps_id, c.key_id) for c in api_calls(sim))
    looked_up = [
        ("listVps", None, KEY_ID_OTHER),
        ("listVpsIsoMedia", VPS_OTHER_WEB_1, KEY_ID_OTHER),
    ]
    demo_check = ("listVpsIsoMedia", VPS_WEB_1, KEY_ID_DEMO)
    assert calls in (sorted(looked_up), sorted([*looked_up, demo_check]))
    assert writes(sim) == []
