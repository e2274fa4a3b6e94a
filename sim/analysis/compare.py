"""Paired comparisons on common random numbers: B - A with 95% CIs, beside independent seeds.

:func:`compare` runs configuration A and configuration B through the ensemble engine on the
**same** seeds. Every draw of the model is keyed on (run seed, day, actor, purpose)
(:mod:`sim.core.draws`), so run *r* of A and run *r* of B share every random number that both
make: where the two configurations behave alike, their runs stay alike, and the difference
B - A is measured without most of the run-to-run noise (common random numbers). B is also run
on an independent set of seeds (as many runs) to show what an unpaired comparison would have
given, and each row carries the **variance reduction factor** (variance of the unpaired
estimator of the difference over that of the paired one: N paired runs are worth ``factor * N``
unpaired ones).

For each outcome (a row of :func:`paired_table`):

- the share of every path and of every boolean metric (war, US exit, law passed ...): the
  difference of the paired proportions with Newcombe's (1998) method-10 interval
  (:func:`sim.analysis.stats.newcombe_paired`) and McNemar's test
  (:func:`sim.analysis.stats.mcnemar`: mid-p below 25 discordant pairs, chi-squared above);
  unpaired: Newcombe's hybrid score interval for independent proportions;
- every numeric metric: the mean paired difference with its t interval (scipy's
  ``ttest_rel``); unpaired: Welch's t interval.

The outcomes are read from the result's columns (every path, every boolean and numeric
metric), so metrics the model adds later appear without a change here.

:func:`compare_sweep` pairs a factor's levels in a sweep run with ``seeds: shared`` (every
design point on the same seeds, paired by replicate) with the same statistics; the variance
reduction factor is then estimated from the marginal variances (no independent runs exist).

:func:`write_comparison` writes ``paired.parquet`` (one row per seed: A's path and metrics,
B's), ``independent.parquet``, ``comparison.csv``, ``compare.json`` (provenance) and
``compare.md`` with its plots; every file atomically.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import stats
from sim.analysis.report_plots import new_figure, plot_paths, save
from sim.config import Config, UserError, load_config, parse_override, with_overrides
from sim.core.draws import check_seed, seed_for
from sim.core.outcomes import PATHS
from sim.engines.ensemble import run_ensemble
from sim.errors import quote
from sim.ioutil import atomic_write, prepare_out_dir, write_json, write_parquet

#: Master seed of a comparison when none is given (the runs are then the same every time).
DEFAULT_MASTER_SEED = 20200103
#: Spawn key of the independent seeds: run r of B' has seed ``seed_for(master, KEY, r)``, a
#: 2-key spawn, never one of the paired seeds ``seed_for(master, r)``.
INDEPENDENT_KEY = 0x1D3B
#: Replicates run at once (bounds memory; results do not depend on it).
CHUNK = 5000
#: Identity columns of a runs table that are never outcomes.
ID_COLUMNS = frozenset({"seed", "run_id", "design_id", "replicate", "status", "error"})
#: Metrics shown in the printed table (all rows are in comparison.csv and compare.md).
MAIN_METRICS: tuple[str, ...] = (
    "us_killed", "iraqi_killed", "militia_attacks", "lethal_attacks", "us_strikes_iran",
    "max_escalation", "us_troops_final",
)
TABLE_COLUMNS: tuple[str, ...] = (
    "kind", "outcome", "n", "a", "b", "diff", "ci_low", "ci_high", "method", "p_value", "test",
    "a_only", "b_only", "b_indep", "diff_indep", "ci_low_indep", "ci_high_indep",
    "method_indep", "var_paired", "var_unpaired", "vrf", "vrf_basis",
)


def paired_seeds(master_seed: int, n: int) -> list[int]:
    """Seeds of the paired runs: ``seed_for(master_seed, r)``, as a ``seeds: shared`` sweep."""
    return [seed_for(master_seed, r) for r in range(n)]


def independent_seeds(master_seed: int, n: int) -> list[int]:
    """Seeds of B's independent runs: ``seed_for(master_seed, INDEPENDENT_KEY, r)``."""
    return [seed_for(master_seed, INDEPENDENT_KEY, r) for r in range(n)]


# ----------------------------------------------------------------------------- statistics


