"""LDA's E-step for a whole chunk at once: gensim's `LdaModel.inference`, vectorised.

gensim updates each document's variational parameters in a Python loop, a dozen small
numpy calls per document and iteration; on short units (paragraphs of 40 words) that
overhead, not arithmetic, is most of a fit's time. `ChunkedLdaModel.inference` runs the
same fixed-point iteration (Hoffman et al. 2010, with Lee & Seung's implicit phi) on every
document of the chunk together, over the chunk's (unit, term) entries:

    phinorm_dw = sum_k exp(Elog theta_dk) exp(Elog beta_kw) + eps
    gamma_dk   = alpha_k + exp(Elog theta_dk) sum_w n_dw exp(Elog beta_kw) / phinorm_dw

A unit stops as soon as its mean absolute change of gamma falls below `gamma_threshold`
(as gensim's loop breaks), the others go on, up to `iterations`. The starting point is
gensim's (one Gamma(100, 1/100) draw for the chunk from the model's random state), so the
random stream is consumed exactly as gensim does; the sufficient statistics are gensim's.
Results equal gensim's up to the order of floating-point sums (tests/topics/test_inference.py),
deterministic for a given input, with no multi-threaded reduction (independent of the
process and of BLAS threads).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from itertools import chain
from typing import Any

import numpy as np
from gensim.matutils import dirichlet_expectation
from gensim.models import LdaModel

logger = logging.getLogger("gensim.models.ldamodel")  # gensim's "x/y converged" lines

BagOfWords = list[list[tuple[int, int]]]
LONG_UNIT = 150  # mean (unit, term) entries per unit above which gensim's own loop is faster
PRINTED_TOPICS = 5  # gensim's M-step logs `print_topics(5)`


class ChunkEntries:
    """The (unit, term, count) entries of a chunk, units in order, as flat arrays."""

    def __init__(self, units: tuple, lengths: np.ndarray, terms: np.ndarray, counts: np.ndarray):
        self.units = units  # held, so that `matches` can compare by identity
        self.lengths, self.terms, self.counts = lengths, terms, counts
        self.rows = np.repeat(np.arange(len(lengths)), lengths)

    @classmethod
    def of(cls, chunk: BagOfWords) -> ChunkEntries:
        lengths = np.fromiter((len(doc) for doc in chunk), dtype=np.int64, count=len(chunk))
        pairs = chain.from_iterable(chain.from_iterable(chunk))  # term, count, term, ...
        flat = np.fromiter(pairs, dtype=np.float64, count=2 * int(lengths.sum()))
        return cls(tuple(chunk), lengths, flat[0::2].astype(np.int64), flat[1::2].copy())

    @property
    def n_units(self) -> int:
        return len(self.lengths)

    def matches(self, chunk: BagOfWords) -> bool:
        """Whether `chunk` is the very same units (the same objects, in order)."""
        return len(chunk) == len(self.units) and all(
            a is b for a, b in zip(chunk, self.units, strict=True)
        )


class _Segments:
    """Where each unit's run of entries starts, from the units' numbers of entries."""

    def __init__(self, lengths: np.ndarray):
        self.n_units = len(lengths)
        self.units = np.flatnonzero(lengths)  # reduceat needs non-empty runs
        self.starts = (np.cumsum(lengths) - lengths)[self.units]

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per-unit sums of the rows of `values`; zero for a unit without entries."""
        out = np.zeros((self.n_units, values.shape[1]), dtype=values.dtype)
        if len(self.starts):
            out[self.units] = np.add.reduceat(values, self.starts, axis=0)
        return out


