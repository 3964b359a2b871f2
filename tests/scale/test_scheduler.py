"""Tests of analysis.scale.scheduler: every graph's shared context has a key of its own."""

from __future__ import annotations

import operator

import pytest

from analysis.core.params import Params, load_params
from analysis.scale import scheduler as scheduler_module
from analysis.scale.scheduler import (
    _run_graph,
    compute_in_order,
    iter_in_order,
    reduce_in_order,
    release_memory,
)


def test_each_graph_gives_its_shared_context_a_key_of_its_own():
    """Two notebooks on one dask.distributed scheduler submit their graphs at once: a fixed
    key for the context would hand each the other's context."""
    keys = []

    def build(shared) -> list:
        keys.append(shared.key)
        return []

    _run_graph(build, {"notebook": "30_sources"}, Params(), 1)
    _run_graph(build, {"notebook": "20_framing"}, Params(), 1)
    assert len(set(keys)) == 2 and all(k.startswith("partition-context-") for k in keys)


def _twice(partition: int, context: int) -> int:
    return partition * context


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_every_partition_task_hands_its_freed_memory_back(monkeypatch, scheduler):
    """Each task of every entry point ends with `release_memory`, and gives the same
    results as the function alone."""
    calls = []
    monkeypatch.setattr(scheduler_module, "release_memory", lambda: calls.append(1))
    params = load_params(overrides={"run.scheduler": scheduler, "run.workers": 2})
    parts = [1, 2, 3, 4, 5]
    assert compute_in_order(_twice, parts, 3, params) == [3, 6, 9, 12, 15]
    assert list(iter_in_order(_twice, parts, 3, params)) == [3, 6, 9, 12, 15]
    assert reduce_in_order(_twice, operator.add, parts, 3, params) == 45
    assert len(calls) == 3 * len(parts)


def test_release_memory_trims_the_heap_where_the_c_library_can(monkeypatch):
    trimmed = []
    monkeypatch.setattr(scheduler_module, "_MALLOC_TRIM", trimmed.append)
    release_memory()
    assert trimmed == [0]
    monkeypatch.setattr(scheduler_module, "_MALLOC_TRIM", None)  # macOS, musl
    release_memory()
    assert trimmed == [0]
