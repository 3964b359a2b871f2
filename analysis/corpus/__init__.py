"""The corpus stage: read any corpus (a folder of .txt files, a manifest, CSV/JSONL/Parquet
tables), validate every row, import it into the partitioned store, and prepare it partition
by partition — cleaning, segments, tokens, vocabulary, bag of words — into the
`PartitionedCorpus` on disk every analysis reads partition by partition
(`partition_map`). Also the one definition of a word
(`tokens.tokenize_words`), a sentence (`sentences.sentence_spans`), the stop-word list
(`tokens.load_stopwords`), term patterns and term counts."""

from analysis.corpus.prepare import (
    PartitionedCorpus,
    PreparedCorpus,
    corpus_fingerprint,
    partitioned_corpus,
)
from analysis.corpus.read import CorpusError, CorpusSpec, read_corpus, spec_from_params

__all__ = [
    "CorpusError",
    "CorpusSpec",
    "PartitionedCorpus",
    "PreparedCorpus",
    "corpus_fingerprint",
    "partitioned_corpus",
    "read_corpus",
    "spec_from_params",
]
