"""Sweep experiments: a spec (YAML) -> a validated :class:`SweepSpec` -> design rows -> run tasks.

This module owns the experiment as data, separate from its execution (:mod:`sim.experiments.runner`) and
its storage (:mod:`sim.experiments.store`):

- a **spec** names a base model config, fixed ``overrides``, ``days``, ``factors`` (dotted config
  paths with ``levels`` for ``grid``, or ``bounds`` for the samplers), a ``sampler`` (``grid``,
  ``random``, ``latin``, ``sobol``, ``morris``, ``posterior``), ``replicates``, ``master_seed`` and
  what to ``record`` (``summary`` or ``series``);
- the ``posterior`` sampler draws ``samples`` design points, by weight and with replacement, from
  a posterior samples file (``sampler_options.posterior``: ``escalation calibrate``'s
  ``posterior.parquet``); its columns are the factors, the draw is seeded from ``master_seed``
  (like every sampler's), and the file's SHA-256 is recorded in the spec of the manifest, so a
  sweep propagates parameter uncertainty into any scenario (set the scenario in ``base`` or
  ``overrides``);
- the **design** is one row per design point (``design_id`` = row of the sampler's matrix, so
  SALib's analysers can read outcomes in ``design_id`` order). Samplers are SALib's (``latin``,
  ``sobol``, ``morris``), and ``random`` is uniform draws scaled by SALib; the sampler's seed is
  spawned from ``master_seed``. ``grid`` is the full factorial of the levels;
- every **run** is (``design_id``, ``replicate``) with ``run_id = design_id * replicates +
  replicate`` and seed ``sim.core.draws.seed_for(master_seed, design_id, replicate)``, so ids and
  seeds do not depend on chunking, worker count or which runs already exist. With
  ``seeds: shared`` every design point uses the same seeds, ``seed_for(master_seed,
  replicate)``: design points are then paired by replicate (common random numbers), and
  ``escalation compare --sweep`` compares a factor's levels on them;
- ``discovery`` lists outcomes for scenario discovery (PRIM boxes in the report), each a
  condition ``COLUMN [OP VALUE]`` on a run's ``path`` or a metric (:func:`parse_condition`);
  it does not change the results, so it is not part of the fingerprint.

Bad input (unknown sampler or key, factor path not in the config, bounds reversed or outside the
parameter's allowed range, levels of the wrong kind, non-positive replicates, NaN/inf) raises
:class:`sim.config.UserError` with one line naming the spec file and the key.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.config import (
    CONFIG_DIR,
    Config,
    UserError,
    describe_validation_error,
    get_path,
    index_path,
    load_config,
    parameter_space,
    read_yaml,
    with_overrides,
)
from sim.core.draws import seed_for
from sim.core.events import SERIES_COLUMNS
from sim.core.outcomes import EXTRA_METRICS, METRICS
from sim.engines.ensemble import run_ensemble
from sim.errors import quote

SAMPLERS: tuple[str, ...] = ("grid", "random", "latin", "sobol", "morris", "posterior")
#: Samplers that draw from ``bounds`` (all but ``grid``, which takes ``levels``; ``posterior``
#: takes its factors from a samples file and records their range as bounds).
BOUNDED_SAMPLERS: tuple[str, ...] = ("random", "latin", "sobol", "morris", "posterior")
#: Columns of a posterior samples file that are not parameters.
POSTERIOR_EXTRA: tuple[str, ...] = ("weight", "distance")
RECORD: tuple[str, ...] = ("summary", "series")
#: Seed rules: a seed per (design point, replicate), or one per replicate shared by all points.
SEEDS: tuple[str, ...] = ("per_design", "shared")
#: Comparison operators of a discovery condition (two-character ones first, for parsing).
OPERATORS: tuple[str, ...] = ("==", "!=", ">=", "<=", ">", "<")
#: Identity and status columns of every results row, in order (factors, path, metrics follow).
ID_COLUMNS: tuple[str, ...] = ("run_id", "design_id", "replicate", "seed", "status", "error")
#: Metric columns of every results row, in order.
METRIC_COLUMNS: tuple[str, ...] = (*METRICS, *EXTRA_METRICS)
#: Spawn key of the sampler's own seed (a 1-key spawn never equals a run's 2-key spawn).
SAMPLER_KEY = 0x5A17
SWEEP_DIR = CONFIG_DIR / "sweeps"

Level = bool | int | float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FactorSpec(_Strict):
    """One factor: ``levels`` (grid) or ``bounds`` ``[low, high]`` (samplers)."""

    levels: list[Level] | None = Field(default=None, min_length=1)
    bounds: tuple[float, float] | None = None

    @field_validator("levels", mode="before")
    @classmethod
    def _finite(cls, v: Any) -> Any:
        for x in v if isinstance(v, list) else []:
            if isinstance(x, float) and not math.isfinite(x):
                raise ValueError(f"level {x!r} is not allowed; must be a finite number")
        return v

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not v[0] < v[1]:
            raise ValueError(f"bounds {list(v)} are reversed or empty; need low < high")
        return v


class SamplerOptions(_Strict):
    """Options passed to the SALib sampler."""

    calc_second_order: bool = False
    scramble: bool = True
    num_levels: int = Field(default=4, ge=2, le=100)
    #: ``posterior`` sampler: a samples file (Parquet: one column per parameter, by dotted path,
    #: and an optional ``weight``), relative to the spec's folder; and its SHA-256 (filled in
    #: and recorded in the manifest; a file that no longer matches a given hash is refused).
    posterior: str | None = None
    posterior_sha256: str | None = None


class SweepSpec(_Strict):
    """A validated sweep spec (see the module docstring and docs/sweeps.md)."""

    name: str = Field(min_length=1)
    description: str = ""
    base: str = "../baseline.yaml"
    overrides: dict[str, Level] = Field(default_factory=dict)
    days: int | None = Field(default=None, ge=1, le=3650)
    replicates: int = Field(ge=1, le=10_000_000)
    master_seed: int = Field(ge=0, lt=2**63)
    sampler: Literal[SAMPLERS] = "grid"  # type: ignore[valid-type]
    samples: int | None = Field(default=None, ge=1, le=10_000_000)
    sampler_options: SamplerOptions = Field(default_factory=SamplerOptions)
    factors: dict[str, FactorSpec] = Field(default_factory=dict)
    record: Literal[RECORD] = "summary"  # type: ignore[valid-type]
    #: None means "per_design" (left out of the dumped spec, so older fingerprints stay valid).
    seeds: Literal[SEEDS] | None = None  # type: ignore[valid-type]
    discovery: list[str] | None = None

    @field_validator("discovery")
    @classmethod
    def _conditions(cls, v: list[str] | None) -> list[str] | None:
        for i, text in enumerate(v or []):
            try:
                parse_condition(text)
            except UserError as exc:
                raise ValueError(f"item {i}: {exc}") from None
        return v

    @field_validator("factors", mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        # ``path: [a, b, c]`` is shorthand for ``path: {levels: [a, b, c]}``.
        if isinstance(v, Mapping):
            return {k: ({"levels": x} if isinstance(x, list) else x) for k, x in v.items()}
        return v


# -------------------------------------------------------------------------------- conditions


@dataclass(frozen=True)
class Condition:
    """An outcome of a run as a condition on one column: ``column op value``.

    ``column`` is ``path`` or a metric; a boolean metric alone (``all_out_war``) means
    ``== true``. :meth:`evaluate` gives one boolean per row of a runs table.
    """

    text: str
    column: str
    op: str
    value: bool | float | str

    def evaluate(self, frame: pd.DataFrame) -> np.ndarray:
        """One boolean per row: whether the run has this outcome."""
        col = frame[self.column]
        if self.column == "path":
            x: Any = col.astype(str).to_numpy()
        elif isinstance(self.value, bool):
            x = col.astype(bool).to_numpy()
        else:
            x = col.astype(np.float64).to_numpy()
        ops = {"==": np.equal, "!=": np.not_equal, ">": np.greater, ">=": np.greater_equal,
               "<": np.less, "<=": np.less_equal}
        return np.asarray(ops[self.op](x, self.value), dtype=bool)


def _metric_kinds() -> dict[str, str]:
    """Metric name -> ``bool`` or ``number`` (from the metric lists and a one-day probe run)."""
    probe = run_ensemble(load_config(), [0], days=1).records()[0]
    return {m: ("bool" if isinstance(probe.get(m), (bool, np.bool_)) else "number")
            for m in METRIC_COLUMNS}


def parse_condition(text: str, kinds: Mapping[str, str] | None = None) -> Condition:
    """Parse an outcome condition: ``path == s1_major_escalation``, ``us_killed > 10``,
    ``all_out_war`` (a boolean metric alone), ``us_exit == false``.

    ``path`` takes ``==``/``!=`` and one of the paths; a boolean metric ``==``/``!=`` and
    ``true``/``false``; a numeric metric any operator and a finite number. ``kinds`` maps
    metric names to ``bool``/``number`` (default: every metric of :data:`METRIC_COLUMNS`).
    Anything else is a one-line :class:`UserError` saying what is allowed.
    """
    from sim.core.outcomes import PATHS

    raw = " ".join(str(text).split())
    kinds = dict(kinds) if kinds is not None else _metric_kinds()
    for op in OPERATORS:
        if op in raw:
            column, _, value_text = (x.strip() for x in raw.partition(op))
            break
    else:
        column, op, value_text = raw, "", ""
    allowed = "path or a metric (e.g. us_killed, all_out_war)"
    if not column:
        raise UserError(f"condition {quote(text)}: no column; expected COLUMN [OP VALUE] with "
                        f"COLUMN {allowed}")
    if column == "path":
        if op not in ("==", "!="):
            raise UserError(f"condition {quote(text)}: path takes == or != and a path name")
        if value_text not in PATHS:
            raise UserError(f"condition {quote(text)}: {quote(value_text)} is not a path; "
                            f"allowed: {', '.join(PATHS)}")
        return Condition(raw, column, op, value_text)
    if column not in kinds:
        raise UserError(f"condition {quote(text)}: {quote(column)} is not path or a metric; "
                        f"metrics: {', '.join(kinds)}")
    if kinds[column] == "bool":
        if not op:
            return Condition(raw, column, "==", True)
        if op not in ("==", "!=") or value_text.lower() not in ("true", "false"):
            raise UserError(f"condition {quote(text)}: {column} is true or false; write "
                            f"'{column}' or '{column} == false'")
        return Condition(raw, column, op, value_text.lower() == "true")
    if not op:
        raise UserError(f"condition {quote(text)}: {column} is a number; give an operator "
                        f"({', '.join(OPERATORS)}) and a value, e.g. '{column} > 10'")
    try:
        value = float(value_text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise UserError(f"condition {quote(text)}: {quote(value_text)} is not a finite number")
    return Condition(raw, column, op, value)


# -------------------------------------------------------------------------------- loading


def _spec_error(source: str, exc: ValidationError) -> UserError:
    return UserError(describe_validation_error(exc, source))


def read_spec(path: str | Path) -> dict[str, Any]:
    """Read a spec file's raw mapping (a missing or unreadable file is a one-line error)."""
    return read_yaml(Path(path), "sweep spec")


