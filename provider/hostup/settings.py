"""The settings every front-end reads, with one precedence.

For each setting: an explicit value (a keyword argument, an OpenTofu provider
block), else the front-end's config lookup (Pulumi stack config ``hostup:<name>``),
else the environment variable, else the default. Blank strings count as unset.
The Pulumi provider, the program-side look-ups and ``HostupClient.from_env`` all
resolve through :meth:`Settings.resolve`.

The API key lives only in a :class:`Settings` inside the process that resolved
it; ``repr`` says whether it is set, never what it is.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from .contract import DEFAULT_ENDPOINT
from .errors import ConfigurationError

__all__ = [
    "API_KEY",
    "ENDPOINT",
    "LISTING_CACHE_SECONDS",
    "OPERATION_TIMEOUT",
    "Setting",
    "Settings",
    "SettingsError",
]


class SettingsError(ConfigurationError):
    """A setting has a value that cannot be used; the message names the setting."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Setting:
    """One setting: its config name (camelCase, as in ``hostup:<name>``) and variable."""

    name: str
    env: str


API_KEY: Final = Setting("apiKey", "HOSTUP_API_KEY")
ENDPOINT: Final = Setting("endpoint", "HOSTUP_ENDPOINT")
OPERATION_TIMEOUT: Final = Setting("operationTimeout", "HOSTUP_OPERATION_TIMEOUT")
LISTING_CACHE_SECONDS: Final = Setting("listingCacheSeconds", "HOSTUP_LISTING_CACHE_SECONDS")

DEFAULT_OPERATION_TIMEOUT: Final = 300.0
# A listing read this recently answers other calls of the same run (refresh of
# several mounts on one VPS, create right after check). Our own writes drop it.
DEFAULT_LISTING_CACHE_SECONDS: Final = 10.0

Lookup = Callable[[str], object]


@dataclass(frozen=True, repr=False)
class Settings:
    """What one process resolved: credentials, endpoint and time budgets."""

    api_key: str | None
    endpoint: str = DEFAULT_ENDPOINT
    operation_timeout: float = DEFAULT_OPERATION_TIMEOUT
    listing_cache_seconds: float = DEFAULT_LISTING_CACHE_SECONDS

    def __repr__(self) -> str:
        key = "set" if self.api_key else "missing"
        return (
            f"Settings(api_key=<{key}>, endpoint={self.endpoint!r}, "
            f"operation_timeout={self.operation_timeout:g}, "
            f"listing_cache_seconds={self.listing_cache_seconds:g})"
        )

    @classmethod
    def resolve(
        cls,
        lookup: Lookup | None = None,
        *,
        label: Callable[[Setting], str] | None = None,
        environ: Mapping[str, str] | None = None,
        api_key: str | None = None,
        endpoint: str | None = None,
        operation_timeout: float | None = None,
        listing_cache_seconds: float | None = None,
    ) -> Settings:
        """Resolve every setting: explicit keyword, ``lookup(name)``, environment, default.

        ``label`` names a setting in error messages the way the front-end's users
        write it (default ``hostup:<name> / HOSTUP_<NAME>``). Raises
        :class:`SettingsError` for a time budget that is not a number >= 0.
        An operation timeout of 0 means the default.
        """
        env = os.environ if environ is None else environ
        name_of = label or _default_label

        def text(setting: Setting, explicit: object) -> str | None:
            for value in (explicit, lookup(setting.name) if lookup else None):
                if value is not None and str(value).strip():
                    return str(value).strip()
            return env.get(setting.env, "").strip() or None

        def seconds(setting: Setting, explicit: float | None, default: float) -> float:
            raw = text(setting, explicit)
            if raw is None:
                return default
            try:
                value = float(raw)
            except ValueError:
                raise SettingsError(
                    f"{name_of(setting)} must be a number of seconds, got {raw[:40]!r}"
                ) from None
            if not (math.isfinite(value) and value >= 0):
                raise SettingsError(f"{name_of(setting)} must be a number >= 0")
            return value

        timeout = seconds(OPERATION_TIMEOUT, operation_timeout, DEFAULT_OPERATION_TIMEOUT)
        return cls(
            api_key=text(API_KEY, api_key),
            endpoint=text(ENDPOINT, endpoint) or DEFAULT_ENDPOINT,
            operation_timeout=timeout if timeout > 0 else DEFAULT_OPERATION_TIMEOUT,
            listing_cache_seconds=seconds(
                LISTING_CACHE_SECONDS, listing_cache_seconds, DEFAULT_LISTING_CACHE_SECONDS
            ),
        )


def _default_label(setting: Setting) -> str:
    return f"hostup:{setting.name} / {setting.env}"
