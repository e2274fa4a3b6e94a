"""The what-if studio's engine: one run recorded day by day, a fork of it, and a human-played seat.

This module owns:

- :data:`SERIES`, the daily series the studio draws (cumulative attacks and US deaths, tension,
  US troops, sentiment), read from the world of R replicates (:func:`series_of`);
- :class:`Track`: one replicate advanced a day at a time, keeping its series and event rows;
- :func:`branch`: fork a run at a day with an act forced or forbidden that day, or a parameter
  changed from that day on; both branches share the seed, so they share every keyed draw both
  make, and :attr:`Branch.diverged` is the first day their worlds differ;
- :class:`PlaySession`: a person holds one actor's seat (the US, Iran or the Iraqi executive) and
  chooses its acts each day; the model's own probabilities are the advice, the other actors play
  by the rules. A move is an intervention (force the acts chosen, forbid the others), so a saved
  session is the config plus its moves as ``interventions:``; :func:`replay_config` builds that
  config and :meth:`PlaySession.from_record` replays it move by move.

Sessions are saved as JSON (:func:`save_session`, written atomically) and read back with a
one-line error for a file that is not one (:func:`load_session`).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from agents import apply_interventions
from sim.config import EXEC_ACTS, STRATEGIES, US_ACTS, US_POLICIES, Config, ConfigError, with_overrides
from sim.core.events import event_rows
from sim.core.interventions import EXECUTIVE, IRAN, US, acts_of
from sim.core.outcomes import classify, metrics
from sim.core.params import InterventionSpec, Params, build_params, build_thresholds
from sim.core.state import World
from sim.engines.stepper import Stepper
from sim.errors import UserError
from sim.ioutil import atomic_write, read_text_file

Arr = npt.NDArray[Any]

#: Daily series: name -> (label, reader of the world of R replicates).
SERIES: dict[str, tuple[str, Callable[[Any], Arr]]] = {
    "attacks": ("militia attacks (cumulative)", lambda w: w.counters.attacks),
    "us_killed": ("US killed (cumulative)", lambda w: w.counters.us_killed),
    "tension": ("tension", lambda w: w.tension),
    "us_troops": ("US troops in Iraq", lambda w: w.troops),
    "sentiment": ("Iraqi anti-US sentiment", lambda w: w.sentiment),
}
#: Seats a person may take, and the actor key of each.
SEATS: dict[str, str] = {US: "us", IRAN: "iran", EXECUTIVE: "executive"}
SESSION_VERSION = 1


def series_of(world: Any) -> dict[str, Arr]:
    """Every series' value today, one per replicate."""
    return {name: np.asarray(read(world), dtype=np.float64).copy() for name, (_, read) in SERIES.items()}


def same_world(a: World, b: World) -> bool:
    """True if two worlds hold the same values in every field (counters included)."""
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "counters":
            if not all(np.array_equal(getattr(x, g.name), getattr(y, g.name), equal_nan=True)
                       for g in dataclasses.fields(x)):
                return False
        elif not np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True):
            return False
    return True


class Track:
    """One replicate advanced a day at a time; keeps its series (day 0 ..) and event rows."""

    def __init__(self, stepper: Stepper, cfg: Config, days: int) -> None:
        self.st = stepper
        self.cfg = cfg
        self.days = int(days)
        self.series: dict[str, list[float]] = {k: [float(v[0])] for k, v in series_of(stepper.world).items()}
        self.events: list[dict[str, Any]] = []

    @classmethod
    def start(cls, cfg: Config, seed: int, days: int) -> Track:
        """Day 0 of ``cfg`` on ``seed``."""
        return cls(Stepper.from_config(cfg, np.array([seed], dtype=np.uint64)), cfg, days)

    @property
    def day(self) -> int:
        """The next day to play (= days played)."""
        return int(self.st.day)

    @property
    def done(self) -> bool:
        """True once every day has been played."""
        return self.day >= self.days

    def record(self, rec: Any) -> None:
        """Keep a played day's events and series."""
        self.events.extend(event_rows(rec, self.st.P))
        for k, v in series_of(self.st.world).items():
            self.series[k].append(float(v[0]))

    def step(self) -> None:
        """Play one day by the model's rules."""
        self.record(self.st.step())

    def run_to(self, day: int) -> None:
        """Play by the rules until ``day`` (capped at the run's length)."""
        while self.day < min(int(day), self.days):
            self.step()

    def outcome(self) -> dict[str, Any]:
        """The run's metrics so far, its path and tracks (as the ensemble classifies them)."""
        m = metrics(self.st.world, self.st.P)
        paths, tracks = classify(m, build_thresholds(self.cfg))
        out: dict[str, Any] = {"path": str(paths[0]), **{k: str(v[0]) for k, v in tracks.items()}}
        out.update({k: np.asarray(v)[0].item() for k, v in m.items()})
        return out


