"""The one object every notebook uses: parameters, the prepared corpus, and saving outputs.

    run = open_notebook_run("10_topics", params_file, overrides, output_dir)
    corpus = run.corpus()
    run.save_figure(fig, "topics-prevalence-by-source", caption="...")
    run.save_table(df, "topic-prevalence", description="...", columns={...})
    run.note("...")

The same code runs interactively (JupyterLab) and under the pipeline (papermill); only
the output folder differs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis.core.errors import InputError
from analysis.core.figure_style import apply_style
from analysis.core.params import Params, load_params
from analysis.core.paths import PROJECT_ROOT, project_path
from analysis.core.provenance import (
    code_hash,
    corpus_fingerprint,
    notebook_source_hash,
    package_versions,
    params_hash,
    relative_to_root,
)
from analysis.core.table_parts import TableParts
from analysis.corpus.prepare import PartitionedCorpus, partitioned_corpus
from analysis.output.figures import SavedFigure, write_figure
from analysis.output.html_view import HtmlView, SavedView, iframe_html, write_view
from analysis.output.show import show_table
from analysis.output.tables import SavedTable, write_table
from analysis.run.registry import DECLARED_NOTEBOOKS, NOTEBOOK_METADATA_KEY

TABLE_ROWS_SHOWN = 20


@dataclass
class NotebookRun:
    """Parameters and output folder of one notebook execution; saves figures and tables."""

    notebook: str
    params: Params
    output_dir: Path
    _corpus: Any = field(default=None, repr=False)
    _fingerprint: str | None = field(default=None, repr=False)

    @property
    def figures_dir(self) -> Path:
        return self.output_dir / "figures"

    @property
    def tables_dir(self) -> Path:
        return self.output_dir / "tables"

    def corpus(self) -> PartitionedCorpus:
        """The prepared corpus of these parameters, on disk (analysis.corpus.prepare builds
        or reuses it); analyses read it partition by partition."""
        if self._corpus is None:
            self._corpus = partitioned_corpus(self.params)
        return self._corpus

    @property
    def fingerprint(self) -> str:
        """Corpus fingerprint: the prepared corpus's, or computed from the parameters."""
        if self._corpus is not None and getattr(self._corpus, "fingerprint", None):
            return self._corpus.fingerprint
        if self._fingerprint is None:
            self._fingerprint = corpus_fingerprint(self.params)
        return self._fingerprint

    def save_figure(self, fig: Figure, figure_id: str, caption: str) -> SavedFigure:
        """Write figures/<id>.pdf/.svg/.png + <id>.json (provenance), display it, close it."""
        origin = self._origin()
        stable = {
            "figure": figure_id,
            "corpus_fingerprint": origin["corpus_fingerprint"],
            "params_sha256": origin["params_sha256"],
        }
        saved = write_figure(fig, figure_id, caption, self.figures_dir, origin, stable)
        _display_png(saved.paths["png"].read_bytes(), display_width(saved))
        return saved

    def save_table(
        self,
        table: pd.DataFrame | TableParts,
        table_id: str,
        description: str,
        columns: dict[str, str],
    ) -> SavedTable:
        """Write tables/<id>.csv (deterministic) and <id>.schema.json; display the head.

        A table of more than `run.table_preview_rows` rows is written whole as
        tables/<id>.parquet, and the CSV holds its first rows (analysis.output.tables);
        `TableParts` (a table that grows with the corpus) are written part by part."""
        origin = self._origin()
        origin.pop("parameters")  # the schema names the parameters by hash only
        cap = self.params.run.table_preview_rows
        saved = write_table(table, table_id, description, columns, self.tables_dir, origin, cap)
        head = table.head(TABLE_ROWS_SHOWN) if isinstance(table, TableParts) else table
        shown = show_table(head, TABLE_ROWS_SHOWN, caption=table_id, n_rows=saved.n_rows)
        _display(shown)
        if saved.parquet is not None:
            _display_markdown(
                f"`{table_id}`: {saved.n_rows:,} rows, more than `run.table_preview_rows` "
                f"({cap:,}); written whole as `{saved.parquet.name}` beside a CSV of the "
                f"first {cap:,} (`pandas.read_parquet(...)` reads the whole)."
            )
        return saved

    def save_view(self, view: HtmlView, view_id: str, height: int = 760) -> SavedView:
        """Write figures/<id>.html, one self-contained interactive page (published with the
        figures; the static figures stay the citable ones), and show it in the notebook."""
        origin = self._origin()
        origin.pop("parameters")  # named by hash, as for tables
        origin.pop("versions")
        page = view.page({"view": view_id, **origin})
        saved = write_view(page, view_id, self.figures_dir)
        _display_html(iframe_html(page, height))
        return saved

    def note(self, markdown_text: str) -> None:
        """Display a computed, data-dependent remark (e.g. a caveat about small groups)."""
        _display_markdown(markdown_text)

    def _origin(self) -> dict[str, Any]:
        """Provenance shared by figures and tables: where, with what, from which corpus."""
        source = notebook_source_path(self.notebook)
        cell_id = current_cell_id()
        resolved = parameters_of(self.notebook, self.params)
        return {
            "notebook": relative_to_root(source) if source else self.notebook,
            "cell": {"id": cell_id, "index": cell_index(source, cell_id)},
            "parameters": resolved,
            "params_sha256": params_hash(resolved),
            "corpus_fingerprint": self.fingerprint,
            "versions": package_versions(),
            "code": {
                "analysis_sha256": code_hash(),
                "notebook_sha256": notebook_source_hash(source) if source else None,
            },
        }


