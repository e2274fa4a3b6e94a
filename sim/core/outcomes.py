"""Outcomes: end-state metrics of a run and the classification of its path, on observables only.

Pure functions of a run's record (the cumulative counters, :mod:`sim.core.counters`, and the final
world), vectorised over replicates. A run is classified on what an observer could count, never on
the model's internal labels ([002]; thresholds in the config's ``outcomes`` section, rates per 100
days so a classification means the same for a 180-day and a 365-day run):

- a **military track** (:data:`MILITARY_TRACKS`): ``all_out_war``; ``s1_major_escalation``
  (storming of bases or the embassy, or US strikes on Iran proper); ``s3_middle_ground`` (lethal
  attacks, or drone and missile attacks, at a deadly rate, without overrun);
  ``s2_going_through_motions`` (steady attacks); ``de_escalation`` (below all of those);
- a **political track** (:data:`POLITICAL_TRACKS`): the furthest legal step parliament passed, a
  binding law above all, else a negotiated drawdown agreed in the Strategic Dialogue;
- the primary ``path``: war > S1 > S3 > S4 (the political track reached limits, a binding law or
  a negotiated drawdown) > S2 > de-escalation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import MILITARY_TRACKS, POLITICAL_TRACKS, STRATEGIES, LegalStep, MilitaryTrack, PMStatus, PoliticalTrack
from sim.core.counters import FIRSTS, SUMS
from sim.core.params import Params, Thresholds
from sim.core.state import World

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
#: Further metrics kept for analysis, the claims checks and the record check.
EXTRA_METRICS: tuple[str, ...] = (
    "limits_passed", "legal_status_final", "us_exit", "harassments", "deadly_strikes", "storms",
    "calibrated_strikes", "calibrated_us_killed", "outside_attacks", "killed_by_us_strikes", "us_sanctions_iraq",
    "us_sanctions_iran", "drawdowns", "talks_offers", "ops_paused_days", "votes_held",
    "sentiment_final", "iran_resolve", "iran_econ_cost", "exit_pressure_mean",
    "iran_share_diplomacy", "iran_share_political_pressure", "iran_share_proxy_harassment",
    "iran_share_middle_ground", "iran_share_major_escalation", "iran_share_calibrated_strike",
    # issue 11: tactics, attribution, casualties as known, both US tracks, Iraq, the Dialogue
    "attacks", "attacks_rocket", "attacks_rocket_base", "attacks_rocket_green_zone", "attacks_convoy_ied",
    "attacks_drone", "attacks_missile", "unattributed_attacks", "front_claims", "misattributed_attacks",
    "coalition_killed", "coalition_wounded", "us_wounded_reported", "protection_orders",
    "us_sanction_threats_iraq", "waivers_renewed", "waivers_lapsed", "deterrent_warnings", "consolidations",
    "bases_handed_over", "dialogue_proposals", "dialogue_sessions", "negotiated_drawdowns",
    "confirmation_votes", "pm_designations", "failed_designates", "governments_formed", "crackdowns",
    "invitation_revoked", "truce_days", "truce_declared", "accidents", "government_final",
    "pm_alignment_final", *FIRSTS, "us_strike_lag_after_lethal", "share_nonlethal_attacks_answered",
)

_BOOL_METRICS = {
    "resolution_passed", "binding_law_passed", "iraq_sanctioned", "all_out_war", "limits_passed", "us_exit",
    "truce_declared", "government_final",
}
#: Sums that stay fractional (the rest of the counted sums are whole numbers).
_FLOAT_SUMS = {"iran_resolve", "iran_econ_cost", "exit_pressure", "days"}
#: Counters read under their own names.
_COUNTED = tuple(n for n in SUMS if n not in ("exit_pressure", "iran_preparing", "days"))


def metrics(world: World, P: Params) -> dict[str, npt.NDArray[Any]]:
    """End-state metrics (arrays over replicates) from the final world and its counters."""
    w, c = world, world.counters
    days = np.maximum(c.days, 1.0)
    out: dict[str, Any] = {k: getattr(c, k) for k in _COUNTED}
    out.update({
        "days": c.days, "militia_attacks": c.attacks, "max_escalation": c.max_rung,
        "us_troops_final": np.asarray(w.troops, dtype=np.float64),
        "resolution_passed": w.legal >= LegalStep.RESOLUTION, "limits_passed": w.legal >= LegalStep.LIMITS,
        "binding_law_passed": w.legal >= LegalStep.BINDING_LAW, "legal_status_final": w.legal,
        "iraq_sanctioned": np.asarray(w.sanctions_iraq) > 0, "all_out_war": np.asarray(w.war, dtype=bool),
        "isis_strength_final": np.asarray(w.isis, dtype=np.float64),
        "us_exit": np.asarray(w.troops) <= P.us.exit_threshold,
        "sentiment_final": np.asarray(w.sentiment, dtype=np.float64),
        "exit_pressure_mean": c.exit_pressure / days,
        "truce_declared": np.isfinite(c.day_first_truce), "government_final": w.pm_status == PMStatus.GOVERNMENT,
        "pm_alignment_final": np.asarray(w.pm_alignment, dtype=np.float64),
        "iran_share_calibrated_strike": c.iran_preparing / days,
        "us_strike_lag_after_lethal": c.strike_lag_after_lethal,
        "share_nonlethal_attacks_answered": c.share_nonlethal_answered,
    })
    for code, name in enumerate(STRATEGIES):
        out[f"iran_share_{name}"] = c.strategy_days[code] / days
    for name in FIRSTS:
        out[name] = getattr(c, name)
    result: dict[str, npt.NDArray[Any]] = {}
    for k in (*METRICS, *EXTRA_METRICS):
        arr = np.asarray(out[k])
        if k in _BOOL_METRICS:
            result[k] = arr.astype(bool)
        elif (k in _COUNTED and k not in _FLOAT_SUMS) or k in ("days", "militia_attacks", "max_escalation",
                                                                   "legal_status_final"):
            result[k] = np.rint(arr).astype(np.int64)
        else:
            result[k] = arr.astype(np.float64)
    return result


def military_track(m: dict[str, Any], th: Thresholds) -> npt.NDArray[np.int64]:
    """The military track of each run (:class:`~sim.config.MilitaryTrack` codes) from counts."""
    per100 = 100.0 / np.maximum(np.asarray(m["days"], dtype=np.float64), 1.0)
    war = np.asarray(m["all_out_war"], dtype=bool)
    s1 = ((np.asarray(m["storms"]) * per100 >= th.s1_min_storms_per_100d)
          | (np.asarray(m["us_strikes_iran"]) * per100 >= th.s1_min_iran_strikes_per_100d))
    s3 = ((np.asarray(m["lethal_attacks"]) * per100 >= th.s3_min_lethal_per_100d)
          | (np.asarray(m["deadly_strikes"]) * per100 >= th.s3_min_advanced_per_100d))
    s2 = np.asarray(m["militia_attacks"]) * per100 >= th.s2_min_attacks_per_100d
    return np.asarray(np.where(war, MilitaryTrack.ALL_OUT_WAR, np.where(
        s1, MilitaryTrack.S1_MAJOR_ESCALATION, np.where(
            s3, MilitaryTrack.S3_MIDDLE_GROUND, np.where(
                s2, MilitaryTrack.S2_GOING_THROUGH_MOTIONS, MilitaryTrack.DE_ESCALATION)))), dtype=np.int64)


def political_track(m: dict[str, Any]) -> npt.NDArray[np.int64]:
    """The political track: a binding law, else a negotiated drawdown, else the furthest legal step."""
    legal = np.asarray(m["legal_status_final"], dtype=np.int64)
    negotiated = np.asarray(m["negotiated_drawdowns"]) > 0
    return np.asarray(np.where(legal >= LegalStep.BINDING_LAW, PoliticalTrack.BINDING_LAW,
                               np.where(negotiated, PoliticalTrack.NEGOTIATED_DRAWDOWN, legal)), dtype=np.int64)


def classify(m: dict[str, Any], th: Thresholds) -> tuple[npt.NDArray[np.str_], dict[str, npt.NDArray[np.str_]]]:
    """The path of each run, and its ``military_track`` and ``political_track`` (names).

    Precedence: war, S1, S3, S4 (the political track reached ``s4_min_political``), S2,
    de-escalation.
    """
    mil = military_track(m, th)
    pol = political_track(m)
    s4 = pol >= th.s4_min_political
    path = np.where(mil == MilitaryTrack.ALL_OUT_WAR, PATHS[5],
                    np.where(mil == MilitaryTrack.S1_MAJOR_ESCALATION, PATHS[1],
                             np.where(mil == MilitaryTrack.S3_MIDDLE_GROUND, PATHS[3],
                                      np.where(s4, PATHS[4],
                                               np.where(mil == MilitaryTrack.S2_GOING_THROUGH_MOTIONS, PATHS[2],
                                                        PATHS[0])))))
    tracks = {"military_track": np.asarray(MILITARY_TRACKS)[mil],
              "political_track": np.asarray(POLITICAL_TRACKS)[pol]}
    return np.asarray(path), tracks


#: Track columns of every run, after ``path``.
TRACKS: tuple[str, ...] = ("military_track", "political_track")

