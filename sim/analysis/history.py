"""Replay: drive the model through the actual December 2019 - January 2020 sequence and score it.

This module owns two things:

- :class:`Stepper`, the ensemble's day loop (observe -> learn -> decide -> resolve, in exactly
  the order of :func:`sim.engines.ensemble.run_ensemble`) opened up so that a caller can read every
  actor's choice probabilities before choosing and can force any choice. Left alone it
  reproduces ``run_ensemble`` replicate for replicate (tested). The claims checks of
  :mod:`sim.analysis.claims` use it for controlled experiments.
- :func:`replay`, which reads a config's ``history`` section (events, exogenous shocks, quiet
  days), forces the recorded choices through :func:`sim.core.transition.resolve` and records, day by
  day, the probability the rules gave each recorded choice; :func:`log_likelihood` sums them.

How the choices nobody recorded are filled (documented in ``configs/history_dec2019.yaml``):
an actor with an event that day is forced to it; otherwise an actor listed under ``quiet`` is
forced to its quiet action (and that is scored: the record shows it did nothing notable);
otherwise an actor listed under ``fill`` is forced to that action or to its ``modal`` choice
(not scored); every other militia stands down and parliament does not sit (not scored). Iran's
default fill is ``modal``. Declared casualties (``us_killed``/``us_wounded`` on an event)
replace the model's random casualty draw for that act: the draw is switched off that day and
the declared harm is added to the US threat signal and audience cost by the same formulas as
:mod:`sim.core.transition`, so the replay conditions on what the US actually saw.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.config import (
    LEGAL_STEPS,
    MILITIA_ACTIONS,
    STRATEGIES,
    US_OPTIONS,
    Config,
    ConfigError,
    History,
    HistoryEvent,
)
from sim.core import draws as D
from sim.core import policy
from sim.core.state import Observation, World, build_params, initial_world, observe
from sim.core.transition import DayRecord, Decisions, resolve

Arr = npt.NDArray[Any]

IRAN = "Iran"
US = "United States"
PARLIAMENT = "Parliament"
#: Probabilities below this are floored before taking logs (an impossible choice scores -27.6).
PROB_FLOOR = 1.0e-12


# ------------------------------------------------------------------------------------------
# the open day loop


@dataclass
class DayProbs:
    """Every actor's choice probabilities on one day (options first, replicates last)."""

    iran: Arr  # (6, R)
    militia: Arr  # (4, M, R)
    us: Arr  # (8, R)
    session: Arr  # (R,) chance that parliament sits on the next legal step
    bloc: Arr  # (3, B, R) boycott / no / yes
    level: Arr  # (R,) legal step a sitting would vote on (1 resolution .. 3 binding law)