def outcome_columns(frame: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """The outcomes of a runs frame: paths (the model's, then any other value seen), boolean
    metrics and numeric metrics, in column order.
    """
    seen = sorted(set(frame["path"].astype(str))) if "path" in frame else []
    paths = list(PATHS) + [p for p in seen if p not in PATHS]
    bools, numbers = [], []
    for col in frame.columns:
        if col in ID_COLUMNS or col == "path":
            continue
        dtype = frame[col].dtype
        if pd.api.types.is_bool_dtype(dtype):
            bools.append(str(col))
        elif pd.api.types.is_numeric_dtype(dtype):
            numbers.append(str(col))
    return paths, bools, numbers


def _proportion_row(kind: str, name: str, x: np.ndarray, y: np.ndarray,
                    z: np.ndarray | None) -> dict[str, Any]:
    x, y = x.astype(bool), y.astype(bool)
    n11, n10 = int(np.sum(x & y)), int(np.sum(x & ~y))
    n01, n00 = int(np.sum(~x & y)), int(np.sum(~x & ~y))
    d, lo, hi = stats.newcombe_paired(n11, n10, n01, n00)
    p, test = stats.mcnemar(n10, n01)
    row = {"kind": kind, "outcome": name, "n": len(x), "a": float(x.mean()),
           "b": float(y.mean()), "diff": d, "ci_low": lo, "ci_high": hi,
           "method": "Newcombe paired (method 10)", "p_value": p, "test": test,
           "a_only": n10, "b_only": n01}
    if z is not None:
        z = z.astype(bool)
        di, li, hi_ = stats.newcombe(float(z.sum()), len(z), float(x.sum()), len(x))
        row.update({"b_indep": float(z.mean()), "diff_indep": di, "ci_low_indep": li,
                    "ci_high_indep": hi_, "method_indep": "Newcombe hybrid score (independent)"})
    return _with_variance(row, x, y, z)


def _mean_row(name: str, x: np.ndarray, y: np.ndarray, z: np.ndarray | None) -> dict[str, Any]:
    x, y = x.astype(np.float64), y.astype(np.float64)
    d, lo, hi, p = stats.paired_mean_diff(x, y)
    row = {"kind": "metric", "outcome": name, "n": len(x), "a": float(x.mean()),
           "b": float(y.mean()), "diff": d, "ci_low": lo, "ci_high": hi,
           "method": "paired t", "p_value": p, "test": "paired t"}
    if z is not None:
        z = z.astype(np.float64)
        di, li, hi_, _ = stats.welch_diff(x, z)
        row.update({"b_indep": float(z.mean()), "diff_indep": di, "ci_low_indep": li,
                    "ci_high_indep": hi_, "method_indep": "Welch t (independent)"})
    return _with_variance(row, x, y, z)


def _with_variance(row: dict[str, Any], x: np.ndarray, y: np.ndarray,
                   z: np.ndarray | None) -> dict[str, Any]:
    v_unpaired, v_paired, factor = stats.variance_ratio(x, y, z)
    row.update({"var_paired": v_paired, "var_unpaired": v_unpaired, "vrf": factor,
                "vrf_basis": "independent runs" if z is not None else "marginal variances"})
    return row


def paired_table(a: pd.DataFrame, b: pd.DataFrame,
                 b_independent: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per outcome: B - A on paired runs (row i of ``a`` with row i of ``b``) and, with
    ``b_independent`` (B on other seeds, as many runs), the unpaired difference and the measured
    variance reduction factor (else the factor is estimated from the marginal variances).

    Frames hold ``path`` and metric columns (as :meth:`EnsembleResult.records` or a sweep's
    runs table); see the module doc for the statistics of each kind of row.
    """
    if len(a) != len(b):
        raise UserError(f"paired_table: {len(a)} runs of A but {len(b)} of B; pairs need both")
    if b_independent is not None and len(b_independent) != len(a):
        raise UserError(f"paired_table: {len(b_independent)} independent runs of B but "
                        f"{len(a)} paired ones; the unpaired comparison uses as many runs")
    paths, bools, numbers = outcome_columns(a)
    z_frame = b_independent
    rows = []
    ax, bx = a["path"].astype(str).to_numpy(), b["path"].astype(str).to_numpy()
    zx = z_frame["path"].astype(str).to_numpy() if z_frame is not None else None
    for p in paths:
        rows.append(_proportion_row("path", p, ax == p, bx == p,
                                    None if zx is None else zx == p))
    for m in bools:
        rows.append(_proportion_row("boolean", m, a[m].to_numpy(), b[m].to_numpy(),
                                    None if z_frame is None else z_frame[m].to_numpy()))
    for m in numbers:
        if m in b.columns:
            rows.append(_mean_row(m, a[m].to_numpy(), b[m].to_numpy(),
                                  None if z_frame is None else z_frame[m].to_numpy()))
    table = pd.DataFrame(rows)
    for col in TABLE_COLUMNS:
        if col not in table:
            table[col] = np.nan
    return table[list(TABLE_COLUMNS)]


# ----------------------------------------------------------------------------- running


@dataclass
class Side:
    """One configuration of a comparison: where it came from and the config itself."""

    label: str
    source: str
    overrides: dict[str, Any]
    config: Config


@dataclass
class Comparison:
    """A paired comparison: both sides, the seeds, the per-seed rows and the table."""

    a: Side
    b: Side
    master_seed: int
    runs: int
    days: int
    paired: pd.DataFrame
    independent: pd.DataFrame
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def same_config(self) -> bool:
        """Whether A and B are the same configuration (every difference is then 0)."""
        return self.a.config.hash() == self.b.config.hash()


def _overrides(items: Mapping[str, Any] | Iterable[str] | None, flag: str) -> dict[str, Any]:
    """``KEY=VALUE`` strings (or a mapping) as a mapping; a bad item names the flag."""
    if not items:
        return {}
    if isinstance(items, Mapping):
        return dict(items)
    out: dict[str, Any] = {}
    for item in items:
        try:
            key, value = parse_override(str(item))
        except UserError:
            raise UserError(f"{flag} {quote(item)}: expected KEY=VALUE, e.g. "
                            "actors.united_states.retaliation_weight=1.2") from None
        out[key] = value
    return out


def _apply(cfg: Config, overrides: Mapping[str, Any], flag: str) -> Config:
    for key, value in overrides.items():
        try:
            cfg = with_overrides(cfg, {key: value})
        except UserError as exc:
            reason = str(exc).split(": ", 1)[-1]
            raise UserError(f"{flag} {key}={value!s:.60}: {reason}") from None
    return cfg


def _side(label: str, source: str | Path | Config | None, common: Mapping[str, Any],
          own: Mapping[str, Any], own_flag: str) -> Side:
    if isinstance(source, Config):
        cfg, where = source, f"<config {source.meta.name}>"
    else:
        cfg = load_config(source)
        where = str(source) if source is not None else "configs/baseline.yaml"
    cfg = _apply(cfg, common, "--set")
    cfg = _apply(cfg, own, own_flag)
    return Side(label, where, {**common, **own}, cfg)


def _records(cfg: Config, seeds: Sequence[int], days: int) -> pd.DataFrame:
    """One row per seed: seed, path and metrics (the columns of ``EnsembleResult.records``)."""
    parts = []
    for start in range(0, len(seeds), CHUNK):
        res = run_ensemble(cfg, seeds[start:start + CHUNK], days)
        parts.append(pd.DataFrame({"seed": np.asarray(res.seeds).astype(np.int64),
                                   "path": np.asarray(res.paths).astype(str),
                                   **{k: np.asarray(v) for k, v in res.metrics.items()}}))
    return pd.concat(parts, ignore_index=True)


def compare(
    a: str | Path | Config | None = None,
    b: str | Path | Config | None = None,
    *,
    runs: int = 1000,
    days: int | None = None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    set_a: Mapping[str, Any] | Iterable[str] | None = None,
    set_b: Mapping[str, Any] | Iterable[str] | None = None,
    seed: int = DEFAULT_MASTER_SEED,
    independent: bool = True,
    out: str | Path | None = None,
) -> Comparison:
    """Compare configuration B with A on common random numbers (see the module doc).

    ``a`` and ``b`` are config files or :class:`Config` objects (default: the baseline; ``b``
    defaults to ``a``, so ``compare(a, set_b={...})`` is "A with these changes").
    ``overrides`` apply to both, ``set_a`` / ``set_b`` to one side (dotted paths,
    ``KEY=VALUE`` strings or a mapping). ``runs`` paired runs of ``days`` days (default: A's
    ``meta.days``; B runs as many days) on seeds ``seed_for(seed, r)``; with ``independent``,
    B also runs on ``seed_for(seed, INDEPENDENT_KEY, r)``. With ``out``, the files of
    :func:`write_comparison` are written there. Bad input is a one-line :class:`UserError`.
    """
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 2:
        raise UserError(f"--runs {quote(runs)}: must be a whole number, 2 or more (pairs)")
    master = check_seed(seed, "--seed")
    common = _overrides(overrides, "--set")
    side_a = _side("A", a, common, _overrides(set_a, "--set-a"), "--set-a")
    side_b = _side("B", b if b is not None else a, common, _overrides(set_b, "--set-b"),
                   "--set-b")
    n_days = side_a.config.meta.days
    if days is not None:
        if isinstance(days, bool) or not isinstance(days, (int, np.integer)):
            raise UserError(f"--days {quote(days)}: must be a whole number")
        try:  # the schema's range of meta.days is the one bound
            n_days = with_overrides(side_a.config, {"meta.days": int(days)}).meta.days
        except UserError as exc:
            raise UserError(f"--days {quote(days)}: {str(exc).split(': ', 2)[-1]}") from None
    if out is not None:
        prepare_out_dir(out)
    seeds = paired_seeds(master, int(runs))
    frame_a = _records(side_a.config, seeds, n_days)
    frame_b = _records(side_b.config, seeds, n_days)
    ind = pd.DataFrame()
    if independent:
        other = independent_seeds(master, int(runs))
        if set(other) & set(seeds):  # a 2-key spawn never equals a 1-key one; checked anyway
            raise UserError("independent seeds collide with the paired ones; use another --seed")
        ind = _records(side_b.config, other, n_days)
    table = paired_table(frame_a, frame_b, ind if independent else None)
    paired = pd.concat([frame_a[["seed"]],
                        frame_a.drop(columns="seed").add_prefix("a_"),
                        frame_b.drop(columns="seed").add_prefix("b_")], axis=1)
    notes: list[str] = []
    result = Comparison(side_a, side_b, master, int(runs), n_days, paired, ind, table, notes)
    if result.same_config:
        notes.append("A and B are the same configuration: on shared seeds every paired "
                      "difference is 0 by construction")
    if out is not None:
        write_comparison(result, out)
    return result


# ----------------------------------------------------------------------------- sweeps


def _levels(manifest: Mapping[str, Any], factor: str, runs: pd.DataFrame) -> list[Any]:
    spec_factor = manifest["spec"]["factors"].get(factor) or {}
    levels = spec_factor.get("levels") if isinstance(spec_factor, Mapping) else spec_factor
    present = list(pd.unique(runs[factor].dropna()))
    if not levels:
        return sorted(present, key=str)
    return [lv for lv in levels if any(_same(lv, p) for p in present)]


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, bool) or isinstance(y, bool) or isinstance(x, str) or isinstance(y, str):
        return str(x) == str(y)
    try:
        return math.isclose(float(x), float(y), rel_tol=1e-12, abs_tol=0.0)
    except (TypeError, ValueError):
        return str(x) == str(y)


def _match(values: pd.Series, level: Any) -> np.ndarray:
    return np.array([_same(v, level) for v in values], dtype=bool)


@dataclass
class SweepComparison:
    """A factor's levels of a shared-seed sweep compared pairwise with a baseline level."""

    root: Path
    factor: str
    baseline: Any
    levels: list[Any]
    table: pd.DataFrame
    pairs: dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame]]
    notes: list[str] = field(default_factory=list)