def chunk_inference(
    entries: ChunkEntries,
    exp_elog_beta: np.ndarray,
    alpha: np.ndarray,
    gamma: np.ndarray,
    iterations: int,
    gamma_threshold: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Iterate every unit of the chunk from its starting `gamma` (N x K) until it converges.
    Returns gamma, exp(Elog theta) (N x K) and, per entry, the final count / phinorm, and
    how many units converged."""
    eps = np.finfo(np.float64).eps
    gamma, exp_theta = gamma.copy(), np.exp(dirichlet_expectation(gamma))
    ratio = np.empty(len(entries.rows))
    # The units still iterating: their ids, their entries (ids, unit 0..n-1, count, beta,
    # count / phinorm), their current gamma and exp(Elog theta).
    active, at, rows = np.arange(entries.n_units), np.arange(len(entries.rows)), entries.rows
    counts, beta = entries.counts, exp_elog_beta[:, entries.terms].T  # entries x K
    theta, last = exp_theta, gamma
    weights = counts / (np.einsum("ek,ek->e", theta[rows], beta) + eps)
    lengths = entries.lengths
    segments = _Segments(lengths)
    converged, n_topics = 0, gamma.shape[1]
    for _ in range(iterations):
        if not len(active):
            break
        new = alpha + theta * segments.sums(weights[:, None] * beta)
        theta = np.exp(dirichlet_expectation(new))
        weights = counts / (np.einsum("ek,ek->e", theta[rows], beta) + eps)
        done = np.add.reduce(np.abs(new - last), axis=1) / n_topics < gamma_threshold  # mean
        gamma[active], exp_theta[active], last = new, theta, new
        if done.any():
            converged += int(done.sum())
            keep, entry = ~done, ~done[rows]
            ratio[at[~entry]] = weights[~entry]
            active, at, counts, beta = active[keep], at[entry], counts[entry], beta[entry]
            rows, weights = (np.cumsum(keep) - 1)[rows[entry]], weights[entry]
            theta, last, lengths = theta[keep], last[keep], lengths[keep]
            segments = _Segments(lengths)
    ratio[at] = weights
    return gamma, exp_theta, ratio, converged


class ChunkedLdaModel(LdaModel):
    """gensim's `LdaModel` with the chunk-at-once E-step of this module (the M-step, the
    priors, saving and loading are gensim's). While `entry_cache` is a dict (during a fit
    of several passes: `fit_topic_model`), each chunk's entries are built once and reused
    when the same units come again."""

    entry_cache: dict[tuple[int, int], ChunkEntries] | None = None
    converged_counts: list[tuple[int, int]] | None = None  # per training chunk, while a list

    def do_mstep(self, rho: float, other: Any, extra_pass: bool = False) -> None:
        """gensim's M-step without its logging: the topic printout and the topic change
        (two more K x V digammas) it computes only to log them. The printout's one draw
        from the random state (its jitter when K > 5) is kept, so that every later E-step
        starts where gensim's would."""
        if self.num_topics > PRINTED_TOPICS:
            self.random_state.rand(self.num_topics)
        self.state.blend(rho, other)
        self.sync_state(self.state.get_Elogbeta())
        if self.optimize_eta:
            self.update_eta(self.state.get_lambda(), rho)
        if not extra_pass:
            self.num_updates += other.numdocs

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
        sufficient statistics), every unit of the chunk at once; gensim's own loop over
        the units when they are long (more than `LONG_UNIT` terms on average)."""
        chunk = chunk if isinstance(chunk, list) else list(chunk)
        if sum(map(len, chunk)) > LONG_UNIT * len(chunk):
            return self._unit_by_unit(chunk, collect_sstats)
        start = self.random_state.gamma(100.0, 1.0 / 100.0, (len(chunk), self.num_topics))
        entries = self.chunk_entries(chunk)
        gamma, exp_theta, ratio, converged = chunk_inference(
            entries,
            self.expElogbeta,
            np.asarray(self.alpha, dtype=np.float64),
            start,
            self.iterations,
            self.gamma_threshold,
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
        sstats = np.zeros_like(self.expElogbeta)
        contributions = exp_theta[entries.rows] * ratio[:, None]  # entries x K
        for k in range(self.num_topics):
            sstats[k] = np.bincount(
                entries.terms, weights=contributions[:, k], minlength=self.num_terms
            )
        sstats *= self.expElogbeta
        return gamma, sstats

    def _unit_by_unit(self, chunk: BagOfWords, collect_sstats: bool) -> tuple:
        """gensim's inference, its count of converged units read from its debug line."""
        line = _ConvergedLine()
        level, propagate = logger.level, logger.propagate
        logger.addHandler(line)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        try:
            result = super().inference(chunk, collect_sstats)
        finally:
            logger.removeHandler(line)
            logger.setLevel(level)
            logger.propagate = propagate
        if self.converged_counts is not None and collect_sstats:
            self.converged_counts.append((line.converged, len(chunk)))
        return result


class _ConvergedLine(logging.Handler):
    """Reads gensim's "x/y documents converged within n iterations" debug line."""

    pattern = re.compile(r"(\d+)/\d+ documents converged")

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.converged = 0

    def emit(self, record: logging.LogRecord) -> None:
        match = self.pattern.search(record.getMessage())
        if match:
            self.converged = int(match.group(1))
