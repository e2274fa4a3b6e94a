"""Interventions: force or forbid one actor's act on a day (counterfactuals, branching, a player).

This module owns the acts each actor may be forced to or forbidden (:func:`acts_of`) and the check
of a config's ``interventions:`` (:func:`check_interventions`: a one-line error naming the key and
what is allowed). The engines apply them to the day's decisions before the staged transition
(:func:`agents.apply_interventions`), so draws stay keyed and paired runs share them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sim.config import EXEC_ACTS, STRATEGIES, TACTICS, US_ACTS, Config, ConfigError

IRAN = "Iran"
US = "United States"
EXECUTIVE = "Executive"
PARLIAMENT = "Parliament"
#: Iran's acts: a strategy (forced: chosen today), or its direct strike (forced: fired today).
IRAN_ACTS: tuple[str, ...] = (*STRATEGIES, "direct_strike")
#: Parliament's acts: sit on the US presence today, or a bloc leader's request for a sitting.
PARLIAMENT_ACTS: tuple[str, ...] = ("sit", "request")


def acts_of(cfg: Config) -> dict[str, tuple[str, ...]]:
    """Every actor an intervention may name, with its acts."""
    out = {IRAN: IRAN_ACTS, US: US_ACTS, EXECUTIVE: EXEC_ACTS, PARLIAMENT: PARLIAMENT_ACTS}
    for m in cfg.actors.militias:
        out[m.name] = TACTICS
    return out


def check_interventions(cfg: Config, specs: Any) -> None:
    """Each intervention names a known actor and one of its acts, on a day of the run."""
    table = acts_of(cfg)
    for i, s in enumerate(specs):
        if s.day < 0:
            date = cfg.meta.start_date + dt.timedelta(days=s.day)
            raise ConfigError(f"interventions.{i}.date: {date} is before the start date {cfg.meta.start_date}")
        if s.actor not in table:
            raise ConfigError(f"interventions.{i}.actor: {s.actor!r} is not an actor; allowed "
                              f"{', '.join(table)}")
        if s.act not in table[s.actor]:
            raise ConfigError(f"interventions.{i}.act: {s.act!r} is not an act of {s.actor}; allowed "
                              f"{', '.join(table[s.actor])}")
