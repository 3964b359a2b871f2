"""The seed corpus prepared twice for the partitioned-corpus tests: one partition in this
process, and one partition per document on a two-process Dask pool."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.core.params import Params, build_params
from analysis.corpus.prepare import PartitionedCorpus, partitioned_corpus


@dataclass(frozen=True)
class Prepared:
    corpus: PartitionedCorpus
    params: Params


def seed_corpora(tmp_path_factory, **sections: dict) -> tuple[Prepared, Prepared]:
    """(one partition, synchronous; five partitions, "processes" with 2 workers); prepared
    once per test session (the cache is shared by the test modules)."""
    cache = Path(tmp_path_factory.getbasetemp()) / "sources-seed-cache"
    run_one = {"cache_dir": str(cache), "batch_rows": 10_000, "scheduler": "synchronous"}
    run_many = {"cache_dir": str(cache), "batch_rows": 1, "scheduler": "processes", "workers": 2}
    prepared = []
    for run in (run_one, run_many):
        params = build_params({"run": run, **sections})
        prepared.append(Prepared(partitioned_corpus(params), params))
    one, many = prepared
    assert len(one.corpus.parts) == 1 and len(many.corpus.parts) == 5
    return one, many
