"""The one place where decisions change the world: a day's staged transition.

:func:`step` takes the world at the start of a day, everybody's :class:`Decisions` for that day
(made simultaneously from the same observation), the parameters and the run seeds, and returns
the next day's world and a :class:`DayRecord` of what happened (one :class:`Slot` per actor
act, from which event rows and daily series are built). The work is done by the stages of
:mod:`sim.core.stages`, in a fixed order: Iran's acts, the militias', the US's, parliament's,
then the world's dynamics and the cumulative counters. It is pure: all randomness is keyed
draws (:mod:`sim.core.draws`), and every rule comes from :mod:`sim.core.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import USOption
from sim.core import voting
from sim.core.params import Params
from sim.core.stages import (
    NOTHING_DECLARED,
    Declared,
    Dynamics,
    IranActs,
    MilitiaActs,
    ParliamentActs,
    USActs,
    count,
    dynamics,
    iran_acts,
    militia_acts,
    parliament_acts,
    us_acts,
)
from sim.core.state import World

Arr = npt.NDArray[Any]

__all__ = ["NOTHING_DECLARED", "DayRecord", "Decisions", "Declared", "Slot", "step"]


@dataclass(frozen=True)
class Decisions:
    """Everyone's choices for one day (codes of the option enums of :mod:`sim.config`).

    Each actor fills its own fields (:attr:`agents.Actor.decides`).
    """

    iran: Arr  # (R,) strategy
    militia: Arr  # (M, R) action
    us: Arr  # (R,) option
    vote_held: Arr  # (R,) bool: parliament sits on the next legal step
    bloc_choice: Arr  # (B, R) 0 boycott, 1 no, 2 yes (ignored when no vote)


@dataclass(frozen=True)
class Slot:
    """One actor's act on one day, for R replicates. ``action`` < 0 means nothing happened."""

    actor: str
    kind: str  # 'iran_strategy' | 'iran' | 'iran_outside' | 'militia' | 'us' | 'parliament' | 'bloc_vote' | 'war'
    action: Arr
    target: Arr
    us_killed: Arr
    us_wounded: Arr
    iraqi_killed: Arr
    militia_killed: Arr
    iranian_killed: Arr
    detail: Arr  # numeric detail: seats yes for a vote, troops left for a drawdown, ...


@dataclass(frozen=True)
class DayRecord:
    """What happened on one day: event slots and the day's escalation rung."""

    day: int
    slots: list[Slot]
    rung: Arr
    attacks: Arr


def _slots(w: World, P: Params, iran: IranActs, mil: MilitiaActs, us: USActs,
           parl: ParliamentActs, dyn: Dynamics) -> list[Slot]:
    """The day's event slots, in the order events are listed: Iran, militias, US, parliament, war."""
    zeros = np.zeros_like(w.troops)
    none = zeros.astype(np.int64)
    strat = iran.strategy
    changed = (strat != w.iran_strategy) & ~iran.calibrated  # the strike itself is reported as an act
    slots = [
        Slot("Iran", "iran_strategy", np.where(changed, strat, -1), none, zeros, zeros, zeros, zeros,
             zeros, w.iran_strategy.astype(np.float64)),
        Slot("Iran", "iran", np.where(iran.calibrated, strat, -1), none, iran.cal_killed,
             iran.cal_wounded, zeros, zeros, zeros, zeros + P.iran.calibrated.missiles),
        Slot("Iran", "iran_outside", np.where(iran.outside, strat, -1), none, iran.out_killed,
             iran.out_wounded, zeros, zeros, zeros, zeros),
    ]
    for m, name in enumerate(P.militia.names):
        a = mil.action[m]
        slots.append(Slot(name, "militia", np.where(a > 0, a, -1), mil.target[m], mil.killed[m],
                          mil.wounded[m], mil.iraqi_killed[m], mil.militia_killed[m], zeros, zeros))
    o = us.option
    slots.append(Slot("United States", "us", np.where(o > 0, o, -1),
                      np.where(us.strike_militias, us.target, 0).astype(np.int64), zeros, zeros,
                      us.iraqi_killed, us.militia_killed, us.iranian_killed,
                      np.where(us.did(USOption.DRAWDOWN), us.troops, zeros)))
    pp = P.parliament
    slots.append(Slot("Parliament", "parliament", np.where(parl.held, parl.level, -1),
                      parl.passes.astype(np.int64), zeros, zeros, zeros, zeros, zeros, parl.yes))
    for b, name in enumerate(pp.names):  # how each bloc attended and voted (0 boycott, 1 no, 2 yes)
        slots.append(Slot(name, "bloc_vote", np.where(parl.held, parl.choices[b], -1),
                          parl.level.astype(np.int64), zeros, zeros, zeros, zeros, zeros,
                          zeros + voting.bloc_seats(pp.seats[b], pp.cohesion)))
    slots.append(Slot("World", "war", np.where(dyn.new_war, 1, -1), none, zeros, zeros, zeros,
                      zeros, zeros, dyn.tension))
    return slots


def step(world: World, dec: Decisions, P: Params, seeds: Arr,
         declared: Declared = NOTHING_DECLARED) -> tuple[World, DayRecord]:
    """Apply one day's decisions; return the next world and the day's record.

    ``declared`` fixes the US casualties of some acts instead of drawing them (history replay).
    """
    w = world
    iran = iran_acts(w, dec.iran, P, seeds, declared)
    mil = militia_acts(w, dec.militia, P, iran, seeds, declared)
    us = us_acts(w, dec.us, P, iran, mil, seeds)
    parl = parliament_acts(w, dec.vote_held, dec.bloc_choice, P)
    dyn = dynamics(w, P, iran, mil, us, parl, seeds)
    any_attack = (mil.attacks + iran.direct) > 0
    nxt = World(
        day=w.day + 1,
        troops=us.troops,
        protection=us.protection,
        sentiment=dyn.sentiment,
        revenge=dyn.revenge,
        us_audience=dyn.us_audience,
        iran_audience=dyn.iran_audience,
        sanctions_iran=us.sanctions_iran,
        sanctions_iraq=us.sanctions_iraq,
        sanction_threat=parl.sanction_threat,
        isis=dyn.isis,
        legal=parl.legal,
        diplomacy=dyn.diplomacy,
        tension=dyn.tension,
        iran_political=dyn.iran_political,
        iran_strategy=iran.strategy.astype(np.int64),
        war=dyn.war,
        threat=dyn.threat,
        threat_iran=dyn.threat_iran,
        days_since_attack=np.where(any_attack, 0.0, w.days_since_attack + 1.0),
        days_since_us_strike=np.where(us.responded, 0.0, w.days_since_us_strike + 1.0),
        days_since_vote=np.where(parl.held, 0.0, w.days_since_vote + 1.0),
        stock=us.stock,
        militia_recent=mil.recent,
        last_vote_choice=parl.vote_choice,
        last_vote_level=np.where(parl.held, parl.level, w.last_vote_level),
        last_vote_present=np.where(parl.held, parl.present, w.last_vote_present),
        last_vote_yes=np.where(parl.held, parl.yes, w.last_vote_yes),
        counters=count(w.counters, iran, mil, us, parl, dyn, P),
    )
    record = DayRecord(day=w.day, slots=_slots(w, P, iran, mil, us, parl, dyn), rung=dyn.rung,
                       attacks=mil.attacks + iran.direct)
    return nxt, record
