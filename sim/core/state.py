"""World state, the cumulative record, and the read-only observation actors receive.

This module owns the layout of the world: every state variable is a numpy array whose last axis
is the replicate axis (length 1 in a Mesa run, R in the ensemble); per-militia and per-bloc
variables put the entity axis first. :class:`World` and its :class:`Counters` are immutable:
:mod:`sim.core.transition` returns new ones each day.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from sim.config import STRATEGIES, Config
from sim.core import rules
from sim.core.params import Params

Arr = npt.NDArray[Any]

#: "Days since" an event that has not happened yet (larger than any run or window).
NEVER: Final = 1_000_000.0


@dataclass(frozen=True, slots=True)
class Counters:
    """The cumulative record of a run, (R,) each; metrics are read from it (all start at 0)."""

    us_killed: Arr
    us_wounded: Arr
    iraqi_killed: Arr
    militia_killed: Arr
    iranian_killed: Arr
    militia_attacks: Arr
    lethal_attacks: Arr
    harassments: Arr
    deadly_strikes: Arr
    storms: Arr
    calibrated_strikes: Arr
    calibrated_us_killed: Arr
    outside_attacks: Arr
    us_strikes_iraq: Arr
    us_strikes_iran: Arr
    us_sanctions_iraq: Arr
    us_sanctions_iran: Arr
    drawdowns: Arr
    talks_offers: Arr
    protection_orders: Arr
    ops_paused_days: Arr
    votes_held: Arr
    resolution_passed: Arr
    limits_passed: Arr
    binding_law_passed: Arr
    max_rung: Arr
    iran_resolve: Arr
    iran_econ_cost: Arr
    exit_pressure_sum: Arr
    days: Arr
    killed_by_us_strikes: Arr
    strategy_days: Arr  # (strategies, R): days Iran spent on each strategy

    @classmethod
    def zeros(cls, replicates: int) -> Counters:
        """All counters at 0 for ``replicates`` replicates."""
        values = {f.name: np.zeros(replicates) for f in dataclasses.fields(cls)}
        values["strategy_days"] = np.zeros((len(STRATEGIES), replicates))
        return cls(**values)


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
    counters: Counters

    def replace(self, **changes: Any) -> World:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    @property
    def us_struck_yesterday(self) -> Arr:
        """The US struck militias or Iran on the previous day (derived, not stored)."""
        return self.days_since_us_strike == 0


def initial_world(cfg: Config, replicates: int) -> World:
    """Day-0 world for ``replicates`` replicates, from the config's ``initial`` section."""
    r = replicates
    ini = cfg.initial
    m = len(cfg.actors.militias)
    b = len(cfg.actors.parliament.blocs)

    def full(v: float, dtype: Any = np.float64) -> Arr:
        return np.full(r, v, dtype=dtype)

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
        days_since_attack=full(NEVER),
        days_since_us_strike=full(NEVER),
        days_since_vote=full(NEVER),
        stock=np.repeat(
            np.array([[row.missile_stock] for row in cfg.actors.militias], dtype=np.float64), r, axis=1
        ).reshape(m, r),
        militia_recent=np.zeros((m, r)),
        last_vote_choice=np.full((b, r), -1, dtype=np.int64),
        last_vote_level=full(0, np.int64),
        last_vote_present=full(0.0),
        last_vote_yes=full(0.0),
        counters=Counters.zeros(r),
    )


@dataclass(frozen=True)
class Observation:
    """What an actor sees at the start of a day: the world as it stands (read-only view)."""

    world: World
    params: Params

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
        return np.asarray((w.days_since_attack < window) & (w.days_since_us_strike >= window))

    @property
    def parliament_pressure(self) -> Arr:
        """Pressure to table the next legal step: mean of anger and Iranian political pressure."""
        return 0.5 * (self.world.sentiment + self.world.iran_political)


def observe(world: World, params: Params) -> Observation:
    """The observation every actor receives at the start of a day."""
    return Observation(world=world, params=params)
