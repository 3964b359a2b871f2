"""The variational lower bound of an LDA model, vectorised.

Same quantity as gensim's `LdaModel.bound` (E_q[log p(corpus, theta, beta)] -
E_q[log q(theta, beta)], the document part scaled by `subsample_ratio`), computed with
array operations instead of a Python loop over every word: about 10x faster, which
matters because the bound is evaluated during training and for every restart. One
difference: for a K x V prior (seeded topics) the normaliser of each topic's Dirichlet
uses that topic's own sum of eta; gensim sums the whole matrix (correct only for a scalar
or a vector eta, where both agree).
"""

from __future__ import annotations

import numpy as np
from gensim.matutils import dirichlet_expectation
from gensim.models import LdaModel
from scipy.special import gammaln, logsumexp

BagOfWords = list[list[tuple[int, int]]]
CHUNK_ENTRIES = 200_000  # (unit, term) entries per block: bounds the N x K temporaries


def _word_term(bow: BagOfWords, elog_theta: np.ndarray, elog_beta: np.ndarray) -> float:
    """sum over units d and terms w of n_dw * log sum_k exp(Elog theta_dk + Elog beta_kw)."""
    rows = np.repeat(np.arange(len(bow)), [len(doc) for doc in bow])
    flat = [pair for doc in bow for pair in doc]
    if not flat:
        return 0.0
    terms = np.fromiter((t for t, _ in flat), dtype=np.int64, count=len(flat))
    counts = np.fromiter((c for _, c in flat), dtype=np.float64, count=len(flat))
    total = 0.0
    for start in range(0, len(flat), CHUNK_ENTRIES):
        block = slice(start, start + CHUNK_ENTRIES)
        values = elog_theta[rows[block]] + elog_beta[:, terms[block]].T
        total += float(counts[block] @ logsumexp(values, axis=1))
    return total


def variational_bound(
    model: LdaModel, bow: BagOfWords, gamma: np.ndarray, subsample_ratio: float = 1.0
) -> float:
    """gensim's `model.bound(bow, gamma, subsample_ratio)`, vectorised (module docstring).
    `gamma` holds the N x K variational parameters of the units of `bow`."""
    alpha = np.asarray(model.alpha, dtype=np.float64)
    lam = np.asarray(model.state.get_lambda(), dtype=np.float64)
    elog_beta = dirichlet_expectation(lam)
    gamma = np.asarray(gamma, dtype=np.float64)
    elog_theta = dirichlet_expectation(gamma)
    score = _word_term(bow, elog_theta, elog_beta)
    score += float(np.sum((alpha - gamma) * elog_theta))
    score += float(np.sum(gammaln(gamma) - gammaln(alpha)))
    score += float(np.sum(gammaln(alpha.sum()) - gammaln(gamma.sum(axis=1))))
    score *= subsample_ratio
    eta = np.asarray(model.eta, dtype=np.float64)
    score += float(np.sum((eta - lam) * elog_beta))
    score += float(np.sum(gammaln(lam) - gammaln(eta)))
    sum_eta = eta * model.num_terms if eta.ndim == 0 else eta.sum(axis=-1)
    score += float(np.sum(gammaln(sum_eta) - gammaln(lam.sum(axis=1))))
    return score
