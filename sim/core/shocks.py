"""Exogenous shocks: dated changes of world state the engine applies at the start of a day.

A shock (config ``exogenous:``, e.g. the 3 January leadership strike of the historical config)
sets or shifts named world fields before anyone observes the day; it is recorded as an event row.
This module owns the names a shock may use (:data:`FIELDS`, the beliefs, the per-group fields),
their check (:func:`check_shocks`: a one-line error naming the key) and the change itself
(:func:`apply_to_world`; beliefs, which actors hold, are returned for the engine to apply).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import Config, ConfigError
from sim.core.state import World

Arr = npt.NDArray[Any]

#: The kind of shock that is a leadership killing: it also reopens Iran's strategy choice with the
#: chance ``actors.iran.reopen.leadership_killing`` (as on day 0 of the baseline, just after one).
LEADERSHIP_STRIKE = "leadership_strike"
#: World fields (one value per replicate) a shock may set or shift, and whether they stay in [0, 1].
FIELDS: dict[str, bool] = {
    "sentiment": True, "revenge": True, "tension": True, "diplomacy": True, "iran_political": True,
    "isis": True, "sanctions_iran": True, "sanctions_iraq": True, "sanction_threat": True, "protection": True,
    "crackdown": True, "iran_trigger": True, "us_audience": False, "iran_audience": False, "waiver_days": False,
    "iran_harm": False, "expulsion": False, "threat": False, "threat_iran": False, "agenda": False,
    "troops": False, "days_without_gov": False,
}
#: Flags a shock may set (a value > 0 sets, 0 clears).
FLAGS: tuple[str, ...] = ("direct_demand", "us_trigger", "sitting_requested", "war", "truce")
#: Per-group fields: ``<field>.<militia name>`` (or the field alone for every group).
GROUP_FIELDS: tuple[str, ...] = ("excitation", "grievance", "stock")
#: Beliefs (held by actors): Iran's, and the militias' (``militia_belief_us_retaliation[.<name>]``).
BELIEFS: tuple[str, ...] = ("iran_belief_us_retaliation", "militia_belief_us_retaliation")


def _split(name: str, groups: list[str]) -> tuple[str, int | None] | None:
    base, _, who = name.partition(".")
    if base not in GROUP_FIELDS + ("militia_belief_us_retaliation",):
        return None
    if not who:
        return base, None
    return (base, groups.index(who)) if who in groups else None


def check_shocks(cfg: Config, shocks: Any) -> None:
    """Every shock names known fields and falls inside the run's calendar (else a one-line error)."""
    groups = [m.name for m in cfg.actors.militias]
    allowed = sorted(FIELDS) + list(FLAGS) + list(BELIEFS) + [f"{g}.<militia>" for g in GROUP_FIELDS]
    for i, s in enumerate(shocks):
        if s.day < 0:
            date = cfg.meta.start_date + dt.timedelta(days=s.day)
            raise ConfigError(f"exogenous.{i}.date: {date} is before the start date {cfg.meta.start_date}")
        for key, _ in (*s.set, *s.add):
            if key in FIELDS or key in FLAGS or key in BELIEFS or _split(key, groups) is not None:
                continue
            raise ConfigError(f"exogenous.{i}: unknown field {key!r}; a shock may set or add "
                              f"{', '.join(allowed)}")


def apply_to_world(world: World, spec: Any, where: Arr,
                   groups: list[str]) -> tuple[World, list[tuple[str, str, float, int | None]]]:
    """The world after a shock at the replicates ``where``; the beliefs to change are returned as
    (belief, "set" or "add", value, militia row or None for all).
    """
    changes: dict[str, Arr] = {}
    beliefs: list[tuple[str, str, float, int | None]] = []
    for mode, items in (("set", spec.set), ("add", spec.add)):
        for key, value in items:
            if key in BELIEFS or key.startswith("militia_belief_us_retaliation."):
                split = _split(key, groups)
                beliefs.append((key.partition(".")[0], mode, float(value), split[1] if split else None))
                continue
            split = _split(key, groups)
            if split is not None:
                name, g = split
                cur = changes.get(name, getattr(world, name)).copy()
                sel = slice(None) if g is None else g
                new = value if mode == "set" else cur[sel] + value
                cur[sel] = np.where(where, new, cur[sel])
                changes[name] = np.maximum(cur, 0.0)
                continue
            cur = changes.get(key, getattr(world, key))
            if key in FLAGS:
                changes[key] = np.where(where, value > 0 if mode == "set" else cur | (value > 0), cur)
                continue
            new = np.full_like(cur, value, dtype=np.float64) if mode == "set" else cur + value
            new = np.clip(new, 0.0, 1.0) if FIELDS[key] else np.maximum(new, 0.0)
            changes[key] = np.where(where, new, cur)
    return world.replace(**changes), beliefs


def shift_belief(belief: Arr, mode: str, value: float, where: Arr) -> Arr:
    """A belief after a shock's ``set`` or ``add`` at the replicates ``where`` (kept in [0, 1])."""
    new = np.full_like(belief, value) if mode == "set" else belief + value
    return np.where(where, np.clip(new, 0.0, 1.0), belief)
