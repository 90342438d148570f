"""Fixtures of the native provider's tests: the real CLI, the YAML host, the plugin.

- `yaml_bin_dir` (session): `pulumi-language-yaml`, from scripts/install-pulumi-yaml.sh
  (built from its Go module when missing). A failure FAILS the test, never skips it.
- `native_plugin` (session): the plugin tarball, packed by scripts/install-native-plugin.sh.
- `native_sandbox`: a `pulumi_sandbox` with the YAML host on PATH and the plugin
  installed by `pulumi plugin install --file`, as users install it.
- `open_yaml`: writes a YAML program and opens a stack of it against the simulator
  (`hostup:endpoint`, the demo key as a secret); afterwards, checks that no CLI call
  printed a key of the simulator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.hostup_stack import HostupStack
from harness.native import locate_yaml_bin_dir, native_sandbox, pack_plugin, write_yaml_program
from harness.pulumi_cli import PulumiSandbox
from hostup_sim.server import SimServer
from hostup_sim.world import DEMO_API_KEY, OTHER_API_KEY

YamlFactory = Callable[..., HostupStack]


@pytest.fixture(scope="session")
def yaml_bin_dir() -> Path:
    try:
        return locate_yaml_bin_dir()
    except RuntimeError as exc:
        pytest.fail(f"pulumi-language-yaml unavailable: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def native_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        return pack_plugin(tmp_path_factory.mktemp("native-plugin"))
    except RuntimeError as exc:
        pytest.fail(f"could not pack the plugin: {exc}", pytrace=False)


@pytest.fixture
def native(pulumi_sandbox: PulumiSandbox, yaml_bin_dir: Path, native_plugin: Path) -> PulumiSandbox:
    return native_sandbox(pulumi_sandbox, yaml_bin_dir, native_plugin)


@pytest.fixture
def open_yaml(native: PulumiSandbox, sim: SimServer) -> Iterator[YamlFactory]:
    stacks: list[HostupStack] = []

    def open_(
        resources: dict[str, Any], *, stack_config: dict[str, Any] | None = None, **program: Any
    ) -> HostupStack:
        project = write_yaml_program(native.programs_dir / f"p{len(stacks)}", resources, **program)
        stack = HostupStack.open(native, sim, project, stack_config or {})
        stacks.append(stack)
        return stack

    yield open_
    for stack in stacks:
        leaks = [
            r.command
            for r in stack.results
            if "--show-secrets" not in r.args
            and any(key in r.stdout + r.stderr for key in (DEMO_API_KEY, OTHER_API_KEY))
        ]
        assert not leaks, f"an API key was printed by: {leaks}"
