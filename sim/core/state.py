"""World state, the read-only observation agents receive, and numeric parameter bundles.

This module owns the layout of the world: every state variable is a numpy array whose last axis
is the replicate axis (length 1 in a Mesa run, R in the ensemble); per-militia and per-bloc
variables put the entity axis first. :class:`World` is immutable: :mod:`sim.core.transition` returns a
new one each day. :func:`build_params` turns a validated :class:`~sim.config.Config` into the
plain attribute bags that the rule functions read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import STRATEGIES, Config
from sim.core import rules

Arr = npt.NDArray[Any]


def _ns(**kw: Any) -> SimpleNamespace:
    return SimpleNamespace(**kw)


def build_params(cfg: Config) -> SimpleNamespace:
    """Numeric parameter bundles for the rules, one per actor plus world dynamics."""
    a = cfg.actors
    ir = a.iran
    profiles = [getattr(ir.strategies, s) for s in STRATEGIES]
    iran = _ns(
        **{k: getattr(ir, k) for k in (
            "rationality", "inertia", "revenge_weight", "pressure_weight", "retaliation_weight",
            "war_weight", "economic_weight", "isis_weight", "diplomacy_weight", "audience_weight",
            "iraq_market_share", "belief_learning_rate", "posture_bias",
            "resupply", "political_push", "media_push")},
        profiles=profiles,
        resolve=[pr.resolve for pr in profiles],
        orders=[pr.order for pr in profiles],
        rungs=[pr.rung for pr in profiles],
        outside_prob=[pr.outside for pr in profiles],
        diplomacy_index=STRATEGIES.index("diplomacy"),
        political_index=STRATEGIES.index("political_pressure"),
        calibrated_index=STRATEGIES.index("calibrated_strike"),
        middle_index=STRATEGIES.index("middle_ground"),
        major_index=STRATEGIES.index("major_escalation"),
        posture_index=STRATEGIES.index(ir.posture) if ir.posture != "none" else -1,
        repeat_penalty=ir.calibrated_strike.repeat_penalty,
        calibrated=ir.calibrated_strike,
        outside=ir.outside_attack,
    )
    us_cfg = a.united_states
    us = _ns(**us_cfg.model_dump(exclude={"costs", "strike_militias", "strike_iran"}),
             costs=us_cfg.costs, strike_militias=us_cfg.strike_militias,
             strike_iran=us_cfg.strike_iran, initial_troops=cfg.initial.us_troops)
    mc = a.militia_common
    militia = _ns(
        rationality=mc.rationality,
        stand_down_value=mc.stand_down_value,
        order_weight=mc.order_weight,
        hostility_weight=mc.hostility_weight,
        mood_weight=mc.mood_weight,
        fear_weight=mc.fear_weight,
        no_stock_penalty=mc.no_stock_penalty,
        cost=[0.0, mc.action_costs.harass, mc.action_costs.deadly, mc.action_costs.storm],
        severity=[0.0, mc.retaliation_severity.harass, mc.retaliation_severity.deadly,
                  mc.retaliation_severity.storm],
        unanswered_window=mc.unanswered_window,
        attacks=[None, mc.harass, mc.deadly, mc.storm],
        rows=a.militias,
        names=[m.name for m in a.militias],
    )
    pa = a.parliament
    parliament = _ns(
        **pa.model_dump(exclude={"blocs", "hurdles"}),
        hurdles=[0.0, pa.hurdles.resolution, pa.hurdles.limits, pa.hurdles.binding_law],
        blocs=pa.blocs,
        names=[b.name for b in pa.blocs],
        seats=[float(b.seats) for b in pa.blocs],
    )
    world = _ns(**cfg.world.model_dump(exclude={"sites"}), sites=cfg.world.sites)
    return _ns(iran=iran, us=us, militia=militia, parliament=parliament, world=world,
               outcomes=cfg.outcomes, days=cfg.meta.days, start_date=cfg.meta.start_date,
               iran_initial_belief=cfg.initial.iran_belief_us_retaliation)


@dataclass(frozen=True)
class World:
    """The world on one day, for R replicates (arrays of shape (R,) or (entities, R))."""

    day: int
    troops: Arr
    protection: Arr
    sentiment: Arr
    revenge: Arr
    us_audience: Arr
    iran_audience: Arr
    sanctions_iran: Arr
    sanctions_iraq: Arr
    sanction_threat: Arr
    isis: Arr
    legal: Arr
    diplomacy: Arr
    tension: Arr
    iran_political: Arr
    iran_strategy: Arr
    war: Arr
    threat: Arr
    threat_iran: Arr
    days_since_attack: Arr
    days_since_us_strike: Arr
    days_since_vote: Arr
    stock: Arr  # (M, R)
    militia_recent: Arr  # (M, R) recent harm caused by each militia (US targeting)
    last_vote_choice: Arr  # (B, R) -1 none, 0 boycott, 1 no, 2 yes
    last_vote_level: Arr
    last_vote_present: Arr
    last_vote_yes: Arr
    # cumulative record
    counters: dict[str, Arr] = field(default_factory=dict)

    def replace(self, **changes: Any) -> World:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    @property
    def us_struck_yesterday(self) -> Arr:
        """The US struck militias or Iran on the previous day (derived, not stored)."""
        return self.days_since_us_strike == 0

    @property
    def replicates(self) -> int:
        """Number of replicates held."""
        return int(self.troops.shape[-1])


#: Cumulative counters kept for every run (all start at 0); metrics are read from them.
COUNTERS: tuple[str, ...] = (
    "us_killed", "us_wounded", "iraqi_killed", "militia_killed", "iranian_killed",
    "militia_attacks", "lethal_attacks", "harassments", "deadly_strikes", "storms",
    "calibrated_strikes", "calibrated_us_killed", "outside_attacks", "us_strikes_iraq",
    "us_strikes_iran", "us_sanctions_iraq", "us_sanctions_iran", "drawdowns", "talks_offers",
    "protection_orders", "ops_paused_days", "votes_held", "resolution_passed", "limits_passed",
    "binding_law_passed", "max_rung", "iran_resolve", "iran_econ_cost", "exit_pressure_sum",
    "days", "killed_by_us_strikes",
) + tuple(f"days_{s}" for s in STRATEGIES)


def initial_world(cfg: Config, replicates: int) -> World:
    """Day-0 world for ``replicates`` replicates, from the config's ``initial`` section."""
    r = replicates
    ini = cfg.initial
    m = len(cfg.actors.militias)
    b = len(cfg.actors.parliament.blocs)

    def full(v: float, dtype: Any = np.float64) -> Arr:
        return np.full(r, v, dtype=dtype)

    counters = {k: np.zeros(r, dtype=np.float64) for k in COUNTERS}
    return World(
        day=0,
        troops=full(ini.us_troops),
        protection=full(ini.us_protection),
        sentiment=full(ini.sentiment),
        revenge=full(ini.revenge),
        us_audience=full(ini.us_audience_cost),
        iran_audience=full(ini.iran_audience_cost),
        sanctions_iran=full(ini.sanctions_iran),
        sanctions_iraq=full(ini.sanctions_iraq),
        sanction_threat=full(ini.sanction_threat),
        isis=full(ini.isis_strength),
        legal=full(ini.legal_status, np.int64),
        diplomacy=full(ini.diplomacy),
        tension=full(ini.tension),
        iran_political=full(ini.iran_political_pressure),
        iran_strategy=full(STRATEGIES.index(ini.iran_strategy), np.int64),
        war=full(False, np.bool_),
        threat=full(0.0),
        threat_iran=full(0.0),
        days_since_attack=full(1_000_000.0),
        days_since_us_strike=full(1_000_000.0),
        days_since_vote=full(1_000_000.0),
        stock=np.repeat(
            np.array([[row.missile_stock] for row in cfg.actors.militias], dtype=np.float64), r, axis=1
        ).reshape(m, r),
        militia_recent=np.zeros((m, r)),
        last_vote_choice=np.full((b, r), -1, dtype=np.int64),
        last_vote_level=full(0, np.int64),
        last_vote_present=full(0.0),
        last_vote_yes=full(0.0),
        counters=counters,
    )


@dataclass(frozen=True)
class Observation:
    """What an agent sees at the start of a day: the world as it stands (read-only view)."""

    world: World
    params: SimpleNamespace

    @property
    def presence(self) -> Arr:
        """US troops as a share of the day-0 level (0 once the US has left)."""
        us = self.params.us
        return rules.presence(self.world.troops, initial=us.initial_troops,
                              exit_threshold=us.exit_threshold)

    @property
    def unanswered(self) -> Arr:
        """Attacks go on (one within ``unanswered_window`` days) and the US has not struck for as long."""
        w = self.world
        window = self.params.militia.unanswered_window
        return (w.days_since_attack < window) & (w.days_since_us_strike >= window)

    @property
    def parliament_pressure(self) -> Arr:
        """Pressure to table the next legal step: mean of anger and Iranian political pressure."""
        return 0.5 * (self.world.sentiment + self.world.iran_political)


def observe(world: World, params: SimpleNamespace) -> Observation:
    """The observation every agent receives at the start of a day."""
    return Observation(world=world, params=params)

