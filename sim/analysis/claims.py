"""Claims checks: the seeds' claims C1-C14 (MODEL_BRIEF) as statistics over seeded batches.

This module owns the reading of each claim as a measurable statistic. One function per claim
(:func:`c1` .. :func:`c14`) runs the batches it needs (baseline, the posture presets in
``configs/scenarios/``, counterfactual overrides of the baseline, or controlled experiments that
force some choices through :class:`sim.engines.stepper.Stepper`) and returns a :class:`ClaimResult`
with one or more :class:`Check` rows: statistic, estimate, 95% confidence interval, threshold,
pass/fail. A check passes only when its whole interval lies on the right side of its threshold.

Intervals: Wilson score for a proportion; Newcombe's hybrid score interval for a difference of
two proportions; Student t intervals for means and for differences of means (all defined once,
in :mod:`sim.analysis.stats`). Batches share run seeds (common random numbers,
``sim.core.draws.seed_for(master, 0, i)``), so differences of means between arms are taken
replicate by replicate (paired); proportions are compared as independent samples, which is
conservative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.analysis.stats import mean_ci, newcombe, wilson  # the one definition of each interval
from sim.config import CONFIG_DIR, MILITARY_STRATEGIES, Config, Strategy, Tactic, load_config
from sim.core.draws import seed_for
from sim.engines.ensemble import run_ensemble
from sim.engines.stepper import Stepper

Arr = npt.NDArray[Any]

#: Posture presets (configs/scenarios/) by short name; "baseline" is configs/baseline.yaml.
POSTURES: dict[str, str] = {
    "baseline": "baseline.yaml",
    "diplomacy": "scenarios/diplomacy.yaml",
    "s1": "scenarios/s1_major_escalation.yaml",
    "s2": "scenarios/s2_going_through_motions.yaml",
    "s3": "scenarios/s3_middle_ground.yaml",
    "s4": "scenarios/s4_political_pressure.yaml",
}
MILITARY = ("s1", "s2", "s3")
SOURCES = {
    "000": "IntelBrief, 6 Jan 2020 (seeds/000)",
    "002": "Dagher & Kaltenthaler, 9 Jan 2020 (seeds/002)",
}


# ------------------------------------------------------------------------------------------
# records


@dataclass
class Check:
    """One statistic of a claim with its interval and the side it must lie on."""

    statistic: str
    estimate: float
    lo: float
    hi: float
    op: str  # '>' : the interval must lie above the threshold; '<' : below
    threshold: float

    @property
    def passed(self) -> bool:
        """The whole interval lies on the required side of the threshold."""
        return self.lo > self.threshold if self.op == ">" else self.hi < self.threshold

    @property
    def interval(self) -> str:
        """The interval as text."""
        return f"[{_fmt(self.lo)}, {_fmt(self.hi)}]"

    @property
    def rule(self) -> str:
        """The pass rule as text."""
        return f"CI {self.op} {_fmt(self.threshold)}"


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


@dataclass
class ClaimResult:
    """A claim's checks; the claim passes when every check passes."""

    claim: str
    source: str
    passage: str
    measure: str
    checks: list[Check] = field(default_factory=list)
    runs: int = 0
    days: int = 0

    @property
    def passed(self) -> bool:
        """All checks passed."""
        return all(c.passed for c in self.checks)

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows for a table: one per check."""
        return [{
            "claim": self.claim, "source": self.source, "passage": self.passage,
            "statistic": c.statistic, "estimate": c.estimate, "lo": c.lo, "hi": c.hi,
            "interval": c.interval, "threshold": c.rule, "pass": c.passed,
            "runs": self.runs, "days": self.days,
        } for c in self.checks]


# ------------------------------------------------------------------------------------------
# batches


class Batches:
    """Seeded ensemble batches, run once and cached, shared between claims.

    Args:
        runs: replicates per batch.
        days: run length of the posture and counterfactual batches.
        master_seed: master seed; replicate i of every batch uses ``seed_for(master, 0, i)``.
        config_dir: where ``baseline.yaml`` and ``scenarios/`` live.
        base_overrides: dotted-path overrides applied to every batch first (e.g. calibrated
            weights), before each claim's own counterfactual overrides.
    """

    def __init__(self, runs: int = 400, days: int = 365, master_seed: int = 2020,
                 config_dir: Path = CONFIG_DIR,
                 base_overrides: Mapping[str, Any] | None = None) -> None:
        self.base_overrides = dict(base_overrides or {})
        self.runs = int(runs)
        self.days = int(days)
        self.master_seed = int(master_seed)
        self.config_dir = Path(config_dir)
        self.seeds = np.array([seed_for(self.master_seed, 0, i) for i in range(self.runs)],
                              dtype=np.uint64)
        self._cache: dict[Any, Any] = {}

    def config(self, posture: str, overrides: Mapping[str, Any] | None = None) -> Config:
        """Load a posture's config with overrides."""
        return load_config(self.config_dir / POSTURES[posture],
                           {**self.base_overrides, **dict(overrides or {})})

    def metrics(self, posture: str, overrides: Mapping[str, Any] | None = None,
                days: int | None = None, series: bool = False) -> dict[str, Arr]:
        """End-state metrics (and, with ``series``, ``series:<name>`` run means) of a batch."""
        d = int(days or self.days)
        key = (posture, tuple(sorted((overrides or {}).items())), d, series)
        if key not in self._cache:
            res = run_ensemble(self.config(posture, overrides), self.seeds, d, record_series=series)
            out = dict(res.metrics)
            if series and res.series is not None:
                for name, arr in res.series.items():
                    out[f"series:{name}"] = np.asarray(arr, dtype=np.float64)[1:].mean(axis=0)
            self._cache[key] = out
        return dict(self._cache[key])

    def stepper(self, posture: str = "baseline",
                overrides: Mapping[str, Any] | None = None) -> Stepper:
        """Make a fresh :class:`~sim.engines.stepper.Stepper` on the batch seeds."""
        return Stepper.from_config(self.config(posture, overrides), self.seeds)


