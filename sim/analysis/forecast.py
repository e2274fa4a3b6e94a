"""The forecast for 1 July 2020 - 3 January 2021, a naive forecast beside it, and the scoring rules.

Nothing here uses or knows anything dated after 30 June 2020: the model's forecast is its posterior
predictive run on past the calibration window, the naive forecast is fitted to the record's
January-June counts alone, and observed values for the second half of 2020 are *supplied by the
reader* in a file (:func:`read_observed`); the repository holds none.

Quantities are keyed the same way on both sides:

- ``monthly.<q>.<YYYY-MM>`` for July - December 2020, ``q`` in :data:`MONTHLY` (militia attacks
  and attacks by tactic: the record's ``range``, ``rockets_mortars``, ``convoy_IEDs``, ``drones``);
- ``h2.<q>``: a count over 1 July 2020 - 3 January 2021, ``q`` in :data:`TOTALS`;
- ``final.<q>``: the state on 3 January 2021, ``q`` in :data:`FINAL`.

A forecast is a mapping key -> samples (one value per draw). The naive forecast: each monthly
attack count is negative binomial with the mean and dispersion fitted by maximum likelihood to
the six monthly counts, each count entering as the record's range (interval-censored:
P(low <= Y <= high)), months independent and identically distributed; every other count persists
at its January-June rate (Poisson with the first half's count scaled to the second half's length);
every state persists at its 30 June value. Scoring rules: the CRPS (sample form,
E|X - y| - E|X - X'| / 2, equal to the sum over k of (F(k) - 1{y <= k})^2 for counts), the log score
(-log of the forecast's probability of y, the empirical pmf with add-one-half smoothing over the
values seen) and central-interval coverage; a range observed is scored as the mean over its
integers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, stats

from sim.analysis.record import Facts, _range
from sim.config import ConfigError, read_yaml

Arr = npt.NDArray[np.float64]
#: Forecast months (July - December 2020).
MONTHS: tuple[str, ...] = ("2020-07", "2020-08", "2020-09", "2020-10", "2020-11", "2020-12")
#: First and last day of the forecast window.
START, END = dt.date(2020, 7, 1), dt.date(2021, 1, 3)
#: Monthly quantities: name -> (the record's monthly field, the model's monthly observables summed).
MONTHLY: dict[str, tuple[str, tuple[str, ...]]] = {
    "attacks": ("range", ("attacks",)),
    "attacks_rocket": ("rockets_mortars", ("attacks_rocket_base", "attacks_rocket_green_zone")),
    "attacks_convoy_ied": ("convoy_IEDs", ("attacks_convoy_ied",)),
    "attacks_drone": ("drones", ("attacks_drone",)),
}
#: Counts over the window: name -> (the fact giving its January-June value, the model's monthly observables).
TOTALS: dict[str, tuple[str, tuple[str, ...]]] = {
    "us_killed": ("us_killed_h1", ("us_killed",)),
    "coalition_killed": ("coalition_killed_h1", ("coalition_killed",)),
    "us_strikes_iraq": ("us_strikes_h1", ("us_strikes_iraq",)),
    "us_strikes_iran": ("us_strikes_iran_h1", ("us_strikes_iran",)),
    "iran_direct_strikes": ("iran_direct_h1", ("calibrated_strikes",)),
    "us_sanctions_iraq": ("iraq_sanctions_h1", ("us_sanctions_iraq",)),
}
#: States on 3 January 2021: name -> (the fact giving its 30 June value or None for "no", the model's metric).
FINAL: dict[str, tuple[str | None, str]] = {
    "us_troops": ("troops_2020_06_30", "us_troops_final"),
    "legal_status": ("legal_2020_06_30", "legal_status_final"),
    "truce": (None, "truce_declared"),
    "all_out_war": ("war_h1", "all_out_war"),
}


# ------------------------------------------------------------------------------------------
# the naive forecast


def fit_negbin_interval(lows: Sequence[float], highs: Sequence[float]) -> tuple[float, float]:
    """Maximum-likelihood mean and dispersion (var = mu + alpha mu^2) of a negative binomial from
    interval-censored counts: each observation is only known to lie in ``[low, high]``.
    """
    lo = np.asarray(lows, dtype=np.float64)
    hi = np.asarray(highs, dtype=np.float64)
    if len(lo) == 0 or np.any(hi < lo) or np.any(lo < 0):
        raise ValueError("needs at least one [low, high] with 0 <= low <= high")

    def nll(z: Arr) -> float:
        mu, alpha = math.exp(z[0]), math.exp(z[1])
        n = 1.0 / alpha
        p = n / (n + mu)
        prob = stats.nbinom.cdf(hi, n, p) - stats.nbinom.cdf(lo - 1, n, p)
        return float(-np.sum(np.log(np.maximum(prob, 1e-300))))

    m0 = max(float(np.mean((lo + hi) / 2)), 0.05)
    best = None
    for a0 in (0.01, 0.3, 1.0):
        r = optimize.minimize(nll, np.array([math.log(m0), math.log(a0)]), method="Nelder-Mead",
                              options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 4000})
        if best is None or r.fun < best.fun:
            best = r
    assert best is not None
    mu, alpha = math.exp(best.x[0]), math.exp(best.x[1])
    return mu, min(max(alpha, 1e-6), 1e3)


def negbin_samples(mu: float, alpha: float, n: int, rng: np.random.Generator) -> Arr:
    """``n`` draws of a negative binomial with mean ``mu`` and dispersion ``alpha``."""
    size = 1.0 / alpha
    return np.asarray(rng.negative_binomial(size, size / (size + mu), size=n), dtype=np.float64)


def naive_forecast(facts: Facts, draws: int = 4000, seed: int = 2020) -> tuple[dict[str, Arr], pd.DataFrame]:
    """The naive forecast from the January-June record alone; returns samples by key and the fits."""
    rng = np.random.default_rng(seed)
    months = facts.record.monthly.get("months") or {}
    h1 = [m for m in months if "2020-01" <= m <= "2020-06"]
    if len(h1) != 6:
        raise ConfigError(f"{facts.record.path}: monthly.months: needs 2020-01 .. 2020-06 for the naive forecast")
    out: dict[str, Arr] = {}
    fits = []
    for name, (field, _obs) in MONTHLY.items():
        ranges = [_range(months[m].get(field, "x"), f"{facts.record.path}: monthly.months.{m}.{field}") for m in h1]
        mu, alpha = fit_negbin_interval([r[0] for r in ranges], [r[1] for r in ranges])
        fits.append({"quantity": name, "model": "negative binomial (interval-censored MLE)", "mean": mu,
                     "alpha": alpha, "h1_low": sum(r[0] for r in ranges), "h1_high": sum(r[1] for r in ranges)})
        for m in MONTHS:
            out[f"monthly.{name}.{m}"] = negbin_samples(mu, alpha, draws, rng)
    by_id = {f.id: f for f in facts.facts}
    ratio = ((END - START).days + 1) / float(facts.days)
    for name, (fid, _obs) in TOTALS.items():
        f = by_id[fid]
        rate = 0.5 * (f.low + f.high) * ratio
        fits.append({"quantity": name, "model": "persistence of the Jan-Jun rate (Poisson)", "mean": rate,
                     "alpha": 0.0, "h1_low": f.low, "h1_high": f.high})
        out[f"h2.{name}"] = np.asarray(rng.poisson(rate, size=draws), dtype=np.float64)
    for name, (fid2, _metric) in FINAL.items():
        value = 0.0 if fid2 is None else 0.5 * (by_id[fid2].low + by_id[fid2].high)
        fits.append({"quantity": name, "model": "persistence of the 30 June state", "mean": value, "alpha": 0.0,
                     "h1_low": value, "h1_high": value})
        out[f"final.{name}"] = np.full(draws, value)
    return out, pd.DataFrame(fits)


# ------------------------------------------------------------------------------------------
# the model's forecast


def model_forecast(monthly: Mapping[str, Any], labels: Sequence[str], metrics: Mapping[str, Any]) -> dict[str, Arr]:
    """The model's samples by key from a run to 3 January 2021: ``monthly`` maps an observable to
    an array (months, runs) with month ``labels``; ``metrics`` the end-of-run metrics.
    """
    labels = list(labels)
    out: dict[str, Arr] = {}
    for name, (_field, obs) in MONTHLY.items():
        for m in MONTHS:
            j = labels.index(m)
            out[f"monthly.{name}.{m}"] = np.sum([np.asarray(monthly[o][j], dtype=np.float64) for o in obs], axis=0)
    later = [j for j, m in enumerate(labels) if m >= MONTHS[0]]
    for name, (_fid, obs) in TOTALS.items():
        out[f"h2.{name}"] = np.sum([np.asarray(monthly[o][j], dtype=np.float64) for o in obs for j in later], axis=0)
    for name, (_fact, metric) in FINAL.items():
        out[f"final.{name}"] = np.asarray(metrics[metric], dtype=np.float64)
    return out


def posterior_forecast(cfg: Any, names: Sequence[str], theta: npt.ArrayLike, master_seed: int) -> dict[str, Arr]:
    """The posterior predictive forecast: one run per parameter row (``theta``, drawn from the
    posterior) from the config's start to 3 January 2021, seeds ``seed_for(master_seed, 0, i)``.
    """
    from sim.analysis.calibration.engine import rows_to_configs
    from sim.core.draws import seed_for
    from sim.engines.batch import simulate_configs

    rows = np.atleast_2d(np.asarray(theta, dtype=np.float64))
    days = (END - cfg.meta.start_date).days + 1
    seeds = [seed_for(master_seed, 0, i) for i in range(len(rows))]
    res = simulate_configs(rows_to_configs(cfg, names, rows), [1] * len(rows), seeds, days)
    return model_forecast(res.monthly.table(), res.monthly.labels, res.metrics)


def side_by_side(model: Mapping[str, npt.ArrayLike], naive: Mapping[str, npt.ArrayLike]) -> pd.DataFrame:
    """Median and 90% interval of both forecasts, key by key."""
    a, b = summary(model).set_index("key"), summary(naive).set_index("key")
    out = pd.DataFrame({"model_median": a["median"], "model_q05": a["q05"], "model_q95": a["q95"],
                        "model_mean": a["mean"], "naive_median": b["median"], "naive_q05": b["q05"],
                        "naive_q95": b["q95"], "naive_mean": b["mean"]})
    return out.reindex(keys()).reset_index().rename(columns={"index": "key"})


# ------------------------------------------------------------------------------------------
# scoring rules


def crps_samples(x: npt.ArrayLike, y: float) -> float:
    """CRPS of a sample forecast at ``y``: E|X - y| - E|X - X'| / 2 (exact for the empirical law)."""
    v = np.sort(np.asarray(x, dtype=np.float64))
    n = len(v)
    term1 = float(np.mean(np.abs(v - y)))
    # E|X - X'| over all ordered pairs of the sample, from the sorted values
    i = np.arange(1, n + 1)
    term2 = float(2.0 * np.sum((2 * i - n - 1) * v) / (n * n))
    return term1 - 0.5 * term2


