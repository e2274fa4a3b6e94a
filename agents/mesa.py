"""Mesa adapters: a :class:`mesa.Agent` wrapping one actor, so the Mesa model can schedule actors.

The adapter adds nothing to the actor's behaviour: ``learn`` and ``decide`` delegate to the
wrapped actor (:mod:`agents`), with the model's run seed for the keyed draws; the decision is
kept until the model applies everyone's decisions at once (the two phases of Mesa's ``pd_grid``
example: everyone decides, then one place applies).
"""

from __future__ import annotations

from typing import Any

import mesa

from agents.base import Actor
from sim.core.state import Observation


class ActorAgent(mesa.Agent):
    """A Mesa agent wrapping one actor (the US, Iran, the militias, the executive or parliament)."""

    def __init__(self, model: mesa.Model, actor: Actor) -> None:
        super().__init__(model)
        self.actor = actor
        self.decision: dict[str, Any] = {}

    @property
    def key(self) -> str:
        """The wrapped actor's key."""
        return self.actor.key

    def learn(self, obs: Observation) -> None:
        """Let the actor update its beliefs from today's observation."""
        self.actor.learn(obs)

    def decide(self, obs: Observation) -> None:
        """Let the actor choose; keep its part of the day's decisions until the model applies them."""
        self.decision = self.actor.decide(obs, self.model.keys)  # type: ignore[attr-defined]
