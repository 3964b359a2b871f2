"""LDA's E-step compiled: gensim's `LdaModel.inference`, one loop per unit at machine speed.

gensim updates each document's variational parameters in a Python loop, a dozen small
numpy calls per document and iteration: on a 10,000-article sample of the benchmark corpus
that loop was 82 % of a fit (25 of 40 s under cProfile, K=5). `ChunkedLdaModel.inference`
runs the same fixed-point iteration (Hoffman et al. 2010, with Lee & Seung's implicit phi)
for every unit of the chunk in one numba-compiled function (`unit_estep`):

    phinorm_w = sum_k exp(Elog theta_k) exp(Elog beta_kw) + eps
    gamma_k   = alpha_k + exp(Elog theta_k) sum_w n_w exp(Elog beta_kw) / phinorm_w

A unit stops as soon as its mean absolute change of gamma falls below `gamma_threshold`,
else after `iterations`, as in gensim's loop. Elog theta uses gensim's own digamma
(`gensim._matutils._digamma`, Bernardo's AS 103), the starting point is gensim's (one
Gamma(100, 1/100) draw for the chunk from the model's random state, so the random stream is
consumed exactly as gensim does) and the sufficient statistics are gensim's. Results equal
gensim's up to the order of floating-point sums (tests/topics/test_inference.py); sums run
in a fixed order in one thread, so they are the same in every process and on every run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from itertools import chain
from typing import Any

import numba
import numpy as np
from gensim.models import LdaModel

from analysis.corpus.vocabulary import PackedUnit

logger = logging.getLogger("gensim.models.ldamodel")  # gensim's "x/y converged" lines

BagOfWords = list[list[tuple[int, int]]]
PRINTED_TOPICS = 5  # gensim's M-step logs `print_topics(5)`
EULER_MASCHERONI = 0.57721566490153286060


class ChunkEntries:
    """The (unit, term, count) entries of a chunk, units in order, as flat arrays."""

    def __init__(self, units: tuple, lengths: np.ndarray, terms: np.ndarray, counts: np.ndarray):
        self.units = units  # held, so that `matches` can compare by identity
        self.lengths, self.terms, self.counts = lengths, terms, counts
        self.starts = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        self._vocabulary: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, chunk: BagOfWords) -> ChunkEntries:
        if chunk and all(isinstance(unit, PackedUnit) for unit in chunk):  # read as arrays
            lengths = np.array([len(unit.terms) for unit in chunk], dtype=np.int64)
            terms = np.concatenate([unit.terms for unit in chunk])
            counts = np.concatenate([unit.counts for unit in chunk]).astype(np.float64)
            return cls(tuple(chunk), lengths, terms, counts)
        lengths = np.fromiter((len(doc) for doc in chunk), dtype=np.int64, count=len(chunk))
        pairs = chain.from_iterable(chain.from_iterable(chunk))  # term, count, term, ...
        flat = np.fromiter(pairs, dtype=np.float64, count=2 * int(lengths.sum()))
        return cls(tuple(chunk), lengths, flat[0::2].astype(np.int64), flat[1::2].copy())

    @property
    def n_units(self) -> int:
        return len(self.lengths)

    def vocabulary(self, n_terms: int) -> tuple[np.ndarray, np.ndarray]:
        """(the chunk's distinct term ids in order, each entry's position among them), for
        term ids below `n_terms` (computed once)."""
        if self._vocabulary is None:
            seen = np.zeros(n_terms, dtype=bool)
            seen[self.terms] = True
            columns = np.flatnonzero(seen)
            position = np.zeros(n_terms, dtype=np.int64)
            position[columns] = np.arange(len(columns))
            self._vocabulary = (columns, position[self.terms])
        return self._vocabulary

    def matches(self, chunk: BagOfWords) -> bool:
        """Whether `chunk` is the very same units (the same objects, in order)."""
        return len(chunk) == len(self.units) and all(
            a is b for a, b in zip(chunk, self.units, strict=True)
        )


@numba.njit(cache=True)
def digamma(x: float) -> float:  # pragma: no cover - compiled (tested through Python)
    """gensim's digamma (`_matutils._digamma`, AS 103) for positive x."""
    if x <= 0.000001:
        return -EULER_MASCHERONI - 1.0 / x + 1.6449340668482264365 * x
    value, x2 = 0.0, x
    while x2 < 8.5:
        value = value - 1.0 / x2
        x2 = x2 + 1.0
    r = 1.0 / x2
    value = value + np.log(x2) - 0.5 * r
    r = r * r
    return value - r * (
        1.0 / 12.0 - r * (1.0 / 120.0 - r * (1.0 / 252.0 - r * (1.0 / 240.0 - r * (1.0 / 132.0))))
    )


