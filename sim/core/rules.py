"""Pure rules: payoffs, choice probabilities, draws-to-outcomes and belief updates.

This module owns the one copy of every behavioural rule of the model. Each function takes plain
numbers or numpy arrays (the last axis is the replicate axis; an entity axis such as militias or
blocs comes first) and returns new values; none does I/O, keeps state, or draws randomness of
its own (uniforms are passed in, see :mod:`sim.core.draws`). Every operation is elementwise or an
explicit loop in a fixed order, so one replicate (the Mesa agents) and thousands at once (the
ensemble engine) give bit-identical results.

Sources: [000] IntelBrief, 6 Jan 2020; [002] Dagher & Kaltenthaler, 9 Jan 2020; MODEL_BRIEF's
history. ``docs/ODD.md`` maps every term to its passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from sim.config import LegalStep, MilitiaAction, Strategy
from sim.core.params import IranParams, MilitiaParams, Num, ParliamentParams, USParams

Array = npt.NDArray[np.float64]
ArrayLike = Any  # float or numpy array, broadcastable against the replicate axis

#: Utility given to an option that is not available (not a payoff weight: a mask).
UNAVAILABLE = -1.0e6


# ------------------------------------------------------------------------------------------
# choice


def logit_probs(utilities: Sequence[ArrayLike], rationality: ArrayLike) -> list[Array]:
    """Quantal-response (multinomial logit) choice probabilities over options.

    ``P_k = exp(lambda * U_k) / sum_j exp(lambda * U_j)``; ``rationality`` (lambda) 0 gives
    uniform choice, large values approach best response. Computed with the maximum subtracted
    and summed in a fixed option order, so results do not depend on array shapes.
    """
    top = np.asarray(utilities[0], dtype=np.float64)
    for u in utilities[1:]:
        top = np.maximum(top, u)
    expo = [np.exp(np.multiply(rationality, np.subtract(u, top))) for u in utilities]
    total = expo[0]
    for e in expo[1:]:
        total = total + e
    return [e / total for e in expo]


def choose(probs: Sequence[ArrayLike] | Array, u: ArrayLike) -> npt.NDArray[np.int64]:
    """Index of the option selected by uniform ``u`` (inverse of the cumulative probabilities)."""
    idx = np.zeros(np.broadcast(probs[0], u).shape, dtype=np.int64)
    cum = np.zeros_like(idx, dtype=np.float64)
    for p in probs[:-1]:
        cum = cum + p
        idx = idx + (u >= cum)
    return idx


def count_from_uniform(mean: ArrayLike, u: ArrayLike) -> Array:
    """A casualty count with the given mean from one uniform: geometric on {0, 1, ...}.

    Over-dispersed, as casualty counts are: ``P(k >= 1) = mean / (1 + mean)``. Mean 0 gives 0.
    """
    m = np.asarray(mean, dtype=np.float64)
    q = m / (1.0 + m)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.floor(np.log(u) / np.log(q))
    return np.where(m > 0.0, k, 0.0)


def presence(troops: ArrayLike, *, initial: ArrayLike, exit_threshold: ArrayLike) -> Array:
    """US troops as a share of the day-0 level; 0 once at or below the exit threshold."""
    t = np.asarray(troops, dtype=np.float64)
    init = np.asarray(initial, dtype=np.float64)
    frac = np.divide(t, init, out=np.zeros(np.broadcast(t, init).shape), where=init > 0)
    return np.where(t > exit_threshold, frac, 0.0)


def ordered_sum(parts: Sequence[ArrayLike]) -> Any:
    """Sum in a fixed order (entity by entity), identical for any replicate-axis length."""
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return total


def pick(index: ArrayLike, options: Sequence[Any]) -> Any:
    """``options[index]`` elementwise; an option may be a number or one value per replicate."""
    return np.choose(index, cast(Any, options))


def intensity(action: ArrayLike) -> Any:
    """A militia action's intensity: 0 standing down .. 1 storming."""
    return np.divide(action, float(MilitiaAction.STORM))