# ----------------------------------------------------------------------------- branch
@dataclasses.dataclass(frozen=True)
class Change:
    """What a branch changes at its day: an act forced or forbidden that day, and/or parameters."""

    actor: str = ""
    act: str = ""
    mode: str = "forbid"
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def describe(self) -> str:
        """One line: what the branch changes."""
        parts = []
        if self.actor:
            parts.append(f"{self.actor} {'must' if self.mode == 'force' else 'may not'} {self.act}")
        parts += [f"{k} = {v}" for k, v in self.overrides.items()]
        return "; ".join(parts) or "nothing"


@dataclasses.dataclass
class Branch:
    """Two runs on one seed: ``a`` as configured, ``b`` forked at ``day`` with ``change``."""

    day: int
    change: Change
    a: Track
    b: Track
    diverged: int | None  # first day whose outcome differs (None: never within the run)


def check_change(cfg: Config, change: Change, day: int, days: int) -> Config:
    """The config of branch B (parameters changed); a :class:`UserError` naming what is wrong."""
    if not 0 <= int(day) < int(days):
        raise UserError(f"branch day {day}: must be a day of the run, 0 to {int(days) - 1}")
    if change.actor:
        table = acts_of(cfg)
        if change.actor not in table:
            raise UserError(f"branch actor {change.actor!r} is not an actor; allowed {', '.join(table)}")
        if change.act not in table[change.actor]:
            raise UserError(f"branch act {change.act!r} is not an act of {change.actor}; allowed "
                            f"{', '.join(table[change.actor])}")
        if change.mode not in ("force", "forbid"):
            raise UserError(f"branch mode {change.mode!r}: allowed force, forbid")
    if not change.actor and not change.overrides:
        raise UserError("a branch needs a change: an act to force or forbid, or a parameter")
    return with_overrides(cfg, dict(change.overrides)) if change.overrides else cfg


def fork(track: Track, cfg_b: Config, extra: Sequence[InterventionSpec] = ()) -> Track:
    """A copy of ``track`` at its current day that goes on under ``cfg_b`` (plus ``extra``
    interventions): the same seed, world and actors' private state.
    """
    P = build_params(cfg_b)
    if extra:
        P = dataclasses.replace(P, interventions=P.interventions + tuple(extra))
    st = Stepper(P, copy.deepcopy(track.st.world), track.st.seeds)
    for key, actor in track.st.actors.items():
        st.actors[key].restore(copy.deepcopy(actor.state()))
    st._shocked = track.st._shocked
    out = Track(st, cfg_b, track.days)
    out.series = {k: list(v) for k, v in track.series.items()}
    out.events = list(track.events)
    return out


def branch(cfg: Config, seed: int, days: int, day: int, change: Change) -> Branch:
    """Run ``cfg`` on ``seed``; at ``day`` fork it with ``change``; run both to ``days``."""
    cfg_b = check_change(cfg, change, day, days)
    a = Track.start(cfg, seed, days)
    a.run_to(day)
    extra = [InterventionSpec(int(day), change.actor, change.act, change.mode)] if change.actor else []
    b = fork(a, cfg_b, extra)
    diverged: int | None = None
    while not a.done:
        a.step()
        b.step()
        if diverged is None and not same_world(a.st.world, b.st.world):
            diverged = a.day - 1
    return Branch(int(day), change, a, b, diverged)


