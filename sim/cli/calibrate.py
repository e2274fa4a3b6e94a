"""``escalation calibrate``: SMC-ABC (ELFI) of the fitted parameters on the facts of January-June 2020.

``calibrate [--spec configs/calibration.yaml] [--out DIR] [--scheduler ADDRESS] [--no-progress]
[--write-config] [--screen SWEEP]`` runs :func:`sim.analysis.calibration.run.calibrate`: a progress bar per batch,
a checkpoint in ``DIR/checkpoint`` (run the same command again after an interruption and it resumes;
a checkpoint made by another spec is refused), and the posterior, pair plot, predictive check and
posterior-median config in DIR. ``--write-config`` also copies that config to
``configs/calibrated.yaml``. ``--screen SWEEP`` only runs the Morris screening that chooses the
fitted parameters (:mod:`sim.analysis.calibration.sensitivity`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``calibrate`` subcommand."""
    p = sub.add_parser("calibrate", help="SMC-ABC calibration on the facts of January-June 2020",
                       description="Fit the parameters of configs/calibration.yaml to the facts of "
                                   "January-June 2020 by SMC-ABC (ELFI), resumable.")
    p.add_argument("--spec", default=None, help="calibration spec (configs/calibration.yaml)")
    p.add_argument("--out", default="results/calibration", help="output folder (results/calibration)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run ELFI's batches on a Dask scheduler (e.g. tcp://10.0.0.5:8786)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--screen", default=None, metavar="SWEEP",
                   help="only screen parameters: Morris indices of a morris sweep spec "
                        "(configs/sweeps/calibration_morris.yaml) on the facts' statistics")
    p.add_argument("--write-config", action="store_true",
                   help="also write the posterior medians to configs/calibrated.yaml")
    p.set_defaults(func=calibrate_command)


def calibrate_command(args: argparse.Namespace) -> int:
    """Handle ``escalation calibrate``."""
    from sim.analysis.calibration import DEFAULT_SPEC
    from sim.analysis.calibration.run import calibrate
    from sim.config import CONFIG_DIR
    from sim.ioutil import atomic_write, prepare_out_dir

    if args.screen:
        from sim.analysis.calibration.sensitivity import ranking, screen
        from sim.analysis.record import load_facts

        facts = load_facts()
        out = prepare_out_dir(args.out)
        idx = screen(args.screen, facts, progress=not args.no_progress)
        rank = ranking(idx)
        atomic_write(Path(out) / "morris_indices.csv", lambda p: idx.to_csv(p, index=False))
        atomic_write(Path(out) / "morris_ranking.csv", lambda p: rank.to_csv(p, index=False))
        print(rank.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
        print(f"\nwrote {out}/morris_indices.csv, morris_ranking.csv")
        return 0
    from sim.analysis.calibration import load_spec
    from sim.analysis.calibration.engine import check_statistics

    spec = load_spec(args.spec or DEFAULT_SPEC)  # every check before anything is written
    check_statistics(spec.config, spec.facts)
    out = prepare_out_dir(args.out)
    result = calibrate(spec, out, scheduler=args.scheduler, progress=not args.no_progress)
    print(result.marginals.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    print(f"\nwrote {out}/posterior.parquet, marginals.csv, pairplot.png, predictive.csv, calibrated.yaml")
    if args.write_config:
        from sim.analysis.calibration.outputs import calibrated_yaml

        text = calibrated_yaml(result.spec, result.medians, result.header, CONFIG_DIR)
        target = atomic_write(CONFIG_DIR / "calibrated.yaml", lambda p: p.write_text(text, encoding="utf-8"))
        print(f"wrote {target}")
    return 0
