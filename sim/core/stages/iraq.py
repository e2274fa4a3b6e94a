"""Iraq's acts on a day: the executive (government formation, raids, the invitation) and a sitting
of parliament (on the US presence or on a PM-designate), counted by the constitution's rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import ExecAct, LegalStep, Motion, PMStatus
from sim.core import voting
from sim.core.params import Params
from sim.core.stages.common import Arr
from sim.core.state import World


@dataclass(frozen=True, slots=True)
class IraqActs:
    """The executive's acts and parliament's sitting today (R,)."""

    acts: Arr  # (len(ExecAct), R) bool: the executive's acts that took effect
    motion: Arr  # -1 no sitting, else the Motion voted on
    choices: Arr  # (B, R) each bloc's choice today (-1 none)
    level: Arr  # the legal step a sitting on the US presence voted on
    present: Arr
    yes: Arr
    passes: Arr  # bool
    formed: Arr  # bool: a government was confirmed today
    failed_vote: Arr  # bool: a confirmation sitting failed today
    legal: Arr
    pm_status: Arr
    pm_alignment: Arr
    designate_days: Arr
    days_without_gov: Arr
    conf_requested: Arr
    conf_failed: Arr
    crackdown: Arr
    invitation: Arr
    sitting_requested: Arr

    @property
    def on_presence(self) -> Arr:
        """A sitting on the US presence was held today."""
        return np.asarray(self.motion == Motion.US_PRESENCE)

    @property
    def step_passed(self) -> Arr:
        """A legal step on the US presence passed today."""
        return np.asarray(self.on_presence & self.passes)


def iraq_acts(w: World, acts: Arr, alignment: Arr, request: Arr, motion: Arr, choices: Arr, P: Params) -> IraqActs:
    """Apply the executive's acts, then tally a sitting and apply its verdict ([000]; H1-012, H1-036, H1-066)."""
    pp, ep = P.parliament, P.executive
    status0 = w.pm_status
    designate = acts[ExecAct.DESIGNATE] & (status0 == PMStatus.CARETAKER)
    withdraw = acts[ExecAct.WITHDRAW] & (status0 == PMStatus.DESIGNATE)
    asks = acts[ExecAct.REQUEST_VOTE] & (status0 == PMStatus.DESIGNATE) & ~withdraw
    status = np.where(designate, PMStatus.DESIGNATE, np.where(withdraw, PMStatus.CARETAKER, status0))
    align = np.where(designate, alignment, np.where(withdraw, ep.caretaker_alignment, w.pm_alignment))
    held = motion >= 0
    present, yes = voting.tally(list(choices), pp.seats, pp.cohesion)
    level = voting.next_legal_step(w.legal)
    on_presence = held & (motion == Motion.US_PRESENCE)
    on_confirm = held & (motion == Motion.CONFIRMATION) & (status == PMStatus.DESIGNATE)
    absolute = np.where(on_presence, voting.needs_absolute_majority(pp, level), False)
    verdict = held & voting.motion_passes(present, yes, quorum=pp.quorum, absolute=absolute,
                                          total_seats=pp.total_seats)
    formed = on_confirm & verdict
    failed = on_confirm & ~verdict
    status = np.where(formed, PMStatus.GOVERNMENT, status)
    effective = acts.copy()
    effective[ExecAct.DESIGNATE] = designate
    effective[ExecAct.WITHDRAW] = withdraw
    effective[ExecAct.REQUEST_VOTE] = asks
    effective[ExecAct.REVOKE_INVITATION] = acts[ExecAct.REVOKE_INVITATION] & w.invitation
    return IraqActs(
        acts=effective, motion=np.where(held, motion, -1), choices=np.where(held, choices, -1), level=level,
        present=present, yes=yes, passes=verdict, formed=formed, failed_vote=failed,
        legal=np.where(on_presence & verdict, level, w.legal),
        pm_status=status, pm_alignment=align,
        designate_days=np.where(designate, 0.0, w.designate_days + (status == PMStatus.DESIGNATE)),
        days_without_gov=np.where(status == PMStatus.GOVERNMENT, 0.0, w.days_without_gov + 1.0),
        conf_requested=np.where(designate | withdraw | on_confirm, False, w.conf_requested | asks),
        conf_failed=np.where(designate | withdraw | asks, False, w.conf_failed | failed),
        crackdown=np.where(acts[ExecAct.CRACKDOWN], 1.0, w.crackdown * (1.0 - ep.crackdown_decay)),
        invitation=w.invitation & ~acts[ExecAct.REVOKE_INVITATION],
        sitting_requested=np.where(on_presence, False, w.sitting_requested | request)
        & (w.legal < LegalStep.BINDING_LAW),
    )
