"""The ``history`` section of a config, checked against the model's actors before a replay.

This module owns the names a history may use (the actors and their options, the world fields and
beliefs an exogenous shock may set or shift) and :func:`check_history`, which turns every
mismatch into a one-line :class:`~sim.config.ConfigError` naming the key. The replay itself is
:mod:`sim.analysis.history`.
"""

from __future__ import annotations

import datetime as dt

from sim.config import LEGAL_STEPS, MILITIA_ACTIONS, STRATEGIES, US_OPTIONS, Config, ConfigError, History, HistoryEvent

IRAN = "Iran"
US = "United States"
PARLIAMENT = "Parliament"

#: World fields an exogenous shock may set or add to (beliefs are handled separately).
SHOCK_FIELDS: tuple[str, ...] = (
    "troops", "protection", "sentiment", "revenge", "us_audience", "iran_audience",
    "sanctions_iran", "sanctions_iraq", "sanction_threat", "isis", "diplomacy", "tension",
    "iran_political", "threat", "threat_iran",
)
#: Beliefs a shock may set or shift, and the actor holding each.
BELIEF_FIELDS: dict[str, str] = {"iran_belief_us_retaliation": "iran",
                                 "militia_belief_us_retaliation": "militias"}
#: Shock fields held in [0, 1] by the model.
UNIT_FIELDS = {"protection", "sentiment", "revenge", "sanctions_iran", "sanctions_iraq",
                "sanction_threat", "isis", "diplomacy", "tension", "iran_political"}


def actor_options(cfg: Config) -> dict[str, tuple[str, ...]]:
    """Every actor a history may name, with its options."""
    out: dict[str, tuple[str, ...]] = {IRAN: STRATEGIES, US: US_OPTIONS, PARLIAMENT: LEGAL_STEPS[1:]}
    for m in cfg.actors.militias:
        out[m.name] = MILITIA_ACTIONS
    return out


def _check_event(i: int, e: HistoryEvent, opts: dict[str, tuple[str, ...]], start: dt.date,
                 end: dt.date, seen: set[tuple[dt.date, str]]) -> None:
    key = f"history.events.{i}"
    if e.actor not in opts:
        raise ConfigError(f"{key}.actor: unknown actor {e.actor!r}; allowed: {', '.join(opts)}")
    if e.action not in opts[e.actor]:
        raise ConfigError(f"{key}.action: {e.action!r} is not an action of {e.actor}; "
                          f"allowed: {', '.join(opts[e.actor])}")
    if not start <= e.date <= end:
        raise ConfigError(f"{key}.date: {e.date} is outside {start} .. {end}")
    if (e.date, e.actor) in seen:
        raise ConfigError(f"{key}: {e.actor} already has an event on {e.date} (one choice a day)")
    seen.add((e.date, e.actor))
    militia_attack = opts[e.actor] == MILITIA_ACTIONS and e.action != "stand_down"
    if (e.us_killed is not None or e.us_wounded is not None) and not (
            militia_attack or e.action == "calibrated_strike"):
        raise ConfigError(f"{key}.us_killed: casualties can be declared only for a militia "
                          f"attack or Iran's calibrated_strike")


def check_history(cfg: Config) -> History:
    """Validate the history against the config's actors; one-line errors naming the key."""
    h = cfg.history
    if h is None:
        raise ConfigError("history: this config has no 'history' section to replay "
                          "(use configs/history_dec2019.yaml)")
    opts = actor_options(cfg)
    start = cfg.meta.start_date
    if h.end_date < start:
        raise ConfigError(f"history.end_date: {h.end_date} is before meta.start_date {start}")
    seen: set[tuple[dt.date, str]] = set()
    for i, e in enumerate(h.events):
        _check_event(i, e, opts, start, h.end_date, seen)
    for j, s in enumerate(h.shocks):
        key = f"history.shocks.{j}"
        if not start <= s.date <= h.end_date:
            raise ConfigError(f"{key}.date: {s.date} is outside {start} .. {h.end_date}")
        for kind in ("set", "add"):
            for name in getattr(s, kind):
                if name not in (*SHOCK_FIELDS, *BELIEF_FIELDS):
                    raise ConfigError(f"{key}.{kind}.{name}: unknown state field; allowed: "
                                      f"{', '.join((*SHOCK_FIELDS, *BELIEF_FIELDS))}")
    for section in ("quiet", "fill"):
        for actor, action in getattr(h, section).items():
            key = f"history.{section}.{actor}"
            if actor not in opts:
                raise ConfigError(f"{key}: unknown actor; allowed: {', '.join(opts)}")
            allowed = opts[actor] + (("modal",) if section == "fill" else ())
            if actor == PARLIAMENT:
                raise ConfigError(f"{key}: parliament sits only on event days; remove this key")
            if action not in allowed:
                raise ConfigError(f"{key}: {action!r} is not an action of {actor}; "
                                  f"allowed: {', '.join(allowed)}")
    return h
