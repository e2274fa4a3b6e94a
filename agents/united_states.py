"""The United States on two tracks. The military track answers events every day: a strike on the
group it holds the largest attributed grievance against (lethal harm weighs far more than
harassment), a strike on Iran proper only after Iranian-caused harm or war, and force protection as
a parallel posture. The policy track decides at reviews (about every ``review_days``, or at once
after a triggering event) with several instruments at once: sanctions on Iran, threatening versus
imposing sanctions on Iraq, the energy waiver, talks, deterrent warnings, the Strategic Dialogue,
base consolidation, drawdowns (:mod:`sim.core.payoffs`; [000], [002], the record).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from agents.base import Stateless, subset
from sim.config import LegalStep, PMStatus, USPolicy
from sim.core import draws as D
from sim.core import payoffs, rules
from sim.core.draws import Stream
from sim.core.params import Params, USParams, is_stacked
from sim.core.state import Observation

Arr = npt.NDArray[Any]
_POLICIES = len(USPolicy)
#: Instruments decided at any review (the waiver and the session's offer have their own occasions).
_AT_REVIEW = (USPolicy.SANCTION_IRAN, USPolicy.THREATEN_IRAQ, USPolicy.SANCTION_IRAQ, USPolicy.OFFER_TALKS,
              USPolicy.WARNING, USPolicy.PROPOSE_DIALOGUE, USPolicy.CONSOLIDATE, USPolicy.DRAWDOWN)


@dataclass(frozen=True)
class USProbs:
    """The US choice probabilities on one day."""

    target: Arr  # (R,) the group it would strike (largest grievance)
    strike: Arr  # (R,) chance it strikes that group today
    strike_iran: Arr  # (R,)
    protect: Arr  # (R,) chance it orders force protection
    review: Arr  # (R,) chance of a policy review today
    policy: Arr  # (len(USPolicy), R) chance of each instrument at a review (0 when not available)


class UnitedStates(Stateless):
    """The US administration. Owns its weights and costs; reads grievances, threat and audience
    cost from the world (no private state).
    """

    key: ClassVar[str] = "us"
    decides: ClassVar[tuple[str, ...]] = ("us_strike", "us_strike_iran", "us_protect", "us_policy", "us_waiver_days")

    def __init__(self, params: USParams, replicates: int, stacked: bool = False) -> None:
        self.params = params
        self.replicates = replicates
        self.stacked = stacked

    @classmethod
    def build(cls, params: Params, replicates: int) -> UnitedStates:
        """The US with ``actors.united_states``."""
        return cls(params.us, replicates, is_stacked(params))

    # ------------------------------------------------------------------ military track
    def military(self, obs: Observation) -> tuple[Arr, Arr, Arr, Arr]:
        """Target (largest grievance), and the chances of striking it, striking Iran, protecting."""
        w, p = obs.world, self.params
        target = np.argmax(w.grievance, axis=0)
        grievance = np.take_along_axis(w.grievance, target[None], axis=0)[0]
        present = obs.presence > 0
        strike = payoffs.us_strike_utility(p, grievance=grievance, audience_cost=w.us_audience, tension=w.tension,
                                           sentiment=w.sentiment, legal=w.legal, negotiating=obs.negotiating)
        p_strike = np.where((grievance > 0) & present, rules.logistic(strike, p.rationality), 0.0)
        iran = payoffs.us_iran_utility(p, threat_iran=w.threat_iran, audience_cost=w.us_audience,
                                       tension=w.tension, war=w.war)
        p_iran = np.where((w.threat_iran > 0) | w.war, rules.logistic(iran, p.rationality), 0.0)
        protect = payoffs.protection_utility(p, threat=w.threat, protection=w.protection, isis=w.isis)
        return target, p_strike, p_iran, np.where(present, rules.logistic(protect, p.rationality), 0.0)

    # ------------------------------------------------------------------ policy track
    def review_probability(self, obs: Observation) -> Arr:
        """A review today: the slow cycle, or at once after a trigger, a waiver expiring or a session."""
        w = obs.world
        due = w.us_trigger | self.waiver_due(obs) | (w.session_countdown == 0)
        return np.where(due, 1.0, 1.0 / np.asarray(self.params.review_days))

    def waiver_due(self, obs: Observation, at: Any = slice(None)) -> Arr:
        """The waiver expires, or a friendly new government holds only a short one (H1-067)."""
        w, wp = obs.world, self.params.waiver
        threshold = np.asarray(wp.long) - wp.short_max
        short = w.waiver_days[at] < (threshold if isinstance(at, slice) else rules.at(threshold, at))
        return np.asarray((w.waiver_days[at] <= 0) | (self._friendly(obs, at) & short))

    @staticmethod
    def _friendly(obs: Observation, at: Any = slice(None)) -> Arr:
        w = obs.world
        return np.asarray((w.pm_status[at] == PMStatus.GOVERNMENT) & (w.pm_alignment[at] >= 0))

    def policy_probabilities(self, obs: Observation, at: npt.NDArray[np.intp] | None = None) -> Arr:
        """Chance of each instrument at a review (len(USPolicy), R or len(at)); 0 where unavailable."""
        w = obs.world
        sel: Any = slice(None) if at is None else at
        p = self.params if at is None or not self.stacked else subset(self.params, at, self.replicates)
        utils = payoffs.policy_utilities(
            p, iran_harm=w.iran_harm[sel], expulsion=w.expulsion[sel], legal=w.legal[sel], revoked=~w.invitation[sel],
            deescalation=w.deescalation[sel], diplomacy=w.diplomacy[sel], threat=w.threat[sel],
            audience_cost=w.us_audience[sel], sentiment=w.sentiment[sel], tension=w.tension[sel], isis=w.isis[sel],
            held=w.held_exposed[sel], sanctioned=w.sanctions_iraq[sel], mandate=w.pm_status[sel] == PMStatus.GOVERNMENT,
            pm_alignment=w.pm_alignment[sel], deaths=w.deaths[sel])
        n = len(w.troops[sel])
        out = np.zeros((_POLICIES, n))
        for act, u in utils.items():
            out[act] = rules.logistic(u, p.rationality)
        out[USPolicy.PROPOSE_DIALOGUE] *= (w.dialogue_stage[sel] == 0)
        out[USPolicy.OFFER_DRAWDOWN] *= (w.session_countdown[sel] == 0)
        binding = (w.legal[sel] >= LegalStep.BINDING_LAW) | ~w.invitation[sel]
        renew = rules.logistic(p.waiver.renew_weight * (1.0 - 2.0 * binding), p.rationality)
        out[USPolicy.RENEW_WAIVER] = np.where(self.waiver_due(obs, sel), renew, 0.0)
        return out

    def probabilities(self, obs: Observation) -> USProbs:
        """Both tracks' choice probabilities today."""
        target, strike, iran, protect = self.military(obs)
        return USProbs(target=target, strike=strike, strike_iran=iran, protect=protect,
                       review=self.review_probability(obs), policy=self.policy_probabilities(obs))

    def decide(self, obs: Observation, keys: Stream) -> dict[str, Arr]:
        """Today's strike (a group or none), strike on Iran, protection order, policy instruments."""
        t, r = obs.world.day, len(keys)
        target, p_strike, p_iran, p_protect = self.military(obs)
        u = keys.u(t, D.US, D.US_MILITARY, np.array([[0], [1], [2]]))
        policy = np.zeros((_POLICIES, r), dtype=bool)
        waiver = np.zeros(r)
        review = keys.u(t, D.US, D.US_POLICY, 0) < self.review_probability(obs)
        if review.any():
            at = np.flatnonzero(review)
            probs = self.policy_probabilities(obs, at)
            draws = keys.u(t, D.US, D.US_POLICY, 1 + np.arange(_POLICIES)[:, None], rows=at)
            policy[:, at] = draws < probs
            renew = policy[USPolicy.RENEW_WAIVER]
            if renew.any():
                at = np.flatnonzero(renew)
                wp = self.params.waiver
                short = rules.at(wp.short_min, at) + (rules.at(wp.short_max, at) - rules.at(wp.short_min, at)) \
                    * keys.u(t, D.US, D.US_POLICY, 20, rows=at)
                waiver[at] = np.where(self._friendly(obs, at), rules.at(wp.long, at), np.floor(short))
        return {"us_strike": np.where(u[0] < p_strike, target, -1).astype(np.int64),
                "us_strike_iran": u[1] < p_iran, "us_protect": u[2] < p_protect,
                "us_policy": policy, "us_waiver_days": waiver}
