"""The stages of a day's transition, each a pure function returning a small frozen record.

:func:`sim.core.transition.step` runs them in this order, all reading the start-of-day world:
:func:`~sim.core.stages.iran.iran_acts` (the direct strike, attacks outside Iraq),
:func:`~sim.core.stages.militias.militia_acts` (every attack, at the cells where a group attacks),
:func:`~sim.core.stages.us.us_acts` (both US tracks and the Dialogue),
:func:`~sim.core.stages.iraq.iraq_acts` (the executive and a sitting of parliament),
:func:`~sim.core.stages.world.dynamics` (knowledge, memories, moods, tempo, escalation, war, ISIS,
the events that call for decisions tomorrow) and :func:`~sim.core.stages.record.observables` (what
an observer counts today). Randomness is keyed draws (:mod:`sim.core.draws`); formulas come from
:mod:`sim.core.rules` and :mod:`sim.core.payoffs`. The arithmetic order is part of the contract: the
golden record (``tests/golden/``) pins the results bit for bit.
"""

from sim.core.stages.common import NOTHING_DECLARED, Declared
from sim.core.stages.iran import IranActs, iran_acts
from sim.core.stages.iraq import IraqActs, iraq_acts
from sim.core.stages.militias import MilitiaActs, militia_acts
from sim.core.stages.record import observables
from sim.core.stages.us import USActs, us_acts
from sim.core.stages.world import Dynamics, dynamics

__all__ = ["NOTHING_DECLARED", "Declared", "Dynamics", "IranActs", "IraqActs", "MilitiaActs", "USActs",
           "dynamics", "iran_acts", "iraq_acts", "militia_acts", "observables", "us_acts"]