# ----------------------------------------------------------------------------- play
def advice(st: Stepper, seat: str) -> dict[str, float]:
    """The model's probability of each act of ``seat`` today (after ``begin_day``)."""
    probs = st.probabilities()[SEATS[seat]]
    if seat == US:
        review = float(probs.review[0])
        out = {"strike_militias": float(probs.strike[0]), "strike_iran": float(probs.strike_iran[0]),
               "force_protection": float(probs.protect[0])}
        out.update({a: review * float(probs.policy[k][0]) for k, a in enumerate(US_POLICIES)})
        return {a: out[a] for a in US_ACTS}
    if seat == IRAN:
        reopen = float(probs.reopen[0])
        current = int(st.world.iran_strategy[0])
        out = {s: reopen * float(probs.strategy[k][0]) + (1.0 - reopen) * (k == current)
               for k, s in enumerate(STRATEGIES)}
        out["direct_strike"] = float(probs.commit[0])
        return out
    return {a: float(probs.acts[k][0]) for k, a in enumerate(EXEC_ACTS)}


def move_specs(seat: str, day: int, acts: Iterable[str]) -> list[InterventionSpec]:
    """The interventions of a move: the acts chosen forced, the seat's other acts forbidden
    (Iran: its strategy forced, its direct strike forced or forbidden).
    """
    chosen = list(dict.fromkeys(acts))
    if seat == IRAN:
        strategies = [a for a in chosen if a in STRATEGIES]
        if len(strategies) != 1:
            raise UserError(f"Iran's move needs exactly one strategy ({', '.join(STRATEGIES)}); got "
                            f"{', '.join(strategies) or 'none'}")
        fire = "direct_strike" in chosen
        return [InterventionSpec(day, IRAN, strategies[0], "force"),
                InterventionSpec(day, IRAN, "direct_strike", "force" if fire else "forbid")]
    allowed = US_ACTS if seat == US else EXEC_ACTS
    bad = [a for a in chosen if a not in allowed]
    if bad:
        raise UserError(f"{', '.join(map(repr, bad))} is not an act of {seat}; allowed {', '.join(allowed)}")
    return [InterventionSpec(day, seat, a, "force" if a in chosen else "forbid") for a in allowed]


def check_seat(seat: str) -> str:
    """The seat, if a person may take it; a :class:`UserError` otherwise."""
    if seat not in SEATS:
        raise UserError(f"seat {seat!r}: allowed {', '.join(SEATS)}")
    return seat


