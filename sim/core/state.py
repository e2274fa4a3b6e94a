"""World state and the read-only observation actors receive.

This module owns the layout of the world: every state variable is a numpy array whose last axis
is the replicate axis (length 1 in a Mesa run, R in the ensemble); per-militia and per-bloc
variables put the entity axis first. :class:`World` is immutable: :mod:`sim.core.transition`
returns a new one each day. The cumulative record (:class:`~sim.core.counters.Counters`) rides
along as ``world.counters``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from sim.config import STRATEGIES, Config, LegalStep, PMStatus
from sim.core import rules
from sim.core.counters import Counters
from sim.core.params import Params

Arr = npt.NDArray[Any]

#: "Days since" an event that has not happened yet (larger than any run or window).
NEVER: Final = 1_000_000.0


@dataclass(frozen=True)
class World:
    """The world on one day, for R replicates (arrays of shape (R,) or (entities, R))."""

    day: int
    # the US presence and its posture
    troops: Arr
    protection: Arr
    consolidation: Arr  # a base consolidation campaign (1 when ordered, decays)
    held_exposed: Arr  # exposed sites still held (handed over in config order)
    drawdown_target: Arr  # troops a negotiated timetable aims at (troops when none)
    drawdown_pace: Arr  # troops withdrawn per day under the timetable (0 when none)
    # moods and escalation
    sentiment: Arr
    revenge: Arr
    us_audience: Arr
    iran_audience: Arr
    tension: Arr
    diplomacy: Arr
    iran_political: Arr
    isis: Arr
    war: Arr
    # sanctions, law and the policy signals
    sanctions_iran: Arr
    sanctions_iraq: Arr
    sanction_threat: Arr
    waiver_days: Arr
    iran_harm: Arr  # harm by Iran and its proxies not yet answered by sanctions on Iran
    expulsion: Arr  # expulsion steps not yet answered by a threat to Iraq
    deescalation: Arr  # Iran's de-escalatory acts (a warned strike that "concluded"), decaying
    legal: Arr
    # what the US knows and feels
    threat: Arr  # remembered reported harm of all attacks (force protection, warnings)
    threat_iran: Arr  # remembered reported harm done by Iran itself
    deaths: Arr  # remembered US and coalition deaths (consolidation, drawdowns)
    grievance: Arr  # (M, R) remembered attributed harm per group (strikes)
    unreported: Arr  # wounded not yet disclosed
    us_trigger: Arr  # bool: an event calls a policy review tomorrow
    # Iran
    iran_strategy: Arr
    iran_trigger: Arr  # chance its choice reopens tomorrow (an event happened today)
    direct_demand: Arr  # bool: a leadership killing awaits its own answer
    direct_countdown: Arr  # days until the committed direct strike fires (-1: none)
    # militias
    stock: Arr  # (M, R) advanced weapons
    excitation: Arr  # (M, R) self-exciting tempo
    last_attack: Arr  # (M, R) days since the group's last attack
    truce: Arr  # bool: militias declared a truce pending the withdrawal timetable
    days_since_attack: Arr
    days_since_us_strike: Arr
    last_strike_target: Arr  # group struck by the last US strike (-1 none)
    warned: Arr  # bool: a US deterrent warning yesterday
    # the executive
    pm_status: Arr
    pm_alignment: Arr
    designate_days: Arr
    days_without_gov: Arr
    conf_requested: Arr  # bool: the designate asked for the confirmation sitting
    conf_failed: Arr  # bool: the designate's last sitting failed (retry or withdraw)
    crackdown: Arr
    invitation: Arr  # bool: the coalition is invited
    # the Strategic Dialogue
    dialogue_stage: Arr  # 0 none, 1 proposed, 2 sessions under way
    session_countdown: Arr  # days to the next session (-1 none scheduled)
    last_session: Arr  # days since the last session
    timetable: Arr  # bool: a negotiated drawdown with a timetable exists
    # parliament
    agenda: Arr
    sitting_requested: Arr  # bool
    days_since_vote: Arr
    last_vote_choice: Arr  # (B, R) -1 none, 0 boycott, 1 no, 2 yes
    last_vote_level: Arr
    last_vote_present: Arr
    last_vote_yes: Arr
    last_vote_motion: Arr
    counters: Counters

    def replace(self, **changes: Any) -> World:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    @property
    def us_struck_yesterday(self) -> Arr:
        """The US struck militias or Iran on the previous day (derived, not stored)."""
        return self.days_since_us_strike == 0

    @property
    def has_mandate(self) -> Arr:
        """A confirmed government sits (not a caretaker or a designate)."""
        return self.pm_status == PMStatus.GOVERNMENT


def initial_world(cfg: Config, replicates: int) -> World:
    """Day-0 world for ``replicates`` replicates, from the config's ``initial`` section."""
    r = replicates
    ini = cfg.initial
    rows = cfg.actors.militias
    m = len(rows)
    b = len(cfg.actors.parliament.blocs)

    def full(v: float, dtype: Any = np.float64) -> Arr:
        return np.full(r, v, dtype=dtype)

    def per_group(values: list[float]) -> Arr:
        return np.repeat(np.array(values, dtype=np.float64)[:, None], r, axis=1).reshape(m, r)

    return World(
        day=0,
        troops=full(ini.us_troops), protection=full(ini.us_protection), consolidation=full(0.0),
        held_exposed=full(float(len(cfg.world.sites.exposed))), drawdown_target=full(ini.us_troops),
        drawdown_pace=full(0.0),
        sentiment=full(ini.sentiment), revenge=full(ini.revenge), us_audience=full(ini.us_audience_cost),
        iran_audience=full(ini.iran_audience_cost), tension=full(ini.tension), diplomacy=full(ini.diplomacy),
        iran_political=full(ini.iran_political_pressure), isis=full(ini.isis_strength),
        war=full(False, np.bool_),
        sanctions_iran=full(ini.sanctions_iran), sanctions_iraq=full(ini.sanctions_iraq),
        sanction_threat=full(ini.sanction_threat), waiver_days=full(ini.waiver_days), iran_harm=full(0.0),
        expulsion=full(0.0), deescalation=full(0.0), legal=full(ini.legal_status, np.int64),
        threat=full(ini.us_threat), threat_iran=full(0.0), deaths=full(0.0), grievance=np.zeros((m, r)),
        unreported=full(0.0),
        us_trigger=full(False, np.bool_),
        iran_strategy=full(STRATEGIES.index(ini.iran_strategy), np.int64),
        # a leadership killing awaiting Iran's answer (day 0 of the baseline) reopens its choice
        iran_trigger=full(cfg.actors.iran.reopen.leadership_killing if ini.direct_demand else 0.0),
        direct_demand=full(ini.direct_demand, np.bool_), direct_countdown=full(-1, np.int64),
        stock=per_group([row.missile_stock for row in rows]), excitation=per_group([row.excitation for row in rows]),
        last_attack=np.full((m, r), NEVER), truce=full(False, np.bool_),
        days_since_attack=full(NEVER), days_since_us_strike=full(NEVER), last_strike_target=full(-1, np.int64),
        warned=full(False, np.bool_),
        pm_status=full(PMStatus.CARETAKER, np.int64), pm_alignment=full(ini.caretaker_alignment),
        designate_days=full(0.0), days_without_gov=full(ini.days_without_government),
        conf_requested=full(False, np.bool_), conf_failed=full(False, np.bool_), crackdown=full(0.0),
        invitation=full(True, np.bool_),
        dialogue_stage=full(0, np.int64), session_countdown=full(-1.0), last_session=full(NEVER),
        timetable=full(False, np.bool_),
        agenda=full(ini.agenda), sitting_requested=full(False, np.bool_), days_since_vote=full(NEVER),
        last_vote_choice=np.full((b, r), -1, dtype=np.int64), last_vote_level=full(0, np.int64),
        last_vote_present=full(0.0), last_vote_yes=full(0.0), last_vote_motion=full(-1, np.int64),
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
        return rules.presence(self.world.troops, initial=us.initial_troops, exit_threshold=us.exit_threshold)

    @property
    def unanswered(self) -> Arr:
        """The last attack went unanswered: its window closed today without a US strike."""
        w = self.world
        window = self.params.militia.unanswered_window
        return np.asarray((w.days_since_attack == window) & (w.days_since_us_strike > w.days_since_attack))

    @property
    def group_unanswered(self) -> Arr:
        """(M, R): the group's last attack went unanswered: its window closed today without a US strike."""
        w = self.world
        window = self.params.militia.unanswered_window
        return np.asarray((w.last_attack == window) & (w.days_since_us_strike > w.last_attack))

    @property
    def negotiating(self) -> Arr:
        """A Dialogue session is near or just held (the US presence is being negotiated)."""
        w, win = self.world, self.params.militia.politics_window
        soon = (w.session_countdown >= 0) & (w.session_countdown <= win)
        return np.asarray(soon | (w.last_session <= win))

    @property
    def urgency(self) -> Arr:
        """Blocs' cost of deadlock: days without a government, per 100."""
        return np.asarray(self.world.days_without_gov / 100.0)

    @property
    def next_step(self) -> Arr:
        """The legal step a sitting on the US presence votes on."""
        return np.minimum(self.world.legal + 1, int(LegalStep.BINDING_LAW))


def observe(world: World, params: Params) -> Observation:
    """The observation every actor receives at the start of a day."""
    return Observation(world=world, params=params)
