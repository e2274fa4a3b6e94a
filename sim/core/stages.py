"""The stages of a day's transition, each a pure function returning a small frozen record.

:func:`sim.core.transition.step` runs them in this order, all reading the start-of-day world:
:func:`iran_acts` (the warned strike and attacks outside Iraq), :func:`militia_acts` (every
group at once, vectorised over the entity axis), :func:`us_acts`, :func:`parliament_acts`,
:func:`dynamics` (threat, audience costs, revenge, anger, diplomacy, tension, war, ISIS) and
:func:`count` (the cumulative record). Randomness is keyed draws (:mod:`sim.core.draws`); every
formula comes from :mod:`sim.core.rules`. The arithmetic order is part of the contract: the
golden record (``tests/golden/``) pins the results bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import MILITARISED, MILITIA_RUNG, US_RUNG, WAR_RUNG, LegalStep, MilitiaAction, Strategy, USOption
from sim.core import draws as D
from sim.core import rules, voting
from sim.core.params import Params
from sim.core.state import Counters, World

Arr = npt.NDArray[Any]


@dataclass(frozen=True)
class Declared:
    """US casualties of some acts fixed from outside (the historical record) instead of drawn.

    ``militia`` maps a militia's row index to (US killed, US wounded) of its attack today;
    ``calibrated`` is the same for Iran's warned strike. The replay of history uses it.
    """

    militia: Mapping[int, tuple[float, float]] = field(default_factory=dict)
    calibrated: tuple[float, float] | None = None


NOTHING_DECLARED = Declared()


def _count(mean: Any, seeds: Arr, day: int, actor: Any, purpose: int) -> Arr:
    """A keyed casualty count; skipped (zeros) when no replicate has a non-zero mean.

    Draws are keyed, not sequential, so skipping unused ones changes no other draw.
    """
    m = np.asarray(mean)
    if not m.any():
        return np.zeros(np.broadcast(m, seeds).shape)
    return rules.count_from_uniform(mean, D.uniform(seeds, day, actor, purpose))


def _rows(x: Arr) -> Any:
    """Sum over the entity axis, entity by entity (:func:`rules.ordered_sum`)."""
    return rules.ordered_sum(list(x))


# ------------------------------------------------------------------------------------ Iran


@dataclass(frozen=True, slots=True)
class IranActs:
    """Iran's own acts today (R,): its strategy, the warned strike, an attack outside Iraq."""

    strategy: Arr
    calibrated: Arr  # bool
    outside: Arr  # bool
    direct: Arr  # calibrated + outside: Iran's direct acts today
    cal_killed: Arr
    cal_wounded: Arr
    out_killed: Arr
    out_wounded: Arr
    militarised: Arr  # bool: militias resupplied
    political: Arr  # bool: on political pressure
    on_diplomacy: Arr  # bool: on the diplomacy track


def iran_acts(w: World, strategy: Arr, P: Params, seeds: Arr, declared: Declared) -> IranActs:
    """The warned strike (if chosen) and the day's chance of an attack outside Iraq ([002])."""
    t, ip = w.day, P.iran
    calib = strategy == Strategy.CALIBRATED_STRIKE
    if declared.calibrated is not None:
        cal_k = np.where(calib, float(declared.calibrated[0]), 0.0)
        cal_w = np.where(calib, float(declared.calibrated[1]), 0.0)
    else:
        cal_k = _count(np.where(calib, ip.calibrated.us_killed_mean, 0.0), seeds, t, D.IRAN, D.US_KILLED)
        cal_w = _count(np.where(calib, ip.calibrated.us_wounded_mean, 0.0), seeds, t, D.IRAN, D.US_WOUNDED)
    outside = D.uniform(seeds, t, D.IRAN, D.OUTSIDE) < rules.pick(strategy, ip.outside_prob)
    out_k = _count(np.where(outside, ip.outside.us_killed_mean, 0.0), seeds, t, D.IRAN, D.US_KILLED_OUTSIDE)
    out_w = _count(np.where(outside, ip.outside.us_wounded_mean, 0.0), seeds, t, D.IRAN, D.US_WOUNDED_OUTSIDE)
    return IranActs(
        strategy=strategy, calibrated=calib, outside=outside,
        direct=calib.astype(np.float64) + outside,
        cal_killed=cal_k, cal_wounded=cal_w, out_killed=out_k, out_wounded=out_w,
        militarised=np.logical_or.reduce([strategy == k for k in MILITARISED]),
        political=strategy == Strategy.POLITICAL_PRESSURE,
        on_diplomacy=strategy == Strategy.DIPLOMACY,
    )


