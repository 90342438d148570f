"""What every hostup dynamic provider shares: settings, wording, process state.

A provider instance is pickled into each resource's state by reference, so it
carries nothing: :meth:`HostupProvider.configure` (or first use) builds a
:class:`~hostup.runtime.Runtime` in the provider process from stack config and
the environment, and subclasses build their core engine on it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Generic, TypeVar

import pulumi
from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider
from pulumi.output import Unknown

from hostup.errors import MountError
from hostup.rules import Wording, parse_mount_id
from hostup.runtime import Runtime
from hostup.settings import OPERATION_TIMEOUT, Setting, Settings

__all__ = [
    "PREVIEW_KEY",
    "PROVIDER_KEY",
    "PULUMI_WORDING",
    "HostupProvider",
    "drive_from_state",
    "is_unknown",
    "resolve_settings",
    "unknown_property_failures",
]

PROVIDER_KEY: Final = "__provider"
# Set by the program: whether this run is a preview. Check reads it and drops it,
# so it never reaches state. Only a preview needs check's live read: during `up`,
# create and update read the same listing and refuse with the same words, and
# the engine calls check one resource at a time, so a read there costs N
# round-trips in series (bench/README.md). Absent (older programs): a preview.
PREVIEW_KEY: Final = "__hostupPreview"

# How the core's refusals say "apply", "refresh" and where settings live, for Pulumi users.
PULUMI_WORDING: Final = Wording(
    apply="run `pulumi up` again",
    refresh="run `pulumi refresh`",
    owner="this stack",
    raise_timeout=f"raise it with `pulumi config set hostup:{OPERATION_TIMEOUT.name} <seconds>`",
    set_key="run `pulumi config set --secret hostup:apiKey <key>` or export HOSTUP_API_KEY",
)


def resolve_settings(config_get: Callable[[str], Any] | None = None) -> Settings:
    """Stack config ``hostup:*`` (via ``config_get``), then ``HOSTUP_*``, then defaults."""

    def lookup(name: str) -> object:
        return config_get(f"hostup:{name}") if config_get is not None else None

    def label(setting: Setting) -> str:
        return f"hostup:{setting.name} / {setting.env}"

    return Settings.resolve(lookup, label=label)


def is_unknown(value: object) -> bool:
    """Whether ``value`` is the engine's placeholder for a value known only after apply.

    The provider host hands such values over as ``pulumi.output.Unknown`` instances
    (from another resource's output at preview); older hosts and direct callers
    use the sentinel string ``pulumi.runtime.rpc.UNKNOWN``.
    """
    if isinstance(value, Unknown):
        return True
    return isinstance(value, str) and value == pulumi.runtime.rpc.UNKNOWN


def drive_from_state(id_: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """``(vps_id, device)`` from the state, else from the ID alone (``{vps_id}/{device}``).

    A :class:`MountError` says what is wrong with an ID that is not one.
    """
    vps_id, device = props.get("vps_id"), props.get("device")
    if isinstance(vps_id, str) and vps_id and isinstance(device, str) and device:
        id_ = f"{vps_id}/{device}"
    try:
        return parse_mount_id(id_)
    except ValueError as exc:
        raise MountError(str(exc)) from None


def unknown_property_failures(
    news: Mapping[str, Any], inputs: Iterable[str], resource: str, outputs: Iterable[str] = ()
) -> list[CheckFailure]:
    """A failure for each property the resource does not take (typos, stray keys).

    ``outputs`` are allowed too: the resource seeds them in its props (as None).
    """
    takes = tuple(inputs)
    allowed = {PROVIDER_KEY, PREVIEW_KEY, *takes, *outputs}
    return [
        CheckFailure(key, f"unknown property {key!r}: {resource} takes {', '.join(takes)}")
        for key in news
        if key not in allowed
    ]


EngineT = TypeVar("EngineT")


class HostupProvider(ResourceProvider, Generic[EngineT]):
    """Base of the hostup dynamic providers: nothing pickled, an engine per process.

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

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve credentials and settings from stack config (then the environment)."""
        engine = self.build(Runtime(resolve_settings(req.config.get), PULUMI_WORDING))
        with self._init_lock:
            self.__dict__["_hostup_engine"] = engine

    def build(self, runtime: Runtime) -> EngineT:
        """The core engine this provider works through."""
        raise NotImplementedError

    def engine(self) -> EngineT:
        """The engine :meth:`configure` built, or one built now from the environment alone."""
        built: EngineT | None = self.__dict__.get("_hostup_engine")
        if built is None:
            # Called without configure (direct use, tests): the environment decides.
            with self._init_lock:
                built = self.__dict__.get("_hostup_engine")
                if built is None:
                    built = self.build(Runtime(resolve_settings(), PULUMI_WORDING))
                    self.__dict__["_hostup_engine"] = built
        return built
