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

from agents.base import Stateless, subset
from sim.config import ExecAct, PMStatus
from sim.core import draws as D
from sim.core import payoffs, rules
from sim.core.draws import Stream
from sim.core.params import ExecutiveParams, Params, is_stacked
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

    def __init__(self, params: ExecutiveParams, replicates: int, stacked: bool = False) -> None:
        self.params = params
        self.replicates = replicates
        self.stacked = stacked

    @classmethod
    def build(cls, params: Params, replicates: int) -> Executive:
        """The executive with ``actors.executive``."""
        return cls(params.executive, replicates, is_stacked(params))

    def _pm(self, obs: Observation) -> dict[str, Arr]:
        w = obs.world
        return payoffs.exec_utilities(self.params, alignment=w.pm_alignment, threat=w.threat,
                                      iran_political=w.iran_political, short_waiver=w.waiver_days < 60.0,
                                      sentiment=w.sentiment, legal=w.legal, isis=w.isis)

    def probabilities(self, obs: Observation) -> ExecutiveProbs:
        """The chance of each act today, given who holds the executive."""
        w, p = obs.world, self.params
        r = len(w.troops)
        out = np.zeros((len(ExecAct), r))
        caretaker, designate = w.pm_status == PMStatus.CARETAKER, w.pm_status == PMStatus.DESIGNATE
        ready = designate & ~w.conf_requested & ~w.conf_failed & (w.designate_days >= p.prep_days)
        out[ExecAct.DESIGNATE] = np.where(caretaker, p.designation_rate, 0.0)
        out[ExecAct.REQUEST_VOTE] = np.where(ready, p.request_rate, np.where(designate & w.conf_failed,
                                                                              p.retry_after_failure, 0.0))
        deadline = designate & ~w.conf_requested & (w.designate_days >= p.window_days)
        out[ExecAct.WITHDRAW] = np.where(deadline, 1.0, np.where(designate & w.conf_failed, 1.0 - p.retry_after_failure,
                                                                 np.where(designate & ~w.conf_requested,
                                                                          p.withdraw_rate, 0.0)))
        pm = self._pm(obs)
        governs = ~designate
        out[ExecAct.CRACKDOWN] = np.where(governs, rules.logistic(pm["crackdown"], p.rationality), 0.0)
        out[ExecAct.REVOKE_INVITATION] = np.where(governs & w.invitation, rules.logistic(pm["revoke"], p.rationality), 0.0)
        out[ExecAct.DEMAND_DRAWDOWN] = np.where(w.session_countdown == 0, rules.logistic(pm["demand"], p.rationality), 0.0)
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
            failed = w.conf_failed[at]
            acts[ExecAct.WITHDRAW, at] = np.where(failed, ~acts[ExecAct.REQUEST_VOTE, at],
                                                  v[1] < probs[ExecAct.WITHDRAW, at])
        session = w.session_countdown == 0
        if session.any():
            at = np.flatnonzero(session)
            acts[ExecAct.DEMAND_DRAWDOWN, at] = (keys.u(t, D.EXECUTIVE, D.EXEC_STEP, 7, rows=at)
                                                 < probs[ExecAct.DEMAND_DRAWDOWN, at])
        return {"exec_acts": acts, "exec_alignment": alignment}
