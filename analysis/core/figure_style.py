"""One publication style for every figure: journal column widths, a colour-blind-safe
palette (Okabe & Ito 2008), fonts bundled with matplotlib, and settings that make the
written files byte-identical across runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

# Okabe-Ito, without black; distinguishable under the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey
    # Beyond eight groups: Paul Tol's "muted" scheme, distinct from the colours above.
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)
# Above this many points, a scatter is drawn as one embedded image in SVG and PDF (labels,
# lines and axes stay vector), so a figure's file does not grow with the corpus.
RASTER_MIN_POINTS = 2000
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "PuOr_r"

# Widths of a journal column and a full page, in inches (APA / Elsevier / Sage).
WIDTHS = {"single": 3.5, "double": 7.2}

RC_PARAMS = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "svg.hashsalt": "discourse-lab",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": True,
}


def apply_style() -> None:
    """Install the house style into matplotlib's global settings."""
    plt.rcParams.update(RC_PARAMS)


def new_figure(
    width: str = "single", height_ratio: float = 0.75, nrows: int = 1, ncols: int = 1, **kwargs
) -> tuple[Figure, object]:
    """A styled figure at a journal width ('single' or 'double') and its axes."""
    apply_style()
    inches = WIDTHS[width]
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(inches, inches * height_ratio), layout="constrained", **kwargs
    )
    return fig, axes


def group_palette(groups: Iterable[str]) -> dict[str, str]:
    """Stable colour per group: groups in `ordered_groups` order, colours in palette order.
    Pass every group of the corpus, not only those a figure shows, so that a group keeps
    its colour in every figure."""
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(ordered_groups(groups))}


def wrap_label(text: str, width: int = 28) -> str:
    """Break a long tick label onto lines of at most `width` characters."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def ordered_groups(values: Sequence[str]) -> list[str]:
    """Groups in the order every figure uses: sorted by name."""
    return sorted(dict.fromkeys(str(v) for v in values))


apply_style()
