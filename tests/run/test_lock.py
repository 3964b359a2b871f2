"""One run at a time: the second refuses naming the holder's pid, or waits."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest

from analysis.run.lock import RunLocked, run_lock

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from analysis.run.lock import run_lock
    with run_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _holder(runs_dir, seconds):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(runs_dir), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_run_refuses_and_names_the_holder(tmp_path):
    proc = _holder(tmp_path, 30)
    try:
        with pytest.raises(RunLocked, match=rf"pid {proc.pid}\b.*--wait"):
            with run_lock(tmp_path):
                pass
    finally:
        proc.kill()
        proc.wait()
    with run_lock(tmp_path):  # a killed holder leaves no stale lock
        pass


def test_wait_blocks_until_the_holder_is_done(tmp_path):
    proc = _holder(tmp_path, 1.0)
    told = []
    began = time.monotonic()
    with run_lock(tmp_path, wait=True, on_wait=told.append):
        waited = time.monotonic() - began
    proc.wait()
    assert told == [str(proc.pid)]
    assert waited > 0.3


def test_lock_is_exclusive_within_a_process(tmp_path):
    inner = []
    with run_lock(tmp_path):
        thread = threading.Thread(target=lambda: inner.append(_try(tmp_path)))
        thread.start()
        thread.join()
    assert inner == ["refused"]


def _try(path):
    try:
        with run_lock(path):
            return "got it"
    except RunLocked:
        return "refused"


def test_one_output_folder_is_held_by_one_run_whatever_its_runs_folder(tmp_path):
    from analysis.run.lock import output_lock

    out = tmp_path / "out"
    with output_lock(out):
        with pytest.raises(RunLocked, match=rf"another discourse-lab run is publishing to {out}"):
            with output_lock(out):
                pass
        with run_lock(tmp_path / "runs-a"), run_lock(tmp_path / "runs-b"):
            pass  # runs folders are independent of the output folder
    with output_lock(out):  # released
        pass
    assert list(out.iterdir()) == []  # the lock adds no file to the folder


def test_a_runs_folder_that_cannot_hold_the_lock_is_named(tmp_path):
    from analysis.run.lock import LockUnavailable

    (tmp_path / "runs").write_text("a file")
    with pytest.raises(LockUnavailable, match=r"--runs-dir .*runs: cannot hold the run lock"):
        with run_lock(tmp_path / "runs"):
            pass
