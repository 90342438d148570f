"""Each resource of the schema as a thin translation to a core engine.

The handlers take and give plain Python (camelCase keys, :data:`~.values.UNKNOWN`
for computed values) and call the core synchronously; the provider runs them in
a thread and converts to and from Pulumi's property values. Every rule (what to
refuse, when to adopt, what gone means, the waits) is the core's: a handler only
renames properties, picks the engine call, and shapes the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from hostup.contract import DEFAULT_DEVICE
from hostup.drives import DriveEngine, DriveState
from hostup.errors import MountError
from hostup.images import (
    ImageEngine,
    ImageState,
    image_id,
    image_input_problems,
    replacement_deletes_first,
)
from hostup.mounts import MountEngine, MountState
from hostup.rules import (
    Problem,
    device_input_problem,
    drive_id,
    id_input_problem,
    owned_iso,
    ownership_unsettled,
)

from .values import UNKNOWN, is_unknown

__all__ = [
    "CheckResult",
    "DiffResult",
    "DriveHandler",
    "ImageHandler",
    "MountHandler",
    "ReadResult",
]

# The core names an input in snake_case; the schema in camelCase.
PROPERTY: Final[dict[str, str]] = {
    "vps_id": "vpsId",
    "iso_id": "isoId",
    "device": "device",
    "url": "url",
    "filename": "filename",
    "decompress": "decompress",
    "": "",
}

Props = dict[str, Any]
Log = Callable[[str], None]


@dataclass
class CheckResult:
    inputs: Props
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DiffResult:
    changes: bool
    replaces: list[str]
    diffs: list[str]
    delete_before_replace: bool = False


@dataclass
class ReadResult:
    """``id_`` None: the resource is gone."""

    id_: str | None
    outputs: Props = field(default_factory=dict)
    inputs: Props = field(default_factory=dict)


def _id_problem(field: Literal["vps_id", "iso_id"], value: object) -> str | None:
    """The core's id rule, naming the input as the schema does (``vpsId``, ``isoId``)."""
    return id_input_problem(field, value, label=PROPERTY[field])


def _failures(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(PROPERTY[p.field], p.message) for p in problems]


def _unknown_properties(
    news: Mapping[str, Any], takes: tuple[str, ...], resource: str
) -> list[tuple[str, str]]:
    return [
        (key, f"unknown property {key!r}: {resource} takes {', '.join(takes)}")
        for key in news
        if key not in takes
    ]


def _changed(olds: Mapping[str, Any], news: Mapping[str, Any], keys: tuple[str, ...]) -> list[str]:
    return [key for key in keys if is_unknown(news.get(key)) or news.get(key) != olds.get(key)]


def _import_refused(id_: str, what: str) -> MountError:
    return MountError(
        f"cannot import {id_!r}: {what}; check the id (`pulumi import` takes what is there "
        "now, it creates nothing)"
    )


# -- VpsIsoMount -------------------------------------------------------------------------


