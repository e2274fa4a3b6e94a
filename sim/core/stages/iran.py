"""Iran's acts on a day: its standing strategy, its direct strike (committed, prepared, fired) and
attacks on US interests outside Iraq ([002]; the 8 January act, H1-016).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import MILITARISED, Strategy
from sim.core import draws as D
from sim.core import rules
from sim.core.draws import Stream
from sim.core.params import Params
from sim.core.stages.common import Arr, Declared, rows, spread
from sim.core.state import World

#: ``Decisions.iran_direct`` code for "do not fire today" (an intervention forbids the strike).
HOLD_FIRE = -2


@dataclass(frozen=True, slots=True)
class IranActs:
    """Iran's acts today (R,)."""

    strategy: Arr
    previous: Arr  # the strategy held at the start of the day
    fired: Arr  # bool: the direct strike lands today
    warned: Arr  # bool: ... after a warning
    preparing: Arr  # bool: a direct strike is being prepared or fired today
    countdown: Arr  # days to the committed strike after today (-1 none)
    direct_killed: Arr
    direct_wounded: Arr
    outside: Arr  # bool: an attack on US interests outside Iraq
    out_killed: Arr
    out_wounded: Arr
    militarised: Arr  # bool: militias resupplied
    political: Arr  # bool: on political pressure
    on_diplomacy: Arr  # bool: on the diplomacy track

    @property
    def killed(self) -> Arr:
        """US killed by Iran's own acts today."""
        return np.asarray(self.direct_killed + self.out_killed)

    @property
    def wounded(self) -> Arr:
        """US wounded by Iran's own acts today."""
        return np.asarray(self.direct_wounded + self.out_wounded)

    @property
    def direct(self) -> Arr:
        """Iran's direct acts today (the strike and an outside attack), as a count."""
        return np.asarray(self.fired.astype(np.float64) + self.outside)


def iran_acts(w: World, strategy: Arr, commit: Arr, P: Params, keys: Stream, declared: Declared) -> IranActs:
    """The direct strike's countdown and firing, its casualties, and outside attacks.

    ``commit`` (R,) is the lead time of a commitment made today (-1 none; 0 fires today, even a
    strike in preparation; :data:`HOLD_FIRE` holds it). A strike fires when its
    countdown reaches 0; it is warned with the standing strategy's ``warn`` chance ([002]: "Iran
    told the Iraqi government that the missiles were coming").
    """
    t, ip, d = w.day, P.iran, P.iran.direct
    r = len(keys)
    new = (commit >= 0) & (w.direct_countdown < 0)
    hold = commit == HOLD_FIRE  # an intervention forbids firing today: the countdown waits
    countdown = np.where(commit == 0, 0, np.where(new, commit, w.direct_countdown))
    fired = (countdown == 0) & ~hold
    zeros = np.zeros(r)
    killed, wounded, warned = zeros, zeros, np.zeros(r, dtype=bool)
    if fired.any():
        at = rows(fired)
        u = keys.u(t, D.IRAN, D.IRAN_STEP, np.arange(4, 7)[:, None], rows=at)
        wn = u[0] < rules.pick_at(strategy, ip.warn, at)
        if declared.direct is not None:
            k = np.full(len(at), float(declared.direct[0]))
            wd = np.full(len(at), float(declared.direct[1]))
        else:
            k = rules.geometric(np.where(wn, rules.at(d.warned_us_killed_mean, at),
                                         rules.at(d.unwarned_us_killed_mean, at)), u[1])
            wd = rules.geometric(np.where(wn, rules.at(d.warned_us_wounded_mean, at),
                                          rules.at(d.unwarned_us_wounded_mean, at)), u[2])
        killed, wounded = spread(k, at, r), spread(wd, at, r)
        warned = spread(wn.astype(np.float64), at, r) > 0
    p_out = rules.pick(strategy, ip.outside_prob)
    outside = np.zeros(r, dtype=bool)
    out_k, out_w = zeros, zeros
    if np.any(p_out > 0):
        at = rows(np.broadcast_to(p_out > 0, (r,)))
        hit = keys.u(t, D.IRAN, D.OUTSIDE, rows=at) < rules.at(np.broadcast_to(p_out, (r,)), at)
        if hit.any():
            at = at[hit]
            outside[at] = True
            out_k = spread(rules.geometric(rules.at(ip.outside.us_killed_mean, at),
                                           keys.u(t, D.IRAN, D.US_KILLED_OUTSIDE, rows=at)), at, r)
            out_w = spread(rules.geometric(rules.at(ip.outside.us_wounded_mean, at),
                                           keys.u(t, D.IRAN, D.US_WOUNDED_OUTSIDE, rows=at)), at, r)
    return IranActs(
        strategy=strategy, previous=w.iran_strategy, fired=fired, warned=warned, preparing=countdown >= 0,
        countdown=np.where(fired, -1, np.where((countdown > 0) & ~hold, countdown - 1, countdown)),
        direct_killed=killed, direct_wounded=wounded, outside=outside, out_killed=out_k, out_wounded=out_w,
        militarised=np.isin(strategy, MILITARISED), political=strategy == Strategy.POLITICAL_PRESSURE,
        on_diplomacy=strategy == Strategy.DIPLOMACY,
    )
