"""Prevalence by source with the topic model's uncertainty (stm-style effect estimates).

`prevalence_effects` regresses every unit's topic proportions on its group (and on the
year, when every unit is dated and the dates span at least `MIN_YEARS` years) with
`analysis.stats.effects`: method of composition over Dirichlet draws from each unit's
posterior and over the restarts, standard errors clustered by document. Groups with a
single document get no interval (a cluster-robust variance needs two clusters).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.figure_style import ordered_groups
from analysis.stats.effects import effect_design, estimate_effects
from analysis.topics.comparison import unit_years
from analysis.topics.restarts import RestartSet

MIN_YEARS = 3
NOT_ESTIMABLE = "not estimable: 1 document"


def year_covariate(
    units: pd.DataFrame, min_years: int = MIN_YEARS
) -> tuple[np.ndarray | None, str]:
    """The units' years when all are dated over at least `min_years` distinct years, else
    None; and a sentence saying which."""
    if "date" not in units.columns:
        return None, "not adjusted for date (the corpus has no dates)"
    years = unit_years(units["date"])
    if years.isna().any():
        return None, f"not adjusted for date ({int(years.isna().sum())} units undated)"
    if years.nunique() < min_years:
        return None, f"not adjusted for date (dates span {years.nunique()} year(s))"
    return years.to_numpy(dtype=float), "adjusted for year (linear)"


def prevalence_effects(
    restarts: RestartSet, units: pd.DataFrame, n_draws: int, seed: int, level: float = 0.95
) -> pd.DataFrame:
    """Effects of the groups on topic prevalence, tidy (see `EFFECTS_SCHEMA`)."""
    if len(units) != restarts.gammas[0].shape[0]:
        raise InputError(f"{len(units)} units but {restarts.gammas[0].shape[0]} rows of topics")
    order = ordered_groups(units["group"])
    rank = {g: i for i, g in enumerate(order)}
    # indicators in the figure order: sort rows' first appearance by that order
    sorter = np.argsort([rank[str(g)] for g in units["group"]], kind="stable")
    years, adjusted = year_covariate(units)
    design = effect_design(
        units["group"].astype(str).to_numpy()[sorter],
        units["doc_id"].astype(str).to_numpy()[sorter],
        None if years is None else years[sorter],
        "year",
    )
    gammas = [g[sorter] for g in restarts.gammas]
    table = estimate_effects(gammas, design, n_draws, seed, level)
    docs = units.groupby(units["group"].astype(str))["doc_id"].nunique()
    table["n_documents"] = table["group"].map(docs).fillna(units["doc_id"].nunique()).astype(int)
    single = table["n_documents"] < 2
    table.loc[single, ["ci_low", "ci_high", "std_error"]] = np.nan
    table["interval"] = np.where(single, NOT_ESTIMABLE, "documents, posterior, restarts")
    table["n_restarts"] = len(restarts.fits)
    table["adjusted_for"] = adjusted
    return table.drop(columns="n_clusters")


def effects_caption(effects: pd.DataFrame, n_draws: int) -> str:
    """Caption of the effects figure."""
    restarts = int(effects["n_restarts"].iloc[0])
    single = sorted(effects.loc[effects["interval"] == NOT_ESTIMABLE, "group"].unique())
    text = (
        f"Expected topic proportion per source (cell-means regression, "
        f"{effects['adjusted_for'].iloc[0]}) with 95% intervals from {n_draws} draws "
        f"over the topic posterior and {restarts} restart(s), standard errors clustered by "
        "document."
    )
    if single:
        text += f" {', '.join(single)}: one document, no interval (open marker)."
    return text


EFFECTS_SCHEMA = {
    "description": (
        "Effect of the comparison group on topic prevalence: regression of unit topic "
        "proportions on group indicators (and year), method of composition over posterior "
        "draws and restarts, CR1 standard errors clustered by document."
    ),
    "columns": {
        "topic": "topic id (0..K-1, as fitted by the chosen restart)",
        "group": "comparison group ('' for the year slope)",
        "estimand": "proportion: expected topic proportion of the group's units; contrast: "
        "that minus the mean of the other groups; slope: change per year",
        "estimate": "mean over the composition draws",
        "std_error": "SD over the composition draws (empty: 1 document)",
        "ci_low": "2.5% percentile of the draws (empty: 1 document)",
        "ci_high": "97.5% percentile of the draws (empty: 1 document)",
        "n_documents": "documents in the group (all documents for the slope)",
        "interval": "what the interval covers, or why it is not estimable",
        "n_restarts": "restarts the draws were spread over",
        "adjusted_for": "whether the regression includes the year",
    },
}
