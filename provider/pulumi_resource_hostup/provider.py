"""The native provider: configuration, dispatch to the handlers, the engine's log.

One plugin process serves one provider instance (the default one, configured from
stack config ``hostup:*``, or an explicit ``pulumi:providers:hostup``), so one
process is one account: :meth:`HostupNativeProvider.configure` builds the core's
:class:`~hostup.runtime.Runtime` and engines once. The core is synchronous; every
call into it runs in a worker thread so that the engine's parallel steps run in
parallel, as they do in the dynamic provider's thread pool.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import sys
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any, Final, TypeVar

from pulumi.provider.experimental import provider as p

from hostup.drives import DriveEngine
from hostup.errors import HostupError, MountError
from hostup.images import ImageEngine
from hostup.mounts import MountEngine
from hostup.rules import Wording
from hostup.runtime import Runtime
from hostup.settings import OPERATION_TIMEOUT, Setting, Settings, SettingsError

from . import VERSION
from .functions import FUNCTIONS
from .resources import CheckResult, DriveHandler, ImageHandler, MountHandler, ReadResult
from .values import is_unknown, plain_map, property_map

__all__ = ["NATIVE_WORDING", "HostupNativeProvider", "load_schema"]

# How the core's refusals say "apply", "refresh" and where settings live, for users
# of the native provider (its settings also come from an explicit provider's inputs).
NATIVE_WORDING: Final = Wording(
    apply="run `pulumi up` again",
    refresh="run `pulumi refresh`",
    owner="this stack",
    raise_timeout=(
        f"raise it with `pulumi config set hostup:{OPERATION_TIMEOUT.name} <seconds>` "
        "or the provider's operationTimeout"
    ),
    raise_call_timeout="raise the resource's customTimeouts (create, update, delete)",
    set_key=(
        "run `pulumi config set --secret hostup:apiKey <key>`, give the provider an "
        "apiKey, or export HOSTUP_API_KEY"
    ),
)

# The URN of the resource a worker thread is working for: warnings name it.
_CURRENT_URN: contextvars.ContextVar[str] = contextvars.ContextVar("hostup_urn", default="")

T = TypeVar("T")
Logger = Callable[[str, str, str], None]  # (severity, message, urn)


@cache
def load_schema() -> str:
    """The hand-written schema.json, with this plugin's version."""
    text = resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    if schema.get("version") != VERSION:
        raise RuntimeError(f"schema.json says version {schema.get('version')}, not {VERSION}")
    return text


def _label(setting: Setting) -> str:
    return f"hostup:{setting.name} (or the provider's {setting.name}) / {setting.env}"


def resolve_settings(args: Mapping[str, Any], variables: Mapping[str, str]) -> Settings:
    """The provider's inputs, then stack config ``hostup:*``, then ``HOSTUP_*``, then defaults."""

    def lookup(name: str) -> object:
        value = args.get(name)
        if value is None or is_unknown(value):
            value = variables.get(f"hostup:{name}")
        return value

    return Settings.resolve(lookup, label=_label)


