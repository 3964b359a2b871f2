"""Inductive frames by the Analysis of Topic Model Networks (ANTMN; Walter & Ophir 2019).

Topics are nodes; two topics are linked when their proportions rise and fall together
across units (positive Pearson correlation of the unit × topic proportions, the
correlation being the edge weight); Louvain communities of that network are the frames.
A frame's share in a unit is the sum of its topics' proportions.

Works on any unit × topic proportion table (rows = units, columns = topic ids), e.g. the
one built from `analysis.topics.model.document_topic_matrix`.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.topics import model as topics
from analysis.topics import store as topic_model_store

NODE_COLUMNS = {
    "topic": "topic id (as fitted)",
    "label": "topic label",
    "frame": "ANTMN frame (Louvain community), F1 = largest",
    "prevalence": "mean proportion of the topic over all units",
    "strength": "sum of the topic's positive correlations with other topics",
}
EDGE_COLUMNS = {
    "topic_a": "first topic id",
    "topic_b": "second topic id",
    "weight": "Pearson correlation of the two topics' unit proportions (> threshold)",
}
SHARE_COLUMNS = {
    "group": "comparison group (source)",
    "frame": "ANTMN frame",
    "topics": "topic ids in the frame",
    "share": "mean over the group's units of the summed proportion of the frame's topics",
    "n_units": "units in the group",
}


@dataclass(frozen=True)
class TopicNetwork:
    """The topic network and its communities: node table, edge table, frame shares."""

    nodes: pd.DataFrame
    edges: pd.DataFrame
    shares: pd.DataFrame
    modularity: float


MIN_DOCUMENTS = 20


def topic_correlation_edges(doc_topics: pd.DataFrame, min_correlation: float = 0.0) -> pd.DataFrame:
    """Edges between topics whose unit proportions correlate above `min_correlation`."""
    if doc_topics.shape[1] < 2:
        raise InputError("topic network: need at least two topics (columns)")
    x = doc_topics.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(x, rowvar=False)
    corr = np.nan_to_num(corr, nan=0.0)
    topics = list(doc_topics.columns)
    rows = [
        (topics[i], topics[j], float(corr[i, j]))
        for i in range(len(topics))
        for j in range(i + 1, len(topics))
        if corr[i, j] > min_correlation
    ]
    return pd.DataFrame(rows, columns=list(EDGE_COLUMNS))


def louvain_frames(
    topics: list, edges: pd.DataFrame, seed: int, resolution: float = 1.0
) -> tuple[dict, float]:
    """Topic -> frame name ("F1" = largest community), and the partition's modularity."""
    graph = nx.Graph()
    graph.add_nodes_from(topics)
    graph.add_weighted_edges_from(edges.itertuples(index=False, name=None))
    communities = nx.community.louvain_communities(
        graph, weight="weight", resolution=resolution, seed=seed
    )
    position = {t: i for i, t in enumerate(topics)}
    ordered = sorted(communities, key=lambda c: (-len(c), min(position[t] for t in c)))
    mapping = {t: f"F{k}" for k, comm in enumerate(ordered, start=1) for t in comm}
    modularity = (
        nx.community.modularity(graph, ordered, weight="weight") if graph.number_of_edges() else 0.0
    )
    return mapping, float(modularity)


def frame_shares(doc_topics: pd.DataFrame, groups: pd.Series, topic_frame: dict) -> pd.DataFrame:
    """Mean share of each ANTMN frame per group (SHARE_COLUMNS)."""
    if len(groups) != len(doc_topics):
        raise InputError(f"{len(groups)} group labels for {len(doc_topics)} units")
    frames = sorted(set(topic_frame.values()), key=lambda f: int(f[1:]))
    summed = pd.DataFrame(
        {
            f: doc_topics[[t for t in doc_topics.columns if topic_frame[t] == f]].sum(axis=1)
            for f in frames
        }
    )
    summed["group"] = np.asarray(groups, dtype=str)
    means = summed.groupby("group")[frames].mean()
    sizes = summed.groupby("group").size()
    rows = [
        (
            g,
            f,
            ", ".join(str(t) for t in doc_topics.columns if topic_frame[t] == f),
            means.loc[g, f],
            sizes[g],
        )
        for g in means.index
        for f in frames
    ]
    return pd.DataFrame(rows, columns=list(SHARE_COLUMNS))


