"""Manage the ISO media of Hostup VPSes from Pulumi programs.

The resources: ``VpsIsoMount`` (an ISO in a VPS's CD/DVD drive), ``VpsIsoImage``
(an ISO downloaded into the library from a URL) and ``VpsCdromDrive`` (a drive for a
VPS that has none). The look-ups: ``get_vps`` and
``get_iso`` (and their ``_output`` forms). All are thin front-ends on the ``hostup``
core; the errors are drawn in :mod:`hostup.errors`. The typed API client is
``hostup.client.HostupClient``: not re-exported here, so that a program which only
declares resources never loads requests and pydantic (bench/README.md, start-up).
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
    NoMatchError,
    NotFoundError,
    OperationFailedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)

from .cdrom_drive import VpsCdromDrive, VpsCdromDriveProvider
from .iso_image import VpsIsoImage, VpsIsoImageArgs, VpsIsoImageProvider
from .iso_mount import VpsIsoMount, VpsIsoMountArgs, VpsIsoMountError, VpsIsoMountProvider
from .lookups import (
    GetIsoResult,
    GetVpsResult,
    get_iso,
    get_iso_output,
    get_vps,
    get_vps_output,
)

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "GetIsoResult",
    "GetVpsResult",
    "HostupError",
    "InvalidPathSegmentError",
    "InvalidRequestError",
    "NoMatchError",
    "NotFoundError",
    "OperationFailedError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "VpsCdromDrive",
    "VpsCdromDriveProvider",
    "VpsIsoImage",
    "VpsIsoImageArgs",
    "VpsIsoImageProvider",
    "VpsIsoMount",
    "VpsIsoMountArgs",
    "VpsIsoMountError",
    "VpsIsoMountProvider",
    "get_iso",
    "get_iso_output",
    "get_vps",
    "get_vps_output",
]
