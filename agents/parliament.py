"""Iraq's Council of Representatives as blocs (May 2018 seats): whether it sits on the next
legal step (resolution -> limits on US operations -> binding expulsion law), and how each bloc
attends and votes, weighing anger at US strikes, Iranian pressure, US sanctions threats and
the value of US training against ISIS (:func:`sim.core.rules.bloc_support`; [000], [002]).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np

from sim.core import draws, policy
from sim.core.state import Observation


class Parliament(mesa.Agent):
    """Parliament with its blocs; each bloc is a config row with its own weights."""

    def __init__(self, model: mesa.Model, params: SimpleNamespace, seeds: Any) -> None:
        super().__init__(model)
        self.params = params
        self.blocs = params.blocs
        self.seeds = seeds
        self.vote_held: Any = None
        self.choices: Any = None

    def learn(self, obs: Observation) -> None:
        """Blocs read today's mood from the world; nothing private to update."""

    def decide(self, obs: Observation) -> tuple[Any, Any]:
        """Decide whether to sit on the pending motion and each bloc's boycott/no/yes."""
        self.vote_held = policy.vote_scheduled(self.params, obs, self.seeds)
        if not self.vote_held.any():  # blocs only choose when parliament sits
            self.choices = np.full((len(self.blocs), *np.shape(self.seeds)), -1, dtype=np.int64)
            return self.vote_held, self.choices
        self.choices = np.stack([
            policy.bloc_choice(
                self.params, obs, actor=draws.BLOC + b, seeds=self.seeds, bias=row.bias,
                anger=row.anger, iran_alignment=row.iran_alignment, us_ties=row.us_ties,
                boycott_bias=row.boycott_bias,
            )
            for b, row in enumerate(self.blocs)
        ])
        return self.vote_held, self.choices
