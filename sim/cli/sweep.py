"""``escalation sweep`` (batch runs into a results folder) and ``escalation report`` (its report).

Parsing only: ``sweep`` calls :func:`sim.experiments.runner.sweep`; ``report`` calls
:func:`sim.analysis.report.make_report` (imported when used) and prints its table.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sim.cli.args import seconds, whole_number
from sim.experiments.executors import CONNECT_TIMEOUT, DEFAULT_CHUNK, ENGINES


def register(sub: Any) -> None:
    """Add the ``sweep`` and ``report`` subcommands."""
    p = sub.add_parser(
        "sweep", help="run a sweep spec: many runs into Parquet results",
        description="Run every design point and replicate of a sweep spec (configs/sweeps/*.yaml) "
                    "into DIR/runs/ (Parquet parts), DIR/manifest.json and, if the spec records "
                    "series, DIR/series/.")
    p.add_argument("spec", help="sweep spec (YAML), e.g. configs/sweeps/baseline_distribution.yaml")
    p.add_argument("--out", required=True, metavar="DIR", help="results folder")
    p.add_argument("--workers", type=whole_number("--workers", 1), default=1,
                   help="local worker processes (default 1: run in this process)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted sweep in DIR (stored parts are checked first)")
    p.add_argument("--repair", action="store_true",
                   help="with --resume: move damaged or foreign parts to DIR/damaged/ and re-run "
                        "exactly their runs")
    p.add_argument("--allow-code-change", action="store_true",
                   help="with --resume: add rows although the model code changed since the "
                        "stored rows were made (recorded in the manifest; the report says so)")
    p.add_argument("--force", action="store_true", help="delete earlier results in DIR first")
    p.add_argument("--engine", choices=ENGINES, default="ensemble",
                   help="ensemble (vectorised, default) or mesa (one Mesa model per run); "
                        "results are identical")
    chunks = ", ".join(f"{n:,} {engine}" for engine, n in DEFAULT_CHUNK.items())
    p.add_argument("--chunk-size", type=whole_number("--chunk-size", 1), default=None,
                   help=f"runs per task (default: {chunks}, fewer to balance workers)")
    p.add_argument("--connect-timeout", type=seconds("--connect-timeout"),
                   default=CONNECT_TIMEOUT, metavar="SECONDS",
                   help=f"seconds to wait for the Dask scheduler (default {CONNECT_TIMEOUT:g})")
    p.add_argument("--flush-seconds", type=seconds("--flush-seconds"), default=30.0,
                   metavar="SECONDS",
                   help="write finished rows at least this often (default 30; the most work a "
                        "crash can lose)")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar")
    p.set_defaults(func=sweep_command)

    r = sub.add_parser("report", help="report a sweep: path distributions with CIs, plots",
                       description="Summarise a sweep's results folder into DIR/report/ "
                                   "(report.md, CSV tables, PNG plots) and print the table.")
    r.add_argument("dir", metavar="DIR", help="results folder written by 'escalation sweep'")
    r.add_argument("--out", default=None, metavar="FOLDER",
                   help="where to write the report (default DIR/report)")
    r.add_argument("--discover", action="append", default=[], metavar="CONDITION",
                   help="scenario discovery: PRIM box over the factors for an outcome, e.g. "
                        "'path == s1_major_escalation', 'us_killed > 10', 'all_out_war' "
                        "(repeatable; the spec's discovery list is added)")
    r.set_defaults(func=report_command)


def sweep_command(args: argparse.Namespace) -> int:
    """Handle ``escalation sweep``."""
    from sim.experiments.runner import sweep  # imported when used: the CLI starts fast

    out = sweep(args.spec, args.out, workers=args.workers, scheduler=args.scheduler,
                resume=args.resume, force=args.force, repair=args.repair,
                allow_code_change=args.allow_code_change, engine=args.engine,
                chunk_size=args.chunk_size, progress=args.progress,
                connect_timeout=args.connect_timeout, flush_seconds=args.flush_seconds)
    from sim.experiments.store import read_manifest

    m = read_manifest(out)
    counts = ", ".join(f"{n} {k}" for k, n in sorted(m["counts"].items())) or "no runs"
    print(f"wrote {out}/runs/ ({counts}; {m['n_runs']} runs in the sweep); "
          f"next: escalation report {out}")
    return 0 if m["complete"] else 1


def report_command(args: argparse.Namespace) -> int:
    """Handle ``escalation report``."""
    from sim.analysis.report import make_report

    folder, text = make_report(args.dir, out=args.out, discover=args.discover)
    print(text)
    print(f"wrote {Path(folder)}")
    return 0
