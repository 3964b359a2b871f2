"""Typed, validated run parameters: one YAML file plus dotted command-line overrides.

Every setting that changes a result lives here, grouped by pipeline stage, so that it can
be written into the provenance of every figure. Unknown names and values of the wrong type
are errors (papermill itself would only warn).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from analysis.core.errors import InputError
from analysis.core.param_ranges import range_problem
from analysis.core.paths import PROJECT_ROOT


class ParameterError(InputError):
    """A parameter file or override names an unknown setting or gives a wrong value."""


@dataclass(frozen=True)
class CorpusParams:
    """Where the corpus is and how to read it."""

    path: str = "seeds/manifest.csv"
    format: Literal["auto", "manifest", "folder", "table"] = "auto"
    group_by: str = "source"
    text_column: str = "text"
    id_column: str = "doc_id"
    date_column: str = "date"
    encoding: str = "utf-8"
    fallback_encodings: tuple[str, ...] = ()
    filename_pattern: str = ""
    on_error: Literal["fail", "reject"] = "fail"


@dataclass(frozen=True)
class CleaningParams:
    """Boilerplate rules (a YAML file a researcher can read and edit)."""

    rules_file: str = "seeds/cleaning.yaml"


@dataclass(frozen=True)
class SegmentParams:
    """The unit of analysis."""

    unit: Literal["document", "paragraph", "sentences"] = "paragraph"
    window: int = 3
    min_words: int = 8


@dataclass(frozen=True)
class PreprocessParams:
    """Tokenisation and vocabulary settings shared by every analysis."""

    lowercase: bool = True
    stopwords_file: str = "analysis/resources/stopwords_en.txt"
    extra_stopwords: tuple[str, ...] = ()
    normalize: Literal["none", "stem", "lemma"] = "none"
    min_token_length: int = 2
    phrases: bool = True
    phrase_min_count: int = 3
    phrase_threshold: float = 0.5
    min_df: int = 2
    max_df: float = 0.9
    keep_n: int = 50000


@dataclass(frozen=True)
class TopicParams:
    """LDA settings; every one of them changes the fitted topics."""

    num_topics: int | Literal["auto"] = "auto"
    k_min: int = 2
    k_max: int = 8
    k_step: int = 1
    sweep_seeds: int = 3
    passes: int = 5
    iterations: int = 400
    chunksize: int = 100
    alpha: str | float = "asymmetric"
    eta: str | float = 0.5
    workers: int = 1
    top_n: int = 10
    relevance_lambda: float = 0.6
    labels_file: str = ""
    bootstrap_samples: int = 1000
    holdout_fraction: float = 0.2
    gamma_threshold: float = 0.01
    min_updates: int = 80
    max_updates: int = 5000
    decay: float = 0.5
    offset: float = 1.0
    stability_threshold: float = 0.7
    sweep_max_units: int = 10000
    convergence_tolerance: float = 0.001
    convergence_sample: int = 500
    restarts: int = 4
    restart_rule: Literal["likelihood", "consensus"] = "likelihood"
    processes: int = 0
    ari_threshold: float = 0.6
    effect_draws: int = 100
    frex_weight: float = 0.5
    seed_words_file: str = ""
    seed_weight: float = 1.0
    intrusion_items: int = 20
    intrusion_coded_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class FramingParams:
    """Frame dictionaries, actors and focal terms."""

    frames_file: str = "analysis/resources/frames.yaml"
    actors_file: str = "analysis/resources/actors.yaml"
    focal_terms: tuple[str, ...] = (
        "two-state solution",
        "settlement*",
        "resolution*",
        "occupation",
    )
    coded_sample_file: str = ""
    coded_quotes_file: str = ""
    sample_size: int = 40
    collocation_window: int = 5
    collocation_min_freq: int = 2
    bootstrap_samples: int = 1000
    ci_level: float = 0.95
    antmn_level: Literal["auto", "documents", "units"] = "auto"
    antmn_min_correlation: float = 0.0
    antmn_resolution: float = 1.0
    tone_min_sentences: int = 3
    evidence_rows: int = 200


@dataclass(frozen=True)
class SourceParams:
    """Keyness and source-comparison settings."""

    min_freq: int = 3
    top_n: int = 15
    prior_scale: float = 0.01
    bootstrap_samples: int = 500
    context_terms: tuple[str, ...] = ("two-state solution", "resolution", "settlement")
    context_window: int = 8
    correction: Literal["bh", "holm"] = "bh"
    comparisons: Literal["auto", "rest", "pairs", "all"] = "auto"
    measure: Literal["log_odds", "g2", "log_ratio", "chi2", "chi2_yates", "exact"] = "log_odds"
    stopwords: Literal["preprocess", "none"] = "preprocess"
    ci_level: float = 0.95
    similarity_max_documents: int = 2000


@dataclass(frozen=True)
class RunParams:
    """How the pipeline executes: seed, time limits, and where corpus-wide steps run."""

    seed: int = 20170115
    timeout_seconds: int = 7200
    scheduler: str = ""
    workers: int = 2
    cache_dir: str = "cache"
    batch_rows: int = 2000
    table_preview_rows: int = 5000


@dataclass(frozen=True)
class Params:
    """All parameters of one run."""

    corpus: CorpusParams = field(default_factory=CorpusParams)
    cleaning: CleaningParams = field(default_factory=CleaningParams)
    segments: SegmentParams = field(default_factory=SegmentParams)
    preprocess: PreprocessParams = field(default_factory=PreprocessParams)
    topics: TopicParams = field(default_factory=TopicParams)
    framing: FramingParams = field(default_factory=FramingParams)
    sources: SourceParams = field(default_factory=SourceParams)
    run: RunParams = field(default_factory=RunParams)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (tuples as lists), for YAML, JSON and hashing."""
        return _plain(dataclasses.asdict(self))

    def section(self, name: str) -> dict[str, Any]:
        """One section as a plain dict."""
        return self.to_dict()[name]


