"""Pure rules shared by every actor: choice, counts from uniforms, memories, beliefs, hazards.

This module owns the one copy of every generic behavioural rule of the model (the actors' payoffs
live in :mod:`sim.core.payoffs`). Each function takes plain numbers or numpy arrays (the last axis
is the replicate axis; an entity axis such as militias or blocs comes first) and returns new values;
none does I/O, keeps state, or draws randomness of its own (uniforms are passed in, see
:mod:`sim.core.draws`). Every operation is elementwise or an explicit loop in a fixed order, so one
replicate (the Mesa agents), a few (sparse cells) and thousands at once (the ensemble engine) give
bit-identical results.

Sources: [000] IntelBrief, 6 Jan 2020; [002] Dagher & Kaltenthaler, 9 Jan 2020; the record
(configs/history/2020h1_events.yaml). ``docs/ODD.md`` maps every term to its passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from sim.config import LegalStep, Tactic
from sim.core.params import Num, USParams

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


def logistic(utility: ArrayLike, rationality: ArrayLike) -> Array:
    """The chance of acting against not acting (utility 0): a two-option logit."""
    return np.asarray(1.0 / (1.0 + np.exp(np.clip(-np.multiply(rationality, utility), -700.0, 700.0))))


def choose(probs: Sequence[ArrayLike] | Array, u: ArrayLike) -> npt.NDArray[np.int64]:
    """Index of the option selected by uniform ``u`` (inverse of the cumulative probabilities)."""
    idx = np.zeros(np.broadcast(probs[0], u).shape, dtype=np.int64)
    cum = np.zeros_like(idx, dtype=np.float64)
    for p in probs[:-1]:
        cum = cum + p
        idx = idx + (u >= cum)
    return idx


def choose_weighted(weights: Array, u: ArrayLike) -> npt.NDArray[np.int64]:
    """Index selected by ``u`` from unnormalised ``weights`` (options on the first axis)."""
    total = weights[0]
    for w in weights[1:]:
        total = total + w
    return choose(list(weights / total), u)


def geometric(mean: ArrayLike, u: ArrayLike) -> Array:
    """A count on {0, 1, ...} with the given mean from one uniform: geometric, over-dispersed.

    ``P(k >= 1) = mean / (1 + mean)``. Mean 0 gives 0.
    """
    m = np.asarray(mean, dtype=np.float64)
    q = m / (1.0 + m)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.floor(np.log(u) / np.log(q))
    return np.where(m > 0.0, k, 0.0)


#: The name kept for casualty counts.
count_from_uniform = geometric


def share_of(total: ArrayLike, share: ArrayLike, u: ArrayLike) -> Array:
    """How many of ``total`` fall in a group with mean share ``share``: ``floor(total*share + u)``
    capped at ``total`` (exact mean ``total*share`` from one uniform).
    """
    t = np.asarray(total, dtype=np.float64)
    return np.minimum(np.floor(t * np.asarray(share) + u), t)


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


def at(value: Any, rows: npt.NDArray[np.intp]) -> Any:
    """A parameter at some replicates: itself when shared, its entries ``rows`` when per replicate."""
    return value[rows] if np.ndim(value) else value


def pick_at(index: ArrayLike, options: Sequence[Any], rows: npt.NDArray[np.intp]) -> Any:
    """``pick`` at some replicates: ``index`` and per-replicate options taken at ``rows``."""
    return np.choose(np.asarray(index)[rows], [at(o, rows) for o in options])


def cell(entity: Array, groups: npt.NDArray[np.intp], rows: npt.NDArray[np.intp]) -> Array:
    """Entries of an (entities, 1) or (entities, R) parameter array at (group, replicate) cells."""
    return entity[groups, rows if entity.shape[1] > 1 else 0]


def intensity(tactic: ArrayLike) -> Any:
    """A tactic's intensity for Iran's resolve: salvos and IEDs 1/3, drones and missiles 2/3, storms 1."""
    t = np.asarray(tactic)
    return np.where(t >= Tactic.STORM, 1.0, np.where(t >= Tactic.DRONE, 2.0 / 3.0,
                                                      np.where(t > 0, 1.0 / 3.0, 0.0)))


def legal_share(legal: ArrayLike) -> Any:
    """The legal status as a share of the top step (the binding law = 1)."""
    return np.divide(legal, float(LegalStep.BINDING_LAW))


# ------------------------------------------------------------------------------------------
# harm, memory, beliefs and audience costs


def harm(p: USParams, *, killed: ArrayLike, wounded: ArrayLike, attacks: ArrayLike) -> Any:
    """Harm to US and coalition forces as the US weighs it: per killed, per wounded, per attack."""
    return p.harm_killed * killed + p.harm_wounded * wounded + p.harm_attack * attacks


def remembered(memory: Num, signal: ArrayLike, today: ArrayLike) -> Any:
    """A decaying memory: yesterday's value times ``memory`` plus today's."""
    return memory * signal + today


def update_belief(belief: ArrayLike, rate: ArrayLike, answered: ArrayLike, unanswered: ArrayLike) -> Array:
    """Move a belief that the US retaliates toward 1 by ``rate*answered`` of the way and toward 0 by
    ``rate*unanswered`` ([MB]: beliefs from what the US did). Both are weights in [0, 1] (or
    booleans): a strike on another group, or one attack left unanswered, teaches less than a strike
    on oneself.
    """
    b = np.asarray(belief, dtype=np.float64)
    up = np.multiply(rate, np.asarray(answered, dtype=np.float64))
    down = np.multiply(rate, np.asarray(unanswered, dtype=np.float64))
    return b + up * (1.0 - b) - down * b


def audience_cost(cost: ArrayLike, *, harm: ArrayLike, responded: ArrayLike, gain: Num, relief: Num,
                  decay: Num) -> Array:
    """Accumulated price of looking weak ([002]): grows with unanswered harm, eased by a response."""
    grown = np.asarray(cost, dtype=np.float64) * (1.0 - decay) + gain * np.asarray(harm)
    return np.where(responded, grown * (1.0 - relief), grown)


def war_hazard(tension: ArrayLike, *, threshold: Num, slope: Num, max_hazard: Num) -> Array:
    """Daily chance of sliding into all-out war, rising steeply as tension passes a threshold."""
    return np.asarray(max_hazard / (1.0 + np.exp(-slope * (np.asarray(tension) - threshold))))


def isis_next(isis: ArrayLike, *, ops: ArrayLike, growth: Num, suppression: Num, iraqi: Num) -> Array:
    """ISIS strength: logistic regrowth, suppressed by US-backed operations ([000])."""
    s = np.asarray(isis, dtype=np.float64)
    nxt = s + growth * s * (1.0 - s) - suppression * np.asarray(ops) * s - iraqi * s
    return np.clip(nxt, 0.0, 1.0)
