"""Scenario discovery: PRIM boxes over a sweep's factors for a chosen outcome.

For an outcome given as a condition on a run (``path == s1_major_escalation``,
``us_killed > 10``, ``all_out_war``; :func:`sim.experiments.spec.parse_condition`),
:func:`discover` finds the region of the swept factors where that outcome concentrates: a box
(a range per factor) with its **coverage** (share of all runs with the outcome that fall in
the box), **density** (share of the box's runs with the outcome) and **mass** (share of all
runs in the box). The algorithm is PRIM (Friedman & Fisher 1999) in its scenario-discovery
form (Bryant & Lempert 2010), through EMA Workbench's maintained implementation
(``ema_workbench.analysis.prim``); nothing of it is written here (see docs/discovery.md for
why that library).

**Rows are runs.** Each successful run is a row: its design point's factor values and whether
it has the outcome. A design point with R replicates is thus R rows with the same factors, so
density is the probability of the outcome in the box (design points weighted by their runs;
failed runs do not count) and the quasi-p-values are binomial tests on runs, which are
independent given the factors (each has its own seed, or, in a ``seeds: shared`` sweep, seeds
shared across design points but independent across replicates).

**Which box.** PRIM peels the factor space to a trajectory of ever smaller, denser boxes (then
pastes). The chosen box is the densest box on the trajectory that still covers at least
``min_coverage`` (default 50%) of the runs with the outcome; then every box limit whose
quasi-p-value (the one-sided binomial test of Bryant & Lempert: does removing this limit
lower the density?) is ``alpha`` (0.05) or more is relaxed to the factor's full range, the
least significant first, recomputing the others each time (EMA's ``PrimBox.update``). What
remains is a box in which every limit matters; if no limit remains, there is no box: the
outcome does not concentrate in any region the data can show. The report gives the density
with its Wilson interval beside the base rate.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import stats
from sim.errors import UserError
from sim.experiments.spec import Condition, parse_condition

#: The chosen box covers at least this share of the runs with the outcome.
MIN_COVERAGE = 0.5
#: A box limit stays only if its quasi-p-value is below this.
ALPHA = 0.05
#: PRIM's peeling and pasting steps and smallest box (EMA Workbench's defaults).
PEEL_ALPHA = 0.05
PASTE_ALPHA = 0.05
MASS_MIN = 0.05
#: Columns of :attr:`Discovery.trajectory`.
TRAJECTORY_COLUMNS = ("id", "stage", "coverage", "density", "mass", "res_dim", "n", "k",
                      "chosen")
#: Columns of :attr:`Discovery.box`.
BOX_COLUMNS = ("factor", "kind", "lower", "upper", "min", "max", "restricted", "qp_lower",
               "qp_upper")


@dataclass
class Discovery:
    """The PRIM result for one outcome (see the module doc)."""

    condition: Condition
    factors: list[str]
    n: int
    k: int
    trajectory: pd.DataFrame
    box: pd.DataFrame
    chosen: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def base_rate(self) -> tuple[float, float, float]:
        """Share of all runs with the outcome, with its Wilson interval."""
        return stats.wilson(self.k, self.n)  # type: ignore[no-any-return]

    def _row(self) -> pd.Series | None:
        if self.chosen is None:
            return None
        return self.trajectory.set_index("id").loc[self.chosen]

    @property
    def found(self) -> bool:
        """Whether a box with at least one significant limit was found."""
        return self.chosen is not None

    @property
    def coverage(self) -> float:
        """Coverage of the chosen box (NaN without a box)."""
        r = self._row()
        return float(r["coverage"]) if r is not None else float("nan")

    @property
    def density(self) -> tuple[float, float, float]:
        """Density of the chosen box with its Wilson interval (the base rate without a box)."""
        r = self._row()
        if r is None:
            return self.base_rate
        return stats.wilson(int(r["k"]), int(r["n"]))  # type: ignore[no-any-return]

    @property
    def mass(self) -> float:
        """Mass of the chosen box (1 without a box: all runs)."""
        r = self._row()
        return float(r["mass"]) if r is not None else 1.0

    @property
    def lift(self) -> float:
        """Density over base rate."""
        base = self.base_rate[0]
        return self.density[0] / base if base > 0 else float("nan")


def _kinds(frame: pd.DataFrame) -> dict[str, str]:
    out = {}
    for col in frame.columns:
        if col in ("path", "run_id", "design_id", "replicate", "seed", "status", "error"):
            continue
        dtype = frame[col].dtype
        if pd.api.types.is_bool_dtype(dtype):
            out[str(col)] = "bool"
        elif pd.api.types.is_numeric_dtype(dtype):
            out[str(col)] = "number"
    return out


def condition_for(text: str | Condition, runs: pd.DataFrame, factors: list[str],
                  where: str = "--discover") -> Condition:
    """Parse ``text`` against the columns of a runs table (metrics, not factors)."""
    if isinstance(text, Condition):
        return text
    kinds = {k: v for k, v in _kinds(runs).items() if k not in factors}
    try:
        return parse_condition(text, kinds)
    except UserError as exc:
        raise UserError(f"{where} {exc}") from None


def _frame_x(ok: pd.DataFrame, factors: list[str]) -> tuple[pd.DataFrame, list[str]]:
    cols, notes = {}, []
    for f in factors:
        v = ok[f]
        if v.nunique(dropna=True) < 2:
            notes.append(f"{f}: one value only in the successful runs; left out of PRIM")
            continue
        numeric = pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v)
        # integers as floats: box limits are ranges, and EMA's pasting writes float limits
        cols[f] = v.astype(np.float64).to_numpy() if numeric else v.astype(str).to_numpy()
    return pd.DataFrame(cols), notes


def _in_box(x: pd.DataFrame, lims: pd.DataFrame) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for col in lims.columns:
        lo, hi = lims.at[0, col], lims.at[1, col]
        if isinstance(lo, (set, frozenset)):
            inside &= x[col].isin(lo).to_numpy()
        else:
            v = x[col].to_numpy(dtype=np.float64)
            inside &= (v >= lo) & (v <= hi)
    return np.flatnonzero(inside)


def _restricted(lims: pd.DataFrame, init: pd.DataFrame) -> list[tuple[str, int]]:
    """(factor, side) of every limit that differs from the full range (side 0 low, 1 high)."""
    out = []
    for col in lims.columns:
        if isinstance(init.at[0, col], (set, frozenset)):  # levels: one limit, both rows alike
            if set(lims.at[0, col]) != set(init.at[0, col]):
                out.append((str(col), 0))
            continue
        for side in (0, 1):
            if lims.at[side, col] != init.at[side, col]:
                out.append((str(col), side))
    return out


def _qp(box: Any, i: int, col: str, side: int) -> float:
    values = box.p_values[i].get(col)
    if not values:
        return float("nan")
    q = float(values[side] if len(values) > side else values[0])
    return q if q >= 0 else float("nan")


def discover(runs: pd.DataFrame, factors: list[str], condition: str | Condition, *,
             min_coverage: float = MIN_COVERAGE, alpha: float = ALPHA,
             peel_alpha: float = PEEL_ALPHA, paste_alpha: float = PASTE_ALPHA,
             mass_min: float = MASS_MIN) -> Discovery:
    """PRIM box of ``condition`` over ``factors`` with the successful runs as rows (module doc)."""
    cond = condition_for(condition, runs, factors)
    ok = stats.successful(runs).reset_index(drop=True)
    y = cond.evaluate(ok)
    x, notes = _frame_x(ok, factors)
    n, k = len(y), int(y.sum())
    empty_traj = pd.DataFrame(columns=list(TRAJECTORY_COLUMNS))
    empty_box = pd.DataFrame(columns=list(BOX_COLUMNS))
    if x.shape[1] == 0:
        notes.append("no factor varies: nothing for PRIM to restrict")
        return Discovery(cond, factors, n, k, empty_traj, empty_box, None, notes)
    if k == 0 or k == n:
        notes.append(f"the outcome {'never' if k == 0 else 'always'} occurs in the {n:,} "
                     "successful runs: no box to find")
        return Discovery(cond, factors, n, k, empty_traj, empty_box, None, notes)
    box = _prim_box(x, y, peel_alpha, paste_alpha, mass_min)
    traj = box.peeling_trajectory
    stages = ["peel/paste"] * len(traj)
    eligible = traj[(traj["coverage"] >= min_coverage) & (traj["res_dim"] >= 1)]
    chosen: int | None = None
    if eligible.empty:
        notes.append(f"no box on the trajectory covers {min_coverage:.0%} of the runs with the "
                     "outcome and restricts a factor")
    else:
        best = eligible.sort_values(["density", "coverage"], ascending=False).index[0]
        box.select(int(best))
        init = box.box_lims[0]
        while True:
            i = box._cur_box  # noqa: SLF001 - the selected box's index (EMA has no getter)
            lims = box.box_lims[i]
            weakest = max(((_qp(box, i, c, s), c, s) for c, s in _restricted(lims, init)),
                          default=(float("nan"), "", 0), key=lambda t: -1.0 if np.isnan(t[0]) else t[0])
            if not np.isfinite(weakest[0]) or weakest[0] < alpha:
                break
            _, col, side = weakest
            new = lims.copy()
            categorical = isinstance(init.at[0, col], (set, frozenset))
            for row in ((0, 1) if categorical else (side,)):
                new.at[row, col] = init.at[row, col]
            box.update(new, _in_box(x, new))
            stages.append("pruned")
        traj = box.peeling_trajectory
        final = box._cur_box  # noqa: SLF001
        if int(traj.loc[final, "res_dim"]) >= 1:
            chosen = int(final)
        else:
            notes.append(f"every limit of the densest box covering {min_coverage:.0%} had a "
                         f"quasi-p-value of {alpha} or more: the outcome does not concentrate in "
                         "a region of the factors")
    trajectory = traj[["id", "coverage", "density", "mass", "res_dim", "n", "k"]].copy()
    trajectory["id"] = trajectory["id"].astype(int)
    trajectory.insert(1, "stage", stages[:len(trajectory)])
    trajectory["chosen"] = trajectory["id"] == (chosen if chosen is not None else -1)
    box_table = _box_table(box, chosen, x) if chosen is not None else empty_box
    return Discovery(cond, factors, n, k, trajectory.reset_index(drop=True), box_table, chosen,
                     notes)


def _prim_box(x: pd.DataFrame, y: np.ndarray, peel_alpha: float, paste_alpha: float,
              mass_min: float) -> Any:
    # EMA Workbench warns on import about optional extras (ipyparallel, altair) and logs each
    # box; neither concerns the report.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        logging.getLogger("EMA").setLevel(logging.WARNING)
        p = prim.Prim(x, y, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
        box = p.find_box()
    if box is None:  # pragma: no cover - find_box returns None only without data
        raise UserError("PRIM found no box (no data)")
    return box


def _box_table(box: Any, i: int, x: pd.DataFrame) -> pd.DataFrame:
    lims, init = box.box_lims[i], box.box_lims[0]
    rows = []
    for col in lims.columns:
        lo, hi = lims.at[0, col], lims.at[1, col]
        categorical = isinstance(lo, (set, frozenset))
        restricted = (lo != init.at[0, col]) or (hi != init.at[1, col])
        rows.append({
            "factor": str(col), "kind": "levels" if categorical else "range",
            "lower": ", ".join(sorted(map(str, lo))) if categorical else float(lo),
            "upper": "" if categorical else float(hi),
            "min": ", ".join(sorted(map(str, init.at[0, col]))) if categorical else float(init.at[0, col]),
            "max": "" if categorical else float(init.at[1, col]),
            "restricted": bool(restricted),
            "qp_lower": _qp(box, i, str(col), 0), "qp_upper": _qp(box, i, str(col), 1),
        })
    table = pd.DataFrame(rows, columns=list(BOX_COLUMNS))
    return table.sort_values(["restricted", "factor"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- plots


def plot_tradeoff(d: Discovery, path: Any, title: str) -> Any:
    """Coverage against density along the peeling trajectory (colour: restricted factors),
    pruned boxes as crosses, the chosen box marked, the base rate as a line.
    """
    from sim.analysis.report_plots import new_figure, save

    fig = new_figure(6.5, 4.5)
    ax = fig.add_subplot()
    t = d.trajectory
    main = t[t["stage"] != "pruned"]
    sc = ax.scatter(main["coverage"], main["density"], c=main["res_dim"], cmap="viridis", s=14,
                    label="peeling/pasting trajectory")
    fig.colorbar(sc, ax=ax, label="factors restricted")
    pruned = t[t["stage"] == "pruned"]
    if len(pruned):
        ax.scatter(pruned["coverage"], pruned["density"], marker="x", color="tab:red", s=22,
                   label="limits relaxed (quasi-p >= 0.05)")
    if d.found:
        c, (dens, lo, hi) = d.coverage, d.density
        ax.errorbar([c], [dens], yerr=[[dens - lo], [hi - dens]], fmt="*", ms=14,
                    color="tab:orange", capsize=3, label=f"chosen box (coverage {c:.2f}, "
                                                         f"density {dens:.2f})")
    base = d.base_rate[0]
    ax.axhline(base, color="grey", ls="--", lw=0.8, label=f"base rate {base:.2f}")
    ax.axvline(MIN_COVERAGE, color="grey", ls=":", lw=0.8)
    ax.set_xlabel("coverage (share of the outcome's runs in the box)")
    ax.set_ylabel("density (share of the box's runs with the outcome)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    return save(fig, path)


def plot_box(d: Discovery, path: Any, title: str) -> Any:
    """The chosen box's limits against each factor's range (scaled to 0-1), with values."""
    from sim.analysis.report_plots import new_figure, save

    t = d.box[d.box["kind"] == "range"]
    fig = new_figure(7.5, 1.0 + 0.45 * max(len(t), 1))
    ax = fig.add_subplot()
    for yi, r in enumerate(t.to_dict("records")):
        span = float(r["max"]) - float(r["min"]) or 1.0
        lo = (float(r["lower"]) - float(r["min"])) / span
        hi = (float(r["upper"]) - float(r["min"])) / span
        ax.barh(yi, 1.0, color="0.9")
        ax.barh(yi, hi - lo, left=lo, color="tab:blue" if r["restricted"] else "tab:grey",
                height=0.5)
        qps = [q for q in (r["qp_lower"], r["qp_upper"]) if np.isfinite(q)]
        label = f"{float(r['lower']):.3g} to {float(r['upper']):.3g}"
        if qps:
            label += "  (quasi-p " + ", ".join(f"{q:.2g}" for q in qps) + ")"
        ax.text(1.02, yi, label, va="center", fontsize=7)
        ax.text(-0.02, yi, f"{float(r['min']):.3g}", va="center", ha="right", fontsize=6)
    ax.set_yticks(range(len(t)), [str(f) for f in t["factor"]], fontsize=7)
    ax.set_xlim(-0.15, 1.9)
    ax.set_xticks([0, 1], ["min", "max"])
    ax.invert_yaxis()
    ax.set_title(title, fontsize=9)
    return save(fig, path)