class MountHandler:
    """``hostup:index:VpsIsoMount`` on :class:`~hostup.mounts.MountEngine`."""

    TOKEN: Final = "hostup:index:VpsIsoMount"  # noqa: S105  # a type token, not a secret
    INPUTS: Final = ("vpsId", "isoId", "device")
    OUTPUTS: Final = (
        "isoName",
        "isoDisplayName",
        "isoSizeGb",
        "bootOrder",
        "adopted",
        "ownedIsoId",
    )
    REPLACE_ON: Final = ("vpsId", "device")  # the identity: the ID is "{vpsId}/{device}"

    def __init__(self, engine: MountEngine) -> None:
        self.engine = engine

    def check(self, olds: Props, news: Props) -> CheckResult:
        """Offline checks; the live ones only for a new or changed mount. Never raises."""
        failures = _unknown_properties(news, self.INPUTS, "VpsIsoMount")
        inputs = {key: news.get(key) for key in self.INPUTS}
        if inputs["device"] is None:
            inputs["device"] = DEFAULT_DEVICE
        vps_id, iso_id, device = (inputs[key] for key in self.INPUTS)
        for name, value in (("vps_id", vps_id), ("iso_id", iso_id)):
            problem = None if is_unknown(value) else _id_problem(name, value)  # type: ignore[arg-type]
            if problem:
                failures.append((PROPERTY[name], problem))
        problem = None if is_unknown(device) else device_input_problem(device)
        if problem:
            failures.append(("device", problem))
        if failures or any(is_unknown(v) for v in inputs.values()):
            return CheckResult(inputs, failures)
        if all(olds.get(key) == inputs[key] for key in self.INPUTS):
            return CheckResult(inputs)  # steady state: no API call
        stack_mounted = olds.get("vpsId") == vps_id and olds.get("device") == device
        try:
            problems = self.engine.preview_problems(
                str(vps_id), str(iso_id), str(device), stack_mounted=stack_mounted
            )
        except Exception as exc:  # never fail a preview on our own bug or a bad answer
            self.engine.warn(f"skipped the live check of {vps_id}/{device}: {exc}")
            return CheckResult(inputs)
        return CheckResult(inputs, _failures(problems))

    def diff(self, olds: Props, news: Props) -> DiffResult:
        """Pure: vpsId or device changed -> replace; isoId changed -> update; so does a
        state that owns another ISO than the declared one (``ownedIsoId`` then differs)."""
        olds = {**olds, "device": olds.get("device") or DEFAULT_DEVICE}
        news = {**news, "device": news.get("device") or DEFAULT_DEVICE}
        changed = _changed(olds, news, self.INPUTS)
        if ownership_unsettled(olds.get("ownedIsoId"), news.get("isoId")):
            changed.append("ownedIsoId")
        replaces = [key for key in changed if key in self.REPLACE_ON]
        return DiffResult(bool(changed), replaces, changed)

    def create(self, news: Props, *, preview: bool) -> tuple[str, Props]:
        """Mount, or adopt the same ISO already on the device; at most 3 API calls."""
        if preview:
            return "", {**news, **dict.fromkeys(self.OUTPUTS, UNKNOWN)}
        state = self.engine.ensure_mounted(*_mount_identity(news))
        return state.id, _mount_outputs(state)

    def read(self, id_: str, props: Props, inputs: Props) -> ReadResult:
        """One listing read (shared per VPS). Gone: ``id_`` None; an import of nothing raises."""
        importing = not props and not inputs
        vps_id, device = _drive(id_, props)
        adopted = True if importing else props.get("adopted")
        # An import owns what it finds; a refresh keeps what the state owns.
        owned = None if importing else owned_iso(props.get("ownedIsoId"), props.get("isoId"))
        state = self.engine.read(vps_id, device, adopted=adopted, owned_iso=owned)
        if state is None:
            if importing:
                raise _import_refused(
                    id_, f"VPS {vps_id} has no ISO on {device}, or there is no such VPS"
                )
            return ReadResult(None)
        outputs = _mount_outputs(state)
        return ReadResult(state.id, outputs, {key: outputs[key] for key in self.INPUTS})

    def update(self, olds: Props, news: Props, *, preview: bool) -> Props:
        """Mount the new ISO on the same device; the old one goes back if that fails."""
        if preview:
            return {**news, **dict.fromkeys(self.OUTPUTS, UNKNOWN)}
        vps_id, iso_id, device = _mount_identity(news)
        state = self.engine.ensure_mounted(
            vps_id, iso_id, device, previous_iso=olds.get("isoId"), adopted=olds.get("adopted")
        )
        return _mount_outputs(state)

    def delete(self, id_: str, props: Props) -> None:
        """Unmount only the ISO this resource owns (not one a refresh found there since);
        VPS gone or device empty is done."""
        vps_id, device = _drive(id_, props)
        owned = owned_iso(props.get("ownedIsoId"), props.get("isoId"))
        self.engine.ensure_unmounted(vps_id, device, owned)


