"""The exceptions of pulumi-hostup.

::

    HostupError(Exception)              base: .operation (operationId), .vps_id
    ├── ConfigurationError              bad endpoint or key, plain http to a non-loopback host
    │   └── InvalidArgumentError        (also ValueError) a bad argument, caught before any request
    │       └── InvalidPathSegmentError an id that is not a safe URL path segment
    ├── TransportError                  no usable answer: connect error, timeout, reset,
    │   │                               non-JSON or malformed 2xx body, a redirect
    │   └── DeadlineExceededError       the call's overall deadline ran out
    ├── OperationFailedError            an async operation/job ended failed (.job_id, .result)
    ├── MountError                      a mount engine operation failed (hostup.mounts);
    │                                   str() is the whole message, written for a person
    ├── NoMatchError                    a look-up by name found none, or several; the
    │                                   message lists what there is (hostup.lookups)
    └── APIError                        the API said no: .status .code .title .detail
        │                               .request_id .errors[FieldError] .retry_after
        ├── InvalidRequestError         400  invalid_request (see .errors pointers)
        ├── AuthenticationError         401  unauthorized
        ├── PermissionDeniedError       403  forbidden (a missing scope)
        ├── NotFoundError               404  not_found, vps_not_found
        ├── ConflictError               409  vps_not_ready, pending_order, upstream_failed, ...
        ├── RateLimitError              429  rate_limited, rate_limit_exceeded
        └── ServerError                 5xx

:func:`api_error` picks the class from one table: the status decides, and the
``code`` only refines a status the table does not know. An error page that is not
Problem JSON (say a proxy's HTML 502) still maps by its status, with ``code`` None.
``str(exc)`` is written for a person: what happened, what to do next, and the
request id. No exception text ever contains the API key: the key never reaches
this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import assumptions

if TYPE_CHECKING:
    from .models import FieldError

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "FieldError",
    "HostupError",
    "InvalidArgumentError",
    "InvalidPathSegmentError",
    "InvalidRequestError",
    "MountError",
    "NoMatchError",
    "NotFoundError",
    "OperationFailedError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "api_error",
    "error_class",
]


def __getattr__(name: str) -> Any:
    # FieldError (a pydantic model) is re-exported on first use: a Pulumi program
    # imports these errors, and must not pay for pydantic (bench/README.md, start-up).
    if name == "FieldError":
        from .models import FieldError

        return FieldError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class HostupError(Exception):
    """Base of every error this package raises on purpose.

    ``operation`` is the API operationId (e.g. ``mountVpsIso``) and ``vps_id`` the
    VPS it concerned, when known. ``attempts`` counts the requests sent.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        vps_id: str | None = None,
        hint: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.vps_id = vps_id
        self.hint = hint
        self.attempts = attempts

    def _context(self) -> str:
        where = self.operation or "Hostup API call"
        if self.vps_id is not None:
            where += f" on VPS {self.vps_id}"
        return where

    def _next_step(self) -> str | None:
        return self.hint

    def _request_id(self) -> str | None:
        return None

    def _attempts_note(self) -> str:
        return f" (after {self.attempts} attempts)" if self.attempts > 1 else ""

    def __str__(self) -> str:
        text = f"{self._context()}: {self.message}{self._attempts_note()}"
        step = self._next_step()
        if step:
            # The API's own messages often end in a full stop already.
            text = text.rstrip(".") + f". {step}"
        request_id = self._request_id()
        if request_id:
            text += f" (request id {request_id})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors defeat Exception's default pickling (by args).
        return (_restore, (type(self), self.args, self.__dict__.copy()))


def _restore(cls: type[HostupError], args: tuple[Any, ...], state: dict[str, Any]) -> HostupError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigurationError(HostupError):
    """The client cannot be used as configured; no request was sent."""


class InvalidArgumentError(ConfigurationError, ValueError):
    """An argument was rejected before any request was sent."""


class InvalidPathSegmentError(InvalidArgumentError):
    """An id would not stay one URL path segment (``/``, ``..``, ``?``, whitespace ...)."""


