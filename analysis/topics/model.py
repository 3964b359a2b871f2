"""Topic model stage: fit a deterministic gensim LDA, and describe its topics.

Fitting uses gensim's `LdaModel` with a chunk-at-once E-step (`inference.ChunkedLdaModel`:
gensim's results up to rounding, half the time on short units), in a single process
(`LdaMulticore` merges workers in arrival order and is not reproducible), a training order
shuffled with the seed (online LDA is sensitive to document order), learned priors and
enough passes to converge. Convergence is measured, not assumed: the per-word likelihood
bound is recorded after every pass on a fixed sample of the training units, without
touching the model's random stream.

Topic ids are 0..K-1 exactly as fitted, everywhere: the label file maps ids to labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary
from gensim.matutils import dirichlet_expectation
from gensim.models import LdaModel
from gensim.models.callbacks import Metric
from tqdm.auto import tqdm

from analysis.core.errors import InputError
from analysis.core.params import TopicParams
from analysis.core.paths import project_path
from analysis.topics.bound import variational_bound
from analysis.topics.inference import ChunkedLdaModel
from analysis.topics.terms import (  # re-exported: callers read them from here too
    DOCUMENT_TOPICS_SCHEMA as DOCUMENT_TOPICS_SCHEMA,
)
from analysis.topics.terms import (
    LABELS_SCHEMA as LABELS_SCHEMA,
)
from analysis.topics.terms import (
    PASSAGES_SCHEMA as PASSAGES_SCHEMA,
)
from analysis.topics.terms import (
    TERMS_SCHEMA as TERMS_SCHEMA,
)
from analysis.topics.terms import (
    default_topic_labels as default_topic_labels,
)
from analysis.topics.terms import (
    document_topic_table as document_topic_table,
)
from analysis.topics.terms import (
    read_topic_labels as read_topic_labels,
)
from analysis.topics.terms import (
    representative_passages as representative_passages,
)
from analysis.topics.terms import (
    term_probabilities as term_probabilities,
)
from analysis.topics.terms import (
    term_relevance as term_relevance,
)
from analysis.topics.terms import (
    top_words as top_words,
)
from analysis.topics.terms import (
    topic_labels_table as topic_labels_table,
)
from analysis.topics.terms import (
    topic_terms_table as topic_terms_table,
)
from analysis.topics.terms import (
    vocabulary_of as vocabulary_of,
)
from analysis.topics.terms import (
    write_topic_labels as write_topic_labels,
)
from analysis.topics.units import BagOfWords as BagOfWords
from analysis.topics.units import TopicData as TopicData
from analysis.topics.units import in_vocabulary as in_vocabulary
from analysis.topics.units import reordered
from analysis.topics.units import topic_data as topic_data


@dataclass(frozen=True)
class TopicSettings:
    """Every setting that changes a fitted topic model (written into provenance); the
    defaults are `Params.topics`'s."""

    passes: int = TopicParams.passes
    iterations: int = TopicParams.iterations
    chunksize: int = TopicParams.chunksize
    alpha: str | float = TopicParams.alpha
    eta: str | float = TopicParams.eta
    decay: float = TopicParams.decay
    offset: float = TopicParams.offset
    gamma_threshold: float = TopicParams.gamma_threshold
    min_updates: int = TopicParams.min_updates
    max_updates: int = TopicParams.max_updates
    top_n: int = TopicParams.top_n
    relevance_lambda: float = TopicParams.relevance_lambda
    convergence_sample: int = TopicParams.convergence_sample
    convergence_tolerance: float = TopicParams.convergence_tolerance


