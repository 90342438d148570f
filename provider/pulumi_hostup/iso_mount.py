"""``VpsIsoMount``: a Pulumi dynamic resource for one ISO mounted on one Hostup VPS.

The engine pickles :class:`VpsIsoMountProvider` with dill into every resource's
state. It is pickled by reference (this module must never move, and the class
never be renamed) and carries nothing: credentials, HTTP sessions, locks and the
listing cache live only in the provider process, set up by :meth:`configure` or
on first use. See shared/DESIGN.md, "The resource", for the contract each method
keeps here.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from hostup import assumptions
from hostup.contract import DEFAULT_ENDPOINT, DEVICES, path_segment_problem
from hostup.errors import (
    APIError,
    ConfigurationError,
    ConflictError,
    HostupError,
    NotFoundError,
    ServerError,
    TransportError,
)

if TYPE_CHECKING:  # the client, requests and pydantic load on first use (bench/README.md)
    from hostup.client import HostupClient
    from hostup.models import IsoMedia, MountedMedia

__all__ = ["VpsIsoMount", "VpsIsoMountArgs", "VpsIsoMountError", "VpsIsoMountProvider"]

TYPE_NAME: Final = "VpsIsoMount"
MODULE: Final = "hostup"  # with TYPE_NAME: pulumi-python:dynamic/hostup:VpsIsoMount
DEFAULT_DEVICE: Final = "ide2"

INPUTS: Final = ("vps_id", "iso_id", "device")
OUTPUTS: Final = ("iso_name", "iso_display_name", "iso_size_gb", "boot_order")
# vps_id and device are the identity (the ID is "{vps_id}/{device}"); iso_id is not.
REPLACE_ON: Final = ("vps_id", "device")
_PROVIDER_KEY: Final = "__provider"
# Set by the program: whether this run is a preview. Check reads it and drops it,
# so it never reaches state. Only a preview needs check's live read: during `up`,
# create and update read the same listing and refuse with the same words, and
# the engine calls check one resource at a time, so a read there costs N
# round-trips in series (bench/README.md). Absent (older programs): a preview.
_PREVIEW_KEY: Final = "__hostupPreview"

CONFIG_API_KEY: Final = "hostup:apiKey"
CONFIG_ENDPOINT: Final = "hostup:endpoint"
CONFIG_OPERATION_TIMEOUT: Final = "hostup:operationTimeout"
CONFIG_LISTING_CACHE: Final = "hostup:listingCacheSeconds"
ENV_API_KEY: Final = "HOSTUP_API_KEY"
ENV_ENDPOINT: Final = "HOSTUP_ENDPOINT"
ENV_OPERATION_TIMEOUT: Final = "HOSTUP_OPERATION_TIMEOUT"
ENV_LISTING_CACHE: Final = "HOSTUP_LISTING_CACHE_SECONDS"

DEFAULT_OPERATION_TIMEOUT: Final = 300.0
# A listing read this recently answers other calls of the same run (refresh of
# several mounts on one VPS, create right after check). Our own writes drop it.
DEFAULT_LISTING_CACHE_SECONDS: Final = 10.0
# A preview waits at most this long for the API before it warns and goes on.
LIVE_CHECK_SECONDS: Final = 10.0
# After a mount or unmount, how many times the listing is re-read until it shows
# the new state: the docs say the listing is canonical, not the action's answer.
CONFIRM_READS: Final = 6
CONFIRM_FIRST_WAIT: Final = 0.25
CONFIRM_MAX_WAIT: Final = 4.0
# Requests one API call may send. The operation deadline (hostup:operationTimeout) is
# the budget; the count is only a backstop. The client's default of 5 gave up on one
# call in ~250 when a third of the requests fail, and one `pulumi up` of 20 mounts
# makes ~100 calls (tests/reliability/test_fault_matrix.py).
MAX_ATTEMPTS_PER_CALL: Final = 20


class VpsIsoMountError(HostupError):
    """An operation of ``VpsIsoMount`` failed; the message says what to do next."""

    def __str__(self) -> str:
        return self.message  # already whole: what failed, why, and the next step


# -- settings ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderSettings:
    """What the provider process resolved from stack config and the environment.

    The key lives only here, in the provider process; ``repr`` hides it.
    """

    api_key: str | None
    endpoint: str
    operation_timeout: float
    listing_cache_seconds: float

    def __repr__(self) -> str:
        key = "set" if self.api_key else "missing"
        return (
            f"ProviderSettings(api_key=<{key}>, endpoint={self.endpoint!r}, "
            f"operation_timeout={self.operation_timeout:g}, "
            f"listing_cache_seconds={self.listing_cache_seconds:g})"
        )

    @classmethod
    def resolve(cls, config: Callable[[str], Any] | None = None) -> ProviderSettings:
        """Stack config first (``hostup:*``), then ``HOSTUP_*`` variables, then defaults."""

        def setting(config_key: str, env_key: str) -> str | None:
            value = config(config_key) if config is not None else None
            if value is None or (isinstance(value, str) and not value.strip()):
                value = os.environ.get(env_key)
            if value is None:
                return None
            text = str(value).strip()
            return text or None

        def seconds(config_key: str, env_key: str, default: float) -> float:
            raw = setting(config_key, env_key)
            if raw is None:
                return default
            try:
                value = float(raw)
            except ValueError:
                raise VpsIsoMountError(
                    f"{config_key} / {env_key} must be a number of seconds, got {raw!r}"
                ) from None
            if not value >= 0:
                raise VpsIsoMountError(f"{config_key} / {env_key} must not be negative")
            return value

        timeout = seconds(
            CONFIG_OPERATION_TIMEOUT, ENV_OPERATION_TIMEOUT, DEFAULT_OPERATION_TIMEOUT
        )
        return cls(
            api_key=setting(CONFIG_API_KEY, ENV_API_KEY),
            endpoint=setting(CONFIG_ENDPOINT, ENV_ENDPOINT) or DEFAULT_ENDPOINT,
            operation_timeout=timeout if timeout > 0 else DEFAULT_OPERATION_TIMEOUT,
            listing_cache_seconds=seconds(
                CONFIG_LISTING_CACHE, ENV_LISTING_CACHE, DEFAULT_LISTING_CACHE_SECONDS
            ),
        )


# -- per-process helpers -------------------------------------------------------------


class _Deadline:
    """The overall deadline of one provider operation (the engine enforces none)."""

    def __init__(self, seconds: float, what: str) -> None:
        self.seconds = seconds
        self.what = what
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; raises :class:`VpsIsoMountError` once none are."""
        left = self._ends - time.monotonic()
        if left <= 0:
            raise VpsIsoMountError(
                f"{self.what} did not finish within its {self.seconds:g}s deadline "
                f"(raise it with `pulumi config set {CONFIG_OPERATION_TIMEOUT} <seconds>`)"
            )
        return left


