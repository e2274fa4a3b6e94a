"""Escalation: an agent-based simulation of US-Iran escalation in Iraq after 3 January 2020.

Public API:
- :class:`EscalationModel` (Mesa model), :func:`run_model` (one run -> flat dict of path and
  metrics), :func:`run_batch` (many parameter rows at once, vectorised);
- :func:`load_config` (validated config);
- :func:`sweep` and :func:`load_results` (batch experiments; imported lazily);
- :func:`compare` (B against A on common random numbers: paired differences with 95% CIs).
"""

from __future__ import annotations

import importlib
from typing import Any

from sim.config import Config, ConfigError, UserError, load_config

# Imported on first use, so that ``import agents`` (which imports sim.core) never cycles back
# through sim.engines, Mesa is imported only when the Mesa model is used, and the CLI starts fast.
_LAZY = {
    "EscalationModel": "sim.engines.mesa_model",
    "run_model": "sim.engines.mesa_model",
    "sweep": "sim.experiments.runner",
    "load_results": "sim.experiments.store",
    "run_batch": "sim.engines.batch",
    "compare": "sim.analysis.compare",
}

__all__ = ["Config", "ConfigError", "UserError", "load_config", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
