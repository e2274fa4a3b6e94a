"""The actors of the escalation model: the United States, Iran, the militias and parliament.

Each actor is one class (:mod:`agents.iran`, :mod:`agents.militias`, :mod:`agents.united_states`,
:mod:`agents.parliament`) that owns its typed parameters and its beliefs for one replicate or R
of them and follows the :class:`~agents.base.Actor` protocol (``learn``, ``probabilities``,
``decide``). :data:`ACTORS` registers them: the engines build and loop over this tuple, so a new
actor is one class, one config section and one entry here (plus the fields it fills in
:class:`~sim.core.transition.Decisions` and the transition stage that applies them). Actors
never change the world: :mod:`sim.core.transition` does. The Mesa adapter lives in
:mod:`agents.mesa`, so importing this package does not import Mesa.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy.typing as npt

from agents.base import Actor
from agents.iran import Iran
from agents.militias import Militias
from agents.parliament import Parliament, ParliamentProbs
from agents.united_states import UnitedStates
from sim.core.params import Params
from sim.core.state import Observation
from sim.core.transition import Decisions

#: Every actor type of the model, in the order the engines build them.
ACTORS: tuple[type[Actor], ...] = (UnitedStates, Iran, Militias, Parliament)


def build_actors(params: Params, replicates: int) -> list[Actor]:
    """One actor of each registered type, with its parameters, for ``replicates`` replicates."""
    return [cls.build(params, replicates) for cls in ACTORS]


def merge_decisions(parts: Iterable[Mapping[str, Any]]) -> Decisions:
    """The day's :class:`Decisions` from every actor's part (each fills its own fields)."""
    fields: dict[str, Any] = {}
    for part in parts:
        fields.update(part)
    return Decisions(**fields)


def decide_all(actors: Sequence[Actor], obs: Observation, seeds: npt.NDArray[Any]) -> Decisions:
    """Every actor decides from the same observation; their parts make the day's decisions."""
    return merge_decisions(a.decide(obs, seeds) for a in actors)


__all__ = ["ACTORS", "Actor", "Iran", "Militias", "Parliament", "ParliamentProbs", "UnitedStates",
           "build_actors", "decide_all", "merge_decisions"]
