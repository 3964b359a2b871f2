"""The four notebooks on the seed corpus split into several partitions, their corpus-wide
steps on a two-process dask.distributed LocalCluster and two notebooks side by side,
publish exactly the bytes of the one-partition run in one process, one notebook at a time
(issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.params import load_params
from analysis.corpus.prepare import partitioned_corpus
from analysis.run.pipeline import RunOptions, run_pipeline
from analysis.run.verify import published_files

# Both runs share these: the whole pipeline at a fraction of the default cost (a K sweep
# of two sizes, two restarts, fewer resamples); what is compared is the partitioning.
CHEAP = {
    "topics.k_min": 2,
    "topics.k_max": 3,
    "topics.sweep_seeds": 2,
    "topics.restarts": 2,
    "topics.bootstrap_samples": 100,
    "topics.effect_draws": 10,
    "framing.bootstrap_samples": 100,
    "sources.bootstrap_samples": 100,
}
PARTITION_ROWS = 2  # five seed documents: partitions of 2, 2 and 1
# Regenerated documentation naming the command line (its overrides differ by design).
NOT_COMPARED = {"README.md"}


def _run(tmp_path: Path, name: str, overrides: dict, jobs: int) -> Path:
    overrides = {**CHEAP, **overrides, "run.cache_dir": str(tmp_path / name / "cache")}
    options = RunOptions(
        overrides=overrides,
        figures_dir=str(tmp_path / name / "figures"),
        runs_dir=str(tmp_path / name / "runs"),
        progress_bar=False,
        jobs=jobs,
    )
    assert run_pipeline(options) == 0, f"the {name} run failed; see its run.log"
    return tmp_path / name / "figures"


@pytest.mark.slow
def test_notebooks_on_partitions_and_a_local_cluster_publish_the_one_partition_bytes(tmp_path):
    distributed = pytest.importorskip("distributed")
    reference = _run(tmp_path, "one", {}, jobs=1)
    one = partitioned_corpus(load_params(overrides={"run.cache_dir": str(tmp_path / "one/cache")}))
    assert len(one.parts) == 1
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        split = {"run.batch_rows": PARTITION_ROWS, "run.scheduler": cluster.scheduler_address}
        partitioned = _run(tmp_path, "split", split, jobs=2)
        ran_on_cluster = set(cluster.scheduler.task_prefixes)
    assert ran_on_cluster, "no task ran on the cluster: the corpus was not split"
    params = load_params(overrides={**split, "run.cache_dir": str(tmp_path / "split/cache")})
    assert len(partitioned_corpus(params).parts) == 3
    expected, produced = published_files(reference), published_files(partitioned)
    assert produced == expected
    tables = sorted(f for f in expected if f.startswith("tables/") and f.endswith(".csv"))
    assert len(tables) > 40 and any(f.endswith(".svg") for f in expected)
    differing = [
        rel
        for rel in sorted(expected - NOT_COMPARED)
        if (reference / rel).read_bytes() != (partitioned / rel).read_bytes()
    ]
    assert differing == [], f"differ between 1 and 3 partitions: {differing}"
