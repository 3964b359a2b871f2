"""Tests of analysis.topics.inference: the chunk-at-once E-step equals gensim's own."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import LdaModel

from analysis.topics.inference import ChunkedLdaModel, ChunkEntries, digamma


def planted_bow(n_units: int, length: int, seed: int = 0) -> tuple[list, Dictionary]:
    """Units drawn from one of three overlapping vocabularies, and one empty unit."""
    rng = np.random.default_rng(seed)
    words = [[f"{p}{i}" for i in range(length)] + ["shared"] for p in "abc"]
    texts = [list(rng.choice(words[i % 3], int(rng.integers(3, length)))) for i in range(n_units)]
    dictionary = Dictionary(texts)
    bow = [dictionary.doc2bow(t) for t in texts]
    return bow[:5] + [[]] + bow[5:], dictionary


def model(cls: type, dictionary: Dictionary, k: int) -> LdaModel:
    return cls(
        id2word=dictionary,
        num_topics=k,
        alpha="asymmetric",
        eta=0.5,
        iterations=200,
        gamma_threshold=0.001,
        random_state=3,
        dtype=np.float64,
    )


@pytest.mark.parametrize("length", [20, 300])  # short units and long ones
def test_inference_equals_gensim_and_draws_the_same_random_numbers(length):
    bow, dictionary = planted_bow(40, length)
    ours, theirs = model(ChunkedLdaModel, dictionary, 4), model(LdaModel, dictionary, 4)
    ours.update(bow, passes=1, chunksize=20)
    theirs.update(bow, passes=1, chunksize=20)
    ours.converged_counts = []
    for fitted in (ours, theirs):
        fitted.random_state = np.random.RandomState(11)
    gamma, sstats = ours.inference(bow, collect_sstats=True)
    expected_gamma, expected_sstats = LdaModel.inference(theirs, bow, collect_sstats=True)
    np.testing.assert_allclose(gamma, expected_gamma, rtol=1e-9)
    np.testing.assert_allclose(sstats, expected_sstats, rtol=1e-9, atol=1e-12)
    assert ours.random_state.rand() == theirs.random_state.rand()
    assert ours.converged_counts[0][1] == len(bow) and ours.converged_counts[0][0] > 0
    np.testing.assert_array_equal(gamma[5], ours.alpha)  # the empty unit: the prior


@pytest.mark.parametrize("k", [3, 7])  # more than five topics: gensim's printout draws
def test_training_gives_gensims_topics(k):
    bow, dictionary = planted_bow(60, 15)
    ours, theirs = model(ChunkedLdaModel, dictionary, k), model(LdaModel, dictionary, k)
    ours.update(bow, passes=3, chunksize=20)
    theirs.update(bow, passes=3, chunksize=20)
    np.testing.assert_allclose(ours.get_topics(), theirs.get_topics(), rtol=1e-8)
    assert ours.random_state.rand() == theirs.random_state.rand()


def test_cached_entries_are_reused_only_for_the_same_units():
    bow, dictionary = planted_bow(20, 10)
    fitted = model(ChunkedLdaModel, dictionary, 3)
    fitted.entry_cache = {}
    first = fitted.chunk_entries(bow[:10])
    assert fitted.chunk_entries(list(bow[:10])) is first
    copy = [list(doc) for doc in bow[:10]]  # equal units, other objects
    assert fitted.chunk_entries(copy) is not first
    assert fitted.chunk_entries(bow[:5]) is not first  # same first unit, other chunk
    entries = ChunkEntries.of(bow[:3])
    assert entries.terms.tolist() == [t for doc in bow[:3] for t, _ in doc]
    assert entries.counts.tolist() == [c for doc in bow[:3] for _, c in doc]
    assert entries.starts.tolist() == [0, *np.cumsum([len(doc) for doc in bow[:3]])]


def test_digamma_is_gensims():
    from gensim._matutils import digamma as gensim_digamma
    from scipy.special import psi

    values = np.concatenate(
        ([1e-7, 5e-7, 1e-3, 0.5, 1.0, 8.4999, 8.5, 8.5001], np.geomspace(1e-4, 1e6, 500))
    )
    ours = np.array([digamma(x) for x in values])
    np.testing.assert_array_equal(ours, [gensim_digamma(x) for x in values])
    np.testing.assert_allclose(ours[values > 1e-3], psi(values[values > 1e-3]), rtol=1e-9)


def test_inference_is_the_same_in_a_fresh_process(tmp_path):
    """The compiled E-step gives bit-identical results in another process (no threads, no
    machine-dependent reduction)."""
    import pickle
    import subprocess
    import sys

    bow, dictionary = planted_bow(30, 200)
    fitted = model(ChunkedLdaModel, dictionary, 5)
    fitted.update(bow, passes=2, chunksize=10)
    fitted.random_state = np.random.RandomState(5)
    here, _ = fitted.inference(bow)
    (tmp_path / "in.pickle").write_bytes(pickle.dumps((fitted, bow)))
    script = (
        "import pickle, sys, numpy as np\n"
        f"m, bow = pickle.loads(open({str(tmp_path / 'in.pickle')!r}, 'rb').read())\n"
        "m.random_state = np.random.RandomState(5)\n"
        f"open({str(tmp_path / 'out.npy')!r}, 'wb').write(m.inference(bow)[0].tobytes())\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    assert (tmp_path / "out.npy").read_bytes() == here.tobytes()
