"""``escalation validate``.

``validate [--runs N] [--only C1,C2] [--out DIR]`` measures the claims C1-C14 beside their negative
controls (:mod:`sim.analysis.claims`; table, page and plot in :mod:`sim.analysis.claims_report`),
then the history likelihood (:mod:`sim.analysis.history`) and a 12-month forecast; it prints the
table and writes ``validation.md`` and PNG plots into DIR. It exits 1 when a claim fails or a
negative control leaves its claim passing. (``escalation calibrate`` lives in
:mod:`sim.cli.calibrate`.)
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from sim.cli.args import max_days, seed, whole_number
from sim.config import CONFIG_DIR, UserError, flatten, load_config, read_yaml
from sim.core.draws import seed_for

DOCS = CONFIG_DIR.parent / "docs"
CALIBRATED = CONFIG_DIR / "calibrated.yaml"
HISTORY = CONFIG_DIR / "history_dec2019.yaml"
#: Forecast quantities (metric -> label), over the 12 months after 3 January 2020.
FORECAST = {
    "militia_attacks": "militia attacks",
    "lethal_attacks": "lethal attacks",
    "us_strikes_iraq": "US strikes in Iraq",
    "us_strikes_iran": "US strikes on Iran",
    "us_troops_final": "US troops at year end",
    "legal_status_final": "parliament's legal step (0 none .. 3 binding law)",
    "iraq_sanctioned": "Iraq sanctioned by the US",
    "all_out_war": "all-out war",
    "isis_strength_final": "ISIS strength at year end (0..1)",
}


def register(sub: Any) -> None:
    """Add the ``validate`` subcommand."""
    v = sub.add_parser("validate", help="check the seeds' claims C1-C14 against their negative controls",
                       description="Measure each claim's effect and its negative control's, then the "
                                   "history likelihood and a forecast.")
    v.add_argument("--runs", type=whole_number("--runs", 2), default=400, help="runs per batch (400)")
    v.add_argument("--days", type=whole_number("--days", 2, max_days()), default=365,
                   help="days per run (365)")
    v.add_argument("--seed", type=seed("--seed"), default=2020,
                   help="master seed of the batches, 0 to 2**63 - 1 (2020)")
    v.add_argument("--out", default=None, help="folder for validation.md and plots")
    v.add_argument("--only", default=None, help="comma-separated claim ids (e.g. C1,C9); default all")
    v.set_defaults(func=validate_command)


# ------------------------------------------------------------------------------------------
# tables


def steps_table(before: Any, after: Any | None = None) -> str:
    """Markdown table of each historical step's probability (before / after calibration)."""
    head = "| date | actor | recorded choice | scored as | P (baseline) |"
    sep = "|---|---|---|---|---|"
    if after is not None:
        head += " P (calibrated) | rules' modal choice (calibrated) |"
        sep += "---|---|"
    else:
        head += " rules' modal choice |"
        sep += "---|"
    lines = [head, sep]
    for i, s in enumerate(before.steps):
        row = f"| {s.date} | {s.actor} | {s.action} | {s.kind} | {s.prob:.3g} |"
        if after is not None:
            a = after.steps[i]
            row += f" {a.prob:.3g} | {a.modal} |"
        else:
            row += f" {s.modal} |"
        lines.append(row)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# forecast and plots


def forecast(config: Path, runs: int, master_seed: int = 2021) -> dict[str, Any]:
    """Metrics of ``runs`` seeded 365-day runs of ``config`` (12 months from its start date)."""
    from sim.engines.ensemble import run_ensemble

    cfg = load_config(config)
    seeds = [seed_for(master_seed, 1, i) for i in range(runs)]
    res = run_ensemble(cfg, seeds, 365)
    out = {k: np.asarray(res.metrics[k], dtype=np.float64) for k in FORECAST}
    out["paths"] = res.paths
    return out


def forecast_table(fc: dict[str, Any]) -> str:
    """Markdown table of forecast distributions (mean, median, 5-95% range)."""
    lines = ["| quantity | mean | median | 5% | 95% |", "|---|---|---|---|---|"]
    for k, label in FORECAST.items():
        x = fc[k]
        q5, q50, q95 = np.quantile(x, [0.05, 0.5, 0.95])
        lines.append(f"| {label} | {x.mean():.3g} | {q50:.3g} | {q5:.3g} | {q95:.3g} |")
    paths, counts = np.unique(fc["paths"], return_counts=True)
    lines.append("")
    lines.append("Paths: " + ", ".join(f"{p} {c / counts.sum():.1%}"
                                      for p, c in zip(paths, counts, strict=True)))
    return "\n".join(lines)


