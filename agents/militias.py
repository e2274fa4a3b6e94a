"""The militia groups (Kataib Hezbollah, Asaib Ahl al-Haq, ...), all of them as one actor over an
entity axis: each group stands down, harasses with Katyusha rockets, strikes with deadly
missiles and drones, or storms a base or the embassy, weighing Iran's orders (by its loyalty),
its own hostility, the Iraqi mood, fear of US retaliation and its stock of advanced missiles
(:func:`sim.core.rules.militia_utilities`; [002] scenarios 1-3).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from agents.base import BeliefLearner, entity
from sim.core import draws as D
from sim.core import rules
from sim.core.params import MilitiaParams, Params, Whole
from sim.core.state import Observation

Arr = npt.NDArray[Any]


class Militias(BeliefLearner):
    """All militia groups: each its own loyalty, hostility, fear, learning rate and belief (M, R)."""

    key: ClassVar[str] = "militias"
    decides: ClassVar[tuple[str, ...]] = ("militia",)

    def __init__(self, params: MilitiaParams, orders: list[Whole], replicates: int) -> None:
        rows = params.rows
        self.params = params
        self.orders = orders  # the action each Iranian strategy orders ([002]: proxies act for Iran)
        self.names = [m.name for m in rows]
        self.loyalty = entity([m.loyalty for m in rows], replicates)
        self.hostility = entity([m.hostility for m in rows], replicates)
        self.fear = entity([m.fear for m in rows], replicates)
        self.rate = entity([m.learning_rate for m in rows], replicates)
        self.belief = np.broadcast_to(entity([m.belief_us_retaliation for m in rows], replicates),
                                      (len(rows), replicates)).copy()
        self.ids = (D.MILITIA + np.arange(len(rows)))[:, None]

    @classmethod
    def build(cls, params: Params, replicates: int) -> Militias:
        """The groups of ``actors.militias`` with ``actors.militia_common``, taking Iran's orders."""
        return cls(params.militia, params.iran.orders, replicates)

    def probabilities(self, obs: Observation) -> Arr:
        """Logit probabilities over ``MILITIA_ACTIONS`` (4, M, R).

        The order is the action Iran's standing strategy calls for; loyalty weighs it per group.
        """
        w = obs.world
        utils = rules.militia_utilities(
            self.params, loyalty=self.loyalty, hostility=self.hostility, fear=self.fear,
            belief=self.belief, stock=w.stock, order=rules.pick(w.iran_strategy, self.orders),
            sentiment=w.sentiment,
        )
        return np.stack(rules.logit_probs(utils, self.params.rationality))

    def decide(self, obs: Observation, seeds: Arr) -> dict[str, Arr]:
        """Today's action of every group (:class:`~sim.config.MilitiaAction` codes, (M, R))."""
        u = D.uniform(seeds, obs.world.day, self.ids, D.CHOICE)
        return {"militia": rules.choose(self.probabilities(obs), u)}
