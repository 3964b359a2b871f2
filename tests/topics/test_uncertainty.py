"""Tests of analysis.topics.uncertainty: effects over restarts, dates, single documents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.topics.restarts import RestartSet
from analysis.topics.uncertainty import (
    NOT_ESTIMABLE,
    effects_caption,
    prevalence_effects,
    year_covariate,
)


def restarts_of(gammas: list[np.ndarray]) -> RestartSet:
    r, k = len(gammas), gammas[0].shape[1]
    return RestartSet(
        fits=tuple([None] * r),  # type: ignore[arg-type]
        gammas=tuple(gammas),
        alignments=tuple(np.arange(k) for _ in range(r)),
        bounds=np.zeros(r),
        similarity=np.eye(r),
        ari=np.eye(r),
        topic_agreement=np.ones(k),
        chosen=0,
        rule="likelihood",
    )


def units_table(n_docs: int, single: str = "C") -> pd.DataFrame:
    rows = []
    for d in range(n_docs):
        for u in range(3):
            rows.append(
                {
                    "segment_id": f"d{d}-{u}",
                    "doc_id": f"d{d}",
                    "group": "AB"[d % 2],
                    "date": f"{2000 + d % 5}-01-01",
                }
            )
    rows.append({"segment_id": "s-0", "doc_id": "single", "group": single, "date": "2003"})
    return pd.DataFrame(rows)


def test_planted_difference_single_document_group_and_year_adjustment():
    rng = np.random.default_rng(0)
    units = units_table(30)
    theta = np.where(units["group"].eq("B").to_numpy()[:, None], [0.6, 0.4], [0.3, 0.7])
    gammas = theta * 40 * rng.uniform(0.9, 1.1, size=theta.shape)
    effects = prevalence_effects(restarts_of([gammas]), units, n_draws=30, seed=1)
    table = effects.set_index(["estimand", "group", "topic"])
    assert table.loc[("proportion", "B", 0), "estimate"] == pytest.approx(0.6, abs=0.03)
    assert table.loc[("proportion", "A", 0), "estimate"] == pytest.approx(0.3, abs=0.03)
    assert table.loc[("proportion", "C", 0), "interval"] == NOT_ESTIMABLE
    assert np.isnan(table.loc[("proportion", "C", 0), "ci_low"])
    assert (
        table.loc[("proportion", "B", 0), "ci_low"]
        < 0.6
        < table.loc[("proportion", "B", 0), "ci_high"]
    )
    assert (effects["adjusted_for"] == "adjusted for year (linear)").all()
    assert "slope" in set(effects["estimand"])
    assert "C: one document" in effects_caption(effects, 30)


def test_year_is_left_out_when_some_units_are_undated():
    units = units_table(6)
    units.loc[0, "date"] = ""
    years, note = year_covariate(units)
    assert years is None and "1 units undated" in note
