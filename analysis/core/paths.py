"""Project paths, anchored at the repository root rather than the working directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
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


def load_researcher_csv(
    path: str | Path,
    what: str,
    parameter: str,
    required: tuple[str, ...],
    renames: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read a researcher-filled CSV (a coded sample, an annotated or intrusion sheet) as
    strings, with the `required` columns; errors name the file and the parameter."""
    path = project_path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found ({parameter})") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputError(
            f"{path}: {what} cannot be read as CSV ({err}); save it as UTF-8 CSV"
        ) from None
    table = table.rename(columns=renames or {})
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {missing}; need {', '.join(required)} ({parameter})"
        )
    return table
