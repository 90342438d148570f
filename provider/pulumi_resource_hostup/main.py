"""``pulumi-resource-hostup``: the executable the Pulumi engine starts.

The engine runs it with its own address as the first argument and reads the port
it prints. This is the SDK's ``server.main`` with two changes: an error of ours
reaches the user as its message alone (the SDK appends a Python traceback to every
error), and the core's warnings go to the engine's log, attached to the resource.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import Any

import grpc
import grpc.aio
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2_grpc

from hostup.errors import HostupError

from . import VERSION
from .provider import HostupNativeProvider, load_schema

__all__ = ["main"]

_SEVERITY = {
    "info": engine_pb2.INFO,
    "warning": engine_pb2.WARNING,
    "error": engine_pb2.ERROR,
}


class _EngineLog:
    """Sends log lines to the engine (stderr when it cannot be reached)."""

    def __init__(self, address: str) -> None:
        self._stub = engine_pb2_grpc.EngineStub(grpc.insecure_channel(address))

    def __call__(self, severity: str, text: str, urn: str) -> None:
        try:
            self._stub.Log(
                engine_pb2.LogRequest(severity=_SEVERITY[severity], message=text, urn=urn),
                timeout=10,
            )
        except grpc.RpcError:
            print(f"{severity}: hostup: {text}", file=sys.stderr, flush=True)


def _ours(exc: BaseException) -> HostupError | None:
    """Our error behind the SDK's re-raise (it raises a new Exception inside ``except``)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, HostupError):
            return seen
        seen = seen.__context__
    return None


def _plain_errors(name: str) -> Any:
    inner = getattr(ProviderServicer, name)

    async def method(self: ProviderServicer, request: Any, context: Any) -> Any:
        try:
            return await inner(self, request, context)
        except Exception as exc:
            ours = _ours(exc)
            if ours is None:
                raise
            await context.abort(grpc.StatusCode.UNKNOWN, str(ours))

    method.__name__ = name
    return method


_Servicer = type(
    "HostupServicer",
    (ProviderServicer,),
    {
        name: _plain_errors(name)
        for name in ("Check", "Diff", "Create", "Read", "Update", "Delete", "Invoke", "Configure")
    },
)


async def _serve(engine_address: str, args: list[str]) -> None:
    provider = HostupNativeProvider(log=_EngineLog(engine_address))
    server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
    servicer = _Servicer(args, VERSION, provider, engine_address=engine_address)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port(address="127.0.0.1:0")
    await server.start()
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.buffer.flush()
    await server.wait_for_termination()


def main(argv: list[str] | None = None) -> None:
    """Serve the provider protocol; ``--schema`` prints the schema, ``--version`` the version."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--schema"]:
        sys.stdout.write(load_schema())
        return
    if args[:1] == ["--version"]:
        print(VERSION)
        return
    parser = argparse.ArgumentParser(
        prog="pulumi-resource-hostup",
        description="The Hostup provider for Pulumi (started by the Pulumi engine).",
    )
    parser.add_argument("engine", help="the Pulumi engine's address")
    parser.add_argument("--logflow", action="store_true", help="ignored")
    parser.add_argument("--logtostderr", action="store_true", help="ignored")
    known, _ = parser.parse_known_args(args)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(known.engine, args))