@numba.njit(cache=True)
def _row_digammas(eta: np.ndarray, sstats: np.ndarray) -> np.ndarray:  # pragma: no cover
    """digamma of each row's sum of lambda = eta + sstats (`eta` broadcast to its shape),
    summed in order as gensim's `_dirichlet_expectation_2d` does."""
    out = np.empty(sstats.shape[0])
    for k in range(sstats.shape[0]):
        total = 0.0
        for j in range(sstats.shape[1]):
            total += eta[k, j] + sstats[k, j]
        out[k] = digamma(total)
    return out


@numba.njit(cache=True)
def _elog_beta_columns(  # pragma: no cover - compiled (tested through Python)
    eta: np.ndarray, sstats: np.ndarray, columns: np.ndarray, row_digammas: np.ndarray
) -> np.ndarray:
    """The `columns` of gensim's Elog beta (`dirichlet_expectation(eta + sstats)`), value for
    value."""
    out = np.empty((sstats.shape[0], len(columns)))
    for k in range(sstats.shape[0]):
        for i in range(len(columns)):
            out[k, i] = digamma(eta[k, columns[i]] + sstats[k, columns[i]]) - row_digammas[k]
    return out


@numba.njit(cache=True)
def _exp_elog_theta(gamma: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """out = exp(digamma(gamma) - digamma(sum gamma)), gensim's `dirichlet_expectation`."""
    total = 0.0
    for k in range(gamma.shape[0]):
        total += gamma[k]
    psi_total = digamma(total)
    for k in range(gamma.shape[0]):
        out[k] = np.exp(digamma(gamma[k]) - psi_total)


@numba.njit(cache=True)
def _phinorm(theta: np.ndarray, beta: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """out_w = sum_k theta_k beta_wk + eps, beta holding the unit's n x K rows."""
    eps = np.finfo(np.float64).eps
    for w in range(beta.shape[0]):
        total = 0.0
        for k in range(beta.shape[1]):
            total += theta[k] * beta[w, k]
        out[w] = total + eps


@numba.njit(cache=True)
def unit_estep(  # pragma: no cover - compiled (tested through ChunkedLdaModel.inference)
    terms: np.ndarray,
    counts: np.ndarray,
    exp_elog_beta: np.ndarray,
    alpha: np.ndarray,
    gamma: np.ndarray,
    iterations: int,
    gamma_threshold: float,
    sstats: np.ndarray,
    collect_sstats: bool,
) -> bool:
    """Iterate one unit's `gamma` (K, updated in place) from its starting value until it
    converges; add its sufficient statistics (before the final x exp Elog beta) to
    `sstats` when asked. True when it converged within `iterations`. Every sum runs over
    the unit's terms in order, as gensim's."""
    n_topics, n_terms = exp_elog_beta.shape[0], len(terms)
    beta = np.empty((n_terms, n_topics))
    for w in range(n_terms):
        for k in range(n_topics):
            beta[w, k] = exp_elog_beta[k, terms[w]]
    theta, phinorm = np.empty(n_topics), np.empty(n_terms)
    ratio, totals = np.empty(n_terms), np.empty(n_topics)
    _exp_elog_theta(gamma, theta)
    _phinorm(theta, beta, phinorm)
    converged = False
    for _ in range(iterations):
        totals[:] = 0.0
        for w in range(n_terms):
            ratio[w] = counts[w] / phinorm[w]
            for k in range(n_topics):
                totals[k] += ratio[w] * beta[w, k]
        change = 0.0
        for k in range(n_topics):
            new = alpha[k] + theta[k] * totals[k]
            change += abs(new - gamma[k])
            gamma[k] = new
        _exp_elog_theta(gamma, theta)
        _phinorm(theta, beta, phinorm)
        if change / n_topics < gamma_threshold:
            converged = True
            break
    if collect_sstats:
        for w in range(n_terms):
            ratio[w] = counts[w] / phinorm[w]
            for k in range(n_topics):
                sstats[k, terms[w]] += theta[k] * ratio[w]
    return converged


@numba.njit(cache=True)
def chunk_estep(  # pragma: no cover - compiled (tested through ChunkedLdaModel.inference)
    starts: np.ndarray,
    terms: np.ndarray,
    counts: np.ndarray,
    exp_elog_beta: np.ndarray,
    alpha: np.ndarray,
    gamma: np.ndarray,
    iterations: int,
    gamma_threshold: float,
    sstats: np.ndarray,
    collect_sstats: bool,
) -> int:
    """`unit_estep` for every unit of a chunk (its entries from `starts[d]` to
    `starts[d + 1]`), `gamma` (N x K) updated in place, in unit order. Returns how many
    units converged."""
    converged = 0
    for d in range(gamma.shape[0]):
        lo, hi = starts[d], starts[d + 1]
        if unit_estep(
            terms[lo:hi],
            counts[lo:hi],
            exp_elog_beta,
            alpha,
            gamma[d],
            iterations,
            gamma_threshold,
            sstats,
            collect_sstats,
        ):
            converged += 1
    return converged


class ChunkedLdaModel(LdaModel):
    """gensim's `LdaModel` with the compiled E-step of this module (the M-step, the priors,
    saving and loading are gensim's). While `entry_cache` is a dict (during a fit of
    several passes: `fit_topic_model`), each chunk's entries are built once and reused when
    the same units come again.

    During `update`, the M-step does not recompute exp(Elog beta) for the whole vocabulary
    (a digamma of every topic x term, the largest cost of a fit of many chunks): the next
    E-step computes only its chunk's columns, value for value those of gensim's matrix
    (`topic_columns`), and the whole matrix is brought up to date when `update` ends."""

    entry_cache: dict[tuple[int, int], ChunkEntries] | None = None
    converged_counts: list[tuple[int, int]] | None = None  # per training chunk, while a list
    # While `expElogbeta` is out of date: (eta, sstats, digamma of lambda's row sums) of the
    # last M-step, computed by the first E-step that needs them (the topics do not change
    # between M-steps: gensim's `update` gathers each chunk's statistics in a new state).
    _outdated: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    _topics_outdated: bool = False

    def do_mstep(self, rho: float, other: Any, extra_pass: bool = False) -> None:
        """gensim's M-step without its logging: the topic printout and the topic change
        (two more K x V digammas) it computes only to log them. The printout's one draw
        from the random state (its jitter when K > 5) is kept, so that every later E-step
        starts where gensim's would. exp(Elog beta) is left to the E-steps (class
        docstring), except when eta is learnt (gensim updates it from the new topics)."""
        if self.num_topics > PRINTED_TOPICS:
            self.random_state.rand(self.num_topics)
        self.state.blend(rho, other)
        if self.optimize_eta:
            self.sync_state(self.state.get_Elogbeta())
            self.update_eta(self.state.get_lambda(), rho)
        else:
            self._topics_outdated, self._outdated = True, None
        if not extra_pass:
            self.num_updates += other.numdocs

    def update(self, corpus: Any, *args: Any, **kwargs: Any) -> Any:
        """gensim's `update`; afterwards (also when it is interrupted) `expElogbeta` is that
        of the current topics."""
        try:
            return super().update(corpus, *args, **kwargs)
        finally:
            if self._topics_outdated:
                self.sync_state(self.state.get_Elogbeta())
                self._topics_outdated, self._outdated = False, None

    def topic_columns(self, entries: ChunkEntries) -> tuple[np.ndarray, np.ndarray]:
        """(exp Elog beta, term index per entry) for the E-step of a chunk: the whole
        matrix and the term ids when it is current, else only the chunk's columns and the
        entries' positions among them."""
        if not self._topics_outdated:
            return np.ascontiguousarray(self.expElogbeta, dtype=np.float64), entries.terms
        if self._outdated is None:
            sstats = np.asarray(self.state.sstats, dtype=np.float64)
            eta = np.broadcast_to(np.asarray(self.state.eta, dtype=np.float64), sstats.shape)
            self._outdated = (eta, sstats, _row_digammas(eta, sstats))
        eta, sstats, row_digammas = self._outdated
        columns, positions = entries.vocabulary(self.num_terms)
        return np.exp(_elog_beta_columns(eta, sstats, columns, row_digammas)), positions

    def chunk_entries(self, chunk: BagOfWords) -> ChunkEntries:
        """The chunk's entries, from `entry_cache` when it holds these very units."""
        if self.entry_cache is None or not chunk:
            return ChunkEntries.of(chunk)
        key = (id(chunk[0]), len(chunk))
        cached = self.entry_cache.get(key)
        if cached is None or not cached.matches(chunk):
            cached = self.entry_cache[key] = ChunkEntries.of(chunk)
        return cached

    def inference(
        self, chunk: Iterable[list[tuple[int, float]]], collect_sstats: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """gensim's `LdaModel.inference` (same starting draw, update, stopping rule and
        sufficient statistics), compiled."""
        chunk = chunk if isinstance(chunk, list) else list(chunk)
        gamma = self.random_state.gamma(100.0, 1.0 / 100.0, (len(chunk), self.num_topics))
        entries = self.chunk_entries(chunk)
        exp_elog_beta, terms = self.topic_columns(entries)
        sstats = np.zeros_like(exp_elog_beta) if collect_sstats else np.zeros((0, 0))
        converged = chunk_estep(
            entries.starts,
            terms,
            entries.counts,
            exp_elog_beta,
            np.asarray(self.alpha, dtype=np.float64),
            gamma,
            int(self.iterations),
            float(self.gamma_threshold),
            sstats,
            collect_sstats,
        )
        if self.converged_counts is not None and collect_sstats:  # training chunks
            self.converged_counts.append((converged, len(chunk)))
        if len(chunk) > 1:
            logger.debug(
                "%i/%i documents converged within %i iterations",
                converged,
                len(chunk),
                self.iterations,
            )
        if not collect_sstats:
            return gamma, None
        sstats *= exp_elog_beta
        if terms is entries.terms:
            return gamma, sstats
        full = np.zeros((self.num_topics, self.num_terms))
        full[:, entries.vocabulary(self.num_terms)[0]] = sstats
        return gamma, full
