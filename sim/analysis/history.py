"""Replay: drive the model through the actual December 2019 - January 2020 sequence and score it.

This module owns :func:`replay`, which reads a config's ``history`` section (events, quiet days,
fills), forces the recorded acts through the ensemble's own day loop
(:class:`sim.engines.stepper.Stepper`: the actors' probabilities, the staged transition; the
config's ``exogenous:`` shocks, e.g. the 3 January strike, applied by the engine) and records, day
by day, the probability the rules gave each recorded act; :func:`log_likelihood` sums them and
:func:`rescore` scores the same path under other weights.

How acts are scored (each from the actors' own probabilities that day):
- Iran's strategy ``s``: it held ``s`` and did not reopen its choice, or reopened and chose ``s``;
  its direct strike on day T: the chance that a commitment on some day c (not before the killing
  awaited an answer) with a preparation lead of T - c days lands on T;
- a militia's tactic: the chance it attacks times the tactic's share; standing down: not attacking;
- a US act: a strike on the recorded group, on Iran, force protection, or a policy instrument at a
  review; ``hold``: none of these;
- a sitting of parliament: the chance a bloc leader had asked for one by then, the speaker schedules
  it, and it passes (the exact pass probability over the blocs' choices).

How the acts nobody recorded are filled (documented in ``configs/history_dec2019.yaml``): an actor
with an event that day is forced to it; otherwise an actor under ``quiet`` is forced to its quiet
act (scored: the record shows it did nothing notable); otherwise an actor under ``fill`` is forced
to that act or to its ``modal`` choice (not scored); every other militia stands down, Iran holds its
strategy, the US and the executive do nothing and parliament does not sit (not scored). Declared
casualties (``us_killed``/``us_wounded``) replace the random draw for that act.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from agents import Parliament
from sim.analysis.history_check import IRAN, PARLIAMENT, US, check_history
from sim.config import (
    LEGAL_STEPS,
    STRATEGIES,
    TACTICS,
    US_MILITARY,
    US_POLICIES,
    BlocChoice,
    Config,
    ConfigError,
    HistoryEvent,
    Motion,
    Tactic,
)
from sim.core import draws as D
from sim.core import voting
from sim.core.params import Params
from sim.core.state import World
from sim.core.transition import Decisions, Declared
from sim.engines.stepper import Stepper

Arr = npt.NDArray[Any]

#: Probabilities below this are floored before taking logs (an impossible choice scores -27.6).
PROB_FLOOR = 1.0e-12

Snapshot = tuple[World, dict[str, dict[str, Arr]]]


@dataclass
class Step:
    """The probability the rules gave one recorded act on one day."""

    day: int
    date: dt.date
    actor: str
    action: str
    kind: str  # 'event' (a recorded act) or 'quiet' (a recorded non-act)
    prob: float  # mean over replicates
    log_prob: float  # log of ``prob`` (floored at PROB_FLOOR)
    modal: str  # the act the rules found most likely that day
    note: str = ""


@dataclass(frozen=True)
class Trace:
    """What a step scored: the snapshots it reads (a day, or the days a process spans) and the act."""

    snaps: tuple[int, ...]
    what: str  # iran_strategy | iran_direct | militia | us | parliament
    code: int
    group: int = -1


@dataclass
class ReplayResult:
    """A scored replay: each step, and per-replicate log-probabilities for the likelihood."""

    steps: list[Step]
    step_logp: Arr  # (n_steps, R) per-replicate log-probability of each step
    world: World
    shocks_applied: list[str] = field(default_factory=list)
    trace: list[Trace] = field(default_factory=list)
    #: the world and actors' beliefs at the start of every replayed day (for :func:`rescore`)
    snapshots: list[Snapshot] = field(default_factory=list)

    @property
    def log_likelihood(self) -> float:
        """Log of the path's probability, averaged over the replicates' random outcomes."""
        return log_likelihood(self)


def log_likelihood(result: ReplayResult, kinds: tuple[str, ...] = ("event", "quiet")) -> float:
    """Sum of log-probabilities of the recorded acts (log-mean-exp over replicates).

    Each replicate's path probability is the product of its step probabilities; the path's
    likelihood is their mean (the model's random casualty and side-effect draws integrated out).
    """
    mask = np.array([s.kind in kinds for s in result.steps], dtype=bool)
    if not mask.any():
        return 0.0
    per_rep = result.step_logp[mask].sum(axis=0)
    top = float(per_rep.max())
    return top + math.log(float(np.mean(np.exp(per_rep - top))))


# ------------------------------------------------------------------------------------------
# probabilities of recorded acts


def _us_hold(pr: Any) -> Arr:
    no_policy = np.prod(1.0 - pr.policy, axis=0)
    return np.asarray((1.0 - pr.strike) * (1.0 - pr.strike_iran) * (1.0 - pr.protect)
                      * (1.0 - pr.review * (1.0 - no_policy)))


def _lead_pmf(P: Params, k: int) -> Any:
    d = P.iran.direct
    if k < d.lead_min:
        return 0.0
    q = np.asarray(d.lead_mean) / (1.0 + np.asarray(d.lead_mean))
    return (1.0 - q) * q ** (k - d.lead_min)


def _score(st: Stepper, probs: list[dict[str, Any]], t: Trace, memo: dict[bytes, Arr] | None) -> tuple[Arr, str]:
    """The probability of one recorded act (per replicate) and the rules' modal act that day."""
    pr = probs[-1]
    w = st.world
    if t.what == "iran_strategy":
        ip = pr["iran"]
        p = np.where(w.iran_strategy == t.code, 1.0 - ip.reopen, 0.0) + ip.reopen * ip.strategy[t.code]
        return p, STRATEGIES[int(np.bincount(np.argmax(ip.strategy, axis=0)).argmax())]
    if t.what == "iran_direct":
        T = len(probs) - 1
        waited = np.ones_like(pr["iran"].commit)
        p = np.zeros_like(waited)
        for c, day in enumerate(probs):
            commit = day["iran"].commit
            p = p + waited * commit * _lead_pmf(st.P, T - c)
            waited = waited * (1.0 - commit)
        return p, "direct_strike" if float(p.mean()) > 0.5 else "no strike"
    if t.what == "militia":
        mp = pr["militias"]
        attack = mp.attack[t.group]
        p = (1.0 - attack) if t.code == Tactic.STAND_DOWN else attack * mp.tactic[t.code - 1, t.group]
        return p, "attack" if float(attack.mean()) > 0.5 else "stand_down"
    if t.what == "us":
        up = pr["us"]
        acts = {"strike_militias": up.strike * (up.target == t.group), "strike_iran": up.strike_iran,
                "force_protection": up.protect, "hold": _us_hold(up)}
        name = (*US_MILITARY, *US_POLICIES, "hold")[t.code]
        p = acts[name] if name in acts else up.review * up.policy[US_POLICIES.index(name)]
        return np.asarray(p), "hold" if float(_us_hold(up).mean()) > 0.5 else "act"
    # parliament: a request by now, scheduled today, and the sitting passes
    pp = pr["parliament"]
    asked = 1.0 - np.prod([1.0 - day["parliament"].request for day in probs[:-1]], axis=0) if len(probs) > 1 \
        else np.zeros_like(pp.session)
    asked = np.where(w.sitting_requested, 1.0, asked)
    parliament = cast(Parliament, st.actors["parliament"])
    key = pp.bloc.tobytes() + pp.level.tobytes() + repr(st.P.parliament).encode()
    passed = memo.get(key) if memo is not None else None
    if passed is None:
        passed = parliament.pass_probability(pp)
        if memo is not None:
            memo[key] = passed
    modal = "sit" if float(asked.mean()) > 0.5 else "no sitting"
    return asked * np.asarray(st.P.parliament.schedule_prob) * passed, modal


def _step(day: int, date: dt.date, actor: str, action: str, kind: str, p: Arr, modal: str,
          note: str) -> tuple[Step, Arr]:
    p = np.asarray(p, dtype=np.float64)
    pm = float(p.mean())
    return (Step(day, date, actor, action, kind, pm, math.log(max(pm, PROB_FLOOR)), modal, note),
            np.log(np.maximum(p, PROB_FLOOR)))


def rescore(result: ReplayResult, cfg: Config, memo: dict[bytes, Arr] | None = None) -> ReplayResult:
    """Score a replay's recorded acts again under another config's weights.

    The replayed world is reused, so this is exact only for parameters that do not change the
    forced path (payoff weights and costs; :mod:`sim.analysis.calibration` checks this). ``memo``
    (a dict kept by the caller) caches parliament's exact pass probabilities.
    """
    st = Stepper.from_config(cfg, np.zeros(result.step_logp.shape[1], dtype=np.uint64))
    cache: dict[int, dict[str, Any]] = {}

    def probs_at(i: int) -> dict[str, Any]:
        if i not in cache:
            st.restore(result.snapshots[i])
            cache[i] = st.probabilities()
        return cache[i]

    steps, logps = [], []
    for old, t in zip(result.steps, result.trace, strict=True):
        probs = [probs_at(i) for i in t.snaps]
        st.restore(result.snapshots[t.snaps[-1]])
        p, modal = _score(st, probs, t, memo)
        step, lp = _step(old.day, old.date, old.actor, old.action, old.kind, p, modal, old.note)
        steps.append(step)
        logps.append(lp)
    return dataclasses.replace(result, steps=steps, step_logp=np.stack(logps))


# ------------------------------------------------------------------------------------------
# forcing the record


def _force_passing_votes(bloc: Arr, level: Arr, P: Params) -> Arr:
    """Bloc choices for a sitting recorded as passing: each bloc's modal choice, then blocs in order
    of their chance of voting yes switched to yes until the motion passes.
    """
    pp = P.parliament
    choice = np.argmax(bloc, axis=0)  # (B, R)
    order = np.argsort(-bloc[BlocChoice.YES], axis=0, kind="stable")
    for k in range(choice.shape[0] + 1):
        present, yes = voting.tally(list(choice), pp.seats, pp.cohesion)
        ok = voting.motion_passes(present, yes, quorum=pp.quorum, absolute=voting.needs_absolute_majority(pp, level),
                                  total_seats=pp.total_seats)
        if ok.all() or k == choice.shape[0]:
            break
        cols = np.arange(choice.shape[1])
        idx = order[k]
        choice[idx, cols] = np.where(ok, choice[idx, cols], BlocChoice.YES)
    return choice


def _declared(today: dict[str, HistoryEvent], names: list[str]) -> Declared:
    """The US casualties the record gives for today's acts (they replace the random draws)."""
    def given(e: HistoryEvent | None) -> tuple[float, float] | None:
        if e is None or (e.us_killed is None and e.us_wounded is None):
            return None
        return float(e.us_killed or 0), float(e.us_wounded or 0)

    militia = {m: c for m, name in enumerate(names) if (c := given(today.get(name))) is not None}
    iran = today.get(IRAN)
    direct = given(iran) if iran is not None and iran.action == "direct_strike" else None
    return Declared(militia=militia, direct=direct)


class _Replay:
    """One replay in progress: the stepper, the history, and the steps scored so far."""

    def __init__(self, cfg: Config, replicates: int, master_seed: int) -> None:
        self.h = check_history(cfg)
        self.start = cfg.meta.start_date
        self.st = Stepper.from_config(cfg, [D.seed_for(master_seed, 0, i) for i in range(replicates)])
        self.r = self.st.replicates
        self.names = [m.name for m in cfg.actors.militias]
        self.steps: list[Step] = []
        self.logps: list[Arr] = []
        self.trace: list[Trace] = []
        self.snapshots: list[Snapshot] = []
        self.daily: list[dict[str, Any]] = []  # every day's probabilities
        self.applied: list[str] = []
        self.demand_from: int | None = None  # first day a killing awaited Iran's answer
        self.sat_at = 0  # first day since the last sitting

    def score(self, t: int, actor: str, action: str, kind: str, trace: Trace, note: str) -> None:
        """Record the probability the rules gave a recorded act today."""
        probs = [self.daily[i] for i in trace.snaps]
        p, modal = _score(self.st, probs, trace, None)
        step, lp = _step(t, self.start + dt.timedelta(days=t), actor, action, kind, p, modal, note)
        self.steps.append(step)
        self.logps.append(lp)
        self.trace.append(trace)

    def iran(self, t: int, e: HistoryEvent | None, dec: dict[str, Any]) -> None:
        w, h = self.st.world, self.h
        if self.demand_from is None and bool(np.any(w.direct_demand)):
            self.demand_from = t
        dec["iran_direct"] = np.full(self.r, -1, dtype=np.int64)
        held = w.iran_strategy.copy()
        fill = h.fill.get(IRAN, "hold")
        if fill == "modal":
            held = np.argmax(self.daily[t]["iran"].strategy, axis=0)
        elif fill in STRATEGIES:
            held = np.full(self.r, STRATEGIES.index(fill))
        dec["iran"] = held.astype(np.int64)
        if e is None:
            return
        if e.action == "direct_strike":
            dec["iran_direct"] = np.zeros(self.r, dtype=np.int64)
            if e.counted:
                since = self.demand_from if self.demand_from is not None else t
                self.score(t, IRAN, e.action, "event", Trace(tuple(range(since, t + 1)), "iran_direct", 0), e.note)
            return
        code = STRATEGIES.index(e.action)
        dec["iran"] = np.full(self.r, code, dtype=np.int64)
        if e.counted:
            self.score(t, IRAN, e.action, "event", Trace((t,), "iran_strategy", code), e.note)

    def militias(self, t: int, today: dict[str, HistoryEvent], dec: dict[str, Any]) -> None:
        h = self.h
        out = np.zeros((len(self.names), self.r), dtype=np.int64)
        for m, name in enumerate(self.names):
            e = today.get(name)
            if e is not None:
                out[m] = TACTICS.index(e.action)
                if e.counted:
                    self.score(t, name, e.action, "event", Trace((t,), "militia", int(out[m, 0]), m), e.note)
            elif name in h.quiet:
                out[m] = TACTICS.index(h.quiet[name])
                self.score(t, name, h.quiet[name], "quiet", Trace((t,), "militia", int(out[m, 0]), m), "")
            elif name in h.fill:
                pr = self.daily[t]["militias"]
                out[m] = (np.where(pr.attack[m] > 0.5, 1 + np.argmax(pr.tactic[:, m], axis=0), 0)
                          if h.fill[name] == "modal" else TACTICS.index(h.fill[name]))
        dec["militia"] = out

    def us(self, t: int, e: HistoryEvent | None, shock: bool, dec: dict[str, Any]) -> None:
        r, h = self.r, self.h
        dec.update(us_strike=np.full(r, -1, dtype=np.int64), us_strike_iran=np.zeros(r, dtype=bool),
                   us_protect=np.zeros(r, dtype=bool), us_policy=np.zeros_like(dec["us_policy"]),
                   us_waiver_days=np.zeros(r))
        names = (*US_MILITARY, *US_POLICIES, "hold")
        if e is None:
            if US in h.quiet and not shock:
                act = h.quiet[US]
                self.score(t, US, act, "quiet", Trace((t,), "us", names.index(act)), "")
            return
        code = names.index(e.action)
        group = self.names.index(e.target) if e.action == "strike_militias" and e.target else -1
        if e.action == "strike_militias":
            dec["us_strike"] = np.full(r, group, dtype=np.int64)
        elif e.action == "strike_iran":
            dec["us_strike_iran"] = np.ones(r, dtype=bool)
        elif e.action == "force_protection":
            dec["us_protect"] = np.ones(r, dtype=bool)
        elif e.action in US_POLICIES:
            dec["us_policy"][US_POLICIES.index(e.action)] = True
        if e.counted:
            self.score(t, US, e.action, "event", Trace((t,), "us", code, group), e.note)

    def parliament(self, t: int, date: dt.date, e: HistoryEvent | None, dec: dict[str, Any]) -> None:
        r = self.r
        dec["request"] = np.zeros(r, dtype=bool)
        dec["sitting"] = np.full(r, -1, dtype=np.int64)
        dec["bloc_choice"] = np.full_like(dec["bloc_choice"], -1)
        if e is None:
            return
        pp = self.daily[t]["parliament"]
        lvl = LEGAL_STEPS.index(e.action)
        if not np.all(pp.level == lvl):
            raise ConfigError(f"history: parliament on {date} can vote only on the next legal "
                              f"step ({LEGAL_STEPS[int(pp.level[0])]}), not {e.action!r}")
        if e.counted:
            self.score(t, PARLIAMENT, e.action, "event", Trace(tuple(range(self.sat_at, t + 1)), "parliament", lvl),
                       e.note)
        dec["sitting"] = np.full(r, int(Motion.US_PRESENCE), dtype=np.int64)
        dec["bloc_choice"] = _force_passing_votes(pp.bloc, pp.level, self.st.P)
        self.sat_at = t + 1

    def day(self, t: int) -> None:
        """Force every recorded act of the day, score it, and advance the world."""
        h, date = self.h, self.start + dt.timedelta(days=t)
        self.st.begin_day()
        shocks = [f"{date}: {kind} ({note})" for kind, _actor, _target, note, _where in self.st.shocks]
        self.applied += shocks
        self.snapshots.append(self.st.snapshot())
        self.daily.append(self.st.probabilities())
        today = {e.actor: e for e in h.events if e.date == date}
        dec = {f.name: getattr(self.st.sampled(), f.name) for f in dataclasses.fields(Decisions)}
        dec["exec_acts"] = np.zeros_like(dec["exec_acts"])
        # scored in this order: Iran, militias, the US, parliament; the US quiet act is not scored
        # on a shock day (the US then does nothing, unscored)
        self.iran(t, today.get(IRAN), dec)
        self.militias(t, today, dec)
        self.us(t, today.get(US), bool(shocks), dec)
        self.parliament(t, date, today.get(PARLIAMENT), dec)
        self.st.advance(Decisions(**dec), _declared(today, self.names))
        e = today.get(PARLIAMENT)
        if e is not None and not bool(np.all(self.st.world.legal >= LEGAL_STEPS.index(e.action))):
            raise ConfigError(f"history: the recorded vote on {date} did not pass in the replay")


def replay(cfg: Config, replicates: int = 32, master_seed: int = 20191227) -> ReplayResult:
    """Drive ``cfg`` through its ``history`` and score each recorded act.

    The config's exogenous shocks dated on a day are applied at the start of that day, before
    anyone observes it. The result's steps list, day by day, the mean probability (over
    ``replicates`` seeded replicates) the rules gave each recorded act.
    """
    run = _Replay(cfg, replicates, master_seed)
    for t in range((run.h.end_date - run.start).days + 1):
        run.day(t)
    logp = np.stack(run.logps) if run.logps else np.zeros((0, run.r))
    return ReplayResult(steps=run.steps, step_logp=logp, world=run.st.world, shocks_applied=run.applied,
                        trace=run.trace, snapshots=run.snapshots)
