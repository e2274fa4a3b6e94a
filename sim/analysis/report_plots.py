"""The sweep report's figures (matplotlib, no pyplot), each written atomically as a PNG.

Every figure drawn from a design point with runs missing says so: its legend label or its title
carries the ``INCOMPLETE`` marker (:data:`sim.experiments.store.INCOMPLETE`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.outcomes import PATHS
from sim.experiments.store import INCOMPLETE
from sim.ioutil import atomic_write


def save(fig: Any, path: Path) -> Path:
    """Write a figure as a PNG (atomically)."""
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=100))
    return path


def new_figure(width: float, height: float) -> Any:
    """A matplotlib Figure (Agg canvas, no global pyplot state)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def plot_paths(groups: Sequence[tuple[str, pd.DataFrame]], path: Path, title: str) -> Path:
    """Bars of path shares with Wilson interval bars, one bar group per (label, table)."""
    fig = new_figure(max(7.0, 1.2 * len(PATHS) + 0.15 * len(groups) * len(PATHS)), 4.2)
    ax = fig.add_subplot()
    width = 0.8 / max(len(groups), 1)
    x = np.arange(len(PATHS))
    for i, (label, g) in enumerate(groups):
        g = g.set_index("path").reindex(list(PATHS))
        p = g["p"].to_numpy(dtype=np.float64)
        err = np.vstack([p - g["ci_low"].to_numpy(dtype=np.float64),
                         g["ci_high"].to_numpy(dtype=np.float64) - p])
        ax.bar(x + (i - (len(groups) - 1) / 2) * width, p, width, yerr=err, capsize=2,
               label=label)
    ax.set_xticks(x, [p.replace("_", "\n", 1) for p in PATHS], fontsize=8)
    ax.set_ylabel("share of runs (95% Wilson CI)")
    ax.set_ylim(0, 1)
    ax.set_title(title, fontsize=9)
    if len(groups) > 1:
        ax.legend(fontsize=7, loc="upper right")
    return save(fig, path)


def plot_factor(table: pd.DataFrame, factor: str, path: Path, incomplete: bool) -> Path:
    """Path probabilities against one factor's levels (a :func:`paths_by_factor` table)."""
    fig = new_figure(7.5, 4.2)
    ax = fig.add_subplot()
    levels = list(dict.fromkeys(table["level"]))
    xs = list(dict.fromkeys(table["x"]))
    for p in PATHS:
        g = table[table["path"] == p]
        share = g["p"].to_numpy(dtype=np.float64)
        err = np.vstack([share - g["ci_low"].to_numpy(dtype=np.float64),
                         g["ci_high"].to_numpy(dtype=np.float64) - share])
        ax.errorbar(g["x"].to_numpy(dtype=np.float64), share, yerr=err, marker="o", ms=3,
                    capsize=2, label=p)
    binned = bool(table["binned"].any()) if len(table) else False
    text_levels = len(levels) and not all(isinstance(v, (int, float, np.number, pd.Interval))
                                          for v in levels)
    if text_levels:
        ax.set_xticks(xs, [str(k) for k in levels], fontsize=8)
    ax.set_xlabel(factor + (" (quantile bins, at their midpoints)" if binned else ""))
    ax.set_ylabel("P(path) (95% Wilson CI)")
    ax.set_ylim(0, 1)
    mark = f" [{INCOMPLETE}: runs missing]" if incomplete else ""
    ax.set_title(f"Path probabilities against {factor} (pooled over other factors){mark}",
                 fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    return save(fig, path)


def plot_sensitivity(table: pd.DataFrame, sampler: str, outcomes: Sequence[str], path: Path,
                     incomplete: bool) -> Path:
    """Horizontal bars of sensitivity indices (with bootstrap CIs), one panel per outcome."""
    indices = ("S1", "ST") if sampler == "sobol" else ("mu_star",)
    ncols = min(3, len(outcomes))
    nrows = math.ceil(len(outcomes) / ncols)
    fig = new_figure(4.2 * ncols, 0.6 + 2.6 * nrows)
    for j, outcome in enumerate(outcomes):
        ax = fig.add_subplot(nrows, ncols, j + 1)
        sub = table[table["outcome"] == outcome]
        factors = list(dict.fromkeys(sub["factor"]))
        y = np.arange(len(factors))
        h = 0.8 / len(indices)
        for i, index in enumerate(indices):
            s = sub[sub["index"] == index].set_index("factor").reindex(factors)
            ax.barh(y + (i - (len(indices) - 1) / 2) * h, s["value"], h,
                    xerr=s["conf"].fillna(0.0), capsize=2, label=index)
        ax.set_yticks(y, [f.rsplit(".", 2)[-2] + "." + f.rsplit(".", 1)[-1] if "." in f else f
                          for f in factors], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(outcome, fontsize=9)
        ax.axvline(0, color="black", lw=0.5)
        if j == 0:
            ax.legend(fontsize=7)
    mark = f" [{INCOMPLETE}]" if incomplete else ""
    fig.suptitle(f"{sampler.capitalize()} sensitivity indices (95% bootstrap CI){mark}",
                 fontsize=10)
    return save(fig, path)
