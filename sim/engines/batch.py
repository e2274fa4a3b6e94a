"""Batch form: many parameter rows at once, one replicate axis, for exploratory-modelling tools.

This module owns stacking several configurations into one vectorised run: parameters that are
equal in every row stay scalars, those that differ become arrays over the replicate axis, and
the ensemble engine (:func:`sim.engines.ensemble.simulate`) runs them together with the same rules.
Row r with seed s gives exactly ``sim.run_model(seed=s, **row_r)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from sim.config import Config, UserError, load_config, with_overrides
from sim.core.draws import check_seed
from sim.core.params import Params, build_params, build_thresholds
from sim.core.state import World, initial_world
from sim.engines.ensemble import EnsembleResult, simulate


def stack_values[T](values: Sequence[T], where: str = "params") -> T:
    """Stack leaf values of several rows: equal values stay as they are, varying ones become arrays.

    Dataclasses (the typed parameters) are stacked field by field, tuples and lists item by
    item; text and dates must agree across rows.
    """
    first: Any = values[0]
    if dataclasses.is_dataclass(first) and not isinstance(first, type):
        return type(first)(**{  # type: ignore[return-value]
            f.name: stack_values([getattr(v, f.name) for v in values], f"{where}.{f.name}")
            for f in dataclasses.fields(first)
        })
    if isinstance(first, (list, tuple)):
        if any(len(v) != len(first) for v in values):  # type: ignore[arg-type]
            raise UserError(f"{where}: rows differ in length; rows of one batch must share structure")
        items = [stack_values([v[i] for v in values], f"{where}.{i}") for i in range(len(first))]  # type: ignore[index]
        return type(first)(items)  # type: ignore[return-value]
    if isinstance(first, (str, dt.date)) or first is None:
        if any(v != first for v in values):
            raise UserError(f"{where}: rows differ ({first!r} vs others); run them in separate batches")
        return first  # type: ignore[no-any-return,return-value]
    if all(v == first for v in values):
        return first  # type: ignore[no-any-return]
    return np.asarray(values)  # type: ignore[return-value]


def stack_params(params: Sequence[Params]) -> Params:
    """One parameter bundle for rows of configs: shared values scalar, varying ones arrays (R,)."""
    return stack_values(list(params), "params")


def _concat(values: Sequence[Any]) -> Any:
    first = values[0]
    if dataclasses.is_dataclass(first) and not isinstance(first, type):
        return type(first)(**{f.name: _concat([getattr(v, f.name) for v in values])
                              for f in dataclasses.fields(first)})
    if isinstance(first, int):  # the day
        return first
    return np.concatenate(values, axis=-1)


def stack_worlds(worlds: Sequence[World]) -> World:
    """Concatenate worlds (and their counters) along the replicate axis."""
    return _concat(worlds)  # type: ignore[no-any-return]


def simulate_configs(cfgs: Sequence[Config], replicates: Sequence[int], seeds: Sequence[int], days: int,
                     *, record_series: bool = False) -> EnsembleResult:
    """Run ``replicates[i]`` replicates of each config ``cfgs[i]`` side by side in one batch.

    ``seeds`` has one seed per replicate, config by config. Rows must share structure (see
    :func:`stack_values`).
    """
    per_run = [c for c, n in zip(cfgs, replicates, strict=True) for _ in range(n)]
    params = [build_params(c) for c in cfgs]
    P = stack_params([params[i] for i, n in enumerate(replicates) for _ in range(n)])
    th = stack_values([build_thresholds(c) for c in per_run], "outcomes")
    world = stack_worlds([initial_world(c, n) for c, n in zip(cfgs, replicates, strict=True)])
    return simulate(P, world, np.asarray(seeds, dtype=np.uint64), days, th, record_series=record_series)


def run_batch(
    rows: Iterable[Mapping[str, Any]],
    seeds: Sequence[int],
    days: int | None = None,
    config: Config | str | None = None,
) -> list[dict[str, Any]]:
    """Run one replicate per (parameter row, seed) pair, all at once; return flat dicts.

    ``rows`` are dotted-path overrides of ``config`` (default baseline), ``seeds`` one per row.
    Each returned dict equals ``sim.run_model(seed=seeds[i], days=days, **rows[i])``.
    """
    base = config if isinstance(config, Config) else load_config(config)
    rows = [dict(r) for r in rows]
    if len(rows) != len(seeds):
        raise UserError(f"run_batch: {len(rows)} parameter rows but {len(seeds)} seeds")
    checked = [check_seed(s, f"run_batch: seeds[{i}]") for i, s in enumerate(seeds)]
    if not rows:
        return []
    cfgs = [with_overrides(base, r) for r in rows]
    n_days = int(days) if days is not None else cfgs[0].meta.days
    if days is None and any(c.meta.days != n_days for c in cfgs):
        raise UserError("run_batch: rows differ in meta.days; pass days= or batch them apart")
    return simulate_configs(cfgs, [1] * len(cfgs), checked, n_days).records()
