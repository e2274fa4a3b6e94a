"""The actor protocol, and what actors share: entity columns and a learned belief.

An actor is one class that owns its typed parameters (:mod:`sim.core.params`) and its private
state (beliefs) for one replicate or R of them, and each day

- ``learn(obs)`` updates its private state from the observation,
- ``probabilities(obs)`` returns its choice probabilities (options first, replicates last),
- ``decide(obs, keys)`` draws its choices with its keyed draws (a :class:`~sim.core.draws.Stream`)
  and returns its part of the day's :class:`~sim.core.transition.Decisions` (a mapping of field
  name to array).

Rare choices are computed only at the replicates where they can happen (:func:`subset` gives an
actor's parameters there when a stacked batch varies them by replicate).

Actors are pure numpy: the Mesa model wraps each in an adapter (:mod:`agents.mesa`), the
ensemble and the history stepper (:mod:`sim.engines.stepper`) call them directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt

from sim.core import rules
from sim.core.draws import Stream
from sim.core.params import Num, Params
from sim.core.state import Observation

Arr = npt.NDArray[Any]


@runtime_checkable
class Actor(Protocol):
    """What the engines need of an actor (see the module docstring)."""

    #: Short name of the actor (a key of the engines' actor tables).
    key: ClassVar[str]
    #: The fields of :class:`~sim.core.transition.Decisions` its ``decide`` fills.
    decides: ClassVar[tuple[str, ...]]

    @classmethod
    def build(cls, params: Params, replicates: int) -> Self:
        """The actor with its parameters (its section of ``params``) for ``replicates`` replicates."""
        ...

    def learn(self, obs: Observation) -> None:
        """Update private state (beliefs) from the start-of-day observation."""
        ...

    def probabilities(self, obs: Observation) -> Any:
        """Choice probabilities today (options first, replicates last)."""
        ...

    def decide(self, obs: Observation, keys: Stream) -> dict[str, Arr]:
        """Today's choices, drawn with the actor's keyed draws: its part of the day's decisions."""
        ...

    def state(self) -> dict[str, Arr]:
        """Private state, to snapshot (history replay)."""
        ...

    def restore(self, state: Mapping[str, Arr]) -> None:
        """Set private state from a snapshot."""
        ...


def entity(values: Sequence[Num], replicates: int) -> Arr:
    """Per-entity parameters as (entities, 1), or (entities, R) when they vary by replicate."""
    if all(np.ndim(v) == 0 for v in values):
        return np.asarray(values, dtype=np.float64)[:, None]
    return np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64), (replicates,)) for v in values])


def subset[T](params: T, rows: npt.NDArray[np.intp], replicates: int) -> T:
    """``params`` at some replicates: per-replicate arrays (R,) taken at ``rows``, the rest as is.

    Only a stacked batch has such arrays (:func:`sim.core.params.is_stacked`); callers skip the
    walk otherwise.
    """
    def walk(x: Any) -> Any:
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            return type(x)(**{f.name: walk(getattr(x, f.name)) for f in dataclasses.fields(x)})
        if isinstance(x, tuple):
            return tuple(walk(v) for v in x)
        if isinstance(x, np.ndarray) and x.ndim >= 1 and x.shape[-1] == replicates:
            return x[..., rows]
        return x
    return walk(params)  # type: ignore[no-any-return]


class Stateless:
    """An actor without private state: it reads everything it needs from the world."""

    def learn(self, obs: Observation) -> None:
        """Nothing private to update."""

    def state(self) -> dict[str, Arr]:
        """No private state."""
        return {}

    def restore(self, state: Mapping[str, Arr]) -> None:
        """No private state to restore."""


class BeliefLearner:
    """An actor with a belief that the US retaliates, learned from what the US did ([MB]).

    ``belief`` has the shape of the actor's entities and replicates; ``rate`` broadcasts to it.
    """

    belief: Arr
    rate: Any

    def learn(self, obs: Observation) -> None:
        """Toward 1 after a US strike, toward 0 while attacks go unanswered (:func:`rules.update_belief`)."""
        self.belief = rules.update_belief(self.belief, self.rate, obs.world.us_struck_yesterday,
                                          obs.unanswered)

    def state(self) -> dict[str, Arr]:
        """The belief (a copy)."""
        return {"belief": self.belief.copy()}

    def restore(self, state: Mapping[str, Arr]) -> None:
        """Set the belief."""
        self.belief = np.array(state["belief"], dtype=np.float64)
