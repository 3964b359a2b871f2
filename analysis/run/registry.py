"""The pipeline's notebooks and the parameter sections each one's results depend on."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from analysis.core.params import ParameterError, Params
from analysis.core.paths import PROJECT_ROOT, project_path

# Key of the execute-request metadata the pipeline's papermill engine adds next to the
# standard "cellId" (which JupyterLab sends too): the absolute path of the source notebook.
NOTEBOOK_METADATA_KEY = "discourseLabNotebook"
BASE_SECTIONS = ("corpus", "cleaning", "segments", "preprocess", "run")
ALL_SECTIONS = tuple(f.name for f in dataclasses.fields(Params))


@dataclass(frozen=True)
class NotebookSpec:
    """A notebook of the pipeline, the parameter sections its results depend on, and the
    notebooks that must have run before it starts (`after`: it uses what they cache)."""

    name: str
    sections: tuple[str, ...]
    path: Path
    after: tuple[str, ...] = ()

    @classmethod
    def declared(cls, name: str, extra: tuple[str, ...] = ()) -> NotebookSpec:
        path = PROJECT_ROOT / "notebooks" / f"{name}.ipynb"
        return cls(name, BASE_SECTIONS + extra, path)


# The pipeline, in the order notebooks start; the source of truth for what a full run
# produces. They may all run at once: 20_framing's topic networks (its last section) use
# the topic model of 10_topics, fitted once under the cache entry's lock
# (`analysis.topics.store`), so whichever asks second waits and reads it.
DECLARED_NOTEBOOKS = (
    NotebookSpec.declared("00_corpus"),
    NotebookSpec.declared("10_topics", ("topics",)),
    NotebookSpec.declared("20_framing", ("topics", "framing")),
    NotebookSpec.declared("30_sources", ("sources",)),
)


def notebooks_in(folder: str | Path) -> tuple[NotebookSpec, ...]:
    """Every notebook of a folder, in name order, each depending on all parameter sections
    and run after the one before it (one at a time: what they share is not declared).

    For running your own notebooks (and test fixtures) instead of the declared pipeline.
    """
    folder = project_path(folder)
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise ParameterError(f"--notebooks {folder}: no .ipynb files there")
    after = [()] + [(p.stem,) for p in paths[:-1]]
    pairs = zip(paths, after, strict=True)
    return tuple(NotebookSpec(p.stem, ALL_SECTIONS, p.resolve(), a) for p, a in pairs)
