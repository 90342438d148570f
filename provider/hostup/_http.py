"""The HTTP layer: the only module that imports requests.

It owns the sessions (one per thread, created on first use), the bearer header,
the User-Agent, timeouts, the retry policy and the mapping of error answers to
:mod:`hostup.errors`. Callers get parsed JSON or one of our exceptions,
never a ``requests.Response``.
"""

from __future__ import annotations

import ipaddress
import json as jsonlib
import logging
import math
import threading
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any, NoReturn
from urllib.parse import urlsplit

import requests
import requests.auth
import urllib3.exceptions
from pydantic import ValidationError

from .contract import DEFAULT_ENDPOINT
from .errors import (
    APIError,
    ConfigurationError,
    DeadlineExceededError,
    HostupError,
    InvalidArgumentError,
    TransportError,
    api_error,
)
from .models import FieldError, Problem
from .retry import RetryPolicy, Timeouts, retry_after_seconds

__all__ = [
    "DEFAULT_ENDPOINT",
    "HttpTransport",
    "is_loopback_host",
    "normalize_endpoint",
    "user_agent",
]

logger = logging.getLogger("hostup.http")

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT"})
_PACKAGE = "pulumi-hostup"


def user_agent() -> str:
    """``pulumi-hostup/<version> python-requests/<version>``."""
    try:
        version = metadata.version(_PACKAGE)
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"{_PACKAGE}/{version} python-requests/{requests.__version__}"


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (where plain http may carry the key)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _has_unsafe_chars(text: str) -> bool:
    return any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in text)


