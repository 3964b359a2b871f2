"""How far apart sources are: Jensen-Shannon divergence, document similarity, clustering.

* JSD between the groups' word distributions, base 2 (0 = same distribution, 1 = no
  shared word). The plug-in JSD of sparse word counts is biased upwards (unseen words look
  like differences), and resampling units with replacement within each group makes that
  bias larger still, so a plain percentile interval can lie wholly above the estimate.
  We therefore report the plug-in value, a bootstrap bias-corrected value
  (2 * jsd - mean of the resamples) and the matching basic bootstrap interval
  (2 * jsd - upper and lower percentiles), clipped to [0, 1]. On the diagonal the interval
  is the range of the JSD between two independent resamples of the same group: the noise
  floor below which no difference between sources can be read.
* TF-IDF cosine similarity of documents (tf = raw count, idf = ln((1 + N) / (1 + df)) + 1,
  rows L2-normalised), ordered by group then document id.
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
from analysis.stats.bootstrap import percentile_interval

DIVERGENCE_COLUMNS = {
    "group_a": "first group",
    "group_b": "second group",
    "jsd": "plug-in Jensen-Shannon divergence (bits; 0 = identical, 1 = disjoint vocabularies)",
    "jsd_corrected": "bootstrap bias-corrected JSD: 2 * jsd - mean of the resampled JSDs",
    "ci_low": "lower bound: basic bootstrap interval (diagonal: noise-floor percentile)",
    "ci_high": "upper bound: basic bootstrap interval (diagonal: noise-floor percentile)",
    "ci_level": "coverage of the interval",
    "n_units_a": "units (segments or documents) of group_a resampled",
    "n_units_b": "units of group_b resampled",
    "bootstrap_samples": "number of bootstrap resamples",
}

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


def jensen_shannon(p: np.ndarray, q: np.ndarray) -> float:
    """JSD (base 2) between two count or probability vectors; 0 ln 0 = 0."""
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.sum() <= 0 or q.sum() <= 0:
        raise InputError("jensen_shannon: both distributions need positive mass")
    return float(_pairwise_jsd(np.vstack([p / p.sum()]), np.vstack([q / q.sum()]))[0])


def _entropy_bits(p: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits of each row of a probability matrix."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p), 0.0)
    return -terms.sum(axis=-1)


def _pairwise_jsd(p: np.ndarray, q: np.ndarray, p_entropy: np.ndarray | None = None) -> np.ndarray:
    """JSD of matching rows of two probability matrices, clipped to [0, 1]."""
    p_entropy = _entropy_bits(p) if p_entropy is None else p_entropy
    value = _entropy_bits((p + q) / 2) - (p_entropy + _entropy_bits(q)) / 2
    return np.clip(value, 0.0, 1.0)


def _jsd_from(rows: np.ndarray, entropy: np.ndarray, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """JSD of row pairs (ia[k], ib[k]) of one probability matrix whose row entropies are known."""
    value = _entropy_bits((rows[ia] + rows[ib]) / 2) - (entropy[ia] + entropy[ib]) / 2
    return np.clip(value, 0.0, 1.0)


def _row_distributions(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def group_divergence(
    unit_counts: TermCounts,
    unit_groups: Mapping[str, str],
    bootstrap_samples: int = 500,
    seed: int = 0,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Pairwise JSD between groups, with bootstrap intervals over units within groups.

    ``unit_counts`` has one row per unit (segment or document); ``unit_groups`` maps each
    unit label to its group. Returns every ordered pair, the diagonal included.
    """
    if not 0 < ci_level < 1:
        raise InputError(f"ci_level must be between 0 and 1, got {ci_level}")
    if bootstrap_samples < 0:
        raise InputError(f"sources.bootstrap_samples must be >= 0, got {bootstrap_samples}")
    members = _group_members(unit_counts, unit_groups)
    groups = sorted(members)
    matrix = unit_counts.matrix.astype(float)
    point = _row_distributions(
        np.vstack([np.asarray(matrix[members[g], :].sum(axis=0)).ravel() for g in groups])
    )
    g = len(groups)
    ia, ib = np.triu_indices(g, k=1)
    estimate = np.zeros((g, g))
    estimate[ia, ib] = estimate[ib, ia] = _pairwise_jsd(point[ia], point[ib])

    rng = np.random.default_rng(seed)
    replicates = np.empty((bootstrap_samples, g, g))
    for b in range(bootstrap_samples):
        first = _resampled_groups(matrix, members, groups, rng)
        second = _resampled_groups(matrix, members, groups, rng)
        entropy = _entropy_bits(first)  # each group's entropy once, not once per pair
        replicates[b, ia, ib] = replicates[b, ib, ia] = _jsd_from(first, entropy, ia, ib)
        replicates[b, np.arange(g), np.arange(g)] = _pairwise_jsd(first, second, entropy)
    corrected = np.full((g, g), np.nan)
    low = high = np.full((g, g), np.nan)
    if bootstrap_samples:
        lower_q, upper_q = percentile_interval(replicates, ci_level)
        corrected = np.clip(2 * estimate - replicates.mean(axis=0), 0.0, 1.0)
        low = np.clip(2 * estimate - upper_q, 0.0, 1.0)
        high = np.clip(2 * estimate - lower_q, 0.0, 1.0)
        diagonal = np.arange(g)
        corrected[diagonal, diagonal] = 0.0
        low[diagonal, diagonal] = lower_q[diagonal, diagonal]
        high[diagonal, diagonal] = upper_q[diagonal, diagonal]
    rows = [
        {
            "group_a": groups[i],
            "group_b": groups[j],
            "jsd": estimate[i, j],
            "jsd_corrected": corrected[i, j],
            "ci_low": low[i, j],
            "ci_high": high[i, j],
            "ci_level": ci_level,
            "n_units_a": len(members[groups[i]]),
            "n_units_b": len(members[groups[j]]),
            "bootstrap_samples": bootstrap_samples,
        }
        for i in range(g)
        for j in range(g)
    ]
    return pd.DataFrame(rows, columns=list(DIVERGENCE_COLUMNS))


