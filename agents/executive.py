"""The Iraqi executive: the caretaker Prime Minister until a government forms, the president who
names PM-designates, each designate (asking parliament for confirmation within a constitutional
window, retrying or withdrawing), and the confirmed PM with its own weights: sovereignty, the US
training for the Counter-Terrorism Service and against ISIS, pressure from militias and Iran,
dependence on Iranian gas and power. It protects or fails to protect coalition forces (raids on
rocket teams), keeps or revokes the invitation to the coalition, and at a Strategic Dialogue session
demands or not a drawdown timetable ([000]; the record: H1-029, H1-036, H1-046, H1-061, H1-066,
H1-071, H1-077; :func:`sim.core.payoffs.exec_utilities`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from agents.base import Stateless, entity, subset
from sim.config import ExecAct, PMStatus
from sim.core import draws as D
from sim.core import payoffs, rules, voting
from sim.core.draws import Stream
from sim.core.params import ExecutiveParams, Params, ParliamentParams, is_stacked
from sim.core.state import Observation

Arr = npt.NDArray[Any]


@dataclass(frozen=True)
class ExecutiveProbs:
    """The executive's choice probabilities on one day (0 where an act is not open to it)."""

    acts: Arr  # (len(ExecAct), R)


class Executive(Stateless):
    """The Iraqi executive (president, designates, the PM); its state (who governs) is in the world."""

    key: ClassVar[str] = "executive"
    decides: ClassVar[tuple[str, ...]] = ("exec_acts", "exec_alignment")

    def __init__(self, params: ExecutiveParams, parliament: ParliamentParams, replicates: int,
                 stacked: bool = False) -> None:
        self.params = params
        self.parliament = parliament
        self.replicates = replicates
        self.stacked = stacked
        blocs = parliament.blocs
        self.position = entity([b.us_ties for b in blocs], replicates) - entity([b.iran_alignment for b in blocs],
                                                                             replicates)
        self.seats = entity([voting.bloc_seats(b.seats, parliament.cohesion) for b in blocs], replicates)

    @classmethod
    def build(cls, params: Params, replicates: int) -> Executive:
        """The executive with ``actors.executive`` (and parliament's blocs, whose votes it counts)."""
        return cls(params.executive, params.parliament, replicates, is_stacked(params))

    def viable(self, obs: Observation, at: npt.NDArray[np.intp] | None = None) -> Arr:
        """Whether a designate counts enough votes (at every replicate, or at ``at``): expected MPs
        present reach the quorum and expected yes votes a majority of them (the designate sounds out
        the blocs before asking; H1-061: Zurfi withdrew when blocs withdrew support, without a vote).
        """
        w, p, pp = obs.world, self.params, self.parliament
        sel: Any = slice(None) if at is None else at
        if at is not None and self.stacked:
            p, pp = subset(p, at, self.replicates), subset(pp, at, self.replicates)

        def e(x: Arr) -> Arr:
            return x if at is None or x.shape[1] == 1 else x[:, at]

        support = payoffs.confirmation_support(p, position=e(self.position), alignment=w.pm_alignment[sel],
                                               urgency=obs.urgency[sel])
        probs = rules.logit_probs(payoffs.bloc_utilities(support, p.confirmation_boycott, 0.0), pp.rationality)
        seats = e(self.seats)
        present = (seats * (probs[1] + probs[2])).sum(axis=0)
        yes = (seats * probs[2]).sum(axis=0)
        return np.asarray((present >= pp.quorum) & (yes > present / 2.0))

    def _pm(self, obs: Observation) -> dict[str, Arr]:
        w = obs.world
        # attacks the US can attribute to a group embarrass the government most (H1-077)
        short = w.waiver_days < np.asarray(self.params.short_waiver_days)
        return payoffs.exec_utilities(self.params, alignment=w.pm_alignment, threat=w.grievance.max(axis=0),
                                      iran_political=w.iran_political, short_waiver=short,
                                      sentiment=w.sentiment, legal=w.legal, isis=w.isis)

    def probabilities(self, obs: Observation) -> ExecutiveProbs:
        """The chance of each act today, given who holds the executive."""
        w, p = obs.world, self.params
        r = len(w.troops)
        out = np.zeros((len(ExecAct), r))
        caretaker, designate = w.pm_status == PMStatus.CARETAKER, w.pm_status == PMStatus.DESIGNATE
        in_time = w.designate_days < p.window_days
        viable = np.zeros(r, dtype=bool)  # only a designate sounds out the blocs
        if designate.any():
            at = np.flatnonzero(designate)
            viable[at] = self.viable(obs, at)
        ready = designate & ~w.conf_requested & ~w.conf_failed & (w.designate_days >= p.prep_days) & viable
        out[ExecAct.DESIGNATE] = np.where(caretaker, p.designation_rate, 0.0)
        retry = designate & w.conf_failed & in_time
        out[ExecAct.REQUEST_VOTE] = np.where(ready & in_time, p.request_rate,
                                             np.where(retry, p.retry_after_failure, 0.0))
        deadline = designate & ~w.conf_requested & ~in_time
        waiting = designate & ~w.conf_requested & ~w.conf_failed
        out[ExecAct.WITHDRAW] = np.where(deadline, 1.0, np.where(retry, 1.0 - p.retry_after_failure,
                                                                 np.where(waiting & ~viable, p.withdraw_rate, 0.0)))
        pm = self._pm(obs)
        governs = ~designate
        out[ExecAct.CRACKDOWN] = np.where(governs, rules.logistic(pm["crackdown"], p.rationality), 0.0)
        out[ExecAct.REVOKE_INVITATION] = np.where(governs & w.invitation,
                                                  rules.logistic(pm["revoke"], p.rationality), 0.0)
        out[ExecAct.DEMAND_DRAWDOWN] = np.where(w.session_countdown == 0,
                                                rules.logistic(pm["demand"], p.rationality), 0.0)
        return ExecutiveProbs(acts=out)

    def decide(self, obs: Observation, keys: Stream) -> dict[str, Arr]:
        """Today's acts; a designate's alignment when the president names one."""
        w, t, p = obs.world, obs.world.day, self.params
        r = len(keys)
        probs = self.probabilities(obs).acts
        acts = np.zeros((len(ExecAct), r), dtype=bool)
        u = keys.u(t, D.EXECUTIVE, D.EXEC_STEP, np.array([[5], [6]]))  # daily: crackdown, revoke
        acts[ExecAct.CRACKDOWN] = u[0] < probs[ExecAct.CRACKDOWN]
        acts[ExecAct.REVOKE_INVITATION] = u[1] < probs[ExecAct.REVOKE_INVITATION]
        alignment = np.zeros(r)
        caretaker = w.pm_status == PMStatus.CARETAKER
        if caretaker.any():
            at = np.flatnonzero(caretaker)
            v = keys.u(t, D.EXECUTIVE, D.EXEC_STEP, np.array([[0], [1]]), rows=at)
            q = p if not self.stacked else subset(p, at, self.replicates)
            acts[ExecAct.DESIGNATE, at] = v[0] < probs[ExecAct.DESIGNATE, at]
            alignment[at] = np.clip(q.designate_alignment_mean + q.designate_alignment_spread * (2.0 * v[1] - 1.0),
                                    -1.0, 1.0)
        designate = w.pm_status == PMStatus.DESIGNATE
        if designate.any():
            at = np.flatnonzero(designate)
            v = keys.u(t, D.EXECUTIVE, D.EXEC_STEP, np.array([[2], [3]]), rows=at)
            acts[ExecAct.REQUEST_VOTE, at] = v[0] < probs[ExecAct.REQUEST_VOTE, at]
            # after a failed sitting one uniform decides: retry (below the chance) or withdraw
            retry = w.conf_failed[at] & (w.designate_days[at] < rules.at(p.window_days, at))
            acts[ExecAct.WITHDRAW, at] = np.where(retry, ~acts[ExecAct.REQUEST_VOTE, at],
                                                  v[1] < probs[ExecAct.WITHDRAW, at])
        session = w.session_countdown == 0
        if session.any():
            at = np.flatnonzero(session)
            acts[ExecAct.DEMAND_DRAWDOWN, at] = (keys.u(t, D.EXECUTIVE, D.EXEC_STEP, 7, rows=at)
                                                 < probs[ExecAct.DEMAND_DRAWDOWN, at])
        return {"exec_acts": acts, "exec_alignment": alignment}
