"""Self-contained interactive HTML views: one file with its data, script and style inline.

No CDN, no server, no Python needed to open it: a researcher can attach the file to an
e-mail or to a paper's supplementary material. The bytes are deterministic (JSON with
sorted keys and rounded numbers, no dates), so a rerun on the same inputs writes the same
file. The static figures stay the citable ones; a view carries the same provenance.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from analysis.core.errors import InputError
from analysis.core.provenance import atomic_write_text, sha256_bytes
from analysis.output.figures import validate_figure_id
from analysis.output.show import KWIC_CSS

ASSETS = files("analysis.output") / "assets"
SIGNIFICANT_DIGITS = 6


@dataclass(frozen=True)
class SavedView:
    """Where an HTML view was written and its sha256."""

    view_id: str
    path: Path
    sha256: str

    def _ipython_display_(self) -> None:
        """Nothing to show: the notebook already displayed the view itself."""


def rounded(value: Any, digits: int = SIGNIFICANT_DIGITS) -> Any:
    """Numbers (also inside lists and dicts) to `digits` significant digits, as plain
    Python floats: stable across platforms and compact in the page."""
    if isinstance(value, dict):
        return {str(k): rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [rounded(v, digits) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return None
        return float(f"{number:.{digits}g}")
    return value


def view_json(data: Any) -> str:
    """JSON to embed in a <script> element: sorted keys, rounded numbers, no "</"."""
    text = json.dumps(
        rounded(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text.replace("</", "<\\/")


def asset(name: str) -> str:
    """The text of a file in analysis/output/assets/ (scripts and style of the views)."""
    return (ASSETS / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class HtmlView:
    """An interactive view before it is written: its title, data and script (an asset)."""

    title: str
    data: dict[str, Any]
    script: str  # file name in analysis/output/assets/

    def page(self, provenance: dict[str, Any] | None = None) -> str:
        """The complete, self-contained HTML document (provenance shown in its footer)."""
        data = {**self.data, "title": self.title, "provenance": provenance or {}}
        return standalone_page(self.title, data, asset(self.script))

    def _repr_html_(self) -> str:
        """Shown in a notebook cell (without saving): the page in an iframe."""
        return iframe_html(self.page())


def standalone_page(title: str, data: dict[str, Any], script: str) -> str:
    """A complete HTML document: the shared style, `data` as JSON and `script` inline."""
    if not title.strip():
        raise InputError("an HTML view needs a title")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>\n{asset('view.css')}{KWIC_CSS}\n</style>\n</head>\n<body>\n"
        '<div id="dl-app"></div>\n'
        f'<script type="application/json" id="dl-data">{view_json(data)}</script>\n'
        f"<script>\n{asset('view.js')}{script}</script>\n"
        "</body>\n</html>\n"
    )


def write_view(page: str, view_id: str, out_dir: str | Path) -> SavedView:
    """Write <out_dir>/<view_id>.html atomically."""
    validate_figure_id(view_id)
    path = atomic_write_text(Path(out_dir) / f"{view_id}.html", page)
    return SavedView(view_id, path, sha256_bytes(page.encode("utf-8")))


def iframe_html(page: str, height: int = 720) -> str:
    """The page inside an <iframe srcdoc> for a notebook output (isolated style/script)."""
    return (
        f'<iframe srcdoc="{escape(page, quote=True)}" class="dl-view" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ddd" '
        'sandbox="allow-scripts"></iframe>'
    )