def _group_members(counts: TermCounts, unit_groups: Mapping[str, str]) -> dict[str, np.ndarray]:
    missing = [label for label in counts.labels if label not in unit_groups]
    if missing:
        raise KeyError(f"group_divergence: no group for units {missing[:5]} (and maybe more)")
    members: dict[str, list[int]] = {}
    for row, label in enumerate(counts.labels):
        members.setdefault(str(unit_groups[label]), []).append(row)
    if len(members) < 2:
        raise InputError("group_divergence needs at least two groups")
    return {g: np.asarray(rows) for g, rows in members.items()}


def _resampled_groups(
    matrix: sparse.csr_array,
    members: Mapping[str, np.ndarray],
    groups: list[str],
    rng: np.random.Generator,
) -> np.ndarray:
    """Group distributions after drawing each group's units with replacement."""
    weights = np.zeros(matrix.shape[0])
    for group in groups:
        rows = members[group]
        weights[rows] = rng.multinomial(len(rows), np.full(len(rows), 1 / len(rows)))
    index = {g: i for i, g in enumerate(groups)}
    labels = np.empty(matrix.shape[0], dtype=np.int64)
    for group in groups:
        labels[members[group]] = index[group]
    combine = sparse.csr_array(
        (weights, (labels, np.arange(matrix.shape[0]))), shape=(len(groups), matrix.shape[0])
    )
    return _row_distributions(np.asarray((combine @ matrix).toarray()))


def divergence_matrix(table: pd.DataFrame, column: str = "jsd") -> pd.DataFrame:
    """Square group x group view of one column of the `group_divergence` table."""
    return table.pivot(index="group_a", columns="group_b", values=column)


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


def source_divergence(segments: pd.DataFrame, params: Params | None = None) -> pd.DataFrame:
    """Group JSD table from PreparedCorpus segments, resampling segments within groups.

    Bootstrap size and confidence level from ``params.sources``, seed from ``params.run``.
    """
    params = params or Params()
    counts = segment_term_counts(segments, by="segment_id")
    return group_divergence(
        counts,
        dict(zip(segments["segment_id"].astype(str), segments["group"].astype(str), strict=True)),
        bootstrap_samples=params.sources.bootstrap_samples,
        seed=params.run.seed,
        ci_level=params.sources.ci_level,
    )


def source_document_similarity(
    segments: pd.DataFrame, max_documents: int = 0, seed: int = 0
) -> DocumentSimilarity:
    """Document similarity and clustering from the segments' tokens, summed per document.

    The similarity matrix is documents x documents (8 bytes a cell: 3 GB at 20,000
    documents), so above `max_documents` (0: no limit) it is computed on a stratified random
    sample of that many documents (`similarity_sample`); `n_documents` keeps the total.
    """
    if max_documents < 0 or max_documents == 1:
        raise InputError(
            f"sources.similarity_max_documents is {max_documents}; use 0 (all documents) or a "
            "sample size of at least 2"
        )
    groups = dict(zip(segments["doc_id"].astype(str), segments["group"].astype(str), strict=True))
    if max_documents and len(groups) > max_documents:
        keep = similarity_sample(groups, max_documents, seed)
        segments = segments[segments["doc_id"].astype(str).isin(keep)]
    counts = segment_term_counts(segments, by="doc_id")
    result = document_similarity(counts, {d: groups[d] for d in counts.labels})
    return dataclasses.replace(result, n_documents=len(groups))


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


# Table schemas: the description and columns each table is saved with.
DIVERGENCE_SCHEMA = {
    "description": (
        "One row per ordered pair of groups: plug-in and bias-corrected Jensen-Shannon "
        "divergence (bits) of their word distributions, with bootstrap interval; diagonal "
        "rows give the noise floor."
    ),
    "columns": DIVERGENCE_COLUMNS,
}

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