class _ListingCache:
    """Listings per VPS, shared by the calls of one provider process.

    One fetch at a time per VPS: callers that arrive while it is in flight wait for
    its answer instead of sending their own. An entry younger than ``max_age``
    answers without a request. ``invalidate`` (after our writes) bumps a
    generation so that a fetch which started before the write is not stored.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, IsoMedia]] = {}
        self._inflight: dict[str, Future[IsoMedia]] = {}
        self._generation: dict[str, int] = {}

    def get(self, vps_id: str, fetch: Callable[[], IsoMedia], max_age: float) -> IsoMedia:
        """The listing of ``vps_id``: cached if younger than ``max_age``, else fetched."""
        with self._lock:
            entry = self._entries.get(vps_id)
            if entry is not None and time.monotonic() - entry[0] <= max_age:
                return entry[1]
            pending = self._inflight.get(vps_id) if max_age > 0 else None
            if pending is None:
                mine: Future[IsoMedia] = Future()
                if max_age > 0:
                    self._inflight[vps_id] = mine
                generation = self._generation.get(vps_id, 0)
        if pending is not None:
            return pending.result()
        try:
            media = fetch()
        except BaseException as exc:
            mine.set_exception(exc)
            raise
        finally:
            with self._lock:
                if self._inflight.get(vps_id) is mine:
                    del self._inflight[vps_id]
        self.put(vps_id, media, generation)
        mine.set_result(media)
        return media

    def put(self, vps_id: str, media: IsoMedia, generation: int | None = None) -> None:
        """Remember ``media``, unless a write invalidated the VPS since ``generation``."""
        with self._lock:
            if generation is None or self._generation.get(vps_id, 0) == generation:
                self._entries[vps_id] = (time.monotonic(), media)

    def invalidate(self, vps_id: str) -> None:
        with self._lock:
            self._entries.pop(vps_id, None)
            self._generation[vps_id] = self._generation.get(vps_id, 0) + 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            for vps_id in list(self._generation):
                self._generation[vps_id] += 1


class _Runtime:
    """Everything the provider needs at run time and must never pickle."""

    def __init__(self, settings: ProviderSettings) -> None:
        self.settings = settings
        self.listings = _ListingCache()
        self._client: HostupClient | None = None
        self._lock = threading.Lock()
        self._vps_locks: dict[str, threading.Lock] = {}
        self.live_checks_off = False  # set when the API did not answer a live check

    def client(self) -> HostupClient:
        from hostup.client import HostupClient, RetryPolicy

        with self._lock:
            if self._client is None:
                if not self.settings.api_key:
                    raise VpsIsoMountError(
                        "no Hostup API key: run `pulumi config set --secret "
                        f"{CONFIG_API_KEY} <key>` or export {ENV_API_KEY}"
                    )
                self._client = HostupClient(
                    self.settings.api_key,
                    self.settings.endpoint,
                    retry=RetryPolicy(max_attempts=MAX_ATTEMPTS_PER_CALL),
                )
            return self._client

    @contextmanager
    def writing(self, vps_id: str) -> Iterator[None]:
        """Serialize this process's writes to one VPS (mount and unmount race otherwise)."""
        with self._lock:
            lock = self._vps_locks.setdefault(vps_id, threading.Lock())
        with lock:
            yield


