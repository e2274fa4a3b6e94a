"""Sweep reports: outcome distributions with confidence intervals, plots, sensitivity indices.

:func:`make_report` reads a results folder written by ``escalation sweep`` (``DIR/runs/`` Parquet
parts, ``DIR/manifest.json``) and never runs the model. It writes ``DIR/report/``:

- ``paths_by_design.csv``: per design point, the count and share of each path with its 95%
  Wilson score interval (well behaved near 0 and 1, unlike the normal approximation);
- ``metrics_by_design.csv``: per design point and metric, mean with a 95% t interval, median,
  5th and 95th percentiles;
- ``paths.png`` (path shares with interval bars per design point), ``path_vs_<factor>.png``
  (path shares against each swept factor, pooled over the other factors);
- for ``sobol`` and ``morris`` sweeps, ``sensitivity.csv`` and ``sensitivity_*.png``: indices
  from :mod:`SALib.analyze` with their bootstrap confidence intervals, for each outcome
  P(path == X) and the mean of the main metrics per design point;
- ``report.md``, which embeds the plots and tables.

Every file is written to a temporary name and renamed, so a reader never sees a partial file.
The pure table functions (:func:`wilson_interval`, :func:`path_table`, :func:`metric_table`,
:func:`sensitivity`) are public for notebooks and tests.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.config import UserError
from sim.core.outcomes import EXTRA_METRICS, METRICS, PATHS
from sim.ioutil import atomic_write

#: Columns every results table has besides factors, path and metrics.
ID_COLUMNS: tuple[str, ...] = ("run_id", "design_id", "replicate", "seed", "status", "error")
#: Metrics shown in the printed table, report.md and the sensitivity analysis.
MAIN_METRICS: tuple[str, ...] = (
    "us_killed", "iraqi_killed", "militia_attacks", "lethal_attacks", "us_strikes_iran",
    "max_escalation", "us_troops_final",
)
#: Metrics analysed for sensitivity (mean per design point), besides each path's probability.
SENSITIVITY_METRICS: tuple[str, ...] = ("us_killed", "militia_attacks", "max_escalation")
#: Confidence level of every interval in the report.
CONF_LEVEL = 0.95
#: Beyond this many design points, tables and bar plots show the pooled runs plus the first few
#: design points; the CSV files always hold all of them.
MAX_SHOWN_DESIGNS = 12
#: A numeric factor with more distinct values than this is binned (quantiles) for plotting.
MAX_FACTOR_LEVELS = 12
#: Bootstrap resamples for the SALib confidence intervals.
NUM_RESAMPLES = 200

_SENSITIVITY_SAMPLERS = ("sobol", "morris")


# --------------------------------------------------------------------------- statistics


def wilson_interval(
    k: Any, n: Any, conf: float = CONF_LEVEL
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``k`` successes in ``n`` trials (arrays broadcast).

    Equal to ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``; ``n == 0`` gives
    ``nan`` bounds.
    """
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    z = float(stats.norm.ppf(0.5 + conf / 2.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
        lo = np.clip(centre - half, 0.0, 1.0)
        hi = np.clip(centre + half, 0.0, 1.0)
    # Exact ends: with k == 0 (k == n) the lower (upper) bound is 0 (1), not a rounding error.
    lo = np.where(k == 0, 0.0, lo)
    hi = np.where(k == n, 1.0, hi)
    bad = n <= 0
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def path_table(
    runs: pd.DataFrame, conf: float = CONF_LEVEL, paths: Sequence[str] = PATHS
) -> pd.DataFrame:
    """Path distribution per design point: one row per (design_id, path).

    Columns ``design_id, path, n, count, p, ci_low, ci_high``. Only successful runs count
    (see :func:`successful`); ``n`` is their number in the design point.
    """
    ok = successful(runs)
    counts = (
        pd.crosstab(ok["design_id"], pd.Categorical(ok["path"], categories=list(paths)),
                    dropna=False)
        .reindex(columns=list(paths), fill_value=0)
    )
    n = counts.sum(axis=1)
    long = counts.stack().rename("count").reset_index()
    long.columns = ["design_id", "path", "count"]
    long["n"] = long["design_id"].map(n).astype(np.int64)
    long["count"] = long["count"].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        long["p"] = long["count"] / long["n"]
    long["ci_low"], long["ci_high"] = wilson_interval(long["count"], long["n"], conf)
    long["path"] = long["path"].astype(str)
    return long[["design_id", "path", "n", "count", "p", "ci_low", "ci_high"]]


def metric_table(
    runs: pd.DataFrame, metrics: Sequence[str], conf: float = CONF_LEVEL
) -> pd.DataFrame:
    """Metric summaries per design point: one row per (design_id, metric).

    Columns ``design_id, metric, n, mean, ci_low, ci_high, median, p5, p95``; the interval is
    Student's t on the mean (``nan`` with fewer than two runs).
    """
    ok = successful(runs)
    rows = []
    present = [m for m in metrics if m in ok.columns]
    values = ok[present].astype(np.float64)
    values["design_id"] = ok["design_id"].to_numpy()
    grouped = values.groupby("design_id", sort=True)
    n = grouped.size()
    mean = grouped.mean()
    sd = grouped.std(ddof=1)
    q = grouped.quantile([0.05, 0.5, 0.95])
    tq = stats.t.ppf(0.5 + conf / 2.0, np.maximum(n.to_numpy() - 1, 1))
    for m in present:
        half = tq * sd[m].to_numpy() / np.sqrt(n.to_numpy())
        half = np.where(n.to_numpy() >= 2, half, np.nan)
        qm = q[m].unstack()
        rows.append(pd.DataFrame({
            "design_id": n.index.to_numpy(), "metric": m, "n": n.to_numpy(),
            "mean": mean[m].to_numpy(), "ci_low": mean[m].to_numpy() - half,
            "ci_high": mean[m].to_numpy() + half, "median": qm[0.5].to_numpy(),
            "p5": qm[0.05].to_numpy(), "p95": qm[0.95].to_numpy(),
        }))
    if not rows:
        return pd.DataFrame(columns=["design_id", "metric", "n", "mean", "ci_low", "ci_high",
                                     "median", "p5", "p95"])
    return pd.concat(rows, ignore_index=True)


def successful(runs: pd.DataFrame) -> pd.DataFrame:
    """Rows of runs that finished: a path is set and the status is not ``failed``."""
    mask = runs["path"].notna()
    if "status" in runs.columns:
        mask &= runs["status"].astype(str) != "failed"
    return runs.loc[mask]


# --------------------------------------------------------------------------- spec handling


def factor_bounds(spec: dict[str, Any], runs: pd.DataFrame | None = None) -> dict[str, Any]:
    """Factor names (dotted paths) in spec order, mapped to ``[low, high]`` or a list of levels.

    Accepts ``factors`` as a mapping (path -> ``{bounds|levels|values: ...}`` or a bare list of
    levels) or a list of ``{path|name: ..., bounds|levels: ...}``. Missing bounds are taken from
    the observed range in ``runs``.
    """
    raw = spec.get("factors") or {}
    items: list[tuple[str, Any]] = []
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, dict):
                name = entry.get("path", entry.get("name", entry.get("key")))
                if name is not None:
                    items.append((str(name), entry))
            elif isinstance(entry, str):
                items.append((entry, None))
    out: dict[str, Any] = {}
    for name, body in items:
        value: Any = None
        if isinstance(body, dict):
            for key in ("bounds", "range", "levels", "values"):
                if body.get(key) is not None:
                    value = list(body[key])
                    break
            if value is None and "low" in body and "high" in body:
                value = [body["low"], body["high"]]
            if value is None and "min" in body and "max" in body:
                value = [body["min"], body["max"]]
        elif isinstance(body, (list, tuple)):
            value = list(body)
        if value is None and runs is not None and name in runs.columns:
            col = pd.to_numeric(runs[name], errors="coerce")
            if col.notna().any():
                value = [float(col.min()), float(col.max())]
        out[name] = value
    return out


def _spec_option(spec: dict[str, Any], keys: Sequence[str], default: Any) -> Any:
    """Look up a sampler option in the spec and its usual nested option mappings."""
    places = [spec]
    for nest in ("sampler_options", "sampler_args", "options", "sampler_kwargs"):
        if isinstance(spec.get(nest), dict):
            places.append(spec[nest])
    if isinstance(spec.get("sampler"), dict):
        places.append(spec["sampler"])
    for place in places:
        for key in keys:
            if place.get(key) is not None:
                return place[key]
    return default


def _sampler_name(spec: dict[str, Any]) -> str:
    sampler = spec.get("sampler", "")
    if isinstance(sampler, dict):
        sampler = sampler.get("name", sampler.get("kind", ""))
    return str(sampler).lower()


def factor_columns(runs: pd.DataFrame, spec: dict[str, Any]) -> list[str]:
    """Return the swept factor columns: those named in the spec, else non-standard columns."""
    named = [f for f in factor_bounds(spec) if f in runs.columns]
    if named or "factors" in spec:
        return named
    known = set(ID_COLUMNS) | {"path"} | set(METRICS) | set(EXTRA_METRICS)
    return [c for c in runs.columns if c not in known]


# --------------------------------------------------------------------------- sensitivity


def design_outcomes(runs: pd.DataFrame, metrics: Sequence[str] = SENSITIVITY_METRICS,
                    paths: Sequence[str] = PATHS) -> pd.DataFrame:
    """One row per design point (``design_id`` order): ``P(<path>)`` and ``mean(<metric>)``.

    Design points without a successful run have ``nan`` outcomes.
    """
    design_ids = np.sort(runs["design_id"].unique())
    ok = successful(runs)
    shares = (
        pd.crosstab(ok["design_id"], pd.Categorical(ok["path"], categories=list(paths)),
                    normalize="index", dropna=False)
        .reindex(index=design_ids, columns=list(paths))
    )
    out = pd.DataFrame(index=pd.Index(design_ids, name="design_id"))
    for p in paths:
        out[f"P({p})"] = shares[p].to_numpy(dtype=np.float64)
    present = [m for m in metrics if m in ok.columns]
    if present:
        means = ok[present].astype(np.float64).groupby(ok["design_id"]).mean()
        for m in present:
            out[f"mean({m})"] = means[m].reindex(design_ids).to_numpy()
    return out


def _sobol_second_order(spec: dict[str, Any], n_rows: int, d: int) -> bool | None:
    """Whether a Sobol design was sampled with second-order terms (``None``: size mismatch)."""
    stated = _spec_option(spec, ("calc_second_order", "second_order"), None)
    if stated is not None:
        return bool(stated)
    fits_2 = n_rows % (2 * d + 2) == 0
    fits_1 = n_rows % (d + 2) == 0
    if fits_2 and fits_1:
        # Both fit: SALib's Saltelli base sample size N is a power of two in practice.
        n2 = n_rows // (2 * d + 2)
        return n2 & (n2 - 1) == 0
    if fits_2:
        return True
    if fits_1:
        return False
    return None


def sensitivity(
    runs: pd.DataFrame, spec: dict[str, Any], seed: int | None = None,
    problem: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Sensitivity indices of each outcome (see :func:`design_outcomes`) for sobol/morris sweeps.

    The SALib problem is rebuilt from the spec (names = factor paths in spec order, bounds) and
    the outcomes are passed in design-point order, which is SALib's sample order; a
    ``problem`` recorded by the sweep (manifest) takes precedence over the spec. Returns a
    long table (``outcome, factor, index, value, conf``; indices S1/ST for Sobol, mu_star/sigma
    for Morris) and notes on outcomes that were skipped.
    """
    sampler = _sampler_name(spec)
    notes: list[str] = []
    empty = pd.DataFrame(columns=["outcome", "factor", "index", "value", "conf"])
    if sampler not in _SENSITIVITY_SAMPLERS:
        return empty, notes
    bounds = factor_bounds(spec, runs)
    if problem and problem.get("names"):
        recorded = dict(zip(problem["names"], problem.get("bounds") or [], strict=False))
        bounds = {str(n): recorded.get(n) or bounds.get(n) for n in problem["names"]}
    names = list(bounds)
    if not names or any(n not in runs.columns for n in names):
        notes.append("sensitivity skipped: a factor of the spec has no column in runs")
        return empty, notes
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [_as_bounds(bounds[n]) for n in names],
    }
    outcomes = design_outcomes(runs)
    n_rows = len(outcomes)
    expected = np.arange(n_rows)
    if not np.array_equal(np.sort(outcomes.index.to_numpy()), expected):
        notes.append("sensitivity skipped: design_id values are not 0..n-1 (incomplete sweep?)")
        return empty, notes
    d = len(names)
    x = None
    if sampler == "sobol":
        second = _sobol_second_order(spec, n_rows, d)
        if second is None:
            notes.append(f"Sobol analysis skipped: {n_rows} design points is not a multiple of "
                         f"D+2 or 2D+2 with D={d} factors")
            return empty, notes
    else:
        num_levels = int(_spec_option(spec, ("num_levels", "morris_levels"), 4))
        if n_rows % (d + 1) != 0:
            notes.append(f"Morris analysis skipped: {n_rows} design points is not a multiple of "
                         f"D+1 with D={d} factors")
            return empty, notes
        first = runs.sort_values("design_id").drop_duplicates("design_id")
        x = first[names].to_numpy(dtype=np.float64)
    rows = []
    for outcome in outcomes.columns:
        y = outcomes[outcome].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(y)):
            notes.append(f"{outcome}: skipped ({int(np.sum(~np.isfinite(y)))} design points "
                         f"without a successful run)")
            continue
        if np.ptp(y) == 0.0:
            continue  # constant outcome: no variance to apportion
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if sampler == "sobol":
                from SALib.analyze import sobol as sobol_analyze

                res = sobol_analyze.analyze(problem, y, calc_second_order=second,
                                            num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL,
                                            seed=seed)
                pairs = (("S1", "S1_conf"), ("ST", "ST_conf"))
            else:
                from SALib.analyze import morris as morris_analyze

                res = morris_analyze.analyze(problem, x, y, num_resamples=NUM_RESAMPLES,
                                             conf_level=CONF_LEVEL, num_levels=num_levels,
                                             seed=seed)
                pairs = (("mu_star", "mu_star_conf"), ("sigma", None))
        for i, name in enumerate(names):
            for index, conf in pairs:
                rows.append({
                    "outcome": outcome, "factor": name, "index": index,
                    "value": float(np.asarray(res[index])[i]),
                    "conf": float(np.asarray(res[conf])[i]) if conf else math.nan,
                })
    table = pd.DataFrame(rows, columns=list(empty.columns)) if rows else empty
    return table, notes


def _as_bounds(value: Any) -> list[float]:
    """``[low, high]`` from bounds or levels (non-numeric levels map to their index range)."""
    if not value:
        return [0.0, 1.0]
    try:
        nums = [float(v) for v in value]
    except (TypeError, ValueError):
        return [0.0, float(max(len(value) - 1, 1))]
    lo, hi = min(nums), max(nums)
    return [lo, hi if hi > lo else lo + 1.0]


# --------------------------------------------------------------------------- loading


def load_runs(results_dir: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read the runs table and manifest of a results folder (bad folder: one-line UserError)."""
    root = Path(results_dir)
    if not root.exists():
        raise UserError(f"{root}: no such results folder")
    if not root.is_dir():
        raise UserError(f"{root}: is a file, expected a results folder")
    manifest_path = root / "manifest.json"
    runs_dir = root / "runs"
    if not manifest_path.is_file() or not runs_dir.is_dir():
        raise UserError(f"{root}: not a results folder (expected manifest.json and runs/ "
                        "written by 'escalation sweep')")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise UserError(f"{manifest_path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise UserError(f"{manifest_path}: unreadable manifest (not a JSON object)")
    parts = [p for p in runs_dir.rglob("*.parquet") if not p.name.startswith((".", "_"))]
    if not parts:
        raise UserError(f"{root}: no runs yet (runs/ holds no Parquet part)")
    try:
        runs = pd.read_parquet(runs_dir)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad results folder
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{runs_dir}: unreadable Parquet parts ({first})") from None
    if runs.empty:
        raise UserError(f"{root}: no runs yet (runs/ holds no rows)")
    missing = [c for c in ("design_id", "path") if c not in runs.columns]
    if missing:
        raise UserError(f"{runs_dir}: not a sweep results table (missing column "
                        f"{', '.join(missing)})")
    return runs, manifest


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


def _design_labels(runs: pd.DataFrame, factors: Sequence[str]) -> pd.Series:
    first = runs.sort_values("design_id").drop_duplicates("design_id").set_index("design_id")
    if not factors:
        return pd.Series({d: f"design {d}" for d in first.index})
    return pd.Series({
        d: ", ".join(f"{f.rsplit('.', 1)[-1]}={_fmt(first.at[d, f])}" for f in factors)
        for d in first.index
    })


# --------------------------------------------------------------------------- plots


def _save(fig: Any, path: Path) -> Path:
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=100))
    return path


def _new_figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure  # no pyplot: no global state, Agg canvas by default

    return Figure(figsize=(width, height), layout="constrained")


def _plot_paths(table: pd.DataFrame, labels: pd.Series, shown: Sequence[Any],
                pooled: pd.DataFrame | None, path: Path) -> Path:
    groups: list[tuple[str, pd.DataFrame]] = []
    if pooled is not None:
        groups.append(("all runs", pooled))
    groups += [(str(labels.get(d, d)), table[table["design_id"] == d]) for d in shown]
    fig = _new_figure(max(7.0, 1.2 * len(PATHS) + 0.15 * len(groups) * len(PATHS)), 4.2)
    ax = fig.add_subplot()
    width = 0.8 / max(len(groups), 1)
    x = np.arange(len(PATHS))
    for i, (label, g) in enumerate(groups):
        g = g.set_index("path").reindex(list(PATHS))
        p = g["p"].to_numpy(dtype=np.float64)
        err = np.vstack([p - g["ci_low"].to_numpy(dtype=np.float64),
                         g["ci_high"].to_numpy(dtype=np.float64) - p])
        ax.bar(x + (i - (len(groups) - 1) / 2) * width, p, width, yerr=err, capsize=2,
               label=label)
    ax.set_xticks(x, [p.replace("_", "\n", 1) for p in PATHS], fontsize=8)
    ax.set_ylabel("share of runs (95% Wilson CI)")
    ax.set_ylim(0, 1)
    ax.set_title("Path distribution")
    if len(groups) > 1:
        ax.legend(fontsize=7, loc="upper right")
    return _save(fig, path)


def _factor_levels(runs: pd.DataFrame, factor: str) -> tuple[pd.Series, list[Any], list[float]]:
    """Group key per row, ordered keys, and x positions (bin centres for binned factors)."""
    col = runs[factor]
    numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
    uniq = pd.unique(col.dropna())
    if numeric and len(uniq) > MAX_FACTOR_LEVELS:
        bins = pd.qcut(col.astype(np.float64), q=min(10, len(uniq)), duplicates="drop")
        cats = list(bins.cat.categories)
        return bins.astype(object), cats, [float(c.mid) for c in cats]
    keys = sorted(uniq) if numeric else list(uniq)
    xs = [float(k) for k in keys] if numeric else list(range(len(keys)))
    return col.astype(object), keys, xs


def _plot_factor(runs: pd.DataFrame, factor: str, path: Path) -> tuple[Path, pd.DataFrame]:
    ok = successful(runs)
    key, keys, xs = _factor_levels(ok, factor)
    counts = pd.crosstab(key, pd.Categorical(ok["path"], categories=list(PATHS)), dropna=False)
    counts = counts.reindex(index=keys, columns=list(PATHS), fill_value=0)
    n = counts.sum(axis=1).to_numpy()
    fig = _new_figure(7.5, 4.2)
    ax = fig.add_subplot()
    rows = []
    for p in PATHS:
        k = counts[p].to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            share = k / n
        lo, hi = wilson_interval(k, n)
        ax.errorbar(xs, share, yerr=np.vstack([share - lo, hi - share]), marker="o", ms=3,
                    capsize=2, label=p)
        rows += [{"factor": factor, "level": str(kk), "path": p, "n": int(nn), "count": int(c),
                  "p": s, "ci_low": a, "ci_high": b}
                 for kk, nn, c, s, a, b in zip(keys, n, k, share, lo, hi, strict=True)]
    numeric = all(isinstance(x, float) for x in xs)
    if not numeric:
        ax.set_xticks(xs, [str(k) for k in keys], fontsize=8)
    ax.set_xlabel(factor + (" (bin centres)" if len(keys) and isinstance(keys[0], pd.Interval)
                            else ""))
    ax.set_ylabel("P(path) (95% Wilson CI)")
    ax.set_ylim(0, 1)
    ax.set_title(f"Path probabilities against {factor} (pooled over other factors)", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    return _save(fig, path), pd.DataFrame(rows)


def _plot_sensitivity(table: pd.DataFrame, sampler: str, outcomes: Sequence[str],
                      path: Path) -> Path:
    indices = ("S1", "ST") if sampler == "sobol" else ("mu_star",)
    ncols = min(3, len(outcomes))
    nrows = math.ceil(len(outcomes) / ncols)
    fig = _new_figure(4.2 * ncols, 0.6 + 2.6 * nrows)
    for j, outcome in enumerate(outcomes):
        ax = fig.add_subplot(nrows, ncols, j + 1)
        sub = table[table["outcome"] == outcome]
        factors = list(dict.fromkeys(sub["factor"]))
        y = np.arange(len(factors))
        h = 0.8 / len(indices)
        for i, index in enumerate(indices):
            s = sub[sub["index"] == index].set_index("factor").reindex(factors)
            ax.barh(y + (i - (len(indices) - 1) / 2) * h, s["value"], h,
                    xerr=s["conf"].fillna(0.0), capsize=2, label=index)
        ax.set_yticks(y, [f.rsplit(".", 2)[-2] + "." + f.rsplit(".", 1)[-1] if "." in f else f
                          for f in factors], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(outcome, fontsize=9)
        ax.axvline(0, color="black", lw=0.5)
        if j == 0:
            ax.legend(fontsize=7)
    fig.suptitle(f"{sampler.capitalize()} sensitivity indices (95% bootstrap CI)", fontsize=10)
    return _save(fig, path)


# --------------------------------------------------------------------------- report


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text).strip("_")


def make_report(results_dir: str | Path, out: str | Path | None = None) -> tuple[Path, str]:
    """Write the report of a sweep results folder; return the report folder and printed text.

    ``out`` defaults to ``results_dir/report``. Reads only the results folder; a missing
    folder, one without runs, or a folder that is not sweep results raises
    :class:`sim.config.UserError` with a one-line message.
    """
    root = Path(results_dir)
    runs, manifest = load_runs(root)
    raw_spec = manifest.get("spec")
    spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
    report_dir = Path(out) if out is not None else root / "report"
    if report_dir.exists() and not report_dir.is_dir():
        raise UserError(f"{report_dir}: is a file, expected a folder for the report")
    sampler = _sampler_name(spec)
    factors = factor_columns(runs, spec)
    status_counts = (runs["status"].astype(str).value_counts().sort_index().to_dict()
                     if "status" in runs.columns else {"ok": len(runs)})
    ok = successful(runs)
    if ok.empty:
        raise UserError(f"{root}: no successful runs to report ({_fmt_counts(status_counts)})")
    report_dir.mkdir(parents=True, exist_ok=True)

    paths = path_table(runs)
    pooled = path_table(ok.assign(design_id=-1)).assign(design_id="all")
    metric_names = [m for m in (*METRICS, *EXTRA_METRICS) if m in runs.columns]
    metrics = metric_table(runs, metric_names)
    pooled_metrics = metric_table(ok.assign(design_id="all"), MAIN_METRICS)
    labels = _design_labels(runs, factors)
    design_ids = list(np.sort(runs["design_id"].unique()))
    many = len(design_ids) > MAX_SHOWN_DESIGNS
    shown = design_ids[:MAX_SHOWN_DESIGNS] if many else design_ids

    _write_csv(report_dir / "paths_by_design.csv",
               paths.assign(design=paths["design_id"].map(labels)))
    _write_csv(report_dir / "metrics_by_design.csv", metrics)

    images: list[tuple[str, str]] = []
    _plot_paths(paths, labels, shown, pooled if (many or len(design_ids) > 1) else None,
                report_dir / "paths.png")
    images.append(("Path distribution", "paths.png"))
    factor_tables = []
    for f in factors:
        name = f"path_vs_{_slug(f)}.png"
        _, ft = _plot_factor(runs, f, report_dir / name)
        factor_tables.append(ft)
        images.append((f"Path probabilities against {f}", name))
    if factor_tables:
        _write_csv(report_dir / "paths_by_factor.csv", pd.concat(factor_tables))

    seed = manifest.get("master_seed", spec.get("master_seed"))
    recorded = manifest.get("problem") if isinstance(manifest.get("problem"), dict) else None
    sens, sens_notes = sensitivity(runs, spec, seed=int(seed) if seed is not None else None,
                                   problem=recorded)
    if not sens.empty:
        _write_csv(report_dir / "sensitivity.csv", sens)
        outs = list(dict.fromkeys(sens["outcome"]))
        path_outs = [o for o in outs if o.startswith("P(")]
        metric_outs = [o for o in outs if not o.startswith("P(")]
        if path_outs:
            _plot_sensitivity(sens, sampler, path_outs, report_dir / "sensitivity_paths.png")
            images.append(("Sensitivity of path probabilities", "sensitivity_paths.png"))
        if metric_outs:
            _plot_sensitivity(sens, sampler, metric_outs, report_dir / "sensitivity_metrics.png")
            images.append(("Sensitivity of metric means", "sensitivity_metrics.png"))

    text = _printed(root, spec, manifest, status_counts, paths, pooled, metrics, pooled_metrics,
                    labels, shown, many, len(design_ids), sens, sampler, sens_notes, report_dir)
    md = _markdown(root, spec, manifest, status_counts, paths, pooled, metrics, pooled_metrics,
                   labels, shown, many, len(design_ids), sens, sampler, sens_notes, images)
    atomic_write(report_dir / "report.md", lambda p: p.write_text(md))
    return report_dir, text


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda p: frame.to_csv(p, index=False))


def _fmt_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items())


