"""Keyed random draws: every uniform is a pure function of (run seed, day, actor, purpose, index).

This module owns all randomness of the model. A draw does not depend on call order, on which
other draws were made, or on how many replicates are computed together: the Mesa model (one
replicate) and the ensemble engine (an array of replicates) get bit-identical numbers for the
same seed. The generator is a counter-based hash (SplitMix64's finaliser, applied to a key built
from the draw's coordinates), vectorised over numpy ``uint64`` arrays.

It also derives run seeds from a master seed with :class:`numpy.random.SeedSequence`.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Actor identifiers in the draw key (militia m uses MILITIA + m, bloc b uses BLOC + b).
US: Final = 1
IRAN: Final = 2
PARLIAMENT: Final = 3
WORLD: Final = 4
EXECUTIVE: Final = 5
MILITIA: Final = 100
BLOC: Final = 1000

# Purposes (what a draw decides). A purpose with several uniforms uses the index axis.
CHOICE: Final = 1
US_KILLED: Final = 2
US_WOUNDED: Final = 3
IRAQI_KILLED: Final = 4
MILITIA_KILLED: Final = 5
IRANIAN_KILLED: Final = 6
SESSION: Final = 7
WAR: Final = 8
OUTSIDE: Final = 9
TARGET: Final = 10
#: Iran: reopen its strategy (0), choose one (1), commit to the direct strike (2), its lead (3),
#: warned or not (4), its casualties (5 killed, 6 wounded).
IRAN_STEP: Final = 11
#: A militia group: attack today (0); when it attacks: tactic (1), target (2), lethal (3), extra
#: killed (4), coalition share (5), wounded (6), Iraqi killed (7), attackers killed (8),
#: attribution (9), front claim (10), misattribution (11).
MILITIA_ACT: Final = 12
#: The US military track: strike a group (0), strike Iran (1), force protection (2).
US_MILITARY: Final = 13
#: The US policy track: review today (0); at a review one uniform per instrument (1 + code);
#: the waiver's length (20).
US_POLICY: Final = 14
#: The US strike's casualties: militia killed (0), Iraqi killed (1), Iranians killed (2).
US_STRIKE: Final = 15
#: The executive: designate (0), alignment (1), request a vote (2), withdraw (3), retry (4),
#: crackdown (5), revoke (6), demand (7).
EXEC_STEP: Final = 16
#: Parliament: request a sitting (0), the speaker schedules it (1).
AGENDA: Final = 17
#: The world: an accident (0); the truce (1); a handover (2); the Dialogue's lead (3).
WORLD_STEP: Final = 18
#: Casualties of Iran's attacks outside Iraq (kept apart from its direct strike's draws).
US_KILLED_OUTSIDE: Final = 102
US_WOUNDED_OUTSIDE: Final = 103

_M1: Final = 0xBF58476D1CE4E5B9
_M2: Final = 0x94D049BB133111EB
_GOLDEN: Final = 0x9E3779B97F4A7C15
_K_DAY: Final = 0xD6E8FEB86659FD93
_K_ACTOR: Final = 0xCA5A826395121157
_K_PURPOSE: Final = 0x8CB92BA72F3D8DD7
_K_INDEX: Final = 0xA0761D6478BD642F
#: Seeds are 63-bit: spawned seeds drop the top bit, and check_seed accepts 0 to 2**63 - 1.
_SEED_BITS: Final = 63


_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UM1, _UM2, _UGOLDEN, _UK_ACTOR, _UK_INDEX = (np.uint64(_M1), np.uint64(_M2), np.uint64(_GOLDEN),
                                              np.uint64(_K_ACTOR), np.uint64(_K_INDEX))
_TO_UNIT = 1.0 / 9007199254740992.0


def _mix(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finaliser on a new array (``z`` is left as it is)."""
    return _mix_inplace(np.array(z, dtype=np.uint64))


