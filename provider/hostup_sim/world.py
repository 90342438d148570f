"""The simulator's data model and the documented demo world.

`build_world()` returns the same world every time: the ids below are fixed, so
examples, tests and benchmarks import them instead of listing VPSes first.

Accounts and keys (keys are fake and never look like real Hostup keys):

    account "demo":  DEMO_API_KEY       read:vm write:vm write:storage
                     READONLY_API_KEY   read:vm
                     NOSTORAGE_API_KEY  read:vm write:vm  (no write:storage)
    account "other": OTHER_API_KEY      read:vm write:vm write:storage

VPSes of "demo" (all CD/DVD slots empty unless said otherwise):

    web-1      ide2, bootOrder {"order": ["scsi0", "net0"]}
    web-2      ide2 holds Debian 12 netinst, bootOrder null
    db-1       cloud-init drive on ide0 (in mounted[], not a usable slot), ide2
    build-1    ide1, ide2, ide3
    pending-1  ide2; canMount closed with code pending_order; primaryIp null
    slow-1     ide2; answers 409 vps_not_ready to its first writes (Settings)
    bare-1     no CD/DVD slot at all (attach-empty gives it one)

VPS of "other": other-web-1 (ide2). Its library holds Fedora Server 41.
`build_world(extra_vps=N)` adds N VPSes named load-0001.. to "demo", each with
one empty ide2 slot, for load tests.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from dataclasses import asdict, dataclass, field
from typing import Any

ACCOUNT_DEMO = "demo"
ACCOUNT_OTHER = "other"

DEMO_API_KEY = "hsim_demo_7d1c0e5a9b3f4e21a8c6"
READONLY_API_KEY = "hsim_readonly_2b8e6f0c4d1a9e37"
NOSTORAGE_API_KEY = "hsim_nostorage_5f3a1c7e9d2b0846"
OTHER_API_KEY = "hsim_other_9e4d2a6c1b7f3e05"

# Key ids are what the request log records instead of the key itself.
KEY_ID_DEMO = "key_demo"
KEY_ID_READONLY = "key_demo_readonly"
KEY_ID_NOSTORAGE = "key_demo_nostorage"
KEY_ID_OTHER = "key_other"

SCOPE_READ_VM = "read:vm"
SCOPE_WRITE_VM = "write:vm"
SCOPE_WRITE_STORAGE = "write:storage"

VPS_WEB_1 = "vps_01jsim01yryzv6tw7jciwxwkth"
VPS_WEB_2 = "vps_01jsim02mexxudw5gpk4dj7vtm"
VPS_DB_1 = "vps_01jsim03nakqz7cfxvrkpilgxn"
VPS_BUILD_1 = "vps_01jsim045bck3rqmoljfjmt6oe"
VPS_PENDING_1 = "vps_01jsim05eypzxxbvwqj4zxuiw2"
VPS_SLOW_1 = "vps_01jsim06wzmlgisba75ikvk3oe"
VPS_BARE_1 = "vps_01jsim07ywqzh23xe4fo5yqltm"
VPS_OTHER_WEB_1 = "vps_01jsim08khsonslb5xr26xx4n5"

ISO_UBUNTU_2404 = "iso_01jsim012nd3egqttszsl52kmj"
ISO_DEBIAN_12 = "iso_01jsim02zltgv7rqk7sowvj5cy"
ISO_ALPINE_320 = "iso_01jsim03iglwuatbza4tjub2dr"
ISO_SYSTEMRESCUE = "iso_01jsim04ysr3uybwqpjsw3qjkl"
ISO_VIRTIO_WIN = "iso_01jsim05aghx5y7i5e4kns7m47"
ISO_TOOLS = "iso_01jsim067hjv2q3xbu4qsktghz"
ISO_OTHER_FEDORA_41 = "iso_01jsim072cqxrqko6md642zkjs"

DEVICES = ("ide0", "ide1", "ide2", "ide3")
DEFAULT_DEVICE = "ide2"  # what mount, unmount and drift mean without a device
CLOUD_INIT_DEVICE = "ide0"

_ID_BODY_LEN = 26
_ID_ALPHABET = string.ascii_lowercase + string.digits


def random_id(prefix: str) -> str:
    """`<prefix>_<26 lowercase alphanumerics>`, like the API's ids."""
    return prefix + "_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_BODY_LEN))


