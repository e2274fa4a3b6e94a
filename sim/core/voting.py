"""Voting: how a sitting of parliament is counted (the constitution, not a payoff).

This module owns the legal steps' order (:func:`next_legal_step`), the seats a bloc brings
(:func:`bloc_seats`), the tally of a sitting (:func:`tally`), the pass rule (quorum, then a
majority of those present or of all seats: :func:`motion_passes`) and the exact chance that a
sitting passes given each bloc's choice probabilities (:func:`pass_probability`). The transition
applies the pass rule to the blocs' choices; the history replay scores a recorded vote with the
exact chance; both use these functions ([000]: the 5 January sitting).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import BlocChoice, LegalStep
from sim.core.params import Num, ParliamentParams

Array = npt.NDArray[np.float64]
ArrayLike = Any


def next_legal_step(legal: ArrayLike) -> npt.NDArray[np.int64]:
    """The legal step a sitting votes on: the one after the current status (at most the law)."""
    return np.minimum(legal + 1, int(LegalStep.BINDING_LAW))


def bloc_seats(seats: Num, cohesion: Num) -> Any:
    """Seats a bloc brings to a vote: its seats times cohesion, rounded half up."""
    return np.floor(seats * cohesion + 0.5)


def tally(
    choices: Sequence[ArrayLike], seats: Sequence[Num], cohesion: Num
) -> tuple[Array, Array]:
    """Seats present and seats voting yes, given each bloc's choice (0 boycott, 1 no, 2 yes)."""
    present: Any = 0.0
    yes: Any = 0.0
    for ch, n in zip(choices, seats, strict=True):
        counted = bloc_seats(n, cohesion)
        present = present + np.where(np.asarray(ch) >= BlocChoice.NO, counted, 0.0)  # attends
        yes = yes + np.where(np.asarray(ch) == BlocChoice.YES, counted, 0.0)
    return np.asarray(present, dtype=np.float64), np.asarray(yes, dtype=np.float64)


def motion_passes(
    present: ArrayLike, yes: ArrayLike, *, quorum: ArrayLike, absolute: ArrayLike, total_seats: ArrayLike
) -> npt.NDArray[np.bool_]:
    """Quorum met, and a majority of those present (or, if ``absolute``, of all seats)."""
    need = np.where(absolute, np.floor(np.divide(total_seats, 2.0)) + 1.0,
                    np.floor(np.asarray(present) / 2.0) + 1.0)
    return np.asarray((np.asarray(present) >= quorum) & (np.asarray(yes) >= need))


def needs_absolute_majority(p: ParliamentParams, level: ArrayLike) -> Any:
    """Whether a motion at ``level`` needs a majority of all seats (the binding law, if so configured)."""
    return (np.asarray(level) == LegalStep.BINDING_LAW) & p.binding_absolute_majority


def pass_probability(p: ParliamentParams, bloc_probs: Array, level: Array) -> Array:
    """Exact chance that a sitting passes its motion, summed over all bloc choices.

    ``bloc_probs`` is (3, B, R): each bloc's chance of boycott / no / yes; ``level`` (R,) the step
    voted on. A dynamic programme over blocs builds the distribution of (seats present, seats
    yes); :func:`motion_passes` decides each cell. For one parameter set (scalar seats).
    """
    seats = [int(math.floor(float(n) * float(p.cohesion) + 0.5)) for n in p.seats]
    tot = sum(seats)
    r = bloc_probs.shape[-1]
    dist = np.zeros((tot + 1, tot + 1, r))  # dist[present, yes] per replicate
    dist[0, 0] = 1.0
    for b, n in enumerate(seats):
        p_boy, p_no, p_yes = bloc_probs[0, b], bloc_probs[1, b], bloc_probs[2, b]
        nxt = dist * p_boy
        nxt[n:, :] += dist[: tot + 1 - n, :] * p_no
        nxt[n:, n:] += dist[: tot + 1 - n, : tot + 1 - n] * p_yes
        dist = nxt
    present = np.arange(tot + 1)[:, None]
    yes = np.arange(tot + 1)[None, :]
    out = np.zeros(r)
    for lvl in (LegalStep.RESOLUTION, LegalStep.LIMITS, LegalStep.BINDING_LAW):
        ok = motion_passes(present, yes, quorum=p.quorum, absolute=needs_absolute_majority(p, lvl),
                           total_seats=p.total_seats)
        p_lvl = (dist * ok[:, :, None]).sum(axis=(0, 1))
        out = np.where(level == lvl, p_lvl, out)
    return out
