"""The one place where decisions change the world.

:func:`resolve` takes the world at the start of a day, everybody's decisions for that day
(made simultaneously from the same observation), the parameters and the run seeds, and returns
the next day's world and a :class:`DayRecord` of what happened (one slot per actor act, from
which event rows and daily series are built). It is pure: all randomness is keyed draws
(:mod:`sim.core.draws`), and every rule it applies comes from :mod:`sim.core.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import STRATEGIES, US_OPTIONS
from sim.core import draws as D
from sim.core import rules
from sim.core.state import World

Arr = npt.NDArray[Any]

#: Escalation rung of each militia action and US option (0 calm .. 6 all-out war).
MILITIA_RUNG = (0, 2, 4, 5)
US_RUNG = (0, 0, 0, 4, 5, 1, 1, 0)
WAR_RUNG = 6


@dataclass(frozen=True)
class Decisions:
    """Everyone's choices for one day (indices into the option tuples of :mod:`sim.config`)."""

    iran: Arr  # (R,) strategy index
    militia: Arr  # (M, R) action index
    us: Arr  # (R,) option index
    vote_held: Arr  # (R,) bool
    bloc_choice: Arr  # (B, R) 0 boycott, 1 no, 2 yes (ignored when no vote)


@dataclass(frozen=True)
class Slot:
    """One actor's act on one day, for R replicates. ``action`` < 0 means nothing happened."""

    actor: str
    kind: str  # 'iran' | 'iran_outside' | 'militia' | 'us' | 'parliament' | 'war'
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


def _count(mean: Any, seeds: Arr, day: int, actor: Any, purpose: int) -> Arr:
    """A keyed casualty count; skipped (zeros) when no replicate has a non-zero mean.

    Draws are keyed, not sequential, so skipping unused ones changes no other draw.
    """
    m = np.asarray(mean)
    if not m.any():
        return np.zeros(np.broadcast(m, seeds).shape)
    return rules.count_from_uniform(mean, D.uniform(seeds, day, actor, purpose))


