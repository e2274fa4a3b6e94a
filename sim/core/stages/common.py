"""What the stages share: the replicate-axis helpers of sparse processing, and declared casualties.

Rare acts (an attack, a strike, a designation) are computed only at the replicates (or
(group, replicate) cells) where they happen: keyed draws are pure functions of their
coordinates, so computing them for a few cells gives exactly what computing them for all would
give there. :func:`total` adds cell values back onto the replicate axis in cell order (groups
ascending within a replicate), the same order for one replicate and for many.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[Any]
Idx = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Declared:
    """US casualties of some acts fixed from outside (the historical record) instead of drawn.

    ``militia`` maps a militia's row index to (US killed, US wounded) of its attack today;
    ``direct`` is the same for Iran's direct strike. The replay of history uses it.
    """

    militia: Mapping[int, tuple[float, float]] = field(default_factory=dict)
    direct: tuple[float, float] | None = None


NOTHING_DECLARED = Declared()


def rows(mask: Arr) -> Idx:
    """Replicate indices where ``mask`` holds."""
    return np.flatnonzero(mask)


def total(values: Arr, rep: Idx, replicates: int) -> Arr:
    """Sum cell values onto the replicate axis (zeros where no cell)."""
    return np.bincount(rep, weights=values, minlength=replicates).astype(np.float64)


def spread(values: Arr, rep: Idx, replicates: int, fill: float = 0.0) -> Arr:
    """Values at some replicates (one cell each) as a full replicate-axis array."""
    out = np.full(replicates, fill, dtype=np.float64)
    out[rep] = values
    return out


def per_group(values: Arr, grp: Idx, rep: Idx, groups: int, replicates: int) -> Arr:
    """Cell values (one per (group, replicate) cell) as a (groups, R) array, zeros elsewhere."""
    out = np.zeros(groups * replicates)
    out[grp * replicates + rep] = values
    return out.reshape(groups, replicates)
