"""The pipeline's notebooks and the parameter sections each one's results depend on."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from analysis.core.params import ParameterError, Params
from analysis.core.paths import PROJECT_ROOT, project_path

BASE_SECTIONS = ("corpus", "cleaning", "segments", "preprocess", "run")
ALL_SECTIONS = tuple(f.name for f in dataclasses.fields(Params))


@dataclass(frozen=True)
class NotebookSpec:
    """A notebook of the pipeline and the parameter sections its results depend on."""

    name: str
    sections: tuple[str, ...]
    path: Path

    @classmethod
    def declared(cls, name: str, extra: tuple[str, ...] = ()) -> NotebookSpec:
        path = PROJECT_ROOT / "notebooks" / f"{name}.ipynb"
        return cls(name, BASE_SECTIONS + extra, path)


# The pipeline, in execution order; the source of truth for what a full run produces.
DECLARED_NOTEBOOKS = (
    NotebookSpec.declared("00_corpus"),
    NotebookSpec.declared("10_topics", ("topics",)),
    NotebookSpec.declared("20_framing", ("topics", "framing")),
    NotebookSpec.declared("30_sources", ("sources",)),
)


def notebooks_in(folder: str | Path) -> tuple[NotebookSpec, ...]:
    """Every notebook of a folder, in name order, each depending on all parameter sections.

    For running your own notebooks (and test fixtures) instead of the declared pipeline.
    """
    folder = project_path(folder)
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise ParameterError(f"--notebooks {folder}: no .ipynb files there")
    return tuple(NotebookSpec(p.stem, ALL_SECTIONS, p.resolve()) for p in paths)
