"""``VpsIsoMount``: a Pulumi dynamic resource for one ISO mounted on one Hostup VPS.

A thin adapter: each provider method turns Pulumi's dicts into calls of the core's
mount engine (:mod:`hostup.mounts`) and its answers back into Pulumi's results.
The rules, the waits and the API calls all live in the core.

The engine pickles :class:`VpsIsoMountProvider` with dill into every resource's
state. It is pickled by reference (this module must never move, and the class
never be renamed) and carries nothing: credentials, HTTP sessions, locks and the
listing cache live only in the provider process, set up by :meth:`configure` or
on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from hostup.contract import DEFAULT_DEVICE
from hostup.errors import MountError
from hostup.mounts import MountEngine, MountState
from hostup.rules import Wording, device_input_problem, id_input_problem, parse_mount_id
from hostup.runtime import Runtime
from hostup.settings import OPERATION_TIMEOUT, Setting, Settings

__all__ = ["VpsIsoMount", "VpsIsoMountArgs", "VpsIsoMountError", "VpsIsoMountProvider"]

TYPE_NAME: Final = "VpsIsoMount"
MODULE: Final = "hostup"  # with TYPE_NAME: pulumi-python:dynamic/hostup:VpsIsoMount

INPUTS: Final = ("vps_id", "iso_id", "device")
_ID_INPUTS: Final[tuple[Literal["vps_id", "iso_id"], ...]] = ("vps_id", "iso_id")
OUTPUTS: Final = ("iso_name", "iso_display_name", "iso_size_gb", "boot_order", "adopted")
# vps_id and device are the identity (the ID is "{vps_id}/{device}"); iso_id is not.
REPLACE_ON: Final = ("vps_id", "device")
_PROVIDER_KEY: Final = "__provider"
# Set by the program: whether this run is a preview. Check reads it and drops it,
# so it never reaches state. Only a preview needs check's live read: during `up`,
# create and update read the same listing and refuse with the same words, and
# the engine calls check one resource at a time, so a read there costs N
# round-trips in series (bench/README.md). Absent (older programs): a preview.
_PREVIEW_KEY: Final = "__hostupPreview"

# How the core's refusals say "apply", "refresh" and where settings live, for Pulumi users.
PULUMI_WORDING: Final = Wording(
    apply="run `pulumi up` again",
    refresh="run `pulumi refresh`",
    owner="this stack",
    raise_timeout=f"raise it with `pulumi config set hostup:{OPERATION_TIMEOUT.name} <seconds>`",
    set_key="run `pulumi config set --secret hostup:apiKey <key>` or export HOSTUP_API_KEY",
)

# The error users of 0.1 catch; the core raises it under its own name.
VpsIsoMountError = MountError


def resolve_settings(config_get: Callable[[str], Any] | None = None) -> Settings:
    """Stack config ``hostup:*`` (via ``config_get``), then ``HOSTUP_*``, then defaults."""

    def lookup(name: str) -> object:
        return config_get(f"hostup:{name}") if config_get is not None else None

    def label(setting: Setting) -> str:
        return f"hostup:{setting.name} / {setting.env}"

    return Settings.resolve(lookup, label=label)


# -- the provider ------------------------------------------------------------------------


class VpsIsoMountProvider(ResourceProvider):
    """Create, read, update and delete one ISO mount through the core's mount engine.

    Thread-safe: the provider host calls one instance from up to 4 threads.
    """

    # The pickled provider is a bare class reference (no secret is ever on the
    # instance), so a plain blob keeps state small and diffable.
    serialize_as_secret_always = False

    _init_lock: threading.Lock = threading.Lock()  # class attribute: never pickled

    def __init__(self) -> None:
        super().__init__()

    # Pickle nothing of the instance: whatever configure() set up stays in this process.
    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- process state --

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve credentials and settings from stack config (then the environment)."""
        engine = MountEngine(Runtime(resolve_settings(req.config.get), PULUMI_WORDING))
        with self._init_lock:
            self.__dict__["_mount_engine"] = engine

    def _engine(self) -> MountEngine:
        engine = self.__dict__.get("_mount_engine")
        if engine is None:
            # Called without configure (direct use, tests): the environment decides.
            with self._init_lock:
                engine = self.__dict__.get("_mount_engine")
                if engine is None:
                    engine = MountEngine(Runtime(resolve_settings(), PULUMI_WORDING))
                    self.__dict__["_mount_engine"] = engine
        assert isinstance(engine, MountEngine)
        return engine

    def forget_cached_listings(self) -> None:
        """Drop every cached listing, so the next call reads the API afresh."""
        self._engine().runtime.listings.clear()

    # -- check --

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs; never raises. Live checks only for new or changed mounts, at preview."""
        failures: list[CheckFailure] = []
        inputs: dict[str, Any] = {}
        for key in news:
            if key in (_PROVIDER_KEY, _PREVIEW_KEY) or key in INPUTS or key in OUTPUTS:
                continue
            failures.append(
                CheckFailure(
                    key,
                    f"unknown property {key!r}: VpsIsoMount takes vps_id, iso_id and device",
                )
            )
        for key in _ID_INPUTS:
            value = news.get(key)
            problem = None if _is_unknown(value) else id_input_problem(key, value)
            if problem:
                failures.append(CheckFailure(key, problem))
            inputs[key] = value
        device = news.get("device")
        if device is None:
            device = DEFAULT_DEVICE
        problem = None if _is_unknown(device) else device_input_problem(device)
        if problem:
            failures.append(CheckFailure("device", problem))
        inputs["device"] = device
        if failures or any(_is_unknown(inputs[key]) for key in INPUTS):
            return CheckResult(inputs, failures)
        olds = _olds or {}
        if all(olds.get(key) == inputs[key] for key in INPUTS):
            return CheckResult(inputs, [])  # steady state: no API call
        if news.get(_PREVIEW_KEY) is False:
            return CheckResult(inputs, [])  # `up`: create and update validate live
        vps_id, iso_id = inputs["vps_id"], inputs["iso_id"]
        stack_mounted = olds.get("vps_id") == vps_id and olds.get("device") == device
        try:
            problems = self._engine().preview_problems(
                vps_id, iso_id, device, stack_mounted=stack_mounted
            )
        except Exception as exc:  # never fail a preview on our own bug or a bad answer
            self._engine().warn(f"skipped the live check of {vps_id}/{device}: {exc}")
            return CheckResult(inputs, [])
        return CheckResult(inputs, [CheckFailure(p.field, p.message) for p in problems])

    # -- diff --

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Pure: vps_id or device changed -> replace; iso_id changed -> update."""
        changed = [
            key
            for key in INPUTS
            if _is_unknown(news.get(key)) or _input(news, key) != _input(olds, key)
        ]
        replaces = [key for key in changed if key in REPLACE_ON]
        return DiffResult(changes=bool(changed), replaces=replaces)

    # -- create, read, update, delete --

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Mount (or adopt an identical mount); at most 3 API calls in the plain case."""
        vps_id, iso_id, device = _identity(props)
        state = self._engine().ensure_mounted(vps_id, iso_id, device)
        return CreateResult(state.id, _outputs(state))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """One listing read (shared per VPS within a run); gone -> ``ReadResult(None, {})``."""
        vps_id, device = _parse_id(id_, props)
        state = self._engine().read(vps_id, device, adopted=props.get("adopted"))
        if state is None:
            return ReadResult(None, {})
        outs = _outputs(state)
        return ReadResult(state.id, outs, inputs={key: outs[key] for key in INPUTS})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Mount the new ISO on the same device; roll back to the old one on failure."""
        vps_id, iso_id, device = _identity(news)
        state = self._engine().ensure_mounted(
            vps_id,
            iso_id,
            device,
            previous_iso=_input(olds, "iso_id"),
            adopted=olds.get("adopted"),
        )
        return UpdateResult(_outputs(state))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Unmount only the ISO this resource recorded; VPS gone or device empty is done."""
        vps_id, device = _parse_id(id_, props)
        self._engine().ensure_unmounted(vps_id, device, _input(props, "iso_id"))


# -- the resource ---------------------------------------------------------------------


@dataclass
class VpsIsoMountArgs:
    """The inputs of :class:`VpsIsoMount`."""

    vps_id: pulumi.Input[str]
    """The VPS (``vps_...`` from GET /api/v2/vps). Changing it replaces the mount."""
    iso_id: pulumi.Input[str]
    """The ISO (``available[].id`` of the VPS's ISO listing). Changing it remounts in place."""
    device: pulumi.Input[str] | None = None
    """The CD/DVD device, ``ide0``..``ide3`` (default ``ide2``). Changing it replaces."""


class VpsIsoMount(pulumi.dynamic.Resource, module=MODULE, name=TYPE_NAME):
    """An ISO mounted on a Hostup VPS's CD/DVD device. ID: ``{vps_id}/{device}``."""

    vps_id: pulumi.Output[str]
    iso_id: pulumi.Output[str]
    device: pulumi.Output[str]
    iso_name: pulumi.Output[str | None]
    """The ISO's file name, from the listing."""
    iso_display_name: pulumi.Output[str | None]
    """The ISO's display name, from the listing."""
    iso_size_gb: pulumi.Output[float | None]
    """The ISO's size in GB, from the listing."""
    boot_order: pulumi.Output[dict[str, Any] | None]
    """The VPS's boot order as the listing reports it (an opaque mapping)."""
    adopted: pulumi.Output[bool | None]
    """True when create found this ISO already on the device and took it over (no mount
    request); False when this resource mounted it; None in states written before 0.2.
    Adopted or not, the mount is this resource's: destroy unmounts it."""

    def __init__(
        self,
        resource_name: str,
        args: VpsIsoMountArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        vps_id: pulumi.Input[str] | None = None,
        iso_id: pulumi.Input[str] | None = None,
        device: pulumi.Input[str] | None = None,
    ) -> None:
        if args is not None:
            vps_id = args.vps_id if vps_id is None else vps_id
            iso_id = args.iso_id if iso_id is None else iso_id
            device = args.device if device is None else device
        props: dict[str, Any] = {
            "vps_id": vps_id,
            "iso_id": iso_id,
            "device": DEFAULT_DEVICE if device is None else device,
        }
        # Seeded so the engine resolves them from create's outputs (else unknown).
        props.update(dict.fromkeys(OUTPUTS))
        props[_PREVIEW_KEY] = pulumi.runtime.is_dry_run()
        super().__init__(VpsIsoMountProvider(), resource_name, props, opts)


# -- helpers ----------------------------------------------------------------------------


def _is_unknown(value: object) -> bool:
    return isinstance(value, str) and value == pulumi.runtime.rpc.UNKNOWN


def _input(props: Mapping[str, Any], key: str) -> Any:
    value = props.get(key)
    if key == "device" and value is None:
        return DEFAULT_DEVICE
    return value


def _identity(props: Mapping[str, Any]) -> tuple[str, str, str]:
    """The checked inputs; a :class:`MountError` if check was bypassed with bad ones."""
    vps_id, iso_id, device = (_input(props, key) for key in INPUTS)
    for problem in (
        id_input_problem("vps_id", vps_id),
        id_input_problem("iso_id", iso_id),
        device_input_problem(device),
    ):
        if problem:
            raise MountError(problem)
    return vps_id, iso_id, device


def _parse_id(id_: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """vps_id and device from the state, else from the ID alone (``{vps_id}/{device}``)."""
    vps_id, device = props.get("vps_id"), props.get("device")
    if isinstance(vps_id, str) and vps_id and isinstance(device, str) and device:
        id_ = f"{vps_id}/{device}"
    try:
        return parse_mount_id(id_)
    except ValueError as exc:
        raise MountError(str(exc)) from None


def _outputs(state: MountState) -> dict[str, Any]:
    return {
        "vps_id": state.vps_id,
        "iso_id": state.iso_id,
        "device": state.device,
        "iso_name": state.iso_name,
        "iso_display_name": state.iso_display_name,
        "iso_size_gb": state.iso_size_gb,
        "boot_order": state.boot_order,
        "adopted": state.adopted,
    }
