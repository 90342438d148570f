"""Processes and waiting, for tests and benchmarks that start other programs.

- `stop_process()`: terminate a child, then kill it if it does not go.
- `session_pids()`, `kill_session()`, `wait_until_gone()`: every process of a session
  (the Pulumi CLI starts each plugin in a process group of its own, but they all stay
  in the CLI's session, so a session is what "the whole run" means).
- `interrupt_twice()`: Ctrl-C twice, as a person at a terminal would.
- `descendants()`, `cmdline()`, `proc_usage()`: /proc readings (Linux).
- `wait_for()`: poll a condition with a bound.
- `free_port()`: a loopback TCP port nobody listens on right now.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """SIGTERM, wait up to `timeout` s, then SIGKILL; returns once the child is reaped."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def wait_for(predicate: Callable[[], bool], timeout: float = 15.0, step: float = 0.05) -> bool:
    """Poll `predicate` every `step` s until it is true or `timeout` s have passed; its
    last answer (so `assert wait_for(...)` reads as the condition)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago (another process may take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- sessions ------------------------------------------------------------------------------


def session_pids(session_id: int) -> list[int]:
    """The live processes of session `session_id`, from /proc (Linux; [] elsewhere)."""
    pids: list[int] = []
    proc_root = Path("/proc")
    if not proc_root.is_dir():
        return pids
    for entry in proc_root.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp session ..."; comm may hold spaces and parentheses.
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 3 and fields[0] != "Z" and int(fields[3]) == session_id:
            pids.append(int(entry.name))
    return pids


def kill_session(session_id: int) -> list[int]:
    """SIGKILL every live process of a session that a test started with
    ``start_new_session=True``: the CLI and all its plugins. Returns the pids signalled."""
    if session_id == os.getsid(0):
        raise ValueError("refusing to kill the caller's own session")
    killed: list[int] = []
    for pid in session_pids(session_id):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue
        killed.append(pid)
    return killed


def end_session(process: subprocess.Popen[Any]) -> None:
    """End a session leader started with ``start_new_session=True`` and everything in its
    session: SIGTERM then SIGKILL to its process group, then SIGKILL to the session."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=5.0)
            break
        except subprocess.TimeoutExpired:
            continue
    # Pulumi starts every plugin (language host, providers) in a process group of its
    # own, so they outlive a killed CLI, a provider mid-request included; they stay in
    # the CLI's session, though.
    kill_session(process.pid)


def wait_until_gone(session_id: int, timeout: float = 15.0) -> list[int]:
    """Wait for every process of a session to end; the pids still alive at the timeout."""
    deadline = time.monotonic() + timeout
    while (alive := session_pids(session_id)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def interrupt_twice(process: subprocess.Popen[Any], gap: float = 1.0) -> None:
    """Ctrl-C, then Ctrl-C again (a terminal signals the foreground process group): to the
    Pulumi CLI the first asks the engine to cancel, the second to terminate now."""
    for _ in range(2):
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(gap)


# -- /proc ---------------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """Every live descendant of pid (from /proc/<pid>/task/*/children)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                text = Path(f"/proc/{parent}/task/{task}/children").read_text()
            except OSError:
                continue
            for child in text.split():
                found.append(int(child))
                todo.append(int(child))
    return found


def cmdline(pid: int) -> str:
    """A process's command line, arguments joined by spaces ("" once it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def proc_usage(pid: int) -> tuple[int, int]:
    """(open file descriptors, threads) of a live process, from /proc."""
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    threads = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            threads = int(line.split()[1])
    return fds, threads


def modules_loaded_by(imports: Sequence[str], watched: Sequence[str]) -> list[str]:
    """The modules of the `watched` top-level packages that a fresh interpreter has
    loaded after importing `imports` (each a module name)."""
    code = (
        "import importlib, sys\n"
        f"for name in {list(imports)!r}: importlib.import_module(name)\n"
        f"watched = {tuple(watched)!r}\n"
        "print('\\n'.join(sorted(m for m in sys.modules\n"
        "    if any(m == w or m.startswith(w + '.') for w in watched))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if line]
