"""One pipeline run at a time per runs folder: an fcntl lock on runs/.lock.

The kernel releases the lock when the holder dies, even by SIGKILL, so there is never a
stale lock to clean up by hand. The file holds the pid of the holder for messages.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.core.errors import DiscourseLabError


class RunLocked(DiscourseLabError):
    """Another run holds the lock."""


@contextmanager
def run_lock(runs_dir: Path, wait: bool = False, on_wait=None) -> Iterator[None]:
    """Hold runs_dir/.lock for the duration; refuse (RunLocked) or wait if it is taken."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    path = runs_dir / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(path)
            if not wait:
                raise RunLocked(
                    f"another discourse-lab run (pid {holder}) is using {runs_dir}; "
                    "wait for it to finish or pass --wait"
                ) from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "unknown"
    except OSError:
        return "unknown"
