"""Calibration: fit declared payoff weights to the December 2019 - January 2020 history.

This module owns the calibration set (``configs/calibration.yaml``: parameter paths and ranges,
the history config, the L2 penalty), its validation (unknown parameter, a range outside the
parameter's allowed range or excluding its baseline value: one-line errors naming the key), the
penalised maximum-likelihood fit (:func:`scipy.optimize.minimize`, L-BFGS-B within the ranges),
profile-likelihood intervals for each fitted value, and the outputs: ``configs/calibrated.yaml``
(extends the baseline with the fitted values) and the Markdown report ``docs/calibration.md``.

The likelihood is :func:`sim.analysis.history.log_likelihood` of the replayed history. Because the
replay forces every choice, the replayed world does not depend on payoff weights; the fit
therefore replays once and rescores (:func:`sim.analysis.history.rescore`), after checking on the fitted
values that a full replay gives the same likelihood.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy import optimize

from sim.analysis.history import ReplayResult, log_likelihood, replay, rescore
from sim.config import (
    CONFIG_DIR,
    Config,
    ConfigError,
    describe_validation_error,
    get_path,
    load_config,
    nest,
    parameter_space,
    read_yaml,
    with_overrides,
)

Arr = npt.NDArray[np.float64]
DEFAULT_SET = CONFIG_DIR / "calibration.yaml"
#: Half-width of a 95% profile-likelihood interval on the log scale (chi-square 1 df / 2).
PROFILE_DROP = 1.920729410347062


class _Param(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str = Field(min_length=1)
    min: float
    max: float


class CalibrationSet(BaseModel):
    """A calibration set as declared in YAML."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    history: str = "history_dec2019.yaml"
    baseline: str = "baseline.yaml"
    replicates: int = Field(default=4, ge=1, le=1000)
    master_seed: int = Field(default=20191227, ge=0)
    penalty: float = Field(default=1.0, ge=0.0, le=1000.0)
    parameters: list[_Param] = Field(min_length=1)


@dataclass
class Calibration:
    """A loaded, checked calibration set."""

    spec: CalibrationSet
    source: Path
    history_cfg: Config
    baseline_cfg: Config
    paths: list[str]
    lo: Arr
    hi: Arr
    x0: Arr  # baseline values

    @property
    def scale(self) -> Arr:
        """Penalty scale of each parameter: half its declared range."""
        return (self.hi - self.lo) / 2.0


def load_calibration(path: str | Path = DEFAULT_SET) -> Calibration:
    """Read and check a calibration set; bad input raises a one-line :class:`ConfigError`."""
    p = Path(path)
    raw = read_yaml(p, "calibration file")
    try:
        spec = CalibrationSet.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, str(p))) from None
    history_cfg = load_config(p.parent / spec.history)
    baseline_cfg = load_config(p.parent / spec.baseline)
    space = parameter_space(baseline_cfg)
    paths, lo, hi, x0 = [], [], [], []
    for i, par in enumerate(spec.parameters):
        key = f"{p}: parameters.{i}"
        if par.path not in space:
            raise ConfigError(f"{key}.path: unknown parameter '{par.path}'")
        a_lo, a_hi, kind = space[par.path]
        if kind != "float":
            raise ConfigError(f"{key}.path: '{par.path}' is an integer; only real weights "
                              "can be fitted")
        if par.path in paths:
            raise ConfigError(f"{key}.path: '{par.path}' is listed twice")
        if not par.min < par.max:
            raise ConfigError(f"{key}: min {par.min} must be below max {par.max} ({par.path})")
        if par.min < a_lo or par.max > a_hi:
            raise ConfigError(f"{key}: range [{par.min}, {par.max}] of '{par.path}' leaves its "
                              f"allowed range [{a_lo:g}, {a_hi:g}]")
        base = float(get_path(baseline_cfg, par.path))
        if not par.min <= base <= par.max:
            raise ConfigError(f"{key}: range [{par.min}, {par.max}] of '{par.path}' excludes its "
                              f"baseline value {base:g}")
        paths.append(par.path)
        lo.append(par.min)
        hi.append(par.max)
        x0.append(base)
    return Calibration(spec, p, history_cfg, baseline_cfg, paths, np.array(lo), np.array(hi),
                       np.array(x0))


@dataclass
class Objective:
    """Penalised negative log-likelihood of the history as a function of the fitted weights."""

    cal: Calibration
    base: ReplayResult
    memo: dict[bytes, Any] = field(default_factory=dict)
    evaluations: int = 0

    def config(self, x: Arr) -> Config:
        """Build the history config with the weights ``x``."""
        return with_overrides(self.cal.history_cfg, dict(zip(self.cal.paths, map(float, x),
                                                             strict=True)))

    def loglik(self, x: Arr) -> float:
        """Log-likelihood of the history at ``x``."""
        self.evaluations += 1
        return log_likelihood(rescore(self.base, self.config(x), self.memo))

    def penalty(self, x: Arr) -> float:
        """L2 penalty toward the baseline values."""
        z = (np.asarray(x) - self.cal.x0) / self.cal.scale
        return float(self.cal.spec.penalty * np.sum(z * z))

    def __call__(self, x: Arr) -> float:
        """Penalised negative log-likelihood."""
        return -self.loglik(x) + self.penalty(x)