def topic_network_frames(
    doc_topics: pd.DataFrame,
    groups: pd.Series,
    seed: int,
    labels: dict | None = None,
    min_correlation: float = 0.0,
    resolution: float = 1.0,
) -> TopicNetwork:
    """ANTMN on a unit × topic proportion table: network, communities (frames), shares."""
    edges = topic_correlation_edges(doc_topics, min_correlation)
    topics = list(doc_topics.columns)
    mapping, modularity = louvain_frames(topics, edges, seed, resolution)
    strength = {t: 0.0 for t in topics}
    for a, b, w in edges.itertuples(index=False):
        strength[a] += w
        strength[b] += w
    nodes = pd.DataFrame(
        {
            "topic": topics,
            "label": [str((labels or {}).get(t, f"topic {t}")) for t in topics],
            "frame": [mapping[t] for t in topics],
            "prevalence": doc_topics.mean(axis=0).to_numpy(),
            "strength": [strength[t] for t in topics],
        }
    )
    return TopicNetwork(
        nodes=nodes,
        edges=edges,
        shares=frame_shares(doc_topics, groups, mapping),
        modularity=modularity,
    )


def network_layout(nodes: list, edges: pd.DataFrame, seed: int) -> dict:
    """Seeded spring layout {node: (x, y)} for drawing (weights pull correlated topics)."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from(edges.iloc[:, :3].itertuples(index=False, name=None))
    positions = nx.spring_layout(graph, weight="weight", seed=seed)
    return {n: (float(p[0]), float(p[1])) for n, p in positions.items()}


def topic_proportions(corpus, params) -> tuple[pd.DataFrame, pd.Series, dict]:
    """Proportions of the topic notebook's model (the same sweep, choice and fit, shared
    through analysis.topics.store), the groups, and the topic labels.

    Walter & Ophir (2019) correlate topic proportions across documents. Short units are
    dominated by one topic each, which makes every pair of topics correlate negatively, so
    with `framing.antmn_level` "auto" units are pooled into their documents (token-weighted)
    when there are at least `MIN_DOCUMENTS` documents, and kept as units otherwise.
    """
    model = topic_model_store.selected_topic_model(corpus, params)
    data, fit = model.data, model.fit
    proportions = model.restarts.proportions
    labels = topics.topic_labels(topics.topic_terms(fit, data), params.topics.labels_file)
    k = proportions.shape[1]
    doc_topics = pd.DataFrame(proportions, index=data.units["segment_id"], columns=range(k))
    groups = data.units["group"].astype(str)
    level = params.framing.antmn_level
    n_documents = data.units["doc_id"].nunique()
    if level == "documents" or (level == "auto" and n_documents >= MIN_DOCUMENTS):
        doc_topics, groups = pool_by_document(doc_topics, data.units)
    return doc_topics, groups, labels


def pool_by_document(
    unit_topics: pd.DataFrame, units: pd.DataFrame
) -> tuple[pd.DataFrame, pd.Series]:
    """Document × topic proportions: each unit's proportions weighted by its token count
    (`units["n_tokens"]`, in-vocabulary tokens)."""
    weights = units["n_tokens"].to_numpy(dtype=float)
    weighted = unit_topics.mul(weights, axis=0)
    weighted["doc_id"] = units["doc_id"].to_numpy()
    summed = weighted.groupby("doc_id", sort=False).sum()
    pooled = summed.div(summed.sum(axis=1).replace(0, 1), axis=0)
    first = units.drop_duplicates("doc_id").set_index("doc_id")["group"].astype(str)
    return pooled, first.loc[pooled.index].reset_index(drop=True)


def antmn_frames(corpus, params) -> TopicNetwork:
    """ANTMN frames of the prepared corpus, partitioned or in memory (one notebook step):
    the topic notebook's model, its proportions inferred per partition, correlate, cluster."""
    doc_topics, groups, labels = topic_proportions(corpus, params)
    return topic_network_frames(
        doc_topics,
        groups,
        seed=params.run.seed,
        labels=labels,
        min_correlation=params.framing.antmn_min_correlation,
        resolution=params.framing.antmn_resolution,
    )


def antmn_note(network: TopicNetwork) -> str:
    """What the network supports: how many positive edges and communities it has."""
    n_topics, n_edges = len(network.nodes), len(network.edges)
    n_frames = network.nodes["frame"].nunique()
    if n_edges == 0:
        return (
            f"No pair of the {n_topics} topics has positively correlated proportions, so every "
            "topic is its own community: ANTMN finds no frame larger than a topic here. This is "
            "typical of few documents, or of short units whose topic proportions are nearly "
            "one-hot; it needs a larger corpus (20 or more documents are pooled per document)."
        )
    return (
        f"{n_edges} positive correlations link the {n_topics} topics; Louvain finds "
        f"{n_frames} communities (modularity {network.modularity:.2f}). A modularity below "
        "about 0.3 means the communities are weakly separated."
    )


# Table schemas: the description and columns each table is saved with.
NODE_SCHEMA = {
    "description": (
        "Topics of the model with their ANTMN frame (community), prevalence and network strength."
    ),
    "columns": NODE_COLUMNS,
}

SHARE_SCHEMA = {
    "description": ("Mean share of each ANTMN frame in each source's units."),
    "columns": SHARE_COLUMNS,
}