def compare_sweep(results_dir: str | Path, factor: str, baseline_level: str | None = None,
                  out: str | Path | None = None) -> SweepComparison:
    """Compare each level of ``factor`` with ``baseline_level`` (default: the first level) in a
    ``seeds: shared`` grid sweep, pairing runs by replicate (same seed).

    Other factors are held fixed: each combination of their levels is a stratum, compared
    separately (runs of different strata share seeds, so pooling them would not give
    independent pairs). Failed runs drop their pair. A sweep whose seeds are per design point
    is refused with one line, as are a factor that is not in the sweep and an unknown level.
    """
    from sim.experiments.store import open_results  # noqa: PLC0415

    res = open_results(results_dir)
    m = res.manifest
    seeds_rule = (m.get("spec") or {}).get("seeds") or "per_design"
    if seeds_rule != "shared":
        raise UserError(f"--sweep {res.root}: its seeds are per design point (spec key 'seeds' "
                        f"is {seeds_rule!r}), so no two design points share a seed; pairing "
                        "needs a sweep run with 'seeds: shared'")
    factors = [str(f) for f in m.get("factors", [])]
    if factor not in factors:
        raise UserError(f"--factor {quote(factor)}: not a factor of the sweep in {res.root}; "
                        f"its factors: {', '.join(factors) or 'none'}")
    if m.get("sampler") != "grid":
        raise UserError(f"--sweep {res.root}: sampler {m.get('sampler')!r}; pairing compares "
                        "the levels of a grid factor")
    ok = stats.successful(res.runs)
    if ok.empty:
        raise UserError(f"--sweep {res.root}: no successful runs to pair")
    levels = _levels(m, factor, ok)
    if baseline_level is None:
        base = levels[0]
    else:
        found = [lv for lv in levels if str(lv) == str(baseline_level) or _same(lv, baseline_level)]
        if not found:
            raise UserError(f"--baseline-level {quote(baseline_level)}: not a level of {factor}; "
                            f"levels: {', '.join(map(str, levels))}")
        base = found[0]
    others = [f for f in factors if f != factor]
    table_parts, pairs, notes = [], {}, []
    strata = (ok[others].drop_duplicates().sort_values(others).to_dict("records")
              if others else [{}])
    for level in levels:
        if _same(level, base):
            continue
        for stratum in strata:
            mask = np.ones(len(ok), dtype=bool)
            for f, v in stratum.items():
                mask &= _match(ok[f], v)
            a = ok[mask & _match(ok[factor], base)]
            b = ok[mask & _match(ok[factor], level)]
            merged = a.merge(b, on="replicate", suffixes=("_a", "_b"))
            label = ", ".join(f"{f.rsplit('.', 1)[-1]}={v}" for f, v in stratum.items()) or "all"
            if merged.empty:
                notes.append(f"{factor}={level} [{label}]: no pair with both runs successful")
                continue
            if not np.array_equal(merged["seed_a"].to_numpy(), merged["seed_b"].to_numpy()):
                raise UserError(f"--sweep {res.root}: replicates of {factor}={base} and "
                                f"{factor}={level} do not share seeds; not a paired sweep")
            fa = a.set_index("replicate").loc[merged["replicate"]].reset_index()
            fb = b.set_index("replicate").loc[merged["replicate"]].reset_index()
            drop = [factor, *others]
            t = paired_table(fa.drop(columns=drop), fb.drop(columns=drop))
            t.insert(0, "level", str(level))
            t.insert(1, "stratum", label)
            table_parts.append(t)
            pairs[(str(level), label)] = (fa, fb)
    if not table_parts:
        raise UserError(f"--sweep {res.root}: no level of {factor} other than the baseline "
                        f"{base} has paired successful runs")
    result = SweepComparison(res.root, factor, base, levels, pd.concat(table_parts,
                             ignore_index=True), pairs, [*res.notes, *notes])
    if out is not None:
        write_sweep_comparison(result, out)
    return result


