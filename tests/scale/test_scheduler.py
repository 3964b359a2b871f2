"""Tests of analysis.scale.scheduler: every graph's shared context has a key of its own."""

from __future__ import annotations

from analysis.core.params import Params
from analysis.scale.scheduler import _run_graph


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
