"""The United States' acts on a day, on two tracks.

Military track: a strike on the group it holds the largest grievance against (its casualties, the
weapons it destroys), a strike on Iran proper, force protection (a parallel posture). Policy track:
the instruments decided at a review (sanctions on Iran, threatening versus imposing sanctions on
Iraq, the energy waiver, talks, deterrent warnings, the Strategic Dialogue, base consolidation,
drawdowns) and the Dialogue's sessions, where a negotiated drawdown with a timetable may be agreed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import ExecAct, USPolicy
from sim.core import draws as D
from sim.core import rules
from sim.core.draws import Stream
from sim.core.params import Params
from sim.core.stages.common import Arr, rows, spread
from sim.core.stages.iran import IranActs
from sim.core.stages.militias import MilitiaActs
from sim.core.state import World


@dataclass(frozen=True, slots=True)
class USActs:
    """The US acts today (R,) and the state they set."""

    target: Arr  # group struck (-1 none)
    strike_iran: Arr  # bool
    militia_killed: Arr
    iraqi_killed: Arr
    iranian_killed: Arr
    stock: Arr  # (M, R) advanced weapons after the strike
    protect: Arr  # bool: force protection ordered today
    protection: Arr
    policy: Arr  # (len(USPolicy), R) bool: the instruments used today
    session: Arr  # bool: a Dialogue session was held today
    agreement: Arr  # bool: ... and it agreed a negotiated drawdown
    timetable: Arr  # bool: a negotiated drawdown with a timetable exists
    handover: Arr  # bool: an exposed site was handed over today
    troops: Arr
    drawdown_target: Arr
    drawdown_pace: Arr
    consolidation: Arr
    held_exposed: Arr
    sanctions_iran: Arr
    sanctions_iraq: Arr
    sanction_threat: Arr
    waiver_days: Arr
    lapsed: Arr  # bool: the waiver lapsed today
    dialogue_stage: Arr
    session_countdown: Arr
    last_session: Arr

    @property
    def strike_militias(self) -> Arr:
        """The US struck a group in Iraq today."""
        return np.asarray(self.target >= 0)

    @property
    def responded(self) -> Arr:
        """The US struck (a group or Iran) today."""
        return np.asarray((self.target >= 0) | self.strike_iran)

    @property
    def hits(self) -> Arr:
        """US strikes today (0, 1 or 2: on militias and on Iran)."""
        return np.asarray((self.target >= 0).astype(np.float64) + self.strike_iran)

    def did(self, act: USPolicy) -> Arr:
        """Where the US used a policy instrument today (bool, (R,))."""
        return np.asarray(self.policy[act])


def _strikes(w: World, target: Arr, strike_iran: Arr, P: Params, mil: MilitiaActs, keys: Stream) -> tuple[Arr, ...]:
    t, sm, r = w.day, P.us.strike_militias, len(keys)
    killed, iraqi, iranians = np.zeros(r), np.zeros(r), np.zeros(r)
    stock = mil.stock
    if (target >= 0).any():
        at = rows(target >= 0)
        g = target[at]
        u = keys.u(t, D.US, D.US_STRIKE, np.arange(2)[:, None], rows=at)
        mean = rules.at(sm.militia_killed_mean, at) + rules.at(sm.per_threat_killed, at) * w.grievance[g, at]
        killed = spread(rules.geometric(mean, u[0]), at, r)
        iraqi = spread(rules.geometric(rules.at(sm.iraqi_killed_mean, at), u[1]), at, r)
        stock = stock.copy()
        stock[g, at] = np.maximum(stock[g, at] - rules.at(sm.stock_destroyed, at), 0.0)
    if strike_iran.any():
        at = rows(strike_iran)
        iranians = spread(rules.geometric(rules.at(P.us.strike_iran.iranian_killed_mean, at),
                                          keys.u(t, D.US, D.US_STRIKE, 2, rows=at)), at, r)
    return killed, iraqi, iranians, stock


def us_acts(w: World, target: Arr, strike_iran: Arr, protect: Arr, policy: Arr, waiver_days: Arr,
            exec_acts: Arr, P: Params, iran: IranActs, mil: MilitiaActs, keys: Stream) -> USActs:
    """Strikes and their casualties, force protection, the policy instruments and the Dialogue."""
    t, up, r = w.day, P.us, len(keys)
    killed, iraqi, iranians, stock = _strikes(w, target, strike_iran, P, mil, keys)
    pol = policy.copy()  # acts that can take effect today
    pol[USPolicy.PROPOSE_DIALOGUE] &= w.dialogue_stage == 0
    pol[USPolicy.OFFER_DRAWDOWN] &= w.session_countdown == 0
    pol[USPolicy.CONSOLIDATE] &= w.held_exposed > 0
    pol[USPolicy.DRAWDOWN] &= w.troops > up.exit_threshold
    # the Dialogue: proposed (a lead time to the first session), sessions, agreements
    proposed = pol[USPolicy.PROPOSE_DIALOGUE]
    session = w.session_countdown == 0
    agreement = session & pol[USPolicy.OFFER_DRAWDOWN] & exec_acts[ExecAct.DEMAND_DRAWDOWN] & (w.drawdown_pace == 0)
    countdown = np.where(session, up.dialogue.interval, np.where(w.session_countdown > 0, w.session_countdown - 1.0,
                                                                 w.session_countdown))
    if proposed.any():
        at = rows(proposed)
        lead = rules.at(up.dialogue.lead_min, at) + rules.geometric(rules.at(up.dialogue.lead_mean, at),
                                                                    keys.u(t, D.WORLD, D.WORLD_STEP, 3, rows=at))
        countdown = countdown.copy()
        countdown[at] = lead
    stage = np.where(proposed, 1, np.where(session, 2, w.dialogue_stage))
    # troops: a unilateral drawdown, a negotiated timetable
    troops0 = np.where(pol[USPolicy.DRAWDOWN], np.maximum(w.troops - up.drawdown_step, 0.0), w.troops)
    cut = troops0 * up.dialogue.cut_share
    target_troops = np.where(agreement, troops0 - cut, np.minimum(w.drawdown_target, troops0))
    pace = np.where(agreement, cut / up.dialogue.timetable_days, w.drawdown_pace)
    troops = np.where(troops0 > target_troops, np.maximum(troops0 - pace, target_troops), troops0)
    # bases: a consolidation campaign (ordered, or agreed at a session) hands exposed sites over
    campaign = np.where(pol[USPolicy.CONSOLIDATE] | agreement, up.consolidation.campaign_days,
                        np.maximum(w.consolidation - 1.0, 0.0))
    handover = np.zeros(r, dtype=bool)
    active = (w.consolidation > 0) & (w.held_exposed > 0)
    if active.any():
        at = rows(active)
        handover[at] = keys.u(t, D.WORLD, D.WORLD_STEP, 2, rows=at) < rules.at(up.consolidation.handover_rate, at)
    # sanctions and the waiver
    relief = P.world.sanction_relief * iran.on_diplomacy * w.diplomacy
    renewed = pol[USPolicy.RENEW_WAIVER]
    days_left = np.where(renewed, waiver_days, np.where(w.waiver_days > 0, w.waiver_days - 1.0, -1.0))
    lapsed = ~renewed & (w.waiver_days == 0)  # expired today and not renewed: -1 from tomorrow
    step = up.sanction_step
    return USActs(
        target=target, strike_iran=strike_iran, militia_killed=killed, iraqi_killed=iraqi, iranian_killed=iranians,
        stock=stock, protect=protect,
        protection=np.where(protect, 1.0, w.protection * (1.0 - up.protection_decay)), policy=pol, session=session,
        agreement=agreement, timetable=w.timetable | agreement, handover=handover, troops=troops,
        drawdown_target=target_troops, drawdown_pace=pace,
        consolidation=campaign, held_exposed=w.held_exposed - handover,
        sanctions_iran=np.clip(w.sanctions_iran + step * pol[USPolicy.SANCTION_IRAN] - relief, 0.0, 1.0),
        sanctions_iraq=np.minimum(w.sanctions_iraq + step * (pol[USPolicy.SANCTION_IRAQ] | lapsed), 1.0),
        sanction_threat=np.minimum(w.sanction_threat + step * pol[USPolicy.THREATEN_IRAQ]
                                   + pol[USPolicy.SANCTION_IRAQ], 1.0),
        waiver_days=days_left, lapsed=lapsed, dialogue_stage=stage, session_countdown=countdown,
        last_session=np.where(session, 0.0, w.last_session + 1.0),
    )
