"""Sweep page: what a sweep says, read from its results folder.

The folder is read by the project's one results reader, :func:`sim.experiments.store.open_results`
(it verifies every part's checksum, refuses run ids stored twice and counts the runs present per
design point); every statistic comes from :mod:`sim.analysis.stats`, so this page and
``escalation report`` show the same numbers and bin factors the same way. Bad folders become a
:class:`SweepError` with a message the page shows; a sweep with runs missing says so at the top
and its figures are marked INCOMPLETE.

The page reads folders under one results root only (:func:`results_root`: the folder named by
``$ESCALATION_RESULTS_ROOT``, set by ``escalation dashboard --results-root``, else the project's
``results/``): :func:`confine` resolves what a user typed (symlinks and ``..`` included) and
answers anything outside the root, missing, a file or without ``manifest.json`` with one and the
same message, so the page cannot be used to probe which files exist. Every value that comes
from a folder (the sweep's name, factor names, path labels) is escaped before it is shown.
"""

from __future__ import annotations

import html
import io
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import reacton.ipywidgets as rw
import solara
from matplotlib.figure import Figure

from dashboards import theme
from sim.analysis import stats
from sim.errors import UserError
from sim.experiments.store import INCOMPLETE, Results, completeness_line, open_results


class SweepError(Exception):
    """A results folder that cannot be shown; the message says why."""


#: Environment variable naming the results root (set by ``escalation dashboard``).
ROOT_ENV = "ESCALATION_RESULTS_ROOT"
#: Results root when the variable is not set: the project's ``results/``.
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "results"


def results_root() -> Path:
    """The folder the page may read results from (resolved; need not exist)."""
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT).expanduser().resolve()


def outside_message(text: str, root: Path) -> str:
    """The one answer for anything that is not a results folder under ``root``."""
    return (f"{text!r} is not a results folder under the results root {root} (give a folder "
            "written by 'escalation sweep', relative to the root or inside it)")


def confine(text: str, root: Path | None = None) -> Path:
    """The results folder ``text`` names, resolved, if it is one under ``root``; else SweepError.

    Relative paths are taken from ``root``. Symlinks and ``..`` are resolved before the check.
    Outside the root, missing, a file, without ``manifest.json`` (or with ``manifest.json`` or
    ``runs/`` leading out of the root): all get the same message, :func:`outside_message`.
    """
    root = (root or results_root()).resolve()
    raw = str(text).strip()
    if not raw:
        raise SweepError("no results folder given: type the folder an 'escalation sweep' wrote")
    refused = SweepError(outside_message(raw, root))
    try:
        path = Path(raw)
        real = (path if path.is_absolute() else root / path).resolve(strict=True)
        inside = [real, (real / "manifest.json").resolve(), (real / "runs").resolve()]
        if not all(p.is_relative_to(root) for p in inside):
            raise refused
        if not real.is_dir() or not (real / "manifest.json").is_file():
            raise refused
    except (OSError, RuntimeError, ValueError):  # missing, a loop, a NUL byte, too long
        raise refused from None
    return real


def esc(value: Any) -> str:
    """A value from a file or a user, escaped for HTML text and attribute values."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Sweep:
    """A loaded, verified results folder."""

    folder: Path
    results: Results
    factors: list[str]

    @property
    def manifest(self) -> dict[str, Any]:
        """The folder's manifest."""
        return self.results.manifest

    @property
    def runs(self) -> pd.DataFrame:
        """The runs table (one row per stored run)."""
        return self.results.runs

    @property
    def ok(self) -> pd.DataFrame:
        """Runs that finished (``status == "ok"``)."""
        return stats.successful(self.runs)

    @property
    def name(self) -> str:
        """Name of the sweep (from its spec)."""
        return str(self.manifest["spec"]["name"])

    @property
    def complete(self) -> bool:
        """Whether every design point has all its runs."""
        return self.results.complete

    @property
    def completeness(self) -> str:
        """One line: runs present of expected per design point, naming incomplete ones."""
        return completeness_line(self.results.completeness)


def load_sweep(folder: str | Path) -> Sweep:
    """Read and verify a results folder (:func:`open_results`); SweepError if unusable."""
    text = str(folder).strip()
    if not text:
        raise SweepError("no results folder given: type the folder an 'escalation sweep' wrote")
    d = Path(text).expanduser()
    try:
        res = open_results(d)
    except UserError as exc:
        raise SweepError(str(exc)) from None
    if res.runs.empty:
        raise SweepError(f"{d}: no runs yet (has the sweep stored any part?)")
    factors = [f for f in res.manifest["factors"] if f in res.runs.columns]
    return Sweep(folder=d, results=res, factors=factors)


def wilson(k: Any, n: Any) -> tuple[Any, Any, Any]:
    """Share ``k/n`` and its 95% Wilson interval (:func:`sim.analysis.stats.wilson`)."""
    return stats.wilson(k, n)


