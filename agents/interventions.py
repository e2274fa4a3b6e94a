"""Interventions applied to a day's decisions: force or forbid one actor's act (config
``interventions:``; :mod:`sim.core.interventions` names the acts and checks them); and exogenous
shocks applied to the world at the start of a day (config ``exogenous:``; :mod:`sim.core.shocks`),
including the beliefs actors hold.

An intervention replaces the actor's decision before the staged transition; where a forced act
needs further choices (a forced sitting needs the blocs' votes, a forced strike a target, a forced
renewal a waiver length) they are made by the actor's own rules with its keyed draws.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from agents.base import Actor
from agents.parliament import Parliament
from agents.united_states import UnitedStates
from sim.config import EXEC_ACTS, STRATEGIES, TACTICS, US_POLICIES, LegalStep, Motion, Strategy
from sim.core import draws as D
from sim.core import rules
from sim.core.draws import Stream
from sim.core.interventions import EXECUTIVE, IRAN, PARLIAMENT, US
from sim.core.params import InterventionSpec, Params
from sim.core.stages.iran import HOLD_FIRE
from sim.core.state import Observation
from sim.core.transition import Decisions

Arr = npt.NDArray[Any]


def today(P: Params, day: int, replicates: int) -> list[tuple[InterventionSpec, Arr]]:
    """The interventions of a day, each with the replicates it applies to."""
    out = []
    for spec in P.interventions:
        where = np.broadcast_to(np.asarray(spec.day) == day, (replicates,))
        if where.any():
            out.append((spec, where))
    return out


def _iran(dec: dict[str, Arr], spec: InterventionSpec, where: Arr, obs: Observation) -> None:
    force = spec.mode == "force"
    if spec.act == "direct_strike":
        dec["iran_direct"] = np.where(where, 0 if force else HOLD_FIRE, dec["iran_direct"])
        return
    s = STRATEGIES.index(spec.act)
    if force:
        dec["iran"] = np.where(where, s, dec["iran"])
    else:
        previous = obs.world.iran_strategy
        fallback = np.where(previous != s, previous, Strategy.DIPLOMACY if s != Strategy.DIPLOMACY
                            else Strategy.POLITICAL_PRESSURE)
        dec["iran"] = np.where(where & (dec["iran"] == s), fallback, dec["iran"])


def _us(dec: dict[str, Arr], spec: InterventionSpec, where: Arr, obs: Observation, us: UnitedStates) -> None:
    force = spec.mode == "force"
    if spec.act == "strike_militias":
        target = us.military(obs)[0]
        dec["us_strike"] = np.where(where, target if force else -1, dec["us_strike"])
    elif spec.act in ("strike_iran", "force_protection"):
        name = "us_strike_iran" if spec.act == "strike_iran" else "us_protect"
        dec[name] = np.where(where, force, dec[name])
    else:
        k = US_POLICIES.index(spec.act)
        policy = dec["us_policy"].copy()
        policy[k] = np.where(where, force, policy[k])
        dec["us_policy"] = policy
        if spec.act == "renew_waiver" and force:
            wp = us.params.waiver
            friendly = us._friendly(obs)
            length = np.where(friendly, wp.long, wp.short_max)
            dec["us_waiver_days"] = np.where(where & (dec["us_waiver_days"] <= 0), length, dec["us_waiver_days"])


def _parliament(dec: dict[str, Arr], spec: InterventionSpec, where: Arr, obs: Observation, parl: Parliament,
                keys: Stream) -> None:
    force = spec.mode == "force"
    if spec.act == "request":
        dec["request"] = np.where(where, force, dec["request"])
        return
    w = obs.world
    if not force:
        dec["sitting"] = np.where(where & (dec["sitting"] == Motion.US_PRESENCE), -1, dec["sitting"])
        dec["bloc_choice"] = np.where(dec["sitting"] >= 0, dec["bloc_choice"], -1)
        return
    new = where & (dec["sitting"] < 0) & (w.legal < LegalStep.BINDING_LAW)
    if new.any():
        at = np.flatnonzero(new)
        motion = np.full(len(w.troops), int(Motion.US_PRESENCE))
        sitting, choices = dec["sitting"].copy(), dec["bloc_choice"].copy()
        sitting[at] = Motion.US_PRESENCE
        probs = parl.bloc_probabilities(obs, motion, at)
        choices[:, at] = rules.choose(probs, keys.u(w.day, parl.ids, D.CHOICE, rows=at))
        dec["sitting"], dec["bloc_choice"] = sitting, choices


def apply_interventions(dec: Decisions, P: Params, obs: Observation, actors: Mapping[str, Actor],
                        keys: Stream) -> Decisions:
    """The day's decisions with every intervention of the day applied (in config order)."""
    todays = today(P, obs.world.day, len(keys))
    if not todays:
        return dec
    fields = {f.name: getattr(dec, f.name) for f in dataclasses.fields(dec)}
    for spec, where in todays:
        force = spec.mode == "force"
        if spec.actor == IRAN:
            _iran(fields, spec, where, obs)
        elif spec.actor == US:
            _us(fields, spec, where, obs, cast(UnitedStates, actors["us"]))
        elif spec.actor == EXECUTIVE:
            acts = fields["exec_acts"].copy()
            k = EXEC_ACTS.index(spec.act)
            acts[k] = np.where(where, force, acts[k])
            fields["exec_acts"] = acts
        elif spec.actor == PARLIAMENT:
            _parliament(fields, spec, where, obs, cast(Parliament, actors["parliament"]), keys)
        else:
            m = P.militia.names.index(spec.actor)
            k = TACTICS.index(spec.act)
            mil = fields["militia"].copy()
            mil[m] = np.where(where, k, mil[m]) if force else np.where(where & (mil[m] == k), 0, mil[m])
            fields["militia"] = mil
    return Decisions(**fields)


def apply_shocks(world: Any, P: Params, actors: Mapping[str, Actor]) -> tuple[Any, list[tuple[Any, Arr]]]:
    """The world after the day's exogenous shocks (config ``exogenous:``), with the actors' beliefs
    shifted; returns the shocks applied and where (for their event rows).
    """
    from sim.core.shocks import LEADERSHIP_STRIKE, apply_to_world, shift_belief

    applied = []
    groups = P.militia.names
    r = len(world.troops)
    for spec in P.shocks:
        where = np.broadcast_to(np.asarray(spec.day) == world.day, (r,))
        if not where.any():
            continue
        world, beliefs = apply_to_world(world, spec, where, groups)
        if spec.kind == LEADERSHIP_STRIKE:  # a leadership killing reopens Iran's choice
            world = world.replace(iran_trigger=np.where(
                where, np.maximum(world.iran_trigger, P.iran.reopen.leadership_killing), world.iran_trigger))
        for name, mode, value, group in beliefs:
            actor = actors["iran" if name == "iran_belief_us_retaliation" else "militias"]
            b = actor.state()["belief"]
            if group is not None:
                b[group] = shift_belief(b[group], mode, value, where)
            else:
                b = shift_belief(b, mode, value, where)
            actor.restore({"belief": b})
        applied.append((spec, where))
    return world, applied
