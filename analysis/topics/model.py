"""Topic model stage: fit a deterministic gensim LDA, and describe its topics.

Fitting uses `LdaModel` (single process; `LdaMulticore` merges workers in arrival order and
is not reproducible), a training order shuffled with the seed (online LDA is sensitive to
document order), learned priors and enough passes to converge. Convergence is measured,
not assumed: the per-word likelihood bound is recorded after every pass on a fixed sample
of the training units, without touching the model's random stream.

Topic ids are 0..K-1 exactly as fitted, everywhere: the label file maps ids to labels.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary
from gensim.models import LdaModel
from gensim.models.callbacks import Metric
from tqdm.auto import tqdm

from analysis.core.errors import InputError

BagOfWords = list[list[tuple[int, int]]]

# Defaults for settings that may not (yet) exist in params.topics; see `topic_settings`.
# Measured in benchmarks/topic_benchmark.py against tomotopy (see the lead's report).
_DEFAULTS: dict[str, Any] = {
    "passes": 20,
    "iterations": 400,
    "chunksize": 100,
    "alpha": "asymmetric",
    "eta": 0.5,
    "decay": 0.5,
    "offset": 1.0,
    "gamma_threshold": 0.01,
    "min_updates": 150,
    "max_updates": 5000,
    "top_n": 10,
    "relevance_lambda": 0.6,
    "convergence_sample": 500,
    "convergence_tolerance": 0.001,
}


@dataclass(frozen=True)
class TopicSettings:
    """Every setting that changes a fitted topic model (written into provenance)."""

    passes: int = 20
    iterations: int = 400
    chunksize: int = 100
    alpha: str | float = "asymmetric"
    eta: str | float = 0.5
    decay: float = 0.5
    offset: float = 1.0
    gamma_threshold: float = 0.01
    min_updates: int = 150
    max_updates: int = 5000
    top_n: int = 10
    relevance_lambda: float = 0.6
    convergence_sample: int = 500
    convergence_tolerance: float = 0.001


def topic_settings(topic_params: Any) -> TopicSettings:
    """Resolve `params.topics` into `TopicSettings` (missing fields take the defaults)."""
    values = {
        name: getattr(topic_params, name, default)
        for name, default in _DEFAULTS.items()
        if name in TopicSettings.__dataclass_fields__
    }
    if getattr(topic_params, "workers", 1) not in (1, None):
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
    convergence: pd.DataFrame  # pass, per_word_bound, perplexity (about ten passes)
    converged: bool  # relative change of the bound over the last ~10% of passes < tolerance
    documents_converged: float  # share of units whose inference converged in the last pass


class _PerWordBound(Metric):
    """Per-word bound on a fixed sample after every `every`-th pass and the last one, leaving
    the model's random state untouched (NaN for the passes in between)."""

    def __init__(
        self, sample: BagOfWords, total_units: int, every: int, passes: int, bar: Any = None
    ):
        self.sample, self.bar = sample, bar
        self.every, self.passes, self.done = every, passes, 0
        self.ratio = total_units / max(1, len(sample))
        self.words = max(1, sum(count for doc in sample for _, count in doc))
        self.logger = None
        self.title = "per_word_bound"

    def get_value(self, **kwargs: Any) -> float:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        if self.done % self.every and self.done != self.passes:
            return float("nan")
        model = kwargs["model"]
        state = model.random_state.get_state()
        try:
            # gensim's own estimate (as in LdaModel.log_perplexity) for the whole corpus
            bound = model.bound(self.sample, subsample_ratio=self.ratio)
            return float(bound / (self.ratio * self.words))
        finally:
            model.random_state.set_state(state)


