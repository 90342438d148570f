"""Manage the ISO media mounted on Hostup VPSes from Pulumi programs.

``VpsIsoMount`` is the Pulumi resource; the errors are drawn in
:mod:`hostup.errors`. The typed API client it is built on is
``hostup.client.HostupClient``: not re-exported here, so that a program
which only declares mounts never loads requests and pydantic (bench/README.md,
start-up).
"""

from __future__ import annotations

from hostup.errors import (
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

from .iso_image import VpsIsoImage, VpsIsoImageArgs, VpsIsoImageProvider
from .iso_mount import VpsIsoMount, VpsIsoMountArgs, VpsIsoMountError, VpsIsoMountProvider

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "HostupError",
    "InvalidPathSegmentError",
    "InvalidRequestError",
    "NotFoundError",
    "OperationFailedError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "VpsIsoImage",
    "VpsIsoImageArgs",
    "VpsIsoImageProvider",
    "VpsIsoMount",
    "VpsIsoMountArgs",
    "VpsIsoMountError",
    "VpsIsoMountProvider",
]