def load_experiment(spec: str | Path | Mapping[str, Any] | SweepSpec,
                    root: str | Path | None = None) -> Experiment:
    """Validate a spec (a YAML path, a mapping or a :class:`SweepSpec`) into an experiment.

    ``base`` is resolved relative to the spec file's folder (for a path) or to ``root``
    (default: ``configs/sweeps/``, so ``../baseline.yaml`` is the baseline).
    """
    if isinstance(spec, (str, Path)):
        source, folder = str(spec), Path(spec).resolve().parent
        raw: Any = read_spec(spec)
    else:
        source, folder = "<spec>", Path(root) if root is not None else SWEEP_DIR
        raw = spec.model_dump() if isinstance(spec, SweepSpec) else spec
    try:
        parsed = SweepSpec.model_validate(raw)
    except ValidationError as exc:
        raise _spec_error(source, exc) from None
    return Experiment(parsed, source, folder)


# -------------------------------------------------------------------------------- the design


@dataclass(frozen=True)
class Piece:
    """Some replicates of one design point: the unit a worker runs (picklable)."""

    design_id: int
    factors: dict[str, Any]
    replicates: tuple[int, ...]
    run_ids: tuple[int, ...]
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class Task:
    """A chunk of work for one worker: pieces sharing the base config, days and engine."""

    base: Config
    days: int
    engine: str
    record_series: bool
    pieces: tuple[Piece, ...]


