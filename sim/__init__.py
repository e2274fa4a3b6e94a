"""Escalation: an agent-based simulation of US-Iran escalation in Iraq after 3 January 2020.

Public API: :class:`EscalationModel` (Mesa), :func:`run_model` (one run -> flat dict),
:func:`load_config`. Sweeps and results (``sweep``, ``load_results``) are added by later layers.
"""

from sim.config import Config, ConfigError, load_config
from sim.model import EscalationModel, run_model

__all__ = ["Config", "ConfigError", "EscalationModel", "load_config", "run_model"]
