"""Named Hostup accounts: several API keys in one configuration.

A front-end's configuration may hold a map of named accounts::

    {"agency": {"apiKey": "...", "endpoint": "https://..."}, "client-b": {"apiKey": "..."}}

(for Pulumi, the secret stack config ``hostup:accounts``). A resource's or a
look-up's ``account`` input names one entry; no name means the default settings
(``hostup:apiKey``, ``HOSTUP_API_KEY``). An entry without ``endpoint`` uses the
default endpoint; time budgets are shared.

Only names ever leave the process: state records the account's name, and
messages name accounts and the keys of the map, never a value. A name that
equals a configured API key (a key pasted into ``account``) is refused without
being repeated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from .settings import Settings, SettingsError

__all__ = ["ACCOUNTS", "ACCOUNT_FIELDS", "Accounts", "account_name_problem"]

# The config name of the map (``hostup:accounts`` for Pulumi).
ACCOUNTS: Final = "accounts"
# What one entry may hold.
ACCOUNT_FIELDS: Final = ("apiKey", "endpoint")
# Letters, digits, '-' and '_': a name that works in `pulumi config set --path
# 'hostup:accounts.<name>.apiKey'` and in any file name or log line.
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}\Z")


def account_name_problem(value: object) -> str | None:
    """Why ``value`` cannot name an account, or None. Never repeats the value."""
    if not isinstance(value, str):
        return f"account must be a string naming an account, got {type(value).__name__}"
    if not _NAME.match(value):
        return (
            "account must be an account's name: letters, digits, '-' and '_', "
            "at most 63 characters, starting with a letter or digit"
        )
    return None


@dataclass(frozen=True, repr=False)
class Accounts:
    """The default settings and the named accounts one process resolved.

    Never raises while resolving: a map that cannot be used is reported when an
    account is asked for, so a stack that names no account is not affected.
    """

    default: Settings
    named: Mapping[str, Settings] = field(default_factory=dict)
    broken: Mapping[str, str] = field(default_factory=dict)
    """Entries that cannot be used: name -> why."""
    problem: str | None = None
    """Why the whole map cannot be used, if it cannot."""
    where: str = ACCOUNTS
    """How the front-end's users name the map (``hostup:accounts``)."""

    def __repr__(self) -> str:
        names = ", ".join(sorted([*self.named, *self.broken])) or "none"
        return f"Accounts(default={self.default!r}, accounts=[{names}])"

    @classmethod
    def resolve(cls, default: Settings, raw: object, *, where: str = ACCOUNTS) -> Accounts:
        """Parse ``raw`` (a mapping, its JSON text, or None) against ``default``.

        ``where`` is how messages name the map, e.g. ``hostup:accounts``.
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return cls(default, where=where)
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = None
        if not isinstance(raw, Mapping):
            # Never quote it: it holds keys.
            return cls(default, problem=f"{where} is not a map of accounts", where=where)
        named: dict[str, Settings] = {}
        broken: dict[str, str] = {}
        for name, entry in raw.items():
            if account_name_problem(name):
                continue  # cannot be asked for: account inputs are checked by the same rule
            why = _entry_problem(entry)
            if why:
                broken[name] = f"{where}.{name} {why}"
                continue
            endpoint = str(entry.get("endpoint") or "").strip() or default.endpoint
            named[name] = replace(default, api_key=str(entry["apiKey"]).strip(), endpoint=endpoint)
        return cls(default, named, broken, where=where)

    def names(self) -> list[str]:
        """The names of the usable accounts, sorted."""
        return sorted(self.named)

    def input_problem(self, account: object, how_to_add: str) -> str | None:
        """Why a resource cannot use ``account`` (None: the default), or None.

        ``how_to_add`` is the front-end's phrase, with ``{name}`` for the name.
        """
        if account is None:
            return None
        problem = account_name_problem(account)
        if problem:
            return problem
        assert isinstance(account, str)
        if self._is_a_key(account):
            return "account must name an account, not hold an API key"
        if self.problem:
            return f"{self.problem}: expected {{<name>: {{apiKey, endpoint}}}}"
        if account in self.broken:
            return self.broken[account]
        if account not in self.named:
            configured = ", ".join(self.names()) or "none"
            return (
                f"account {account!r} is not in {self.where} (configured: {configured}); "
                f"{how_to_add.format(name=account)}"
            )
        return None

    def settings_for(self, account: str | None, how_to_add: str) -> Settings:
        """The settings of ``account`` (None: the default); :class:`SettingsError` if unusable."""
        problem = self.input_problem(account, how_to_add)
        if problem:
            raise SettingsError(problem)
        return self.default if account is None else self.named[account]

    def _is_a_key(self, value: str) -> bool:
        keys = {self.default.api_key, *(s.api_key for s in self.named.values())}
        return value in keys


def _entry_problem(entry: object) -> str | None:
    if not isinstance(entry, Mapping):
        return f"must be a map with {' and '.join(ACCOUNT_FIELDS)}"
    unknown = [str(key) for key in entry if key not in ACCOUNT_FIELDS]
    if unknown:
        # Name short ones (typos such as apikey); a long one may be a key put in the wrong place.
        shown = sorted(key for key in unknown if len(key) <= 20) or ["(not shown)"]
        return f"has unknown keys {', '.join(shown)} (takes {', '.join(ACCOUNT_FIELDS)})"
    key = entry.get("apiKey")
    if not isinstance(key, str) or not key.strip():
        return "has no apiKey"
    endpoint = entry.get("endpoint")
    if endpoint is not None and not isinstance(endpoint, str):
        return "has an endpoint that is not a string"
    return None
