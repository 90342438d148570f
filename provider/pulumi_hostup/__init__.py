"""Manage the ISO media mounted on Hostup VPSes from Pulumi programs.

``VpsIsoMount`` is the Pulumi resource; ``HostupClient`` is the typed API client
it is built on; the errors are drawn in :mod:`pulumi_hostup.errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    DeadlineExceededError,
    HostupError,
    InvalidPathSegmentError,
    InvalidRequestError,
    NotFoundError,
    OperationFailedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)
from .iso_mount import VpsIsoMount, VpsIsoMountArgs, VpsIsoMountError, VpsIsoMountProvider

if TYPE_CHECKING:
    from .client import HostupClient, RetryPolicy, Timeouts

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "HostupClient",
    "HostupError",
    "InvalidPathSegmentError",
    "InvalidRequestError",
    "NotFoundError",
    "OperationFailedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "Timeouts",
    "TransportError",
    "VpsIsoMount",
    "VpsIsoMountArgs",
    "VpsIsoMountError",
    "VpsIsoMountProvider",
]


# The client (requests, pydantic) loads on first use: a Pulumi program that only
# declares VpsIsoMounts never needs it (bench/README.md, start-up).
_FROM_CLIENT = frozenset({"HostupClient", "RetryPolicy", "Timeouts"})


def __getattr__(name: str) -> Any:
    if name in _FROM_CLIENT:
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
