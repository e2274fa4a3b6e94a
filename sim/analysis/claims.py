"""Claims checks: the seeds' claims C1-C14 (MODEL_BRIEF) as effect sizes with negative controls.

Each claim (:data:`CLAIMS`) is stated as its seed states it (the passage is quoted, [000] or
[002]) and measured as one or two **effects** on what an observer could count (US drawdowns,
legal steps, strikes, deaths, days with operations paused, ISIS strength, ...), each with a 95%
confidence interval and a **threshold a reader would call substantive** (the reason is stated
beside it). An effect passes only when its whole interval lies on the required side of the
threshold; a claim passes when every effect passes.

Every claim has a **negative control**: a configuration under ``configs/controls/`` that switches
off the mechanism the seed names (e.g. the US does not retaliate; blocs ignore anger; Iran does
not warn). The same statistic is measured under the control, where the claim must **fail**: a
claim whose check also passes with its mechanism switched off could not have failed and is a
defect. A claim the model fails is reported as failed, never redefined.

Designs. Causal claims are controlled experiments on common random numbers: the two arms share
the run seeds ``seed_for(master, 0, i)`` and every draw is keyed on (seed, day, actor, purpose),
so replicate *i* of both arms sees the same luck until the cause changes its course. Their
effects are paired differences (Student t interval of the per-replicate differences; for a
binary outcome this is the paired difference of proportions), or ratios of paired means (delta
method). A single share uses the Wilson interval. Intervals are defined in
:mod:`sim.analysis.stats` (:func:`wilson`, :func:`mean_ci`) and here (:func:`ratio_ci`).
Experiments that force acts on given days (C9, C10, C14) drive :class:`sim.engines.stepper.Stepper`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

from sim.analysis.stats import CONF_LEVEL, mean_ci, wilson
from sim.config import (
    CONFIG_DIR,
    MILITARY_STRATEGIES,
    Config,
    Intervention,
    Strategy,
    Tactic,
    flatten,
    load_config,
    read_yaml,
)
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
SOURCES = {
    "000": "[000] IntelBrief, 6 Jan 2020",
    "002": "[002] Dagher & Kaltenthaler, 9 Jan 2020",
}
#: Where the negative controls live (relative to the config folder).
CONTROLS_DIR = "controls"
#: Iran's direct-strike code "do not fire today" (``sim.core.stages.iran.HOLD_FIRE``).
HOLD_FIRE = -2


# ------------------------------------------------------------------------------------------
# records


@dataclass
class Check:
    """One effect of a claim with its interval, the side it must lie on, and its threshold."""

    statistic: str
    estimate: float
    lo: float
    hi: float
    op: str  # '>' : the interval must lie above the threshold; '<' : below
    threshold: float
    why: str = ""  # why the threshold is substantive

    @property
    def passed(self) -> bool:
        """The whole interval lies on the required side of the threshold."""
        return bool(self.lo > self.threshold) if self.op == ">" else bool(self.hi < self.threshold)

    @property
    def interval(self) -> str:
        """The interval as text."""
        return f"[{_fmt(self.lo)}, {_fmt(self.hi)}]"

    @property
    def rule(self) -> str:
        """The pass rule as text."""
        return f"CI {self.op} {_fmt(self.threshold)}"

    @property
    def flip_z(self) -> float:
        """Distance of the verdict from flipping, in standard errors of the estimate.

        The check passes when ``estimate - 1.96 se`` clears the threshold (for '>'). Re-run on
        fresh seeds the estimate moves by about one standard error, so the verdict flips with
        probability about ``Phi(-flip_z)``: 3 means about 1 in 700.
        """
        se = (self.hi - self.lo) / (2.0 * _z())
        if not (se > 0.0 and math.isfinite(se)):
            return math.inf
        bound = self.lo if self.op == ">" else self.hi
        return abs(bound - self.threshold) / se


def _z() -> float:
    return float(sps.norm.ppf(0.5 + CONF_LEVEL / 2.0))


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
    """A claim's effects as configured and under its negative control."""

    claim: str
    source: str
    passage: str
    measure: str
    checks: list[Check] = field(default_factory=list)
    control: str = ""  # the control config's file name
    switched_off: str = ""  # what the control switches off
    control_checks: list[Check] = field(default_factory=list)
    runs: int = 0
    days: int = 0

    @property
    def passed(self) -> bool:
        """Every effect passes with the model as configured."""
        return all(c.passed for c in self.checks)

    @property
    def control_failed(self) -> bool:
        """At least one effect fails with the mechanism switched off (the claim could fail)."""
        return bool(self.control_checks) and not all(c.passed for c in self.control_checks)

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows for a table: one per effect, the control's value beside it."""
        out = []
        for i, c in enumerate(self.checks):
            k = self.control_checks[i] if i < len(self.control_checks) else None
            out.append({
                "claim": self.claim, "source": self.source, "passage": self.passage,
                "statistic": c.statistic, "estimate": c.estimate, "lo": c.lo, "hi": c.hi,
                "interval": c.interval, "threshold": c.rule, "why": c.why, "pass": c.passed,
                "flip_z": c.flip_z, "control": self.control, "switched_off": self.switched_off,
                "control_estimate": k.estimate if k else math.nan,
                "control_interval": k.interval if k else "",
                "control_pass": k.passed if k else None,
                "control_flip_z": k.flip_z if k else math.nan,
                "runs": self.runs, "days": self.days,
            })
        return out


