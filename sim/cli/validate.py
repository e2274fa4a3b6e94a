"""``escalation validate``.

``validate [--runs N] [--out DIR]`` runs the claims checks C1-C14 (:mod:`sim.analysis.claims`), the
history likelihood (:mod:`sim.analysis.history`) and a 12-month forecast from the calibrated config,
prints the claims table and writes ``validation.md`` and PNG plots into DIR; it exits 1 when a
claim fails. (``escalation calibrate`` lives in :mod:`sim.cli.calibrate`.)
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.cli.args import max_days, seed, whole_number
from sim.config import CONFIG_DIR, UserError, flatten, load_config, read_yaml
from sim.core.draws import seed_for

if TYPE_CHECKING:
    from sim.analysis.claims import ClaimResult

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
    v = sub.add_parser("validate", help="check the seeds' claims C1-C14 and the history fit",
                       description="Run the claims checks, the history likelihood and a forecast.")
    v.add_argument("--runs", type=whole_number("--runs", 2), default=400, help="runs per batch (400)")
    v.add_argument("--days", type=whole_number("--days", 2, max_days()), default=365,
                   help="days per run (365)")
    v.add_argument("--seed", type=seed("--seed"), default=2020,
                   help="master seed of the batches, 0 to 2**63 - 1 (2020)")
    v.add_argument("--out", default=None, help="folder for validation.md and plots")
    v.set_defaults(func=validate_command)


# ------------------------------------------------------------------------------------------
# tables


def claims_table(results: list[ClaimResult], markdown: bool = False) -> str:
    """Format the claims table: claim, source, statistic, estimate, CI, threshold, pass."""
    rows = [r for res in results for r in res.rows()]
    head = ["claim", "source", "statistic", "estimate", "95% CI", "threshold", "pass"]
    body = [[r["claim"], r["source"].split(" (")[0], r["statistic"], f"{r['estimate']:.4g}",
             r["interval"], r["threshold"], "PASS" if r["pass"] else "FAIL"] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in body]
        return "\n".join(lines)
    widths = [min(max(len(str(x[i])) for x in [head, *body]), 70) for i in range(len(head))]
    fmt = lambda row: "  ".join(str(c)[:w].ljust(w) for c, w in zip(row, widths, strict=True))  # noqa: E731
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, body)])


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


def _plots(results: list[ClaimResult], fc: dict[str, Any], steps: Any, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    rows = [(res.claim, c) for res in results for c in res.checks]
    fig, axes = plt.subplots(1, 1, figsize=(9, 0.28 * len(rows) + 1.2))
    for y, (_cid, c) in enumerate(rows):
        span = max(abs(c.hi - c.threshold), abs(c.lo - c.threshold),
                   abs(c.estimate - c.threshold))
        span = span or 1.0
        scale = lambda v, c=c, span=span: (v - c.threshold) / span  # noqa: E731
        colour = "tab:green" if c.passed else "tab:red"
        axes.plot([scale(c.lo), scale(c.hi)], [y, y], color=colour, lw=3)
        axes.plot([scale(c.estimate)], [y], "o", color="black", ms=3)
    axes.axvline(0, color="grey", lw=1)
    axes.set_yticks(range(len(rows)), [f"{cid}: {c.statistic[:48]}" for cid, c in rows], fontsize=6)
    axes.invert_yaxis()
    axes.set_xlabel("estimate and 95% CI, relative to the threshold (0), scaled per check")
    fig.tight_layout()
    fig.savefig(out / "claims.png", dpi=110)
    plt.close(fig)
    names.append("claims.png")

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
    import time

    from sim.analysis.claims import run_claims
    from sim.analysis.history import log_likelihood, replay
    from sim.ioutil import atomic_write, prepare_out_dir

    out = prepare_out_dir(args.out) if args.out else None
    t0 = time.perf_counter()
    results = run_claims(runs=args.runs, days=args.days, master_seed=args.seed)
    t_claims = time.perf_counter() - t0
    print(claims_table(results))
    n_fail = sum(not r.passed for r in results)
    print(f"\nclaims: {len(results) - n_fail} of {len(results)} pass "
          f"({args.runs} runs per batch, {args.days} days, {t_claims:.0f}s)")
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
        plots = _plots(results, fc, hist, out)
        text = _validation_md(results, args, hist, ll, cal_ll, fc, fc_cfg, plots, t_claims)
        atomic_write(out / "validation.md", lambda p: p.write_text(text, encoding="utf-8"))
        print(f"wrote {out}/validation.md and {', '.join(plots)}")
    return 1 if n_fail else 0


def _calibrated_overrides() -> dict[str, Any]:
    """Read the fitted values in configs/calibrated.yaml as dotted overrides."""
    raw = read_yaml(CALIBRATED, "calibrated config")
    return flatten({k: v for k, v in raw.items() if k not in ("extends", "meta")})


def _validation_md(results: list[ClaimResult], args: argparse.Namespace, hist: Any, ll: float,
                   cal_ll: float | None, fc: dict[str, Any], fc_cfg: Path, plots: list[str],
                   seconds: float) -> str:
    n_fail = sum(not r.passed for r in results)
    lines = [
        "# Validation: the seeds' claims, the history likelihood and a forecast",
        "",
        f"Generated by `escalation validate --runs {args.runs} --days {args.days} --seed "
        f"{args.seed}` on {dt.date.today()} ({seconds:.0f}s for the claims). Each claim "
        "(MODEL_BRIEF C1-C14) is read as one or more statistics over seeded batches (run seeds "
        f"`seed_for({args.seed}, 0, i)`, shared by all batches). A check passes only when its "
        "whole 95% interval lies on the required side of its threshold: Wilson intervals for "
        "proportions, Newcombe for differences of proportions, Student t intervals for (paired) "
        "differences of means. The statistics are defined in `sim/analysis/claims.py`, the "
        "intervals in `sim/analysis/stats.py`.",
        "",
        f"**Result: {len(results) - n_fail} of {len(results)} claims pass.**",
        "",
        claims_table(results, markdown=True),
        "",
        "## What each claim is checked against",
        "",
        "| claim | source passage | batches |",
        "|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r.claim} | \"{r.passage}\" ({r.source}) | {r.measure} |")
    lines += [
        "",
        "![claims](claims.png)",
        "",
        "## History likelihood (27 Dec 2019 - 9 Jan 2020)",
        "",
        f"Replay of `configs/history_dec2019.yaml` (see `sim/replay.py`). log L = {ll:.2f} with "
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
        "3 January 2020. A forecast, not a fit: nothing after 8 January 2020 was used to set any "
        "weight. Readers can hold these against what happened.",
        "",
        forecast_table(fc),
        "",
        "![forecast](forecast.png)",
        "",
    ]
    return "\n".join(lines)


__all__ = ["register", "validate_command", "UserError"]
