"""The state file: the world as JSON on disk, replaced atomically.

A reader, or a crash at any moment, sees the old file or the new one, never a
part of either, and no temporary file is left behind. The backend saves after
every change, before the call that made it returns.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hostup_sim.world import World


def write_atomically(path: Path, data: bytes) -> None:
    """Replace path with data so a reader (or a crash) sees the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # The rename itself must reach the disk too.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def world_bytes(world: World) -> bytes:
    """The state file's content for world (stable key order, so diffs stay small)."""
    return json.dumps(world.to_json(), indent=1, sort_keys=True).encode()


class StateFile:
    """One JSON state file of the simulator."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def load(self) -> World | None:
        """The world in the file; None if there is no file; ValueError if it is not one."""
        if not self.path.exists():
            return None
        try:
            return World.from_json(json.loads(self.path.read_text()))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"state file {self.path} is not a simulator state: {exc}") from exc

    def save(self, world: World) -> None:
        """Write world atomically."""
        write_atomically(self.path, world_bytes(world))
