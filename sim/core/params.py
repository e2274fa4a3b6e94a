"""Typed parameters: frozen dataclasses built from the validated config, read by the rules.

This module owns the numeric form of a config that the actors, the rules and the transition
read: one dataclass per section (:class:`IranParams`, :class:`USParams`, :class:`MilitiaParams`,
:class:`ParliamentParams`, :class:`WorldParams`), gathered in :class:`Params`. A field holds a
number shared by all replicates or, after :func:`sim.engines.batch.stack_params` has stacked
several configs, an array of shape (R,) with one value per replicate: the rules broadcast either
way. :func:`build_params` is the only place a :class:`~sim.config.Config` becomes parameters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import STRATEGIES, Config, MilitiaAction

#: A number shared by all replicates, or one per replicate (R,) once rows are stacked.
type Num = float | npt.NDArray[np.float64]
#: A whole number shared by all replicates, or one per replicate (R,).
type Whole = int | npt.NDArray[np.int64]



@dataclass(frozen=True, slots=True)
class StrategyParams:
    """What one Iranian strategy does ([002]; ``actors.iran.strategies.<s>``)."""

    resolve: Num
    pressure: Num
    provocation: Num
    war_risk: Num
    order: Whole
    rung: Whole
    relief: Num
    outside: Num


@dataclass(frozen=True, slots=True)
class CalibratedStrikeParams:
    """The warned direct strike of 8 January (``actors.iran.calibrated_strike``)."""

    missiles: Whole
    us_killed_mean: Num
    us_wounded_mean: Num
    revenge_satisfaction: Num
    repeat_penalty: Num


@dataclass(frozen=True, slots=True)
class CasualtyParams:
    """Mean US casualties of one act (``actors.iran.outside_attack``)."""

    us_killed_mean: Num
    us_wounded_mean: Num


@dataclass(frozen=True, slots=True)
class IranParams:
    """Iran's payoff weights, strategy profiles and initial belief (``actors.iran``)."""

    rationality: Num
    inertia: Num
    revenge_weight: Num
    pressure_weight: Num
    retaliation_weight: Num
    war_weight: Num
    economic_weight: Num
    isis_weight: Num
    diplomacy_weight: Num
    audience_weight: Num
    iraq_market_share: Num
    belief_learning_rate: Num
    posture_index: Whole  # the preset's strategy, -1 for none
    posture_bias: Num
    resupply: Num
    political_push: Num
    media_push: Num
    profiles: tuple[StrategyParams, ...]  # STRATEGIES order
    calibrated: CalibratedStrikeParams
    outside: CasualtyParams
    initial_belief: Num

    @property
    def orders(self) -> list[Whole]:
        """The militia action each strategy orders, by strategy code."""
        return [pr.order for pr in self.profiles]

    @property
    def rungs(self) -> list[Whole]:
        """The escalation rung of Iran's own acts under each strategy."""
        return [pr.rung for pr in self.profiles]

    @property
    def outside_prob(self) -> list[Num]:
        """Daily chance of an attack outside Iraq under each strategy."""
        return [pr.outside for pr in self.profiles]


@dataclass(frozen=True, slots=True)
class USCostParams:
    """Fixed cost of each US option against holding (``actors.united_states.costs``)."""

    offer_talks: Num
    force_protection: Num
    strike_militias: Num
    strike_iran: Num
    sanction_iraq: Num
    sanction_iran: Num
    drawdown: Num


@dataclass(frozen=True, slots=True)
class StrikeMilitiaParams:
    """Effects of a US strike on militias in Iraq (``actors.united_states.strike_militias``)."""

    militia_killed_mean: Num
    stock_destroyed: Num
    per_threat_killed: Num
    iraqi_killed_mean: Num
    sentiment_shock: Num


@dataclass(frozen=True, slots=True)
class StrikeIranParams:
    """Effects of a US strike on Iran (``actors.united_states.strike_iran``)."""

    iranian_killed_mean: Num
    tension_shock: Num


