"""The ensemble's day loop, opened up: shocks -> observe -> learn -> decide -> transition, one day at a time.

This module owns :class:`Stepper`, which advances R replicates of one parameter bundle with the
registered actors (:data:`agents.ACTORS`) and the staged transition
(:func:`sim.core.transition.step`). :func:`sim.engines.ensemble.simulate` runs it; the history
replay and the claims' controlled experiments drive it by hand, reading every actor's choice
probabilities before the choice and forcing any choice.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from agents import Actor, apply_shocks, build_actors, decide_all
from sim.config import Config
from sim.core.draws import Stream
from sim.core.params import Params, build_params
from sim.core.state import Observation, World, initial_world, observe
from sim.core.transition import NOTHING_DECLARED, DayRecord, Decisions, Declared, step

Arr = npt.NDArray[Any]


class Stepper:
    """R replicates advanced one day at a time, with optional forced choices.

    Args:
        params: the parameter bundle (leaves scalar, or (R,) when rows are stacked).
        world: the day-0 world for R replicates.
        seeds: run seeds, one per replicate (keyed draws).
    """

    def __init__(self, params: Params, world: World, seeds: Any) -> None:
        self.P = params
        self.world = world
        self.keys = Stream(seeds)
        self.seeds = self.keys.seeds
        self.actors: dict[str, Actor] = {a.key: a for a in build_actors(params, len(self.seeds))}
        self.obs: Observation | None = None
        self.shocks: tuple[tuple[str, str, str, str, Arr], ...] = ()
        self._shocked = -1  # the last day whose shocks were applied

    @classmethod
    def from_config(cls, cfg: Config, seeds: Any) -> Stepper:
        """A stepper at day 0 of ``cfg`` for ``len(seeds)`` replicates."""
        n = np.size(np.atleast_1d(seeds))
        return cls(build_params(cfg), initial_world(cfg, n), seeds)

    @property
    def day(self) -> int:
        """Index of the day about to be played (0 = the start date)."""
        return self.world.day

    @property
    def replicates(self) -> int:
        """Number of replicates."""
        return len(self.seeds)

    def begin_day(self) -> Observation:
        """Apply the day's exogenous shocks, observe the world; every actor learns from it."""
        if self._shocked != self.world.day:
            self._shocked = self.world.day
            self.world, applied = apply_shocks(self.world, self.P, self.actors)
            self.shocks = tuple((s.kind, s.actor, s.target, s.note, where) for s, where in applied)
        obs = observe(self.world, self.P)
        for actor in self.actors.values():
            actor.learn(obs)
        self.obs = obs
        return obs

    def _obs(self) -> Observation:
        if self.obs is None or self.obs.world is not self.world:
            raise RuntimeError("call begin_day() before deciding")
        return self.obs

    def probabilities(self) -> dict[str, Any]:
        """Every actor's choice probabilities today, by actor key (after :meth:`begin_day`)."""
        obs = self._obs()
        return {key: actor.probabilities(obs) for key, actor in self.actors.items()}

    def sampled(self) -> Decisions:
        """The decisions the ensemble takes today (keyed draws of the run seeds, interventions applied)."""
        return decide_all(list(self.actors.values()), self._obs(), self.keys)

    def advance(self, dec: Decisions, declared: Declared = NOTHING_DECLARED) -> DayRecord:
        """Apply today's decisions (the transition); ``declared`` fixes some acts' US casualties."""
        self._obs()
        self.world, rec = step(self.world, dec, self.P, self.keys, declared)
        self.obs = None
        shocks, self.shocks = self.shocks, ()
        return dataclasses.replace(rec, shocks=shocks) if shocks else rec

    def step(self, **force: Any) -> DayRecord:
        """Play one day: sampled decisions, with any of them replaced by ``force`` arrays."""
        self.begin_day()
        dec = self.sampled()
        return self.advance(dataclasses.replace(dec, **force) if force else dec)

    def snapshot(self) -> tuple[World, dict[str, dict[str, Arr]]]:
        """The world and every actor's private state (to rescore a day later)."""
        return self.world, {key: a.state() for key, a in self.actors.items()}

    def restore(self, snap: tuple[World, dict[str, dict[str, Arr]]]) -> Observation:
        """Return to a snapshot and observe it (as :meth:`begin_day` would have left it)."""
        self.world, states = snap
        for key, state in states.items():
            self.actors[key].restore(state)
        self.obs = observe(self.world, self.P)
        return self.obs
