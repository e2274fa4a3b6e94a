"""Decision functions: observation + own parameters + beliefs -> choice, for each actor type.

This module owns the glue between what an actor sees and the payoff rules of :mod:`sim.core.rules`:
it picks the observation fields each payoff reads, turns payoffs into logit probabilities and
selects with the actor's keyed draw. The functions are pure and broadcast over replicates (and,
for militias and blocs, over the entity axis), so a Mesa agent deciding for itself and the
ensemble deciding for all replicates at once run the very same code.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import STRATEGIES
from sim.core import draws as D
from sim.core import rules
from sim.core.state import Observation

Arr = npt.NDArray[Any]


def iran_probs(p: SimpleNamespace, obs: Observation, belief: Arr) -> list[Arr]:
    """Iran's logit probabilities over strategies, given its belief that the US retaliates."""
    w = obs.world
    utils = rules.iran_utilities(
        p,
        current=w.iran_strategy,
        revenge=w.revenge,
        audience_cost=w.iran_audience,
        presence=obs.presence,
        belief_retaliation=belief,
        tension=w.tension,
        sanctions_iran=w.sanctions_iran,
        sanctions_iraq=w.sanctions_iraq,
        diplomacy=w.diplomacy,
        isis=w.isis,
        calibrated_done=w.counters["calibrated_strikes"],
    )
    return rules.logit_probs(utils, p.rationality)


def iran_choice(p: SimpleNamespace, obs: Observation, belief: Arr, seeds: Arr) -> Arr:
    """Iran's strategy for the day."""
    probs = iran_probs(p, obs, belief)
    return rules.choose(probs, D.uniform(seeds, obs.world.day, D.IRAN, D.CHOICE))


def militia_probs(
    p: SimpleNamespace, obs: Observation, *, loyalty: Any, hostility: Any, fear: Any,
    belief: Arr, stock: Arr, orders: list[int],
) -> list[Arr]:
    """A militia's (or all militias') logit probabilities over actions.

    The order is the action Iran's standing strategy calls for ([002]: proxies act on Iran's
    behalf; loyalty differs per group).
    """
    order = np.choose(obs.world.iran_strategy, orders)
    utils = rules.militia_utilities(
        p, loyalty=loyalty, hostility=hostility, fear=fear, belief=belief, stock=stock,
        order=order, sentiment=obs.world.sentiment,
    )
    return rules.logit_probs(utils, p.rationality)


def militia_choice(
    p: SimpleNamespace, obs: Observation, *, actor: Any, loyalty: Any, hostility: Any,
    fear: Any, belief: Arr, stock: Arr, orders: list[int], seeds: Arr,
) -> Arr:
    """A militia's action for the day (``actor`` = ``draws.MILITIA + index``)."""
    probs = militia_probs(p, obs, loyalty=loyalty, hostility=hostility, fear=fear,
                          belief=belief, stock=stock, orders=orders)
    return rules.choose(probs, D.uniform(seeds, obs.world.day, actor, D.CHOICE))


def us_probs(p: SimpleNamespace, obs: Observation) -> list[Arr]:
    """The United States' logit probabilities over its options."""
    w = obs.world
    utils = rules.us_utilities(
        p,
        threat=w.threat,
        threat_iran=w.threat_iran,
        audience_cost=w.us_audience,
        sentiment=w.sentiment,
        tension=w.tension,
        protection=w.protection,
        presence=obs.presence,
        isis=w.isis,
        legal_status=w.legal,
        iran_political=w.iran_political,
        iran_diplomacy=(w.iran_strategy == STRATEGIES.index("diplomacy")).astype(np.float64),
        diplomacy=w.diplomacy,
        sanctions_iran=w.sanctions_iran,
        sanctions_iraq=w.sanctions_iraq,
    )
    return rules.logit_probs(utils, p.rationality)


def us_choice(p: SimpleNamespace, obs: Observation, seeds: Arr) -> Arr:
    """The US option for the day."""
    return rules.choose(us_probs(p, obs), D.uniform(seeds, obs.world.day, D.US, D.CHOICE))


def vote_scheduled(p: SimpleNamespace, obs: Observation, seeds: Arr) -> Arr:
    """Whether parliament sits on the next legal step today."""
    w = obs.world
    pressure = obs.parliament_pressure
    eligible = (w.legal < 3) & (w.days_since_vote >= p.min_days_between_votes) & (pressure >= p.motion_trigger)
    prob = rules.session_probability(p, pressure=pressure)
    return np.asarray(eligible & (D.uniform(seeds, w.day, D.PARLIAMENT, D.SESSION) < prob))


def bloc_probs(p: SimpleNamespace, obs: Observation, *, bias: Any, anger: Any,
               iran_alignment: Any, us_ties: Any, boycott_bias: Any) -> list[Arr]:
    """A bloc's (or all blocs') probabilities of boycott / no / yes on the pending motion."""
    w = obs.world
    support = rules.bloc_support(
        p, bias=bias, anger=anger, iran_alignment=iran_alignment, us_ties=us_ties,
        sentiment=w.sentiment, iran_political=w.iran_political,
        sanction_threat=w.sanction_threat, isis=w.isis,
    )
    level = np.minimum(w.legal + 1, 3)
    hurdle = np.choose(level, p.hurdles)
    return rules.logit_probs(rules.bloc_utilities(support, boycott_bias, hurdle), p.rationality)


def bloc_choice(p: SimpleNamespace, obs: Observation, *, actor: Any, seeds: Arr, **bloc: Any) -> Arr:
    """A bloc's choice (0 boycott, 1 no, 2 yes); ``actor`` = ``draws.BLOC + index``."""
    probs = bloc_probs(p, obs, **bloc)
    return rules.choose(probs, D.uniform(seeds, obs.world.day, actor, D.CHOICE))


def belief_next(belief: Arr, rate: Any, obs: Observation) -> Arr:
    """An actor's updated belief that the US retaliates (Iran's and each militia's): toward 1
    after a US strike, toward 0 while attacks go unanswered.
    """
    return rules.update_belief(belief, rate, obs.world.us_struck_yesterday, obs.unanswered)
