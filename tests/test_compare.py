"""Paired comparisons on common random numbers (issue 13 item 1): the paired statistics against
published and scipy values, CRN really pairs, independent seeds are disjoint, sweep pairing
needs shared seeds, and the CLI end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sim.analysis import stats
from sim.analysis.compare import compare, compare_sweep, independent_seeds, paired_seeds, paired_table
from sim.errors import UserError

from .conftest import ROOT, run_cli
from .sweep_results import spec

# Newcombe (1998), Statistics in Medicine 17:2635-2650, Table III, method 10: cells
# (a, b, c, d) = (both, first only, second only, neither) -> interval of (b - c) / n.
TABLE_III_METHOD_10 = {
    (36, 12, 2, 0): (0.0569, 0.3404), (20, 12, 2, 16): (0.0562, 0.3292),
    (18, 12, 2, 18): (0.0562, 0.3290), (36, 14, 0, 0): (0.1528, 0.4167),
    (35, 14, 0, 1): (0.1461, 0.4175), (18, 14, 0, 18): (0.1441, 0.3963),
    (2, 97, 1, 0): (0.8721, 0.9854), (1, 97, 1, 1): (0.8736, 0.9850),
    (0, 29, 1, 0): (0.6666, 0.9882), (2, 98, 0, 0): (0.9178, 0.9945),
    (0, 30, 0, 0): (0.8395, 1.0), (54, 0, 0, 0): (-0.0664, 0.0664),
    (53, 0, 0, 1): (-0.0729, 0.0729), (30, 0, 0, 24): (-0.0358, 0.0358),
    (27, 0, 0, 27): (-0.0351, 0.0351),
}


@pytest.mark.parametrize("cells", sorted(TABLE_III_METHOD_10))
def test_newcombe_paired_reproduces_the_published_table(cells):
    a, b, c, d = cells
    # our function gives second - first; Newcombe's table gives first - second: swap b and c
    diff, lo, hi = stats.newcombe_paired(a, c, b, d)
    assert diff == pytest.approx((b - c) / (a + b + c + d))
    assert (lo, hi) == pytest.approx(TABLE_III_METHOD_10[cells], abs=1.5e-4)


def test_newcombe_paired_is_narrower_than_independent_when_pairs_agree():
    d, lo, hi = stats.newcombe_paired(20, 0, 5, 15)
    di, li, hi_i = stats.newcombe(25, 40, 20, 40)
    assert d == pytest.approx(di) and (hi - lo) < (hi_i - li) - 0.01


def test_paired_ci_coverage():
    """Over 2,000 simulated paired samples the 95% interval holds the true difference ~95%."""
    rng = np.random.default_rng(13)
    probs = np.array([0.30, 0.06, 0.10, 0.54])  # both, A only, B only, neither
    true = probs[2] - probs[1]
    hits = 0
    for _ in range(2000):
        n11, n10, n01, n00 = rng.multinomial(120, probs)
        _, lo, hi = stats.newcombe_paired(n11, n10, n01, n00)
        hits += lo <= true <= hi
    assert 0.93 <= hits / 2000 <= 0.975, hits / 2000


def test_mcnemar_mid_p_and_chi2():
    # mid-p by hand: 2 P(X <= 5) - P(X = 5), X ~ Bin(20, 1/2)
    p, test = stats.mcnemar(5, 15)
    assert test == "McNemar mid-p"
    assert p == pytest.approx(2 * sps.binom.cdf(5, 20, 0.5) - sps.binom.pmf(5, 20, 0.5))
    assert p < sps.binomtest(5, 20, 0.5).pvalue  # less conservative than the exact test
    assert stats.mcnemar(3, 3)[0] == 1.0
    p, test = stats.mcnemar(40, 20)
    assert test == "McNemar chi2" and p == pytest.approx(sps.chi2.sf(400 / 60, 1))
    assert stats.mcnemar(0, 0) == (1.0, "no discordant pairs")


def test_paired_and_welch_means_match_scipy():
    rng = np.random.default_rng(2)
    a = rng.normal(5, 2, 40)
    b = a + rng.normal(0.3, 0.5, 40)
    d, lo, hi, p = stats.paired_mean_diff(a, b)
    ref = sps.t.interval(0.95, 39, loc=(b - a).mean(), scale=sps.sem(b - a))
    assert (lo, hi) == pytest.approx(ref) and p == pytest.approx(sps.ttest_rel(b, a).pvalue)
    d, lo, hi, p = stats.welch_diff(a, b)
    assert p == pytest.approx(sps.ttest_ind(b, a, equal_var=False).pvalue)
    assert lo < d < hi
    assert stats.paired_mean_diff(a, a)[1:] == (0.0, 0.0, 1.0)


def test_variance_ratio_by_hand():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = a + np.array([0.0, 1.0, 0.0, 1.0])
    v_un, v_p, f = stats.variance_ratio(a, b)
    assert v_p == pytest.approx(np.var(b - a, ddof=1) / 4)
    assert v_un == pytest.approx((np.var(a, ddof=1) + np.var(b, ddof=1)) / 4)
    assert f == pytest.approx(v_un / v_p)
    assert stats.variance_ratio(a, a)[2] == np.inf
    assert np.isnan(stats.variance_ratio(np.ones(3), np.ones(3))[2])


def test_paired_table_rows_on_constructed_data():
    a = pd.DataFrame({"path": ["de_escalation"] * 6 + ["s3_middle_ground"] * 4,
                      "war": [False] * 10, "killed": np.arange(10)})
    b = a.assign(path=["de_escalation"] * 4 + ["s3_middle_ground"] * 6, killed=a["killed"] + 2)
    t = paired_table(a, b).set_index("outcome")
    row = t.loc["s3_middle_ground"]
    assert (row["a_only"], row["b_only"]) == (0, 2) and row["diff"] == pytest.approx(0.2)
    assert row["p_value"] == pytest.approx(stats.mcnemar(0, 2)[0])
    killed = t.loc["killed"]
    assert killed["diff"] == 2 and killed["ci_low"] == killed["ci_high"] == 2
    assert killed["vrf"] == np.inf
    assert set(t["kind"]) == {"path", "boolean", "metric"}


def test_seeds_are_disjoint():
    p, i = paired_seeds(5, 2000), independent_seeds(5, 2000)
    assert len(set(p)) == len(set(i)) == 2000 and not set(p) & set(i)


def test_same_config_same_seeds_gives_zero_difference_on_every_row():
    c = compare(runs=40, days=60)
    assert c.same_config
    assert (c.table["diff"].fillna(0) == 0).all()
    a = c.paired.filter(regex="^a_").rename(columns=lambda x: x[2:])
    b = c.paired.filter(regex="^b_").rename(columns=lambda x: x[2:])
    pd.testing.assert_frame_equal(a, b)
    assert not set(c.independent["seed"]) & set(c.paired["seed"])


@pytest.mark.slow
def test_a_small_change_gains_a_large_variance_reduction():
    """A 5% change of one US weight: pairing cuts the variance of the estimated difference of
    the main count metrics by a factor well above 1 (measured with independent runs of B)."""
    from sim.config.loader import load_config

    base = load_config(ROOT / "configs" / "baseline.yaml").actors.united_states.retaliation_weight
    c = compare(runs=400, days=180,
                set_b={"actors.united_states.retaliation_weight": 0.95 * base})
    t = c.table.set_index("outcome")
    for m in ("militia_attacks", "us_troops_final", "iraqi_killed"):
        assert t.loc[m, "vrf"] > 5, (m, t.loc[m, "vrf"])
    assert np.nanmedian(t["vrf"].replace(np.inf, np.nan)) > 5


def test_sweep_pairing_refused_without_shared_seeds(tmp_path):
    from sim import sweep

    s = spec("perdesign", replicates=3, days=10,
             factors={"actors.united_states.retaliation_weight": [0.9, 1.2]})
    out = sweep(s, tmp_path / "r", progress=False)
    with pytest.raises(UserError, match="seeds: shared"):
        compare_sweep(out, "actors.united_states.retaliation_weight")


def test_sweep_pairing_on_shared_seeds(tmp_path):
    from sim import load_results, sweep

    f = "actors.united_states.retaliation_weight"
    s = spec("shared", replicates=12, days=40, factors={f: [0.9, 0.95, 1.2]}, seeds="shared")
    out = sweep(s, tmp_path / "r", progress=False)
    runs = load_results(out)
    by = runs.pivot(index="replicate", columns="design_id", values="seed")
    assert (by.nunique(axis=1) == 1).all()  # every design point on the replicate's seed
    from sim.experiments.store import read_manifest

    assert read_manifest(out)["seeds"].startswith("sim.core.draws.seed_for(master_seed, replicate)")
    res = compare_sweep(out, f, "0.9", out=tmp_path / "cmp")
    assert set(res.table["level"]) == {"0.95", "1.2"}
    assert (res.table["n"] == 12).all()
    assert (tmp_path / "cmp" / "compare.md").is_file()
    with pytest.raises(UserError, match="--baseline-level"):
        compare_sweep(out, f, "7")
    with pytest.raises(UserError, match="--factor"):
        compare_sweep(out, "actors.iran.war_weight")


def test_cli_end_to_end(tmp_path):
    out = tmp_path / "cmp"
    res = run_cli("compare", "--set-b", "actors.united_states.retaliation_weight=1.0",
                  "--runs", "30", "--days", "30", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "variance reduction" in res.stdout and "B - A paired" in res.stdout
    paired = pd.read_parquet(out / "paired.parquet")
    assert len(paired) == 30 and {"seed", "a_path", "b_path", "a_us_killed"} <= set(paired.columns)
    table = pd.read_csv(out / "comparison.csv")
    assert {"diff", "ci_low", "ci_high", "diff_indep", "vrf"} <= set(table.columns)
    for name in ("compare.md", "differences.png", "variance_reduction.png", "paths.png",
                 "compare.json", "independent.parquet"):
        assert (out / name).is_file(), name


def test_public_api_and_shipped_paired_spec():
    import sim
    from sim.experiments.spec import load_experiment

    from .conftest import ROOT

    assert sim.compare is compare
    exp = load_experiment(ROOT / "configs" / "sweeps" / "paired_us_retaliation.yaml")
    assert exp.shared_seeds and exp.seed(0, 3) == exp.seed(2, 3) == paired_seeds(20200103, 4)[3]