def path_distribution(runs: pd.DataFrame) -> pd.DataFrame:
    """Share of finished runs on each path, with 95% Wilson intervals
    (:func:`sim.analysis.stats.path_table` over all runs).
    """
    table = stats.path_table(runs.assign(design_id=0))
    return pd.DataFrame({"path": table["path"], "runs": table["count"], "n": table["n"],
                         "share": table["p"], "lo": table["ci_low"], "hi": table["ci_high"]})


def factor_levels(values: pd.Series) -> tuple[pd.Series, bool]:
    """Level of each row by the one binning rule (:func:`sim.analysis.stats.factor_levels`)
    and whether the factor was binned.
    """
    level, _, _, binned = stats.factor_levels(values)
    return level, binned


def by_factor(runs: pd.DataFrame, factor: str) -> pd.DataFrame:
    """Probability of each path at each level of a factor, with 95% Wilson intervals
    (:func:`sim.analysis.stats.paths_by_factor`, the report's table).
    """
    t = stats.paths_by_factor(runs, factor)
    return pd.DataFrame({"level": t["level"], "x": t["x"], "binned": t["binned"],
                         "path": t["path"], "runs": t["count"], "n": t["n"], "share": t["p"],
                         "lo": t["ci_low"], "hi": t["ci_high"]})


def _mark(sweep: Sweep) -> str:
    return "" if sweep.complete else f" [{INCOMPLETE}]"


