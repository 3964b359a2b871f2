"""Tests of analysis.topics.comparison: planted prevalence, bootstrap honesty, scaling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gensim.corpora import Dictionary

from analysis.topics.comparison import (
    classical_scaling,
    intertopic_distances,
    intertopic_map,
    prevalence_difference,
    prevalence_over_time,
    thin_data_note,
    topic_prevalence,
    weighted_prevalence,
)
from analysis.topics.model import TopicSettings, document_topic_matrix, fit_topic_model


def units_frame(doc_ids, groups, n_tokens=None, dates=None) -> pd.DataFrame:
    frame = pd.DataFrame({"doc_id": doc_ids, "group": groups})
    frame["n_tokens"] = n_tokens if n_tokens is not None else 10
    if dates is not None:
        frame["date"] = dates
    return frame


def dirichlet_units(n_docs: int, mean: np.ndarray, rng, group: str = "A", per_doc: int = 3):
    """`n_docs` documents of `per_doc` units whose proportions scatter around `mean`."""
    theta = rng.dirichlet(mean * 20, size=n_docs * per_doc)
    docs = np.repeat([f"{group}{i}" for i in range(n_docs)], per_doc)
    return theta, units_frame(docs, [group] * len(docs))


def test_planted_topic_is_more_prevalent_in_its_group_with_separate_intervals():
    rng = np.random.default_rng(0)
    shared = [f"s{i}" for i in range(15)]
    planted = [f"p{i}" for i in range(15)]
    texts, docs, groups = [], [], []
    for group in ("A", "B"):
        for d in range(6):
            for _ in range(5):
                words = list(rng.choice(shared, 20))
                if group == "A":
                    words += list(rng.choice(planted, 20))
                texts.append(words)
                docs.append(f"{group}{d}")
                groups.append(group)
    dictionary = Dictionary(texts)
    bow = [dictionary.doc2bow(t) for t in texts]
    fit = fit_topic_model(
        bow, dictionary, 2, TopicSettings(passes=20, iterations=100, min_updates=1), 4
    )
    theta = document_topic_matrix(fit.model, bow, 4)
    planted_topic = int(np.argmax(fit.model.get_topics()[:, dictionary.token2id["p0"]]))
    units = units_frame(docs, groups, [sum(c for _, c in b) for b in bow])
    table = topic_prevalence(theta, units, 500, seed=1).set_index(["group", "topic"])
    a, b = table.loc[("A", planted_topic)], table.loc[("B", planted_topic)]
    assert a.prevalence > b.prevalence + 0.3
    assert a.ci_low > b.ci_high  # intervals do not overlap
    assert a.interval == "documents" and a.n_documents == 6 and a.n_units == 30
    diff = prevalence_difference(theta, units, 500, seed=1).set_index(["group", "topic"])
    assert diff.loc[("A", planted_topic), "difference"] > 0.3
    assert diff.loc[("A", planted_topic), "excludes_zero"]
    assert diff.loc[("B", planted_topic), "ci_high"] < 0


def test_bootstrap_interval_covers_the_truth_and_widens_with_fewer_documents():
    rng = np.random.default_rng(2)
    truth = np.array([0.6, 0.3, 0.1])
    covered, widths = {}, {}
    for n_docs in (30, 4):
        hits, width = [], []
        for replication in range(150):
            theta, units = dirichlet_units(n_docs, truth, rng)
            table = topic_prevalence(theta, units, 400, seed=replication)
            hits.append((table.ci_low <= truth) & (truth <= table.ci_high))
            width.append(float((table.ci_high - table.ci_low).mean()))
        covered[n_docs] = np.mean(hits, axis=0)
        widths[n_docs] = np.mean(width)
    # nominal 95%: with 30 documents the percentile interval covers close to that
    assert (covered[30] >= 0.88).all() and (covered[30] <= 0.99).all(), covered
    assert widths[4] > 2 * widths[30]


def test_single_document_group_has_no_document_interval_and_is_flagged():
    rng = np.random.default_rng(5)
    theta_a, units_a = dirichlet_units(5, np.array([0.5, 0.5]), rng, "A")
    theta_b, units_b = dirichlet_units(1, np.array([0.5, 0.5]), rng, "B", per_doc=6)
    theta = np.vstack([theta_a, theta_b])
    units = pd.concat([units_a, units_b], ignore_index=True)
    table = topic_prevalence(theta, units, 200, seed=0)
    single = table[table.group == "B"]
    assert single["ci_low"].isna().all() and single["ci_high"].isna().all()
    assert (single["interval"] == "not estimable: 1 document").all()
    assert (single["unit_ci_high"] > single["unit_ci_low"]).all()
    assert table[table.group == "A"]["ci_low"].notna().all()
    diff = prevalence_difference(theta, units, 200, seed=0)
    assert diff[diff.group == "B"]["ci_low"].isna().all()
    assert not diff[diff.group == "B"]["excludes_zero"].any()
    note = thin_data_note(units.assign(doc_id=units.doc_id), 0.4, 0.6)
    assert "single document (B)" in note and "0.40, below 0.60" in note


def test_prevalence_is_token_weighted():
    theta = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert weighted_prevalence(theta, np.array([3.0, 1.0])).tolist() == [0.75, 0.25]
    units = units_frame(["d1", "d2"], ["A", "A"], [3, 1])
    table = topic_prevalence(theta, units, 100, seed=0)
    assert table["prevalence"].tolist() == [0.75, 0.25]
    with pytest.raises(ValueError, match="same units"):
        topic_prevalence(theta[:1], units, 100, seed=0)


def test_classical_scaling_recovers_planar_distances():
    points = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [1.0, 1.0]])
    distances = np.linalg.norm(points[:, None] - points[None], axis=2)
    coords = classical_scaling(distances)
    recovered = np.linalg.norm(coords[:, None] - coords[None], axis=2)
    assert np.allclose(recovered, distances)
    assert np.array_equal(coords, classical_scaling(distances))


def test_intertopic_distances_and_map():
    phi = np.array([[0.5, 0.5, 0, 0], [0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])
    distances = intertopic_distances(phi)
    assert distances[0, 1] == pytest.approx(0.0)
    assert distances[0, 2] == pytest.approx(1.0)
    topic_map = intertopic_map(phi, np.array([0.2, 0.3, 0.5]))
    assert topic_map["topic"].tolist() == [0, 1, 2]
    assert topic_map.loc[0, "x"] == pytest.approx(topic_map.loc[1, "x"])
    assert topic_map["prevalence"].tolist() == [0.2, 0.3, 0.5]


def test_prevalence_over_time_only_when_dates_span_enough():
    theta = np.tile([[0.7, 0.3]], (8, 1))
    few = units_frame(list("abcdefgh"), ["A"] * 8, dates=["2017-01"] * 4 + [""] * 4)
    result = prevalence_over_time(theta, few)
    assert not result.drawable and "4 dated document(s) in 1 year(s)" in result.reason
    years = ["2015", "2015-03", "2016-01-02", "2016", "2017", "2017-12", "2018", ""]
    spread = units_frame(list("abcdefgh"), ["A"] * 8, dates=years)
    result = prevalence_over_time(theta, spread)
    assert result.drawable and result.period_unit == "year"
    assert sorted(result.table["period"].unique()) == [2015, 2016, 2017, 2018]
    assert "1 units without a date" in result.reason
    decades = units_frame(
        list("abcdefgh"), ["A"] * 8, dates=[f"{y}" for y in range(1950, 2030, 10)]
    )
    result = prevalence_over_time(theta, decades)
    assert result.period_unit == "decade" and result.table["period"].min() == 1950


def test_restarts_spread_the_bootstrap_and_one_restart_changes_nothing():
    rng = np.random.default_rng(4)
    theta_a, units_a = dirichlet_units(8, np.array([0.5, 0.5]), rng, "A")
    theta_b, units_b = dirichlet_units(8, np.array([0.5, 0.5]), rng, "B")
    theta = np.vstack([theta_a, theta_b])
    units = pd.concat([units_a, units_b], ignore_index=True)
    plain = topic_prevalence(theta, units, 400, seed=2)
    assert plain.equals(topic_prevalence(theta, units, 400, seed=2, restarts=[theta]))
    other = theta.copy()
    other[:, 0] = np.clip(theta[:, 0] + 0.2, 0, 1)  # a restart that sees more of topic 0
    other[:, 1] = 1 - other[:, 0]
    spread = topic_prevalence(theta, units, 400, seed=2, restarts=[theta, other])
    width = lambda t: (t["ci_high"] - t["ci_low"]).to_numpy()  # noqa: E731
    assert (width(spread) > width(plain)).all()
    assert np.allclose(spread["prevalence"], plain["prevalence"])  # point: the chosen model
    diff = prevalence_difference(theta, units, 400, seed=2, restarts=[theta, other])
    assert diff.equals(prevalence_difference(theta, units, 400, seed=2, restarts=[theta, other]))
