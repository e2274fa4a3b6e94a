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
from types import SimpleNamespace
from typing import Any

import numpy as np
from pydantic import BaseModel

from sim.config import Config, UserError, load_config, with_overrides
from sim.core.draws import check_seed
from sim.core.state import World, build_params, initial_world
from sim.engines.ensemble import simulate


def stack_values(values: list[Any], where: str = "params") -> Any:
    """Stack leaf values of several rows: equal values stay as they are, varying ones become arrays."""
    first = values[0]
    if isinstance(first, BaseModel):
        values = [SimpleNamespace(**{k: getattr(v, k) for k in type(v).model_fields}) for v in values]
        first = values[0]
    if isinstance(first, SimpleNamespace):
        keys = vars(first).keys()
        return SimpleNamespace(**{k: stack_values([getattr(v, k) for v in values], f"{where}.{k}") for k in keys})
    if isinstance(first, (list, tuple)):
        if any(len(v) != len(first) for v in values):
            raise UserError(f"{where}: rows differ in length; rows of one batch must share structure")
        return [stack_values([v[i] for v in values], f"{where}.{i}") for i in range(len(first))]
    if isinstance(first, (str, dt.date)) or first is None:
        if any(v != first for v in values):
            raise UserError(f"{where}: rows differ ({first!r} vs others); run them in separate batches")
        return first
    if all(v == first for v in values):
        return first
    return np.asarray(values)


def stack_params(params: Sequence[SimpleNamespace]) -> SimpleNamespace:
    """One parameter bundle for rows of configs: shared values scalar, varying ones arrays (R,)."""
    return stack_values(list(params), "params")


def stack_worlds(worlds: Sequence[World]) -> World:
    """Concatenate single-replicate worlds along the replicate axis."""
    first = worlds[0]
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(World):
        vals = [getattr(w, f.name) for w in worlds]
        if f.name == "day":
            fields["day"] = first.day
        elif f.name == "counters":
            fields["counters"] = {k: np.concatenate([v[k] for v in vals], axis=-1) for k in first.counters}
        else:
            fields[f.name] = np.concatenate(vals, axis=-1)
    return World(**fields)


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
    P = stack_params([build_params(c) for c in cfgs])
    world = stack_worlds([initial_world(c, 1) for c in cfgs])
    th = stack_values([c.outcomes for c in cfgs], "outcomes")
    res = simulate(P, world, np.asarray(checked, dtype=np.uint64), n_days, th)
    return res.records()
