"""Iran: picks a strategy each day among the diplomacy track, the four scenarios of [002] and
the warned calibrated strike of 8 January, weighing revenge, pressure on the US presence,
fear of US retaliation, war risk, economic hardship and ISIS risk (:func:`sim.core.rules.iran_utilities`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np

from sim.core import policy
from sim.core.state import Observation


class Iran(mesa.Agent):
    """Iran's leadership. Owns its payoff weights and its belief that the US retaliates."""

    def __init__(self, model: mesa.Model, params: SimpleNamespace, belief: float, seeds: Any) -> None:
        super().__init__(model)
        self.params = params
        self.belief = np.full(np.shape(seeds), belief, dtype=np.float64)
        self.seeds = seeds
        self.decision: Any = None
        self.probs: list[Any] = []

    def learn(self, obs: Observation) -> None:
        """Update the belief that the US retaliates from what the US did yesterday."""
        self.belief = policy.belief_next(self.belief, self.params.belief_learning_rate, obs)

    def decide(self, obs: Observation) -> Any:
        """Choose today's strategy (index into ``sim.config.STRATEGIES``)."""
        self.probs = policy.iran_probs(self.params, obs, self.belief)
        self.decision = policy.iran_choice(self.params, obs, self.belief, self.seeds)
        return self.decision
