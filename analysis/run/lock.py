"""One pipeline run at a time per runs folder (an fcntl lock on runs/.lock) and per output
folder (an fcntl lock on the folder itself, so that no file of ours is added to it).

The kernel releases a lock when the holder dies, even by SIGKILL, so there is never a
stale lock to clean up by hand. runs/.lock holds the pid of the holder for messages.
Take the runs lock first, then the output lock: always in that order, two runs can never
wait for each other.
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


class LockUnavailable(DiscourseLabError):
    """A lock that cannot be created (a read-only disk, a file where a folder should be)."""


@contextmanager
def run_lock(runs_dir: Path, wait: bool = False, on_wait=None) -> Iterator[None]:
    """Hold runs_dir/.lock for the duration; refuse (RunLocked) or wait if it is taken."""
    path = runs_dir / ".lock"
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise LockUnavailable(
            f"--runs-dir {runs_dir}: cannot hold the run lock there ({err.strerror}); "
            "name a writable folder"
        ) from None
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


@contextmanager
def output_lock(folder: Path, wait: bool = False, on_wait=None) -> Iterator[None]:
    """Hold a lock on the output folder itself for the duration (created if absent):
    runs with different runs folders never publish into, or recover, one folder at once."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as err:
        raise LockUnavailable(
            f"--out {folder}: cannot be used as an output folder ({err.strerror})"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise RunLocked(
                    f"another discourse-lab run is publishing to {folder}; wait for it to "
                    "finish or pass --wait"
                ) from None
            if on_wait is not None:
                on_wait(f"publishing to {folder}")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
