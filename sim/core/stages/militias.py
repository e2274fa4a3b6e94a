"""The militias' attacks on a day, computed at the (group, replicate) cells where a group attacks.

For each attack: its target (a held base, the Green Zone and embassy, a convoy route), whether it
kills US or coalition personnel and how many (lethality per tactic from the record), the wounded
(reported in part at once, the rest later, H1-016), Iraqis and attackers killed, and whether it is
attributed to its group, claimed by a front group or blamed on the wrong group (the US answers
only what it can attribute; state.militia_landscape).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import ATTACK_TACTICS, MILITIA_RUNG, Tactic
from sim.core import draws as D
from sim.core import rules
from sim.core.draws import Stream
from sim.core.params import Params
from sim.core.stages.common import Arr, Declared, Idx, per_group, total
from sim.core.stages.iran import IranActs
from sim.core.state import World

#: Uniforms an attacking cell draws (index axis of ``draws.MILITIA_ACT``; 0 decided the attack).
_TACTIC, _TARGET, _LETHAL, _EXTRA, _COALITION, _WOUNDED, _IRAQI, _ATTACKERS, _ATTRIB, _FRONT, _BLAME, \
    _WOUNDED_COAL, _REPORTED = range(1, 14)
_RUNG = np.asarray(MILITIA_RUNG, dtype=np.float64)
_ATTACK = np.zeros(len(Tactic), dtype=bool)
_ATTACK[list(ATTACK_TACTICS)] = True


@dataclass(frozen=True, slots=True)
class MilitiaActs:
    """Today's attacks: one entry per attacking cell, and totals per replicate and per group."""

    grp: Idx
    rep: Idx
    tactic: Arr
    target: Arr  # index into ``Params.world.sites``: all bases, then the embassy, then convoys
    us_killed: Arr
    coalition_killed: Arr
    wounded: Arr  # US wounded
    coalition_wounded: Arr
    reported: Arr  # US wounded reported today
    iraqi_killed: Arr
    attackers_killed: Arr
    lethal: Arr  # bool: killed US or coalition personnel
    attributed: Arr  # bool
    front: Arr  # index of the claiming front group (-1 none)
    blamed: Arr  # group blamed by a misattribution (-1 none)
    attacked: Arr  # (M, R) bool: the group attacked (any tactic)
    lethal_by_group: Arr  # (M, R) bool
    harm: Arr  # (M, R) attributed (or misattributed) harm, as the US weighs it
    stock: Arr  # (M, R) advanced weapons after use and resupply
    by_tactic: Arr  # (tactics, R) attacks of each tactic (TACTICS order, stand_down row 0)
    lethal_attacks: Arr  # (R,) record-defined attacks that killed US or coalition personnel
    totals: dict[str, Arr]  # (R,) sums over cells

    @property
    def attacks(self) -> Arr:
        """Attacks in the record's sense (salvos, IEDs, drones, missiles; storming apart)."""
        return np.asarray(self.by_tactic[_ATTACK].sum(axis=0))


def _targets(w: World, P: Params, tactic: Arr, rep: Idx, u: Arr) -> Arr:
    sites = P.world.sites
    n_exp, n_core = len(sites.exposed), len(sites.bases)
    held = w.held_exposed[rep].astype(np.int64)
    n_bases = held + n_core
    first = n_exp - held
    embassy, convoys = n_exp + n_core, n_exp + n_core + 1
    on_base = first + np.minimum(np.floor(u * n_bases).astype(np.int64), n_bases - 1)
    storm_pick = np.minimum(np.floor(u * (n_bases + 1)).astype(np.int64), n_bases)
    storm_site = np.where(storm_pick == n_bases, embassy, first + storm_pick)
    return np.where(tactic == Tactic.ROCKET_GREEN_ZONE, embassy,
                    np.where(tactic == Tactic.CONVOY_IED, convoys,
                             np.where(tactic == Tactic.STORM, storm_site, on_base)))


def _param(P: Params, field: str, tac: Arr, rep: Idx) -> Arr:
    """A tactic parameter at each attacking cell (per replicate when the batch stacks it)."""
    return np.asarray(rules.pick(tac - 1, [rules.at(getattr(tp, field), rep) for tp in P.militia.tactics]),
                      dtype=np.float64)


