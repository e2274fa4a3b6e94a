"""``escalation history``: the baseline beside the record of January-June 2020, and a forecast.

``history [--runs N] [--seed S] [--config PATH] [--out DIR]`` runs the config (the baseline by
default) N times for the facts' window (:mod:`sim.analysis.record_check`), prints each fact beside
the model's distribution and the joint match probability, then runs the same config on to 3 January
2021 and prints the forecast for July 2020 - January 2021. ``--out DIR`` writes ``DIR/history.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sim.cli.args import seed, whole_number
from sim.config import load_config


def register(sub: Any) -> None:
    """Add the ``history`` subcommand."""
    h = sub.add_parser("history", help="the baseline beside the record of Jan-Jun 2020, and a forecast",
                       description="Compare the baseline with the facts of January-June 2020 and print "
                                   "its forecast for July 2020 - January 2021.")
    h.add_argument("--runs", type=whole_number("--runs", 2, 1_000_000), default=2000, help="runs (2000)")
    h.add_argument("--seed", type=seed("--seed"), default=2020,
                   help="master seed of the runs, 0 to 2**63 - 1 (2020)")
    h.add_argument("--config", default=None, help="config to check (configs/baseline.yaml)")
    h.add_argument("--facts", default=None, help="facts file (configs/history/facts_2020h1.yaml)")
    h.add_argument("--out", default=None, help="folder to write history.md into (e.g. docs)")
    h.set_defaults(func=history_command)


def history_command(args: argparse.Namespace) -> int:
    """Handle ``escalation history``."""
    from sim.analysis.record import DEFAULT_FACTS
    from sim.analysis.record_check import check_record, facts_table, final_table, forecast_table, markdown, run_forecast
    from sim.ioutil import atomic_write, prepare_out_dir

    out = prepare_out_dir(args.out) if args.out else None
    cfg = load_config(args.config)
    check = check_record(cfg, runs=args.runs, master_seed=args.seed, facts_path=args.facts or DEFAULT_FACTS)
    print(f"The record of {check.facts.start} - {check.facts.end} beside {check.runs:,} runs of "
          f"{cfg.meta.name} ({check.seconds:.1f} s)")
    print(facts_table(check))
    inside = int(check.table["inside_90"].sum())
    print(f"\n{inside} of {len(check.table)} facts inside the central 90%; joint match probability "
          f"{check.joint:.4f} ({round(check.joint * check.runs)} of {check.runs:,} runs)\n")
    fc = run_forecast(cfg, runs=args.runs, master_seed=args.seed)
    print(f"Forecast to 2021-01-03 ({fc.runs:,} runs, {fc.seconds:.1f} s): median [5%, 95%] by month")
    print(forecast_table(fc))
    print()
    print(final_table(fc))
    if out is not None:
        text = markdown(check, fc)
        target = atomic_write(Path(out) / "history.md", lambda p: p.write_text(text, encoding="utf-8"))
        print(f"\nwrote {target}")
    return 0
