"""Which notebook of a run starts when: up to `jobs` side by side, each once the notebooks it
comes `after` have run, in the declared order otherwise.

Notebooks are independent kernels writing into their own folders, so running two at once
changes no result: it only fills the cores that one notebook leaves idle (kernel start-up,
imports, figure writing, the single-process steps of a topic fit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

import psutil

from analysis.run.registry import NotebookSpec

RunOne = Callable[[NotebookSpec, int], bool]  # (notebook, slot) -> True when it succeeded
# Memory one running notebook may take with its worker processes: the largest notebook of
# the 100,000-article benchmark (benchmarks/RESULTS.md), rounded up.
NOTEBOOK_MEMORY = 3 * 2**30


def default_jobs(n_notebooks: int, available: int | None = None) -> int:
    """How many notebooks run side by side unless told: as many as the memory available now
    (`available` bytes; psutil's estimate by default) holds at `NOTEBOOK_MEMORY` each, at
    least one, at most all."""
    if available is None:
        available = psutil.virtual_memory().available
    return max(1, min(n_notebooks, available // NOTEBOOK_MEMORY))


def run_notebooks(
    specs: Sequence[NotebookSpec], jobs: int, run_one: RunOne, on_interrupt: Callable[[], None]
) -> bool:
    """Call `run_one(spec, slot)` for every notebook, at most `jobs` at once (`slot`: which
    of them, 0 to jobs - 1, e.g. the row of its progress bar). After a failure no notebook
    starts, the running ones finish. True when every notebook ran and succeeded.

    `on_interrupt` is called if waiting is interrupted (Ctrl-C) or `run_one` raises, before
    the exception goes on: it must stop the running notebooks, whose threads are joined.
    """
    if jobs <= 1:
        return all_in_order(specs, run_one)
    names = {spec.name for spec in specs}
    pending, succeeded = list(specs), set()
    running: dict[Future, tuple[NotebookSpec, int]] = {}
    free, ok = list(range(jobs)), True
    with ThreadPoolExecutor(jobs, thread_name_prefix="notebook") as pool:
        try:
            while True:
                while ok and free and (spec := _ready(pending, succeeded, names)) is not None:
                    pending.remove(spec)
                    slot = free.pop(0)
                    running[pool.submit(run_one, spec, slot)] = (spec, slot)
                if not running:
                    return ok and not pending
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    spec, slot = running.pop(future)
                    free = sorted([*free, slot])
                    if future.result():
                        succeeded.add(spec.name)
                    else:
                        ok = False
        except BaseException:
            on_interrupt()
            raise


def all_in_order(specs: Sequence[NotebookSpec], run_one: RunOne) -> bool:
    """One notebook at a time, in order, in this thread; stops at the first failure."""
    return all(run_one(spec, 0) for spec in specs)


def _ready(
    pending: list[NotebookSpec], succeeded: set[str], names: set[str]
) -> NotebookSpec | None:
    """The first pending notebook whose `after` notebooks (those of this run) succeeded."""
    return next((s for s in pending if (set(s.after) & names) <= succeeded), None)