# ------------------------------------------------------------------------------------ militias


@dataclass(frozen=True, slots=True)
class MilitiaActs:
    """Every militia's act today: per group (M, R), and totals over groups (R,)."""

    action: Arr
    killed: Arr
    wounded: Arr
    iraqi_killed: Arr
    militia_killed: Arr  # attackers killed storming
    target: Arr  # site index (a base; the embassy is index ``len(bases)``, storms only)
    recent: Arr  # each group's decayed harm to US forces (the US targets the largest)
    stock: Arr  # advanced missiles after spending and resupply (before US strikes)
    total_killed: Arr
    total_wounded: Arr
    total_iraqi_killed: Arr
    total_militia_killed: Arr
    attacks: Arr
    lethal: Arr
    resolve: Arr  # sum of the attacks' intensities
    rung: Arr  # the highest rung of any group's act
    harassments: Arr
    deadly_strikes: Arr
    storms: Arr


def militia_acts(w: World, action: Arr, P: Params, iran: IranActs, seeds: Arr,
                 declared: Declared) -> MilitiaActs:
    """Casualties, targets, harm, missile use and resupply of every group's act ([002] S1-S3)."""
    t, mp = w.day, P.militia
    actor = (D.MILITIA + np.arange(action.shape[0]))[:, None]
    a = action
    mean_k = np.zeros(a.shape)
    mean_w = np.zeros(a.shape)
    mean_iq = np.zeros(a.shape)
    for code in (MilitiaAction.HARASS, MilitiaAction.DEADLY, MilitiaAction.STORM):
        spec = mp.attack(code)
        hit = a == code
        mean_k = np.where(hit, spec.us_killed_mean, mean_k)
        mean_w = np.where(hit, spec.us_wounded_mean, mean_w)
        mean_iq = np.where(hit, spec.iraqi_killed_mean, mean_iq)
    kk = _count(mean_k, seeds, t, actor, D.US_KILLED)
    ww = _count(mean_w, seeds, t, actor, D.US_WOUNDED)
    if declared.militia:
        kk, ww = kk.copy(), ww.copy()
        for m, (k, wd) in declared.militia.items():
            kk[m], ww[m] = float(k), float(wd)
    iq = _count(mean_iq, seeds, t, actor, D.IRAQI_KILLED)
    storm = a == MilitiaAction.STORM
    mk = _count(np.where(storm, mp.storm.militia_killed_mean, 0.0), seeds, t, actor, D.MILITIA_KILLED)
    u_t = D.uniform(seeds, t, actor, D.TARGET)
    n_sites = len(P.world.sites.bases)
    target = np.where(storm, np.floor(u_t * (n_sites + 1)).astype(np.int64),
                      np.floor(u_t * n_sites).astype(np.int64))
    attacked = a > 0
    harm = rules.harm(P.us, killed=kk, wounded=ww, attacks=attacked)
    stock = (np.maximum(w.stock - (a == MilitiaAction.DEADLY), 0.0)
             + np.where(iran.militarised, P.iran.resupply, 0.0))
    return MilitiaActs(
        action=a, killed=kk, wounded=ww, iraqi_killed=iq, militia_killed=mk, target=target,
        recent=rules.remembered(P.us, w.militia_recent, harm), stock=stock,
        total_killed=_rows(kk), total_wounded=_rows(ww), total_iraqi_killed=_rows(iq),
        total_militia_killed=_rows(mk), attacks=_rows(attacked.astype(np.float64)),
        lethal=_rows((attacked & ((kk + iq) > 0)).astype(np.float64)),
        resolve=_rows(rules.intensity(a)),
        rung=np.asarray(MILITIA_RUNG, dtype=np.float64)[a].max(axis=0),
        harassments=_rows((a == MilitiaAction.HARASS).astype(np.float64)),
        deadly_strikes=_rows((a == MilitiaAction.DEADLY).astype(np.float64)),
        storms=_rows(storm.astype(np.float64)),
    )


# ------------------------------------------------------------------------------------ the US