# ----------------------------------------------------------------------------- text


def _fmt(x: Any, digits: int = 4) -> str:
    if isinstance(x, (float, np.floating)):
        if math.isnan(x):
            return "-"
        if math.isinf(x):
            return "inf"
        return f"{x:.{digits}g}"
    return str(x)


def _pp(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{100 * x:+.1f}"


def _diff_cell(r: Mapping[str, Any], suffix: str = "") -> str:
    d, lo, hi = r[f"diff{suffix}"], r[f"ci_low{suffix}"], r[f"ci_high{suffix}"]
    if not np.isfinite(d):
        return "-"
    if r["kind"] == "metric":
        return f"{_fmt(d)} [{_fmt(lo)}, {_fmt(hi)}]"
    return f"{_pp(d)} [{_pp(lo)}, {_pp(hi)}] pp"


def _value_cell(r: Mapping[str, Any], col: str) -> str:
    v = r[col]
    if not np.isfinite(v):
        return "-"
    return _fmt(v) if r["kind"] == "metric" else f"{100 * v:.1f}%"


def _vrf_cell(v: float) -> str:
    if math.isnan(v):
        return "- (no variation)"
    if math.isinf(v):
        return "inf (identical runs)"
    return f"{v:.3g}"


def _p_cell(r: Mapping[str, Any]) -> str:
    p = r["p_value"]
    return "-" if not np.isfinite(p) else (f"{p:.2g}" if p >= 1e-4 else "<1e-4")


def table_rows(table: pd.DataFrame, main_only: bool = False,
               independent: bool = True) -> list[list[str]]:
    """Rows for a printed or Markdown table (paths, booleans, metrics)."""
    rows = []
    for r in table.to_dict("records"):
        if main_only and r["kind"] == "metric" and r["outcome"] not in MAIN_METRICS:
            continue
        row = [r["kind"], r["outcome"], _value_cell(r, "a"), _value_cell(r, "b"),
               _diff_cell(r), f"{_p_cell(r)} ({r['test']})"]
        if independent:
            row.append(_diff_cell(r, "_indep"))
        row.append(_vrf_cell(float(r["vrf"])))
        rows.append(row)
    return rows


def table_head(independent: bool = True) -> list[str]:
    """Header of :func:`table_rows`."""
    head = ["kind", "outcome", "A", "B", "B - A paired [95% CI]", "p (test)"]
    if independent:
        head.append("B' - A independent [95% CI]")
    head.append("variance reduction")
    return head


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows]
    return "\n".join(out)


