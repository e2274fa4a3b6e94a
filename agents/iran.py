"""Iran: holds a strategy as a commitment (the diplomacy track or one of [002]'s four scenarios)
and reopens the choice only after an event or at a slow review; answers a leadership killing with a
direct strike it commits to and prepares (the 8 January act), weighing revenge, pressure on the US
presence, fear of US retaliation, war risk, economic hardship and ISIS risk
(:func:`sim.core.payoffs.iran_utilities`, :func:`sim.core.payoffs.direct_utility`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from agents.base import BeliefLearner, subset
from sim.core import draws as D
from sim.core import payoffs, rules
from sim.core.draws import Stream
from sim.core.params import IranParams, Params, is_stacked
from sim.core.state import Observation

Arr = npt.NDArray[Any]


@dataclass(frozen=True)
class IranProbs:
    """Iran's choice probabilities on one day."""

    reopen: Arr  # (R,) chance its strategy choice is reopened today
    strategy: Arr  # (strategies, R) the choice if reopened
    commit: Arr  # (R,) chance it commits to its direct strike today (0 when nothing awaits one)


class Iran(BeliefLearner):
    """Iran's leadership. Owns its payoff weights and its belief that the US retaliates."""

    key: ClassVar[str] = "iran"
    decides: ClassVar[tuple[str, ...]] = ("iran", "iran_direct")

    def __init__(self, params: IranParams, replicates: int, stacked: bool = False) -> None:
        self.params = params
        self.replicates = replicates
        self.stacked = stacked
        self.rate = params.belief_learning_rate
        self.belief = np.broadcast_to(np.asarray(params.initial_belief, dtype=np.float64), (replicates,)).copy()

    @classmethod
    def build(cls, params: Params, replicates: int) -> Iran:
        """Iran with ``actors.iran`` for ``replicates`` replicates."""
        return cls(params.iran, replicates, is_stacked(params))

    def _params(self, at: npt.NDArray[np.intp]) -> IranParams:
        return subset(self.params, at, self.replicates) if self.stacked else self.params

    def strategy_probabilities(self, obs: Observation, at: npt.NDArray[np.intp] | None = None) -> Arr:
        """Logit probabilities over ``STRATEGIES`` (5, R), or at the replicates ``at``."""
        w = obs.world
        sel: Any = slice(None) if at is None else at
        p = self.params if at is None else self._params(at)
        utils = payoffs.iran_utilities(
            p, current=w.iran_strategy[sel], revenge=w.revenge[sel], audience_cost=w.iran_audience[sel],
            presence=obs.presence[sel], belief_retaliation=self.belief[sel], tension=w.tension[sel],
            sanctions_iran=w.sanctions_iran[sel], sanctions_iraq=w.sanctions_iraq[sel],
            diplomacy=w.diplomacy[sel], isis=w.isis[sel])
        return np.stack(rules.logit_probs(utils, p.rationality))

    def commit_probability(self, obs: Observation, at: npt.NDArray[np.intp] | None = None) -> Arr:
        """Chance of committing to the direct strike today, where a killing awaits an answer."""
        w = obs.world
        sel: Any = slice(None) if at is None else at
        p = self.params if at is None else self._params(at)
        u = payoffs.direct_utility(p, p.direct, revenge=w.revenge[sel], audience_cost=w.iran_audience[sel],
                                   belief_retaliation=self.belief[sel], tension=w.tension[sel])
        pending = w.direct_demand[sel] & (w.direct_countdown[sel] < 0)
        return np.where(pending, rules.logistic(u, p.rationality), 0.0)

    def reopen_probability(self, obs: Observation) -> Arr:
        """Chance the choice is reopened today: an event's, or the slow review's ``1/review_days``."""
        return np.maximum(obs.world.iran_trigger, 1.0 / np.asarray(self.params.review_days))

    def probabilities(self, obs: Observation) -> IranProbs:
        """The chance of a reopening, the strategy choice if reopened, and of committing to a strike."""
        return IranProbs(reopen=self.reopen_probability(obs), strategy=self.strategy_probabilities(obs),
                         commit=self.commit_probability(obs))

    def decide(self, obs: Observation, keys: Stream) -> dict[str, Arr]:
        """Today's strategy (held unless reopened) and any direct strike committed (its lead time)."""
        w, t = obs.world, obs.world.day
        r = len(keys)
        strategy = w.iran_strategy.copy()
        reopen = keys.u(t, D.IRAN, D.IRAN_STEP, 0) < self.reopen_probability(obs)
        if reopen.any():
            at = np.flatnonzero(reopen)
            probs = self.strategy_probabilities(obs, at)
            strategy[at] = rules.choose(probs, keys.u(t, D.IRAN, D.IRAN_STEP, 1, rows=at))
        direct = np.full(r, -1, dtype=np.int64)
        pending = w.direct_demand & (w.direct_countdown < 0)
        if pending.any():
            at = np.flatnonzero(pending)
            p = self._params(at)
            u = keys.u(t, D.IRAN, D.IRAN_STEP, np.array([[2], [3]]), rows=at)
            commit = u[0] < self.commit_probability(obs, at)
            lead = p.direct.lead_min + rules.geometric(p.direct.lead_mean, u[1])
            direct[at] = np.where(commit, lead, -1).astype(np.int64)
        return {"iran": strategy, "iran_direct": direct}
