"""Tests of analysis.topics.inference: the chunk-at-once E-step equals gensim's own."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.matutils import dirichlet_expectation
from gensim.models import LdaModel

from analysis.topics.inference import (
    ChunkedLdaModel,
    ChunkEntries,
    _elog_beta_columns,
    _row_digammas,
    digamma,
)


def planted_bow(n_units: int, length: int, seed: int = 0) -> tuple[list, Dictionary]:
    """Units drawn from one of three overlapping vocabularies, and one empty unit."""
    rng = np.random.default_rng(seed)
    words = [[f"{p}{i}" for i in range(length)] + ["shared"] for p in "abc"]
    texts = [list(rng.choice(words[i % 3], int(rng.integers(3, length)))) for i in range(n_units)]
    dictionary = Dictionary(texts)
    bow = [dictionary.doc2bow(t) for t in texts]
    return bow[:5] + [[]] + bow[5:], dictionary


def model(cls: type, dictionary: Dictionary, k: int, eta: float | np.ndarray = 0.5) -> LdaModel:
    return cls(
        id2word=dictionary,
        num_topics=k,
        alpha="asymmetric",
        eta=eta,
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
    columns, positions = entries.vocabulary(len(dictionary))
    expected_columns, expected_positions = np.unique(entries.terms, return_inverse=True)
    assert columns.tolist() == expected_columns.tolist()
    assert positions.tolist() == expected_positions.tolist()


class EagerLdaModel(ChunkedLdaModel):
    """The same model with exp(Elog beta) recomputed for every term after each M-step."""

    def do_mstep(self, rho, other, extra_pass=False):
        super().do_mstep(rho, other, extra_pass)
        self.sync_state(self.state.get_Elogbeta())
        self._topics_outdated = False


@pytest.mark.parametrize("k, seeded", [(2, False), (7, False), (3, True)])
def test_training_on_the_chunks_columns_equals_training_on_the_whole_matrix(k, seeded):
    """The E-steps between M-steps read only their chunk's columns of exp(Elog beta): the
    topics, every unit's proportions and the random stream are those of recomputing the
    whole matrix each time, bit for bit (a chunk of 5 units sees few of the terms), also
    with a topic x term prior (seeded topics)."""
    bow, dictionary = planted_bow(60, 40)
    eta = np.random.default_rng(2).gamma(1.0, 0.5, (k, len(dictionary))) if seeded else 0.5
    ours, eager = (model(cls, dictionary, k, eta) for cls in (ChunkedLdaModel, EagerLdaModel))
    for fitted in (ours, eager):
        fitted.entry_cache = {}
        fitted.update(bow, passes=3, chunksize=5)
    assert len(ChunkEntries.of(bow[:5]).vocabulary(len(dictionary))[0]) < 0.7 * len(dictionary)
    np.testing.assert_array_equal(ours.state.sstats, eager.state.sstats)
    np.testing.assert_array_equal(ours.expElogbeta, eager.expElogbeta)
    np.testing.assert_array_equal(
        ours.expElogbeta, np.exp(dirichlet_expectation(ours.state.get_lambda()))
    )
    assert not ours._topics_outdated
    for fitted in (ours, eager):
        fitted.random_state = np.random.RandomState(5)
    np.testing.assert_array_equal(ours.inference(bow)[0], eager.inference(bow)[0])


def test_an_interrupted_update_leaves_the_matrix_of_the_current_topics():
    bow, dictionary = planted_bow(40, 20)
    fitted = model(ChunkedLdaModel, dictionary, 3)

    class FailingStream:  # a stream read from disk that fails after 25 units
        def __len__(self):
            return len(bow)

        def __iter__(self):
            yield from bow[:25]
            raise OSError("disk gone")

    with pytest.raises(OSError):
        fitted.update(FailingStream(), chunksize=5)
    assert fitted.num_updates == 25  # five M-steps ran
    np.testing.assert_array_equal(
        fitted.expElogbeta, np.exp(dirichlet_expectation(fitted.state.get_lambda()))
    )


def test_elog_beta_columns_are_gensims_values():
    rng = np.random.default_rng(4)
    lam = rng.gamma(0.3, 3.0, (6, 5000)) + 0.5
    lam[:, :50] *= 1000  # frequent terms: large values
    columns = np.sort(rng.choice(5000, 700, replace=False))
    eta = np.broadcast_to(rng.gamma(1.0, 0.5, 5000), lam.shape)  # a prior per term
    ours = _elog_beta_columns(eta, lam, columns, _row_digammas(eta, lam))
    np.testing.assert_array_equal(ours, dirichlet_expectation(eta + lam)[:, columns])


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
