"""The statistics of the project, defined once: intervals, path tables and factor binning.

Used by the sweep report (:mod:`sim.analysis.report`), the claims checks
(:mod:`sim.analysis.claims`) and the dashboard's sweep page, so a number means the same thing
wherever it is shown.

- :func:`wilson`: share and Wilson score interval of ``k`` successes in ``n`` trials (equal to
  ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``). **n = 0 gives NaN** for the
  share and both bounds: no runs, no estimate (tables print "-", plots draw nothing).
- :func:`newcombe`: difference of two independent proportions with Newcombe's hybrid score
  interval (built from the two Wilson intervals; NaN when either n is 0).
- :func:`mean_ci`: mean with Student's t interval (NaN bounds with fewer than 2 values);
  :func:`metric_table` applies the same interval per design point.
- :func:`successful`: the rows that count in every statistic: ``status == "ok"``.
- :func:`path_table`: share of each path per group (design point) with Wilson intervals.
- Paired comparisons (common random numbers, :mod:`sim.analysis.compare`):
  :func:`mcnemar` (McNemar's test of the discordant pairs: the mid-p version below
  :data:`MCNEMAR_EXACT_BELOW` discordant pairs, the asymptotic chi-squared test without
  continuity correction above; Fagerland, Lydersen & Laake 2013), :func:`newcombe_paired`
  (difference of two paired proportions with Newcombe's 1998 method 10, built from the two
  Wilson intervals and the phi correlation of the pairs), :func:`paired_mean_diff` (mean of
  paired differences with its t interval, scipy's ``ttest_rel``), :func:`welch_diff` (difference
  of two independent means, Welch's t interval, scipy's ``ttest_ind``) and
  :func:`variance_ratio` (the variance reduction factor of pairing).
- :func:`factor_levels`: the **one binning rule**: a numeric factor with more than
  :data:`MAX_FACTOR_LEVELS` distinct values is cut into :data:`FACTOR_BINS` quantile bins
  (``pandas.qcut``, ties merged), each shown at its midpoint; any other factor keeps its values.
  :func:`paths_by_factor` is the path table per factor level on that rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

from sim.core.outcomes import PATHS

#: Confidence level of every interval.
CONF_LEVEL = 0.95
#: Below this many discordant pairs McNemar's test is the exact mid-p test; from it on the
#: asymptotic chi-squared test (both recommended by Fagerland, Lydersen & Laake 2013).
MCNEMAR_EXACT_BELOW = 25
#: A numeric factor with more distinct values than this is binned ...
MAX_FACTOR_LEVELS = 12
#: ... into this many quantile bins (fewer where values tie).
FACTOR_BINS = 10


def z_value(conf: float = CONF_LEVEL) -> float:
    """The two-sided standard normal quantile of a confidence level (1.96 for 0.95)."""
    return float(sps.norm.ppf(0.5 + conf / 2.0))


def _out(x: np.ndarray) -> Any:
    """Python floats for scalar input, arrays otherwise."""
    return float(x) if np.ndim(x) == 0 else x


def wilson(k: npt.ArrayLike, n: npt.ArrayLike, conf: float = CONF_LEVEL) -> tuple[Any, Any, Any]:
    """Share ``k / n`` and its Wilson score interval (arrays broadcast; n = 0 gives NaN)."""
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    z = z_value(conf)
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
    empty = n <= 0
    nan = np.float64(np.nan)
    return (_out(np.where(empty, nan, p)), _out(np.where(empty, nan, lo)),
            _out(np.where(empty, nan, hi)))


def newcombe(x1: float, n1: int, x2: float, n2: int,
             conf: float = CONF_LEVEL) -> tuple[float, float, float]:
    """Difference ``p1 - p2`` of two independent proportions with Newcombe's hybrid interval."""
    p1, l1, u1 = wilson(x1, n1, conf)
    p2, l2, u2 = wilson(x2, n2, conf)
    d = p1 - p2
    lo = d - float(np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
    hi = d + float(np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
    return d, lo, hi


def mcnemar(n10: int, n01: int) -> tuple[float, str]:
    """Two-sided McNemar test of ``n10`` pairs (yes in the first, no in the second) against
    ``n01`` (the reverse); returns the p-value and the name of the test used.

    Fewer than :data:`MCNEMAR_EXACT_BELOW` discordant pairs: the mid-p test, the exact
    conditional binomial test with half the probability of the observed split,
    ``2 P(X <= k) - P(X = k)`` with ``X ~ Bin(n10 + n01, 1/2)`` and ``k = min(n10, n01)``
    (scipy's binomial distribution; capped at 1). Otherwise the asymptotic test ``(n10 - n01)**2 / (n10 + n01)`` against
    chi-squared with 1 df, without continuity correction. Both keep the nominal level far
    better than the exact conditional test, which is conservative (Fagerland, Lydersen & Laake,
    *BMC Med Res Methodol* 13:91, 2013). No discordant pair: p = 1.
    """
    m = int(n10) + int(n01)
    if m == 0:
        return 1.0, "no discordant pairs"
    if m < MCNEMAR_EXACT_BELOW:
        k = min(int(n10), int(n01))
        mid = 2.0 * sps.binom.cdf(k, m, 0.5) - sps.binom.pmf(k, m, 0.5)
        return float(min(1.0, mid)), "McNemar mid-p"
    stat = (int(n10) - int(n01)) ** 2 / m
    return float(sps.chi2.sf(stat, 1)), "McNemar chi2"


def newcombe_paired(n11: int, n10: int, n01: int, n00: int,
                    conf: float = CONF_LEVEL) -> tuple[float, float, float]:
    """Difference ``p2 - p1`` of two paired proportions and its interval, Newcombe's method 10.

    Counts of the 2x2 table of pairs: ``n11`` yes in both, ``n10`` yes in the first only,
    ``n01`` yes in the second only, ``n00`` in neither; ``p1 = (n11 + n10) / n`` and
    ``p2 = (n11 + n01) / n``. The interval combines the Wilson intervals of both proportions
    with the correlation ``phi`` of the pairs, ``(n11 n00 - n10 n01) / sqrt(product of the
    margins)``, its numerator reduced to ``max(n11 n00 - n10 n01 - n / 2, 0)`` when positive
    and ``phi = 0`` when a margin is empty; Newcombe,
    "Improved confidence intervals for the difference between binomial proportions based on
    paired data", *Statistics in Medicine* 17:2635-2650 (1998), method 10. n = 0 gives NaN.
    """
    n = int(n11) + int(n10) + int(n01) + int(n00)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    x1, x2 = n11 + n10, n11 + n01
    # the interval of p2 - p1 is Newcombe's interval of "p1 - p2" with the roles swapped
    pa, la, ua = wilson(x2, n, conf)
    pb, lb, ub = wilson(x1, n, conf)
    margins = float(x1) * float(n - x1) * float(x2) * float(n - x2)
    num = float(n11) * float(n00) - float(n10) * float(n01)
    if num > 0:
        num = max(num - n / 2.0, 0.0)
    phi = num / np.sqrt(margins) if margins > 0 else 0.0
    d = pa - pb
    delta = np.sqrt(max(0.0, (pa - la) ** 2 - 2 * phi * (pa - la) * (ub - pb) + (ub - pb) ** 2))
    eps = np.sqrt(max(0.0, (ua - pa) ** 2 - 2 * phi * (ua - pa) * (pb - lb) + (pb - lb) ** 2))
    return float(d), float(max(-1.0, d - delta)), float(min(1.0, d + eps))


def _constant(x: np.ndarray) -> bool:
    return len(x) > 0 and bool(np.all(x == x[0]))


def paired_mean_diff(a: npt.ArrayLike, b: npt.ArrayLike,
                     conf: float = CONF_LEVEL) -> tuple[float, float, float, float]:
    """Mean of the paired differences ``b - a`` with its t interval and p-value (scipy's
    ``ttest_rel``): ``(diff, low, high, p)``.

    Fewer than 2 pairs: NaN interval and p. Identical differences (no spread): the interval is
    the difference itself and p is NaN (1 when every difference is 0).
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    d = y - x
    if len(d) == 0:
        return float("nan"), float("nan"), float("nan"), float("nan")
    m = float(d.mean())
    if len(d) < 2:
        return m, float("nan"), float("nan"), float("nan")
    if _constant(d):
        return m, m, m, (1.0 if m == 0 else float("nan"))
    res = sps.ttest_rel(y, x)
    ci = res.confidence_interval(confidence_level=conf)
    return m, float(ci.low), float(ci.high), float(res.pvalue)


def welch_diff(a: npt.ArrayLike, b: npt.ArrayLike,
               conf: float = CONF_LEVEL) -> tuple[float, float, float, float]:
    """Difference of the means of two independent samples, ``mean(b) - mean(a)``, with Welch's
    t interval and p-value (scipy's ``ttest_ind(equal_var=False)``): ``(diff, low, high, p)``.

    Both samples without spread: the interval is the difference itself and p is NaN (1 when
    the means are equal); fewer than 2 values in a sample: NaN interval and p.
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if len(x) == 0 or len(y) == 0:
        return float("nan"), float("nan"), float("nan"), float("nan")
    m = float(y.mean() - x.mean())
    if len(x) < 2 or len(y) < 2:
        return m, float("nan"), float("nan"), float("nan")
    if _constant(x) and _constant(y):
        return m, m, m, (1.0 if m == 0 else float("nan"))
    res = sps.ttest_ind(y, x, equal_var=False)
    ci = res.confidence_interval(confidence_level=conf)
    return m, float(ci.low), float(ci.high), float(res.pvalue)


def variance_ratio(a: npt.ArrayLike, b_paired: npt.ArrayLike,
                   b_independent: npt.ArrayLike | None = None) -> tuple[float, float, float]:
    """The variance reduction factor of pairing: ``(var_unpaired, var_paired, factor)``.

    ``var_paired`` is the variance of the paired estimator of the difference,
    ``var(b - a) / n``; ``var_unpaired`` that of the unpaired estimator with as many runs,
    ``(var(a) + var(b')) / n``, where ``b'`` is ``b_independent`` (B on seeds independent of
    A's) or, when none is given, ``b_paired`` itself (its marginal variance is the same
    whether or not it shares A's seeds). Sample variances (ddof = 1). ``factor`` is their
    ratio, the effective sample size multiplier: n paired runs estimate the difference as
    precisely as ``factor * n`` unpaired ones. No spread in the differences but some in the
    samples: inf; no spread anywhere, or fewer than 2 pairs: NaN.
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b_paired, dtype=np.float64)
    z = y if b_independent is None else np.asarray(b_independent, dtype=np.float64)
    n = len(x)
    if n < 2 or len(z) < 2:
        return float("nan"), float("nan"), float("nan")
    v_pair = float(np.var(y - x, ddof=1)) / n
    v_unpair = (float(np.var(x, ddof=1)) + float(np.var(z, ddof=1))) / n
    # float round-off leaves ~1e-33 where the differences are exactly constant
    if v_pair == 0.0 or _constant(y - x):
        return v_unpair, 0.0, (float("inf") if v_unpair > 0 else float("nan"))
    return v_unpair, v_pair, v_unpair / v_pair


def _t_half(sd: np.ndarray, n: np.ndarray, conf: float) -> np.ndarray:
    """Half-width of Student's t interval of a mean (NaN with fewer than 2 values)."""
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        tq = sps.t.ppf(0.5 + conf / 2.0, np.maximum(n - 1.0, 1.0))
        half = tq * np.asarray(sd, dtype=np.float64) / np.sqrt(n)
    return np.where(n >= 2, half, np.nan)


def mean_ci(x: npt.ArrayLike, conf: float = CONF_LEVEL) -> tuple[float, float, float]:
    """Mean of ``x`` and its Student's t interval (NaN bounds with fewer than 2 values)."""
    a = np.asarray(x, dtype=np.float64).ravel()
    if len(a) == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(a.mean())
    sd = float(a.std(ddof=1)) if len(a) > 1 else float("nan")
    half = float(_t_half(np.asarray(sd), np.asarray(len(a)), conf))
    return m, m - half, m + half


def successful(runs: pd.DataFrame) -> pd.DataFrame:
    """Rows of runs that finished (``status == "ok"``): the rows every statistic counts."""
    return runs.loc[runs["status"].astype(str) == "ok"]


def path_table(runs: pd.DataFrame, by: str = "design_id", conf: float = CONF_LEVEL,
               paths: Sequence[str] = PATHS) -> pd.DataFrame:
    """Path shares per group: one row per (group, path) for every path, observed or not
    (and for any label outside ``paths`` that the table holds).

    Columns ``<by>, path, n, count, p, ci_low, ci_high``; only successful runs count and ``n``
    is their number in the group (a group with none has NaN shares).
    """
    ok = successful(runs)
    # A label outside ``paths`` (a foreign or hand-edited table) is listed after them, never
    # dropped: dropping it would shrink n and show a partial table as whole.
    known = set(paths)
    paths = [*paths, *sorted({str(v) for v in pd.unique(ok["path"].dropna())} - known)]
    groups = sorted(pd.unique(runs[by].dropna()))  # groups with only failed runs too (n = 0)
    counts = (
        pd.crosstab(ok[by], pd.Categorical(ok["path"], categories=list(paths)), dropna=False)
        .reindex(index=groups, columns=list(paths), fill_value=0)
    )
    counts.index.name = by
    n = counts.sum(axis=1)
    long = counts.stack().rename("count").reset_index()
    long.columns = [by, "path", "count"]
    long["n"] = long[by].map(n).astype(np.int64)
    long["count"] = long["count"].astype(np.int64)
    long["p"], long["ci_low"], long["ci_high"] = wilson(long["count"], long["n"], conf)
    long["path"] = long["path"].astype(str)
    return long[[by, "path", "n", "count", "p", "ci_low", "ci_high"]]


def metric_table(runs: pd.DataFrame, metrics: Sequence[str], by: str = "design_id",
                 conf: float = CONF_LEVEL) -> pd.DataFrame:
    """Metric summaries per group: one row per (group, metric).

    Columns ``<by>, metric, n, mean, ci_low, ci_high, median, p5, p95``; the interval is
    Student's t on the mean, as in :func:`mean_ci`.
    """
    ok = successful(runs)
    present = [m for m in metrics if m in ok.columns]
    columns = [by, "metric", "n", "mean", "ci_low", "ci_high", "median", "p5", "p95"]
    if not present or ok.empty:
        return pd.DataFrame(columns=columns)
    values = ok[present].astype(np.float64)
    values[by] = ok[by].to_numpy()
    grouped = values.groupby(by, sort=True)
    n = grouped.size().to_numpy()
    mean, sd = grouped.mean(), grouped.std(ddof=1)
    q = grouped.quantile([0.05, 0.5, 0.95])
    rows = []
    for m in present:
        half = _t_half(sd[m].to_numpy(), n, conf)
        qm = q[m].unstack()
        rows.append(pd.DataFrame({
            by: mean.index.to_numpy(), "metric": m, "n": n, "mean": mean[m].to_numpy(),
            "ci_low": mean[m].to_numpy() - half, "ci_high": mean[m].to_numpy() + half,
            "median": qm[0.5].to_numpy(), "p5": qm[0.05].to_numpy(), "p95": qm[0.95].to_numpy(),
        }))
    return pd.concat(rows, ignore_index=True)[columns]


def factor_levels(values: pd.Series) -> tuple[pd.Series, list[Any], list[float], bool]:
    """Group a factor's values by the one binning rule (see the module doc).

    Returns the level of each row, the levels in order, each level's x position (the value,
    a bin's midpoint, or 0, 1, 2 ... for text) and whether the factor was binned.
    """
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    uniq = pd.unique(values.dropna())
    if numeric and len(uniq) > MAX_FACTOR_LEVELS:
        bins = pd.qcut(values.astype(np.float64), q=FACTOR_BINS, duplicates="drop")
        cats = list(bins.cat.categories)
        return bins.astype(object), cats, [float(c.mid) for c in cats], True
    keys = sorted(uniq) if numeric else sorted(uniq, key=str)
    xs = [float(k) for k in keys] if numeric else [float(i) for i in range(len(keys))]
    return values.astype(object), keys, xs, False


def paths_by_factor(runs: pd.DataFrame, factor: str, conf: float = CONF_LEVEL,
                    paths: Sequence[str] = PATHS) -> pd.DataFrame:
    """Path shares at each level of one factor (pooled over the others), binned by
    :func:`factor_levels`: columns ``factor, level, x, binned, path, n, count, p, ci_low,
    ci_high``, one row per (level, path), levels in order.
    """
    ok = successful(runs)
    level, keys, xs, binned = factor_levels(ok[factor])
    frame = pd.DataFrame({"level": level.to_numpy(), "path": ok["path"].to_numpy(), "status": "ok"})
    table = path_table(frame, by="level", conf=conf, paths=paths)
    order = {k: i for i, k in enumerate(keys)}
    table = (table.assign(_o=table["level"].map(order))
             .sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True))
    x_of = dict(zip(keys, xs, strict=True))
    table.insert(0, "factor", factor)
    table.insert(2, "x", table["level"].map(x_of).astype(np.float64))
    table.insert(3, "binned", binned)
    return table
