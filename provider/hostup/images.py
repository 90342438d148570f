"""The ISO library engine: an ISO downloaded from a URL, kept as declared.

Front-ends translate their engine's calls into these and back:

- :func:`image_input_problems`: the offline checks (url, filename, decompress);
- :meth:`ImageEngine.ensure_downloaded`: create: queue the download (a file that
  already exists is adopted, no download), follow the job to its end within the
  operation deadline, reporting progress, then find the ISO in the listing;
- :meth:`ImageEngine.read`: the ISO as the listing shows it (None: gone);
- :meth:`ImageEngine.ensure_deleted`: delete, refused while a VPS has it mounted.

Promises: a failed or timed-out download fails the create with the job's reason
and records nothing; only a listing without the ISO, or a definite "VPS not
found", means gone; every error raised is a :class:`MountError` that says what
to do next. The engine works through the process's :class:`Runtime`, so mounts
see the ISO it adds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from . import assumptions
from .errors import (
    ConflictError,
    MountError,
    NotFoundError,
    OperationFailedError,
    ServerError,
    TransportError,
)
from .rules import Problem, id_input_problem, vps_not_found_message
from .runtime import Deadline, Runtime, message_of

if TYPE_CHECKING:
    from .models import IsoImage, Operation

__all__ = [
    "DECOMPRESS",
    "ImageEngine",
    "ImageState",
    "image_id",
    "image_input_problems",
    "replacement_deletes_first",
]

# The contract's enum for from-url's `decompress` (standard library only: an offline
# check must not load pydantic for it; tests hold it equal to models.Decompress).
DECOMPRESS: Final = ("none", "gzip", "lzo", "zstd", "bzip2")
MAX_FILENAME_LENGTH: Final = 255
# Job polling: the first wait, growing by half each poll up to the last.
POLL_FIRST_WAIT: Final = 1.0
POLL_MAX_WAIT: Final = 10.0
# A progress line at most every this many percentage points.
PROGRESS_STEP: Final = 10.0

ProgressSink = Callable[[str], None]


@dataclass(frozen=True)
class ImageState:
    """An ISO of the library as one VPS's listing shows it."""

    vps_id: str
    iso_id: str
    name: str | None
    display_name: str | None
    size_gb: float | None
    adopted: bool | None
    """True: the file was already in the library and no download ran. None: not known."""

    @property
    def id(self) -> str:
        return f"{self.vps_id}/{self.iso_id}"


def image_input_problems(url: object, filename: object, decompress: object) -> list[Problem]:
    """What is wrong with a download's inputs, before any request; [] when nothing.

    ``url``: http or https with a host. ``filename``: a plain file name (no path,
    no ``..``, no whitespace or control characters). ``decompress``: None or the
    contract's enum. Values that are not known yet are the front-end's to skip.
    """
    problems: list[Problem] = []
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        shown = repr(url)[:80] if isinstance(url, str) else type(url).__name__
        problems.append(Problem("url", f"url must be an http(s) URL with a host, got {shown}"))
    problem = _filename_problem(filename)
    if problem:
        problems.append(Problem("filename", f"filename {problem}"))
    if decompress is not None and decompress not in DECOMPRESS:
        problems.append(
            Problem(
                "decompress",
                f"decompress must be one of {', '.join(DECOMPRESS)}, got {str(decompress)[:40]!r}",
            )
        )
    return problems


def image_id(id_: object, vps_id: object = None, iso_id: object = None) -> tuple[str, str]:
    """``(vps_id, iso_id)`` of an image: from the state's values when both are there,
    else from its ID ``{vps_id}/{iso_id}`` (an import or a state with no outputs).

    Raises :class:`MountError` naming the ID when neither gives two safe ids.
    """
    if not (isinstance(vps_id, str) and vps_id and isinstance(iso_id, str) and iso_id):
        vps_id, _, iso_id = (id_ if isinstance(id_, str) else "").rpartition("/")
    for problem in (id_input_problem("vps_id", vps_id), id_input_problem("iso_id", iso_id)):
        if problem:
            raise MountError(f"resource id {str(id_)[:80]!r} is not <vps_id>/<iso_id>: {problem}")
    return str(vps_id), str(iso_id)