class TransportError(HostupError):
    """No usable answer: the request failed on the wire, or the body was unusable.

    ``status`` is set when an HTTP answer arrived but could not be used (a 2xx
    that is not JSON or does not match the contract, a 3xx that was not followed).
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        vps_id: str | None = None,
        hint: str | None = None,
        attempts: int = 0,
        status: int | None = None,
    ) -> None:
        super().__init__(message, operation=operation, vps_id=vps_id, hint=hint, attempts=attempts)
        self.status = status


class DeadlineExceededError(TransportError):
    """The call's overall deadline ran out before it could finish."""

    def __init__(
        self,
        message: str,
        *,
        deadline: float,
        operation: str | None = None,
        vps_id: str | None = None,
        hint: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message, operation=operation, vps_id=vps_id, hint=hint, attempts=attempts)
        self.deadline = deadline


class MountError(HostupError):
    """An operation of the mount engine failed; the message says what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __str__(self) -> str:
        return self.message  # already whole: what failed, why, and the next step


class NoMatchError(HostupError):
    """A look-up by name found nothing, or more than one; the message lists what exists."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class OperationFailedError(HostupError):
    """An async operation (a job) ended with status failed."""

    def __init__(
        self,
        *,
        job_id: str | None,
        result: Mapping[str, Any] | None = None,
        operation: str | None = None,
        vps_id: str | None = None,
    ) -> None:
        reason = _failure_reason(result)
        message = f"job {job_id or '(no id)'} failed"
        if reason:
            message += f": {reason}"
        super().__init__(
            message,
            operation=operation,
            vps_id=vps_id,
            hint="Re-read the ISO listing for the current state before trying again",
        )
        self.job_id = job_id
        self.result = dict(result) if result is not None else None


def _failure_reason(result: Mapping[str, Any] | None) -> str | None:
    if not result:
        return None
    for key in ("error", "message", "reason", "detail"):
        value = result.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, Mapping):
            nested = _failure_reason(value)
            if nested:
                return nested
    return None


