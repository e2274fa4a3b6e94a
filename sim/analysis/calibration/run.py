"""``escalation calibrate`` as a library call: SMC-ABC, then everything a reader needs.

:func:`calibrate` runs :func:`sim.analysis.calibration.engine.run_smc` with its checkpoint in
``OUT/checkpoint`` and writes into ``OUT``: ``posterior.parquet``, ``marginals.csv``,
``pairplot.png``, ``predictive.csv`` (each fact beside the posterior predictive, with the record's
percentile), ``baseline_check.csv`` (the same check for the base config, for the adoption
decision), ``summary.json`` (thresholds, simulations, times, joint match shares) and
``calibrated.yaml`` (the posterior medians, to copy to ``configs/calibrated.yaml``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.calibration.engine import SMCResult, run_smc
from sim.analysis.calibration.outputs import (
    PredictiveCheck,
    calibrated_yaml,
    marginals,
    pair_plot,
    predictive_check,
    samples_frame,
    write_samples,
)
from sim.analysis.calibration.spec import CalibrationSpec, load_spec
from sim.analysis.record import compare
from sim.core.draws import seed_for
from sim.engines.ensemble import run_ensemble
from sim.ioutil import atomic_write, write_json


@dataclass
class Calibration:
    """A finished calibration and its checks."""

    spec: CalibrationSpec
    smc: SMCResult
    medians: dict[str, float]
    header: str
    samples: pd.DataFrame
    marginals: pd.DataFrame
    check: PredictiveCheck
    baseline: PredictiveCheck
    seconds: float


def baseline_check(spec: CalibrationSpec, runs: int, seed: int) -> PredictiveCheck:
    """The base config (no parameter uncertainty) beside the facts, for comparison."""
    res = run_ensemble(spec.config, [seed_for(seed, 0, i) for i in range(runs)], spec.facts.days)
    table, joint = compare(spec.facts, res.statistics())
    return PredictiveCheck(table=table, joint=joint, draws=runs)


def calibrate(spec_path: str | Path | CalibrationSpec, out: str | Path, *, scheduler: str | None = None,
              progress: bool = True, stop_after_batches: int | None = None, log: Callable[[str], None] = print,
              spec_overrides: dict[str, Any] | None = None) -> Calibration:
    """Run a calibration spec into ``out`` (resuming from ``out/checkpoint``); see the module docstring."""
    t0 = time.perf_counter()
    if isinstance(spec_path, CalibrationSpec):
        spec = spec_path
    else:
        spec = load_spec(spec_path, spec_overrides)
    out = Path(out)
    smc = run_smc(spec, out / "checkpoint", scheduler=scheduler, progress=progress,
                  stop_after_batches=stop_after_batches, log=log)
    write_samples(out / "posterior.parquet", smc)
    samples = samples_frame(smc)
    marg = marginals(spec, samples)
    atomic_write(out / "marginals.csv", lambda p: marg.to_csv(p, index=False))
    pair_plot(out / "pairplot.png", spec, samples)
    draws = spec.file.predictive_draws
    seed = spec.file.master_seed
    check = predictive_check(spec, samples, draws, seed)
    base = baseline_check(spec, draws, seed)
    atomic_write(out / "predictive.csv", lambda p: check.table.to_csv(p, index=False))
    atomic_write(out / "baseline_check.csv", lambda p: base.table.to_csv(p, index=False))
    medians = dict(zip(marg["parameter"], marg["median"], strict=True))
    header = (f"Posterior medians of the SMC-ABC calibration on {spec.facts.path.name} "
              f"(spec {spec.path.name}, fingerprint {spec.fingerprint()}); written by escalation calibrate.\n"
              "The other parameters are the base config's; docs/calibration.md gives the posterior and the checks.")
    text = calibrated_yaml(spec, medians, header, out)
    atomic_write(out / "calibrated.yaml", lambda p: p.write_text(text, encoding="utf-8"))
    seconds = time.perf_counter() - t0
    write_json(out / "summary.json", {
        "spec": str(spec.path), "fingerprint": spec.fingerprint(), "parameters": list(spec.names),
        "facts": [f.id for f in spec.facts.facts], "thresholds": smc.thresholds,
        "simulations": smc.simulations, "smc_seconds": smc.seconds, "total_seconds": seconds,
        "resumed_batches": smc.resumed_batches, "scales": dict(zip([f.id for f in spec.facts.facts],
                                                                   smc.distance.scale, strict=True)),
        "predictive": {"draws": draws, "joint_match": check.joint,
                       "inside_90": int(check.table["inside_90"].sum())},
        "baseline": {"runs": draws, "joint_match": base.joint, "inside_90": int(base.table["inside_90"].sum())},
        "medians": medians,
        "ess": float(np.sum(smc.weights) ** 2 / np.sum(smc.weights ** 2)),
    })
    log(f"posterior: {len(samples)} samples; predictive check: {int(check.table['inside_90'].sum())} of "
        f"{len(check.table)} facts inside the central 90%, joint match {check.joint:.4f} "
        f"(baseline {base.joint:.4f}); {seconds:.1f} s in all")
    return Calibration(spec=spec, smc=smc, medians=medians, header=header, samples=samples, marginals=marg,
                       check=check, baseline=base, seconds=seconds)


__all__ = ["Calibration", "baseline_check", "calibrate"]