def _side_line(s: Side) -> str:
    sets = ", ".join(f"{k}={v}" for k, v in s.overrides.items())
    return f"{s.label}: {s.source}" + (f" with {sets}" if sets else "") + \
        f" (config hash {s.config.hash()})"


def vrf_summary(table: pd.DataFrame) -> str:
    """The median and range of the finite variance reduction factors, in one line."""
    v = table["vrf"].to_numpy(dtype=np.float64)
    finite = v[np.isfinite(v)]
    inf = int(np.isinf(v).sum())
    if not len(finite):
        return f"variance reduction: no finite factor ({inf} rows identical in A and B)"
    return (f"variance reduction factor (unpaired / paired variance): median {np.median(finite):.3g}"
            f" over {len(finite)} rows, range {finite.min():.3g} to {finite.max():.3g}"
            + (f"; {inf} rows identical in A and B (infinite)" if inf else ""))


def header_lines(c: Comparison) -> list[str]:
    """What was compared, how many runs, which seeds."""
    return [
        _side_line(c.a), _side_line(c.b),
        f"runs: {c.runs:,} paired (seeds seed_for({c.master_seed}, r), r = 0..{c.runs - 1}) "
        f"+ {len(c.independent):,} of B on independent seeds "
        f"(seed_for({c.master_seed}, {INDEPENDENT_KEY}, r)); days: {c.days}",
        vrf_summary(c.table),
        *c.notes,
    ]