def topic_settings(topic_params: Any) -> TopicSettings:
    """Resolve `params.topics` into `TopicSettings`."""
    values = {name: getattr(topic_params, name) for name in TopicSettings.__dataclass_fields__}
    if topic_params.workers != 1:
        raise InputError(
            "topics.workers: only 1 is supported; multi-worker LDA (LdaMulticore) is not "
            "reproducible. Set topics.workers: 1."
        )
    settings = TopicSettings(**values)
    _check_prior("alpha", settings.alpha, ("auto", "symmetric", "asymmetric"))
    _check_prior("eta", settings.eta, ("auto", "symmetric"))
    if settings.passes < 1 or settings.iterations < 1 or settings.chunksize < 1:
        raise InputError("topics.passes, topics.iterations and topics.chunksize must be >= 1")
    if settings.max_updates and settings.max_updates < settings.min_updates:
        raise InputError(
            f"topics.max_updates = {settings.max_updates} is below topics.min_updates = "
            f"{settings.min_updates}: raise max_updates (or 0 for no cap)"
        )
    if not 0.0 <= settings.relevance_lambda <= 1.0:
        raise InputError(
            f"topics.relevance_lambda = {settings.relevance_lambda}: must lie in [0, 1]"
        )
    return settings


def _check_prior(name: str, value: str | float, allowed: tuple[str, ...]) -> None:
    if isinstance(value, str):
        if value not in allowed:
            raise InputError(f"topics.{name} = {value!r}: use one of {list(allowed)} or a number")
    elif not value > 0:
        raise InputError(f"topics.{name} = {value}: a prior must be positive")


@dataclass(frozen=True)
class TopicModelFit:
    """A fitted model with the facts needed to judge and reproduce it."""

    model: LdaModel
    num_topics: int
    seed: int
    settings: TopicSettings
    passes: int  # passes actually run: topics.passes, more for small corpora (min_updates)
    convergence: pd.DataFrame  # pass, per_word_bound, perplexity (about five passes)
    converged: bool  # relative change of the bound over the last ~20% of passes < tolerance
    documents_converged: float  # share of units whose inference converged in the last pass


class _PerWordBound(Metric):
    """Per-word bound on a fixed sample after every `every`-th pass and the last one, leaving
    the model's random state untouched (NaN for the passes in between)."""

    def __init__(self, sample: BagOfWords, total_units: int, every: int, passes: int):
        self.sample = sample
        self.every, self.passes, self.done = every, passes, 0
        self.ratio = total_units / max(1, len(sample))
        self.words = max(1, sum(count for doc in sample for _, count in doc))
        self.logger = None
        self.title = "per_word_bound"

    def get_value(self, **kwargs: Any) -> float:
        self.done += 1
        if self.done % self.every and self.done != self.passes:
            return float("nan")
        model = kwargs["model"]
        state = model.random_state.get_state()
        try:
            # gensim's estimate (as in LdaModel.log_perplexity) for the whole corpus
            gamma, _ = model.inference(self.sample)
            bound = variational_bound(model, self.sample, gamma, self.ratio)
            return float(bound / (self.ratio * self.words))
        finally:
            model.random_state.set_state(state)


