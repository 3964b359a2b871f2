"""Project paths, anchored at the repository root rather than the working directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from analysis.core.errors import InputError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
PROJECT_ROOT = PACKAGE_ROOT.parent
RESOURCES = PACKAGE_ROOT / "resources"


def project_path(path: str | Path) -> Path:
    """Resolve a path from the parameters: absolute as given, relative to the project root."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def load_versioned_yaml(
    path: str | Path, section: str, what: str, parameter: str
) -> dict[str, Any]:
    """Read a researcher-edited YAML resource: a mapping with a `version` and a non-empty
    `section` mapping. Errors name the file and the parameter that points at it."""
    path = project_path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found ({parameter})") from None
    except yaml.YAMLError as err:
        raise InputError(f"{path}: not valid YAML ({err})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get(section), dict) or not raw[section]:
        raise InputError(f"{path}: expected a mapping with a non-empty '{section}:' mapping")
    if not str(raw.get("version", "")).strip():
        raise InputError(f"{path}: add a 'version:' field so results record which {what}")
    return raw
