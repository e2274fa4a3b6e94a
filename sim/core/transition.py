"""The one place where decisions change the world: a day's staged transition.

:func:`step` takes the world at the start of a day, everybody's :class:`Decisions` for that day
(made simultaneously from the same observation, after any interventions), the parameters and the
run's keyed draws, and returns the next day's world and a :class:`DayRecord` of what happened (the
stages' records, from which :mod:`sim.core.events` builds event rows, and the day's observables).
The work is done by the stages of :mod:`sim.core.stages`, in a fixed order: Iran's acts, the
militias', the US's, Iraq's (executive and parliament), the world's dynamics and the observables.
It is pure: all randomness is keyed draws (:mod:`sim.core.draws`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.core.draws import Stream
from sim.core.params import Params
from sim.core.stages import (
    NOTHING_DECLARED,
    Declared,
    Dynamics,
    IranActs,
    IraqActs,
    MilitiaActs,
    USActs,
    dynamics,
    iran_acts,
    iraq_acts,
    militia_acts,
    observables,
    us_acts,
)
from sim.core.state import World

Arr = npt.NDArray[Any]

__all__ = ["NOTHING_DECLARED", "DayRecord", "Decisions", "Declared", "step"]


@dataclass(frozen=True)
class Decisions:
    """Everyone's choices for one day (codes of the enums of :mod:`sim.config`).

    Each actor fills its own fields (:attr:`agents.Actor.decides`); an intervention replaces
    some of them before the transition (:mod:`sim.core.interventions`).
    """

    iran: Arr  # (R,) strategy held or chosen today
    iran_direct: Arr  # (R,) -1, or the lead time (days) of a direct strike committed today
    militia: Arr  # (M, R) tactic (0 stand down)
    us_strike: Arr  # (R,) -1, or the group the US strikes today
    us_strike_iran: Arr  # (R,) bool
    us_protect: Arr  # (R,) bool: force protection ordered
    us_policy: Arr  # (len(USPolicy), R) bool: the policy instruments used today
    us_waiver_days: Arr  # (R,) length of a waiver renewed today
    exec_acts: Arr  # (len(ExecAct), R) bool
    exec_alignment: Arr  # (R,) alignment of a PM-designate named today
    request: Arr  # (R,) bool: a bloc leader asks for a sitting on the US presence
    sitting: Arr  # (R,) -1 none, or the Motion parliament sits on today
    bloc_choice: Arr  # (B, R) 0 boycott, 1 no, 2 yes (-1 when no sitting)


@dataclass(frozen=True)
class DayRecord:
    """What happened on one day: each stage's record, the observables and the day's rung."""

    day: int
    iran: IranActs
    militia: MilitiaActs
    us: USActs
    iraq: IraqActs
    dyn: Dynamics
    obs: Arr  # (len(OBSERVABLES), R)
    shocks: tuple[tuple[str, str, str, str, Arr], ...] = ()  # (kind, actor, target, note, where applied)

    @property
    def rung(self) -> Arr:
        """The day's escalation rung."""
        return self.dyn.rung

    @property
    def attacks(self) -> Arr:
        """Attacks today (the record's attacks, storms, Iran's direct acts)."""
        return np.asarray(self.militia.attacks + self.militia.by_tactic[-1] + self.iran.direct)


def step(world: World, dec: Decisions, P: Params, keys: Stream,
         declared: Declared = NOTHING_DECLARED) -> tuple[World, DayRecord]:
    """Apply one day's decisions; return the next world and the day's record.

    ``declared`` fixes the US casualties of some acts instead of drawing them (history replay).
    """
    w = world
    iran = iran_acts(w, dec.iran, dec.iran_direct, P, keys, declared)
    mil = militia_acts(w, dec.militia, P, iran, keys, declared)
    us = us_acts(w, dec.us_strike, dec.us_strike_iran, dec.us_protect, dec.us_policy, dec.us_waiver_days,
                 dec.exec_acts, P, iran, mil, keys)
    iraq = iraq_acts(w, dec.exec_acts, dec.exec_alignment, dec.request, dec.sitting, dec.bloc_choice, P)
    dyn = dynamics(w, P, iran, mil, us, iraq, keys)
    obs, firsts = observables(P, iran, mil, us, iraq, dyn)
    v = dyn.values
    presence_vote = iraq.on_presence
    nxt = World(
        day=w.day + 1,
        troops=us.troops, protection=us.protection, consolidation=us.consolidation, held_exposed=us.held_exposed,
        drawdown_target=us.drawdown_target, drawdown_pace=us.drawdown_pace,
        sentiment=v["sentiment"], revenge=v["revenge"], us_audience=v["us_audience"],
        iran_audience=v["iran_audience"], tension=v["tension"], diplomacy=v["diplomacy"],
        iran_political=v["iran_political"], isis=v["isis"], war=v["war"],
        sanctions_iran=us.sanctions_iran, sanctions_iraq=us.sanctions_iraq, sanction_threat=us.sanction_threat,
        waiver_days=us.waiver_days, iran_harm=v["iran_harm"], expulsion=v["expulsion"],
        deescalation=v["deescalation"], legal=iraq.legal,
        threat=v["threat"], threat_iran=v["threat_iran"], deaths=v["deaths"], grievance=v["grievance"],
        unreported=v["unreported"],
        us_trigger=v["us_trigger"],
        iran_strategy=iran.strategy.astype(np.int64), iran_trigger=v["iran_trigger"],
        direct_demand=w.direct_demand & ~iran.fired, direct_countdown=iran.countdown.astype(np.int64),
        stock=us.stock, excitation=v["excitation"], last_attack=v["last_attack"], truce=v["truce"],
        days_since_attack=v["days_since_attack"], days_since_us_strike=v["days_since_us_strike"],
        last_strike_target=v["last_strike_target"].astype(np.int64), warned=v["warned"],
        pm_status=iraq.pm_status.astype(np.int64), pm_alignment=iraq.pm_alignment,
        designate_days=iraq.designate_days, days_without_gov=iraq.days_without_gov,
        conf_requested=iraq.conf_requested, conf_failed=iraq.conf_failed, crackdown=iraq.crackdown,
        invitation=iraq.invitation,
        dialogue_stage=us.dialogue_stage.astype(np.int64), session_countdown=us.session_countdown,
        last_session=us.last_session, timetable=us.timetable & (us.troops > us.drawdown_target),
        agenda=v["agenda"], sitting_requested=iraq.sitting_requested,
        days_since_vote=np.where(presence_vote, 0.0, w.days_since_vote + 1.0),
        last_vote_choice=np.where(iraq.motion >= 0, iraq.choices, w.last_vote_choice),
        last_vote_level=np.where(presence_vote, iraq.level, np.where(iraq.motion >= 0, 0, w.last_vote_level)),
        last_vote_present=np.where(iraq.motion >= 0, iraq.present, w.last_vote_present),
        last_vote_yes=np.where(iraq.motion >= 0, iraq.yes, w.last_vote_yes),
        last_vote_motion=np.where(iraq.motion >= 0, iraq.motion, w.last_vote_motion),
        counters=w.counters.advance(w.day, obs, dyn.rung, iran.strategy, firsts),
    )
    return nxt, DayRecord(day=w.day, iran=iran, militia=mil, us=us, iraq=iraq, dyn=dyn, obs=obs)
