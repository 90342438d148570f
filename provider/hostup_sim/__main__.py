"""`hostup-sim`: run the simulator, seed a state file, or steer a running one.

    hostup-sim serve [--port 0] [--state FILE] [fault and setting options]
    hostup-sim seed [--state FILE] [--json | --print-env]
    hostup-sim drift KIND --vps ID [--device D] [--iso ID]
    hostup-sim log [--json]
    hostup-sim faults [fault options] [--clear]
    hostup-sim settings [setting options]
    hostup-sim reset

Every option of `serve` falls back to an environment variable HOSTUP_SIM_<OPTION>
(HOSTUP_SIM_PORT, HOSTUP_SIM_STATE, HOSTUP_SIM_ERROR_RATE, ...; `--help` names
each). The commands that steer a running simulator read only --url from the
environment (HOSTUP_SIM_URL), so a variable meant for `serve` never changes a
running simulator by accident; `seed` reads none, as it writes only the file it
is told. Exit status: 0 ok, 1 the simulator refused or could not be reached,
2 bad usage or values.
"""

from __future__ import annotations

import json
import shlex
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any, get_args

import click
from pydantic import BaseModel

from hostup_sim import world
from hostup_sim.admin import SimAdmin, SimAdminError
from hostup_sim.drift import DRIFT_KINDS
from hostup_sim.faults import ApplyTo, Faults
from hostup_sim.persistence import world_bytes, write_atomically
from hostup_sim.server import SimServer
from hostup_sim.settings import MountOverMedia, MountResponse, Settings
from hostup_sim.store import HostupStore

ENV_PREFIX = "HOSTUP_SIM_"


class _Refused(click.ClickException):
    """The simulator refused or could not be reached: `hostup-sim: <why>`, exit status 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"hostup-sim: {self.format_message()}", err=True)


class _BadValue(_Refused):
    """A value the simulator cannot start with: exit status 2, like a usage error."""

    exit_code = 2


class _Cli(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SimAdminError as exc:
            raise _Refused(str(exc)) from exc


def _latency(parts: list[str]) -> tuple[float, float]:
    if len(parts) > 2:
        raise ValueError
    return float(parts[0]), float(parts[-1])


def _burst(parts: list[str]) -> tuple[int, int]:
    every, length = parts  # exactly two, or ValueError
    return int(every), int(length)


def _rate_limit(parts: list[str]) -> tuple[float, int]:
    if len(parts) > 2:
        raise ValueError
    return float(parts[0]), int(parts[1]) if len(parts) == 2 else 0


def _env_option(flag: str, **kwargs: Any) -> Callable[[Any], Any]:
    """A click option that falls back to HOSTUP_SIM_<FLAG> (and says so in --help)."""
    envvar = ENV_PREFIX + flag.removeprefix("--").replace("-", "_").upper()
    return click.option(flag, envvar=envvar, show_envvar=True, **kwargs)


@dataclass(frozen=True)
class _Knob:
    """A command-line option that sets one or more fields of Faults or Settings."""

    flag: str
    kind: type | click.Choice[str]
    help: str
    fields: Callable[[Any], dict[str, Any]]
    parts: Callable[[list[str]], tuple[Any, ...]] | None = None  # reads a value written A[:B]
    metavar: str | None = None  # how such a value is written

    @property
    def name(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    def option(self, *, envvar: bool) -> Callable[[Any], Any]:
        """The click option; with envvar, it falls back to its environment variable."""
        kwargs: dict[str, Any] = {
            "type": self.kind,
            "default": None,
            "help": self.help,
            "metavar": self.metavar,
            "callback": self._read_parts if self.parts else None,
        }
        if envvar:
            return _env_option(self.flag, **kwargs)
        return click.option(self.flag, **kwargs)

    def _read_parts(self, ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None or self.parts is None:
            return value
        try:
            return self.parts(str(value).split(":"))
        except (ValueError, IndexError):
            raise click.BadParameter(f"expected {self.metavar}, got {value!r}") from None


def _knob(
    model: type[BaseModel], field: str, kind: type | click.Choice[str], flag: str = ""
) -> _Knob:
    """An option for one field; its help is the field's description."""
    return _Knob(
        flag or "--" + field.replace("_", "-"),
        kind,
        model.model_fields[field].description or field,
        lambda value: {field: value},
    )


