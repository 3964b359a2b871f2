"""Saving a figure as citable, byte-reproducible files: PDF, SVG, PNG and a JSON sidecar.

Only stable values (figure id, corpus fingerprint, parameter hash) go inside the image
files; the commit, the versions and everything else go into the sidecar.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from analysis.core.errors import InputError
from analysis.core.figure_style import apply_style
from analysis.core.provenance import (
    atomic_write_bytes,
    atomic_write_text,
    canonical_json,
    sha256_bytes,
)

FIGURE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FORMATS = ("pdf", "svg", "png")
PNG_DPI = 300
CREATOR = "Discourse Lab"


class FigureError(InputError):
    """A figure cannot be saved as asked (bad id, missing caption, not a figure)."""


@dataclass(frozen=True)
class SavedFigure:
    """Where a figure was written and the sha256 of each image file."""

    figure_id: str
    paths: dict[str, Path]
    sha256: dict[str, str]
    sidecar: Path

    def _ipython_display_(self) -> None:
        """Nothing to echo in a notebook: save_figure already showed the figure."""


def validate_figure_id(figure_id: str) -> str:
    """Figure ids are stable kebab-case names such as 'topics-prevalence-by-source'."""
    if not isinstance(figure_id, str) or not FIGURE_ID.match(figure_id):
        raise FigureError(
            f"figure id {figure_id!r}: use lower-case kebab-case letters and digits, "
            "e.g. 'topics-prevalence-by-source'"
        )
    return figure_id


def image_metadata(fmt: str, figure_id: str, stable: dict[str, str]) -> dict[str, Any]:
    """Per-format metadata with no dates and only run-independent values."""
    description = "; ".join(f"{k}={v}" for k, v in sorted(stable.items()))
    software = f"matplotlib {matplotlib.__version__}"
    if fmt == "pdf":
        return {
            "Title": figure_id,
            "Subject": description,
            "Creator": CREATOR,
            "Producer": software,
            "CreationDate": None,
            "ModDate": None,
        }
    if fmt == "svg":
        return {"Title": figure_id, "Description": description, "Creator": CREATOR, "Date": None}
    return {"Title": figure_id, "Description": description, "Software": software}


def render_figure(fig: Figure, figure_id: str, stable: dict[str, str]) -> dict[str, bytes]:
    """The bytes of the figure in every format, rendered with the house style settings."""
    apply_style()  # svg.hashsalt and friends must be set at save time
    rendered = {}
    for fmt in FORMATS:
        buffer = io.BytesIO()
        fig.savefig(
            buffer,
            format=fmt,
            dpi=PNG_DPI,
            metadata=image_metadata(fmt, figure_id, stable),
        )
        rendered[fmt] = buffer.getvalue()
    return rendered


def write_figure(
    fig: Figure,
    figure_id: str,
    caption: str,
    out_dir: str | Path,
    provenance: dict[str, Any],
    stable: dict[str, str],
) -> SavedFigure:
    """Write <out_dir>/<id>.pdf/.svg/.png and the sidecar <id>.json, then close `fig`.

    `provenance` is merged into the sidecar; `stable` is embedded in the image files.
    """
    validate_figure_id(figure_id)
    if not isinstance(fig, Figure):
        raise FigureError(f"figure {figure_id!r}: expected a matplotlib Figure, got {type(fig)}")
    if not caption or not caption.strip():
        raise FigureError(f"figure {figure_id!r}: give a caption saying what the figure shows")
    out_dir = Path(out_dir)
    try:
        rendered = render_figure(fig, figure_id, stable)
    finally:
        plt.close(fig)
    paths, hashes = {}, {}
    for fmt, data in rendered.items():
        paths[fmt] = atomic_write_bytes(out_dir / f"{figure_id}.{fmt}", data)
        hashes[fmt] = sha256_bytes(data)
    sidecar = {
        "figure_id": figure_id,
        "caption": caption.strip(),
        **provenance,
        "files": {fmt: {"file": f"{figure_id}.{fmt}", "sha256": hashes[fmt]} for fmt in FORMATS},
    }
    sidecar_path = atomic_write_text(out_dir / f"{figure_id}.json", canonical_json(sidecar))
    return SavedFigure(figure_id, paths, hashes, sidecar_path)


def png_bytes(saved: SavedFigure) -> bytes:
    """The PNG just written (for displaying it in a notebook)."""
    return saved.paths["png"].read_bytes()
