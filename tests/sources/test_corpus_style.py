"""The style profile of the partitioned corpus: five partitions on two worker processes
give the profile of the corpus in memory."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.sources.corpus_style import corpus_style_profile
from analysis.sources.style_profile import STYLE_UNIT_COLUMNS, style_profile
from tests.sources.partitioned import seed_corpora


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    return seed_corpora(tmp_path_factory, sources={"bootstrap_samples": 60})


def test_five_partitions_on_two_processes_equal_the_corpus_in_memory(corpora):
    one, many = corpora
    prepared = one.corpus.in_memory()
    expected = style_profile(prepared.segments, prepared.documents, one.params)
    assert len(expected.units) == one.corpus.n_segments
    assert "document_length" in set(expected.groups["metric"])
    for corpus in (one, many):
        result = corpus_style_profile(corpus.corpus, corpus.params)
        assert list(result.units.columns) == list(STYLE_UNIT_COLUMNS)  # no text
        pd.testing.assert_frame_equal(result.units, expected.units, check_exact=True)
        pd.testing.assert_frame_equal(result.groups, expected.groups, check_exact=True)
