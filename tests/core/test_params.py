"""Parameters: typed, validated, documented."""

from __future__ import annotations

import dataclasses

import pytest

from analysis.core.params import ParameterError, Params, build_params, load_params, parse_override
from tests.conftest import PROJECT_ROOT


def test_types_are_checked_and_lists_become_tuples():
    params = build_params({"topics": {"num_topics": 6}, "framing": {"focal_terms": ["a b"]}})
    assert params.topics.num_topics == 6
    assert params.framing.focal_terms == ("a b",)
    assert build_params({"topics": {"num_topics": "auto"}}).topics.num_topics == "auto"
    assert build_params({"preprocess": {"max_df": 1}}).preprocess.max_df == 1.0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"topics": {"num_topics": "many"}},
            r"topics.num_topics: 'many' is not a int or one of \['auto'\]",
        ),
        ({"topics": {"passes": True}}, r"topics.passes: True is not a int"),
        ({"topics": {"pases": 3}}, r"topics.pases: unknown parameter; known parameters: .*passes"),
        ({"topic": {}}, r"unknown section 'topic'"),
        ({"framing": {"focal_terms": "occupation"}}, r"expected a list"),
        ({"segments": ["unit"]}, r"section 'segments' must be a mapping"),
    ],
)
def test_bad_values_are_named(raw, message):
    with pytest.raises(ParameterError, match=message):
        build_params(raw)


def test_overrides_are_named_as_overrides():
    with pytest.raises(ParameterError, match=r"override .*topics.bogus: unknown parameter"):
        load_params(None, {"topics.bogus": 1})
    assert parse_override("topics.num_topics=6") == ("topics.num_topics", 6)
    assert parse_override("cleaning.rules_file=") == ("cleaning.rules_file", "")
    assert parse_override("framing.focal_terms=[a, b*]") == ("framing.focal_terms", ["a", "b*"])
    with pytest.raises(ParameterError, match="section.name=value"):
        parse_override("topics.num_topics")


def test_every_parameter_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for section in dataclasses.fields(Params):
        for field in dataclasses.fields(section.default_factory):
            assert f"`{section.name}.{field.name}`" in readme, f"{section.name}.{field.name}"