# -- the provider ------------------------------------------------------------------------


class VpsIsoMountProvider(ResourceProvider):
    """Create, read, update and delete one ISO mount through the Hostup API.

    Thread-safe: the provider host calls one instance from up to 4 threads.
    """

    # The pickled provider is a bare class reference (no secret is ever on the
    # instance), so a plain blob keeps state small and diffable.
    serialize_as_secret_always = False

    _init_lock: threading.Lock = threading.Lock()  # class attribute: never pickled

    def __init__(self) -> None:
        super().__init__()

    # Pickle nothing of the instance: whatever configure() set up stays in this process.
    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- process state --

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve credentials and settings from stack config (then the environment)."""
        runtime = _Runtime(ProviderSettings.resolve(req.config.get))
        with self._init_lock:
            self.__dict__["_runtime"] = runtime

    def _rt(self) -> _Runtime:
        runtime = self.__dict__.get("_runtime")
        if runtime is None:
            # Called without configure (direct use, tests): the environment decides.
            with self._init_lock:
                runtime = self.__dict__.get("_runtime")
                if runtime is None:
                    runtime = _Runtime(ProviderSettings.resolve())
                    self.__dict__["_runtime"] = runtime
        assert isinstance(runtime, _Runtime)
        return runtime

    def forget_cached_listings(self) -> None:
        """Drop every cached listing, so the next call reads the API afresh."""
        self._rt().listings.clear()

    # -- check --

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs; never raises. Live checks only for new or changed mounts, at preview."""
        failures: list[CheckFailure] = []
        inputs: dict[str, Any] = {}
        for key in news:
            if key in (_PROVIDER_KEY, _PREVIEW_KEY) or key in INPUTS or key in OUTPUTS:
                continue
            failures.append(
                CheckFailure(
                    key,
                    f"unknown property {key!r}: VpsIsoMount takes vps_id, iso_id and device",
                )
            )
        for key in ("vps_id", "iso_id"):
            value = news.get(key)
            problem = _id_problem(key, value)
            if problem:
                failures.append(CheckFailure(key, problem))
            inputs[key] = value
        device = news.get("device")
        if device is None:
            device = DEFAULT_DEVICE
        problem = _device_problem(device)
        if problem:
            failures.append(CheckFailure("device", problem))
        inputs["device"] = device
        if failures or any(_is_unknown(inputs[key]) for key in INPUTS):
            return CheckResult(inputs, failures)
        olds = _olds or {}
        if all(olds.get(key) == inputs[key] for key in INPUTS):
            return CheckResult(inputs, [])  # steady state: no API call
        if news.get(_PREVIEW_KEY) is False:
            return CheckResult(inputs, [])  # `up`: create and update validate live
        try:
            failures.extend(self._check_live(inputs, olds))
        except Exception as exc:  # never fail a preview on our own bug or a bad answer
            _warn(f"skipped the live check of {inputs['vps_id']}/{device}: {_message(exc)}")
        return CheckResult(inputs, failures)

    def _check_live(self, inputs: dict[str, Any], olds: Mapping[str, Any]) -> list[CheckFailure]:
        rt = self._rt()
        if not rt.settings.api_key or rt.live_checks_off:
            return []  # preview without credentials (or API): offline checks only
        try:
            rt.client()
        except ConfigurationError as exc:
            # A bad hostup:endpoint fails every later step too: say so at preview.
            return [CheckFailure("", f"provider configuration: {_message(exc)}")]
        vps_id, iso_id, device = inputs["vps_id"], inputs["iso_id"], inputs["device"]
        try:
            # A listing read seconds ago (another new mount on this VPS) answers here too.
            media = self._listing(
                vps_id,
                max_age=rt.settings.listing_cache_seconds,
                deadline=min(rt.settings.operation_timeout, LIVE_CHECK_SECONDS),
            )
        except NotFoundError as exc:
            if exc.code != "vps_not_found":
                raise
            return [CheckFailure("vps_id", _vps_not_found_message(vps_id))]
        except (TransportError, APIError) as exc:
            if isinstance(exc, TransportError):
                # Unreachable once, unreachable for this preview: warn once, then
                # skip the other live checks instead of waiting for each in turn.
                rt.live_checks_off = True
            _warn(f"could not check {vps_id}/{device} against the API: {_message(exc)}")
            return []
        stack_mounted = olds.get("vps_id") == vps_id and olds.get("device") == device
        return [
            CheckFailure(prop, message)
            for prop, message in _mount_problems(
                media, vps_id, iso_id, device, stack_mounted=stack_mounted
            )
        ]

    # -- diff --

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Pure: vps_id or device changed -> replace; iso_id changed -> update."""
        changed = [
            key
            for key in INPUTS
            if _is_unknown(news.get(key)) or _input(news, key) != _input(olds, key)
        ]
        replaces = [key for key in changed if key in REPLACE_ON]
        return DiffResult(changes=bool(changed), replaces=replaces)

    # -- create --

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Mount (or adopt an identical mount); at most 3 API calls in the plain case."""
        vps_id, iso_id, device = _identity(props)
        with _user_errors(f"mount {iso_id} on {vps_id}/{device}"):
            rt = self._rt()
            deadline = _Deadline(rt.settings.operation_timeout, f"mounting {iso_id} on {vps_id}")
            with rt.writing(vps_id):
                media = self._listing_before_write(vps_id, deadline)
                if not _holds(media.mounted_on(device), iso_id):
                    # Check skips the API during `up` (the preview read it), so this
                    # read refuses with the same words check would have used.
                    _refuse(_mount_problems(media, vps_id, iso_id, device, stack_mounted=False))
                    media = self._mount(vps_id, iso_id, device, deadline)
                return CreateResult(f"{vps_id}/{device}", _outputs(vps_id, iso_id, device, media))

    # -- read --

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """One listing read (shared per VPS within a run); gone -> ``ReadResult(None, {})``."""
        vps_id, device = _parse_id(id_, props)
        with _user_errors(f"read {vps_id}/{device}"):
            rt = self._rt()
            try:
                media = self._listing(
                    vps_id,
                    max_age=rt.settings.listing_cache_seconds,
                    deadline=rt.settings.operation_timeout,
                )
            except NotFoundError as exc:
                # Only a definite "this VPS does not exist" means gone; any other
                # 404 (a wrong endpoint, a proxy) must not drop the resource.
                if exc.code == "vps_not_found":
                    return ReadResult(None, {})
                raise
            current = media.mounted_on(device)
            if current is None or not current.holds_iso or current.iso_id is None:
                return ReadResult(None, {})
            outs = _outputs(vps_id, current.iso_id, device, media)
            inputs = {key: outs[key] for key in INPUTS}
            return ReadResult(f"{vps_id}/{device}", outs, inputs=inputs)

    # -- update --

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Mount the new ISO on the same device; roll back to the old one on failure."""
        vps_id, iso_id, device = _identity(news)
        old_iso = _input(olds, "iso_id")
        with _user_errors(f"mount {iso_id} on {vps_id}/{device}"):
            rt = self._rt()
            deadline = _Deadline(rt.settings.operation_timeout, f"mounting {iso_id} on {vps_id}")
            with rt.writing(vps_id):
                media = self._listing_before_write(vps_id, deadline)
                current = media.mounted_on(device)
                if not _holds(current, iso_id):
                    if current is not None and current.holds_iso and current.iso_id != old_iso:
                        raise VpsIsoMountError(
                            _occupied_message(vps_id, device, current, media)
                            + f" (this stack last saw {old_iso} there: run `pulumi refresh`"
                            " to accept what is mounted now, then `pulumi up`)"
                        )
                    _refuse(_mount_problems(media, vps_id, iso_id, device, stack_mounted=True))
                    media = self._replace_media(vps_id, iso_id, device, old_iso, deadline)
                return UpdateResult(_outputs(vps_id, iso_id, device, media))

    def _replace_media(
        self, vps_id: str, iso_id: str, device: str, old_iso: str | None, deadline: _Deadline
    ) -> IsoMedia:
        try:
            return self._mount(vps_id, iso_id, device, deadline)
        except ConflictError as exc:
            if not assumptions.is_media_present_conflict(exc.status, exc.code):
                raise
        # The API refuses to mount over media: unmount, mount, and put the old ISO
        # back if the new one does not take, so a failed update leaves what was there.
        self._unmount(vps_id, device, deadline)
        try:
            return self._mount(vps_id, iso_id, device, deadline)
        except HostupError as exc:
            if old_iso is None:
                raise
            # Its own budget (the update's is spent), capped by the configured deadline:
            # an update that must put the old ISO back ends within twice the deadline.
            restore = min(60.0, self._rt().settings.operation_timeout)
            try:
                self._mount(vps_id, old_iso, device, _Deadline(restore, "restoring the old ISO"))
            except HostupError as rollback_exc:
                raise VpsIsoMountError(
                    f"mounting {iso_id} on {vps_id}/{device} failed ({_message(exc)}), and "
                    f"putting {old_iso} back failed too ({_message(rollback_exc)}): the device "
                    "is empty now; run `pulumi refresh`, then `pulumi up`"
                ) from None
            raise VpsIsoMountError(
                f"mounting {iso_id} on {vps_id}/{device} failed: {_message(exc)}; "
                f"{old_iso} is mounted again, as before"
            ) from None

    # -- delete --

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Unmount only the ISO we mounted; VPS gone or device empty counts as done."""
        vps_id, device = _parse_id(id_, props)
        iso_id = _input(props, "iso_id")
        with _user_errors(f"unmount {iso_id} from {vps_id}/{device}"):
            rt = self._rt()
            deadline = _Deadline(rt.settings.operation_timeout, f"unmounting {vps_id}/{device}")
            with rt.writing(vps_id):
                try:
                    media = self._listing(vps_id, max_age=0, deadline=deadline.remaining())
                except NotFoundError as exc:
                    if exc.code == "vps_not_found":
                        return
                    raise
                current = media.mounted_on(device)
                if current is None or not current.holds_iso:
                    return
                if current.iso_id != iso_id:
                    _warn(
                        f"left {current.iso_id} on {vps_id}/{device} alone: this stack mounted "
                        f"{iso_id}, and someone has mounted another ISO there since"
                    )
                    return
                self._unmount(vps_id, device, deadline)

    # -- API steps --

    def _listing_before_write(self, vps_id: str, deadline: _Deadline) -> IsoMedia:
        """The listing create and update decide on; a read seconds old (check's) is reused."""
        try:
            return self._listing(
                vps_id,
                max_age=self._rt().settings.listing_cache_seconds,
                deadline=deadline.remaining(),
            )
        except NotFoundError as exc:
            if exc.code == "vps_not_found":
                raise VpsIsoMountError(_vps_not_found_message(vps_id)) from None
            raise

    def _listing(self, vps_id: str, *, deadline: float, max_age: float = 0.0) -> IsoMedia:
        rt = self._rt()
        client = rt.client()
        return rt.listings.get(
            vps_id, lambda: client.get_iso_media(vps_id, deadline=deadline), max_age
        )

    def _mount(self, vps_id: str, iso_id: str, device: str, deadline: _Deadline) -> IsoMedia:
        """POST mount, follow a 202, then re-read until the listing shows it."""
        from hostup.models import Operation

        rt = self._rt()
        client = rt.client()

        def is_mounted(media: IsoMedia) -> bool:
            return _holds(media.mounted_on(device), iso_id)

        rt.listings.invalidate(vps_id)
        try:
            answer = client.mount_iso(
                vps_id,
                iso_id,
                device,  # type: ignore[arg-type]  # validated by check
                deadline=deadline.remaining(),
            )
            if isinstance(answer, Operation):
                client.wait_for_operation(answer, deadline=deadline.remaining(), vps_id=vps_id)
        except (TransportError, ServerError) as exc:
            # No answer we can trust (a 5xx may come from a gateway after the API
            # acted): one read of the listing decides whether the mount happened.
            try:
                return self._confirm(vps_id, deadline, is_mounted, reads=1)
            except HostupError:
                raise exc from None
        return self._confirm(vps_id, deadline, is_mounted)

    def _unmount(self, vps_id: str, device: str, deadline: _Deadline) -> IsoMedia:
        rt = self._rt()
        rt.listings.invalidate(vps_id)
        rt.client().unmount_iso(
            vps_id,
            device,  # type: ignore[arg-type]  # validated by check
            deadline=deadline.remaining(),
        )

        def gone(media: IsoMedia) -> bool:
            current = media.mounted_on(device)
            return current is None or not current.holds_iso

        return self._confirm(vps_id, deadline, gone)

    def _confirm(
        self,
        vps_id: str,
        deadline: _Deadline,
        done: Callable[[IsoMedia], bool],
        reads: int = CONFIRM_READS,
    ) -> IsoMedia:
        """Re-read the listing until ``done`` holds (at most ``reads`` times); cache it."""
        rt = self._rt()
        client = rt.client()
        wait = CONFIRM_FIRST_WAIT
        for attempt in range(reads):
            media = client.get_iso_media(vps_id, deadline=deadline.remaining())
            rt.listings.put(vps_id, media)
            if done(media):
                return media
            if attempt + 1 < reads:
                time.sleep(min(wait, deadline.remaining()))
                wait = min(wait * 2, CONFIRM_MAX_WAIT)
        raise VpsIsoMountError(
            f"the API accepted the change on VPS {vps_id}, but its ISO listing did not show it "
            f"after {reads} read(s); run `pulumi refresh` to see what is mounted, "
            "then `pulumi up` again"
        )


