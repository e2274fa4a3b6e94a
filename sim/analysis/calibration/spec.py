"""The calibration spec (``configs/calibration.yaml``): what is fitted, to which facts, how.

This module owns reading and checking the spec: the config whose parameters are fitted (the
baseline), the facts file (``configs/history/facts_2020h1.yaml``), the fitted parameters with
their uniform priors (each range inside the parameter's allowed range and containing the
config's value), the facts used as summary statistics (all by default), the distance's options,
the SMC-ABC schedule and the posterior predictive's size. Every mistake is a one-line
:class:`~sim.errors.ConfigError` naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.analysis.record import Facts, load_facts
from sim.config import (
    CONFIG_DIR,
    Config,
    ConfigError,
    describe_validation_error,
    get_path,
    load_config,
    parameter_space,
    read_yaml,
)
from sim.errors import quote

DEFAULT_SPEC = CONFIG_DIR / "calibration.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterSpec(_Strict):
    """One fitted parameter: a uniform prior on ``[low, high]`` and why it is fitted."""

    prior: tuple[float, float]
    why: str = ""

    @field_validator("prior")
    @classmethod
    def _ordered(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not v[0] < v[1]:
            raise ValueError(f"prior [low, high] needs low < high; got {list(v)}")
        return v


class DistanceSpec(_Strict):
    """Options of the range distance (see :mod:`sim.analysis.calibration.engine`)."""

    pilot: int = Field(default=1000, ge=20, le=1_000_000)
    nan_penalty: float = Field(default=2.0, ge=0)


class SMCSpec(_Strict):
    """The SMC-ABC schedule: accepted samples per population, the batch size (rows per call of
    the batched simulator) and the quantiles (the first is the prior round's acceptance share,
    each next one the quantile of the previous population's distances that becomes its threshold).
    """

    samples: int = Field(default=500, ge=10, le=1_000_000)
    batch_size: int = Field(default=1000, ge=10, le=1_000_000)
    quantiles: list[float] = Field(default_factory=lambda: [0.1, 0.5, 0.5], min_length=1, max_length=20)

    @field_validator("quantiles")
    @classmethod
    def _q(cls, v: list[float]) -> list[float]:
        if any(not 0 < q <= 1 for q in v):
            raise ValueError("each quantile must be in (0, 1]")
        return v


class CalibrationFile(_Strict):
    """The calibration spec file."""

    config: str = "baseline.yaml"
    facts: str = "history/facts_2020h1.yaml"
    master_seed: int = Field(default=20200630, ge=0, le=2**63 - 1)
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    statistics: list[str] | None = None  # fact ids; None = every fact
    fixed: dict[str, str] = Field(default_factory=dict)  # documentation: parameter -> why fixed
    distance: DistanceSpec = Field(default_factory=DistanceSpec)
    smc: SMCSpec = Field(default_factory=SMCSpec)
    predictive_draws: int = Field(default=1000, ge=10, le=1_000_000)


@dataclass(frozen=True)
class CalibrationSpec:
    """A checked spec: the base config, the facts used, the parameters and their priors."""

    path: Path
    file: CalibrationFile
    config: Config
    facts: Facts
    names: tuple[str, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]

    @property
    def baseline_values(self) -> dict[str, float]:
        """The base config's value of each fitted parameter."""
        return {n: float(get_path(self.config.model_dump(mode="python"), n)) for n in self.names}

    def fingerprint(self) -> str:
        """A hash of everything that decides the posterior: the spec, the config and the facts."""
        blob = {
            "spec": self.file.model_dump(mode="json"),
            "config": self.config.hash(),
            "facts": [(f.id, f.statistic, f.low, f.high) for f in self.facts.facts],
        }
        return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _resolve(base: Path, name: str) -> Path:
    p = Path(name)
    return p if p.is_absolute() else base / p


def load_spec(path: str | Path = DEFAULT_SPEC, overrides: dict[str, Any] | None = None) -> CalibrationSpec:
    """Read and check a calibration spec (``overrides``: top-level keys replaced, for tests)."""
    p = Path(path)
    raw = read_yaml(p, "calibration spec")
    if overrides:
        raw = {**raw, **overrides}
    try:
        spec = CalibrationFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, str(p))) from None
    cfg = load_config(_resolve(p.parent, spec.config))
    facts = load_facts(_resolve(p.parent, spec.facts))
    if cfg.meta.start_date != facts.start:
        raise ConfigError(f"{p}: config: {spec.config} starts on {cfg.meta.start_date}, the facts on "
                          f"{facts.start}; calibrate a config that starts on the facts' start")
    space = parameter_space(cfg)
    dumped = cfg.model_dump(mode="python")
    lows, highs = [], []
    for name, ps in spec.parameters.items():
        key = f"{p}: parameters.{name}"
        if name not in space:
            raise ConfigError(f"{key}: not a numeric parameter of {spec.config} (e.g. "
                              f"{', '.join(sorted(space)[:3])}, ...)")
        lo, hi, _kind = space[name]
        value = float(get_path(dumped, name))
        a, b = ps.prior
        if a < lo or b > hi:
            raise ConfigError(f"{key}.prior: {list(ps.prior)} leaves the parameter's allowed range [{lo:g}, {hi:g}]")
        if not a <= value <= b:
            raise ConfigError(f"{key}.prior: {list(ps.prior)} excludes the config's value {value:g}; "
                              "a prior range must contain it")
        lows.append(float(a))
        highs.append(float(b))
    for name in spec.fixed:
        if name not in space:
            raise ConfigError(f"{p}: fixed.{name}: not a numeric parameter of {spec.config}")
    if spec.statistics is not None:
        ids = {f.id for f in facts.facts}
        for i, fid in enumerate(spec.statistics):
            if fid not in ids:
                raise ConfigError(f"{p}: statistics.{i}: no fact {quote(fid)} in {facts.path} "
                                  f"(facts: {', '.join(sorted(ids))[:200]})")
        keep = set(spec.statistics)
        facts = Facts(path=facts.path, start=facts.start, end=facts.end,
                      facts=tuple(f for f in facts.facts if f.id in keep), record=facts.record)
    return CalibrationSpec(path=p, file=spec, config=cfg, facts=facts, names=tuple(spec.parameters),
                           lows=tuple(lows), highs=tuple(highs))


__all__ = ["DEFAULT_SPEC", "CalibrationFile", "CalibrationSpec", "load_spec"]