def printed(c: Comparison, out: Path | None = None) -> str:
    """The text ``escalation compare`` prints."""
    lines = header_lines(c)
    lines += ["", "B - A on common random numbers (paths and booleans in percentage points; "
                  "main metrics; every row in comparison.csv)"]
    lines.append(_text_table(table_head(), table_rows(c.table, main_only=True)))
    if out is not None:
        lines += ["", f"report: {out / 'compare.md'}"]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- plots


def _short(name: str) -> str:
    return name.replace("_", " ")


def plot_differences(table: pd.DataFrame, path: Path, title: str) -> Path:
    """Paired differences with 95% CIs (dark) beside the independent ones (light): shares in
    percentage points, metrics as standardised differences (divided by A's standard
    deviation, so metrics of different units share an axis).
    """
    props = table[table["kind"] != "metric"]
    mets = table[(table["kind"] == "metric")].copy()
    sd = np.sqrt(mets["var_unpaired"].to_numpy(dtype=np.float64) * mets["n"].to_numpy() / 2.0)
    mets = mets.assign(_sd=sd)
    mets = mets[np.isfinite(mets["_sd"]) & (mets["_sd"] > 0)]
    rows = max(len(props), len(mets), 1)
    fig = new_figure(11.0, 1.2 + 0.22 * rows)
    for j, (frame, scale, xlabel) in enumerate((
            (props, None, "B - A, percentage points (95% CI)"),
            (mets, "_sd", "B - A in pooled standard deviations (95% CI)"))):
        ax = fig.add_subplot(1, 2, j + 1)
        if frame.empty:
            ax.set_axis_off()
            continue
        k = 100.0 if scale is None else 1.0 / frame[scale].to_numpy(dtype=np.float64)
        y = np.arange(len(frame))
        for suffix, colour, dy, label in (("", "tab:blue", -0.15, "paired (same seeds)"),
                                          ("_indep", "tab:orange", 0.15, "independent seeds")):
            d = frame[f"diff{suffix}"].to_numpy(dtype=np.float64) * k
            lo = frame[f"ci_low{suffix}"].to_numpy(dtype=np.float64) * k
            hi = frame[f"ci_high{suffix}"].to_numpy(dtype=np.float64) * k
            if not np.isfinite(d).any():
                continue
            ax.errorbar(d, y + dy, xerr=np.vstack([d - lo, hi - d]), fmt="o", ms=3, capsize=2,
                        color=colour, label=label)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_yticks(y, [("path " if k == "path" else "") + _short(o)
                          for o, k in zip(frame["outcome"], frame["kind"], strict=True)], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel, fontsize=8)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(title, fontsize=10)
    return save(fig, path)