def legal_share(legal: ArrayLike) -> Any:
    """The legal status as a share of the top step (the binding law = 1)."""
    return np.divide(legal, float(LegalStep.BINDING_LAW))


# ------------------------------------------------------------------------------------------
# Iran


def iran_utilities(
    p: IranParams,
    *,
    current: ArrayLike,
    revenge: ArrayLike,
    audience_cost: ArrayLike,
    presence: ArrayLike,
    belief_retaliation: ArrayLike,
    tension: ArrayLike,
    sanctions_iran: ArrayLike,
    sanctions_iraq: ArrayLike,
    diplomacy: ArrayLike,
    isis: ArrayLike,
    calibrated_done: ArrayLike,
) -> list[Array]:
    """Iran's payoff for each strategy in ``STRATEGIES`` order ([002] four scenarios + Jan 8).

    ``U_k = revenge_w*resolve_k*revenge + audience_w*resolve_k*audience_cost``
    ``+ pressure_w*pressure_k*presence - retaliation_w*provocation_k*belief``
    ``- war_w*war_risk_k*(1/2 + tension) - economic_w*(provocation_k - relief_k)*econ``
    ``- isis_w*pressure_k*isis + diplomacy_w*[k=diplomacy]*diplomacy + inertia*[k=current]``
    ``+ posture_bias*[k=posture] - repeat_penalty*[k=calibrated]*times_done``,
    with ``econ = sanctions_iran + iraq_market_share*sanctions_iraq``.
    """
    econ = np.add(sanctions_iran, np.multiply(p.iraq_market_share, sanctions_iraq))
    war_exposure = np.add(0.5, tension)
    out: list[Array] = []
    for k, prof in enumerate(p.profiles):
        u = (
            p.revenge_weight * prof.resolve * np.asarray(revenge, dtype=np.float64)
            + p.audience_weight * prof.resolve * np.asarray(audience_cost)
            + p.pressure_weight * prof.pressure * np.asarray(presence)
            - p.retaliation_weight * prof.provocation * np.asarray(belief_retaliation)
            - p.war_weight * prof.war_risk * war_exposure
            - p.economic_weight * (prof.provocation - prof.relief) * econ
            - p.isis_weight * prof.pressure * np.asarray(isis)
            + p.inertia * (np.asarray(current) == k)
        )
        if k == Strategy.DIPLOMACY:
            u = u + p.diplomacy_weight * np.asarray(diplomacy)
        u = u + p.posture_bias * (np.asarray(p.posture_index) == k)  # elementwise: may vary by row
        if k == Strategy.CALIBRATED_STRIKE:
            u = u - p.calibrated.repeat_penalty * np.asarray(calibrated_done)
        out.append(u)
    return out


# ------------------------------------------------------------------------------------------
# militias


def militia_utilities(
    p: MilitiaParams,
    *,
    loyalty: ArrayLike,
    hostility: ArrayLike,
    fear: ArrayLike,
    belief: ArrayLike,
    stock: ArrayLike,
    order: ArrayLike,
    sentiment: ArrayLike,
) -> list[Array]:
    """A militia's payoff for stand down, harass, deadly strike and storm ([002] scenarios 1-3).

    ``U_a = order_w*loyalty*(1-|a-order|) + hostility_w*hostility*a/3 + mood_w*sentiment*a/3``
    ``- fear_w*fear*belief*severity_a - cost_a`` (+ ``stand_down_value`` for a=0), and deadly
    strikes need advanced missiles in stock ([002]: "receiving advanced Iranian missiles").
    """
    severity = p.retaliation_severity.by_action()
    cost = p.action_costs.by_action()
    out: list[Array] = []
    for a in range(4):
        level = intensity(a)
        u = (
            p.order_weight * np.multiply(loyalty, 1.0 - np.abs(a - np.asarray(order)))
            + p.hostility_weight * np.multiply(hostility, level)
            + p.mood_weight * np.multiply(sentiment, level)
        )
        if a == MilitiaAction.STAND_DOWN:
            u = u + p.stand_down_value
        else:
            u = u - p.fear_weight * np.multiply(fear, belief) * severity[a] - cost[a]
        if a == MilitiaAction.DEADLY:
            u = u - p.no_stock_penalty * (np.asarray(stock) < 1.0)
        out.append(np.asarray(u, dtype=np.float64))
    return out


