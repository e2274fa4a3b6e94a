"""Fan charts: a configuration's ensemble, day by day, and where one run stands in it.

The dashboard draws a single run over its configuration's ensemble: the median and the 50% and 90%
bands of a few daily series (cumulative attacks and US deaths, tension, US troops, Iraqi
sentiment), and the run's percentile on each. This module owns those series (:data:`SERIES`), the
ensemble's trajectories (:func:`trajectories`, the ensemble's day loop with keyed draws, so a
replicate on seed s is the single run on seed s), the quantiles (:func:`fan`), the percentile
(:func:`percentile`) and a cache keyed on the config hash, the days and the seeds
(:class:`FanCache`: memory, plus ``.npz`` files on disk written atomically).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import Config
from sim.core.draws import seed_for
from sim.engines.stepper import Stepper
from sim.engines.studio import SERIES, series_of
from sim.errors import UserError
from sim.ioutil import atomic_write

Arr = npt.NDArray[Any]

#: Quantiles drawn: the 90% band, the 50% band and the median.
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
DEFAULT_RUNS = 300
DEFAULT_MASTER_SEED = 20200103


def trajectories(cfg: Config, seeds: Any, days: int) -> dict[str, Arr]:
    """Each series by day (day 0 .. ``days``) for every seed: name -> (days + 1, R)."""
    st = Stepper.from_config(cfg, np.asarray(seeds, dtype=np.uint64))
    out = {name: [v] for name, v in series_of(st.world).items()}
    for _ in range(days):
        st.step()
        for name, v in series_of(st.world).items():
            out[name].append(v)
    return {name: np.stack(rows) for name, rows in out.items()}


@dataclass(frozen=True)
class Fan:
    """The quantiles of an ensemble's series by day, and the ensemble itself (for percentiles)."""

    config_hash: str
    days: int
    runs: int
    master_seed: int
    quantiles: dict[str, Arr]  # name -> (len(QUANTILES), days + 1)
    values: dict[str, Arr]  # name -> (days + 1, R)
    seconds: float  # time it took to compute

    def percentile(self, name: str, day: int, value: float) -> float:
        """The run's percentile (0-100) among the ensemble on ``day``: mid-rank, ties split."""
        return percentile(self.values[name][min(int(day), self.days)], value)


def fan(values: dict[str, Arr]) -> dict[str, Arr]:
    """The quantiles of every series by day: name -> (len(QUANTILES), days + 1)."""
    return {name: np.quantile(v, QUANTILES, axis=1) for name, v in values.items()}


def percentile(ensemble: Arr, value: float) -> float:
    """Mid-rank percentile of ``value`` in ``ensemble``: 100 x (below + ties / 2) / n."""
    e = np.asarray(ensemble, dtype=np.float64)
    below = float(np.sum(e < value))
    ties = float(np.sum(e == value))
    return 100.0 * (below + 0.5 * ties) / len(e)


def compute(cfg: Config, days: int, runs: int = DEFAULT_RUNS, master_seed: int = DEFAULT_MASTER_SEED) -> Fan:
    """The fan of ``cfg`` over ``days`` days on seeds ``seed_for(master_seed, r)``, r < runs."""
    t0 = time.perf_counter()
    seeds = [seed_for(master_seed, r) for r in range(runs)]
    values = trajectories(cfg, seeds, days)
    return Fan(cfg.hash(), int(days), int(runs), int(master_seed), fan(values), values,
               time.perf_counter() - t0)


def default_cache_dir() -> Path:
    """``$ESCALATION_FAN_CACHE``, else ``~/.cache/escalation/fans``."""
    env = os.environ.get("ESCALATION_FAN_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "escalation" / "fans"


class FanCache:
    """Fans by (config hash, days, runs, master seed): in memory, and on disk if a folder is given.

    :meth:`get` computes a missing fan once even when several sessions ask at the same time
    (a lock per key); the others wait for it. A disk file that cannot be read is recomputed;
    one that cannot be written is only kept in memory.
    """

    def __init__(self, folder: Path | None = None, keep: int = 16) -> None:
        self.folder = folder
        self.keep = keep
        self._memory: dict[tuple[str, int, int, int], Fan] = {}
        self._locks: dict[tuple[str, int, int, int], threading.Lock] = {}
        self._guard = threading.Lock()
        self.computed = 0  # fans computed (not read from a cache), for tests and timings

    def _key(self, cfg: Config, days: int, runs: int, master_seed: int) -> tuple[str, int, int, int]:
        return (cfg.hash(), int(days), int(runs), int(master_seed))

    def _file(self, key: tuple[str, int, int, int]) -> Path | None:
        return None if self.folder is None else self.folder / f"fan-{key[0]}-{key[1]}d-{key[2]}r-{key[3]}.npz"

    def peek(self, cfg: Config, days: int, runs: int = DEFAULT_RUNS,
             master_seed: int = DEFAULT_MASTER_SEED) -> Fan | None:
        """The fan if it is in memory (never computes)."""
        return self._memory.get(self._key(cfg, days, runs, master_seed))

    def get(self, cfg: Config, days: int, runs: int = DEFAULT_RUNS, master_seed: int = DEFAULT_MASTER_SEED) -> Fan:
        """The fan, from memory, from disk, or computed (then stored in both)."""
        key = self._key(cfg, days, runs, master_seed)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            hit = self._memory.get(key)
            if hit is not None:
                return hit
            result = self._read(key)
            if result is None:
                result = compute(cfg, days, runs, master_seed)
                self.computed += 1
                self._write(key, result)
            with self._guard:
                self._memory[key] = result
                while len(self._memory) > self.keep:
                    self._memory.pop(next(iter(self._memory)))
            return result

    def _read(self, key: tuple[str, int, int, int]) -> Fan | None:
        path = self._file(key)
        if path is None or not path.is_file():
            return None
        t0 = time.perf_counter()
        try:
            with np.load(path, allow_pickle=False) as z:
                values = {name: np.asarray(z[name]) for name in SERIES}
        except (OSError, ValueError, KeyError):
            return None
        if any(v.shape != (key[1] + 1, key[2]) for v in values.values()):
            return None
        return Fan(key[0], key[1], key[2], key[3], fan(values), values, time.perf_counter() - t0)

    def _write(self, key: tuple[str, int, int, int], result: Fan) -> None:
        path = self._file(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)

            def write(tmp: Path) -> None:
                with open(tmp, "wb") as fh:
                    np.savez_compressed(fh, **result.values)  # type: ignore[arg-type]

            atomic_write(path, write)
        except (OSError, UserError):
            pass  # a read-only or full disk: the fan stays in memory
