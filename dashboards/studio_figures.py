"""Figures of the what-if studio: a run over its ensemble's fan chart, and two branches side by side.

Plain matplotlib (no pyplot, no global state), so concurrent sessions stay apart and the
functions can be tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dashboards import theme
from sim.analysis.fan import Fan


def percentiles(fan: Fan, run: Mapping[str, Sequence[float]], day: int) -> list[dict[str, Any]]:
    """For each series: the run's value on ``day``, the ensemble's median and 90% band, and the
    run's percentile (mid-rank) among the ensemble's runs on that day.
    """
    d = min(int(day), fan.days, len(next(iter(run.values()))) - 1)
    out = []
    for name, title in theme.FAN_SERIES.items():
        value = float(run[name][d])
        q = fan.quantiles[name][:, d]
        out.append({"series": name, "label": title, "day": d, "value": value, "median": float(q[2]),
                    "low": float(q[0]), "high": float(q[-1]), "percentile": fan.percentile(name, d, value)})
    return out


def chance(p: float) -> str:
    """A probability as advice text: whole percent, '<1%' for a small chance that is not zero."""
    return "<1%" if 0.0 < p < 0.005 else f"{100 * p:.0f}%"


def _fmt(name: str, x: float) -> str:
    return f"{x:,.0f}" if name in ("attacks", "us_killed", "us_troops") else f"{x:.2f}"


def percentile_html(rows: Sequence[Mapping[str, Any]], runs: int) -> str:
    """The percentile table (values escaped: they are numbers and fixed labels)."""
    body = "".join(
        f'<tr data-series="{r["series"]}" data-percentile="{r["percentile"]:.1f}">'
        f'<td style="padding:1px 10px 1px 0">{r["label"]}</td><td><b>{_fmt(r["series"], r["value"])}</b></td>'
        f'<td style="padding:0 8px">{_fmt(r["series"], r["median"])} '
        f'[{_fmt(r["series"], r["low"])}, {_fmt(r["series"], r["high"])}]</td>'
        f'<td><b>{r["percentile"]:.0f}</b></td></tr>' for r in rows)
    return (f'<table class="fan-percentiles" style="font-size:13px"><tr style="color:#555"><td>series</td>'
            f'<td>this run</td><td style="padding:0 8px">ensemble median [90%] of {runs} runs</td>'
            f'<td>percentile</td></tr>{body}</table>')


def fan_figure(fan: Fan, run: Mapping[str, Sequence[float]], day: int, title: str = "",
               other: Mapping[str, Sequence[float]] | None = None, fork_day: int | None = None,
               diverged: int | None = None, labels: tuple[str, str] = ("this run", "branch")) -> Figure:
    """The ensemble's median, 50% and 90% bands of each series, the run (to ``day``) drawn over
    them; optionally a second run (a branch), the fork day and the first day the runs differ.
    """
    names = list(theme.FAN_SERIES)
    fig = Figure(figsize=(11.0, 5.6), dpi=100)
    fig.subplots_adjust(left=0.06, right=0.985, top=0.87, bottom=0.09, wspace=0.28, hspace=0.42)
    axes = fig.subplots(2, 3).ravel()
    x = np.arange(fan.days + 1)
    c = theme.FAN_COLOURS
    d = min(int(day), fan.days)
    for ax, name in zip(axes, names, strict=False):
        q = fan.quantiles[name]
        ax.fill_between(x, q[0], q[-1], color=c["band90"], lw=0, label="90% of runs")
        ax.fill_between(x, q[1], q[-2], color=c["band50"], lw=0, label="50% of runs")
        ax.plot(x, q[2], color=c["median"], lw=1.2, label="median")
        y = np.asarray(run[name][: d + 1], dtype=float)
        ax.plot(np.arange(len(y)), y, color=c["run"], lw=1.8, label=labels[0])
        if other is not None:
            y2 = np.asarray(other[name][: d + 1], dtype=float)
            ax.plot(np.arange(len(y2)), y2, color=c["branch"], lw=1.6, ls="--", label=labels[1])
        if fork_day is not None:
            ax.axvline(fork_day, color="#555", lw=0.8, ls=":")
        if diverged is not None:
            ax.axvline(diverged, color=c["branch"], lw=1.0, alpha=0.6)
        p = fan.percentile(name, min(d, len(y) - 1), float(y[-1]))
        ax.set_title(f"{theme.FAN_SERIES[name]}\n{labels[0].split(':')[0]}: percentile {p:.0f}", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_xlim(0, fan.days)
    legend = axes[-1]
    legend.axis("off")
    handles, lbls = axes[0].get_legend_handles_labels()
    if fork_day is not None:
        handles.append(axes[0].axvline(-10, color="#555", lw=0.8, ls=":"))
        lbls.append(f"fork (day {fork_day})")
    if diverged is not None:
        handles.append(axes[0].axvline(-10, color=c["branch"], lw=1.0, alpha=0.6))
        lbls.append(f"first difference (day {diverged})")
    legend.legend(handles, lbls, loc="center", fontsize=9, frameon=False)
    fig.suptitle(title or f"This run over its ensemble ({fan.runs} runs, same configuration): day {d}",
                 fontsize=11)
    return fig
