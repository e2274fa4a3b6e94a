"""Ensemble engine: R replicates advanced in lockstep as numpy arrays.

This module owns the vectorised run: :func:`simulate` drives a :class:`~sim.engines.stepper.Stepper`
(the registered actors of :mod:`agents` and the staged transition of :mod:`sim.core.transition`,
the very code the Mesa model runs) with the replicate axis R instead of a single replicate, and
records events, daily series, calendar-month observables and end-of-run metrics. Because every draw
is keyed on (seed, day, actor, purpose), replicate r of an ensemble equals the Mesa run with seed
``seeds[r]``, event for event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import Config
from sim.core.counters import Monthly, tidy
from sim.core.events import SERIES_COLUMNS, daily_series, event_rows
from sim.core.outcomes import classify, metrics
from sim.core.params import Params, Thresholds, build_params, build_thresholds
from sim.core.state import World, initial_world
from sim.engines.stepper import Stepper

Arr = npt.NDArray[Any]


@dataclass
class EnsembleResult:
    """Outcomes of R replicates: metrics (arrays), paths and tracks, monthly observables, and
    optional events and series.
    """

    seeds: Arr
    metrics: dict[str, Arr]
    paths: Arr
    tracks: dict[str, Arr]
    monthly: Monthly
    events: list[dict[str, Any]] = field(default_factory=list)
    series: dict[str, Arr] | None = None  # column -> (days + 1, R)

    def records(self) -> list[dict[str, Any]]:
        """One flat dict per replicate: seed, path, tracks and metrics (as :func:`sim.run_model`)."""
        out = []
        for r in range(len(self.seeds)):
            row: dict[str, Any] = {"path": str(self.paths[r])}
            row.update({k: str(v[r]) for k, v in self.tracks.items()})
            row.update({k: v[r].item() for k, v in self.metrics.items()})
            row["seed"] = int(self.seeds[r])
            out.append(row)
        return out

    def statistics(self) -> dict[str, Arr]:
        """Every statistic a fact may name: end-of-run metrics and ``monthly.<observable>.<YYYY-MM>``."""
        return {**{k: np.asarray(v, dtype=np.float64) for k, v in self.metrics.items()},
                **self.monthly.statistics()}

    def monthly_rows(self) -> list[dict[str, Any]]:
        """The monthly observables as tidy rows (replicate, seed, month, observable, value)."""
        return tidy(self.monthly, self.seeds)


def run_ensemble(
    cfg: Config,
    seeds: Any,
    days: int | None = None,
    *,
    record_events: bool = False,
    record_series: bool = False,
) -> EnsembleResult:
    """Run ``len(seeds)`` replicates of ``cfg`` for ``days`` days at once."""
    seeds = np.atleast_1d(np.asarray(seeds, dtype=np.uint64))
    n_days = int(days) if days is not None else cfg.meta.days
    return simulate(build_params(cfg), initial_world(cfg, len(seeds)), seeds, n_days,
                    build_thresholds(cfg), record_events=record_events, record_series=record_series)


def simulate(
    P: Params,
    world: World,
    seeds: Arr,
    n_days: int,
    thresholds: Thresholds,
    *,
    record_events: bool = False,
    record_series: bool = False,
) -> EnsembleResult:
    """Advance ``world`` (R replicates) ``n_days`` days under parameters ``P``.

    ``P`` leaves are scalars shared by all replicates or arrays of shape (R,) (see
    :func:`sim.engines.batch.stack_params`); the rules broadcast either way.
    """
    st = Stepper(P, world, seeds)
    monthly = Monthly(P.start_date, n_days, len(st.seeds))
    events: list[dict[str, Any]] = []
    series: dict[str, list[Arr]] | None = None
    if record_series:
        series = {k: [np.asarray(v).copy()] for k, v in daily_series(world, None).items()}
    for day in range(n_days):
        rec = st.step()
        monthly.add(day, rec.obs)
        if record_events:
            events.extend(event_rows(rec, P))
        if series is not None:
            for k, v in daily_series(st.world, rec).items():
                series[k].append(np.asarray(v).copy())
    m = metrics(st.world, P)
    paths, tracks = classify(m, thresholds)
    stacked = {k: np.stack(series[k]) for k in SERIES_COLUMNS} if series is not None else None
    return EnsembleResult(seeds=st.seeds, metrics=m, paths=paths, tracks=tracks, monthly=monthly,
                          events=events, series=stacked)


__all__ = ["EnsembleResult", "run_ensemble", "simulate"]