def _mix_inplace(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """:func:`_mix` on a fresh array, in place (one temporary instead of six; same bits)."""
    t = z >> _S30
    z ^= t
    z *= _UM1
    np.right_shift(z, _S27, out=t)
    z ^= t
    z *= _UM2
    np.right_shift(z, _S31, out=t)
    z ^= t
    return z


def _to_unit(h: npt.NDArray[np.uint64]) -> FloatArray:
    """The top 53 bits of ``h`` as a float strictly inside (0, 1) (``h`` is consumed)."""
    h >>= _S11
    out = h.astype(np.float64)
    out += 0.5
    out *= _TO_UNIT
    return out


def uniform(
    seed: npt.ArrayLike,
    day: int,
    actor: npt.ArrayLike,
    purpose: int,
    index: npt.ArrayLike = 0,
) -> FloatArray:
    """Uniform(0, 1) draws keyed by their coordinates; broadcasts over array arguments.

    ``seed`` is one run seed or an array of them (one per replicate); ``actor`` and ``index``
    may be arrays too (e.g. one per militia). Values lie strictly inside (0, 1).
    """
    if _scalar_key(seed, actor, index):
        return np.array([_uniform_int(int(np.asarray(seed).reshape(-1)[0]), day, int(actor),  # type: ignore[arg-type]
                                      purpose, int(index))])  # type: ignore[arg-type]
    s = np.atleast_1d(np.asarray(seed, dtype=np.uint64))
    a = np.asarray(actor, dtype=np.uint64)
    i = np.asarray(index, dtype=np.uint64)
    with np.errstate(over="ignore"):
        key = (
            np.uint64(day) * np.uint64(_K_DAY)
            + a * np.uint64(_K_ACTOR)
            + np.uint64(purpose) * np.uint64(_K_PURPOSE)
            + i * np.uint64(_K_INDEX)
        )
        h = _mix(_mix(s + np.uint64(_GOLDEN)) ^ key)
        h = _mix(h + np.uint64(_GOLDEN))
    return ((h >> np.uint64(11)).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


_MASK = (1 << 64) - 1


class Stream:
    """The keyed draws of one batch of runs, with each seed's mix computed once.

    ``u(day, actor, purpose, index, rows)`` equals ``uniform(seeds[rows], day, actor, purpose,
    index)`` bit for bit; ``rows`` (replicate indices) draws only for some replicates, e.g. those
    where something happens today, and ``actor``/``index`` broadcast against them.
    """

    def __init__(self, seeds: npt.ArrayLike) -> None:
        self.seeds = np.atleast_1d(np.asarray(seeds, dtype=np.uint64))
        with np.errstate(over="ignore"):
            self._mixed = _mix(self.seeds + np.uint64(_GOLDEN))

    def __len__(self) -> int:
        return len(self.seeds)

    def u(self, day: int, actor: npt.ArrayLike, purpose: int, index: npt.ArrayLike = 0,
          rows: npt.ArrayLike | None = None) -> FloatArray:
        """Uniform(0, 1) draws for every replicate (or ``rows``), broadcast with actor and index."""
        mixed = self._mixed if rows is None else self._mixed[rows]  # type: ignore[index]
        if np.ndim(actor) == 0 and np.ndim(index) == 0:
            key: Any = np.uint64((day * _K_DAY + int(actor) * _K_ACTOR  # type: ignore[call-overload,arg-type,unused-ignore]
                                  + purpose * _K_PURPOSE + int(index) * _K_INDEX) & _MASK)  # type: ignore[call-overload,arg-type,unused-ignore]
        else:
            with np.errstate(over="ignore"):
                key = (np.uint64((day * _K_DAY + purpose * _K_PURPOSE) & _MASK)
                       + np.asarray(actor, dtype=np.uint64) * _UK_ACTOR
                       + np.asarray(index, dtype=np.uint64) * _UK_INDEX)
        # The hash of uniform(), written in place on one fresh array (the draws are the hot
        # path of the ensemble: ~20 calls a day over every replicate).
        h = _mix_inplace(np.bitwise_xor(mixed, key))
        h += _UGOLDEN
        return _to_unit(_mix_inplace(h))


def _scalar_key(seed: npt.ArrayLike, actor: npt.ArrayLike, index: npt.ArrayLike) -> bool:
    return (np.size(seed) == 1 and np.ndim(actor) == 0 and np.ndim(index) == 0)


def _mix_int(z: int) -> int:
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def _uniform_int(seed: int, day: int, actor: int, purpose: int, index: int) -> float:
    """The same hash as :func:`uniform` in Python integers (fast for one replicate)."""
    key = (day * _K_DAY + actor * _K_ACTOR + purpose * _K_PURPOSE + index * _K_INDEX) & _MASK
    h = _mix_int(_mix_int((seed + _GOLDEN) & _MASK) ^ key)
    h = _mix_int((h + _GOLDEN) & _MASK)
    return ((h >> 11) + 0.5) * (1.0 / 9007199254740992.0)


def spawn_seeds(master_seed: int, n: int) -> list[int]:
    """``n`` independent run seeds (non-negative, < 2**63) spawned from one master seed."""
    children = np.random.SeedSequence(int(master_seed)).spawn(n)
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


def seed_for(master_seed: int, *keys: int) -> int:
    """The run seed at a position (e.g. design point, replicate) under a master seed.

    Independent of how many other seeds exist, so a sweep can grow or resume without changing
    the seeds already used.
    """
    ss = np.random.SeedSequence(int(master_seed), spawn_key=tuple(int(k) for k in keys))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def fresh_seed() -> int:
    """A new seed from OS entropy (for a run given none); printed and recorded by the caller."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))


def check_seed(value: object, what: str = "seed") -> int:
    """``value`` as a run seed: a whole number from 0 to 2**63 - 1, else a one-line ConfigError.

    Seeds are never wrapped or reduced: 2**63 would otherwise alias seed 0 and 2**64 + 1 seed 1,
    silently repeating another run. The CLI, the API and the dashboard all check seeds here.
    """
    from sim.errors import ConfigError, quote

    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ConfigError(f"{what} {quote(value, 40)}: not a whole number; a seed is 0 to 2**63 - 1")
    seed = int(value)
    if not 0 <= seed < 2**_SEED_BITS:
        raise ConfigError(f"{what} {quote(seed, 40)}: out of range; a seed is 0 to 2**63 - 1 "
                        f"({2**_SEED_BITS - 1})")
    return seed