# -- the resource ---------------------------------------------------------------------


@dataclass
class VpsIsoMountArgs:
    """The inputs of :class:`VpsIsoMount`."""

    vps_id: pulumi.Input[str]
    """The VPS (``vps_...`` from GET /api/v2/vps). Changing it replaces the mount."""
    iso_id: pulumi.Input[str]
    """The ISO (``available[].id`` of the VPS's ISO listing). Changing it remounts in place."""
    device: pulumi.Input[str] | None = None
    """The CD/DVD device, ``ide0``..``ide3`` (default ``ide2``). Changing it replaces."""


class VpsIsoMount(pulumi.dynamic.Resource, module=MODULE, name=TYPE_NAME):
    """An ISO mounted on a Hostup VPS's CD/DVD device. ID: ``{vps_id}/{device}``."""

    vps_id: pulumi.Output[str]
    iso_id: pulumi.Output[str]
    device: pulumi.Output[str]
    iso_name: pulumi.Output[str | None]
    """The ISO's file name, from the listing."""
    iso_display_name: pulumi.Output[str | None]
    """The ISO's display name, from the listing."""
    iso_size_gb: pulumi.Output[float | None]
    """The ISO's size in GB, from the listing."""
    boot_order: pulumi.Output[dict[str, Any] | None]
    """The VPS's boot order as the listing reports it (an opaque mapping)."""

    def __init__(
        self,
        resource_name: str,
        args: VpsIsoMountArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        vps_id: pulumi.Input[str] | None = None,
        iso_id: pulumi.Input[str] | None = None,
        device: pulumi.Input[str] | None = None,
    ) -> None:
        if args is not None:
            vps_id = args.vps_id if vps_id is None else vps_id
            iso_id = args.iso_id if iso_id is None else iso_id
            device = args.device if device is None else device
        props: dict[str, Any] = {
            "vps_id": vps_id,
            "iso_id": iso_id,
            "device": DEFAULT_DEVICE if device is None else device,
        }
        # Seeded so the engine resolves them from create's outputs (else unknown).
        props.update(dict.fromkeys(OUTPUTS))
        props[_PREVIEW_KEY] = pulumi.runtime.is_dry_run()
        super().__init__(VpsIsoMountProvider(), resource_name, props, opts)


