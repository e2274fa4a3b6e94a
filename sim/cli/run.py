"""``escalation run``: one run of the model, told as a narrative, optionally saved.

Writes, with ``--out DIR``: ``timeline.parquet`` (one row per day), ``events.parquet`` (one row
per act) and ``summary.json`` (seed, config hash, path, metrics).
"""

from __future__ import annotations

import argparse
from typing import Any

from sim.cli.args import max_days, seed, whole_number
from sim.config import DEFAULT_CONFIG, UserError, load_config
from sim.ioutil import prepare_out_dir, write_json, write_parquet


def register(sub: Any) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser("run", help="run the model once and tell what happened",
                       description="Run the model once and print a narrative of notable events.")
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="YAML config (default: configs/baseline.yaml)")
    p.add_argument("--seed", type=seed("--seed"), default=None,
                   help="run seed, 0 to 2**63 - 1 (drawn and printed if omitted)")
    p.add_argument("--days", type=whole_number("--days", 1, max_days()), default=None,
                   help=f"days to simulate, 1 to {max_days():,} (default: meta.days)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value by dotted path, e.g. actors.iran.revenge_weight=0.8")
    p.add_argument("--out", default=None, help="folder for timeline.parquet, events.parquet, summary.json")
    p.add_argument("--quiet", action="store_true", help="print only the outcome")
    p.set_defaults(func=run_command)


def _notable(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events worth a line: every act; Iran's course changes that hold 3+ days and differ from
    the last course shown; the first order of force protection (later ones renew the posture).
    """
    change_days = sorted({e["day"] for e in events if e["kind"] == "iran_strategy"})
    shown: list[dict[str, Any]] = []
    last_course: str | None = None
    protected = False
    for e in events:
        if e["kind"] == "bloc_vote":  # in events.parquet; the vote's outcome line sums them up
            continue
        if e["kind"] == "iran_strategy":
            i = change_days.index(e["day"])
            nxt = change_days[i + 1] if i + 1 < len(change_days) else None
            if (nxt is not None and nxt - e["day"] < 3) or e["action"] == last_course:
                continue
            last_course = e["action"]
        elif e["kind"] == "us" and e["action"] == "force_protection":
            if protected:
                continue
            protected = True
        shown.append(e)
    return shown


def run_command(args: argparse.Namespace) -> int:
    """Handle ``escalation run``."""
    cfg = load_config(args.config, args.overrides)
    out = prepare_out_dir(args.out) if args.out else None
    from sim.core.draws import fresh_seed  # the model is imported once the input is checked
    from sim.core.events import narrate
    from sim.engines.mesa_model import EscalationModel

    run_seed = args.seed if args.seed is not None else fresh_seed()
    if args.seed is None:
        print(f"seed: {run_seed} (drawn; pass --seed {run_seed} to repeat this run)")
    model = EscalationModel(cfg, rng=run_seed, days=args.days)
    model.run()
    metrics = model.metrics()
    if not args.quiet:
        print(f"{cfg.meta.name}: {model.days} days from {cfg.meta.start_date}, seed {model.seed}\n")
        for e in _notable(model.events):
            print("  " + narrate(e, quorum=cfg.actors.parliament.quorum))
        print()
    m = metrics
    print(f"outcome: {m['path']}")
    print(f"  US killed {m['us_killed']}, wounded {m['us_wounded']}; militia killed {m['militia_killed']}; "
          f"Iraqis killed {m['iraqi_killed']}; Iranians killed {m['iranian_killed']}")
    print(f"  militia attacks {m['militia_attacks']} ({m['lethal_attacks']} lethal); US strikes in Iraq "
          f"{m['us_strikes_iraq']}, on Iran {m['us_strikes_iran']}; max escalation rung {m['max_escalation']}/6")
    legal = ("binding law" if m["binding_law_passed"] else "limits on operations" if m["limits_passed"]
             else "resolution" if m["resolution_passed"] else "none")
    print(f"  US troops {int(m['us_troops_final'])}; parliament: {legal}; Iraq sanctioned: "
          f"{'yes' if m['iraq_sanctioned'] else 'no'}; all-out war: {'yes' if m['all_out_war'] else 'no'}; "
          f"ISIS strength {m['isis_strength_final']:.2f}")
    if out is not None:
        write_parquet(out / "timeline.parquet", model.timeline())
        write_parquet(out / "events.parquet", model.events_frame())
        write_json(out / "summary.json", {
            "seed": model.seed, "config": str(args.config), "config_hash": cfg.hash(),
            "overrides": list(args.overrides), "days": model.days, "path": m["path"],
            "metrics": {k: v for k, v in m.items() if k != "path"},
        })
        print(f"\nwrote {out}/timeline.parquet, events.parquet, summary.json")
    return 0


__all__ = ["register", "run_command", "UserError"]
