"""Look-ups by name: the VPS called ``web-1``, the ISO called ``alpine.iso``.

One read each (a VPS list page of up to 100, or one ISO listing). Nothing found,
or a name that is not unique, raises :class:`NoMatchError` listing what there
is, so the message alone says what to write instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .errors import NoMatchError

if TYPE_CHECKING:
    from .client import HostupClient
    from .models import IsoImage, Vps

__all__ = ["find_iso", "find_vps"]

# How many names an error lists before it says "and N more".
SHOWN: Final = 20


def find_vps(client: HostupClient, name: str) -> Vps:
    """The one VPS of the key's account whose name is ``name``."""
    every = list(client.list_vps())
    matches = [vps for vps in every if vps.name == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        ids = ", ".join(vps.id for vps in matches)
        raise NoMatchError(f"{len(matches)} VPSes are named {name!r} ({ids}): use the id instead")
    names = _listed(sorted(vps.name or vps.id for vps in every))
    raise NoMatchError(f"no VPS named {name!r} for this API key; there are: {names}")


def find_iso(client: HostupClient, vps_id: str, name: str) -> IsoImage:
    """The ISO in ``vps_id``'s listing whose file name (else display name) is ``name``."""
    media = client.get_iso_media(vps_id)
    image = media.find_available_by_name(name)
    if image is None:
        names = _listed([i.name or i.display_name or i.id for i in media.available])
        raise NoMatchError(
            f"no ISO named {name!r} is available to VPS {vps_id}; there are: {names}"
        )
    return image


def _listed(names: list[str]) -> str:
    if not names:
        return "none"
    shown = ", ".join(repr(n) for n in names[:SHOWN])
    more = len(names) - SHOWN
    return shown + (f" and {more} more" if more > 0 else "")
