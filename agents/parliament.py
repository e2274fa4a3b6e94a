"""Iraq's Council of Representatives as blocs (May 2018 seats), an agenda-controlled player.

Sittings on the US presence are called by events and bloc leaders, not by a timer: anger shocks
(a leadership killing, US strikes on Iraqi soil and the Iraqis they kill) and Iranian pressure
through aligned blocs build an agenda; a bloc leader asks for a sitting with a chance rising with it
(the 5 January sitting was requested by Fatah, H1-012) and the speaker schedules a requested sitting
within days. A sitting votes on the next legal step (resolution -> limits on US operations ->
binding expulsion law); each bloc attends or boycotts and votes, weighing anger, Iranian pressure,
US sanctions threats and the value of US training against ISIS (:func:`sim.core.payoffs.bloc_support`;
[000], [002]). Parliament also holds the confirmation votes of government formation
(:func:`sim.core.payoffs.confirmation_support`; H1-036, H1-066).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from agents.base import Stateless, entity, subset
from sim.config import LegalStep, Motion, PMStatus
from sim.core import draws as D
from sim.core import payoffs, rules, voting
from sim.core.draws import Stream
from sim.core.params import Params, ParliamentParams, is_stacked
from sim.core.state import Observation

Arr = npt.NDArray[Any]
Idx = npt.NDArray[np.intp]


@dataclass(frozen=True)
class ParliamentProbs:
    """Parliament's choice probabilities on one day."""

    request: Arr  # (R,) chance a bloc leader asks for a sitting on the US presence today
    session: Arr  # (R,) chance a sitting is held today
    motion: Arr  # (R,) what it would vote on (-1: nothing pending)
    bloc: Arr  # (3, B, R) each bloc's chance of boycott / no / yes at that sitting
    level: Arr  # (R,) the legal step a sitting on the US presence votes on


class Parliament(Stateless):
    """Parliament with its blocs; each bloc is a config row with its own weights (B, R)."""

    key: ClassVar[str] = "parliament"
    decides: ClassVar[tuple[str, ...]] = ("request", "sitting", "bloc_choice")

    def __init__(self, params: Params, replicates: int) -> None:
        pp: ParliamentParams = params.parliament
        blocs = pp.blocs
        self.params = pp
        self.executive = params.executive
        self.replicates = replicates
        self.stacked = is_stacked(params)
        self.bias = entity([b.bias for b in blocs], replicates)
        self.anger = entity([b.anger for b in blocs], replicates)
        self.iran_alignment = entity([b.iran_alignment for b in blocs], replicates)
        self.us_ties = entity([b.us_ties for b in blocs], replicates)
        self.boycott_bias = entity([b.boycott_bias for b in blocs], replicates)
        self.position = self.us_ties - self.iran_alignment  # -1 Iran .. +1 US, as designates are drawn
        self.ids = (D.BLOC + np.arange(len(blocs)))[:, None]

    @classmethod
    def build(cls, params: Params, replicates: int) -> Parliament:
        """Parliament with ``actors.parliament`` and its bloc rows."""
        return cls(params, replicates)

    def request_probability(self, obs: Observation) -> Arr:
        """Chance a bloc leader asks for a sitting on the US presence today (none pending, a step left)."""
        w = obs.world
        pp = self.params
        open_ = ~w.sitting_requested & (w.legal < LegalStep.BINDING_LAW) & (w.agenda > pp.request_threshold)
        return np.where(open_, payoffs.request_probability(pp.request_rate, pp.request_threshold, w.agenda), 0.0)

    def motion(self, obs: Observation) -> Arr:
        """What a sitting today would vote on: a designate's confirmation first, else the US presence."""
        w = obs.world
        confirm = w.conf_requested & (w.pm_status == PMStatus.DESIGNATE)
        presence = w.sitting_requested & (w.legal < LegalStep.BINDING_LAW)
        return np.where(confirm, Motion.CONFIRMATION, np.where(presence, Motion.US_PRESENCE, -1))

    def _entity(self, x: Arr, at: Idx) -> Arr:
        return x[:, at] if x.shape[1] > 1 else x

    def bloc_probabilities(self, obs: Observation, motion: Arr, at: Idx) -> Arr:
        """Each bloc's boycott / no / yes probabilities (3, B, len(at)) on the motion at ``at``."""
        w, pp = obs.world, self.params
        e = lambda x: self._entity(x, at)  # noqa: E731
        # a stacked batch's weights are per replicate: take them at ``at`` like the world
        pa = subset(pp, at, self.replicates) if self.stacked else pp
        ex = subset(self.executive, at, self.replicates) if self.stacked else self.executive
        presence = payoffs.bloc_support(
            pa, bias=e(self.bias), anger=e(self.anger), iran_alignment=e(self.iran_alignment), us_ties=e(self.us_ties),
            sentiment=w.sentiment[at], iran_political=w.iran_political[at], sanction_threat=w.sanction_threat[at],
            isis=w.isis[at])
        hurdle = rules.pick_at(voting.next_legal_step(w.legal), pp.hurdles.by_step(), at)
        confirm = payoffs.confirmation_support(ex, position=e(self.position),
                                               alignment=w.pm_alignment[at], urgency=obs.urgency[at])
        is_conf = motion[at] == Motion.CONFIRMATION
        support = np.where(is_conf, confirm, presence)
        boycott = np.where(is_conf, rules.at(self.executive.confirmation_boycott, at), e(self.boycott_bias))
        utils = payoffs.bloc_utilities(support, boycott, np.where(is_conf, 0.0, hurdle))
        return np.stack(rules.logit_probs(utils, rules.at(pp.rationality, at)))

    def probabilities(self, obs: Observation) -> ParliamentProbs:
        """The chance of a request and of a sitting, the motion, and the blocs' choices at it."""
        w = obs.world
        motion = self.motion(obs)
        at = np.arange(len(w.troops))
        return ParliamentProbs(request=self.request_probability(obs),
                               session=np.where(motion >= 0, self.params.schedule_prob, 0.0), motion=motion,
                               bloc=self.bloc_probabilities(obs, motion, at), level=voting.next_legal_step(w.legal))

    def pass_probability(self, probs: ParliamentProbs) -> Arr:
        """Exact chance that a sitting on the US presence passes, over all bloc choices."""
        return voting.pass_probability(self.params, probs.bloc, probs.level)

    def decide(self, obs: Observation, keys: Stream) -> dict[str, Arr]:
        """A request for a sitting; whether parliament sits today and on what; each bloc's choice."""
        t = obs.world.day
        r = len(keys)
        request = np.zeros(r, dtype=bool)
        p_req = self.request_probability(obs)
        if (p_req > 0).any():
            at = np.flatnonzero(p_req > 0)
            request[at] = keys.u(t, D.PARLIAMENT, D.AGENDA, 0, rows=at) < p_req[at]
        motion = self.motion(obs)
        sitting = np.full(r, -1, dtype=np.int64)
        choices = np.full((len(self.params.blocs), r), -1, dtype=np.int64)
        if (motion >= 0).any():
            at = np.flatnonzero(motion >= 0)
            held = keys.u(t, D.PARLIAMENT, D.AGENDA, 1, rows=at) < rules.at(self.params.schedule_prob, at)
            at = at[held]
            if len(at):
                sitting[at] = motion[at]
                probs = self.bloc_probabilities(obs, motion, at)
                choices[:, at] = rules.choose(probs, keys.u(t, self.ids, D.CHOICE, rows=at))
        return {"request": request, "sitting": sitting, "bloc_choice": choices}
