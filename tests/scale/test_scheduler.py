"""Tests of analysis.scale.scheduler on a dask.distributed cluster: every run's context is its
own, and the scheduler is given only a few partitions ahead of what has been taken."""

from __future__ import annotations

import math
from operator import add

import pytest

from analysis.core.params import load_params
from analysis.scale.scheduler import iter_in_order, reduce_in_order

distributed = pytest.importorskip("distributed")

PENDING: list[int] = []  # the scheduler's tasks not yet done, when each partition's began
NOT_DONE = {"waiting", "queued", "processing", "no-worker"}


def counted(partition: int, scheduler) -> int:
    """A task that records how many tasks the scheduler (in this process) has submitted and
    not yet done: how far the caller has run ahead (itself included)."""
    PENDING.append(sum(task.state in NOT_DONE for task in list(scheduler.tasks.values())))
    return partition


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        yield cluster


@pytest.fixture
def params(cluster):
    return load_params(overrides={"run.scheduler": cluster.scheduler_address})


def test_each_run_has_a_context_of_its_own(params):
    """Two notebooks on one dask.distributed scheduler run at once: a shared key for the
    context would hand each the other's context."""
    tens = iter_in_order(add, [1, 2, 3], 10, params)
    hundreds = iter_in_order(add, [1, 2, 3], 100, params)
    interleaved = [value for pair in zip(tens, hundreds, strict=True) for value in pair]
    assert interleaved == [11, 101, 12, 102, 13, 103]


def test_the_scheduler_is_given_two_partitions_ahead_per_worker(cluster, params):
    """One worker: at most two partitions are submitted and not yet done (not all 30), so
    only a few results wait in the workers for the caller."""
    PENDING.clear()
    results = list(iter_in_order(counted, list(range(30)), cluster.scheduler, params))
    assert results == list(range(30))
    assert len(PENDING) == 30 and max(PENDING) <= 2


def test_the_reduce_folds_as_partitions_arrive(cluster, params):
    """40 partitions: a fold is submitted once its partitions are, so at most two partitions
    and a fold per level of the tree are pending (not 40 partitions and 39 folds)."""
    PENDING.clear()
    total = reduce_in_order(counted, add, list(range(40)), cluster.scheduler, params)
    assert total == sum(range(40))
    assert len(PENDING) == 40 and max(PENDING) <= 2 + math.ceil(math.log2(40))
