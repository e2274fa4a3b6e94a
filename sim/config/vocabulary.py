"""The model's vocabulary, named once: every option and act of every actor, with its code and rung.

An option's code is its index in the name tuple (``STRATEGIES[Strategy.DIPLOMACY] ==
"diplomacy"``): the rules, the transition and the event rows index arrays with it, the config
schema accepts the names. The escalation rung of each militia tactic and US act (0 calm .. 6
all-out war) sits beside them; Iran's rungs are per strategy in the config
(``actors.iran.strategies.<s>.rung``) and for its direct strike (``actors.iran.direct_strike.rung``).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class Strategy(IntEnum):
    """Iran's strategies, held as commitments ([002]: the diplomacy track and scenarios 4, 2, 3, 1)."""

    DIPLOMACY = 0
    POLITICAL_PRESSURE = 1
    PROXY_HARASSMENT = 2
    MIDDLE_GROUND = 3
    MAJOR_ESCALATION = 4


class Tactic(IntEnum):
    """A militia group's act on a day: nothing, or one attack by tactic (the record's kinds)."""

    STAND_DOWN = 0
    ROCKET_BASE = 1
    ROCKET_GREEN_ZONE = 2
    CONVOY_IED = 3
    DRONE = 4
    MISSILE = 5
    STORM = 6


#: The name kept for code that speaks of a militia's action.
MilitiaAction = Tactic


class USPolicy(IntEnum):
    """The US policy track's instruments (decided together at a review; [000], [002], the record)."""

    SANCTION_IRAN = 0
    THREATEN_IRAQ = 1
    SANCTION_IRAQ = 2
    RENEW_WAIVER = 3
    OFFER_TALKS = 4
    WARNING = 5
    PROPOSE_DIALOGUE = 6
    CONSOLIDATE = 7
    DRAWDOWN = 8
    OFFER_DRAWDOWN = 9


class ExecAct(IntEnum):
    """The Iraqi executive's acts (the president designates; the designate and the PM act)."""

    DESIGNATE = 0
    REQUEST_VOTE = 1
    WITHDRAW = 2
    CRACKDOWN = 3
    REVOKE_INVITATION = 4
    DEMAND_DRAWDOWN = 5


class PMStatus(IntEnum):
    """Who holds the executive: the caretaker alone, a PM-designate, or a confirmed government."""

    CARETAKER = 0
    DESIGNATE = 1
    GOVERNMENT = 2


class Motion(IntEnum):
    """What a sitting of parliament votes on."""

    US_PRESENCE = 0
    CONFIRMATION = 1


class BlocChoice(IntEnum):
    """A bloc's options when parliament sits on a motion."""

    BOYCOTT = 0
    NO = 1
    YES = 2


class LegalStep(IntEnum):
    """Legal status of the US presence, graded ([000], [002])."""

    NONE = 0
    RESOLUTION = 1
    LIMITS = 2
    BINDING_LAW = 3


class MilitaryTrack(IntEnum):
    """The military track of a run, read from what an observer can count ([002])."""

    DE_ESCALATION = 0
    S2_GOING_THROUGH_MOTIONS = 1
    S3_MIDDLE_GROUND = 2
    S1_MAJOR_ESCALATION = 3
    ALL_OUT_WAR = 4


class PoliticalTrack(IntEnum):
    """The political track of a run: the furthest legal step, or a negotiated drawdown."""

    NONE = 0
    RESOLUTION = 1
    LIMITS = 2
    BINDING_LAW = 3
    NEGOTIATED_DRAWDOWN = 4


def _names(options: type[IntEnum]) -> tuple[str, ...]:
    return tuple(o.name.lower() for o in options)


STRATEGIES: Final[tuple[str, ...]] = _names(Strategy)
TACTICS: Final[tuple[str, ...]] = _names(Tactic)
MILITIA_ACTIONS: Final[tuple[str, ...]] = TACTICS
US_POLICIES: Final[tuple[str, ...]] = _names(USPolicy)
EXEC_ACTS: Final[tuple[str, ...]] = _names(ExecAct)
PM_STATUSES: Final[tuple[str, ...]] = _names(PMStatus)
MOTIONS: Final[tuple[str, ...]] = _names(Motion)
BLOC_CHOICES: Final[tuple[str, ...]] = _names(BlocChoice)
LEGAL_STEPS: Final[tuple[str, ...]] = _names(LegalStep)
MILITARY_TRACKS: Final[tuple[str, ...]] = _names(MilitaryTrack)
POLITICAL_TRACKS: Final[tuple[str, ...]] = _names(PoliticalTrack)
#: The US military track's acts (daily), named for events and interventions.
US_MILITARY: Final[tuple[str, ...]] = ("strike_militias", "strike_iran", "force_protection")
#: Every US act an event row or an intervention may name.
US_ACTS: Final[tuple[str, ...]] = US_MILITARY + US_POLICIES

#: Tactics the record counts as "attacks" (salvos, convoy IEDs, drones, missiles; storming apart).
ATTACK_TACTICS: Final[tuple[Tactic, ...]] = (Tactic.ROCKET_BASE, Tactic.ROCKET_GREEN_ZONE, Tactic.CONVOY_IED,
                                             Tactic.DRONE, Tactic.MISSILE)
#: Tactics that need advanced weapons in stock (drones and missiles, [002]).
ADVANCED: Final[tuple[Tactic, ...]] = (Tactic.DRONE, Tactic.MISSILE)
#: Tactics an escalating strategy shifts weight to ([002] scenarios 3 and 1).
DEADLY: Final[tuple[Tactic, ...]] = (Tactic.DRONE, Tactic.MISSILE, Tactic.STORM)
#: Escalation rung of each militia tactic (``TACTICS`` order): salvos and IEDs 2, drones and
#: missiles 4, storming 5.
MILITIA_RUNG: Final[tuple[int, ...]] = (0, 2, 2, 2, 4, 4, 5)
#: Rung of the US military acts: strikes in Iraq 4, on Iran 5 (force protection 0).
US_STRIKE_RUNG: Final = 4
US_IRAN_RUNG: Final = 5
#: Rung of the US sanctions (on Iran or Iraq) and threats.
US_SANCTION_RUNG: Final = 1
#: The rung of all-out war (the top of the scale; tension is rung / WAR_RUNG).
WAR_RUNG: Final = 6
#: Iran's strategies that put militias on a war footing (they are resupplied).
MILITARISED: Final[tuple[Strategy, ...]] = (Strategy.MIDDLE_GROUND, Strategy.MAJOR_ESCALATION)
#: Iran's military strategies (C14: against the political one).
MILITARY_STRATEGIES: Final[tuple[Strategy, ...]] = (Strategy.PROXY_HARASSMENT, Strategy.MIDDLE_GROUND,
                                                    Strategy.MAJOR_ESCALATION)

assert len(MILITIA_RUNG) == len(Tactic)