def _prop_check(name: str, x: Arr, op: str, threshold: float) -> Check:
    p, lo, hi = wilson(float(np.sum(x)), len(x))
    return Check(name, p, lo, hi, op, threshold)


def _prop_diff(name: str, a: Arr, b: Arr, op: str = ">", threshold: float = 0.0) -> Check:
    d, lo, hi = newcombe(float(np.sum(a)), len(a), float(np.sum(b)), len(b))
    return Check(name, d, lo, hi, op, threshold)


def _mean_diff(name: str, a: Arr, b: Arr, op: str = ">", threshold: float = 0.0) -> Check:
    m, lo, hi = mean_ci(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
    return Check(name, m, lo, hi, op, threshold)


def _mean_check(name: str, a: Arr, op: str, threshold: float) -> Check:
    m, lo, hi = mean_ci(a)
    return Check(name, m, lo, hi, op, threshold)


def _losses(m: Mapping[str, Arr]) -> Arr:
    return np.asarray(m["militia_killed"] + m["iranian_killed"], dtype=np.float64)


def _exit_or_forced(m: Mapping[str, Arr], initial_troops: float) -> Arr:
    return np.asarray(m["us_exit"] | m["binding_law_passed"]
                      | (m["us_troops_final"] <= 0.5 * initial_troops))


def _result(claim: str, src: str, passage: str, measure: str, b: Batches, checks: list[Check],
            days: int | None = None) -> ClaimResult:
    return ClaimResult(claim, SOURCES[src], passage, measure, checks, b.runs, days or b.days)


#: Counterfactual overrides (dotted config paths) used by the claims.
#: C1's counterfactual raises every group's log attack rate by this much (base rates times e).
MORE_ATTACKS_SHIFT = 1.0
MORE_US_STRIKES = {"actors.united_states.costs.strike_militias": 0.3}
FEWER_US_STRIKES = {"actors.united_states.costs.strike_militias": 3.0}
NO_US_STRIKES = {"actors.united_states.costs.strike_militias": 20.0}
FORCED_EXIT = {"actors.united_states.costs.drawdown": 0.0,
               "actors.united_states.drawdown_weight": 20.0}
OPS_SUSPENDED = {"initial.us_protection": 1.0, "actors.united_states.protection_decay": 0.0}
SANCTION_IRAQ_FREE = {"actors.united_states.costs.sanction_iraq": 0.0,
                      "actors.united_states.sanction_iraq_weight": 5.0}
SANCTION_IRAQ_NEVER = {"actors.united_states.costs.sanction_iraq": 20.0}


# ------------------------------------------------------------------------------------------
# the claims


def c1(b: Batches) -> ClaimResult:
    """C1: more militia attacks -> more Iranian resolve shown and more pressure toward a US exit."""
    base = b.metrics("baseline")
    rows = b.config("baseline").actors.militias
    factor = float(np.exp(MORE_ATTACKS_SHIFT))
    more = b.metrics("baseline", {f"actors.militias.{i}.base_rate": min(m.base_rate * factor, 10.0)
                                  for i, m in enumerate(rows)})
    return _result(
        "C1", "002", "attacking U.S. forces in Iraq through its proxies ... shows resolve ... and "
        "puts political pressure on the U.S. presence",
        f"baseline vs militias quicker to attack (every group's base rate x e^{MORE_ATTACKS_SHIFT:g}), "
        "paired seeds", b, [
            _mean_diff("militia attacks: more-attacks arm - baseline", more["militia_attacks"],
                       base["militia_attacks"]),
            _mean_diff("Iran's resolve shown (sum of act intensities): difference",
                       more["iran_resolve"], base["iran_resolve"]),
            _mean_diff("mean exit pressure (threat + anger + legal step): difference",
                       more["exit_pressure_mean"], base["exit_pressure_mean"]),
        ])


def c2(b: Batches) -> ClaimResult:
    """C2: US strikes in Iraq raise anti-US sentiment and the chance of an expulsion vote."""
    more = b.metrics("s2", MORE_US_STRIKES, series=True)
    fewer = b.metrics("s2", FEWER_US_STRIKES, series=True)
    return _result(
        "C2", "002", "If the United States takes further action targeting ... Iranian-aligned "
        "Iraqi targets in Iraq, this will stoke anger inside Iraq",
        "under steady militia attacks (S2), US strike cost 0.3 (more strikes) vs 3.0 (fewer)", b, [
            _mean_diff("US strikes in Iraq: more - fewer", more["us_strikes_iraq"],
                       fewer["us_strikes_iraq"]),
            _mean_diff("mean Iraqi anti-US sentiment over the run: more - fewer",
                       more["series:sentiment"], fewer["series:sentiment"]),
            _prop_diff("P(parliament passes an expulsion step): more - fewer",
                       more["resolution_passed"], fewer["resolution_passed"]),
        ])


def c3(b: Batches) -> ClaimResult:
    """C3: scenario 1 invites a massive US response; Iran's side suffers the heaviest losses."""
    s1 = b.metrics("s1")
    massive = (s1["us_strikes_iraq"] >= 20) | (s1["us_strikes_iran"] >= 1)
    checks = [_prop_check("P(massive US response: >=20 strikes in Iraq or any on Iran | S1)",
                          massive, ">", 0.9)]
    for other in ("s2", "s3", "s4", "diplomacy"):
        checks.append(_mean_diff(f"militia + Iranian killed: S1 - {other}", _losses(s1),
                                 _losses(b.metrics(other))))
    return _result("C3", "002", "would almost certainly invite a massive U.S. military response "
                   "... Iran would likely suffer very heavy short-term losses",
                   "S1 posture vs every other posture", b, checks)


def c4(b: Batches) -> ClaimResult:
    """C4: scenario 1's violence presses the US to leave more than scenario 2."""
    t0 = b.config("baseline").initial.us_troops
    s1, s2 = b.metrics("s1"), b.metrics("s2")
    return _result("C4", "002", "the escalating violence would also put great political "
                   "pressure on the United States ... to leave", "S1 vs S2 posture", b, [
                       _prop_diff("P(US exit, binding law or troops halved): S1 - S2",
                                  _exit_or_forced(s1, t0), _exit_or_forced(s2, t0)),
                   ])


def c5(b: Batches) -> ClaimResult:
    """C5: scenario 2 is least likely to yield a US exit; no expulsion push without US strikes."""
    t0 = b.config("baseline").initial.us_troops
    s2 = _exit_or_forced(b.metrics("s2"), t0)
    checks = [_prop_diff(f"P(US exit or forced drawdown): S2 - {o}", s2,
                         _exit_or_forced(b.metrics(o), t0), "<", 0.0) for o in ("s1", "s3")]
    quiet = b.metrics("s2", NO_US_STRIKES)
    checks.append(_prop_check("P(limits or binding law | S2, US never strikes)",
                              quiet["limits_passed"], "<", 0.1))
    return _result("C5", "002", "less likely to include a full U.S. withdrawal ... Without strong "
                   "U.S. retaliation ... unlikely that there would be enough pressure",
                   "S2 vs the other military postures; S2 with US strikes priced out", b, checks)


def c6(b: Batches) -> ClaimResult:
    """C6: US response intensity S1 > S3 > S2.

    Intensity is what US strikes inflict (people killed by US strikes in Iraq and on Iran per
    run): the seed speaks of the strength of the response, and a US strike's size grows with
    the harm it answers. The number of strikes is reported alongside (S3 > S2 only: in S1 and
    S3 the US strikes about daily either way).
    """
    def intensity(m: Mapping[str, Arr]) -> Arr:
        return np.asarray(m["killed_by_us_strikes"], dtype=np.float64)

    def strikes(m: Mapping[str, Arr]) -> Arr:
        return np.asarray(m["us_strikes_iraq"] + m["us_strikes_iran"], dtype=np.float64)

    s1, s2, s3 = (b.metrics(p) for p in ("s1", "s2", "s3"))
    return _result("C6", "002", "likely to draw out a strong military response from the United "
                   "States, albeit less than if U.S. installations were overrun",
                   "killed by US strikes per run, by posture", b, [
                       _mean_diff("killed by US strikes: S1 - S3", intensity(s1), intensity(s3)),
                       _mean_diff("killed by US strikes: S3 - S2", intensity(s3), intensity(s2)),
                       _mean_diff("US strikes (count): S3 - S2", strikes(s3), strikes(s2)),
                   ])


def c7(b: Batches) -> ClaimResult:
    """C7: scenario 4 is least risky for Iran.

    Also: the US may sanction Iraq instead; a US exit lets ISIS grow; Iran pays for sanctions
    on Iraq.
    """
    s4 = b.metrics("s4")
    checks = []
    for o in MILITARY:
        m = b.metrics(o)
        checks.append(_mean_diff(f"militia + Iranian killed: S4 - {o}", _losses(s4), _losses(m),
                                 "<"))
    for o in ("s1", "s3"):
        checks.append(_prop_diff(f"P(all-out war): S4 - {o}", s4["all_out_war"],
                                 b.metrics(o)["all_out_war"], "<", 0.0))
    checks.append(_prop_diff("P(all-out war): S4 - s2 (non-inferiority, margin 0.02)",
                             s4["all_out_war"], b.metrics("s2")["all_out_war"], "<", 0.02))
    for o in ("s1", "s2", "s3", "diplomacy"):
        checks.append(_prop_diff(f"P(US sanctions Iraq): S4 - {o}", s4["iraq_sanctioned"],
                                 b.metrics(o)["iraq_sanctioned"]))
    left = b.metrics("baseline", FORCED_EXIT)
    stay = b.metrics("baseline")["isis_strength_final"]
    checks.append(_mean_diff("final ISIS strength: US leaves - baseline",
                             left["isis_strength_final"], stay))
    free = b.metrics("s4", SANCTION_IRAQ_FREE)
    never = b.metrics("s4", SANCTION_IRAQ_NEVER)
    checks.append(_mean_diff("Iran's economic cost under S4: Iraq sanctioned - never sanctioned",
                             free["iran_econ_cost"], never["iran_econ_cost"]))
    return _result("C7", "002", "the least risky for the Iranians ... the United States might "
                   "instead impose sanctions on Iraq ... Iran would also suffer",
                   "S4 vs the military postures; forced US exit; sanctions on Iraq on/off", b,
                   checks)


def c8(b: Batches) -> ClaimResult:
    """C8: all-out war is unlikely at baseline."""
    base = b.metrics("baseline")
    return _result("C8", "002", "Neither the U.S. nor Iranian governments want an all-out war",
                   "baseline", b, [_prop_check("P(all-out war within the year | baseline)",
                                               base["all_out_war"], "<", 0.05)])


def _forced(st: Stepper, *, iran: int | None = None, direct: bool = False, militia: Any = None,
            hold: bool = False, strike: int | None = None) -> Any:
    """Sample today's decisions, replacing some (``militia``: a tactic or one per group).

    ``hold``: the US neither strikes nor protects nor uses a policy instrument; ``strike``: it
    strikes that group; ``direct``: Iran fires its direct strike today. Parliament does not sit.
    """
    import dataclasses

    dec = st.sampled()
    r, m = st.replicates, len(st.P.militia.rows)
    change: dict[str, Any] = {"sitting": np.full(r, -1, dtype=np.int64),
                              "bloc_choice": np.full_like(dec.bloc_choice, -1)}
    if iran is not None:
        change["iran"] = np.full(r, iran, dtype=np.int64)
    if direct:
        change["iran_direct"] = np.zeros(r, dtype=np.int64)
    if militia is not None:
        rows = militia if isinstance(militia, (list, tuple)) else [militia] * m
        change["militia"] = np.array([np.full(r, a, dtype=np.int64) for a in rows])
    if hold:
        change.update(us_strike=np.full(r, -1, dtype=np.int64), us_strike_iran=np.zeros(r, dtype=bool),
                      us_protect=np.zeros(r, dtype=bool), us_policy=np.zeros_like(dec.us_policy))
    if strike is not None:
        change["us_strike"] = np.full(r, strike, dtype=np.int64)
    return dataclasses.replace(dec, **change)


def _force_direct_strike(st: Stepper) -> Arr:
    """Force day 0: Iran fires its direct strike, militias stand down, the US holds.

    The US acts the same day, before it knows. Returns US deaths of the strike per replicate.
    """
    st.begin_day()
    killed0 = st.world.counters.calibrated_us_killed.copy()
    st.advance(_forced(st, direct=True, militia=Tactic.STAND_DOWN, hold=True))
    return np.asarray(st.world.counters.calibrated_us_killed - killed0)


def c9(b: Batches, follow_days: int = 7) -> ClaimResult:
    """C9: the warned strike kills no Americans in most runs; without deaths, few US strikes."""
    st = b.stepper("baseline")
    killed = _force_direct_strike(st)
    struck = np.zeros(st.replicates, dtype=bool)
    for _ in range(follow_days):
        st.begin_day()
        dec = _forced(st, iran=Strategy.DIPLOMACY, militia=Tactic.STAND_DOWN)
        struck |= (dec.us_strike >= 0) | dec.us_strike_iran
        st.advance(dec)
    no_deaths = killed == 0
    return _result("C9", "002", "designed not to provoke a strong kinetic response ... did not "
                   "produce any American casualties",
                   f"baseline, Iran's direct strike forced on day 0, then {follow_days} quiet days "
                   "(militias stand down, Iran on the diplomacy track), US free", b, [
                       _prop_check("P(no US deaths | direct strike)", no_deaths, ">", 0.9),
                       _prop_check(f"P(US strikes within {follow_days} days | no deaths)",
                                   struck[no_deaths], "<", 0.2),
                   ], days=follow_days + 1)


def _audience_arm(b: Batches, overrides: Mapping[str, Any], side: str,
                  days: int) -> tuple[Arr, Arr]:
    """Force unanswered harm for ``days`` days; return audience cost and next-day response."""
    st = b.stepper("baseline", overrides)
    kh = [Tactic.ROCKET_BASE] + [Tactic.STAND_DOWN] * (len(st.P.militia.rows) - 1)
    for _ in range(days):
        st.begin_day()
        if side == "us":  # KH fires rockets every day, Iran stays on harassment, the US holds
            st.advance(_forced(st, iran=Strategy.PROXY_HARASSMENT, militia=kh, hold=True))
        else:  # the US strikes KH every day, Iran stays on diplomacy, militias stand down
            st.advance(_forced(st, iran=Strategy.DIPLOMACY, militia=Tactic.STAND_DOWN, strike=0))
    st.begin_day()
    pr = st.probabilities()
    if side == "us":
        return st.world.us_audience, pr["us"].strike + pr["us"].strike_iran
    military = list(MILITARY_STRATEGIES)
    return st.world.iran_audience, pr["iran"].reopen * pr["iran"].strategy[military].sum(axis=0)


def c10(b: Batches, days: int = 5) -> ClaimResult:
    """C10: unanswered attacks raise an actor's audience cost, hence its chance of responding."""
    checks = []
    for side, key in (("us", "actors.united_states.audience_gain"),
                      ("iran", "world.iran_audience_gain")):
        cost_on, p_on = _audience_arm(b, {}, side, days)
        cost_off, p_off = _audience_arm(b, {key: 0.0}, side, days)
        who = "US" if side == "us" else "Iran"
        checks.append(_mean_diff(f"{who} audience cost after {days} unanswered days: "
                                 "with - without audience mechanism", cost_on, cost_off))
        checks.append(_mean_diff(f"{who} chance of responding next day: with - without",
                                 p_on, p_off))
    return _result("C10", "002", "both sides must work to avoid paying a domestic political "
                   "price for looking weak", f"baseline, {days} days of forced unanswered harm; "
                   "audience gain as configured vs 0", b, checks, days=days + 1)


def c11(b: Batches) -> ClaimResult:
    """C11: ISIS grows when the US leaves or pauses; Iran ranks a US exit above ISIS risk."""
    base = b.metrics("baseline")
    left = b.metrics("baseline", FORCED_EXIT)
    paused = b.metrics("baseline", OPS_SUSPENDED)
    ir = b.config("baseline").actors.iran
    net = ir.pressure_weight * 1.0 - ir.isis_weight * left["isis_strength_final"]
    return _result("C11", "000", "A U.S. departure from Iraq would consolidate Iran's grip ... "
                   "potentially facilitating the resurgence of the so-called Islamic State",
                   "baseline vs forced US exit and vs operations suspended all year", b, [
                       _mean_diff("final ISIS strength: US leaves - baseline",
                                  left["isis_strength_final"], base["isis_strength_final"]),
                       _mean_diff("final ISIS strength: operations suspended - baseline",
                                  paused["isis_strength_final"], base["isis_strength_final"]),
                       _mean_check("Iran's value of a full US exit minus its ISIS cost at the "
                                   "ISIS level an exit brings", net, ">", 0.0),
                   ])


def c12(b: Batches) -> ClaimResult:
    """C12: sustained attacks move the US to force protection, pausing anti-ISIS operations."""
    s2, dip = b.metrics("s2"), b.metrics("diplomacy")
    return _result("C12", "000", "announced it would suspend anti-ISIS operations in Iraq and "
                   "concentrate on protecting coalition forces from continued rocket attacks",
                   "S2 (sustained harassment) vs the diplomacy posture", b, [
                       _mean_diff("militia attacks: S2 - diplomacy", s2["militia_attacks"],
                                  dip["militia_attacks"]),
                       _mean_diff("share of days with operations paused: S2 - diplomacy",
                                  s2["ops_paused_days"] / s2["days"],
                                  dip["ops_paused_days"] / dip["days"]),
                   ])


def c13(b: Batches, early_days: int = 30) -> ClaimResult:
    """C13: the resolution passes early; graded steps; the binding law is harder to pass."""
    base = b.metrics("baseline")
    early = b.metrics("baseline", days=early_days)
    return _result("C13", "000", "the CoR passed a resolution ... he has also proposed a plan to "
                   "limit U.S. operations in Iraq rather than expel U.S. forces outright",
                   "baseline", b, [
                       _prop_check(f"P(resolution passed within {early_days} days)",
                                   early["resolution_passed"], ">", 0.5),
                       _prop_diff("P(resolution) - P(binding law) within the year",
                                  base["resolution_passed"], base["binding_law_passed"]),
                       _prop_diff("P(limits) - P(binding law) within the year",
                                  base["limits_passed"], base["binding_law_passed"]),
                   ])


def c14(b: Batches, follow_days: int = 30) -> ClaimResult:
    """C14: after the warned strike Iran leans to political pressure rather than military acts.

    The strike reopens Iran's strategy choice; the next day's statistic is that choice's
    probabilities (political minus the three military strategies).
    """
    st = b.stepper("baseline")
    _force_direct_strike(st)
    st.begin_day()
    pr = st.probabilities()
    military = list(MILITARY_STRATEGIES)
    pol = Strategy.POLITICAL_PRESSURE
    lean = pr["iran"].strategy[pol] - pr["iran"].strategy[military].sum(axis=0)
    days_pol = np.zeros(st.replicates)
    days_mil = np.zeros(st.replicates)
    for _ in range(follow_days):
        dec = st.sampled()
        days_pol += dec.iran == pol
        days_mil += np.isin(dec.iran, military)
        st.advance(dec)
        st.begin_day()
    return _result("C14", "002", "This initial act of retaliation suggests that the main thrust "
                   "of Iran's response ... will be political rather than military",
                   f"baseline, direct strike forced on day 0, then {follow_days} free days", b, [
                       _mean_check("next day: P(political pressure) - P(military strategies)",
                                   lean, ">", 0.0),
                       _mean_check(f"share of the next {follow_days} days: political - military",
                                   (days_pol - days_mil) / follow_days, ">", 0.0),
                   ], days=follow_days + 1)


CLAIMS: dict[str, Callable[[Batches], ClaimResult]] = {
    "C1": c1, "C2": c2, "C3": c3, "C4": c4, "C5": c5, "C6": c6, "C7": c7,
    "C8": c8, "C9": c9, "C10": c10, "C11": c11, "C12": c12, "C13": c13, "C14": c14,
}


def run_claims(runs: int = 400, days: int = 365, master_seed: int = 2020,
               only: list[str] | None = None, config_dir: Path = CONFIG_DIR,
               base_overrides: Mapping[str, Any] | None = None) -> list[ClaimResult]:
    """Run the claims checks (all, or the ids in ``only``) on shared seeded batches."""
    b = Batches(runs=runs, days=days, master_seed=master_seed, config_dir=config_dir,
                base_overrides=base_overrides)
    ids = list(CLAIMS) if only is None else only
    return [CLAIMS[i](b) for i in ids]
