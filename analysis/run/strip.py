"""Git clean filter that keeps notebooks free of outputs in the repository.

    git config filter.discourse-lab-notebook.clean "python3 analysis/run/strip.py"

(`make lab` installs it; .gitattributes applies it to notebooks/*.ipynb.) Git pipes the
working-tree notebook through it whenever it compares or stages the file, so outputs,
execution counts, widget state and run metadata that JupyterLab autosaves never reach
`git status`, `git diff` or a commit; the file on disk keeps them. Standard library only,
so the filter runs before (and without) the project's environment, like nbstripout.
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