@dataclass(frozen=True, slots=True)
class USParams:
    """The United States' weights, costs and effects (``actors.united_states``)."""

    rationality: Num
    retaliation_weight: Num
    audience_weight: Num
    war_avoidance_weight: Num
    sovereignty_weight: Num
    mission_weight: Num
    protection_weight: Num
    drawdown_weight: Num
    compliance_weight: Num
    sanction_iraq_weight: Num
    sanction_iran_weight: Num
    talks_weight: Num
    costs: USCostParams
    strike_militias: StrikeMilitiaParams
    strike_iran: StrikeIranParams
    sanction_step: Num
    drawdown_step: Num
    exit_threshold: Num
    protection_decay: Num
    talks_step: Num
    harm_killed: Num
    harm_wounded: Num
    harm_attack: Num
    threat_memory: Num
    audience_gain: Num
    audience_relief: Num
    audience_decay: Num
    initial_troops: Num  # ``initial.us_troops``: presence is measured against it


@dataclass(frozen=True, slots=True)
class AttackParams:
    """Mean casualties of one militia attack of a kind (``actors.militia_common.<kind>``)."""

    us_killed_mean: Num
    us_wounded_mean: Num
    iraqi_killed_mean: Num
    militia_killed_mean: Num  # attackers killed: storms only (0 for harassment and deadly strikes)


@dataclass(frozen=True, slots=True)
class ActionWeightParams:
    """One number per attack kind."""

    harass: Num
    deadly: Num
    storm: Num

    def by_action(self) -> tuple[Num, ...]:
        """The numbers in ``MILITIA_ACTIONS`` order (0 for standing down)."""
        return (0.0, self.harass, self.deadly, self.storm)


@dataclass(frozen=True, slots=True)
class MilitiaRowParams:
    """One militia group's own parameters (``actors.militias.<i>``)."""

    name: str
    loyalty: Num
    hostility: Num
    fear: Num
    belief_us_retaliation: Num
    learning_rate: Num
    missile_stock: Num
    home_site: str


@dataclass(frozen=True, slots=True)
class MilitiaParams:
    """Weights shared by all militias, the attack kinds, and the groups' rows."""

    rationality: Num
    stand_down_value: Num
    order_weight: Num
    hostility_weight: Num
    mood_weight: Num
    fear_weight: Num
    no_stock_penalty: Num
    action_costs: ActionWeightParams
    retaliation_severity: ActionWeightParams
    unanswered_window: Whole
    harass: AttackParams
    deadly: AttackParams
    storm: AttackParams
    rows: tuple[MilitiaRowParams, ...]

    @property
    def names(self) -> list[str]:
        """The groups' names, in row order."""
        return [m.name for m in self.rows]

    def attack(self, action: MilitiaAction) -> AttackParams:
        """The casualty means of an attack kind."""
        return {MilitiaAction.HARASS: self.harass, MilitiaAction.DEADLY: self.deadly,
                MilitiaAction.STORM: self.storm}[action]


@dataclass(frozen=True, slots=True)
class HurdleParams:
    """How hard each legal step is to pass (``actors.parliament.hurdles``)."""

    resolution: Num
    limits: Num
    binding_law: Num

    def by_step(self) -> tuple[Num, ...]:
        """The hurdles in ``LEGAL_STEPS`` order (0 for none)."""
        return (0.0, self.resolution, self.limits, self.binding_law)


@dataclass(frozen=True, slots=True)
class BlocParams:
    """One parliamentary bloc (``actors.parliament.blocs.<i>``)."""

    name: str
    seats: Num
    bias: Num
    anger: Num
    iran_alignment: Num
    us_ties: Num
    boycott_bias: Num


