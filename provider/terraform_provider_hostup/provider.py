"""The provider: its block (``api_key``, ``endpoint``, ``operation_timeout``) and the
engines of one provider process.

Settings resolve through the core's :meth:`hostup.settings.Settings.resolve`: the
provider block, else ``HOSTUP_API_KEY`` / ``HOSTUP_ENDPOINT`` /
``HOSTUP_OPERATION_TIMEOUT``, else the defaults. Several accounts are provider
aliases, each with its own block. tofu keeps no provider configuration in state,
so the key lives only in this process.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Final

from hostup.settings import API_KEY, ENDPOINT, OPERATION_TIMEOUT, Setting, Settings, SettingsError

from ._framework import TOFU_WORDING, known, warn

if TYPE_CHECKING:
    from hostup.drives import DriveEngine
    from hostup.images import ImageEngine
    from hostup.mounts import MountEngine
    from hostup.runtime import Runtime

__all__ = ["ADDRESS", "HostupProvider"]

# The source address users write (`source = "hostup/hostup"`), on tofu's default registry
# host: dev_overrides and the filesystem mirror use this one name.
REGISTRY_HOST: Final = "registry.opentofu.org"
NAMESPACE: Final = "hostup"
TYPE: Final = "hostup"
ADDRESS: Final = f"{REGISTRY_HOST}/{NAMESPACE}/{TYPE}"

_BLOCK_NAMES: Final = {
    API_KEY: "api_key",
    ENDPOINT: "endpoint",
    OPERATION_TIMEOUT: "operation_timeout",
}


def _label(setting: Setting) -> str:
    name = _BLOCK_NAMES.get(setting)
    return f"{name} (provider block) / {setting.env}" if name else setting.env


def resolve_settings(config: dict[str, Any], environ: dict[str, str] | None = None) -> Settings:
    """The provider block's values, else the environment, else the defaults."""
    timeout = known(config.get("operation_timeout"))
    return Settings.resolve(
        label=_label,
        environ=environ,
        api_key=known(config.get("api_key")),
        endpoint=known(config.get("endpoint")),
        operation_timeout=timeout,
    )


class HostupProvider:
    """The ``tf`` framework's Provider for ``hostup/hostup``; one per process, thread-safe.

    The framework calls ``configure_provider`` once per process before any resource
    call; the engines are built on first use and shared by every call of the process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings: Settings | None = None
        self._runtime: Runtime | None = None
        self._engines: dict[str, Any] = {}
        self._closed = False

    def __repr__(self) -> str:
        return f"HostupProvider({self._settings!r})"

    # -- the framework's Provider interface --

    def get_model_prefix(self) -> str:
        return "hostup_"

    def full_name(self) -> str:
        return ADDRESS

    def get_provider_schema(self, diags: Any) -> Any:
        from tf.schema import Attribute, Schema
        from tf.types import Number, String

        return Schema(
            attributes=[
                Attribute(
                    "api_key",
                    String(),
                    description="Hostup API key (scopes read:vm, write:vm, write:storage). "
                    "Default: the HOSTUP_API_KEY environment variable.",
                    optional=True,
                    sensitive=True,
                ),
                Attribute(
                    "endpoint",
                    String(),
                    description="API root. Plain http only to a loopback address (the "
                    "simulator). Default: HOSTUP_ENDPOINT, else https://cloud.hostup.se.",
                    optional=True,
                ),
                Attribute(
                    "operation_timeout",
                    Number(),
                    description="Seconds one create, update, delete or read may take in all, "
                    "retries included. Default: HOSTUP_OPERATION_TIMEOUT, else 300.",
                    optional=True,
                ),
            ]
        )

    def validate_config(self, diags: Any, config: dict[str, Any]) -> None:
        """Offline: the time budget is a number >= 0 (the key and endpoint are checked on use)."""
        try:
            resolve_settings(config, environ={})
        except SettingsError as exc:
            diags.add_error(str(exc), path=["operation_timeout"])

    def configure_provider(self, diags: Any, config: dict[str, Any]) -> None:
        try:
            settings = resolve_settings(config)
        except SettingsError as exc:
            diags.add_error(str(exc), path=["operation_timeout"])
            return
        with self._lock:
            self._settings = settings
            self._runtime = None
            self._engines.clear()

    def get_resources(self) -> list[type[Any]]:
        from .cdrom_drive import VpsCdromDrive
        from .iso_image import VpsIsoImage
        from .iso_mount import VpsIsoMount

        return [VpsIsoMount, VpsIsoImage, VpsCdromDrive]

    def get_data_sources(self) -> list[type[Any]]:
        from .data_sources import IsoDataSource, VpsDataSource

        return [VpsDataSource, IsoDataSource]

    def get_functions(self) -> list[type[Any]]:
        return []

    def new_resource(self, klass: type[Any]) -> Any:
        return klass(self)

    def new_data_source(self, klass: type[Any]) -> Any:
        return klass(self)

    def new_function(self, klass: type[Any]) -> Any:
        return klass(self)

    # -- the core --

    def runtime(self) -> Runtime:
        """The process's :class:`~hostup.runtime.Runtime` (from the environment if unconfigured)."""
        from hostup.errors import MountError
        from hostup.runtime import Runtime

        with self._lock:
            if self._closed:
                raise MountError("this provider process is shutting down (run the command again)")
            if self._runtime is None:
                settings = self._settings or resolve_settings({})
                self._runtime = Runtime(settings, TOFU_WORDING, warn=warn)
            return self._runtime

    def close_for_exit(self) -> bool:
        """After the server stopped: True when the process may end without waiting for
        anything (no write of the core in progress; none can start after this), False
        while a call is still writing, which the interpreter's normal exit then waits
        for."""
        with self._lock:
            if self._runtime is not None and not self._runtime.close_if_idle():
                return False
            self._closed = True
            return True

    def _engine(self, kind: str, build: Any) -> Any:
        runtime = self.runtime()
        with self._lock:
            if kind not in self._engines:
                self._engines[kind] = build(runtime)
            return self._engines[kind]

    def mounts(self) -> MountEngine:
        from hostup.mounts import MountEngine

        engine: MountEngine = self._engine("mounts", MountEngine)
        return engine

    def images(self) -> ImageEngine:
        from hostup.images import ImageEngine

        engine: ImageEngine = self._engine("images", ImageEngine)
        return engine

    def drives(self) -> DriveEngine:
        from hostup.drives import DriveEngine

        engine: DriveEngine = self._engine("drives", DriveEngine)
        return engine
