"""What an observer could count: the day's observables, their cumulative record and calendar months.

This module owns the names of the daily observables (:data:`OBSERVABLES`: attacks by tactic,
casualties, strikes, sittings, sanctions, handovers, ... each one number per replicate and day),
the cumulative record a run keeps (:class:`Counters`: running sums of every observable, plus the
few records that are not sums: the highest rung, days per Iranian strategy, first days, and the
lags between lethal attacks and the US strikes that answered them), and the calendar-month table
(:class:`Monthly`). The definitions follow the record's (``configs/history/facts_2020h1.yaml``):
an "attack" is a salvo, a convoy IED, a drone or a missile strike (storming apart); a lethal attack
kills US or coalition personnel; a strike answers an attack 1 to 7 (lethal) or 1 to 3 (non-lethal)
days after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from sim.config import STRATEGIES

Arr = npt.NDArray[Any]

#: Daily observables summed over a month and over the run.
SUMS: Final[tuple[str, ...]] = (
    "days", "attacks", "attacks_rocket", "attacks_rocket_base", "attacks_rocket_green_zone",
    "attacks_convoy_ied", "attacks_drone", "attacks_missile", "storms", "harassments", "deadly_strikes",
    "lethal_attacks", "unattributed_attacks", "front_claims", "misattributed_attacks",
    "us_killed", "us_wounded", "us_wounded_reported", "coalition_killed", "coalition_wounded",
    "iraqi_killed", "militia_killed", "iranian_killed", "killed_by_us_strikes",
    "us_strikes_iraq", "us_strikes_iran", "calibrated_strikes", "calibrated_us_killed", "outside_attacks",
    "iran_preparing", "protection_orders", "ops_paused_days", "us_sanctions_iran", "us_sanction_threats_iraq",
    "us_sanctions_iraq", "waivers_renewed", "waivers_lapsed", "talks_offers", "deterrent_warnings",
    "consolidations", "bases_handed_over", "drawdowns", "dialogue_proposals", "dialogue_sessions",
    "negotiated_drawdowns", "votes_held", "confirmation_votes", "pm_designations", "failed_designates",
    "governments_formed", "crackdowns", "invitation_revoked", "truce_days", "accidents",
    "iran_resolve", "iran_econ_cost", "exit_pressure",
)
#: Daily observables read as their value at the end of a month (or of the run).
LEVELS: Final[tuple[str, ...]] = ("legal_status", "us_troops", "all_out_war", "truce", "government")
OBSERVABLES: Final[tuple[str, ...]] = SUMS + LEVELS
INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(OBSERVABLES)}
_LEVEL_ROWS: Final = np.array([INDEX[n] for n in LEVELS])
_SUM_ROWS: Final = np.array([INDEX[n] for n in SUMS])
#: First days kept per run (``inf`` until it happens).
FIRSTS: Final[tuple[str, ...]] = (
    "day_first_iran_direct_strike", "day_government_formed", "day_first_dialogue_session",
    "day_first_us_strike_iraq", "day_first_lethal_attack", "day_first_truce",
)
FIRST_INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(FIRSTS)}
#: Days within which a US strike answers a lethal / a non-lethal attack (the facts' rules).
LETHAL_WINDOW: Final = 7
NONLETHAL_WINDOW: Final = 3


@dataclass(frozen=True, slots=True)
class Counters:
    """The cumulative record of a run, for R replicates. ``c.<observable>`` is its running sum
    (or its current level), ``c.<first day>`` the day it first happened.
    """

    sums: Arr  # (len(OBSERVABLES), R)
    max_rung: Arr
    strategy_days: Arr  # (strategies, R)
    first: Arr  # (len(FIRSTS), R)
    lethal_ring: Arr  # (LETHAL_WINDOW, R): unanswered lethal attacks 1..7 days ago
    nonlethal_ring: Arr  # (NONLETHAL_WINDOW, R)
    lag_sum: Arr
    lag_n: Arr
    nonlethal_answered: Arr

    def __getattr__(self, name: str) -> Arr:
        if name in INDEX:
            return self.sums[INDEX[name]]  # type: ignore[no-any-return]
        if name in FIRST_INDEX:
            return self.first[FIRST_INDEX[name]]  # type: ignore[no-any-return]
        raise AttributeError(name)

    @classmethod
    def zeros(cls, replicates: int) -> Counters:
        """All counters at 0 (first days never) for ``replicates`` replicates."""
        r = replicates
        return cls(sums=np.zeros((len(OBSERVABLES), r)), max_rung=np.zeros(r),
                   strategy_days=np.zeros((len(STRATEGIES), r)), first=np.full((len(FIRSTS), r), np.inf),
                   lethal_ring=np.zeros((LETHAL_WINDOW, r)), nonlethal_ring=np.zeros((NONLETHAL_WINDOW, r)),
                   lag_sum=np.zeros(r), lag_n=np.zeros(r), nonlethal_answered=np.zeros(r))

    def advance(self, day: int, obs: Arr, rung: Arr, strategy: Arr, firsts: Arr) -> Counters:
        """The record after a day with observables ``obs`` (len(OBSERVABLES), R).

        ``firsts`` (len(FIRSTS), R) flags what happened today; a US strike in Iraq today answers
        the lethal attacks of the last 7 days and the non-lethal ones of the last 3 (their lags
        are 1..7 days: an attack today waits for tomorrow).
        """
        sums = self.sums + obs
        sums[_LEVEL_ROWS] = obs[_LEVEL_ROWS]
        struck = obs[INDEX["us_strikes_iraq"]] > 0
        ages = np.arange(1, LETHAL_WINDOW + 1, dtype=np.float64)[:, None]
        answered = np.where(struck, self.lethal_ring, 0.0)
        lag_sum = self.lag_sum + (ages * answered).sum(axis=0)
        lag_n = self.lag_n + answered.sum(axis=0)
        nl_answered = self.nonlethal_answered + np.where(struck, self.nonlethal_ring, 0.0).sum(axis=0)
        lethal = obs[INDEX["lethal_attacks"]]
        nonlethal = obs[INDEX["attacks"]] - lethal
        keep = ~struck
        lethal_ring = np.concatenate([lethal[None], (self.lethal_ring * keep)[:-1]])
        nonlethal_ring = np.concatenate([nonlethal[None], (self.nonlethal_ring * keep)[:-1]])
        first = np.where(firsts & np.isinf(self.first), float(day), self.first)
        return Counters(sums=sums, max_rung=np.maximum(self.max_rung, rung),
                        strategy_days=self.strategy_days + (strategy == np.arange(len(STRATEGIES))[:, None]),
                        first=first, lethal_ring=lethal_ring, nonlethal_ring=nonlethal_ring,
                        lag_sum=lag_sum, lag_n=lag_n, nonlethal_answered=nl_answered)

    @property
    def strike_lag_after_lethal(self) -> Arr:
        """Mean days from a lethal attack to the US strike that answered it (NaN: none answered)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.lag_n > 0, self.lag_sum / np.maximum(self.lag_n, 1.0), np.nan)

    @property
    def share_nonlethal_answered(self) -> Arr:
        """Share of non-lethal attacks a US strike followed within 3 days (NaN: no such attack)."""
        total = self.sums[INDEX["attacks"]] - self.sums[INDEX["lethal_attacks"]]
        return np.where(total > 0, self.nonlethal_answered / np.maximum(total, 1.0), np.nan)


