"""The mount engine: one ISO on one CD/DVD device of one VPS, kept as declared.

Front-ends (the Pulumi dynamic resource, the native provider, the OpenTofu
provider) translate their engine's calls into these and back:

- :meth:`MountEngine.preview_problems`: the live checks a preview or plan makes;
- :meth:`MountEngine.read`: what is on the device now (None: gone);
- :meth:`MountEngine.ensure_mounted`: create (mount, or adopt an identical mount)
  and update (remount, putting the old ISO back if the new one fails);
- :meth:`MountEngine.ensure_unmounted`: delete.

Promises, whatever the front-end (shared/DESIGN.md, "The resource"):

- Only a definite "this VPS does not exist" (``vps_not_found``) or a listing
  without the mount means gone; every other error raises.
- Media we did not mount is never unmounted or replaced; the cloud-init drive is
  never touched.
- Ownership within one run (a front-end's engine starts one provider process per
  command): a create or update *claims* its drive. A second create of a claimed
  drive fails (the same mount declared twice). A delete of a drive that a create
  of this run *adopted* leaves the disc in: that is a renamed resource, whose new
  name adopted the mount while the old name is deleted. A delete of a drive that
  this run *mounted* unmounts it and ends the claim (in a real run that cannot be
  another resource's mount, unless someone ejected it out of band just before). A
  read that finds the drive no longer holding the claimed ISO ends the claim too.
- Each operation ends within ``operation_timeout``, or the call's time budget
  (:meth:`Runtime.time_budget`), retries, polling and the confirming re-reads
  included; writes to one VPS are serialized per process;
  listings are shared for ``listing_cache_seconds`` and dropped before each write.
- Every error raised is a :class:`MountError` whose text says what to do next.

Time is injectable (``clock``, ``sleep``), so tests run the waits at zero.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from . import assumptions
from .errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    HostupError,
    MountError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    TransportError,
)
from .rules import (
    Problem,
    Wording,
    holds,
    mount_problems,
    occupied_message,
    refusal,
    vps_not_found_message,
)
from .runtime import Deadline, Runtime, message_of
from .settings import Settings

if TYPE_CHECKING:
    from .models import IsoMedia

__all__ = ["MOUNT_OUTPUTS", "MountEngine", "MountState"]

# A preview waits at most this long for the API before it warns and goes on.
LIVE_CHECK_SECONDS: Final = 10.0
# An update that must put the old ISO back gets its own budget, at most this long.
RESTORE_SECONDS: Final = 60.0


@dataclass(frozen=True)
class MountState:
    """A mount as the API's listing shows it, with what the listing says of its ISO."""

    vps_id: str
    iso_id: str
    device: str
    iso_name: str | None
    iso_display_name: str | None
    iso_size_gb: float | None
    boot_order: dict[str, Any] | None
    adopted: bool | None
    """True: found mounted and taken over, not mounted by us. None: not known."""
    owned_iso_id: str
    """The ISO this resource mounted, adopted or imported: the only one its delete
    unmounts. A read that finds another ISO on the device changes ``iso_id`` (drift,
    which the next update repairs), never this, so a refresh before a delete cannot
    turn an ISO someone else put there into ours."""

    @property
    def id(self) -> str:
        return f"{self.vps_id}/{self.device}"


# The fields of a MountState besides the inputs (vps_id, iso_id, device): each
# front-end's outputs (in its own case), all unknown until a new ISO is mounted.
MOUNT_OUTPUTS: Final = (
    "iso_name",
    "iso_display_name",
    "iso_size_gb",
    "boot_order",
    "adopted",
    "owned_iso_id",
)


@dataclass(frozen=True)
class _Claim:
    """A drive a create or update of this run made hold ``iso_id`` (``adopted``: no write)."""

    iso_id: str
    adopted: bool