def parameters_of(notebook: str, params: Params) -> dict[str, Any]:
    """The parameter sections a notebook's results depend on (all, for a notebook outside
    the declared pipeline). Only these go into its figures, so that changing, say, a topic
    setting neither changes the corpus figures nor disagrees with their skipped re-run."""
    resolved = params.to_dict()
    resolved["run"] = {"seed": resolved["run"]["seed"]}  # time limits, cache, scheduler: no effect
    sections = {spec.name: spec.sections for spec in DECLARED_NOTEBOOKS}.get(notebook)
    return {name: resolved[name] for name in sections} if sections else resolved


def open_notebook_run(
    notebook: str,
    params_file: str | os.PathLike = "",
    overrides: dict[str, Any] | None = None,
    output_dir: str | os.PathLike = "",
) -> NotebookRun:
    """Validate the parameters and prepare the output folder of one notebook.

    `params_file` "" means params/default.yaml; `output_dir` "" means
    runs/interactive/<name>. Relative paths are taken from the project root. The name is
    the executing notebook's own (`run_name`): a copy such as `10_topics-Copy1.ipynb` or
    `scratch/10_topics.ipynb` is cited as itself and writes to its own folder.
    """
    if not notebook or "/" in str(notebook):
        raise InputError(f"notebook {notebook!r}: pass the notebook's name, e.g. '10_topics'")
    executing = executing_notebook()
    if executing is not None:
        notebook = run_name(executing)
    params_path = project_path(params_file) if str(params_file) else None
    params = load_params(params_path, dict(overrides or {}))
    out = (
        project_path(output_dir)
        if str(output_dir)
        else PROJECT_ROOT / "runs" / "interactive" / notebook
    )
    out.mkdir(parents=True, exist_ok=True)
    apply_style()
    return NotebookRun(notebook=notebook, params=params, output_dir=out)


def _kernel_parent() -> dict[str, Any]:
    """The request message of the cell being executed ({} outside a Jupyter kernel)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return {}
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return {}
    try:
        return kernel.get_parent() or {}
    except Exception:  # noqa: BLE001 - never fail a figure over provenance lookup
        return {}


def current_cell_id() -> str | None:
    """The nbformat id of the executing cell (JupyterLab and our papermill engine send it)."""
    return (_kernel_parent().get("metadata") or {}).get("cellId")


def notebook_source_path(notebook: str) -> Path | None:
    """The .ipynb being executed (told by the pipeline or by Jupyter) if it is `notebook`,
    else notebooks/<notebook>.ipynb if that exists."""
    executing = executing_notebook()
    if executing is not None and run_name(executing) == notebook:
        return executing
    default = PROJECT_ROOT / "notebooks" / f"{notebook}.ipynb"
    return default if default.is_file() else None


def executing_notebook() -> Path | None:
    """The .ipynb file this kernel executes, as the pipeline or Jupyter says (else None)."""
    candidates = [
        (_kernel_parent().get("metadata") or {}).get(NOTEBOOK_METADATA_KEY),
        os.environ.get("JPY_SESSION_NAME"),
    ]
    for candidate in candidates:
        if candidate and str(candidate).endswith(".ipynb"):
            path = project_path(candidate)
            if path.is_file():
                return path
    return None


def run_name(source: Path) -> str:
    """A notebook's name in provenance and runs/interactive/: its path below notebooks/
    (or the project root) without `.ipynb`, folders joined by '-' ("scratch-10_topics")."""
    source = source.resolve()
    for base in (PROJECT_ROOT / "notebooks", PROJECT_ROOT):
        if source.is_relative_to(base):
            return "-".join(source.relative_to(base).with_suffix("").parts)
    return source.stem


def cell_index(source: Path | None, cell_id: str | None) -> int | None:
    """Position of the cell with `cell_id` in the source notebook (None if unknown)."""
    if source is None or cell_id is None:
        return None
    try:
        cells = json.loads(source.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return None
    for index, cell in enumerate(cells):
        if cell.get("id") == cell_id:
            return index
    return None


def display_width(saved: SavedFigure) -> int:
    """Display width in screen pixels for a 300-dpi PNG (shown at 100 dpi)."""
    from PIL import Image

    with Image.open(saved.paths["png"]) as image:
        return max(1, image.width // 3)


def _ipython_kernel() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return getattr(get_ipython(), "kernel", None)


def _display(obj: Any) -> None:
    if _ipython_kernel() is None:
        return
    from IPython.display import display

    display(obj)


def _display_png(data: bytes, width: int) -> None:
    if _ipython_kernel() is None:
        return
    from IPython.display import Image, display

    display(Image(data=data, format="png", width=width))


def _display_html(html: str) -> None:
    if _ipython_kernel() is None:
        return
    from IPython.display import display

    display({"text/html": html}, raw=True)  # raw: IPython's HTML() warns about an iframe


def _display_markdown(text: str) -> None:
    if _ipython_kernel() is None:
        print(text)
        return
    from IPython.display import Markdown, display

    display(Markdown(text))