FAULT_KNOBS = (
    _Knob(
        "--latency-ms",
        str,
        "added latency in ms, uniform between LO and HI",
        lambda v: {"latency_min_ms": v[0], "latency_max_ms": v[1]},
        _latency,
        "LO[:HI]",
    ),
    _knob(Faults, "error_rate", float),
    _knob(Faults, "html_rate", float),
    _knob(Faults, "drop_rate", float),
    _Knob(
        "--burst-429",
        str,
        "every N-th request starts K 429s",
        lambda v: {"burst_every": v[0], "burst_length": v[1]},
        _burst,
        "N:K",
    ),
    _knob(Faults, "burst_retry_after", int, "--retry-after"),
    _knob(Faults, "hang_rate", float),
    _knob(Faults, "hang_seconds", float),
    _knob(Faults, "seed", int),
    _knob(Faults, "apply_to", click.Choice(get_args(ApplyTo))),
    _knob(Faults, "path_prefix", str),
)
SETTING_KNOBS = (
    _Knob(
        "--rate-limit",
        str,
        "per-key rate limit: RPS requests a second, bursts of BURST (off by default)",
        lambda v: {"rate_limit_rps": v[0], "rate_limit_burst": v[1]},
        _rate_limit,
        "RPS[:BURST]",
    ),
    _knob(Settings, "mount_over_media", click.Choice(get_args(MountOverMedia))),
    _knob(Settings, "mount_response", click.Choice(get_args(MountResponse))),
    _knob(Settings, "job_seconds", float),
    _knob(Settings, "slow_requests", int),
    _knob(Settings, "slow_seconds", float),
    _knob(Settings, "extra_vps", int),
    _knob(Settings, "listing_lag_seconds", float),
    _knob(Settings, "listing_lag_reads", int),
)


def _knob_options(knobs: Sequence[_Knob], *, envvars: bool) -> Callable[[Any], Any]:
    """Add an option per knob to a command."""

    def decorate(command: Any) -> Any:
        for knob in reversed(knobs):
            command = knob.option(envvar=envvars)(command)
        return command

    return decorate


def _fields(knobs: Sequence[_Knob], options: dict[str, Any]) -> dict[str, Any]:
    """The model fields set by the options that were given."""
    out: dict[str, Any] = {}
    for knob in knobs:
        if options.get(knob.name) is not None:
            out |= knob.fields(options[knob.name])
    return out


def _url_option(command: Any) -> Any:
    return _env_option("--url", required=True, help="the running simulator's base URL")(command)


def _print_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, sort_keys=True))


