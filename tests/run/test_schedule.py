"""Notebooks side by side: at most `jobs` at once, each after the notebooks it needs, no
new start after a failure, running kernels stopped when the run is interrupted."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from analysis.run.execution import QuietKernelManager, execute_notebook, stop_kernels
from analysis.run.registry import DECLARED_NOTEBOOKS, NotebookSpec, notebooks_in
from analysis.run.schedule import default_jobs, run_notebooks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _spec(name: str, after: tuple[str, ...] = ()) -> NotebookSpec:
    return NotebookSpec(name, (), Path(f"{name}.ipynb"), after)


class Recorder:
    """A stand-in for executing a notebook: records starts and ends, fails the notebooks
    named in `fail`, and holds those named in `held` until `released` is set."""

    def __init__(self, fail: frozenset[str] = frozenset(), held: frozenset[str] = frozenset()):
        self.events: list[tuple[str, str, int]] = []
        self.fail, self.held = fail, held
        self.running = self.most_at_once = 0
        self.lock = threading.Lock()
        self.released = threading.Event()

    def __call__(self, spec: NotebookSpec, slot: int) -> bool:
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.events.append(("start", spec.name, slot))
        if spec.name in self.held:
            self.released.wait(60)
        with self.lock:
            self.running -= 1
            self.events.append(("end", spec.name, slot))
        return spec.name not in self.fail

    def order(self, kind: str) -> list[str]:
        return [name for what, name, _ in self.events if what == kind]

    def release_when(self, condition) -> threading.Thread:
        """Set `released` once `condition(self)` holds (checked every 10 ms, for 60 s)."""

        def watch() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not condition(self):
                time.sleep(0.01)
            self.released.set()

        thread = threading.Thread(target=watch, daemon=True)
        thread.start()
        return thread


def test_a_notebook_starts_only_after_the_notebooks_it_needs():
    specs = [_spec("a"), _spec("b"), _spec("c", after=("b",)), _spec("d")]
    recorder = Recorder()
    assert run_notebooks(specs, 2, recorder, on_interrupt=lambda: None)
    assert sorted(recorder.order("start")) == ["a", "b", "c", "d"]
    events = [(what, name) for what, name, _ in recorder.events]
    assert events.index(("end", "b")) < events.index(("start", "c"))
    assert recorder.most_at_once <= 2
    assert {slot for _, _, slot in recorder.events} <= {0, 1}


def test_independent_notebooks_run_side_by_side_and_one_job_runs_them_in_order():
    specs = [_spec("a"), _spec("b"), _spec("c")]
    side_by_side = Recorder(held=frozenset({"a", "b", "c"}))
    side_by_side.release_when(lambda r: r.running >= 2)  # never, if one ran at a time
    assert run_notebooks(specs, 2, side_by_side, on_interrupt=lambda: None)
    assert side_by_side.most_at_once == 2
    one_at_a_time = Recorder()
    assert run_notebooks(specs, 1, one_at_a_time, on_interrupt=lambda: None)
    assert one_at_a_time.most_at_once == 1
    assert one_at_a_time.order("start") == ["a", "b", "c"]


def test_after_a_failure_no_notebook_starts_and_the_running_one_finishes():
    specs = [_spec("a"), _spec("slow"), _spec("c")]
    recorder = Recorder(fail=frozenset({"a"}), held=frozenset({"slow"}))
    recorder.release_when(lambda r: "a" in r.order("end"))  # c would start in a's slot
    assert not run_notebooks(specs, 2, recorder, on_interrupt=lambda: None)
    assert sorted(recorder.order("start")) == ["a", "slow"]
    assert sorted(recorder.order("end")) == ["a", "slow"]


def test_a_failing_notebook_stops_a_one_job_run_at_once():
    recorder = Recorder(fail={"a"})
    assert not run_notebooks([_spec("a"), _spec("b")], 1, recorder, on_interrupt=lambda: None)
    assert recorder.order("start") == ["a"]


def test_an_exception_while_notebooks_run_stops_them_first():
    stopped = []

    def run_one(spec: NotebookSpec, slot: int) -> bool:
        if spec.name == "bad":
            raise RuntimeError("a bug in running a notebook")
        return True

    with pytest.raises(RuntimeError, match="a bug"):
        run_notebooks([_spec("bad"), _spec("b")], 2, run_one, lambda: stopped.append(True))
    assert stopped == [True]


def test_the_pipeline_notebooks_may_all_run_at_once():
    assert [spec.after for spec in DECLARED_NOTEBOOKS] == [(), (), (), ()]


def test_a_folder_of_ones_own_notebooks_runs_one_after_another():
    specs = notebooks_in(FIXTURES / "notebooks")
    assert [s.after for s in specs] == [(), (specs[0].name,), (specs[1].name,)]


@pytest.mark.slow
def test_stop_kernels_ends_a_running_notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("FIXTURE_SLEEP", "600")
    failures = []
    params = {"params_file": "", "overrides": {}, "output_dir": str(tmp_path / "out")}
    source, executed = FIXTURES / "sleep.ipynb", tmp_path / "sleep.ipynb"
    thread = threading.Thread(
        target=lambda: failures.append(
            execute_notebook("sleep", source, executed, params, 900, progress_bar=False)
        )
    )
    thread.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _live_kernels():
        time.sleep(0.1)
    assert _live_kernels(), "the kernel never started"
    stop_kernels()
    thread.join(120)  # the notebook would sleep for 600 s
    assert not thread.is_alive()
    assert not _live_kernels()
    (failure,) = failures
    assert failure is not None  # the notebook did not complete


def _live_kernels() -> list[QuietKernelManager]:
    return [
        manager
        for manager in list(QuietKernelManager.started)
        if getattr(manager.provisioner, "process", None) is not None
        and manager.provisioner.process.poll() is None
    ]


def test_by_default_as_many_notebooks_run_side_by_side_as_memory_holds():
    gib = 2**30
    assert default_jobs(4, available=100 * gib) == 4
    assert default_jobs(4, available=7 * gib) == 2  # 3 GiB each
    assert default_jobs(4, available=1 * gib) == 1  # never none
