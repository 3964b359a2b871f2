"""How alike the documents are: TF-IDF cosine similarity and clustering.

* TF-IDF cosine similarity of documents (tf = raw count, idf = ln((1 + N) / (1 + df)) + 1,
  rows L2-normalised), ordered by group then document id; above
  `sources.similarity_max_documents` a stratified seeded sample of documents.
* Average-linkage hierarchical clustering of documents on cosine distance (1 - cosine),
  with leaf order, and how often a document's nearest neighbour is from its own group.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from analysis.core.errors import InputError
from analysis.core.params import Params
from analysis.corpus.counts import TermCounts, segment_term_counts
from analysis.corpus.partition_map import map_segments
from analysis.corpus.prepare import PartitionedCorpus
from analysis.sources.unit_counts import corpus_unit_counts

SIMILARITY_COLUMNS = {
    "doc_a": "document id",
    "doc_b": "one of the documents most similar to doc_a",
    "neighbour_rank": "1 = the most similar other document",
    "group_a": "group of doc_a",
    "group_b": "group of doc_b",
    "cosine": "TF-IDF cosine similarity of the two documents (1 = same term profile)",
}


GROUP_SIMILARITY_COLUMNS = {
    "group_a": "first group",
    "group_b": "second group",
    "mean_cosine": "mean TF-IDF cosine similarity over pairs of distinct documents",
    "pairs": "number of document pairs averaged",
}


@dataclass(frozen=True, eq=False)
class DocumentSimilarity:
    """Cosine similarities of documents ordered by group, with the documents' clustering."""

    doc_ids: tuple[str, ...]
    groups: tuple[str, ...]
    similarity: np.ndarray  # documents x documents, in doc_ids order
    linkage: np.ndarray  # scipy linkage matrix (average linkage, cosine distance)
    leaf_order: tuple[int, ...]  # dendrogram order, as positions in doc_ids
    n_documents: int = 0  # documents in the corpus (more than doc_ids when sampled)

    @property
    def sampled(self) -> bool:
        return self.n_documents > len(self.doc_ids)

    def sample_note(self) -> str:
        """One sentence for captions: which documents the matrix covers."""
        if not self.sampled:
            return ""
        return (
            f" Computed on a stratified random sample of {len(self.doc_ids):,} of the "
            f"{self.n_documents:,} documents (sources.similarity_max_documents)."
        )

    def leaf_table(self) -> pd.DataFrame:
        """Documents in dendrogram order, with their group (columns: CLUSTER_COLUMNS)."""
        return pd.DataFrame(
            {
                "leaf_position": range(len(self.leaf_order)),
                "doc_id": [self.doc_ids[i] for i in self.leaf_order],
                "group": [self.groups[i] for i in self.leaf_order],
            }
        )

    def neighbours(self, k: int = 5) -> pd.DataFrame:
        """Each document's k most similar other documents (columns: SIMILARITY_COLUMNS).

        Compact for any corpus size (n * k rows); with k >= n - 1 it holds every pair.
        """
        sim = self.similarity.copy()
        np.fill_diagonal(sim, -np.inf)
        k = min(k, len(self.doc_ids) - 1)
        order = np.argsort(-sim, axis=1, kind="stable")[:, :k]
        rows = [
            (self.doc_ids[i], self.doc_ids[j], rank + 1, self.groups[i], self.groups[j], sim[i, j])
            for i in range(len(self.doc_ids))
            for rank, j in enumerate(order[i])
        ]
        return pd.DataFrame(rows, columns=list(SIMILARITY_COLUMNS))

    def group_means(self) -> pd.DataFrame:
        """Mean similarity of distinct documents within and between groups."""
        groups = np.asarray(self.groups, dtype=object)
        names = sorted(set(self.groups))
        off_diagonal = ~np.eye(len(groups), dtype=bool)
        rows = []
        for a in names:
            for b in names:
                mask = np.outer(groups == a, groups == b) & off_diagonal
                pairs = int(mask.sum())
                mean = float(self.similarity[mask].mean()) if pairs else float("nan")
                rows.append((a, b, mean, pairs))
        return pd.DataFrame(rows, columns=list(GROUP_SIMILARITY_COLUMNS))

    def to_frame(self) -> pd.DataFrame:
        """Long table of the upper triangle (diagonal included); n^2 / 2 rows."""
        i, j = np.triu_indices(len(self.doc_ids))
        ids, groups = np.asarray(self.doc_ids, object), np.asarray(self.groups, object)
        return pd.DataFrame(
            {
                "doc_a": ids[i],
                "doc_b": ids[j],
                "group_a": groups[i],
                "group_b": groups[j],
                "cosine": self.similarity[i, j],
            }
        )


