"""The United States: holds, offers talks, orders force protection, strikes militias in Iraq,
strikes Iran, sanctions Iraq or Iran, or draws troops down, weighing force protection, the
price of looking weak, avoiding war, the anti-ISIS mission and Iraqi sovereignty
(:func:`sim.core.rules.us_utilities`; [000], [002]).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from agents.base import Stateless
from sim.config import Strategy
from sim.core import draws as D
from sim.core import rules
from sim.core.params import Params, USParams
from sim.core.state import Observation

Arr = npt.NDArray[Any]


class UnitedStates(Stateless):
    """The US administration. Owns its payoff weights and option costs; reads threat and
    audience cost from the world (no private state).
    """

    key: ClassVar[str] = "us"
    decides: ClassVar[tuple[str, ...]] = ("us",)

    def __init__(self, params: USParams, replicates: int) -> None:
        self.params = params

    @classmethod
    def build(cls, params: Params, replicates: int) -> UnitedStates:
        """The US with ``actors.united_states``."""
        return cls(params.us, replicates)

    def probabilities(self, obs: Observation) -> Arr:
        """Logit probabilities over ``US_OPTIONS`` (8, R)."""
        w = obs.world
        utils = rules.us_utilities(
            self.params,
            threat=w.threat,
            threat_iran=w.threat_iran,
            audience_cost=w.us_audience,
            sentiment=w.sentiment,
            tension=w.tension,
            protection=w.protection,
            presence=obs.presence,
            isis=w.isis,
            legal_status=w.legal,
            iran_political=w.iran_political,
            iran_diplomacy=(w.iran_strategy == Strategy.DIPLOMACY).astype(np.float64),
            diplomacy=w.diplomacy,
            sanctions_iran=w.sanctions_iran,
            sanctions_iraq=w.sanctions_iraq,
        )
        return np.stack(rules.logit_probs(utils, self.params.rationality))

    def decide(self, obs: Observation, seeds: Arr) -> dict[str, Arr]:
        """Today's option (a :class:`~sim.config.USOption` code per replicate)."""
        u = D.uniform(seeds, obs.world.day, D.US, D.CHOICE)
        return {"us": rules.choose(self.probabilities(obs), u)}
