"""Drive the real dynamic-provider host (``python -u -m pulumi.dynamic``) over gRPC.

The engine's side of the protocol, as far as a test needs it: spawn the host,
send Configure first, then Check/Diff/Create/Read/Update/Delete with properties
serialized by pulumi's own ``rpc`` module and the provider blob from pulumi's own
``serialize_provider``, exactly as a ``pulumi up`` would.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import provider_pb2_grpc

from harness.processes import stop_process
from pulumi_hostup.iso_mount import VpsIsoMountProvider

TYPE_TOKEN = "pulumi-python:dynamic/hostup:VpsIsoMount"
PROVIDER_KEY = "__provider"


def urn(name: str) -> str:
    return f"urn:pulumi:test::hostup-test::{TYPE_TOKEN}::{name}"


def to_struct(props: dict[str, Any]) -> struct_pb2.Struct:
    # A private loop, as the host itself does: asyncio.run() would leave the thread
    # with no current loop, which breaks pulumi.runtime.test in later tests.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


def secret(value: Any) -> dict[str, Any]:
    """A value wrapped as the engine sends a secret."""
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


@dataclass
class Step:
    """What one gRPC call answered."""

    id: str
    outs: dict[str, Any]
    inputs: dict[str, Any] | None = None


class ProviderHost:
    """One ``python -m pulumi.dynamic`` process and a stub connected to it."""

    def __init__(
        self, env: dict[str, str] | None = None, provider: ResourceProvider | None = None
    ) -> None:
        """``provider``: the dynamic provider whose blob every call carries (default: mounts)."""
        self.blob = serialize_provider(provider or VpsIsoMountProvider())
        self._env = env
        self._config: dict[str, Any] | None = None
        self._stderr_of_earlier_runs: list[bytes] = []
        self._start()

    def _start(self) -> None:
        full_env = {**os.environ, "PULUMI_PROJECT": "hostup-test", **(self._env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
        )
        assert self.process.stdout is not None
        port_line = self.process.stdout.readline().decode().strip()
        if not port_line.isdigit():
            err = self.process.stderr.read().decode() if self.process.stderr else ""
            raise RuntimeError(f"provider host did not print its port: {port_line!r} {err}")
        self._stderr: list[bytes] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port_line}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in iter(self.process.stderr.readline, b""):
            self._stderr.append(line)

    @property
    def stderr(self) -> str:
        """Everything the host processes wrote to stderr, earlier runs' included."""
        return b"".join(self._stderr_of_earlier_runs + self._stderr).decode(errors="replace")

    def new_run(self) -> None:
        """End this provider process and start another, configured alike.

        The engine starts one provider process per `pulumi up|refresh|destroy`, and
        the provider keeps per-run memory (the drives its creates claimed). A test
        that plays several runs calls this between them.
        """
        self.close()
        self._stderr_of_earlier_runs += self._stderr
        self._start()
        if self._config is not None:
            self.configure(self._config)

    def close(self) -> None:
        self.channel.close()
        stop_process(self.process)
        self._reader.join(timeout=5)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> ProviderHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the engine's calls --

    @property
    def config(self) -> dict[str, Any]:
        """What the last Configure sent (new_run sends it again)."""
        return dict(self._config or {})

    def configure(self, config: dict[str, Any]) -> None:
        self._config = config
        self.stub.Configure(proto.ConfigureRequest(args=to_struct(config)))

    def _with_blob(self, props: dict[str, Any]) -> dict[str, Any]:
        return {**props, PROVIDER_KEY: self.blob}

    def check(
        self, name: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        answer = self.stub.Check(
            proto.CheckRequest(
                urn=urn(name),
                olds=to_struct(self._with_blob(olds) if olds else {}),
                news=to_struct(self._with_blob(news)),
            )
        )
        failures = [(f.property, f.reason) for f in answer.failures]
        return from_struct(answer.inputs), failures

    def diff(
        self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> tuple[int, list[str]]:
        answer = self.stub.Diff(
            proto.DiffRequest(
                id=id_,
                urn=urn(name),
                olds=to_struct(self._with_blob(olds)),
                news=to_struct(self._with_blob(news)),
            )
        )
        return answer.changes, list(answer.replaces)

    def create(self, name: str, props: dict[str, Any]) -> Step:
        answer = self.stub.Create(
            proto.CreateRequest(urn=urn(name), properties=to_struct(self._with_blob(props)))
        )
        return Step(answer.id, from_struct(answer.properties))

    def read(self, name: str, id_: str, props: dict[str, Any]) -> Step:
        answer = self.stub.Read(
            proto.ReadRequest(
                id=id_,
                urn=urn(name),
                properties=to_struct(self._with_blob(props)),
                inputs=to_struct(self._with_blob(props)),
            )
        )
        inputs = from_struct(answer.inputs) if answer.HasField("inputs") else None
        return Step(answer.id, from_struct(answer.properties), inputs)

    def update(self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Step:
        answer = self.stub.Update(
            proto.UpdateRequest(
                id=id_,
                urn=urn(name),
                olds=to_struct(self._with_blob(olds)),
                news=to_struct(self._with_blob(news)),
            )
        )
        return Step(id_, from_struct(answer.properties))

    def delete(self, name: str, id_: str, props: dict[str, Any]) -> None:
        self.stub.Delete(
            proto.DeleteRequest(id=id_, urn=urn(name), properties=to_struct(self._with_blob(props)))
        )


DIFF_NONE = proto.DiffResponse.DIFF_NONE
DIFF_SOME = proto.DiffResponse.DIFF_SOME
