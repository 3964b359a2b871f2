"""Project paths, anchored at the repository root rather than the working directory."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESOURCES = Path(__file__).resolve().parent / "resources"


def project_path(path: str | Path) -> Path:
    """Resolve a path from the parameters: absolute as given, relative to the project root."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path