@dataclass(frozen=True, slots=True)
class USActs:
    """The US act today (R,) and the state it sets: troops, protection, sanctions, missiles lost."""

    option: Arr
    strike_militias: Arr  # bool
    strike_iran: Arr  # bool
    target: Arr  # militia struck: the one that recently did most harm
    militia_killed: Arr
    iraqi_killed: Arr
    iranian_killed: Arr
    stock: Arr  # (M, R) militias' missiles after the strike
    troops: Arr
    protection: Arr
    sanctions_iraq: Arr
    sanctions_iran: Arr

    @property
    def responded(self) -> Arr:
        """The US struck (militias or Iran) today."""
        return np.asarray(self.strike_militias | self.strike_iran)

    @property
    def hits(self) -> Arr:
        """US strikes today (0, 1 or 2: on militias and on Iran)."""
        return self.strike_militias.astype(np.float64) + self.strike_iran

    def did(self, option: USOption) -> Arr:
        """Where the US took ``option`` today (bool, (R,))."""
        return np.asarray(self.option == option)


def us_acts(w: World, option: Arr, P: Params, iran: IranActs, militia: MilitiaActs,
            seeds: Arr) -> USActs:
    """Strikes and their casualties, drawdown, force protection and sanctions ([000], [002])."""
    t, up = w.day, P.us
    o = option
    strike_m = o == USOption.STRIKE_MILITIAS
    strike_i = o == USOption.STRIKE_IRAN
    sm = up.strike_militias
    # target: the militia that recently did most harm (first on ties): proportional response
    target = np.argmax(w.militia_recent, axis=0)
    hit = strike_m & (np.arange(militia.action.shape[0])[:, None] == target)  # (M, R)
    stock = np.maximum(militia.stock - sm.stock_destroyed * hit, 0.0)
    sm_mk = _count(np.where(strike_m, sm.militia_killed_mean + sm.per_threat_killed * w.threat, 0.0),
                   seeds, t, D.US, D.MILITIA_KILLED)
    sm_iq = _count(np.where(strike_m, sm.iraqi_killed_mean, 0.0), seeds, t, D.US, D.IRAQI_KILLED)
    si_ik = _count(np.where(strike_i, up.strike_iran.iranian_killed_mean, 0.0), seeds, t, D.US,
                   D.IRANIAN_KILLED)
    drawdown = o == USOption.DRAWDOWN
    on_track = iran.on_diplomacy * w.diplomacy  # the track holds: sanctions ease
    return USActs(
        option=o, strike_militias=strike_m, strike_iran=strike_i, target=target,
        militia_killed=sm_mk, iraqi_killed=sm_iq, iranian_killed=si_ik, stock=stock,
        troops=np.where(drawdown, np.maximum(w.troops - up.drawdown_step, 0.0), w.troops),
        protection=np.where(o == USOption.FORCE_PROTECTION, 1.0, w.protection * (1.0 - up.protection_decay)),
        sanctions_iraq=np.minimum(w.sanctions_iraq + up.sanction_step * (o == USOption.SANCTION_IRAQ), 1.0),
        sanctions_iran=np.clip(w.sanctions_iran + up.sanction_step * (o == USOption.SANCTION_IRAN)
                               - P.world.sanction_relief * on_track, 0.0, 1.0),
    )


# ------------------------------------------------------------------------------------ parliament


@dataclass(frozen=True, slots=True)
class ParliamentActs:
    """A sitting (where one was held): the step voted on, the tally, the verdict, the new status."""

    held: Arr  # bool
    choices: Arr  # (B, R) each bloc's choice today (0 boycott, 1 no, 2 yes)
    level: Arr
    present: Arr
    yes: Arr
    passes: Arr
    legal: Arr
    sanction_threat: Arr
    vote_choice: Arr  # (B, R) each bloc's choice at the last sitting


def parliament_acts(w: World, held: Arr, choices: Arr, P: Params) -> ParliamentActs:
    """Tally the blocs' choices, apply the pass rule, move the legal status ([000] 5 Jan)."""
    pp = P.parliament
    level = voting.next_legal_step(w.legal)
    present, yes = voting.tally(list(choices), pp.seats, pp.cohesion)
    passes = held & voting.motion_passes(present, yes, quorum=pp.quorum,
                                        absolute=voting.needs_absolute_majority(pp, level),
                                        total_seats=pp.total_seats)
    legal = np.where(passes, level, w.legal)
    return ParliamentActs(
        held=held, choices=choices, level=level, present=present, yes=yes, passes=passes, legal=legal,
        sanction_threat=np.maximum(w.sanction_threat, rules.legal_share(legal)),
        vote_choice=np.where(held, choices, w.last_vote_choice),
    )


