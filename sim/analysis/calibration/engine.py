"""SMC-ABC on the facts of January-June 2020 with ELFI, the ensemble engine as a batched simulator.

This module owns the pieces ELFI needs and the checkpoint that makes a calibration resumable:

- :class:`BatchSimulator`: ELFI hands it ``batch_size`` parameter rows at once; it stacks them into
  one ensemble run (:func:`sim.engines.batch.simulate_configs`: row r equals the single run with
  its seed) for the facts' window and returns one row of statistics per run, every statistic a
  fact names (end-of-run metrics and ``monthly.<observable>.<YYYY-MM>``, quiet months included).
  Seeds come from the random state ELFI gives each batch, so a batch is reproducible.
- :class:`RangeDistance`: the record's uncertain counts are ranges ``[low, high]``; a statistic
  inside its range is at distance 0, outside it the distance to the nearer end, divided by the
  statistic's scale (1.4826 x the median absolute deviation over a pilot of prior-predictive runs,
  the standard deviation where that is 0, else 1). A statistic the run leaves undefined (NaN,
  e.g. the lag after a lethal attack in a run without one) where the record defines it costs
  ``nan_penalty`` scale units; "never" (``inf`` first days) counts as the day after the window.
  The distance is the Euclidean norm over statistics.
- :class:`DirStore`: an ELFI output store that writes each batch's statistics to its own file
  (temporary file, then rename). ELFI's output pool reloads a stored batch instead of simulating
  it again, so a calibration interrupted at any point resumes where it stopped, and because every
  batch's parameters and seeds derive from the master seed, the resumed posterior equals the
  uninterrupted one.
- :func:`run_smc`: ELFI's SMC-ABC (:class:`elfi.SMC`) iterated batch by batch under a progress bar,
  with an optional Dask scheduler (ELFI's dask client on a connected :class:`distributed.Client`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.analysis.calibration.spec import CalibrationSpec
from sim.analysis.record import Facts
from sim.config import Config, ConfigError, UserError, with_overrides
from sim.engines.batch import simulate_configs
from sim.engines.ensemble import run_ensemble
from sim.ioutil import atomic_write, write_json

Arr = npt.NDArray[np.float64]
#: Median absolute deviation to standard deviation for a normal distribution.
MAD_SCALE = 1.4826
#: Largest seed drawn for a run (seeds are < 2**63).
_SEED_MAX = 2**62


# ------------------------------------------------------------------------------------------
# the simulator


def statistic_names(facts: Facts) -> list[str]:
    """The statistics the facts name, in fact order (a statistic named twice is kept once)."""
    return list(dict.fromkeys(f.statistic for f in facts.facts))


def check_statistics(cfg: Config, facts: Facts) -> None:
    """A one-line error unless the model produces every statistic the facts name (a one-run probe)."""
    produced = run_ensemble(cfg, [1], facts.days).statistics()
    for i, f in enumerate(facts.facts):
        if f.statistic not in produced:
            raise ConfigError(f"{facts.path}: facts.{i} ({f.id}).statistic: {f.statistic!r} is not a "
                              f"statistic the model produces (e.g. {', '.join(sorted(produced)[:4])}, ...)")


def _replace(node: Any, parts: Sequence[str], value: float) -> Any:
    """A copy of a (frozen) config node with the dotted path ``parts`` set to ``value``."""
    head, rest = parts[0], parts[1:]
    if isinstance(node, (list, tuple)):
        idx = int(head) if head.lstrip("-").isdigit() else next(
            i for i, x in enumerate(node) if getattr(x, "name", None) == head)
        items = list(node)
        items[idx] = _replace(items[idx], rest, value) if rest else value
        return type(node)(items)
    old = getattr(node, head)
    if not rest:
        return node.model_copy(update={head: type(old)(value) if isinstance(old, (int, float)) else value})
    return node.model_copy(update={head: _replace(old, rest, value)})


def rows_to_configs(cfg: Config, names: Sequence[str], theta: Arr) -> list[Config]:
    """One config per parameter row (dotted-path overrides of ``cfg``).

    The priors were checked inside each parameter's allowed range (:func:`load_spec`), so the rows
    are set by copying the frozen config along each path (no re-validation: a third of the
    simulation's time for 1,000 rows); the first row is also built by :func:`with_overrides` and
    the two must agree.
    """
    parts = [n.split(".") for n in names]
    out = []
    for row in np.atleast_2d(theta):
        c = cfg
        for path, v in zip(parts, row, strict=True):
            c = _replace(c, path, float(v))
        out.append(c)
    if out:
        first = with_overrides(cfg, {n: float(v) for n, v in zip(names, np.atleast_2d(theta)[0], strict=True)})
        if first.model_dump() != out[0].model_dump():
            raise RuntimeError("rows_to_configs: the copied config differs from with_overrides")
    return out


def simulate_statistics(cfg: Config, names: Sequence[str], theta: Arr, seeds: npt.ArrayLike,
                        days: int, stats: Sequence[str]) -> Arr:
    """Statistics (rows: runs, columns: ``stats``) of one run per parameter row, all at once."""
    theta = np.atleast_2d(np.asarray(theta, dtype=np.float64))
    seeds = [int(s) for s in np.asarray(seeds).ravel()]
    res = simulate_configs(rows_to_configs(cfg, names, theta), [1] * len(theta), seeds, days)
    got = res.statistics()
    return np.column_stack([np.asarray(got[s], dtype=np.float64) for s in stats])


class BatchSimulator:
    """ELFI's simulator: ``(*params, batch_size, random_state) -> (batch_size, statistics)``."""

    def __init__(self, cfg: Config, names: Sequence[str], days: int, stats: Sequence[str]) -> None:
        self.cfg, self.names, self.days, self.stats = cfg, list(names), days, list(stats)

    def __call__(self, *params: Any, batch_size: int = 1, random_state: Any = None) -> Arr:
        """Statistics of one run per row; run seeds drawn from ELFI's per-batch random state."""
        if random_state is None:
            raise ValueError("BatchSimulator needs ELFI's random_state (the seeds come from it)")
        theta = np.column_stack([np.broadcast_to(np.asarray(p, dtype=np.float64), (batch_size,)) for p in params])
        seeds = random_state.randint(1, _SEED_MAX, size=batch_size, dtype=np.int64)
        return simulate_statistics(self.cfg, self.names, theta, seeds, self.days, self.stats)


def identity(x: Arr) -> Arr:
    """ELFI summary node: the statistics as they are (the distance handles the ranges)."""
    return x


# ------------------------------------------------------------------------------------------
# the distance


@dataclass(frozen=True)
class RangeDistance:
    """Distance of statistics to the record's ranges, scaled; see the module docstring."""

    low: tuple[float, ...]
    high: tuple[float, ...]
    scale: tuple[float, ...]
    never: float
    nan_penalty: float

    def errors(self, x: npt.ArrayLike) -> Arr:
        """Scaled distance of each statistic to its range (rows: runs)."""
        v = np.atleast_2d(np.asarray(x, dtype=np.float64))
        v = np.where(np.isposinf(v), self.never, v)
        lo, hi, sc = (np.asarray(a, dtype=np.float64) for a in (self.low, self.high, self.scale))
        with np.errstate(invalid="ignore"):
            e = (np.maximum(lo - v, 0.0) + np.maximum(v - hi, 0.0)) / sc
        defined = ~(np.isnan(lo) | np.isnan(hi))
        e = np.where(np.isnan(v) & defined, self.nan_penalty, e)
        return np.where(defined, e, 0.0)

    def __call__(self, simulated: Sequence[Arr] | Arr, observed: Any = None) -> Arr:
        """ELFI's discrepancy: one distance per run (``observed`` is unused: the ranges are held here)."""
        x = simulated[0] if isinstance(simulated, (list, tuple)) else simulated
        return np.asarray(np.sqrt(np.sum(self.errors(x) ** 2, axis=1)), dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        """The distance's ranges, scales and options as plain data."""
        return {"low": list(self.low), "high": list(self.high), "scale": list(self.scale),
                "never": self.never, "nan_penalty": self.nan_penalty}


def scales(pilot: Arr, never: float) -> tuple[float, ...]:
    """Each statistic's scale over pilot runs: 1.4826 x MAD, else the SD, else 1."""
    out = []
    for col in np.asarray(pilot, dtype=np.float64).T:
        v = np.where(np.isposinf(col), never, col)
        v = v[np.isfinite(v)]
        s = MAD_SCALE * float(np.median(np.abs(v - np.median(v)))) if len(v) else 0.0
        if not s > 0:
            s = float(np.std(v)) if len(v) > 1 else 0.0
        out.append(s if s > 0 else 1.0)
    return tuple(out)


def make_distance(spec: CalibrationSpec, pilot: Arr) -> RangeDistance:
    """The distance of a spec, scaled by a pilot of prior-predictive runs."""
    never = float(spec.facts.days)
    return RangeDistance(low=tuple(f.low for f in spec.facts.facts), high=tuple(f.high for f in spec.facts.facts),
                         scale=scales(pilot, never), never=never, nan_penalty=spec.file.distance.nan_penalty)


def fact_matrix(spec: CalibrationSpec, stats_by_name: Arr, stats: Sequence[str]) -> Arr:
    """Columns in fact order from columns in statistic order (a statistic may serve two facts)."""
    idx = [list(stats).index(f.statistic) for f in spec.facts.facts]
    return np.asarray(stats_by_name, dtype=np.float64)[:, idx]


def prior_draws(spec: CalibrationSpec, n: int, seed: int) -> Arr:
    """``n`` rows from the uniform priors (a Generator seeded with ``seed``)."""
    rng = np.random.default_rng(seed)
    lo, hi = np.asarray(spec.lows), np.asarray(spec.highs)
    return np.asarray(lo + (hi - lo) * rng.random((n, len(lo))), dtype=np.float64)


# ------------------------------------------------------------------------------------------
# the checkpoint


class DirStore:
    """An ELFI output store: one ``.npy`` file per batch in a folder, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _file(self, batch_index: int) -> Path:
        return self.folder / f"batch_{int(batch_index):06d}.npy"

    def __getitem__(self, batch_index: int) -> Arr:
        try:
            return np.asarray(np.load(self._file(batch_index), allow_pickle=False))
        except FileNotFoundError:
            raise KeyError(batch_index) from None

    def __setitem__(self, batch_index: int, data: Arr) -> None:
        arr = np.asarray(data)

        def write(p: Path) -> None:
            with open(p, "wb") as fh:
                np.save(fh, arr, allow_pickle=False)

        atomic_write(self._file(batch_index), write)

    def __delitem__(self, batch_index: int) -> None:
        """Remove a batch."""
        self._file(batch_index).unlink(missing_ok=True)

    def __contains__(self, batch_index: object) -> bool:
        return isinstance(batch_index, (int, np.integer)) and self._file(int(batch_index)).is_file()

    def __len__(self) -> int:
        return len(list(self.folder.glob("batch_*.npy")))

    def clear(self) -> None:
        """Remove every batch."""
        for f in self.folder.glob("batch_*.npy"):
            f.unlink()

    def close(self) -> None:
        """Nothing to close: every batch is its own file."""

    def flush(self) -> None:
        """Nothing to flush: every batch is written when it is set."""


def open_checkpoint(folder: Path, spec: CalibrationSpec) -> Path:
    """The checkpoint folder of a spec: created with the spec's fingerprint, or reused if it has
    the same one; a folder made by another spec is a one-line error (and is left untouched).
    """
    folder = Path(folder)
    stamp = folder / "spec.json"
    fp = spec.fingerprint()
    if stamp.is_file():
        try:
            old = json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, ValueError):
            old = None
        if old != fp:
            raise UserError(f"{stamp}: fingerprint: the checkpoint was made by another calibration spec "
                            f"({old} vs {fp} for {spec.path}); use another --out or delete the folder")
    elif folder.exists() and any(folder.iterdir()):
        raise UserError(f"{folder}: not a calibration checkpoint (no spec.json) and not empty; use another --out")
    else:
        write_json(stamp, {"fingerprint": fp, "spec": str(spec.path)})
    return folder


def pilot(spec: CalibrationSpec, folder: Path, stats: Sequence[str]) -> Arr:
    """Prior-predictive pilot runs that scale the distance (stored in the checkpoint)."""
    target = folder / "pilot.npy"
    if target.is_file():
        return np.asarray(np.load(target, allow_pickle=False))
    n = spec.file.distance.pilot
    seed = spec.file.master_seed
    theta = prior_draws(spec, n, seed)
    seeds = np.random.default_rng([seed, 1]).integers(1, _SEED_MAX, size=n)
    x = fact_matrix(spec, simulate_statistics(spec.config, spec.names, theta, seeds, spec.facts.days, stats), stats)

    def write(p: Path) -> None:
        with open(p, "wb") as fh:
            np.save(fh, x, allow_pickle=False)

    atomic_write(target, write)
    return x


# ------------------------------------------------------------------------------------------
# ELFI


@dataclass
class SMCResult:
    """The last population of an SMC-ABC run and how it was obtained."""

    names: tuple[str, ...]
    samples: Arr  # (n, parameters)
    weights: Arr  # (n,)
    distances: Arr  # (n,)
    thresholds: list[float]
    simulations: int
    seconds: float
    distance: RangeDistance
    resumed_batches: int


def _param_names(k: int) -> list[str]:
    return [f"theta{i}" for i in range(k)]


def build_model(spec: CalibrationSpec, distance: RangeDistance, stats: Sequence[str]) -> Any:
    """The ELFI model: uniform priors -> batched simulator -> statistics -> range distance."""
    import elfi

    m = elfi.new_model(set_default=False)
    priors = [elfi.Prior("uniform", lo, hi - lo, model=m, name=n)
              for n, lo, hi in zip(_param_names(len(spec.names)), spec.lows, spec.highs, strict=True)]
    sim = BatchSimulator(spec.config, spec.names, spec.facts.days, stats)
    order = [list(stats).index(f.statistic) for f in spec.facts.facts]
    s = elfi.Simulator(sim, *priors, observed=np.zeros((1, len(stats))), model=m, name="sim")
    summ = elfi.Summary(_Columns(tuple(order)), s, model=m, name="facts")
    elfi.Discrepancy(distance, summ, model=m, name="d")
    return m


@dataclass(frozen=True)
class _Columns:
    """ELFI summary node: the statistics in fact order."""

    order: tuple[int, ...] | list[int]

    def __call__(self, x: Arr) -> Arr:
        return np.asarray(x, dtype=np.float64)[:, list(self.order)]


def _client(scheduler: str | None) -> Any:
    if scheduler is None:
        import elfi.clients.native as native

        return native.Client()
    import itertools

    import elfi.clients.dask as edask

    from sim.experiments.executors import connect

    client = edask.Client.__new__(edask.Client)
    client.dask_client = connect(scheduler)
    client.tasks = {}
    client._id_counter = itertools.count()
    return client


def run_smc(spec: CalibrationSpec, folder: Path, *, scheduler: str | None = None,
            progress: bool = True, stop_after_batches: int | None = None,
            log: Callable[[str], None] = print) -> SMCResult:
    """ELFI's SMC-ABC on the spec, checkpointed in ``folder`` (resumed if it holds batches).

    ``stop_after_batches`` stops early (raising :class:`KeyboardInterrupt`, as an interruption
    would), for the resume test.
    """
    import elfi
    import elfi.client
    from tqdm import tqdm

    stats = statistic_names(spec.facts)
    check_statistics(spec.config, spec.facts)
    open_checkpoint(folder, spec)
    t0 = time.perf_counter()
    pil = pilot(spec, folder, stats)
    dist = make_distance(spec, pil)
    model = build_model(spec, dist, stats)
    store = DirStore(folder / "batches")
    resumed = len(store)
    pool = elfi.OutputPool({"sim": store})
    client = _client(scheduler)
    previous = elfi.client._client
    elfi.client.set_client(client)
    smc_spec = spec.file.smc
    try:
        smc = elfi.SMC(model["d"], batch_size=smc_spec.batch_size, seed=spec.file.master_seed % 2**32,
                       pool=pool, max_parallel_batches=1 if scheduler is None else 4)
        smc.bar = False  # ELFI's own bar is replaced by the tqdm bar below
        smc.set_objective(smc_spec.samples, quantiles=list(smc_spec.quantiles))
        done = 0
        with tqdm(total=None, unit="batch", disable=not progress, desc="SMC-ABC") as bar:
            while not smc.finished:
                smc.iterate()
                done += 1
                bar.set_description(f"SMC-ABC round {smc.state['round'] + 1}/{len(smc_spec.quantiles)}")
                bar.set_postfix(sims=smc.state["n_sim"])
                bar.update(1)
                if stop_after_batches is not None and done >= stop_after_batches:
                    raise KeyboardInterrupt
            smc.batches.cancel_pending()
            result = smc.extract_result()
    finally:
        elfi.client.set_client(previous)
        if scheduler is not None:
            client.dask_client.close()
    names = _param_names(len(spec.names))
    samples = np.column_stack([np.asarray(result.outputs[n], dtype=np.float64) for n in names])
    thresholds = [float(p.threshold) for p in result.populations]
    sims = int(sum(p.n_sim for p in result.populations))
    seconds = time.perf_counter() - t0
    log(f"SMC-ABC: {len(thresholds)} populations, thresholds {', '.join(f'{t:.3g}' for t in thresholds)}, "
        f"{sims:,} simulations ({resumed} batches reloaded from the checkpoint), {seconds:.1f} s")
    return SMCResult(names=spec.names, samples=samples, weights=np.asarray(result.weights, dtype=np.float64),
                     distances=np.asarray(result.discrepancies, dtype=np.float64), thresholds=thresholds,
                     simulations=sims, seconds=seconds, distance=dist, resumed_batches=resumed)


def weighted_quantiles(x: Arr, w: Arr, qs: Sequence[float]) -> list[float]:
    """Quantiles of a weighted sample (inverse of the weighted empirical CDF, midpoint rule)."""
    keep = np.asarray(w, dtype=np.float64) > 0
    xv, wv = np.asarray(x, dtype=np.float64)[keep], np.asarray(w, dtype=np.float64)[keep]
    order = np.argsort(xv)
    xs, ws = xv[order], wv[order]
    cdf = (np.cumsum(ws) - 0.5 * ws) / ws.sum()
    return [float(np.interp(q, cdf, xs)) for q in qs]


def resample(samples: Arr, weights: Arr, n: int, seed: int) -> Arr:
    """``n`` rows drawn from a weighted sample (with replacement, seeded)."""
    rng = np.random.default_rng(seed)
    p = np.asarray(weights, dtype=np.float64)
    idx = rng.choice(len(samples), size=n, replace=True, p=p / p.sum())
    return np.asarray(samples[idx], dtype=np.float64)


__all__ = ["BatchSimulator", "DirStore", "RangeDistance", "SMCResult", "build_model", "check_statistics",
           "make_distance", "open_checkpoint", "prior_draws", "resample", "run_smc", "scales",
           "simulate_statistics", "statistic_names", "weighted_quantiles"]
