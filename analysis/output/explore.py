"""Interactive exploration in JupyterLab: a concordance explorer, a topic browser, tables,
and the self-contained HTML views (topic map, keyness explorer).

A scheduled run needs none of the widgets; a researcher's first hour does. Each explorer is
two layers: pure functions that decide what to show and return DataFrames, and a thin
ipywidgets panel that wires controls to them. The pure layer is built on the same functions
as the figures, so what you read here is what the figures counted, with the same topic ids.

    from analysis.output.explore import concordance_explorer, topic_browser, show_table
    concordance_explorer(corpus)              # term, source, context, sort order, pages
    topic_browser(fit, corpus, labels)        # topic menu, relevance λ slider, passages
    show_table(df)                            # a readable, bounded table

This module only gathers the public names; each lives in its own module.
"""

from analysis.output.concordance_explorer import (
    ALL_SOURCES,
    KWIC_COLUMNS,
    SORT_ORDERS,
    ConcordanceExplorer,
    concordance_explorer,
    concordance_view,
    page_of,
    sort_lines,
)
from analysis.output.show import kwic_html, show_table
from analysis.output.topic_browser import (
    PASSAGE_COLUMNS,
    TERM_COLUMNS,
    TopicBrowser,
    TopicView,
    topic_browser,
    topic_passages_view,
    topic_terms_view,
    topic_view,
)

__all__ = [
    "ALL_SOURCES",
    "KWIC_COLUMNS",
    "PASSAGE_COLUMNS",
    "SORT_ORDERS",
    "TERM_COLUMNS",
    "ConcordanceExplorer",
    "TopicBrowser",
    "TopicView",
    "concordance_explorer",
    "concordance_view",
    "kwic_html",
    "page_of",
    "show_table",
    "sort_lines",
    "topic_browser",
    "topic_passages_view",
    "topic_terms_view",
    "topic_view",
]
