"""Ensemble engine: R replicates advanced in lockstep as numpy arrays.

This module owns the vectorised run. It calls the very same decision functions
(:mod:`sim.core.policy`, which call :mod:`sim.core.rules`) and the same :func:`sim.core.transition.resolve` as the
Mesa agents, with the replicate axis R (and militias / blocs as a leading entity axis) instead
of a single replicate. Because every draw is keyed on (seed, day, actor, purpose), replicate r
of an ensemble equals the Mesa run with seed ``seeds[r]``, event for event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import Config
from sim.core import draws as D
from sim.core import policy
from sim.core.events import SERIES_COLUMNS, daily_series, event_rows
from sim.core.outcomes import classify, metrics
from sim.core.state import build_params, initial_world, observe
from sim.core.transition import Decisions, resolve

Arr = npt.NDArray[Any]


@dataclass
class EnsembleResult:
    """Outcomes of R replicates: metrics (arrays), paths, and optional events and series."""

    seeds: Arr
    metrics: dict[str, Arr]
    paths: Arr
    events: list[dict[str, Any]] = field(default_factory=list)
    series: dict[str, Arr] | None = None  # column -> (days + 1, R)

    def records(self) -> list[dict[str, Any]]:
        """One flat dict per replicate: seed, path and metrics (as :func:`sim.run_model`)."""
        out = []
        for r in range(len(self.seeds)):
            row: dict[str, Any] = {"path": str(self.paths[r])}
            row.update({k: v[r].item() for k, v in self.metrics.items()})
            row["seed"] = int(self.seeds[r])
            out.append(row)
        return out


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
                    cfg.outcomes, record_events=record_events, record_series=record_series)


def _entity(values: list[Any], r: int) -> Arr:
    """Per-entity parameters as (entities, 1), or (entities, R) when they vary by replicate."""
    if all(np.ndim(v) == 0 for v in values):
        return np.asarray(values, dtype=np.float64)[:, None]
    return np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64), (r,)) for v in values])


def simulate(
    P: Any,
    world: Any,
    seeds: Arr,
    n_days: int,
    thresholds: Any,
    *,
    record_events: bool = False,
    record_series: bool = False,
) -> EnsembleResult:
    """Advance ``world`` (R replicates) ``n_days`` days under parameters ``P``.

    ``P`` leaves are scalars shared by all replicates or arrays of shape (R,) (see
    :func:`sim.engines.batch.stack_params`); the rules broadcast either way.
    """
    r = len(seeds)
    mil = P.militia.rows
    loyalty = _entity([m.loyalty for m in mil], r)
    hostility = _entity([m.hostility for m in mil], r)
    fear = _entity([m.fear for m in mil], r)
    rates = _entity([m.learning_rate for m in mil], r)
    mil_ids = (D.MILITIA + np.arange(len(mil)))[:, None]
    m_belief = np.broadcast_to(_entity([m.belief_us_retaliation for m in mil], r), (len(mil), r)).copy()
    i_belief = np.broadcast_to(np.asarray(P.iran_initial_belief, dtype=np.float64), (r,)).copy()
    blocs = P.parliament.blocs
    bloc_kw = {
        "bias": _entity([b.bias for b in blocs], r),
        "anger": _entity([b.anger for b in blocs], r),
        "iran_alignment": _entity([b.iran_alignment for b in blocs], r),
        "us_ties": _entity([b.us_ties for b in blocs], r),
        "boycott_bias": _entity([b.boycott_bias for b in blocs], r),
    }
    bloc_ids = (D.BLOC + np.arange(len(blocs)))[:, None]
    events: list[dict[str, Any]] = []
    series: dict[str, list[Arr]] | None = None
    if record_series:
        series = {k: [np.asarray(v).copy()] for k, v in daily_series(world, None).items()}
    for _ in range(n_days):
        obs = observe(world, P)
        m_belief = policy.belief_next(m_belief, rates, obs)
        i_belief = policy.belief_next(i_belief, P.iran.belief_learning_rate, obs)
        dec = Decisions(
            iran=policy.iran_choice(P.iran, obs, i_belief, seeds),
            militia=policy.militia_choice(
                P.militia, obs, actor=mil_ids, loyalty=loyalty, hostility=hostility, fear=fear,
                belief=m_belief, stock=world.stock, orders=P.iran.orders, seeds=seeds),
            us=policy.us_choice(P.us, obs, seeds),
            vote_held=policy.vote_scheduled(P.parliament, obs, seeds),
            bloc_choice=policy.bloc_choice(P.parliament, obs, actor=bloc_ids, seeds=seeds, **bloc_kw),
        )
        world, rec = resolve(world, dec, P, seeds)
        if record_events:
            events.extend(event_rows(rec, P))
        if series is not None:
            for k, v in daily_series(world, rec).items():
                series[k].append(np.asarray(v).copy())
    m = metrics(world.counters, troops=world.troops, war=world.war, isis=world.isis,
                sanctions_iraq=world.sanctions_iraq, legal=world.legal,
                sentiment=world.sentiment, exit_threshold=P.us.exit_threshold)
    paths = classify(m, thresholds)
    stacked = {k: np.stack(series[k]) for k in SERIES_COLUMNS} if series is not None else None
    return EnsembleResult(seeds=seeds, metrics=m, paths=paths, events=events, series=stacked)