# ------------------------------------------------------------------------------------------
# United States


def us_utilities(
    p: USParams,
    *,
    threat: ArrayLike,
    threat_iran: ArrayLike,
    audience_cost: ArrayLike,
    sentiment: ArrayLike,
    tension: ArrayLike,
    protection: ArrayLike,
    presence: ArrayLike,
    isis: ArrayLike,
    legal_status: ArrayLike,
    iran_political: ArrayLike,
    iran_diplomacy: ArrayLike,
    diplomacy: ArrayLike,
    sanctions_iran: ArrayLike,
    sanctions_iraq: ArrayLike,
) -> list[Array]:
    """US payoff for each option in ``US_OPTIONS`` order, against holding (0).

    Terms ([002] unless noted): proportional retaliation for harm to US forces; the domestic
    price of looking weak; avoiding another Middle East war; backlash over Iraqi sovereignty;
    the anti-ISIS mission and force protection ([000]: operations paused for force protection);
    sanctions on Iraq over expulsion (scenario 4) and on Iran (the 8 January answer); drawdown
    under Iraqi demand, casualties, or a binding law.
    """
    threat = np.asarray(threat, dtype=np.float64)
    present = np.asarray(presence) > 0.0
    legal = np.asarray(legal_status, dtype=np.float64)
    c = p.costs
    hold = np.zeros(np.broadcast(threat, sentiment, presence).shape)
    talks = (
        p.talks_weight * (1.0 - np.asarray(diplomacy)) * (np.add(tension, iran_diplomacy))
        - p.audience_weight * np.asarray(audience_cost)
        - c.offer_talks
    )
    protect = (
        p.protection_weight * threat * (1.0 - np.asarray(protection))
        - p.mission_weight * np.asarray(isis) * (1.0 - np.asarray(protection))
        - c.force_protection
    )
    protect = np.where(present, protect, UNAVAILABLE)
    strike_m = (
        p.retaliation_weight * threat
        + p.audience_weight * np.asarray(audience_cost)
        - p.sovereignty_weight * np.asarray(sentiment)
        - p.war_avoidance_weight * np.asarray(tension) * 0.5
        - c.strike_militias
    )
    strike_i = (
        p.retaliation_weight * (np.asarray(threat_iran) + threat)
        + p.audience_weight * np.asarray(audience_cost) * 0.5
        - p.war_avoidance_weight * np.add(tension, 0.5)
        - c.strike_iran
    )
    sanc_iraq = (
        p.sanction_iraq_weight * (legal_share(legal) + np.asarray(iran_political)) * (1.0 - np.asarray(sanctions_iraq))
        - p.mission_weight * np.asarray(isis)
        - c.sanction_iraq
    )
    sanc_iran = (
        p.sanction_iran_weight
        * (np.asarray(threat_iran) + 0.5 * threat + np.asarray(audience_cost))
        * (1.0 - np.asarray(sanctions_iran))
        - c.sanction_iran
    )
    draw = (
        p.drawdown_weight * (threat + np.asarray(sentiment) + np.asarray(tension))
        + p.compliance_weight * (legal >= LegalStep.BINDING_LAW)
        - p.mission_weight * np.asarray(isis)
        - p.audience_weight * np.asarray(audience_cost)
        - c.drawdown
    )
    draw = np.where(present, draw, UNAVAILABLE)
    return [hold, talks, protect, strike_m, strike_i, sanc_iraq, sanc_iran, draw]


# ------------------------------------------------------------------------------------------
# parliament