# ------------------------------------------------------------------------------------------
# batches


class Batches:
    """Seeded ensemble batches, run once and cached, shared between claims.

    Args:
        runs: replicates per batch.
        days: run length of the posture and counterfactual batches.
        master_seed: master seed; replicate i of every batch uses ``seed_for(master, 0, i)``.
        config_dir: where ``baseline.yaml``, ``scenarios/`` and ``controls/`` live.
        base_overrides: dotted-path overrides applied to every batch first (a negative control,
            or fitted weights), before each claim's own counterfactual overrides.
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
        """Load a posture's config with the base overrides, then ``overrides``."""
        return load_config(self.config_dir / POSTURES[posture],
                           {**self.base_overrides, **dict(overrides or {})})

    def metrics(self, posture: str, overrides: Mapping[str, Any] | None = None,
                days: int | None = None) -> dict[str, Arr]:
        """End-state metrics of a batch (cached)."""
        d = int(days or self.days)
        key = (posture, repr(sorted((overrides or {}).items())), d)
        if key not in self._cache:
            res = run_ensemble(self.config(posture, overrides), self.seeds, d)
            self._cache[key] = dict(res.metrics)
        return dict(self._cache[key])

    def stepper(self, posture: str = "baseline",
                overrides: Mapping[str, Any] | None = None) -> Stepper:
        """A fresh :class:`~sim.engines.stepper.Stepper` on the batch seeds."""
        return Stepper.from_config(self.config(posture, overrides), self.seeds)

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """Cache any experiment's result under ``key`` (shared between claims)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


def control_overrides(name: str, config_dir: Path = CONFIG_DIR) -> dict[str, Any]:
    """A negative control's settings (``configs/controls/<name>.yaml``) as dotted overrides.

    The file ``extends`` the baseline so it runs on its own (``escalation run --config``); the
    claims apply its settings on top of every posture an experiment uses.
    """
    raw = read_yaml(Path(config_dir) / CONTROLS_DIR / name, "negative control")
    return flatten({k: v for k, v in raw.items() if k not in ("extends", "meta")})


# ------------------------------------------------------------------------------------------
# effects


def ratio_ci(a: Arr, b: Arr) -> tuple[float, float, float]:
    """Ratio of the means of paired samples with its delta-method (Fieller-free) t interval."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    mb = float(b.mean())
    if mb <= 0.0:
        return math.nan, math.nan, math.nan
    r = float(a.mean()) / mb
    _, lo, hi = mean_ci((a - r * b) / mb)
    return r, r + lo, r + hi