def extra_vps_id(n: int) -> str:
    """The id of the n-th (1-based) load-test VPS added by build_world(extra_vps=...)."""
    digest = base64.b32encode(hashlib.sha256(f"load-{n}".encode()).digest()).decode().lower()
    # "x" sorts after the digits of the named VPSes, so load VPSes list last.
    return f"vps_{(f'01jsimx{n:05d}' + digest)[:_ID_BODY_LEN]}"


@dataclass
class Gate:
    """actions.canMount / canUpload."""

    allowed: bool = True
    reason: str | None = None
    code: str | None = None


@dataclass
class ApiKey:
    key_id: str
    secret: str
    account: str
    scopes: list[str]


@dataclass
class Iso:
    id: str
    account: str
    name: str | None
    display_name: str | None
    size_gb: float
    format: str | None = "iso"


@dataclass
class Vps:
    id: str
    account: str
    name: str
    primary_ip: str | None
    service_status: str = "active"
    power_state: str | None = "running"
    cdrom_devices: list[str] = field(default_factory=lambda: ["ide2"])
    media: dict[str, str] = field(default_factory=dict)  # device -> iso id
    cloud_init_device: str | None = None
    boot_order: list[str] | None = None
    can_mount: Gate = field(default_factory=Gate)
    can_upload: Gate = field(default_factory=Gate)
    not_ready_requests: int = 0
    not_ready_until: float = 0.0  # epoch seconds, so it survives a restart


@dataclass
class Job:
    id: str
    account: str
    kind: str  # "download" or "mount"
    created_at: float  # epoch seconds
    duration: float
    params: dict[str, Any]
    status: str = "queued"  # queued | in_progress | completed | failed
    result: dict[str, Any] | None = None


@dataclass
class World:
    """Everything the API can see or change; JSON round-trips via to_json/from_json."""

    keys: list[ApiKey] = field(default_factory=list)
    vpses: dict[str, Vps] = field(default_factory=dict)
    isos: dict[str, Iso] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "keys": [asdict(k) for k in self.keys],
            "vpses": [asdict(v) for v in self.vpses.values()],
            "isos": [asdict(i) for i in self.isos.values()],
            "jobs": [asdict(j) for j in self.jobs.values()],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> World:
        vpses: dict[str, Vps] = {}
        for raw in data["vpses"]:
            fields = dict(raw)
            fields["can_mount"] = Gate(**fields["can_mount"])
            fields["can_upload"] = Gate(**fields["can_upload"])
            vpses[fields["id"]] = Vps(**fields)
        return cls(
            keys=[ApiKey(**k) for k in data["keys"]],
            vpses=vpses,
            isos={i["id"]: Iso(**i) for i in data["isos"]},
            jobs={j["id"]: Job(**j) for j in data["jobs"]},
        )


def demo_library() -> list[Iso]:
    """The ISO library of the demo account."""
    return [
        Iso(
            ISO_UBUNTU_2404,
            ACCOUNT_DEMO,
            "ubuntu-24.04.1-live-server-amd64.iso",
            "Ubuntu 24.04 LTS",
            2.6,
        ),
        Iso(
            ISO_DEBIAN_12,
            ACCOUNT_DEMO,
            "debian-12.8.0-amd64-netinst.iso",
            "Debian 12 (netinst)",
            0.63,
        ),
        Iso(
            ISO_ALPINE_320,
            ACCOUNT_DEMO,
            "alpine-virt-3.20.3-x86_64.iso",
            "Alpine Linux 3.20 (virt)",
            0.06,
        ),
        Iso(
            ISO_SYSTEMRESCUE,
            ACCOUNT_DEMO,
            "systemrescue-11.02-amd64.iso",
            "SystemRescue 11.02",
            0.85,
        ),
        Iso(
            ISO_VIRTIO_WIN,
            ACCOUNT_DEMO,
            "virtio-win-0.1.262.iso",
            "Windows VirtIO drivers 0.1.262",
            0.7,
        ),
        # A user upload: the nullable fields really are null, as the contract allows.
        Iso(ISO_TOOLS, ACCOUNT_DEMO, "tools.iso", None, 0.01, None),
    ]


