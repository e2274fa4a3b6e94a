"""World variables that follow from everyone's acts: what the US learns and remembers, moods,
the militias' tempo state, the agenda, escalation, war, ISIS, and the events that call for a
decision tomorrow (a US policy review, Iran reopening its strategy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import US_IRAN_RUNG, US_SANCTION_RUNG, US_STRIKE_RUNG, WAR_RUNG, ExecAct, LegalStep, USPolicy
from sim.core import draws as D
from sim.core import rules
from sim.core.draws import Stream
from sim.core.params import Params
from sim.core.stages.common import Arr, rows
from sim.core.stages.iran import IranActs
from sim.core.stages.iraq import IraqActs
from sim.core.stages.militias import MilitiaActs
from sim.core.stages.us import USActs
from sim.core.state import World


@dataclass(frozen=True, slots=True)
class Dynamics:
    """The world's new state variables after today's acts."""

    values: dict[str, Arr]  # World fields
    reported_wounded: Arr  # US wounded reported today (new acts and late disclosures)
    rung: Arr
    new_war: Arr
    accident: Arr
    truce_declared: Arr
    truce_lifted: Arr


def _knowledge(w: World, P: Params, iran: IranActs, mil: MilitiaActs, us: USActs) -> dict[str, Arr]:
    """What the US learns today (reported casualties; attributed harm) and what it remembers."""
    up, wp = P.us, P.world
    disclosed = w.unreported * wp.disclosure_rate
    direct_reported = rules.share_of(iran.wounded, wp.initial_disclosure, 0.5)
    new_unreported = (mil.totals["us_wounded"] - mil.totals["reported"]) + (iran.wounded - direct_reported)
    fresh = mil.totals["reported"] + direct_reported + mil.totals["coalition_wounded"]  # today's acts
    reported = mil.totals["reported"] + direct_reported + disclosed
    killed = mil.totals["us_killed"] + mil.totals["coalition_killed"] + iran.killed
    attacks = mil.attacks + mil.by_tactic[-1] + iran.direct
    harm = rules.harm(up, killed=killed, wounded=fresh + disclosed, attacks=attacks)
    # the price of looking weak follows the day's news, not injuries disclosed weeks later (H1-016)
    news = rules.harm(up, killed=killed, wounded=fresh, attacks=attacks)
    # Iran's own harm is weighed by its dead: the 8 January injuries were disclosed late and drew
    # sanctions, not strikes (H1-016, H1-017)
    harm_iran = rules.harm(up, killed=iran.killed, wounded=0.0, attacks=iran.direct)
    struck = np.arange(mil.harm.shape[0])[:, None] == us.target
    grievance = rules.remembered(up.grievance_memory, w.grievance, mil.harm)
    grievance = np.where(struck, grievance * (1.0 - up.strike_militias.grievance_relief), grievance)
    lethal_harm = rules.ordered_sum(list(mil.harm * mil.lethal_by_group)) if mil.harm.shape[0] else 0.0
    iran_harm = np.where(us.did(USPolicy.SANCTION_IRAN), 0.0,
                         rules.remembered(up.iran_harm_memory, w.iran_harm, iran.fired + lethal_harm + harm_iran))
    expulsion = rules.remembered(up.expulsion_memory, w.expulsion, 0.0)
    return {
        "unreported": w.unreported - disclosed + new_unreported, "reported": reported, "harm": harm,
        "threat": rules.remembered(up.threat_memory, w.threat, harm),
        "threat_iran": np.where(us.strike_iran, 1.0 - up.strike_militias.grievance_relief, 1.0)
        * rules.remembered(up.threat_memory, w.threat_iran, harm_iran),
        "grievance": grievance, "iran_harm": iran_harm,
        "deaths": rules.remembered(up.deaths_memory, w.deaths, killed),
        "expulsion": np.where(us.did(USPolicy.THREATEN_IRAQ), expulsion * (1.0 - up.threat_relief), expulsion),
        "us_audience": rules.audience_cost(w.us_audience, harm=news, responded=us.responded, gain=up.audience_gain,
                                           relief=up.audience_relief, decay=up.audience_decay),
    }


def _moods(w: World, P: Params, iran: IranActs, mil: MilitiaActs, us: USActs) -> dict[str, Arr]:
    ip, wp, up = P.iran, P.world, P.us
    satisfaction = np.where(iran.fired, ip.direct.revenge_satisfaction, 0.0)
    acts = mil.totals["resolve"] + iran.outside
    revenge = np.clip(w.revenge * (1.0 - wp.revenge_decay) * (1.0 - satisfaction)
                      * (1.0 - np.minimum(wp.attack_revenge_satisfaction * acts, 1.0))
                      + wp.revenge_gain * us.hits, 0.0, 1.0)
    sentiment = np.clip(w.sentiment + wp.sentiment_decay * (wp.sentiment_baseline - w.sentiment)
                        + up.strike_militias.sentiment_shock * us.strike_militias
                        + wp.strike_killed_sentiment * us.iraqi_killed
                        - wp.attack_sentiment_backlash * mil.totals["iraqi_killed"]
                        + ip.media_push * iran.political, 0.0, 1.0)
    violence = mil.attacks + iran.direct + us.hits
    diplomacy = np.clip(w.diplomacy * (1.0 - wp.diplomacy_decay * ~iran.on_diplomacy)
                        + up.talks_step * us.did(USPolicy.OFFER_TALKS) - wp.diplomacy_breakdown * violence, 0.0, 1.0)
    return {
        "revenge": revenge, "sentiment": sentiment, "diplomacy": diplomacy,
        "iran_audience": rules.audience_cost(w.iran_audience, harm=us.hits, responded=(mil.attacks + iran.direct) > 0,
                                             gain=wp.iran_audience_gain, relief=wp.iran_audience_relief,
                                             decay=wp.iran_audience_decay),
        "iran_political": np.clip(w.iran_political * (1.0 - wp.political_pressure_decay)
                                  + ip.political_push * iran.political, 0.0, 1.0),
        "deescalation": rules.remembered(up.iran_harm_memory, w.deescalation, iran.fired & iran.warned),
    }


def _escalation(w: World, P: Params, iran: IranActs, mil: MilitiaActs, us: USActs, keys: Stream) -> dict[str, Arr]:
    ip, wp = P.iran, P.world
    own = iran.outside | iran.political | iran.on_diplomacy
    iran_rung = np.maximum(np.where(own, rules.pick(iran.strategy, ip.rungs), 0),
                           np.where(iran.fired, ip.direct.rung, 0))
    sanctioned = us.did(USPolicy.SANCTION_IRAN) | us.did(USPolicy.SANCTION_IRAQ) | us.did(USPolicy.THREATEN_IRAQ)
    us_rung = np.maximum(np.maximum(US_STRIKE_RUNG * us.strike_militias, US_IRAN_RUNG * us.strike_iran),
                         US_SANCTION_RUNG * sanctioned)
    rung = np.maximum(np.maximum(mil.totals["rung"], us_rung), iran_rung).astype(np.float64)
    u = keys.u(w.day, D.WORLD, D.WORLD_STEP, np.array([[0], [4]]))
    accident = u[0] < wp.accident_rate
    tension = np.clip(wp.tension_memory * w.tension + (1.0 - wp.tension_memory) * rung / WAR_RUNG
                      + P.us.strike_iran.tension_shock * us.strike_iran + wp.accident_tension * accident, 0.0, 1.0)
    hazard = rules.war_hazard(tension, threshold=wp.war_threshold, slope=wp.war_slope, max_hazard=wp.war_max_hazard)
    new_war = ~w.war & (u[1] < hazard)
    war = w.war | new_war
    return {"rung": np.where(war, float(WAR_RUNG), rung), "tension": tension, "war": war, "new_war": new_war,
            "accident": accident}


def _militia_state(w: World, P: Params, mil: MilitiaActs, us: USActs, keys: Stream) -> dict[str, Arr]:
    mp = P.militia
    struck = np.arange(w.excitation.shape[0])[:, None] == us.target
    excitation = (w.excitation * (1.0 - mp.excitation_decay) + mp.attack_jump * mil.attacked
                  + mp.lethal_jump * mil.lethal_by_group + mp.strike_jump * struck)
    lifted = w.truce & us.responded
    declared = np.zeros_like(w.truce)
    candidates = us.timetable & ~w.truce
    if candidates.any():
        at = rows(candidates)
        declared[at] = keys.u(w.day, D.WORLD, D.WORLD_STEP, 1, rows=at) < rules.at(mp.truce_rate, at)
    return {"excitation": excitation, "last_attack": np.where(mil.attacked, 0.0, w.last_attack + 1.0),
            "truce": (w.truce & ~lifted) | declared, "truce_declared": declared, "truce_lifted": lifted}


def dynamics(w: World, P: Params, iran: IranActs, mil: MilitiaActs, us: USActs, iraq: IraqActs,
             keys: Stream) -> Dynamics:
    """Everything that follows from today's acts, in a fixed order (ODD §7)."""
    wp, pp, ip = P.world, P.parliament, P.iran
    know = _knowledge(w, P, iran, mil, us)
    moods = _moods(w, P, iran, mil, us)
    esc = _escalation(w, P, iran, mil, us, keys)
    mil_state = _militia_state(w, P, mil, us, keys)
    presence = rules.presence(us.troops, initial=P.us.initial_troops, exit_threshold=P.us.exit_threshold)
    paused = us.protection >= P.us.pause_level
    ops = presence * (1.0 - paused) * (1.0 - wp.limits_ops_cut * (iraq.legal >= LegalStep.LIMITS))
    agenda = np.where(iraq.on_presence, 0.0,
                      w.agenda * (1.0 - pp.agenda_decay) + pp.strike_agenda * us.strike_militias
                      + pp.killed_agenda * us.iraqi_killed + pp.iran_agenda * w.iran_political * iran.political)
    exited = (presence <= 0) & (rules.presence(w.troops, initial=P.us.initial_troops,
                                               exit_threshold=P.us.exit_threshold) > 0)
    step = iraq.step_passed
    revoked = iraq.acts[ExecAct.REVOKE_INVITATION]
    deadly = us.militia_killed >= ip.deadly_strike_killed
    ro = ip.reopen
    trigger = np.maximum.reduce([ro.direct_strike * iran.fired, ro.us_strike_iran * us.strike_iran,
                                 ro.deadly_us_strike * (us.strike_militias & deadly), ro.legal_step * step,
                                 ro.negotiated_drawdown * us.agreement, ro.us_exit * exited,
                                 ro.war * esc["new_war"], np.zeros(len(w.troops))])
    us_trigger = (step | iran.fired | (mil.lethal_attacks > 0) | iraq.formed | revoked | us.session
                  | (us.waiver_days <= 0) | esc["new_war"])
    attacked = (mil.attacks + mil.by_tactic[-1] + iran.direct) > 0
    values = {
        **{k: v for k, v in know.items() if k not in ("reported", "harm")}, **moods,
        "tension": esc["tension"], "war": esc["war"],
        "excitation": mil_state["excitation"], "last_attack": mil_state["last_attack"], "truce": mil_state["truce"],
        "isis": rules.isis_next(w.isis, ops=ops, growth=wp.isis_growth, suppression=wp.isis_suppression,
                                iraqi=wp.iraqi_suppression),
        "agenda": agenda, "expulsion": know["expulsion"] + step + revoked,
        "us_trigger": us_trigger, "iran_trigger": trigger,
        "days_since_attack": np.where(attacked, 0.0, w.days_since_attack + 1.0),
        "days_since_us_strike": np.where(us.responded, 0.0, w.days_since_us_strike + 1.0),
        "last_strike_target": np.where(us.strike_militias, us.target, np.where(us.responded, -1, w.last_strike_target)),
        "warned": us.did(USPolicy.WARNING),
    }
    return Dynamics(values=values, reported_wounded=know["reported"], rung=esc["rung"], new_war=esc["new_war"],
                    accident=esc["accident"], truce_declared=mil_state["truce_declared"],
                    truce_lifted=mil_state["truce_lifted"])