# ------------------------------------------------------------------------------ figures
def distribution_figure(sweep: Sweep) -> Figure:
    """Bars: share of runs on each path with 95% Wilson intervals."""
    dist = path_distribution(sweep.runs)
    fig = Figure(figsize=(7.5, 3.8), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(dist))
    colours = [theme.PATH_COLOURS.get(p, "#607d8b") for p in dist["path"]]
    err = np.vstack([dist["share"] - dist["lo"], dist["hi"] - dist["share"]])
    ax.bar(x, dist["share"], color=colours, yerr=np.nan_to_num(err), capsize=4,
           edgecolor="#333", lw=0.4)
    for xi, (s, hi, k) in enumerate(zip(dist["share"], dist["hi"], dist["runs"], strict=True)):
        if np.isfinite(s):
            ax.text(xi, hi + 0.015, f"{100 * s:.1f}% ({k})", ha="center", va="bottom",
                    fontsize=7)
    labels = [theme.PATH_LABELS.get(p, p).split(" (")[0] for p in dist["path"]]
    ax.set_xticks(x, labels, rotation=18, ha="right", fontsize=8, parse_math=False)
    ax.set_ylim(0, min(1.0, float(np.nanmax(dist["hi"].to_numpy(), initial=0)) + 0.15))
    ax.set_ylabel("share of runs")
    n = int(dist["n"].iloc[0]) if len(dist) else 0
    ax.set_title(f"{sweep.name}: path distribution over {n} finished runs (95% Wilson CI)"
                 f"{_mark(sweep)}", fontsize=10, parse_math=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def factor_figure(sweep: Sweep, factor: str) -> Figure:
    """Probability of each path against one swept factor, with 95% Wilson intervals."""
    table = by_factor(sweep.runs, factor)
    fig = Figure(figsize=(7.0, 3.6), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    levels = list(pd.unique(table["level"]))
    text = not all(isinstance(v, (int, float, np.integer, np.floating, pd.Interval))
                   for v in levels)
    for path, grp in table.groupby("path", sort=False):
        if grp["runs"].sum() == 0:
            continue
        x = grp["x"].to_numpy(dtype=np.float64)
        order = np.argsort(x)
        colour = theme.PATH_COLOURS.get(str(path), "#607d8b")
        label = theme.PATH_LABELS.get(str(path), str(path)).split(" (")[0]
        ax.plot(x[order], grp["share"].to_numpy()[order], marker="o", ms=4, color=colour,
                label=label)
        ax.fill_between(x[order], grp["lo"].to_numpy()[order], grp["hi"].to_numpy()[order],
                        color=colour, alpha=0.15, lw=0)
    if text:
        ax.set_xticks(list(dict.fromkeys(table["x"])), [str(v) for v in levels], rotation=15,
                      ha="right", fontsize=8, parse_math=False)
    binned = bool(table["binned"].any()) if len(table) else False
    ax.set_xlabel(factor + (" (quantile bins, at their midpoints)" if binned else ""), parse_math=False)
    ax.set_ylabel("P(path)")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    legend = ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    for text in legend.get_texts():  # names from the folder are text, never mathtext
        text.set_parse_math(False)
    ax.set_title(f"Path probability vs {factor}{_mark(sweep)}", fontsize=10, parse_math=False)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


# ------------------------------------------------------------------------------ page
def candidate_folders(root: Path | None = None, depth: int = 3) -> list[str]:
    """Results folders (manifest.json and runs/) under ``root`` (default: the results root).

    Returned relative to the root (what the folder box takes), at most 50, sorted.
    """
    base = (root or results_root()).resolve()
    found = []
    for level in range(1, depth + 1):
        pattern = "/".join(["*"] * level) + "/manifest.json"
        for mf in base.glob(pattern):
            if (mf.parent / "runs").is_dir() and ".venv" not in mf.parts:
                found.append(mf.parent.relative_to(base).as_posix())
    return sorted(set(found))[:50]


def _initial_folder(search: str | None) -> str:
    query = urllib.parse.parse_qs(search or "")
    if query.get("dir"):
        return query["dir"][0]
    return os.environ.get("ESCALATION_SWEEP_DIR", "")


@solara.component
def SweepView(folder: str) -> Any:
    """Show the path distribution and per-factor plots of a results folder (or why not)."""
    result = solara.use_memo(lambda: _load_and_draw(folder), [folder])
    if isinstance(result, str):
        return solara.Error(result, classes=["sweep-error"])
    sweep, images = result
    ok, total = len(sweep.ok), len(sweep.runs)
    dist = path_distribution(sweep.runs)
    factors = ", ".join(esc(f) for f in sweep.factors) or "none"
    with solara.Column(gap="8px", classes=["sweep-results"]) as main:
        solara.HTML(unsafe_innerHTML=(
            f'<div class="sweep-summary" data-runs="{total}" data-ok="{ok}" '
            f'data-factors="{len(sweep.factors)}"><b class="sweep-name">{esc(sweep.name)}</b>: '
            f"{total} runs, {ok} ok, {total - ok} failed; factors: {factors}</div>"))
        (solara.Info if sweep.complete else solara.Warning)(  # text, not HTML
            sweep.completeness, classes=["sweep-completeness"])
        with solara.Columns([7, 5]):
            with solara.Card("Path distribution", margin=0, classes=["card-distribution"]):
                rw.Image(value=images[0], format="png", layout={"max_width": "100%"})
            with solara.Card("Share of runs by path", margin=0, classes=["card-table"]):
                rows = "".join(
                    f"<tr><td>{esc(theme.PATH_LABELS.get(r.path, r.path))}</td>"
                    f"<td align=right>{r.runs}</td><td align=right>{100 * r.share:.1f}%</td>"
                    f"<td align=right>{100 * r.lo:.1f}-{100 * r.hi:.1f}%</td></tr>"
                    for r in dist.itertuples() if r.n > 0)
                solara.HTML(unsafe_innerHTML=(
                    '<table class="path-table" style="font-size:13px;border-spacing:8px 2px">'
                    "<tr><th align=left>path</th><th>runs</th><th>share</th><th>95% CI</th></tr>"
                    + rows + "</table>"))
        pairs = list(zip(sweep.factors, images[1:], strict=True))
        for i in range(0, len(pairs), 2):
            with solara.Columns([1, 1]):
                for factor, img in pairs[i:i + 2]:
                    with solara.Card(f"Path probability vs {factor}", margin=0,
                                     classes=["card-factor"]):
                        rw.Image(value=img, format="png", layout={"max_width": "100%"})
    return main


def _load_and_draw(folder: str, root: Path | None = None) -> tuple[Sweep, list[bytes]] | str:
    """Load a folder under the results root and draw its figures; else the message why not."""
    try:
        sweep = load_sweep(confine(folder, root))
        images = [_png(distribution_figure(sweep))]
        images += [_png(factor_figure(sweep, f)) for f in sweep.factors]
    except SweepError as exc:
        return str(exc)
    except Exception as exc:  # a malformed table must not break the page or the server
        return f"{folder}: cannot show these results ({type(exc).__name__}: {exc})"
    return sweep, images


@solara.component
def SweepPage() -> Any:
    """Pick a results folder under the results root; see its path distribution and factors."""
    router = solara.use_router()
    folder = solara.use_reactive(_initial_folder(router.search))
    root = solara.use_memo(results_root, [])
    found = solara.use_memo(lambda: candidate_folders(root), [])
    solara.Title("Escalation: sweep results")
    with solara.Column(style={"padding": "12px", "max-width": "1600px"}) as main:
        solara.HTML(tag="h2", unsafe_innerHTML="Sweep results")
        solara.Text(f"Results root: {root}", classes=["results-root"])
        with solara.Row():
            solara.InputText("Results folder (written by 'escalation sweep')", value=folder,
                             classes=["folder-input"], style={"min-width": "520px"})
            if found:
                solara.Select("or pick one found here", values=found,
                              value=folder.value if folder.value in found else None,
                              on_value=lambda v: folder.set(v or ""))
        SweepView(folder.value)
    return main
