"""``escalation compare``: B against A on common random numbers (paired runs, same seeds).

Parsing only: two configurations call :func:`sim.analysis.compare.compare`; ``--sweep DIR
--factor F`` calls :func:`sim.analysis.compare.compare_sweep` (a factor's levels of a
``seeds: shared`` sweep, paired by replicate). Both print the table and, with ``--out``, write
the report there.
"""

from __future__ import annotations

import argparse
from typing import Any

from sim.cli.args import max_days, seed, whole_number
from sim.config import UserError

#: Most paired runs of one comparison (each side, plus as many independent runs of B).
MAX_RUNS = 1_000_000


def register(sub: Any) -> None:
    """Add the ``compare`` subcommand."""
    p = sub.add_parser(
        "compare", help="compare B with A on the same seeds: paired differences with 95% CIs",
        description="Run configuration A and configuration B on the same seeds (common random "
                    "numbers) and report, for every path, boolean outcome and metric, the paired "
                    "difference B - A with its 95%% CI, beside what B on independent seeds gives, "
                    "and the variance reduction of pairing. B defaults to A, so "
                    "'escalation compare A --set-b KEY=VALUE' is 'A with one change'. With "
                    "--sweep DIR --factor F: the levels of F in a sweep run with 'seeds: "
                    "shared', each against the baseline level.")
    p.add_argument("a", nargs="?", default=None, metavar="A",
                   help="config A (YAML; default configs/baseline.yaml)")
    p.add_argument("b", nargs="?", default=None, metavar="B", help="config B (default: A)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a value in both A and B, by dotted path")
    p.add_argument("--set-a", action="append", default=[], metavar="KEY=VALUE",
                   help="override a value in A only")
    p.add_argument("--set-b", action="append", default=[], metavar="KEY=VALUE",
                   help="override a value in B only, e.g. actors.united_states.retaliation_weight=1.2")
    p.add_argument("--runs", type=whole_number("--runs", 2, MAX_RUNS), default=1000,
                   help="paired runs (default 1000; 2 or more)")
    p.add_argument("--days", type=whole_number("--days", 1, max_days()), default=None,
                   help=f"days to simulate, 1 to {max_days():,} (default: A's meta.days)")
    p.add_argument("--seed", type=seed("--seed"), default=None,
                   help="master seed; run r uses seed_for(seed, r) (default 20200103)")
    p.add_argument("--no-independent", dest="independent", action="store_false",
                   help="skip B's runs on independent seeds (no unpaired column; the variance "
                        "reduction is then estimated from the marginal variances)")
    p.add_argument("--sweep", default=None, metavar="DIR",
                   help="compare the levels of --factor in this results folder (seeds: shared)")
    p.add_argument("--factor", default=None, metavar="PATH", help="with --sweep: the factor")
    p.add_argument("--baseline-level", default=None, metavar="LEVEL",
                   help="with --sweep: the level the others are compared with (default: first)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="write paired.parquet, comparison.csv, compare.md and plots here")
    p.set_defaults(func=compare_command)


def compare_command(args: argparse.Namespace) -> int:
    """Handle ``escalation compare``."""
    from pathlib import Path

    if args.sweep is not None:
        used = [flag for flag, v in (("A", args.a), ("B", args.b), ("--set", args.overrides),
                                     ("--set-a", args.set_a), ("--set-b", args.set_b),
                                     ("--days", args.days), ("--seed", args.seed)) if v]
        if used:
            raise UserError(f"--sweep: {used[0]} does not apply; a sweep comparison reads the "
                            "runs stored in DIR")
        if not args.factor:
            raise UserError("--sweep: needs --factor PATH (the factor whose levels are compared)")
        from sim.analysis.compare import compare_sweep, sweep_printed

        res = compare_sweep(args.sweep, args.factor, args.baseline_level, out=args.out)
        print(sweep_printed(res, Path(args.out) if args.out else None))
        return 0
    for flag, v in (("--factor", args.factor), ("--baseline-level", args.baseline_level)):
        if v is not None:
            raise UserError(f"{flag}: only with --sweep DIR")
    from sim.analysis.compare import DEFAULT_MASTER_SEED, compare, printed

    c = compare(args.a, args.b, runs=args.runs, days=args.days, overrides=args.overrides,
                set_a=args.set_a, set_b=args.set_b,
                seed=args.seed if args.seed is not None else DEFAULT_MASTER_SEED,
                independent=args.independent, out=args.out)
    print(printed(c, Path(args.out) if args.out else None))
    return 0
