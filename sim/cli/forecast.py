"""``escalation forecast``: the posterior predictive for 1 July 2020 - 3 January 2021 beside a naive
forecast, and both scored once observed values are supplied.

``forecast [--posterior configs/calibration_posterior.parquet] [--spec configs/calibration.yaml]
[--draws N] [--seed S] [--observed FILE] [--out DIR]`` draws N parameter rows from the posterior
samples (by weight), runs each once to 3 January 2021 (:func:`sim.analysis.forecast.posterior_forecast`),
fits the naive forecast to the January-June record (:func:`sim.analysis.forecast.naive_forecast`)
and prints both; ``--observed FILE`` (YAML ``observed: {key: value or [low, high]}``, see
docs/calibration.md) scores both by CRPS, log score and 90% coverage. ``--out DIR`` writes
``forecast.csv`` (and ``scores.csv``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sim.cli.args import seed, whole_number
from sim.config import CONFIG_DIR


def register(sub: Any) -> None:
    """Add the ``forecast`` subcommand."""
    p = sub.add_parser("forecast", help="posterior predictive forecast for Jul 2020 - Jan 2021 beside a naive one",
                       description="Forecast 1 July 2020 - 3 January 2021 from the posterior predictive and a "
                                   "naive count model fitted to January-June 2020; score both on observed values.")
    p.add_argument("--posterior", default=str(CONFIG_DIR / "calibration_posterior.parquet"),
                   help="posterior samples (configs/calibration_posterior.parquet; escalation calibrate "
                        "writes OUT/posterior.parquet)")
    p.add_argument("--spec", default=None, help="calibration spec (configs/calibration.yaml)")
    p.add_argument("--draws", type=whole_number("--draws", 10, 1_000_000), default=2000, help="draws (2000)")
    p.add_argument("--seed", type=seed("--seed"), default=2021, help="master seed (2021)")
    p.add_argument("--observed", default=None, help="observed values to score against (YAML)")
    p.add_argument("--out", default=None, help="folder to write forecast.csv (and scores.csv) into")
    p.set_defaults(func=forecast_command)


def forecast_command(args: argparse.Namespace) -> int:
    """Handle ``escalation forecast``."""
    import numpy as np
    import pandas as pd

    from sim.analysis import forecast as fc
    from sim.analysis.calibration import DEFAULT_SPEC, load_spec
    from sim.analysis.calibration.engine import resample
    from sim.config import UserError
    from sim.ioutil import atomic_write, prepare_out_dir

    observed = fc.read_observed(args.observed) if args.observed else None
    spec = load_spec(args.spec or DEFAULT_SPEC)
    path = Path(args.posterior)
    try:
        samples = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise UserError(f"--posterior {path}: cannot read posterior samples ({exc})") from None
    missing = [n for n in spec.names if n not in samples.columns]
    if missing:
        raise UserError(f"--posterior {path}: no column {missing[0]!r} (the spec's parameters)")
    out = prepare_out_dir(args.out) if args.out else None
    weights = samples["weight"].to_numpy(dtype=np.float64) if "weight" in samples else np.ones(len(samples))
    theta = resample(samples[list(spec.names)].to_numpy(dtype=np.float64), weights, args.draws, args.seed)
    model = fc.posterior_forecast(spec.config, spec.names, theta, args.seed)
    naive, fits = fc.naive_forecast(spec.facts, draws=args.draws, seed=args.seed)
    table = fc.side_by_side(model, naive)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    print("\nnaive fits:")
    print(fits.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    if out is not None:
        atomic_write(Path(out) / "forecast.csv", lambda p: table.to_csv(p, index=False))
    if observed is not None:
        scores = pd.concat([fc.score(model, observed).assign(forecast="model"),
                            fc.score(naive, observed).assign(forecast="naive")])
        print(scores.groupby("forecast")[["crps", "log_score", "covered"]].mean().to_string())
        if out is not None:
            atomic_write(Path(out) / "scores.csv", lambda p: scores.to_csv(p, index=False))
    return 0
