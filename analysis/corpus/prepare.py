"""The prepared corpus every notebook starts from: read, clean, segment, preprocess.

`prepare_corpus(params)` runs the foundation stages once and caches the result on disk,
keyed by the raw corpus bytes and the settings, so that four notebooks (and a scheduled
re-run) do not repeat the work. The corpus fingerprint is a hash over the cleaned texts,
the metadata and the cleaning and preprocessing settings: it changes when any of them
change, and only then.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from gensim.corpora import Dictionary

from analysis.core.atomic import atomic_directory
from analysis.core.params import Params
from analysis.core.paths import project_path
from analysis.corpus import cleaning, segments
from analysis.corpus import read as corpus
from analysis.corpus import tokens as preprocess
from analysis.scale.store import file_sha256

CACHE_FORMAT = 2  # 2: segments.tokens no longer pruned to the vocabulary
_FRAMES = ("documents", "rejected", "cleaning_report", "cleaning_steps", "segments")


@dataclass(frozen=True)
class PreparedCorpus:
    """Documents, segments and vocabulary ready for analysis.

    `segments.tokens` holds every content token of a unit (stop words, numbers and short
    tokens removed, phrases joined): keyness and the other counts use them whole.
    `dictionary` is the topic model's vocabulary, pruned by document frequency
    (preprocess.min_df / max_df / keep_n); only `bow()` and the topic model apply it.
    """

    documents: pd.DataFrame
    rejected: pd.DataFrame
    cleaning_report: pd.DataFrame
    cleaning_steps: pd.DataFrame
    segments: pd.DataFrame
    dictionary: Dictionary
    fingerprint: str
    group_by: str

    def bow(self) -> list[list[tuple[int, int]]]:
        """Bag of words per segment, in segment order, over the topic model's vocabulary
        (`dictionary`: `segments.tokens` pruned by preprocess.min_df / max_df / keep_n)."""
        return [self.dictionary.doc2bow(tokens) for tokens in self.segments["tokens"]]

    @property
    def groups(self) -> list[str]:
        return sorted(self.documents["group"].unique())


def settings_record(params: Params) -> dict:
    """The settings that shape the prepared corpus, with the contents of their files."""
    record = {
        "group_by": params.corpus.group_by,
        "date_column": params.corpus.date_column,
        "segments": params.section("segments"),
        "preprocess": params.section("preprocess"),
        "cleaning_rules": _file_text(params.cleaning.rules_file),
        "stopwords": _file_text(params.preprocess.stopwords_file),
    }
    return record


def _file_text(path: str) -> str:
    return project_path(path).read_text(encoding="utf-8") if path else ""


def compute_fingerprint(documents: pd.DataFrame, settings: dict) -> str:
    """sha256 over cleaned texts, metadata (in document order) and settings."""
    digest = hashlib.sha256()
    digest.update(json.dumps(settings, sort_keys=True).encode())
    metadata_columns = sorted(c for c in documents.columns if c not in {"text", "location"})
    for row in documents.to_dict("records"):
        digest.update(row["text"].encode("utf-8"))
        meta = {c: str(row.get(c, "")) for c in metadata_columns}
        digest.update(json.dumps(meta, sort_keys=True).encode())
    return digest.hexdigest()


def prepare_corpus(params: Params, use_cache: bool = True) -> PreparedCorpus:
    """Read, clean, segment and preprocess the corpus of `params` (cached on disk).

    A table corpus of `run.stream_above_mb` or more goes through the corpus store and the
    streamed, parallel preparation (`prepare_from_store`); the result has the same form.
    """
    spec = corpus.spec_from_params(params.corpus)
    if uses_store(spec, params):
        return prepare_from_store(spec, params, use_cache)
    key = _cache_key(spec, params)
    cache = project_path(params.run.cache_dir) / "prepared" / key
    if use_cache:
        cached = _load(cache)
        if cached is not None:
            return cached
    prepared = build_prepared_corpus(spec, params)
    if use_cache:
        _save(prepared, cache)
    return prepared


def corpus_fingerprint(params: Params) -> str:
    """The fingerprint of the corpus `params` describe (prepares it if not cached)."""
    spec = corpus.spec_from_params(params.corpus)
    if uses_store(spec, params):
        return streamed_corpus(spec, params).fingerprint  # no need to load it into memory
    return prepare_corpus(params).fingerprint


def uses_store(spec: corpus.CorpusSpec, params: Params) -> bool:
    """Whether the corpus is a table (or folder of tables) of `run.stream_above_mb` or more."""
    from analysis.scale.store import source_files

    if corpus.detect_format(spec) != "table":
        return False
    if params.run.stream_above_mb < 0:
        raise corpus.CorpusError(
            f"run.stream_above_mb is {params.run.stream_above_mb}; use 0 (always stream a "
            "table corpus) or a size in MB"
        )
    size = sum(p.stat().st_size for p in source_files(spec.path))
    return size >= params.run.stream_above_mb * 1e6


def streamed_corpus(spec: corpus.CorpusSpec, params: Params, use_cache: bool = True):
    """The table corpus imported into the store and prepared row group by row group."""
    from analysis.scale.store import import_corpus
    from analysis.scale.streaming import prepare_streamed

    store_dir = project_path(params.run.cache_dir) / "store"
    store = import_corpus(spec, store_dir, params.run.batch_rows)
    return prepare_streamed(store, params, use_cache=use_cache)


def prepare_from_store(
    spec: corpus.CorpusSpec, params: Params, use_cache: bool = True
) -> PreparedCorpus:
    """The streamed preparation of a large table, loaded as a PreparedCorpus.

    Cleaning, segmenting and tokenising run in parallel over store row groups (on the Dask
    scheduler of `run`), phrases are learnt from an evenly spread sample; the notebooks then
    hold the documents and segments in memory (about 2.5 times the text's size).
    """
    streamed = streamed_corpus(spec, params, use_cache)
    documents = streamed.documents(with_text=True)
    return PreparedCorpus(
        documents=documents.drop(columns=["chars_raw", "chars_removed"]),
        rejected=streamed.rejected,
        cleaning_report=streamed.cleaning_report(),
        cleaning_steps=streamed.cleaning_steps(),
        segments=streamed.load_segments(),
        dictionary=streamed.dictionary,
        fingerprint=streamed.fingerprint,
        group_by=streamed.group_by,
    )


def build_prepared_corpus(spec: corpus.CorpusSpec, params: Params) -> PreparedCorpus:
    """The foundation stages, without any cache."""
    raw = corpus.read_corpus(spec)
    rules_path = project_path(params.cleaning.rules_file) if params.cleaning.rules_file else None
    docs, report, steps = cleaning.clean_documents(raw.documents, cleaning.load_rules(rules_path))
    docs, rejected = _reject_emptied(docs, raw.rejected, spec.on_error)
    seg_params = params.segments
    segs = segments.segment_documents(
        docs, seg_params.unit, seg_params.window, seg_params.min_words
    )
    segs["tokens"], dictionary = tokenize_segments(segs["text"].tolist(), params)
    docs = docs.drop(columns=["location"]).assign(
        n_chars=docs["text"].str.len(),
        n_words=[len(preprocess.tokenize_words(t)) for t in docs["text"]],
    )
    settings = settings_record(params)
    return PreparedCorpus(
        documents=docs.reset_index(drop=True),
        rejected=rejected.reset_index(drop=True),
        cleaning_report=report,
        cleaning_steps=steps,
        segments=segs,
        dictionary=dictionary,
        fingerprint=compute_fingerprint(docs, settings),
        group_by=spec.group_by,
    )


def tokenize_segments(texts: list[str], params: Params) -> tuple[list[list[str]], Dictionary]:
    """Word tokens -> phrases -> content tokens (returned whole) and the topic model's
    vocabulary (pruned by document frequency; the tokens themselves are not pruned)."""
    pre = params.preprocess
    words = [preprocess.tokenize_words(t, pre.lowercase) for t in texts]
    if pre.phrases:
        phrases = preprocess.train_phrases(words, pre.phrase_min_count, pre.phrase_threshold)
        words = [phrases[w] for w in words]
    stopwords = preprocess.load_stopwords(project_path(pre.stopwords_file), pre.extra_stopwords)
    content = [
        preprocess.content_tokens(w, stopwords, pre.min_token_length, pre.normalize) for w in words
    ]
    dictionary = preprocess.build_dictionary(content, pre.min_df, pre.max_df, pre.keep_n)
    return content, dictionary


def _reject_emptied(docs, rejected, on_error):
    """Documents that cleaning left empty are reported, never silently dropped."""
    empty = docs["text"].str.strip() == ""
    if not empty.any():
        return docs, rejected
    first = docs[empty].iloc[0]
    reason = "nothing is left after cleaning; check the cleaning rules that apply to it"
    if on_error != "reject":
        raise corpus.CorpusError(f"{first['location']}: document {first['doc_id']!r}: {reason}")
    extra = docs[empty][["location", "doc_id"]].assign(reason=reason)
    return docs[~empty], pd.concat([rejected, extra], ignore_index=True)


def _cache_key(spec: corpus.CorpusSpec, params: Params) -> str:
    """Raw corpus bytes, reading settings, shaping settings and the code of every stage."""
    digest = hashlib.sha256(f"format{CACHE_FORMAT}".encode())
    for module in (corpus, cleaning, segments, preprocess):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(json.dumps(params.section("corpus"), sort_keys=True).encode())
    digest.update(json.dumps(settings_record(params), sort_keys=True).encode())
    root = spec.path if spec.path.is_dir() else spec.path.parent
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:32]


def _save(prepared: PreparedCorpus, cache: Path) -> None:
    """Write the entry whole or not at all, with the sha256 of every file for checking."""
    with atomic_directory(cache) as tmp:
        for name in _FRAMES:
            getattr(prepared, name).to_parquet(tmp / f"{name}.parquet", index=False)
        prepared.dictionary.save(str(tmp / "dictionary.gensim"))
        meta = {"fingerprint": prepared.fingerprint, "group_by": prepared.group_by}
        meta["files"] = {p.name: file_sha256(p) for p in sorted(tmp.iterdir())}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1))


def _load(cache: Path) -> PreparedCorpus | None:
    """A cache entry if it is complete and intact; None (to rebuild) otherwise."""
    try:
        meta = json.loads((cache / "meta.json").read_text())
        if any(file_sha256(cache / name) != digest for name, digest in meta["files"].items()):
            return None
        frames = {name: pd.read_parquet(cache / f"{name}.parquet") for name in _FRAMES}
        dictionary = Dictionary.load(str(cache / "dictionary.gensim"))
        frames["segments"]["tokens"] = shared_tokens(frames["segments"]["tokens"], dictionary)
    except (OSError, ValueError, KeyError, EOFError):
        return None
    return PreparedCorpus(
        dictionary=dictionary, fingerprint=meta["fingerprint"], group_by=meta["group_by"], **frames
    )


def shared_tokens(token_lists, dictionary: Dictionary) -> list[list[str]]:
    """Token lists with one string object per distinct word (the dictionary's own for its
    words), not one per occurrence: about 1.4 GB less for 25 million tokens."""
    canonical = {token: token for token in dictionary.token2id}
    return [[canonical.setdefault(t, t) for t in tokens] for tokens in token_lists]