class Stepper:
    """R replicates of a config advanced one day at a time, with optional forced choices.

    Args:
        cfg: a validated config.
        seeds: run seeds, one per replicate (keyed draws, as in the ensemble).
    """

    def __init__(self, cfg: Config, seeds: Any) -> None:
        self.cfg = cfg
        self.seeds = np.atleast_1d(np.asarray(seeds, dtype=np.uint64))
        r = len(self.seeds)
        self.P = build_params(cfg)
        self.world: World = initial_world(cfg, r)
        mil = self.P.militia.rows
        col = lambda xs: np.asarray(xs, dtype=np.float64)[:, None]  # noqa: E731
        self.loyalty = col([m.loyalty for m in mil])
        self.hostility = col([m.hostility for m in mil])
        self.fear = col([m.fear for m in mil])
        self.rates = col([m.learning_rate for m in mil])
        self.mil_ids = (D.MILITIA + np.arange(len(mil)))[:, None]
        self.m_belief = np.repeat(col([m.belief_us_retaliation for m in mil]), r, axis=1)
        self.i_belief = np.full(r, cfg.initial.iran_belief_us_retaliation)
        blocs = self.P.parliament.blocs
        self.bloc_kw = {
            "bias": col([b.bias for b in blocs]),
            "anger": col([b.anger for b in blocs]),
            "iran_alignment": col([b.iran_alignment for b in blocs]),
            "us_ties": col([b.us_ties for b in blocs]),
            "boycott_bias": col([b.boycott_bias for b in blocs]),
        }
        self.bloc_ids = (D.BLOC + np.arange(len(blocs)))[:, None]
        self.obs: Observation | None = None

    @property
    def day(self) -> int:
        """Index of the day about to be played (0 = the start date)."""
        return self.world.day

    @property
    def replicates(self) -> int:
        """Number of replicates."""
        return len(self.seeds)

    def begin_day(self) -> Observation:
        """Observe the world and update beliefs (the ensemble's first two phases)."""
        obs = observe(self.world, self.P)
        self.m_belief = policy.belief_next(self.m_belief, self.rates, obs)
        rate = self.P.iran.belief_learning_rate
        self.i_belief = policy.belief_next(self.i_belief, rate, obs)
        self.obs = obs
        return obs

    def _obs(self) -> Observation:
        if self.obs is None or self.obs.world is not self.world:
            raise RuntimeError("call begin_day() before deciding")
        return self.obs

    def probabilities(self) -> DayProbs:
        """Every actor's choice probabilities today (after :meth:`begin_day`)."""
        obs = self._obs()
        P = self.P
        w = obs.world
        pp = P.parliament
        pressure = obs.parliament_pressure
        eligible = ((w.legal < 3) & (w.days_since_vote >= pp.min_days_between_votes)
                    & (pressure >= pp.motion_trigger))
        from sim.core import rules

        session = np.where(eligible, rules.session_probability(pp, pressure=pressure), 0.0)
        return DayProbs(
            iran=np.stack(policy.iran_probs(P.iran, obs, self.i_belief)),
            militia=np.stack(policy.militia_probs(
                P.militia, obs, loyalty=self.loyalty, hostility=self.hostility, fear=self.fear,
                belief=self.m_belief, stock=w.stock, orders=P.iran.orders)),
            us=np.stack(policy.us_probs(P.us, obs)),
            session=np.asarray(session, dtype=np.float64),
            bloc=np.stack(policy.bloc_probs(pp, obs, **self.bloc_kw)),
            level=np.minimum(w.legal + 1, 3),
        )

    def sampled(self) -> Decisions:
        """Return the decisions the ensemble would take today (keyed draws of the run seeds)."""
        obs = self._obs()
        P, s = self.P, self.seeds
        return Decisions(
            iran=policy.iran_choice(P.iran, obs, self.i_belief, s),
            militia=policy.militia_choice(
                P.militia, obs, actor=self.mil_ids, loyalty=self.loyalty, hostility=self.hostility,
                fear=self.fear, belief=self.m_belief, stock=self.world.stock,
                orders=P.iran.orders, seeds=s),
            us=policy.us_choice(P.us, obs, s),
            vote_held=policy.vote_scheduled(P.parliament, obs, s),
            bloc_choice=policy.bloc_choice(P.parliament, obs, actor=self.bloc_ids, seeds=s,
                                           **self.bloc_kw),
        )

    def advance(self, dec: Decisions, params: SimpleNamespace | None = None) -> DayRecord:
        """Resolve today's decisions (optionally with a day-specific copy of the parameters)."""
        self._obs()
        self.world, rec = resolve(self.world, dec, params or self.P, self.seeds)
        self.obs = None
        return rec

    def step(self, **force: Any) -> DayRecord:
        """Play one day: sampled decisions, with any of them replaced by ``force`` arrays."""
        self.begin_day()
        dec = dataclasses.replace(self.sampled(), **force) if force else self.sampled()
        return self.advance(dec)


# ------------------------------------------------------------------------------------------
# history


#: World fields an exogenous shock may set or add to (beliefs are handled separately).
SHOCK_FIELDS: tuple[str, ...] = (
    "troops", "protection", "sentiment", "revenge", "us_audience", "iran_audience",
    "sanctions_iran", "sanctions_iraq", "sanction_threat", "isis", "diplomacy", "tension",
    "iran_political", "threat", "threat_iran",
)
BELIEF_FIELDS: tuple[str, ...] = ("iran_belief_us_retaliation", "militia_belief_us_retaliation")
#: Shock fields held in [0, 1] by the model.
_UNIT_FIELDS = {"protection", "sentiment", "revenge", "sanctions_iran", "sanctions_iraq",
                "sanction_threat", "isis", "diplomacy", "tension", "iran_political"}


def actor_options(cfg: Config) -> dict[str, tuple[str, ...]]:
    """Every actor a history may name, with its options."""
    out: dict[str, tuple[str, ...]] = {IRAN: STRATEGIES, US: US_OPTIONS,
                                       PARLIAMENT: LEGAL_STEPS[1:]}
    for m in cfg.actors.militias:
        out[m.name] = MILITIA_ACTIONS
    return out


