"""The record as a check you can run: the baseline beside the facts of January-June 2020, and a
forecast for July 2020 - January 2021 that nothing was tuned to.

This module owns the model side of ``escalation history``: it runs a config (the baseline by
default) for the facts' window through the ensemble engine, hands every statistic a fact names to
:func:`sim.analysis.record.compare` (end-of-run metrics and ``monthly.<observable>.<YYYY-MM>``),
and runs the same config on to 3 January 2021 for the forecast table: monthly attacks by tactic,
US deaths, US strikes in Iraq and on Iran, sanctions imposed on Iraq, the legal step, troops,
truce and war. :func:`markdown` writes both tables (``docs/history.md``).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.record import DEFAULT_FACTS, Facts, compare, load_facts
from sim.config import Config, ConfigError, load_config
from sim.core.draws import seed_for
from sim.engines.ensemble import EnsembleResult, run_ensemble

#: The forecast runs to this date (inclusive): a year after the killing.
FORECAST_END = dt.date(2021, 1, 3)
#: The forecast's first month.
FORECAST_FROM = "2020-07"
#: Monthly observables of the forecast (observable -> label).
FORECAST_MONTHLY: dict[str, str] = {
    "attacks": "attacks (salvos, IEDs, drones, missiles)",
    "attacks_rocket_base": "rocket/mortar salvos on bases",
    "attacks_rocket_green_zone": "salvos on the Green Zone and embassy",
    "attacks_convoy_ied": "IEDs on logistics convoys",
    "attacks_drone": "drone attacks",
    "attacks_missile": "advanced missile strikes",
    "storms": "storming of a base or the embassy",
    "us_killed": "US killed",
    "us_strikes_iraq": "US strikes in Iraq",
    "us_strikes_iran": "US strikes on Iran",
    "us_sanctions_iraq": "sanctions imposed on Iraq",
    "truce_days": "days of a militia truce",
}
#: Month-end levels of the forecast.
FORECAST_LEVELS: dict[str, str] = {
    "legal_status": "legal step at month end (1 resolution, 2 limits, 3 binding law)",
    "us_troops": "US troops at month end",
    "all_out_war": "all-out war by month end",
}


@dataclass
class RecordCheck:
    """The facts beside the model's distribution."""

    facts: Facts
    table: pd.DataFrame
    joint: float
    runs: int
    master_seed: int
    config_hash: str
    seconds: float


@dataclass
class Forecast:
    """The model's distribution for the months after the calibration window."""

    monthly: pd.DataFrame  # one row per (quantity, month): mean, median, q05, q95
    final: pd.DataFrame  # quantities on the last day
    paths: dict[str, float]  # share of runs by path at the end
    runs: int
    days: int
    seconds: float


def seeds(runs: int, master_seed: int) -> list[int]:
    """The run seeds of a check: ``seed_for(master_seed, 0, i)``."""
    return [seed_for(master_seed, 0, i) for i in range(runs)]


def check_record(cfg: Config | None = None, runs: int = 2000, master_seed: int = 2020,
                 facts_path: str | Path = DEFAULT_FACTS) -> RecordCheck:
    """Run ``cfg`` (the baseline) for the facts' window and compare it with every fact."""
    facts = load_facts(facts_path)
    cfg = cfg if cfg is not None else load_config()
    if cfg.meta.start_date != facts.start:
        raise ConfigError(f"{facts.path}: the facts start on {facts.start}, the config "
                          f"{cfg.meta.name!r} on {cfg.meta.start_date}; run a config that starts on the facts' start")
    t0 = time.perf_counter()
    res = run_ensemble(cfg, seeds(runs, master_seed), facts.days)
    table, joint = compare(facts, res.statistics())
    return RecordCheck(facts, table, joint, runs, master_seed, cfg.hash(), time.perf_counter() - t0)


def _q(x: np.ndarray) -> tuple[float, float, float, float]:
    return (float(np.mean(x)), float(np.median(x)), float(np.quantile(x, 0.05)), float(np.quantile(x, 0.95)))


def run_forecast(cfg: Config | None = None, runs: int = 2000, master_seed: int = 2020,
                 end: dt.date = FORECAST_END, since: str = FORECAST_FROM) -> Forecast:
    """Run ``cfg`` to ``end`` and summarise the months from ``since`` on (nothing after 30 June 2020
    is used: this is the model's own continuation of its baseline).
    """
    cfg = cfg if cfg is not None else load_config()
    days = (end - cfg.meta.start_date).days + 1
    t0 = time.perf_counter()
    res = run_ensemble(cfg, seeds(runs, master_seed), days)
    return Forecast(monthly=_monthly(res, since), final=_final(res), paths=_paths(res), runs=runs, days=days,
                    seconds=time.perf_counter() - t0)


def _monthly(res: EnsembleResult, since: str) -> pd.DataFrame:
    table = res.monthly.table()
    rows = []
    for j, label in enumerate(res.monthly.labels):
        if label < since:
            continue
        for name, text in {**FORECAST_MONTHLY, **FORECAST_LEVELS}.items():
            mean, med, lo, hi = _q(table[name][j])
            rows.append({"quantity": name, "label": text, "month": label, "mean": mean, "median": med,
                         "q05": lo, "q95": hi})
    return pd.DataFrame(rows)


