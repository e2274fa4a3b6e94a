"""The naive forecast and the scoring rules, on constructed data (no observed value after June 2020)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.analysis import forecast as fc
from sim.config import ConfigError


def test_crps_sample_form_equals_count_form() -> None:
    # X in {0, 1} with p = 1/2, y = 0: sum_k (F(k) - 1{0 <= k})^2 = (0.5 - 1)^2 = 0.25
    assert fc.crps_samples([0, 1], 0.0) == pytest.approx(0.25)
    assert fc.crps_pmf([0.5, 0.5], 0) == pytest.approx(0.25)
    # a point forecast: the CRPS is the absolute error
    assert fc.crps_samples([3, 3, 3], 5.0) == pytest.approx(2.0)
    # many samples of a negative binomial against its exact pmf
    rng = np.random.default_rng(1)
    x = fc.negbin_samples(4.0, 0.5, 200_000, rng)
    n = 1 / 0.5
    pmf = stats.nbinom.pmf(np.arange(200), n, n / (n + 4.0))
    for y in (0, 4, 11):
        assert fc.crps_samples(x, float(y)) == pytest.approx(fc.crps_pmf(pmf, y), rel=0.02)


def test_crps_prefers_the_true_distribution() -> None:
    rng = np.random.default_rng(2)
    ys = rng.poisson(5.0, size=300)
    true = rng.poisson(5.0, size=4000)
    wrong = rng.poisson(9.0, size=4000)
    assert np.mean([fc.crps_samples(true, y) for y in ys]) < np.mean([fc.crps_samples(wrong, y) for y in ys])
    assert np.mean([fc.log_score_samples(true, y) for y in ys]) < np.mean([fc.log_score_samples(wrong, y) for y in ys])


def test_interval_coverage_is_nominal_for_a_calibrated_forecast() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=20_000)
    ys = rng.normal(size=2000)
    share = np.mean([fc.covered(x, y, 0.9) for y in ys])
    assert 0.87 < share < 0.93
    narrow = rng.normal(scale=0.5, size=20_000)
    assert np.mean([fc.covered(narrow, y, 0.9) for y in ys]) < 0.7


def test_log_score_never_infinite() -> None:
    assert np.isfinite(fc.log_score_samples([0, 0, 0], 7.0))
    assert fc.log_score_samples([0, 0, 1, 1], 1.0) < fc.log_score_samples([0, 0, 1, 1], 7.0)


def test_interval_censored_negbin_recovers_known_parameters() -> None:
    rng = np.random.default_rng(4)
    y = fc.negbin_samples(6.0, 0.4, 3000, rng)
    mu, alpha = fc.fit_negbin_interval(y, y)  # exact counts
    assert mu == pytest.approx(6.0, rel=0.06)
    assert alpha == pytest.approx(0.4, rel=0.15)
    # counts known only to +-1: the same answer within the noise
    mu2, alpha2 = fc.fit_negbin_interval(np.maximum(y - 1, 0), y + 1)
    assert mu2 == pytest.approx(6.0, rel=0.08)
    assert alpha2 == pytest.approx(0.4, rel=0.3)
    # Poisson data: dispersion near zero
    _, a = fc.fit_negbin_interval(rng.poisson(3.0, 3000), rng.poisson(3.0, 3000) * 0 + 100)
    assert a >= 0


def test_naive_forecast_from_the_record() -> None:
    from sim.analysis.record import load_facts

    facts = load_facts()
    samples, fits = fc.naive_forecast(facts, draws=2000, seed=1)
    assert set(samples) == set(fc.keys())
    attacks = fits.set_index("quantity").loc["attacks"]
    # six months with 27-31 reported attacks: a mean near 4.8 a month
    assert 4.0 < attacks["mean"] < 5.6
    assert np.all(samples["final.all_out_war"] == 0)
    assert np.all(samples["final.us_troops"] == 5200)


def test_score_and_observed_file(tmp_path) -> None:
    obs = tmp_path / "observed.yaml"
    obs.write_text("observed:\n  monthly.attacks.2020-07: [3, 5]\n  h2.us_killed: 2\n  final.truce: null\n")
    got = fc.read_observed(obs)
    assert got == {"monthly.attacks.2020-07": (3.0, 5.0), "h2.us_killed": (2.0, 2.0)}
    rng = np.random.default_rng(5)
    forecast = {"monthly.attacks.2020-07": rng.poisson(4.0, 1000).astype(float),
                "h2.us_killed": rng.poisson(2.0, 1000).astype(float)}
    table = fc.score(forecast, got)
    assert list(table["key"]) == ["monthly.attacks.2020-07", "h2.us_killed"]
    assert table["covered"].all()
    assert (table["crps"] > 0).all()


@pytest.mark.parametrize("text,key", [
    ("observed:\n  monthly.attacks.2021-05: 3\n", "observed.monthly.attacks.2021-05"),
    ("observed:\n  h2.us_killed: many\n", "observed.h2.us_killed"),
    ("observed:\n  h2.us_killed: [4, 2]\n", "observed.h2.us_killed"),
    ("observed: 3\n", "observed"),
])
def test_bad_observed_file(tmp_path, text: str, key: str) -> None:
    p = tmp_path / "observed.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as err:
        fc.read_observed(p)
    msg = str(err.value)
    assert str(p) in msg and key in msg and "\n" not in msg


def test_posterior_forecast_has_every_key_and_consistent_totals() -> None:
    from sim.config import load_config

    cfg = load_config()
    theta = np.array([[0.07], [0.12], [0.05]])
    got = fc.posterior_forecast(cfg, ["actors.militias.0.base_rate"], theta, master_seed=3)
    assert set(got) == set(fc.keys())
    assert all(len(v) == 3 for v in got.values())
    monthly = sum(got[f"monthly.attacks.{m}"] for m in fc.MONTHS)
    # the h2 window adds 1-3 January 2021 to July-December; attacks are not an h2 key, so check
    # deaths: never negative, and the monthly tactic counts never exceed all attacks
    assert np.all(got["h2.us_killed"] >= 0)
    for m in fc.MONTHS:
        parts = got[f"monthly.attacks_rocket.{m}"] + got[f"monthly.attacks_convoy_ied.{m}"] + got[
            f"monthly.attacks_drone.{m}"]
        assert np.all(parts <= got[f"monthly.attacks.{m}"])
    assert np.all(monthly >= 0)
    from sim.analysis.record import load_facts

    table = fc.side_by_side(got, fc.naive_forecast(load_facts(), draws=200, seed=1)[0])
    assert list(table["key"]) == fc.keys()
