"""Typed parameters: frozen dataclasses built from the validated config, read by the rules.

This module owns the numeric form of a config that the actors, the rules and the transition
read: one dataclass per actor section (:mod:`sim.core.params_actors`), the world's dynamics
(:class:`WorldParams`), the exogenous shocks and interventions of the run, all gathered in
:class:`Params`. A field holds a number shared by all replicates or, after
:func:`sim.engines.batch.stack_params` has stacked several configs, an array of shape (R,) with
one value per replicate: the rules broadcast either way. :func:`build_params` is the only place
a :class:`~sim.config.Config` becomes parameters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.config import STRATEGIES, TACTICS, Config
from sim.core.params_actors import (
    BlocParams,
    CasualtyParams,
    ConsolidationParams,
    DialogueParams,
    DirectStrikeParams,
    ExecutiveParams,
    HurdleParams,
    IranParams,
    MilitiaParams,
    MilitiaRowParams,
    Num,
    ParliamentParams,
    ReopenParams,
    StrategyParams,
    StrikeIranParams,
    StrikeMilitiaParams,
    TacticParams,
    USCostParams,
    USParams,
    WaiverParams,
    Whole,
)

__all__ = ["Num", "Params", "ShockSpec", "Thresholds", "WorldParams", "Whole", "build_params",
           "build_thresholds", "is_stacked"]


@dataclass(frozen=True, slots=True)
class SiteParams:
    """Named sites of the event record (``world.sites``)."""

    bases: tuple[str, ...]
    exposed: tuple[str, ...]
    embassy: str
    convoys: str
    iran_targets: tuple[str, ...]

    @property
    def all_bases(self) -> tuple[str, ...]:
        """Every coalition site that can be attacked: the exposed ones first, then the rest."""
        return self.exposed + self.bases


@dataclass(frozen=True, slots=True)
class WorldParams:
    """World-state dynamics (``world``)."""

    sentiment_baseline: Num
    sentiment_decay: Num
    attack_sentiment_backlash: Num
    strike_killed_sentiment: Num
    revenge_decay: Num
    revenge_gain: Num
    attack_revenge_satisfaction: Num
    sanction_relief: Num
    iran_audience_gain: Num
    iran_audience_relief: Num
    iran_audience_decay: Num
    political_pressure_decay: Num
    limits_ops_cut: Num
    isis_growth: Num
    isis_suppression: Num
    iraqi_suppression: Num
    tension_memory: Num
    war_threshold: Num
    war_slope: Num
    war_max_hazard: Num
    diplomacy_decay: Num
    diplomacy_breakdown: Num
    handover_exposure: Num
    disclosure_rate: Num
    initial_disclosure: Num
    accident_rate: Num
    accident_tension: Num
    sites: SiteParams


@dataclass(frozen=True, slots=True)
class ShockSpec:
    """An exogenous shock on a day of the run: world fields set or shifted, and its event row."""

    day: int
    kind: str
    actor: str
    target: str
    note: str
    set: tuple[tuple[str, float], ...]
    add: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class InterventionSpec:
    """An intervention on a day of the run: force or forbid one actor's act."""

    day: int
    actor: str
    act: str
    mode: str