def resolve(
    world: World, dec: Decisions, P: SimpleNamespace, seeds: Arr
) -> tuple[World, DayRecord]:
    """Apply one day's decisions; return the next world and the day's record."""
    t = world.day
    w = world
    ip, mp, up, pp, wp = P.iran, P.militia, P.us, P.parliament, P.world
    zeros = np.zeros_like(w.troops)
    slots: list[Slot] = []
    n_sites = len(wp.sites.bases)

    # ---------------------------------------------------------------- Iran's direct acts
    strat = dec.iran
    calib = strat == ip.calibrated_index
    changed = (strat != w.iran_strategy) & ~calib  # the strike itself is reported as an act
    slots.append(Slot("Iran", "iran_strategy", np.where(changed, strat, -1), zeros.astype(np.int64),
                      zeros, zeros, zeros, zeros, zeros, w.iran_strategy.astype(np.float64)))
    cal_k = _count(np.where(calib, ip.calibrated.us_killed_mean, 0.0), seeds, t, D.IRAN, D.US_KILLED)
    cal_w = _count(np.where(calib, ip.calibrated.us_wounded_mean, 0.0), seeds, t, D.IRAN, D.US_WOUNDED)
    slots.append(Slot("Iran", "iran", np.where(calib, strat, -1), zeros.astype(np.int64),
                      cal_k, cal_w, zeros, zeros, zeros, zeros + ip.calibrated.missiles))
    militarised = (strat == ip.middle_index) | (strat == ip.major_index)
    outside = D.uniform(seeds, t, D.IRAN, D.OUTSIDE) < np.choose(strat, ip.outside_prob)
    out_k = _count(np.where(outside, ip.outside.us_killed_mean, 0.0), seeds, t, D.IRAN, D.US_KILLED + 100)
    out_w = _count(np.where(outside, ip.outside.us_wounded_mean, 0.0), seeds, t, D.IRAN, D.US_WOUNDED + 100)
    slots.append(Slot("Iran", "iran_outside", np.where(outside, strat, -1), zeros.astype(np.int64),
                      out_k, out_w, zeros, zeros, zeros, zeros))

    # ---------------------------------------------------------------- militias
    new_stock = []
    new_recent = []
    m_parts_k, m_parts_w, m_parts_iq, m_parts_mk, m_attacks, m_lethal, m_resolve = [], [], [], [], [], [], []
    m_rung = []
    n_harass, n_deadly, n_storm = [], [], []
    for m in range(len(mp.rows)):
        a = dec.militia[m]
        actor = D.MILITIA + m
        mean_k = np.zeros_like(w.troops)
        mean_w = np.zeros_like(w.troops)
        mean_iq = np.zeros_like(w.troops)
        for code in (1, 2, 3):
            spec = mp.attacks[code]
            hit = a == code
            mean_k = np.where(hit, spec.us_killed_mean, mean_k)
            mean_w = np.where(hit, spec.us_wounded_mean, mean_w)
            mean_iq = np.where(hit, spec.iraqi_killed_mean, mean_iq)
        kk = _count(mean_k, seeds, t, actor, D.US_KILLED)
        ww = _count(mean_w, seeds, t, actor, D.US_WOUNDED)
        iq = _count(mean_iq, seeds, t, actor, D.IRAQI_KILLED)
        storm = a == 3
        mk = _count(np.where(storm, mp.attacks[3].militia_killed_mean, 0.0), seeds, t, actor, D.MILITIA_KILLED)
        u_t = D.uniform(seeds, t, actor, D.TARGET)
        base_target = np.floor(u_t * n_sites).astype(np.int64)
        storm_target = np.floor(u_t * (n_sites + 1)).astype(np.int64)  # n_sites = the embassy
        target = np.where(storm, storm_target, base_target)
        attacked = a > 0
        slots.append(Slot(mp.names[m], "militia", np.where(attacked, a, -1), target,
                          kk, ww, iq, mk, zeros, zeros))
        harm_m = up.harm_killed * kk + up.harm_wounded * ww + up.harm_attack * attacked
        new_recent.append(up.threat_memory * w.militia_recent[m] + harm_m)
        new_stock.append(np.maximum(w.stock[m] - (a == 2), 0.0) + np.where(militarised, ip.resupply, 0.0))
        m_parts_k.append(kk)
        m_parts_w.append(ww)
        m_parts_iq.append(iq)
        m_parts_mk.append(mk)
        m_attacks.append(attacked.astype(np.float64))
        m_lethal.append((attacked & ((kk + iq) > 0)).astype(np.float64))
        m_resolve.append(a / 3.0)
        m_rung.append(np.choose(a, MILITIA_RUNG))
        n_harass.append((a == 1).astype(np.float64))
        n_deadly.append((a == 2).astype(np.float64))
        n_storm.append(storm.astype(np.float64))
    mil_k = rules.ordered_sum(m_parts_k)
    mil_w = rules.ordered_sum(m_parts_w)
    mil_iq = rules.ordered_sum(m_parts_iq)
    mil_mk = rules.ordered_sum(m_parts_mk)
    attacks = rules.ordered_sum(m_attacks)
    lethal = rules.ordered_sum(m_lethal)
    mil_resolve = rules.ordered_sum(m_resolve)
    recent = np.stack(new_recent)

    # ---------------------------------------------------------------- United States
    o = dec.us
    strike_m = o == US_OPTIONS.index("strike_militias")
    strike_i = o == US_OPTIONS.index("strike_iran")
    sm = up.strike_militias
    # target: the militia that recently did most harm (first on ties): proportional response
    target_m = np.argmax(w.militia_recent, axis=0)
    hit_m = strike_m & (np.arange(len(mp.rows))[:, None] == target_m)  # (M, R)
    stock = np.maximum(np.stack(new_stock) - up.strike_militias.stock_destroyed * hit_m, 0.0)
    sm_mk = _count(np.where(strike_m, sm.militia_killed_mean + sm.per_threat_killed * w.threat, 0.0),
                   seeds, t, D.US, D.MILITIA_KILLED)
    sm_iq = _count(np.where(strike_m, sm.iraqi_killed_mean, 0.0), seeds, t, D.US, D.IRAQI_KILLED)
    si_ik = _count(np.where(strike_i, up.strike_iran.iranian_killed_mean, 0.0), seeds, t, D.US,
                   D.IRANIAN_KILLED)
    troops = np.where(o == US_OPTIONS.index("drawdown"), np.maximum(w.troops - up.drawdown_step, 0.0), w.troops)
    us_detail = np.where(o == US_OPTIONS.index("drawdown"), troops, zeros)
    slots.append(Slot("United States", "us", np.where(o > 0, o, -1),
                      np.where(strike_m, target_m, 0).astype(np.int64),
                      zeros, zeros, sm_iq, sm_mk, si_ik, us_detail))
    protection = np.where(o == US_OPTIONS.index("force_protection"), 1.0,
                          w.protection * (1.0 - up.protection_decay))
    sanc_iraq_act = o == US_OPTIONS.index("sanction_iraq")
    sanc_iran_act = o == US_OPTIONS.index("sanction_iran")
    sanctions_iraq = np.minimum(w.sanctions_iraq + up.sanction_step * sanc_iraq_act, 1.0)
    on_track = (dec.iran == ip.diplomacy_index) * w.diplomacy  # the track holds: sanctions ease
    sanctions_iran = np.clip(w.sanctions_iran + up.sanction_step * sanc_iran_act
                             - P.world.sanction_relief * on_track, 0.0, 1.0)
    talks = o == US_OPTIONS.index("offer_talks")

    # ---------------------------------------------------------------- parliament
    level = np.minimum(w.legal + 1, 3)
    present, yes = rules.tally(list(dec.bloc_choice), pp.seats, pp.cohesion)
    passes = dec.vote_held & rules.motion_passes(
        present, yes, quorum=pp.quorum, absolute=(level == 3) & pp.binding_absolute_majority,
        total_seats=pp.total_seats)
    legal = np.where(passes, level, w.legal)
    slots.append(Slot("Parliament", "parliament", np.where(dec.vote_held, level, -1),
                      passes.astype(np.int64), zeros, zeros, zeros, zeros, zeros, yes))
    for b, name in enumerate(pp.names):  # how each bloc attended and voted (0 boycott, 1 no, 2 yes)
        slots.append(Slot(name, "bloc_vote", np.where(dec.vote_held, dec.bloc_choice[b], -1),
                          level.astype(np.int64), zeros, zeros, zeros, zeros, zeros,
                          zeros + np.floor(pp.seats[b] * pp.cohesion + 0.5)))
    sanction_threat = np.maximum(w.sanction_threat, legal / 3.0)
    vote_choice = np.where(dec.vote_held, dec.bloc_choice, w.last_vote_choice)

    # ---------------------------------------------------------------- aggregate effects
    us_killed = cal_k + out_k + mil_k
    us_wounded = cal_w + out_w + mil_w
    n_direct = calib.astype(np.float64) + outside
    harm = up.harm_killed * us_killed + up.harm_wounded * us_wounded + up.harm_attack * (attacks + n_direct)
    harm_iran = up.harm_killed * (cal_k + out_k) + up.harm_wounded * (cal_w + out_w) + up.harm_attack * n_direct
    threat = up.threat_memory * w.threat + harm
    threat_iran = up.threat_memory * w.threat_iran + harm_iran
    us_responded = strike_m | strike_i
    us_audience = rules.audience_cost(w.us_audience, harm=harm, responded=us_responded,
                                      gain=up.audience_gain, relief=up.audience_relief,
                                      decay=up.audience_decay)
    us_hits = strike_m.astype(np.float64) + strike_i
    iran_acted = (attacks + n_direct) > 0
    iran_audience = rules.audience_cost(w.iran_audience, harm=us_hits, responded=iran_acted,
                                        gain=wp.iran_audience_gain, relief=wp.iran_audience_relief,
                                        decay=wp.iran_audience_decay)
    satisfaction = np.where(calib, ip.calibrated.revenge_satisfaction, 0.0)
    acts = mil_resolve + outside  # intensity of today's attacks (calibrated strike apart)
    revenge = np.clip(w.revenge * (1.0 - wp.revenge_decay) * (1.0 - satisfaction)
                      * (1.0 - np.minimum(wp.attack_revenge_satisfaction * acts, 1.0))
                      + wp.revenge_gain * us_hits, 0.0, 1.0)
    political = strat == ip.political_index
    sentiment = np.clip(
        w.sentiment + wp.sentiment_decay * (wp.sentiment_baseline - w.sentiment)
        + sm.sentiment_shock * strike_m - wp.attack_sentiment_backlash * mil_iq
        + ip.media_push * political, 0.0, 1.0)
    iran_political = np.clip(w.iran_political * (1.0 - wp.political_pressure_decay)
                             + ip.political_push * political, 0.0, 1.0)
    # the channel opens only through US offers ([002]: the 8 January invitation), is held (not
    # grown) while Iran stays on the diplomacy track, and is broken by violence
    iran_dip = strat == ip.diplomacy_index
    violence = attacks + n_direct + strike_m + strike_i
    diplomacy = np.clip(w.diplomacy * (1.0 - wp.diplomacy_decay * ~iran_dip)
                        + up.talks_step * talks - wp.diplomacy_breakdown * violence, 0.0, 1.0)
    # Iran's own acts carry its strategy's rung: the calibrated strike, an outside attack, and
    # the daily political or diplomatic course (militia acts carry their own rungs)
    iran_acts = calib | outside | political | iran_dip
    iran_rung = np.where(iran_acts, np.choose(strat, ip.rungs), 0).astype(np.float64)
    rung = np.maximum.reduce([np.asarray(r, dtype=np.float64) for r in m_rung]
                             + [np.choose(o, US_RUNG).astype(np.float64), iran_rung])
    tension = np.clip(wp.tension_memory * w.tension + (1.0 - wp.tension_memory) * rung / WAR_RUNG
                      + up.strike_iran.tension_shock * strike_i, 0.0, 1.0)
    hazard = rules.war_hazard(tension, threshold=wp.war_threshold, slope=wp.war_slope,
                              max_hazard=wp.war_max_hazard)
    new_war = ~w.war & (D.uniform(seeds, t, D.WORLD, D.WAR) < hazard)
    war = w.war | new_war
    slots.append(Slot("World", "war", np.where(new_war, 1, -1), zeros.astype(np.int64),
                      zeros, zeros, zeros, zeros, zeros, tension))
    rung = np.where(war, float(WAR_RUNG), rung)
    new_presence = rules.presence(troops, initial=up.initial_troops, exit_threshold=up.exit_threshold)
    ops = new_presence * (1.0 - protection) * (1.0 - wp.limits_ops_cut * (legal >= 2))
    isis = rules.isis_next(w.isis, ops=ops, growth=wp.isis_growth, suppression=wp.isis_suppression,
                           iraqi=wp.iraqi_suppression)
    any_attack = (attacks + n_direct) > 0
    c = dict(w.counters)

    def add(name: str, value: Any) -> None:
        c[name] = c[name] + value

    add("us_killed", us_killed)
    add("us_wounded", us_wounded)
    add("iraqi_killed", mil_iq + sm_iq)
    add("militia_killed", mil_mk + sm_mk)
    add("iranian_killed", si_ik)
    add("killed_by_us_strikes", sm_mk + sm_iq + si_ik)
    add("militia_attacks", attacks)
    add("lethal_attacks", lethal + (calib & (cal_k > 0)) + (outside & (out_k > 0)))
    add("harassments", rules.ordered_sum(n_harass))
    add("deadly_strikes", rules.ordered_sum(n_deadly))
    add("storms", rules.ordered_sum(n_storm))
    add("calibrated_strikes", calib)
    add("calibrated_us_killed", cal_k)
    add("outside_attacks", outside)
    add("us_strikes_iraq", strike_m)
    add("us_strikes_iran", strike_i)
    add("us_sanctions_iraq", sanc_iraq_act)
    add("us_sanctions_iran", sanc_iran_act)
    add("drawdowns", o == US_OPTIONS.index("drawdown"))
    add("talks_offers", talks)
    add("protection_orders", o == US_OPTIONS.index("force_protection"))
    add("ops_paused_days", protection)
    add("votes_held", dec.vote_held)
    c["resolution_passed"] = (legal >= 1).astype(np.float64)
    c["limits_passed"] = (legal >= 2).astype(np.float64)
    c["binding_law_passed"] = (legal >= 3).astype(np.float64)
    c["max_rung"] = np.maximum(c["max_rung"], rung)
    add("iran_resolve", mil_resolve + calib + outside)
    add("iran_econ_cost", sanctions_iran + ip.iraq_market_share * sanctions_iraq)
    add("exit_pressure_sum", threat + sentiment + legal / 3.0)
    add("days", 1.0)
    for k, name in enumerate(STRATEGIES):
        add(f"days_{name}", strat == k)

    nxt = w.replace(
        day=t + 1,
        troops=troops,
        protection=protection,
        sentiment=sentiment,
        revenge=revenge,
        us_audience=us_audience,
        iran_audience=iran_audience,
        sanctions_iran=sanctions_iran,
        sanctions_iraq=sanctions_iraq,
        sanction_threat=sanction_threat,
        isis=isis,
        legal=legal,
        diplomacy=diplomacy,
        tension=tension,
        iran_political=iran_political,
        iran_strategy=strat.astype(np.int64),
        war=war,
        threat=threat,
        threat_iran=threat_iran,
        days_since_attack=np.where(any_attack, 0.0, w.days_since_attack + 1.0),
        days_since_us_strike=np.where(us_responded, 0.0, w.days_since_us_strike + 1.0),
        days_since_vote=np.where(dec.vote_held, 0.0, w.days_since_vote + 1.0),
        stock=stock,
        militia_recent=recent,
        last_vote_choice=vote_choice,
        last_vote_level=np.where(dec.vote_held, level, w.last_vote_level),
        last_vote_present=np.where(dec.vote_held, present, w.last_vote_present),
        last_vote_yes=np.where(dec.vote_held, yes, w.last_vote_yes),
        counters=c,
    )
    return nxt, DayRecord(day=t, slots=slots, rung=rung, attacks=attacks + n_direct)