# -- helpers ----------------------------------------------------------------------------


def _is_unknown(value: object) -> bool:
    return isinstance(value, str) and value == pulumi.runtime.rpc.UNKNOWN


def _input(props: Mapping[str, Any], key: str) -> Any:
    value = props.get(key)
    if key == "device" and value is None:
        return DEFAULT_DEVICE
    return value


def _id_problem(key: str, value: object) -> str | None:
    what = {
        "vps_id": "the VPS id from GET /api/v2/vps (vps_...)",
        "iso_id": "an ISO id from the VPS's ISO listing (available[].id, iso_...)",
    }[key]
    if value is None:
        return f"{key} is required: {what}"
    if _is_unknown(value):
        return None
    if not isinstance(value, str):
        return f"{key} must be a string, got {type(value).__name__}: {what}"
    problem = path_segment_problem(value)
    if problem:
        return f"{key} {problem}: expected {what}"
    if not value.isascii():
        # Hostup ids are ASCII. Look-alikes (fullwidth solidus or full stops, Cyrillic
        # letters) pass as one path segment but are never a real id: refuse them offline.
        return f"{key} must contain ASCII characters only: expected {what}"
    return None


def _device_problem(device: object) -> str | None:
    if _is_unknown(device):
        return None
    if not isinstance(device, str) or device not in DEVICES:
        shown = repr(device) if isinstance(device, str) else type(device).__name__
        return f"device must be one of {', '.join(DEVICES)} (default ide2), got {shown[:40]}"
    return None


