"""Keeping the pipeline's notebooks free of outputs, in git and on disk.

Two guards, both installed by `make lab`:

- `pre_save_hook`: JupyterLab (the server's contents manager) strips outputs, execution
  counts and widget state from notebooks/<name>.ipynb whenever it saves one, autosave
  included. The researcher keeps seeing the outputs in the open tab; the file on disk,
  and so `git status`, stays clean. Copies (`*-Copy*.ipynb`, `notebooks/scratch/`) are
  git-ignored and keep their outputs.
- the git clean filter (`python3 analysis/run/strip.py`, named in .gitattributes) for a
  notebook saved by anything else: what is staged or committed has no outputs, as with
  nbstripout. (Git may then list such a file as modified until `git add`, which stages
  nothing new.)

Standard library only, so that git can run the filter without the project's environment.
"""

from __future__ import annotations

import json
import sys

CELL_METADATA_KEPT = ("tags",)
NOTEBOOK_METADATA_KEPT = ("kernelspec", "language_info")


def strip_notebook(nb: dict) -> dict:
    """The notebook as committed: code cells without outputs or counts, only the cell
    metadata that means something (tags), notebook metadata reduced to the kernel."""
    for cell in nb.get("cells", []):
        cell["metadata"] = {
            k: v for k, v in cell.get("metadata", {}).items() if k in CELL_METADATA_KEPT
        }
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        if "attachments" in cell and not cell["attachments"]:
            del cell["attachments"]
    meta = {k: v for k, v in nb.get("metadata", {}).items() if k in NOTEBOOK_METADATA_KEPT}
    if "language_info" in meta:
        meta["language_info"] = {"name": meta["language_info"].get("name", "python")}
    nb["metadata"] = meta
    return nb


def strip_text(text: str) -> str:
    """Strip notebook JSON text and write it as JupyterLab does (sorted keys, indent 1)."""
    nb = strip_notebook(json.loads(text))
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def is_pipeline_notebook(path: str) -> bool:
    """notebooks/<name>.ipynb, tracked in git (not a copy, not in a subfolder)."""
    parts = path.strip("/").split("/")
    return (
        len(parts) == 2
        and parts[0] == "notebooks"
        and parts[1].endswith(".ipynb")
        and "-Copy" not in parts[1]
    )


def pre_save_hook(model: dict, path: str, contents_manager: object = None, **kwargs) -> None:
    """Jupyter server pre-save hook (`--ContentsManager.pre_save_hook=...`): strip the
    pipeline's notebooks before they are written (paths relative to the server root)."""
    if model.get("type") == "notebook" and is_pipeline_notebook(path):
        strip_notebook(model["content"])


def main() -> int:
    """Filter stdin to stdout; text that is not a notebook passes through unchanged."""
    text = sys.stdin.buffer.read().decode("utf-8")
    try:
        out = strip_text(text)
    except (ValueError, AttributeError, TypeError):
        out = text
    sys.stdout.buffer.write(out.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
