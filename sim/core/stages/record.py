"""The day's observables: what an observer could count today, one number per replicate each
(:data:`sim.core.counters.OBSERVABLES`), and the first-time events of the day.
"""

from __future__ import annotations

import numpy as np

from sim.config import ExecAct, Motion, PMStatus, Tactic, USPolicy
from sim.core import rules
from sim.core.counters import FIRSTS, OBSERVABLES
from sim.core.params import Params
from sim.core.stages.common import Arr
from sim.core.stages.iran import IranActs
from sim.core.stages.iraq import IraqActs
from sim.core.stages.militias import MilitiaActs
from sim.core.stages.us import USActs
from sim.core.stages.world import Dynamics


def observables(P: Params, iran: IranActs, mil: MilitiaActs, us: USActs, iraq: IraqActs,
                dyn: Dynamics) -> tuple[Arr, Arr]:
    """Today's observables (len(OBSERVABLES), R) and first-time flags (len(FIRSTS), R)."""
    bt, tot, v = mil.by_tactic, mil.totals, dyn.values
    ex = iraq.acts
    one = np.ones_like(us.troops)
    obs = {
        "days": one, "attacks": mil.attacks, "attacks_rocket": bt[Tactic.ROCKET_BASE] + bt[Tactic.ROCKET_GREEN_ZONE],
        "attacks_rocket_base": bt[Tactic.ROCKET_BASE], "attacks_rocket_green_zone": bt[Tactic.ROCKET_GREEN_ZONE],
        "attacks_convoy_ied": bt[Tactic.CONVOY_IED], "attacks_drone": bt[Tactic.DRONE],
        "attacks_missile": bt[Tactic.MISSILE], "storms": bt[Tactic.STORM],
        "harassments": bt[Tactic.ROCKET_BASE] + bt[Tactic.ROCKET_GREEN_ZONE] + bt[Tactic.CONVOY_IED],
        "deadly_strikes": bt[Tactic.DRONE] + bt[Tactic.MISSILE], "lethal_attacks": mil.lethal_attacks,
        "unattributed_attacks": tot["unattributed"], "front_claims": tot["front_claims"],
        "misattributed_attacks": tot["misattributed"],
        "us_killed": tot["us_killed"] + iran.killed, "us_wounded": tot["us_wounded"] + iran.wounded,
        "us_wounded_reported": dyn.reported_wounded, "coalition_killed": tot["coalition_killed"],
        "coalition_wounded": tot["coalition_wounded"], "iraqi_killed": tot["iraqi_killed"] + us.iraqi_killed,
        "militia_killed": tot["attackers_killed"] + us.militia_killed, "iranian_killed": us.iranian_killed,
        "killed_by_us_strikes": us.militia_killed + us.iraqi_killed + us.iranian_killed,
        "us_strikes_iraq": us.strike_militias, "us_strikes_iran": us.strike_iran, "calibrated_strikes": iran.fired,
        "calibrated_us_killed": iran.direct_killed, "outside_attacks": iran.outside, "iran_preparing": iran.preparing,
        "protection_orders": us.protect, "ops_paused_days": us.protection >= P.us.pause_level,
        "us_sanctions_iran": us.did(USPolicy.SANCTION_IRAN), "us_sanction_threats_iraq": us.did(USPolicy.THREATEN_IRAQ),
        "us_sanctions_iraq": us.did(USPolicy.SANCTION_IRAQ), "waivers_renewed": us.did(USPolicy.RENEW_WAIVER),
        "waivers_lapsed": us.lapsed, "talks_offers": us.did(USPolicy.OFFER_TALKS),
        "deterrent_warnings": us.did(USPolicy.WARNING), "consolidations": us.did(USPolicy.CONSOLIDATE),
        "bases_handed_over": us.handover, "drawdowns": us.did(USPolicy.DRAWDOWN),
        "dialogue_proposals": us.did(USPolicy.PROPOSE_DIALOGUE), "dialogue_sessions": us.session,
        "negotiated_drawdowns": us.agreement, "votes_held": iraq.on_presence,
        "confirmation_votes": iraq.motion == Motion.CONFIRMATION, "pm_designations": ex[ExecAct.DESIGNATE],
        "failed_designates": ex[ExecAct.WITHDRAW], "governments_formed": iraq.formed,
        "crackdowns": ex[ExecAct.CRACKDOWN], "invitation_revoked": ex[ExecAct.REVOKE_INVITATION],
        "truce_days": v["truce"], "accidents": dyn.accident,
        "iran_resolve": tot["resolve"] + iran.fired + iran.outside,
        "iran_econ_cost": us.sanctions_iran + P.iran.iraq_market_share * us.sanctions_iraq,
        "exit_pressure": v["threat"] + v["sentiment"] + rules.legal_share(iraq.legal),
        "legal_status": iraq.legal, "us_troops": us.troops, "all_out_war": v["war"], "truce": v["truce"],
        "government": iraq.pm_status == PMStatus.GOVERNMENT,
    }
    firsts = {
        "day_first_iran_direct_strike": iran.fired, "day_government_formed": iraq.formed,
        "day_first_dialogue_session": us.session, "day_first_us_strike_iraq": us.strike_militias,
        "day_first_lethal_attack": mil.lethal_attacks > 0, "day_first_truce": dyn.truce_declared,
    }
    return (np.stack([np.asarray(obs[k], dtype=np.float64) for k in OBSERVABLES]),
            np.stack([np.asarray(firsts[k], dtype=bool) for k in FIRSTS]))
