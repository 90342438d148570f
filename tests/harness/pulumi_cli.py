"""Run the real Pulumi CLI in isolation: the driver behind the `pulumi_sandbox` fixture.

Everything a real-engine test needs, and nothing about our resource in particular:

- `locate_bin_dir()`: the directory with `pulumi`, the Python language host and the
  dynamic-provider launcher, from ``scripts/install-pulumi.sh --print-bin-dir``
  (a new enough Pulumi on PATH, else the cached build, else a build);
  `pulumi_release()`: the release that script builds.
- `build_env()`: an environment for one isolated run: a file backend, its own
  PULUMI_HOME, an empty passphrase, no update check, no plugin downloads, and no
  PULUMI_* / HOSTUP_* variables leaking in from the caller's shell.
- `run_pulumi()`: one CLI call with a timeout; returns a `PulumiResult`, kills the
  whole session (engine, language host, providers) on timeout.
- `copy_program()` / `write_stack_config()`: a program from tests/e2e/programs copied
  into a temp dir, pointed at this Python environment, with stack config written.
- `PulumiSandbox`: all of the above bound to one temp dir, as the `pulumi_sandbox`
  fixture hands it to a test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.processes import end_session

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-pulumi.sh"
PROGRAMS_DIR = REPO_ROOT / "tests" / "e2e" / "programs"

# Seconds for one CLI call; an `up` against the simulator takes a few seconds.
DEFAULT_TIMEOUT = 300.0
# Seconds for scripts/install-pulumi.sh, which builds the CLI when it is not cached.
INSTALL_TIMEOUT = 1800.0

# Variables of the caller's shell that must not reach an isolated run: any PULUMI_*
# (backend, token, stack, passphrase file...) and HOSTUP_* (a real API key).
_SCRUBBED_PREFIXES = ("PULUMI_", "HOSTUP_")


class PulumiCLIMissing(RuntimeError):
    """The CLI is not built and scripts/install-pulumi.sh could not build it."""


def locate_bin_dir(script: Path = INSTALL_SCRIPT, timeout: float = INSTALL_TIMEOUT) -> Path:
    """The bin dir from ``scripts/install-pulumi.sh --print-bin-dir``, building if needed."""
    hint = "Build the Pulumi CLI first: run scripts/install-pulumi.sh"
    try:
        proc = subprocess.run(
            [str(script), "--print-bin-dir"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=REPO_ROOT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PulumiCLIMissing(f"{hint} ({exc})") from exc
    if proc.returncode != 0:
        raise PulumiCLIMissing(
            f"{hint}; it failed here with exit code {proc.returncode}:\n{proc.stderr[-4000:]}"
        )
    bin_dir = Path(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else None
    if bin_dir is None or not (bin_dir / "pulumi").is_file():
        raise PulumiCLIMissing(f"{hint}; it printed no usable bin dir: {proc.stdout!r}")
    return bin_dir


def pulumi_release() -> str:
    """The Pulumi release scripts/install-pulumi.sh builds (e.g. "3.260.0"): the oldest
    CLI it takes from PATH, and the `pulumi` SDK scripts/setup.sh installs."""
    return subprocess.run(
        [str(INSTALL_SCRIPT), "--print-release"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    ).stdout.strip()


def python_virtualenv() -> Path:
    """The virtualenv running these tests (the repo's .venv when run outside one)."""
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix)
    venv = REPO_ROOT / ".venv"
    if not (venv / "bin" / "python").exists():
        raise RuntimeError(f"no virtualenv: run scripts/setup.sh to create {venv}")
    return venv


def sdk_virtualenv() -> Path:
    """The virtualenv with the native provider's generated Python SDK (scripts/setup.sh
    makes it): apart from :func:`python_virtualenv`, whose programs must not ask the
    engine for the hostup plugin that the SDK's pulumi-plugin.json names."""
    venv = REPO_ROOT / ".venv-sdk"
    if not (venv / "bin" / "python").exists():
        raise RuntimeError(f"no SDK virtualenv: run scripts/setup.sh to create {venv}")
    return venv


def build_env(
    bin_dir: Path,
    backend_dir: Path,
    home_dir: Path,
    *,
    extra: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment for an isolated CLI run; `extra` is applied last."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    env["PATH"] = os.pathsep.join([str(bin_dir), source.get("PATH", os.defpath)])
    env.update(
        PULUMI_BACKEND_URL=backend_dir.resolve().as_uri(),
        PULUMI_HOME=str(home_dir),
        PULUMI_CONFIG_PASSPHRASE="",
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        # Plain text output for assertions and logs.
        NO_COLOR="1",
    )
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class PulumiResult:
    """One finished CLI call."""

    args: tuple[str, ...]
    cwd: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def command(self) -> str:
        return "pulumi " + " ".join(self.args)

    def describe(self) -> str:
        return (
            f"`{self.command}` in {self.cwd} exited {self.returncode} after {self.seconds:.1f}s\n"
            f"--- stdout ---\n{self.stdout[-6000:]}\n--- stderr ---\n{self.stderr[-6000:]}"
        )

    def check(self) -> PulumiResult:
        """Self if the call succeeded; AssertionError with both outputs otherwise."""
        if self.returncode != 0:
            raise AssertionError(self.describe())
        return self

    def json(self) -> Any:
        """stdout parsed as JSON (for --json commands)."""
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"stdout is not JSON ({exc}):\n{self.describe()}") from exc