@dataclass
class FitResult:
    """Fitted values, likelihoods, per-step probabilities and profile intervals."""

    cal: Calibration
    x: Arr
    loglik_before: float
    loglik_after: float
    penalty_after: float
    before: ReplayResult
    after: ReplayResult
    intervals: list[tuple[float, float]]
    profiles: list[tuple[Arr, Arr]]
    converged: bool
    message: str
    evaluations: int

    def values(self) -> dict[str, float]:
        """Fitted values by parameter path."""
        return {p: float(v) for p, v in zip(self.cal.paths, self.x, strict=True)}


def _minimize(obj: Objective, start: Arr, lo: Arr, hi: Arr,
              maxiter: int) -> optimize.OptimizeResult:
    return optimize.minimize(obj, start, method="L-BFGS-B",
                             bounds=list(zip(lo, hi, strict=True)),
                             options={"maxiter": maxiter})


def profile(obj: Objective, x_hat: Arr, f_hat: float, i: int, points: int = 7,
            maxiter: int = 15) -> tuple[Arr, Arr, tuple[float, float]]:
    """Profile likelihood of parameter ``i`` and its 95% interval.

    The best penalised log-likelihood with parameter ``i`` fixed at each grid value (the others
    re-fitted), and the interval where it stays within :data:`PROFILE_DROP` of the optimum
    (linear interpolation; a range end if never crossed).
    """
    cal = obj.cal
    grid = np.unique(np.concatenate([np.linspace(cal.lo[i], cal.hi[i], points), [x_hat[i]]]))
    values = np.empty(len(grid))
    others = [j for j in range(len(x_hat)) if j != i]
    for k, g in enumerate(grid):
        if g == x_hat[i]:
            values[k] = -f_hat
            continue

        def sub(y: Arr, g: float = g) -> float:
            x = x_hat.copy()
            x[others] = y
            x[i] = g
            return obj(x)

        if others:
            res = optimize.minimize(sub, x_hat[others], method="L-BFGS-B",
                                    bounds=[(cal.lo[j], cal.hi[j]) for j in others],
                                    options={"maxiter": maxiter})
            values[k] = -float(res.fun)
        else:
            values[k] = -sub(np.array([]))
    cut = -f_hat - PROFILE_DROP
    j = int(np.argmin(np.abs(grid - x_hat[i])))

    def cross(step: int) -> float:
        k = j
        while 0 <= k + step < len(grid):
            if values[k + step] < cut:
                a, b = values[k], values[k + step]
                t = (a - cut) / (a - b) if a != b else 0.0
                return float(grid[k] + t * (grid[k + step] - grid[k]))
            k += step
        return float(grid[k])

    return grid, values, (cross(-1), cross(1))


def fit(cal: Calibration, *, maxiter: int = 200, profile_points: int = 7) -> FitResult:
    """Fit the calibration set; profile each fitted value."""
    cfg = cal.history_cfg
    before = replay(cfg, cal.spec.replicates, cal.spec.master_seed)
    obj = Objective(cal, before)
    ll0 = obj.loglik(cal.x0)
    res = _minimize(obj, cal.x0.copy(), cal.lo, cal.hi, maxiter)
    x_hat = np.clip(np.asarray(res.x, dtype=np.float64), cal.lo, cal.hi)
    f_hat = obj(x_hat)
    after = replay(obj.config(x_hat), cal.spec.replicates, cal.spec.master_seed)
    ll_full = log_likelihood(after)
    ll_fast = obj.loglik(x_hat)
    if not math.isclose(ll_full, ll_fast, rel_tol=1e-9, abs_tol=1e-9):
        raise ConfigError(f"{cal.source}: a fitted parameter changes the replayed path "
                          f"(full replay {ll_full:.6f} vs rescored {ll_fast:.6f}); "
                          "calibrate payoff weights and option costs only")
    intervals, profiles = [], []
    for i in range(len(x_hat)):
        grid, vals, ci = profile(obj, x_hat, f_hat, i, points=profile_points)
        intervals.append(ci)
        profiles.append((grid, vals))
    return FitResult(cal, x_hat, ll0, ll_full, obj.penalty(x_hat), before, after, intervals,
                     profiles, bool(res.success), str(res.message), obj.evaluations)


def calibrated_config_text(fr: FitResult, baseline_rel: str = "baseline.yaml") -> str:
    """YAML of ``configs/calibrated.yaml``: the baseline with the fitted values."""
    tree = nest({path: round(value, 4) for path, value in fr.values().items()})
    head = ("# Calibrated weights: the baseline with payoff weights fitted to the Dec 2019 -\n"
            "# Jan 2020 history by `escalation calibrate` (configs/calibration.yaml).\n"
            "# See docs/calibration.md for the fit and whether the baseline should adopt it.\n")
    body = yaml.safe_dump({"extends": baseline_rel, "meta": {"name": "calibrated"}, **tree},
                          sort_keys=False)
    return head + body


def write_calibrated(fr: FitResult, path: str | Path) -> Path:
    """Write the calibrated config (extends the baseline) and check that it loads."""
    from sim.ioutil import atomic_write

    p = Path(path)
    rel = Path(fr.cal.source.parent / fr.cal.spec.baseline).resolve()
    try:
        base_rel = str(rel.relative_to(p.resolve().parent))
    except ValueError:
        base_rel = str(rel)
    text = calibrated_config_text(fr, base_rel)
    atomic_write(p, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    load_config(p)
    return p
