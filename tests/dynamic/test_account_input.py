"""The `account` input of every resource, against the simulator's two accounts.

The provider is configured as the engine does it: `hostup:apiKey` holds the demo
account's key, and `hostup:accounts` (a JSON text, as the engine hands a map over)
names the other account's key "agency".
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from hostup.errors import HostupError
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
from pulumi_hostup._dynamic import HostupProvider
from pulumi_hostup.cdrom_drive import VpsCdromDriveProvider
from pulumi_hostup.iso_image import VpsIsoImageProvider
from pulumi_hostup.iso_mount import VpsIsoMountProvider

ACCOUNTS = json.dumps({"agency": {"apiKey": OTHER_API_KEY}})


def configured(provider: HostupProvider[Any], sim: SimServer) -> Any:
    provider.configure(
        ConfigureRequest(
            Config(
                {
                    "hostup:apiKey": DEMO_API_KEY,
                    "hostup:endpoint": sim.url,
                    "hostup:accounts": ACCOUNTS,
                },
                "test",
            )
        )
    )
    return provider


@pytest.fixture
def mounts(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> VpsIsoMountProvider:
    monkeypatch.delenv("HOSTUP_API_KEY", raising=False)
    provider = configured(VpsIsoMountProvider(), sim)
    sim.store.clear_log()
    return provider  # type: ignore[no-any-return]


def keys_used(sim: SimServer) -> list[tuple[str | None, str | None]]:
    return [(call.operation, call.key_id) for call in sim.store.request_log()]


def mount_props(vps_id: str, iso_id: str, account: str | None) -> dict[str, Any]:
    return {"vps_id": vps_id, "iso_id": iso_id, "device": "ide2", "account": account}


@pytest.mark.parametrize(
    ("provider_type", "news"),
    [
        (VpsIsoMountProvider, mount_props(VPS_WEB_1, ISO_UBUNTU_2404, "nobody")),
        (
            VpsIsoImageProvider,
            {"vps_id": VPS_WEB_1, "url": "https://x.example/a.iso", "filename": "a.iso"},
        ),
        (VpsCdromDriveProvider, {"vps_id": VPS_WEB_1}),
    ],
)
def test_every_resource_refuses_an_unknown_account_at_check_with_no_request(
    provider_type: type[HostupProvider[Any]], news: dict[str, Any], sim: SimServer
) -> None:
    provider = configured(provider_type(), sim)
    sim.store.clear_log()
    result = provider.check({}, {**news, "account": "nobody"})
    assert [(f.property, f.reason) for f in result.failures] == [
        (
            "account",
            "account 'nobody' is not in hostup:accounts (configured: agency); run "
            "`pulumi config set --secret --path 'hostup:accounts.nobody.apiKey' <key>`",
        )
    ]
    assert sim.store.request_log() == []


def test_a_key_in_the_account_input_is_refused_and_not_repeated(
    mounts: VpsIsoMountProvider, sim: SimServer
) -> None:
    result = mounts.check({}, mount_props(VPS_OTHER_WEB_1, ISO_OTHER_FEDORA_41, OTHER_API_KEY))
    assert [f.property for f in result.failures] == ["account"]
    assert OTHER_API_KEY not in str([f.reason for f in result.failures])
    assert sim.store.request_log() == []


def test_a_named_account_mounts_with_its_own_key_and_state_holds_the_name(
    mounts: VpsIsoMountProvider, sim: SimServer
) -> None:
    news = mount_props(VPS_OTHER_WEB_1, ISO_OTHER_FEDORA_41, "agency")
    assert mounts.check({}, news).failures == []  # the live check reads as "agency"
    created = mounts.create(news)
    assert created.outs["account"] == "agency"
    assert OTHER_API_KEY not in json.dumps(created.outs)
    assert {key for _, key in keys_used(sim)} == {KEY_ID_OTHER}

    sim.store.clear_log()
    mounts.delete(created.id, created.outs)
    assert keys_used(sim)[-2:] == [
        ("unmountVpsIso", KEY_ID_OTHER),
        ("listVpsIsoMedia", KEY_ID_OTHER),
    ]


def test_the_default_key_cannot_reach_the_other_accounts_vps(mounts: VpsIsoMountProvider) -> None:
    with pytest.raises(HostupError, match="not found for this API key"):
        mounts.create(mount_props(VPS_OTHER_WEB_1, ISO_OTHER_FEDORA_41, None))


def test_accounts_do_not_share_a_cached_listing(
    mounts: VpsIsoMountProvider, sim: SimServer
) -> None:
    # The same VPS id read through two keys: the second read must go to the API, or one
    # account would see what only the other may (here: the other gets a 404 -> gone).
    assert mounts.read(f"{VPS_WEB_1}/ide2", {"account": None}) is not None
    gone = mounts.read(f"{VPS_WEB_1}/ide2", {"account": "agency"})
    assert gone.id is None
    assert keys_used(sim) == [("listVpsIsoMedia", KEY_ID_DEMO), ("listVpsIsoMedia", KEY_ID_OTHER)]


def test_another_account_name_is_an_update_that_rereads_through_it(
    mounts: VpsIsoMountProvider, sim: SimServer
) -> None:
    olds = mounts.create(mount_props(VPS_OTHER_WEB_1, ISO_OTHER_FEDORA_41, "agency")).outs
    diff = mounts.diff("x", olds, {**olds, "account": None})
    assert (diff.changes, diff.replaces) == (True, [])
    # The default key does not see that VPS: the update says so and writes nothing.
    sim.store.clear_log()
    with pytest.raises(HostupError, match="not found for this API key"):
        mounts.update("x", olds, {**olds, "account": None})
    assert [op for op, _ in keys_used(sim)] == ["listVpsIsoMedia"]


def test_an_image_moved_to_another_account_name_is_an_update(sim: SimServer) -> None:
    images = configured(VpsIsoImageProvider(), sim)
    olds = {
        "vps_id": VPS_OTHER_WEB_1,
        "iso_id": ISO_OTHER_FEDORA_41,
        "url": "https://x.example/f.iso",
        "filename": "f.iso",
        "decompress": None,
        "account": "agency",
    }
    diff = images.diff(f"{VPS_OTHER_WEB_1}/{ISO_OTHER_FEDORA_41}", olds, {**olds, "account": None})
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, [], False)
    sim.store.clear_log()
    with pytest.raises(HostupError, match="name the account that holds it"):
        images.update(f"{VPS_OTHER_WEB_1}/{ISO_OTHER_FEDORA_41}", olds, {**olds, "account": None})
    assert sim.store.request_log()[0].key_id == KEY_ID_DEMO