def plot_variance_reduction(table: pd.DataFrame, path: Path, title: str) -> Path:
    """The variance reduction factor of every row (log scale); identical rows marked."""
    t = table[~table["vrf"].isna()]
    fig = new_figure(7.5, 1.2 + 0.2 * max(len(t), 1))
    ax = fig.add_subplot()
    v = t["vrf"].to_numpy(dtype=np.float64)
    finite = v[np.isfinite(v)]
    top = float(finite.max()) * 3 if len(finite) else 10.0
    shown = np.where(np.isinf(v), top, v)
    y = np.arange(len(t))
    colours = ["tab:grey" if np.isinf(x) else "tab:blue" for x in v]
    ax.barh(y, shown, color=colours)
    for yi, x in zip(y, v, strict=True):
        if np.isinf(x):
            ax.text(top, yi, " identical (inf)", va="center", fontsize=6)
    ax.axvline(1.0, color="black", lw=0.6)
    ax.set_xscale("log")
    ax.set_yticks(y, [f"{_short(o)} ({k})" for o, k in zip(t["outcome"], t["kind"], strict=True)],
                  fontsize=6)
    ax.invert_yaxis()
    ax.set_xlabel("variance of the unpaired / the paired estimator of B - A (1 = no gain)")
    ax.set_title(title, fontsize=9)
    return save(fig, path)


def _path_groups(frames: Sequence[tuple[str, pd.DataFrame]]) -> list[tuple[str, pd.DataFrame]]:
    out = []
    for label, frame in frames:
        if frame.empty:
            continue
        t = stats.path_table(frame.assign(design_id=0, status="ok"))
        out.append((f"{label} (n={len(frame):,})", t))
    return out


# ----------------------------------------------------------------------------- writing


def _provenance(c: Comparison) -> dict[str, Any]:
    from sim.experiments.provenance import code_hash, git_commit, now  # noqa: PLC0415

    def side(s: Side) -> dict[str, Any]:
        return {"source": s.source, "overrides": {k: v for k, v in s.overrides.items()},
                "config_hash": s.config.hash(), "config": s.config.model_dump(mode="json")}

    return {"a": side(c.a), "b": side(c.b), "runs": c.runs, "days": c.days,
            "master_seed": c.master_seed,
            "paired_seeds": "sim.core.draws.seed_for(master_seed, r)",
            "independent_seeds": f"sim.core.draws.seed_for(master_seed, {INDEPENDENT_KEY}, r)",
            "code_hash": code_hash(), "git": git_commit(), "written": now()}


