"""Figure helpers: Dutch tick labels and an annotated share heatmap."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from zwt_analysis.present.fmt import nl_number, nl_percent

if TYPE_CHECKING:
    import pandas as pd

def _tick_decimals(locs: Any) -> int:
    """Fewest decimals (0..6) that write every tick value exactly (``2.5`` needs 1)."""
    vals = [float(v) for v in locs if math.isfinite(float(v))]
    for d in range(7):
        if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 * max(1.0, abs(v) * 10**d) for v in vals):
            return d
    return 6


def dutch_axis(ax: Any, axis: str = "y", percent: bool = False, decimals: int | None = None,
               integer: bool = False) -> Any:
    """Give a matplotlib axis Dutch tick labels (``1.234,5``; ``12%`` when ``percent``).

    Args:
        ax: matplotlib axes (or a colorbar's axes).
        axis: ``"y"`` or ``"x"``.
        percent: the data are shares (0..1); ticks show percentages.
        decimals: fixed decimals; None chooses as many as the tick spacing needs.
        integer: counts: only whole-number ticks.

    Returns:
        ``ax``, so calls can be chained.
    """
    from matplotlib.ticker import Formatter, MaxNLocator

    class DutchFormatter(Formatter):
        def set_locs(self, locs):
            super().set_locs(locs)
            scaled = [v * 100 for v in locs] if percent else locs
            self.decimals = decimals if decimals is not None else _tick_decimals(scaled)

        def __call__(self, value, pos=None):
            d = getattr(self, "decimals", decimals if decimals is not None else 0)
            return nl_percent(value, d) if percent else nl_number(value, d)

    target = ax.yaxis if axis == "y" else ax.xaxis
    if integer:
        target.set_major_locator(MaxNLocator(integer=True))
    target.set_major_formatter(DutchFormatter())
    return ax


def heatmap(matrix: pd.DataFrame, ax: Any = None, title: str = "", vmin: float = 0.0,
            vmax: float = 1.0, percent: bool = True, cmap: str = "Blues") -> Any:
    """Draw a share matrix (rows x columns, values 0..1) as an annotated heatmap.

    Missing cells (e.g. suppressed small groups) stay blank. Returns the axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        height = max(2.0, 0.32 * len(matrix) + 1.2)
        width = max(7.0, min(15.0, 0.6 * len(matrix.columns) + 5.0))
        _, ax = plt.subplots(figsize=(width, height))
    values = matrix.to_numpy(dtype="float64")
    im = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(len(matrix.columns)), [str(c) for c in matrix.columns],
                  rotation=90 if len(matrix.columns) > 8 else 0)
    ax.set_yticks(range(len(matrix.index)), [str(i) for i in matrix.index])
    ax.grid(False)
    if values.size <= 400:
        for (i, j), v in np.ndenumerate(values):
            if not np.isnan(v):
                dark = (v - vmin) / ((vmax - vmin) or 1.0) > 0.6
                ax.text(j, i, nl_percent(v, 0) if percent else nl_number(v, 1),
                        ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
    bar = ax.figure.colorbar(im, ax=ax, shrink=0.8)
    if percent:
        dutch_axis(bar.ax, "y", percent=True, decimals=0)
    if title:
        ax.set_title(title)
    return ax
