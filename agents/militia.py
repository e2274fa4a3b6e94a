"""A militia group (Kataib Hezbollah, Asaib Ahl al-Haq, ...): stands down, harasses with
Katyusha rockets, strikes with deadly missiles and drones, or storms a base or the embassy,
weighing Iran's orders (by loyalty), its own hostility, the Iraqi mood, fear of US retaliation
and its stock of advanced missiles (:func:`sim.core.rules.militia_utilities`; [002] scenarios 1-3).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np

from sim.core import draws, policy
from sim.core.state import Observation


class Militia(mesa.Agent):
    """One militia: its own loyalty, hostility, fear and learning rate; its own belief."""

    def __init__(self, model: mesa.Model, index: int, row: Any, common: SimpleNamespace,
                 orders: list[int], seeds: Any) -> None:
        super().__init__(model)
        self.index = index
        self.name = row.name
        self.loyalty = row.loyalty
        self.hostility = row.hostility
        self.fear = row.fear
        self.learning_rate = row.learning_rate
        self.home_site = row.home_site
        self.common = common
        self.orders = orders
        self.seeds = seeds
        self.belief = np.full(np.shape(seeds), row.belief_us_retaliation, dtype=np.float64)
        self.decision: Any = None

    def learn(self, obs: Observation) -> None:
        """Update the belief that the US retaliates (answered vs unanswered attacks)."""
        self.belief = policy.belief_next(self.belief, self.learning_rate, obs)

    def decide(self, obs: Observation) -> Any:
        """Choose today's action (index into ``sim.config.MILITIA_ACTIONS``)."""
        self.decision = policy.militia_choice(
            self.common, obs, actor=draws.MILITIA + self.index, loyalty=self.loyalty,
            hostility=self.hostility, fear=self.fear, belief=self.belief,
            stock=obs.world.stock[self.index], orders=self.orders, seeds=self.seeds,
        )
        return self.decision
