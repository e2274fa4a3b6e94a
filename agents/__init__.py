"""Mesa agents of the escalation model: the United States, Iran, each militia, and parliament.

Each agent owns its parameters (handed to it at construction) and its beliefs; each step it
reads the day's observation, updates its beliefs and returns a decision by calling the pure
decision functions of :mod:`sim.core.policy`. Agents never change the world: :mod:`sim.core.transition` does.
This package never imports :mod:`sim.engines.mesa_model`.
"""

from agents.iran import Iran
from agents.militia import Militia
from agents.parliament import Parliament
from agents.united_states import UnitedStates

__all__ = ["Iran", "Militia", "Parliament", "UnitedStates"]
