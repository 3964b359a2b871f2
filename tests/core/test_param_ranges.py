"""Every bounded parameter is checked when parameters load."""

from __future__ import annotations

import pytest

from analysis.core.param_ranges import _RANGES, range_problem
from analysis.core.params import ParameterError, Params, build_params, load_params


def test_the_defaults_and_the_development_parameters_are_within_range():
    assert range_problem(Params()) == ""
    for name in ("state_union", "movie_reviews"):
        load_params(f"params/{name}.yaml")


@pytest.mark.parametrize("dotted", sorted(_RANGES))
def test_every_range_refuses_a_value_outside_it(dotted):
    section, name = dotted.split(".")
    default = getattr(getattr(Params(), section), name)
    bad = -1 if not isinstance(default, str) else 0
    if dotted in {"preprocess.phrase_threshold", "framing.antmn_min_correlation"}:
        bad = -2.0
    if isinstance(default, float) or dotted in {"topics.alpha", "topics.eta"}:
        bad = float(bad)
    with pytest.raises(ParameterError, match=rf"{dotted} is {bad!r}; it must be"):
        build_params({section: {name: bad}})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"corpus": {"path": " "}}, r"corpus.path is empty"),
        ({"corpus": {"encoding": "klingon"}}, r"corpus.encoding: unknown encoding"),
        ({"corpus": {"filename_pattern": "("}}, r"corpus.filename_pattern '\(' is not"),
        ({"topics": {"k_min": 4, "k_max": 3}}, r"topics.k_max \(3\) is below topics.k_min"),
        ({"preprocess": {"max_df": 1.01}}, r"preprocess.max_df is 1.01"),
    ],
)
def test_other_problems_are_named(raw, message):
    with pytest.raises(ParameterError, match=message):
        build_params(raw)


def test_boundary_values_are_accepted():
    params = build_params({"preprocess": {"max_df": 1.0, "min_df": 0}, "topics": {"k_min": 2}})
    assert params.preprocess.max_df == 1.0
    assert build_params({"topics": {"num_topics": 1}}).topics.num_topics == 1
