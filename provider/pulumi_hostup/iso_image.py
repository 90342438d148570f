"""``VpsIsoImage``: a Pulumi dynamic resource for one ISO in a Hostup ISO library.

The ISO is downloaded from a URL into the library of the VPS's account; its
``iso_id`` output is what a :class:`~pulumi_hostup.VpsIsoMount` mounts. A thin
adapter on the core's :mod:`hostup.images`. The provider class is pickled into
state by reference: this module must never move, and the class never be renamed.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from hostup.errors import MountError
from hostup.images import (
    ImageEngine,
    ImageState,
    image_id,
    image_input_problems,
    replacement_deletes_first,
)
from hostup.rules import id_input_problem
from hostup.runtime import Runtime

from ._dynamic import (
    ACCOUNT_KEY,
    HostupProvider,
    account_of,
    is_unknown,
    unknown_property_failures,
)

__all__ = ["VpsIsoImage", "VpsIsoImageArgs", "VpsIsoImageProvider"]

TYPE_NAME: Final = "VpsIsoImage"
MODULE: Final = "hostup"  # with TYPE_NAME: pulumi-python:dynamic/hostup:VpsIsoImage

INPUTS: Final = ("vps_id", "url", "filename", "decompress")
OUTPUTS: Final = ("iso_id", "name", "display_name", "size_gb", "adopted")


class VpsIsoImageProvider(HostupProvider[ImageEngine]):
    """Download, read and delete one library ISO through the core's image engine."""

    def build(self, runtime: Runtime) -> ImageEngine:
        return ImageEngine(runtime)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate offline; never raises and never calls the API."""
        failures = unknown_property_failures(news, INPUTS, "VpsIsoImage", OUTPUTS)
        failures += self.account_failures(news)
        inputs = {key: news.get(key) for key in INPUTS}
        inputs[ACCOUNT_KEY] = news.get(ACCOUNT_KEY) or None
        vps_id = inputs["vps_id"]
        problem = None if is_unknown(vps_id) else id_input_problem("vps_id", vps_id)
        if problem:
            failures.append(CheckFailure("vps_id", problem))
        failures += [
            CheckFailure(p.field, p.message)
            for p in image_input_problems(inputs["url"], inputs["filename"], inputs["decompress"])
            if not is_unknown(inputs[p.field])
        ]
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Pure: an input changed -> replace, the same file name -> delete first.

        The library holds one file per name: a new download of the same name would
        find the old file there and adopt it, so the old one must go first. Only
        another ``account`` name is an update: a re-read through that account.
        """
        changed = [
            key
            for key in (*INPUTS, ACCOUNT_KEY)
            if is_unknown(news.get(key)) or news.get(key) != olds.get(key)
        ]
        replaces = [key for key in changed if key != ACCOUNT_KEY]
        first = replacement_deletes_first(olds.get("filename"), news.get("filename"))
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=bool(replaces) and first,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Download (or adopt a file of that name); 1 POST, polls with backoff, 1 listing."""
        state = self.engine(account_of(props)).ensure_downloaded(
            _required(props, "vps_id"),
            _required(props, "url"),
            _required(props, "filename"),
            props.get("decompress"),
            progress=_progress,
        )
        return CreateResult(state.id, _outputs(props, state))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """One listing read; the ISO gone from the library -> ``ReadResult(None, {})``."""
        vps_id, iso_id = _parse_id(id_, props)
        state = self.engine(account_of(props)).read(vps_id, iso_id, adopted=props.get("adopted"))
        if state is None:
            return ReadResult(None, {})
        return ReadResult(state.id, _outputs(props, state))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only the account changed: the ISO must be in the library that account sees."""
        vps_id, iso_id = _parse_id(id_, olds)
        account = account_of(news)
        state = self.engine(account).read(vps_id, iso_id, adopted=olds.get("adopted"))
        if state is None:
            raise MountError(
                f"ISO {iso_id} is not in the library of VPS {vps_id} as account "
                f"{account or 'hostup:apiKey'} sees it: name the account that holds it"
            )
        return UpdateResult(_outputs(news, state))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the ISO from the library; refused while a VPS has it mounted."""
        self.engine(account_of(props)).ensure_deleted(*_parse_id(id_, props))


@dataclass
class VpsIsoImageArgs:
    """The inputs of :class:`VpsIsoImage`."""

    vps_id: pulumi.Input[str]
    """A VPS of the account whose library gets the ISO. Changing it replaces the ISO."""
    url: pulumi.Input[str]
    """Where to download it: http(s), no redirects. Changing it replaces the ISO."""
    filename: pulumi.Input[str]
    """Its file name in the library (no path). Changing it replaces the ISO."""
    decompress: pulumi.Input[str] | None = None
    """``none``, ``gzip``, ``lzo``, ``zstd`` or ``bzip2``. Changing it replaces the ISO."""
    account: pulumi.Input[str] | None = None
    """An entry of the stack config ``hostup:accounts`` (default: ``hostup:apiKey``)."""


class VpsIsoImage(pulumi.dynamic.Resource, module=MODULE, name=TYPE_NAME):
    """An ISO downloaded from a URL into a Hostup ISO library. ID: ``{vps_id}/{iso_id}``."""

    vps_id: pulumi.Output[str]
    url: pulumi.Output[str]
    filename: pulumi.Output[str]
    decompress: pulumi.Output[str | None]
    account: pulumi.Output[str | None]
    """The account's name (never its key); None for ``hostup:apiKey``."""
    iso_id: pulumi.Output[str]
    """The ISO's id (``available[].id``): pass it to ``VpsIsoMount(iso_id=...)``."""
    name: pulumi.Output[str | None]
    """The file name, as the listing shows it."""
    display_name: pulumi.Output[str | None]
    """The display name, as the listing shows it."""
    size_gb: pulumi.Output[float | None]
    """The size in GB, as the listing shows it."""
    adopted: pulumi.Output[bool | None]
    """True when the library already had a file of this name, so nothing was downloaded.
    Adopted or not, the ISO is this resource's: destroy deletes it."""

    def __init__(
        self,
        resource_name: str,
        args: VpsIsoImageArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        vps_id: pulumi.Input[str] | None = None,
        url: pulumi.Input[str] | None = None,
        filename: pulumi.Input[str] | None = None,
        decompress: pulumi.Input[str] | None = None,
        account: pulumi.Input[str] | None = None,
    ) -> None:
        if args is not None:
            vps_id = args.vps_id if vps_id is None else vps_id
            url = args.url if url is None else url
            filename = args.filename if filename is None else filename
            decompress = args.decompress if decompress is None else decompress
            account = args.account if account is None else account
        props: dict[str, Any] = {
            "vps_id": vps_id,
            "url": url,
            "filename": filename,
            "decompress": decompress,
            ACCOUNT_KEY: account,
        }
        props.update(dict.fromkeys(OUTPUTS))  # seeded, so create's outputs resolve them
        super().__init__(VpsIsoImageProvider(), resource_name, props, opts)


def _required(props: Mapping[str, Any], key: str) -> str:
    value = props.get(key)
    if not isinstance(value, str):
        raise MountError(f"{key} is required")
    return value


def _parse_id(id_: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """vps_id and iso_id from the state, else from the ID alone (``{vps_id}/{iso_id}``)."""
    return image_id(id_, props.get("vps_id"), props.get("iso_id"))


def _outputs(props: Mapping[str, Any], state: ImageState) -> dict[str, Any]:
    return {
        **{key: props.get(key) for key in (*INPUTS, ACCOUNT_KEY)},
        "vps_id": state.vps_id,
        "iso_id": state.iso_id,
        "name": state.name,
        "display_name": state.display_name,
        "size_gb": state.size_gb,
        "adopted": state.adopted,
    }


def _progress(line: str) -> None:
    # pulumi.log does not work inside a dynamic provider; stderr shows in the CLI.
    print(f"hostup: {line}", file=sys.stderr, flush=True)