DEFAULT_PARAMS_FILE = PROJECT_ROOT / "params" / "default.yaml"


def load_params(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Params:
    """Read a YAML parameter file (default: params/default.yaml), apply dotted overrides.

    `overrides` maps dotted names to values, e.g. ``{"topics.num_topics": 8}``.
    """
    path = Path(path) if path else DEFAULT_PARAMS_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ParameterError(f"{path}: parameter file not found") from None
    except IsADirectoryError:
        raise ParameterError(f"{path}: is a folder; give a YAML parameter file") from None
    except UnicodeDecodeError as err:
        raise ParameterError(
            f"{path}: byte {err.start} is not UTF-8; is it a YAML parameter file? Save it as UTF-8"
        ) from None
    except OSError as err:
        raise ParameterError(f"{path}: cannot be read ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise ParameterError(f"{path}: not valid YAML ({err})") from None
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: expected a mapping of sections at the top level")
    params = build_params(raw, origin=str(path))
    if not overrides:
        return params
    for dotted, value in overrides.items():
        _set_dotted(raw, dotted, value)
    return build_params(raw, origin="override (--set or notebook overrides)")


def parse_override(text: str) -> tuple[str, Any]:
    """Parse a command-line ``section.name=value`` (value read as a YAML scalar or list)."""
    if "=" not in text:
        raise ParameterError(f"override {text!r}: write it as section.name=value")
    name, value = text.split("=", 1)
    if not value.strip():
        return name.strip(), ""
    try:
        return name.strip(), yaml.safe_load(value)
    except yaml.YAMLError:
        return name.strip(), value


def build_params(raw: dict[str, Any], origin: str = "parameters") -> Params:
    """Validate a nested dict against the dataclasses and build `Params`."""
    sections = {f.name: f for f in dataclasses.fields(Params)}
    built = {}
    for name, values in raw.items():
        if name not in sections:
            raise ParameterError(
                f"{origin}: unknown section {name!r}; known sections: {', '.join(sections)}"
            )
        if not isinstance(values, dict):
            raise ParameterError(f"{origin}: section {name!r} must be a mapping")
        built[name] = _build_section(sections[name].default_factory, values, f"{origin}: {name}")
    params = Params(**built)
    problem = range_problem(params)
    if problem:
        raise ParameterError(f"{origin}: {problem}")
    return params


def _build_section(cls: type, values: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in values.items():
        if key not in known:
            raise ParameterError(
                f"{where}.{key}: unknown parameter; known parameters: {', '.join(sorted(known))}"
            )
        kwargs[key] = _coerce(value, hints[key], f"{where}.{key}")
    return cls(**kwargs)


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """Check `value` against a type hint; lists become tuples, ints may stand for floats."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _coerce(value, option, where)
            except ParameterError:
                continue
        raise ParameterError(f"{where}: {value!r} is not {_describe(hint)}")
    if origin is Literal:
        if value in typing.get_args(hint):
            return value
        raise ParameterError(f"{where}: {value!r} is not one of {list(typing.get_args(hint))}")
    if origin is tuple:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ParameterError(f"{where}: expected a list, got {value!r}")
        (item_hint, _) = typing.get_args(hint)
        return tuple(_coerce(item, item_hint, where) for item in value)
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    raise ParameterError(f"{where}: {value!r} is not {_describe(hint)}")


def _describe(hint: Any) -> str:
    if typing.get_origin(hint) is Literal:
        return f"one of {list(typing.get_args(hint))}"
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_describe(h) for h in typing.get_args(hint))
    return f"a {getattr(hint, '__name__', str(hint))}"


def _set_dotted(raw: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    if len(parts) != 2 or not all(parts):
        raise ParameterError(f"override {dotted!r}: name it as section.parameter")
    section, key = parts
    target = raw.setdefault(section, {})
    if not isinstance(target, dict):
        raise ParameterError(f"override {dotted!r}: section {section!r} is not a mapping")
    target[key] = value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
