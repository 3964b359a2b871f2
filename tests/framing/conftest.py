"""The seed corpus prepared twice: in one partition, and one document per partition run
on two worker processes (the framing analyses must give the same tables on both)."""

from __future__ import annotations

import pytest

from analysis.core.params import build_params
from analysis.corpus.prepare import partitioned_corpus


@pytest.fixture(scope="session")
def seed_runs(tmp_path_factory):
    """{"one": (corpus, params), "many": (corpus, params)} of the seed corpus."""
    cache = str(tmp_path_factory.mktemp("framing-cache"))
    one = build_params({"run": {"cache_dir": cache}})
    many = build_params(
        {"run": {"cache_dir": cache, "batch_rows": 1, "scheduler": "processes", "workers": 2}}
    )
    runs = {"one": (partitioned_corpus(one), one), "many": (partitioned_corpus(many), many)}
    assert (len(runs["one"][0].parts), len(runs["many"][0].parts)) == (1, 5)
    return runs


@pytest.fixture(scope="session")
def seed_segments(seed_runs):
    """The seed corpus's segments in memory (what the per-partition functions take)."""
    return seed_runs["one"][0].in_memory().segments


@pytest.fixture(scope="session")
def capped_run(seed_runs, tmp_path_factory):
    """The many-partition seed corpus with `framing.evidence_rows` = 2."""
    corpus, params = seed_runs["many"]
    capped = build_params(
        {
            "run": {"cache_dir": params.run.cache_dir, "batch_rows": 1,
                    "scheduler": "processes", "workers": 2},
            "framing": {"evidence_rows": 2},
        }
    )  # fmt: skip
    return corpus, capped


def first_per(table, keys, n):
    """The expected capped table: the first n rows per key, by pandas' own head()."""
    assert table.groupby(keys).size().max() > n  # the cap binds on the seeds
    return table.groupby(keys, sort=False).head(n).reset_index(drop=True)