@dataclass(frozen=True, slots=True)
class ParliamentParams:
    """The Council of Representatives (``actors.parliament``)."""

    total_seats: Whole
    quorum: Whole
    rationality: Num
    cohesion: Num
    session_base: Num
    session_pressure: Num
    motion_trigger: Num
    min_days_between_votes: Whole
    anger_weight: Num
    iran_weight: Num
    sanction_weight: Num
    isis_weight: Num
    hurdles: HurdleParams
    binding_absolute_majority: bool | npt.NDArray[np.bool_]
    blocs: tuple[BlocParams, ...]

    @property
    def names(self) -> list[str]:
        """The blocs' names, in row order."""
        return [b.name for b in self.blocs]

    @property
    def seats(self) -> list[Num]:
        """The blocs' seats, in row order."""
        return [b.seats for b in self.blocs]


@dataclass(frozen=True, slots=True)
class SiteParams:
    """Named sites of the event record (``world.sites``)."""

    bases: tuple[str, ...]
    embassy: str
    iran_targets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WorldParams:
    """World-state dynamics (``world``)."""

    sentiment_baseline: Num
    sentiment_decay: Num
    attack_sentiment_backlash: Num
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
    sites: SiteParams


@dataclass(frozen=True, slots=True)
class Params:
    """All parameters of a run: one bundle per actor plus world dynamics and the start date."""

    iran: IranParams
    us: USParams
    militia: MilitiaParams
    parliament: ParliamentParams
    world: WorldParams
    start_date: dt.date


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Thresholds of the path classification (``outcomes``; rates per 100 days)."""

    s1_min_storms: Whole
    s3_min_deadly_per_100d: Num
    s2_min_attacks_per_100d: Num
    s4_min_legal_status: Whole
    s4_political_margin: Num



def _copy[T](cls: type[T], section: Any, **extra: Any) -> T:
    """``cls`` with the same-named values of a config section, plus ``extra`` values."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    return cls(**{n: getattr(section, n) for n in names if n not in extra}, **extra)


def _attack(section: Any) -> AttackParams:
    return AttackParams(section.us_killed_mean, section.us_wounded_mean, section.iraqi_killed_mean,
                        getattr(section, "militia_killed_mean", 0.0))


def build_params(cfg: Config) -> Params:
    """The parameters of a validated config, one typed bundle per actor plus world dynamics."""
    a = cfg.actors
    ir = a.iran
    iran = _copy(
        IranParams, ir,
        posture_index=STRATEGIES.index(ir.posture) if ir.posture != "none" else -1,
        profiles=tuple(_copy(StrategyParams, getattr(ir.strategies, s)) for s in STRATEGIES),
        calibrated=_copy(CalibratedStrikeParams, ir.calibrated_strike),
        outside=_copy(CasualtyParams, ir.outside_attack),
        initial_belief=cfg.initial.iran_belief_us_retaliation,
    )
    u = a.united_states
    us = _copy(USParams, u, costs=_copy(USCostParams, u.costs),
               strike_militias=_copy(StrikeMilitiaParams, u.strike_militias),
               strike_iran=_copy(StrikeIranParams, u.strike_iran),
               initial_troops=cfg.initial.us_troops)
    mc = a.militia_common
    militia = _copy(
        MilitiaParams, mc,
        action_costs=_copy(ActionWeightParams, mc.action_costs),
        retaliation_severity=_copy(ActionWeightParams, mc.retaliation_severity),
        harass=_attack(mc.harass), deadly=_attack(mc.deadly), storm=_attack(mc.storm),
        rows=tuple(_copy(MilitiaRowParams, m) for m in a.militias),
    )
    pa = a.parliament
    parliament = _copy(
        ParliamentParams, pa, hurdles=_copy(HurdleParams, pa.hurdles),
        blocs=tuple(_copy(BlocParams, b, seats=float(b.seats)) for b in pa.blocs),
    )
    s = cfg.world.sites
    world = _copy(WorldParams, cfg.world,
                  sites=SiteParams(tuple(s.bases), s.embassy, tuple(s.iran_targets)))
    return Params(iran=iran, us=us, militia=militia, parliament=parliament, world=world,
                  start_date=cfg.meta.start_date)


def build_thresholds(cfg: Config) -> Thresholds:
    """The path-classification thresholds of a config."""
    return _copy(Thresholds, cfg.outcomes)
