"""Iran: picks a strategy each day among the diplomacy track, the four scenarios of [002] and
the warned calibrated strike of 8 January, weighing revenge, pressure on the US presence,
fear of US retaliation, war risk, economic hardship and ISIS risk (:func:`sim.core.rules.iran_utilities`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from agents.base import BeliefLearner
from sim.core import draws as D
from sim.core import rules
from sim.core.params import IranParams, Params
from sim.core.state import Observation

Arr = npt.NDArray[Any]


class Iran(BeliefLearner):
    """Iran's leadership. Owns its payoff weights and its belief that the US retaliates."""

    key: ClassVar[str] = "iran"
    decides: ClassVar[tuple[str, ...]] = ("iran",)

    def __init__(self, params: IranParams, replicates: int) -> None:
        self.params = params
        self.rate = params.belief_learning_rate
        self.belief = np.broadcast_to(np.asarray(params.initial_belief, dtype=np.float64), (replicates,)).copy()

    @classmethod
    def build(cls, params: Params, replicates: int) -> Iran:
        """Iran with ``actors.iran`` for ``replicates`` replicates."""
        return cls(params.iran, replicates)

    def probabilities(self, obs: Observation) -> Arr:
        """Logit probabilities over ``STRATEGIES`` (6, R), given the belief that the US retaliates."""
        w = obs.world
        utils = rules.iran_utilities(
            self.params,
            current=w.iran_strategy,
            revenge=w.revenge,
            audience_cost=w.iran_audience,
            presence=obs.presence,
            belief_retaliation=self.belief,
            tension=w.tension,
            sanctions_iran=w.sanctions_iran,
            sanctions_iraq=w.sanctions_iraq,
            diplomacy=w.diplomacy,
            isis=w.isis,
            calibrated_done=w.counters.calibrated_strikes,
        )
        return np.stack(rules.logit_probs(utils, self.params.rationality))

    def decide(self, obs: Observation, seeds: Arr) -> dict[str, Arr]:
        """Today's strategy (a :class:`~sim.config.Strategy` code per replicate)."""
        u = D.uniform(seeds, obs.world.day, D.IRAN, D.CHOICE)
        return {"iran": rules.choose(self.probabilities(obs), u)}