# ------------------------------------------------------------------------------------ dynamics


@dataclass(frozen=True, slots=True)
class Dynamics:
    """World variables that follow from everyone's acts: signals, moods, escalation, ISIS."""

    us_killed: Arr
    us_wounded: Arr
    threat: Arr
    threat_iran: Arr
    us_audience: Arr
    iran_audience: Arr
    revenge: Arr
    sentiment: Arr
    iran_political: Arr
    diplomacy: Arr
    rung: Arr  # today's escalation rung (WAR_RUNG once at war)
    tension: Arr
    new_war: Arr
    war: Arr
    isis: Arr


def _signals(w: World, P: Params, iran: IranActs, mil: MilitiaActs, us: USActs) -> dict[str, Arr]:
    """Harm to US forces -> threat signals and the two audience costs ([002] "looking weak")."""
    up, wp = P.us, P.world
    us_killed = iran.cal_killed + iran.out_killed + mil.total_killed
    us_wounded = iran.cal_wounded + iran.out_wounded + mil.total_wounded
    harm = rules.harm(up, killed=us_killed, wounded=us_wounded, attacks=mil.attacks + iran.direct)
    harm_iran = rules.harm(up, killed=iran.cal_killed + iran.out_killed,
                           wounded=iran.cal_wounded + iran.out_wounded, attacks=iran.direct)
    return {
        "us_killed": us_killed, "us_wounded": us_wounded,
        "threat": rules.remembered(up, w.threat, harm),
        "threat_iran": rules.remembered(up, w.threat_iran, harm_iran),
        "us_audience": rules.audience_cost(w.us_audience, harm=harm, responded=us.responded,
                                           gain=up.audience_gain, relief=up.audience_relief,
                                           decay=up.audience_decay),
        "iran_audience": rules.audience_cost(w.iran_audience, harm=us.hits,
                                             responded=(mil.attacks + iran.direct) > 0,
                                             gain=wp.iran_audience_gain, relief=wp.iran_audience_relief,
                                             decay=wp.iran_audience_decay),
    }


def dynamics(w: World, P: Params, iran: IranActs, mil: MilitiaActs, us: USActs,
             parl: ParliamentActs, seeds: Arr) -> Dynamics:
    """Everything that follows from today's acts, in a fixed order (ODD §7.8, R5)."""
    ip, wp = P.iran, P.world
    signals = _signals(w, P, iran, mil, us)
    satisfaction = np.where(iran.calibrated, ip.calibrated.revenge_satisfaction, 0.0)
    acts = mil.resolve + iran.outside  # intensity of today's attacks (calibrated strike apart)
    revenge = np.clip(w.revenge * (1.0 - wp.revenge_decay) * (1.0 - satisfaction)
                      * (1.0 - np.minimum(wp.attack_revenge_satisfaction * acts, 1.0))
                      + wp.revenge_gain * us.hits, 0.0, 1.0)
    sentiment = np.clip(
        w.sentiment + wp.sentiment_decay * (wp.sentiment_baseline - w.sentiment)
        + P.us.strike_militias.sentiment_shock * us.strike_militias
        - wp.attack_sentiment_backlash * mil.total_iraqi_killed
        + ip.media_push * iran.political, 0.0, 1.0)
    iran_political = np.clip(w.iran_political * (1.0 - wp.political_pressure_decay)
                             + ip.political_push * iran.political, 0.0, 1.0)
    # the channel opens only through US offers ([002]: the 8 January invitation), is held (not
    # grown) while Iran stays on the diplomacy track, and is broken by violence
    violence = mil.attacks + iran.direct + us.strike_militias + us.strike_iran
    diplomacy = np.clip(w.diplomacy * (1.0 - wp.diplomacy_decay * ~iran.on_diplomacy)
                        + P.us.talks_step * us.did(USOption.OFFER_TALKS)
                        - wp.diplomacy_breakdown * violence, 0.0, 1.0)
    # Iran's own acts carry its strategy's rung: the calibrated strike, an outside attack, and
    # the daily political or diplomatic course (militia acts carry their own rungs)
    own = iran.calibrated | iran.outside | iran.political | iran.on_diplomacy
    iran_rung = np.where(own, rules.pick(iran.strategy, ip.rungs), 0).astype(np.float64)
    us_rung = rules.pick(us.option, US_RUNG).astype(np.float64)
    rung = np.maximum(np.maximum(mil.rung, us_rung), iran_rung)
    tension = np.clip(wp.tension_memory * w.tension + (1.0 - wp.tension_memory) * rung / WAR_RUNG
                      + P.us.strike_iran.tension_shock * us.strike_iran, 0.0, 1.0)
    hazard = rules.war_hazard(tension, threshold=wp.war_threshold, slope=wp.war_slope,
                              max_hazard=wp.war_max_hazard)
    new_war = ~w.war & (D.uniform(seeds, w.day, D.WORLD, D.WAR) < hazard)
    war = w.war | new_war
    presence = rules.presence(us.troops, initial=P.us.initial_troops, exit_threshold=P.us.exit_threshold)
    ops = presence * (1.0 - us.protection) * (1.0 - wp.limits_ops_cut * (parl.legal >= LegalStep.LIMITS))
    isis = rules.isis_next(w.isis, ops=ops, growth=wp.isis_growth, suppression=wp.isis_suppression,
                           iraqi=wp.iraqi_suppression)
    return Dynamics(**signals, revenge=revenge, sentiment=sentiment, iran_political=iran_political,
                    diplomacy=diplomacy, rung=np.where(war, float(WAR_RUNG), rung), tension=tension,
                    new_war=new_war, war=war, isis=isis)