def crps_pmf(pmf: npt.ArrayLike, y: int) -> float:
    """CRPS of a count forecast given as probabilities of 0, 1, ..., K: sum_k (F(k) - 1{y <= k})^2
    (the tail beyond K, where F = 1, adds (1 - 1)^2 = 0 once K >= y).
    """
    p = np.asarray(pmf, dtype=np.float64)
    K = max(len(p) - 1, int(y))
    F = np.cumsum(np.concatenate([p, np.zeros(K + 1 - len(p))]))
    k = np.arange(K + 1)
    return float(np.sum((F - (k >= y)) ** 2))


def log_score_samples(x: npt.ArrayLike, y: float) -> float:
    """Log score (-log p(y)) of a count forecast given as samples: the empirical pmf with add-one-half
    smoothing over the values seen and y (so an outcome never seen costs log(2n + m) rather than inf).
    """
    v = np.asarray(x, dtype=np.float64)
    support = np.union1d(np.unique(v), [y])
    count = float(np.sum(v == y))
    return -math.log((count + 0.5) / (len(v) + 0.5 * len(support)))


def interval(x: npt.ArrayLike, level: float = 0.9) -> tuple[float, float]:
    """The central ``level`` interval of a sample forecast (quantiles, lower/higher for counts)."""
    v = np.asarray(x, dtype=np.float64)
    a = (1.0 - level) / 2.0
    return float(np.quantile(v, a, method="lower")), float(np.quantile(v, 1.0 - a, method="higher"))


