"""The Mesa model: ``EscalationModel``, one step = one day from 3 January 2020.

This module owns the Mesa run: it builds one Mesa agent per registered actor
(:data:`agents.ACTORS`, wrapped by :class:`agents.mesa.ActorAgent`; each actor gets its own
parameters), and each step reads like Mesa's ``pd_grid`` example: observe -> every agent learns
-> every agent decides (from the same observation) -> one transition applies all decisions
(:func:`sim.core.transition.step`, the one place the world changes) -> record (a DataCollector of
daily model-level series, the event record and the calendar-month observables). Exogenous shocks
are applied at the start of a day and interventions replace decisions before the transition, as in
the ensemble. All randomness is keyed on the run's seed
(:mod:`sim.core.draws`); Mesa's own ``rng``/``random`` are seeded from the same seed.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents import Actor, apply_interventions, apply_shocks, build_actors, merge_decisions
from agents.mesa import ActorAgent
from sim.config import Config, ConfigError, load_config, with_overrides
from sim.core import draws, transition
from sim.core.counters import Monthly
from sim.core.events import EVENT_COLUMNS, SERIES_COLUMNS, daily_series, event_rows
from sim.core.outcomes import classify, metrics
from sim.core.params import build_params, build_thresholds
from sim.core.state import initial_world, observe


def _series_value(model: EscalationModel, key: str) -> Any:
    value = model.today[key][0]
    return value.item() if hasattr(value, "item") else value


#: Named, picklable reporters (one per daily series).
MODEL_REPORTERS = {k: functools.partial(_series_value, key=k) for k in SERIES_COLUMNS}


def seed_from(rng: Any) -> int:
    """An integer run seed from Mesa's ``rng`` argument (None draws a fresh one)."""
    if rng is None:
        return draws.fresh_seed()
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    return draws.check_seed(rng)  # 0 .. 2**63 - 1, never wrapped


class EscalationModel(mesa.Model):
    """US-Iran escalation in Iraq after 3 January 2020.

    Args:
        config: a :class:`~sim.config.Config`, a path to a YAML config, or None (baseline).
        rng: the run seed (int), a numpy Generator to draw one from, or None (fresh seed).
        seed: alias of ``rng`` (lets ``mesa.batch_run`` sweep ``rng`` as a parameter: with
            ``seed`` in the signature it fills ``seed`` with None and keeps ``rng``).
        days: run length; defaults to ``meta.days`` of the config.
        overrides: dotted-path overrides (``{"actors.iran.revenge_weight": 0.8}``).
        **params: more overrides as keywords; dotted keys work through ``**{...}`` (as
            ``mesa.batch_run`` passes them) and ``__`` stands for ``.``.
    """

    def __init__(
        self,
        config: Config | str | Path | None = None,
        *,
        rng: Any = None,
        seed: Any = None,
        days: int | None = None,
        overrides: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> None:
        if seed is not None and rng is not None and seed != rng:
            raise ConfigError(f"seed {seed!r} and rng {rng!r} disagree; give one of them")
        seed = seed_from(rng if rng is not None else seed)
        super().__init__(rng=seed)
        cfg = config if isinstance(config, Config) else load_config(config)
        cfg = with_overrides(cfg, {**(overrides or {}), **{k.replace("__", "."): v for k, v in params.items()}})
        if days is not None and (not isinstance(days, (int, np.integer)) or days < 1):
            raise ConfigError(f"days: {days!r} is not allowed; must be a positive integer")
        self.config = cfg
        self.seed = seed
        self.seeds = np.array([seed], dtype=np.uint64)
        self.keys = draws.Stream(self.seeds)
        self.days = int(days) if days is not None else cfg.meta.days
        self.params = build_params(cfg)
        self.thresholds = build_thresholds(cfg)
        self.world = initial_world(cfg, 1)
        for actor in build_actors(self.params, 1):
            ActorAgent(self, actor)
        self.events: list[dict[str, Any]] = []
        self.monthly = Monthly(cfg.meta.start_date, self.days, 1)
        self.today = daily_series(self.world, None)
        self.datacollector = mesa.DataCollector(model_reporters=MODEL_REPORTERS)
        self.datacollector.collect(self)
        self.running = True

    # ------------------------------------------------------------------ one day
    def step(self) -> None:
        """Advance one day: observe, every agent learns, every agent decides, one transition, record."""
        if not self.running:
            return
        actors = {a.key: a.actor for a in self.agents}
        self.world, applied = apply_shocks(self.world, self.params, actors)
        obs = observe(self.world, self.params)
        self.agents.do("learn", obs)
        self.agents.do("decide", obs)
        decisions = apply_interventions(merge_decisions(agent.decision for agent in self.agents), self.params,
                                        obs, actors, self.keys)
        self.world, record = transition.step(self.world, decisions, self.params, self.keys)
        if applied:
            record = dataclasses.replace(record, shocks=tuple((s.kind, s.actor, s.target, s.note, where)
                                                              for s, where in applied))
        self.monthly.add(record.day, record.obs)
        self.events.extend(event_rows(record, self.params))
        self.today = daily_series(self.world, record)
        self.datacollector.collect(self)
        if self.world.day >= self.days:
            self.running = False

    def actor(self, key: str) -> Actor:
        """The actor with this key (``"us"``, ``"iran"``, ``"militias"``, ``"executive"``, ``"parliament"``)."""
        return next(a.actor for a in self.agents if a.key == key)

    def run(self) -> EscalationModel:
        """Run to the end (``days`` steps)."""
        while self.running:
            self.step()
        return self

    # ------------------------------------------------------------------ results
    def metrics(self) -> dict[str, Any]:
        """End-state metrics and the path, as plain Python values."""
        m = metrics(self.world, self.params)
        path, tracks = classify(m, self.thresholds)
        out: dict[str, Any] = {"path": str(path[0])}
        out.update({k: str(v[0]) for k, v in tracks.items()})
        out.update({k: v[0].item() for k, v in m.items()})
        return out

    def timeline(self) -> pd.DataFrame:
        """The daily series, one row per day (day 0 = the start date)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        start = self.config.meta.start_date
        df.insert(1, "date", [(start + pd.Timedelta(days=int(d))).isoformat() for d in df["day"]])
        return df

    def events_frame(self) -> pd.DataFrame:
        """The event record, one row per act."""
        return pd.DataFrame(self.events, columns=list(EVENT_COLUMNS)).drop(columns="replicate")


def run_model(seed: int | None = None, days: int | None = None, config: Any = None,
              **overrides: Any) -> dict[str, Any]:
    """Run one simulation; return a flat dict of ``path`` and the end-state metrics.

    ``overrides`` are keyed by dotted config path (``**{"actors.iran.revenge_weight": 0.8}``)
    or with ``__`` for dots (``actors__iran__revenge_weight=0.8``). For exploratory-modelling
    tools (EMA Workbench and the like).
    """
    model = EscalationModel(config, rng=seed, days=days, overrides=overrides)
    model.run()
    out = model.metrics()
    out["seed"] = model.seed
    return out