def _identity(props: Mapping[str, Any]) -> tuple[str, str, str]:
    vps_id, iso_id, device = (_input(props, key) for key in INPUTS)
    for key, value in (("vps_id", vps_id), ("iso_id", iso_id)):
        problem = _id_problem(key, value)
        if problem:
            raise VpsIsoMountError(problem)
    problem = _device_problem(device)
    if problem:
        raise VpsIsoMountError(problem)
    return vps_id, iso_id, device


def _parse_id(id_: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """vps_id and device from the state, else from the ID alone (``{vps_id}/{device}``)."""
    vps_id, device = props.get("vps_id"), props.get("device")
    if not (isinstance(vps_id, str) and vps_id and isinstance(device, str) and device):
        vps_id, sep, device = (id_ or "").rpartition("/")
        if not sep or not vps_id:
            raise VpsIsoMountError(
                f"resource id {id_!r} is not of the form <vps_id>/<device>, e.g. vps_.../ide2"
            )
    for problem in (_id_problem("vps_id", vps_id), _device_problem(device)):
        if problem:
            raise VpsIsoMountError(f"resource id {id_!r}: {problem}")
    return vps_id, device


def _holds(current: MountedMedia | None, iso_id: str) -> bool:
    return current is not None and current.holds_iso and current.iso_id == iso_id


def _iso_label(media: IsoMedia, iso_id: str | None) -> str:
    image = media.find_available(iso_id) if iso_id else None
    name = image.display_name or image.name if image else None
    return f"{iso_id} ({name})" if name else str(iso_id)


def _occupied_message(vps_id: str, device: str, current: MountedMedia, media: IsoMedia) -> str:
    return (
        f"{device} of VPS {vps_id} already holds {_iso_label(media, current.iso_id)}, "
        "which this stack did not mount; unmount it in Hostup or choose another device"
    )


def _vps_not_found_message(vps_id: str) -> str:
    return (
        f"VPS {vps_id} was not found for this API key: use an id from "
        "GET /api/v2/vps (the Hostup dashboard shows it too)"
    )


def _gate_message(vps_id: str, code: str | None, reason: str | None) -> str:
    because = reason or "no reason given"
    return (
        f"VPS {vps_id} does not allow mounting now ({code or 'gate closed'}: {because}); "
        "resolve it in Hostup, then run `pulumi up` again"
    )


def _mount_problems(
    media: IsoMedia, vps_id: str, iso_id: str, device: str, *, stack_mounted: bool
) -> list[tuple[str, str]]:
    """What stops mounting ``iso_id`` on ``vps_id``/``device``, per input; [] when nothing does.

    ``stack_mounted``: this stack mounted the device (an update), so another ISO
    there is ours to swap, not someone else's. Already holding ``iso_id`` is never
    a problem: create adopts it, update has nothing to do.
    """
    current = media.mounted_on(device)
    if _holds(current, iso_id):
        return []
    problems: list[tuple[str, str]] = []
    if media.find_available(iso_id) is None:
        names = ", ".join(f"{i.id} ({i.name})" for i in media.available[:10]) or "none"
        problems.append(
            ("iso_id", f"ISO {iso_id} is not available to VPS {vps_id}; available: {names}")
        )
    usable = [slot.device for slot in media.available_devices if slot.device]
    if usable and device not in usable:
        problems.append(
            ("device", f"VPS {vps_id} has no CD/DVD slot {device}; usable: {', '.join(usable)}")
        )
    if current is not None and current.is_cloud_init:
        problems.append(
            (
                "device",
                f"{device} of VPS {vps_id} holds the cloud-init drive; choose another device",
            )
        )
    elif current is not None and current.holds_iso and not stack_mounted:
        problems.append(("device", _occupied_message(vps_id, device, current, media)))
    gate = media.actions.can_mount
    if not gate.allowed:
        problems.append(("vps_id", _gate_message(vps_id, gate.code, gate.reason)))
    return problems


def _refuse(problems: list[tuple[str, str]]) -> None:
    """Raise one error that names every problem (one line: the host shows the last)."""
    if problems:
        raise VpsIsoMountError("; and ".join(message for _, message in problems))


def _outputs(vps_id: str, iso_id: str, device: str, media: IsoMedia) -> dict[str, Any]:
    image = media.find_available(iso_id)
    return {
        "vps_id": vps_id,
        "iso_id": iso_id,
        "device": device,
        "iso_name": image.name if image else None,
        "iso_display_name": image.display_name if image else None,
        "iso_size_gb": image.size_gb if image else None,
        "boot_order": dict(media.boot_order) if media.boot_order is not None else None,
    }


def _message(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _warn(text: str) -> None:
    # pulumi.log does not work inside a dynamic provider; stderr shows as a diagnostic.
    print(f"warning: hostup: {text}", file=sys.stderr, flush=True)


@contextmanager
def _user_errors(what: str) -> Iterator[None]:
    """Re-raise our errors from a short stack with one message a person can act on.

    The provider host prints the whole traceback; its last line is what users read.
    """
    try:
        yield
    except VpsIsoMountError:
        raise
    except HostupError as exc:
        raise VpsIsoMountError(f"could not {what}: {_message(exc)}") from None
