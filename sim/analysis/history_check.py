"""The ``history`` section of a config, checked against the model's actors before a replay.

This module owns the names a history may use (the actors and the acts each may be recorded doing)
and :func:`check_history`, which turns every mismatch into a one-line
:class:`~sim.config.ConfigError` naming the key. Exogenous shocks (the 3 January strike) are the
config's ``exogenous:`` section, applied by the engine. The replay itself is :mod:`sim.analysis.history`.
"""

from __future__ import annotations

import datetime as dt

from sim.config import LEGAL_STEPS, STRATEGIES, TACTICS, US_ACTS, Config, ConfigError, History, HistoryEvent

IRAN = "Iran"
US = "United States"
PARLIAMENT = "Parliament"
#: Iran's recorded acts: a strategy it held, or its direct strike.
IRAN_ACTIONS: tuple[str, ...] = (*STRATEGIES, "direct_strike")
#: The US's recorded acts: any military or policy act, or holding (no act at all).
US_ACTIONS: tuple[str, ...] = (*US_ACTS, "hold")


def actor_options(cfg: Config) -> dict[str, tuple[str, ...]]:
    """Every actor a history may name, with its acts."""
    out: dict[str, tuple[str, ...]] = {IRAN: IRAN_ACTIONS, US: US_ACTIONS, PARLIAMENT: LEGAL_STEPS[1:]}
    for m in cfg.actors.militias:
        out[m.name] = TACTICS
    return out


def _check_event(i: int, e: HistoryEvent, opts: dict[str, tuple[str, ...]], start: dt.date,
                 end: dt.date, seen: set[tuple[dt.date, str]], groups: list[str]) -> None:
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
    if e.action == "strike_militias" and e.target not in groups:
        raise ConfigError(f"{key}.target: a US strike on militias names the group struck; allowed: "
                          f"{', '.join(groups)}")
    militia_attack = opts[e.actor] == TACTICS and e.action != "stand_down"
    if (e.us_killed is not None or e.us_wounded is not None) and not (
            militia_attack or e.action == "direct_strike"):
        raise ConfigError(f"{key}.us_killed: casualties can be declared only for a militia "
                          f"attack or Iran's direct_strike")


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
    groups = [m.name for m in cfg.actors.militias]
    for i, e in enumerate(h.events):
        _check_event(i, e, opts, start, h.end_date, seen, groups)
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