class HostupNativeProvider(p.Provider):
    """Serves the schema's resources and functions through the core's engines."""

    def __init__(self, log: Logger | None = None) -> None:
        self._log = log or _log_on_stderr
        self._runtime: Runtime | None = None
        self._mounts: MountHandler | None = None
        self._images: ImageHandler | None = None
        self._drives: DriveHandler | None = None

    def __repr__(self) -> str:
        settings = self._runtime.settings if self._runtime else None
        return f"HostupNativeProvider({settings!r})"

    # -- logging --

    def warn(self, text: str) -> None:
        self._log("warning", text, _CURRENT_URN.get())

    def info(self, text: str) -> None:
        self._log("info", text, _CURRENT_URN.get())

    # -- configuration --

    async def get_schema(self, request: p.GetSchemaRequest) -> p.GetSchemaResponse:
        return p.GetSchemaResponse(schema=load_schema())

    async def check_config(self, request: p.CheckRequest) -> p.CheckResponse:
        """A time budget that is not a number fails here, naming the setting."""
        failures: list[p.CheckFailure] = []
        try:
            resolve_settings(plain_map(request.new_inputs), {})
        except SettingsError as exc:
            failures.append(p.CheckFailure(OPERATION_TIMEOUT.name, str(exc)))
        return p.CheckResponse(inputs=request.new_inputs, failures=failures)

    async def configure(self, request: p.ConfigureRequest) -> p.ConfigureResponse:
        settings = resolve_settings(plain_map(request.args), request.variables)
        self._configure(Runtime(settings, NATIVE_WORDING, warn=self.warn))
        return p.ConfigureResponse(
            accept_secrets=True, supports_preview=True, accept_resources=True, accept_outputs=False
        )

    def _configure(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._mounts = MountHandler(MountEngine(runtime))
        self._images = ImageHandler(ImageEngine(runtime), self.info)
        self._drives = DriveHandler(DriveEngine(runtime))

    def _handler(self, urn_or_type: str) -> MountHandler | ImageHandler | DriveHandler:
        if self._runtime is None:  # no Configure: the environment decides (direct use)
            self._configure(Runtime(resolve_settings({}, {}), NATIVE_WORDING, warn=self.warn))
        token = urn_or_type.split("::")[-2] if "::" in urn_or_type else urn_or_type
        if token == MountHandler.TOKEN and self._mounts is not None:
            return self._mounts
        if token == ImageHandler.TOKEN and self._images is not None:
            return self._images
        if token == DriveHandler.TOKEN and self._drives is not None:
            return self._drives
        raise MountError(
            f"unknown resource type {token!r}: this provider serves "
            "VpsIsoMount, VpsIsoImage, VpsCdromDrive"
        )

    async def _in_thread(
        self, urn: str, fn: Callable[..., T], *args: Any, budget: float = 0.0, **kwargs: Any
    ) -> T:
        """``fn`` in a worker thread; ``budget``: the request's timeout (customTimeouts)."""
        token = _CURRENT_URN.set(urn)
        try:
            if self._runtime is None or not budget:
                return await asyncio.to_thread(fn, *args, **kwargs)
            with self._runtime.time_budget(budget):  # the thread gets a copy of the context
                return await asyncio.to_thread(fn, *args, **kwargs)
        finally:
            _CURRENT_URN.reset(token)

    # -- resources --

    async def check(self, request: p.CheckRequest) -> p.CheckResponse:
        handler = self._handler(request.urn)
        olds, news = plain_map(request.old_inputs), plain_map(request.new_inputs)
        result: CheckResult = await self._in_thread(request.urn, handler.check, olds, news)
        return p.CheckResponse(
            inputs=property_map(result.inputs),
            failures=[p.CheckFailure(prop, reason) for prop, reason in result.failures],
        )

    async def diff(self, request: p.DiffRequest) -> p.DiffResponse:
        handler = self._handler(request.urn)
        result = handler.diff(plain_map(request.old_state), plain_map(request.new_inputs))
        kind = p.PropertyDiffKind
        return p.DiffResponse(
            changes=result.changes,
            replaces=result.replaces,
            delete_before_replace=result.delete_before_replace,
            diffs=result.diffs,
            detailed_diff={
                key: p.PropertyDiff(
                    kind.UPDATE_REPLACE if key in result.replaces else kind.UPDATE, True
                )
                for key in result.diffs
            },
        )

    async def create(self, request: p.CreateRequest) -> p.CreateResponse:
        handler = self._handler(request.urn)
        news = plain_map(request.properties)
        id_, outputs = await self._in_thread(
            request.urn, handler.create, news, preview=request.preview, budget=request.timeout
        )
        return p.CreateResponse(resource_id=id_, properties=property_map(outputs))

    async def read(self, request: p.ReadRequest) -> p.ReadResponse:
        handler = self._handler(request.urn)
        props, inputs = plain_map(request.properties), plain_map(request.inputs)
        result: ReadResult = await self._in_thread(
            request.urn, handler.read, request.resource_id, props, inputs
        )
        if result.id_ is None:
            return p.ReadResponse(resource_id="", properties={}, inputs={})
        return p.ReadResponse(
            resource_id=result.id_,
            properties=property_map(result.outputs),
            inputs=property_map(result.inputs),
        )

    async def update(self, request: p.UpdateRequest) -> p.UpdateResponse:
        handler = self._handler(request.urn)
        olds, news = plain_map(request.olds), plain_map(request.news)
        outputs = await self._in_thread(
            request.urn, handler.update, olds, news, preview=request.preview, budget=request.timeout
        )
        return p.UpdateResponse(properties=property_map(outputs))

    async def delete(self, request: p.DeleteRequest) -> None:
        handler = self._handler(request.urn)
        props = plain_map(request.properties)
        await self._in_thread(
            request.urn, handler.delete, request.resource_id, props, budget=request.timeout
        )

    # -- functions --

    async def invoke(self, request: p.InvokeRequest) -> p.InvokeResponse:
        function = FUNCTIONS.get(request.tok)
        if function is None:
            raise MountError(
                f"unknown function {request.tok!r}: this provider serves {', '.join(FUNCTIONS)}"
            )
        self._handler("hostup:index:VpsIsoMount")  # configured, or from the environment
        assert self._runtime is not None
        try:
            result = await self._in_thread("", function, self._runtime, plain_map(request.args))
        except HostupError as exc:
            return p.InvokeResponse(failures=[p.CheckFailure("", str(exc))])
        return p.InvokeResponse(return_value=property_map(result))


def _log_on_stderr(severity: str, text: str, urn: str) -> None:
    print(f"{severity}: hostup: {text}", file=sys.stderr, flush=True)
