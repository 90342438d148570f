"""``hostup_vps_iso_image``: an ISO downloaded from a URL into a Hostup ISO library.

A thin adapter on the core's image engine (:mod:`hostup.images`): every input
change replaces it (tofu's default order, destroy then create, is the one the
library needs: it holds one file per name). Its ``iso_id`` is what a
``hostup_vps_iso_mount`` mounts. ID ``{vps_id}/{iso_id}``.
"""

from __future__ import annotations

import sys
from typing import Any

from tf.types import Unknown

from hostup.errors import MountError
from hostup.images import DECOMPRESS, ImageState, image_id, image_input_problems
from hostup.rules import Problem, id_input_problem

from ._framework import ResourceBase, State, add_problems, full_state, known, reporting

__all__ = ["VpsIsoImage"]

INPUTS = ("vps_id", "url", "filename", "decompress")


class VpsIsoImage(ResourceBase):
    """``hostup_vps_iso_image``. ID ``{vps_id}/{iso_id}``."""

    NAME = "vps_iso_image"
    VERSION = 0

    @classmethod
    def schema_attributes(cls) -> list[Any]:
        from tf.schema import Attribute
        from tf.types import Bool, Number, String

        def replaces(name: str, description: str, *, required: bool = True) -> Any:
            return Attribute(
                name,
                String(),
                description=description + " Changing it replaces the ISO.",
                required=required,
                optional=not required,
                requires_replace=True,
            )

        return [
            Attribute("id", String(), description="`{vps_id}/{iso_id}`.", computed=True),
            replaces("vps_id", "A VPS of the account whose library gets the ISO."),
            replaces("url", "Where to download it from: http(s), no redirects."),
            replaces("filename", "Its file name in the library (no path)."),
            replaces(
                "decompress",
                f"How to unpack the download: {', '.join(DECOMPRESS)}. Default: as is.",
                required=False,
            ),
            Attribute(
                "iso_id",
                String(),
                description="The ISO's id: pass it to `hostup_vps_iso_mount.iso_id`.",
                computed=True,
            ),
            Attribute("name", String(), description="The file name, as listed.", computed=True),
            Attribute(
                "display_name", String(), description="The display name, as listed.", computed=True
            ),
            Attribute("size_gb", Number(), description="The size in GB, as listed.", computed=True),
            Attribute(
                "adopted",
                Bool(),
                description="`true` when the library already had a file of this name, so "
                "nothing was downloaded. Either way destroy deletes it.",
                computed=True,
            ),
        ]

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        vps_id = config.get("vps_id")
        problem = None if vps_id is Unknown else id_input_problem("vps_id", vps_id)
        problems = [Problem("vps_id", problem)] if problem else []
        problems += [
            p
            for p in image_input_problems(
                config.get("url"), config.get("filename"), config.get("decompress")
            )
            if config.get(p.field) is not Unknown
        ]
        add_problems(diags, problems)

    def create(self, ctx: Any, planned: State) -> State | None:
        with reporting(ctx.diagnostics, "download the ISO"):
            vps_id, url, filename = (_required(planned, key) for key in INPUTS[:3])
            state = self.provider.images().ensure_downloaded(
                vps_id, url, filename, known(planned.get("decompress")), progress=_progress
            )
            return self._state(planned, state)
        return None

    def read(self, ctx: Any, current: State) -> State | None:
        with reporting(ctx.diagnostics, "read the ISO"):
            vps_id, iso_id = _parse_id(current)
            found = self.provider.images().read(vps_id, iso_id, adopted=current.get("adopted"))
            return None if found is None else self._state(current, found)
        return current

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        # Every input replaces: tofu never asks for an update of this resource.
        ctx.diagnostics.add_error("hostup_vps_iso_image has no in-place update")
        return current

    def delete(self, ctx: Any, current: State) -> State | None:
        with reporting(ctx.diagnostics, "delete the ISO"):
            self.provider.images().ensure_deleted(*_parse_id(current))
            return None
        return current

    def _state(self, inputs: State, state: ImageState) -> State:
        return full_state(
            self.attribute_names(),
            {
                **{key: inputs.get(key) for key in INPUTS},
                "id": state.id,
                "vps_id": state.vps_id,
                "iso_id": state.iso_id,
                "name": state.name,
                "display_name": state.display_name,
                "size_gb": state.size_gb,
                "adopted": state.adopted,
            },
        )


def _progress(line: str) -> None:
    """Download progress: to stderr, which tofu keeps in its log (TF_LOG=info shows it);
    not a warning, so not a diagnostic."""
    print(f"hostup: {line}", file=sys.stderr, flush=True)


def _required(state: State, key: str) -> str:
    value = state.get(key)
    if not isinstance(value, str):
        raise MountError(f"{key} is required")
    return value


def _parse_id(state: State) -> tuple[str, str]:
    return image_id(state.get("id"), state.get("vps_id"), state.get("iso_id"))
