"""Manage the ISO media mounted on Hostup VPSes from Pulumi programs.

``VpsIsoMount`` is the Pulumi resource; ``HostupClient`` is the typed API client
it is built on; the errors are drawn in :mod:`pulumi_hostup.errors`.
"""

from __future__ import annotations

from .client import HostupClient, RetryPolicy, Timeouts
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
