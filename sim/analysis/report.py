"""Sweep reports: completeness, outcome distributions with confidence intervals, plots,
sensitivity indices.

:func:`make_report` reads a results folder written by ``escalation sweep`` through the one
reader, :func:`sim.experiments.store.open_results` (which verifies every part's checksum and
refuses run ids stored twice), and never runs the model. It writes ``DIR/report/`` (or ``out``):

- ``completeness.csv``: runs expected and present per design point; the report says at the top
  how many runs of how many are present, and every row and figure drawn from a design point with
  runs missing carries the marker ``INCOMPLETE``;
- ``paths_by_design.csv``: per design point, the count and share of each path with its 95%
  Wilson score interval;
- ``metrics_by_design.csv``: per design point and metric, mean with a 95% t interval, median,
  5th and 95th percentiles;
- ``paths_by_factor.csv`` and ``path_vs_<factor>.png``: path shares against each swept factor,
  pooled over the others, binned by the one rule of :func:`sim.analysis.stats.factor_levels`
  (the dashboard bins the same way);
- ``paths.png`` (path shares with interval bars per design point);
- for ``sobol`` and ``morris`` sweeps, ``sensitivity.csv`` and ``sensitivity_*.png``
  (:mod:`sim.analysis.sensitivity`);
- for each outcome of ``discover`` (and of the spec's ``discovery`` list), scenario discovery
  (:mod:`sim.analysis.discovery`): ``discovery_boxes.csv`` (the chosen PRIM box per outcome:
  each factor's limits and quasi-p-values), ``discovery_trajectory.csv`` (the peeling
  trajectory: coverage, density, mass), ``prim_tradeoff_<i>.png`` and ``prim_box_<i>.png``;
- ``report.md``, which embeds the plots and tables.

Every statistic comes from :mod:`sim.analysis.stats`; every file is written to a temporary name
and renamed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import discovery as prim_discovery
from sim.analysis import report_plots as plots
from sim.analysis.discovery import ALPHA, MIN_COVERAGE, Discovery, condition_for, plot_box, plot_tradeoff
from sim.analysis.sensitivity import sensitivity
from sim.analysis.stats import metric_table, path_table, paths_by_factor, successful
from sim.core.outcomes import EXTRA_METRICS, METRICS, PATHS
from sim.errors import UserError
from sim.experiments.store import INCOMPLETE, Results, completeness_line, open_results
from sim.ioutil import atomic_write, check_writable, os_reason

#: Metrics shown in the printed table and report.md.
MAIN_METRICS: tuple[str, ...] = (
    "us_killed", "iraqi_killed", "militia_attacks", "lethal_attacks", "us_strikes_iran",
    "max_escalation", "us_troops_final",
)
#: Beyond this many design points, tables and bar plots show the pooled runs plus the first few
#: design points; the CSV files always hold all of them.
MAX_SHOWN_DESIGNS = 12


def load_runs(results_dir: str | Path) -> Results:
    """The verified results of a folder (:func:`open_results`); no stored run is an error."""
    res = open_results(results_dir)
    if res.runs.empty:
        raise UserError(f"{res.root}: no runs yet (the sweep has not stored any part)")
    return res


@dataclass
class _Tables:
    """Everything the printed text and report.md show."""

    res: Results
    factors: list[str]
    labels: dict[int, str]
    paths: pd.DataFrame
    pooled: pd.DataFrame
    metrics: pd.DataFrame
    pooled_metrics: pd.DataFrame
    shown: list[int]
    n_designs: int
    sens: pd.DataFrame
    notes: list[str]
    status_counts: dict[str, int] = field(default_factory=dict)
    discoveries: list[Discovery] = field(default_factory=list)

    @property
    def many(self) -> bool:
        return self.n_designs > MAX_SHOWN_DESIGNS

    @property
    def incomplete(self) -> set[int]:
        return set(self.res.incomplete_designs)


def _tables(res: Results) -> _Tables:
    runs, m = res.runs, res.manifest
    factors = [f for f in m["factors"] if f in runs.columns]
    ok = successful(runs)
    if ok.empty:
        counts = runs["status"].value_counts().sort_index().to_dict()
        raise UserError(f"{res.root}: no successful runs to report ({_fmt_counts(counts)})")
    design_ids = [int(d) for d in np.sort(runs["design_id"].unique())]
    many = len(design_ids) > MAX_SHOWN_DESIGNS
    sens, notes = sensitivity(runs, m["sampler"], m["problem"],
                              m["spec"].get("sampler_options"), seed=int(m["master_seed"]))
    return _Tables(
        res=res, factors=factors, labels=_design_labels(runs, factors),
        paths=path_table(runs), pooled=path_table(ok.assign(design_id=-1)),
        metrics=metric_table(runs, [c for c in (*METRICS, *EXTRA_METRICS) if c in runs.columns]),
        pooled_metrics=metric_table(ok.assign(design_id=-1), MAIN_METRICS),
        shown=design_ids[:MAX_SHOWN_DESIGNS] if many else design_ids,
        n_designs=len(design_ids), sens=sens, notes=[*res.notes, *notes],
        status_counts=runs["status"].astype(str).value_counts().sort_index().to_dict())


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text).strip("_")


def make_report(results_dir: str | Path, out: str | Path | None = None,
                discover: Sequence[str] = ()) -> tuple[Path, str]:
    """Write the report of a sweep results folder; return the report folder and printed text.

    ``out`` defaults to ``results_dir/report``. ``discover`` lists outcome conditions for
    scenario discovery (PRIM boxes over the factors), added to the spec's ``discovery`` list.
    Reads only the results folder; a missing or damaged folder, one without runs, a bad
    condition or a report folder that cannot be written raises
    :class:`sim.errors.UserError` with a one-line message.
    """
    res = load_runs(results_dir)
    report_dir = Path(out) if out is not None else res.root / "report"
    t = _tables(res)
    t.discoveries = _discoveries(res, t.factors, discover)
    if report_dir.exists() and not report_dir.is_dir():
        raise UserError(f"--out {report_dir}: is a file, expected a folder for the report")
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--out {report_dir}: cannot create folder ({os_reason(exc)})") from None
    check_writable(report_dir)
    m = res.manifest
    images: list[tuple[str, str]] = []
    _write_csv(report_dir / "completeness.csv", res.completeness)
    _write_csv(report_dir / "paths_by_design.csv",
               t.paths.assign(design=t.paths["design_id"].map(t.labels),
                              complete=~t.paths["design_id"].isin(t.incomplete)))
    _write_csv(report_dir / "metrics_by_design.csv", t.metrics)
    plots.plot_paths([(label, g) for _, label, g in _path_groups(t)], report_dir / "paths.png",
                     _paths_title(t))
    images.append(("Path distribution", "paths.png"))
    factor_tables = []
    for f in t.factors:
        name = f"path_vs_{_slug(f)}.png"
        ft = paths_by_factor(res.runs, f)
        plots.plot_factor(ft, f, report_dir / name, incomplete=not res.complete)
        factor_tables.append(ft.assign(level=ft["level"].astype(str)))
        images.append((f"Path probabilities against {f}", name))
    if factor_tables:
        _write_csv(report_dir / "paths_by_factor.csv", pd.concat(factor_tables))
    if not t.sens.empty:
        _write_csv(report_dir / "sensitivity.csv", t.sens)
        outs = list(dict.fromkeys(t.sens["outcome"]))
        for kind, chosen in (("paths", [o for o in outs if o.startswith("P(")]),
                             ("metrics", [o for o in outs if not o.startswith("P(")])):
            if chosen:
                name = f"sensitivity_{kind}.png"
                plots.plot_sensitivity(t.sens, m["sampler"], chosen, report_dir / name,
                                       incomplete=not res.complete)
                what = "path probabilities" if kind == "paths" else "metric means"
                images.append((f"Sensitivity of {what}", name))
    images += _write_discoveries(t, report_dir)
    text = _printed(t, report_dir)
    md = _markdown(t, images)
    atomic_write(report_dir / "report.md", lambda p: p.write_text(md, encoding="utf-8"))
    return report_dir, text


def _discoveries(res: Results, factors: list[str], extra: Sequence[str]) -> list[Discovery]:
    """PRIM results for every condition (``--discover`` first, then the spec's list); each
    condition is checked before any is computed.
    """
    spec_list = res.manifest.get("spec", {}).get("discovery") or []
    items = [(str(c), "--discover") for c in extra]
    items += [(str(c), f"{res.root}: spec discovery[{i}]:") for i, c in enumerate(spec_list)]
    if items and not factors:
        raise UserError(f"{items[0][1]} {items[0][0]!r}: the sweep has no factors to search")
    conditions, seen = [], set()
    for text, where in items:
        cond = condition_for(text, res.runs, factors, where)
        if cond.text not in seen:
            seen.add(cond.text)
            conditions.append(cond)
    return [prim_discovery.discover(res.runs, factors, c) for c in conditions]


def _write_discoveries(t: _Tables, report_dir: Path) -> list[tuple[str, str]]:
    images: list[tuple[str, str]] = []
    if not t.discoveries:
        return images
    boxes, trajectories = [], []
    for i, d in enumerate(t.discoveries):
        boxes.append(d.box.assign(outcome=d.condition.text))
        trajectories.append(d.trajectory.assign(outcome=d.condition.text))
        name = f"prim_tradeoff_{i}.png"
        plot_tradeoff(d, report_dir / name, f"PRIM peeling trajectory: {d.condition.text}")
        images.append((f"PRIM coverage-density trade-off: {d.condition.text}", name))
        if d.found:
            name = f"prim_box_{i}.png"
            plot_box(d, report_dir / name, f"PRIM box for {d.condition.text} (blue: restricted)")
            images.append((f"PRIM box limits: {d.condition.text}", name))
    nonempty = [b for b in boxes if not b.empty]
    box_frame = pd.concat(nonempty) if nonempty else pd.DataFrame(columns=["outcome"])
    _write_csv(report_dir / "discovery_boxes.csv", box_frame)
    _write_csv(report_dir / "discovery_trajectory.csv", pd.concat(trajectories))
    return images


def _discovery_summary(d: Discovery) -> list[str]:
    base, blo, bhi = d.base_rate
    dens, dlo, dhi = d.density
    lines = [f"outcome {d.condition.text!r}: {d.k:,} of {d.n:,} successful runs "
             f"(base rate {_pct_ci(base, blo, bhi)})"]
    if d.found:
        lines.append(f"  box: coverage {d.coverage:.3f}, density {_pct_ci(dens, dlo, dhi)}, "
                     f"mass {d.mass:.3f}, lift {d.lift:.2f}x the base rate")
    else:
        lines.append("  no box: " + "; ".join(d.notes[-1:]))
    return lines


_BOX_HEAD = ["factor", "box", "full range", "quasi-p (low, high)"]


def _box_rows(d: Discovery) -> list[list[str]]:
    rows = []
    for r in d.box[d.box["restricted"]].to_dict("records"):
        if r["kind"] == "levels":
            box, full = str(r["lower"]), str(r["min"])
        else:
            box = f"{_fmt(float(r['lower']))} to {_fmt(float(r['upper']))}"
            full = f"{_fmt(float(r['min']))} to {_fmt(float(r['max']))}"
        qp = ", ".join(_fmt(q) if np.isfinite(q) else "-" for q in (r["qp_lower"], r["qp_upper"]))
        rows.append([str(r["factor"]), box, full, qp])
    return rows


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda p: frame.to_csv(p, index=False))


def _fmt_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items())


def _mark(t: _Tables, design_id: int) -> str:
    if design_id not in t.incomplete:
        return ""
    row = t.res.completeness.set_index("design_id").loc[design_id]
    return f" [{INCOMPLETE}: {int(row['present'])} of {int(row['expected'])} runs]"


def _pooled_label(t: _Tables) -> str:
    if t.res.complete:
        return "all runs"
    comp = t.res.completeness
    return (f"all runs [{INCOMPLETE}: {int(comp['present'].sum()):,} of "
            f"{int(comp['expected'].sum()):,}]")


def _path_groups(t: _Tables) -> list[tuple[str, str, pd.DataFrame]]:
    """(design id or "all", label, path table) of the pooled runs and each shown design."""
    groups: list[tuple[str, str, pd.DataFrame]] = []
    if t.many or int(t.res.manifest["n_designs"]) > 1:
        groups.append(("all", _pooled_label(t), t.pooled))
    groups += [(str(d), t.labels.get(d, f"design {d}") + _mark(t, d),
                t.paths[t.paths["design_id"] == d]) for d in t.shown]
    return groups


def _paths_title(t: _Tables) -> str:
    if t.res.complete:
        return "Path distribution"
    comp = t.res.completeness
    return (f"Path distribution [{INCOMPLETE}: {int(comp['present'].sum()):,} of "
            f"{int(comp['expected'].sum()):,} runs; design points marked]")


def _path_rows(t: _Tables) -> list[list[str]]:
    rows = []
    for did, label, g in _path_groups(t):
        g = g.set_index("path").reindex(list(PATHS))
        n = int(g["n"].iloc[0]) if len(g) and np.isfinite(g["n"].iloc[0]) else 0
        rows.append([did, label, str(n)] + [
            _pct_ci(g.at[p, "p"], g.at[p, "ci_low"], g.at[p, "ci_high"]) for p in PATHS])
    return rows


def _metric_rows(t: _Tables) -> list[list[str]]:
    table = t.pooled_metrics if t.many else t.metrics
    shown = [-1] if t.many else t.shown
    main = table[table["metric"].isin(MAIN_METRICS) & table["design_id"].isin(shown)]
    order = {m: i for i, m in enumerate(MAIN_METRICS)}
    main = main.assign(_order=main["metric"].map(order)).sort_values(
        ["design_id", "_order"], kind="stable")
    rows = []
    for _, r in main.iterrows():
        d = int(r["design_id"])
        design = (_pooled_label(t) if d < 0 else f"{d}{_mark(t, d)}")
        rows.append([design, r["metric"],
                     f"{_fmt(r['mean'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]",
                     _fmt(r["median"]), _fmt(r["p5"]), _fmt(r["p95"])])
    return rows


def _sens_rows(sens: pd.DataFrame) -> list[list[str]]:
    rows = []
    for (outcome, factor), g in sens.groupby(["outcome", "factor"], sort=False):
        cells = [f"{_fmt(v)} ± {_fmt(c)}" if np.isfinite(c) else _fmt(v)
                 for v, c in zip(g["value"], g["conf"], strict=True)]
        rows.append([outcome, factor, *cells])
    return rows


def _code_line(res: Results) -> str:
    hashes = res.code_hashes
    sessions = res.manifest["sessions"]
    commits = list(dict.fromkeys(str(s["git"].get("commit") or "?")[:10] for s in sessions))
    if len(hashes) > 1:
        return (f"MIXED model code: rows from {len(hashes)} versions ({', '.join(hashes)}; "
                f"resumed with --allow-code-change); git {', '.join(commits)}")
    return f"model code: {hashes[0] if hashes else '?'}; git {', '.join(commits)}"


def _header_lines(t: _Tables) -> list[str]:
    m = t.res.manifest
    return [
        f"results: {t.res.root} (sweep {m['spec']['name']!r})",
        f"sampler: {m['sampler']}; factors: {', '.join(m['factors']) or 'none'}; "
        f"replicates: {m['replicates']}; days: {m['days']}; master seed: {m['master_seed']}",
        f"config hash: {m['base']['hash']}; {_code_line(t.res)}",
        completeness_line(t.res.completeness),
        f"runs by status: {_fmt_counts(t.status_counts)}",
        *t.res.notes,
    ]


def _incomplete_rows(t: _Tables) -> list[list[str]]:
    comp = t.res.completeness
    bad = comp[~comp["complete"]]
    return [[str(int(r.design_id)), t.labels.get(int(r.design_id), "(no runs)"),
             f"{int(r.present)} of {int(r.expected)}", str(int(r.ok)), str(int(r.failed))]
            for r in bad.head(MAX_SHOWN_DESIGNS).itertuples()]


_PATH_HEAD = ["design", "factors", "n", *PATHS]
_METRIC_HEAD = ["design", "metric", "mean [95% CI]", "median", "p5", "p95"]
_INCOMPLETE_HEAD = ["design", "factors", "runs present", "ok", "failed"]


def _printed(t: _Tables, report_dir: Path) -> str:
    lines = _header_lines(t)
    if not t.res.complete:
        lines += ["", f"{INCOMPLETE} design points (figures drawn from them are marked):"]
        lines.append(_text_table(_INCOMPLETE_HEAD, _incomplete_rows(t)))
    lines += ["", "Path distribution, % of successful runs [95% Wilson CI]"]
    lines.append(_text_table(_PATH_HEAD, _path_rows(t)))
    if t.many:
        lines.append(f"... {t.n_designs - len(t.shown)} more design points in "
                     f"{report_dir / 'paths_by_design.csv'}")
    m_rows = _metric_rows(t)
    if m_rows:
        lines += ["", "Main metrics" + (" (all runs)" if t.many else "")
                  + ": mean [95% CI], median, p5, p95"]
        lines.append(_text_table(_METRIC_HEAD, m_rows))
    if not t.sens.empty:
        idx = list(dict.fromkeys(t.sens["index"]))
        mark = f" [{INCOMPLETE}]" if not t.res.complete else ""
        lines += ["", f"{t.res.manifest['sampler'].capitalize()} sensitivity indices "
                      f"(± 95% CI half-width){mark}"]
        lines.append(_text_table(["outcome", "factor", *idx], _sens_rows(t.sens)))
    if t.discoveries:
        lines += ["", "Scenario discovery (PRIM over the swept factors; rows are runs)"]
        for d in t.discoveries:
            lines += _discovery_summary(d)
            if d.found:
                lines.append(_text_table(_BOX_HEAD, _box_rows(d)))
    lines += [*t.notes[len(t.res.notes):], "", f"report: {report_dir / 'report.md'}"]
    return "\n".join(lines)


def _markdown(t: _Tables, images: list[tuple[str, str]]) -> str:
    sampler = t.res.manifest["sampler"]
    md = ["# Sweep report", ""]
    md += [f"- {line}" for line in _header_lines(t)]
    md += ["", "## Completeness", ""]
    if t.res.complete:
        md.append("Every design point has all its runs.")
    else:
        md += [f"**{INCOMPLETE}**: {completeness_line(t.res.completeness)}. Rows and figures "
               f"drawn from these design points are marked {INCOMPLETE}; per design point in "
               "[completeness.csv](completeness.csv).", ""]
        md.append(_md_table(_INCOMPLETE_HEAD, _incomplete_rows(t)))
    md += ["", "## Path distribution", "",
           "Share of successful runs per design point, with 95% Wilson score intervals.", ""]
    md.append(_md_table(_PATH_HEAD, _path_rows(t)))
    if t.many:
        md += ["", f"{t.n_designs - len(t.shown)} more design points in "
                   "[paths_by_design.csv](paths_by_design.csv)."]
    m_rows = _metric_rows(t)
    if m_rows:
        md += ["", "## Main metrics", "",
               "Mean with 95% t interval, median, 5th and 95th percentiles; all metrics in "
               "[metrics_by_design.csv](metrics_by_design.csv).", ""]
        md.append(_md_table(_METRIC_HEAD, m_rows))
    sens_notes = t.notes[len(t.res.notes):]
    if not t.sens.empty or sens_notes:
        mark = f" [{INCOMPLETE}]" if not t.res.complete else ""
        md += ["", f"## Sensitivity ({sampler}){mark}", ""]
        if not t.sens.empty:
            idx = list(dict.fromkeys(t.sens["index"]))
            md += ["Indices from SALib with 95% bootstrap confidence half-widths; outcomes are "
                   "per design point (P(path) over its replicates, or a metric's mean). Table "
                   "in [sensitivity.csv](sensitivity.csv).", ""]
            md.append(_md_table(["outcome", "factor", *idx], _sens_rows(t.sens)))
        md += [""] + [f"- {n}" for n in sens_notes]
    if t.discoveries:
        md += ["", "## Scenario discovery (PRIM)", "",
               "For each outcome, the region of the swept factors where it concentrates: PRIM "
               "(EMA Workbench) over the successful runs as rows. The box is the densest on the "
               f"peeling trajectory that covers at least {MIN_COVERAGE:.0%} of the outcome's "
               f"runs, with every limit whose quasi-p-value is {ALPHA} or more relaxed. "
               "*Coverage*: share of the outcome's runs inside the box; *density*: share of the "
               "box's runs with the outcome (95% Wilson CI); *mass*: share of all runs inside. "
               "Trajectories in [discovery_trajectory.csv](discovery_trajectory.csv), boxes in "
               "[discovery_boxes.csv](discovery_boxes.csv); see docs/discovery.md."]
        for d in t.discoveries:
            md += ["", f"### {d.condition.text}", ""]
            md += [f"- {line.strip()}" for line in _discovery_summary(d)]
            md += [f"- note: {n}" for n in d.notes[:-1] if d.found or n != d.notes[-1]]
            if d.found:
                md += ["", _md_table(_BOX_HEAD, _box_rows(d))]
    md += ["", "## Plots", ""]
    for title, name in images:
        md += [f"### {title}", "", f"![{title}]({name})", ""]
    return "\n".join(md).rstrip() + "\n"


# --------------------------------------------------------------------------- formatting


def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return "nan"
        return f"{value:.4g}"
    return str(value)


def _pct_ci(p: float, lo: float, hi: float) -> str:
    if not np.isfinite(p):
        return "-"
    return f"{100 * p:5.1f}% [{100 * lo:4.1f}, {100 * hi:4.1f}]"


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(header)]
    line = "  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "/") for c in r) + " |" for r in rows]
    return "\n".join(out)


def _design_labels(runs: pd.DataFrame, factors: Sequence[str]) -> dict[int, str]:
    first = runs.sort_values("design_id").drop_duplicates("design_id").set_index("design_id")
    if not factors:
        return {int(d): f"design {d}" for d in first.index}
    return {int(d): ", ".join(f"{f.rsplit('.', 1)[-1]}={_fmt(first.at[d, f])}" for f in factors)
            for d in first.index}