def month_labels(start: dt.date, days: int) -> list[str]:
    """``YYYY-MM`` of every calendar month the days ``0 .. days-1`` from ``start`` touch."""
    end = start + dt.timedelta(days=max(days, 1) - 1)
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


class Monthly:
    """Observables by calendar month: sums over the month's days, levels at its last day.

    Arrays (len(OBSERVABLES), months, R); month 0 is the start date's month. A month the run
    only partly covers holds what the run saw of it.
    """

    def __init__(self, start: dt.date, days: int, replicates: int) -> None:
        self.labels = month_labels(start, days)
        first = dt.date(start.year, start.month, 1)
        index = []
        for d in range(days):
            date = start + dt.timedelta(days=d)
            index.append((date.year - first.year) * 12 + date.month - first.month)
        self.month_of_day = np.array(index, dtype=np.int64)
        self.values = np.zeros((len(OBSERVABLES), len(self.labels), replicates))

    def add(self, day: int, obs: Arr) -> None:
        """Add one day's observables (the day's index from the start)."""
        m = int(self.month_of_day[day])
        col = self.values[:, m]
        col[_SUM_ROWS] += obs[_SUM_ROWS]
        col[_LEVEL_ROWS] = obs[_LEVEL_ROWS]

    def table(self) -> dict[str, Arr]:
        """Observable -> (months, R)."""
        return {name: self.values[i] for i, name in enumerate(OBSERVABLES)}

    def statistics(self) -> dict[str, Arr]:
        """``monthly.<observable>.<YYYY-MM>`` -> one value per replicate (the facts' names)."""
        return {f"monthly.{name}.{label}": self.values[i, j]
                for i, name in enumerate(OBSERVABLES) for j, label in enumerate(self.labels)}


def tidy(monthly: Monthly, seeds: npt.ArrayLike) -> list[dict[str, Any]]:
    """Rows (replicate, seed, month, observable, value) of a monthly table."""
    seeds = np.atleast_1d(np.asarray(seeds))
    rows = []
    for i, name in enumerate(OBSERVABLES):
        for j, label in enumerate(monthly.labels):
            for r in range(monthly.values.shape[2]):
                rows.append({"replicate": r, "seed": int(seeds[r]), "month": label, "observable": name,
                             "value": float(monthly.values[i, j, r])})
    return rows
