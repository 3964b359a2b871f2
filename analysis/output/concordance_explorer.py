"""The concordance explorer: KWIC lines for a term, filtered by source, sorted, paged.

`concordance_view`, `sort_lines` and `page_of` decide what is shown (plain DataFrames);
`ConcordanceExplorer` only wires ipywidgets controls to them. The lines come from
`analysis.sources.concordance.concordance`, the function the figures count with.

On the partitioned corpus (`CorpusLines`) every search runs partition by partition on the
scheduler (`analysis.sources.concordance.corpus_concordance`) and keeps the first
`EXPLORER_LINES_PER_GROUP` lines of each source in corpus order (the status line says
when a source has more); the hit counts cover every line.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

import ipywidgets as widgets
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.figure_style import ordered_groups
from analysis.core.params import Params
from analysis.corpus.patterns import TermError
from analysis.corpus.prepare import PartitionedCorpus
from analysis.output.show import kwic_html
from analysis.sources.concordance import concordance, corpus_concordance

ALL_SOURCES = "all sources"
KWIC_COLUMNS = ["group", "unit_id", "left", "match", "right"]
SORT_ORDERS = {
    "corpus order": "as the units come in the corpus",
    "word before": "by the word just before the keyword, then the one before that",
    "word after": "by the word just after the keyword, then the next",
    "source": "by source, then corpus order",
}
WIDE_LABELS = {"description_width": "initial"}  # labels never cut ("window (…")
EXPLORER_LINES_PER_GROUP = 500  # lines per source a search of the partitioned corpus keeps


def concordance_view(
    units: pd.DataFrame,
    term: str,
    source: str = ALL_SOURCES,
    window: int = 8,
    id_column: str = "segment_id",
) -> pd.DataFrame:
    """KWIC lines for `term` in the units of one source (or all): group, unit_id, left,
    match, right, in corpus order. An empty term gives an empty table; a term the
    project's term syntax rejects raises `TermError` (a ValueError) saying why."""
    if not str(term).strip():
        return pd.DataFrame(columns=KWIC_COLUMNS)
    if source != ALL_SOURCES:
        check_source(source, ordered_groups(units["group"]))
        units = units[units["group"].astype(str) == source]
    lines = concordance(units, str(term).strip(), window=window, id_column=id_column)
    return lines[KWIC_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class FrameLines:
    """The lines of a units table held in memory (`concordance_view`)."""

    units: pd.DataFrame
    id_column: str = "segment_id"

    @property
    def groups(self) -> list[str]:
        return ordered_groups(self.units["group"])

    def lines(self, term: str, source: str, window: int) -> tuple[pd.DataFrame, int]:
        """(lines, number of hits) of `term` in `source` (or all sources)."""
        lines = concordance_view(self.units, term, source, window, self.id_column)
        return lines, len(lines)


@dataclass(frozen=True)
class CorpusLines:
    """The lines of the partitioned corpus, searched partition by partition on the
    scheduler of `params`, at most `per_group` per source (the first in corpus order)."""

    corpus: PartitionedCorpus
    params: Params
    unit: str = "segment"
    per_group: int = EXPLORER_LINES_PER_GROUP

    @property
    def groups(self) -> list[str]:
        return ordered_groups(self.corpus.groups)

    def lines(self, term: str, source: str, window: int) -> tuple[pd.DataFrame, int]:
        """(first lines, number of hits) of `term` in `source` (or all sources)."""
        if not str(term).strip():
            return pd.DataFrame(columns=KWIC_COLUMNS), 0
        check_source(source, self.groups)
        found = corpus_concordance(
            self.corpus, self.params, [str(term).strip()], window, self.per_group,
            self.unit, None if source == ALL_SOURCES else source,
        )  # fmt: skip
        lines = found.lines[KWIC_COLUMNS].reset_index(drop=True)
        return lines, int(found.counts["hits"].sum())


def check_source(source: str, groups: list[str]) -> None:
    """An InputError naming the choices unless `source` is a group or ALL_SOURCES."""
    if source != ALL_SOURCES and source not in groups:
        raise InputError(
            f"source {source!r} is not a group of this corpus; choose one of "
            f"{[ALL_SOURCES, *groups]}"
        )


def _words_key(texts: pd.Series, reverse: bool) -> pd.Series:
    """Sort key: the words nearest the keyword first, lower-cased."""
    words = texts.astype(str).str.lower().str.split()
    return words.map(lambda w: " ".join(reversed(w)) if reverse else " ".join(w))


def sort_lines(lines: pd.DataFrame, order: str) -> pd.DataFrame:
    """KWIC lines in one of `SORT_ORDERS` (stable: ties keep corpus order)."""
    if order not in SORT_ORDERS:
        raise InputError(f"sort order {order!r}: choose one of {list(SORT_ORDERS)}")
    if order == "corpus order" or lines.empty:
        return lines.reset_index(drop=True)
    if order == "source":
        key = lines["group"].astype(str)
    else:
        before = order == "word before"
        key = _words_key(lines["left" if before else "right"], reverse=before)
    position = key.sort_values(kind="stable").index
    return lines.loc[position].reset_index(drop=True)


def page_count(n_lines: int, page_size: int) -> int:
    """Number of pages (at least 1, so that an empty result has a page 1)."""
    if page_size < 1:
        raise InputError(f"page_size = {page_size}: show at least 1 line per page")
    return max(1, -(-n_lines // page_size))


def page_of(lines: pd.DataFrame, page: int, page_size: int) -> pd.DataFrame:
    """Lines of 1-based `page` (clamped to the pages there are)."""
    page = min(max(1, page), page_count(len(lines), page_size))
    return lines.iloc[(page - 1) * page_size : page * page_size]


def count_message(lines: pd.DataFrame, term: str, source: str) -> str:
    """'12 lines for 'peace' across 2 sources' (or 'in <source>')."""
    count = f"{len(lines):,} line{'s' if len(lines) != 1 else ''} for {term!r}"
    if source != ALL_SOURCES:
        return f"{count} in {source}"
    groups = lines["group"].nunique()
    return f"{count} across {groups} source{'s' if groups != 1 else ''}"


class ConcordanceExplorer(widgets.VBox):
    """Term box, source menu, window slider, sort menu and pager over `concordance_view`.

    `table` holds all lines for the controls (sorted), `shown` the current page,
    `message` what the status line says.
    """

    def __init__(
        self,
        units: pd.DataFrame | FrameLines | CorpusLines,
        term: str = "",
        window: int = 8,
        id_column: str = "segment_id",
        page_size: int = 30,
    ) -> None:
        if isinstance(units, pd.DataFrame):
            units = FrameLines(units, id_column)
        self.search, self.id_column, self.page_size = units, id_column, page_size
        page_count(0, page_size)  # validates page_size
        self.term = widgets.Text(
            value=term, description="term", placeholder="word, stem* or phrase",
            continuous_update=False, style=WIDE_LABELS,
        )  # fmt: skip
        self.source = widgets.Dropdown(
            options=[ALL_SOURCES, *units.groups],
            description="source", style=WIDE_LABELS,
        )  # fmt: skip
        self.window = widgets.IntSlider(
            value=window, min=0, max=max(25, window), description="context (words)",
            style=WIDE_LABELS,
        )  # fmt: skip
        self.order = widgets.Dropdown(
            options=list(SORT_ORDERS), description="sort by", style=WIDE_LABELS
        )
        self.previous = widgets.Button(description="◀ previous", layout={"width": "auto"})
        self.next = widgets.Button(description="next ▶", layout={"width": "auto"})
        self.status, self.lines = widgets.HTML(), widgets.HTML()
        self.page = 1
        self.table = pd.DataFrame(columns=KWIC_COLUMNS)
        self.shown = self.table
        self.message = ""
        for control in (self.term, self.source, self.window, self.order):
            control.observe(self._on_change, names="value")
        self.previous.on_click(lambda _b: self.turn(-1))
        self.next.on_click(lambda _b: self.turn(+1))
        wrap = widgets.Layout(flex_flow="row wrap", align_items="center")
        super().__init__(
            [
                widgets.HBox([self.term, self.source, self.window, self.order], layout=wrap),
                widgets.HBox([self.previous, self.next, self.status], layout=wrap),
                self.lines,
            ]
        )
        self.add_class("dl-concordance")  # for the browser tests and custom CSS
        self.status.add_class("dl-status")
        self.lines.add_class("dl-lines")
        self.order.add_class("dl-sort")
        self.next.add_class("dl-next")
        self.refresh()

    def _on_change(self, _change: dict[str, Any]) -> None:
        self.page = 1
        self.refresh()

    def turn(self, step: int) -> None:
        """Go `step` pages forward (or back), staying within the pages there are."""
        pages = page_count(len(self.table), self.page_size)
        self.page = min(max(1, self.page + step), pages)
        self.draw()

    def refresh(self) -> None:
        """Recompute the lines for the current controls and redraw."""
        term = self.term.value.strip()
        try:
            lines, hits = self.search.lines(term, self.source.value, self.window.value)
        except TermError as err:
            self.table, self.message = pd.DataFrame(columns=KWIC_COLUMNS), str(err)
        else:
            self.table = sort_lines(lines, self.order.value)
            self.message = (
                count_message(self.table, term, self.source.value)
                if term
                else "Type a term: a word, a stem ending in * or a phrase."
            )
            if hits > len(lines):
                self.message += f" (the first of each source; {hits:,} in all)"
        self.draw()

    def draw(self) -> None:
        """Show the current page of `table`."""
        pages = page_count(len(self.table), self.page_size)
        self.shown = page_of(self.table, self.page, self.page_size)
        where = ""
        if len(self.table) > self.page_size:
            first = (self.page - 1) * self.page_size + 1
            last = first + len(self.shown) - 1
            where = f"; lines {first:,}–{last:,} (page {self.page} of {pages})"
        self.status.value = f"<span>{escape(self.message + where)}</span>"
        self.previous.disabled = self.page <= 1
        self.next.disabled = self.page >= pages
        self.lines.value = kwic_html(self.shown) if len(self.shown) else ""


def concordance_explorer(
    corpus: Any,
    term: str = "",
    window: int = 8,
    unit: str = "segment",
    page_size: int = 30,
    params: Params | None = None,
) -> ConcordanceExplorer:
    """Interactive KWIC lines over a corpus's segments (`unit="segment"`) or whole
    documents (`unit="document"`); `window` is in running words as in the figures
    (pass `run.params.sources.context_window` to start from the project's setting).
    A PartitionedCorpus is searched per partition on the scheduler of `params`
    (`CorpusLines`); a PreparedCorpus in memory."""
    if isinstance(corpus, PartitionedCorpus):
        if unit not in ("segment", "document"):
            raise InputError(f"unit = {unit!r}: use 'segment' or 'document'")
        lines = CorpusLines(corpus, params or Params(), unit)
        return ConcordanceExplorer(lines, term, window, page_size=page_size)
    if unit == "segment":
        return ConcordanceExplorer(corpus.segments, term, window, "segment_id", page_size)
    if unit == "document":
        return ConcordanceExplorer(corpus.documents, term, window, "doc_id", page_size)
    raise InputError(f"unit = {unit!r}: use 'segment' or 'document'")