@click.group(
    cls=_Cli,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
def main() -> None:
    """A local simulator of the Hostup VPS ISO API."""


@main.command()
@_env_option("--host", default="127.0.0.1", show_default=True, help="a loopback address")
@_env_option("--port", type=int, default=0, show_default=True, help="0: any free port")
@_env_option("--state", type=click.Path(dir_okay=False), help="JSON state file, loaded if present")
@_env_option("--url-file", type=click.Path(dir_okay=False), help="also write the URL to this file")
@_knob_options(FAULT_KNOBS, envvars=True)
@_knob_options(SETTING_KNOBS, envvars=True)
def serve(host: str, port: int, state: str | None, url_file: str | None, **knobs: Any) -> None:
    """Serve the API on a loopback port until SIGTERM or SIGINT."""
    try:
        faults = Faults.model_validate(_fields(FAULT_KNOBS, knobs))
        settings = Settings.model_validate(_fields(SETTING_KNOBS, knobs))
        store = HostupStore(settings=settings, faults=faults, state_file=state)
        server = SimServer(store, host=host, port=port).start()
    except (ValueError, OSError) as exc:
        raise _BadValue(str(exc)) from exc
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    if url_file:
        write_atomically(Path(url_file), f"{server.url}\n".encode())
    click.echo(f"hostup-sim listening on {server.url}")
    try:
        # A timed wait keeps the main thread responsive to signals.
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()


def _constant_names() -> dict[str, str]:
    """id or API key -> the name of its constant in hostup_sim.world."""
    return {
        value: name
        for name, value in vars(world).items()
        if isinstance(value, str)
        and (name.startswith(("VPS_", "ISO_")) or name.endswith("_API_KEY"))
    }


@main.command()
@click.option("--state", type=click.Path(dir_okay=False), help="write the world to this file")
@click.option("--extra-vps", type=click.IntRange(min=0), default=0, help="add N load-test VPSes")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.option("--print-env", is_flag=True, help="print `export NAME=value` lines for the shell")
def seed(state: str | None, extra_vps: int, as_json: bool, print_env: bool) -> None:
    """Write the demo world to a state file and list its ids and keys."""
    built = world.build_world(extra_vps=extra_vps)
    if state:
        write_atomically(Path(state), world_bytes(built))
    names = _constant_names()
    summary = {
        "stateFile": state,
        "demoApiKey": world.DEMO_API_KEY,
        "keys": [
            {"constant": names[k.secret], "key": k.secret, "account": k.account, "scopes": k.scopes}
            for k in built.keys
        ],
        "vpses": [
            {
                "constant": names.get(v.id),
                "id": v.id,
                "name": v.name,
                "account": v.account,
                "primaryIp": v.primary_ip,
                "devices": v.cdrom_devices,
            }
            for v in built.vpses.values()
        ],
        "isos": [
            {"constant": names.get(i.id), "id": i.id, "name": i.name, "account": i.account}
            for i in built.isos.values()
        ],
    }
    if as_json:
        _print_json(summary)
    elif print_env:
        # For `eval "$(hostup-sim seed --print-env)"` in shell scripts.
        for value, name in sorted(names.items(), key=lambda item: item[1]):
            click.echo(f"export {name}={shlex.quote(value)}")
    else:
        _print_seed(summary)


def _print_seed(summary: dict[str, Any]) -> None:
    where = f" -> {summary['stateFile']}" if summary["stateFile"] else " (not written: no --state)"
    click.echo(f"hostup-sim demo world{where}")
    click.echo(f"\nDemo API key: {world.DEMO_API_KEY}\n\nKeys:")
    for k in summary["keys"]:
        scopes = " ".join(k["scopes"])
        click.echo(f"  {k['constant']:<18} {k['key']:<34} {k['account']:<6} {scopes}")
    click.echo("\nVPSes:")
    for v in summary["vpses"]:
        devices = ",".join(v["devices"]) or "-"
        click.echo(
            f"  {v['constant'] or '':<16} {v['id']}  {v['name']:<12} {v['account']:<6} "
            f"{v['primaryIp'] or '-':<14} {devices}"
        )
    click.echo("\nISOs:")
    for i in summary["isos"]:
        click.echo(f"  {i['constant']:<20} {i['id']}  {i['account']:<6} {i['name']}")


_DRIFT_HELP = (
    "Change the world out of band, as a person in the Hostup dashboard would.\n\n\b\n"
    + "\n".join(f"{kind.name:<11} {kind.summary}" for kind in DRIFT_KINDS.values())
)


@main.command(help=_DRIFT_HELP)
@click.argument("kind", type=click.Choice(list(DRIFT_KINDS)))
@_url_option
@click.option("--vps", required=True, help="VPS id")
@click.option(
    "--device",
    default=world.DEFAULT_DEVICE,
    show_default=True,
    help="the device (unmount, mount, swap)",
)
@click.option("--iso", help="ISO id (mount, swap, delete-iso)")
def drift(kind: str, url: str, vps: str, device: str, iso: str | None) -> None:
    if DRIFT_KINDS[kind].needs_iso and not iso:
        raise click.UsageError(f"drift {kind} needs --iso")
    SimAdmin(url).drift(kind, vps, device=device, iso_id=iso)
    click.echo(f"drift {kind}: done")


@main.command()
@_url_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def log(url: str, as_json: bool) -> None:
    """Print the request log (key ids only, never a key)."""
    records = SimAdmin(url).log()
    if as_json:
        _print_json(records)
        return
    for r in records:
        status = r["status"] if r["status"] is not None else "drop"
        click.echo(
            f"{r['seq']:>5} {r['timestamp']} {r['method']:<6} {status!s:<4} "
            f"{r['operation'] or '-':<18} {r['key_id'] or '-':<18} {r['fault'] or '-':<9} "
            f"{r['path']}"
        )


@main.command()
@_url_option
@click.option("--clear", is_flag=True, help="knobs not named go back to off")
@_knob_options(FAULT_KNOBS, envvars=False)
def faults(url: str, clear: bool, **knobs: Any) -> None:
    """Show or change fault injection (prints the knobs)."""
    admin, fields = SimAdmin(url), _fields(FAULT_KNOBS, knobs)
    if clear:
        _print_json(admin.set_faults(**fields))
    else:
        _print_json(admin.update_faults(**fields) if fields else admin.faults())


@main.command()
@_url_option
@_knob_options(SETTING_KNOBS, envvars=False)
def settings(url: str, **knobs: Any) -> None:
    """Show or change behaviour settings (prints them all)."""
    admin, fields = SimAdmin(url), _fields(SETTING_KNOBS, knobs)
    _print_json(admin.update_settings(**fields) if fields else admin.settings())


@main.command()
@_url_option
def reset(url: str) -> None:
    """Seeded world, start settings, no faults, empty log."""
    SimAdmin(url).reset()
    click.echo("reset: done")


if __name__ == "__main__":
    main(prog_name="hostup-sim")
