"""Runtime: what the engines of one process share, and how they wait.

The API client (built on first use), the listing cache, per-VPS write locks,
the operation deadline, the confirming re-reads after a write, and the injected
time (``clock``, ``sleep``) and warning sink. :mod:`hostup.mounts` and
:mod:`hostup.images` both work through one :class:`Runtime`, so a download that
adds an ISO and a mount that uses it see the same listing, and their writes to
one VPS take turns.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from .errors import DeadlineExceededError, HostupError, MountError, NotFoundError
from .listings import ListingCache
from .rules import Wording, vps_not_found_message
from .settings import Settings

if TYPE_CHECKING:
    from .client import HostupClient
    from .models import IsoMedia

__all__ = ["Deadline", "Runtime", "message_of"]

# After a write, the listing is re-read until it shows the change (the docs say the
# listing is canonical, not the action's answer), backing off up to this wait, for
# as long as the operation's deadline allows.
CONFIRM_FIRST_WAIT: Final = 0.25
CONFIRM_MAX_WAIT: Final = 4.0
# Requests one API call may send. The operation deadline is the budget; the count is
# only a backstop. The client's default of 5 gave up on one call in ~250 when a third
# of the requests fail, and one `pulumi up` of 20 mounts makes ~100 calls
# (tests/reliability/test_fault_matrix.py).
MAX_ATTEMPTS_PER_CALL: Final = 20


# The time budget of the operations a front-end call starts, when its engine gives one
# (Pulumi's customTimeouts reach a native provider as the request's timeout). A
# context variable: it follows the call into the thread that runs it, and no further.
_TIME_BUDGET: ContextVar[float | None] = ContextVar("hostup_time_budget", default=None)


def message_of(exc: BaseException) -> str:
    """An exception's text, or its type's name when it has none."""
    return str(exc) or type(exc).__name__


def _warn_on_stderr(text: str) -> None:
    print(f"warning: hostup: {text}", file=sys.stderr, flush=True)


class Deadline:
    """The overall deadline of one operation (no front-end engine enforces one for us)."""

    def __init__(
        self, seconds: float, what: str, wording: Wording, clock: Callable[[], float]
    ) -> None:
        self.seconds = seconds
        self.what = what
        self._wording = wording
        self._clock = clock
        self._ends = clock() + seconds

    def remaining(self) -> float:
        """Seconds left; raises :class:`MountError` once none are."""
        left = self._ends - self._clock()
        if left <= 0:
            raise MountError(
                f"{self.what} did not finish within its {self.seconds:g}s deadline "
                f"({self._wording.raise_timeout})"
            )
        return left


class Runtime:
    """The per-process plumbing of the engines; thread-safe. Never pickled."""

    def __init__(
        self,
        settings: Settings,
        wording: Wording | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        warn: Callable[[str], None] = _warn_on_stderr,
        client: HostupClient | None = None,
    ) -> None:
        """``client``: use this one instead of building one from ``settings`` on first use."""
        self.settings = settings
        self.wording = wording or Wording()
        self.listings = ListingCache(clock)
        self.clock = clock
        self.sleep = sleep
        self.warn = warn
        self._client = client
        self._lock = threading.Lock()
        self._vps_locks: dict[str, threading.Lock] = {}
        self._writes = 0  # operations inside writing(), waiting for their VPS's lock included
        self._closed = False

    def __repr__(self) -> str:
        return f"Runtime({self.settings!r})"

    def client(self) -> HostupClient:
        """The API client, built on first use; :class:`MountError` without a key."""
        from .client import HostupClient
        from .retry import RetryPolicy

        with self._lock:
            if self._client is None:
                if not self.settings.api_key:
                    raise MountError(f"no Hostup API key: {self.wording.set_key}")
                self._client = HostupClient(
                    self.settings.api_key,
                    self.settings.endpoint,
                    retry=RetryPolicy(
                        max_attempts=MAX_ATTEMPTS_PER_CALL, sleep=self.sleep, clock=self.clock
                    ),
                )
            return self._client

    @contextmanager
    def time_budget(self, seconds: float | None) -> Iterator[None]:
        """Operations started inside get ``seconds`` instead of the operation timeout.

        For a front-end whose engine times each call (Pulumi's ``customTimeouts``);
        None or 0 (no timeout given) changes nothing.
        """
        token = _TIME_BUDGET.set(seconds if seconds and seconds > 0 else None)
        try:
            yield
        finally:
            _TIME_BUDGET.reset(token)

    def operation_seconds(self) -> float:
        """The budget of one operation: the call's time budget, else the operation timeout."""
        return _TIME_BUDGET.get() or self.settings.operation_timeout

    def deadline(self, what: str, seconds: float | None = None) -> Deadline:
        """A deadline of ``seconds`` (default: :meth:`operation_seconds`) for ``what``."""
        budget = self.operation_seconds() if seconds is None else seconds
        wording = replace(self.wording, raise_timeout=self.raise_hint())
        return Deadline(budget, what, wording, self.clock)

    @contextmanager
    def writing(self, vps_id: str) -> Iterator[None]:
        """Serialize this process's writes to one VPS (mount and unmount race otherwise).

        Counted until it ends, so :meth:`close_if_idle` never lets the process end in
        the middle of a write; refused with :class:`MountError` once closed.
        """
        with self._lock:
            if self._closed:
                raise MountError(
                    f"not writing to {vps_id}: this provider process is shutting down "
                    "(run the command again)"
                )
            self._writes += 1
            lock = self._vps_locks.setdefault(vps_id, threading.Lock())
        try:
            with lock:
                yield
        finally:
            with self._lock:
                self._writes -= 1

    def close_if_idle(self) -> bool:
        """True when no write is in progress; every later :meth:`writing` is then refused,
        so the process may end at once. False, changing nothing, while a write is on:
        ending the process then could leave a mount half done (an update's old ISO
        unmounted, the new one not yet mounted)."""
        with self._lock:
            if self._writes:
                return False
            self._closed = True
            return True

    @contextmanager
    def user_errors(self, what: str) -> Iterator[None]:
        """Turn the client's errors into one :class:`MountError` a person can act on."""
        try:
            yield
        except MountError:
            raise
        except DeadlineExceededError as exc:
            raise MountError(f"could not {what}: {message_of(exc)} ({self.raise_hint()})") from None
        except HostupError as exc:
            raise MountError(f"could not {what}: {message_of(exc)}") from None

    def raise_hint(self) -> str:
        """How to give operations more time: the call's timeout when it set the budget."""
        if _TIME_BUDGET.get():
            return self.wording.raise_call_timeout
        return self.wording.raise_timeout

    def listing(self, vps_id: str, *, deadline: float, max_age: float = 0.0) -> IsoMedia:
        """``vps_id``'s ISO listing, from the cache when younger than ``max_age``."""
        client = self.client()
        return self.listings.get(
            vps_id, lambda: client.get_iso_media(vps_id, deadline=deadline), max_age
        )

    def listing_unless_gone(
        self, vps_id: str, *, deadline: float, max_age: float = 0.0
    ) -> IsoMedia | None:
        """As :meth:`listing`; None when the API says the VPS does not exist.

        Only that definite answer (``vps_not_found``) means gone: any other 404 (a
        wrong endpoint, a proxy) raises, so that no resource is dropped on a guess.
        """
        try:
            return self.listing(vps_id, deadline=deadline, max_age=max_age)
        except NotFoundError as exc:
            if exc.code == "vps_not_found":
                return None
            raise

    def listing_before_write(
        self, vps_id: str, deadline: Deadline, *, fresh: bool = False
    ) -> tuple[IsoMedia, bool]:
        """The listing a write decides on, and whether it came from the cache.

        One read seconds old (a preview's) is reused unless ``fresh``. A VPS the API
        does not know is a :class:`MountError` that says so.
        """
        client = self.client()
        try:
            return self.listings.lookup(
                vps_id,
                lambda: client.get_iso_media(vps_id, deadline=deadline.remaining()),
                0.0 if fresh else self.settings.listing_cache_seconds,
            )
        except NotFoundError as exc:
            if exc.code == "vps_not_found":
                raise MountError(vps_not_found_message(vps_id)) from None
            raise

    def confirm(
        self,
        vps_id: str,
        deadline: Deadline,
        done: Callable[[IsoMedia], bool],
        *,
        once: bool = False,
    ) -> IsoMedia:
        """Re-read the listing until ``done`` holds, backing off, within ``deadline``.

        ``once``: a single read decides. Each listing read is cached. Raises a
        :class:`MountError` that says what to do when the listing never shows it.
        """
        client = self.client()
        wait = CONFIRM_FIRST_WAIT
        reads = 0
        started = self.clock()
        while True:
            media = client.get_iso_media(vps_id, deadline=deadline.remaining())
            reads += 1
            self.listings.put(vps_id, media)
            if done(media):
                return media
            if once or deadline.remaining() <= wait:
                break
            self.sleep(wait)
            wait = min(wait * 2, CONFIRM_MAX_WAIT)
        raise MountError(
            f"the API accepted the change on VPS {vps_id}, but its ISO listing did not show "
            f"it ({reads} read(s) in {self.clock() - started:.3g}s); {self.wording.refresh} "
            f"to see what is mounted, then {self.wording.apply}"
        )
