"""Replay: drive the model through the actual December 2019 - January 2020 sequence and score it.

This module owns :func:`replay`, which reads a config's ``history`` section (events, exogenous
shocks, quiet days), forces the recorded choices through the ensemble's own day loop
(:class:`sim.engines.stepper.Stepper`: the actors' probabilities, the staged transition) and
records, day by day, the probability the rules gave each recorded choice; :func:`log_likelihood`
sums them and :func:`rescore` scores the same path under other weights.

How the choices nobody recorded are filled (documented in ``configs/history_dec2019.yaml``):
an actor with an event that day is forced to it; otherwise an actor listed under ``quiet`` is
forced to its quiet action (and that is scored: the record shows it did nothing notable);
otherwise an actor listed under ``fill`` is forced to that action or to its ``modal`` choice
(not scored); every other militia stands down and parliament does not sit (not scored). Iran's
default fill is ``modal``. Declared casualties (``us_killed``/``us_wounded`` on an event) replace
the model's random casualty draw for that act (:class:`sim.core.transition.Declared`), so the
transition weighs the harm the US actually saw by its own formulas.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from agents import Parliament, ParliamentProbs
from sim.analysis.history_check import (
    BELIEF_FIELDS,
    IRAN,
    PARLIAMENT,
    UNIT_FIELDS,
    US,
    check_history,
)
from sim.config import (
    LEGAL_STEPS,
    MILITIA_ACTIONS,
    STRATEGIES,
    US_OPTIONS,
    BlocChoice,
    Config,
    ConfigError,
    HistoryEvent,
    HistoryShock,
    MilitiaAction,
    Strategy,
    USOption,
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
#: Option names of the actors whose choice is one option (actor key -> names).
OPTION_NAMES: dict[str, tuple[str, ...]] = {"iran": STRATEGIES, "militias": MILITIA_ACTIONS, "us": US_OPTIONS}

Snapshot = tuple[World, dict[str, dict[str, Arr]]]


# ------------------------------------------------------------------------------------------
# scores


@dataclass
class Step:
    """The probability the rules gave one recorded choice on one day."""

    day: int
    date: dt.date
    actor: str
    action: str
    kind: str  # 'event' (a recorded act) or 'quiet' (a recorded non-act)
    prob: float  # mean over replicates
    log_prob: float  # log of ``prob`` (floored at PROB_FLOOR)
    modal: str  # the option the rules found most likely that day
    note: str = ""


@dataclass
class ReplayResult:
    """A scored replay: each step, and per-replicate log-probabilities for the likelihood."""

    steps: list[Step]
    step_logp: Arr  # (n_steps, R) per-replicate log-probability of each step
    world: World
    shocks_applied: list[str] = field(default_factory=list)
    #: what each step scored: (snapshot index, actor key, option index, entity index)
    trace: list[tuple[int, str, int, int]] = field(default_factory=list)
    #: the world and actors' beliefs each scored day was decided from (for :func:`rescore`)
    snapshots: list[Snapshot] = field(default_factory=list)

    @property
    def log_likelihood(self) -> float:
        """Log of the path's probability, averaged over the replicates' random outcomes."""
        return log_likelihood(self)


def log_likelihood(result: ReplayResult, kinds: tuple[str, ...] = ("event", "quiet")) -> float:
    """Sum of log-probabilities of the recorded choices (log-mean-exp over replicates).

    Each replicate's path probability is the product of its step probabilities; the path's
    likelihood is their mean (the model's random casualty and side-effect draws integrated out).
    """
    mask = np.array([s.kind in kinds for s in result.steps], dtype=bool)
    if not mask.any():
        return 0.0
    per_rep = result.step_logp[mask].sum(axis=0)
    top = float(per_rep.max())
    return top + math.log(float(np.mean(np.exp(per_rep - top))))


def _modal(p: Arr, names: tuple[str, ...]) -> str:
    return names[int(np.bincount(np.argmax(p, axis=0)).argmax())]


def _extract(probs: dict[str, Any], st: Stepper, what: str, idx: int, m: int,
             memo: dict[bytes, Arr] | None = None) -> tuple[Arr, str]:
    """The probability of one recorded choice, and the rules' modal option that day."""
    if what in ("iran", "us"):
        return probs[what][idx], _modal(probs[what], OPTION_NAMES[what])
    if what == "militias":
        return probs[what][idx, m], _modal(probs[what][:, m], MILITIA_ACTIONS)
    pp: ParliamentProbs = probs["parliament"]
    parliament = cast(Parliament, st.actors["parliament"])
    key = pp.bloc.tobytes() + pp.level.tobytes() + repr(st.P.parliament).encode()
    passed = memo.get(key) if memo is not None else None
    if passed is None:
        passed = parliament.pass_probability(pp)
        if memo is not None:
            memo[key] = passed
    return pp.session * passed, ("sit" if float(pp.session.mean()) > 0.5 else "no sitting")


def _step(day: int, date: dt.date, actor: str, action: str, kind: str, p: Arr, modal: str,
          note: str) -> tuple[Step, Arr]:
    p = np.asarray(p, dtype=np.float64)
    pm = float(p.mean())
    return (Step(day, date, actor, action, kind, pm, math.log(max(pm, PROB_FLOOR)), modal, note),
            np.log(np.maximum(p, PROB_FLOOR)))


def rescore(result: ReplayResult, cfg: Config,
            memo: dict[bytes, Arr] | None = None) -> ReplayResult:
    """Score a replay's recorded choices again under another config's weights.

    The replayed world is reused, so this is exact only for parameters that do not change the
    forced path (payoff weights and option costs; :mod:`sim.analysis.calibration` checks this).
    ``memo`` (a dict kept by the caller) caches parliament's exact pass probabilities.
    """
    st = Stepper.from_config(cfg, np.zeros(result.step_logp.shape[1], dtype=np.uint64))
    cache: dict[int, dict[str, Any]] = {}
    steps, logps = [], []
    for old, (snap, what, idx, m) in zip(result.steps, result.trace, strict=True):
        if snap not in cache:
            st.restore(result.snapshots[snap])
            cache[snap] = st.probabilities()
        p, modal = _extract(cache[snap], st, what, idx, m, memo)
        step, lp = _step(old.day, old.date, old.actor, old.action, old.kind, p, modal, old.note)
        steps.append(step)
        logps.append(lp)
    return dataclasses.replace(result, steps=steps, step_logp=np.stack(logps))


# ------------------------------------------------------------------------------------------
# forcing the record


def _force_passing_votes(probs: ParliamentProbs, P: Params) -> Arr:
    """Bloc choices for a sitting recorded as passing.

    Each bloc's modal choice, then blocs in order of their chance of voting yes switched to yes
    until the motion passes.
    """
    pp = P.parliament
    choice = np.argmax(probs.bloc, axis=0)  # (B, R)
    order = np.argsort(-probs.bloc[BlocChoice.YES], axis=0, kind="stable")
    for k in range(choice.shape[0] + 1):
        present, yes = voting.tally(list(choice), pp.seats, pp.cohesion)
        ok = voting.motion_passes(present, yes, quorum=pp.quorum,
                                 absolute=voting.needs_absolute_majority(pp, probs.level),
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
    calibrated = given(iran) if iran is not None and iran.action == "calibrated_strike" else None
    return Declared(militia=militia, calibrated=calibrated)


def _apply_shock(st: Stepper, shock: HistoryShock) -> None:
    """Set and shift world fields and beliefs (clipped to their ranges) before the day is observed."""
    w = st.world
    changes: dict[str, Arr] = {}
    for name, value in shock.set.items():
        if name not in BELIEF_FIELDS:
            changes[name] = np.full_like(getattr(w, name), value)
    for name, value in shock.add.items():
        if name not in BELIEF_FIELDS:
            changes[name] = changes.get(name, getattr(w, name)) + value
    for name in list(changes):
        if name in UNIT_FIELDS:
            changes[name] = np.clip(changes[name], 0.0, 1.0)
        elif name == "troops":
            changes[name] = np.maximum(changes[name], 0.0)
    st.world = w.replace(**changes)
    for field_name, key in BELIEF_FIELDS.items():
        actor = st.actors[key]
        belief = actor.state()["belief"]
        if field_name in shock.set:
            belief = np.full_like(belief, shock.set[field_name])
        if field_name in shock.add:
            belief = np.clip(belief + shock.add[field_name], 0.0, 1.0)
        actor.restore({"belief": belief})


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
        self.trace: list[tuple[int, str, int, int]] = []
        self.snapshots: list[Snapshot] = []
        self.applied: list[str] = []
        self.probs: dict[str, Any] = {}

    def score(self, t: int, actor: str, action: str, kind: str, what: str, idx: int, m: int,
              note: str) -> None:
        """Record the probability the rules gave ``actor``'s choice ``idx`` today."""
        if not self.snapshots or self.snapshots[-1][0] is not self.st.world:
            self.snapshots.append(self.st.snapshot())
        p, modal = _extract(self.probs, self.st, what, idx, m)
        step, lp = _step(t, self.start + dt.timedelta(days=t), actor, action, kind, p, modal, note)
        self.steps.append(step)
        self.logps.append(lp)
        self.trace.append((len(self.snapshots) - 1, what, idx, m))

    def single(self, t: int, today: dict[str, HistoryEvent], actor: str, key: str,
               options: type[IntEnum], *, default_fill: str, quiet_today: bool = True) -> Arr:
        """One actor's choice today (Iran, the US): its event, else its quiet action (scored;
        on ``quiet_today`` days), else its fill (``modal``: the rules' likeliest option).
        """
        h, e = self.h, today.get(actor)
        if e is not None:
            code = int(options[e.action.upper()])
            if e.counted:
                self.score(t, actor, e.action, "event", key, code, -1, e.note)
            return np.full(self.r, code)
        if actor in h.quiet and quiet_today:
            code = int(options[h.quiet[actor].upper()])
            self.score(t, actor, h.quiet[actor], "quiet", key, code, -1, "")
            return np.full(self.r, code)
        rule = h.fill.get(actor, default_fill)
        if rule == "modal":
            return np.argmax(self.probs[key], axis=0)
        return np.full(self.r, int(options[rule.upper()]))

    def militias(self, t: int, today: dict[str, HistoryEvent]) -> Arr:
        """Every group's action today: its event, quiet action (scored) or fill; else stand down."""
        h = self.h
        out = np.full((len(self.names), self.r), MilitiaAction.STAND_DOWN, dtype=np.int64)
        for m, name in enumerate(self.names):
            e = today.get(name)
            if e is not None:
                out[m] = MilitiaAction[e.action.upper()]
                if e.counted:
                    self.score(t, name, e.action, "event", "militias", int(out[m, 0]), m, e.note)
            elif name in h.quiet:
                out[m] = MilitiaAction[h.quiet[name].upper()]
                self.score(t, name, h.quiet[name], "quiet", "militias", int(out[m, 0]), m, "")
            elif name in h.fill:
                rule = h.fill[name]
                out[m] = (np.argmax(self.probs["militias"][:, m], axis=0) if rule == "modal"
                          else MilitiaAction[rule.upper()])
        return out

    def parliament(self, t: int, date: dt.date, e: HistoryEvent | None) -> tuple[Arr, Arr]:
        """Whether parliament sits (only on an event day) and the blocs' choices (forced to pass)."""
        pp: ParliamentProbs = self.probs["parliament"]
        blocs = np.argmax(pp.bloc, axis=0)
        if e is None:
            return np.zeros(self.r, dtype=bool), blocs
        lvl = LEGAL_STEPS.index(e.action)
        if not np.all(pp.level == lvl):
            raise ConfigError(f"history: parliament on {date} can vote only on the next legal "
                              f"step ({LEGAL_STEPS[int(pp.level[0])]}), not {e.action!r}")
        if e.counted:
            self.score(t, PARLIAMENT, e.action, "event", "parliament", lvl, -1, e.note)
        return np.ones(self.r, dtype=bool), _force_passing_votes(pp, self.st.P)

    def day(self, t: int) -> None:
        """Apply today's shocks, force every recorded choice, score it, and advance the world."""
        h, date = self.h, self.start + dt.timedelta(days=t)
        shocks = [s for s in h.shocks if s.date == date]
        for shock in shocks:
            _apply_shock(self.st, shock)
            self.applied.append(f"{date}: {shock.note}")
        self.st.begin_day()
        self.probs = self.st.probabilities()
        today = {e.actor: e for e in h.events if e.date == date}
        # scored in this order: Iran, militias, the US, parliament; the US quiet action is not
        # applied on a shock day (the US then holds, unscored)
        iran = self.single(t, today, IRAN, "iran", Strategy, default_fill="modal")
        militia = self.militias(t, today)
        us = self.single(t, today, US, "us", USOption, default_fill="hold", quiet_today=not shocks)
        vote, blocs = self.parliament(t, date, today.get(PARLIAMENT))
        dec = Decisions(iran=iran.astype(np.int64), militia=militia, us=us.astype(np.int64),
                        vote_held=vote, bloc_choice=blocs.astype(np.int64))
        self.st.advance(dec, _declared(today, self.names))
        e = today.get(PARLIAMENT)
        if e is not None and not bool(np.all(self.st.world.legal >= LEGAL_STEPS.index(e.action))):
            raise ConfigError(f"history: the recorded vote on {date} did not pass in the replay")


def replay(cfg: Config, replicates: int = 32, master_seed: int = 20191227) -> ReplayResult:
    """Drive ``cfg`` through its ``history`` and score each recorded choice.

    Exogenous shocks dated on a day are applied at the start of that day, before anyone
    observes it. The result's steps list, day by day, the mean probability (over
    ``replicates`` seeded replicates) the rules gave each recorded choice.
    """
    run = _Replay(cfg, replicates, master_seed)
    for t in range((run.h.end_date - run.start).days + 1):
        run.day(t)
    logp = np.stack(run.logps) if run.logps else np.zeros((0, run.r))
    return ReplayResult(steps=run.steps, step_logp=logp, world=run.st.world,
                        shocks_applied=run.applied, trace=run.trace, snapshots=run.snapshots)