class MountEngine:
    """Mount, read and unmount on behalf of a front-end; thread-safe, one per run.

    Holds the drives claimed in this run; the client, the listing cache and the
    per-VPS write locks are the :class:`Runtime`'s, shared with the other engines
    of the process. Nothing here is pickled.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._claims: dict[tuple[str, str], _Claim] = {}
        self._claims_lock = threading.Lock()
        self.live_checks_off = False  # set when the API did not answer a live check

    def __repr__(self) -> str:
        return f"MountEngine({self.runtime.settings!r})"

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def wording(self) -> Wording:
        return self.runtime.wording

    def warn(self, text: str) -> None:
        self.runtime.warn(text)

    # -- preview --

    def preview_problems(
        self, vps_id: str, iso_id: str, device: str, *, stack_mounted: bool
    ) -> list[Problem]:
        """The live checks of a preview: what would stop this mount, per input.

        One listing read, shared with other checks of the VPS. A definite answer
        (VPS not found, a wrong or revoked key, a missing scope, a bad endpoint) is a
        problem; an API that cannot be reached is not: it warns once and turns the
        live checks of this process off. Never raises for the API's sake.
        """
        if not self.settings.api_key or self.live_checks_off:
            return []  # a preview without credentials (or API): offline checks only
        try:
            self.runtime.client()
        except ConfigurationError as exc:
            # A bad endpoint fails every later step too: say so at preview.
            return [Problem("", f"provider configuration: {message_of(exc)}")]
        try:
            media = self.runtime.listing(
                vps_id,
                max_age=self.settings.listing_cache_seconds,
                deadline=min(self.runtime.operation_seconds(), LIVE_CHECK_SECONDS),
            )
        except NotFoundError as exc:
            if exc.code != "vps_not_found":
                raise
            return [Problem("vps_id", vps_not_found_message(vps_id))]
        except (AuthenticationError, PermissionDeniedError) as exc:
            # The key is wrong, revoked or lacks a scope: a definite answer that every
            # later step would get too, so the preview fails now (a PR gate relies on it).
            return [Problem("", f"the Hostup API refused the key: {message_of(exc)}")]
        except (TransportError, APIError) as exc:
            if isinstance(exc, TransportError):
                # Unreachable once, unreachable for this preview: warn once, then skip
                # the other live checks instead of waiting for each in turn.
                self.live_checks_off = True
            self.warn(f"could not check {vps_id}/{device} against the API: {message_of(exc)}")
            return []
        return mount_problems(
            media, vps_id, iso_id, device, stack_mounted=stack_mounted, wording=self.wording
        )

    # -- read --

    def read(
        self,
        vps_id: str,
        device: str,
        *,
        adopted: bool | None = None,
        owned_iso: str | None = None,
    ) -> MountState | None:
        """What ``device`` holds now (one listing read, shared per VPS); None when gone.

        ``adopted`` and ``owned_iso`` (see :func:`hostup.rules.owned_iso`) are carried
        over from the caller's state: a read cannot tell. Without ``owned_iso`` (an
        import) the ISO found becomes the resource's.
        """
        with self.runtime.user_errors(f"read {vps_id}/{device}"):
            media = self.runtime.listing_unless_gone(
                vps_id,
                max_age=self.settings.listing_cache_seconds,
                deadline=self.runtime.operation_seconds(),
            )
            if media is None:
                return None
            current = media.mounted_on(device)
            held = current.iso_id if current is not None and current.holds_iso else None
            self._release_claim_unless_held(vps_id, device, held)
            if held is None:
                return None
            return _state(vps_id, held, device, media, adopted, owned_iso or held)

    # -- create and update --

    def ensure_mounted(
        self,
        vps_id: str,
        iso_id: str,
        device: str,
        *,
        previous_iso: str | None = None,
        adopted: bool | None = None,
    ) -> MountState:
        """Make ``device`` hold ``iso_id``; claim the drive for this run.

        Create (``previous_iso`` None): an identical mount is adopted without a
        write; media we did not mount, a closed gate or a drive already claimed in
        this run are refused before any write. Update (``previous_iso``: the ISO our
        state says is there): the device's ISO is swapped; if the API refuses to
        mount over media, unmount and mount, and put ``previous_iso`` back if the
        new one fails. ``adopted`` is the state's flag, kept when nothing is written.
        """
        with self.runtime.user_errors(f"mount {iso_id} on {vps_id}/{device}"):
            deadline = self.runtime.deadline(f"mounting {iso_id} on {vps_id}")
            with self.runtime.writing(vps_id):
                if previous_iso is None:
                    self._refuse_claimed(vps_id, device)
                media, cached = self.runtime.listing_before_write(vps_id, deadline)
                why_not = self._why_not(media, vps_id, iso_id, device, previous_iso)
                if why_not and cached:
                    # A listing from the cache may predate what another resource of this
                    # run has just done (say, added this ISO to the library): refuse only
                    # on a fresh one.
                    media, _ = self.runtime.listing_before_write(vps_id, deadline, fresh=True)
                    why_not = self._why_not(media, vps_id, iso_id, device, previous_iso)
                if why_not:
                    raise MountError(why_not)
                if holds(media.mounted_on(device), iso_id):
                    adopted = True if previous_iso is None else adopted
                else:
                    if previous_iso is None:
                        media = self._mount(vps_id, iso_id, device, deadline)
                    else:
                        media = self._replace_media(vps_id, iso_id, device, previous_iso, deadline)
                    adopted = False
                with self._claims_lock:
                    self._claims[(vps_id, device)] = _Claim(iso_id, adopted=adopted is True)
                return _state(vps_id, iso_id, device, media, adopted, iso_id)

    def _why_not(
        self, media: IsoMedia, vps_id: str, iso_id: str, device: str, previous_iso: str | None
    ) -> str | None:
        """Why ``media`` forbids making ``device`` hold ``iso_id`` (every problem), or None."""
        current = media.mounted_on(device)
        if holds(current, iso_id):
            return None  # already there: create adopts it, update has nothing to do
        # An update finds another ISO than the one it recorded: someone swapped it.
        if (
            previous_iso is not None
            and current is not None
            and current.holds_iso
            and (current.iso_id != previous_iso)
        ):
            return (
                occupied_message(vps_id, device, current, media, self.wording)
                + f" ({self.wording.owner} last saw {previous_iso} there: "
                f"{self.wording.refresh} to accept what is mounted now, "
                f"then {self.wording.apply})"
            )
        problems = mount_problems(
            media,
            vps_id,
            iso_id,
            device,
            stack_mounted=previous_iso is not None,
            wording=self.wording,
        )
        return refusal(problems) if problems else None

    def _refuse_claimed(self, vps_id: str, device: str) -> None:
        """A create of a drive that a create or update of this run claimed: a duplicate."""
        claim = self._claims.get((vps_id, device))
        if claim is None:
            return
        raise MountError(
            f"{device} of VPS {vps_id} is already claimed by another resource in this run "
            f"(it holds {claim.iso_id}): two resources declare the same VPS and device; "
            "remove one of them"
        )

    def _release_claim_unless_held(self, vps_id: str, device: str, held: str | None) -> None:
        """Forget the run's claim on a drive that no longer holds the claimed ISO.

        The claim protected that mount; once the API shows it gone (an out-of-band
        eject seen by a refresh), a new create of the drive is no duplicate.
        """
        with self._claims_lock:  # read() holds no write lock of the VPS
            claim = self._claims.get((vps_id, device))
            if claim is not None and claim.iso_id != held:
                del self._claims[(vps_id, device)]

    def _replace_media(
        self, vps_id: str, iso_id: str, device: str, old_iso: str, deadline: Deadline
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
            # Its own budget (the update's is spent), capped by the configured deadline:
            # an update that must put the old ISO back ends within twice the deadline.
            restore = self.runtime.deadline(
                "restoring the old ISO", min(RESTORE_SECONDS, self.runtime.operation_seconds())
            )
            try:
                self._mount(vps_id, old_iso, device, restore)
            except HostupError as rollback_exc:
                raise MountError(
                    f"mounting {iso_id} on {vps_id}/{device} failed ({message_of(exc)}), and "
                    f"putting {old_iso} back failed too ({message_of(rollback_exc)}): the device "
                    f"is empty now; {self.wording.refresh}, then {self.wording.apply}"
                ) from None
            raise MountError(
                f"mounting {iso_id} on {vps_id}/{device} failed: {message_of(exc)}; "
                f"{old_iso} is mounted again, as before"
            ) from None

    # -- delete --

    def ensure_unmounted(self, vps_id: str, device: str, iso_id: str | None) -> None:
        """Unmount ``iso_id`` from ``device`` if it is there and no one else claims it.

        ``iso_id``: the ISO the resource owns (:func:`hostup.rules.owned_iso` of its
        state), not the one a refresh last saw there.

        Done without a write when the VPS is gone or the device empty. Another ISO
        on the device, or a drive that another resource claimed in this run, is left
        alone with a warning.
        """
        with self.runtime.user_errors(f"unmount {iso_id} from {vps_id}/{device}"):
            deadline = self.runtime.deadline(f"unmounting {vps_id}/{device}")
            with self.runtime.writing(vps_id):
                media = self.runtime.listing_unless_gone(vps_id, deadline=deadline.remaining())
                if media is None:
                    return
                current = media.mounted_on(device)
                held = current.iso_id if current is not None and current.holds_iso else None
                self._release_claim_unless_held(vps_id, device, held)
                if current is None or not current.holds_iso:
                    return
                if current.iso_id != iso_id:
                    self.warn(
                        f"left {current.iso_id} on {vps_id}/{device} alone: {self.wording.owner} "
                        f"mounted {iso_id}, and another ISO has been mounted there since (by "
                        "someone else, or by a failed update whose mount landed late: if it "
                        "is yours, unmount it in Hostup)"
                    )
                    return
                claim = self._claims.get((vps_id, device))
                if claim is not None and claim.iso_id == iso_id and claim.adopted:
                    self.warn(
                        f"left {iso_id} on {vps_id}/{device} mounted: another resource of this "
                        "run now manages it (a renamed resource, or one moved into a component)"
                    )
                    return
                self._unmount(vps_id, device, deadline)
                self._claims.pop((vps_id, device), None)

    # -- API steps --

    def _mount(self, vps_id: str, iso_id: str, device: str, deadline: Deadline) -> IsoMedia:
        """POST mount, follow a 202, then re-read until the listing shows it."""
        from .models import Operation

        client = self.runtime.client()

        def is_mounted(media: IsoMedia) -> bool:
            return holds(media.mounted_on(device), iso_id)

        self.runtime.listings.invalidate(vps_id)  # before the write: see ListingCache
        try:
            answer = client.mount_iso(
                vps_id,
                iso_id,
                device,  # type: ignore[arg-type]  # the front-end validated it
                deadline=deadline.remaining(),
            )
            if isinstance(answer, Operation):
                client.wait_for_operation(answer, deadline=deadline.remaining(), vps_id=vps_id)
        except (TransportError, ServerError) as exc:
            # No answer we can trust (a 5xx may come from a gateway after the API
            # acted): one read of the listing decides whether the mount happened.
            try:
                return self.runtime.confirm(vps_id, deadline, is_mounted, once=True)
            except HostupError:
                raise exc from None
        return self.runtime.confirm(vps_id, deadline, is_mounted)

    def _unmount(self, vps_id: str, device: str, deadline: Deadline) -> IsoMedia:
        self.runtime.listings.invalidate(vps_id)  # before the write: see ListingCache
        self.runtime.client().unmount_iso(
            vps_id,
            device,  # type: ignore[arg-type]  # the front-end validated it
            deadline=deadline.remaining(),
        )

        def gone(media: IsoMedia) -> bool:
            current = media.mounted_on(device)
            return current is None or not current.holds_iso

        return self.runtime.confirm(vps_id, deadline, gone)


def _state(
    vps_id: str, iso_id: str, device: str, media: IsoMedia, adopted: bool | None, owned_iso: str
) -> MountState:
    image = media.find_available(iso_id)
    return MountState(
        vps_id=vps_id,
        iso_id=iso_id,
        device=device,
        iso_name=image.name if image else None,
        iso_display_name=image.display_name if image else None,
        iso_size_gb=image.size_gb if image else None,
        boot_order=dict(media.boot_order) if media.boot_order is not None else None,
        adopted=adopted,
        owned_iso_id=owned_iso,
    )
