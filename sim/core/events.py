"""Event rows, daily series and the readable narrative, built from a day's record.

This module owns how a :class:`~sim.core.transition.DayRecord` becomes tidy rows: one row per notable
act (day, date, actor, action, target, casualties, detail) and one row of model-level series per
day. Both work for one replicate (Mesa) or many (ensemble), so the two engines emit identical
tables. Sentences of the narrative are plain text for the CLI; colours and map positions live
in ``dashboards/``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from sim.config import BLOC_CHOICES, LEGAL_STEPS, MILITIA_ACTIONS, STRATEGIES, US_OPTIONS, USOption
from sim.core.params import Params
from sim.core.state import World
from sim.core.transition import DayRecord

EVENT_COLUMNS: tuple[str, ...] = (
    "replicate", "day", "date", "actor", "kind", "action", "target", "us_killed", "us_wounded",
    "iraqi_killed", "militia_killed", "iranian_killed", "detail",
)

#: Cumulative counters shown as daily series under their own names.
SERIES_COUNTERS: tuple[str, ...] = (
    "us_killed", "us_wounded", "iraqi_killed", "militia_killed", "iranian_killed",
    "militia_attacks", "us_strikes_iraq", "us_strikes_iran",
)

SERIES_COLUMNS: tuple[str, ...] = (
    "day", "us_troops", "us_protection", "sentiment", "revenge", "us_audience_cost",
    "iran_audience_cost", "sanctions_iran", "sanctions_iraq", "isis_strength", "legal_status",
    "diplomacy", "tension", "iran_political_pressure", "iran_strategy", "all_out_war",
    "us_killed", "us_wounded", "iraqi_killed", "militia_killed", "iranian_killed",
    "militia_attacks", "us_strikes_iraq", "us_strikes_iran", "attacks_today", "rung_today",
)


_US_TARGETS = {USOption.STRIKE_IRAN: "Iran", USOption.SANCTION_IRAQ: "Iraq", USOption.SANCTION_IRAN: "Iran"}


def _target_name(kind: str, action: int, target: int, P: Params) -> str:
    sites = P.world.sites
    if kind == "militia":
        return sites.embassy if target >= len(sites.bases) else sites.bases[target]
    if kind == "iran":
        return " and ".join(sites.iran_targets)
    if kind == "iran_outside":
        return "US interests outside Iraq"
    if kind == "us" and action == USOption.STRIKE_MILITIAS:
        row = P.militia.rows[target]
        return f"{row.name} ({row.home_site})"
    if kind == "us":
        return _US_TARGETS.get(USOption(action), "")
    if kind == "parliament":
        return "passed" if target else "failed"
    if kind == "bloc_vote":
        return LEGAL_STEPS[target]
    return ""


def _action_name(kind: str, action: int) -> str:
    if kind in ("iran", "iran_outside", "iran_strategy"):
        return {"iran": "calibrated_strike", "iran_outside": "attack_outside_iraq"}.get(
            kind, STRATEGIES[action])
    if kind == "militia":
        return MILITIA_ACTIONS[action]
    if kind == "us":
        return US_OPTIONS[action]
    if kind == "parliament":
        return f"vote_{LEGAL_STEPS[action]}"
    if kind == "bloc_vote":
        return BLOC_CHOICES[action]
    return "all_out_war"


def event_rows(rec: DayRecord, P: Params) -> list[dict[str, Any]]:
    """Rows for every act of the day (``action >= 0``), replicate by replicate, slot order."""
    date = (P.start_date + dt.timedelta(days=rec.day)).isoformat()
    rows: list[dict[str, Any]] = []
    active = [(s, np.nonzero(s.action >= 0)[0]) for s in rec.slots]
    reps = sorted({int(r) for _, idx in active for r in idx})
    for r in reps:
        for s, idx in active:
            if r not in idx:
                continue
            a = int(s.action[r])
            rows.append({
                "replicate": r,
                "day": rec.day,
                "date": date,
                "actor": s.actor,
                "kind": s.kind,
                "action": _action_name(s.kind, a),
                "target": _target_name(s.kind, a, int(s.target[r]), P),
                "us_killed": int(s.us_killed[r]),
                "us_wounded": int(s.us_wounded[r]),
                "iraqi_killed": int(s.iraqi_killed[r]),
                "militia_killed": int(s.militia_killed[r]),
                "iranian_killed": int(s.iranian_killed[r]),
                "detail": float(s.detail[r]),
            })
    return rows


def daily_series(world: World, rec: DayRecord | None) -> dict[str, Any]:
    """Model-level series at the end of a day (arrays over replicates)."""
    w, c = world, world.counters
    zeros = np.zeros_like(w.troops)
    return {
        "day": np.full(w.troops.shape, w.day, dtype=np.int64),
        "us_troops": w.troops,
        "us_protection": w.protection,
        "sentiment": w.sentiment,
        "revenge": w.revenge,
        "us_audience_cost": w.us_audience,
        "iran_audience_cost": w.iran_audience,
        "sanctions_iran": w.sanctions_iran,
        "sanctions_iraq": w.sanctions_iraq,
        "isis_strength": w.isis,
        "legal_status": w.legal,
        "diplomacy": w.diplomacy,
        "tension": w.tension,
        "iran_political_pressure": w.iran_political,
        "iran_strategy": w.iran_strategy,
        "all_out_war": w.war,
        **{k: getattr(c, k) for k in SERIES_COUNTERS},
        "attacks_today": rec.attacks if rec is not None else zeros,
        "rung_today": rec.rung if rec is not None else zeros,
    }


def _casualties(row: dict[str, Any]) -> str:
    k, w = row["us_killed"], row["us_wounded"]
    if k == 0 and w == 0:
        return "no US casualties"
    if k == 0:
        return f"no US deaths, {w} wounded"
    return f"{k} American{'s' if k != 1 else ''} killed, {w} wounded"


_STRATEGY_LABEL = {
    "diplomacy": "the diplomacy track",
    "political_pressure": "political pressure through its allies in parliament (scenario 4)",
    "proxy_harassment": "low-level proxy harassment (scenario 2)",
    "middle_ground": "deadly strikes without overrunning bases (scenario 3)",
    "major_escalation": "major escalation, overrunning bases (scenario 1)",
    "calibrated_strike": "a warned, calibrated strike",
}
_VOTE_LABEL = {
    "vote_resolution": "a non-binding resolution to end the foreign troop presence",
    "vote_limits": "limits on US operations",
    "vote_binding_law": "a binding law expelling US forces",
}


def narrate(row: dict[str, Any], *, quorum: int) -> str:
    """One readable sentence for an event row (``quorum``: ``actors.parliament.quorum``)."""
    kind, action, target = row["kind"], row["action"], row["target"]
    day = f"Day {row['day']} ({row['date']})"
    if kind == "iran":
        return (f"{day}: Iran fires {int(row['detail'])} ballistic missiles at {target} "
                f"after warning Baghdad; {_casualties(row)}")
    if kind == "iran_outside":
        return f"{day}: Iran strikes US interests outside Iraq; {_casualties(row)}"
    if kind == "iran_strategy":
        return f"{day}: Iran shifts to {_STRATEGY_LABEL[action]}"
    if kind == "militia":
        iq = f", {row['iraqi_killed']} Iraqis killed" if row["iraqi_killed"] else ""
        if action == "harass":
            return f"{day}: {row['actor']} fires Katyusha rockets at {target}; {_casualties(row)}{iq}"
        if action == "deadly":
            return (f"{day}: {row['actor']} strikes {target} with advanced missiles and drones; "
                    f"{_casualties(row)}{iq}")
        mk = row["militia_killed"]
        return (f"{day}: {row['actor']}-led fighters try to overrun {target}; {_casualties(row)}"
                f"{iq}, {mk} attackers killed")
    if kind == "us":
        texts = {
            "offer_talks": "The US offers talks without preconditions",
            "force_protection": "The coalition pauses anti-ISIS operations to protect its forces",
            "strike_militias": f"US strikes {target} in Iraq; {row['militia_killed']} "
                               f"militia and {row['iraqi_killed']} other Iraqis killed",
            "strike_iran": f"US strikes targets inside Iran; {row['iranian_killed']} Iranians killed",
            "sanction_iraq": "The US imposes sanctions on Iraq",
            "sanction_iran": "The US announces new sanctions on Iran",
            "drawdown": f"The US draws down its troops in Iraq to {int(row['detail'])}",
        }
        return f"{day}: {texts[action]}"
    if kind == "bloc_vote":
        what = {"boycott": "boycotts", "no": "votes no on", "yes": "votes yes on"}[action]
        return f"{day}: {row['actor']} ({int(row['detail'])} MPs) {what} {_VOTE_LABEL['vote_' + target]}"
    if kind == "parliament":
        verdict = "passes" if target == "passed" else "fails"
        return (f"{day}: Parliament votes on {_VOTE_LABEL[action]}: {int(row['detail'])} yes "
                f"(quorum {quorum}); it {verdict}")
    return f"{day}: Tensions spiral into all-out war between the United States and Iran"
