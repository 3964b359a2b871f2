"""The scheduler: one task per partition, results in partition order, reduced in a fixed tree.

`compute_in_order` runs a function over partitions on the scheduler named by
``params.run.scheduler``:

- ``""`` or ``"processes"``: local worker processes (``run.workers``, default 2; set up as
  Dask's own pool and kept for the process's later analyses: `worker_pool`);
- ``"threads"``: a local thread pool; ``"synchronous"``: in this process (a reference);
- an address such as ``"tcp://10.0.0.5:8786"``: a ``dask.distributed`` cluster. Workers
  must see the same paths as the client (shared storage for the store and cache folders).

On every scheduler the workers are given at most two partitions each at a time and the
results come back as they are done, in partition order (`iter_in_order`), so that neither
the workers nor this process hold more than a few partitions' results.

A single partition (every small corpus) runs in this process. Results come back in
partition order whatever order the workers finish in; `reduce_in_order` folds partial
results in a fixed tree over the partitions (on a cluster's workers; on the local
schedulers in this process as the results arrive), so that associative, ordered
reductions are identical on every scheduler.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial, reduce

import dask
import dask.multiprocessing
from tqdm.auto import tqdm

from analysis.core.errors import InputError
from analysis.core.params import Params

LOCAL_SCHEDULERS = ("processes", "threads", "synchronous")
REDUCE_FAN_IN = 2  # partial results folded by one task of `reduce_in_order`


def compute_in_order(
    func: Callable,
    partitions: Sequence,
    context: object,
    params: Params,
    peaks: list[int] | None = None,
    description: str = "",
) -> list:
    """``[func(p, context) for p in partitions]`` on the scheduler of ``params.run``.

    If `peaks` is a list, the peak resident memory (KiB) of the process that ran each task,
    measured at the task's end, is appended to it in partition order (for benchmarks).
    A `description` shows a progress bar of the tasks (on stderr) when there are several.
    """
    if peaks is None:
        return list(iter_in_order(func, partitions, context, params, description))
    tasks = [(func, p) for p in partitions]
    measured = list(iter_in_order(_measured_task, tasks, context, params, description))
    peaks.extend(peak for _, peak in measured)
    return [result for result, _ in measured]


def iter_in_order(
    func: Callable, partitions: Sequence, context: object, params: Params, description: str = ""
) -> Iterator[object]:
    """`compute_in_order`'s results one at a time, in partition order, as they arrive (the
    caller can drop each before the next)."""
    if not partitions:
        return iter(())
    if (params.run.scheduler or "processes") in LOCAL_SCHEDULERS:
        return _results_in_order(func, partitions, context, params, description)
    return _cluster_results_in_order(func, partitions, context, params, description)


def _measured_task(task: tuple[Callable, object], context: object) -> tuple[object, int]:
    func, partition = task
    result = func(partition, context)
    return result, process_peak_kib()


def process_peak_kib() -> int:
    """Peak resident set of this process in KiB: VmHWM of /proc/self/status on Linux.

    Not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries the parent's resident set at
    fork over an exec into the child's ru_maxrss, so a spawned worker would report its
    parent's peak; VmHWM belongs to the worker's own address space.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def reduce_in_order(
    func: Callable,
    combine: Callable,
    partitions: Sequence,
    context: object,
    params: Params,
    peaks: list[int] | None = None,
    description: str = "",
) -> object:
    """``combine`` folded over ``[func(p, context) for p in partitions]`` in a fixed tree:
    each fold joins up to `REDUCE_FAN_IN` neighbours in partition order, level by level
    (the same tree on every scheduler, so an ordered reduction gives the same result).

    The partitions run a few at a time (`iter_in_order`) and the tree is folded as their
    results arrive in order (`_TreeFold`), holding one waiting partial result per level.
    On a `dask.distributed` cluster the folds are tasks on the workers, where the partial
    results stay; on the local schedulers every result comes back to this process anyway,
    and this process folds. `combine(a, b)` must be associative; it may change and return
    `a`. If `peaks` is a list, the largest peak resident memory (KiB) of any process that
    ran a task is appended to it.
    """
    if not partitions:
        raise InputError("reduce_in_order needs at least one partition")
    if (params.run.scheduler or "processes") in LOCAL_SCHEDULERS:
        return _reduce_here(func, combine, partitions, context, params, peaks, description)
    if peaks is None:
        return _reduce_on_cluster(func, partial(_fold, combine), partitions, context, params,
                                  description)  # fmt: skip
    tasks = [(func, p) for p in partitions]
    join = partial(_fold_measured, combine)
    result, peak = _reduce_on_cluster(_measured_task, join, tasks, context, params, description)
    peaks.append(peak)
    return result