def share(name: str, x: Arr, op: str, threshold: float, why: str) -> Check:
    """A share with its Wilson interval."""
    p, lo, hi = wilson(float(np.sum(x)), len(x))
    return Check(name, p, lo, hi, op, threshold, why)


def paired(name: str, a: Arr, b: Arr, op: str, threshold: float, why: str) -> Check:
    """Mean of the per-replicate differences ``a - b`` (paired arms) with its t interval."""
    m, lo, hi = mean_ci(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
    return Check(name, m, lo, hi, op, threshold, why)


def ratio(name: str, a: Arr, b: Arr, op: str, threshold: float, why: str) -> Check:
    """Ratio of paired means ``mean(a) / mean(b)`` with its delta-method interval."""
    r, lo, hi = ratio_ci(a, b)
    return Check(name, r, lo, hi, op, threshold, why)


# ------------------------------------------------------------------------------------------
# observables


def _losses(m: Mapping[str, Arr]) -> Arr:
    """Iran's side's dead: militia members and Iranians."""
    return np.asarray(m["militia_killed"] + m["iranian_killed"], dtype=np.float64)


def _us_leaves(m: Mapping[str, Arr]) -> Arr:
    """The US announces a unilateral drawdown or its troops fall below the exit threshold."""
    return np.asarray((m["drawdowns"] > 0) | m["us_exit"])


def _beyond_resolution(m: Mapping[str, Arr]) -> Arr:
    """Parliament passed limits on US operations or a binding expulsion law."""
    return np.asarray(m["limits_passed"])


def _strikes(m: Mapping[str, Arr]) -> Arr:
    return np.asarray(m["us_strikes_iraq"] + m["us_strikes_iran"], dtype=np.float64)


def _more_attacks(b: Batches) -> dict[str, Any]:
    """Every group's base attack rate times e (log rate + 1): the militias attack more."""
    rows = b.config("baseline").actors.militias
    return {f"actors.militias.{i}.base_rate": min(m.base_rate * math.e, 10.0) for i, m in enumerate(rows)}


#: US strikes on militias made cheap / dear (fixed cost against holding), under S2's steady attacks.
MORE_US_STRIKES = {"actors.united_states.costs.strike_militias": 0.3}
FEWER_US_STRIKES = {"actors.united_states.costs.strike_militias": 3.0}
#: A US exit forced on every run: drawdowns free and strongly wanted.
FORCED_EXIT = {"actors.united_states.costs.drawdown": 0.0, "actors.united_states.drawdown_weight": 20.0}


def _decide(st: Stepper, **change: Any) -> Any:
    """Today's sampled decisions with some fields replaced."""
    return dataclasses.replace(st.sampled(), **change)


# ------------------------------------------------------------------------------------------
# the claims: each returns its effects on one set of batches (as configured, or a control)


def c1(b: Batches) -> list[Check]:
    """C1: more militia attacks -> more pressure on the US presence (US drawdowns, exit)."""
    base, more = b.metrics("baseline"), b.metrics("baseline", _more_attacks(b))
    return [paired("P(US drawdown or exit within the year): militias attack more - baseline",
                   _us_leaves(more), _us_leaves(base), ">", 0.10,
                   "one run in ten more ends with US troops leaving: a pressure a reader would notice")]


def c2(b: Batches) -> list[Check]:
    """C2: US strikes in Iraq stoke anger and the chance of further legal steps against the US."""
    more, fewer = b.metrics("s2", MORE_US_STRIKES), b.metrics("s2", FEWER_US_STRIKES)
    return [paired("P(parliament passes limits or a binding law): more US strikes - fewer (S2)",
                   _beyond_resolution(more), _beyond_resolution(fewer), ">", 0.10,
                   "a binding step in one run in ten more: the legal efforts the seed expects")]


def c3(b: Batches) -> list[Check]:
    """C3: S1 almost certainly invites a massive US response; Iran's side suffers most."""
    s1, s3 = b.metrics("s1"), b.metrics("s3")
    massive = (s1["us_strikes_iraq"] >= 12) | (s1["us_strikes_iran"] >= 1)
    return [
        share("P(massive US response | S1): >= 12 strike days in Iraq or any on Iran", massive, ">", 0.9,
              "'almost certainly'; 12 strike days a year is three times the record's 2 in six months"),
        ratio("Iran's side killed (militia + Iranian): S1 / S3", _losses(s1), _losses(s3), ">", 1.25,
              "'very heavy' losses: at least a quarter more than the next most violent posture"),
    ]


def c4(b: Batches) -> list[Check]:
    """C4: S1's violence presses the US to leave more than S2."""
    s1, s2 = b.metrics("s1"), b.metrics("s2")
    return [paired("P(US drawdown or exit within the year): S1 - S2", _us_leaves(s1), _us_leaves(s2),
                   ">", 0.20, "'great political pressure' to leave: one run in five more")]


def c5(b: Batches) -> list[Check]:
    """C5: without strong US retaliation (S2) there is not enough pressure inside Iraq."""
    s1, s2 = b.metrics("s1"), b.metrics("s2")
    return [paired("P(parliament passes limits or a binding law): S1 - S2", _beyond_resolution(s1),
                   _beyond_resolution(s2), ">", 0.10,
                   "S2's pressure inside Iraq short by a binding step in one run in ten")]


def c6(b: Batches) -> list[Check]:
    """C6: US response strength S1 > S3 > S2 (strike days in Iraq and on Iran)."""
    s1, s2, s3 = (b.metrics(p) for p in ("s1", "s2", "s3"))
    why = "3 strike days a year: more than the record's 2 strike episodes in six months"
    return [
        paired("US strike days (Iraq + Iran): S1 - S3", _strikes(s1), _strikes(s3), ">", 3.0, why),
        paired("US strike days (Iraq + Iran): S3 - S2", _strikes(s3), _strikes(s2), ">", 3.0, why),
    ]


def c7(b: Batches) -> list[Check]:
    """C7: S4 is the least risky for Iran: its side's losses below the mildest military posture's."""
    s4, s2 = b.metrics("s4"), b.metrics("s2")
    return [ratio("Iran's side killed (militia + Iranian): S4 / S2", _losses(s4), _losses(s2), "<", 0.8,
                  "'least risky': at least a fifth fewer dead than going through the motions")]


def c8(b: Batches) -> list[Check]:
    """C8: neither government wants all-out war: they rarely strike each other's territory."""
    base = b.metrics("baseline")
    return [share("P(US strike on Iran proper within the year | baseline)", base["us_strikes_iran"] > 0,
                  "<", 0.10, "a strike on Iran proper is the step to all-out war; in one run in ten at most")]


def _direct_strike_response(b: Batches, follow: int) -> Arr:
    """Iran's direct strike forced on day 0 (warned with its strategy's chance), then free days.

    Returns whether the US struck Iran proper within ``follow`` days, per replicate.
    """
    st = b.stepper("baseline")
    r = st.replicates
    st.begin_day()
    st.advance(_decide(st, iran_direct=np.zeros(r, dtype=np.int64)))
    struck = np.zeros(r, dtype=bool)
    for _ in range(follow):
        st.begin_day()
        dec = st.sampled()
        struck |= np.asarray(dec.us_strike_iran, dtype=bool)
        st.advance(dec)
    return struck


def c9(b: Batches, follow: int = 14) -> list[Check]:
    """C9: the warned strike is designed not to provoke a strong kinetic response."""
    struck = b.memo(("c9", follow), lambda: _direct_strike_response(b, follow))
    return [share(f"P(US strikes Iran proper within {follow} days of Iran's direct strike)", struck, "<", 0.10,
                  "'not ... a strong kinetic response': a US strike on Iran in one run in ten at most")]


def _test_attack(b: Batches, prior: bool, wait: int, after: int) -> Arr:
    """KH fires rockets at a base on days 0-4 (``prior``) or not, the US holds; ``wait`` quiet days;
    then one KH rocket attack with the US free. Returns whether the US strikes within ``after`` days.

    Militias and Iran are held (no other attacks, no direct strike) so only the history differs.
    """
    st = b.stepper("baseline")
    r, m = st.replicates, len(st.P.militia.rows)
    hold_iran = {"iran_direct": np.full(r, HOLD_FIRE, dtype=np.int64),
                 "iran": np.full(r, int(Strategy.PROXY_HARASSMENT), dtype=np.int64)}
    for day in range(5 + wait):
        st.begin_day()
        mil = np.zeros((m, r), dtype=np.int64)
        if prior and day < 5:
            mil[0] = int(Tactic.ROCKET_BASE)
        dec = st.sampled()
        st.advance(dataclasses.replace(
            dec, militia=mil, us_strike=np.full(r, -1, dtype=np.int64), us_strike_iran=np.zeros(r, dtype=bool),
            us_protect=np.zeros(r, dtype=bool), us_policy=np.zeros_like(dec.us_policy), **hold_iran))
    struck = np.zeros(r, dtype=bool)
    for day in range(after + 1):
        st.begin_day()
        mil = np.zeros((m, r), dtype=np.int64)
        if day == 0:
            mil[0] = int(Tactic.ROCKET_BASE)
        dec = _decide(st, militia=mil, **hold_iran)
        struck |= np.asarray(dec.us_strike) >= 0
        st.advance(dec)
    return struck


def c10(b: Batches, wait: int = 10, after: int = 3) -> list[Check]:
    """C10: the price of looking weak: unanswered attacks make the US answer the next one."""
    a = b.memo(("c10", True, wait, after), lambda: _test_attack(b, True, wait, after))
    c = b.memo(("c10", False, wait, after), lambda: _test_attack(b, False, wait, after))
    return [paired(f"P(US strike within {after} days of a rocket attack): after 5 unanswered attacks "
                   f"{wait} days earlier - after none", a, c, ">", 0.10,
                   "one test attack in ten answered only because earlier ones went unanswered")]


def c11(b: Batches) -> list[Check]:
    """C11: a US departure lets ISIS resurge."""
    base, left = b.metrics("baseline"), b.metrics("baseline", FORCED_EXIT)
    return [paired("ISIS strength at year end (0..1): US forced out - baseline", left["isis_strength_final"],
                   base["isis_strength_final"], ">", 0.10,
                   "a resurgence: 0.1 is 40% of ISIS's strength on 3 January (0.25)")]


def c12(b: Batches) -> list[Check]:
    """C12: sustained attacks suspend anti-ISIS operations for force protection."""
    base, more = b.metrics("baseline"), b.metrics("baseline", _more_attacks(b))
    return [paired("days with anti-ISIS operations paused: militias attack more - baseline",
                   more["ops_paused_days"], base["ops_paused_days"], ">", 14.0,
                   "two more weeks of suspended operations a year (the 5 Jan pause lasted ~6 weeks)")]


def _sitting_day0(b: Batches, legal: int) -> dict[str, Arr]:
    """One day from the baseline with the legal status at ``legal`` and parliament made to sit on
    the US presence (an intervention; the blocs vote freely): the next step is put to the vote.
    """
    cfg = b.config("baseline", {"initial.legal_status": legal})
    cfg = cfg.model_copy(update={"interventions": [Intervention(day=0, actor="Parliament", act="sit")]})
    return dict(run_ensemble(cfg, b.seeds, 1).metrics)


def c13(b: Batches) -> list[Check]:
    """C13: graded legal steps: the same parliament on the same day passes a resolution more
    readily than a binding law.
    """
    res = b.memo(("c13", 0), lambda: _sitting_day0(b, 0))
    law = b.memo(("c13", 2), lambda: _sitting_day0(b, 2))
    return [paired("P(a sitting on day 0 passes its motion): resolution - binding law",
                   res["resolution_passed"], law["binding_law_passed"], ">", 0.20,
                   "the binding law fails in one sitting in five that would pass the resolution")]


def _lean_after_strike(b: Batches, follow: int, fire: bool) -> Arr:
    """Iran's direct strike forced on day 0 (``fire``) or held every day, then free days: the share
    of days on political pressure or diplomacy minus the share on the military strategies, per
    replicate (the same seeds in both arms).
    """
    st = b.stepper("baseline")
    r = st.replicates
    hold = np.full(r, HOLD_FIRE, dtype=np.int64)
    st.begin_day()
    st.advance(_decide(st, iran_direct=np.zeros(r, dtype=np.int64) if fire else hold))
    lean = np.zeros(r)
    military = [int(s) for s in MILITARY_STRATEGIES]
    for _ in range(follow):
        st.begin_day()
        dec = st.sampled() if fire else _decide(st, iran_direct=hold)
        lean += np.where(np.isin(dec.iran, military), -1.0, 1.0)
        st.advance(dec)
    return lean / follow


def c14(b: Batches, follow: int = 30) -> list[Check]:
    """C14: after the warned strike Iran's main thrust is political rather than military, and it
    is the strike (placating the revenge demand) that turns it so.
    """
    fired = b.memo(("c14", follow, True), lambda: _lean_after_strike(b, follow, True))
    held = b.memo(("c14", follow, False), lambda: _lean_after_strike(b, follow, False))
    m, lo, hi = mean_ci(fired)
    return [
        Check(f"share of the {follow} days after Iran's direct strike: political - military strategy",
              m, lo, hi, ">", 0.5, "'main thrust': political on at least three days in four"),
        paired(f"that lean: direct strike on day 0 - strike held for {follow} days", fired, held, ">", 0.2,
               "the act itself moves at least one day in ten from a military to a political strategy"),
    ]


@dataclass(frozen=True)
class Claim:
    """A claim: its seed passage, how it is measured, and its negative control."""

    id: str
    src: str
    passage: str
    measure: str
    effects: Callable[[Batches], list[Check]]
    control: str  # file in configs/controls/
    switched_off: str
    #: batch size as a multiple of the shipped N: a share near its threshold needs more runs for a
    #: verdict that does not flip on fresh seeds (see docs/validation.md, "Stability")
    runs_factor: int = 1


CLAIMS: dict[str, Claim] = {c.id: c for c in (
    Claim("C1", "002", "Doing so shows resolve ... and, most importantly, it puts political pressure on the "
          "U.S. presence in Iraq.",
          "baseline vs every militia's base attack rate x e, paired seeds", c1,
          "us_ignores_pressure_to_leave.yaml", "the US drawdown payoff ignores casualties, anger and tension"),
    Claim("C2", "002", "If the United States takes further action targeting Iranian or Iranian-aligned Iraqi "
          "targets in Iraq, this will stoke anger inside Iraq ... it is possible that more binding legal "
          "efforts could follow.",
          "S2 posture, US strike cost 0.3 (more strikes) vs 3.0 (fewer), paired seeds", c2,
          "blocs_ignore_anger.yaml", "parliament's blocs ignore anti-US anger"),
    Claim("C3", "002", "such a scenario would almost certainly invite a massive U.S. military response ... and "
          "possibly targets in Iran ... Iran would likely suffer very heavy short-term losses",
          "S1 posture; S1 vs S3, paired seeds", c3,
          "us_no_retaliation.yaml", "US strikes do not answer harm (retaliation weight 0)"),
    Claim("C4", "002", "the escalating violence would also put great political pressure on the United States "
          "from Iraqis demanding that the United States leave the country",
          "S1 vs S2 posture, paired seeds", c4,
          "us_ignores_pressure_to_leave.yaml", "the US drawdown payoff ignores casualties, anger and tension"),
    Claim("C5", "002", "Without strong U.S. retaliation within the country, it is unlikely that there would "
          "be enough pressure within Iraq to remove the U.S. presence there.",
          "S1 (strong US retaliation) vs S2 posture, paired seeds", c5,
          "strikes_stoke_no_anger.yaml", "US strikes on Iraqi soil stoke no anger and put nothing on "
          "parliament's agenda"),
    Claim("C6", "002", "likely to draw out a strong military response from the United States, albeit less "
          "than if U.S. installations were overrun",
          "S1, S3, S2 postures, paired seeds", c6,
          "us_no_retaliation.yaml", "US strikes do not answer harm (retaliation weight 0)"),
    Claim("C7", "002", "This politically-focused strategy would be the least risky for the Iranians, as it "
          "would be difficult for the U.S. government to justify attacks on Iraqi Shia militia allies ... "
          "as a result of political pressure",
          "S4 vs S2 posture, paired seeds", c7,
          "us_strikes_unprovoked.yaml", "US strikes need no provocation: the strike payoff reads neither "
          "harm, audience cost, war risk, sovereignty nor the Dialogue, and strikes do not scale with the threat"),
    Claim("C8", "002", "Neither the U.S. nor Iranian governments want an all-out war between their countries.",
          "baseline", c8,
          "no_war_aversion.yaml", "neither side weighs the risk of war (Iran's war weight, the US's war "
          "avoidance 0)", runs_factor=12),
    Claim("C9", "002", "The missile attack was intended to show Iranian resolve, while at the same time "
          "designed not to provoke a strong kinetic response from the United States. ... Iran told the "
          "Iraqi government that the missiles were coming",
          "baseline, Iran's direct strike forced on day 0, then free days", c9,
          "iran_does_not_warn.yaml", "Iran never warns before its direct strike", runs_factor=4),
    Claim("C10", "002", "both sides must work to avoid paying a domestic political price for looking weak in "
          "the face of their adversary",
          "baseline, KH rockets on days 0-4 with the US held (or none), 10 quiet days, one test attack", c10,
          "us_ignores_audience_cost.yaml", "the US ignores its audience cost (audience weight 0)", runs_factor=2),
    Claim("C11", "000", "A U.S. departure from Iraq would consolidate Iran's grip on Iraq, while also "
          "potentially facilitating the resurgence of the so-called Islamic State.",
          "baseline vs a US exit forced by free and wanted drawdowns, paired seeds", c11,
          "isis_ignores_us_operations.yaml", "US-backed operations do not suppress ISIS"),
    Claim("C12", "000", "the U.S.-led anti-ISIS coalition ... announced it would suspend anti-ISIS operations "
          "in Iraq and concentrate on protecting coalition forces from continued rocket attacks",
          "baseline vs every militia's base attack rate x e, paired seeds", c12,
          "us_ignores_threat.yaml", "force protection ignores the threat of attacks (protection weight 0)"),
    Claim("C13", "000", "On January 5, Iraq's Council of Representatives (CoR) passed a resolution ... he has "
          "also proposed a plan to limit U.S. operations in Iraq rather than expel U.S. forces outright",
          "S2 posture with many US strikes (the strongest push toward binding steps)", c13,
          "equal_hurdles.yaml", "every legal step is as easy to pass as the resolution (same hurdle, "
          "simple majority)"),
    Claim("C14", "002", "This initial act of retaliation suggests that the main thrust of Iran's response to "
          "the U.S. attack on Soleimani will be political rather than military.",
          "baseline, Iran's direct strike forced on day 0 (or held every day), then 30 free days, paired seeds", c14,
          "strike_concludes_nothing.yaml", "the direct strike neither placates the revenge demand nor "
          "reopens Iran's choice of strategy"),
)}


#: Standing notes for the validation page: parts of the seeds' claims not measured, and why.
NOTES: tuple[str, ...] = (
    "C1 fails: making every militia attack e times more often (2.5 times the attacks, about twice the US "
    "deaths) raises the chance of a US drawdown or exit within the year by less than the 0.10 threshold "
    "(the table gives the estimate). "
    "In the model the US drawdown payoff answers deaths, anger and tension with a weight (0.5) that few "
    "extra deaths carry over the drawdown's fixed cost; the claim is reported as failed, not redefined.",
    "C8: the all-out war flag itself never rises in these batches (P = 0 at baseline and under every posture, "
    "and still 0 with both sides' war aversion switched off: tension never reaches the war threshold), so "
    "P(all-out war) could not fail; the claim is measured on the step toward war a government controls, a US "
    "strike on Iran proper.",
    "C7: only the first sentence (least risky for Iran) is measured. 'The United States might instead impose "
    "sanctions on Iraq' and 'Iran would also suffer from U.S. sanctions against Iraq' are not: the first "
    "has no mechanism that a control could switch off without reading the sanctions rule back, the second is "
    "a term of Iran's economic cost (a formula, not an observable).",
    "C10: the US side is measured (an observable US strike); Iran's side would need Iran's strategy, which an "
    "observer sees only through its proxies' attacks.",
    "C11: the second half (Iran's leaders 'are willing to risk an ISIS resurgence') is a ranking of Iran's "
    "payoff weights and is not measured: reading it back would be the formula, not the model's behaviour.",
    "C13: the prime minister's preference for limits over expulsion (the executive's revoke vs demand "
    "payoffs) is not measured; the grading of parliament's steps is.",
    "C14 has two effects: the lean itself, and the lean with the strike minus the lean with the strike held. "
    "The second was added when the merge of the issue 11 model (a leadership killing reopens Iran's choice "
    "on day 0) left the lean above 0.5 even with the strike's placation switched off: the absolute lean "
    "alone no longer showed the mechanism the passage names. Both are reported.",
    "C14 is measured on Iran's chosen strategy (the brief's 'Iran's baseline choice'), which the model "
    "records; an observer would infer it from the militias' tempo and Iran's political moves.",
)


def evaluate(claim: Claim, b: Batches, control: Batches) -> ClaimResult:
    """One claim's effects as configured (``b``) and under its negative control (``control``)."""
    return ClaimResult(claim.id, SOURCES[claim.src], claim.passage, claim.measure,
                       claim.effects(b), claim.control, claim.switched_off, claim.effects(control),
                       b.runs, b.days)


def run_claims(runs: int = 400, days: int = 365, master_seed: int = 2020,
               only: list[str] | None = None, config_dir: Path = CONFIG_DIR,
               base_overrides: Mapping[str, Any] | None = None,
               progress: Callable[[str], None] | None = None) -> list[ClaimResult]:
    """Run the claims (all, or the ids in ``only``) and their negative controls on shared batches.

    ``runs`` is the shipped batch size N; a claim with ``runs_factor`` k uses k*N runs (the first N
    of them the same seeds as everyone's). Batches are shared by every claim that uses the same
    configuration and size; each control's batches by the claims that name it.
    """
    base = dict(base_overrides or {})
    pool: dict[tuple[str, int], Batches] = {}

    def batches(control: str, n: int) -> Batches:
        if (control, n) not in pool:
            extra = control_overrides(control, config_dir) if control else {}
            pool[(control, n)] = Batches(runs=n, days=days, master_seed=master_seed, config_dir=config_dir,
                                         base_overrides={**base, **extra})
        return pool[(control, n)]

    out = []
    for cid in (list(CLAIMS) if only is None else only):
        claim = CLAIMS[cid]
        n = int(runs) * claim.runs_factor
        out.append(evaluate(claim, batches("", n), batches(claim.control, n)))
        if progress is not None:
            progress(cid)
    return out
