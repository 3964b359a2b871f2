"""The range of every bounded parameter, checked when parameters load (before any notebook).

`range_problem` returns the first value out of range as a sentence naming the parameter and
what it must be; `analysis.core.params` turns it into a ParameterError.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

# Range of every bounded parameter: (dotted name, test, what the value must be).
_AT_LEAST_1 = (lambda v: v >= 1, "at least 1")
_AT_LEAST_0 = (lambda v: v >= 0, "0 or more")
_POSITIVE = (lambda v: v > 0, "greater than 0")
_SHARE = (lambda v: 0 < v <= 1, "a share greater than 0 and at most 1")
_RANGES = {
    "segments.window": _AT_LEAST_1,
    "segments.min_words": _AT_LEAST_0,
    "preprocess.min_token_length": _AT_LEAST_0,
    "preprocess.phrase_min_count": _AT_LEAST_1,
    "preprocess.phrase_threshold": (lambda v: -1 <= v <= 1, "a normalised PMI from -1 to 1"),
    "preprocess.min_df": _AT_LEAST_0,
    "preprocess.max_df": _SHARE,
    "preprocess.keep_n": _AT_LEAST_1,
    "topics.num_topics": (lambda v: v == "auto" or v >= 1, "auto or at least 1"),
    "topics.k_min": (lambda v: v >= 2, "at least 2"),
    "topics.k_step": _AT_LEAST_1,
    "topics.sweep_seeds": _AT_LEAST_1,
    "topics.passes": _AT_LEAST_1,
    "topics.iterations": _AT_LEAST_1,
    "topics.chunksize": _AT_LEAST_1,
    "topics.alpha": (lambda v: isinstance(v, str) or v > 0, "a name or a number above 0"),
    "topics.eta": (lambda v: isinstance(v, str) or v > 0, "a name or a number above 0"),
    "topics.workers": _AT_LEAST_1,
    "topics.top_n": _AT_LEAST_1,
    "topics.relevance_lambda": (lambda v: 0 <= v <= 1, "from 0 to 1"),
    "topics.bootstrap_samples": _AT_LEAST_1,
    "topics.holdout_fraction": (lambda v: 0 <= v < 1, "from 0 to less than 1"),
    "topics.gamma_threshold": _POSITIVE,
    "topics.min_updates": _AT_LEAST_0,
    "topics.max_updates": _AT_LEAST_0,
    "topics.decay": _SHARE,
    "topics.offset": _POSITIVE,
    "topics.stability_threshold": (lambda v: 0 <= v <= 1, "from 0 to 1"),
    "topics.sweep_max_units": _AT_LEAST_1,
    "topics.convergence_tolerance": _POSITIVE,
    "framing.sample_size": _AT_LEAST_1,
    "framing.collocation_window": _AT_LEAST_1,
    "framing.collocation_min_freq": _AT_LEAST_1,
    "framing.bootstrap_samples": _AT_LEAST_1,
    "framing.antmn_min_correlation": (lambda v: -1 <= v < 1, "from -1 to less than 1"),
    "framing.antmn_resolution": _POSITIVE,
    "framing.tone_min_sentences": _AT_LEAST_1,
    "framing.evidence_rows": _AT_LEAST_1,
    "sources.min_freq": _AT_LEAST_1,
    "sources.top_n": _AT_LEAST_1,
    "sources.prior_scale": _POSITIVE,
    "sources.bootstrap_samples": _AT_LEAST_1,
    "sources.context_window": _AT_LEAST_1,
    "sources.ci_level": (lambda v: 0 < v < 1, "between 0 and 1, e.g. 0.95"),
    "sources.similarity_max_documents": _AT_LEAST_0,
    "run.timeout_seconds": _AT_LEAST_1,
    "run.workers": _AT_LEAST_1,
    "run.batch_rows": _AT_LEAST_1,
    "run.table_preview_rows": _AT_LEAST_1,
}
_NOT_EMPTY = (
    "corpus.path",
    "corpus.group_by",
    "corpus.text_column",
    "corpus.id_column",
    "run.cache_dir",
)


def range_problem(params: Any) -> str:
    """The first parameter out of its range, empty, or naming an unknown encoding or a bad
    filename pattern, as a sentence; "" when every value is fine."""
    for dotted, (within, what) in _RANGES.items():
        value = _get_dotted(params, dotted)
        if not within(value):
            return f"{dotted} is {value!r}; it must be {what}"
    for dotted in _NOT_EMPTY:
        if not str(_get_dotted(params, dotted)).strip():
            return f"{dotted} is empty; give a value (params/default.yaml shows the default)"
    topics = params.topics
    if topics.num_topics == "auto" and topics.k_max < topics.k_min:
        return f"topics.k_max ({topics.k_max}) is below topics.k_min ({topics.k_min})"
    return _corpus_problem(params.corpus)


def _corpus_problem(corpus: Any) -> str:
    named = [("encoding", corpus.encoding)]
    named += [("fallback_encodings", e) for e in corpus.fallback_encodings]
    for name, encoding in named:
        try:
            codecs.lookup(encoding)
        except LookupError:
            return (
                f"corpus.{name}: unknown encoding {encoding!r}; use a Python codec name "
                "such as utf-8, cp1252 or latin-1"
            )
    try:
        re.compile(corpus.filename_pattern)
    except re.error as err:
        return (
            f"corpus.filename_pattern {corpus.filename_pattern!r} is not a regular expression "
            f"({err}); e.g. (?P<date>\\d{{4}})-(?P<president>\\w+)"
        )
    return ""


def _get_dotted(params: Any, dotted: str) -> Any:
    section, name = dotted.split(".")
    return getattr(getattr(params, section), name)