def covered(x: npt.ArrayLike, y: float, level: float = 0.9) -> bool:
    """Whether ``y`` lies in the forecast's central ``level`` interval."""
    lo, hi = interval(x, level)
    return lo <= y <= hi


def score(forecast: Mapping[str, npt.ArrayLike], observed: Mapping[str, tuple[float, float]],
          level: float = 0.9) -> pd.DataFrame:
    """Score a forecast on the observed values (key -> [low, high]; a range scores as the mean
    over its integers): one row per key with CRPS, log score and whether the central ``level``
    interval covers the value (a range: its midpoint).
    """
    rows = []
    for key, (lo, hi) in observed.items():
        if key not in forecast:
            continue
        x = forecast[key]
        ys = np.arange(math.ceil(lo), math.floor(hi) + 1) if hi > lo else np.array([lo])
        rows.append({"key": key, "observed_low": lo, "observed_high": hi,
                     "crps": float(np.mean([crps_samples(x, float(y)) for y in ys])),
                     "log_score": float(np.mean([log_score_samples(x, float(y)) for y in ys])),
                     "covered": covered(x, 0.5 * (lo + hi), level),
                     "median": float(np.median(np.asarray(x, dtype=np.float64)))})
    return pd.DataFrame(rows)


def keys() -> list[str]:
    """Every key a forecast has (and an observed-values file may give)."""
    return ([f"monthly.{q}.{m}" for q in MONTHLY for m in MONTHS] + [f"h2.{q}" for q in TOTALS]
            + [f"final.{q}" for q in FINAL])


