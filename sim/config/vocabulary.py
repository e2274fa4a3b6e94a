"""The model's vocabulary, named once: every option of every actor, with its code and rung.

An option's code is its index in the option tuple (``STRATEGIES[Strategy.DIPLOMACY] ==
"diplomacy"``): the rules, the transition and the event rows index arrays with it, the config
schema accepts the names. The escalation rung of each militia action and US option (0 calm .. 6
all-out war) sits beside the options; Iran's rungs are per strategy in the config
(``actors.iran.strategies.<s>.rung``).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class Strategy(IntEnum):
    """Iran's strategies ([002]: the diplomacy track, scenarios 4, 2, 3, 1, and the warned 8 January strike)."""

    DIPLOMACY = 0
    POLITICAL_PRESSURE = 1
    PROXY_HARASSMENT = 2
    MIDDLE_GROUND = 3
    MAJOR_ESCALATION = 4
    CALIBRATED_STRIKE = 5


class USOption(IntEnum):
    """The United States' options each day."""

    HOLD = 0
    OFFER_TALKS = 1
    FORCE_PROTECTION = 2
    STRIKE_MILITIAS = 3
    STRIKE_IRAN = 4
    SANCTION_IRAQ = 5
    SANCTION_IRAN = 6
    DRAWDOWN = 7


class MilitiaAction(IntEnum):
    """A militia's options each day, in rising intensity."""

    STAND_DOWN = 0
    HARASS = 1
    DEADLY = 2
    STORM = 3


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


def _names(options: type[IntEnum]) -> tuple[str, ...]:
    return tuple(o.name.lower() for o in options)


STRATEGIES: Final[tuple[str, ...]] = _names(Strategy)
US_OPTIONS: Final[tuple[str, ...]] = _names(USOption)
MILITIA_ACTIONS: Final[tuple[str, ...]] = _names(MilitiaAction)
BLOC_CHOICES: Final[tuple[str, ...]] = _names(BlocChoice)
LEGAL_STEPS: Final[tuple[str, ...]] = _names(LegalStep)

#: Escalation rung of each militia action (``MILITIA_ACTIONS`` order).
MILITIA_RUNG: Final[tuple[int, ...]] = (0, 2, 4, 5)
#: Escalation rung of each US option (``US_OPTIONS`` order): strikes 4-5, sanctions 1.
US_RUNG: Final[tuple[int, ...]] = (0, 0, 0, 4, 5, 1, 1, 0)
#: The rung of all-out war (the top of the scale; tension is rung / WAR_RUNG).
WAR_RUNG: Final = 6
#: Iran's strategies that put militias on a war footing (they resupply missiles).
MILITARISED: Final[tuple[Strategy, ...]] = (Strategy.MIDDLE_GROUND, Strategy.MAJOR_ESCALATION)

assert len(MILITIA_RUNG) == len(MilitiaAction) and len(US_RUNG) == len(USOption)