class APIError(HostupError):
    """The API answered with an error status (RFC 7807 Problem Details when it could).

    Fields come from the Problem body: ``code`` is the machine-readable reason
    (branch on it, never on ``title`` or ``detail``); ``errors`` holds the field
    pointers of an ``invalid_request``; ``retry_after`` is the wait in seconds the
    server asked for (429), if any.
    """

    def __init__(
        self,
        *,
        status: int,
        code: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        request_id: str | None = None,
        errors: Iterable[FieldError] = (),
        retry_after: float | None = None,
        operation: str | None = None,
        vps_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.request_id = request_id
        self.errors: list[FieldError] = list(errors)
        self.retry_after = retry_after
        super().__init__(self._what(), operation=operation, vps_id=vps_id, attempts=attempts)

    def _what(self) -> str:
        text = f"HTTP {self.status}"
        if self.code:
            text += f" {self.code}"
        said = self.detail or self.title
        if said:
            text += f": {said}"
        for field in self.errors:
            text += f"; {field.pointer or '(body)'}: {field.detail} ({field.code})"
        return text

    def _advice(self) -> str | None:
        return None

    def _next_step(self) -> str | None:
        return self.hint or self._advice()

    def _request_id(self) -> str | None:
        return self.request_id


class InvalidRequestError(APIError):
    """400: the request was malformed; ``errors`` points at the offending fields."""

    def _advice(self) -> str | None:
        if self.errors:
            return "Fix the fields named above; they are JSON pointers into the request body"
        return "Check the arguments against the ISO listing (GET /api/v2/vps/{id}/iso)"


class AuthenticationError(APIError):
    """401: the API key is missing, wrong, expired or revoked."""

    def _advice(self) -> str:
        return (
            "Check the API key: set it with `pulumi config set --secret hostup:apiKey ...` "
            "or the HOSTUP_API_KEY environment variable"
        )


class PermissionDeniedError(APIError):
    """403: the key is valid but may not do this (assumed: a missing scope)."""

    @property
    def required_scopes(self) -> tuple[str, ...]:
        return assumptions.REQUIRED_SCOPES.get(self.operation or "", ())

    def _advice(self) -> str:
        scopes = self.required_scopes
        if scopes and self.status == assumptions.MISSING_SCOPE_STATUS:
            return (
                f"The API key probably lacks a scope this call needs ({', '.join(scopes)}); "
                "create a key with those scopes and set hostup:apiKey / HOSTUP_API_KEY"
            )
        return "The API key may not do this; check its scopes and the VPS's owner"


class NotFoundError(APIError):
    """404: the VPS (``vps_not_found``), ISO or job does not exist for this key."""

    def _advice(self) -> str:
        vps_advice = (
            "Check the VPS id: use the exact `id` from GET /api/v2/vps "
            "(a VPS of another account also answers 404)"
        )
        if self.code == "vps_not_found":
            return vps_advice
        if self.operation == "deleteVpsIsoMedia":
            return "Check the VPS id and the ISO id; re-read the ISO listing for current ids"
        if self.operation == "getJob":
            return "The job is unknown or expired; re-read the ISO listing for the outcome"
        if self.vps_id:
            return vps_advice
        return "Check the id; re-read the listing for current ids"


class ConflictError(APIError):
    """409: the VPS cannot do this now (not ready, a closed gate, media present, ...)."""

    @property
    def media_present(self) -> bool:
        """True when this looks like "the device already holds media" (an assumption)."""
        return assumptions.is_media_present_conflict(self.status, self.code)

    def _advice(self) -> str:
        if self.code == "vps_not_ready":
            return "The VPS is not ready (e.g. still provisioning or busy); try again later"
        if self.code in assumptions.GATE_CONFLICT_CODES:
            return "The action is blocked for this VPS (see actions in the ISO listing)"
        if self.code == "upstream_failed":
            return "Hostup's backend failed; re-read the ISO listing, then try again"
        return "Re-read the ISO listing to see the VPS's current state"


class RateLimitError(APIError):
    """429: too many requests; ``retry_after`` says how long the server asked to wait."""

    def _attempts_note(self) -> str:
        return ""  # the advice below says how often it retried

    def _advice(self) -> str:
        retries = max(self.attempts - 1, 0)
        text = f"Rate limited, retried {retries} time{'s' if retries != 1 else ''}"
        if self.retry_after is not None:
            text += f"; the API asked to wait {self.retry_after:g}s"
        return text + "; wait and run again, or run fewer operations in parallel"


class ServerError(APIError):
    """5xx: the API or a proxy in front of it failed."""

    def _advice(self) -> str:
        return "The Hostup API failed on its side; try again later"


# The one mapping table: status decides; `code` refines only statuses not listed.
_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}
_BY_CODE: dict[str, type[APIError]] = {
    "invalid_request": InvalidRequestError,
    "unauthorized": AuthenticationError,
    "forbidden": PermissionDeniedError,
    "not_found": NotFoundError,
    "vps_not_found": NotFoundError,
    "vps_not_ready": ConflictError,
    "rate_limited": RateLimitError,
    "rate_limit_exceeded": RateLimitError,
}


def error_class(status: int, code: str | None) -> type[APIError]:
    """The exception class for an error status and Problem ``code``."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    if code is not None and code in _BY_CODE:
        return _BY_CODE[code]
    return APIError


def api_error(
    *,
    status: int,
    code: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    request_id: str | None = None,
    errors: Iterable[FieldError] = (),
    retry_after: float | None = None,
    operation: str | None = None,
    vps_id: str | None = None,
    attempts: int = 1,
) -> APIError:
    """Build the right :class:`APIError` subclass for an error answer."""
    cls = error_class(status, code)
    return cls(
        status=status,
        code=code,
        title=title,
        detail=detail,
        request_id=request_id,
        errors=errors,
        retry_after=retry_after,
        operation=operation,
        vps_id=vps_id,
        attempts=attempts,
    )