# ------------------------------------------------------------------------------------ counters


def count(c: Counters, iran: IranActs, mil: MilitiaActs, us: USActs, parl: ParliamentActs,
          dyn: Dynamics, P: Params) -> Counters:
    """The cumulative record after today (metrics are read from it)."""
    legal = parl.legal
    strategies = np.arange(c.strategy_days.shape[0])[:, None]
    return Counters(
        us_killed=c.us_killed + dyn.us_killed,
        us_wounded=c.us_wounded + dyn.us_wounded,
        iraqi_killed=c.iraqi_killed + (mil.total_iraqi_killed + us.iraqi_killed),
        militia_killed=c.militia_killed + (mil.total_militia_killed + us.militia_killed),
        iranian_killed=c.iranian_killed + us.iranian_killed,
        killed_by_us_strikes=c.killed_by_us_strikes + (us.militia_killed + us.iraqi_killed + us.iranian_killed),
        militia_attacks=c.militia_attacks + mil.attacks,
        lethal_attacks=c.lethal_attacks + (mil.lethal + (iran.calibrated & (iran.cal_killed > 0))
                                           + (iran.outside & (iran.out_killed > 0))),
        harassments=c.harassments + mil.harassments,
        deadly_strikes=c.deadly_strikes + mil.deadly_strikes,
        storms=c.storms + mil.storms,
        calibrated_strikes=c.calibrated_strikes + iran.calibrated,
        calibrated_us_killed=c.calibrated_us_killed + iran.cal_killed,
        outside_attacks=c.outside_attacks + iran.outside,
        us_strikes_iraq=c.us_strikes_iraq + us.strike_militias,
        us_strikes_iran=c.us_strikes_iran + us.strike_iran,
        us_sanctions_iraq=c.us_sanctions_iraq + us.did(USOption.SANCTION_IRAQ),
        us_sanctions_iran=c.us_sanctions_iran + us.did(USOption.SANCTION_IRAN),
        drawdowns=c.drawdowns + us.did(USOption.DRAWDOWN),
        talks_offers=c.talks_offers + us.did(USOption.OFFER_TALKS),
        protection_orders=c.protection_orders + us.did(USOption.FORCE_PROTECTION),
        ops_paused_days=c.ops_paused_days + us.protection,
        votes_held=c.votes_held + parl.held,
        resolution_passed=(legal >= LegalStep.RESOLUTION).astype(np.float64),
        limits_passed=(legal >= LegalStep.LIMITS).astype(np.float64),
        binding_law_passed=(legal >= LegalStep.BINDING_LAW).astype(np.float64),
        max_rung=np.maximum(c.max_rung, dyn.rung),
        iran_resolve=c.iran_resolve + (mil.resolve + iran.calibrated + iran.outside),
        iran_econ_cost=c.iran_econ_cost + (us.sanctions_iran + P.iran.iraq_market_share * us.sanctions_iraq),
        exit_pressure_sum=c.exit_pressure_sum + (dyn.threat + dyn.sentiment + rules.legal_share(legal)),
        days=c.days + 1.0,
        strategy_days=c.strategy_days + (iran.strategy == strategies),
    )