def read_observed(path: str | Path) -> dict[str, tuple[float, float]]:
    """Read observed values: YAML ``observed: {key: value or [low, high], ...}`` (keys from :func:`keys`;
    ``null`` for not yet known). Unknown keys and values that are not counts are one-line errors.
    """
    p = Path(path)
    data = read_yaml(p, "observed values file")
    obs = data.get("observed")
    if not isinstance(obs, dict):
        raise ConfigError(f"{p}: observed: must be a mapping of quantity key -> value or [low, high]")
    allowed = set(keys())
    out: dict[str, tuple[float, float]] = {}
    for k, v in obs.items():
        if k not in allowed:
            raise ConfigError(f"{p}: observed.{k}: unknown quantity; allowed: monthly.<q>.<YYYY-MM> for "
                              f"{', '.join(MONTHLY)} in {MONTHS[0]}..{MONTHS[-1]}, h2.<{'|'.join(TOTALS)}>, "
                              f"final.<{'|'.join(FINAL)}>")
        if v is None:
            continue
        if isinstance(v, bool) or not (isinstance(v, (int, float)) or
                                       (isinstance(v, list) and len(v) == 2 and
                                        all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v))):
            raise ConfigError(f"{p}: observed.{k}: {v!r} is not a number or [low, high]")
        lo, hi = (float(v), float(v)) if not isinstance(v, list) else (float(v[0]), float(v[1]))
        if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
            raise ConfigError(f"{p}: observed.{k}: needs finite low <= high")
        out[str(k)] = (lo, hi)
    return out


def summary(forecast: Mapping[str, npt.ArrayLike]) -> pd.DataFrame:
    """Median, mean and 90% interval per key."""
    rows = []
    for k, x in forecast.items():
        v = np.asarray(x, dtype=np.float64)
        lo, hi = interval(v, 0.9)
        rows.append({"key": k, "mean": float(np.mean(v)), "median": float(np.median(v)), "q05": lo, "q95": hi})
    return pd.DataFrame(rows)


__all__ = ["END", "FINAL", "MONTHLY", "MONTHS", "START", "TOTALS", "covered", "crps_pmf", "crps_samples",
           "fit_negbin_interval", "interval", "keys", "log_score_samples", "model_forecast", "naive_forecast",
           "negbin_samples", "posterior_forecast", "read_observed", "score", "side_by_side", "summary"]
