"""What a calibration leaves behind: posterior samples, marginals, a pair plot, the posterior
predictive check and the posterior-median config.

- ``posterior.parquet``: one row per sample of the last SMC population (parameter columns by
  dotted path, ``weight``, ``distance``); :func:`sim.experiments.spec` ``posterior`` sweeps read it.
- :func:`marginals`: weighted median and 90% / 50% intervals of each parameter beside its prior and
  its baseline value.
- :func:`pair_plot`: the weighted samples, two parameters at a time (matplotlib, Agg).
- :func:`predictive_check`: parameter rows resampled from the posterior, one run each for the facts'
  window, each fact beside the posterior predictive distribution with the record's percentile
  (:func:`sim.analysis.record.compare`), and the joint match share.
- :func:`calibrated_yaml`: ``configs/calibrated.yaml`` text: the base config with the posterior
  medians.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibration.engine import (
    Arr,
    SMCResult,
    resample,
    rows_to_configs,
    weighted_quantiles,
)
from sim.analysis.calibration.spec import CalibrationSpec
from sim.analysis.record import Facts, compare
from sim.config import Config
from sim.core.draws import seed_for
from sim.engines.batch import simulate_configs
from sim.engines.ensemble import EnsembleResult
from sim.ioutil import atomic_write, write_parquet


def samples_frame(res: SMCResult) -> pd.DataFrame:
    """The posterior samples as a table: parameter columns, ``weight``, ``distance``."""
    frame = pd.DataFrame(res.samples, columns=list(res.names))
    frame["weight"] = res.weights / res.weights.sum()
    frame["distance"] = res.distances
    return frame


def write_samples(path: str | Path, res: SMCResult) -> Path:
    """Write ``posterior.parquet`` atomically."""
    return write_parquet(path, samples_frame(res))


def marginals(spec: CalibrationSpec, samples: pd.DataFrame) -> pd.DataFrame:
    """Weighted median and central 50% and 90% intervals per parameter, with prior and baseline."""
    w = samples["weight"].to_numpy(dtype=np.float64)
    base = spec.baseline_values
    rows = []
    for name, lo, hi in zip(spec.names, spec.lows, spec.highs, strict=True):
        q = weighted_quantiles(samples[name].to_numpy(dtype=np.float64), w, [0.05, 0.25, 0.5, 0.75, 0.95])
        rows.append({"parameter": name, "prior_low": lo, "prior_high": hi, "baseline": base[name],
                     "q05": q[0], "q25": q[1], "median": q[2], "q75": q[3], "q95": q[4],
                     "width_ratio": (q[4] - q[0]) / (0.9 * (hi - lo)),
                     "baseline_inside_90": q[0] <= base[name] <= q[4]})
    return pd.DataFrame(rows)


def pair_plot(path: str | Path, spec: CalibrationSpec, samples: pd.DataFrame, max_points: int = 2000) -> Path:
    """A pair plot of the weighted samples (histograms on the diagonal, baseline marked)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(spec.names)
    k = len(names)
    w = samples["weight"].to_numpy(dtype=np.float64)
    base = spec.baseline_values
    fig, axes = plt.subplots(k, k, figsize=(2.2 * k + 1, 2.2 * k + 1), squeeze=False)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i][j]
            if i == j:
                ax.hist(samples[a], bins=25, weights=w, range=(spec.lows[i], spec.highs[i]), color="#4477aa")
                ax.axvline(base[a], color="#cc3311", lw=1)
            elif i > j:
                ax.scatter(samples[b][:max_points], samples[a][:max_points], s=3, alpha=0.4,
                           c=w[:max_points], cmap="Blues")
                ax.plot([base[b]], [base[a]], marker="x", color="#cc3311")
                ax.set_xlim(spec.lows[j], spec.highs[j])
                ax.set_ylim(spec.lows[i], spec.highs[i])
            else:
                ax.axis("off")
            if i == k - 1:
                ax.set_xlabel(b.split(".")[-1] if b.count(".") < 3 else ".".join(b.split(".")[-2:]), fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(a.split(".")[-1] if a.count(".") < 3 else ".".join(a.split(".")[-2:]), fontsize=7)
            ax.tick_params(labelsize=6)
    fig.suptitle("Posterior (weighted SMC-ABC population); red: baseline value", fontsize=9)
    fig.tight_layout()

    def write(p: Path) -> None:
        fig.savefig(p, format="png", dpi=90)

    try:
        return atomic_write(path, write)
    finally:
        plt.close(fig)


def run_rows(cfg: Config, names: Sequence[str], theta: Arr, master_seed: int, days: int) -> EnsembleResult:
    """One run per parameter row (seeds ``seed_for(master_seed, 0, i)``), all at once."""
    seeds = [seed_for(master_seed, 0, i) for i in range(len(theta))]
    return simulate_configs(rows_to_configs(cfg, names, theta), [1] * len(theta), seeds, days)


@dataclass
class PredictiveCheck:
    """Each fact beside the posterior predictive distribution."""

    table: pd.DataFrame
    joint: float
    draws: int


def predictive_check(spec: CalibrationSpec, samples: pd.DataFrame, draws: int, seed: int,
                     facts: Facts | None = None) -> PredictiveCheck:
    """Resample ``draws`` rows from the posterior, run each once for the facts' window, compare."""
    facts = facts or spec.facts
    theta = resample(samples[list(spec.names)].to_numpy(dtype=np.float64),
                     samples["weight"].to_numpy(dtype=np.float64), draws, seed)
    res = run_rows(spec.config, spec.names, theta, seed, facts.days)
    table, joint = compare(facts, res.statistics())
    return PredictiveCheck(table=table, joint=joint, draws=draws)


def calibrated_yaml(spec: CalibrationSpec, medians: dict[str, float], header: str, where: Path) -> str:
    """``configs/calibrated.yaml``: ``extends`` the base config, overriding the fitted parameters.

    ``extends`` replaces lists whole, so a parameter inside a list (a militia, a bloc) writes the
    whole list with its value changed. ``where`` is the folder the file goes to (``extends`` is
    relative to it).
    """
    import os

    import yaml

    from sim.config import apply_overrides, load_raw

    base_path = spec.path.parent / spec.file.config
    raw = load_raw(base_path)
    apply_overrides(raw, {k: float(f"{v:.4g}") for k, v in medians.items()}, source=str(spec.path))
    rel = os.path.relpath(base_path.resolve(), Path(where).resolve())
    out: dict[str, object] = {"extends": rel, "meta": {"name": "calibrated"}}
    for name in medians:
        parts = name.split(".")
        src: object = raw
        dst: dict[str, object] = out
        for k, part in enumerate(parts):
            assert isinstance(src, dict)
            value = src[part]
            if isinstance(value, list) or k == len(parts) - 1:
                dst[part] = value
                break
            nxt = dst.setdefault(part, {})
            assert isinstance(nxt, dict)
            dst, src = nxt, value
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    return "\n".join(lines) + "\n\n" + str(yaml.safe_dump(out, sort_keys=False, width=200, allow_unicode=True))


__all__ = ["PredictiveCheck", "calibrated_yaml", "marginals", "pair_plot", "predictive_check", "run_rows",
           "samples_frame", "write_samples"]