def bloc_support(
    p: ParliamentParams,
    *,
    bias: ArrayLike,
    anger: ArrayLike,
    iran_alignment: ArrayLike,
    us_ties: ArrayLike,
    sentiment: ArrayLike,
    iran_political: ArrayLike,
    sanction_threat: ArrayLike,
    isis: ArrayLike,
) -> Array:
    """A bloc's support for expelling US forces.

    Anger after US strikes on Iraqi soil ([002]) and Iranian threats and promises (scenario 4)
    push for; US sanctions threats ([002]) and the value of US training against ISIS ([000])
    push against, in proportion to the bloc's ties to the US.
    """
    return np.asarray(
        np.asarray(bias, dtype=np.float64)
        + p.anger_weight * np.multiply(anger, sentiment)
        + p.iran_weight * np.multiply(iran_alignment, iran_political)
        - p.sanction_weight * np.multiply(us_ties, sanction_threat)
        - p.isis_weight * np.multiply(us_ties, isis),
        dtype=np.float64,
    )


def bloc_utilities(support: ArrayLike, boycott_bias: ArrayLike, hurdle: ArrayLike) -> list[Array]:
    """Payoff of boycott / vote no / vote yes on a motion with the given hurdle ([000] 5 Jan)."""
    s = np.asarray(support, dtype=np.float64)
    return [np.subtract(boycott_bias, s), np.zeros_like(s), s - hurdle]


def session_probability(p: ParliamentParams, *, pressure: ArrayLike) -> Array:
    """Daily chance that parliament sits on the pending motion, given political pressure."""
    prob = p.session_base + p.session_pressure * np.asarray(pressure, dtype=np.float64)
    return np.minimum(prob, 1.0)


# ------------------------------------------------------------------------------------------
# harm, threat, beliefs and audience costs


def harm(p: USParams, *, killed: ArrayLike, wounded: ArrayLike, attacks: ArrayLike) -> Any:
    """Harm to US forces as the US weighs it: per US killed, per wounded, per attack."""
    return p.harm_killed * killed + p.harm_wounded * wounded + p.harm_attack * attacks


def remembered(p: USParams, signal: ArrayLike, today: ArrayLike) -> Any:
    """A decaying memory of harm (the US threat signals): yesterday's times ``threat_memory`` plus today's."""
    return p.threat_memory * signal + today


def update_belief(
    belief: ArrayLike, rate: ArrayLike, answered: ArrayLike, unanswered: ArrayLike
) -> Array:
    """Move a belief that the US retaliates toward 1 after a US strike, toward 0 after an attack
    that went unanswered; otherwise keep it (MODEL_BRIEF: beliefs updated from what the US did).
    """
    b = np.asarray(belief, dtype=np.float64)
    target = np.where(answered, 1.0, np.where(unanswered, 0.0, b))
    return b + np.multiply(rate, target - b)


def audience_cost(
    cost: ArrayLike, *, harm: ArrayLike, responded: ArrayLike, gain: Num, relief: Num, decay: Num
) -> Array:
    """Accumulated price of looking weak ([002]): grows with unanswered harm, eased by a response."""
    grown = np.asarray(cost, dtype=np.float64) * (1.0 - decay) + gain * np.asarray(harm)
    return np.where(responded, grown * (1.0 - relief), grown)


def war_hazard(tension: ArrayLike, *, threshold: Num, slope: Num, max_hazard: Num) -> Array:
    """Daily chance of sliding into all-out war, rising steeply as tension passes a threshold."""
    return np.asarray(max_hazard / (1.0 + np.exp(-slope * (np.asarray(tension) - threshold))))


def isis_next(
    isis: ArrayLike, *, ops: ArrayLike, growth: Num, suppression: Num, iraqi: Num
) -> Array:
    """ISIS strength: logistic regrowth, suppressed by US-backed operations ([000])."""
    s = np.asarray(isis, dtype=np.float64)
    nxt = s + growth * s * (1.0 - s) - suppression * np.asarray(ops) * s - iraqi * s
    return np.clip(nxt, 0.0, 1.0)
