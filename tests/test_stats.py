"""The one statistics module: intervals against scipy and by coverage, the n = 0 rule, the path
table, and one factor binning shared by the report and the dashboard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sim.analysis import stats
from sim.core.outcomes import PATHS

TRUE_P = np.array([0.40, 0.05, 0.20, 0.15, 0.12, 0.08])


def synthetic_runs(rng: np.random.Generator, design: pd.DataFrame, probs: np.ndarray,
                   replicates: int) -> pd.DataFrame:
    """A runs table (the writer's columns that statistics read) with known path shares."""
    n_design = len(design)
    design_id = np.repeat(np.arange(n_design), replicates)
    u = rng.random(n_design * replicates)
    cum = np.cumsum(probs, axis=1)[design_id]
    idx = np.minimum((u[:, None] > cum).sum(axis=1), len(PATHS) - 1)
    frame = pd.DataFrame({"run_id": np.arange(n_design * replicates), "design_id": design_id,
                          "status": "ok"})
    for col in design.columns:
        frame[col] = design[col].to_numpy()[design_id]
    frame["path"] = np.asarray(PATHS)[idx]
    frame["us_killed"] = rng.poisson(3.0, len(frame))
    return frame


def test_wilson_matches_scipy_and_returns_floats_for_scalars():
    for k, n in [(0, 10), (3, 10), (10, 10), (1, 1000), (517, 1000), (0, 1)]:
        ref = sps.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        p, lo, hi = stats.wilson(k, n)
        assert isinstance(lo, float) and p == k / n
        assert lo == pytest.approx(ref.low, abs=1e-12)
        assert hi == pytest.approx(ref.high, abs=1e-12)
    p, lo, hi = stats.wilson(np.array([0, 5]), np.array([10, 10]))
    assert p.shape == lo.shape == (2,)


def test_n_zero_gives_nan_everywhere():
    """The one n = 0 rule (before: NaN in the report, [0, 1] in the claims, NaN in the page)."""
    assert all(np.isnan(x) for x in stats.wilson(0, 0))
    assert all(np.isnan(x) for x in stats.newcombe(3, 10, 0, 0))
    assert all(np.isnan(x) for x in stats.mean_ci([]))
    m, lo, hi = stats.mean_ci([4.0])
    assert m == 4.0 and np.isnan(lo) and np.isnan(hi)


def test_newcombe_and_mean_ci():
    d, lo, hi = stats.newcombe(400, 400, 0, 400)
    assert d == 1 and 0.98 < lo < 1 and hi == pytest.approx(1.0)
    d, lo, hi = stats.newcombe(50, 100, 50, 100)
    assert d == 0 and lo == pytest.approx(-hi)
    x = np.random.default_rng(1).normal(2.0, 1.0, 30)
    m, lo, hi = stats.mean_ci(x)
    ref = sps.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
    assert (lo, hi) == pytest.approx(ref, abs=1e-12) and m == pytest.approx(x.mean())


def test_path_ci_coverage_over_synthetic_tables():
    """Over 600 independent design points, the 95% intervals hold the true share ~95% of the time."""
    rng = np.random.default_rng(20200103)
    tables = 200
    probs = np.vstack([TRUE_P, TRUE_P[::-1], np.full(6, 1 / 6)])
    design = pd.DataFrame({"x": np.tile(np.arange(3.0), tables)})
    table = stats.path_table(synthetic_runs(rng, design, np.tile(probs, (tables, 1)), 150))
    table = table.set_index(["design_id", "path"]).reindex(
        pd.MultiIndex.from_product([range(3 * tables), PATHS]))
    lo = table["ci_low"].to_numpy().reshape(tables, 3, 6)
    hi = table["ci_high"].to_numpy().reshape(tables, 3, 6)
    coverage = ((lo <= probs) & (probs <= hi)).mean(axis=0)
    assert coverage.min() >= 0.9, coverage
    assert 0.93 <= coverage.mean() <= 0.97, coverage.mean()


def test_path_table_counts_only_successful_runs():
    rng = np.random.default_rng(1)
    runs = synthetic_runs(rng, pd.DataFrame({"x": [1.0]}), TRUE_P[None, :], replicates=50)
    runs.loc[:4, "status"] = "failed"
    runs.loc[:4, "path"] = None
    table = stats.path_table(runs)
    assert (table["n"] == 45).all() and table["count"].sum() == 45
    assert table["p"].sum() == pytest.approx(1.0)
    assert list(table["path"]) == list(PATHS)


def test_path_table_lists_labels_it_does_not_know_instead_of_dropping_them():
    rng = np.random.default_rng(2)
    runs = synthetic_runs(rng, pd.DataFrame({"x": [1.0]}), TRUE_P[None, :], replicates=50)
    runs.loc[:2, "path"] = "hand-edited"
    table = stats.path_table(runs)
    assert list(table["path"]) == [*PATHS, "hand-edited"]
    assert (table["n"] == 50).all() and table["count"].sum() == 50
    assert int(table.loc[table["path"] == "hand-edited", "count"].iloc[0]) == 3


def test_metric_table_mean_ci_coverage():
    rng = np.random.default_rng(5)
    runs = synthetic_runs(rng, pd.DataFrame({"x": np.arange(200.0)}), np.tile(TRUE_P, (200, 1)),
                          replicates=40)
    m = stats.metric_table(runs, ["us_killed"])
    inside = (m["ci_low"] <= 3.0) & (3.0 <= m["ci_high"])
    assert inside.mean() >= 0.9
    assert (m["p5"] <= m["median"]).all() and (m["median"] <= m["p95"]).all()
    one = m.iloc[0]
    x = runs.loc[runs["design_id"] == 0, "us_killed"]
    assert (one["mean"], one["ci_low"], one["ci_high"]) == pytest.approx(stats.mean_ci(x))


def test_one_binning_rule():
    many = pd.Series(np.linspace(0, 1, 100))
    level, keys, xs, binned = stats.factor_levels(many)
    assert binned and len(keys) == stats.FACTOR_BINS and level.nunique() == stats.FACTOR_BINS
    assert xs == sorted(xs) and all(k.left < x <= k.right for k, x in zip(keys, xs, strict=True))
    few = pd.Series([0.5, 1.5, 0.5] * (stats.MAX_FACTOR_LEVELS))
    level, keys, xs, binned = stats.factor_levels(few)
    assert not binned and keys == [0.5, 1.5] and xs == [0.5, 1.5]
    edge = pd.Series(np.arange(stats.MAX_FACTOR_LEVELS, dtype=float))  # exactly the limit
    assert not stats.factor_levels(edge)[3]
    words = pd.Series(["hawk", "dove", "hawk"])
    _, keys, xs, binned = stats.factor_levels(words)
    assert not binned and keys == ["dove", "hawk"] and xs == [0.0, 1.0]
    assert not stats.factor_levels(pd.Series([True, False] * 20))[3]


def test_paths_by_factor_matches_the_path_table_per_level():
    rng = np.random.default_rng(3)
    runs = synthetic_runs(rng, pd.DataFrame({"w": rng.random(40)}), np.tile(TRUE_P, (40, 1)), 5)
    table = stats.paths_by_factor(runs, "w")
    assert table["binned"].all() and table["level"].nunique() == stats.FACTOR_BINS
    assert table.groupby("level", sort=False)["count"].sum().sum() == len(runs)
    first = table[table["level"] == table["level"].iloc[0]]
    assert list(first["path"]) == list(PATHS) and first["p"].sum() == pytest.approx(1.0)