class _ConvergedCounter(logging.Handler):
    """Collects gensim's "x/y documents converged within n iterations" debug lines."""

    pattern = re.compile(r"(\d+)/(\d+) documents converged")

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.counts: list[tuple[int, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        match = self.pattern.search(record.getMessage())
        if match:
            self.counts.append((int(match.group(1)), int(match.group(2))))


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
    progress: bool = False,
) -> TopicModelFit:
    """Fit LDA with `num_topics` topics on `bow`, deterministically for a given `seed`
    (`progress`: a progress bar over the passes)."""
    if num_topics < 1:
        raise InputError(f"num_topics = {num_topics}: need at least 1 topic")
    if not bow or not any(bow):
        raise InputError("no tokens to model: every unit is empty after preprocessing")
    if len(dictionary) == 0:
        raise InputError("the dictionary is empty: relax preprocess.min_df / max_df")
    chunksize = balanced_chunksize(len(bow), settings.chunksize)
    passes = passes_needed(len(bow), chunksize, settings)
    order = training_order(len(bow), seed)
    shuffled = [bow[i] for i in order]
    sample = [shuffled[i] for i in range(min(settings.convergence_sample, len(shuffled)))]
    every = max(1, passes // 10)  # about ten evaluations: each costs an E-step
    bar = tqdm(total=passes, desc=f"fitting K={num_topics}", unit=" pass", mininterval=1.0,
               disable=not progress)  # fmt: skip
    bound = _PerWordBound(sample, len(shuffled), every, passes, bar)
    counter = _ConvergedCounter()
    lda_logger = logging.getLogger("gensim.models.ldamodel")
    old_level, old_propagate = lda_logger.level, lda_logger.propagate
    lda_logger.addHandler(counter)
    lda_logger.setLevel(logging.DEBUG)
    lda_logger.propagate = False
    try:
        model = LdaModel(
            corpus=shuffled,
            id2word=dictionary,
            num_topics=num_topics,
            chunksize=chunksize,
            passes=passes,
            iterations=settings.iterations,
            alpha=settings.alpha,
            eta=settings.eta,
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
    finally:
        bar.close()
        bound.bar = None  # the model keeps its callbacks: no progress bar in the pickle
        lda_logger.removeHandler(counter)
        lda_logger.setLevel(old_level)
        lda_logger.propagate = old_propagate
    values = np.asarray(model.metrics.get("per_word_bound", []), dtype=float)
    evaluated = ~np.isnan(values)
    values = values[evaluated]
    convergence = pd.DataFrame(
        {"pass": np.flatnonzero(evaluated) + 1, "per_word_bound": values},
    )
    convergence["perplexity"] = np.exp(-convergence["per_word_bound"])
    chunks_per_pass = -(-len(shuffled) // chunksize)
    last = counter.counts[-chunks_per_pass:]
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


def bound_has_converged(values: np.ndarray, tolerance: float) -> bool:
    """True when the bound changed by less than `tolerance` (relative) between the last two
    evaluations (about the last 10% of the passes)."""
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
    model.random_state = np.random.RandomState(seed)
    gamma, _ = model.inference(bow)
    gamma = np.asarray(gamma, dtype=np.float64)
    return gamma / gamma.sum(axis=1, keepdims=True)


def term_probabilities(bow: BagOfWords, num_terms: int) -> np.ndarray:
    """Marginal probability of each term in the modelled corpus (for relevance/lift)."""
    counts = np.zeros(num_terms, dtype=np.float64)
    for doc in bow:
        for term_id, count in doc:
            counts[term_id] += count
    total = counts.sum()
    if total == 0:
        raise InputError("the corpus has no tokens")
    return counts / total


def term_relevance(topic_word: np.ndarray, term_probability: np.ndarray, lam: float) -> np.ndarray:
    """Relevance of each term to each topic (Sievert & Shirley 2014):
    lam * log p(w|k) + (1 - lam) * log(p(w|k) / p(w)). lam = 1 ranks by probability,
    lam = 0 by lift; LDAvis users found 0.6 most interpretable."""
    with np.errstate(divide="ignore"):
        log_phi = np.log(topic_word)
        log_pw = np.log(term_probability)
    return lam * log_phi + (1.0 - lam) * (log_phi - log_pw[np.newaxis, :])


def topic_terms_table(
    topic_word: np.ndarray,
    vocabulary: Sequence[str],
    term_probability: np.ndarray,
    lam: float,
    top_n: int,
) -> pd.DataFrame:
    """Top `top_n` terms per topic by relevance: topic, rank, term, relevance, probability,
    lift. Ties are broken by term id, so the ranking is stable."""
    relevance = term_relevance(topic_word, term_probability, lam)
    rows = []
    for topic in range(topic_word.shape[0]):
        order = np.lexsort((np.arange(len(vocabulary)), -relevance[topic]))[:top_n]
        for rank, term_id in enumerate(order, start=1):
            rows.append(
                {
                    "topic": topic,
                    "rank": rank,
                    "term": vocabulary[term_id],
                    "relevance": float(relevance[topic, term_id]),
                    "probability": float(topic_word[topic, term_id]),
                    "lift": float(topic_word[topic, term_id] / term_probability[term_id]),
                }
            )
    return pd.DataFrame(rows)


def top_words(topic_word: np.ndarray, vocabulary: Sequence[str], top_n: int) -> list[list[str]]:
    """The `top_n` most probable terms of each topic (what coherence is computed on)."""
    out = []
    for row in topic_word:
        order = np.lexsort((np.arange(len(vocabulary)), -row))[:top_n]
        out.append([vocabulary[i] for i in order])
    return out


def vocabulary_of(dictionary: Dictionary) -> list[str]:
    """Terms in id order."""
    return [dictionary[i] for i in range(len(dictionary))]


# ---------------------------------------------------------------- labels


def default_topic_labels(terms: pd.DataFrame, n_words: int = 3) -> dict[int, str]:
    """ "T3: word1 word2 word3" from the relevance-ranked terms of each topic."""
    labels = {}
    for topic, group in terms.sort_values(["topic", "rank"]).groupby("topic", sort=True):
        words = " ".join(group["term"].head(n_words).str.replace("_", " "))
        labels[int(topic)] = f"T{int(topic)}: {words}"
    return labels


def topic_labels_table(labels: dict[int, str]) -> pd.DataFrame:
    """The editable label file as a table: topic, label."""
    return pd.DataFrame({"topic": sorted(labels), "label": [labels[k] for k in sorted(labels)]})


def write_topic_labels(labels: dict[int, str], path: str | Path) -> Path:
    """Write an editable labels CSV (topic, label)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    topic_labels_table(labels).to_csv(path, index=False, lineterminator="\n")
    return path


def read_topic_labels(path: str | Path, defaults: dict[int, str]) -> dict[int, str]:
    """Labels from a researcher-edited CSV with columns topic, label.

    Topics missing from the file keep their default label; ids outside the model, duplicate
    ids and empty labels are errors naming the file and row.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype={"label": str}, keep_default_na=False)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path}: topic label file not found; set topics.labels_file to an existing CSV "
            "(columns topic,label) or to '' for the default labels"
        ) from None
    missing = {"topic", "label"} - set(table.columns)
    if missing:
        raise InputError(f"{path}: missing column(s) {sorted(missing)}; expected topic,label")
    labels = dict(defaults)
    seen: set[int] = set()
    for row_number, row in enumerate(table.itertuples(index=False), start=2):
        try:
            topic = int(row.topic)
        except (TypeError, ValueError):
            raise InputError(
                f"{path}, row {row_number}: topic {row.topic!r} is not an integer"
            ) from None
        if topic not in defaults:
            raise InputError(
                f"{path}, row {row_number}: topic {topic} is not in the model "
                f"(ids 0..{len(defaults) - 1}); was the label file written for another K?"
            )
        if topic in seen:
            raise InputError(f"{path}, row {row_number}: topic {topic} is labelled twice")
        label = str(row.label).strip()
        if not label:
            raise InputError(f"{path}, row {row_number}: empty label for topic {topic}")
        seen.add(topic)
        labels[topic] = label
    return labels


# ---------------------------------------------------------------- tables


def document_topic_table(doc_topic: np.ndarray, units: pd.DataFrame) -> pd.DataFrame:
    """Tidy unit × topic proportions: segment_id, doc_id, group, topic, proportion."""
    if len(units) != doc_topic.shape[0]:
        raise InputError(f"{len(units)} units but {doc_topic.shape[0]} rows of topic proportions")
    k = doc_topic.shape[1]
    keys = units[["segment_id", "doc_id", "group"]].reset_index(drop=True)
    table = keys.loc[keys.index.repeat(k)].reset_index(drop=True)
    table["topic"] = np.tile(np.arange(k), len(units))
    table["proportion"] = doc_topic.reshape(-1)
    return table


def representative_passages(
    doc_topic: np.ndarray, units: pd.DataFrame, n_passages: int = 3, max_chars: int = 300
) -> pd.DataFrame:
    """The units with the highest proportion of each topic: topic, rank, segment_id, doc_id,
    group, proportion, text (shortened to `max_chars`). Ties broken by unit order."""
    rows = []
    texts = units["text"].astype(str).tolist()
    for topic in range(doc_topic.shape[1]):
        order = np.lexsort((np.arange(len(units)), -doc_topic[:, topic]))[:n_passages]
        for rank, i in enumerate(order, start=1):
            text = " ".join(texts[i].split())
            if len(text) > max_chars:
                text = text[: max_chars - 1].rsplit(" ", 1)[0] + "…"
            rows.append(
                {
                    "topic": topic,
                    "rank": rank,
                    "segment_id": units["segment_id"].iloc[i],
                    "doc_id": units["doc_id"].iloc[i],
                    "group": units["group"].iloc[i],
                    "proportion": float(doc_topic[i, topic]),
                    "text": text,
                }
            )
    return pd.DataFrame(rows)


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


@dataclass(frozen=True)
class TopicData:
    """The units a topic model sees: their metadata, bags of words and token lists."""

    units: pd.DataFrame  # segment_id, doc_id, group, position, text, date, n_tokens
    bow: BagOfWords
    texts: list[list[str]]  # in-vocabulary tokens per unit (for coherence)
    dictionary: Dictionary
    n_empty: int  # units left out because no token survived preprocessing


def topic_data(corpus: Any) -> TopicData:
    """Units of a PreparedCorpus with at least one in-vocabulary token, in segment order."""
    segments = corpus.segments.reset_index(drop=True)
    dictionary = corpus.dictionary
    # Equal (id, count) pairs are one shared tuple: 21 million pairs of 700,000 paragraphs
    # take 0.2 GB instead of 1.8 GB (gensim only reads them).
    pairs: dict[tuple[int, int], tuple[int, int]] = {}
    bow = [
        [pairs.setdefault(pair, pair) for pair in dictionary.doc2bow(tokens)]
        for tokens in segments["tokens"]
    ]
    del pairs
    keep = np.array([len(b) > 0 for b in bow], dtype=bool)
    if not keep.any():
        raise InputError(
            "no segment has a token left after preprocessing: check segments.min_words and "
            "preprocess.min_df / max_df / stopwords_file"
        )
    units = segments.loc[keep, ["segment_id", "doc_id", "group", "position", "text"]]
    units = units.reset_index(drop=True)
    dates = corpus.documents.set_index("doc_id")["date"] if "date" in corpus.documents else None
    units["date"] = units["doc_id"].map(dates).fillna("") if dates is not None else ""
    kept_bow = [b for b, k in zip(bow, keep, strict=True) if k]
    units["n_tokens"] = [sum(c for _, c in b) for b in kept_bow]
    texts = [
        in_vocabulary(tokens, dictionary.token2id)
        for tokens, k in zip(segments["tokens"], keep, strict=True)
        if k
    ]
    return TopicData(units, kept_bow, texts, dictionary, int((~keep).sum()))


def in_vocabulary(tokens: Any, token2id: dict[str, int]) -> list[str]:
    """The tokens that are in the vocabulary; the list itself (not a copy) if all are, as
    in a PreparedCorpus, whose tokens are pruned to its dictionary already."""
    if isinstance(tokens, list) and all(t in token2id for t in tokens):
        return tokens
    return [t for t in tokens if t in token2id]


def topic_terms(fit: TopicModelFit, data: TopicData) -> pd.DataFrame:
    """Relevance-ranked top terms of the fitted model (λ and N from its settings)."""
    return topic_terms_table(
        topic_word_matrix(fit.model),
        vocabulary_of(data.dictionary),
        term_probabilities(data.bow, len(data.dictionary)),
        fit.settings.relevance_lambda,
        fit.settings.top_n,
    )


def topic_labels(terms: pd.DataFrame, labels_file: str) -> dict[int, str]:
    """Labels every figure uses: the researcher's file if given, else "T3: w1 w2 w3"."""
    defaults = default_topic_labels(terms)
    if not labels_file:
        return defaults
    from analysis.core.paths import project_path

    return read_topic_labels(project_path(labels_file), defaults)


# ---------------------------------------------------------------- table schemas

TERMS_SCHEMA = {
    "description": "Top terms of each topic ranked by relevance (Sievert & Shirley 2014).",
    "columns": {
        "topic": "topic id (0..K-1, as fitted)",
        "rank": "rank of the term within the topic by relevance (1 = most relevant)",
        "term": "term (phrases joined with _)",
        "relevance": "lambda*log p(term|topic) + (1-lambda)*log lift, lambda = relevance_lambda",
        "probability": "p(term | topic)",
        "lift": "p(term | topic) / p(term) in the modelled corpus",
    },
}
LABELS_SCHEMA = {
    "description": "Topic labels used by every figure; edit a copy and set topics.labels_file.",
    "columns": {"topic": "topic id (0..K-1, as fitted)", "label": "label shown in figures"},
}
DOCUMENT_TOPICS_SCHEMA = {
    "description": "Topic proportions of every unit of analysis (rows of one unit sum to 1).",
    "columns": {
        "segment_id": "unit of analysis id",
        "doc_id": "document the unit comes from",
        "group": "comparison group of the document",
        "topic": "topic id (0..K-1, as fitted)",
        "proportion": "share of the unit's words assigned to the topic",
    },
}
PASSAGES_SCHEMA = {
    "description": "Units with the highest proportion of each topic.",
    "columns": {
        "topic": "topic id (0..K-1, as fitted)",
        "rank": "rank by proportion within the topic (1 = most typical)",
        "segment_id": "unit of analysis id",
        "doc_id": "document the unit comes from",
        "group": "comparison group of the document",
        "proportion": "share of the unit's words assigned to the topic",
        "text": "the unit's text (shortened to 300 characters)",
    },
}
