"""Iraq's Council of Representatives as blocs (May 2018 seats): whether it sits on the next
legal step (resolution -> limits on US operations -> binding expulsion law), and how each bloc
attends and votes, weighing anger at US strikes, Iranian pressure, US sanctions threats and
the value of US training against ISIS (:func:`sim.core.rules.bloc_support`; [000], [002]).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from agents.base import Stateless, entity
from sim.config import LegalStep
from sim.core import draws as D
from sim.core import rules, voting
from sim.core.params import Params, ParliamentParams
from sim.core.state import Observation

Arr = npt.NDArray[Any]


@dataclass(frozen=True)
class ParliamentProbs:
    """Parliament's choice probabilities on one day."""

    session: Arr  # (R,) chance of sitting on the next legal step (0 unless the motion is eligible)
    bloc: Arr  # (3, B, R) each bloc's chance of boycott / no / yes at a sitting
    level: Arr  # (R,) the legal step a sitting votes on


class Parliament(Stateless):
    """Parliament with its blocs; each bloc is a config row with its own weights (B, R)."""

    key: ClassVar[str] = "parliament"
    decides: ClassVar[tuple[str, ...]] = ("vote_held", "bloc_choice")

    def __init__(self, params: ParliamentParams, replicates: int) -> None:
        blocs = params.blocs
        self.params = params
        self.bias = entity([b.bias for b in blocs], replicates)
        self.anger = entity([b.anger for b in blocs], replicates)
        self.iran_alignment = entity([b.iran_alignment for b in blocs], replicates)
        self.us_ties = entity([b.us_ties for b in blocs], replicates)
        self.boycott_bias = entity([b.boycott_bias for b in blocs], replicates)
        self.ids = (D.BLOC + np.arange(len(blocs)))[:, None]

    @classmethod
    def build(cls, params: Params, replicates: int) -> Parliament:
        """Parliament with ``actors.parliament`` and its bloc rows."""
        return cls(params.parliament, replicates)

    def session_probability(self, obs: Observation) -> Arr:
        """Chance of sitting today: 0 unless a step is left, the last sitting is long enough ago
        and pressure has reached the trigger; then rising with pressure.
        """
        w, p = obs.world, self.params
        pressure = obs.parliament_pressure
        eligible = ((w.legal < LegalStep.BINDING_LAW) & (w.days_since_vote >= p.min_days_between_votes)
                    & (pressure >= p.motion_trigger))
        return np.where(eligible, rules.session_probability(p, pressure=pressure), 0.0)

    def bloc_probabilities(self, obs: Observation) -> Arr:
        """Each bloc's probabilities of boycott / no / yes on the pending motion (3, B, R)."""
        w = obs.world
        support = rules.bloc_support(
            self.params, bias=self.bias, anger=self.anger, iran_alignment=self.iran_alignment,
            us_ties=self.us_ties, sentiment=w.sentiment, iran_political=w.iran_political,
            sanction_threat=w.sanction_threat, isis=w.isis,
        )
        hurdle = rules.pick(voting.next_legal_step(w.legal), self.params.hurdles.by_step())
        utils = rules.bloc_utilities(support, self.boycott_bias, hurdle)
        return np.stack(rules.logit_probs(utils, self.params.rationality))

    def probabilities(self, obs: Observation) -> ParliamentProbs:
        """The chance of a sitting, the blocs' choices at one, and the step voted on."""
        return ParliamentProbs(session=self.session_probability(obs), bloc=self.bloc_probabilities(obs),
                               level=voting.next_legal_step(obs.world.legal))

    def pass_probability(self, probs: ParliamentProbs) -> Arr:
        """Exact chance that a sitting passes its motion, over all bloc choices (:func:`voting.pass_probability`)."""
        return voting.pass_probability(self.params, probs.bloc, probs.level)

    def decide(self, obs: Observation, seeds: Arr) -> dict[str, Arr]:
        """Whether parliament sits on the next legal step; if so, each bloc's boycott / no / yes."""
        day = obs.world.day
        held = D.uniform(seeds, day, D.PARLIAMENT, D.SESSION) < self.session_probability(obs)
        if not held.any():  # blocs only choose when parliament sits
            choices = np.full((len(self.params.blocs), *np.shape(seeds)), -1, dtype=np.int64)
        else:
            choices = rules.choose(self.bloc_probabilities(obs), D.uniform(seeds, day, self.ids, D.CHOICE))
        return {"vote_held": np.asarray(held), "bloc_choice": choices}
