"""Sensitivity indices of a sobol or morris sweep (SALib), per outcome of a design point.

Outcomes are per design point (:func:`design_outcomes`): ``P(<path>)`` over its successful
replicates and the mean of a few metrics. The SALib problem is the one the sweep recorded in
its manifest (``problem``: factor names in spec order and their bounds), and outcomes are passed
in ``design_id`` order, which is SALib's sample order.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.stats import CONF_LEVEL, successful
from sim.core.outcomes import PATHS

#: Metrics analysed for sensitivity (mean per design point), besides each path's probability.
SENSITIVITY_METRICS: tuple[str, ...] = ("us_killed", "militia_attacks", "max_escalation")
#: Bootstrap resamples for the SALib confidence intervals.
NUM_RESAMPLES = 200
#: Samplers whose designs SALib can analyse.
SAMPLERS = ("sobol", "morris")
_EMPTY_COLUMNS = ["outcome", "factor", "index", "value", "conf"]


def design_outcomes(runs: pd.DataFrame, metrics: Sequence[str] = SENSITIVITY_METRICS,
                    paths: Sequence[str] = PATHS) -> pd.DataFrame:
    """One row per design point (``design_id`` order): ``P(<path>)`` and ``mean(<metric>)``.

    Design points without a successful run have ``nan`` outcomes.
    """
    design_ids = np.sort(runs["design_id"].unique())
    ok = successful(runs)
    shares = (
        pd.crosstab(ok["design_id"], pd.Categorical(ok["path"], categories=list(paths)),
                    normalize="index", dropna=False)
        .reindex(index=design_ids, columns=list(paths))
    )
    out = pd.DataFrame(index=pd.Index(design_ids, name="design_id"))
    for p in paths:
        out[f"P({p})"] = shares[p].to_numpy(dtype=np.float64)
    present = [m for m in metrics if m in ok.columns]
    if present:
        means = ok[present].astype(np.float64).groupby(ok["design_id"]).mean()
        for m in present:
            out[f"mean({m})"] = means[m].reindex(design_ids).to_numpy()
    return out


def sensitivity(runs: pd.DataFrame, sampler: str, problem: Mapping[str, Any] | None,
                options: Mapping[str, Any] | None = None,
                seed: int | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Sensitivity indices of each outcome (see :func:`design_outcomes`) for sobol/morris sweeps.

    ``problem`` is the sweep's SALib problem (``names``, ``bounds``) and ``options`` its
    ``sampler_options`` (``calc_second_order`` for Sobol, ``num_levels`` for Morris), both as
    the manifest records them. Returns a long table (``outcome, factor, index, value, conf``;
    indices S1/ST for Sobol, mu_star/sigma for Morris) and notes on what was skipped.
    """
    notes: list[str] = []
    empty = pd.DataFrame(columns=_EMPTY_COLUMNS)
    if sampler not in SAMPLERS or not problem:
        return empty, notes
    names = [str(n) for n in problem["names"]]
    if any(n not in runs.columns for n in names):
        notes.append("sensitivity skipped: a factor of the sweep has no column in the runs table")
        return empty, notes
    salib_problem = {"num_vars": len(names), "names": names,
                     "bounds": [list(b) for b in problem["bounds"]]}
    outcomes = design_outcomes(runs)
    n_rows = len(outcomes)
    if not np.array_equal(np.sort(outcomes.index.to_numpy()), np.arange(n_rows)):
        notes.append("sensitivity skipped: some design points have no runs (incomplete sweep)")
        return empty, notes
    opts = dict(options or {})
    d = len(names)
    x = None
    second = bool(opts.get("calc_second_order", False))
    if sampler == "sobol":
        if n_rows % ((2 * d + 2) if second else (d + 2)):
            notes.append(f"Sobol analysis skipped: {n_rows} design points is not a multiple of "
                         f"{'2D+2' if second else 'D+2'} with D={d} factors")
            return empty, notes
    else:
        if n_rows % (d + 1):
            notes.append(f"Morris analysis skipped: {n_rows} design points is not a multiple of "
                         f"D+1 with D={d} factors")
            return empty, notes
        first = runs.sort_values("design_id").drop_duplicates("design_id")
        x = first[names].to_numpy(dtype=np.float64)
    rows = []
    for outcome in outcomes.columns:
        y = outcomes[outcome].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(y)):
            notes.append(f"{outcome}: skipped ({int(np.sum(~np.isfinite(y)))} design points "
                         f"without a successful run)")
            continue
        if np.ptp(y) == 0.0:
            continue  # constant outcome: no variance to apportion
        res, pairs = _analyze(sampler, salib_problem, x, y, second,
                              int(opts.get("num_levels", 4)), seed)
        for i, name in enumerate(names):
            for index, conf in pairs:
                rows.append({
                    "outcome": outcome, "factor": name, "index": index,
                    "value": float(np.asarray(res[index])[i]),
                    "conf": float(np.asarray(res[conf])[i]) if conf else math.nan,
                })
    table = pd.DataFrame(rows, columns=_EMPTY_COLUMNS) if rows else empty
    return table, notes


def _analyze(sampler: str, problem: dict[str, Any], x: np.ndarray | None, y: np.ndarray,
             second: bool, num_levels: int, seed: int | None) -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if sampler == "sobol":
            from SALib.analyze import sobol as sobol_analyze

            res = sobol_analyze.analyze(problem, y, calc_second_order=second,
                                        num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL,
                                        seed=seed)
            return res, (("S1", "S1_conf"), ("ST", "ST_conf"))
        from SALib.analyze import morris as morris_analyze

        res = morris_analyze.analyze(problem, x, y, num_resamples=NUM_RESAMPLES,
                                     conf_level=CONF_LEVEL, num_levels=num_levels, seed=seed)
        return res, (("mu_star", "mu_star_conf"), ("sigma", None))