def run_pulumi(
    args: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    stdin: str | None = None,
) -> PulumiResult:
    """Run `pulumi <args>` (found on env's PATH) and return its result; never raises on a
    non-zero exit. On timeout the whole session is killed and AssertionError raised."""
    exe = shutil.which("pulumi", path=env.get("PATH"))
    if exe is None:
        raise PulumiCLIMissing(
            f"pulumi is not on the PATH given to run_pulumi; run {INSTALL_SCRIPT}"
        )
    started = time.monotonic()
    proc = subprocess.Popen(
        [exe, *args],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own session, so plugins can be found and killed
    )
    try:
        stdout, stderr = proc.communicate(input=stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        end_session(proc)
        stdout, stderr = proc.communicate()
        partial = PulumiResult(tuple(args), cwd, -9, stdout, stderr, time.monotonic() - started)
        raise AssertionError(f"timed out after {timeout:.0f}s: {partial.describe()}") from None
    return PulumiResult(
        tuple(args), cwd, proc.returncode, stdout, stderr, time.monotonic() - started
    )


def project_name(project_dir: Path) -> str:
    data = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    return str(data["name"])


def copy_program(
    name: str,
    dest_root: Path,
    *,
    virtualenv: Path | None = None,
    runtime_options: Mapping[str, Any] | None = None,
) -> Path:
    """Copy tests/e2e/programs/<name> to dest_root/<name> and point its Pulumi.yaml at
    `virtualenv` (default: this test run's) via `runtime.options.virtualenv`, an absolute
    path, so the language host and the dynamic-provider launcher use our environment."""
    source = PROGRAMS_DIR / name
    if not (source / "Pulumi.yaml").is_file():
        raise FileNotFoundError(f"no Pulumi program at {source}")
    dest = dest_root / name
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"))
    project_file = dest / "Pulumi.yaml"
    project = yaml.safe_load(project_file.read_text())
    runtime = project.get("runtime", "python")
    if isinstance(runtime, str):
        runtime = {"name": runtime}
    options = dict(runtime.get("options") or {})
    options["virtualenv"] = str(virtualenv or python_virtualenv())
    options.update(runtime_options or {})
    runtime["options"] = options
    project["runtime"] = runtime
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    return dest


def write_stack_config(project_dir: Path, stack: str, config: Mapping[str, Any]) -> Path:
    """Merge plain (not secret) values into Pulumi.<stack>.yaml. Keys without a namespace
    get the project's (`markerDir` -> `<project>:markerDir`). Set secrets with
    `PulumiSandbox.set_secret`, which lets the CLI encrypt them."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    data: dict[str, Any] = {}
    if path.exists():
        data = yaml.safe_load(path.read_text()) or {}
    namespace = project_name(project_dir)
    values = dict(data.get("config") or {})
    for key, value in config.items():
        values[key if ":" in key else f"{namespace}:{key}"] = value
    data["config"] = values
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@dataclass(frozen=True)
class Timing:
    test: str
    command: str
    seconds: float
    returncode: int


# Every CLI call made through a sandbox, for the timing table at the end of the run.
TIMINGS: list[Timing] = []


@dataclass
class PulumiSandbox:
    """One isolated Pulumi world in a temp dir: its own file backend and PULUMI_HOME."""

    bin_dir: Path
    root: Path
    test_id: str = ""
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.backend_dir.mkdir(parents=True, exist_ok=True)
        self.home_dir.mkdir(parents=True, exist_ok=True)
        self.programs_dir.mkdir(parents=True, exist_ok=True)
        if not self.env:
            self.env = build_env(self.bin_dir, self.backend_dir, self.home_dir)

    @property
    def backend_dir(self) -> Path:
        return self.root / "backend"

    @property
    def home_dir(self) -> Path:
        return self.root / "pulumi-home"

    @property
    def programs_dir(self) -> Path:
        return self.root / "programs"

    def run(
        self,
        args: Sequence[str],
        cwd: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        check: bool = True,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> PulumiResult:
        """`pulumi <args>` in cwd with this sandbox's env (plus `env`); raises
        AssertionError on failure unless check=False. Timed into TIMINGS."""
        full_env = {**self.env, **(env or {})}
        result = run_pulumi(args, cwd, full_env, timeout=timeout, stdin=stdin)
        TIMINGS.append(Timing(self.test_id, result.command, result.seconds, result.returncode))
        return result.check() if check else result

    def copy_program(
        self,
        name: str,
        *,
        virtualenv: Path | None = None,
        runtime_options: Mapping[str, Any] | None = None,
    ) -> Path:
        return copy_program(
            name, self.programs_dir, virtualenv=virtualenv, runtime_options=runtime_options
        )

    def init_stack(
        self, project_dir: Path, stack: str = "dev", config: Mapping[str, Any] | None = None
    ) -> None:
        """`pulumi stack init <stack>` (passphrase secrets) and write its plain config."""
        self.run(["stack", "init", stack, "--non-interactive"], project_dir)
        if config:
            write_stack_config(project_dir, stack, config)

    def set_secret(self, project_dir: Path, stack: str, key: str, value: str) -> None:
        """Store a secret config value, encrypted by the CLI (value passed on stdin)."""
        self.run(["config", "set", "--secret", "--stack", stack, key], project_dir, stdin=value)

    def stack_resources(self, project_dir: Path, stack: str = "dev") -> list[dict[str, Any]]:
        """The resources of the stack's current state (`pulumi stack export`)."""
        exported = self.run(["stack", "export", "--stack", stack], project_dir).json()
        return list(exported.get("deployment", {}).get("resources") or [])