def tfidf_matrix(counts: TermCounts) -> sparse.csr_array:
    """TF-IDF rows (raw tf, smoothed idf), L2-normalised; empty rows stay zero."""
    matrix = counts.matrix.astype(float)
    n_docs = matrix.shape[0]
    df = np.asarray((matrix > 0).sum(axis=0)).ravel()
    idf = np.log((1 + n_docs) / (1 + df)) + 1
    weighted = sparse.csr_array(matrix @ sparse.diags_array(idf))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.csr_array(sparse.diags_array(scale) @ weighted)


def document_similarity(
    doc_counts: TermCounts, doc_groups: Mapping[str, str]
) -> DocumentSimilarity:
    """TF-IDF cosine similarity of documents, ordered by group, and their clustering."""
    order = sorted(doc_counts.labels, key=lambda d: (str(doc_groups[d]), d))
    positions = [doc_counts.index_of(d) for d in order]
    ordered = TermCounts(
        matrix=sparse.csr_array(doc_counts.matrix[positions, :]),
        labels=tuple(order),
        vocabulary=doc_counts.vocabulary,
    )
    vectors = tfidf_matrix(ordered)
    similarity = np.clip(np.asarray((vectors @ vectors.T).toarray()), 0.0, 1.0)
    np.fill_diagonal(similarity, 1.0)
    if len(order) < 2:
        raise InputError("document similarity needs at least two documents")
    distance = squareform(1.0 - similarity, checks=False)
    linkage = hierarchy.linkage(distance, method="average")
    return DocumentSimilarity(
        doc_ids=tuple(order),
        n_documents=len(order),
        groups=tuple(str(doc_groups[d]) for d in order),
        similarity=similarity,
        linkage=linkage,
        leaf_order=tuple(int(i) for i in hierarchy.leaves_list(linkage)),
    )


def nearest_neighbour_agreement(result: DocumentSimilarity) -> pd.DataFrame:
    """Share of documents whose most similar other document is from the same group.

    Chance level is the share expected if neighbours were drawn at random from the other
    documents. A value well above chance means documents group by source, near chance
    means they group by something else (topic, date, genre).
    """
    sim = result.similarity.copy()
    np.fill_diagonal(sim, -np.inf)
    groups = np.asarray(result.groups, dtype=object)
    neighbour = np.argmax(sim, axis=1)
    same = groups[neighbour] == groups
    n = len(groups)
    sizes = pd.Series(groups).value_counts()
    chance = float(((sizes * (sizes - 1)).sum()) / (n * (n - 1))) if n > 1 else np.nan
    return pd.DataFrame(
        {
            "documents": [n],
            "same_group_neighbour": [float(same.mean())],
            "chance": [chance],
        }
    )


CLUSTER_COLUMNS = {
    "leaf_position": "position of the document in the dendrogram, left to right",
    "doc_id": "document id",
    "group": "group (source) of the document",
}


NEIGHBOUR_COLUMNS = {
    "documents": "documents compared",
    "same_group_neighbour": "share whose most similar other document is from the same group",
    "chance": "share expected if the nearest neighbour were a random other document",
}


def source_document_similarity(
    segments: pd.DataFrame, max_documents: int = 0, seed: int = 0
) -> DocumentSimilarity:
    """Document similarity and clustering from the segments' tokens, summed per document.

    The similarity matrix is documents x documents (8 bytes a cell: 3 GB at 20,000
    documents), so above `max_documents` (0: no limit) it is computed on a stratified random
    sample of that many documents (`similarity_sample`); `n_documents` keeps the total.
    """
    _check_sample_size(max_documents)
    groups = dict(zip(segments["doc_id"].astype(str), segments["group"].astype(str), strict=True))
    if max_documents and len(groups) > max_documents:
        keep = similarity_sample(groups, max_documents, seed)
        segments = segments[segments["doc_id"].astype(str).isin(keep)]
    counts = segment_term_counts(segments, by="doc_id")
    result = document_similarity(counts, {d: groups[d] for d in counts.labels})
    return dataclasses.replace(result, n_documents=len(groups))


