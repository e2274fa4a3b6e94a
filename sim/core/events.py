"""Event rows, daily series and the readable narrative, built from a day's record.

This module owns how a :class:`~sim.core.transition.DayRecord` becomes tidy rows: one row per
notable act (day, date, actor, kind, action, target, casualties as they happened, attribution, a
numeric detail) and one row of model-level series per day. Both work for one replicate (Mesa) or
many (ensemble), so the two engines emit identical tables. Rows are listed replicate by replicate
in a fixed order: exogenous shocks, Iran, the militias, the US, the executive, parliament and its
blocs, the world. Sentences of the narrative are plain text for the CLI; colours and map positions
live in ``dashboards/``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from sim.config import BLOC_CHOICES, EXEC_ACTS, LEGAL_STEPS, STRATEGIES, TACTICS, US_POLICIES, Motion, USPolicy
from sim.core.params import Params
from sim.core.state import World
from sim.core.transition import DayRecord

EVENT_COLUMNS: tuple[str, ...] = (
    "replicate", "day", "date", "actor", "kind", "action", "target", "us_killed", "us_wounded",
    "coalition_killed", "iraqi_killed", "militia_killed", "iranian_killed", "attributed", "claimed_by",
    "present", "detail",
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
    "coalition_killed", "pm_status", "pm_alignment", "crackdown", "waiver_days", "exposed_held",
    "dialogue_stage", "truce", "agenda", "us_threat", "militia_excitation",
)

_US_TARGETS = {"sanction_iran": "Iran", "threaten_iraq": "Iraq", "sanction_iraq": "Iraq", "renew_waiver": "Iraq",
               "offer_talks": "Iran", "warning": "Iran and its proxies", "propose_dialogue": "Iraq",
               "consolidate": "exposed sites", "drawdown": "US troops", "offer_drawdown": "Iraq"}


def _site(P: Params, index: int) -> str:
    s = P.world.sites
    names = (*s.all_bases, s.embassy, s.convoys)
    return names[index]


def _row(rec: DayRecord, date: str, r: int, actor: str, kind: str, action: str, target: str = "",
         **numbers: Any) -> dict[str, Any]:
    row = {"replicate": r, "day": rec.day, "date": date, "actor": actor, "kind": kind, "action": action,
           "target": target, "us_killed": 0, "us_wounded": 0, "coalition_killed": 0, "iraqi_killed": 0,
           "militia_killed": 0, "iranian_killed": 0, "attributed": -1, "claimed_by": "", "present": 0.0,
           "detail": 0.0}
    row.update(numbers)
    return row


def _iran(rec: DayRecord, P: Params, date: str, prev: Any) -> list[tuple[int, int, dict[str, Any]]]:
    out = []
    ia = rec.iran
    changed = ia.strategy != prev
    for r in np.flatnonzero(changed).tolist():
        out.append((r, 1, _row(rec, date, r, "Iran", "iran_strategy", STRATEGIES[int(ia.strategy[r])],
                               detail=float(prev[r]))))
    for r in np.flatnonzero(ia.fired).tolist():
        act = "warned_direct_strike" if ia.warned[r] else "direct_strike"
        out.append((r, 2, _row(rec, date, r, "Iran", "iran", act,
                               " and ".join(P.world.sites.iran_targets), us_killed=int(ia.direct_killed[r]),
                               us_wounded=int(ia.direct_wounded[r]), detail=float(P.iran.direct.missiles))))
    for r in np.flatnonzero(ia.outside).tolist():
        out.append((r, 3, _row(rec, date, r, "Iran", "iran_outside", "attack_outside_iraq",
                               "US interests outside Iraq", us_killed=int(ia.out_killed[r]),
                               us_wounded=int(ia.out_wounded[r]))))
    return out


def _militias(rec: DayRecord, P: Params, date: str) -> list[tuple[int, int, dict[str, Any]]]:
    ma, out = rec.militia, []
    for i in range(len(ma.rep)):
        g, r = int(ma.grp[i]), int(ma.rep[i])
        row = P.militia.rows[g]
        claimed = row.fronts[int(ma.front[i])] if ma.front[i] >= 0 else ""
        out.append((r, 10 + g, _row(
            rec, date, r, row.name, "militia", TACTICS[int(ma.tactic[i])], _site(P, int(ma.target[i])),
            us_killed=int(ma.us_killed[i]), us_wounded=int(ma.wounded[i]), coalition_killed=int(ma.coalition_killed[i]),
            iraqi_killed=int(ma.iraqi_killed[i]), militia_killed=int(ma.attackers_killed[i]),
            attributed=int(ma.attributed[i]), claimed_by=claimed, detail=float(ma.reported[i]))))
    return out


def _us(rec: DayRecord, P: Params, date: str) -> list[tuple[int, int, dict[str, Any]]]:
    ua, out, us = rec.us, [], "United States"
    for r in np.flatnonzero(ua.target >= 0).tolist():
        row = P.militia.rows[int(ua.target[r])]
        out.append((r, 100, _row(rec, date, r, us, "us", "strike_militias", f"{row.name} ({row.home_site})",
                                 iraqi_killed=int(ua.iraqi_killed[r]), militia_killed=int(ua.militia_killed[r]))))
    for r in np.flatnonzero(ua.strike_iran).tolist():
        out.append((r, 101, _row(rec, date, r, us, "us", "strike_iran", "Iran",
                                 iranian_killed=int(ua.iranian_killed[r]))))
    for r in np.flatnonzero(ua.protect).tolist():
        out.append((r, 102, _row(rec, date, r, us, "us", "force_protection")))
    for k, name in enumerate(US_POLICIES):
        for r in np.flatnonzero(ua.policy[k]).tolist():
            detail = {USPolicy.RENEW_WAIVER: ua.waiver_days[r], USPolicy.DRAWDOWN: ua.troops[r]}.get(USPolicy(k), 0.0)
            out.append((r, 110 + k, _row(rec, date, r, us, "us", name, _US_TARGETS[name], detail=float(detail))))
    for r in np.flatnonzero(ua.lapsed).tolist():
        out.append((r, 130, _row(rec, date, r, us, "us", "waiver_lapsed", "Iraq")))
    for r in np.flatnonzero(ua.handover).tolist():
        held = int(rec.us.held_exposed[r])
        out.append((r, 131, _row(rec, date, r, us, "us", "hand_over_base",
                                 P.world.sites.exposed[len(P.world.sites.exposed) - held - 1])))
    for r in np.flatnonzero(ua.session).tolist():
        out.append((r, 132, _row(rec, date, r, "United States and Iraq", "dialogue", "dialogue_session",
                                 "agreement" if ua.agreement[r] else "no agreement",
                                 detail=float(ua.drawdown_target[r]) if ua.agreement[r] else 0.0)))
    return out


def _iraq(rec: DayRecord, P: Params, date: str) -> list[tuple[int, int, dict[str, Any]]]:
    qa, out = rec.iraq, []
    for k, name in enumerate(EXEC_ACTS):
        for r in np.flatnonzero(qa.acts[k]).tolist():
            out.append((r, 200 + k, _row(rec, date, r, "Executive", "executive", name,
                                         detail=float(qa.pm_alignment[r]))))
    for r in np.flatnonzero(qa.motion >= 0).tolist():
        conf = qa.motion[r] == Motion.CONFIRMATION
        action = "vote_confirmation" if conf else f"vote_{LEGAL_STEPS[int(qa.level[r])]}"
        out.append((r, 300, _row(rec, date, r, "Parliament", "parliament", action,
                                 "passed" if qa.passes[r] else "failed", present=float(qa.present[r]),
                                 detail=float(qa.yes[r]))))
        motion = "confirmation" if conf else LEGAL_STEPS[int(qa.level[r])]
        for b, bloc in enumerate(P.parliament.blocs):
            seats = float(np.floor(bloc.seats * P.parliament.cohesion + 0.5))
            out.append((r, 301 + b, _row(rec, date, r, bloc.name, "bloc_vote", BLOC_CHOICES[int(qa.choices[b, r])],
                                         motion, detail=seats)))
        if conf and qa.passes[r]:
            out.append((r, 299, _row(rec, date, r, "Executive", "executive", "government_formed",
                                     detail=float(qa.pm_alignment[r]))))
    return out


def _world(rec: DayRecord, date: str) -> list[tuple[int, int, dict[str, Any]]]:
    d, out = rec.dyn, []
    for r in np.flatnonzero(d.truce_declared).tolist():
        out.append((r, 900, _row(rec, date, r, "Militias", "truce", "truce_declared")))
    for r in np.flatnonzero(d.truce_lifted).tolist():
        out.append((r, 901, _row(rec, date, r, "Militias", "truce", "truce_lifted")))
    for r in np.flatnonzero(d.accident).tolist():
        out.append((r, 902, _row(rec, date, r, "World", "accident", "accident")))
    for r in np.flatnonzero(d.new_war).tolist():
        out.append((r, 903, _row(rec, date, r, "World", "war", "all_out_war", detail=float(d.values["tension"][r]))))
    return out


def event_rows(rec: DayRecord, P: Params, previous_strategy: Any = None) -> list[dict[str, Any]]:
    """Rows for every act of the day, replicate by replicate, in the fixed category order.

    ``previous_strategy`` (R,) is Iran's strategy before the day (a change is an event); by default
    the strategy the day's record started from.
    """
    date = (P.start_date + dt.timedelta(days=rec.day)).isoformat()
    prev = rec.iran.previous if previous_strategy is None else previous_strategy
    rows: list[tuple[int, int, dict[str, Any]]] = []
    for kind, actor, target, note, where in rec.shocks:
        for r in np.flatnonzero(where).tolist():
            rows.append((r, 0, _row(rec, date, r, actor, "exogenous", kind, target or note)))
    rows += _iran(rec, P, date, prev) + _militias(rec, P, date) + _us(rec, P, date) + _iraq(rec, P, date)
    rows += _world(rec, date)
    rows.sort(key=lambda x: (x[0], x[1]))
    return [row for _, _, row in rows]


def daily_series(world: World, rec: DayRecord | None) -> dict[str, Any]:
    """Model-level series at the end of a day (arrays over replicates)."""
    w, c = world, world.counters
    zeros = np.zeros_like(w.troops)
    return {
        "day": np.full(w.troops.shape, w.day, dtype=np.int64),
        "us_troops": w.troops, "us_protection": w.protection, "sentiment": w.sentiment, "revenge": w.revenge,
        "us_audience_cost": w.us_audience, "iran_audience_cost": w.iran_audience,
        "sanctions_iran": w.sanctions_iran, "sanctions_iraq": w.sanctions_iraq, "isis_strength": w.isis,
        "legal_status": w.legal, "diplomacy": w.diplomacy, "tension": w.tension,
        "iran_political_pressure": w.iran_political, "iran_strategy": w.iran_strategy, "all_out_war": w.war,
        **{k: getattr(c, "attacks" if k == "militia_attacks" else k) for k in SERIES_COUNTERS},
        "attacks_today": rec.attacks if rec is not None else zeros,
        "rung_today": rec.rung if rec is not None else zeros,
        "coalition_killed": c.coalition_killed, "pm_status": w.pm_status, "pm_alignment": w.pm_alignment,
        "crackdown": w.crackdown, "waiver_days": w.waiver_days,
        "exposed_held": w.held_exposed, "dialogue_stage": w.dialogue_stage,
        "truce": w.truce, "agenda": w.agenda, "us_threat": w.threat, "militia_excitation": w.excitation.sum(axis=0),
    }


def _casualties(row: dict[str, Any]) -> str:
    k, w, c = row["us_killed"], row["us_wounded"], row.get("coalition_killed", 0)
    coal = f", {c} coalition killed" if c else ""
    if k == 0 and w == 0:
        return f"no US casualties{coal}"
    if k == 0:
        return f"no US deaths, {w} wounded{coal}"
    return f"{k} American{'s' if k != 1 else ''} killed, {w} wounded{coal}"


_STRATEGY_LABEL = {
    "diplomacy": "the diplomacy track",
    "political_pressure": "political pressure through its allies in parliament (scenario 4)",
    "proxy_harassment": "low-level proxy harassment (scenario 2)",
    "middle_ground": "deadly strikes without overrunning bases (scenario 3)",
    "major_escalation": "major escalation, overrunning bases (scenario 1)",
}
_VOTE_LABEL = {
    "vote_resolution": "a non-binding resolution to end the foreign troop presence",
    "vote_limits": "limits on US operations",
    "vote_binding_law": "a binding law expelling US forces",
    "vote_confirmation": "confirming the PM-designate's government",
}
_TACTIC_TEXT = {
    "rocket_base": "fires rockets at {}", "rocket_green_zone": "fires rockets at the Green Zone and the {}",
    "convoy_ied": "detonates an IED on {}", "drone": "sends an armed drone against {}",
    "missile": "strikes {} with advanced missiles", "storm": "leads crowds trying to overrun {}",
}
_US_TEXT = {
    "force_protection": "The coalition pauses anti-ISIS operations to protect its forces",
    "sanction_iran": "The US announces new sanctions on Iran",
    "threaten_iraq": "The US threatens Iraq with sanctions",
    "sanction_iraq": "The US imposes sanctions on Iraq",
    "offer_talks": "The US offers talks to Iran",
    "warning": "The US warns Iran and its proxies that an attack will cost them dearly",
    "propose_dialogue": "The US proposes a Strategic Dialogue to the new government",
    "consolidate": "The coalition decides to consolidate its exposed sites",
    "offer_drawdown": "The US offers to reduce its forces",
    "waiver_lapsed": "Iraq's waiver for Iranian electricity and gas lapses",
}
_EXEC_TEXT = {
    "designate": "The president names a PM-designate", "request_vote": "The PM-designate asks parliament for a vote",
    "withdraw": "The PM-designate withdraws", "crackdown": "Counter-terrorism forces raid a rocket team",
    "revoke_invitation": "The government revokes its invitation to the coalition",
    "demand_drawdown": "Iraq demands a timetable for the US withdrawal",
    "government_formed": "A new government takes office",
}


def narrate(row: dict[str, Any], *, quorum: int) -> str:
    """One readable sentence for an event row (``quorum``: ``actors.parliament.quorum``)."""
    kind, action, target = row["kind"], row["action"], row["target"]
    day = f"Day {row['day']} ({row['date']})"
    if kind == "exogenous":
        return f"{day}: {row['actor']}: {action.replace('_', ' ')} ({target})"
    if kind == "iran":
        warned = " after warning Baghdad" if action.startswith("warned") else " without warning"
        return f"{day}: Iran fires {int(row['detail'])} ballistic missiles at {target}{warned}; {_casualties(row)}"
    if kind == "iran_outside":
        return f"{day}: Iran strikes US interests outside Iraq; {_casualties(row)}"
    if kind == "iran_strategy":
        return f"{day}: Iran shifts to {_STRATEGY_LABEL[action]}"
    if kind == "militia":
        who = row["actor"] if row["attributed"] == 1 else (f"{row['claimed_by']} (claimed)" if row["claimed_by"]
                                                             else "An unidentified group")
        iq = f", {row['iraqi_killed']} Iraqis killed" if row["iraqi_killed"] else ""
        mk = f", {row['militia_killed']} attackers killed" if row["militia_killed"] else ""
        return f"{day}: {who} {_TACTIC_TEXT[action].format(target)}; {_casualties(row)}{iq}{mk}"
    if kind == "us":
        if action == "strike_militias":
            return (f"{day}: US strikes {target} in Iraq; {row['militia_killed']} militia and "
                    f"{row['iraqi_killed']} other Iraqis killed")
        if action == "strike_iran":
            return f"{day}: US strikes targets inside Iran; {row['iranian_killed']} Iranians killed"
        if action == "renew_waiver":
            return f"{day}: The US renews Iraq's energy waiver for {int(row['detail'])} days"
        if action == "drawdown":
            return f"{day}: The US draws down its troops in Iraq to {int(row['detail'])}"
        if action == "hand_over_base":
            return f"{day}: The coalition hands {target} over to Iraqi forces"
        return f"{day}: {_US_TEXT[action]}"
    if kind == "dialogue":
        if target == "agreement":
            return (f"{day}: Strategic Dialogue session: a negotiated drawdown to {int(row['detail'])} troops "
                    "with a timetable")
        return f"{day}: Strategic Dialogue session: no agreement on the US presence"
    if kind == "executive":
        return f"{day}: {_EXEC_TEXT[action]}"
    if kind == "bloc_vote":
        what = {"boycott": "boycotts", "no": "votes no on", "yes": "votes yes on"}[action]
        label = _VOTE_LABEL["vote_" + target]
        return f"{day}: {row['actor']} ({int(row['detail'])} MPs) {what} {label}"
    if kind == "parliament":
        verdict = "passes" if target == "passed" else "fails"
        present, yes = int(row["present"]), int(row["detail"])
        return (f"{day}: Parliament votes on {_VOTE_LABEL[action]}: {present} present (quorum {quorum}): "
                f"{yes} yes, {present - yes} no; it {verdict}")
    if kind == "truce":
        return f"{day}: The militias {'declare a truce' if action == 'truce_declared' else 'end their truce'}"
    if kind == "accident":
        return f"{day}: An accident or misperception raises tension"
    return f"{day}: Tensions spiral into all-out war between the United States and Iran"
