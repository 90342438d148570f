"""Bearer keys and scopes: who calls, and whether the key may do what it asks.

The keys themselves are world state (world.ApiKey, found by the backend); this
module turns an Authorization header into a Caller (401 otherwise) and checks
an operation's scopes (403). Keyless requests never reach the rate limiter:
they are answered 401 first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hostup_sim.problems import Forbidden, Unauthorized
from hostup_sim.world import SCOPE_READ_VM, SCOPE_WRITE_STORAGE, SCOPE_WRITE_VM, ApiKey

# The scopes each operationId needs (openapi.yaml x-required-scopes; the writes
# that the reference does not document copy unmount's).
OPERATION_SCOPES: dict[str, tuple[str, ...]] = {
    "listVps": (SCOPE_READ_VM,),
    "listVpsIsoMedia": (SCOPE_READ_VM,),
    "mountVpsIso": (SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE),
    "unmountVpsIso": (SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE),
    "attachEmptyCdrom": (SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE),
    "downloadIsoFromUrl": (SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE),
    "deleteVpsIsoMedia": (SCOPE_WRITE_VM, SCOPE_WRITE_STORAGE),
    "getJob": (),
}


@dataclass(frozen=True)
class Caller:
    """The authenticated key: its account, id (safe to log) and scopes."""

    account: str
    key_id: str
    scopes: frozenset[str]


def authenticate(authorization: str | None, find_key: Callable[[str], ApiKey | None]) -> Caller:
    """The caller of an `Authorization: Bearer <key>` header (scheme in any case); 401 otherwise."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    key = find_key(token) if scheme.lower() == "bearer" and token else None
    if key is None:
        raise Unauthorized()
    return Caller(key.account, key.key_id, frozenset(key.scopes))


def authorize(caller: Caller, operation: str) -> None:
    """403 forbidden unless the caller's key has every scope the operation needs."""
    missing = [s for s in OPERATION_SCOPES[operation] if s not in caller.scopes]
    if missing:
        raise Forbidden(missing)