def _drive(id_: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """``(vps_id, device)`` from the state, else from the ID (``{vpsId}/{device}``)."""
    return drive_id(id_, props.get("vpsId"), props.get("device"))


def _mount_identity(props: Mapping[str, Any]) -> tuple[str, str, str]:
    """The checked inputs; a :class:`MountError` if check was bypassed with bad ones."""
    vps_id, iso_id = props.get("vpsId"), props.get("isoId")
    device = props.get("device") or DEFAULT_DEVICE
    for problem in (
        _id_problem("vps_id", vps_id),
        _id_problem("iso_id", iso_id),
        device_input_problem(device),
    ):
        if problem:
            raise MountError(problem)
    return str(vps_id), str(iso_id), str(device)


def _mount_outputs(state: MountState) -> Props:
    return {
        "vpsId": state.vps_id,
        "isoId": state.iso_id,
        "device": state.device,
        "isoName": state.iso_name,
        "isoDisplayName": state.iso_display_name,
        "isoSizeGb": state.iso_size_gb,
        "bootOrder": state.boot_order,
        "adopted": state.adopted,
        "ownedIsoId": state.owned_iso_id,
    }


# -- VpsIsoImage -------------------------------------------------------------------------


class ImageHandler:
    """``hostup:index:VpsIsoImage`` on :class:`~hostup.images.ImageEngine`."""

    TOKEN: Final = "hostup:index:VpsIsoImage"  # noqa: S105
    INPUTS: Final = ("vpsId", "url", "filename", "decompress")
    OUTPUTS: Final = ("isoId", "name", "displayName", "sizeGb", "adopted")

    def __init__(self, engine: ImageEngine, progress: Log) -> None:
        self.engine = engine
        self.progress = progress

    def check(self, _olds: Props, news: Props) -> CheckResult:
        """Offline only: never calls the API, never raises."""
        failures = _unknown_properties(news, self.INPUTS, "VpsIsoImage")
        inputs = {key: news.get(key) for key in self.INPUTS if news.get(key) is not None}
        vps_id = news.get("vpsId")
        problem = None if is_unknown(vps_id) else _id_problem("vps_id", vps_id)
        if problem:
            failures.append(("vpsId", problem))
        problems = image_input_problems(
            news.get("url"), news.get("filename"), news.get("decompress")
        )
        failures += _failures([p for p in problems if not is_unknown(news.get(PROPERTY[p.field]))])
        return CheckResult(inputs, failures)

    def diff(self, olds: Props, news: Props) -> DiffResult:
        """Pure: any input changed -> replace; the core says whether the old goes first."""
        changed = _changed(olds, news, self.INPUTS)
        first = replacement_deletes_first(olds.get("filename"), news.get("filename"))
        return DiffResult(bool(changed), changed, changed, bool(changed) and first)

    def create(self, news: Props, *, preview: bool) -> tuple[str, Props]:
        """Download (or adopt a file of that name); 1 POST, polls with backoff, 1 listing."""
        if preview:
            return "", {**news, **dict.fromkeys(self.OUTPUTS, UNKNOWN)}
        state = self.engine.ensure_downloaded(
            _required(news, "vpsId"),
            _required(news, "url"),
            _required(news, "filename"),
            news.get("decompress"),
            progress=self.progress,
        )
        return state.id, _image_outputs(news, state)

    def read(self, id_: str, props: Props, inputs: Props) -> ReadResult:
        """One listing read; the ISO gone from the library -> gone. No import (see below)."""
        if not props and not inputs:
            # The API does not say which URL an ISO came from, so an imported image could
            # never match its program. Declaring it instead adopts it, with no download.
            raise MountError(
                f"cannot import {id_!r}: a VpsIsoImage cannot be imported, as the API does "
                "not say which URL it came from; declare it with its url and filename "
                "instead, and `pulumi up` adopts the file already there without a download"
            )
        vps_id, iso_id = _image_id(id_, props)
        state = self.engine.read(vps_id, iso_id, adopted=props.get("adopted"))
        if state is None:
            return ReadResult(None)
        outputs = _image_outputs(props, state)
        return ReadResult(state.id, outputs, {**inputs})

    def update(self, olds: Props, news: Props, *, preview: bool) -> Props:
        raise MountError("a VpsIsoImage is never updated in place: every change replaces it")

    def delete(self, id_: str, props: Props) -> None:
        """Delete the ISO from the library; refused while a VPS has it mounted."""
        self.engine.ensure_deleted(*_image_id(id_, props))


def _required(props: Mapping[str, Any], key: str) -> str:
    value = props.get(key)
    if not isinstance(value, str):
        raise MountError(f"{key} is required")
    return value


def _image_id(id_: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """``(vps_id, iso_id)`` from the state, else from the ID (``{vpsId}/{isoId}``)."""
    return image_id(id_, props.get("vpsId"), props.get("isoId"))


def _image_outputs(props: Mapping[str, Any], state: ImageState) -> Props:
    return {
        **{key: props.get(key) for key in ImageHandler.INPUTS},
        "vpsId": state.vps_id,
        "isoId": state.iso_id,
        "name": state.name,
        "displayName": state.display_name,
        "sizeGb": state.size_gb,
        "adopted": state.adopted,
    }


# -- VpsCdromDrive -----------------------------------------------------------------------


class DriveHandler:
    """``hostup:index:VpsCdromDrive`` on :class:`~hostup.drives.DriveEngine`."""

    TOKEN: Final = "hostup:index:VpsCdromDrive"  # noqa: S105
    INPUTS: Final = ("vpsId", "device")
    OUTPUTS: Final = ("adopted",)

    def __init__(self, engine: DriveEngine) -> None:
        self.engine = engine

    def check(self, _olds: Props, news: Props) -> CheckResult:
        """Offline only: never calls the API, never raises."""
        failures = _unknown_properties(news, self.INPUTS, "VpsCdromDrive")
        vps_id, device = news.get("vpsId"), news.get("device")
        for prop, problem in (
            ("vpsId", None if is_unknown(vps_id) else _id_problem("vps_id", vps_id)),
            ("device", None if is_unknown(device) else device_input_problem(device)),
        ):
            if problem:
                failures.append((prop, problem))
        inputs = {key: news[key] for key in self.INPUTS if news.get(key) is not None}
        return CheckResult(inputs, failures)

    def diff(self, olds: Props, news: Props) -> DiffResult:
        """Pure: another VPS, or another device than the one attached, is a replace.

        No ``device`` in the program means any drive: the one attached stays.
        """
        changed = _changed(olds, news, ("vpsId",))
        device = news.get("device")
        if is_unknown(device) or (device is not None and device != olds.get("device")):
            changed.append("device")
        return DiffResult(bool(changed), changed, changed)

    def create(self, news: Props, *, preview: bool) -> tuple[str, Props]:
        """Adopt the VPS's drive (no write), or attach one: 1 read, 1 attach, 1 read."""
        if preview:
            return "", {"device": UNKNOWN, **news, "adopted": UNKNOWN}
        state = self.engine.ensure_drive(_required(news, "vpsId"), news.get("device"))
        return state.id, _drive_outputs(state)

    def read(self, id_: str, props: Props, inputs: Props) -> ReadResult:
        """One listing read; the drive (or the VPS) gone -> gone; an import of nothing raises."""
        importing = not props and not inputs
        vps_id, device = _drive(id_, props)
        state = self.engine.read(
            vps_id, device, adopted=True if importing else props.get("adopted")
        )
        if state is None:
            if importing:
                raise _import_refused(id_, f"VPS {vps_id} has no CD/DVD drive {device}")
            return ReadResult(None)
        outputs = _drive_outputs(state)
        kept = {"vpsId": state.vps_id, "device": state.device} if importing else inputs
        return ReadResult(state.id, outputs, kept)

    def update(self, olds: Props, news: Props, *, preview: bool) -> Props:
        raise MountError("a VpsCdromDrive is never updated in place: every change replaces it")

    def delete(self, id_: str, props: Props) -> None:
        """No API call: Hostup cannot detach a drive. A warning says it stays."""
        self.engine.release(*_drive(id_, props))


def _drive_outputs(state: DriveState) -> Props:
    return {"vpsId": state.vps_id, "device": state.device, "adopted": state.adopted}