def _need_history(cfg: Config) -> History:
    if cfg.history is None:
        raise ConfigError("history: this config has no 'history' section to replay "
                          "(use configs/history_dec2019.yaml)")
    return cfg.history


def check_history(cfg: Config) -> History:
    """Validate the history against the config's actors; one-line errors naming the key."""
    h = _need_history(cfg)
    opts = actor_options(cfg)
    start = cfg.meta.start_date
    if h.end_date < start:
        raise ConfigError(f"history.end_date: {h.end_date} is before meta.start_date {start}")
    seen: set[tuple[dt.date, str]] = set()
    for i, e in enumerate(h.events):
        key = f"history.events.{i}"
        if e.actor not in opts:
            raise ConfigError(f"{key}.actor: unknown actor {e.actor!r}; allowed: {', '.join(opts)}")
        if e.action not in opts[e.actor]:
            raise ConfigError(f"{key}.action: {e.action!r} is not an action of {e.actor}; "
                              f"allowed: {', '.join(opts[e.actor])}")
        if not start <= e.date <= h.end_date:
            raise ConfigError(f"{key}.date: {e.date} is outside {start} .. {h.end_date}")
        if (e.date, e.actor) in seen:
            raise ConfigError(f"{key}: {e.actor} already has an event on {e.date} "
                              "(one choice a day)")
        seen.add((e.date, e.actor))
        if (e.us_killed is not None or e.us_wounded is not None) and not (
            e.actor in opts and (opts[e.actor] == MILITIA_ACTIONS and e.action != "stand_down"
                                 or e.action == "calibrated_strike")):
            raise ConfigError(f"{key}.us_killed: casualties can be declared only for a militia "
                              f"attack or Iran's calibrated_strike")
    for j, s in enumerate(h.shocks):
        key = f"history.shocks.{j}"
        if not start <= s.date <= h.end_date:
            raise ConfigError(f"{key}.date: {s.date} is outside {start} .. {h.end_date}")
        for kind in ("set", "add"):
            for name in getattr(s, kind):
                if name not in SHOCK_FIELDS + BELIEF_FIELDS:
                    raise ConfigError(f"{key}.{kind}.{name}: unknown state field; allowed: "
                                      f"{', '.join(SHOCK_FIELDS + BELIEF_FIELDS)}")
    for section in ("quiet", "fill"):
        for actor, action in getattr(h, section).items():
            key = f"history.{section}.{actor}"
            if actor not in opts:
                raise ConfigError(f"{key}: unknown actor; allowed: {', '.join(opts)}")
            allowed = opts[actor] + (("modal",) if section == "fill" else ())
            if actor == PARLIAMENT:
                raise ConfigError(f"{key}: parliament sits only on event days; remove this key")
            if action not in allowed:
                raise ConfigError(f"{key}: {action!r} is not an action of {actor}; "
                                  f"allowed: {', '.join(allowed)}")
    return h


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
    #: what each step scored: (snapshot index, actor kind, option index, militia index)
    trace: list[tuple[int, str, int, int]] = field(default_factory=list)
    #: the world and beliefs each scored day was decided from (for :func:`rescore`)
    snapshots: list[tuple[World, Arr, Arr]] = field(default_factory=list)

    @property
    def log_likelihood(self) -> float:
        """Log of the path's probability, averaged over the replicates' random outcomes."""
        return log_likelihood(self)

    def frame(self) -> Any:
        """Return the steps as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(s) for s in self.steps])


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


def _extract(probs: DayProbs, P: SimpleNamespace, what: str, idx: int, m: int,
             memo: dict[bytes, Arr] | None = None) -> tuple[Arr, str]:
    """Return the probability of one recorded choice and the rules' modal option that day."""
    def modal(p: Arr, names: tuple[str, ...]) -> str:
        return names[int(np.bincount(np.argmax(p, axis=0)).argmax())]

    if what == "iran":
        return probs.iran[idx], modal(probs.iran, STRATEGIES)
    if what == "militia":
        return probs.militia[idx, m], modal(probs.militia[:, m], MILITIA_ACTIONS)
    if what == "us":
        return probs.us[idx], modal(probs.us, US_OPTIONS)
    key = probs.bloc.tobytes() + probs.level.tobytes() + repr(vars(P.parliament)).encode()
    if memo is None or key not in memo:
        passed = _pass_probability(probs, P)
        if memo is None:
            return probs.session * passed, ("sit" if float(probs.session.mean()) > 0.5
                                            else "no sitting")
        memo[key] = passed
    p_pass = probs.session * memo[key]
    return p_pass, ("sit" if float(probs.session.mean()) > 0.5 else "no sitting")


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
    forced path (payoff weights and option costs; :mod:`sim.analysis.calibration` checks this). ``memo``
    (a dict kept by the caller) caches parliament's exact pass probabilities between calls.
    """
    st = Stepper(cfg, np.zeros(result.step_logp.shape[1], dtype=np.uint64))
    cache: dict[int, DayProbs] = {}
    steps, logps = [], []
    for old, (snap, what, idx, m) in zip(result.steps, result.trace, strict=True):
        if snap not in cache:
            world, i_belief, m_belief = result.snapshots[snap]
            st.world, st.i_belief, st.m_belief = world, i_belief, m_belief
            st.obs = observe(world, st.P)
            cache[snap] = st.probabilities()
        p, modal = _extract(cache[snap], st.P, what, idx, m, memo)
        step, lp = _step(old.day, old.date, old.actor, old.action, old.kind, p, modal, old.note)
        steps.append(step)
        logps.append(lp)
    return dataclasses.replace(result, steps=steps, step_logp=np.stack(logps))


def _pass_probability(probs: DayProbs, P: SimpleNamespace) -> Arr:
    """Exact chance that a sitting passes its motion, over all bloc choices (DP over blocs)."""
    pp = P.parliament
    seats = [int(math.floor(n * pp.cohesion + 0.5)) for n in pp.seats]
    tot = sum(seats)
    r = probs.bloc.shape[-1]
    # dist[present, yes] per replicate
    dist = np.zeros((tot + 1, tot + 1, r))
    dist[0, 0] = 1.0
    for b, n in enumerate(seats):
        p_boy, p_no, p_yes = probs.bloc[0, b], probs.bloc[1, b], probs.bloc[2, b]
        nxt = dist * p_boy
        nxt[n:, :] += dist[: tot + 1 - n, :] * p_no
        nxt[n:, n:] += dist[: tot + 1 - n, : tot + 1 - n] * p_yes
        dist = nxt
    present = np.arange(tot + 1)[:, None]
    yes = np.arange(tot + 1)[None, :]
    out = np.zeros(r)
    for lvl in (1, 2, 3):
        absolute = lvl == 3 and pp.binding_absolute_majority
        need = (np.floor(pp.total_seats / 2.0) + 1.0) if absolute else np.floor(present / 2.0) + 1.0
        ok = (present >= pp.quorum) & (yes >= need)
        p_lvl = (dist * ok[:, :, None]).sum(axis=(0, 1))
        out = np.where(probs.level == lvl, p_lvl, out)
    return out


def _force_passing_votes(probs: DayProbs, P: SimpleNamespace) -> Arr:
    """Bloc choices for a sitting recorded as passing.

    Each bloc's modal choice, then blocs in order of their chance of voting yes switched to yes
    until the motion passes.
    """
    from sim.core import rules

    pp = P.parliament
    choice = np.argmax(probs.bloc, axis=0)  # (B, R)
    order = np.argsort(-probs.bloc[2], axis=0, kind="stable")
    for k in range(choice.shape[0] + 1):
        present, yes = rules.tally(list(choice), pp.seats, pp.cohesion)
        lvl = probs.level
        ok = rules.motion_passes(present, yes, quorum=pp.quorum,
                                 absolute=(lvl == 3) & pp.binding_absolute_majority,
                                 total_seats=pp.total_seats)
        if ok.all() or k == choice.shape[0]:
            break
        cols = np.arange(choice.shape[1])
        idx = order[k]
        choice[idx, cols] = np.where(ok, choice[idx, cols], 2)
    return choice


def _declared_params(P: SimpleNamespace, events: list[tuple[int, HistoryEvent]]) -> SimpleNamespace:
    """Copy the parameters with the casualty draws switched off for declared acts."""
    if not any(e.us_killed is not None or e.us_wounded is not None for _, e in events):
        return P
    P2 = copy.copy(P)
    P2.militia = copy.copy(P.militia)
    P2.militia.attacks = list(P.militia.attacks)
    P2.iran = copy.copy(P.iran)
    zero = {"us_killed_mean": 0.0, "us_wounded_mean": 0.0}
    for _, e in events:
        if e.us_killed is None and e.us_wounded is None:
            continue
        if e.actor == IRAN:
            P2.iran.calibrated = P.iran.calibrated.model_copy(update=zero)
        else:
            code = MILITIA_ACTIONS.index(e.action)
            P2.militia.attacks[code] = P.militia.attacks[code].model_copy(update=zero)
    return P2


def _apply_declared(world: World, P: SimpleNamespace, events: list[tuple[int, HistoryEvent]],
                    us_responded: Arr) -> World:
    """Add declared US casualties to the threat, audience cost and counters (as resolve does)."""
    up = P.us
    threat, threat_iran = world.threat, world.threat_iran
    audience, recent = world.us_audience, world.militia_recent.copy()
    c = dict(world.counters)
    for m, e in events:
        k, wd = float(e.us_killed or 0), float(e.us_wounded or 0)
        if e.us_killed is None and e.us_wounded is None:
            continue
        harm = up.harm_killed * k + up.harm_wounded * wd
        threat = threat + harm
        relief = np.where(us_responded, 1.0 - up.audience_relief, 1.0)
        audience = audience + up.audience_gain * harm * relief
        if m >= 0:
            recent[m] = recent[m] + harm
        else:
            threat_iran = threat_iran + harm
            c["calibrated_us_killed"] = c["calibrated_us_killed"] + k
        c["us_killed"] = c["us_killed"] + k
        c["us_wounded"] = c["us_wounded"] + wd
        if k > 0:
            c["lethal_attacks"] = c["lethal_attacks"] + 1.0
    return world.replace(threat=threat, threat_iran=threat_iran, us_audience=audience,
                         militia_recent=recent, counters=c)


def _apply_shock(stepper: Stepper, shock: Any) -> None:
    w = stepper.world
    changes: dict[str, Arr] = {}
    for name, value in shock.set.items():
        if name in BELIEF_FIELDS:
            continue
        changes[name] = np.full_like(getattr(w, name), value)
    for name, value in shock.add.items():
        if name in BELIEF_FIELDS:
            continue
        changes[name] = changes.get(name, getattr(w, name)) + value
    for name in list(changes):
        if name in _UNIT_FIELDS:
            changes[name] = np.clip(changes[name], 0.0, 1.0)
        elif name == "troops":
            changes[name] = np.maximum(changes[name], 0.0)
    stepper.world = w.replace(**changes)
    for name, value in shock.set.items():
        if name == "iran_belief_us_retaliation":
            stepper.i_belief = np.full_like(stepper.i_belief, value)
        elif name == "militia_belief_us_retaliation":
            stepper.m_belief = np.full_like(stepper.m_belief, value)
    for name, value in shock.add.items():
        if name == "iran_belief_us_retaliation":
            stepper.i_belief = np.clip(stepper.i_belief + value, 0.0, 1.0)
        elif name == "militia_belief_us_retaliation":
            stepper.m_belief = np.clip(stepper.m_belief + value, 0.0, 1.0)


def replay(cfg: Config, replicates: int = 32, master_seed: int = 20191227) -> ReplayResult:
    """Drive ``cfg`` through its ``history`` and score each recorded choice.

    Exogenous shocks dated on a day are applied at the start of that day, before anyone
    observes it. The result's steps list, day by day, the mean probability (over
    ``replicates`` seeded replicates) the rules gave each recorded choice.
    """
    h = check_history(cfg)
    start = cfg.meta.start_date
    n_days = (h.end_date - start).days + 1
    seeds = [D.seed_for(master_seed, 0, i) for i in range(replicates)]
    st = Stepper(cfg, seeds)
    P = st.P
    r = st.replicates
    names = [m.name for m in cfg.actors.militias]
    steps: list[Step] = []
    logps: list[Arr] = []
    applied: list[str] = []
    trace: list[tuple[int, str, int, int]] = []
    snapshots: list[tuple[World, Arr, Arr]] = []

    def score(day: int, actor: str, action: str, kind: str, what: str, idx: int, m: int,
              note: str) -> None:
        if not snapshots or snapshots[-1][0] is not st.world:
            snapshots.append((st.world, st.i_belief.copy(), st.m_belief.copy()))
        p, modal = _extract(probs, P, what, idx, m)
        step, lp = _step(day, start + dt.timedelta(days=day), actor, action, kind, p, modal, note)
        steps.append(step)
        logps.append(lp)
        trace.append((len(snapshots) - 1, what, idx, m))

    for t in range(n_days):
        date = start + dt.timedelta(days=t)
        for shock in h.shocks:
            if shock.date == date:
                _apply_shock(st, shock)
                applied.append(f"{date}: {shock.note}")
        st.begin_day()
        probs = st.probabilities()
        today = {e.actor: e for e in h.events if e.date == date}

        # Iran
        iran = np.argmax(probs.iran, axis=0)
        e = today.get(IRAN)
        if e is not None:
            k = STRATEGIES.index(e.action)
            iran = np.full(r, k)
            if e.counted:
                score(t, IRAN, e.action, "event", "iran", k, -1, e.note)
        elif IRAN in h.quiet:
            k = STRATEGIES.index(h.quiet[IRAN])
            iran = np.full(r, k)
            score(t, IRAN, h.quiet[IRAN], "quiet", "iran", k, -1, "")
        elif h.fill.get(IRAN, "modal") != "modal":
            iran = np.full(r, STRATEGIES.index(h.fill[IRAN]))

        # militias
        militia = np.zeros((len(names), r), dtype=np.int64)
        declared: list[tuple[int, HistoryEvent]] = []
        for m, name in enumerate(names):
            e = today.get(name)
            if e is not None:
                a = MILITIA_ACTIONS.index(e.action)
                militia[m] = a
                declared.append((m, e))
                if e.counted:
                    score(t, name, e.action, "event", "militia", a, m, e.note)
            elif name in h.quiet:
                a = MILITIA_ACTIONS.index(h.quiet[name])
                militia[m] = a
                score(t, name, h.quiet[name], "quiet", "militia", a, m, "")
            elif name in h.fill:
                rule = h.fill[name]
                militia[m] = (np.argmax(probs.militia[:, m], axis=0) if rule == "modal"
                              else MILITIA_ACTIONS.index(rule))
        if IRAN in today and today[IRAN].action == "calibrated_strike":
            declared.append((-1, today[IRAN]))

        # United States
        us = np.zeros(r, dtype=np.int64)
        e = today.get(US)
        if e is not None:
            o = US_OPTIONS.index(e.action)
            us[:] = o
            if e.counted:
                score(t, US, e.action, "event", "us", o, -1, e.note)
        elif US in h.quiet and not any(s.date == date for s in h.shocks):
            o = US_OPTIONS.index(h.quiet[US])
            us[:] = o
            score(t, US, h.quiet[US], "quiet", "us", o, -1, "")
        elif US in h.fill:
            rule = h.fill[US]
            us = (np.argmax(probs.us, axis=0) if rule == "modal"
                  else np.full(r, US_OPTIONS.index(rule)))

        # parliament
        vote = np.zeros(r, dtype=bool)
        blocs = np.argmax(probs.bloc, axis=0)
        e = today.get(PARLIAMENT)
        if e is not None:
            lvl = LEGAL_STEPS.index(e.action)
            due = LEGAL_STEPS[int(probs.level[0])]
            if not np.all(probs.level == lvl):
                raise ConfigError(f"history: parliament on {date} can vote only on the next legal "
                                  f"step ({due}), not {e.action!r}")
            vote[:] = True
            blocs = _force_passing_votes(probs, P)
            if e.counted:
                score(t, PARLIAMENT, e.action, "event", "parliament", lvl, -1, e.note)

        dec = Decisions(iran=iran.astype(np.int64), militia=militia, us=us.astype(np.int64),
                        vote_held=vote, bloc_choice=blocs.astype(np.int64))
        st.advance(dec, _declared_params(P, declared))
        st.world = _apply_declared(st.world, P, declared,
                                   us_responded=np.isin(us, (US_OPTIONS.index("strike_militias"),
                                                             US_OPTIONS.index("strike_iran"))))
        if e is not None and not bool(np.all(st.world.legal >= LEGAL_STEPS.index(e.action))):
            raise ConfigError(f"history: the recorded vote on {date} did not pass in the replay")

    return ReplayResult(steps=steps, step_logp=np.stack(logps) if logps else np.zeros((0, r)),
                        world=st.world, shocks_applied=applied, trace=trace,
                        snapshots=snapshots)
