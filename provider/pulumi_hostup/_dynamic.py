"""What every hostup dynamic provider shares: settings, accounts, wording, process state.

A provider instance is pickled into each resource's state by reference, so it
carries nothing: :meth:`HostupProvider.configure` (or first use) resolves the
settings and the named accounts (``hostup:accounts``) in the provider process
from stack config and the environment, and builds one core engine per account
on first use, each on its own :class:`~hostup.runtime.Runtime`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Generic, TypeVar

import pulumi
from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider
from pulumi.output import Unknown

from hostup.accounts import ACCOUNTS, Accounts, account_name_problem
from hostup.errors import MountError
from hostup.rules import Wording, drive_id
from hostup.runtime import Runtime
from hostup.settings import OPERATION_TIMEOUT, Setting, Settings

__all__ = [
    "ACCOUNT_KEY",
    "PREVIEW_KEY",
    "PROVIDER_KEY",
    "PULUMI_WORDING",
    "HostupProvider",
    "account_of",
    "drive_from_state",
    "is_unknown",
    "resolve_accounts",
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
# The input every resource and look-up takes: the name of an entry of hostup:accounts.
ACCOUNT_KEY: Final = "account"

# How the core's refusals say "apply", "refresh" and where settings live, for Pulumi users.
PULUMI_WORDING: Final = Wording(
    apply="run `pulumi up` again",
    refresh="run `pulumi refresh`",
    owner="this stack",
    raise_timeout=f"raise it with `pulumi config set hostup:{OPERATION_TIMEOUT.name} <seconds>`",
    set_key="run `pulumi config set --secret hostup:apiKey <key>` or export HOSTUP_API_KEY",
    add_account="run `pulumi config set --secret --path 'hostup:accounts.{name}.apiKey' <key>`",
)


def resolve_settings(config_get: Callable[[str], Any] | None = None) -> Settings:
    """Stack config ``hostup:*`` (via ``config_get``), then ``HOSTUP_*``, then defaults."""

    def lookup(name: str) -> object:
        return config_get(f"hostup:{name}") if config_get is not None else None

    def label(setting: Setting) -> str:
        return f"hostup:{setting.name} / {setting.env}"

    return Settings.resolve(lookup, label=label)


def resolve_accounts(config_get: Callable[[str], Any] | None = None) -> Accounts:
    """The default settings (:func:`resolve_settings`) and the map ``hostup:accounts``."""
    raw = config_get(f"hostup:{ACCOUNTS}") if config_get is not None else None
    return Accounts.resolve(resolve_settings(config_get), raw, where=f"hostup:{ACCOUNTS}")


def account_of(props: Mapping[str, Any]) -> str | None:
    """The account a resource's props name; None (also for "") means the default."""
    value = props.get(ACCOUNT_KEY)
    if value is None or value == "":
        return None
    if not isinstance(value, str):  # check refuses it; a direct caller may not have checked
        raise MountError(account_name_problem(value) or "account must be a string")
    return value


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
    return drive_id(id_, props.get("vps_id"), props.get("device"))


def unknown_property_failures(
    news: Mapping[str, Any], inputs: Iterable[str], resource: str, outputs: Iterable[str] = ()
) -> list[CheckFailure]:
    """A failure for each property the resource does not take (typos, stray keys).

    ``outputs`` are allowed too: the resource seeds them in its props (as None).
    """
    takes = (*inputs, ACCOUNT_KEY)
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
        """Resolve credentials, settings and accounts from stack config, then the environment."""
        accounts = resolve_accounts(req.config.get)
        with self._init_lock:
            self.__dict__["_hostup_accounts"] = accounts
            self.__dict__["_hostup_engines"] = {}

    def build(self, runtime: Runtime) -> EngineT:
        """The core engine this provider works through."""
        raise NotImplementedError

    def accounts(self) -> Accounts:
        """What :meth:`configure` resolved, or what the environment alone gives."""
        accounts: Accounts | None = self.__dict__.get("_hostup_accounts")
        if accounts is None:
            # Called without configure (direct use, tests): the environment decides.
            with self._init_lock:
                accounts = self.__dict__.get("_hostup_accounts")
                if accounts is None:
                    accounts = resolve_accounts()
                    self.__dict__["_hostup_accounts"] = accounts
                    self.__dict__["_hostup_engines"] = {}
        return accounts

    def account_failures(self, news: Mapping[str, Any]) -> list[CheckFailure]:
        """A failure if ``news`` names an account that is not configured (no API call)."""
        account = news.get(ACCOUNT_KEY)
        if account is None or account == "" or is_unknown(account):
            return []
        problem = self.accounts().input_problem(account, PULUMI_WORDING.add_account)
        return [CheckFailure(ACCOUNT_KEY, problem)] if problem else []

    def engine(self, account: str | None = None) -> EngineT:
        """The engine of ``account`` (None: the default settings), built on first use.

        Raises :class:`~hostup.settings.SettingsError` for an account that is not
        configured. Each account has its own client, listing cache and locks.
        """
        accounts = self.accounts()
        engines: dict[str | None, EngineT] = self.__dict__["_hostup_engines"]
        built = engines.get(account)
        if built is None:
            settings = accounts.settings_for(account, PULUMI_WORDING.add_account)
            with self._init_lock:
                built = engines.get(account)
                if built is None:
                    built = self.build(Runtime(settings, PULUMI_WORDING))
                    engines[account] = built
        return built

    def engines(self) -> list[EngineT]:
        """Every engine built so far in this process."""
        self.accounts()
        return list(self.__dict__["_hostup_engines"].values())