@dataclass
class Experiment:
    """A validated spec with its resolved base config and design (built on construction)."""

    spec: SweepSpec
    source: str
    folder: Path
    base: Config = field(init=False)
    base_path: Path = field(init=False)
    days: int = field(init=False)
    kinds: dict[str, str] = field(init=False)
    _posterior: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False)
    raw_design: np.ndarray = field(init=False)
    design: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        s = self.spec
        self.base_path = (self.folder / s.base).resolve()
        if not self.base_path.is_file():
            raise UserError(f"{self.source}: base: no such config file {quote(s.base)} "
                            f"(looked for {self.base_path})")
        self._plain = load_config(self.base_path)
        self._space = parameter_space(self._plain)
        self._raw = self._plain.model_dump(mode="python")
        for key, value in s.overrides.items():
            self._check_level(f"overrides.{key}", key, value)
        try:
            self.base = load_config(self.base_path, dict(s.overrides))
        except UserError as exc:
            raise UserError(f"{self.source}: base/overrides: {exc}") from None
        self.days = s.days if s.days is not None else self.base.meta.days
        if s.sampler == "posterior":
            self._posterior_factors()
        self._check_factors()
        self.raw_design = self._sample()
        self.design = self._design_frame()

    # ------------------------------------------------------------------ validation
    def _err(self, key: str, text: str) -> UserError:
        return UserError(f"{self.source}: {key}: {text}")

    def _check_path(self, key: str, path: str) -> Any:
        try:
            value = get_path(self._raw, path)
        except UserError:
            raise self._err(key, "not a parameter of the base config "
                            f"({self.spec.base})") from None
        if isinstance(value, (dict, list)):
            raise self._err(key, "is a section, not a parameter; name one of its keys")
        return value

    def _allowed(self, path: str) -> tuple[float, float, str] | None:
        return self._space.get(index_path(self._raw, path))

    def _check_level(self, key: str, path: str, value: Any) -> None:
        current = self._check_path(key, path)
        rng = self._allowed(path)
        if rng is not None:
            lo, hi, kind = rng
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self._err(key, f"{quote(value)} is not a number; allowed {lo:g} to {hi:g}")
            if kind == "int" and float(value) != int(value):
                raise self._err(key, f"{quote(value)} is not a whole number; allowed {lo:g} to {hi:g}")
            if not lo <= value <= hi:
                raise self._err(key, f"{quote(value)} is out of range; allowed {lo:g} to {hi:g}")
            return
        if type(value) is not type(current):
            raise self._err(key, f"{quote(value)} has the wrong type; expected "
                            f"{type(current).__name__} like {quote(current)}")
        try:
            with_overrides(self._plain, {path: value})
        except UserError as exc:
            reason = str(exc).split(": ", 2)[-1]
            raise self._err(key, reason) from None

    def _check_factors(self) -> None:
        s = self.spec
        if s.sampler in BOUNDED_SAMPLERS:
            if not s.factors:
                raise self._err("factors", f"sampler {s.sampler!r} needs at least one factor")
            if s.samples is None:
                raise self._err("samples", f"required for sampler {s.sampler!r}")
            if s.sampler == "sobol" and s.samples & (s.samples - 1):
                raise self._err("samples", f"{s.samples} is not a power of 2 (Sobol' sequences "
                                "keep their balance only for N = 2**m)")
        elif s.samples is not None:
            raise self._err("samples", "only for the random, latin, sobol and morris samplers; "
                            "grid runs every combination of the levels")
        self.kinds = {}
        for path, f in s.factors.items():
            key = f"factors.{path}"
            if s.sampler == "grid":
                if f.levels is None:
                    raise self._err(key, "the grid sampler needs 'levels: [...]'")
                if f.bounds is not None:
                    raise self._err(key, "give levels or bounds, not both")
                if len(set(map(repr, f.levels))) != len(f.levels):
                    raise self._err(key, f"levels {f.levels} repeat a value")
                for level in f.levels:
                    self._check_level(key, path, level)
                current = self._check_path(key, path)
                rng = self._allowed(path)
                self.kinds[path] = rng[2] if rng else type(current).__name__
            else:
                if f.bounds is None:
                    raise self._err(key, f"the {s.sampler} sampler needs 'bounds: [low, high]'")
                if f.levels is not None:
                    raise self._err(key, "give levels or bounds, not both")
                self._check_path(key, path)
                rng = self._allowed(path)
                if rng is None:
                    raise self._err(key, "not a numeric parameter; sample it with grid levels")
                lo, hi, kind = rng
                if not (lo <= f.bounds[0] and f.bounds[1] <= hi):
                    raise self._err(key, f"bounds {list(f.bounds)} are outside the allowed range "
                                    f"{lo:g} to {hi:g}")
                self.kinds[path] = kind

    def _posterior_factors(self) -> None:
        """Read the posterior samples file; its parameter columns become the factors."""
        import hashlib as _hashlib

        s = self.spec
        opt = s.sampler_options
        key = "sampler_options.posterior"
        if s.factors:
            raise self._err("factors", "the posterior sampler takes its factors from the samples "
                            "file's columns; leave factors out")
        if not opt.posterior:
            raise self._err(key, "the posterior sampler needs a samples file (e.g. "
                            "results/calibration/posterior.parquet)")
        path = (self.folder / opt.posterior).resolve()
        try:
            blob = path.read_bytes()
            import io

            frame = pd.read_parquet(io.BytesIO(blob))
        except OSError as exc:
            raise self._err(key, f"cannot read {path} ({exc.strerror or exc})") from None
        except Exception:  # noqa: BLE001 - pyarrow's errors for a file that is not Parquet
            raise self._err(key, f"{path} is not a Parquet samples file") from None
        digest = _hashlib.sha256(blob).hexdigest()
        if opt.posterior_sha256 is not None and opt.posterior_sha256 != digest:
            raise self._err("sampler_options.posterior_sha256", f"{path} has changed (SHA-256 {digest[:12]}..., "
                            f"spec gives {opt.posterior_sha256[:12]}...)")
        names = [c for c in frame.columns if c not in POSTERIOR_EXTRA]
        if not names or len(frame) == 0:
            raise self._err(key, f"{path} has no parameter columns or no rows")
        weights = frame["weight"].to_numpy(dtype=np.float64) if "weight" in frame else np.ones(len(frame))
        if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.sum() > 0):
            raise self._err(key, f"{path}: weight: must be finite, >= 0 and not all 0")
        factors = {}
        for n in names:
            values = frame[n].to_numpy()
            if values.dtype.kind not in "fi" or not np.all(np.isfinite(values)):
                raise self._err(key, f"{path}: column {quote(n)} is not finite numbers")
            lo, hi = float(values.min()), float(values.max())
            factors[n] = FactorSpec(bounds=(lo, hi if hi > lo else lo + abs(lo) * 1e-12 + 1e-12))
        self._posterior = (frame[names].to_numpy(dtype=np.float64), weights / weights.sum())
        self.spec = s.model_copy(update={
            "factors": factors,
            "sampler_options": opt.model_copy(update={"posterior_sha256": digest})})
        if s.samples is None:
            raise self._err("samples", "required for sampler 'posterior' (design points drawn)")

    # ------------------------------------------------------------------ sampling
    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem dict (``num_vars``, ``names``, ``bounds``) of a bounded sampler."""
        names = list(self.spec.factors)
        return {"num_vars": len(names), "names": names,
                "bounds": [list(f.bounds) if f.bounds else None
                           for f in self.spec.factors.values()]}

    def _sample(self) -> np.ndarray:
        s = self.spec
        if s.sampler == "grid":
            combos = list(itertools.product(*(f.levels or [] for f in s.factors.values())))
            return np.array(combos, dtype=object).reshape(len(combos), len(s.factors))
        # SALib is imported here: grid sweeps and worker processes never need it.
        from SALib.sample import latin as salib_latin
        from SALib.sample import morris as salib_morris
        from SALib.sample import sobol as salib_sobol
        from SALib.util import scale_samples

        seed = seed_for(s.master_seed, SAMPLER_KEY)
        problem, n, opt = self.problem, s.samples, s.sampler_options
        assert n is not None  # checked in _check_factors
        if s.sampler == "posterior":  # rows drawn by weight, with replacement
            rows, w = self._posterior
            return rows[np.random.default_rng(seed).choice(len(rows), size=n, replace=True, p=w)]
        if s.sampler == "random":
            unit = np.random.default_rng(seed).random((n, problem["num_vars"]))
            return scale_samples(unit, problem)
        if s.sampler == "latin":
            return salib_latin.sample(problem, n, seed=seed)
        if s.sampler == "sobol":
            return salib_sobol.sample(problem, n, calc_second_order=opt.calc_second_order,
                                      scramble=opt.scramble, seed=seed)
        return salib_morris.sample(problem, n, num_levels=opt.num_levels, seed=seed)

    def _design_frame(self) -> pd.DataFrame:
        cols = {}
        for j, path in enumerate(self.spec.factors):
            cols[path] = [_as_kind(v, self.kinds[path]) for v in self.raw_design[:, j]]
        frame = pd.DataFrame(cols, index=pd.RangeIndex(len(self.raw_design), name="design_id"))
        if not self.spec.factors:
            frame = pd.DataFrame(index=pd.RangeIndex(1, name="design_id"))
        return frame

    # ------------------------------------------------------------------ runs
    @property
    def n_designs(self) -> int:
        """Design points."""
        return len(self.design)

    @property
    def n_runs(self) -> int:
        """Runs in the whole sweep."""
        return self.n_designs * self.spec.replicates

    def run_id(self, design_id: int, replicate: int) -> int:
        """Deterministic run id of (design point, replicate)."""
        return design_id * self.spec.replicates + replicate

    @property
    def shared_seeds(self) -> bool:
        """Whether every design point runs on the same seeds (``seeds: shared``)."""
        return self.spec.seeds == "shared"

    @property
    def seed_rule(self) -> str:
        """How a run's seed is made (recorded in the manifest)."""
        if self.shared_seeds:
            return "sim.core.draws.seed_for(master_seed, replicate) (seeds: shared)"
        return "sim.core.draws.seed_for(master_seed, design_id, replicate)"

    def seed(self, design_id: int, replicate: int) -> int:
        """The run seed of (design point, replicate) under the spec's seed rule."""
        if self.shared_seeds:
            return seed_for(self.spec.master_seed, replicate)
        return seed_for(self.spec.master_seed, design_id, replicate)

    def factor_values(self, design_id: int) -> dict[str, Any]:
        """Return the factor values (config overrides) of a design point."""
        return {path: _plain(self.design[path].iat[design_id]) for path in self.spec.factors}

    def tasks(self, done: Iterable[int], chunk_size: int, engine: str,
              record_series: bool | None = None) -> Iterator[Task]:
        """Tasks covering every run not in ``done``, in run-id order, ``chunk_size`` runs each.

        A task may hold pieces of several design points (each piece runs as one ensemble).
        """
        if chunk_size < 1:
            raise UserError(f"chunk size: {chunk_size} is not allowed; must be 1 or more")
        series = self.spec.record == "series" if record_series is None else record_series
        done_ids = np.unique(np.fromiter(done, dtype=np.int64))
        reps = self.spec.replicates
        pieces: list[Piece] = []
        size = 0
        for d in range(self.n_designs):
            ids = np.arange(d * reps, (d + 1) * reps, dtype=np.int64)
            todo = ids[~np.isin(ids, done_ids, assume_unique=True)]
            factors = self.factor_values(d) if len(todo) else {}
            start = 0
            while start < len(todo):
                take = todo[start:start + chunk_size - size]
                start += len(take)
                r = tuple(int(i - d * reps) for i in take)
                pieces.append(Piece(d, factors, r, tuple(int(i) for i in take),
                                    tuple(self.seed(d, x) for x in r)))
                size += len(take)
                if size >= chunk_size:
                    yield Task(self.base, self.days, engine, series, tuple(pieces))
                    pieces, size = [], 0
        if pieces:
            yield Task(self.base, self.days, engine, series, tuple(pieces))

    # ------------------------------------------------------------------ identity and schema
    def spec_dict(self) -> dict[str, Any]:
        """Return the validated spec as plain JSON-able data (unset factor keys left out)."""
        return self.spec.model_dump(mode="json", exclude_none=True)

    def fingerprint(self) -> str:
        """Hash of what determines the results: the spec, the resolved base config and days."""
        spec = {k: v for k, v in self.spec_dict().items() if k != "discovery"}
        blob = json.dumps({"spec": spec, "base": self.base.hash(), "days": self.days},
                          sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def schema(self) -> pa.Schema:
        """Return the Arrow schema of the runs table (one for every part, even all-failed)."""
        probe = run_ensemble(self.base, [0], days=1).records()[0]
        kinds = {"float": pa.float64(), "int": pa.int64(), "str": pa.string(),
                 "bool": pa.bool_()}
        fields = [pa.field("run_id", pa.int64()), pa.field("design_id", pa.int64()),
                  pa.field("replicate", pa.int64()), pa.field("seed", pa.int64()),
                  pa.field("status", pa.string()), pa.field("error", pa.string())]
        fields += [pa.field(p, kinds[self.kinds[p]]) for p in self.spec.factors]
        fields.append(pa.field("path", pa.string()))
        py = {bool: pa.bool_(), int: pa.int64(), float: pa.float64()}
        fields += [pa.field(m, py[type(probe[m])]) for m in METRIC_COLUMNS]
        return pa.schema(fields)

    def series_schema(self) -> pa.Schema:
        """Return the Arrow schema of the per-day series table (``run_id``, then the series)."""
        probe = run_ensemble(self.base, [0], days=1, record_series=True).series or {}
        return pa.schema([pa.field("run_id", pa.int64())] +
                         [pa.field(c, pa.from_numpy_dtype(probe[c].dtype))
                          for c in SERIES_COLUMNS])


def _as_kind(value: Any, kind: str) -> Any:
    if kind == "int":
        return int(round(float(value)))
    if kind == "float":
        return float(value)
    return value


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