def _final(res: EnsembleResult) -> pd.DataFrame:
    m = res.metrics
    rows = []
    for name, text, values in (
        ("us_troops_final", "US troops on the last day", m["us_troops_final"]),
        ("us_killed", "US killed (whole run)", m["us_killed"]),
        ("us_strikes_iraq", "US strikes in Iraq (whole run)", m["us_strikes_iraq"]),
        ("us_strikes_iran", "US strikes on Iran (whole run)", m["us_strikes_iran"]),
        ("legal_status_final", "legal step on the last day", m["legal_status_final"]),
    ):
        mean, med, lo, hi = _q(np.asarray(values, dtype=np.float64))
        rows.append({"quantity": name, "label": text, "mean": mean, "median": med, "q05": lo, "q95": hi})
    for name, text, flag in (
        ("iraq_sanctioned", "P(sanctions imposed on Iraq)", m["us_sanctions_iraq"] > 0),
        ("limits_passed", "P(limits on US operations or more)", m["limits_passed"]),
        ("binding_law_passed", "P(a binding expulsion law)", m["binding_law_passed"]),
        ("negotiated_drawdowns", "P(a negotiated drawdown)", m["negotiated_drawdowns"] > 0),
        ("truce_declared", "P(a militia truce declared)", m["truce_declared"]),
        ("all_out_war", "P(all-out war)", m["all_out_war"]),
        ("us_exit", "P(US exit)", m["us_exit"]),
    ):
        p = float(np.mean(flag))
        rows.append({"quantity": name, "label": text, "mean": p, "median": math.nan, "q05": math.nan,
                     "q95": math.nan})
    return pd.DataFrame(rows)


def _paths(res: EnsembleResult) -> dict[str, float]:
    names, counts = np.unique(res.paths, return_counts=True)
    return {str(n): float(c) / len(res.paths) for n, c in zip(names, counts, strict=True)}


def _num(x: float) -> str:
    if isinstance(x, float) and math.isnan(x):
        return ""
    if isinstance(x, float) and math.isinf(x):
        return "never"
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:.2f}"


def facts_table(check: RecordCheck, markdown: bool = False) -> str:
    """The facts beside the model: record, median, 90% interval, percentile, inside, match share."""
    head = ["fact", "record", "model median", "90% interval", "record percentile", "inside 90%", "match share"]
    body = []
    for _, r in check.table.iterrows():
        rec = _num(r["record_low"]) if r["record_low"] == r["record_high"] else \
            f"{_num(r['record_low'])}-{_num(r['record_high'])}"
        body.append([r["label"], rec, _num(r["median"]), f"[{_num(r['q05'])}, {_num(r['q95'])}]",
                     f"{r['record_percentile']:.0f}", "yes" if r["inside_90"] else "NO", f"{r['match_share']:.2f}"])
    return _table(head, body, markdown)


def forecast_table(fc: Forecast, markdown: bool = False) -> str:
    """The forecast: one row per quantity, one column per month (median [5%, 95%])."""
    months = sorted(fc.monthly["month"].unique())
    head = ["quantity", *months]
    body = []
    for name in (*FORECAST_MONTHLY, *FORECAST_LEVELS):
        rows = fc.monthly[fc.monthly["quantity"] == name].set_index("month")
        label = str(rows["label"].iloc[0])
        cells = [f"{_num(rows.at[m, 'median'])} [{_num(rows.at[m, 'q05'])}, {_num(rows.at[m, 'q95'])}]"
                 for m in months]
        body.append([label, *cells])
    return _table(head, body, markdown)


def final_table(fc: Forecast, markdown: bool = False) -> str:
    """Quantities on the forecast's last day."""
    head = ["quantity", "mean or share", "median", "90% interval"]
    body = [[r["label"], _num(r["mean"]), _num(r["median"]),
             "" if math.isnan(r["q05"]) else f"[{_num(r['q05'])}, {_num(r['q95'])}]"] for _, r in fc.final.iterrows()]
    return _table(head, body, markdown)


def _table(head: list[str], body: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in body])
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    fmt = lambda row: "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))  # noqa: E731
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, body)])


def markdown(check: RecordCheck, fc: Forecast) -> str:
    """``docs/history.md``: the record check and the forecast."""
    f = check.facts
    inside = int(check.table["inside_90"].sum())
    paths = ", ".join(f"{k} {v:.1%}" for k, v in sorted(fc.paths.items(), key=lambda kv: -kv[1]))
    return "\n".join([
        "# The record of January-June 2020 beside the model, and a forecast",
        "",
        "Generated by `escalation history` (do not edit by hand). The baseline runs "
        f"{check.runs:,} times (master seed {check.master_seed}, config hash `{check.config_hash}`) from "
        f"{f.start} for {f.days} days, the facts' window; each fact of `{f.path.name}` is derived from the "
        "record (`configs/history/2020h1_events.yaml`) by `sim/analysis/record.py`. The record's percentile "
        "is mid-p: P(X < low) + P(low <= X <= high)/2. A run matches a fact when its value is within the "
        "fact's tolerance of the record's range; the joint match is the share of runs that match every "
        "fact at once. Nothing in the model names a date or an event of the record: it is evidence, not a "
        "script.",
        "",
        f"**{inside} of {len(check.table)} facts lie inside the model's central 90%; the joint probability that "
        f"a run matches all of them is {check.joint:.4f}** ({round(check.joint * check.runs)} of {check.runs:,} runs).",
        "",
        facts_table(check, markdown=True),
        "",
        f"## Forecast, {FORECAST_FROM} to {FORECAST_END:%Y-%m} (not tuned; for readers to hold against what happened)",
        "",
        f"The same baseline runs on to {FORECAST_END} ({fc.days} days, {fc.runs:,} runs, the same seeds). "
        "Median [5%, 95%] by calendar month (January 2021: its first three days); nothing dated after "
        "30 June 2020 was used to build or tune the model.",
        "",
        forecast_table(fc, markdown=True),
        "",
        final_table(fc, markdown=True),
        "",
        f"Paths on {FORECAST_END}: {paths}.",
        "",
    ])
