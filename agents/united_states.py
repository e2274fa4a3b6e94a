"""The United States: holds, offers talks, orders force protection, strikes militias in Iraq,
strikes Iran, sanctions Iraq or Iran, or draws troops down, weighing force protection, the
price of looking weak, avoiding war, the anti-ISIS mission and Iraqi sovereignty
(:func:`sim.core.rules.us_utilities`; [000], [002]).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import mesa

from sim.core import policy
from sim.core.state import Observation


class UnitedStates(mesa.Agent):
    """The US administration. Owns its payoff weights and option costs."""

    def __init__(self, model: mesa.Model, params: SimpleNamespace, seeds: Any) -> None:
        super().__init__(model)
        self.params = params
        self.seeds = seeds
        self.decision: Any = None

    def learn(self, obs: Observation) -> None:
        """The US reads its threat and audience cost from the world; nothing private to update."""

    def decide(self, obs: Observation) -> Any:
        """Choose today's option (index into ``sim.config.US_OPTIONS``)."""
        self.decision = policy.us_choice(self.params, obs, self.seeds)
        return self.decision
