"""What every resource and data source of this provider shares: the translation layer.

- :data:`TOFU_WORDING`: how the core's refusals say "apply", "refresh" and where the
  settings live, for OpenTofu users.
- :func:`reporting`: run a core call for one plugin-protocol call; the core's errors
  become error diagnostics, its warnings warning diagnostics of that same call.
- :func:`known`, :func:`full_state`, :func:`drive_from_state`: values in and out of
  the framework's dicts (``Unknown`` is the framework's "known only after apply").
- :class:`ResourceBase`: the schema plumbing, the upgrade and the default plan that
  all resources share.

The ``tf`` framework ships no type hints; its objects are typed ``Any`` here.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, Final

from tf.types import Unknown

from hostup.errors import HostupError
from hostup.rules import Problem, Wording, drive_id
from hostup.settings import OPERATION_TIMEOUT

if TYPE_CHECKING:
    from .provider import HostupProvider

__all__ = [
    "TOFU_WORDING",
    "ResourceBase",
    "State",
    "add_problems",
    "drive_from_state",
    "full_state",
    "known",
    "reporting",
    "unknown_when",
    "warn",
]

State = dict[str, Any]

TOFU_WORDING: Final = Wording(
    apply="run `tofu apply` again",
    refresh="run `tofu apply -refresh-only`",
    owner="this configuration",
    raise_timeout=(
        "raise `operation_timeout` in the provider block, or export "
        f"{OPERATION_TIMEOUT.env}=<seconds>"
    ),
    set_key="set `api_key` in the provider block, or export HOSTUP_API_KEY",
)

# The diagnostics of the protocol call this thread is serving (the framework serves
# each call on one thread of its pool), so that the core's warnings reach the user.
_serving = threading.local()


def warn(text: str) -> None:
    """The core's warning sink: a warning diagnostic of the current call, else stderr."""
    diags = getattr(_serving, "diags", None)
    if diags is not None:
        diags.add_warning(text)
    else:  # outside a call (never in practice): tofu writes stderr to its log
        print(f"warning: hostup: {text}", file=sys.stderr, flush=True)


@contextmanager
def reporting(diags: Any, what: str) -> Iterator[None]:
    """Serve one protocol call: warnings and errors become ``diags``; never raises.

    The core's errors are written for a person and say what to do; anything else is
    a bug of ours, reported as one without a traceback (which could show inputs).
    """
    _serving.diags = diags
    try:
        yield
    except HostupError as exc:
        diags.add_error(str(exc) or type(exc).__name__)
    except Exception as exc:
        diags.add_error(
            f"internal error of terraform-provider-hostup while trying to {what}",
            f"{type(exc).__name__}: {exc}. Please report it; {TOFU_WORDING.refresh} to see "
            "what the API holds now.",
        )
    finally:
        _serving.diags = None


def known(value: Any) -> Any:
    """``value``, or None when it is ``Unknown`` (not known until apply)."""
    return None if value is Unknown else value


def add_problems(diags: Any, problems: Iterable[Problem]) -> None:
    """One error diagnostic per problem, pointed at its attribute when it has one."""
    for problem in problems:
        if problem.field:
            diags.add_error(problem.message, path=[problem.field])
        else:
            diags.add_error(problem.message)


def full_state(names: Iterable[str], values: Mapping[str, Any]) -> State:
    """A state holding every attribute of the schema (those not given: null)."""
    return {name: values.get(name) for name in names}


def drive_from_state(state: Mapping[str, Any]) -> tuple[str, str]:
    """``(vps_id, device)`` from the state, else from its ``id`` (``{vps_id}/{device}``)."""
    return drive_id(state.get("id"), state.get("vps_id"), state.get("device"))


class ResourceBase:
    """The parts of a resource that are the same for all of them.

    Subclasses set ``NAME`` (after the ``hostup_`` prefix), ``VERSION`` and
    ``schema_attributes()``; the framework makes one instance per call with the
    provider, which holds the process's engines.
    """

    NAME: ClassVar[str]
    VERSION: ClassVar[int] = 0

    def __init__(self, provider: HostupProvider) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.NAME

    @classmethod
    def schema_attributes(cls) -> list[Any]:
        raise NotImplementedError

    @classmethod
    def get_schema(cls) -> Any:
        from tf.schema import Schema

        return Schema(version=cls.VERSION, attributes=cls.schema_attributes())

    @classmethod
    def attribute_names(cls) -> list[str]:
        return [attribute.name for attribute in cls.schema_attributes()]

    def upgrade(self, ctx: Any, version: int, old: State) -> State | None:
        """States of an older schema version: keep what this one knows (no default warning).

        Attributes added since come back null (a resource overrides this to fill them);
        a state from a newer provider is refused.
        """
        if version > self.VERSION:
            ctx.diagnostics.add_error(
                f"this state of hostup_{self.NAME} was written by a newer "
                "terraform-provider-hostup (schema version "
                f"{version}, this one knows {self.VERSION}): upgrade the provider"
            )
            return None
        return full_state(self.attribute_names(), old)

    def plan(self, ctx: Any, current: State | None, planned: State) -> State:
        """An update's plan; by default tofu's proposal (the prior outputs carried over)."""
        return planned


def unknown_when(planned: State, changed: bool, names: Iterable[str]) -> State:
    """``planned`` with ``names`` set to ``Unknown`` when ``changed``."""
    if changed:
        planned.update(dict.fromkeys(names, Unknown))
    return planned
