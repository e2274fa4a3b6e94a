"""The actors' payoffs and rates: pure functions of the observation's numbers and the weights.

One function per decision: Iran's strategy (:func:`iran_utilities`) and its direct strike
(:func:`direct_utility`); a militia group's log attack rate (:func:`militia_log_rate`) and tactic
weights (:func:`tactic_weights`); the US military track (:func:`us_strike_utility`,
:func:`us_iran_utility`, :func:`protection_utility`) and policy track (:func:`policy_utilities`);
the Iraqi executive (:func:`exec_utilities`); parliament's blocs on the US presence
(:func:`bloc_support`) and on a PM-designate (:func:`confirmation_support`). Arrays broadcast:
the last axis is the replicate (or a sparse cell) axis, an entity axis comes first.
Sources are named in each docstring; docs/ODD.md §7 maps every term to its passage.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import ADVANCED, DEADLY, LegalStep, Strategy, Tactic, USPolicy
from sim.core.params import Num
from sim.core.params_actors import (
    DirectStrikeParams,
    ExecutiveParams,
    IranParams,
    MilitiaParams,
    ParliamentParams,
    USParams,
)
from sim.core.rules import UNAVAILABLE, legal_share

Array = npt.NDArray[np.float64]
ArrayLike = Any


# ------------------------------------------------------------------------------------------ Iran


def iran_utilities(p: IranParams, *, current: ArrayLike, revenge: ArrayLike, audience_cost: ArrayLike,
                   presence: ArrayLike, belief_retaliation: ArrayLike, tension: ArrayLike,
                   sanctions_iran: ArrayLike, sanctions_iraq: ArrayLike, diplomacy: ArrayLike,
                   isis: ArrayLike) -> list[Array]:
    """Iran's payoff for each strategy in ``STRATEGIES`` order ([002]: the track and four scenarios).

    ``U_k = revenge_w*resolve_k*revenge + audience_w*resolve_k*audience_cost``
    ``+ pressure_w*pressure_k*presence - retaliation_w*provocation_k*belief``
    ``- war_w*war_risk_k*(1/2 + tension) - economic_w*(provocation_k - relief_k)*econ``
    ``- isis_w*pressure_k*isis + diplomacy_w*[k=diplomacy]*diplomacy + inertia*[k=current]``
    ``+ posture_bias*[k=posture]``, with ``econ = sanctions_iran + iraq_market_share*sanctions_iraq``.
    """
    econ = np.add(sanctions_iran, np.multiply(p.iraq_market_share, sanctions_iraq))
    war_exposure = np.add(0.5, tension)
    out: list[Array] = []
    for k, prof in enumerate(p.profiles):
        u = (p.revenge_weight * prof.resolve * np.asarray(revenge, dtype=np.float64)
             + p.audience_weight * prof.resolve * np.asarray(audience_cost)
             + p.pressure_weight * prof.pressure * np.asarray(presence)
             - p.retaliation_weight * prof.provocation * np.asarray(belief_retaliation)
             - p.war_weight * prof.war_risk * war_exposure
             - p.economic_weight * (prof.provocation - prof.relief) * econ
             - p.isis_weight * prof.pressure * np.asarray(isis)
             + p.inertia * (np.asarray(current) == k))
        if k == Strategy.DIPLOMACY:
            u = u + p.diplomacy_weight * np.asarray(diplomacy)
        u = u + p.posture_bias * (np.asarray(p.posture_index) == k)  # elementwise: may vary by row
        out.append(u)
    return out


def direct_utility(p: IranParams, d: DirectStrikeParams, *, revenge: ArrayLike, audience_cost: ArrayLike,
                   belief_retaliation: ArrayLike, tension: ArrayLike) -> Array:
    """Iran's payoff of committing to its own strike today against waiting ([002] the 8 January act):
    ``revenge_w*resolve*revenge + audience_w*resolve*audience - retaliation_w*provocation*belief``
    ``- war_w*war_risk*(1/2 + tension) - cost``.
    """
    return np.asarray(p.revenge_weight * d.resolve * np.asarray(revenge)
                      + p.audience_weight * d.resolve * np.asarray(audience_cost)
                      - p.retaliation_weight * d.provocation * np.asarray(belief_retaliation)
                      - p.war_weight * d.war_risk * np.add(0.5, tension) - d.cost)


# ------------------------------------------------------------------------------------------ militias


def militia_log_rate(p: MilitiaParams, *, guidance: ArrayLike, loyalty: ArrayLike, hostility: ArrayLike,
                     excitation: ArrayLike, fear: ArrayLike, belief: ArrayLike, anger: ArrayLike,
                     negotiating: ArrayLike, crackdown: ArrayLike, truce: ArrayLike) -> Array:
    """A group's log attack rate relative to its base rate (MODEL11 §1, [002], the record).

    It is ``guidance_w*guidance*loyalty + hostility_w*hostility + excitation - fear_w*fear*belief``
    ``+ anger_w*anger + politics_w*[negotiating] - crackdown_w*crackdown - truce_w*[truce]``.
    """
    return np.asarray(p.guidance_weight * np.multiply(guidance, loyalty)
                      + p.hostility_weight * np.asarray(hostility)
                      + np.asarray(excitation)
                      - p.fear_weight * np.multiply(fear, belief)
                      + p.anger_weight * np.asarray(anger)
                      + p.politics_weight * np.asarray(negotiating, dtype=np.float64)
                      - p.crackdown_weight * np.asarray(crackdown)
                      - p.truce_weight * np.asarray(truce, dtype=np.float64))


def tactic_weights(base: Array, *, shift: ArrayLike, escalation: ArrayLike, stock: ArrayLike) -> Array:
    """Weights of the tactics (``TACTICS[1:]`` on the first axis) for attacking cells.

    ``base`` (tactics, cells) are the groups' own weights; a strategy's escalation shifts drones,
    missiles and storming up by ``exp(escalation_shift*escalation)`` ([002] S3, S1); drones and
    missiles need advanced weapons in stock ([002] "receiving advanced Iranian missiles").
    """
    up = np.exp(np.multiply(shift, escalation))
    armed = np.asarray(stock) >= 1.0
    rows = []
    for k in range(base.shape[0]):
        t = Tactic(k + 1)
        w = base[k]
        if t in DEADLY:
            w = w * up
        if t in ADVANCED:
            w = np.where(armed, w, 0.0)
        rows.append(w)
    return np.stack(rows)


# ------------------------------------------------------------------------------------------ the US


def us_strike_utility(p: USParams, *, grievance: ArrayLike, audience_cost: ArrayLike, tension: ArrayLike,
                      sentiment: ArrayLike, legal: ArrayLike, negotiating: ArrayLike) -> Array:
    """The US payoff of striking the group it holds the largest grievance against, against holding.

    ``retaliation_w*grievance + audience_w*audience - war_w*tension``
    ``- sovereignty_w*(sentiment + legal/3) - dialogue_w*[negotiating] - cost`` ([002]: proportional
    retaliation, the price of looking weak, avoiding war, sovereignty backlash).
    """
    return np.asarray(p.retaliation_weight * np.asarray(grievance) + p.audience_weight * np.asarray(audience_cost)
                      - p.war_avoidance_weight * np.asarray(tension)
                      - p.sovereignty_weight * (np.asarray(sentiment) + legal_share(legal))
                      - p.dialogue_weight * np.asarray(negotiating, dtype=np.float64)
                      - p.costs.strike_militias)


def us_iran_utility(p: USParams, *, threat_iran: ArrayLike, audience_cost: ArrayLike, tension: ArrayLike,
                    war: ArrayLike) -> Array:
    """The US payoff of striking Iran proper: only Iranian-caused harm (or war) pays for it ([002] S1)."""
    return np.asarray(p.retaliation_weight * np.asarray(threat_iran)
                      + 0.5 * p.audience_weight * np.asarray(audience_cost)
                      - p.war_avoidance_weight * np.add(tension, 0.5) * (1.0 - np.asarray(war, dtype=np.float64))
                      - p.costs.strike_iran)


def protection_utility(p: USParams, *, threat: ArrayLike, protection: ArrayLike, isis: ArrayLike) -> Array:
    """The US payoff of ordering force protection: the threat to its forces against the anti-ISIS
    mission ([000]: operations paused "to protect coalition forces from continued rocket attacks").
    """
    slack = 1.0 - np.asarray(protection)
    return np.asarray(p.protection_weight * np.asarray(threat) * slack - p.mission_weight * np.asarray(isis) * slack
                      - p.costs.force_protection)


def policy_utilities(p: USParams, *, iran_harm: ArrayLike, expulsion: ArrayLike, legal: ArrayLike,
                     revoked: ArrayLike, deescalation: ArrayLike, diplomacy: ArrayLike, threat: ArrayLike,
                     audience_cost: ArrayLike, sentiment: ArrayLike, tension: ArrayLike, isis: ArrayLike,
                     held: ArrayLike, sanctioned: ArrayLike, mandate: ArrayLike, pm_alignment: ArrayLike,
                     deaths: ArrayLike) -> dict[USPolicy, Array]:
    """The US policy track's payoffs against not acting, one per instrument ([000], [002], the record).

    Sanctions on Iran answer unsanctioned Iranian and proxy harm (H1-021, H1-053); a threat to Iraq
    answers an expulsion step (H1-014, H1-019); sanctions are imposed on Iraq only after a binding
    law or a revoked invitation ([002] S4); talks follow a de-escalatory Iranian act ([002]);
    warnings follow sustained attacks (H1-057); the Dialogue is proposed to a government with a
    mandate (H1-071); consolidation answers recent deaths and planned transfers (H1-048..058); a
    unilateral drawdown follows a binding law or heavy losses ([002] S1).
    """
    binding = (np.asarray(legal) >= LegalStep.BINDING_LAW) | np.asarray(revoked, dtype=bool)
    aud = p.audience_weight * np.asarray(audience_cost)
    c = p.costs
    return {
        USPolicy.SANCTION_IRAN: np.asarray(p.sanction_iran_weight * np.asarray(iran_harm) - c.sanction_iran),
        USPolicy.THREATEN_IRAQ: np.asarray(p.threaten_weight * np.asarray(expulsion) - c.threaten_iraq),
        USPolicy.SANCTION_IRAQ: np.where(np.asarray(sanctioned) > 0, UNAVAILABLE,
                                         p.sanction_iraq_weight * binding - p.mission_weight * np.asarray(isis)
                                         - c.sanction_iraq),
        USPolicy.OFFER_TALKS: np.asarray(p.talks_weight * np.asarray(deescalation) * (1.0 - np.asarray(diplomacy))
                                         - aud - c.offer_talks),
        USPolicy.WARNING: np.asarray(p.warning_weight * np.asarray(threat) - c.warning),
        USPolicy.PROPOSE_DIALOGUE: np.where(np.asarray(mandate, dtype=bool),
                                            p.dialogue_offer_weight * (legal_share(legal) + np.asarray(sentiment)
                                                                       + np.asarray(pm_alignment))
                                            - c.propose_dialogue, UNAVAILABLE),
        USPolicy.CONSOLIDATE: np.where(np.asarray(held) > 0, p.consolidation_weight * np.asarray(deaths)
                                       + p.consolidation.planned - c.consolidate, UNAVAILABLE),
        USPolicy.DRAWDOWN: np.asarray(p.drawdown_weight * (np.asarray(deaths) + np.asarray(sentiment)
                                                           + np.asarray(tension))
                                      + p.compliance_weight * binding - p.mission_weight * np.asarray(isis)
                                      - aud - c.drawdown),
        USPolicy.OFFER_DRAWDOWN: np.asarray(p.offer_drawdown_weight * (legal_share(legal) + np.asarray(sentiment))
                                            - p.mission_weight * np.asarray(isis) - c.offer_drawdown),
    }


# ------------------------------------------------------------------------------------------ Iraq


def exec_utilities(p: ExecutiveParams, *, alignment: ArrayLike, threat: ArrayLike, iran_political: ArrayLike,
                   short_waiver: ArrayLike, sentiment: ArrayLike, legal: ArrayLike,
                   isis: ArrayLike) -> dict[str, Array]:
    """The PM's payoffs ([000]: sovereignty, the US training for the CTS, militia pressure; the
    record: dependence on Iranian gas and power, H1-064, H1-067; raids, H1-077).

    ``pro_us = (1 + alignment)/2``. Crackdown: ``training_w*pro_us + economic_w*[short waiver]``
    ``+ threat_w*threat - militia_w*iran_political - cost``. Revoke the invitation:
    ``sovereignty_w*(legal/3 + sentiment) + militia_w*iran_political - training_w*pro_us - cost``.
    Demand a drawdown timetable at a session: ``sovereignty_w*(legal/3 + sentiment)``
    ``+ militia_w*iran_political - training_w*pro_us*isis - cost``.
    """
    pro_us = (1.0 + np.asarray(alignment)) / 2.0
    sov = legal_share(legal) + np.asarray(sentiment)
    mil = p.militia_weight * np.asarray(iran_political)
    return {
        "crackdown": np.asarray(p.training_weight * pro_us
                                + p.economic_weight * np.asarray(short_waiver, dtype=np.float64)
                                + p.threat_weight * np.asarray(threat) - mil - p.crackdown_cost),
        "revoke": np.asarray(p.sovereignty_weight * sov + mil - p.training_weight * pro_us - p.revoke_cost),
        "demand": np.asarray(p.sovereignty_weight * sov + mil - p.training_weight * pro_us * np.asarray(isis)
                             - p.demand_cost),
    }


def bloc_support(p: ParliamentParams, *, bias: ArrayLike, anger: ArrayLike, iran_alignment: ArrayLike,
                 us_ties: ArrayLike, sentiment: ArrayLike, iran_political: ArrayLike, sanction_threat: ArrayLike,
                 isis: ArrayLike) -> Array:
    """A bloc's support for expelling US forces.

    Anger after US strikes on Iraqi soil ([002]) and Iranian threats and promises (scenario 4)
    push for; US sanctions threats ([002]) and the value of US training against ISIS ([000])
    push against, in proportion to the bloc's ties to the US.
    """
    return np.asarray(np.asarray(bias, dtype=np.float64)
                      + p.anger_weight * np.multiply(anger, sentiment)
                      + p.iran_weight * np.multiply(iran_alignment, iran_political)
                      - p.sanction_weight * np.multiply(us_ties, sanction_threat)
                      - p.isis_weight * np.multiply(us_ties, isis), dtype=np.float64)


def confirmation_support(p: ExecutiveParams, *, position: ArrayLike, alignment: ArrayLike,
                         urgency: ArrayLike) -> Array:
    """A bloc's support for confirming a PM-designate: ``base + urgency_w*urgency``
    ``- alignment_w*|position - alignment|`` (H1-036, H1-046, H1-061, H1-066).
    """
    return np.asarray(p.confirmation_base + p.urgency_weight * np.asarray(urgency)
                      - p.alignment_weight * np.abs(np.subtract(position, alignment)))


def bloc_utilities(support: ArrayLike, boycott_bias: ArrayLike, hurdle: ArrayLike) -> list[Array]:
    """Payoff of boycott / vote no / vote yes on a motion with the given hurdle ([000] 5 Jan)."""
    s = np.asarray(support, dtype=np.float64)
    return [np.subtract(boycott_bias, s), np.zeros_like(s), s - hurdle]


def request_probability(rate: Num, threshold: Num, agenda: ArrayLike) -> Array:
    """Daily chance a bloc leader asks for a sitting on the US presence:
    ``1 - exp(-rate*max(agenda - threshold, 0))`` (below the threshold the push is not enough).
    """
    return np.asarray(1.0 - np.exp(-np.multiply(rate, np.maximum(np.subtract(agenda, threshold), 0.0))))