def _reduce_here(
    func: Callable,
    combine: Callable,
    partitions: Sequence,
    context: object,
    params: Params,
    peaks: list[int] | None,
    description: str,
) -> object:
    """`reduce_in_order` on a local scheduler: the partitions on the workers, the tree here."""
    tree = _TreeFold(len(partitions), partial(_fold, combine))
    if peaks is None:
        for result in _results_in_order(func, partitions, context, params, description):
            tree.add(result)
        return tree.root()
    largest = process_peak_kib()
    tasks = [(func, p) for p in partitions]
    for result, peak in _results_in_order(_measured_task, tasks, context, params, description):
        tree.add(result)
        largest = max(largest, peak)
    peaks.append(max(largest, process_peak_kib()))
    return tree.root()


class _TreeFold:
    """The tree of `reduce_in_order` over `n` results given one at a time in order: level by
    level, neighbours joined in groups of `REDUCE_FAN_IN`, a last incomplete group of one
    passed up as it is. Holds at most `REDUCE_FAN_IN - 1` waiting results per level."""

    def __init__(self, n: int, join: Callable) -> None:
        self.join = join
        self.sizes = [n]  # the number of results on each level
        while self.sizes[-1] > 1:
            self.sizes.append(-(-self.sizes[-1] // REDUCE_FAN_IN))
        self.seen = [0] * len(self.sizes)
        self.waiting: list[list] = [[] for _ in self.sizes]
        self.result: object = None

    def add(self, value: object, level: int = 0) -> None:
        while True:
            self.seen[level] += 1
            if level == len(self.sizes) - 1:  # the root
                self.result = value
                return
            group = self.waiting[level]
            group.append(value)
            complete = len(group) == REDUCE_FAN_IN or self.seen[level] == self.sizes[level]
            if not complete:
                return
            self.waiting[level] = []
            value = self.join(*group) if len(group) > 1 else group[0]
            level += 1

    def root(self) -> object:
        if self.seen[-1] != 1:
            raise RuntimeError("_TreeFold: not every result was added")
        return self.result


def _results_in_order(
    func: Callable, partitions: Sequence, context: object, params: Params, description: str
) -> Iterator[object]:
    """``func(p, context)`` for each partition, yielded in partition order, on the local
    scheduler of ``params.run`` (at most two tasks per worker queued at a time)."""
    scheduler, workers = params.run.scheduler or "processes", params.run.workers
    if workers < 1:
        raise InputError(f"run.workers is {workers}; use at least 1 worker")
    if scheduler == "synchronous" or workers == 1 or len(partitions) == 1:
        with _progress(len(partitions), description) as bar:
            for partition in partitions:
                yield func(partition, context)
                bar.update()
        return
    with contextlib.ExitStack() as stack:
        if scheduler == "processes":
            pool = worker_pool(workers)
        else:
            pool = stack.enter_context(ThreadPoolExecutor(workers))
        submit = partial(_submitted, pool.submit, func, context)
        for future in _done_in_order(submit, partitions, 2 * workers, description):
            yield future.result()


def _progress(total: int, description: str) -> tqdm:
    """A bar of partitions done (on stderr), shown when named and there are several."""
    return tqdm(
        total=total, desc=description, unit=" partitions", mininterval=1.0,
        disable=not description or total < 2,
    )  # fmt: skip


def _submitted(submit: Callable, func: Callable, context: object, partition: object) -> Future:
    return submit(func, partition, context)


def _done_in_order(
    submit: Callable[[object], Future], partitions: Sequence, window: int, description: str
) -> Iterator[Future]:
    """Each partition's future from `submit`, yielded in partition order once done (its
    error raised here), with at most `window` submitted and not yet yielded: the workers
    run a few partitions ahead of the caller, never the whole corpus. Works with
    `concurrent.futures` and `dask.distributed` futures alike; a failure cancels the rest."""
    upcoming = iter(partitions)
    queued = deque(submit(p) for p in itertools.islice(upcoming, window))
    try:
        with _progress(len(partitions), description) as bar:
            while queued:
                future = queued.popleft()
                if future.exception() is not None:  # waits; a cluster's result stays put
                    future.result()  # raises the task's error with its traceback
                queued.extend(submit(p) for p in itertools.islice(upcoming, 1))
                yield future
                bar.update()
    finally:
        for future in queued:
            future.cancel()


def _fold(combine: Callable, *results: object) -> object:
    return reduce(combine, results)


def _fold_measured(combine: Callable, *results: tuple[object, int]) -> tuple[object, int]:
    folded = reduce(combine, (result for result, _ in results))
    return folded, max(*(peak for _, peak in results), process_peak_kib())


@contextlib.contextmanager
def _cluster_client(params: Params) -> Iterator[object]:
    """A `distributed.Client` of the cluster at ``params.run.scheduler``."""
    scheduler = params.run.scheduler
    if "://" not in scheduler and ":" not in scheduler:
        raise InputError(
            f"run.scheduler is {scheduler!r}; give '' (local processes), 'threads', "
            "'synchronous', or a dask.distributed address such as 'tcp://host:8786'"
        )
    from distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        yield client


def _cluster_results_in_order(
    func: Callable, partitions: Sequence, context: object, params: Params, description: str
) -> Iterator[object]:
    """`iter_in_order` on a `dask.distributed` cluster: each result fetched when it is next."""
    with _cluster_client(params) as client:
        for future in _cluster_futures_in_order(client, func, partitions, context, description):
            yield future.result()


def _reduce_on_cluster(
    func: Callable,
    join: Callable,
    partitions: Sequence,
    context: object,
    params: Params,
    description: str,
) -> object:
    """`reduce_in_order`'s tree on the cluster's workers: a fold is submitted as soon as the
    partitions it joins are done, ahead of the partitions waiting (priority), and only the
    root is fetched."""
    with _cluster_client(params) as client:
        tree = _TreeFold(len(partitions), partial(client.submit, join, pure=False, priority=1))
        for future in _cluster_futures_in_order(client, func, partitions, context, description):
            tree.add(future)
        return tree.root().result()


def _cluster_futures_in_order(
    client, func: Callable, partitions: Sequence, context: object, description: str
) -> Iterator[object]:
    """`_done_in_order` on the cluster, two partitions per worker ahead (results stay on
    the workers). The context is sent to every worker once, under a key of its own (two
    notebooks may share the scheduler)."""
    (shared,) = client.scatter([context], broadcast=True, hash=False)
    window = 2 * max(1, len(client.scheduler_info()["workers"]))
    submit = partial(_submitted, partial(client.submit, pure=False), func, shared)
    return _done_in_order(submit, partitions, window, description)


_POOLS: dict[int, ProcessPoolExecutor] = {}  # local worker processes by number of workers


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """The local worker processes of this process, started once and kept for every later
    analysis (each step would otherwise start its own and import the package again).

    Set up as Dask's own pool: the same start method, worker initialiser and a fixed
    PYTHONHASHSEED (inherited by the workers), so results do not depend on the pool.
    Workers import the package when started: after editing its code in a live session,
    restart the kernel (or call `release_workers`).
    """
    if workers not in _POOLS:
        if os.environ.get("PYTHONHASHSEED") in (None, "0"):
            os.environ["PYTHONHASHSEED"] = "6640"  # Dask's choice, dask/dask#6640
        _POOLS[workers] = ProcessPoolExecutor(
            workers,
            mp_context=dask.multiprocessing.get_context(),
            initializer=dask.multiprocessing.initialize_worker_process,
        )
    return _POOLS[workers]


def release_workers() -> None:
    """Stop the local worker processes, e.g. when this process has no more partitions to
    run and its idle workers would only hold memory; the next analysis starts new ones."""
    while _POOLS:
        _POOLS.popitem()[1].shutdown()
