"""Morris screening of candidate parameters on the facts' statistics (which ones can the data identify?).

:func:`screen` takes a sweep spec with the ``morris`` sampler (``configs/sweeps/calibration_morris.yaml``)
through the sweep machinery (:func:`sim.experiments.spec.load_experiment`: its design points, SALib's
Morris trajectories, and its run seeds ``seed_for(master_seed, design_id, replicate)``), runs every
design point's replicates for the facts' window with the ensemble engine (in batches of whole design
points), takes the mean of every statistic the facts name per design point (``inf`` "never" days
count as the day after the window; NaN runs are left out of a mean), and hands each statistic to
SALib's Morris analyser. ``mu_star`` is divided by the statistic's scale over all runs (the
distance's scale: 1.4826 x MAD, else the SD), so effects on different statistics are comparable:
``scaled = 0.5`` means moving the parameter across its range shifts the statistic's mean by half
of its run-to-run spread.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibration.engine import rows_to_configs, scales, statistic_names
from sim.analysis.record import Facts
from sim.engines.batch import simulate_configs
from sim.experiments.spec import load_experiment


def screen(sweep: str | Path, facts: Facts, designs_per_batch: int = 50, progress: bool = True) -> pd.DataFrame:
    """Morris indices of each factor on each fact's statistic (long table)."""
    from SALib.analyze import morris as salib_morris
    from tqdm import tqdm

    e = load_experiment(sweep)
    if e.spec.sampler != "morris":
        raise ValueError(f"{sweep}: sampler must be morris")
    names = list(e.spec.factors)
    stats = statistic_names(facts)
    reps = e.spec.replicates
    days = facts.days
    never = float(days)
    theta = np.asarray(e.raw_design, dtype=np.float64)
    means = np.full((e.n_designs, len(stats)), np.nan)
    pooled = []
    for start in tqdm(range(0, e.n_designs, designs_per_batch), disable=not progress, desc="Morris", unit="batch"):
        ds = list(range(start, min(start + designs_per_batch, e.n_designs)))
        cfgs = rows_to_configs(e.base, names, theta[ds])
        seeds = [e.seed(d, r) for d in ds for r in range(reps)]
        got = simulate_configs(cfgs, [reps] * len(ds), seeds, days).statistics()
        block = np.column_stack([np.asarray(got[s], dtype=np.float64) for s in stats])
        block = np.where(np.isposinf(block), never, block)
        pooled.append(block)
        for i, d in enumerate(ds):
            with np.errstate(all="ignore"):
                means[d] = np.nanmean(block[i * reps:(i + 1) * reps], axis=0)
    sc = scales(np.vstack(pooled), never)
    problem = e.problem
    rows = []
    for f in facts.facts:
        k = stats.index(f.statistic)
        y = means[:, k]
        if np.all(np.isnan(y)) or np.nanstd(y) == 0:
            for n in names:
                rows.append({"fact": f.id, "statistic": f.statistic, "factor": n, "mu_star": 0.0, "sigma": 0.0,
                             "mu_star_conf": 0.0, "scale": sc[k], "scaled": 0.0})
            continue
        y = np.where(np.isnan(y), np.nanmean(y), y)
        res = salib_morris.analyze(problem, theta, y, num_levels=e.spec.sampler_options.num_levels,
                                   num_resamples=200, seed=e.spec.master_seed % 2**32)
        for j, n in enumerate(names):
            rows.append({"fact": f.id, "statistic": f.statistic, "factor": n, "mu_star": float(res["mu_star"][j]),
                         "sigma": float(res["sigma"][j]), "mu_star_conf": float(res["mu_star_conf"][j]),
                         "scale": sc[k], "scaled": float(res["mu_star"][j]) / sc[k]})
    return pd.DataFrame(rows)


def ranking(indices: pd.DataFrame, strong: float = 0.25) -> pd.DataFrame:
    """Per factor: the largest scaled effect, the fact it is on, and how many facts it moves by at
    least ``strong`` of their spread.
    """
    g = indices.groupby("factor")
    top = indices.loc[g["scaled"].idxmax(), ["factor", "fact", "scaled"]].set_index("factor")
    out = pd.DataFrame({
        "max_scaled": top["scaled"],
        "on_fact": top["fact"],
        "facts_moved": g["scaled"].apply(lambda s: int((s >= strong).sum())),
        "sum_scaled": g["scaled"].sum(),
    })
    return out.sort_values("sum_scaled", ascending=False).reset_index()


__all__ = ["ranking", "screen"]