def militia_acts(w: World, action: Arr, P: Params, iran: IranActs, keys: Stream, declared: Declared) -> MilitiaActs:
    """Every attack's casualties, target and attribution, and the totals they add up to."""
    t, mp, up = w.day, P.militia, P.us
    m, r = action.shape
    grp, rep = np.nonzero(action > 0)
    tac = action[grp, rep]
    u = keys.u(t, D.MILITIA + grp, D.MILITIA_ACT, np.arange(_TARGET, _REPORTED + 1)[:, None], rows=rep)
    take = {k: u[k - _TARGET] for k in range(_TARGET, _REPORTED + 1)}
    share = _param(P, "coalition_share", tac, rep)
    # force protection hardens the sites (bunkers, counter-rocket and air defence, H1-056)
    hardened = 1.0 - rules.at(up.hardening, rep) * w.protection[rep]
    lethal = take[_LETHAL] < _param(P, "lethal", tac, rep) * hardened
    k_all = np.where(lethal, 1.0 + rules.geometric(_param(P, "extra_killed_mean", tac, rep), take[_EXTRA]), 0.0)
    coal_k = rules.share_of(k_all, share, take[_COALITION])
    wounded_all = rules.geometric(np.where(lethal, _param(P, "lethal_wounded_mean", tac, rep),
                                           _param(P, "wounded_mean", tac, rep)), take[_WOUNDED])
    coal_w = rules.share_of(wounded_all, share, take[_WOUNDED_COAL])
    us_k, us_w = k_all - coal_k, wounded_all - coal_w
    for g, (dk, dw) in declared.militia.items():  # the replay's recorded casualties
        hit = grp == g
        us_k, coal_k = np.where(hit, float(dk), us_k), np.where(hit, 0.0, coal_k)
        us_w, coal_w = np.where(hit, float(dw), us_w), np.where(hit, 0.0, coal_w)
        k_all, lethal = us_k + coal_k, np.where(hit, float(dk) > 0, lethal)
    reported = rules.share_of(us_w, rules.at(P.world.initial_disclosure, rep), take[_REPORTED])
    iraqi = rules.geometric(_param(P, "iraqi_killed_mean", tac, rep), take[_IRAQI])
    attackers = rules.geometric(_param(P, "militia_killed_mean", tac, rep), take[_ATTACKERS])
    p_attr = np.minimum(_param(P, "attribution", tac, rep) + rules.at(mp.attribution_lethal_bonus, rep) * lethal, 1.0)
    attributed = take[_ATTRIB] < p_attr
    n_front = np.asarray([len(row.fronts) for row in mp.rows], dtype=np.int64)[grp]
    p_claim = np.broadcast_to(rules.at(mp.front_claim, rep), rep.shape)
    claimed = ~attributed & (n_front > 0) & (take[_FRONT] < p_claim)
    front = np.where(claimed, np.floor(take[_FRONT] / np.maximum(p_claim, 1e-300) * n_front).astype(np.int64), -1)
    blame = ~attributed & ~claimed & (take[_BLAME] < rules.at(mp.misattribution, rep))
    blamed = np.where(blame, np.argmax(w.grievance[:, rep], axis=0), -1)
    # the US weighs what it can attribute: the group's own attacks, or the group it blames
    harm_cell = (rules.at(up.harm_killed, rep) * k_all + rules.at(up.harm_wounded, rep) * (reported + coal_w)
                 + rules.at(up.harm_attack, rep))
    who = np.where(attributed, grp, blamed)
    known = who >= 0
    harm = np.zeros(m * r)
    np.add.at(harm, who[known] * r + rep[known], np.broadcast_to(harm_cell, rep.shape)[known])
    by_tactic = np.zeros((len(Tactic), r))
    np.add.at(by_tactic, (tac, rep), 1.0)
    advanced = (tac == Tactic.DRONE) | (tac == Tactic.MISSILE)
    stock = (np.maximum(w.stock - per_group(advanced.astype(np.float64), grp, rep, m, r), 0.0)
             + np.where(iran.militarised, P.iran.resupply, 0.0))
    rec_lethal = lethal & _ATTACK[tac]
    totals = {
        "us_killed": total(us_k, rep, r), "coalition_killed": total(coal_k, rep, r),
        "us_wounded": total(us_w, rep, r), "coalition_wounded": total(coal_w, rep, r),
        "reported": total(reported, rep, r), "iraqi_killed": total(iraqi, rep, r),
        "attackers_killed": total(attackers, rep, r),
        "unattributed": total((~attributed & _ATTACK[tac]).astype(np.float64), rep, r),
        "front_claims": total(claimed.astype(np.float64), rep, r),
        "misattributed": total(blame.astype(np.float64), rep, r),
        "resolve": total(rules.intensity(tac), rep, r), "rung": _max_rung(tac, rep, r),
    }
    return MilitiaActs(
        grp=grp, rep=rep, tactic=tac, target=_targets(w, P, tac, rep, take[_TARGET]), us_killed=us_k,
        coalition_killed=coal_k, wounded=us_w, coalition_wounded=coal_w, reported=reported,
        iraqi_killed=iraqi, attackers_killed=attackers, lethal=lethal, attributed=attributed, front=front,
        blamed=blamed, attacked=action > 0,
        lethal_by_group=per_group(lethal.astype(np.float64), grp, rep, m, r) > 0, harm=harm.reshape(m, r),
        stock=stock, by_tactic=by_tactic, lethal_attacks=total(rec_lethal.astype(np.float64), rep, r),
        totals=totals,
    )


def _max_rung(tac: Arr, rep: Idx, r: int) -> Arr:
    out = np.zeros(r)
    np.maximum.at(out, rep, _RUNG[tac])
    return out
