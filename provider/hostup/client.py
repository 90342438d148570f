"""HostupClient: one method per operation of ``shared/hostup-api/openapi.yaml``.

Every method takes an optional ``deadline`` (seconds for the whole call,
retries included) overriding the retry policy's. Ids that go into a URL path are
checked with :func:`path_segment_problem` before any request is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Self, TypeVar, cast
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ValidationError

from . import assumptions
from ._http import HttpTransport
from .contract import (
    DEFAULT_DEVICE,
    DEFAULT_ENDPOINT,
    MAX_SEGMENT_LENGTH,
    device_problem,
    path_segment_problem,
)
from .errors import (
    ConfigurationError,
    DeadlineExceededError,
    InvalidArgumentError,
    InvalidPathSegmentError,
    OperationFailedError,
    TransportError,
)
from .models import (
    DECOMPRESS_VALUES,
    Decompress,
    Device,
    DeviceRequest,
    DeviceResult,
    FromUrlRequest,
    IsoMedia,
    Job,
    JobEnvelope,
    MountRequest,
    MountResult,
    Operation,
    OperationEnvelope,
    Vps,
    VpsPage,
    dump_body,
)
from .retry import RetryPolicy, Timeouts

__all__ = [
    "DEFAULT_ENDPOINT",
    "MAX_SEGMENT_LENGTH",
    "HostupClient",
    "path_segment_problem",
    "validate_path_segment",
]

_ModelT = TypeVar("_ModelT", bound=BaseModel)


def validate_path_segment(value: str, what: str) -> str:
    """Return ``value`` unchanged if it is a safe path segment, else raise.

    Raises :class:`InvalidPathSegmentError` (a ``ValueError``) naming ``what``.
    """
    problem = path_segment_problem(value)
    if problem is not None:
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        raise InvalidPathSegmentError(f"{what} {shown} is not a valid id: it {problem}")
    return value


def _segment(value: str, what: str, operation: str, vps_id: str | None = None) -> str:
    try:
        validate_path_segment(value, what)
    except InvalidPathSegmentError as exc:
        exc.operation = operation
        # The message already quotes a bad id safely (repr); keep raw text out of the context.
        exc.vps_id = vps_id if path_segment_problem(vps_id) is None else None
        raise
    return quote(value, safe="")


def _check_device(device: object, operation: str, vps_id: str | None) -> Device:
    problem = device_problem(device)
    if problem is not None:
        raise InvalidArgumentError(f"device {problem}", operation=operation, vps_id=vps_id)
    return cast(Device, device)  # device_problem found it in DEVICES


def _parse(model: type[_ModelT], data: Any, operation: str, vps_id: str | None) -> _ModelT:
    """Validate a 2xx body; a mismatch with the contract is a :class:`TransportError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Locations and messages only: input values could be large and say nothing new.
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or '(body)'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise TransportError(
            f"the answer does not match the API contract ({model.__name__}): {problems}",
            operation=operation,
            vps_id=vps_id,
            hint="The API may have changed; please report this with the request details",
        ) from exc


class HostupClient:
    """A typed client for the Hostup VPS ISO endpoints; share one across threads.

    Retries follow :class:`RetryPolicy` (see its docstring). Nothing touches the
    network before the first call, and the client refuses to be pickled because
    it holds the API key; ``repr`` shows the endpoint only.
    """

    def __init__(
        self,
        api_key: str,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        timeout: Timeouts | float | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._http = HttpTransport(api_key, endpoint, timeout=timeout, retry=retry)

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """A client from ``HOSTUP_API_KEY`` (required) and ``HOSTUP_ENDPOINT`` (optional).

        Keyword arguments are passed on; an explicit ``endpoint`` wins over the
        environment (:meth:`Settings.resolve`'s precedence). Raises
        :class:`ConfigurationError` when the key is missing.
        """
        from .settings import Settings

        settings = Settings.resolve(endpoint=kwargs.pop("endpoint", None))
        if not settings.api_key:
            raise ConfigurationError(
                "HOSTUP_API_KEY is not set: export HOSTUP_API_KEY=<key>, or set "
                "`pulumi config set --secret hostup:apiKey <key>` for the provider"
            )
        return cls(settings.api_key, settings.endpoint, **kwargs)

    @property
    def endpoint(self) -> str:
        return self._http.endpoint

    @property
    def retry(self) -> RetryPolicy:
        return self._http.retry

    @property
    def timeouts(self) -> Timeouts:
        return self._http.timeouts

    def __repr__(self) -> str:
        return f"HostupClient(endpoint={self.endpoint!r})"

    def __reduce__(self) -> Any:
        return self._http.__reduce__()

    def close(self) -> None:
        """Close the HTTP sessions; the client opens new ones if used again."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- VPS -------------------------------------------------------------------

    def list_vps(
        self,
        *,
        name: str | None = None,
        primary_ip: str | None = None,
        page_size: int = 100,
        deadline: float | None = None,
    ) -> Iterator[Vps]:
        """Every VPS the key can see (``listVps``), following ``nextCursor`` to the end.

        Lazy: each page is fetched when needed, each with its own deadline.
        """
        if not 1 <= page_size <= 100:
            raise InvalidArgumentError("page_size must be between 1 and 100", operation="listVps")
        return self._iter_vps(name, primary_ip, page_size, deadline)

    def _iter_vps(
        self, name: str | None, primary_ip: str | None, page_size: int, deadline: float | None
    ) -> Iterator[Vps]:
        params: dict[str, str | int] = {"limit": page_size}
        if name is not None:
            params["name"] = name
        if primary_ip is not None:
            params["primaryIp"] = primary_ip
        seen: set[str] = set()
        while True:
            data = self._http.request(
                "GET", "/api/v2/vps", params=params, operation="listVps", deadline=deadline
            )
            page = _parse(VpsPage, data, "listVps", None)
            yield from page.data
            cursor = page.next_cursor
            # hasMore is assumed (documented on sibling endpoints); a cursor alone suffices.
            if not cursor or page.has_more is False:
                return
            if cursor in seen:
                # A cursor that comes back would page forever.
                raise TransportError(
                    "the API returned the same nextCursor twice", operation="listVps"
                )
            seen.add(cursor)
            params["cursor"] = cursor

    # -- ISO media -------------------------------------------------------------

    def get_iso_media(self, vps_id: str, *, deadline: float | None = None) -> IsoMedia:
        """The ISO listing of one VPS (``listVpsIsoMedia``): the canonical mount state.

        Read-only, retried. A VPS that does not exist (or is another account's)
        raises :class:`NotFoundError`.
        """
        op = "listVpsIsoMedia"
        path = f"/api/v2/vps/{_segment(vps_id, 'vps_id', op, vps_id)}/iso"
        data = self._http.request("GET", path, operation=op, vps_id=vps_id, deadline=deadline)
        return _parse(IsoMedia, data, op, vps_id)

    def mount_iso(
        self,
        vps_id: str,
        iso_id: str,
        device: Device = DEFAULT_DEVICE,
        *,
        deadline: float | None = None,
    ) -> MountResult | Operation:
        """Mount ``iso_id`` on ``device`` (``mountVpsIso``).

        Returns the 200 body, or the :class:`Operation` of a 202 (poll it with
        :meth:`wait_for_operation`). Retried like an idempotent call: it sets the
        device's medium. Re-read the listing to confirm.
        """
        op = "mountVpsIso"
        device = _check_device(device, op, vps_id)
        if not isinstance(iso_id, str) or not iso_id:
            raise InvalidArgumentError(
                "iso_id must be a non-empty string", operation=op, vps_id=vps_id
            )
        body = MountRequest(
            iso_id=iso_id, device=device if assumptions.MOUNT_BODY_HAS_DEVICE else None
        )
        path = f"/api/v2/vps/{_segment(vps_id, 'vps_id', op, vps_id)}/iso/actions/mount"
        data = self._http.request(
            "POST",
            path,
            json=dump_body(body),
            operation=op,
            vps_id=vps_id,
            deadline=deadline,
            idempotent=True,
        )
        if isinstance(data, dict) and assumptions.MOUNT_ANSWERS_WITH_OPERATION_KEY in data:
            return _parse(OperationEnvelope, data, op, vps_id).operation
        return _parse(MountResult, data, op, vps_id)

    def unmount_iso(
        self, vps_id: str, device: Device = DEFAULT_DEVICE, *, deadline: float | None = None
    ) -> DeviceResult:
        """Unmount ``device`` (``unmountVpsIso``); idempotent in effect, so retried."""
        op = "unmountVpsIso"
        device = _check_device(device, op, vps_id)
        path = f"/api/v2/vps/{_segment(vps_id, 'vps_id', op, vps_id)}/iso/actions/unmount"
        data = self._http.request(
            "POST",
            path,
            json=dump_body(DeviceRequest(device=device)),
            operation=op,
            vps_id=vps_id,
            deadline=deadline,
            idempotent=True,
        )
        return _parse(DeviceResult, data, op, vps_id)

    def attach_empty_cdrom(
        self, vps_id: str, device: Device | None = None, *, deadline: float | None = None
    ) -> DeviceResult:
        """Add an empty CD/DVD slot (``attachEmptyCdrom``, shape assumed).

        Not retried once sent: a second attach could add a second slot.
        """
        op = "attachEmptyCdrom"
        if device is not None:
            device = _check_device(device, op, vps_id)
        body = DeviceRequest(device=device if assumptions.ATTACH_EMPTY_BODY_HAS_DEVICE else None)
        path = f"/api/v2/vps/{_segment(vps_id, 'vps_id', op, vps_id)}/iso/actions/attach-empty"
        data = self._http.request(
            "POST",
            path,
            json=dump_body(body),
            operation=op,
            vps_id=vps_id,
            deadline=deadline,
            idempotent=False,
        )
        return _parse(DeviceResult, data, op, vps_id)

    def download_iso_from_url(
        self,
        vps_id: str,
        url: str,
        filename: str,
        decompress: Decompress | None = None,
        *,
        deadline: float | None = None,
    ) -> Operation:
        """Queue a download into the ISO library (``downloadIsoFromUrl``).

        Returns the operation (already ``completed`` when the file exists). Not
        retried once sent, so a timeout never queues a second download.
        """
        op = "downloadIsoFromUrl"
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidArgumentError("url must be an http(s) URL", operation=op, vps_id=vps_id)
        if not isinstance(filename, str) or not filename.strip():
            raise InvalidArgumentError("filename must not be empty", operation=op, vps_id=vps_id)
        if decompress is not None and decompress not in DECOMPRESS_VALUES:
            raise InvalidArgumentError(
                f"decompress must be one of {', '.join(DECOMPRESS_VALUES)}",
                operation=op,
                vps_id=vps_id,
            )
        body = FromUrlRequest(url=url, filename=filename, decompress=decompress)
        path = f"/api/v2/vps/{_segment(vps_id, 'vps_id', op, vps_id)}/iso/actions/from-url"
        data = self._http.request(
            "POST",
            path,
            json=dump_body(body),
            operation=op,
            vps_id=vps_id,
            deadline=deadline,
            idempotent=False,
        )
        return _parse(OperationEnvelope, data, op, vps_id).operation

    def delete_iso_media(self, vps_id: str, volid: str, *, deadline: float | None = None) -> None:
        """Delete an ISO from the library (``deleteVpsIsoMedia``; 204 assumed).

        Not retried once sent: a repeated delete would answer 404 for a success.
        """
        op = "deleteVpsIsoMedia"
        path = (
            f"/api/v2/vps/{_segment(vps_id, 'vps_id', op, vps_id)}"
            f"/iso/{_segment(volid, 'volid', op, vps_id)}"
        )
        self._http.request(
            "DELETE", path, operation=op, vps_id=vps_id, deadline=deadline, idempotent=False
        )

    # -- jobs ------------------------------------------------------------------

    def _job_path(self, job_id_or_poll_url: str) -> str:
        """The path to poll: ``/api/jobs/<id>`` for an id, or a checked pollUrl."""
        op = "getJob"
        ref = job_id_or_poll_url
        if not isinstance(ref, str) or not ref:
            raise InvalidArgumentError("a job id or pollUrl is required", operation=op)
        if "/" not in ref:
            return assumptions.JOB_PATH_TEMPLATE.format(job_id=_segment(ref, "job id", op))
        parts = urlsplit(ref)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        # An absolute pollUrl is only followed to our own endpoint: the key goes with it.
        if (parts.scheme or parts.netloc) and origin != self.endpoint:
            raise InvalidArgumentError(
                f"refusing to poll {ref!r}: not on the API endpoint {self.endpoint}",
                operation=op,
            )
        if parts.query or parts.fragment or not parts.path.startswith(assumptions.POLL_PATH_PREFIX):
            raise InvalidArgumentError(
                f"refusing to poll {ref!r}: a pollUrl must be a path under "
                f"{assumptions.POLL_PATH_PREFIX} on the API host",
                operation=op,
            )
        segments = parts.path.split("/")[1:]
        return "/" + "/".join(_segment(seg, "pollUrl segment", op) for seg in segments)

    def get_job(self, job_id_or_poll_url: str, *, deadline: float | None = None) -> Job:
        """The state of a job (``getJob``), by ``job_...`` id or by the operation's pollUrl.

        Only relative pollUrls under ``/api/`` (or absolute ones on this client's
        endpoint) are followed; anything else raises :class:`InvalidArgumentError`.
        """
        op = "getJob"
        path = self._job_path(job_id_or_poll_url)
        data = self._http.request("GET", path, operation=op, deadline=deadline)
        if isinstance(data, dict) and "data" not in data and "operation" in data:
            # ASSUMED (openapi.yaml x-assumed getJob): a v2 poll target may answer with
            # an operation envelope instead of the legacy one.
            operation = _parse(OperationEnvelope, data, op, None).operation
            return Job(job_id=operation.job_id, status=operation.status, result=operation.result)
        return _parse(JobEnvelope, data, op, None).data

    def wait_for_operation(
        self,
        operation: Operation,
        *,
        deadline: float,
        poll_interval: float = 2.0,
        max_poll_interval: float = 10.0,
        vps_id: str | None = None,
    ) -> Operation:
        """Poll ``operation`` until it is terminal, at most ``deadline`` seconds.

        Returns the operation with status ``completed`` (and the job's result).
        Raises :class:`OperationFailedError` if it failed, and
        :class:`DeadlineExceededError` if it is still running at the deadline.
        The poll interval grows by half each round, up to ``max_poll_interval``.
        Job fields map to a status as :func:`assumptions.job_status` says.
        """
        if operation.is_completed:
            return operation
        if operation.is_failed:
            raise OperationFailedError(
                job_id=operation.job_id, result=operation.result, vps_id=vps_id
            )
        policy = self._http.retry
        deadline_at = policy.clock() + deadline
        target = operation.poll_url or operation.job_id
        interval = poll_interval
        current = operation
        while True:
            remaining = deadline_at - policy.clock()
            if remaining <= 0:
                raise DeadlineExceededError(
                    f"job {operation.job_id} was still {current.status} after {deadline:.3g}s",
                    deadline=deadline,
                    operation="getJob",
                    vps_id=vps_id,
                    hint="It may still finish: re-read the ISO listing later",
                )
            job = self.get_job(target, deadline=remaining)
            status = job.operation_status
            current = Operation(
                status=status,
                job_id=job.job_id or operation.job_id,
                poll_url=operation.poll_url,
                result=job.result,
            )
            if current.is_completed:
                return current
            if current.is_failed:
                raise OperationFailedError(
                    job_id=current.job_id, result=current.result, operation="getJob", vps_id=vps_id
                )
            wait = min(interval, max(deadline_at - policy.clock(), 0.0))
            policy.sleep(wait)
            interval = min(interval * 1.5, max_poll_interval)