def normalize_endpoint(endpoint: str) -> str:
    """The API root as ``scheme://host[:port]``, or :class:`ConfigurationError`.

    Refuses non-http(s) schemes, credentials, a path, query or fragment (the
    client appends ``/api/...`` itself), and plain http to a non-loopback host.
    """
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ConfigurationError(
            "the endpoint is empty; set hostup:endpoint or HOSTUP_ENDPOINT, "
            f"or leave both unset for {DEFAULT_ENDPOINT}"
        )
    text = endpoint.strip()
    if _has_unsafe_chars(text):
        raise ConfigurationError("the endpoint contains whitespace or control characters")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ConfigurationError(
            f"the endpoint {text!r} must start with https:// (or http:// to a loopback address)"
        )
    if "@" in parts.netloc:
        raise ConfigurationError("the endpoint must not contain credentials (user:password@)")
    host = parts.hostname
    if not host:
        raise ConfigurationError(f"the endpoint {text!r} has no host")
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError(f"the endpoint {text!r} has an invalid port") from exc
    if parts.path not in ("", "/") or parts.query or parts.fragment or text[-1] in "?#":
        raise ConfigurationError(
            f"the endpoint {text!r} must be the API root only, like {DEFAULT_ENDPOINT}: "
            "no path, query or fragment (the client adds /api/v2/...)"
        )
    if scheme == "http" and not is_loopback_host(host):
        raise ConfigurationError(
            f"refusing to send the API key over plain http to {host}; use https://, "
            "or http:// only to a loopback address (127.0.0.1, ::1, localhost)"
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{scheme}://{netloc}"


def check_api_key(api_key: str) -> str:
    """The key itself, if it can go into a header; the error never quotes it."""
    if not isinstance(api_key, str) or not api_key.strip():
        raise ConfigurationError(
            "no Hostup API key: set it with `pulumi config set --secret hostup:apiKey <key>` "
            "or the HOSTUP_API_KEY environment variable"
        )
    if _has_unsafe_chars(api_key) or not api_key.isascii():
        raise ConfigurationError(
            "the Hostup API key contains whitespace, control or non-ASCII characters; "
            "check hostup:apiKey / HOSTUP_API_KEY for a stray newline or quote"
        )
    return api_key


class _BearerAuth(requests.auth.AuthBase):
    """Adds the bearer header; as a session ``auth`` it also keeps ~/.netrc out."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._api_key}"
        return request

    def __repr__(self) -> str:
        return "_BearerAuth(<redacted>)"


@dataclass(frozen=True)
class _Outcome:
    """What one attempt produced: a parsed body, or an error and whether to retry it."""

    value: Any = None
    error: HostupError | None = None
    cause: BaseException | None = None
    retryable: bool = False


class HttpTransport:
    """Sends one API call with retries; safe to share across threads.

    Each thread gets its own ``requests.Session`` on its first request; nothing
    network-related exists before that. It refuses to be pickled, because it
    holds the API key.
    """

    def __init__(
        self,
        api_key: str,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        timeout: Timeouts | float | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._api_key = check_api_key(api_key)
        self.endpoint = normalize_endpoint(endpoint)
        self.timeouts = Timeouts.of(timeout)
        self.retry = retry if retry is not None else RetryPolicy()
        self._loopback = is_loopback_host(urlsplit(self.endpoint).hostname or "")
        # Once per transport, not per session: reading package metadata takes milliseconds,
        # and every thread of a provider's pool opens a session.
        self._headers = {
            "User-Agent": user_agent(),
            "Accept": "application/json, application/problem+json",
        }
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"HttpTransport(endpoint={self.endpoint!r})"

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "a Hostup client holds the API key and must not be pickled; "
            "build it inside the provider (in configure() or per call)"
        )

    # -- sessions --------------------------------------------------------------

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(self._headers)
            session.auth = _BearerAuth(self._api_key)
            # Proxies from the environment must not see loopback (simulator) traffic.
            session.trust_env = not self._loopback
            with self._lock:
                self._sessions.append(session)
            self._local.session = session
        return session

    @property
    def session_count(self) -> int:
        """How many sessions are open (one per thread that made a request)."""
        with self._lock:
            return len(self._sessions)

    def close(self) -> None:
        """Close every thread's session; a later request opens a fresh one."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
            self._local = threading.local()
        for session in sessions:
            session.close()

    # -- the call --------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        operation: str,
        vps_id: str | None = None,
        deadline: float | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send ``method path`` and return its parsed JSON (``None`` for an empty 2xx).

        Retries per :class:`RetryPolicy` within ``deadline`` seconds (default: the
        policy's). ``idempotent`` defaults to the method's (GET/PUT yes, POST no).
        Raises :class:`APIError` subclasses for error answers, :class:`TransportError`
        for everything else that went wrong, :class:`DeadlineExceededError` when
        time ran out.
        """
        policy = self.retry
        budget = policy.deadline if deadline is None else deadline
        if not (isinstance(budget, int | float) and math.isfinite(budget) and budget > 0):
            raise InvalidArgumentError(
                "deadline must be a positive number of seconds", operation=operation, vps_id=vps_id
            )
        if not path.startswith("/") or path.startswith("//"):
            raise InvalidArgumentError(
                f"path {path!r} must be absolute on the API host",
                operation=operation,
                vps_id=vps_id,
            )
        if idempotent is None:
            idempotent = method.upper() in _IDEMPOTENT_METHODS
        deadline_at = policy.clock() + budget
        previous_delay = policy.base_delay
        attempt = 0
        last: HostupError | None = None
        while True:
            remaining = deadline_at - policy.clock()
            if remaining <= 0:
                if isinstance(last, APIError):
                    raise last
                raise self._deadline_error(operation, vps_id, budget, attempt, last) from last
            attempt += 1
            outcome = self._attempt(
                method, path, json, params, operation, vps_id, remaining, attempt, idempotent
            )
            if outcome.error is None:
                return outcome.value
            error, cause = outcome.error, outcome.cause
            if not outcome.retryable or attempt >= policy.max_attempts:
                raise error from cause
            if isinstance(error, APIError) and error.retry_after is not None:
                delay = policy.server_wait(error.retry_after)
            else:
                delay = policy.backoff(attempt, previous_delay)
            previous_delay = max(delay, policy.base_delay)
            if policy.clock() + delay >= deadline_at:
                # Waiting would overrun the deadline: an API error says more than a timeout.
                if isinstance(error, APIError):
                    raise error from cause
                raise self._deadline_error(operation, vps_id, budget, attempt, error) from error
            logger.info(
                "%s: %s; retrying in %.2fs (attempt %d of %d)",
                operation, error.message, delay, attempt + 1, policy.max_attempts,
            )  # fmt: skip
            policy.sleep(delay)
            last = error

    def _attempt(
        self,
        method: str,
        path: str,
        json: Any,
        params: Mapping[str, str | int] | None,
        operation: str,
        vps_id: str | None,
        remaining: float,
        attempt: int,
        idempotent: bool,
    ) -> _Outcome:
        """One request: its parsed answer, or the error and whether to try again."""
        started = time.monotonic()
        try:
            response = self._send(self._session(), method, path, json, params, remaining)
        except requests.RequestException as exc:
            error, transient = self._transport_error(exc, method, path, operation, vps_id)
            error.attempts = attempt
            logger.debug(
                "%s %s failed after %.0f ms (attempt %d): %s",
                method, path, (time.monotonic() - started) * 1000, attempt, error.message,
            )  # fmt: skip
            # A request that may have reached the server is repeated only if repeating is safe.
            retryable = transient and (idempotent or not _may_have_been_sent(exc))
            return _Outcome(error=error, cause=exc, retryable=retryable)
        logger.debug(
            "%s %s -> %d in %.0f ms (attempt %d)",
            method, path, response.status_code, (time.monotonic() - started) * 1000, attempt,
        )  # fmt: skip
        if response.status_code < 400:
            return _Outcome(value=self._success(response, operation, vps_id, attempt))
        api = self._api_error(response, operation, vps_id, attempt)
        retryable = self.retry.should_retry_status(api.status, api.code, idempotent=idempotent)
        return _Outcome(error=api, retryable=retryable)

    def _send(
        self,
        session: requests.Session,
        method: str,
        path: str,
        json: Any,
        params: Mapping[str, str | int] | None,
        remaining: float,
    ) -> requests.Response:
        """What ``session.request`` does, minus merging per-request settings into the
        session's: a call has none (no headers, cookies or hooks of its own), and the
        merge was a tenth of the client's time per request. The session's headers,
        auth, cookies, hooks and environment settings (proxies, CA bundle) still apply.
        """
        prepared = requests.PreparedRequest()
        prepared.prepare(
            method=method.upper(),
            url=self.endpoint + path,
            headers=session.headers,
            json=json,
            params=params,
            auth=session.auth,
            cookies=session.cookies,
            hooks=session.hooks,
        )
        settings = session.merge_environment_settings(prepared.url, {}, None, None, None)
        return session.send(
            prepared,
            timeout=(min(self.timeouts.connect, remaining), min(self.timeouts.read, remaining)),
            allow_redirects=False,
            **settings,
        )

    # -- answers ---------------------------------------------------------------

    def _success(
        self, response: requests.Response, operation: str, vps_id: str | None, attempt: int
    ) -> Any:
        status = response.status_code
        if 300 <= status < 400:
            target = urlsplit(response.headers.get("Location", "")).hostname or "the same host"
            raise TransportError(
                f"the API answered HTTP {status}, a redirect to {target}; redirects are not "
                "followed, so the key stays with the configured endpoint",
                operation=operation,
                vps_id=vps_id,
                hint=(
                    "Set hostup:endpoint / HOSTUP_ENDPOINT to the API root, "
                    f"e.g. {DEFAULT_ENDPOINT}"
                ),
                attempts=attempt,
                status=status,
            )
        if status == 204 or not response.content.strip():
            return None
        try:
            return jsonlib.loads(response.content)
        except (ValueError, RecursionError) as exc:  # nested too deep to parse: not JSON to us
            content_type = response.headers.get("Content-Type", "no content type")
            raise TransportError(
                f"the API answered HTTP {status} with a body that is not JSON ({content_type})",
                operation=operation,
                vps_id=vps_id,
                hint="A proxy or captive portal may be in the way; check hostup:endpoint",
                attempts=attempt,
                status=status,
            ) from exc

    def _api_error(
        self, response: requests.Response, operation: str, vps_id: str | None, attempt: int
    ) -> APIError:
        problem = _parse_problem(response.content)
        retry_after = retry_after_seconds(response.headers, self.retry.wall_clock())
        request_id = response.headers.get("X-Request-Id")
        if problem is None:
            content_type = response.headers.get("Content-Type", "no content type")
            reason = response.reason or "error"
            return api_error(
                status=response.status_code,
                title=response.reason or None,
                detail=f"{reason} (the body was not Problem JSON: {content_type})",
                request_id=request_id,
                retry_after=retry_after,
                operation=operation,
                vps_id=vps_id,
                attempts=attempt,
            )
        return api_error(
            status=response.status_code,
            code=problem.code,
            title=problem.title,
            detail=problem.detail,
            request_id=problem.request_id or request_id,
            errors=problem.errors,
            retry_after=retry_after,
            operation=operation,
            vps_id=vps_id,
            attempts=attempt,
        )

    def _transport_error(
        self,
        exc: requests.RequestException,
        method: str,
        path: str,
        operation: str,
        vps_id: str | None,
    ) -> tuple[TransportError, bool]:
        """Our error for a failed exchange, and whether the failure is transient."""
        host = urlsplit(self.endpoint).netloc
        common: dict[str, Any] = {"operation": operation, "vps_id": vps_id}
        unreachable = {
            **common,
            "hint": "Check hostup:endpoint / HOSTUP_ENDPOINT and that the API is reachable",
        }
        flaky = {**common, "hint": "The API or the network is slow or failing; try again later"}
        if isinstance(exc, requests.ConnectTimeout):
            return TransportError(
                f"could not connect to {host} within {self.timeouts.connect:g}s", **unreachable
            ), True
        if isinstance(exc, requests.exceptions.SSLError):
            return TransportError(
                f"TLS with {host} failed ({_reason(exc)})",
                hint="Check that hostup:endpoint is right and its certificate is trusted",
                **common,
            ), False
        if isinstance(exc, requests.ReadTimeout) or _wraps(
            exc, urllib3.exceptions.ReadTimeoutError
        ):
            return TransportError(
                f"no answer to {method} {path} within the read timeout "
                f"({self.timeouts.read:g}s, or less when the deadline was near)",
                **flaky,
            ), True
        if isinstance(exc, requests.ConnectionError):
            if not _may_have_been_sent(exc):
                return TransportError(
                    f"could not connect to {host} ({_reason(exc)})", **unreachable
                ), True
            return TransportError(
                f"the connection to {host} broke before an answer arrived ({_reason(exc)})",
                **flaky,
            ), True
        if isinstance(
            exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
        ):
            return TransportError(f"the answer from {host} was cut off or garbled", **flaky), True
        return TransportError(f"the request failed ({type(exc).__name__})", **common), False

    def _deadline_error(
        self,
        operation: str,
        vps_id: str | None,
        budget: float,
        attempts: int,
        last: HostupError | None,
    ) -> DeadlineExceededError:
        message = f"did not finish within its {budget:.3g}s deadline"
        if last is not None:
            message += f"; last error: {last.message}"
        return DeadlineExceededError(
            message,
            deadline=budget,
            operation=operation,
            vps_id=vps_id,
            hint=(last.hint if last is not None and last.hint else None)
            or "The API is slow or unreachable; try again later or pass a longer deadline",
            attempts=attempts,
        )


def _parse_problem(content: bytes) -> Problem | None:
    """The Problem in an error body; tolerant of a malformed ``errors[]``."""
    try:
        data = jsonlib.loads(content)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return Problem.model_validate(data)
    except ValidationError:
        pass
    # Keep what is usable rather than losing the code and request id to one bad field.
    fields = {
        key: value
        for key in ("type", "title", "detail", "code", "instance", "requestId", "timestamp")
        if isinstance(value := data.get(key), str)
    }
    errors = [
        FieldError(
            pointer=str(item.get("pointer", "")),
            detail=str(item.get("detail", "")),
            code=str(item.get("code", "")),
        )
        for item in data.get("errors") or []
        if isinstance(item, dict)
    ]
    return Problem.model_validate({**fields, "errors": errors})


def _inner(exc: BaseException) -> BaseException | None:
    """The urllib3 error inside a requests error (unwrapping MaxRetryError)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
    if isinstance(inner, urllib3.exceptions.MaxRetryError) and inner.reason is not None:
        return inner.reason
    return inner


def _wraps(exc: BaseException, kind: type[BaseException]) -> bool:
    return isinstance(_inner(exc), kind)


def _may_have_been_sent(exc: requests.RequestException) -> bool:
    """False only when the connection was never made, so the server saw nothing."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    return not (
        isinstance(exc, requests.ConnectionError)
        and _wraps(exc, urllib3.exceptions.NewConnectionError)
    )


def _reason(exc: BaseException) -> str:
    inner = _inner(exc)
    if isinstance(inner, urllib3.exceptions.NewConnectionError):
        # "...: Failed to establish a new connection: [Errno 111] Connection refused"
        return str(inner).rsplit(": ", 1)[-1]
    if isinstance(inner, urllib3.exceptions.ProtocolError) and len(inner.args) > 1:
        return str(inner.args[1]) or type(inner.args[1]).__name__
    return type(inner or exc).__name__
