"""Outcomes: end-state metrics of a run and the classification of its path.

Pure functions of a run's record (the cumulative counters and the final world), vectorised over
replicates. Thresholds come from the config's ``outcomes`` section and are rates per 100 days,
so a classification means the same for a 60-day and a 365-day run.

Paths ([002]): ``all_out_war``; ``s1_major_escalation`` (attempts to overrun bases or the
embassy); ``s3_middle_ground`` (deadly strikes without overrun);
``s2_going_through_motions`` (steady low-damage harassment); ``s4_political_pressure`` (the
political track dominated: Iran spent more days on political pressure than on diplomacy, by more
than a margin, or the push succeeded with a binding expulsion law); ``de_escalation`` (the
diplomacy track held: none of the above, so no military path and diplomacy at least as often as
political pressure).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import STRATEGIES
from sim.core.params import Num, Thresholds
from sim.core.state import Counters

PATHS: tuple[str, ...] = (
    "de_escalation",
    "s1_major_escalation",
    "s2_going_through_motions",
    "s3_middle_ground",
    "s4_political_pressure",
    "all_out_war",
)

#: End-state metrics of every run, in column order.
METRICS: tuple[str, ...] = (
    "days", "us_killed", "us_wounded", "iraqi_killed", "militia_killed", "iranian_killed",
    "militia_attacks", "lethal_attacks", "us_strikes_iraq", "us_strikes_iran", "max_escalation",
    "us_troops_final", "resolution_passed", "binding_law_passed", "iraq_sanctioned",
    "all_out_war", "isis_strength_final",
)
#: Further metrics kept for analysis and the claims checks.
EXTRA_METRICS: tuple[str, ...] = (
    "limits_passed", "legal_status_final", "us_exit", "harassments", "deadly_strikes", "storms",
    "calibrated_strikes", "calibrated_us_killed", "outside_attacks", "killed_by_us_strikes", "us_sanctions_iraq",
    "us_sanctions_iran", "drawdowns", "talks_offers", "ops_paused_days", "votes_held",
    "sentiment_final", "iran_resolve", "iran_econ_cost", "exit_pressure_mean",
    "iran_share_diplomacy", "iran_share_political_pressure", "iran_share_proxy_harassment",
    "iran_share_middle_ground", "iran_share_major_escalation", "iran_share_calibrated_strike",
)

_INT_METRICS = {
    "days", "us_killed", "us_wounded", "iraqi_killed", "militia_killed", "iranian_killed",
    "militia_attacks", "lethal_attacks", "us_strikes_iraq", "us_strikes_iran", "max_escalation",
    "harassments", "deadly_strikes", "storms", "calibrated_strikes", "calibrated_us_killed",
    "outside_attacks", "us_sanctions_iraq", "us_sanctions_iran", "drawdowns", "talks_offers",
    "votes_held", "legal_status_final", "killed_by_us_strikes",
}
_BOOL_METRICS = {
    "resolution_passed", "binding_law_passed", "iraq_sanctioned", "all_out_war",
    "limits_passed", "us_exit",
}


#: Metrics that are counters of the same name, read as they stand at the end of the run (two
#: groups, to keep the metrics' column order).
_COUNTED: tuple[str, ...] = (
    "days", "us_killed", "us_wounded", "iraqi_killed", "militia_killed", "iranian_killed",
    "militia_attacks", "lethal_attacks", "us_strikes_iraq", "us_strikes_iran",
)
_COUNTED_EXTRA: tuple[str, ...] = (
    "harassments", "deadly_strikes", "storms", "calibrated_strikes", "calibrated_us_killed",
    "outside_attacks", "killed_by_us_strikes", "us_sanctions_iraq", "us_sanctions_iran", "drawdowns",
    "talks_offers", "ops_paused_days", "votes_held", "iran_resolve", "iran_econ_cost",
)


def metrics(
    counters: Counters,
    *,
    troops: Any,
    war: Any,
    isis: Any,
    sanctions_iraq: Any,
    legal: Any,
    sentiment: Any,
    exit_threshold: Num,
) -> dict[str, npt.NDArray[Any]]:
    """End-state metrics (arrays over replicates) from counters and the final world state."""
    c = counters
    days = np.maximum(c.days, 1.0)
    out: dict[str, Any] = {
        **{k: getattr(c, k) for k in _COUNTED},
        "max_escalation": c.max_rung,
        "us_troops_final": np.asarray(troops, dtype=np.float64),
        "resolution_passed": c.resolution_passed > 0,
        "binding_law_passed": c.binding_law_passed > 0,
        "iraq_sanctioned": np.asarray(sanctions_iraq) > 0,
        "all_out_war": np.asarray(war, dtype=bool),
        "isis_strength_final": np.asarray(isis, dtype=np.float64),
        "limits_passed": c.limits_passed > 0,
        "legal_status_final": np.asarray(legal),
        "us_exit": np.asarray(troops) <= exit_threshold,
        "sentiment_final": np.asarray(sentiment, dtype=np.float64),
        "exit_pressure_mean": c.exit_pressure_sum / days,
        **{k: getattr(c, k) for k in _COUNTED_EXTRA},
    }
    for code, name in enumerate(STRATEGIES):
        out[f"iran_share_{name}"] = c.strategy_days[code] / days
    for k, v in out.items():
        arr = np.asarray(v)
        if k in _BOOL_METRICS:
            out[k] = arr.astype(bool)
        elif k in _INT_METRICS:
            out[k] = np.rint(arr).astype(np.int64)
        else:
            out[k] = arr.astype(np.float64)
    return out


def classify(m: dict[str, Any], th: Thresholds) -> npt.NDArray[np.str_]:
    """The path of each run from its metrics and the thresholds (``outcomes`` config section).

    Precedence: war, then S1, S3, S2, S4, and de-escalation when nothing else applies.
    """
    per100 = 100.0 / np.maximum(np.asarray(m["days"], dtype=np.float64), 1.0)
    deadly_rate = np.asarray(m["deadly_strikes"]) * per100  # deadly strikes on US forces in Iraq
    attack_rate = np.asarray(m["militia_attacks"]) * per100
    war = np.asarray(m["all_out_war"], dtype=bool)
    s1 = np.asarray(m["storms"]) >= th.s1_min_storms
    s3 = deadly_rate >= th.s3_min_deadly_per_100d
    s2 = attack_rate >= th.s2_min_attacks_per_100d
    # which non-military track dominated: the political push (or its success, a binding law)
    # against the diplomacy track
    track = np.asarray(m["iran_share_political_pressure"]) - np.asarray(m["iran_share_diplomacy"])
    s4 = (np.asarray(m["legal_status_final"]) >= th.s4_min_legal_status) | (track > th.s4_political_margin)
    path = np.where(
        war, PATHS[5],
        np.where(s1, PATHS[1],
                 np.where(s3, PATHS[3],
                          np.where(s2, PATHS[2],
                                   np.where(s4, PATHS[4], PATHS[0])))))
    return np.asarray(path)
