"""The hand-written schema agrees with the code that serves it, and with the versions."""

from __future__ import annotations

import asyncio
import json
import subprocess
import tomllib
from typing import Any

from pulumi.provider.experimental import provider as p
from pulumi.provider.experimental.property_value import PropertyValue

from harness.pulumi_cli import REPO_ROOT, python_virtualenv
from hostup_sim.world import DEMO_API_KEY
from pulumi_resource_hostup import VERSION
from pulumi_resource_hostup.functions import FUNCTIONS
from pulumi_resource_hostup.provider import HostupNativeProvider, load_schema
from pulumi_resource_hostup.resources import DriveHandler, ImageHandler, MountHandler

SCHEMA: dict[str, Any] = json.loads(load_schema())


def test_one_version_everywhere() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    sdk = tomllib.loads((REPO_ROOT / "sdk" / "python" / "pyproject.toml").read_text())
    node = json.loads((REPO_ROOT / "sdk" / "nodejs" / "package.json").read_text())
    assert SCHEMA["version"] == VERSION == project["version"]
    assert sdk["project"]["version"] == node["version"] == VERSION


def test_each_resource_of_the_schema_is_served_with_its_properties() -> None:
    handlers = {h.TOKEN: h for h in (MountHandler, ImageHandler, DriveHandler)}
    assert set(SCHEMA["resources"]) == set(handlers)
    for token, handler in handlers.items():
        resource = SCHEMA["resources"][token]
        assert tuple(resource["inputProperties"]) == handler.INPUTS
        assert set(resource["properties"]) == {*handler.INPUTS, *handler.OUTPUTS}
    assert set(SCHEMA["functions"]) == set(FUNCTIONS)


def test_provider_config_is_the_settings_and_the_key_is_secret() -> None:
    variables = SCHEMA["config"]["variables"]
    inputs = SCHEMA["provider"]["inputProperties"]
    assert set(variables) == set(inputs) == {"apiKey", "endpoint", "operationTimeout"}
    assert variables["apiKey"]["secret"] is True
    assert inputs["apiKey"]["secret"] is True
    for language in ("python", "nodejs"):
        assert SCHEMA["language"][language]["respectSchemaVersion"] is True
    assert SCHEMA["language"]["python"]["packageName"] != "pulumi_hostup"


def test_the_executable_prints_the_schema_and_its_version() -> None:
    exe = python_virtualenv() / "bin" / "pulumi-resource-hostup"
    printed = subprocess.run([str(exe), "--schema"], capture_output=True, text=True, check=True)
    assert json.loads(printed.stdout) == SCHEMA
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == VERSION


def test_a_bad_operation_timeout_fails_check_config_naming_the_setting() -> None:
    native = HostupNativeProvider(log=lambda *_: None)
    news = {"operationTimeout": PropertyValue("soon")}
    urn = "urn:pulumi:dev::native::pulumi:providers:hostup::default"
    result = asyncio.run(native.check_config(p.CheckRequest(urn, {}, news, b"")))
    assert result.failures
    assert "operationTimeout" in result.failures[0].reason


def test_the_provider_repr_hides_the_key() -> None:
    native = HostupNativeProvider(log=lambda *_: None)
    variables = {"hostup:apiKey": DEMO_API_KEY, "hostup:endpoint": "http://127.0.0.1:9"}
    asyncio.run(native.configure(p.ConfigureRequest(variables, {}, True, True)))
    assert DEMO_API_KEY not in repr(native)
    assert "api_key=<set>" in repr(native)