def _plots(fc: dict[str, Any], steps: Any, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []

    fig, axes = plt.subplots(3, 3, figsize=(11, 8))
    for ax, (k, label) in zip(axes.flat, FORECAST.items(), strict=True):
        ax.hist(fc[k], bins=30, color="tab:blue")
        ax.set_title(label, fontsize=8)
    fig.suptitle("12-month forecast from 3 January 2020 (calibrated config)")
    fig.tight_layout()
    fig.savefig(out / "forecast.png", dpi=110)
    plt.close(fig)
    names.append("forecast.png")

    fig, ax = plt.subplots(figsize=(9, 4))
    labels = [f"{s.date} {s.actor[:14]}: {s.action}" for s in steps.steps]
    ax.barh(range(len(labels)), [s.prob for s in steps.steps], color="tab:orange")
    ax.set_xscale("log")
    ax.set_yticks(range(len(labels)), labels, fontsize=6)
    ax.invert_yaxis()
    ax.set_xlabel("probability the rules gave the recorded choice")
    fig.tight_layout()
    fig.savefig(out / "history_steps.png", dpi=110)
    plt.close(fig)
    names.append("history_steps.png")
    return names


# ------------------------------------------------------------------------------------------
# commands


def validate_command(args: argparse.Namespace) -> int:
    """Handle ``escalation validate``."""
    import os
    import sys
    import time

    from sim.analysis.claims import CLAIMS, NOTES, run_claims
    from sim.analysis.claims_report import claims_plot, claims_table, summary, validation_markdown
    from sim.analysis.history import log_likelihood, replay
    from sim.experiments.provenance import git_commit
    from sim.ioutil import atomic_write, prepare_out_dir

    only = None
    if args.only:
        only = [c.strip().upper() for c in args.only.split(",") if c.strip()]
        unknown = [c for c in only if c not in CLAIMS]
        if unknown or not only:
            raise UserError(f"--only: {', '.join(unknown) or 'nothing'} is not a claim; allowed "
                            f"{', '.join(CLAIMS)}")
    out = prepare_out_dir(args.out) if args.out else None
    git = git_commit()  # before anything is written (the output folder may be in the tree)
    t0 = time.perf_counter()
    results = run_claims(runs=args.runs, days=args.days, master_seed=args.seed, only=only,
                         progress=lambda cid: print(f"  {cid} done ({time.perf_counter() - t0:.0f}s)",
                                                    file=sys.stderr, flush=True))
    t_claims = time.perf_counter() - t0
    print(claims_table(results))
    s = summary(results)
    print(f"\nclaims: {len(s['passed'])} of {s['claims']} pass; negative controls: "
          f"{len(s['controls_failing'])} of {s['claims']} make their claim fail "
          f"({args.runs} runs per batch, {args.days} days, {t_claims:.0f}s); smallest verdict margin "
          f"{s['min_flip_z']:.1f} standard errors")
    hist = replay(load_config(HISTORY))
    ll, ll_events = log_likelihood(hist), log_likelihood(hist, ("event",))
    print(f"history likelihood (baseline weights): log L = {ll:.2f} "
          f"(recorded acts {ll_events:.2f}, quiet days {ll - ll_events:.2f})")
    cal_ll = None
    if CALIBRATED.exists():
        cal_hist = replay(load_config(HISTORY, _calibrated_overrides()))
        cal_ll = log_likelihood(cal_hist)
        print(f"history likelihood (calibrated weights): log L = {cal_ll:.2f}")
    if out is not None:
        fc_cfg = CALIBRATED if CALIBRATED.exists() else CONFIG_DIR / "baseline.yaml"
        fc = forecast(fc_cfg, args.runs)
        plots = [claims_plot(results, out), *_plots(fc, hist, out)]
        meta = {
            "command": f"escalation validate --runs {args.runs} --days {args.days} --seed {args.seed}"
                       + (f" --only {','.join(only)}" if only else "") + " --out DIR",
            "date": dt.date.today(), "commit": (git["commit"] or "unknown")[:12], "dirty": git["dirty"],
            "runs": args.runs, "days": args.days, "seed": args.seed, "seconds": t_claims,
            "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "notes": list(NOTES),
            "load_note": _load_note(),
        }
        text = (validation_markdown(results, meta, plots[0]) + "\n"
                + _history_md(args, hist, ll, cal_ll, fc, fc_cfg))
        atomic_write(out / "validation.md", lambda p: p.write_text(text, encoding="utf-8"))
        print(f"wrote {out}/validation.md and {', '.join(plots)}")
    return 1 if (s["failed"] or s["controls_passing"]) else 0


def _calibrated_overrides() -> dict[str, Any]:
    """Read the fitted values in configs/calibrated.yaml as dotted overrides."""
    raw = read_yaml(CALIBRATED, "calibrated config")
    return flatten({k: v for k, v in raw.items() if k not in ("extends", "meta")})


def _load_note() -> str:
    """The machine's load average when the run ended: timings on a busy machine are upper bounds."""
    import os

    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return ""
    return f"load average {load:.1f} at the end: other jobs shared the cores" if load > 1.5 else ""


def _history_md(args: argparse.Namespace, hist: Any, ll: float, cal_ll: float | None,
                fc: dict[str, Any], fc_cfg: Path) -> str:
    lines = [
        "## History likelihood (27 Dec 2019 - 9 Jan 2020)",
        "",
        f"Replay of `configs/history_dec2019.yaml` (see `sim/analysis/history.py`). log L = {ll:.2f} with "
        "the baseline weights" + (f"; {cal_ll:.2f} with the calibrated weights "
                                 "(docs/calibration.md)." if cal_ll is not None else "."),
        "",
        steps_table(hist),
        "",
        "![history steps](history_steps.png)",
        "",
        "## Forecast: 12 months after 3 January 2020",
        "",
        f"{args.runs} seeded runs of `{fc_cfg.relative_to(CONFIG_DIR.parent)}`, 365 days from "
        "3 January 2020. Readers can hold these against what happened.",
        "",
        forecast_table(fc),
        "",
        "![forecast](forecast.png)",
        "",
    ]
    return "\n".join(lines)


__all__ = ["register", "validate_command", "UserError"]