def replacement_deletes_first(old_filename: object, new_filename: object) -> bool:
    """Whether a replacement must delete the old ISO before it downloads the new one.

    The library holds one file per name: a new download of the same name would find
    the old file there and adopt it, so the old one must go first. A new name (or one
    not known yet) downloads first, and the old ISO goes after.
    """
    return isinstance(new_filename, str) and new_filename == old_filename


def _filename_problem(filename: object) -> str | None:
    if not isinstance(filename, str) or not filename:
        return "is required: the ISO's file name in the library, e.g. installer.iso"
    if len(filename) > MAX_FILENAME_LENGTH:
        return f"must be at most {MAX_FILENAME_LENGTH} characters long"
    if "/" in filename or "\\" in filename:
        return f"must be a file name, not a path: {filename[:80]!r}"
    if filename in (".", "..") or ".." in filename:
        return "must not contain '..'"
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in filename):
        return "must not contain whitespace or control characters"
    return None


class ImageEngine:
    """Download, read and delete library ISOs on behalf of a front-end; thread-safe."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def __repr__(self) -> str:
        return f"ImageEngine({self.runtime.settings!r})"

    # -- create --

    def ensure_downloaded(
        self,
        vps_id: str,
        url: str,
        filename: str,
        decompress: str | None = None,
        *,
        progress: ProgressSink | None = None,
    ) -> ImageState:
        """The library holds ``filename`` (downloaded from ``url`` now, or already there).

        One POST, then job polls with backoff, then one listing read (more only if the
        listing lags behind the job), all within the operation deadline. ``progress``
        receives a line per ``PROGRESS_STEP`` percent. A download the API says failed, or one still
        running at the deadline, raises; the next create picks the same job up again.
        """
        problems = image_input_problems(url, filename, decompress)
        id_problem = id_input_problem("vps_id", vps_id)
        if id_problem:
            problems.insert(0, Problem("vps_id", id_problem))
        if problems:
            raise MountError("; and ".join(p.message for p in problems))
        runtime = self.runtime
        what = f"download {filename} into the ISO library of VPS {vps_id}"
        with runtime.user_errors(what):
            deadline = runtime.deadline(f"downloading {filename}")
            with runtime.writing(vps_id):
                runtime.listings.invalidate(vps_id)  # before the write: see ListingCache
                try:
                    operation = runtime.client().download_iso_from_url(
                        vps_id,
                        url,
                        filename,
                        decompress,  # type: ignore[arg-type]  # in DECOMPRESS: checked above
                        deadline=deadline.remaining(),
                    )
                except NotFoundError as exc:
                    if exc.code == "vps_not_found":
                        raise MountError(vps_not_found_message(vps_id)) from None
                    raise
                adopted = operation.is_completed and operation.poll_url is None
                if not operation.is_completed:
                    self._follow(operation, vps_id, filename, deadline, progress)
                media = runtime.confirm(
                    vps_id, deadline, lambda m: m.find_available_by_name(filename) is not None
                )
        image = media.find_available_by_name(filename)
        assert image is not None  # confirm() returned because it is there
        return _state(vps_id, image, adopted)

    def _follow(
        self,
        operation: Operation,
        vps_id: str,
        filename: str,
        deadline: Deadline,
        progress: ProgressSink | None,
    ) -> None:
        """Poll the job until it completes; raise with its reason if it fails."""
        runtime = self.runtime
        target = operation.poll_url or operation.job_id
        wait = POLL_FIRST_WAIT
        shown = -PROGRESS_STEP
        while True:
            left = deadline.remaining()
            runtime.sleep(min(wait, left))
            job = runtime.client().get_job(target, deadline=deadline.remaining())
            status = job.operation_status
            if status == "completed":
                return
            if status == "failed":
                raise MountError(
                    f"downloading {filename} into the ISO library of VPS {vps_id} failed: "
                    f"{message_of(OperationFailedError(job_id=job.job_id, result=job.result))}; "
                    f"nothing was created: check the URL, then {runtime.wording.apply}"
                )
            reached = job.progress
            if progress is not None and reached is not None and reached >= shown + PROGRESS_STEP:
                shown = reached
                progress(f"downloading {filename} to VPS {vps_id}: {reached:.0f}%")
            wait = min(wait * 1.5, POLL_MAX_WAIT)

    # -- read --

    def read(self, vps_id: str, iso_id: str, *, adopted: bool | None = None) -> ImageState | None:
        """The ISO ``iso_id`` as ``vps_id``'s listing shows it; None when it is gone."""
        runtime = self.runtime
        with runtime.user_errors(f"read ISO {iso_id} of VPS {vps_id}"):
            media = runtime.listing_unless_gone(
                vps_id,
                max_age=runtime.settings.listing_cache_seconds,
                deadline=runtime.operation_seconds(),
            )
            image = media.find_available(iso_id) if media is not None else None
            return None if image is None else _state(vps_id, image, adopted)

    # -- delete --

    def ensure_deleted(self, vps_id: str, iso_id: str) -> None:
        """Delete ``iso_id`` from the library; done when it (or the VPS) is gone already.

        Refused, naming the devices, while this VPS has it mounted; the API's own
        refusal (mounted on another VPS) is passed on with what to do.
        """
        runtime = self.runtime
        with runtime.user_errors(f"delete ISO {iso_id} of VPS {vps_id}"):
            deadline = runtime.deadline(f"deleting ISO {iso_id}")
            with runtime.writing(vps_id):
                media = runtime.listing_unless_gone(vps_id, deadline=deadline.remaining())
                if media is None or media.find_available(iso_id) is None:
                    return
                devices = [m.device for m in media.mounted if m.iso_id == iso_id and m.device]
                if devices:
                    raise MountError(_in_use_message(iso_id, f"{vps_id}/{', '.join(devices)}"))
                runtime.listings.invalidate(vps_id)  # before the write: see ListingCache
                try:
                    runtime.client().delete_iso_media(vps_id, iso_id, deadline=deadline.remaining())
                except ConflictError as exc:
                    hint = (
                        " (it is still mounted on a VPS: unmount it there first)"
                        if assumptions.DELETE_MEDIA_CONFLICT_MEANS_IN_USE
                        else ""
                    )
                    detail = exc.detail or message_of(exc)
                    raise MountError(
                        f"the API refused to delete ISO {iso_id}: {detail}{hint}"
                    ) from None
                except NotFoundError:
                    pass  # gone between our read and the delete
                except (TransportError, ServerError) as exc:
                    # Not retried once sent (a repeat would 404): the listing decides.
                    media = runtime.confirm(vps_id, deadline, lambda m: True, once=True)
                    if media.find_available(iso_id) is not None:
                        raise exc from None
                    return
                runtime.confirm(vps_id, deadline, lambda m: m.find_available(iso_id) is None)


def _in_use_message(iso_id: str, where: str) -> str:
    return (
        f"ISO {iso_id} is still mounted ({where}): unmount it first (a mount that uses it "
        "should take its iso_id from this image, so that the mount is removed first). "
        "To replace a mounted ISO (a new url or decompress), give it a new filename too: "
        "the new file then downloads first, the mount moves to it, and this one goes last"
    )


def _state(vps_id: str, image: IsoImage, adopted: bool | None) -> ImageState:
    return ImageState(
        vps_id=vps_id,
        iso_id=image.id,
        name=image.name,
        display_name=image.display_name,
        size_gb=image.size_gb,
        adopted=adopted,
    )
