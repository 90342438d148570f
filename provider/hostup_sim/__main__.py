"""`hostup-sim`: run the simulator, seed a state file, or steer a running one.

    hostup-sim serve [--port 0] [--state FILE] [fault and setting flags]
    hostup-sim seed [--state FILE] [--json | --print-env]
    hostup-sim drift unmount|mount|swap|delete-vps|delete-iso --url URL --vps ID ...
    hostup-sim log --url URL [--json]
    hostup-sim faults --url URL [fault flags] [--clear]
    hostup-sim settings --url URL [setting flags]
    hostup-sim reset --url URL

`serve` reads every flag it is not given from HOSTUP_SIM_<FLAG> (e.g.
HOSTUP_SIM_ERROR_RATE=0.1, HOSTUP_SIM_PORT=8080); the other commands take
--url from HOSTUP_SIM_URL. Exit status: 0 ok, 1 the simulator refused, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from hostup_sim import world
from hostup_sim.admin import SimAdmin, SimAdminError
from hostup_sim.faults import APPLY_TO, Faults
from hostup_sim.server import SimServer
from hostup_sim.store import HostupStore, Settings, write_atomically


def _floats(text: str, sep_count: int = 1) -> list[float]:
    parts = text.split(":")
    if not 1 <= len(parts) <= sep_count + 1:
        raise argparse.ArgumentTypeError(f"expected at most {sep_count + 1} values: {text!r}")
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _latency(text: str) -> tuple[float, float]:
    """LO[:HI] milliseconds."""
    values = _floats(text)
    return values[0], values[-1]


def _burst(text: str) -> tuple[int, int]:
    """N:K, every N-th request starts K 429s."""
    values = _floats(text)
    if len(values) != 2:
        raise argparse.ArgumentTypeError("expected N:K")
    return int(values[0]), int(values[1])


def _rate_limit(text: str) -> tuple[float, int]:
    """RPS[:BURST]."""
    values = _floats(text)
    return values[0], int(values[1]) if len(values) == 2 else 0


# flag -> (dest, type, help); serve falls back to HOSTUP_SIM_<DEST upper-cased>.
_FAULT_FLAGS: list[tuple[str, str, Callable[[str], Any], str]] = [
    ("--latency-ms", "latency_ms", _latency, "added latency LO[:HI] ms, uniform"),
    ("--error-rate", "error_rate", float, "share of requests answered 502/503/504"),
    ("--html-rate", "html_rate", float, "share of those 5xx that are HTML gateway pages"),
    ("--drop-rate", "drop_rate", float, "share of connections closed with no response"),
    ("--burst-429", "burst_429", _burst, "N:K, every N-th request starts K 429s"),
    ("--retry-after", "burst_retry_after", int, "Retry-After seconds of burst 429s"),
    ("--hang-rate", "hang_rate", float, "share of requests held back --hang-seconds"),
    ("--hang-seconds", "hang_seconds", float, "how long a hanging request waits"),
    ("--seed", "seed", int, "fault random seed (same seed, same faults)"),
    ("--apply-to", "apply_to", str, f"which requests faults hit: {', '.join(APPLY_TO)}"),
    ("--path-prefix", "path_prefix", str, "only requests under this path (inside /api)"),
]
_SETTING_FLAGS: list[tuple[str, str, Callable[[str], Any], str]] = [
    ("--rate-limit", "rate_limit", _rate_limit, "per-key limit RPS[:BURST] (off by default)"),
    ("--mount-over-media", "mount_over_media", str, "replace (default) or conflict (409)"),
    ("--mount-response", "mount_response", str, "sync (200, default) or async (202 job)"),
    ("--job-seconds", "job_seconds", float, "duration of download/mount jobs (default 1)"),
    ("--slow-requests", "slow_requests", int, "slow-1 answers vps_not_ready N times"),
    ("--slow-seconds", "slow_seconds", float, "... or for S seconds after start/reset"),
    ("--extra-vps", "extra_vps", int, "add N load-test VPSes to the demo account"),
]


def _add_flags(
    parser: argparse.ArgumentParser,
    flags: list[tuple[str, str, Callable[[str], Any], str]],
    env_hint: bool,
) -> None:
    for flag, dest, kind, text in flags:
        hint = f" [env HOSTUP_SIM_{dest.upper()}]" if env_hint else ""
        parser.add_argument(flag, dest=dest, type=kind, default=None, help=text + hint)


def _given(
    args: argparse.Namespace,
    flags: list[tuple[str, str, Callable[[str], Any], str]],
    environ: dict[str, str] | None,
) -> dict[str, Any]:
    """Flag values that were given, else (serve only) taken from the environment."""
    out: dict[str, Any] = {}
    for _flag, dest, kind, _text in flags:
        value = getattr(args, dest)
        env_name = f"HOSTUP_SIM_{dest.upper()}"
        if value is None and environ is not None and environ.get(env_name):
            try:
                value = kind(environ[env_name])
            except (argparse.ArgumentTypeError, ValueError) as exc:
                raise SystemExit(f"hostup-sim: {env_name}: {exc}") from None
        if value is not None:
            out[dest] = value
    return out


def _fault_knobs(given: dict[str, Any]) -> dict[str, Any]:
    knobs = dict(given)
    if "latency_ms" in knobs:
        knobs["latency_min_ms"], knobs["latency_max_ms"] = knobs.pop("latency_ms")
    if "burst_429" in knobs:
        knobs["burst_every"], knobs["burst_length"] = knobs.pop("burst_429")
    return knobs


def _setting_values(given: dict[str, Any]) -> dict[str, Any]:
    values = dict(given)
    if "rate_limit" in values:
        values["rate_limit_rps"], values["rate_limit_burst"] = values.pop("rate_limit")
    return values


def _env_default(name: str, fallback: str | None = None) -> str | None:
    return os.environ.get(f"HOSTUP_SIM_{name}") or fallback


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True), flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    try:
        faults = Faults.from_json(_fault_knobs(_given(args, _FAULT_FLAGS, env)))
        settings = Settings.from_json(_setting_values(_given(args, _SETTING_FLAGS, env)))
        store = HostupStore(settings=settings, faults=faults, state_file=args.state)
        server = SimServer(store, host=args.host, port=int(args.port)).start()
    except (ValueError, OSError) as exc:
        print(f"hostup-sim: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    if args.url_file:
        write_atomically(Path(args.url_file), f"{server.url}\n".encode())
    print(f"hostup-sim listening on {server.url}", flush=True)
    try:
        # A timed wait keeps the main thread responsive to signals.
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


def _constant_names() -> dict[str, str]:
    return {
        value: name
        for name, value in vars(world).items()
        if name.isupper() and isinstance(value, str) and name.startswith(("VPS_", "ISO_"))
    }


def cmd_seed(args: argparse.Namespace) -> int:
    extra = args.extra_vps or 0
    state = world.build_world(extra_vps=extra).to_json()
    if args.state:
        write_atomically(Path(args.state), json.dumps(state, indent=1, sort_keys=True).encode())
    names = _constant_names()
    key_names = {
        world.DEMO_API_KEY: "DEMO_API_KEY",
        world.READONLY_API_KEY: "READONLY_API_KEY",
        world.NOSTORAGE_API_KEY: "NOSTORAGE_API_KEY",
        world.OTHER_API_KEY: "OTHER_API_KEY",
    }
    summary = {
        "stateFile": args.state,
        "demoApiKey": world.DEMO_API_KEY,
        "keys": [
            {
                "constant": key_names[k["secret"]],
                "key": k["secret"],
                "account": k["account"],
                "scopes": k["scopes"],
            }
            for k in state["keys"]
        ],
        "vpses": [
            {
                "constant": names.get(v["id"]),
                "id": v["id"],
                "name": v["name"],
                "account": v["account"],
                "primaryIp": v["primary_ip"],
                "devices": v["cdrom_devices"],
            }
            for v in state["vpses"]
        ],
        "isos": [
            {
                "constant": names.get(i["id"]),
                "id": i["id"],
                "name": i["name"],
                "account": i["account"],
            }
            for i in state["isos"]
        ],
    }
    if args.json:
        _print_json(summary)
        return 0
    if args.print_env:
        # For `eval "$(hostup-sim seed --print-env)"` in shell scripts.
        exports = {name: key for key, name in key_names.items()}
        exports |= {name: value for value, name in names.items()}
        for name, value in sorted(exports.items()):
            print(f"export {name}={shlex.quote(value)}")
        return 0
    where = f" -> {args.state}" if args.state else " (not written: no --state)"
    print(f"hostup-sim demo world{where}")
    print(f"\nDemo API key: {world.DEMO_API_KEY}\n\nKeys:")
    for k in summary["keys"]:
        print(f"  {k['constant']:<18} {k['key']:<34} {k['account']:<6} {' '.join(k['scopes'])}")
    print("\nVPSes:")
    for v in summary["vpses"]:
        devices = ",".join(v["devices"]) or "-"
        const = v["constant"] or ""
        print(
            f"  {const:<16} {v['id']}  {v['name']:<12} {v['account']:<6} "
            f"{v['primaryIp'] or '-':<14} {devices}"
        )
    print("\nISOs:")
    for i in summary["isos"]:
        print(f"  {i['constant']:<20} {i['id']}  {i['account']:<6} {i['name']}")
    return 0


def cmd_drift(args: argparse.Namespace) -> int:
    admin = SimAdmin(args.url)
    if args.kind in ("mount", "swap", "delete-iso") and not args.iso:
        print(f"hostup-sim drift {args.kind}: --iso is required", file=sys.stderr)
        return 2
    if args.kind == "unmount":
        admin.drift_unmount(args.vps, args.device)
    elif args.kind == "mount":
        admin.drift_mount(args.vps, args.device, args.iso)
    elif args.kind == "swap":
        admin.drift_swap(args.vps, args.device, args.iso)
    elif args.kind == "delete-vps":
        admin.drift_delete_vps(args.vps)
    else:
        admin.drift_delete_iso(args.vps, args.iso)
    print(f"drift {args.kind}: done", flush=True)
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    records = SimAdmin(args.url).log()
    if args.json:
        _print_json(records)
        return 0
    for r in records:
        status = r["status"] if r["status"] is not None else "drop"
        print(
            f"{r['seq']:>5} {r['timestamp']} {r['method']:<6} {status!s:<4} "
            f"{r['operation'] or '-':<18} {r['key_id'] or '-':<18} {r['fault'] or '-':<9} "
            f"{r['path']}"
        )
    return 0


def cmd_faults(args: argparse.Namespace) -> int:
    admin = SimAdmin(args.url)
    knobs = _fault_knobs(_given(args, _FAULT_FLAGS, None))
    if args.clear:
        _print_json(admin.set_faults(**knobs))
    elif knobs:
        _print_json(admin.update_faults(**knobs))
    else:
        _print_json(admin.faults())
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    admin = SimAdmin(args.url)
    values = _setting_values(_given(args, _SETTING_FLAGS, None))
    _print_json(admin.update_settings(**values) if values else admin.settings())
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    SimAdmin(args.url).reset()
    print("reset: done", flush=True)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hostup-sim", description="A local simulator of the Hostup VPS ISO API."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the API on a loopback port until SIGTERM")
    serve.add_argument("--host", default=_env_default("HOST", "127.0.0.1"))
    serve.add_argument("--port", default=_env_default("PORT", "0"), help="0: any free port")
    serve.add_argument(
        "--state", default=_env_default("STATE"), help="JSON state file (loaded if present)"
    )
    serve.add_argument("--url-file", default=None, help="also write the URL to this file")
    _add_flags(serve, _FAULT_FLAGS, env_hint=True)
    _add_flags(serve, _SETTING_FLAGS, env_hint=True)
    serve.set_defaults(func=cmd_serve)

    seed = sub.add_parser("seed", help="write the demo world to a state file and list its ids")
    seed.add_argument("--state", default=None)
    seed.add_argument("--extra-vps", type=int, default=0)
    seed.add_argument("--json", action="store_true", help="machine-readable output")
    seed.add_argument(
        "--print-env", action="store_true", help="print `export NAME=value` lines for the shell"
    )
    seed.set_defaults(func=cmd_seed)

    url_default = os.environ.get("HOSTUP_SIM_URL")
    url_help = "simulator base URL [env HOSTUP_SIM_URL]"

    drift = sub.add_parser("drift", help="change the world out of band (the dashboard)")
    drift.add_argument("kind", choices=["unmount", "mount", "swap", "delete-vps", "delete-iso"])
    drift.add_argument("--url", default=url_default, required=url_default is None, help=url_help)
    drift.add_argument("--vps", required=True, help="VPS id")
    drift.add_argument("--device", default="ide2")
    drift.add_argument("--iso", default=None, help="ISO id (mount, swap, delete-iso)")
    drift.set_defaults(func=cmd_drift)

    log = sub.add_parser("log", help="print the request log")
    log.add_argument("--url", default=url_default, required=url_default is None, help=url_help)
    log.add_argument("--json", action="store_true")
    log.set_defaults(func=cmd_log)

    faults = sub.add_parser("faults", help="show or change fault injection")
    faults.add_argument("--url", default=url_default, required=url_default is None, help=url_help)
    faults.add_argument("--clear", action="store_true", help="unnamed knobs go back to off")
    _add_flags(faults, _FAULT_FLAGS, env_hint=False)
    faults.set_defaults(func=cmd_faults)

    settings = sub.add_parser("settings", help="show or change behaviour settings")
    settings.add_argument("--url", default=url_default, required=url_default is None, help=url_help)
    _add_flags(settings, _SETTING_FLAGS, env_hint=False)
    settings.set_defaults(func=cmd_settings)

    reset = sub.add_parser("reset", help="seeded world, start settings, no faults, empty log")
    reset.add_argument("--url", default=url_default, required=url_default is None, help=url_help)
    reset.set_defaults(func=cmd_reset)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except SimAdminError as exc:
        print(f"hostup-sim: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