def _path_rows(paths: pd.DataFrame, pooled: pd.DataFrame, labels: pd.Series,
               shown: Sequence[Any], with_pooled: bool) -> list[list[str]]:
    rows = []
    groups: list[tuple[str, str, pd.DataFrame]] = []
    if with_pooled:
        groups.append(("all", "all runs", pooled))
    groups += [(str(d), str(labels.get(d, d)), paths[paths["design_id"] == d]) for d in shown]
    for did, label, g in groups:
        g = g.set_index("path").reindex(list(PATHS))
        n = int(g["n"].iloc[0]) if len(g) and np.isfinite(g["n"].iloc[0]) else 0
        rows.append([did, label, str(n)] + [
            _pct_ci(g.at[p, "p"], g.at[p, "ci_low"], g.at[p, "ci_high"]) for p in PATHS])
    return rows


def _metric_rows(metrics: pd.DataFrame, shown: Sequence[Any]) -> list[list[str]]:
    rows = []
    main = metrics[metrics["metric"].isin(MAIN_METRICS) & metrics["design_id"].isin(shown)]
    order = {m: i for i, m in enumerate(MAIN_METRICS)}
    main = main.assign(_order=main["metric"].map(order)).sort_values(
        ["design_id", "_order"], kind="stable")
    for _, r in main.iterrows():
        rows.append([str(r["design_id"]), r["metric"],
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


def _config_hash(manifest: dict[str, Any]) -> str:
    base = manifest.get("base")
    if manifest.get("config_hash"):
        return str(manifest["config_hash"])
    if isinstance(base, dict) and base.get("hash"):
        return str(base["hash"])
    return "?"


def _header_lines(root: Path, spec: dict[str, Any], manifest: dict[str, Any],
                  status_counts: dict[str, int]) -> list[str]:
    factors = factor_bounds(spec)
    return [
        f"results: {root}",
        f"sampler: {_sampler_name(spec) or '?'}; factors: {', '.join(factors) or 'none'}; "
        f"replicates: {spec.get('replicates', '?')}; "
        f"days: {manifest.get('days') or spec.get('days') or '?'}; "
        f"master seed: {spec.get('master_seed', manifest.get('master_seed', '?'))}",
        f"config hash: {_config_hash(manifest)}",
        f"runs by status: {_fmt_counts(status_counts)}",
    ]


def _printed(root: Path, spec: dict[str, Any], manifest: dict[str, Any],
             status_counts: dict[str, int], paths: pd.DataFrame, pooled: pd.DataFrame,
             metrics: pd.DataFrame, pooled_metrics: pd.DataFrame, labels: pd.Series,
             shown: Sequence[Any], many: bool,
             n_designs: int, sens: pd.DataFrame, sampler: str, notes: list[str],
             report_dir: Path) -> str:
    lines = _header_lines(root, spec, manifest, status_counts)
    lines += ["", "Path distribution, % of successful runs [95% Wilson CI]"]
    lines.append(_text_table(["design", "factors", "n", *PATHS],
                             _path_rows(paths, pooled, labels, shown, n_designs > 1)))
    if many:
        lines.append(f"... {n_designs - len(shown)} more design points in "
                     f"{report_dir / 'paths_by_design.csv'}")
    m_rows = (_metric_rows(pooled_metrics, ["all"]) if many else _metric_rows(metrics, shown))
    if m_rows:
        lines += ["", "Main metrics" + (" (all runs)" if many else "")
                  + ": mean [95% CI], median, p5, p95"]
        lines.append(_text_table(["design", "metric", "mean [95% CI]", "median", "p5", "p95"],
                                 m_rows))
    if not sens.empty:
        idx = list(dict.fromkeys(sens["index"]))
        lines += ["", f"{sampler.capitalize()} sensitivity indices (± 95% CI half-width)"]
        lines.append(_text_table(["outcome", "factor", *idx], _sens_rows(sens)))
    lines += [*notes, "", f"report: {report_dir / 'report.md'}"]
    return "\n".join(lines)


def _markdown(root: Path, spec: dict[str, Any], manifest: dict[str, Any],
              status_counts: dict[str, int], paths: pd.DataFrame, pooled: pd.DataFrame,
              metrics: pd.DataFrame, pooled_metrics: pd.DataFrame, labels: pd.Series,
             shown: Sequence[Any], many: bool,
              n_designs: int, sens: pd.DataFrame, sampler: str, notes: list[str],
              images: list[tuple[str, str]]) -> str:
    md = ["# Sweep report", ""]
    md += [f"- {line}" for line in _header_lines(root, spec, manifest, status_counts)]
    md += ["", "## Path distribution", "",
           "Share of successful runs per design point, with 95% Wilson score intervals.", ""]
    md.append(_md_table(["design", "factors", "n", *PATHS],
                        _path_rows(paths, pooled, labels, shown, n_designs > 1)))
    if many:
        md += ["", f"{n_designs - len(shown)} more design points in "
                   "[paths_by_design.csv](paths_by_design.csv)."]
    m_rows = (_metric_rows(pooled_metrics, ["all"]) if many else _metric_rows(metrics, shown))
    if m_rows:
        md += ["", "## Main metrics", "",
               "Mean with 95% t interval, median, 5th and 95th percentiles; all metrics in "
               "[metrics_by_design.csv](metrics_by_design.csv).", ""]
        md.append(_md_table(["design", "metric", "mean [95% CI]", "median", "p5", "p95"],
                            m_rows))
    if not sens.empty or notes:
        md += ["", f"## Sensitivity ({sampler})", ""]
        if not sens.empty:
            idx = list(dict.fromkeys(sens["index"]))
            md += ["Indices from SALib with 95% bootstrap confidence half-widths; outcomes are "
                   "per design point (P(path) over its replicates, or a metric's mean). Table "
                   "in [sensitivity.csv](sensitivity.csv).", ""]
            md.append(_md_table(["outcome", "factor", *idx], _sens_rows(sens)))
        md += [""] + [f"- {n}" for n in notes]
    md += ["", "## Plots", ""]
    for title, name in images:
        md += [f"### {title}", "", f"![{title}]({name})", ""]
    return "\n".join(md).rstrip() + "\n"