def build_world(
    *, extra_vps: int = 0, slow_requests: int = 2, slow_seconds: float = 0.0, now: float = 0.0
) -> World:
    """The demo world; slow-1 is not ready for `slow_requests` writes or until now+slow_seconds."""
    keys = [
        ApiKey(
            KEY_ID_DEMO,
            DEMO_API_KEY,
            ACCOUNT_DEMO,
            [SCOPE_READ_VM, SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE],
        ),
        ApiKey(KEY_ID_READONLY, READONLY_API_KEY, ACCOUNT_DEMO, [SCOPE_READ_VM]),
        ApiKey(KEY_ID_NOSTORAGE, NOSTORAGE_API_KEY, ACCOUNT_DEMO, [SCOPE_READ_VM, SCOPE_WRITE_VM]),
        ApiKey(
            KEY_ID_OTHER,
            OTHER_API_KEY,
            ACCOUNT_OTHER,
            [SCOPE_READ_VM, SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE],
        ),
    ]
    pending_gate = Gate(
        allowed=False,
        reason="The VPS has a pending order. Media can be mounted once it is delivered.",
        code="pending_order",
    )
    vpses = [
        Vps(VPS_WEB_1, ACCOUNT_DEMO, "web-1", "203.0.113.10", boot_order=["scsi0", "net0"]),
        Vps(VPS_WEB_2, ACCOUNT_DEMO, "web-2", "203.0.113.11", media={"ide2": ISO_DEBIAN_12}),
        Vps(
            VPS_DB_1,
            ACCOUNT_DEMO,
            "db-1",
            "203.0.113.20",
            cloud_init_device=CLOUD_INIT_DEVICE,
            boot_order=["scsi0"],
        ),
        Vps(
            VPS_BUILD_1,
            ACCOUNT_DEMO,
            "build-1",
            "203.0.113.30",
            cdrom_devices=["ide1", "ide2", "ide3"],
            boot_order=["scsi0", "net0"],
        ),
        Vps(
            VPS_PENDING_1,
            ACCOUNT_DEMO,
            "pending-1",
            None,
            service_status="pending",
            power_state="provisioning",
            can_mount=pending_gate,
        ),
        Vps(
            VPS_SLOW_1,
            ACCOUNT_DEMO,
            "slow-1",
            "203.0.113.40",
            power_state="starting",
            not_ready_requests=slow_requests,
            not_ready_until=now + slow_seconds if slow_seconds > 0 else 0.0,
        ),
        Vps(VPS_BARE_1, ACCOUNT_DEMO, "bare-1", "203.0.113.50", power_state=None, cdrom_devices=[]),
        Vps(VPS_OTHER_WEB_1, ACCOUNT_OTHER, "other-web-1", "198.51.100.10"),
    ]
    for n in range(1, extra_vps + 1):
        # 198.18.0.0/15 is the benchmarking range; 250 hosts per /24.
        ip = f"198.18.{(n - 1) // 250}.{(n - 1) % 250 + 1}"
        vpses.append(Vps(extra_vps_id(n), ACCOUNT_DEMO, f"load-{n:04d}", ip, boot_order=["scsi0"]))
    isos = [
        *demo_library(),
        Iso(
            ISO_OTHER_FEDORA_41,
            ACCOUNT_OTHER,
            "Fedora-Server-dvd-x86_64-41-1.4.iso",
            "Fedora Server 41",
            2.5,
        ),
    ]
    return World(keys=keys, vpses={v.id: v for v in vpses}, isos={i.id: i for i in isos})