def corpus_document_similarity(corpus: PartitionedCorpus, params: Params) -> DocumentSimilarity:
    """`source_document_similarity` of the whole corpus: the documents' groups first (ids
    only), then the term counts of the sampled documents alone, per partition on the
    scheduler (`sources.similarity_max_documents`, seed `run.seed`)."""
    max_documents = params.sources.similarity_max_documents
    _check_sample_size(max_documents)
    parts = map_segments(
        corpus, document_groups, None, params, ["doc_id", "group"], "similarity documents"
    )
    groups = {d: g for part in parts for d, g in part.items()}
    keep = None
    if max_documents and len(groups) > max_documents:
        keep = frozenset(similarity_sample(groups, max_documents, params.run.seed))
    units = corpus_unit_counts(corpus, params, "doc_id", keep, "similarity counts")
    result = document_similarity(units.counts, units.group_of())
    return dataclasses.replace(result, n_documents=len(groups))


def document_groups(segments: pd.DataFrame, context: object = None) -> dict[str, str]:
    """Document id -> group of one partition's segments."""
    ids, groups = segments["doc_id"].astype(str), segments["group"].astype(str)
    return dict(zip(ids, groups, strict=True))


def _check_sample_size(max_documents: int) -> None:
    if max_documents < 0 or max_documents == 1:
        raise InputError(
            f"sources.similarity_max_documents is {max_documents}; use 0 (all documents) or a "
            "sample size of at least 2"
        )


def similarity_sample(groups: Mapping[str, str], size: int, seed: int) -> set[str]:
    """`size` documents drawn without replacement with a seeded generator: at least
    min(group size, 2) of each group, the rest shared out in proportion to what each group
    has left (largest remainders)."""
    by_group: dict[str, list[str]] = {}
    for doc_id in sorted(groups):
        by_group.setdefault(groups[doc_id], []).append(doc_id)
    names = sorted(by_group)
    sizes = np.array([len(by_group[g]) for g in names])
    quota = np.minimum(sizes, 2)
    left = sizes - quota
    share = max(0, size - int(quota.sum())) * left / max(1, left.sum())
    quota = quota + np.floor(share).astype(int)
    for index in np.argsort(-(share - np.floor(share)), kind="stable"):
        if quota.sum() >= size:
            break
        if quota[index] < sizes[index]:
            quota[index] += 1
    rng = np.random.default_rng(seed)
    picked: set[str] = set()
    for name, n in zip(names, quota, strict=True):
        members = by_group[name]
        picked.update(members[i] for i in rng.choice(len(members), int(n), replace=False))
    return picked


def neighbour_note(table: pd.DataFrame) -> str:
    """One sentence on whether documents group by source (from nearest_neighbour_agreement)."""
    row = table.iloc[0]
    share, chance, n = row["same_group_neighbour"], row["chance"], int(row["documents"])
    if n < 10:
        caveat = f" With only {n} documents this is a description, not evidence."
    else:
        caveat = ""
    verdict = (
        "documents resemble their own source more than chance would give"
        if share > chance
        else "documents do not resemble their own source more than chance would give: "
        "they group by something else (topic, genre or date)"
    )
    return (
        f"The most similar other document is from the same group for {share:.0%} of the "
        f"{n} documents (chance: {chance:.0%}): {verdict}.{caveat}"
    )


GROUP_SIMILARITY_SCHEMA = {
    "description": (
        "One row per pair of groups: mean TF-IDF cosine similarity of their distinct "
        "documents (the blocks of the heatmap)."
    ),
    "columns": GROUP_SIMILARITY_COLUMNS,
}


CLUSTER_SCHEMA = {
    "description": "One row per document in dendrogram order (left to right), with its group.",
    "columns": CLUSTER_COLUMNS,
}


NEIGHBOUR_SCHEMA = {
    "description": (
        "Share of documents whose most similar other document is from the same group, and the"
        " chance level."
    ),
    "columns": NEIGHBOUR_COLUMNS,
}
