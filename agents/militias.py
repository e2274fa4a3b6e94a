"""The militia groups (Kataib Hezbollah, Asaib Ahl al-Haq, ...), all of them as one actor over an
entity axis. Each group attacks at its own tempo: a daily rate that excites itself after its own
attacks and after US strikes on it and decays, modulated by Iran's guidance (times the group's
loyalty), its hostility, its learned belief that the US retaliates, Iraqi anger, the Dialogue's
politics, the government's crackdown, a truce, and the targets left (base handovers). When it
attacks it picks a tactic from its own mix, shifted toward deadly tactics by an escalating
strategy and limited by its stock of advanced weapons (:func:`sim.core.payoffs.militia_log_rate`,
:func:`sim.core.payoffs.tactic_weights`; [002] scenarios 1-3; the record).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from agents.base import BeliefLearner, entity
from sim.core import draws as D
from sim.core import payoffs, rules
from sim.core.draws import Stream
from sim.core.params import MilitiaParams, Params
from sim.core.state import Observation

Arr = npt.NDArray[Any]


@dataclass(frozen=True)
class MilitiaProbs:
    """The groups' choice probabilities on one day."""

    attack: Arr  # (M, R) chance the group attacks today
    tactic: Arr  # (tactics, M, R) the tactic if it attacks (TACTICS[1:] order)


class Militias(BeliefLearner):
    """All militia groups: each its own rate, loyalty, hostility, fear, learning rate and belief (M, R)."""

    key: ClassVar[str] = "militias"
    decides: ClassVar[tuple[str, ...]] = ("militia",)

    def __init__(self, params: Params, replicates: int) -> None:
        mp: MilitiaParams = params.militia
        rows = mp.rows
        self.params = mp
        self.P = params
        self.names = [m.name for m in rows]
        self.base_rate = entity([m.base_rate for m in rows], replicates)
        self.loyalty = entity([m.loyalty for m in rows], replicates)
        self.hostility = entity([m.hostility for m in rows], replicates)
        self.fear = entity([m.fear for m in rows], replicates)
        self.rate = entity([m.learning_rate for m in rows], replicates)
        weights = [entity([m.weights[k] for m in rows], replicates) for k in range(len(rows[0].weights))]
        width = max(x.shape[1] for x in weights)
        self.weights = np.stack([np.broadcast_to(x, (len(rows), width)) for x in weights])  # (tactics, M, 1 or R)
        self.belief = np.broadcast_to(entity([m.belief_us_retaliation for m in rows], replicates),
                                      (len(rows), replicates)).copy()
        self.ids = (D.MILITIA + np.arange(len(rows)))[:, None]
        self.n_exposed = len(params.world.sites.exposed)

    @classmethod
    def build(cls, params: Params, replicates: int) -> Militias:
        """The groups of ``actors.militias`` with ``actors.militia_common``, taking Iran's guidance."""
        return cls(params, replicates)

    def learn(self, obs: Observation) -> None:
        """Beliefs from what the US did: toward 1 after a US strike (fully on oneself, in part on
        another group or on Iran), after a deterrent warning; toward 0 while one's attacks go unanswered.
        """
        w, mp = obs.world, self.params
        struck = w.us_struck_yesterday
        on_me = struck & (w.last_strike_target == np.arange(len(self.names))[:, None])
        answered = np.where(on_me, 1.0, np.where(struck, mp.other_strike_belief, 0.0))
        unanswered = np.multiply(mp.unanswered_weight, obs.group_unanswered & ~struck)
        b = rules.update_belief(self.belief, self.rate, answered, unanswered)
        self.belief = b + np.multiply(mp.warning_belief, (1.0 - b)) * w.warned

    def attack_probability(self, obs: Observation) -> Arr:
        """Each group's chance of attacking today (M, R): ``1 - exp(-base * exp(eta) * exposure)``."""
        w, P = obs.world, self.P
        eta = payoffs.militia_log_rate(
            self.params, guidance=rules.pick(w.iran_strategy, P.iran.guidance), loyalty=self.loyalty,
            hostility=self.hostility, excitation=w.excitation, fear=self.fear, belief=self.belief,
            anger=w.sentiment - P.world.sentiment_baseline, negotiating=obs.negotiating, crackdown=w.crackdown,
            truce=w.truce)
        lost = 0.0 if self.n_exposed == 0 else 1.0 - w.held_exposed / self.n_exposed
        exposure = 1.0 - np.multiply(P.world.handover_exposure, lost)
        return np.asarray(1.0 - np.exp(-self.base_rate * np.exp(eta) * exposure))

    def tactic_weights(self, obs: Observation, grp: npt.NDArray[np.intp], rep: npt.NDArray[np.intp]) -> Arr:
        """Unnormalised tactic weights (tactics, cells) of attacking (group, replicate) cells."""
        w = obs.world
        base = self.weights[:, grp, rep if self.weights.shape[2] > 1 else 0]
        esc = rules.pick_at(w.iran_strategy, self.P.iran.escalation, rep)
        return payoffs.tactic_weights(base, shift=rules.at(self.params.escalation_shift, rep), escalation=esc,
                                      stock=w.stock[grp, rep])

    def probabilities(self, obs: Observation) -> MilitiaProbs:
        """The chance each group attacks, and its tactic if it does."""
        m, r = self.belief.shape
        grp, rep = np.indices((m, r)).reshape(2, -1)
        weights = self.tactic_weights(obs, grp, rep)
        return MilitiaProbs(attack=self.attack_probability(obs),
                            tactic=(weights / weights.sum(axis=0)).reshape(-1, m, r))

    def decide(self, obs: Observation, keys: Stream) -> dict[str, Arr]:
        """Today's act of every group (:class:`~sim.config.Tactic` codes, (M, R))."""
        t = obs.world.day
        attack = keys.u(t, self.ids, D.MILITIA_ACT) < self.attack_probability(obs)
        out = np.zeros(attack.shape, dtype=np.int64)
        if attack.any():
            grp, rep = np.nonzero(attack)
            u = keys.u(t, D.MILITIA + grp, D.MILITIA_ACT, 1, rows=rep)
            out[grp, rep] = rules.choose_weighted(self.tactic_weights(obs, grp, rep), u) + 1
        return {"militia": out}