def balanced_chunksize(n_units: int, chunksize: int) -> int:
    """Chunk size that splits `n_units` into equal chunks of at most `chunksize` units.

    gensim blends every chunk into the model with the same weight, so a small last chunk
    (107 units in chunks of 100 leave 7) pulls the topics towards a handful of units in
    every pass and keeps the model from converging.
    """
    n_chunks = -(-n_units // max(1, chunksize))
    return -(-n_units // max(1, n_chunks))


def passes_needed(n_units: int, chunksize: int, settings: TopicSettings) -> int:
    """`settings.passes`, raised so that the model gets at least `settings.min_updates`
    updates: a small corpus fits in one or two chunks, so each pass is a single update and
    twenty passes are too few to converge (measured on the seed corpus). On a large corpus
    the passes are capped so that there are at most `settings.max_updates` updates (but at
    least one pass): online LDA converges within a pass or two of a corpus that large."""
    chunks = -(-n_units // chunksize)
    passes = max(settings.passes, -(-settings.min_updates // chunks))
    if settings.max_updates:
        passes = min(passes, max(1, settings.max_updates // chunks))
    return passes


def training_order(n_units: int, seed: int) -> np.ndarray:
    """Seeded permutation of the units (online LDA depends on the order it sees them in)."""
    return np.random.default_rng(seed).permutation(n_units)


def fit_topic_model(
    bow: BagOfWords,
    dictionary: Dictionary,
    num_topics: int,
    settings: TopicSettings,
    seed: int,
    eta: np.ndarray | None = None,
    progress: str = "",
) -> TopicModelFit:
    """Fit LDA with `num_topics` topics on `bow` (bags of words in a list, or a stream with
    `reordered`, read on every pass), deterministically for a given `seed`.

    `eta`, a K x V topic–word prior, replaces `settings.eta` (seeded topics). `progress`:
    the label of a progress bar over the units read, every pass (none when empty)."""
    if num_topics < 1:
        raise InputError(f"num_topics = {num_topics}: need at least 1 topic")
    if not bow or not any(bow):
        raise InputError("no tokens to model: every unit is empty after preprocessing")
    if len(dictionary) == 0:
        raise InputError("the dictionary is empty: relax preprocess.min_df / max_df")
    chunksize = balanced_chunksize(len(bow), settings.chunksize)
    passes = passes_needed(len(bow), chunksize, settings)
    order = training_order(len(bow), seed)
    shuffled = reordered(bow, order)  # a list, or a stream read from disk on every pass
    sample = [shuffled[i] for i in range(min(settings.convergence_sample, len(shuffled)))]
    every = max(1, passes // 5)  # about five evaluations: each costs an E-step
    bound = _PerWordBound(sample, len(shuffled), every, passes)
    model = ChunkedLdaModel(
        corpus=None,
        id2word=dictionary,
        num_topics=num_topics,
        chunksize=chunksize,
        passes=passes,
        iterations=settings.iterations,
        alpha=settings.alpha,
        eta=settings.eta if eta is None else eta,
        decay=settings.decay,
        offset=settings.offset,
        gamma_threshold=settings.gamma_threshold,
        eval_every=None,
        update_every=1,
        minimum_probability=0.0,
        random_state=seed,
        callbacks=[bound],
        dtype=np.float64,
    )
    if eta is not None:  # the first E-step sees the seeded prior, not only the noise
        model.expElogbeta = np.exp(dirichlet_expectation(model.state.sstats + model.eta))
    # the same chunks in every pass, held in memory: their entries are built once (a stream
    # read from disk gives new units on every pass, which the cache would keep for good)
    model.entry_cache = {} if passes > 1 and isinstance(shuffled, list) else None
    model.converged_counts = counts = []
    with tqdm(total=passes * len(shuffled), desc=progress, unit=" units", mininterval=1.0,
              disable=not progress) as bar:  # fmt: skip
        model.update(_Ticking(shuffled, bar) if progress else shuffled)
    model.entry_cache = model.converged_counts = None
    values = np.asarray(model.metrics.get("per_word_bound", []), dtype=float)
    evaluated = ~np.isnan(values)
    values = values[evaluated]
    convergence = pd.DataFrame(
        {"pass": np.flatnonzero(evaluated) + 1, "per_word_bound": values},
    )
    convergence["perplexity"] = np.exp(-convergence["per_word_bound"])
    chunks_per_pass = -(-len(shuffled) // chunksize)
    last = counts[-chunks_per_pass:]
    share = sum(c for c, _ in last) / max(1, sum(n for _, n in last))
    return TopicModelFit(
        model=model,
        num_topics=num_topics,
        seed=seed,
        settings=settings,
        passes=passes,
        convergence=convergence,
        converged=bound_has_converged(values, settings.convergence_tolerance),
        documents_converged=float(share),
    )


class _Ticking:
    """The units of a corpus as gensim reads them, each pass, ticking a progress bar."""

    def __init__(self, units: Any, bar: tqdm) -> None:
        self.units, self.bar = units, bar

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Any:
        for unit in self.units:
            yield unit
            self.bar.update()


def bound_has_converged(values: np.ndarray, tolerance: float) -> bool:
    """True when the bound changed by less than `tolerance` (relative) between the last two
    evaluations (about the last 20% of the passes)."""
    if len(values) < 2:
        return False
    tail = values[-2:]
    scale = max(abs(float(tail[-1])), 1e-12)
    return bool(abs(float(tail[-1] - tail[0])) / scale < tolerance)


def topic_word_matrix(model: LdaModel) -> np.ndarray:
    """K x V topic–word probabilities (rows sum to 1), topic ids as fitted."""
    return np.asarray(model.get_topics(), dtype=np.float64)


def topic_word_evidence(model: LdaModel) -> np.ndarray:
    """K x V topic–word distributions from the data alone: the expected word counts of each
    topic (the variational parameter minus the prior eta), normalised. Unlike
    `topic_word_matrix` it carries no prior smoothing, so comparing topics across seeds
    (stability) is not inflated by a large eta."""
    counts = np.asarray(model.state.get_lambda(), dtype=np.float64) - np.asarray(
        model.eta, dtype=np.float64
    )
    counts = np.clip(counts, 0.0, None)
    totals = counts.sum(axis=1, keepdims=True)
    uniform = np.full_like(counts, 1.0 / counts.shape[1])
    return np.where(totals > 0, counts / np.where(totals > 0, totals, 1.0), uniform)


def document_topic_matrix(model: LdaModel, bow: BagOfWords, seed: int) -> np.ndarray:
    """N x K topic proportions of each unit (rows sum to 1), in the order of `bow`.

    Inference draws its starting point from the model's random state, so the state is reset
    from `seed` first: the same model and units always give the same proportions.
    """
    gamma = document_topic_gamma(model, bow, seed)
    return gamma / gamma.sum(axis=1, keepdims=True)


def document_topic_gamma(model: LdaModel, bow: BagOfWords, seed: int) -> np.ndarray:
    """N x K variational Dirichlet parameters of each unit's topic proportions (the
    posterior `document_topic_matrix` normalises), the random state reset from `seed`."""
    model.random_state = np.random.RandomState(seed)
    gamma, _ = model.inference(bow)
    return np.asarray(gamma, dtype=np.float64)


# ---------------------------------------------------------------- tables


def convergence_note(fit: TopicModelFit) -> str:
    """One sentence on whether the final model converged, for the notebook."""
    last = fit.convergence["per_word_bound"].iloc[-1] if len(fit.convergence) else float("nan")
    verdict = "converged" if fit.converged else "had NOT converged"
    advice = "" if fit.converged else " Increase topics.passes (or topics.min_updates) and refit."
    return (
        f"The model ({fit.num_topics} topics, {fit.passes} passes) {verdict}: the "
        f"per-word bound ended at {last:.3f} (tolerance {fit.settings.convergence_tolerance:g} "
        f"relative change over the last passes); {fit.documents_converged:.0%} of units "
        f"reached the inference threshold within {fit.settings.iterations} iterations in the "
        f"last pass.{advice}"
    )


def save_topic_model(fit: TopicModelFit, folder: str | Path, name: str = "topics-lda") -> Path:
    """Save the fitted model with gensim (reload with `LdaModel.load`); returns its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.gensim"
    callbacks, fit.model.callbacks = fit.model.callbacks, None  # the convergence monitor
    try:
        fit.model.save(str(path))
    finally:
        fit.model.callbacks = callbacks
    return path


# ---------------------------------------------------------------- notebook-level steps


def topic_terms(fit: TopicModelFit, data: TopicData) -> pd.DataFrame:
    """Relevance-ranked top terms of the fitted model (λ and N from its settings)."""
    return topic_terms_table(
        topic_word_matrix(fit.model),
        vocabulary_of(data.dictionary),
        data.term_probabilities(),
        fit.settings.relevance_lambda,
        fit.settings.top_n,
    )


def topic_labels(terms: pd.DataFrame, labels_file: str) -> dict[int, str]:
    """Labels every figure uses: the researcher's file if given, else "T3: w1 w2 w3"."""
    defaults = default_topic_labels(terms)
    if not labels_file:
        return defaults
    return read_topic_labels(project_path(labels_file), defaults)