@dataclass(frozen=True, slots=True)
class Params:
    """All parameters of a run: one bundle per actor, world dynamics, the calendar, the shocks."""

    iran: IranParams
    us: USParams
    militia: MilitiaParams
    executive: ExecutiveParams
    parliament: ParliamentParams
    world: WorldParams
    start_date: dt.date
    shocks: tuple[ShockSpec, ...] = ()
    interventions: tuple[InterventionSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Thresholds of the path classification (``outcomes``; rates per 100 days)."""

    s2_min_attacks_per_100d: Num
    s3_min_lethal_per_100d: Num
    s3_min_advanced_per_100d: Num
    s1_min_storms_per_100d: Num
    s1_min_iran_strikes_per_100d: Num
    s4_min_political: Whole


def _copy[T](cls: type[T], section: Any, **extra: Any) -> T:
    """``cls`` with the same-named values of a config section, plus ``extra`` values."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    return cls(**{n: getattr(section, n) for n in names if n not in extra}, **extra)


def _day(start: dt.date, item: Any) -> int:
    return int(item.day) if item.day is not None else (item.date - start).days


def _iran(cfg: Config) -> IranParams:
    ir = cfg.actors.iran
    return _copy(
        IranParams, ir,
        posture_index=STRATEGIES.index(ir.posture) if ir.posture != "none" else -1,
        reopen=_copy(ReopenParams, ir.reopen),
        profiles=tuple(_copy(StrategyParams, getattr(ir.strategies, s)) for s in STRATEGIES),
        direct=_copy(DirectStrikeParams, ir.direct_strike),
        outside=_copy(CasualtyParams, ir.outside_attack),
        initial_belief=cfg.initial.iran_belief_us_retaliation,
    )


def _us(cfg: Config) -> USParams:
    u = cfg.actors.united_states
    return _copy(USParams, u, costs=_copy(USCostParams, u.costs),
                 strike_militias=_copy(StrikeMilitiaParams, u.strike_militias),
                 strike_iran=_copy(StrikeIranParams, u.strike_iran),
                 waiver=_copy(WaiverParams, u.waiver), dialogue=_copy(DialogueParams, u.dialogue),
                 consolidation=_copy(ConsolidationParams, u.consolidation),
                 initial_troops=cfg.initial.us_troops)


def _militia(cfg: Config) -> MilitiaParams:
    mc = cfg.actors.militia_common
    rows = tuple(_copy(MilitiaRowParams, m, weights=tuple(getattr(m.tactics, t) for t in TACTICS[1:]),
                       fronts=tuple(m.fronts)) for m in cfg.actors.militias)
    return _copy(MilitiaParams, mc, tactics=tuple(_copy(TacticParams, getattr(mc.tactics, t))
                                                  for t in TACTICS[1:]), rows=rows)


def build_params(cfg: Config) -> Params:
    """The parameters of a validated config, one typed bundle per actor plus world dynamics."""
    from sim.core.interventions import check_interventions  # the vocabulary of acts lives there

    a = cfg.actors
    pa = a.parliament
    parliament = _copy(
        ParliamentParams, pa, hurdles=_copy(HurdleParams, pa.hurdles),
        blocs=tuple(_copy(BlocParams, b, seats=float(b.seats)) for b in pa.blocs),
    )
    s = cfg.world.sites
    world = _copy(WorldParams, cfg.world,
                  sites=SiteParams(tuple(s.bases), tuple(s.exposed), s.embassy, s.convoys,
                                   tuple(s.iran_targets)))
    start = cfg.meta.start_date
    shocks = tuple(ShockSpec(_day(start, x), x.kind, x.actor, x.target, x.note,
                             tuple(sorted(x.set.items())), tuple(sorted(x.add.items())))
                   for x in cfg.exogenous)
    interventions = tuple(InterventionSpec(_day(start, x), x.actor, x.act, x.mode) for x in cfg.interventions)
    check_interventions(cfg, interventions)
    from sim.core.shocks import check_shocks

    check_shocks(cfg, shocks)
    return Params(iran=_iran(cfg), us=_us(cfg), militia=_militia(cfg),
                  executive=_copy(ExecutiveParams, a.executive,
                                  caretaker_alignment=cfg.initial.caretaker_alignment),
                  parliament=parliament, world=world, start_date=start, shocks=shocks,
                  interventions=interventions)


def build_thresholds(cfg: Config) -> Thresholds:
    """The path-classification thresholds of a config."""
    return _copy(Thresholds, cfg.outcomes)


def is_stacked(P: Params) -> bool:
    """Whether any parameter varies by replicate (a stacked batch): sparse code then indexes them."""
    def walk(x: Any) -> bool:
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            return any(walk(getattr(x, f.name)) for f in dataclasses.fields(x))
        if isinstance(x, (tuple, list)):
            return any(walk(v) for v in x)
        return isinstance(x, np.ndarray)
    return walk(P)