class PlaySession:
    """A person holds ``seat``; the other actors play by the model's rules.

    Each day: :meth:`options` (after which the day has begun: shocks applied, actors have
    learned) gives the seat's acts with the model's probabilities; :meth:`play` applies the
    chosen acts as interventions of that day and advances the world.
    """

    def __init__(self, cfg: Config, seed: int, seat: str, days: int, config_name: str = "") -> None:
        self.cfg = cfg
        self.seed = int(seed)
        self.seat = check_seat(seat)
        self.config_name = config_name
        self.track = Track.start(cfg, self.seed, days)
        self.moves: list[dict[str, Any]] = []
        self._advice: dict[str, float] | None = None

    @property
    def day(self) -> int:
        """The day to play next."""
        return self.track.day

    @property
    def done(self) -> bool:
        """True once every day has been played."""
        return self.track.done

    def options(self) -> dict[str, float]:
        """The seat's acts today with the model's probability of each (begins the day once)."""
        if self._advice is None:
            self.track.st.begin_day()
            self._advice = advice(self.track.st, self.seat)
        return dict(self._advice)

    def modal(self) -> list[str]:
        """The acts the model would most likely take today (p >= 0.5; Iran: its likeliest strategy)."""
        adv = self.options()
        if self.seat == IRAN:
            best = max(STRATEGIES, key=lambda s: adv[s])
            return [best] + (["direct_strike"] if adv["direct_strike"] >= 0.5 else [])
        return [a for a, p in adv.items() if p >= 0.5]

    def play(self, acts: Iterable[str]) -> None:
        """Play today with the seat's acts ``acts`` (the others by the rules)."""
        if self.done:
            raise UserError(f"the session has ended (day {self.day} of {self.track.days})")
        acts = list(acts)
        specs = move_specs(self.seat, self.day, acts)
        self.options()
        st = self.track.st
        dec = st.sampled()
        today = dataclasses.replace(st.P, interventions=tuple(specs))
        assert st.obs is not None
        dec = apply_interventions(dec, today, st.obs, st.actors, st.keys)
        self.track.record(st.advance(dec))
        self.moves.append({"day": self.day - 1, "acts": sorted(dict.fromkeys(acts))})
        self._advice = None

    def record(self) -> dict[str, Any]:
        """The session as saved: config, seed, seat, moves and the outcome so far."""
        start = self.cfg.meta.start_date
        return {
            "version": SESSION_VERSION, "config": self.config_name, "config_hash": self.cfg.hash(),
            "seed": self.seed, "seat": self.seat, "days": self.track.days, "start_date": start.isoformat(),
            "moves": [dict(m, date=(start + dt.timedelta(days=m["day"])).isoformat()) for m in self.moves],
            "day": self.day, "outcome": _jsonable(self.track.outcome()),
        }

    @classmethod
    def from_record(cls, cfg: Config, data: Mapping[str, Any]) -> PlaySession:
        """A fresh session with a saved record's config, seed, seat and days (moves not played)."""
        if cfg.hash() != data["config_hash"]:
            raise UserError(f"session config {data['config']!r}: its hash is now {cfg.hash()}, the session was "
                            f"played on {data['config_hash']} (the config changed; the replay would differ)")
        return cls(cfg, int(data["seed"]), str(data["seat"]), int(data["days"]), str(data["config"]))


def replay_config(cfg: Config, data: Mapping[str, Any]) -> tuple[Config, Params]:
    """The config and parameters whose ordinary run is the saved session: its moves as interventions."""
    P = build_params(cfg)
    specs = [s for m in data["moves"] for s in move_specs(str(data["seat"]), int(m["day"]), m["acts"])]
    return cfg, dataclasses.replace(P, interventions=P.interventions + tuple(specs))


def _jsonable(d: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, float) and not np.isfinite(v):
            out[k] = None
        elif isinstance(v, (np.generic,)):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def save_session(folder: Path, session: PlaySession, name: str | None = None) -> Path:
    """Write the session as ``<folder>/<name>.json`` atomically; returns the path."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    stem = name or f"{stamp}-{session.seat.replace(' ', '_').lower()}-seed{session.seed}"
    path = Path(folder) / f"{stem}.json"
    text = json.dumps(session.record(), indent=1, sort_keys=True)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


REQUIRED = {"version": int, "config": str, "config_hash": str, "seed": int, "seat": str, "days": int,
            "moves": list}


def load_session(path: Path) -> dict[str, Any]:
    """A saved session's record; a :class:`UserError` naming the file and the key if it is not one."""
    text = read_text_file(path, kind="session file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not a session file (invalid JSON: {exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: not a session file (a JSON object is expected)")
    for key, kind in REQUIRED.items():
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise UserError(f"{path}: key {key!r} missing or not a {kind.__name__}")
    check_seat(data["seat"])
    for i, m in enumerate(data["moves"]):
        if not (isinstance(m, dict) and isinstance(m.get("day"), int) and isinstance(m.get("acts"), list)):
            raise UserError(f"{path}: moves.{i}: needs a whole-number 'day' and a list 'acts'")
    days = [m["day"] for m in data["moves"]]
    if days != list(range(len(days))):
        raise UserError(f"{path}: moves: days must run 0, 1, 2, ... (one move a day)")
    return data


__all__ = ["SEATS", "SERIES", "Branch", "Change", "ConfigError", "PlaySession", "Track", "advice", "branch",
           "check_change", "check_seat", "fork", "load_session", "move_specs", "replay_config", "same_world",
           "save_session", "series_of"]