def write_comparison(c: Comparison, out: str | Path) -> Path:
    """Write the files of a comparison into ``out`` (see the module doc); return the folder."""
    folder = prepare_out_dir(out)
    write_parquet(folder / "paired.parquet", c.paired)
    if not c.independent.empty:
        write_parquet(folder / "independent.parquet", c.independent)
    atomic_write(folder / "comparison.csv", lambda p: c.table.to_csv(p, index=False))
    write_json(folder / "compare.json", _provenance(c))
    plot_differences(c.table, folder / "differences.png",
                     f"B - A on {c.runs:,} common seeds vs on independent seeds")
    plot_variance_reduction(c.table, folder / "variance_reduction.png",
                            "Variance reduction from common random numbers")
    a = c.paired.filter(regex="^a_").rename(columns=lambda x: x[2:])
    b = c.paired.filter(regex="^b_").rename(columns=lambda x: x[2:])
    plot_paths(_path_groups([("A", a), ("B", b), ("B, independent seeds", c.independent)]),
               folder / "paths.png", "Path distribution, A vs B (95% Wilson CI)")
    md = ["# Paired comparison (common random numbers)", ""]
    md += [f"- {line}" for line in header_lines(c)]
    md += ["", "## How to read this", "",
           "Run *r* of A and run *r* of B use the same seed, so they share every random draw "
           "both make; the paired difference B - A removes the noise the two runs share. The "
           "column *B' - A independent* is what the same number of runs of B on other seeds "
           "would have given. *Variance reduction* is the variance of the unpaired estimator of "
           "B - A divided by that of the paired one: N paired runs are as precise as that many "
           "times N unpaired runs. Shares: Newcombe's paired interval (method 10) and McNemar's "
           "test (mid-p below 25 discordant pairs); metrics: paired t. See docs/compare.md.", "",
           "## Differences", ""]
    md.append(_md_table(table_head(), table_rows(c.table)))
    md += ["", "## Plots", "", "### Paired vs independent differences", "",
           "![differences](differences.png)", "", "### Variance reduction per outcome", "",
           "![variance reduction](variance_reduction.png)", "", "### Path distribution", "",
           "![paths](paths.png)", ""]
    text = "\n".join(md)
    atomic_write(folder / "compare.md", lambda p: p.write_text(text, encoding="utf-8"))
    return folder


def sweep_printed(s: SweepComparison, out: Path | None = None) -> str:
    """The text ``escalation compare --sweep`` prints."""
    lines = [f"sweep: {s.root}; factor {s.factor}: levels {', '.join(map(str, s.levels))}; "
             f"baseline {s.baseline}; pairs by replicate (seeds: shared)",
             "variance reduction estimated from the marginal variances (a shared-seed sweep has "
             "no independent runs)", *s.notes]
    for (level, stratum), g in s.table.groupby(["level", "stratum"], sort=False):
        lines += ["", f"{s.factor} = {level} vs {s.baseline} [{stratum}]: "
                      f"{int(g['n'].iloc[0]):,} pairs; {vrf_summary(g)}"]
        lines.append(_text_table(table_head(False), table_rows(g, main_only=True,
                                                               independent=False)))
    if out is not None:
        lines += ["", f"report: {out / 'compare.md'}"]
    return "\n".join(lines)


def write_sweep_comparison(s: SweepComparison, out: str | Path) -> Path:
    """Write a sweep comparison (table, Markdown, plots) into ``out``."""
    folder = prepare_out_dir(out)
    atomic_write(folder / "comparison.csv", lambda p: s.table.to_csv(p, index=False))
    md = ["# Paired comparison of a sweep factor's levels (common random numbers)", "",
          f"- sweep: {s.root}", f"- factor: {s.factor}; baseline level: {s.baseline}; levels: "
          f"{', '.join(map(str, s.levels))}",
          "- runs are paired by replicate: a `seeds: shared` sweep gives replicate r of every "
          "design point the same seed",
          "- variance reduction: estimated from the marginal variances ((var A + var B) / "
          "var(B - A)); a shared-seed sweep has no independent runs", *[f"- {n}" for n in s.notes]]
    for i, ((level, stratum), g) in enumerate(s.table.groupby(["level", "stratum"], sort=False)):
        name = f"differences_{i}.png"
        plot_differences(g, folder / name, f"{s.factor} = {level} vs {s.baseline} [{stratum}]")
        md += ["", f"## {s.factor} = {level} vs {s.baseline} [{stratum}]", "",
               f"{int(g['n'].iloc[0]):,} pairs; {vrf_summary(g)}", ""]
        md.append(_md_table(table_head(False), table_rows(g, independent=False)))
        md += ["", f"![differences]({name})"]
    text = "\n".join(md) + "\n"
    atomic_write(folder / "compare.md", lambda p: p.write_text(text, encoding="utf-8"))
    return folder
