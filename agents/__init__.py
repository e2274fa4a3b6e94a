"""The actors of the escalation model: the United States, Iran, the militias, the Iraqi executive
and parliament.

Each actor is one class (:mod:`agents.iran`, :mod:`agents.militias`, :mod:`agents.united_states`,
:mod:`agents.executive`, :mod:`agents.parliament`) that owns its typed parameters and its beliefs
for one replicate or R of them and follows the :class:`~agents.base.Actor` protocol (``learn``,
``probabilities``, ``decide``). :data:`ACTORS` registers them: the engines build and loop over
this tuple, so a new actor is one class, one config section and one entry here (plus the fields it
fills in :class:`~sim.core.transition.Decisions` and the transition stage that applies them).
Actors never change the world: :mod:`sim.core.transition` does. Interventions (config
``interventions:``) replace some decisions before the transition (:mod:`agents.interventions`).
The Mesa adapter lives in :mod:`agents.mesa`, so importing this package does not import Mesa.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from agents.base import Actor
from agents.executive import Executive, ExecutiveProbs
from agents.interventions import apply_interventions, apply_shocks
from agents.iran import Iran, IranProbs
from agents.militias import MilitiaProbs, Militias
from agents.parliament import Parliament, ParliamentProbs
from agents.united_states import UnitedStates, USProbs
from sim.core.draws import Stream
from sim.core.params import Params
from sim.core.state import Observation
from sim.core.transition import Decisions

#: Every actor type of the model, in the order the engines build them.
ACTORS: tuple[type[Actor], ...] = (UnitedStates, Iran, Militias, Executive, Parliament)


def build_actors(params: Params, replicates: int) -> list[Actor]:
    """One actor of each registered type, with its parameters, for ``replicates`` replicates."""
    return [cls.build(params, replicates) for cls in ACTORS]


def merge_decisions(parts: Iterable[Mapping[str, Any]]) -> Decisions:
    """The day's :class:`Decisions` from every actor's part (each fills its own fields)."""
    fields: dict[str, Any] = {}
    for part in parts:
        fields.update(part)
    return Decisions(**fields)


def decide_all(actors: Sequence[Actor], obs: Observation, keys: Stream) -> Decisions:
    """Every actor decides from the same observation; their parts, after the day's interventions,
    make the day's decisions.
    """
    dec = merge_decisions(a.decide(obs, keys) for a in actors)
    return apply_interventions(dec, obs.params, obs, {a.key: a for a in actors}, keys)


__all__ = ["ACTORS", "Actor", "Executive", "ExecutiveProbs", "Iran", "IranProbs", "MilitiaProbs", "Militias",
           "Parliament", "ParliamentProbs", "USProbs", "UnitedStates", "apply_interventions", "apply_shocks",
           "build_actors",
           "decide_all", "merge_decisions"]
